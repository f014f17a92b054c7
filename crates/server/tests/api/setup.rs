//! Setup: everything waits for it, a wrong code is refused and slowed, it happens once, and
//! `sakhi-server centre add` lets one more centre in.

use crate::database::{Database, on_pool};
use crate::helpers::{
    ADMIN, Backend, Folder, PASSWORD, SETUP_CODE, TestApp, settings, setup_body, spawn_app,
    spawn_with,
};
use reqwest::{Method, StatusCode};
use sakhi_domain::wire::ErrorBody;
use sakhi_domain::wire::account::{Session, SetupStatus};
use sakhi_server::Settings;
use serde_json::json;

async fn code_of(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    let body: ErrorBody = response.json().await.expect("an error body");
    (status, body.code.unwrap_or_default())
}

async fn unset(backend: Backend) -> TestApp {
    let folder = Folder::new(backend).await;
    spawn_with(settings(&folder), folder).await
}

on_each_backend!(before_setup_the_api_answers_503_but_health_setup_the_document_and_the_app_answer);
async fn before_setup_the_api_answers_503_but_health_setup_the_document_and_the_app_answer(
    backend: Backend,
) {
    let app = unset(backend).await;
    for path in [
        "/api/v1/sync/pull",
        "/api/v1/session",
        "/api/v1/accounts",
        "/api/v1/nothing",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.headers()["cache-control"], "no-store");
        assert_eq!(
            code_of(response).await,
            (StatusCode::SERVICE_UNAVAILABLE, "setup_required".into()),
            "{path}"
        );
    }
    for path in ["/api/v1/health", "/api/v1/openapi.json", "/", "/setup"] {
        assert_eq!(app.get(path).await.status(), StatusCode::OK, "{path}");
    }
    let status: SetupStatus = app.get("/api/v1/setup").await.json().await.unwrap();
    assert!(status.needed);
}

on_each_backend!(a_wrong_code_is_403_the_right_one_sets_up_and_then_setup_is_409);
async fn a_wrong_code_is_403_the_right_one_sets_up_and_then_setup_is_409(backend: Backend) {
    let app = unset(backend).await;
    let wrong = app
        .send(
            Method::POST,
            "/api/v1/setup",
            None,
            Some(setup_body("WRONG-CODE-0000", "DHR", ADMIN)),
        )
        .await;
    assert_eq!(
        code_of(wrong).await,
        (StatusCode::FORBIDDEN, "bad_setup_code".into())
    );

    let done = app
        .send(
            Method::POST,
            "/api/v1/setup",
            None,
            Some(setup_body(SETUP_CODE, "DHR", ADMIN)),
        )
        .await;
    assert_eq!(done.status(), StatusCode::CREATED);
    let session: Session = done.json().await.unwrap();
    assert_eq!(session.account.username, ADMIN);
    assert_eq!(session.account.centre.code, "DHR");
    assert_eq!(session.account.centre.district, "धारवाड़");
    let status: SetupStatus = app.get("/api/v1/setup").await.json().await.unwrap();
    assert!(!status.needed);
    let me = app
        .send(Method::GET, "/api/v1/session", Some(&session.token), None)
        .await;
    assert_eq!(me.status(), StatusCode::OK);

    let again = app
        .send(
            Method::POST,
            "/api/v1/setup",
            None,
            Some(setup_body(SETUP_CODE, "XYZ", "other")),
        )
        .await;
    assert_eq!(
        code_of(again).await,
        (StatusCode::CONFLICT, "already_set_up".into())
    );
}

on_each_backend!(setup_checks_the_rules_of_centre_and_administrator);
async fn setup_checks_the_rules_of_centre_and_administrator(backend: Backend) {
    let app = unset(backend).await;
    let mut body = setup_body(SETUP_CODE, "dhr", ADMIN);
    let response = app
        .send(Method::POST, "/api/v1/setup", None, Some(body.clone()))
        .await;
    assert_eq!(code_of(response).await.1, "bad_centre_code");
    body["centre"]["code"] = json!("DHR");
    body["admin"]["password"] = json!("password123");
    let response = app
        .send(Method::POST, "/api/v1/setup", None, Some(body))
        .await;
    assert_eq!(code_of(response).await.1, "password_too_common");
}

on_each_backend!(guessing_setup_codes_is_slowed_down);
async fn guessing_setup_codes_is_slowed_down(backend: Backend) {
    let app = unset(backend).await;
    let mut last = StatusCode::OK;
    for _ in 0..8 {
        let response = app
            .send(
                Method::POST,
                "/api/v1/setup",
                None,
                Some(setup_body("GUESS-GUESS-0000", "DHR", ADMIN)),
            )
            .await;
        last = response.status();
        if last == StatusCode::TOO_MANY_REQUESTS {
            assert!(response.headers().contains_key("retry-after"));
            break;
        }
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

on_each_backend!(without_a_preset_code_the_server_prints_a_setup_link_with_a_working_code);
async fn without_a_preset_code_the_server_prints_a_setup_link_with_a_working_code(
    backend: Backend,
) {
    let folder = Folder::new(backend).await;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_sakhi-server"))
        .current_dir(folder.path())
        .env_remove("SAKHI_SETUP_CODE")
        .env("RUST_LOG", "debug")
        .args([
            "--port",
            "0",
            "--database",
            &folder.database_url(),
            "--dist",
        ])
        .arg(folder.dist())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    use tokio::io::AsyncBufReadExt;
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let serving = lines.next_line().await.unwrap().unwrap();
    let port = serving.rsplit(':').next().unwrap().to_owned();
    let setup = lines.next_line().await.unwrap().unwrap();
    let link = format!("http://localhost:{port}/setup#code=");
    let at = setup.find(&link).unwrap_or_else(|| panic!("{setup}")) + link.len();
    let code: String = setup[at..].chars().take_while(|c| *c != ' ').collect();
    assert_eq!(code.len(), 19, "{code}");

    let response = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/api/v1/setup"))
        .json(&setup_body(&code, "DHR", ADMIN))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    child.kill().await.unwrap();
    let mut log = String::new();
    use tokio::io::AsyncReadExt;
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .await
        .unwrap();
    assert!(!log.contains(&code), "the code never reaches the log");
    assert!(!log.contains(PASSWORD));
}

on_each_backend!(a_code_from_centre_add_sets_up_a_second_centre_once);
async fn a_code_from_centre_add_sets_up_a_second_centre_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let settings = Settings {
        database_url: app.folder.database_url(),
        ..Settings::default()
    };
    let printed = sakhi_server::add_centre_code(&settings).await.unwrap();
    let code = printed.split("#code=").nth(1).unwrap().trim().to_owned();
    let wrong = app
        .send(
            Method::POST,
            "/api/v1/setup",
            None,
            Some(setup_body("NOPE-NOPE-NOPE-NOPE", "BLR", "admin.blr")),
        )
        .await;
    assert_eq!(
        code_of(wrong).await,
        (StatusCode::FORBIDDEN, "bad_setup_code".into())
    );
    let taken = app
        .send(
            Method::POST,
            "/api/v1/setup",
            None,
            Some(setup_body(&code, "DHR", "admin.blr")),
        )
        .await;
    assert_eq!(
        code_of(taken).await,
        (StatusCode::CONFLICT, "centre_code_taken".into())
    );
    let done = app
        .send(
            Method::POST,
            "/api/v1/setup",
            None,
            Some(setup_body(&code, "BLR", "admin.blr")),
        )
        .await;
    assert_eq!(done.status(), StatusCode::CREATED);
    let again = app
        .send(
            Method::POST,
            "/api/v1/setup",
            None,
            Some(setup_body(&code, "MYS", "admin.mys")),
        )
        .await;
    assert_eq!(
        code_of(again).await,
        (StatusCode::CONFLICT, "already_set_up".into())
    );
}

on_each_backend!(a_database_from_before_accounts_keeps_its_centre_and_records_through_setup);
async fn a_database_from_before_accounts_keeps_its_centre_and_records_through_setup(
    backend: Backend,
) {
    let folder = Folder::new(backend).await;
    let mut phone = sakhi_domain::Clock::new(sakhi_domain::DeviceId::new());
    let mut case =
        sakhi_domain::Record::new(sakhi_domain::RecordId::new(), sakhi_domain::Kind::Case);
    case.edit(&mut phone, crate::helpers::now(), "name", json!("सीता"));
    let centre = sakhi_domain::CentreId::new().to_string();
    // What a server from before accounts left: its implicit centre and a record of it. (Only
    // SQLite had such servers; PostgreSQL's setup adopts such a centre alike.)
    let database = Database::open(&folder.database_url()).await;
    database
        .execute(&format!(
            "INSERT INTO centres (id, code, name, seq, created_at)
             VALUES ('{centre}', 'default', 'One Stop Centre', 1, 0)"
        ))
        .await;
    let sql = "INSERT INTO records (id, centre_id, kind, body, seq, updated_at)
               VALUES ($1, $2, 'case', $3, 1, 0)";
    on_pool!(&database, |pool| sqlx::query(sql)
        .bind(case.id.to_string())
        .bind(&centre)
        .bind(serde_json::to_string(&case).unwrap())
        .execute(pool)
        .await
        .map(drop))
    .unwrap();

    let app = spawn_with(settings(&folder), folder).await.ready().await;

    let session = app.log_in(ADMIN).await;
    assert_eq!(session.account.centre.id.to_string(), centre);
    assert_eq!(session.account.centre.code, "DHR");
    assert_eq!(
        session.account.centre.lock_minutes,
        sakhi_domain::LockMinutes::DEFAULT.get()
    );
    let records = app.pull_all().await;
    assert_eq!(records[&case.id], case);
}
