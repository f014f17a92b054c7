//! Attachments' content (`/api/v1/attachments/{id}/…`): sent in chunks in any order and more than
//! once, received only when the whole matches its SHA-256, read back a chunk at a time with an
//! audit row each, refused with a reason for every kind of bad input, held to the centre's limits,
//! and reached only as its case is.

use crate::authorisation::{TwoCentres, two_centres_with};
use crate::helpers::{Backend, Folder, TestApp, now, settings, spawn_with};
use reqwest::{Method, StatusCode};
use sakhi_domain::schema::CASE;
use sakhi_domain::wire::ErrorBody;
use sakhi_domain::wire::account::AuditPage;
use sakhi_domain::wire::attachment::{CHUNK_BYTES, Upload, chunk_len};
use sakhi_domain::wire::paths;
use sakhi_domain::{Clock, DeviceId, Kind, Record, RecordId};
use serde_json::json;
use sha2::{Digest, Sha256};

/// Content of `size` bytes that no two files share: a pattern seeded by `seed`.
fn content(size: usize, seed: u8) -> Vec<u8> {
    (0..size)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A case, and an attachment of it declaring `bytes`, pushed by the holder of `token`.
async fn attach(
    app: &TestApp,
    token: &str,
    case: Option<RecordId>,
    bytes: &[u8],
) -> (RecordId, RecordId) {
    let mut clock = Clock::new(DeviceId::new());
    let mut changes = Vec::new();
    let case = match case {
        Some(case) => case,
        None => {
            let mut case = Record::new(RecordId::new(), Kind::Case);
            changes.push(case.edit(&mut clock, now(), "name", json!("Sita")));
            case.id
        }
    };
    let mut attachment = Record::new(RecordId::new(), Kind::Attachment);
    for (field, value) in [
        (CASE, json!(case.to_string())),
        ("attachment_kind", json!("medical_report")),
        ("media_type", json!("application/pdf")),
        ("size", json!(bytes.len())),
        ("sha256", json!(sha256(bytes))),
    ] {
        changes.push(attachment.edit(&mut clock, now(), field, value));
    }
    let pushed = app.push_as(token, clock.device(), &changes).await;
    assert_eq!(pushed.status(), StatusCode::OK);
    (case, attachment.id)
}

/// Chunk `n` of `bytes`, as its number holds it.
fn chunk(bytes: &[u8], n: u32) -> Vec<u8> {
    let start = n as usize * CHUNK_BYTES as usize;
    let len = chunk_len(bytes.len() as u64, n).expect("a chunk of the content") as usize;
    bytes[start..start + len].to_vec()
}

async fn put(app: &TestApp, token: &str, id: RecordId, n: u32, body: Vec<u8>) -> reqwest::Response {
    app.client
        .put(app.url(&paths::attachment_chunk(id, n)))
        .bearer_auth(token)
        .header("content-type", "application/octet-stream")
        .body(body)
        .send()
        .await
        .expect("Failed to send a chunk")
}

async fn kept(response: reqwest::Response) -> Upload {
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("an upload's state")
}

async fn upload(app: &TestApp, token: &str, id: RecordId) -> reqwest::Response {
    let path = paths::attachment_upload(id);
    app.send(Method::GET, &path, Some(token), None).await
}

async fn read(app: &TestApp, token: &str, id: RecordId, n: u32) -> reqwest::Response {
    let path = paths::attachment_chunk(id, n);
    app.send(Method::GET, &path, Some(token), None).await
}

/// The status and error code of a refused request.
async fn refusal(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    let body: ErrorBody = response.json().await.expect("an error body");
    (status, body.code.unwrap_or_default())
}

async fn audit_actions(app: &TestApp, admin: &str) -> Vec<(String, Vec<RecordId>)> {
    let response = app
        .send(Method::GET, "/api/v1/audit?limit=500", Some(admin), None)
        .await;
    let page: AuditPage = response.json().await.expect("an audit page");
    page.entries
        .into_iter()
        .map(|entry| (entry.action, entry.records))
        .collect()
}

async fn centres(backend: Backend, limits: Option<(u64, u64, u64)>) -> TwoCentres {
    let folder = Folder::new(backend).await;
    let mut settings = settings(&folder);
    if let Some((file, case, centre)) = limits {
        settings.attachments.file = file;
        settings.attachments.case = case;
        settings.attachments.centre = centre;
    }
    two_centres_with(spawn_with(settings, folder).await.ready().await).await
}

on_each_backend!(a_file_sent_out_of_order_and_twice_is_received_whole_and_read_back_audited);
async fn a_file_sent_out_of_order_and_twice_is_received_whole_and_read_back_audited(
    backend: Backend,
) {
    let setup = centres(backend, None).await;
    let (app, token) = (&setup.app, &setup.counsellor.1);
    let bytes = content(2 * CHUNK_BYTES as usize + 1000, 7);
    let (_, id) = attach(app, token, None, &bytes).await;

    let nothing = kept(upload(app, token, id).await).await;
    assert_eq!(
        (nothing.chunks, nothing.received.len(), nothing.complete),
        (3, 0, false)
    );
    let after_last = kept(put(app, token, id, 2, chunk(&bytes, 2)).await).await;
    assert_eq!(after_last.received, vec![2]);
    kept(put(app, token, id, 0, chunk(&bytes, 0)).await).await;
    // The answer to this one was lost: the phone sends it again, and nothing changes.
    let again = kept(put(app, token, id, 0, chunk(&bytes, 0)).await).await;
    assert_eq!((again.missing(), again.received), (Some(1), vec![0, 2]));
    assert_eq!(
        refusal(read(app, token, id, 0).await).await,
        (StatusCode::CONFLICT, "attachment_not_received".to_owned())
    );
    let whole = kept(put(app, token, id, 1, chunk(&bytes, 1)).await).await;
    assert!(whole.complete);
    assert_eq!(whole.received, vec![0, 1, 2]);
    assert!(kept(upload(app, token, id).await).await.complete);
    // A chunk sent again after the whole arrived changes nothing either.
    assert!(
        kept(put(app, token, id, 1, chunk(&bytes, 1)).await)
            .await
            .complete
    );

    let mut read_back = Vec::new();
    for n in 0..3 {
        let response = read(app, &setup.admin, id, n).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()["content-type"],
            "application/octet-stream"
        );
        read_back.extend(response.bytes().await.unwrap());
    }
    assert_eq!(read_back, bytes);

    let audit = audit_actions(app, &setup.admin).await;
    let received = audit
        .iter()
        .filter(|(action, records)| action == "attachment_received" && records == &[id])
        .count();
    let reads = audit
        .iter()
        .filter(|(action, records)| action == "attachment_read" && records == &[id])
        .count();
    assert_eq!((received, reads), (1, 3));
}

on_each_backend!(a_file_that_does_not_match_its_digest_is_dropped_and_then_taken_when_right);
async fn a_file_that_does_not_match_its_digest_is_dropped_and_then_taken_when_right(
    backend: Backend,
) {
    let setup = centres(backend, None).await;
    let (app, token) = (&setup.app, &setup.counsellor.1);
    let bytes = content(CHUNK_BYTES as usize + 10, 3);
    let (_, id) = attach(app, token, None, &bytes).await;
    kept(put(app, token, id, 0, chunk(&bytes, 0)).await).await;
    let mut damaged = chunk(&bytes, 1);
    damaged[0] ^= 1;
    assert_eq!(
        refusal(put(app, token, id, 1, damaged).await).await,
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "digest_mismatch".to_owned()
        )
    );
    let dropped = kept(upload(app, token, id).await).await;
    assert_eq!((dropped.received.len(), dropped.complete), (0, false));
    kept(put(app, token, id, 1, chunk(&bytes, 1)).await).await;
    assert!(
        kept(put(app, token, id, 0, chunk(&bytes, 0)).await)
            .await
            .complete
    );
}

on_each_backend!(bad_chunks_and_unreached_attachments_are_refused_with_a_reason);
async fn bad_chunks_and_unreached_attachments_are_refused_with_a_reason(backend: Backend) {
    let setup = centres(backend, None).await;
    let (app, token) = (&setup.app, &setup.counsellor.1);
    let bytes = content(1000, 1);
    let (case, id) = attach(app, token, None, &bytes).await;

    let past = put(app, token, id, 1, vec![0; 10]).await;
    assert_eq!(
        refusal(past).await,
        (StatusCode::BAD_REQUEST, "chunk_out_of_range".to_owned())
    );
    let short = put(app, token, id, 0, vec![0; 999]).await;
    assert_eq!(
        refusal(short).await,
        (StatusCode::BAD_REQUEST, "wrong_chunk_size".to_owned())
    );
    let json = app
        .client
        .put(app.url(&paths::attachment_chunk(id, 0)))
        .bearer_auth(token)
        .json(&json!({"bytes": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(json.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let huge = put(app, token, id, 0, vec![0; CHUNK_BYTES as usize + 1]).await;
    assert_eq!(huge.status(), StatusCode::PAYLOAD_TOO_LARGE);
    for path in [
        "/api/v1/attachments/not-a-uuid/chunks/0",
        &format!("/api/v1/attachments/{id}/chunks/-1"),
        &format!("/api/v1/attachments/{id}/chunks/x"),
    ] {
        let response = app.send(Method::GET, path, Some(token), None).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
    }
    let unauthenticated = app
        .send(Method::GET, &paths::attachment_upload(id), None, None)
        .await;
    assert_eq!(unauthenticated.status(), StatusCode::UNAUTHORIZED);

    // An unknown id, a case's id, another centre's attachment, and one outside an outreach
    // worker's scope are all the same 404.
    let other_token = &setup.other_admin.token;
    let (_, others) = attach(app, other_token, None, &bytes).await;
    for (who, what) in [
        (token, RecordId::new()),
        (token, case),
        (token, others),
        (other_token, id),
        (&setup.outreach.1, id),
    ] {
        assert_eq!(
            refusal(upload(app, who, what).await).await,
            (StatusCode::NOT_FOUND, "not_found".to_owned())
        );
        assert_eq!(
            put(app, who, what, 0, bytes.clone()).await.status(),
            StatusCode::NOT_FOUND
        );
    }
    // Her own attachment she reaches.
    let (_, hers) = attach(app, &setup.outreach.1, None, &bytes).await;
    assert!(
        kept(put(app, &setup.outreach.1, hers, 0, bytes.clone()).await)
            .await
            .complete
    );

    // An attachment record that names no size or digest takes no content.
    let mut clock = Clock::new(DeviceId::new());
    let mut bare = Record::new(RecordId::new(), Kind::Attachment);
    let change = bare.edit(&mut clock, now(), CASE, json!(case.to_string()));
    assert_eq!(
        app.push_as(token, clock.device(), &[change]).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        refusal(put(app, token, bare.id, 0, vec![1]).await).await,
        (StatusCode::CONFLICT, "attachment_not_described".to_owned())
    );
}

on_each_backend!(a_file_too_large_and_a_full_case_or_centre_are_refused_and_nothing_kept);
async fn a_file_too_large_and_a_full_case_or_centre_are_refused_and_nothing_kept(backend: Backend) {
    let setup = centres(backend, Some((100_000, 150_000, 230_000))).await;
    let (app, token) = (&setup.app, &setup.counsellor.1);
    let too_large = content(100_001, 1);
    let (case, id) = attach(app, token, None, &too_large).await;
    assert_eq!(
        refusal(put(app, token, id, 0, chunk(&too_large, 0)).await).await,
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            "attachment_too_large".to_owned()
        )
    );

    let file = content(80_000, 2);
    let (_, first) = attach(app, token, Some(case), &file).await;
    kept(put(app, token, first, 0, chunk(&file, 0)).await).await;
    let (_, second) = attach(app, token, Some(case), &file).await;
    assert_eq!(
        refusal(put(app, token, second, 0, chunk(&file, 0)).await).await,
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            "case_attachments_full".to_owned()
        )
    );
    assert!(
        kept(upload(app, token, second).await)
            .await
            .received
            .is_empty()
    );

    // Other cases have room, until the centre has none.
    let (_, third) = attach(app, token, None, &file).await;
    kept(put(app, token, third, 0, chunk(&file, 0)).await).await;
    let (_, fourth) = attach(app, token, None, &file).await;
    assert_eq!(
        refusal(put(app, token, fourth, 0, chunk(&file, 0)).await).await,
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            "centre_attachments_full".to_owned()
        )
    );
    // The other centre's room is its own.
    let (_, elsewhere) = attach(app, &setup.other_admin.token, None, &file).await;
    kept(put(app, &setup.other_admin.token, elsewhere, 0, chunk(&file, 0)).await).await;
}

on_each_backend!(chunks_sent_all_at_once_are_each_kept_and_the_whole_received_once);
async fn chunks_sent_all_at_once_are_each_kept_and_the_whole_received_once(backend: Backend) {
    let setup = centres(backend, None).await;
    let (app, token) = (&setup.app, &setup.counsellor.1);
    let bytes = content(5 * CHUNK_BYTES as usize - 3, 9);
    let (_, id) = attach(app, token, None, &bytes).await;
    // Every chunk twice, all at once: the first chunks race to make the content, and the last
    // ones to complete it.
    let sends = (0..5)
        .chain(0..5)
        .map(|n| put(app, token, id, n, chunk(&bytes, n)));
    for response in futures::future::join_all(sends).await {
        assert_eq!(response.status(), StatusCode::OK);
    }
    assert!(kept(upload(app, token, id).await).await.complete);
    let audit = audit_actions(app, &setup.admin).await;
    let received = audit
        .iter()
        .filter(|(action, records)| action == "attachment_received" && records == &[id])
        .count();
    assert_eq!(received, 1);
}

/// The one backup holds a case's files with it; after a restore, a file half sent before the
/// backup is half there, and its phone sends the rest from the chunk the server lacks.
#[tokio::test]
async fn a_backup_keeps_files_with_their_cases_and_a_restore_resumes_an_upload() {
    let folder = Folder::new(Backend::Sqlite).await;
    let app = crate::helpers::spawn_app_in(folder.clone()).await;
    let token = app.token.clone().unwrap();
    let whole = content(1000, 4);
    let (_, sent) = attach(&app, &token, None, &whole).await;
    kept(put(&app, &token, sent, 0, whole.clone()).await).await;
    let halves = content(CHUNK_BYTES as usize + 500, 5);
    let (_, half) = attach(&app, &token, None, &halves).await;
    kept(put(&app, &token, half, 0, chunk(&halves, 0)).await).await;

    let copy = folder.path().join("copy.db");
    sakhi_server::backup::backup(&folder.database_url(), &copy)
        .await
        .expect("a backup of the live database");
    assert!(
        kept(put(&app, &token, half, 1, chunk(&halves, 1)).await)
            .await
            .complete
    );
    app.stop().await;
    sakhi_server::backup::restore(&folder.database_url(), &copy, now())
        .await
        .expect("a restore of a stopped server");

    let app = crate::helpers::spawn_app_in(folder.clone()).await;
    let token = app.token.clone().unwrap();
    let response = read(&app, &token, sent, 0).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.bytes().await.unwrap().to_vec(), whole);
    let resumed = kept(upload(&app, &token, half).await).await;
    assert_eq!((resumed.missing(), resumed.complete), (Some(1), false));
    assert!(
        kept(put(&app, &token, half, 1, chunk(&halves, 1)).await)
            .await
            .complete
    );
}

on_each_backend!(two_instances_on_one_database_take_a_file_chunk_by_chunk_and_serve_it_alike);
async fn two_instances_on_one_database_take_a_file_chunk_by_chunk_and_serve_it_alike(
    backend: Backend,
) {
    let folder = Folder::new(backend).await;
    let first = crate::helpers::spawn_app_in(folder.clone()).await;
    let second = crate::helpers::spawn_app_in(folder).await;
    let token = first.token.clone().unwrap();
    let bytes = content(4 * CHUNK_BYTES as usize + 7, 11);
    let (_, id) = attach(&first, &token, None, &bytes).await;
    // Chunks through both at once, each twice, as a phone behind a load balancer might send them.
    let sends = (0..5).chain(0..5).map(|n| {
        let instance = if n % 2 == 0 { &first } else { &second };
        put(instance, &token, id, n, chunk(&bytes, n))
    });
    for response in futures::future::join_all(sends).await {
        assert_eq!(response.status(), StatusCode::OK);
    }
    for instance in [&first, &second] {
        assert!(kept(upload(instance, &token, id).await).await.complete);
        let mut read_back = Vec::new();
        for n in 0..5 {
            let response = read(instance, &token, id, n).await;
            assert_eq!(response.status(), StatusCode::OK);
            read_back.extend(response.bytes().await.unwrap());
        }
        assert_eq!(read_back, bytes);
    }
}
