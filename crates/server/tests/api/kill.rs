//! A server killed (SIGKILL, no chance to finish anything) at random moments while phones push:
//! after every restart the database passes SQLite's integrity check and holds every change the
//! server acknowledged before it died.
//!
//! `SAKHI_KILL_ROUNDS` sets the number of rounds (100 by default) and `SAKHI_KILL_SEED` replays
//! the moments of a failed run, whose seed the failure prints.

use crate::binary::serving;
use crate::helpers::{Backend, Folder, is_accepted, now, spawn_app_in};
use sakhi_domain::wire::{PROTOCOL, PullResponse, PushRequest, PushResponse};
use sakhi_domain::{Change, Clock, DeviceId, Kind, Record, RecordId};
use serde_json::json;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Child;

/// Cases per push; each gets two changes (name and village).
const CASES_PER_PUSH: usize = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_acknowledged_is_lost_when_the_server_is_killed_mid_push() {
    let rounds = env_number("SAKHI_KILL_ROUNDS").unwrap_or(100);
    let seed = env_number("SAKHI_KILL_SEED").unwrap_or_else(|| {
        let since_epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        since_epoch.as_nanos() as u64
    });
    let mut moments = Lcg(seed);
    let folder = Folder::new(Backend::Sqlite).await;
    // Set up once, in process; the session token outlives every restart.
    let app = spawn_app_in(folder.clone()).await;
    let token = app.token.clone().expect("a session");
    app.stop().await;

    let acknowledged: Arc<Mutex<BTreeMap<RecordId, (String, String)>>> = Arc::default();
    for round in 0..rounds {
        let (mut server, base) = start(&folder).await;
        let context = format!("round {round} of the run with SAKHI_KILL_SEED={seed}");
        check_everything_acknowledged_is_there(&base, &token, &acknowledged, &context).await;

        let pusher = tokio::spawn(push_until_refused(
            base,
            token.clone(),
            round,
            Arc::clone(&acknowledged),
        ));
        tokio::time::sleep(Duration::from_millis(moments.below(120))).await;
        // The pusher sends one push after another, so the kill lands inside one nearly always.
        server.start_kill().expect("SIGKILL");
        server.wait().await.expect("the killed server is reaped");
        pusher.await.expect("the pusher ends when the server dies");

        let integrity = integrity_check(&folder).await;
        assert_eq!(integrity, "ok", "{context}");
    }
    let (mut server, base) = start(&folder).await;
    let context = format!("after the last round of SAKHI_KILL_SEED={seed}");
    check_everything_acknowledged_is_there(&base, &token, &acknowledged, &context).await;
    server.start_kill().ok();
    let held = acknowledged.lock().unwrap().len();
    assert!(
        held > 0,
        "some pushes were acknowledged before the kills ({context})"
    );
}

/// Starts the real binary over `folder` and waits for the line saying where it serves.
async fn start(folder: &Folder) -> (Child, String) {
    let mut child = serving(folder)
        .env("RUST_LOG", "error")
        .spawn()
        .expect("Failed to start sakhi-server");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("the server says where it serves in time")
        .expect("stdout is readable")
        .expect("a line on stdout");
    let base = line
        .strip_prefix("Sakhi is serving on ")
        .unwrap_or_else(|| panic!("unexpected line {line:?}"))
        .replace("localhost", "127.0.0.1");
    (child, base)
}

/// Pushes new cases until a push gets no answer (the server died), keeping what was acknowledged.
async fn push_until_refused(
    base: String,
    token: String,
    round: u64,
    acknowledged: Arc<Mutex<BTreeMap<RecordId, (String, String)>>>,
) {
    let client = reqwest::Client::new();
    let mut phone = Clock::new(DeviceId::new());
    for push in 0.. {
        let mut changes: Vec<Change> = Vec::new();
        let mut sent = BTreeMap::new();
        for n in 0..CASES_PER_PUSH {
            let mut case = Record::new(RecordId::new(), Kind::Case);
            let name = format!("case {round}-{push}-{n}");
            let village = format!("village {round}-{push}-{n}");
            changes.push(case.edit(&mut phone, now(), "name", json!(name)));
            changes.push(case.edit(&mut phone, now(), "village", json!(village)));
            sent.insert(case.id, (name, village));
        }
        let request = PushRequest {
            protocol: PROTOCOL,
            device: phone.device(),
            seen: None,
            changes,
        };
        let answer = client
            .post(format!("{base}/api/v1/sync/push"))
            .bearer_auth(&token)
            .json(&request)
            .send()
            .await;
        let Ok(answer) = answer else { return };
        let Ok(answer) = answer.json::<PushResponse>().await else {
            return;
        };
        // Only what the server said it accepted counts; a case counts once both its changes are.
        let mut accepted = BTreeMap::<RecordId, usize>::new();
        let Some(results) =
            answer.outcomes(&request.changes.iter().map(|c| c.id).collect::<Vec<_>>())
        else {
            return;
        };
        for (result, change) in results.iter().zip(&request.changes) {
            if is_accepted(result) {
                *accepted.entry(change.record).or_default() += 1;
            }
        }
        let mut held = acknowledged.lock().unwrap();
        for (id, values) in sent {
            if accepted.get(&id) == Some(&2) {
                held.insert(id, values);
            }
        }
    }
}

async fn check_everything_acknowledged_is_there(
    base: &str,
    token: &str,
    acknowledged: &Mutex<BTreeMap<RecordId, (String, String)>>,
    context: &str,
) {
    let client = reqwest::Client::new();
    let mut records = BTreeMap::new();
    let mut cursor = 0;
    loop {
        let page: PullResponse = client
            .get(format!("{base}/api/v1/sync/pull?after={cursor}&limit=1000"))
            .bearer_auth(token)
            .send()
            .await
            .expect("the restarted server answers")
            .json()
            .await
            .expect("a pull page");
        cursor = page.cursor.0;
        records.extend(page.records.into_iter().map(|record| (record.id, record)));
        if !page.more {
            break;
        }
    }
    let held = acknowledged.lock().unwrap();
    for (id, (name, village)) in held.iter() {
        let record = records
            .get(id)
            .unwrap_or_else(|| panic!("acknowledged case {id} is missing, {context}"));
        assert_eq!(record.text("name"), Some(name.as_str()), "{context}");
        assert_eq!(record.text("village"), Some(village.as_str()), "{context}");
    }
}

async fn integrity_check(folder: &Folder) -> String {
    let mut db = SqliteConnectOptions::new()
        .filename(folder.sqlite_file())
        .connect()
        .await
        .expect("the killed server's database opens");
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut db)
        .await
        .expect("an integrity check");
    db.close().await.ok();
    integrity
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|value| {
        value
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a number"))
    })
}

/// The kill moments: a small seeded generator, so that a failed run can be replayed.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % bound
    }
}
