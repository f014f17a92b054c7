//! The audit log: a row for each kind of event, newest first, paged, and never a record's content.

use crate::authorisation::two_centres;
use crate::database::Database;
use crate::helpers::{ADMIN, Backend, now};
use reqwest::{Method, StatusCode};
use sakhi_domain::ids::ExportId;
use sakhi_domain::wire::account::AuditPage;
use sakhi_domain::{Clock, DeviceId, Kind, Record, RecordId, Role};
use serde_json::json;

const CANARY: &str = "CANARY-सीता-7f3a9";

on_each_backend!(every_kind_of_event_is_audited_without_any_field_value);
async fn every_kind_of_event_is_audited_without_any_field_value(backend: Backend) {
    let setup = two_centres(backend).await;
    let app = &setup.app;
    let admin = &setup.admin;
    let (worker, token) = &setup.counsellor;
    let mut phone = Clock::new(DeviceId::new());
    let mut case = Record::new(RecordId::new(), Kind::Case);
    let changes = [
        case.edit(&mut phone, now(), "name", json!(CANARY)),
        case.edit(&mut phone, now(), "description", json!(CANARY)),
    ];
    assert_eq!(
        app.push_as(token, phone.device(), &changes).await.status(),
        StatusCode::OK
    );
    assert_eq!(app.pull_all_as(token).await.len(), 1);
    assert_eq!(
        app.try_log_in(ADMIN, "wrong password 9").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let path = format!("/api/v1/accounts/{}", worker.id);
    app.send(
        Method::PATCH,
        &path,
        Some(admin),
        Some(json!({"role": "outreach_worker"})),
    )
    .await;
    app.send(
        Method::POST,
        &format!("{path}/password"),
        Some(admin),
        Some(json!({"password": "एक नया पासवर्ड"})),
    )
    .await;
    let (_, outreach_token) = &setup.outreach;
    assert_eq!(
        app.send(Method::GET, "/api/v1/audit", Some(outreach_token), None)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    app.send(
        Method::DELETE,
        "/api/v1/session",
        Some(outreach_token),
        None,
    )
    .await;

    let page: AuditPage = app
        .send(Method::GET, "/api/v1/audit?limit=500", Some(admin), None)
        .await
        .json()
        .await
        .unwrap();
    let actions: Vec<(&str, &str)> = page
        .entries
        .iter()
        .map(|e| (e.action.as_str(), e.outcome.as_str()))
        .collect();
    for expected in [
        ("setup", "ok"),
        ("login", "ok"),
        ("login", "bad_login"),
        ("logout", "ok"),
        ("push", "ok"),
        ("pull", "ok"),
        ("account_create", "ok"),
        ("account_update", "ok"),
        ("password_reset", "ok"),
        ("refused", "forbidden"),
    ] {
        assert!(actions.contains(&expected), "{expected:?} in {actions:?}");
    }
    let push = page.entries.iter().find(|e| e.action == "push").unwrap();
    assert_eq!(push.records, [case.id]);
    assert_eq!(push.detail.as_deref(), Some("accepted=2 rejected=0"));
    assert_eq!(push.account, Some(worker.id));
    let pull = page.entries.iter().find(|e| e.action == "pull").unwrap();
    assert_eq!(pull.records, [case.id]);
    let failed = page
        .entries
        .iter()
        .find(|e| e.outcome == "bad_login")
        .unwrap();
    assert_eq!(failed.username.as_deref(), Some(ADMIN));
    assert_eq!(failed.address.as_deref(), Some("127.0.0.1"));
    assert!(
        page.entries.windows(2).all(|w| w[0].id > w[1].id),
        "newest first"
    );
    // The other centre's events are not this centre's.
    assert!(
        page.entries
            .iter()
            .all(|e| e.centre == Some(worker.centre.id))
    );

    // Never a value, in the API or the table itself.
    let text = serde_json::to_string(&page).unwrap();
    assert!(!text.contains(CANARY));
    let rows = Database::open(&app.folder.database_url())
        .await
        .texts("SELECT outcome || ' ' || records || ' ' || coalesce(detail, '') FROM audit")
        .await;
    assert!(!format!("{rows:?}").contains("CANARY"));

    // Paging.
    let first: AuditPage = app
        .send(Method::GET, "/api/v1/audit?limit=2", Some(admin), None)
        .await
        .json()
        .await
        .unwrap();
    assert!(first.more);
    let next: AuditPage = app
        .send(
            Method::GET,
            &format!("/api/v1/audit?limit=2&before={}", first.entries[1].id),
            Some(admin),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(next.entries[0].id, page.entries[2].id);
    let _ = Role::Counsellor;
}

on_each_backend!(exports_made_on_phones_are_logged_and_personal_ones_by_others_stand_out);
async fn exports_made_on_phones_are_logged_and_personal_ones_by_others_stand_out(backend: Backend) {
    let setup = two_centres(backend).await;
    let app = &setup.app;
    let admin = &setup.admin;
    let (_, counsellor) = &setup.counsellor;
    let export = |what: &str, personal: bool, rows: u64| json!({"what": what, "personal": personal, "rows": rows, "at": 1_764_000_000_000_u64});
    let sent = app
        .send(
            Method::POST,
            "/api/v1/audit/exports",
            Some(admin),
            Some(json!({"exports": [export("cases", true, 12), export("camps", false, 3)]})),
        )
        .await;
    assert_eq!(sent.status(), StatusCode::NO_CONTENT);
    let sent = app
        .send(
            Method::POST,
            "/api/v1/audit/exports",
            Some(counsellor),
            Some(json!({"exports": [export("cases", false, 7), export("cases", true, 7)]})),
        )
        .await;
    assert_eq!(sent.status(), StatusCode::NO_CONTENT);
    // Something Sakhi does not export: refused, and nothing of the request is logged.
    let refused = app
        .send(
            Method::POST,
            "/api/v1/audit/exports",
            Some(counsellor),
            Some(json!({"exports": [export("cases", false, 1), export("passwords", false, 1)]})),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);

    let page: AuditPage = app
        .send(Method::GET, "/api/v1/audit", Some(admin), None)
        .await
        .json()
        .await
        .unwrap();
    let exports: Vec<(&str, &str)> = page
        .entries
        .iter()
        .filter(|entry| entry.action.starts_with("export_"))
        .map(|entry| (entry.action.as_str(), entry.outcome.as_str()))
        .collect();
    assert_eq!(
        exports,
        [
            ("export_cases", "not_allowed"),
            ("export_cases", "without_personal"),
            ("export_camps", "without_personal"),
            ("export_cases", "with_personal"),
        ],
        "newest first, and nothing of the refused request"
    );
    let by_counsellor = page
        .entries
        .iter()
        .filter(|entry| entry.outcome == "not_allowed")
        .all(|entry| entry.account == Some(setup.counsellor.0.id));
    assert!(by_counsellor);
    let logged = page
        .entries
        .iter()
        .find(|entry| entry.action == "export_camps")
        .unwrap();
    assert_eq!(
        logged.detail.as_deref(),
        Some("rows=3 made_at=1764000000000")
    );
}

on_each_backend!(an_export_notice_sent_again_is_acknowledged_without_a_second_row);
async fn an_export_notice_sent_again_is_acknowledged_without_a_second_row(backend: Backend) {
    let setup = two_centres(backend).await;
    let app = &setup.app;
    let (_, counsellor) = &setup.counsellor;
    let notice = |id: &str, rows: u64| {
        json!({"id": id, "what": "cases", "personal": false, "rows": rows,
               "at": 1_764_000_000_000_u64})
    };
    let first = ExportId::new().to_string();
    let second = ExportId::new().to_string();
    let batch = json!({"exports": [notice(&first, 4), notice(&second, 5)]});
    // The answer is lost, and the phone sends the same notices again, one of them twice over.
    let again = json!({"exports": [notice(&first, 4), notice(&second, 5), notice(&second, 5)]});
    for body in [batch.clone(), again, batch] {
        let sent = app
            .send(
                Method::POST,
                "/api/v1/audit/exports",
                Some(counsellor),
                Some(body),
            )
            .await;
        assert_eq!(sent.status(), StatusCode::NO_CONTENT);
    }
    let details = Database::open(&app.folder.database_url())
        .await
        .texts("SELECT detail FROM audit WHERE action = 'export_cases' ORDER BY id")
        .await;
    assert_eq!(
        details,
        [
            "rows=4 made_at=1764000000000",
            "rows=5 made_at=1764000000000"
        ]
    );
}
