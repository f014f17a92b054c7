//! The real server, in this process: its router, handlers and SQLite store over a file, called
//! without a socket. Accounts and sessions are made once through its own API into a template
//! database, which each run copies, since hashing their passwords costs far more than a run.
//!
//! Backups and restores are the server's own (`VACUUM INTO` while serving; the file put back
//! under a new epoch). The files live in `/dev/shm` where there is one: SQLite still writes and
//! syncs as in production, and thousands of runs do not wait on a disk's flushes.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, header};
use sakhi_domain::wire::Cursor;
use sakhi_domain::wire::account::Session;
use sakhi_domain::wire::paths;
use sakhi_domain::{DeviceId, Record, RecordId, Role};
use sakhi_server::backup;
use sakhi_server::state::AuthState;
use sakhi_server::{
    AccountStore, AppState, SecurityHeaders, Settings, SqliteStore, SyncStore, clock, secrets,
};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use tempfile::TempDir;
use tower::ServiceExt;
use uuid::Uuid;

/// How many workers, each on her own phone, a template has sessions for.
pub const WORKERS: usize = 4;
const SETUP_CODE: &str = "fault-test-setup-code";
const PASSWORD: &str = "नदी किनारे घर 7";

/// What the server said: a status and a body.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

/// A set-up centre with [`WORKERS`] counsellors, each logged in on one phone.
pub struct Template {
    database: Vec<u8>,
    auth: Arc<AuthState>,
    /// Each worker's phone and session token.
    pub sessions: Vec<(DeviceId, String)>,
}

impl Template {
    /// The template, made on first use.
    pub fn get() -> &'static Template {
        static TEMPLATE: OnceLock<Template> = OnceLock::new();
        TEMPLATE.get_or_init(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("Failed to start a runtime")
                .block_on(Template::make())
        })
    }

    async fn make() -> Template {
        let folder = scratch();
        let settings = settings(folder.path(), 0);
        let store = SqliteStore::open(&settings.database_url, clock::system_millis())
            .await
            .unwrap();
        let code = secrets::sha256_hex(&secrets::normalise_setup_code(SETUP_CODE));
        store
            .replace_first_setup_code(&code, clock::system_millis())
            .await
            .unwrap();
        let state = AppState::new(store.clone(), &settings).await.unwrap();
        let auth = Arc::clone(&state.auth);
        let router = sakhi_server::router(state, &headers(folder.path()));

        let setup = json!({
            "code": SETUP_CODE,
            "centre": {"code": "DHR", "name": "One Stop Centre DHR", "district": "धारवाड़",
                       "state": "Karnataka"},
            "admin": {"username": "admin.dhr", "display_name": "सीता देवी", "password": PASSWORD}
        });
        let admin: Session =
            expect(call(&router, Method::POST, "/api/v1/setup", None, setup).await);
        let mut sessions = Vec::new();
        for worker in 0..WORKERS {
            let username = format!("counsellor{worker}.dhr");
            let account = json!({"username": username, "display_name": format!("गीता {worker}"),
                                 "role": Role::Counsellor, "password": PASSWORD});
            call(
                &router,
                Method::POST,
                "/api/v1/accounts",
                Some(&admin.token),
                account,
            )
            .await;
            let device = DeviceId::from_uuid(Uuid::from_u128(0x5a_0000 + worker as u128));
            let login = json!({"username": username, "password": PASSWORD, "device": device});
            let session: Session =
                expect(call(&router, Method::POST, "/api/v1/session", None, login).await);
            sessions.push((device, session.token));
        }
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(store.pool())
            .await
            .unwrap();
        store.close().await;
        let bytes = std::fs::read(folder.path().join(database(0))).unwrap();
        Template {
            database: bytes,
            auth,
            sessions,
        }
    }
}

/// One run's server.
pub struct Server {
    folder: TempDir,
    store: SqliteStore,
    router: Router,
    auth: Arc<AuthState>,
    /// The latest backup, if one was made.
    backup: Option<PathBuf>,
    backups: usize,
    /// How many times the database was restored: each life has a file of its own (see
    /// [`Server::restore`]).
    restores: usize,
}

impl Server {
    /// A server over a fresh copy of the template's database.
    pub async fn start(template: &Template) -> Server {
        let folder = scratch();
        std::fs::write(folder.path().join(database(0)), &template.database).unwrap();
        let auth = Arc::clone(&template.auth);
        let (store, router) = open(folder.path(), 0, &auth).await;
        Server {
            folder,
            store,
            router,
            auth,
            backup: None,
            backups: 0,
            restores: 0,
        }
    }

    /// Backs the database up while it serves, as `sakhi-server backup` does.
    pub async fn back_up(&mut self) {
        self.backups += 1;
        let path = self
            .folder
            .path()
            .join(format!("backup-{}.db", self.backups));
        let url = settings(self.folder.path(), self.restores).database_url;
        backup::backup(&url, &path).await.unwrap();
        self.backup = Some(path);
    }

    /// Stops the server, puts the latest backup back as `sakhi-server restore` does (a new
    /// epoch), and starts it again. False if there is no backup to restore.
    ///
    /// The restored database goes to a file of its own. A stopped server's process is gone, but
    /// here the old store lives on in this process, and sqlx's `Pool::close` may return with a
    /// connection still open (launchbadge/sqlx#3217): closing later, it would write its
    /// write-ahead log into whatever file then has its name.
    pub async fn restore(&mut self) -> bool {
        let Some(backup) = self.backup.clone() else {
            return false;
        };
        self.store.close().await;
        self.restores += 1;
        let url = settings(self.folder.path(), self.restores).database_url;
        backup::restore(&url, &backup, clock::system_millis())
            .await
            .unwrap();
        keep_sessions(&url).await;
        (self.store, self.router) = open(self.folder.path(), self.restores, &self.auth).await;
        true
    }

    /// `POST /api/v1/sync/push` with `body` as it arrived, as the holder of `token`.
    pub async fn push(&self, token: &str, body: Vec<u8>) -> Answer {
        let request = request(Method::POST, "/api/v1/sync/push", Some(token))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap();
        send(&self.router, request).await
    }

    /// `POST /api/v1/sync/restate` with `body` as it arrived, as the holder of `token`.
    pub async fn restate(&self, token: &str, body: Vec<u8>) -> Answer {
        let request = request(Method::POST, "/api/v1/sync/restate", Some(token))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap();
        send(&self.router, request).await
    }

    /// `GET /api/v1/sync/pull?after=…&limit=…` as the holder of `token`.
    pub async fn pull(&self, token: &str, after: Cursor, limit: u32) -> Answer {
        let path = format!("/api/v1/sync/pull?after={}&limit={limit}", after.0);
        let request = request(Method::GET, &path, Some(token))
            .body(Body::empty())
            .unwrap();
        send(&self.router, request).await
    }

    /// `GET /api/v1/attachments/{id}/upload` as the holder of `token`.
    pub async fn upload(&self, token: &str, id: RecordId) -> Answer {
        let request = request(Method::GET, &paths::attachment_upload(id), Some(token))
            .body(Body::empty())
            .unwrap();
        send(&self.router, request).await
    }

    /// `PUT /api/v1/attachments/{id}/chunks/{n}` with `bytes`, as the holder of `token`.
    pub async fn put_chunk(&self, token: &str, id: RecordId, n: u32, bytes: Vec<u8>) -> Answer {
        let request = request(Method::PUT, &paths::attachment_chunk(id, n), Some(token))
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .body(Body::from(bytes))
            .unwrap();
        send(&self.router, request).await
    }

    /// `GET /api/v1/attachments/{id}/chunks/{n}` as the holder of `token`.
    pub async fn chunk(&self, token: &str, id: RecordId, n: u32) -> Answer {
        let request = request(Method::GET, &paths::attachment_chunk(id, n), Some(token))
            .body(Body::empty())
            .unwrap();
        send(&self.router, request).await
    }

    /// Every record the server holds, read from its database.
    pub async fn records(&self) -> BTreeMap<RecordId, Record> {
        let bodies: Vec<String> = sqlx::query_scalar("SELECT body FROM records")
            .fetch_all(self.store.pool())
            .await
            .unwrap();
        bodies
            .iter()
            .map(|body| serde_json::from_str::<Record>(body).unwrap())
            .map(|record| (record.id, record))
            .collect()
    }

    pub async fn stop(self) {
        self.store.close().await;
        drop(self.folder);
    }
}

/// The store over `folder`'s database and the router over it, sharing the template's sessions
/// state rather than making one with `AppState::new`, which hashes a password.
async fn open(folder: &Path, life: usize, auth: &Arc<AuthState>) -> (SqliteStore, Router) {
    let settings = settings(folder, life);
    let store = SqliteStore::open(&settings.database_url, clock::system_millis())
        .await
        .unwrap();
    let state = AppState {
        store: store.clone(),
        dist: settings.dist.clone(),
        auth: Arc::clone(auth),
        limits: settings.attachments,
    };
    let router = sakhi_server::router(state, &headers(folder));
    (store, router)
}

/// A temporary folder, in memory where the system offers it.
fn scratch() -> TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        tempfile::tempdir_in(shm).expect("Failed to make a folder in /dev/shm")
    } else {
        tempfile::tempdir().expect("Failed to make a temporary folder")
    }
}

/// Undoes the one thing a real restore does that this simulation leaves out: ending every session.
/// Phones then log in again (tested in the API tests); here it would only add a password hash per
/// phone per restore, while what is simulated is what the phones give back.
async fn keep_sessions(url: &str) {
    use sqlx::{ConnectOptions, Connection};
    let options: sqlx::sqlite::SqliteConnectOptions = url.parse().unwrap();
    let mut db = options.connect().await.unwrap();
    sqlx::query("UPDATE sessions SET revoked_at = NULL")
        .execute(&mut db)
        .await
        .unwrap();
    db.close().await.unwrap();
}

/// The database file of the server's `life`th life (0 until it is first restored).
fn database(life: usize) -> String {
    format!("sakhi-{life}.db")
}

fn settings(folder: &Path, life: usize) -> Settings {
    Settings {
        port: 0,
        database_url: format!("sqlite://{}", folder.join(database(life)).display()),
        dist: folder.join("dist"),
        ..Settings::default()
    }
}

fn headers(folder: &Path) -> SecurityHeaders {
    SecurityHeaders::new(&folder.join("dist"), None)
}

fn request(method: Method, path: &str, token: Option<&str>) -> axum::http::request::Builder {
    let builder = Request::builder().method(method).uri(path);
    match token {
        Some(token) => builder.header(header::AUTHORIZATION, format!("Bearer {token}")),
        None => builder,
    }
}

async fn send(router: &Router, request: Request<Body>) -> Answer {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    Answer {
        status,
        body: body.to_vec(),
    }
}

/// A JSON request for the template's setup.
async fn call(
    router: &Router,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: serde_json::Value,
) -> Answer {
    let request = request(method, path, token)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let answer = send(router, request).await;
    assert!(
        (200..300).contains(&answer.status),
        "{path}: {} {}",
        answer.status,
        String::from_utf8_lossy(&answer.body)
    );
    answer
}

fn expect<T: serde::de::DeserializeOwned>(answer: Answer) -> T {
    serde_json::from_slice(&answer.body).expect("the answer the API documents")
}
