//! Logging in and out: one answer for every wrong login, tokens that stop working at once, idle
//! expiry, and guessing slowed down per address and per username.

use crate::helpers::{ADMIN, Backend, Folder, PASSWORD, TestApp, settings, spawn_app, spawn_with};
use reqwest::{Method, StatusCode};
use sakhi_domain::Role;
use sakhi_domain::wire::ErrorBody;
use sakhi_domain::wire::account::{Account, Session};
use serde_json::json;
use std::time::{Duration, Instant};

/// What `GET /api/v1/session` answers for `token`: its status and error code.
async fn session_answer(app: &TestApp, token: &str) -> (StatusCode, String) {
    code_of(
        app.send(Method::GET, "/api/v1/session", Some(token), None)
            .await,
    )
    .await
}

async fn code_of(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    let body: ErrorBody = response.json().await.expect("an error body");
    (status, body.code.unwrap_or_default())
}

on_each_backend!(a_login_answers_a_session_whose_token_names_the_account_until_logout);
async fn a_login_answers_a_session_whose_token_names_the_account_until_logout(backend: Backend) {
    let app = spawn_app(backend).await;
    let before = sakhi_server::clock::system_millis();
    let session = app.log_in("ADMIN.dhr").await;
    assert_eq!(session.token.len(), 43);
    assert!(session.expires_at >= before + 59 * 24 * 3600 * 1000);
    assert_eq!(session.account.role, Role::Administrator);

    let me = app
        .send(Method::GET, "/api/v1/session", Some(&session.token), None)
        .await;
    assert_eq!(me.status(), StatusCode::OK);
    let account: Account = me.json().await.unwrap();
    assert_eq!(account, session.account);

    let out = app
        .send(
            Method::DELETE,
            "/api/v1/session",
            Some(&session.token),
            None,
        )
        .await;
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        session_answer(&app, &session.token).await,
        (StatusCode::UNAUTHORIZED, "unauthenticated".into())
    );
}

on_each_backend!(an_unknown_user_a_wrong_password_and_a_disabled_account_get_the_same_answer);
async fn an_unknown_user_a_wrong_password_and_a_disabled_account_get_the_same_answer(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let admin = app.token.clone().unwrap();
    let (worker, _) = app.account(&admin, "gita", Role::Counsellor).await;
    let patch = json!({"disabled": true});
    let path = format!("/api/v1/accounts/{}", worker.id);
    assert_eq!(
        app.send(Method::PATCH, &path, Some(&admin), Some(patch))
            .await
            .status(),
        StatusCode::OK
    );

    let mut answers = Vec::new();
    let mut times = Vec::new();
    for (username, password) in [
        ("nobody", PASSWORD),
        (ADMIN, "wrong password 1"),
        ("gita", PASSWORD),
    ] {
        let started = Instant::now();
        let response = app.try_log_in(username, password).await;
        times.push(started.elapsed());
        let status = response.status();
        let body: ErrorBody = response.json().await.unwrap();
        answers.push((status, body));
    }
    assert_eq!(answers[0].0, StatusCode::UNAUTHORIZED);
    assert_eq!(answers[0].1.code.as_deref(), Some("bad_login"));
    assert!(
        answers.iter().all(|answer| *answer == answers[0]),
        "{answers:?}"
    );
    // Each checked a hash, so none is answered at once.
    let fastest = times.iter().min().unwrap();
    let slowest = times.iter().max().unwrap();
    assert!(
        *slowest < *fastest * 5 + Duration::from_millis(50),
        "{times:?}"
    );
}

on_each_backend!(disabling_an_account_or_resetting_its_password_ends_its_sessions_at_once);
async fn disabling_an_account_or_resetting_its_password_ends_its_sessions_at_once(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let admin = app.token.clone().unwrap();
    let (worker, token) = app.account(&admin, "gita", Role::OutreachWorker).await;
    let path = format!("/api/v1/accounts/{}/password", worker.id);
    let reset = app
        .send(
            Method::POST,
            &path,
            Some(&admin),
            Some(json!({"password": "नया पासवर्ड 2025"})),
        )
        .await;
    assert_eq!(reset.status(), StatusCode::NO_CONTENT);
    let me = app
        .send(Method::GET, "/api/v1/session", Some(&token), None)
        .await;
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.try_log_in("gita", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let session: Session = app
        .try_log_in("gita", "नया पासवर्ड 2025")
        .await
        .json()
        .await
        .unwrap();

    let path = format!("/api/v1/accounts/{}", worker.id);
    let disable = app
        .send(
            Method::PATCH,
            &path,
            Some(&admin),
            Some(json!({"disabled": true})),
        )
        .await;
    assert_eq!(disable.status(), StatusCode::OK);
    assert_eq!(
        session_answer(&app, &session.token).await,
        (StatusCode::UNAUTHORIZED, "unauthenticated".into())
    );
}

on_each_backend!(a_session_unused_for_the_idle_time_ends);
async fn a_session_unused_for_the_idle_time_ends(backend: Backend) {
    let folder = Folder::new(backend).await;
    let settings = sakhi_server::Settings {
        session_idle_seconds: 1,
        ..settings(&folder)
    };
    let app = spawn_with(settings, folder).await.ready().await;
    let token = app.token.clone().unwrap();
    assert_eq!(
        app.send(Method::GET, "/api/v1/session", Some(&token), None)
            .await
            .status(),
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        session_answer(&app, &token).await,
        (StatusCode::UNAUTHORIZED, "unauthenticated".into())
    );
}

on_each_backend!(missing_garbage_and_unknown_tokens_are_401_unauthenticated);
async fn missing_garbage_and_unknown_tokens_are_401_unauthenticated(backend: Backend) {
    let app = spawn_app(backend).await;
    for token in [
        None,
        Some("garbage"),
        Some("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
    ] {
        let response = app
            .send(Method::GET, "/api/v1/sync/pull", token, None)
            .await;
        assert_eq!(
            code_of(response).await,
            (StatusCode::UNAUTHORIZED, "unauthenticated".into())
        );
    }
}

on_each_backend!(failed_logins_are_slowed_per_username_and_per_address_with_retry_after);
async fn failed_logins_are_slowed_per_username_and_per_address_with_retry_after(backend: Backend) {
    let folder = Folder::new(backend).await;
    let settings = sakhi_server::Settings {
        trust_forwarded_for: true,
        ..settings(&folder)
    };
    let app = spawn_with(settings, folder).await.ready().await;
    let try_from = |address: &'static str, username: &'static str, password: &'static str| {
        let app = &app;
        async move {
            app.client
                .post(app.url("/api/v1/session"))
                .header("x-forwarded-for", address)
                .json(&json!({"username": username, "password": password,
                              "device": sakhi_domain::DeviceId::new()}))
                .send()
                .await
                .unwrap()
        }
    };
    // A stranger guesses the administrator's password from one address.
    for _ in 0..5 {
        let response = try_from("10.0.0.9", ADMIN, "wrong guess 123").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let blocked = try_from("10.0.0.9", ADMIN, "wrong guess 123").await;
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(blocked.headers()["retry-after"], "1");
    assert_eq!(code_of(blocked).await.1, "too_many_tries");
    // His waits are his own: the administrator logs in from elsewhere, and another worker
    // behind his address is answered, not made to wait.
    assert_eq!(
        try_from("10.0.0.1", ADMIN, PASSWORD).await.status(),
        StatusCode::OK
    );
    let other = try_from("10.0.0.9", "someone", "wrong guess 123").await;
    assert_eq!(other.status(), StatusCode::UNAUTHORIZED);

    // The delay grows.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        try_from("10.0.0.9", ADMIN, "wrong guess 123")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let blocked = try_from("10.0.0.9", ADMIN, "wrong guess 123").await;
    assert_eq!(blocked.headers()["retry-after"], "2");

    // Guesses at one username from many addresses: ten free, then each waits, a minute at most.
    let addresses = [
        "10.1.0.1",
        "10.1.0.2",
        "10.1.0.3",
        "10.1.0.4",
        "10.1.0.5",
        "10.1.0.6",
        "10.1.0.7",
        "10.1.0.8",
        "10.1.0.9",
        "10.1.0.10",
    ];
    for address in addresses {
        let response = try_from(address, "counsellor.x", "wrong guess 123").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let blocked = try_from("10.1.0.11", "counsellor.x", "wrong guess 123").await;
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(blocked.headers()["retry-after"], "1");
}

on_each_backend!(a_password_too_long_is_400_and_a_huge_body_413);
async fn a_password_too_long_is_400_and_a_huge_body_413(backend: Backend) {
    let app = spawn_app(backend).await;
    let long = "क".repeat(129);
    let response = app.try_log_in(ADMIN, &long).await;
    assert_eq!(
        code_of(response).await,
        (StatusCode::BAD_REQUEST, "password_too_long".into())
    );
    let huge = "x".repeat(10_000);
    let response = app.try_log_in(ADMIN, &huge).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}
