//! A case's history (`GET /api/v1/cases/{id}/history`): every change to the case and to its work
//! records, in commit order, each with the value it replaced and who sent it; paged exactly; for
//! the administrators and counsellors of its centre, and for no one else.

use crate::authorisation::{TwoCentres, two_centres};
use crate::helpers::{Backend, TestApp, now};
use reqwest::{Method, StatusCode};
use sakhi_domain::schema::CASE;
use sakhi_domain::wire::ErrorBody;
use sakhi_domain::wire::account::AuditPage;
use sakhi_domain::wire::history::CaseHistory;
use sakhi_domain::{Change, ChangeId, Clock, DeviceId, Kind, Record, RecordId};
use serde_json::json;

/// The history of `case` as the holder of `token` asks for it, with `query` (`after=…&limit=…`).
async fn ask(app: &TestApp, token: &str, case: &str, query: &str) -> reqwest::Response {
    let path = format!("/api/v1/cases/{case}/history?{query}");
    app.send(Method::GET, &path, Some(token), None).await
}

/// A page that must be answered.
async fn page(app: &TestApp, token: &str, case: RecordId, query: &str) -> CaseHistory {
    let response = ask(app, token, &case.to_string(), query).await;
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    response.json().await.expect("a page of history")
}

/// Every entry, following pages of `limit` to the end.
async fn every_page(app: &TestApp, token: &str, case: RecordId, limit: u32) -> Vec<ChangeId> {
    let mut seen = Vec::new();
    let mut query = format!("limit={limit}");
    loop {
        let history = page(app, token, case, &query).await;
        assert!(history.entries.len() <= limit as usize);
        seen.extend(history.entries.iter().map(|entry| entry.change));
        match history.next {
            Some(next) => query = format!("after={next}&limit={limit}"),
            None => return seen,
        }
    }
}

/// The status and error code of a refused request.
async fn refusal(response: reqwest::Response) -> (StatusCode, Option<String>) {
    let status = response.status();
    let body: ErrorBody = response.json().await.expect("an error body");
    (status, body.code)
}

fn pushed(response: reqwest::Response) {
    assert_eq!(response.status(), StatusCode::OK);
}

/// A new case and a service of it, written by the holder of `token` on `clock`'s device.
async fn a_case_with_a_service(
    setup: &TwoCentres,
    token: &str,
    clock: &mut Clock,
) -> (Record, Record, Vec<Change>) {
    let mut case = Record::new(RecordId::new(), Kind::Case);
    let mut service = Record::new(RecordId::new(), Kind::Service);
    let changes = vec![
        case.edit(clock, now(), "name", json!("Sita")),
        service.edit(clock, now(), CASE, json!(case.id.to_string())),
        service.edit(clock, now(), "service", json!("police")),
    ];
    pushed(setup.app.push_as(token, clock.device(), &changes).await);
    (case, service, changes)
}

on_each_backend!(edits_from_two_devices_appear_in_commit_order_with_what_they_replaced_and_who);
async fn edits_from_two_devices_appear_in_commit_order_with_what_they_replaced_and_who(
    backend: Backend,
) {
    let setup = two_centres(backend).await;
    let app = &setup.app;
    let (counsellor, counsellor_token) = &setup.counsellor;
    let admin = app.log_in("admin.dhr").await.account;
    let mut desk = Clock::new(DeviceId::new());
    let mut phone = Clock::new(DeviceId::new());
    let (mut case, mut service, mut sent) =
        a_case_with_a_service(&setup, counsellor_token, &mut desk).await;
    // Another case with a service of its own, in between: none of it is this case's history.
    a_case_with_a_service(&setup, counsellor_token, &mut desk).await;
    let on_phone = vec![
        case.edit(&mut phone, now(), "name", json!("Sita Devi")),
        service.edit(&mut phone, now(), "service_state", json!("given")),
        service.edit(&mut phone, now(), "service", json!("medical")),
    ];
    pushed(app.push_as(&setup.admin, phone.device(), &on_phone).await);
    sent.extend(on_phone);

    let history = page(app, &setup.admin, case.id, "").await;
    assert_eq!(history.next, None);
    let changes: Vec<ChangeId> = history.entries.iter().map(|e| e.change).collect();
    let expected: Vec<ChangeId> = sent.iter().map(|change| change.id).collect();
    assert_eq!(
        changes, expected,
        "every change of the case and its service, in order"
    );
    assert!(history.entries.windows(2).all(|w| w[0].seq < w[1].seq));
    let seen: Vec<_> = history
        .entries
        .iter()
        .map(|e| {
            (
                e.record,
                e.kind.as_str(),
                e.field.as_str(),
                e.value.clone(),
                e.before.clone(),
                e.by.as_deref(),
            )
        })
        .collect();
    let (desk_name, admin_name) = ("counsellor.dhr देवी", "सीता देवी");
    assert_eq!(
        seen,
        [
            (
                case.id,
                "case",
                "name",
                json!("Sita"),
                None,
                Some(desk_name)
            ),
            (
                service.id,
                "service",
                CASE,
                json!(case.id.to_string()),
                None,
                Some(desk_name)
            ),
            (
                service.id,
                "service",
                "service",
                json!("police"),
                None,
                Some(desk_name)
            ),
            (
                case.id,
                "case",
                "name",
                json!("Sita Devi"),
                Some(json!("Sita")),
                Some(admin_name)
            ),
            (
                service.id,
                "service",
                "service_state",
                json!("given"),
                None,
                Some(admin_name)
            ),
            (
                service.id,
                "service",
                "service",
                json!("medical"),
                Some(json!("police")),
                Some(admin_name)
            ),
        ]
    );
    for (entry, change) in history.entries.iter().zip(&sent) {
        let (device, account) = if change.stamp.device == desk.device() {
            (desk.device(), counsellor.id)
        } else {
            (phone.device(), admin.id)
        };
        assert_eq!(entry.device, device);
        assert_eq!(entry.account, Some(account));
        assert_eq!((entry.stamp, entry.base), (change.stamp, change.base));
        assert!(entry.received_at > 0);
    }

    // A counsellor reads the same; each page read is in the audit log, naming the records it
    // showed and none of their values.
    assert_eq!(page(app, counsellor_token, case.id, "").await, history);
    let audit: AuditPage = app
        .send(
            Method::GET,
            "/api/v1/audit?limit=500",
            Some(&setup.admin),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let reads: Vec<_> = audit
        .entries
        .iter()
        .filter(|entry| entry.action == "history")
        .collect();
    assert_eq!(reads.len(), 2);
    for read in reads {
        assert_eq!(read.outcome, "ok");
        assert_eq!(read.records, [case.id, service.id]);
        assert_eq!(read.detail.as_deref(), Some("after=0 entries=6"));
    }
    let text = serde_json::to_string(&audit).unwrap();
    for value in ["Sita", "police", "medical"] {
        assert!(!text.contains(value), "the audit log holds {value}");
    }
}

on_each_backend!(pages_of_a_small_limit_return_every_change_exactly_once_even_as_more_arrive);
async fn pages_of_a_small_limit_return_every_change_exactly_once_even_as_more_arrive(
    backend: Backend,
) {
    let setup = two_centres(backend).await;
    let app = &setup.app;
    let token = &setup.counsellor.1;
    let mut clock = Clock::new(DeviceId::new());
    let (mut case, mut service, mut sent) = a_case_with_a_service(&setup, token, &mut clock).await;
    let mut session = Record::new(RecordId::new(), Kind::Session);
    let more = vec![
        session.edit(&mut clock, now(), CASE, json!(case.id.to_string())),
        case.edit(&mut clock, now(), "age", json!(30)),
        session.edit(&mut clock, now(), "session_number", json!(1)),
        service.edit(&mut clock, now(), "place", json!("Dharwad")),
        case.edit(&mut clock, now(), "age", json!(31)),
    ];
    pushed(app.push_as(token, clock.device(), &more).await);
    sent.extend(more);
    let expected: Vec<ChangeId> = sent.iter().map(|change| change.id).collect();
    for limit in [1, 2, 3, 500] {
        assert_eq!(
            every_page(app, token, case.id, limit).await,
            expected,
            "limit {limit}"
        );
    }

    // Changes pushed between two pages come after the cursor, and are read once.
    let first = page(app, token, case.id, "limit=5").await;
    let later = vec![
        service.edit(&mut clock, now(), "notes", json!("seen again")),
        case.edit(&mut clock, now(), "age", json!(32)),
    ];
    pushed(app.push_as(token, clock.device(), &later).await);
    let mut read: Vec<ChangeId> = first.entries.iter().map(|e| e.change).collect();
    let mut after = first.next.expect("more after the first page");
    loop {
        let next = page(app, token, case.id, &format!("after={after}&limit=5")).await;
        read.extend(next.entries.iter().map(|e| e.change));
        match next.next {
            Some(next) => after = next,
            None => break,
        }
    }
    let all: Vec<ChangeId> = sent.iter().chain(&later).map(|c| c.id).collect();
    assert_eq!(read, all);
    // A cursor past the end is an empty last page.
    let end = page(app, token, case.id, "after=1000000").await;
    assert_eq!(end, CaseHistory::default());
}

on_each_backend!(another_centres_case_is_not_found_and_an_outreach_worker_is_forbidden);
async fn another_centres_case_is_not_found_and_an_outreach_worker_is_forbidden(backend: Backend) {
    let setup = two_centres(backend).await;
    let app = &setup.app;
    let mut clock = Clock::new(DeviceId::new());
    let (ours, service, _) = a_case_with_a_service(&setup, &setup.admin, &mut clock).await;
    let theirs_token = &setup.other_admin.token;
    let (theirs, _, _) = a_case_with_a_service(&setup, theirs_token, &mut clock).await;
    let not_found = (StatusCode::NOT_FOUND, Some("not_found".to_owned()));
    for (token, id) in [
        (theirs_token, ours.id),
        (&setup.admin, theirs.id),
        (&setup.counsellor.1, theirs.id),
        (&setup.admin, service.id),
        (&setup.admin, RecordId::new()),
    ] {
        let response = ask(app, token, &id.to_string(), "").await;
        assert_eq!(refusal(response).await, not_found, "{id}");
    }
    let forbidden = (StatusCode::FORBIDDEN, Some("forbidden".to_owned()));
    let outreach = &setup.outreach.1;
    for id in [ours.id, theirs.id] {
        let response = ask(app, outreach, &id.to_string(), "").await;
        assert_eq!(refusal(response).await, forbidden, "{id}");
    }
    // Her own case is the history view's too: it is for counsellors and administrators.
    let mut phone = Clock::new(DeviceId::new());
    let (own, _, _) = a_case_with_a_service(&setup, outreach, &mut phone).await;
    let response = ask(app, outreach, &own.id.to_string(), "").await;
    assert_eq!(refusal(response).await, forbidden);
    let response = app
        .send(
            Method::GET,
            &format!("/api/v1/cases/{}/history", ours.id),
            None,
            None,
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let audit: AuditPage = app
        .send(
            Method::GET,
            "/api/v1/audit?limit=500",
            Some(&setup.admin),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let refused = |outcome: &str| {
        audit
            .entries
            .iter()
            .filter(|e| e.action == "refused" && e.outcome == outcome)
            .count()
    };
    assert_eq!(refused("not_found"), 4, "DHR's reaches that found no case");
    assert_eq!(refused("forbidden"), 3, "the outreach worker's tries");
    assert!(audit.entries.iter().all(|e| e.action != "history"));
}

on_each_backend!(a_malformed_id_cursor_or_limit_is_a_400_with_the_reason);
async fn a_malformed_id_cursor_or_limit_is_a_400_with_the_reason(backend: Backend) {
    let setup = two_centres(backend).await;
    let app = &setup.app;
    let token = &setup.counsellor.1;
    let mut clock = Clock::new(DeviceId::new());
    let (case, _, _) = a_case_with_a_service(&setup, token, &mut clock).await;
    let case = case.id.to_string();
    for (id, query) in [
        ("not-a-case-id", ""),
        ("%FF%FE", ""),
        (case.as_str(), "after=abc"),
        (case.as_str(), "after=-1"),
        (case.as_str(), "after=1.5"),
        (case.as_str(), "after=99999999999999999999"),
        (case.as_str(), "limit=ten"),
        (case.as_str(), "limit=-3"),
        (case.as_str(), "limit=99999999999"),
    ] {
        let response = ask(app, token, id, query).await;
        let status = response.status();
        let body: ErrorBody = response.json().await.expect("an error body");
        assert_eq!(
            (status, body.code.as_deref()),
            (StatusCode::BAD_REQUEST, Some("bad_request")),
            "{id} {query}"
        );
        assert!(!body.error.is_empty());
    }
    // A limit out of bounds is held to them, as the other pages do.
    for (query, entries) in [("limit=0", 1), ("limit=100000", 3)] {
        assert_eq!(
            page(app, token, case.parse().unwrap(), query)
                .await
                .entries
                .len(),
            entries,
            "{query}"
        );
    }
}
