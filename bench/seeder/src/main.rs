//! The benchmarks' seeding page: fills this origin's Sakhi store with synthetic cases through the
//! app's own store code, so the benchmarks measure the app on data it wrote itself.
//!
//! `/bench-seed/?unsent=N` saves N cases as a worker would (`Store::edit`), leaving 6·N changes in
//! the outbox; `/bench-seed/?pulled=N` takes N cases in as pulled pages from another device
//! (`Store::apply_pull_page`), leaving the outbox empty. The page's title says when it is done.
//!
//! The store belongs to a fixed bench worker: account `bench`, passphrase `bench-passphrase`. The
//! page unlocks her from this origin's keyring, or enrols her there first if she is not on it, and
//! opens her store, the database `sakhi-bench`; the app unlocks her the same way.

#[allow(dead_code)] // the seeder uses only part of the shared generator
#[path = "../../cases.rs"]
mod cases;

use sakhi::store::{DataKey, Keyring, Store, StoreError, Worker, database_name};
use sakhi_domain::wire::Cursor;
use sakhi_domain::{Clock, DeviceId, Epoch, Kind, Record, RecordId};

/// Records per pulled page, as the sync client asks for them.
const PAGE: usize = 200;
/// The bench worker's account and passphrase.
const ACCOUNT: &str = "bench";
const PASSPHRASE: &str = "bench-passphrase";

fn main() {
    wasm_bindgen_futures::spawn_local(async {
        let title = match seed().await {
            Ok(count) => format!("seeded {count}"),
            Err(error) => format!("failed: {error}"),
        };
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(&title);
        }
    });
}

async fn seed() -> Result<usize, String> {
    let search = web_sys::window()
        .ok_or("no window")?
        .location()
        .search()
        .map_err(|_| "no query")?;
    let (mode, count) = search
        .trim_start_matches('?')
        .split_once('=')
        .ok_or("ask for ?unsent=N or ?pulled=N")?;
    let count: u64 = count.parse().map_err(|_| "N is not a number")?;
    let key = bench_key().await.map_err(|e| e.to_string())?;
    let store = Store::open(&database_name(ACCOUNT), key)
        .await
        .map_err(|e| e.to_string())?;
    let now = js_sys::Date::now() as u64;
    match mode {
        "unsent" => {
            for n in 0..count {
                let case = Record::new(RecordId::new(), Kind::Case);
                store
                    .edit(case, cases::case_fields(n), now)
                    .await
                    .map_err(|e| e.to_string())?;
            }
        }
        "pulled" => {
            let mut clock = Clock::new(DeviceId::new());
            let records: Vec<Record> = (0..count)
                .map(|n| {
                    let mut record = Record::new(RecordId::new(), Kind::Case);
                    for (field, value) in cases::case_fields(n) {
                        record.edit(&mut clock, now, field, value);
                    }
                    record
                })
                .collect();
            let epoch = Epoch::new();
            for (page, chunk) in records.chunks(PAGE).enumerate() {
                let cursor = Cursor((page * PAGE + chunk.len()) as u64);
                store
                    .apply_pull_page(chunk, cursor, epoch)
                    .await
                    .map_err(|e| e.to_string())?;
            }
        }
        other => return Err(format!("unknown mode {other:?}")),
    }
    let cases = store.cases().await.map_err(|e| e.to_string())?.len();
    store.close();
    Ok(cases)
}

/// The bench worker's data key: unlocked if she is on this origin's keyring, else enrolled.
async fn bench_key() -> Result<DataKey, StoreError> {
    let keyring = Keyring::open().await?;
    match keyring.unlock(ACCOUNT, PASSPHRASE).await {
        Err(StoreError::NotEnrolled) => {
            let worker = Worker {
                account: ACCOUNT.to_owned(),
                username: ACCOUNT.to_owned(),
                display_name: "Bench worker".to_owned(),
                centre: "bench".to_owned(),
            };
            keyring.enrol(worker, PASSPHRASE).await
        }
        unlocked => unlocked,
    }
}
