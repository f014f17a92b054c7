//! Strangers at scale: hundreds of password guesses sent at once run only a few Argon2 checks and
//! keep the server's memory bounded, without locking out the other accounts behind the
//! guesser's address; and made-up tokens are counted, never written a row each.

use crate::database::Database;
use crate::helpers::{
    ADMIN, Backend, Folder, PASSWORD, SETUP_CODE, settings, setup_body, spawn_app,
};
use reqwest::{Method, StatusCode};
use sakhi_domain::DeviceId;
use sakhi_domain::wire::ErrorBody;
use sakhi_domain::wire::account::Session;
use sakhi_server::{AppState, Opened, SecurityHeaders, Settings, Store, secrets};
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;
use tokio::net::TcpListener;

/// The memory measured is the whole test process's: the two backends' runs take turns at it.
static MEASURING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A process's memory now and at its peak (`VmRSS` and `VmHWM` of `/proc/self/status`), in KiB.
fn memory_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").expect("Linux's /proc");
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} in /proc/self/status"))
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// The environment variable that tells the test run in a process of its own which backend to use.
const ALONE: &str = "SAKHI_TEST_GUESSING_ALONE";

on_each_backend!(three_hundred_guesses_at_once_run_a_few_password_checks_in_bounded_memory);
async fn three_hundred_guesses_at_once_run_a_few_password_checks_in_bounded_memory(
    backend: Backend,
) {
    // The memory measured is a process's: run in this one, other tests' allocations would count.
    // So this test binary runs the measurement again, alone, and passes if that run does.
    let name = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let run = tokio::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "guessing::measured_alone",
            "--exact",
            "--ignored",
            "--nocapture",
        ])
        .env(ALONE, name)
        .output()
        .await
        .unwrap();
    let said = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success() && said.contains("1 passed"),
        "the run alone failed:\n{said}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

/// The guesses, measured: run only as a process of its own by the test above.
#[tokio::test]
#[ignore = "run alone, in a process of its own, by three_hundred_guesses_at_once_…"]
async fn measured_alone() {
    let backend = match std::env::var(ALONE).as_deref() {
        Ok("sqlite") => Backend::Sqlite,
        Ok("postgres") => Backend::Postgres,
        _ => panic!("{ALONE} names no backend: run the test that runs this one"),
    };
    let folder = Folder::new(backend).await;
    let settings = settings(&folder);
    // Started by hand rather than through `serve`, to read the server's count of Argon2 runs.
    match sakhi_server::store::open(&settings.database_url, sakhi_server::clock::system_millis())
        .await
        .expect("Failed to open the database")
    {
        Opened::Sqlite(store) => guessed_at(store, &settings).await,
        Opened::Postgres(store) => guessed_at(store, &settings).await,
    }
}

async fn guessed_at<S: Store>(store: S, settings: &Settings) {
    let code = secrets::sha256_hex(&secrets::normalise_setup_code(SETUP_CODE));
    store
        .replace_first_setup_code(&code, sakhi_server::clock::system_millis())
        .await
        .unwrap();
    let state = AppState::new(store.clone(), settings).await.unwrap();
    let router = sakhi_server::router(state.clone(), &SecurityHeaders::new(&settings.dist, None));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    let client = reqwest::Client::new();
    let url = |path: &str| format!("{base}{path}");
    let response = client
        .post(url("/api/v1/setup"))
        .json(&setup_body(SETUP_CODE, "DHR", ADMIN))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let admin: Session = response.json().await.unwrap();
    let response = client
        .post(url("/api/v1/accounts"))
        .bearer_auth(&admin.token)
        .json(
            &json!({"username": "counsellor.dhr", "display_name": "गीता",
                      "role": "counsellor", "password": PASSWORD}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);

    // Peak memory from here on: writing 5 to clear_refs resets VmHWM to the current VmRSS.
    let measuring = MEASURING.lock().await;
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let (resident_before, _) = memory_kib();
    let runs_before = state.auth.limiter.argon2_runs();
    let started = Instant::now();
    let client = Arc::new(client);
    let guesses: Vec<_> = (0..300)
        .map(|n| {
            let client = Arc::clone(&client);
            let url = url("/api/v1/session");
            tokio::spawn(async move {
                let body = json!({"username": "counsellor.dhr",
                                  "password": format!("wrong guess {n}"),
                                  "device": DeviceId::new()});
                let response = client.post(url).json(&body).send().await.unwrap();
                let status = response.status();
                let retry_after = response.headers().get("retry-after").cloned();
                let body: ErrorBody = response.json().await.unwrap();
                (status, retry_after, body.code)
            })
        })
        .collect();
    let mut answers = Vec::new();
    for guess in guesses {
        answers.push(guess.await.unwrap());
    }
    let elapsed = started.elapsed();
    let runs = state.auth.limiter.argon2_runs() - runs_before;
    let (resident_after, peak) = memory_kib();
    drop(measuring);

    let refused = answers
        .iter()
        .filter(|(status, retry_after, code)| {
            *status == StatusCode::TOO_MANY_REQUESTS
                && retry_after.is_some()
                && code.as_deref() == Some("too_many_tries")
        })
        .count();
    let wrong = answers
        .iter()
        .filter(|(status, ..)| *status == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!(refused + wrong, 300, "{answers:?}");
    // Five free failures, then one try after each delay (1 s, 2 s, 4 s, …) while they last.
    let doublings = (elapsed.as_secs_f64() + 1.0).log2().ceil() as u64;
    println!(
        "300 guesses at once in {elapsed:?}: {runs} password checks ({wrong} answered 401, \
         {refused} 429); memory {} MiB before, peak {} MiB, {} MiB after",
        resident_before / 1024,
        peak / 1024,
        resident_after / 1024
    );
    assert_eq!(
        runs, wrong as u64,
        "each 401 is one password check, no more"
    );
    assert!(
        (5..=5 + doublings).contains(&runs),
        "{runs} password checks in {elapsed:?}"
    );
    let grown_mib = peak.saturating_sub(resident_before) / 1024;
    assert!(grown_mib < 150, "memory grew {grown_mib} MiB");

    // The administrator behind the same address logs in with her right password.
    let response = client
        .post(url("/api/v1/session"))
        .json(&json!({"username": ADMIN, "password": PASSWORD, "device": DeviceId::new()}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    // The checks run show in the centre's log; the waits are counted in the tallies.
    let database = Database::open(&settings.database_url).await;
    let rows = database
        .numbers(
            "SELECT CAST(count(*) AS BIGINT) FROM audit
             WHERE username = 'counsellor.dhr' AND outcome = 'bad_login'",
        )
        .await[0];
    assert_eq!(rows, runs as i64);
    assert_eq!(
        database.counted("login", "rate_limited").await,
        refused as i64
    );
    server.abort();
    store.close().await;
}

on_each_backend!(made_up_tokens_are_counted_per_address_and_minute_not_written_a_row_each);
async fn made_up_tokens_are_counted_per_address_and_minute_not_written_a_row_each(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let database = Database::open(&app.folder.database_url()).await;
    let audit_rows = "SELECT CAST(count(*) AS BIGINT) FROM audit";
    let rows_before = database.numbers(audit_rows).await[0];
    let tallies_before = database
        .numbers("SELECT CAST(count(*) AS BIGINT) FROM audit_tallies")
        .await[0];
    for n in 0..200 {
        let token = format!("made-up-token-{n:04}-AAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        let response = app
            .send(Method::GET, "/api/v1/sync/pull", Some(&token), None)
            .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(database.numbers(audit_rows).await[0], rows_before);
    let tallies = database
        .texts(
            "SELECT address || ' ' || action || ' ' || outcome FROM audit_tallies
             WHERE outcome = 'unknown_token'",
        )
        .await;
    // One row a minute: two if the requests crossed into the next.
    assert!(
        (1..=2).contains(&tallies.len()),
        "{tallies:?} (and {tallies_before} before)"
    );
    assert!(
        tallies
            .iter()
            .all(|row| row == "127.0.0.1 refused unknown_token")
    );
    assert_eq!(database.counted("refused", "unknown_token").await, 200);

    // A login for no account and a guessed setup code are counted alike.
    let response = app.try_log_in("nobody.here", "a wrong guess 1").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(database.counted("login", "bad_login").await, 1);
    // A code for one more centre waits, so a wrong one is a guess, not a setup already done.
    sakhi_server::add_centre_code(&Settings {
        database_url: app.folder.database_url(),
        ..Settings::default()
    })
    .await
    .unwrap();
    let response = app
        .send(
            Method::POST,
            "/api/v1/setup",
            None,
            Some(setup_body("GUESS-GUESS-0000", "BLR", "admin.blr")),
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(database.counted("setup", "bad_setup_code").await, 1);
    assert_eq!(database.numbers(audit_rows).await[0], rows_before);
}

on_each_backend!(refusals_from_more_addresses_than_a_minute_tells_apart_share_one_row);
async fn refusals_from_more_addresses_than_a_minute_tells_apart_share_one_row(backend: Backend) {
    let folder = Folder::new(backend).await;
    let settings = Settings {
        trust_forwarded_for: true,
        ..settings(&folder)
    };
    let app = crate::helpers::spawn_with(settings, folder)
        .await
        .ready()
        .await;
    let database = Database::open(&app.folder.database_url()).await;
    let addresses = sakhi_server::store::TALLY_ADDRESSES + 20;
    for n in 0..addresses {
        let response = app
            .client
            .get(app.url("/api/v1/sync/pull"))
            .header(
                "x-forwarded-for",
                format!("10.9.{}.{}", n / 200, n % 200 + 1),
            )
            .bearer_auth("made-up-token-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let rows = database
        .numbers(
            "SELECT CAST(count(*) AS BIGINT) FROM audit_tallies WHERE outcome = 'unknown_token'",
        )
        .await[0];
    // Unless the minute turned meanwhile, the last twenty share the row `*`.
    assert!(
        rows <= sakhi_server::store::TALLY_ADDRESSES + 2,
        "{rows} rows"
    );
    assert!(rows < addresses, "{rows} rows");
    assert_eq!(
        database.counted("refused", "unknown_token").await,
        addresses
    );
}
