//! Every refusal under `/api` is the API's: a JSON reason with a code, `no-store` and the API's
//! own content security policy, whichever layer refused (the body's decompression, the limits on
//! the address and headers), and a PATCH takes only a JSON object.

use crate::helpers::{Backend, TestApp, spawn_app};
use reqwest::{Method, StatusCode};
use sakhi_server::api::request::{MAX_HEADER_BYTES, MAX_URI_BYTES};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// Checks an answer is the API's refusal with `status` and `code`, and returns its reason.
async fn assert_refused(response: reqwest::Response, status: StatusCode, code: &str) -> String {
    let url = response.url().clone();
    assert_eq!(response.status(), status, "{url}");
    let headers = response.headers();
    assert_eq!(headers["cache-control"], "no-store", "{url}");
    assert_eq!(headers["content-security-policy"], API_CSP, "{url}");
    assert_eq!(headers["content-type"], "application/json", "{url}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], code, "{url}: {body}");
    let reason = body["error"].as_str().unwrap_or_default().to_owned();
    assert!(!reason.is_empty(), "{url}: {body}");
    reason
}

fn push_encoded(app: &TestApp, encoding: &str) -> reqwest::RequestBuilder {
    app.client
        .post(app.url("/api/v1/sync/push"))
        .bearer_auth(app.token.as_deref().unwrap())
        .header("content-type", "application/json")
        .header("content-encoding", encoding)
        .body("{}")
}

on_each_backend!(a_body_in_an_encoding_the_server_cannot_read_is_refused_with_a_reason);
async fn a_body_in_an_encoding_the_server_cannot_read_is_refused_with_a_reason(backend: Backend) {
    let app = spawn_app(backend).await;
    for encoding in ["br", "gzip, gzip", "zstd"] {
        let response = push_encoded(&app, encoding).send().await.unwrap();
        // Says what it reads instead.
        assert_eq!(response.headers()["accept-encoding"], "gzip", "{encoding}");
        let reason = assert_refused(
            response,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        )
        .await;
        assert!(reason.contains("gzip"), "{reason}");
    }
}

on_each_backend!(an_address_or_headers_past_the_servers_limits_are_refused_with_a_reason);
async fn an_address_or_headers_past_the_servers_limits_are_refused_with_a_reason(backend: Backend) {
    let app = spawn_app(backend).await;
    let long = format!("/api/v1/health?pad={}", "a".repeat(MAX_URI_BYTES));
    let reason = assert_refused(app.get(&long).await, StatusCode::URI_TOO_LONG, "too_large").await;
    assert!(reason.contains(&MAX_URI_BYTES.to_string()), "{reason}");
    // An app's path too, refused before anything reads it.
    let response = app.get(&format!("/{}", "a".repeat(MAX_URI_BYTES))).await;
    assert_eq!(response.status(), StatusCode::URI_TOO_LONG);

    let response = app
        .client
        .get(app.url("/api/v1/sync/pull"))
        .bearer_auth(app.token.as_deref().unwrap())
        .header("x-padding", "a".repeat(MAX_HEADER_BYTES))
        .send()
        .await
        .unwrap();
    let reason = assert_refused(
        response,
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        "too_large",
    )
    .await;
    assert!(reason.contains(&MAX_HEADER_BYTES.to_string()), "{reason}");

    // Just under both limits, the request is read.
    let fits = format!("/api/v1/health?pad={}", "a".repeat(MAX_URI_BYTES - 100));
    assert_eq!(app.get(&fits).await.status(), StatusCode::OK);
}

on_each_backend!(past_hypers_own_limits_hyper_answers_alone_without_a_body);
async fn past_hypers_own_limits_hyper_answers_alone_without_a_body(backend: Backend) {
    // What no layer of the server can change: hyper refuses an address of more than 65,534
    // bytes itself, with a status and no body, before the router sees the request. Kept as a
    // test so that a hyper that lets these through to the router is noticed. Sent by hand: an
    // HTTP client may give up when hyper closes the connection on it.
    let app = spawn_app(backend).await;
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let request = format!(
        "GET /api/v1/health?pad={} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        "a".repeat(70_000)
    );
    // hyper may answer and close before it has read all of it.
    stream.write_all(request.as_bytes()).await.ok();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.ok();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 414"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("content-length: 0"),
        "{answer}"
    );
}

on_each_backend!(a_patch_takes_only_a_json_object_sent_as_json);
async fn a_patch_takes_only_a_json_object_sent_as_json(backend: Backend) {
    let app = spawn_app(backend).await;
    let me: Value = app.get("/api/v1/session").await.json().await.unwrap();
    let account = format!("/api/v1/accounts/{}", me["id"].as_str().unwrap());
    for path in ["/api/v1/centre", account.as_str()] {
        let patch = |content_type: Option<&str>, body: &str| {
            let mut request = app
                .client
                .request(Method::PATCH, app.url(path))
                .bearer_auth(app.token.as_deref().unwrap())
                .body(body.to_owned());
            if let Some(content_type) = content_type {
                request = request.header("content-type", content_type);
            }
            request.send()
        };
        for content_type in [
            Some("text/plain"),
            None,
            Some("application/x-www-form-urlencoded"),
        ] {
            let response = patch(content_type, "{}").await.unwrap();
            assert_refused(
                response,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
            )
            .await;
        }
        for body in ["[]", "null", "  [1]", "\"x\""] {
            let response = patch(Some("application/json"), body).await.unwrap();
            assert_refused(response, StatusCode::BAD_REQUEST, "bad_request").await;
        }
        // An object, even an empty one, is a change (of nothing).
        let response = patch(Some("application/json; charset=utf-8"), " {}")
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
}
