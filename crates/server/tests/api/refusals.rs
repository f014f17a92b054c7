//! Every bad request the security model names, one after another: each gets the right 4xx, a
//! short reason, exactly one audit row saying what was refused (or, for one that names no centre
//! and that anyone could send, one more in the tallies of refusals), and changes nothing else.

use crate::authorisation::{TwoCentres, two_centres_behind_a_proxy};
use crate::database::{Database, on_pool};
use crate::helpers::{ADMIN, Backend, PASSWORD, TestApp, now};
use reqwest::{Method, StatusCode};
use sakhi_domain::wire::account::code;
use sakhi_domain::wire::{ErrorBody, PROTOCOL, PushResponse};
use sakhi_domain::{AccountId, CentreId, Clock, DeviceId, Kind, Record, RecordId};
use serde_json::json;
use std::future::Future;

/// Planted in every forged change: no audit row may carry it.
const CANARY: &str = "CANARY-refused-91c2";

/// An audit row as the walk checks it: action, outcome, centre and account.
type Row = (String, String, Option<String>, Option<String>);

/// The id of the last audit row (rows without a centre are on no audit page, so the walk reads
/// the table itself).
async fn last_audit_id(database: &Database) -> i64 {
    database
        .numbers("SELECT CAST(coalesce(max(id), 0) AS BIGINT) FROM audit")
        .await[0]
}

/// The rows after `id`, and all their text, to search for the canary.
async fn audit_after(database: &Database, id: i64) -> (Vec<Row>, String) {
    let rows = database.audit_after(id).await;
    let text = format!("{rows:?}");
    let rows = rows
        .into_iter()
        .map(|(action, outcome, centre, account, ..)| (action, outcome, centre, account))
        .collect();
    (rows, text)
}

/// What a bad request must be answered, and the one audit row it must leave; one that names no
/// centre is counted in the tallies instead.
struct Expected {
    status: StatusCode,
    code: &'static str,
    action: &'static str,
    outcome: &'static str,
    /// The centre the row is tied to, `None` when the request names none.
    centre: Option<CentreId>,
    /// The account the row names, if the request tells whose it is.
    account: Option<AccountId>,
}

/// Sends one bad request (`request` does nothing until awaited) and checks everything.
async fn refused(
    database: &Database,
    what: &str,
    request: impl Future<Output = reqwest::Response>,
    expected: Expected,
) {
    let before = database.everything_but_the_audit_log().await;
    let last = last_audit_id(database).await;
    let counted = database.counted(expected.action, expected.outcome).await;

    let response = request.await;

    let status = response.status();
    let body: ErrorBody = response
        .json()
        .await
        .unwrap_or_else(|_| panic!("{what}: a JSON error body"));
    assert_eq!(
        (status, body.code.as_deref()),
        (expected.status, Some(expected.code)),
        "{what}: {}",
        body.error
    );
    assert!(
        !body.error.is_empty() && body.error.chars().count() <= 160,
        "{what}: a short reason, not {:?}",
        body.error
    );
    let (rows, text) = audit_after(database, last).await;
    if expected.centre.is_none() {
        assert_eq!(rows, [], "{what}: no audit row");
        assert_eq!(
            database.counted(expected.action, expected.outcome).await,
            counted + 1,
            "{what}: counted once"
        );
    } else {
        let row = (
            expected.action.to_owned(),
            expected.outcome.to_owned(),
            expected.centre.map(|id| id.to_string()),
            expected.account.map(|id| id.to_string()),
        );
        assert_eq!(rows, [row], "{what}: one audit row");
    }
    assert!(!text.contains(CANARY), "{what}: the row quotes the request");
    assert_eq!(
        database.everything_but_the_audit_log().await,
        before,
        "{what}: nothing changed"
    );
}

/// A case named `name`, pushed as the holder of `token`.
async fn a_case(app: &TestApp, token: &str, name: &str) -> Record {
    let mut clock = Clock::new(DeviceId::new());
    let mut case = Record::new(RecordId::new(), Kind::Case);
    let change = case.edit(&mut clock, now(), "name", json!(name));
    let response = app.push_as(token, clock.device(), &[change]).await;
    assert_eq!(response.status(), StatusCode::OK);
    case
}

/// A push editing `case` (planting the canary), as the holder of `token`.
async fn forged_edit(app: &TestApp, token: &str, case: &Record) -> reqwest::Response {
    let mut clock = Clock::new(DeviceId::new());
    let change = case.clone().edit(&mut clock, now(), "name", json!(CANARY));
    app.push_as(token, clock.device(), &[change]).await
}

/// A login body sent as it is, from `address` (the server trusts X-Forwarded-For here).
async fn log_in_raw(app: &TestApp, address: &str, body: String) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/session"))
        .header("x-forwarded-for", address)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("Failed to send a login")
}

fn login_body(username: &str, password: &str) -> String {
    json!({"username": username, "password": password, "device": DeviceId::new()}).to_string()
}

/// A token of `account` whose session ended an hour ago, written straight into the database.
async fn an_expired_token(database: &Database, account: AccountId) -> String {
    let token = "an-expired-token-0123456789";
    let hour_ago = i64::try_from(sakhi_server::clock::system_millis()).unwrap() - 3_600_000;
    let sql = "INSERT INTO sessions
               (token_hash, account_id, device_id, created_at, last_used_at, expires_at)
               VALUES ($1, $2, $3, $4, $5, $6)";
    on_pool!(database, |pool| sqlx::query(sql)
        .bind(sakhi_server::secrets::sha256_hex(token))
        .bind(account.to_string())
        .bind(DeviceId::new().to_string())
        .bind(hour_ago - 1000)
        .bind(hour_ago - 1000)
        .bind(hour_ago)
        .execute(pool)
        .await
        .map(drop))
    .unwrap();
    token.to_owned()
}

on_each_backend!(every_refusal_is_answered_briefly_audited_once_and_changes_nothing);
async fn every_refusal_is_answered_briefly_audited_once_and_changes_nothing(backend: Backend) {
    let setup = two_centres_behind_a_proxy(backend).await;
    let TwoCentres {
        app,
        admin,
        counsellor: (counsellor, counsellor_token),
        outreach: (outreach, outreach_token),
        other_admin,
    } = &setup;
    let database = Database::open(&app.folder.database_url()).await;
    let dhr = Some(counsellor.centre.id);
    let blr = Some(other_admin.account.centre.id);
    let own_case = a_case(app, counsellor_token, "Sita").await;
    let their_case = a_case(app, &other_admin.token, "Gita").await;
    let expired = an_expired_token(&database, counsellor.id).await;
    let logged_out = app.log_in("outreach.dhr").await.token;
    let response = app
        .send(Method::DELETE, "/api/v1/session", Some(&logged_out), None)
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let unauthenticated = |outcome, centre, account| Expected {
        status: StatusCode::UNAUTHORIZED,
        code: code::UNAUTHENTICATED,
        action: "refused",
        outcome,
        centre,
        account,
    };
    let not_found = |outcome, centre, account| Expected {
        status: StatusCode::NOT_FOUND,
        code: code::NOT_FOUND,
        action: "refused",
        outcome,
        centre,
        account,
    };
    let pull = "/api/v1/sync/pull?after=0";

    // Wrong, expired and ended tokens. A token no session has names no centre.
    refused(
        &database,
        "a garbage token",
        app.send(Method::GET, pull, Some("garbage"), None),
        unauthenticated("unknown_token", None, None),
    )
    .await;
    let basic = async {
        app.client
            .get(app.url(pull))
            .header("authorization", "Basic YWRtaW46YWRtaW4=")
            .send()
            .await
            .unwrap()
    };
    refused(
        &database,
        "credentials that are no bearer token",
        basic,
        unauthenticated("unknown_token", None, None),
    )
    .await;
    refused(
        &database,
        "an expired token",
        app.send(Method::GET, pull, Some(&expired), None),
        unauthenticated("expired_session", dhr, Some(counsellor.id)),
    )
    .await;
    refused(
        &database,
        "a token logged out",
        app.send(Method::GET, pull, Some(&logged_out), None),
        unauthenticated("revoked_session", dhr, Some(outreach.id)),
    )
    .await;

    // Another centre's token, aimed at this centre's case and account: audited in its own centre.
    refused(
        &database,
        "another centre's token on this centre's case",
        forged_edit(app, &other_admin.token, &own_case),
        not_found("other_centre", blr, Some(other_admin.account.id)),
    )
    .await;
    let account_path = format!("/api/v1/accounts/{}", counsellor.id);
    refused(
        &database,
        "another centre's token on this centre's account",
        app.send(
            Method::PATCH,
            &account_path,
            Some(&other_admin.token),
            Some(json!({"disabled": true})),
        ),
        not_found("not_found", blr, Some(other_admin.account.id)),
    )
    .await;

    // Forged ids: one that is no id at all, a case of the centre that is not hers, an account
    // id that is no id.
    let mut clock = Clock::new(DeviceId::new());
    let mut change = serde_json::to_value(Record::new(RecordId::new(), Kind::Case).edit(
        &mut clock,
        now(),
        "name",
        json!(CANARY),
    ))
    .unwrap();
    change["record"] = json!("../cases/1");
    let body = json!({"protocol": PROTOCOL, "device": clock.device(), "changes": [change]});
    let forged_id = async {
        app.client
            .post(app.url("/api/v1/sync/push"))
            .bearer_auth(counsellor_token)
            .json(&body)
            .send()
            .await
            .unwrap()
    };
    refused(
        &database,
        "a forged record id that is no id",
        forged_id,
        Expected {
            status: StatusCode::BAD_REQUEST,
            code: code::BAD_REQUEST,
            action: "refused",
            outcome: "bad_request",
            centre: dhr,
            account: Some(counsellor.id),
        },
    )
    .await;
    // An outreach worker's edit of a case of her centre that is not hers is no refusal of the
    // whole push: it is refused alone, in the answer, and the push's own row records it.
    let before = database.everything_but_the_audit_log().await;
    let last = last_audit_id(&database).await;
    let answer = forged_edit(app, outreach_token, &own_case).await;
    assert_eq!(answer.status(), StatusCode::OK);
    let answer: PushResponse = answer.json().await.unwrap();
    assert_eq!(
        (answer.accepted, answer.refused[0].code.as_str()),
        (0, "out_of_scope")
    );
    let (rows, text) = audit_after(&database, last).await;
    let pushed = ("push".to_owned(), "ok".to_owned());
    let outreach_row = (dhr.map(|c| c.to_string()), Some(outreach.id.to_string()));
    assert_eq!(rows, [(pushed.0, pushed.1, outreach_row.0, outreach_row.1)]);
    assert!(!text.contains(CANARY));
    assert_eq!(database.everything_but_the_audit_log().await, before);
    let admin_id = app.log_in(ADMIN).await.account.id;
    refused(
        &database,
        "a forged account id",
        app.send(
            Method::PATCH,
            "/api/v1/accounts/..%2Fadmin",
            Some(admin),
            Some(json!({"disabled": true})),
        ),
        not_found("not_found", dhr, Some(admin_id)),
    )
    .await;

    // A push for a record of another centre.
    refused(
        &database,
        "a push for another centre's case",
        forged_edit(app, counsellor_token, &their_case),
        not_found("other_centre", dhr, Some(counsellor.id)),
    )
    .await;

    // Logins: a username that names an account ties the row to its centre.
    let login = |outcome, status, code, centre, account| Expected {
        status,
        code,
        action: "login",
        outcome,
        centre,
        account,
    };
    refused(
        &database,
        "a wrong password",
        log_in_raw(app, "10.7.0.1", login_body(ADMIN, "wrong password 1")),
        login(
            "bad_login",
            StatusCode::UNAUTHORIZED,
            code::BAD_LOGIN,
            dhr,
            Some(admin_id),
        ),
    )
    .await;
    refused(
        &database,
        "an oversized password",
        log_in_raw(app, "10.7.0.2", login_body(ADMIN, &"क".repeat(129))),
        // Sent without end by anyone who knows a username: counted, not written.
        login(
            "password_too_long",
            StatusCode::BAD_REQUEST,
            "password_too_long",
            None,
            None,
        ),
    )
    .await;
    refused(
        &database,
        "a login body too large to read",
        log_in_raw(app, "10.7.0.3", login_body(ADMIN, &"x".repeat(10_000))),
        login(
            "too_large",
            StatusCode::PAYLOAD_TOO_LARGE,
            code::TOO_LARGE,
            None,
            None,
        ),
    )
    .await;
    refused(
        &database,
        "a malformed login body",
        log_in_raw(app, "10.7.0.4", format!("{{\"username\": \"{ADMIN}\", ")),
        login(
            "bad_request",
            StatusCode::BAD_REQUEST,
            code::BAD_REQUEST,
            None,
            None,
        ),
    )
    .await;
    refused(
        &database,
        "an unknown username",
        log_in_raw(app, "10.7.0.5", login_body("nobody.here", PASSWORD)),
        login(
            "bad_login",
            StatusCode::UNAUTHORIZED,
            code::BAD_LOGIN,
            None,
            None,
        ),
    )
    .await;
    // A username no keyboard types.
    refused(
        &database,
        "a NUL in the username",
        log_in_raw(app, "10.7.0.7", login_body("admin\u{0}.dhr", PASSWORD)),
        login(
            "bad_username",
            StatusCode::BAD_REQUEST,
            "bad_username",
            None,
            None,
        ),
    )
    .await;
    // Five free failures, then the guesser waits, and the wait is counted too.
    for _ in 0..5 {
        let response = log_in_raw(app, "10.7.0.6", login_body("counsellor.dhr", "guess 1")).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    refused(
        &database,
        "a login while rate limited",
        log_in_raw(app, "10.7.0.6", login_body("counsellor.dhr", PASSWORD)),
        login(
            "rate_limited",
            StatusCode::TOO_MANY_REQUESTS,
            code::TOO_MANY_TRIES,
            None,
            None,
        ),
    )
    .await;

    // No token at all claims to be no one: answered 401, and not worth a row.
    let last = last_audit_id(&database).await;
    let response = app.send(Method::GET, pull, None, None).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(audit_after(&database, last).await.0.is_empty());

    // The dump does see a change when there is one: a login adds a session.
    let before = database.everything_but_the_audit_log().await;
    app.log_in("outreach.dhr").await;
    assert_ne!(database.everything_but_the_audit_log().await, before);
}
