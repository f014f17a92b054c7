//! Pulling: pages in sequence order, and merges devices agree on. (Pulls alongside concurrent
//! pushes are in `concurrency.rs`.)

use crate::helpers::{Backend, TestApp, is_accepted, now, spawn_app, unnumbered};
use reqwest::StatusCode;
use sakhi_domain::wire::{Cursor, ErrorBody, MAX_PULL_LIMIT, MAX_PUSH_CHANGES};
use sakhi_domain::{Clock, DeviceId, Kind, Record, RecordId};
use serde_json::json;

/// Pushes one new case per name, each in its own push, and returns them.
async fn push_cases(app: &TestApp, count: usize) -> Vec<Record> {
    let mut phone = Clock::new(DeviceId::new());
    let mut cases = Vec::new();
    for i in 0..count {
        let mut case = Record::new(RecordId::new(), Kind::Case);
        let change = case.edit(&mut phone, now(), "name", json!(format!("केस {i}")));
        app.push(phone.device(), &[change]).await;
        cases.push(case);
    }
    cases
}

on_each_backend!(pages_follow_each_other_with_cursor_and_more_until_everything_is_read);
async fn pages_follow_each_other_with_cursor_and_more_until_everything_is_read(backend: Backend) {
    let app = spawn_app(backend).await;
    let cases = push_cases(&app, 17).await;

    let mut cursor = Cursor(0);
    let mut pages = Vec::new();
    loop {
        let page = app.pull(cursor, 5).await;
        assert!(page.records.len() <= 5);
        assert!(page.cursor > cursor || page.records.is_empty());
        cursor = page.cursor;
        let more = page.more;
        pages.push(page);
        if !more {
            break;
        }
    }

    let sizes: Vec<_> = pages.iter().map(|p| p.records.len()).collect();
    assert_eq!(sizes, [5, 5, 5, 2]);
    let pulled: Vec<_> = pages.into_iter().flat_map(|p| p.records).collect();
    assert_eq!(
        unnumbered(pulled),
        cases,
        "every record once, in sequence order"
    );
    assert_eq!(cursor, Cursor(17));
    let after_the_end = app.pull(cursor, 5).await;
    assert!(after_the_end.records.is_empty() && !after_the_end.more);
    assert_eq!(after_the_end.cursor, cursor);
}

on_each_backend!(a_record_changed_again_moves_to_the_end_of_the_sequence);
async fn a_record_changed_again_moves_to_the_end_of_the_sequence(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut phone = Clock::new(DeviceId::new());
    let mut first = Record::new(RecordId::new(), Kind::Case);
    let mut second = Record::new(RecordId::new(), Kind::Case);
    let a = first.edit(&mut phone, now(), "name", json!("Sita"));
    let b = second.edit(&mut phone, now(), "name", json!("Gita"));
    app.push(phone.device(), &[a, b]).await;
    let seen = app.pull(Cursor(0), 100).await;

    let c = first.edit(&mut phone, now(), "age", json!(30));
    app.push(phone.device(), &[c]).await;
    let page = app.pull(seen.cursor, 100).await;

    assert_eq!(unnumbered(page.records), [first.clone()]);
    let everything = app.pull(Cursor(0), 100).await.records;
    assert_eq!(unnumbered(everything), [second, first]);
}

on_each_backend!(the_limit_is_held_between_one_and_the_maximum);
async fn the_limit_is_held_between_one_and_the_maximum(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut phone = Clock::new(DeviceId::new());
    let changes: Vec<_> = (0..=MAX_PULL_LIMIT)
        .map(|i| {
            let mut case = Record::new(RecordId::new(), Kind::Case);
            case.edit(&mut phone, now(), "age", json!(i % 100))
        })
        .collect();
    for batch in changes.chunks(MAX_PUSH_CHANGES) {
        app.push(phone.device(), batch).await;
    }

    let page = app.pull(Cursor(0), 0).await;
    assert_eq!(page.records.len(), 1);
    assert!(page.more);

    let page = app.pull(Cursor(0), u32::MAX).await;
    assert_eq!(page.records.len(), MAX_PULL_LIMIT as usize);
    assert!(page.more);
    let rest = app.pull(page.cursor, u32::MAX).await;
    assert_eq!(rest.records.len(), 1);
    assert!(!rest.more);
}

on_each_backend!(an_invalid_pull_query_is_a_400);
async fn an_invalid_pull_query_is_a_400(backend: Backend) {
    let app = spawn_app(backend).await;
    for query in [
        "after=-1",
        "after=abc",
        "limit=lots",
        "after=1.5",
        "limit=99999999999",
    ] {
        let response = app.get(&format!("/api/v1/sync/pull?{query}")).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(response.headers()["cache-control"], "no-store");
        let body: ErrorBody = response.json().await.unwrap();
        assert!(!body.error.is_empty());
    }
    let defaults = app.get("/api/v1/sync/pull").await;
    assert_eq!(defaults.status(), StatusCode::OK);
}

on_each_backend!(two_devices_editing_one_field_at_once_end_with_the_same_record_and_a_conflict);
async fn two_devices_editing_one_field_at_once_end_with_the_same_record_and_a_conflict(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let mut phone = Clock::new(DeviceId::new());
    let mut desk = Clock::new(DeviceId::new());
    let mut on_phone = Record::new(RecordId::new(), Kind::Case);
    let created = on_phone.edit(&mut phone, now(), "village", json!("Rampur"));
    app.push(phone.device(), &[created]).await;
    let mut on_desk = app.pull(Cursor(0), 10).await.records.remove(0);

    // Both saw "Rampur"; each corrects it without seeing the other's correction.
    let from_phone = on_phone.edit(&mut phone, now(), "village", json!("Rampura"));
    let from_desk = on_desk.edit(&mut desk, now(), "village", json!("रामपुर"));
    assert!(
        app.push(phone.device(), &[from_phone])
            .await
            .results
            .iter()
            .all(is_accepted)
    );
    assert!(
        app.push(desk.device(), &[from_desk])
            .await
            .results
            .iter()
            .all(is_accepted)
    );

    let on_server = app.pull(Cursor(0), 10).await.records.remove(0);
    on_phone.merge(&on_server);
    on_desk.merge(&on_server);

    assert_eq!(on_phone, on_desk);
    assert_eq!(on_phone, on_server);
    assert_eq!(
        on_server.text("village"),
        Some("रामपुर"),
        "the later stamp wins"
    );
    assert_eq!(
        on_server.conflicted_fields().collect::<Vec<_>>(),
        ["village"]
    );
    let losers: Vec<_> = on_server.fields["village"]
        .conflicts()
        .map(|v| v.value.clone())
        .collect();
    assert_eq!(losers, [json!("Rampura")], "nothing typed is dropped");
}
