//! `spawn_app(backend)` and friends: a real server on a free port over a database of its own, of
//! either backend, and a temporary folder holding a fake built app; set up with a preset code and
//! logged in as its administrator. `on_each_backend!` runs a test once per backend.

use reqwest::StatusCode;
use sakhi_domain::Role;
use sakhi_domain::schema::NUMBER;
use sakhi_domain::wire::account::{Account, NewAccount, Session};
use sakhi_domain::wire::{
    ChangeResult, Cursor, Outcome, PROTOCOL, PullResponse, PushRequest, PushResponse,
    RestateRequest, RestateResponse, Seen,
};
use sakhi_domain::{Change, DeviceId, Epoch, Record, RecordId};
use sakhi_server::{Clock, ServeError, Settings, serve_with_clock};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use crate::databases::{Backend, TestDatabase};

pub const HASHED_JS: &str = "sakhi-0123456789abcdef.js";
pub const HASHED_WASM: &str = "sakhi-0123456789abcdef_bg.wasm";
/// Quick exit's harmless page.
pub const HARMLESS_HTML: &str = "<!doctype html><meta charset=\"utf-8\"><title>Weather</title>";
pub const INDEX_HTML: &str = "<!doctype html><meta charset=\"utf-8\"><title>Sakhi</title>";
/// The setup code every test server is started with.
pub const SETUP_CODE: &str = "test-setup-code-0001";
/// The password of every account the tests make.
pub const PASSWORD: &str = "नदी किनारे घर 7";
/// The first centre's administrator.
pub const ADMIN: &str = "admin.dhr";

/// Makes each named `async fn(backend: Backend)` a test per backend, `name::sqlite` and
/// `name::postgres`. Written just above the function, like an attribute.
macro_rules! on_each_backend {
    ($($test:ident),+ $(,)?) => {$(
        mod $test {
            #[tokio::test]
            async fn sqlite() {
                super::$test($crate::helpers::Backend::Sqlite).await;
            }

            #[tokio::test]
            async fn postgres() {
                super::$test($crate::helpers::Backend::Postgres).await;
            }
        }
    )+};
}

/// What a test server works on: a database of its own and a temporary folder with `dist/`, the
/// fake app. Several servers over one folder share its database.
pub struct Folder {
    dir: TempDir,
    database: TestDatabase,
}

impl Folder {
    pub async fn new(backend: Backend) -> Arc<Folder> {
        let database = TestDatabase::new(backend).await;
        let dir = tempfile::tempdir().expect("Failed to make a temporary folder");
        let dist = dir.path().join("dist");
        std::fs::create_dir(&dist).unwrap();
        std::fs::write(dist.join("index.html"), INDEX_HTML).unwrap();
        std::fs::write(dist.join(HASHED_JS), "export default function init() {}").unwrap();
        std::fs::write(dist.join(HASHED_WASM), b"\0asm\x01\0\0\0").unwrap();
        std::fs::write(
            dist.join("sw.js"),
            "self.addEventListener('fetch', () => {});",
        )
        .unwrap();
        std::fs::write(dist.join("manifest.webmanifest"), r#"{"name":"Sakhi"}"#).unwrap();
        std::fs::create_dir(dist.join("weather")).unwrap();
        std::fs::write(dist.join("weather/index.html"), HARMLESS_HTML).unwrap();
        Arc::new(Folder { dir, database })
    }

    pub fn path(&self) -> &std::path::Path {
        self.dir.path()
    }

    pub fn database_url(&self) -> String {
        self.database.url().to_owned()
    }

    /// The SQLite file, for the tests of what only SQLite does (backup, a killed server).
    pub fn sqlite_file(&self) -> PathBuf {
        let url = self.database_url();
        let file = url
            .strip_prefix("sqlite://")
            .expect("a SQLite test database");
        PathBuf::from(file)
    }

    pub fn dist(&self) -> PathBuf {
        self.dir.path().join("dist")
    }
}

pub struct TestApp {
    pub address: String,
    /// The administrator's session, sent by `get`, `push` and `pull`; `None` before setup.
    pub token: Option<String>,
    pub client: reqwest::Client,
    pub folder: Arc<Folder>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<Result<(), ServeError>>>,
}

/// A server over a fresh folder and database, set up, with the administrator logged in.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_in(Folder::new(backend).await).await
}

/// The settings of a test server over `folder`, started with [`SETUP_CODE`].
pub fn settings(folder: &Folder) -> Settings {
    Settings {
        port: 0,
        database_url: folder.database_url(),
        dist: folder.dist(),
        setup_code: Some(sakhi_server::settings::SetupCode(SETUP_CODE.to_owned())),
        ..Settings::default()
    }
}

/// A server over `folder`: a second one over the same folder is a restart, or, while the first
/// runs, another instance on the same database. Set up (if it was not
/// already) and logged in as [`ADMIN`].
pub async fn spawn_app_in(folder: Arc<Folder>) -> TestApp {
    let app = spawn_with(settings(&folder), folder).await;
    app.ready().await
}

/// A server as it starts, not set up and not logged in.
pub async fn spawn_with(settings: Settings, folder: Arc<Folder>) -> TestApp {
    spawn_with_clock(settings, folder, Clock::system()).await
}

/// A server as it starts that tells the time by `clock` (a [`TestClock`]'s, say).
pub async fn spawn_with_clock(settings: Settings, folder: Arc<Folder>, clock: Clock) -> TestApp {
    let listener = TcpListener::bind((settings.address, settings.port))
        .await
        .expect("Failed to bind a free port");
    let address = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(serve_with_clock(settings, clock, listener, async {
        let _ = stopped.await;
    }));
    let app = TestApp {
        address,
        token: None,
        client: reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap(),
        folder,
        shutdown: Some(stop),
        server: Some(server),
    };
    // The listener queues connections while the database opens; wait until it answers.
    let health = app.get("/api/v1/health").await;
    assert_eq!(health.status(), StatusCode::OK);
    app
}

/// A server's clock that the test moves on: the system's time, plus however far it was moved.
#[derive(Clone, Debug, Default)]
pub struct TestClock {
    ahead_ms: Arc<AtomicU64>,
}

impl TestClock {
    /// The clock to start a server with; every clone moves together.
    pub fn clock(&self) -> Clock {
        let ahead_ms = Arc::clone(&self.ahead_ms);
        Clock::from_fn(move || {
            sakhi_server::clock::system_millis() + ahead_ms.load(Ordering::Relaxed)
        })
    }

    /// Moves the server's time on by `by`.
    pub fn advance(&self, by: Duration) {
        let by = u64::try_from(by.as_millis()).expect("a test moves the clock by less than ages");
        self.ahead_ms.fetch_add(by, Ordering::Relaxed);
    }

    /// The time the server reads now.
    pub fn now_millis(&self) -> u64 {
        self.clock().now_millis()
    }
}

/// The body of a setup of the centre `code` with the administrator `username`.
pub fn setup_body(setup_code: &str, code: &str, username: &str) -> serde_json::Value {
    json!({
        "code": setup_code,
        "centre": {"code": code, "name": format!("One Stop Centre {code}"),
                   "district": "धारवाड़", "state": "Karnataka"},
        "admin": {"username": username, "display_name": "सीता देवी", "password": PASSWORD}
    })
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Sets up the first centre (`DHR`) if needed and logs in as its administrator.
    pub async fn ready(mut self) -> TestApp {
        let status: serde_json::Value = self.get("/api/v1/setup").await.json().await.unwrap();
        if status["needed"] == json!(true) {
            let response = self
                .send(
                    reqwest::Method::POST,
                    "/api/v1/setup",
                    None,
                    Some(setup_body(SETUP_CODE, "DHR", ADMIN)),
                )
                .await;
            assert_eq!(response.status(), StatusCode::CREATED);
        }
        self.token = Some(self.log_in(ADMIN).await.token);
        self
    }

    /// Any request, with `token` as its bearer and `body` as JSON.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> reqwest::Response {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("Failed to send a request")
    }

    /// Logs in `username` with [`PASSWORD`] and expects a session.
    pub async fn log_in(&self, username: &str) -> Session {
        let response = self.try_log_in(username, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::OK, "login of {username}");
        response.json().await.expect("a session")
    }

    pub async fn try_log_in(&self, username: &str, password: &str) -> reqwest::Response {
        let body = json!({"username": username, "password": password, "device": DeviceId::new()});
        self.send(reqwest::Method::POST, "/api/v1/session", None, Some(body))
            .await
    }

    /// Makes an account with [`PASSWORD`] as the administrator `admin_token`, and logs it in.
    pub async fn account(
        &self,
        admin_token: &str,
        username: &str,
        role: Role,
    ) -> (Account, String) {
        let body = NewAccount {
            username: username.to_owned(),
            display_name: format!("{username} देवी"),
            role,
            password: PASSWORD.to_owned(),
        };
        let response = self
            .send(
                reqwest::Method::POST,
                "/api/v1/accounts",
                Some(admin_token),
                Some(serde_json::to_value(body).unwrap()),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let account: Account = response.json().await.unwrap();
        let token = self.log_in(username).await.token;
        (account, token)
    }

    /// A GET with the administrator's session, if any.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.send(reqwest::Method::GET, path, self.token.as_deref(), None)
            .await
    }

    /// Pushes as the holder of `token`, answering the raw response.
    pub async fn push_as(
        &self,
        token: &str,
        device: DeviceId,
        changes: &[Change],
    ) -> reqwest::Response {
        let request = PushRequest {
            protocol: PROTOCOL,
            device,
            seen: None,
            changes: changes.to_vec(),
        };
        self.client
            .post(self.url("/api/v1/sync/push"))
            .bearer_auth(token)
            .json(&request)
            .send()
            .await
            .expect("Failed to send a push")
    }

    /// One page of a pull as the holder of `token`.
    pub async fn pull_as(&self, token: &str, after: Cursor, limit: u32) -> PullResponse {
        let response = self
            .send(
                reqwest::Method::GET,
                &format!("/api/v1/sync/pull?after={}&limit={limit}", after.0),
                Some(token),
                None,
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("a pull response")
    }

    /// Every record the holder of `token` may see, following pages to the end as a phone does:
    /// the records of each page kept, those it says are gone removed.
    pub async fn pull_all_as(&self, token: &str) -> BTreeMap<RecordId, Record> {
        let mut records = BTreeMap::new();
        let mut cursor = Cursor(0);
        loop {
            let page = self.pull_as(token, cursor, 1000).await;
            cursor = page.cursor;
            for record in page.records {
                records.insert(record.id, record);
            }
            for gone in page.gone {
                records.remove(&gone);
            }
            if !page.more {
                return records;
            }
        }
    }

    /// Posts any body to the push endpoint, as JSON.
    pub async fn push_raw(&self, body: impl Into<reqwest::Body>) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/sync/push"))
            .bearer_auth(self.token.as_deref().unwrap_or_default())
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("Failed to send a push")
    }

    /// Pushes changes as `device` and expects an answer for each change, in order.
    pub async fn push(&self, device: DeviceId, changes: &[Change]) -> PushAnswer {
        self.push_seen(device, None, changes).await
    }

    /// Pushes changes as `device`, which holds everything through `seen`, and expects an answer
    /// for each change, in order.
    pub async fn push_seen(
        &self,
        device: DeviceId,
        seen: Option<Seen>,
        changes: &[Change],
    ) -> PushAnswer {
        let request = PushRequest {
            protocol: PROTOCOL,
            device,
            seen,
            changes: changes.to_vec(),
        };
        let response = self
            .client
            .post(self.url("/api/v1/sync/push"))
            .bearer_auth(self.token.as_deref().unwrap_or_default())
            .json(&request)
            .send()
            .await
            .expect("Failed to send a push");
        assert_eq!(response.status(), StatusCode::OK);
        let answer: PushResponse = response.json().await.expect("a push response");
        PushAnswer {
            results: outcomes(&answer, changes),
            epoch: answer.epoch,
            caught_up: answer.caught_up,
        }
    }

    /// Gives records back as the holder of `token` (as a phone does after a restore), answering
    /// the raw response.
    pub async fn restate_as(
        &self,
        token: &str,
        device: DeviceId,
        records: &[Record],
    ) -> reqwest::Response {
        let request = RestateRequest {
            protocol: PROTOCOL,
            device,
            epoch: None,
            records: records.to_vec(),
        };
        self.client
            .post(self.url("/api/v1/sync/restate"))
            .bearer_auth(token)
            .json(&request)
            .send()
            .await
            .expect("Failed to send a restatement")
    }

    /// Gives records back as the administrator and expects one result per record, in order.
    pub async fn restate(&self, device: DeviceId, records: &[Record]) -> RestateResponse {
        let token = self.token.as_deref().unwrap_or_default();
        let response = self.restate_as(token, device, records).await;
        assert_eq!(response.status(), StatusCode::OK);
        let answer: RestateResponse = response.json().await.expect("a restatement's answer");
        let sent: Vec<_> = records.iter().map(|r| r.id).collect();
        let answered: Vec<_> = answer.results.iter().map(|r| r.record).collect();
        assert_eq!(answered, sent, "one result per record, in order");
        answer
    }

    pub async fn pull(&self, after: Cursor, limit: u32) -> PullResponse {
        let response = self
            .get(&format!(
                "/api/v1/sync/pull?after={}&limit={limit}",
                after.0
            ))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("a pull response")
    }

    /// Every record, following pages to the end.
    pub async fn pull_all(&self) -> BTreeMap<RecordId, Record> {
        let mut records = BTreeMap::new();
        let mut cursor = Cursor(0);
        loop {
            let page = self.pull(cursor, 1000).await;
            cursor = page.cursor;
            for record in page.records {
                records.insert(record.id, record);
            }
            if !page.more {
                return records;
            }
        }
    }

    /// Stops the server as a shutdown signal would, and waits until it has.
    pub async fn stop(mut self) {
        self.shutdown.take().unwrap().send(()).ok();
        let served = self.server.take().unwrap().await.expect("the server task");
        served.expect("the server stops cleanly");
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.shutdown.take() {
            stop.send(()).ok();
        }
    }
}

/// Milliseconds that only grow, for stamps; the clock copes with any, but real ones read well.
pub fn now() -> u64 {
    static LAST: AtomicU64 = AtomicU64::new(1_750_000_000_000);
    LAST.fetch_add(1, Ordering::Relaxed)
}

/// A push's answer with what became of each change sent spelt out, in order.
#[derive(Debug, PartialEq)]
pub struct PushAnswer {
    pub epoch: Epoch,
    pub results: Vec<ChangeResult>,
    pub caught_up: Option<Cursor>,
}

/// What became of each of `changes` by `answer`, which must add up to them.
pub fn outcomes(answer: &PushResponse, changes: &[Change]) -> Vec<ChangeResult> {
    let sent: Vec<_> = changes.iter().map(|change| change.id).collect();
    answer
        .outcomes(&sent)
        .expect("an answer that adds up to the changes sent")
}

pub fn is_accepted(result: &ChangeResult) -> bool {
    result.outcome == Outcome::Accepted
}

/// The code of a refused change, or `None` if it was accepted.
pub fn rejection_code(result: &ChangeResult) -> Option<&str> {
    match &result.outcome {
        Outcome::Accepted => None,
        Outcome::Rejected { code, .. } => Some(code),
    }
}

/// Records as their devices wrote them: without the number the server gives each case at its
/// first push, to compare with what a test made.
pub fn unnumbered(records: impl IntoIterator<Item = Record>) -> Vec<Record> {
    records
        .into_iter()
        .map(|record| record.without(NUMBER))
        .collect()
}

/// The same for records by id.
pub fn unnumbered_by_id(records: &BTreeMap<RecordId, Record>) -> BTreeMap<RecordId, Record> {
    records
        .iter()
        .map(|(id, record)| (*id, record.without(NUMBER)))
        .collect()
}
