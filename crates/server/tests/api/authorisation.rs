//! Who may do what: every endpoint for every kind of caller, centres that cannot see each other,
//! and outreach workers who see only their own cases.

use crate::helpers::{
    Backend, Folder, TestApp, is_accepted, now, outcomes, settings, setup_body, spawn_app,
    spawn_with,
};
use reqwest::{Method, StatusCode};
use sakhi_domain::wire::account::{Account, AuditPage, Session};
use sakhi_domain::wire::{ErrorBody, PROTOCOL, PushResponse};
use sakhi_domain::{AccountId, Clock, DeviceId, Kind, Record, RecordId, Role};
use sakhi_server::api::ROUTES;
use serde_json::{Value, json};

/// A server with two centres: DHR (its administrator is the app's own token) and BLR.
pub struct TwoCentres {
    pub app: TestApp,
    pub admin: String,
    pub counsellor: (Account, String),
    pub outreach: (Account, String),
    pub other_admin: Session,
}

pub async fn two_centres(backend: Backend) -> TwoCentres {
    two_centres_with(spawn_app(backend).await).await
}

/// The same, on a server that takes the client's address from X-Forwarded-For, so that a test
/// making many failed logins can spread them over addresses.
pub async fn two_centres_behind_a_proxy(backend: Backend) -> TwoCentres {
    let folder = Folder::new(backend).await;
    let settings = sakhi_server::Settings {
        trust_forwarded_for: true,
        ..settings(&folder)
    };
    two_centres_with(spawn_with(settings, folder).await.ready().await).await
}

pub async fn two_centres_with(app: TestApp) -> TwoCentres {
    let admin = app.token.clone().unwrap();
    let counsellor = app
        .account(&admin, "counsellor.dhr", Role::Counsellor)
        .await;
    let outreach = app
        .account(&admin, "outreach.dhr", Role::OutreachWorker)
        .await;
    let printed = sakhi_server::add_centre_code(&sakhi_server::Settings {
        database_url: app.folder.database_url(),
        ..sakhi_server::Settings::default()
    })
    .await
    .unwrap();
    let code = printed.split("#code=").nth(1).unwrap().trim().to_owned();
    let response = app
        .send(
            Method::POST,
            "/api/v1/setup",
            None,
            Some(setup_body(&code, "BLR", "admin.blr")),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let other_admin: Session = response.json().await.unwrap();
    TwoCentres {
        app,
        admin,
        counsellor,
        outreach,
        other_admin,
    }
}

fn a_case_change(clock: &mut Clock, value: &str) -> (Record, sakhi_domain::Change) {
    let mut case = Record::new(RecordId::new(), Kind::Case);
    let change = case.edit(clock, now(), "name", json!(value));
    (case, change)
}

async fn code_of(response: reqwest::Response) -> (StatusCode, Option<String>) {
    let status = response.status();
    let body: Option<ErrorBody> = response.json().await.ok();
    (status, body.and_then(|b| b.code))
}

/// The request to make for a route, aimed at `target` for paths with an account id, and at
/// `case` for paths with a case's.
fn request_for(
    method: &str,
    path: &str,
    target: AccountId,
    case: RecordId,
) -> (Method, String, Option<Value>) {
    let id = if path.starts_with("/v1/cases/") {
        case.to_string()
    } else {
        target.to_string()
    };
    let mut path = format!("/api{}", path.replace("{id}", &id).replace("{n}", "0"));
    if path.ends_with("/reports/monthly") {
        path.push_str("?month=2026-01");
    }
    let body = match (method, path.as_str()) {
        ("POST", p) if p.ends_with("/setup") => {
            Some(setup_body("NOPE-NOPE-NOPE-NOPE", "ZZZ", "x.y.z"))
        }
        ("POST", p) if p.ends_with("/session") => Some(json!({
            "username": "nobody", "password": "wrong password", "device": DeviceId::new()})),
        ("POST", p) if p.ends_with("/accounts") => Some(json!({
            "username": format!("new.{}", &RecordId::new().to_string()[24..]),
            "display_name": "नई", "role": "counsellor", "password": "एक नया पासवर्ड"})),
        ("PATCH", p) if p.ends_with("/centre") => Some(json!({"lock_minutes": 5})),
        ("PATCH", _) => Some(json!({"display_name": "नया नाम"})),
        ("POST", p) if p.ends_with("/password") => Some(json!({"password": "एक नया पासवर्ड"})),
        ("POST", p) if p.ends_with("/exports") => Some(json!({"exports": [
            {"what": "cases", "personal": false, "rows": 3, "at": 1_764_000_000_000_u64}]})),
        ("POST", p) if p.ends_with("/push") => Some(json!({
            "protocol": PROTOCOL, "device": DeviceId::new(), "changes": []})),
        ("POST", p) if p.ends_with("/restate") => Some(json!({
            "protocol": PROTOCOL, "device": DeviceId::new(), "records": []})),
        _ => None,
    };
    (method.parse().unwrap(), path, body)
}

/// What each caller is answered on each route: (administrator, counsellor, outreach worker,
/// no token, garbage token), for a target account in the caller's centre.
fn expected(method: &str, path: &str) -> [u16; 5] {
    match (method, path) {
        ("GET", "/v1/health" | "/v1/openapi.json" | "/v1/setup") => [200; 5],
        ("POST", "/v1/setup") => [409; 5],
        ("POST", "/v1/session") => [401; 5],
        ("GET", "/v1/session" | "/v1/centre/staff")
        | ("GET", "/v1/sync/pull")
        | ("POST", "/v1/sync/push" | "/v1/sync/restate") => [200, 200, 200, 401, 401],
        ("DELETE", "/v1/session") | ("POST", "/v1/audit/exports") => [204, 204, 204, 401, 401],
        ("GET", "/v1/cases/{id}/history") => [200, 200, 403, 401, 401],
        ("GET", "/v1/accounts" | "/v1/audit" | "/v1/reports/monthly")
        | ("PATCH", "/v1/accounts/{id}" | "/v1/centre") => [200, 403, 403, 401, 401],
        ("POST", "/v1/accounts") => [201, 403, 403, 401, 401],
        ("POST", "/v1/accounts/{id}/password") => [204, 403, 403, 401, 401],
        // Aimed at an id that is no attachment: every role may send and read attachments (the
        // centre wall in `centres.rs` aims at real ones).
        ("GET", "/v1/attachments/{id}/upload" | "/v1/attachments/{id}/chunks/{n}") => {
            [404, 404, 404, 401, 401]
        }
        // A body not sent as application/octet-stream is refused before the id is looked at.
        ("PUT", "/v1/attachments/{id}/chunks/{n}") => [415, 415, 415, 401, 401],
        other => panic!("no expectation for {other:?}: add one"),
    }
}

on_each_backend!(every_route_answers_each_kind_of_caller_as_its_role_allows);
async fn every_route_answers_each_kind_of_caller_as_its_role_allows(backend: Backend) {
    let setup = two_centres_behind_a_proxy(backend).await;
    let app = &setup.app;
    let mut address = 0u32;
    // The account the account routes act on: no one logs in as it, so resetting its password
    // ends no session of the matrix.
    let (target, _) = app
        .account(&setup.admin, "target.dhr", Role::Counsellor)
        .await;
    // The case the case routes read.
    let mut desk = Clock::new(DeviceId::new());
    let (case, change) = a_case_change(&mut desk, "Sita");
    assert_eq!(
        app.push_as(&setup.admin, desk.device(), &[change])
            .await
            .status(),
        StatusCode::OK
    );
    // Fresh sessions for each call, since logging out ends one.
    for route in ROUTES {
        let expected = expected(route.method, route.path);
        let tokens: [Option<String>; 5] = [
            Some(app.log_in("admin.dhr").await.token),
            Some(app.log_in("counsellor.dhr").await.token),
            Some(app.log_in("outreach.dhr").await.token),
            None,
            Some("garbage".to_owned()),
        ];
        for (token, status) in tokens.iter().zip(expected) {
            let (method, path, body) = request_for(route.method, route.path, target.id, case.id);
            // Each from its own address, so that the failed logins and setups of the matrix are
            // not slowed down by the rate limit.
            address += 1;
            let mut request = app.client.request(method, app.url(&path)).header(
                "x-forwarded-for",
                format!("10.1.{}.{}", address / 256, address % 256),
            );
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            if let Some(body) = body {
                request = request.json(&body);
            }
            let response = request.send().await.unwrap();
            assert_eq!(
                response.status().as_u16(),
                status,
                "{} {} with {:?}",
                route.method,
                route.path,
                token.as_ref().map(|t| &t[..4])
            );
        }
    }
}

on_each_backend!(another_centres_accounts_do_not_exist_for_an_administrator);
async fn another_centres_accounts_do_not_exist_for_an_administrator(backend: Backend) {
    let setup = two_centres(backend).await;
    let app = &setup.app;
    let theirs = setup.other_admin.token.clone();
    let target = setup.counsellor.0.id;
    for (method, path, body) in [
        (
            Method::PATCH,
            format!("/api/v1/accounts/{target}"),
            json!({"disabled": true}),
        ),
        (
            Method::POST,
            format!("/api/v1/accounts/{target}/password"),
            json!({"password": "एक नया पासवर्ड"}),
        ),
        (
            Method::PATCH,
            format!("/api/v1/accounts/{}", AccountId::new()),
            json!({"disabled": true}),
        ),
    ] {
        let response = app.send(method, &path, Some(&theirs), Some(body)).await;
        assert_eq!(
            code_of(response).await,
            (StatusCode::NOT_FOUND, Some("not_found".into())),
            "{path}"
        );
    }
    let list: Value = app
        .send(Method::GET, "/api/v1/accounts", Some(&theirs), None)
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<_> = list["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["username"].clone())
        .collect();
    assert_eq!(names, [json!("admin.blr")]);
    // The counsellor still works.
    assert_eq!(app.log_in("counsellor.dhr").await.account.id, target);
}

on_each_backend!(an_administrator_cannot_disable_or_demote_herself_and_usernames_are_unique);
async fn an_administrator_cannot_disable_or_demote_herself_and_usernames_are_unique(
    backend: Backend,
) {
    let setup = two_centres(backend).await;
    let app = &setup.app;
    let me = app.log_in("admin.dhr").await;
    let path = format!("/api/v1/accounts/{}", me.account.id);
    for body in [json!({"disabled": true}), json!({"role": "counsellor"})] {
        let response = app
            .send(Method::PATCH, &path, Some(&me.token), Some(body))
            .await;
        assert_eq!(
            code_of(response).await,
            (StatusCode::CONFLICT, Some("cannot_change_self".into()))
        );
    }
    let taken = json!({"username": "Admin.BLR", "display_name": "x", "role": "counsellor",
                       "password": "एक नया पासवर्ड"});
    let response = app
        .send(
            Method::POST,
            "/api/v1/accounts",
            Some(&me.token),
            Some(taken),
        )
        .await;
    assert_eq!(
        code_of(response).await,
        (StatusCode::CONFLICT, Some("username_taken".into()))
    );
    let weak = json!({"username": "weak", "display_name": "x", "role": "counsellor", "password": "Password1"});
    let response = app
        .send(
            Method::POST,
            "/api/v1/accounts",
            Some(&me.token),
            Some(weak),
        )
        .await;
    assert_eq!(
        code_of(response).await,
        (StatusCode::BAD_REQUEST, Some("password_too_common".into()))
    );
}

on_each_backend!(a_push_touching_another_centres_record_is_refused_whole_and_pulls_never_cross);
async fn a_push_touching_another_centres_record_is_refused_whole_and_pulls_never_cross(
    backend: Backend,
) {
    let setup = two_centres(backend).await;
    let app = &setup.app;
    let theirs = setup.other_admin.token.clone();
    let mut phone = Clock::new(DeviceId::new());
    let (their_case, change) = a_case_change(&mut phone, "Gita");
    assert_eq!(
        app.push_as(&theirs, phone.device(), &[change])
            .await
            .status(),
        StatusCode::OK
    );

    // A DHR counsellor forges an edit of BLR's case, alongside an honest new case.
    let counsellor = &setup.counsellor.1;
    let (_, honest) = a_case_change(&mut phone, "Sita");
    let mut forged_case = their_case.clone();
    let forged = forged_case.edit(&mut phone, now(), "name", json!("Forged"));
    let response = app
        .push_as(counsellor, phone.device(), &[honest, forged])
        .await;
    assert_eq!(
        code_of(response).await,
        (StatusCode::NOT_FOUND, Some("not_found".into()))
    );

    assert!(
        app.pull_all_as(counsellor).await.is_empty(),
        "nothing applied"
    );
    let theirs_now = app.pull_all_as(&theirs).await;
    assert_eq!(theirs_now[&their_case.id].text("name"), Some("Gita"));
    assert_eq!(theirs_now.len(), 1);

    let audit: AuditPage = app
        .send(Method::GET, "/api/v1/audit", Some(&setup.admin), None)
        .await
        .json()
        .await
        .unwrap();
    let refused = audit
        .entries
        .iter()
        .find(|e| e.action == "refused")
        .expect("a refusal");
    assert_eq!(refused.outcome, "other_centre");
    assert_eq!(refused.records, [their_case.id]);
    assert_eq!(refused.account, Some(setup.counsellor.0.id));
}

on_each_backend!(an_outreach_worker_pulls_and_pushes_only_her_own_and_assigned_cases);
async fn an_outreach_worker_pulls_and_pushes_only_her_own_and_assigned_cases(backend: Backend) {
    let setup = two_centres(backend).await;
    let app = &setup.app;
    let (worker, worker_token) = &setup.outreach;
    let counsellor = &setup.counsellor.1;
    let mut desk = Clock::new(DeviceId::new());
    let (desk_case, change) = a_case_change(&mut desk, "At the desk");
    let mut assigned = Record::new(RecordId::new(), Kind::Case);
    let assign = assigned.edit(
        &mut desk,
        now(),
        "assigned_to",
        json!(worker.id.to_string()),
    );
    let sent = [change, assign];
    let answer: PushResponse = app
        .push_as(counsellor, desk.device(), &sent)
        .await
        .json()
        .await
        .unwrap();
    assert!(outcomes(&answer, &sent).iter().all(is_accepted));

    let mut phone = Clock::new(DeviceId::new());
    let (own, mine) = a_case_change(&mut phone, "At the camp");
    assert_eq!(
        app.push_as(worker_token, phone.device(), &[mine])
            .await
            .status(),
        StatusCode::OK
    );

    let seen: Vec<_> = app.pull_all_as(worker_token).await.into_keys().collect();
    let mut expected = vec![assigned.id, own.id];
    expected.sort();
    assert_eq!(seen, expected);
    assert_eq!(
        app.pull_all_as(counsellor).await.len(),
        3,
        "the counsellor sees the whole centre"
    );

    // Her edit of a case not hers is refused alone, with the reason; nothing of it is applied.
    let mut not_hers = desk_case.clone();
    let edit = not_hers.edit(&mut phone, now(), "age", json!(30));
    let sent = [edit];
    let answer: PushResponse = app
        .push_as(worker_token, phone.device(), &sent)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(answer.accepted, 0);
    assert_eq!(answer.refused[0].code, "out_of_scope");
    let desk_copy = &app.pull_all_as(counsellor).await[&desk_case.id];
    assert_eq!(desk_copy.value("age"), None);
    let edit = assigned.edit(&mut phone, now(), "age", json!(31));
    assert_eq!(
        app.push_as(worker_token, phone.device(), &[edit])
            .await
            .status(),
        StatusCode::OK
    );
}
