//! The benchmarks' seeding page: fills this origin's Sakhi store with synthetic cases through the
//! app's own store code, so the benchmarks measure the app on data it wrote itself.
//!
//! `/bench-seed/?unsent=N` saves N cases as a worker would (`Store::edit`), leaving 6·N changes in
//! the outbox; `/bench-seed/?pulled=N` takes N cases in as pulled pages from another device
//! (`Store::apply_pull_page`), leaving the outbox empty. The page's title says when it is done.
//!
//! The store is a real worker's: the benchmark logs her in through the app first (which enrols her
//! on this origin's keyring and keeps her session), then opens this page with
//! `&username=U&password=P`; the page unlocks her from the keyring as the app does and seeds her
//! store, which the app then unlocks with the same password.

use sakhi::store::{DataKey, Keyring, Store, StoreError, database_name};
use sakhi_domain::wire::Cursor;
use sakhi_domain::{Clock, DeviceId, Kind, Record, RecordId};

/// Records per pulled page, as the sync client asks for them.
const PAGE: usize = 200;

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
    let query: Vec<(String, String)> = search
        .trim_start_matches('?')
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(name, value)| {
            let value = js_sys::decode_uri_component(value)
                .map(String::from)
                .unwrap_or_else(|_| value.to_owned());
            (name.to_owned(), value)
        })
        .collect();
    let param = |name: &str| {
        query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value.as_str())
    };
    let (mode, count) = match (param("unsent"), param("pulled")) {
        (Some(count), None) => ("unsent", count),
        (None, Some(count)) => ("pulled", count),
        _ => return Err("ask for ?unsent=N or ?pulled=N".to_owned()),
    };
    let count: u64 = count.parse().map_err(|_| "N is not a number")?;
    let (username, password) = param("username")
        .zip(param("password"))
        .ok_or("name the worker: &username=U&password=P")?;
    let (account, key) = unlock(username, password)
        .await
        .map_err(|e| e.to_string())?;
    let store = Store::open(&database_name(&account), key)
        .await
        .map_err(|e| e.to_string())?;
    let now = js_sys::Date::now() as u64;
    match mode {
        "unsent" => {
            for n in 0..count {
                let case = Record::new(RecordId::new(), Kind::Case);
                store
                    .edit(case, sakhi_cases::case_fields(n), now)
                    .await
                    .map_err(|e| e.to_string())?;
            }
        }
        "pulled" => {
            let mut clock = Clock::new(DeviceId::new());
            // Each case, then what was done for her, as a worked caseload holds them.
            let records: Vec<Record> = (0..count)
                .flat_map(|n| {
                    let mut case = Record::new(RecordId::new(), Kind::Case);
                    for (field, value) in sakhi_cases::case_fields(n) {
                        case.edit(&mut clock, now, field, value);
                    }
                    let work = sakhi_cases::casework(n, &case.id.to_string());
                    let mut records = vec![case];
                    for (kind, fields) in work {
                        let kind = Kind::parse(kind).expect("the bench's kinds exist");
                        let mut record = Record::new(RecordId::new(), kind);
                        for (field, value) in fields {
                            record.edit(&mut clock, now, field, value);
                        }
                        records.push(record);
                    }
                    records
                })
                .collect();
            // The server's own epoch, which the app learned at her first sync: with another, her
            // next sync would take the server for restored and give every record back to it, and
            // the benchmark would time that instead of a phone's usual start.
            let epoch = match store.sync_position().await.map_err(|e| e.to_string())? {
                (Some(epoch), _) => epoch,
                (None, _) => return Err("she has not synced on this device yet".to_owned()),
            };
            for (page, chunk) in records.chunks(PAGE).enumerate() {
                let cursor = Cursor((page * PAGE + chunk.len()) as u64);
                store
                    .apply_pull_page(chunk, &[], cursor, epoch)
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

/// The worker `username`'s account id and data key, unlocked from this origin's keyring.
async fn unlock(username: &str, password: &str) -> Result<(String, DataKey), StoreError> {
    let keyring = Keyring::open().await?;
    let worker = keyring
        .workers()
        .await?
        .into_iter()
        .find(|worker| worker.username == username)
        .ok_or(StoreError::NotEnrolled)?;
    let key = keyring.unlock(&worker.account, password).await?;
    Ok((worker.account, key))
}
