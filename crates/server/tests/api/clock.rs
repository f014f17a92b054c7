//! Time as the server tells it, moved on by the test rather than waited for: sessions end at
//! their idle time and at their longest, a code for one more centre at its last day; and the
//! audit log and the tally of refusals are stamped with that time.

use crate::database::Database;
use crate::helpers::{Backend, Folder, TestApp, TestClock, settings, setup_body, spawn_with_clock};
use reqwest::{Method, StatusCode};
use sakhi_domain::wire::ErrorBody;
use sakhi_domain::wire::account::AuditPage;
use sakhi_server::Settings;
use sakhi_server::app::CENTRE_CODE_DAYS;
use std::time::Duration;

const DAY: Duration = Duration::from_secs(24 * 60 * 60);
const MINUTE: Duration = Duration::from_secs(60);

/// A server set up and logged in as its administrator, telling the time by `clock`.
async fn spawn_on(backend: Backend, clock: &TestClock) -> TestApp {
    let folder = Folder::new(backend).await;
    spawn_with_clock(settings(&folder), folder, clock.clock())
        .await
        .ready()
        .await
}

/// The status and error code of an answer; an empty code for one without an error.
async fn code_of(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    if status.is_success() {
        return (status, String::new());
    }
    let body: ErrorBody = response.json().await.expect("an error body");
    (status, body.code.unwrap_or_default())
}

async fn session_answer(app: &TestApp, token: &str) -> (StatusCode, String) {
    code_of(
        app.send(Method::GET, "/api/v1/session", Some(token), None)
            .await,
    )
    .await
}

on_each_backend!(a_session_ends_when_the_servers_clock_passes_its_idle_time_or_its_longest);
async fn a_session_ends_when_the_servers_clock_passes_its_idle_time_or_its_longest(
    backend: Backend,
) {
    let clock = TestClock::default();
    let app = spawn_on(backend, &clock).await;
    let defaults = Settings::default();
    let idle = Duration::from_secs(defaults.session_idle_seconds);
    let longest = Duration::from_secs(defaults.session_max_seconds);
    let ok = (StatusCode::OK, String::new());
    let ended = (StatusCode::UNAUTHORIZED, "unauthenticated".to_owned());

    // Used within its idle time, again and again, a session lives on.
    let idle_one = app.log_in("admin.dhr").await;
    clock.advance(idle - MINUTE);
    assert_eq!(session_answer(&app, &idle_one.token).await, ok);
    clock.advance(idle - MINUTE);
    assert_eq!(session_answer(&app, &idle_one.token).await, ok);
    // Left unused for its idle time, it has ended, though far from its longest.
    clock.advance(idle);
    assert_eq!(session_answer(&app, &idle_one.token).await, ended);

    // Its end is counted from the server's time when it opened, and comes even to one in use.
    let before = clock.now_millis();
    let used = app.log_in("admin.dhr").await;
    let longest_ms = u64::try_from(longest.as_millis()).unwrap();
    assert!((before..=clock.now_millis()).contains(&(used.expires_at - longest_ms)));
    let mut lived = Duration::ZERO;
    while lived + idle - MINUTE < longest {
        clock.advance(idle - MINUTE);
        lived += idle - MINUTE;
        assert_eq!(
            session_answer(&app, &used.token).await,
            ok,
            "after {lived:?}"
        );
    }
    clock.advance(longest - lived);
    assert_eq!(session_answer(&app, &used.token).await, ended);
    // A new login works at the new time.
    let again = app.log_in("admin.dhr").await;
    assert_eq!(session_answer(&app, &again.token).await, ok);
}

on_each_backend!(a_code_for_one_more_centre_works_until_its_last_day_by_the_servers_clock);
async fn a_code_for_one_more_centre_works_until_its_last_day_by_the_servers_clock(
    backend: Backend,
) {
    let clock = TestClock::default();
    let app = spawn_on(backend, &clock).await;
    let settings = Settings {
        database_url: app.folder.database_url(),
        ..Settings::default()
    };
    let code_for = |printed: String| printed.split("#code=").nth(1).unwrap().trim().to_owned();
    let late = code_for(sakhi_server::add_centre_code(&settings).await.unwrap());
    let in_time = code_for(sakhi_server::add_centre_code(&settings).await.unwrap());
    let set_up = |code: &str, centre: &str, admin: &str| {
        app.send(
            Method::POST,
            "/api/v1/setup",
            None,
            Some(setup_body(code, centre, admin)),
        )
    };

    clock.advance(DAY * u32::try_from(CENTRE_CODE_DAYS).unwrap() - MINUTE);
    assert_eq!(
        code_of(set_up(&in_time, "BLR", "admin.blr").await).await,
        (StatusCode::CREATED, String::new())
    );
    // Past its last day, the code is no code: with none left in time, the server says it is
    // set up.
    clock.advance(2 * MINUTE);
    assert_eq!(
        code_of(set_up(&late, "MYS", "admin.mys").await).await,
        (StatusCode::CONFLICT, "already_set_up".to_owned())
    );
}

on_each_backend!(a_push_is_judged_by_the_servers_clock);
async fn a_push_is_judged_by_the_servers_clock(backend: Backend) {
    let clock = TestClock::default();
    let app = spawn_on(backend, &clock).await;
    let year = 365 * DAY;
    // A phone a year ahead of the real time: refused, until the server's clock is there too.
    let at = sakhi_server::clock::system_millis() + year.as_millis() as u64;
    let mut phone = sakhi_domain::Clock::new(sakhi_domain::DeviceId::new());
    let mut case =
        sakhi_domain::Record::new(sakhi_domain::RecordId::new(), sakhi_domain::Kind::Case);
    let change = case.edit(&mut phone, at, "name", serde_json::json!("Sita"));
    let sent = app
        .push(phone.device(), std::slice::from_ref(&change))
        .await;
    assert_eq!(
        crate::helpers::rejection_code(&sent.results[0]),
        Some("clock_ahead")
    );
    clock.advance(year);
    // Her session has ended meanwhile, by the same clock.
    let token = app.log_in("admin.dhr").await.token;
    let mut again = change.clone();
    again.id = sakhi_domain::ChangeId::new();
    let response = app
        .push_as(&token, phone.device(), std::slice::from_ref(&again))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let answer: sakhi_domain::wire::PushResponse = response.json().await.unwrap();
    let results = crate::helpers::outcomes(&answer, &[again]);
    assert_eq!(crate::helpers::rejection_code(&results[0]), None);
}

on_each_backend!(the_audit_log_and_the_tally_of_refusals_tell_the_time_by_the_servers_clock);
async fn the_audit_log_and_the_tally_of_refusals_tell_the_time_by_the_servers_clock(
    backend: Backend,
) {
    let clock = TestClock::default();
    let app = spawn_on(backend, &clock).await;
    clock.advance(365 * DAY);

    let before = clock.now_millis();
    let token = app.log_in("admin.dhr").await.token;
    let made_up = "made-up-token-0000-AAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let refused = app
        .send(Method::GET, "/api/v1/sync/pull", Some(made_up), None)
        .await;
    let after = clock.now_millis();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);

    // The newest row is the login; reading the log writes none.
    let page: AuditPage = app
        .send(Method::GET, "/api/v1/audit", Some(&token), None)
        .await
        .json()
        .await
        .unwrap();
    let login = &page.entries[0];
    assert_eq!(login.action, "login");
    assert!((before..=after).contains(&login.at), "{}", login.at);
    let database = Database::open(&app.folder.database_url()).await;
    let minutes = database
        .numbers("SELECT minute FROM audit_tallies WHERE outcome = 'unknown_token'")
        .await;
    let first_minute = |at: u64| i64::try_from(at - at % 60_000).unwrap();
    assert_eq!(minutes.len(), 1);
    assert!(
        (first_minute(before)..=first_minute(after)).contains(&minutes[0]),
        "{minutes:?}"
    );
}
