//! What a phone with a wrong clock, or a person sending made-up requests, cannot do: win every
//! field from the future, erase a field, forge a case's number, file work under a case that is not
//! hers, or stick a phone with text PostgreSQL cannot store. Each on both backends, with the same
//! answer.

use crate::authorisation::two_centres;
use crate::helpers::{Backend, TestApp, is_accepted, now, outcomes, rejection_code, spawn_app};
use reqwest::StatusCode;
use sakhi_domain::schema::{CASE, NUMBER};
use sakhi_domain::wire::{Cursor, Outcome, PROTOCOL, PushResponse, RestateResponse};
use sakhi_domain::{Change, Clock, DeviceId, Hlc, Kind, Record, RecordId, Stamp};
use serde_json::{Value, json};

/// Ten years in milliseconds.
const TEN_YEARS: u64 = 10 * 365 * 86_400_000;

/// The server's clock, near enough.
fn wall_clock() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

async fn push_as(app: &TestApp, token: &str, device: DeviceId, changes: &[Change]) -> Vec<String> {
    let response = app.push_as(token, device, changes).await;
    assert_eq!(response.status(), StatusCode::OK);
    let answer: PushResponse = response.json().await.unwrap();
    outcomes(&answer, changes)
        .iter()
        .map(|result| rejection_code(result).unwrap_or("accepted").to_owned())
        .collect()
}

async fn restate_as(app: &TestApp, token: &str, records: &[Record]) -> Vec<String> {
    let response = app.restate_as(token, DeviceId::new(), records).await;
    assert_eq!(response.status(), StatusCode::OK);
    let answer: RestateResponse = response.json().await.unwrap();
    answer
        .results
        .into_iter()
        .map(|result| match result.outcome {
            Outcome::Accepted => "accepted".to_owned(),
            Outcome::Rejected { code, .. } => code,
        })
        .collect()
}

on_each_backend!(a_clock_years_ahead_wins_nothing_and_a_base_on_its_own_stamp_erases_nothing);
async fn a_clock_years_ahead_wins_nothing_and_a_base_on_its_own_stamp_erases_nothing(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let token = app.token.clone().unwrap();
    let mut honest = Clock::new(DeviceId::new());
    let mut case = Record::new(RecordId::new(), Kind::Case);
    let first = case.edit(&mut honest, now(), "name", json!("Sita"));
    assert_eq!(
        push_as(&app, &token, honest.device(), &[first]).await,
        ["accepted"]
    );

    // A phone whose date is ten years ahead, and one with the largest stamp there is.
    let mut ahead = Clock::new(DeviceId::new());
    let future = case
        .clone()
        .edit(&mut ahead, wall_clock() + TEN_YEARS, "name", json!("X"));
    let mut largest = case.clone().edit(&mut ahead, 0, "name", json!("Y"));
    largest.stamp.hlc = Hlc {
        millis: u64::MAX,
        counter: u32::MAX,
    };
    // Two edits of one stamp, the second made "on top of" the first: once the field's empty.
    let mut same = case.clone().edit(&mut ahead, 0, "village", json!("Rampur"));
    same.stamp.hlc = Hlc {
        millis: wall_clock(),
        counter: 7,
    };
    let mut on_itself = same.clone();
    on_itself.id = sakhi_domain::ChangeId::new();
    on_itself.value = json!("Sonpur");
    on_itself.base = Some(same.stamp);
    let codes = push_as(
        &app,
        &token,
        ahead.device(),
        &[future, largest, same, on_itself],
    )
    .await;
    assert_eq!(
        codes,
        ["clock_ahead", "clock_ahead", "accepted", "base_not_older"]
    );

    // An honest edit made now still counts, and nothing was erased.
    let later = case.edit(&mut honest, wall_clock(), "name", json!("Sita Devi"));
    assert_eq!(
        push_as(&app, &token, honest.device(), &[later]).await,
        ["accepted"]
    );
    let held = &app.pull(Cursor(0), 10).await.records[0];
    assert_eq!(held.text("name"), Some("Sita Devi"));
    assert_eq!(held.text("village"), Some("Rampur"));
}

on_each_backend!(no_phone_sets_a_cases_number_by_giving_the_case_back);
async fn no_phone_sets_a_cases_number_by_giving_the_case_back(backend: Backend) {
    let setup = two_centres(backend).await;
    let app = &setup.app;
    let (counsellor, outreach) = (&setup.counsellor.1, &setup.outreach.1);
    let mut phone = Clock::new(DeviceId::new());
    let mut theirs = Record::new(RecordId::new(), Kind::Case);
    let made = theirs.edit(&mut phone, now(), "name", json!("Sita"));
    assert_eq!(
        push_as(app, counsellor, phone.device(), &[made]).await,
        ["accepted"]
    );
    let mut hers = Record::new(RecordId::new(), Kind::Case);
    let made = hers.edit(&mut phone, now(), "name", json!("Gita"));
    assert_eq!(
        push_as(app, outreach, phone.device(), &[made]).await,
        ["accepted"]
    );
    let numbers = |records: &std::collections::BTreeMap<RecordId, Record>| {
        records
            .values()
            .map(|record| record.text(NUMBER).unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let before = numbers(&app.pull_all_as(counsellor).await);

    // Forged under the phone's own stamp, and under the server's.
    let mut forged = app.pull_all_as(counsellor).await[&theirs.id].clone();
    forged.edit(&mut phone, wall_clock(), NUMBER, json!("DHR-2026-0999"));
    let mut as_the_server = app.pull_all_as(outreach).await[&hers.id].clone();
    let number = as_the_server.fields.get_mut(NUMBER).unwrap();
    let mut version = number.winner().unwrap().clone();
    version.base = Some(version.stamp);
    version.stamp.hlc.millis += 1;
    version.value = json!("FAKE-NUMBER");
    number.insert(version);
    assert_eq!(restate_as(app, counsellor, &[forged]).await, ["accepted"]);
    assert_eq!(
        restate_as(app, outreach, &[as_the_server]).await,
        ["accepted"]
    );
    // A case the server never had, with a number "from before a restore" that was none.
    let mut new = Record::new(RecordId::new(), Kind::Case);
    new.edit(&mut phone, now(), "name", json!("Rani"));
    new.fields.insert(NUMBER.to_owned(), {
        let mut field = sakhi_domain::Field::default();
        field.insert(sakhi_domain::Version {
            value: json!("DHR-2026-5000"),
            stamp: Stamp {
                hlc: Hlc {
                    millis: now(),
                    counter: 0,
                },
                device: DeviceId::from_uuid(uuid::Uuid::nil()),
            },
            base: None,
        });
        field
    });
    assert_eq!(
        restate_as(app, counsellor, &[new.clone()]).await,
        ["accepted"]
    );

    let after = app.pull_all_as(counsellor).await;
    assert_eq!(
        numbers(&after)[..2],
        before[..],
        "numbers as the server gave them"
    );
    let given = after[&new.id].text(NUMBER).unwrap();
    assert!(!given.contains("5000"), "{given}");
    let next: u32 = given.rsplit('-').next().unwrap().parse().unwrap();
    assert_eq!(
        next, 3,
        "the next number follows the last one given: {given}"
    );
}

on_each_backend!(
    work_stays_with_its_case_when_given_back_and_is_filed_only_under_a_case_she_may_write
);
async fn work_stays_with_its_case_when_given_back_and_is_filed_only_under_a_case_she_may_write(
    backend: Backend,
) {
    let setup = two_centres(backend).await;
    let app = &setup.app;
    let (counsellor, outreach) = (&setup.counsellor.1, &setup.outreach.1);
    let mut phone = Clock::new(DeviceId::new());
    let mut first = Record::new(RecordId::new(), Kind::Case);
    let mut second = Record::new(RecordId::new(), Kind::Case);
    let mut service = Record::new(RecordId::new(), Kind::Service);
    let changes = [
        first.edit(&mut phone, now(), "name", json!("Sita")),
        second.edit(&mut phone, now(), "name", json!("Gita")),
        service.edit(&mut phone, now(), CASE, json!(first.id.to_string())),
    ];
    let codes = push_as(app, counsellor, phone.device(), &changes).await;
    assert_eq!(codes, ["accepted", "accepted", "accepted"]);

    // Moved to another case by giving it back.
    let mut moved = service.clone();
    moved.edit(&mut phone, now(), CASE, json!(second.id.to_string()));
    assert_eq!(restate_as(app, counsellor, &[moved]).await, ["case_fixed"]);
    let held = app.pull_all_as(counsellor).await;
    assert_eq!(held[&service.id].text(CASE), Some(&*first.id.to_string()));

    // An outreach worker files a service under the counsellor's case, by push and by restate.
    let mut worker = Clock::new(DeviceId::new());
    let mut hers = Record::new(RecordId::new(), Kind::Service);
    let attach = hers.edit(&mut worker, now(), CASE, json!(first.id.to_string()));
    let codes = push_as(app, outreach, worker.device(), &[attach]).await;
    assert_eq!(codes, ["unknown_case"]);
    assert_eq!(restate_as(app, outreach, &[hers]).await, ["unknown_case"]);
    // And the counsellor's case is not told to her by kind: a record not hers is refused first.
    let edit = Record::new(first.id, Kind::Note).edit(&mut worker, now(), "note", json!("x"));
    let codes = push_as(app, outreach, worker.device(), &[edit]).await;
    assert_eq!(codes, ["out_of_scope"]);
}

/// Texts with characters that PostgreSQL cannot store, or that no one types.
fn untypable() -> Vec<Value> {
    [
        "\u{0}",
        "Sita\u{0}",
        "a\u{1}b",
        "\u{1b}[31m",
        "x\u{7f}",
        "\u{85}",
    ]
    .into_iter()
    .map(Value::from)
    .collect()
}

on_each_backend!(text_no_one_types_is_refused_alike_on_both_backends_and_sticks_no_phone);
async fn text_no_one_types_is_refused_alike_on_both_backends_and_sticks_no_phone(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.token.clone().unwrap();
    let mut phone = Clock::new(DeviceId::new());
    for text in untypable() {
        let mut case = Record::new(RecordId::new(), Kind::Case);
        let changes = [
            case.edit(&mut phone, now(), "name", json!("Sita")),
            case.edit(&mut phone, now(), "assigned_to", text.clone()),
            case.edit(&mut phone, now(), "violence", json!(["physical", text])),
            case.edit(&mut phone, now(), "village", json!("रामपुर\nसदर")),
        ];
        let codes = push_as(&app, &token, phone.device(), &changes).await;
        assert_eq!(
            codes,
            [
                "accepted",
                "control_character",
                "control_character",
                "accepted"
            ]
        );
        // The same change sent again gets the same answer: the phone is not stuck.
        let again = push_as(&app, &token, phone.device(), &changes).await;
        assert_eq!(again, codes);
        assert_eq!(
            restate_as(&app, &token, &[case]).await,
            ["control_character"]
        );
    }
    // Every month of the centre still reports.
    let report = app.get("/api/v1/reports/monthly?month=2025-06").await;
    assert_eq!(report.status(), StatusCode::OK);
    // A raw body with a NUL in a field's name is refused per change, not with a 500.
    let mut case = Record::new(RecordId::new(), Kind::Case);
    let mut change = case.edit(&mut phone, now(), "name", json!("Sita"));
    change.field = "na\u{0}me".to_owned();
    let body = json!({"protocol": PROTOCOL, "device": phone.device(), "changes": [change]});
    let response = app.push_raw(body.to_string()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let answer: PushResponse = response.json().await.unwrap();
    assert!(!is_accepted(&outcomes(&answer, &[change])[0]));
}

on_each_backend!(a_case_made_on_a_phone_years_ahead_counts_in_the_month_the_server_received_it);
async fn a_case_made_on_a_phone_years_ahead_counts_in_the_month_the_server_received_it(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let token = app.token.clone().unwrap();
    // Its id made by the wrong clock; its edits made again from the server's time.
    let mut phone = Clock::new(DeviceId::new());
    let mut case = Record::new(RecordId::made_at(wall_clock() + TEN_YEARS), Kind::Case);
    let made = case.edit(&mut phone, wall_clock(), "name", json!("Sita"));
    assert_eq!(
        push_as(&app, &token, phone.device(), &[made]).await,
        ["accepted"]
    );

    let month = sakhi_domain::figures::india_day(wall_clock());
    let report: Value = app
        .get(&format!("/api/v1/reports/monthly?month={}", &month[..7]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["cases_registered"], 1, "{report}");
}
