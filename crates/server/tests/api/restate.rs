//! Restating: after a restore, phones give back every record they hold, and the server merges
//! each, so that what the restored database lost returns; what it still holds changes nothing.

use crate::helpers::{Backend, TestApp, now, spawn_app, unnumbered};
use reqwest::StatusCode;
use sakhi_domain::schema::NUMBER;
use sakhi_domain::wire::account::AuditPage;
use sakhi_domain::wire::{Cursor, ErrorBody, MAX_RESTATE_RECORDS, Outcome, PROTOCOL};
use sakhi_domain::{Clock, DeviceId, Kind, Record, RecordId};
use serde_json::json;

fn a_case() -> Record {
    Record::new(RecordId::new(), Kind::Case)
}

/// The newest audit row's action and detail, leaving out pulls.
async fn last_audit(app: &TestApp) -> (String, Option<String>) {
    let page: AuditPage = app
        .get("/api/v1/audit?limit=20")
        .await
        .json()
        .await
        .unwrap();
    let entry = page
        .entries
        .iter()
        .find(|entry| entry.action != "pull")
        .expect("a row besides pulls");
    (entry.action.clone(), entry.detail.clone())
}

on_each_backend!(a_record_the_server_lost_is_taken_back_whole_and_others_pull_it);
async fn a_record_the_server_lost_is_taken_back_whole_and_others_pull_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut phone = Clock::new(DeviceId::new());
    let mut case = a_case();
    case.edit(&mut phone, now(), "name", json!("सीता देवी"));
    case.edit(&mut phone, now(), "village", json!("रामपुर"));

    let answer = app
        .restate(phone.device(), std::slice::from_ref(&case))
        .await;

    assert_eq!(answer.results[0].outcome, Outcome::Accepted);
    let page = app.pull(Cursor(0), 10).await;
    assert_eq!(page.epoch, answer.epoch);
    // Taken back whole, and numbered, as it would have been at its first push.
    assert_eq!(unnumbered(page.records.clone()), [case]);
    assert!(page.records[0].text(NUMBER).is_some());
    assert_eq!(
        page.cursor,
        Cursor(1),
        "one sequence number for the whole record"
    );
    assert_eq!(
        last_audit(&app).await,
        (
            "restate".to_owned(),
            Some("merged=1 held=0 rejected=0".to_owned())
        )
    );
}

on_each_backend!(a_record_given_back_as_the_server_holds_it_changes_nothing_not_even_the_sequence);
async fn a_record_given_back_as_the_server_holds_it_changes_nothing_not_even_the_sequence(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let mut phone = Clock::new(DeviceId::new());
    let mut case = a_case();
    let changes = [
        case.edit(&mut phone, now(), "name", json!("Sita")),
        case.edit(&mut phone, now(), "age", json!(34)),
    ];
    app.push(phone.device(), &changes).await;
    let before = app.pull(Cursor(0), 10).await;

    let answer = app.restate(phone.device(), &before.records).await;

    assert_eq!(answer.results[0].outcome, Outcome::Accepted);
    assert_eq!(app.pull(Cursor(0), 10).await, before);
    assert_eq!(
        last_audit(&app).await.1.as_deref(),
        Some("merged=0 held=1 rejected=0")
    );
}

on_each_backend!(a_record_given_back_merges_with_the_servers_keeping_both_edits_and_the_conflict);
async fn a_record_given_back_merges_with_the_servers_keeping_both_edits_and_the_conflict(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let (mut phone, mut desk) = (Clock::new(DeviceId::new()), Clock::new(DeviceId::new()));
    let mut case = a_case();
    let first = case.edit(&mut phone, now(), "village", json!("Rampur"));
    app.push(phone.device(), &[first]).await;
    let mut on_desk = case.clone();
    let from_desk = on_desk.edit(&mut desk, now(), "village", json!("रामपुर"));
    app.push(desk.device(), &[from_desk]).await;
    // What the phone typed meanwhile, acknowledged by the server that was then restored.
    case.edit(&mut phone, now(), "village", json!("Rampura"));
    case.edit(&mut phone, now(), "age", json!(40));

    let answer = app
        .restate(phone.device(), std::slice::from_ref(&case))
        .await;

    assert_eq!(answer.results[0].outcome, Outcome::Accepted);
    let page = app.pull(Cursor(0), 10).await;
    let mut expected = on_desk;
    expected.merge(&case);
    assert_eq!(unnumbered(page.records), [expected.clone()]);
    assert_eq!(page.cursor, Cursor(3));
    assert_eq!(
        expected.conflicted_fields().collect::<Vec<_>>(),
        ["village"]
    );
}

on_each_backend!(a_record_holding_a_value_the_schema_refuses_is_refused_alone);
async fn a_record_holding_a_value_the_schema_refuses_is_refused_alone(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut phone = Clock::new(DeviceId::new());
    let (mut bad, mut good) = (a_case(), a_case());
    bad.edit(&mut phone, now(), "age", json!(130));
    good.edit(&mut phone, now(), "age", json!(30));

    let answer = app
        .restate(phone.device(), &[bad.clone(), good.clone()])
        .await;

    assert!(matches!(
        &answer.results[0].outcome,
        Outcome::Rejected { code, .. } if code == "out_of_range"
    ));
    assert_eq!(answer.results[1].outcome, Outcome::Accepted);
    assert_eq!(unnumbered(app.pull(Cursor(0), 10).await.records), [good]);
}

on_each_backend!(a_restatement_of_another_protocol_or_of_too_many_records_is_refused_and_audited);
async fn a_restatement_of_another_protocol_or_of_too_many_records_is_refused_and_audited(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let token = app.token.clone().unwrap();
    let device = DeviceId::new();
    let other_protocol = app
        .send(
            reqwest::Method::POST,
            "/api/v1/sync/restate",
            Some(&token),
            Some(json!({"protocol": PROTOCOL + 1, "device": device, "records": []})),
        )
        .await;
    assert_eq!(other_protocol.status(), StatusCode::BAD_REQUEST);
    let error: ErrorBody = other_protocol.json().await.unwrap();
    let other = format!("version {}", PROTOCOL + 1);
    assert!(error.error.contains(&other), "{}", error.error);

    let many: Vec<Record> = (0..=MAX_RESTATE_RECORDS).map(|_| a_case()).collect();
    let too_many = app.restate_as(&token, device, &many).await;
    assert_eq!(too_many.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(last_audit(&app).await.0, "refused");
    assert!(app.pull(Cursor(0), 10).await.records.is_empty());
}
