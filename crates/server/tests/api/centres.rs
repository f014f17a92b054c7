//! The centre wall, as one table: every route that names a centre's account or record, for each
//! role, aimed at the caller's own centre and at another. Another centre's accounts and records
//! do not exist for anyone: no answer names them or carries their data.

use crate::authorisation::{TwoCentres, two_centres};
use crate::helpers::{Backend, now};
use reqwest::{Method, StatusCode};
use sakhi_domain::wire::paths;
use sakhi_domain::wire::{
    ErrorBody, Outcome, PROTOCOL, PushResponse, RecordResult, RestateResponse,
};
use sakhi_domain::{
    AccountId, CentreId, Clock, DeviceId, Kind, LockMinutes, Record, RecordId, Role,
};
use sakhi_server::api::ROUTES;
use serde_json::json;
use sha2::Digest;

/// Which centre the target of a request belongs to, seen from the caller (always of DHR).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Centre {
    Own,
    Other,
}

/// What the caller is answered.
#[derive(Clone, Copy, Debug)]
enum Answer {
    /// Done, with this success status.
    Done(u16),
    /// 200, and the answer (a list, or the centre) shows the target.
    Shows,
    /// 200, and the answer leaves the target out.
    LeavesOut,
    /// 403 `forbidden`: the role may not use the route, whoever the target is.
    Forbidden,
    /// 404 `not_found`: as if the target did not exist.
    NotFound,
    /// 200, and the answer refuses the target alone, `out_of_scope`, naming only what was sent.
    Refused,
}

use Answer::{Done, Forbidden, LeavesOut, NotFound, Refused, Shows};
use Centre::{Other, Own};
use Role::{Administrator as Admin, Counsellor, OutreachWorker as Outreach};

/// The policy. The target is an account for the account routes, a case for push, pull and a
/// case's history, an attachment of the case (received whole) for the attachment routes, the centre's entries for the audit log, and the centre itself for its settings
/// (whose path names no centre: another is aimed at by slipping its id into the body). The own
/// case was made by a counsellor and is not assigned to the outreach worker, so it is out of her
/// reach too: a push or a restatement touching it refuses it alone (it may have been assigned
/// away from her while she was offline), and the rest of her work goes through. A case's history
/// is for counsellors and administrators: an outreach worker is refused it whoever's the case.
// Columns, one row per line, so that the whole policy reads as a table.
#[rustfmt::skip]
const POLICY: &[(&str, Role, Centre, Answer)] = &[
    // route                              caller      centre  answer
    ("GET /v1/accounts",                  Admin,      Own,    Shows),
    ("GET /v1/accounts",                  Admin,      Other,  LeavesOut),
    ("GET /v1/accounts",                  Counsellor, Own,    Forbidden),
    ("GET /v1/accounts",                  Counsellor, Other,  Forbidden),
    ("GET /v1/accounts",                  Outreach,   Own,    Forbidden),
    ("GET /v1/accounts",                  Outreach,   Other,  Forbidden),
    ("PATCH /v1/accounts/{id}",           Admin,      Own,    Done(200)),
    ("PATCH /v1/accounts/{id}",           Admin,      Other,  NotFound),
    ("PATCH /v1/accounts/{id}",           Counsellor, Own,    Forbidden),
    ("PATCH /v1/accounts/{id}",           Counsellor, Other,  Forbidden),
    ("PATCH /v1/accounts/{id}",           Outreach,   Own,    Forbidden),
    ("PATCH /v1/accounts/{id}",           Outreach,   Other,  Forbidden),
    ("POST /v1/accounts/{id}/password",   Admin,      Own,    Done(204)),
    ("POST /v1/accounts/{id}/password",   Admin,      Other,  NotFound),
    ("POST /v1/accounts/{id}/password",   Counsellor, Own,    Forbidden),
    ("POST /v1/accounts/{id}/password",   Counsellor, Other,  Forbidden),
    ("POST /v1/accounts/{id}/password",   Outreach,   Own,    Forbidden),
    ("POST /v1/accounts/{id}/password",   Outreach,   Other,  Forbidden),
    ("PATCH /v1/centre",                  Admin,      Own,    Shows),
    ("PATCH /v1/centre",                  Admin,      Other,  LeavesOut),
    ("PATCH /v1/centre",                  Counsellor, Own,    Forbidden),
    ("PATCH /v1/centre",                  Counsellor, Other,  Forbidden),
    ("PATCH /v1/centre",                  Outreach,   Own,    Forbidden),
    ("PATCH /v1/centre",                  Outreach,   Other,  Forbidden),
    ("GET /v1/centre/staff",              Admin,      Own,    Shows),
    ("GET /v1/centre/staff",              Admin,      Other,  LeavesOut),
    ("GET /v1/centre/staff",              Counsellor, Own,    Shows),
    ("GET /v1/centre/staff",              Counsellor, Other,  LeavesOut),
    ("GET /v1/centre/staff",              Outreach,   Own,    Shows),
    ("GET /v1/centre/staff",              Outreach,   Other,  LeavesOut),
    ("GET /v1/reports/monthly",           Admin,      Own,    Shows),
    ("GET /v1/reports/monthly",           Admin,      Other,  LeavesOut),
    ("GET /v1/reports/monthly",           Counsellor, Own,    Forbidden),
    ("GET /v1/reports/monthly",           Counsellor, Other,  Forbidden),
    ("GET /v1/reports/monthly",           Outreach,   Own,    Forbidden),
    ("GET /v1/reports/monthly",           Outreach,   Other,  Forbidden),
    ("GET /v1/audit",                     Admin,      Own,    Shows),
    ("GET /v1/audit",                     Admin,      Other,  LeavesOut),
    ("GET /v1/audit",                     Counsellor, Own,    Forbidden),
    ("GET /v1/audit",                     Counsellor, Other,  Forbidden),
    ("GET /v1/audit",                     Outreach,   Own,    Forbidden),
    ("GET /v1/audit",                     Outreach,   Other,  Forbidden),
    ("POST /v1/sync/push",                Admin,      Own,    Done(200)),
    ("POST /v1/sync/push",                Admin,      Other,  NotFound),
    ("POST /v1/sync/push",                Counsellor, Own,    Done(200)),
    ("POST /v1/sync/push",                Counsellor, Other,  NotFound),
    ("POST /v1/sync/push",                Outreach,   Own,    Refused),
    ("POST /v1/sync/push",                Outreach,   Other,  NotFound),
    ("POST /v1/sync/restate",             Admin,      Own,    Done(200)),
    ("POST /v1/sync/restate",             Admin,      Other,  NotFound),
    ("POST /v1/sync/restate",             Counsellor, Own,    Done(200)),
    ("POST /v1/sync/restate",             Counsellor, Other,  NotFound),
    ("POST /v1/sync/restate",             Outreach,   Own,    Refused),
    ("POST /v1/sync/restate",             Outreach,   Other,  NotFound),
    ("GET /v1/sync/pull",                 Admin,      Own,    Shows),
    ("GET /v1/sync/pull",                 Admin,      Other,  LeavesOut),
    ("GET /v1/sync/pull",                 Counsellor, Own,    Shows),
    ("GET /v1/sync/pull",                 Counsellor, Other,  LeavesOut),
    ("GET /v1/sync/pull",                 Outreach,   Own,    LeavesOut),
    ("GET /v1/sync/pull",                 Outreach,   Other,  LeavesOut),
    ("GET /v1/cases/{id}/history",        Admin,      Own,    Shows),
    ("GET /v1/cases/{id}/history",        Admin,      Other,  NotFound),
    ("GET /v1/cases/{id}/history",        Counsellor, Own,    Shows),
    ("GET /v1/cases/{id}/history",        Counsellor, Other,  NotFound),
    ("GET /v1/cases/{id}/history",        Outreach,   Own,    Forbidden),
    ("GET /v1/cases/{id}/history",        Outreach,   Other,  Forbidden),
    ("GET /v1/attachments/{id}/upload",   Admin,      Own,    Done(200)),
    ("GET /v1/attachments/{id}/upload",   Admin,      Other,  NotFound),
    ("GET /v1/attachments/{id}/upload",   Counsellor, Own,    Done(200)),
    ("GET /v1/attachments/{id}/upload",   Counsellor, Other,  NotFound),
    ("GET /v1/attachments/{id}/upload",   Outreach,   Own,    NotFound),
    ("GET /v1/attachments/{id}/upload",   Outreach,   Other,  NotFound),
    ("PUT /v1/attachments/{id}/chunks/{n}", Admin,    Own,    Done(200)),
    ("PUT /v1/attachments/{id}/chunks/{n}", Admin,    Other,  NotFound),
    ("PUT /v1/attachments/{id}/chunks/{n}", Counsellor, Own,  Done(200)),
    ("PUT /v1/attachments/{id}/chunks/{n}", Counsellor, Other, NotFound),
    ("PUT /v1/attachments/{id}/chunks/{n}", Outreach, Own,    NotFound),
    ("PUT /v1/attachments/{id}/chunks/{n}", Outreach, Other,  NotFound),
    ("GET /v1/attachments/{id}/chunks/{n}", Admin,    Own,    Done(200)),
    ("GET /v1/attachments/{id}/chunks/{n}", Admin,    Other,  NotFound),
    ("GET /v1/attachments/{id}/chunks/{n}", Counsellor, Own,  Done(200)),
    ("GET /v1/attachments/{id}/chunks/{n}", Counsellor, Other, NotFound),
    ("GET /v1/attachments/{id}/chunks/{n}", Outreach, Own,    NotFound),
    ("GET /v1/attachments/{id}/chunks/{n}", Outreach, Other,  NotFound),
];

/// Routes that name nothing of a centre's, or only the caller's own session; the matrix in
/// `authorisation.rs` covers them for each kind of caller. (Usernames are unique across centres,
/// since a login names no centre, so making an account does not take part either.)
const NAMING_NO_CENTRES_RESOURCE: &[&str] = &[
    "GET /v1/health",
    "GET /v1/openapi.json",
    "GET /v1/setup",
    "POST /v1/setup",
    "POST /v1/session",
    "GET /v1/session",
    "DELETE /v1/session",
    "POST /v1/accounts",
    // Logs the caller's own exports in her own centre's log.
    "POST /v1/audit/exports",
];

/// The things a request may aim at in one centre.
struct Side {
    centre: CentreId,
    /// An account no one in the test logs in as, so that resetting its password ends nothing.
    account: AccountId,
    case: Record,
    /// An attachment of the case, received whole, and its content: one chunk.
    attachment: (RecordId, Vec<u8>),
}

/// DHR's callers, DHR's targets, BLR's targets, and what of BLR must never reach DHR.
struct World {
    setup: TwoCentres,
    own: Side,
    other: Side,
    /// BLR's centre, its administrator, usernames and a value planted in its case.
    secrets: Vec<String>,
}

const CANARY: &str = "CANARY-BLR-5c1e";

async fn world(backend: Backend) -> World {
    let setup = two_centres(backend).await;
    let app = &setup.app;
    let theirs = &setup.other_admin;
    let (own_target, _) = app
        .account(&setup.admin, "target.dhr", Role::Counsellor)
        .await;
    let (other_target, _) = app
        .account(&theirs.token, "target.blr", Role::Counsellor)
        .await;
    let own_case = a_case(&setup, &setup.counsellor.1, "Sita").await;
    let other_case = a_case(&setup, &theirs.token, CANARY).await;
    let own_attachment = an_attachment(&setup, &setup.counsellor.1, &own_case, "Sita").await;
    let other_attachment = an_attachment(&setup, &theirs.token, &other_case, CANARY).await;
    // A camp each this month, with a count of men no other figure has: the monthly report
    // shows its own centre's and never the other's.
    a_camp(&setup, &setup.counsellor.1, OWN_MEN).await;
    a_camp(&setup, &theirs.token, OTHER_MEN).await;
    let secrets = vec![
        theirs.account.centre.id.to_string(),
        theirs.account.centre.name.clone(),
        theirs.account.id.to_string(),
        "admin.blr".to_owned(),
        "target.blr".to_owned(),
        CANARY.to_owned(),
    ];
    World {
        own: Side {
            centre: own_target.centre.id,
            account: own_target.id,
            case: own_case,
            attachment: own_attachment,
        },
        other: Side {
            centre: theirs.account.centre.id,
            account: other_target.id,
            case: other_case,
            attachment: other_attachment,
        },
        secrets,
        setup,
    }
}

/// The men at each centre's camp this month.
const OWN_MEN: i64 = 4242;
const OTHER_MEN: i64 = 7777;

/// A camp held today with `men` men, pushed as the holder of `token`.
async fn a_camp(setup: &TwoCentres, token: &str, men: i64) {
    let mut clock = Clock::new(DeviceId::new());
    let mut camp = Record::new(RecordId::new(), Kind::Camp);
    let today = sakhi_domain::figures::india_day(now());
    let changes = [
        camp.edit(&mut clock, now(), "held_on", json!(today)),
        camp.edit(&mut clock, now(), "men", json!(men)),
    ];
    let response = setup.app.push_as(token, clock.device(), &changes).await;
    assert_eq!(response.status(), StatusCode::OK);
}

/// An attachment of `case` whose content says `text`, pushed and sent whole as the holder of
/// `token`.
async fn an_attachment(
    setup: &TwoCentres,
    token: &str,
    case: &Record,
    text: &str,
) -> (RecordId, Vec<u8>) {
    let content = format!("%PDF-1.4 {text}").into_bytes();
    let digest: String = sha2::Sha256::digest(&content)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let mut clock = Clock::new(DeviceId::new());
    let mut attachment = Record::new(RecordId::new(), Kind::Attachment);
    let changes = [
        attachment.edit(&mut clock, now(), "case", json!(case.id.to_string())),
        attachment.edit(&mut clock, now(), "media_type", json!("application/pdf")),
        attachment.edit(&mut clock, now(), "size", json!(content.len())),
        attachment.edit(&mut clock, now(), "sha256", json!(digest)),
    ];
    let response = setup.app.push_as(token, clock.device(), &changes).await;
    assert_eq!(response.status(), StatusCode::OK);
    let sent = send_chunk(setup, token, attachment.id, content.clone()).await;
    assert_eq!(sent.status(), StatusCode::OK);
    (attachment.id, content)
}

async fn send_chunk(
    setup: &TwoCentres,
    token: &str,
    id: RecordId,
    content: Vec<u8>,
) -> reqwest::Response {
    let app = &setup.app;
    app.client
        .put(app.url(&paths::attachment_chunk(id, 0)))
        .bearer_auth(token)
        .header("content-type", "application/octet-stream")
        .body(content)
        .send()
        .await
        .unwrap()
}

/// A case named `name`, pushed as the holder of `token`.
async fn a_case(setup: &TwoCentres, token: &str, name: &str) -> Record {
    let mut clock = Clock::new(DeviceId::new());
    let mut case = Record::new(RecordId::new(), Kind::Case);
    let change = case.edit(&mut clock, now(), "name", json!(name));
    let response = setup.app.push_as(token, clock.device(), &[change]).await;
    assert_eq!(response.status(), StatusCode::OK);
    case
}

impl World {
    fn token(&self, role: Role) -> &str {
        match role {
            Role::Administrator => &self.setup.admin,
            Role::Counsellor => &self.setup.counsellor.1,
            Role::OutreachWorker => &self.setup.outreach.1,
        }
    }

    /// Makes the request of `route` aimed at `centre`'s target, answering the status, the body,
    /// and the text that shows the target in a body.
    async fn ask(&self, route: &str, role: Role, centre: Centre) -> (StatusCode, String, String) {
        let side = match centre {
            Own => &self.own,
            Other => &self.other,
        };
        let token = self.token(role);
        let app = &self.setup.app;
        let account = side.account;
        let (response, marker) = match route {
            "GET /v1/accounts" => (
                app.send(Method::GET, "/api/v1/accounts", Some(token), None)
                    .await,
                account.to_string(),
            ),
            "GET /v1/centre/staff" => (
                app.send(Method::GET, "/api/v1/centre/staff", Some(token), None)
                    .await,
                account.to_string(),
            ),
            "PATCH /v1/accounts/{id}" => (
                app.send(
                    Method::PATCH,
                    &format!("/api/v1/accounts/{account}"),
                    Some(token),
                    Some(json!({"display_name": "नया नाम"})),
                )
                .await,
                account.to_string(),
            ),
            "POST /v1/accounts/{id}/password" => (
                app.send(
                    Method::POST,
                    &format!("/api/v1/accounts/{account}/password"),
                    Some(token),
                    Some(json!({"password": "एक नया पासवर्ड"})),
                )
                .await,
                account.to_string(),
            ),
            "PATCH /v1/centre" => {
                let body = match centre {
                    Own => json!({"lock_minutes": 7}),
                    Other => json!({"id": side.centre, "lock_minutes": 9}),
                };
                (
                    app.send(Method::PATCH, "/api/v1/centre", Some(token), Some(body))
                        .await,
                    side.centre.to_string(),
                )
            }
            "GET /v1/reports/monthly" => {
                let month = &sakhi_domain::figures::india_day(now())[..7];
                let men = match centre {
                    Own => OWN_MEN,
                    Other => OTHER_MEN,
                };
                (
                    app.send(
                        Method::GET,
                        &format!("/api/v1/reports/monthly?month={month}"),
                        Some(token),
                        None,
                    )
                    .await,
                    format!("\"men\":{men}"),
                )
            }
            "GET /v1/audit" => (
                app.send(Method::GET, "/api/v1/audit?limit=1000", Some(token), None)
                    .await,
                side.centre.to_string(),
            ),
            "POST /v1/sync/push" => {
                let mut clock = Clock::new(DeviceId::new());
                let change = side.case.clone().edit(&mut clock, now(), "age", json!(30));
                (
                    app.push_as(token, clock.device(), &[change]).await,
                    side.case.id.to_string(),
                )
            }
            "POST /v1/sync/restate" => {
                let mut clock = Clock::new(DeviceId::new());
                let mut case = side.case.clone();
                case.edit(&mut clock, now(), "age", json!(31));
                let body =
                    json!({"protocol": PROTOCOL, "device": clock.device(), "records": [case]});
                (
                    app.send(
                        Method::POST,
                        "/api/v1/sync/restate",
                        Some(token),
                        Some(body),
                    )
                    .await,
                    side.case.id.to_string(),
                )
            }
            "GET /v1/sync/pull" => (
                app.send(
                    Method::GET,
                    "/api/v1/sync/pull?after=0&limit=1000",
                    Some(token),
                    None,
                )
                .await,
                side.case.id.to_string(),
            ),
            "GET /v1/cases/{id}/history" => (
                app.send(
                    Method::GET,
                    &format!("/api/v1/cases/{}/history", side.case.id),
                    Some(token),
                    None,
                )
                .await,
                side.case.id.to_string(),
            ),
            "GET /v1/attachments/{id}/upload" => (
                app.send(
                    Method::GET,
                    &paths::attachment_upload(side.attachment.0),
                    Some(token),
                    None,
                )
                .await,
                side.attachment.0.to_string(),
            ),
            "PUT /v1/attachments/{id}/chunks/{n}" => (
                send_chunk(
                    &self.setup,
                    token,
                    side.attachment.0,
                    side.attachment.1.clone(),
                )
                .await,
                side.attachment.0.to_string(),
            ),
            "GET /v1/attachments/{id}/chunks/{n}" => (
                app.send(
                    Method::GET,
                    &paths::attachment_chunk(side.attachment.0, 0),
                    Some(token),
                    None,
                )
                .await,
                side.attachment.0.to_string(),
            ),
            other => panic!("no request for {other}: add one"),
        };
        let status = response.status();
        (status, response.text().await.unwrap(), marker)
    }
}

on_each_backend!(every_route_naming_a_resource_reaches_the_own_centre_only);
async fn every_route_naming_a_resource_reaches_the_own_centre_only(backend: Backend) {
    for route in ROUTES {
        let name = format!("{} {}", route.method, route.path);
        let in_policy = POLICY.iter().any(|(r, ..)| *r == name);
        assert!(
            in_policy != NAMING_NO_CENTRES_RESOURCE.contains(&name.as_str()),
            "{name} must be in exactly one of POLICY and NAMING_NO_CENTRES_RESOURCE"
        );
    }

    let world = world(backend).await;
    for &(route, role, centre, answer) in POLICY {
        let row = format!("{route} as {} at the {centre:?} centre", role.as_str());
        let (status, body, marker) = world.ask(route, role, centre).await;
        let expected = match answer {
            Done(status) => status,
            Shows | LeavesOut | Refused => 200,
            Forbidden => 403,
            NotFound => 404,
        };
        assert_eq!(status.as_u16(), expected, "{row}: {body}");
        match answer {
            Shows => assert!(body.contains(&marker), "{row} shows {marker}: {body}"),
            LeavesOut => assert!(!body.contains(&marker), "{row} leaves out {marker}: {body}"),
            Forbidden | NotFound => {
                let error: ErrorBody = serde_json::from_str(&body).unwrap();
                let code = if expected == 403 {
                    "forbidden"
                } else {
                    "not_found"
                };
                assert_eq!(error.code.as_deref(), Some(code), "{row}");
                assert!(!body.contains(&marker), "{row} names {marker}: {body}");
            }
            Refused if route.ends_with("/restate") => {
                let answer: RestateResponse = serde_json::from_str(&body).unwrap();
                assert!(
                    matches!(&answer.results[..], [RecordResult { outcome: Outcome::Rejected { code, .. }, .. }]
                        if code == "out_of_scope"),
                    "{row}: {body}"
                );
            }
            Refused => {
                let answer: PushResponse = serde_json::from_str(&body).unwrap();
                assert_eq!(answer.accepted, 0, "{row}: {body}");
                assert!(
                    matches!(&answer.refused[..], [refused] if refused.code == "out_of_scope"),
                    "{row}: {body}"
                );
            }
            Done(_) => {}
        }
        for secret in &world.secrets {
            assert!(!body.contains(secret), "{row} gave away {secret}: {body}");
        }
    }

    // And BLR is as it was: its case unedited, its account unrenamed, its password unchanged,
    // its lock time its own.
    let app = &world.setup.app;
    let theirs = app.pull_all_as(&world.setup.other_admin.token).await;
    let case = &theirs[&world.other.case.id];
    assert_eq!(case.text("name"), Some(CANARY));
    assert_eq!(case.value("age"), None, "no forged edit applied");
    let ours = app.pull_all_as(&world.setup.admin).await;
    let restated = ours[&world.own.case.id].fields["age"]
        .heads()
        .iter()
        .filter(|version| version.value == json!(31))
        .count();
    assert_eq!(
        restated, 2,
        "the administrator's and the counsellor's restatements merged, not the outreach worker's"
    );
    let target = app.log_in("target.blr").await.account;
    assert_eq!(target.id, world.other.account);
    assert_eq!(target.display_name, "target.blr देवी");
    assert_eq!(target.centre.lock_minutes, LockMinutes::DEFAULT.get());
}
