//! Bodies compressed for 2G: gzipped pushes are read, answers are gzipped for clients that accept
//! it, and a body's size limit counts what it unpacks to.

use crate::helpers::{Backend, TestApp, is_accepted, now, outcomes, spawn_app};
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use reqwest::StatusCode;
use sakhi_domain::wire::{MAX_PUSH_BYTES, PROTOCOL, PullResponse, PushRequest, PushResponse};
use sakhi_domain::{Clock, DeviceId, Kind, Record, RecordId};
use serde_json::json;
use std::io::{Read, Write};

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// Pushes `body` as sent gzipped (`Content-Encoding: gzip`), as the app does on a slow link.
async fn push_gzipped(app: &TestApp, body: impl Into<reqwest::Body>) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/sync/push"))
        .bearer_auth(app.token.as_deref().unwrap())
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_gzipped_push_is_applied_and_a_pull_comes_back_gzipped() {
    let app = spawn_app(Backend::Sqlite).await;
    let mut phone = Clock::new(DeviceId::new());
    let changes: Vec<_> = (0..50)
        .map(|n| {
            let mut case = Record::new(RecordId::new(), Kind::Case);
            case.edit(&mut phone, now(), "village", json!(format!("गाँव {n}")))
        })
        .collect();
    let request = PushRequest {
        protocol: PROTOCOL,
        device: phone.device(),
        seen: None,
        changes,
    };
    let plain = serde_json::to_vec(&request).unwrap();
    let packed = gzip(&plain);
    assert!(packed.len() * 3 < plain.len(), "the test's body compresses");

    let response = push_gzipped(&app, packed).await;
    assert_eq!(response.status(), StatusCode::OK);
    let answer: PushResponse = response.json().await.unwrap();
    let results = outcomes(&answer, &request.changes);
    assert_eq!(results.len(), 50);
    assert!(results.iter().all(is_accepted));

    let response = app
        .client
        .get(app.url("/api/v1/sync/pull?after=0&limit=100"))
        .bearer_auth(app.token.as_deref().unwrap())
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-encoding"], "gzip");
    let packed = response.bytes().await.unwrap();
    let mut plain = String::new();
    GzDecoder::new(&packed[..])
        .read_to_string(&mut plain)
        .unwrap();
    assert!(
        packed.len() * 3 < plain.len(),
        "{} → {}",
        plain.len(),
        packed.len()
    );
    let page: PullResponse = serde_json::from_str(&plain).unwrap();
    assert_eq!(page.records.len(), 50);
}

#[tokio::test]
async fn a_small_gzipped_body_that_unpacks_past_the_limit_is_refused() {
    let app = spawn_app(Backend::Sqlite).await;
    // Spaces are valid JSON padding and compress a thousandfold.
    let mut bomb = vec![b' '; MAX_PUSH_BYTES + 1024];
    bomb.extend_from_slice(b"{}");
    let packed = gzip(&bomb);
    assert!(packed.len() < 64 * 1024);
    let response = push_gzipped(&app, packed).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);

    let response = push_gzipped(&app, "not gzip at all").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}
