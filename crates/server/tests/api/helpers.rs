//! `spawn_app()` and friends: a real server on a free port over a temporary folder holding the
//! database and a fake built app.

use reqwest::StatusCode;
use sakhi_domain::wire::{
    ChangeResult, Cursor, Outcome, PROTOCOL, PullResponse, PushRequest, PushResponse,
};
use sakhi_domain::{Change, DeviceId, Record, RecordId};
use sakhi_server::{ServeError, Settings, serve};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const HASHED_JS: &str = "sakhi-0123456789abcdef.js";
pub const HASHED_WASM: &str = "sakhi-0123456789abcdef_bg.wasm";
pub const INDEX_HTML: &str = "<!doctype html><meta charset=\"utf-8\"><title>Sakhi</title>";

/// A temporary folder with `sakhi.db` (once a server opened it) and `dist/`, the fake app.
pub struct Folder {
    dir: TempDir,
}

impl Folder {
    pub fn new() -> Arc<Folder> {
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
        Arc::new(Folder { dir })
    }

    pub fn path(&self) -> &std::path::Path {
        self.dir.path()
    }

    pub fn database_url(&self) -> String {
        format!("sqlite://{}", self.dir.path().join("sakhi.db").display())
    }

    pub fn dist(&self) -> PathBuf {
        self.dir.path().join("dist")
    }
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub folder: Arc<Folder>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<Result<(), ServeError>>>,
}

/// A server over a fresh folder.
pub async fn spawn_app() -> TestApp {
    spawn_app_in(Folder::new()).await
}

/// A server over `folder`: a second one over the same folder is a restart.
pub async fn spawn_app_in(folder: Arc<Folder>) -> TestApp {
    let settings = Settings {
        port: 0,
        database_url: folder.database_url(),
        dist: folder.dist(),
        ..Settings::default()
    };
    spawn_with(settings, folder).await
}

pub async fn spawn_with(settings: Settings, folder: Arc<Folder>) -> TestApp {
    let listener = TcpListener::bind((settings.address, settings.port))
        .await
        .expect("Failed to bind a free port");
    let address = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(serve(settings, listener, async {
        let _ = stopped.await;
    }));
    let app = TestApp {
        address,
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

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("Failed to send a GET")
    }

    /// Posts any body to the push endpoint, as JSON.
    pub async fn push_raw(&self, body: impl Into<reqwest::Body>) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/sync/push"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("Failed to send a push")
    }

    /// Pushes changes as `device` and expects an answer, one result per change, in order.
    pub async fn push(&self, device: DeviceId, changes: &[Change]) -> PushResponse {
        let request = PushRequest {
            protocol: PROTOCOL,
            device,
            changes: changes.to_vec(),
        };
        let response = self
            .client
            .post(self.url("/api/v1/sync/push"))
            .json(&request)
            .send()
            .await
            .expect("Failed to send a push");
        assert_eq!(response.status(), StatusCode::OK);
        let answer: PushResponse = response.json().await.expect("a push response");
        let sent: Vec<_> = changes.iter().map(|c| c.id).collect();
        let answered: Vec<_> = answer.results.iter().map(|r| r.change).collect();
        assert_eq!(answered, sent, "one result per change, in order");
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
