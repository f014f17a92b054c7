//! Pushing changes: applied once, acknowledged every time, refused one by one, never a 5xx.

use crate::helpers::{Backend, is_accepted, now, rejection_code, spawn_app, unnumbered};
use reqwest::StatusCode;
use sakhi_domain::schema::NUMBER;
use sakhi_domain::wire::{
    Cursor, ErrorBody, MAX_PUSH_BYTES, MAX_PUSH_CHANGES, Outcome, PROTOCOL, PushResponse, Seen,
};
use sakhi_domain::{Clock, DeviceId, Epoch, Kind, Record, RecordId};
use serde_json::json;

fn a_device() -> Clock {
    Clock::new(DeviceId::new())
}

fn a_case() -> Record {
    Record::new(RecordId::new(), Kind::Case)
}

on_each_backend!(a_pushed_case_comes_back_in_a_pull_with_its_hindi_intact);
async fn a_pushed_case_comes_back_in_a_pull_with_its_hindi_intact(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut phone = a_device();
    let mut case = a_case();
    let changes = [
        case.edit(&mut phone, now(), "name", json!("सीता देवी")),
        case.edit(&mut phone, now(), "village", json!("रामपुर")),
        case.edit(&mut phone, now(), "violence", json!(["dowry_harassment"])),
    ];

    let answer = app.push(phone.device(), &changes).await;

    assert!(answer.results.iter().all(is_accepted));
    let page = app.pull(Cursor(0), 100).await;
    assert_eq!(page.epoch, answer.epoch);
    assert_eq!(unnumbered(page.records.clone()), [case.clone()]);
    assert_eq!(page.records[0].text("name"), Some("सीता देवी"));
    assert_eq!(page.cursor, Cursor(3));
    assert!(!page.more);
}

on_each_backend!(a_phone_that_had_seen_everything_is_told_it_is_caught_up_in_this_epoch_only);
async fn a_phone_that_had_seen_everything_is_told_it_is_caught_up_in_this_epoch_only(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let (mut phone, mut desk) = (a_device(), a_device());
    let mut case = a_case();
    let seen = |epoch, cursor| {
        Some(Seen {
            epoch,
            cursor: Cursor(cursor),
        })
    };
    // A new phone holds nothing of any epoch; but the server numbers the case it brings, which
    // the phone must pull to learn.
    let name = [case.edit(&mut phone, now(), "name", json!("Sita"))];
    let first = app.push_seen(phone.device(), seen(None, 0), &name).await;
    let this_life = Some(first.epoch);

    let age = [case.edit(&mut phone, now(), "age", json!(34))];
    let caught_up = app
        .push_seen(phone.device(), seen(this_life, 1), &age)
        .await;
    let village = [case.edit(&mut phone, now(), "village", json!("Rampur"))];
    let another_life = seen(Some(Epoch::new()), 2);
    let of_another_epoch = app.push_seen(phone.device(), another_life, &village).await;
    let no_life = app.push_seen(phone.device(), seen(None, 3), &village).await;
    let mut on_desk = app.pull(Cursor(0), 10).await.records.remove(0);
    let from_desk = [on_desk.edit(&mut desk, now(), "phone", json!("9876543210"))];
    let new_desk = app
        .push_seen(desk.device(), seen(None, 0), &from_desk)
        .await;
    let block = [case.edit(&mut phone, now(), "description", json!("Came back"))];
    let behind = app
        .push_seen(phone.device(), seen(this_life, 3), &block)
        .await;

    assert_eq!(first.caught_up, None);
    assert_eq!(caught_up.caught_up, Some(Cursor(2)));
    assert_eq!(of_another_epoch.caught_up, None);
    assert_eq!(
        no_life.caught_up, None,
        "a cursor means nothing without its epoch"
    );
    assert_eq!(
        new_desk.caught_up, None,
        "a new device has the case to pull"
    );
    assert_eq!(
        behind.caught_up, None,
        "the desk's change after 3 is not skipped"
    );
    assert!(behind.results.iter().all(is_accepted));
}

on_each_backend!(an_answer_lists_only_the_refused_changes_and_counts_the_rest);
async fn an_answer_lists_only_the_refused_changes_and_counts_the_rest(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut phone = a_device();
    let mut case = a_case();
    let changes = [
        case.edit(&mut phone, now(), "name", json!("Sita")),
        case.edit(&mut phone, now(), "age", json!(130)),
        case.edit(&mut phone, now(), "village", json!("Rampur")),
    ];

    let response = app
        .push_as(app.token.as_deref().unwrap(), phone.device(), &changes)
        .await;

    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["accepted"], json!(2));
    let refused = body["refused"].as_array().unwrap();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0]["change"], json!(changes[1].id));
    assert_eq!(refused[0]["code"], json!("out_of_range"));
    assert!(body.get("results").is_none());
    let answer: PushResponse = serde_json::from_value(body).unwrap();
    assert!(
        answer.outcomes(&[changes[0].id, changes[2].id]).is_none(),
        "it answers three"
    );
}

on_each_backend!(the_same_batch_pushed_twice_is_acknowledged_twice_and_applied_once);
async fn the_same_batch_pushed_twice_is_acknowledged_twice_and_applied_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut phone = a_device();
    let mut case = a_case();
    let changes = [
        case.edit(&mut phone, now(), "name", json!("Sita")),
        case.edit(&mut phone, now(), "age", json!(34)),
    ];

    let first = app.push(phone.device(), &changes).await;
    let after_first = app.pull(Cursor(0), 100).await;
    // The answer was lost on the way, say, and the phone sends its outbox again.
    let second = app.push(phone.device(), &changes).await;
    let after_second = app.pull(Cursor(0), 100).await;

    assert_eq!(first, second);
    assert!(second.results.iter().all(is_accepted));
    assert_eq!(
        after_first, after_second,
        "nothing changed, not even the sequence"
    );
    assert_eq!(after_second.cursor, Cursor(2));
    assert!(app.pull(Cursor(2), 100).await.records.is_empty());
}

on_each_backend!(the_same_change_id_with_other_content_is_refused);
async fn the_same_change_id_with_other_content_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut phone = a_device();
    let mut case = a_case();
    let change = case.edit(&mut phone, now(), "name", json!("Sita"));
    app.push(phone.device(), std::slice::from_ref(&change))
        .await;

    let mut forged = change.clone();
    forged.value = json!("Gita");
    let answer = app.push(phone.device(), &[forged]).await;

    assert_eq!(rejection_code(&answer.results[0]), Some("duplicate_id"));
    let records = app.pull_all().await;
    assert_eq!(records[&case.id].text("name"), Some("Sita"));
}

on_each_backend!(invalid_changes_are_refused_one_by_one_while_the_rest_of_the_batch_is_applied);
async fn invalid_changes_are_refused_one_by_one_while_the_rest_of_the_batch_is_applied(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let mut phone = a_device();
    let mut case = a_case();
    let mut scratch = case.clone();
    let name = case.edit(&mut phone, now(), "name", json!("सीता देवी"));
    let mut unknown_kind = scratch.edit(&mut phone, now(), "name", json!("x"));
    unknown_kind.kind = "meeting".to_owned();
    let unknown_field = scratch.edit(&mut phone, now(), "caste", json!("x"));
    let wrong_type = scratch.edit(&mut phone, now(), "age", json!("thirty"));
    let out_of_range = scratch.edit(&mut phone, now(), "age", json!(130));
    let village = case.edit(&mut phone, now(), "village", json!("रामपुर"));
    let batch = [
        name,
        unknown_kind,
        unknown_field,
        wrong_type,
        out_of_range,
        village,
    ];

    let answer = app.push(phone.device(), &batch).await;

    let codes: Vec<_> = answer.results.iter().map(rejection_code).collect();
    assert_eq!(
        codes,
        [
            None,
            Some("unknown_kind"),
            Some("unknown_field"),
            Some("wrong_type"),
            Some("out_of_range"),
            None
        ]
    );
    let records = app.pull_all().await;
    assert_eq!(
        records[&case.id].without(NUMBER),
        case,
        "only the valid changes were applied"
    );
    assert_eq!(app.pull(Cursor(0), 100).await.cursor, Cursor(2));
}

on_each_backend!(a_camp_is_kept_and_an_absurd_count_of_who_came_is_refused_with_its_reason);
async fn a_camp_is_kept_and_an_absurd_count_of_who_came_is_refused_with_its_reason(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let mut phone = a_device();
    let mut camp = Record::new(RecordId::new(), Kind::Camp);
    let mut scratch = camp.clone();
    let held = camp.edit(&mut phone, now(), "held_on", json!("2026-11-29"));
    let place = camp.edit(&mut phone, now(), "place", json!("रामपुर"));
    let women = camp.edit(&mut phone, now(), "women", json!(42));
    let negative = scratch.edit(&mut phone, now(), "girls", json!(-1));
    let absurd = scratch.edit(&mut phone, now(), "men", json!(250_000));

    let answer = app
        .push(phone.device(), &[held, place, women, negative, absurd])
        .await;

    let codes: Vec<_> = answer.results.iter().map(rejection_code).collect();
    assert_eq!(
        codes,
        [None, None, None, Some("out_of_range"), Some("out_of_range")]
    );
    let Outcome::Rejected { reason, .. } = &answer.results[4].outcome else {
        unreachable!("refused above");
    };
    assert_eq!(reason, "men must be between 0 and 10000");
    assert_eq!(
        app.pull_all().await[&camp.id],
        camp,
        "nothing of the refused counts"
    );
}

async fn assert_refused(response: reqwest::Response, status: StatusCode) -> String {
    assert_eq!(response.status(), status);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: ErrorBody = response.json().await.expect("an error body");
    assert!(!body.error.is_empty());
    body.error
}

on_each_backend!(a_body_that_is_not_json_or_not_a_push_is_a_400);
async fn a_body_that_is_not_json_or_not_a_push_is_a_400(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_refused(
        app.push_raw("this is not json").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_refused(app.push_raw("").await, StatusCode::BAD_REQUEST).await;
    assert_refused(app.push_raw("[1, 2]").await, StatusCode::BAD_REQUEST).await;
    let no_device = json!({"protocol": PROTOCOL, "changes": []}).to_string();
    let reason = assert_refused(app.push_raw(no_device).await, StatusCode::BAD_REQUEST).await;
    assert!(reason.contains("device"), "{reason}");
    let bad_change =
        json!({"protocol": PROTOCOL, "device": DeviceId::new(), "changes": [{"id": 1}]});
    assert_refused(
        app.push_raw(bad_change.to_string()).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
}

on_each_backend!(a_push_of_another_protocol_version_is_a_400_naming_the_version_spoken);
async fn a_push_of_another_protocol_version_is_a_400_naming_the_version_spoken(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut phone = a_device();
    let change = a_case().edit(&mut phone, now(), "name", json!("Sita"));
    let request = json!({"protocol": PROTOCOL + 1, "device": phone.device(), "changes": [change]});

    let reason = assert_refused(
        app.push_raw(request.to_string()).await,
        StatusCode::BAD_REQUEST,
    )
    .await;

    assert!(reason.contains(&format!("version {PROTOCOL}")), "{reason}");
    assert!(app.pull_all().await.is_empty());
}

on_each_backend!(a_body_over_the_size_limit_is_a_413);
async fn a_body_over_the_size_limit_is_a_413(backend: Backend) {
    let app = spawn_app(backend).await;
    let padding = "x".repeat(MAX_PUSH_BYTES);
    let body = format!(
        r#"{{"protocol":1,"device":"{}","changes":[],"padding":"{padding}"}}"#,
        DeviceId::new()
    );

    assert_refused(app.push_raw(body).await, StatusCode::PAYLOAD_TOO_LARGE).await;
}

on_each_backend!(a_push_of_too_many_changes_is_refused_with_the_limit);
async fn a_push_of_too_many_changes_is_refused_with_the_limit(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut phone = a_device();
    let mut case = a_case();
    let changes: Vec<_> = (0..=MAX_PUSH_CHANGES)
        .map(|i| case.edit(&mut phone, now(), "age", json!(i % 100)))
        .collect();
    let request = json!({"protocol": PROTOCOL, "device": phone.device(), "changes": changes});

    let reason = assert_refused(
        app.push_raw(request.to_string()).await,
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;

    assert!(reason.contains(&MAX_PUSH_CHANGES.to_string()), "{reason}");
    assert!(app.pull_all().await.is_empty());
}

on_each_backend!(an_empty_push_is_answered_with_no_results);
async fn an_empty_push_is_answered_with_no_results(backend: Backend) {
    let app = spawn_app(backend).await;
    let answer = app.push(DeviceId::new(), &[]).await;
    assert!(answer.results.is_empty());
}
