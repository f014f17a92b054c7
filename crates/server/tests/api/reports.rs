//! The monthly report from the server: counted in SQL, it says what the app's own count of the
//! same records says; bad months are refused with a reason.

use crate::helpers::{Backend, is_accepted, spawn_app};
use reqwest::StatusCode;
use sakhi_domain::figures::{INDIA_OFFSET_MILLIS, Month, MonthlyReport};
use sakhi_domain::schema::day_number;
use sakhi_domain::wire::ErrorBody;
use sakhi_domain::{Change, Clock, DeviceId, Kind, Record, RecordId};
use serde_json::{Value, json};

/// Noon in India on `(year, month, day)`, in milliseconds.
fn noon(date: (i32, u32, u32)) -> u64 {
    day_number(date) as u64 * 86_400_000 + 12 * 3_600_000 - INDIA_OFFSET_MILLIS
}

/// A centre's October, and a little of September, written by two phones.
struct Month10 {
    phone: Clock,
    desk: Clock,
    changes: Vec<Change>,
}

impl Month10 {
    fn record(&mut self, kind: Kind, made: (i32, u32, u32), fields: &[(&str, Value)]) -> Record {
        let at = noon(made);
        let mut record = Record::new(RecordId::made_at(at), kind);
        for (field, value) in fields {
            let change = record.edit(&mut self.phone, at, field, value.clone());
            self.changes.push(change);
        }
        record
    }
}

on_each_backend!(the_servers_monthly_report_counts_what_the_app_counts_from_the_same_records);
async fn the_servers_monthly_report_counts_what_the_app_counts_from_the_same_records(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let mut month = Month10 {
        phone: Clock::new(DeviceId::new()),
        desk: Clock::new(DeviceId::new()),
        changes: Vec::new(),
    };
    let oct = |day| (2026, 10, day);
    let mut asha = month.record(
        Kind::Case,
        oct(3),
        &[
            ("name", json!("आशा")),
            ("violence", json!(["domestic_violence", "dowry_harassment"])),
            ("source", json!("police")),
            ("status", json!("closed")),
            ("closure", json!("settlement")),
            ("closed_on", json!("2026-10-30")),
        ],
    );
    // Changed at the desk and, without seeing that, on a third phone a little earlier: two heads,
    // and the desk's later value counts.
    let mut third = Clock::new(DeviceId::new());
    let earlier = asha.clone().edit(
        &mut third,
        noon(oct(3)) + 6 * 3_600_000,
        "source",
        json!("through_someone"),
    );
    let later = asha.edit(
        &mut month.desk,
        noon(oct(4)),
        "source",
        json!("helpline_181"),
    );
    // Registered at 20:00 UTC on 31 October: 1 November already, in India.
    let late = day_number((2026, 10, 31)) as u64 * 86_400_000 + 20 * 3_600_000;
    let mut late_case = Record::new(RecordId::made_at(late), Kind::Case);
    let late_changes = [
        late_case.edit(&mut third, late, "name", json!("Late")),
        late_case.edit(&mut third, late, "violence", json!(["physical"])),
    ];
    let case = |record: &Record| json!(record.id.to_string());
    month.record(
        Kind::Case,
        oct(31),
        &[
            ("name", json!("Sita")),
            ("violence", json!(["physical"])),
            ("source", json!("awareness_camp")),
        ],
    );
    month.record(
        Kind::Case,
        oct(12),
        &[
            ("name", json!("Gone")),
            ("violence", json!(["physical"])),
            ("deleted", json!(true)),
        ],
    );
    let september = month.record(
        Kind::Case,
        (2026, 9, 30),
        &[("name", json!("Meena")), ("violence", json!(["economic"]))],
    );
    month.record(
        Kind::Service,
        oct(5),
        &[
            ("case", case(&asha)),
            ("service", json!("police")),
            ("service_state", json!("given")),
            ("service_on", json!("2026-10-05")),
        ],
    );
    month.record(
        Kind::Service,
        oct(6),
        &[
            ("case", case(&asha)),
            ("service", json!("shelter")),
            ("service_state", json!("given")),
            ("admitted_on", json!("2026-10-06")),
        ],
    );
    month.record(
        Kind::Service,
        oct(7),
        &[
            ("case", case(&asha)),
            ("service", json!("legal_aid")),
            ("service_state", json!("requested")),
        ],
    );
    // Given in September, written down in October.
    month.record(
        Kind::Service,
        oct(2),
        &[
            ("case", case(&september)),
            ("service", json!("medical")),
            ("service_state", json!("given")),
            ("service_on", json!("2026-09-29")),
        ],
    );
    for day in [8, 15] {
        month.record(
            Kind::Session,
            oct(day),
            &[
                ("case", case(&asha)),
                ("session_number", json!(1)),
                ("session_on", json!(format!("2026-10-{day:02}"))),
            ],
        );
    }
    // No date of its own: it counts from the day it was written.
    month.record(Kind::Session, oct(20), &[("case", case(&september))]);
    month.record(
        Kind::Camp,
        oct(18),
        &[
            ("held_on", json!("2026-10-18")),
            ("place", json!("रामपुर")),
            ("women", json!(40)),
            ("girls", json!(12)),
            ("boys", json!(3)),
        ],
    );
    month.record(
        Kind::Camp,
        oct(1),
        &[("held_on", json!("2026-09-28")), ("men", json!(9))],
    );
    let answer = app.push(month.phone.device(), &month.changes).await;
    assert!(
        answer.results.iter().all(is_accepted),
        "{:?}",
        answer.results
    );
    let answer = app.push(month.desk.device(), &[later]).await;
    assert!(
        answer.results.iter().all(is_accepted),
        "{:?}",
        answer.results
    );
    let mut third_changes = vec![earlier];
    third_changes.extend(late_changes);
    let answer = app.push(third.device(), &third_changes).await;
    assert!(
        answer.results.iter().all(is_accepted),
        "{:?}",
        answer.results
    );

    let october = Month::parse("2026-10").unwrap();
    let response = app.get("/api/v1/reports/monthly?month=2026-10").await;
    assert_eq!(response.status(), StatusCode::OK);
    let report: MonthlyReport = response.json().await.unwrap();

    // What the app counts from the records as pulled.
    let records: Vec<Record> = app.pull_all().await.into_values().collect();
    assert_eq!(report, MonthlyReport::of(october, &records));
    // And by hand.
    assert_eq!(report.cases_registered, 2);
    assert_eq!(report.by_violence["domestic_violence"], 1);
    assert_eq!(report.by_violence["physical"], 1);
    assert_eq!(report.by_violence["economic"], 0);
    assert_eq!(report.by_source["helpline_181"], 1);
    assert_eq!(report.by_source["police"], 0);
    assert_eq!(report.services_given["police"], 1);
    assert_eq!(report.services_given["shelter"], 1);
    assert_eq!(report.services_given["legal_aid"], 0);
    assert_eq!(report.services_given["medical"], 0);
    assert_eq!(report.sessions_held, 3);
    assert_eq!(report.closed_by_reason["settlement"], 1);
    assert_eq!(report.camps_held, 1);
    assert_eq!(report.attendance["women"], 40);
    assert_eq!(report.attendance["men"], 0);

    let september_report: MonthlyReport = app
        .get("/api/v1/reports/monthly?month=2026-09")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        september_report,
        MonthlyReport::of(Month::parse("2026-09").unwrap(), &records)
    );
    assert_eq!(september_report.cases_registered, 1);
    // The conflict is real: both heads are kept, and the report counts the winner.
    let asha_now = records.iter().find(|record| record.id == asha.id).unwrap();
    assert_eq!(asha_now.fields["source"].heads().len(), 2);
    let november: MonthlyReport = app
        .get("/api/v1/reports/monthly?month=2026-11")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        november,
        MonthlyReport::of(Month::parse("2026-11").unwrap(), &records)
    );
    assert_eq!(
        november.cases_registered, 1,
        "the case made late on 31 October"
    );
    assert_eq!(september_report.services_given["medical"], 1);
    assert_eq!(september_report.attendance["men"], 9);

    // A month with nothing in it is all zeros.
    let empty = Month::parse("2020-02").unwrap();
    let response = app.get("/api/v1/reports/monthly?month=2020-02").await;
    assert_eq!(response.status(), StatusCode::OK);
    let report: MonthlyReport = response.json().await.unwrap();
    assert_eq!(report, MonthlyReport::empty(empty));
}

on_each_backend!(a_malformed_missing_or_future_month_is_refused_with_the_reason);
async fn a_malformed_missing_or_future_month_is_refused_with_the_reason(backend: Backend) {
    let app = spawn_app(backend).await;
    for (query, says) in [
        ("?month=2026-13", "not a month"),
        ("?month=October", "not a month"),
        ("?month=2026-1", "not a month"),
        ("", "name the month"),
        ("?month=2100-12", "has not begun"),
    ] {
        let response = app.get(&format!("/api/v1/reports/monthly{query}")).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
        let body: ErrorBody = response.json().await.unwrap();
        assert!(body.error.contains(says), "{query}: {}", body.error);
        assert_eq!(body.code.as_deref(), Some("bad_request"));
    }
}
