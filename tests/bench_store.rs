//! The local-store benchmark of `cargo xtask bench`: Sakhi's own IndexedDB store against raw
//! JavaScript IndexedDB doing the same work, in the same page, in the same run.
//!
//! Not a test: both functions are `#[ignore]`d so `cargo test` only builds them. The orchestrator
//! runs them in release (`cargo test --release … --test bench_store -- --include-ignored`), and
//! each prints one `SAKHI_BENCH {json}` line per figure with every timed run, which it turns into
//! medians and ratios. The raw JavaScript below is the floor: no validation, no merge, no types,
//! the same records and the same IndexedDB calls in the same transactions as the store makes.
//! Sakhi's side seals every value with a worker's data key (AES-256-GCM through Web Crypto), as
//! the app does; the raw JavaScript side does not encrypt. Unlocking the key (PBKDF2) happens once,
//! before any timing.
#![cfg(target_arch = "wasm32")]

use indexed_db_futures::database::Database;
use sakhi::store::{DataKey, Keyring, Store, Worker};
use sakhi_domain::wire::Cursor;
use sakhi_domain::{Clock, DeviceId, Epoch, Kind, Record, RecordId};
use serde_json::{Value, json};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const NOW: u64 = 1_760_000_000_000;
/// Records per pulled page, as the sync client asks for them.
const PAGE: usize = 200;

#[wasm_bindgen(inline_js = r#"
const request = (r) => new Promise((ok, fail) => { r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
const finished = (tx) => new Promise((ok, fail) => { tx.oncomplete = () => ok(); tx.onerror = () => fail(tx.error); tx.onabort = () => fail(tx.error); });

// The same layout as the store's schema step 1: three object stores with out-of-line keys.
async function open(name) {
  const r = indexedDB.open(name, 1);
  r.onupgradeneeded = () => { for (const s of ["records", "outbox", "meta"]) r.result.createObjectStore(s); };
  return request(r);
}

export function now() { return performance.now(); }

export async function drop_database(name) { await request(indexedDB.deleteDatabase(name)); }

// Saves each case as Store::edit does: read the record, stamp each field, then one readwrite
// transaction with the record, one outbox entry per field and the clock.
export async function raw_save(name, casesJson, now) {
  const cases = JSON.parse(casesJson);
  const db = await open(name);
  const clock = { device: crypto.randomUUID(), last: { t: 0, c: 0 } };
  const tick = (ms) => {
    clock.last = ms > clock.last.t ? { t: ms, c: 0 } : { t: clock.last.t, c: clock.last.c + 1 };
    return { t: clock.last.t, c: clock.last.c, d: clock.device };
  };
  const started = performance.now();
  let i = 0;
  for (const fields of cases) {
    const id = crypto.randomUUID();
    const stored = await request(db.transaction("records").objectStore("records").get(id));
    const record = stored ? JSON.parse(stored) : { id, kind: "case", fields: {} };
    const entries = [];
    for (const [field, value] of fields) {
      const stamp = tick(now + i);
      record.fields[field] = { h: [{ v: value, s: stamp }] };
      const change = { id: crypto.randomUUID(), record: id, kind: "case", field, value, stamp };
      entries.push([change.id, JSON.stringify({ change, rejected: null })]);
    }
    const tx = db.transaction(["records", "outbox", "meta"], "readwrite");
    tx.objectStore("records").put(JSON.stringify(record), id);
    const outbox = tx.objectStore("outbox");
    for (const [key, entry] of entries) outbox.put(entry, key);
    tx.objectStore("meta").put(JSON.stringify(clock), "clock");
    await finished(tx);
    i += 1;
  }
  const took = performance.now() - started;
  db.close();
  return took;
}

// Takes in pulled records as Store::apply_pull_page does, a page at a time: look up every record
// of the page, then one readwrite transaction with the records, cursor, epoch and clock.
export async function raw_pull(name, recordsJson, page) {
  const records = JSON.parse(recordsJson);
  const db = await open(name);
  const started = performance.now();
  for (let at = 0; at < records.length; at += page) {
    const batch = records.slice(at, at + page);
    const rtx = db.transaction("records").objectStore("records");
    const found = await Promise.all(batch.map((r) => request(rtx.get(r.id))));
    const tx = db.transaction(["records", "meta"], "readwrite");
    const store = tx.objectStore("records");
    batch.forEach((r, k) => {
      const record = found[k] ? Object.assign(JSON.parse(found[k]), r) : r;
      store.put(JSON.stringify(record), r.id);
    });
    const meta = tx.objectStore("meta");
    meta.put(JSON.stringify(at + batch.length), "cursor");
    meta.put(JSON.stringify("epoch"), "epoch");
    meta.put(JSON.stringify({ last: { t: at, c: 0 } }), "clock");
    await finished(tx);
  }
  const took = performance.now() - started;
  db.close();
  return took;
}

// Reads every case back as Store::cases does: all keys and values, parse, keep live cases,
// newest first. Returns [milliseconds, cases read].
export async function raw_read(name) {
  const db = await open(name);
  const started = performance.now();
  const tx = db.transaction("records");
  const store = tx.objectStore("records");
  const [keys, values] = await Promise.all([request(store.getAllKeys()), request(store.getAll())]);
  const cases = [];
  keys.forEach((key, k) => {
    const record = JSON.parse(values[k]);
    if (record.kind === "case" && !record.fields.deleted) cases.push(record);
  });
  cases.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const took = performance.now() - started;
  db.close();
  return [took, cases.length];
}
"#)]
extern "C" {
    fn now() -> f64;
    #[wasm_bindgen(catch)]
    async fn drop_database(name: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(catch)]
    async fn raw_save(name: &str, cases: &str, now: f64) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    async fn raw_pull(name: &str, records: &str, page: usize) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    async fn raw_read(name: &str) -> Result<JsValue, JsValue>;
}

/// How much work, and how many timed runs after one untimed warm-up.
struct Sizes {
    saved: usize,
    pulled: &'static [usize],
    runs: usize,
}

#[wasm_bindgen_test]
#[ignore = "a benchmark: run by `cargo xtask bench`"]
async fn store_full() {
    bench(Sizes {
        saved: 1_000,
        pulled: &[1_000, 10_000],
        runs: 5,
    })
    .await;
}

#[wasm_bindgen_test]
#[ignore = "a benchmark: run by `cargo xtask bench --quick`"]
async fn store_quick() {
    bench(Sizes {
        saved: 20,
        pulled: &[100, 300],
        runs: 1,
    })
    .await;
}

/// One figure's timed runs, Sakhi's and raw JavaScript's, in milliseconds.
#[derive(Default)]
struct Samples {
    sakhi: Vec<f64>,
    raw: Vec<f64>,
}

fn report(figure: &str, samples: &Samples) {
    let line =
        json!({ "figure": figure, "unit": "ms", "sakhi": samples.sakhi, "baseline": samples.raw });
    console_log!("SAKHI_BENCH {line}");
}

/// The data key of a worker enrolled for the benchmark, made before anything is timed.
async fn bench_key() -> DataKey {
    let keyring = Keyring::open().await.unwrap();
    let worker = Worker {
        account: "bench-store".to_owned(),
        username: "bench-store".to_owned(),
        display_name: "Bench worker".to_owned(),
        centre: "bench".to_owned(),
    };
    let key = keyring.enrol(worker, "bench-passphrase").await.unwrap();
    keyring.close();
    key
}

async fn bench(sizes: Sizes) {
    let key = bench_key().await;
    let mut saving = Samples::default();
    // One untimed warm-up, then the timed runs; the two sides take turns going first, so neither
    // always meets a colder (or more fragmented) IndexedDB.
    for run in 0..=sizes.runs {
        let (sakhi, raw) = if run % 2 == 0 {
            let sakhi = sakhi_save(&key, sizes.saved, run).await;
            (sakhi, js_save(sizes.saved, run).await)
        } else {
            let raw = js_save(sizes.saved, run).await;
            (sakhi_save(&key, sizes.saved, run).await, raw)
        };
        if run > 0 {
            saving.sakhi.push(sakhi);
            saving.raw.push(raw);
        }
    }
    report(
        &format!("save {} cases one at a time", sizes.saved),
        &saving,
    );
    // DESIGN.md's budget is per save: the mean save of each run.
    let per_case = |runs: &[f64]| runs.iter().map(|ms| ms / sizes.saved as f64).collect();
    report(
        &format!("save one case (mean of {})", sizes.saved),
        &Samples {
            sakhi: per_case(&saving.sakhi),
            raw: per_case(&saving.raw),
        },
    );

    for &count in sizes.pulled {
        let records = pulled_records(count);
        let records_json = serde_json::to_string(&records).unwrap();
        let (mut pulling, mut reading) = (Samples::default(), Samples::default());
        for run in 0..=sizes.runs {
            let sakhi_db = format!("bench-sakhi-pull-{count}-{run}");
            let raw_db = format!("bench-raw-pull-{count}-{run}");
            let order = [run % 2 == 0, run % 2 != 0];
            let mut took = [(0.0, 0.0); 2];
            for sakhi_first in order {
                if sakhi_first {
                    took[0] = sakhi_pull_and_read(&key, &sakhi_db, &records).await;
                } else {
                    took[1] = js_pull_and_read(&raw_db, &records_json, count).await;
                }
            }
            drop_database(&sakhi_db).await.unwrap();
            drop_database(&raw_db).await.unwrap();
            if run > 0 {
                pulling.sakhi.push(took[0].0);
                pulling.raw.push(took[1].0);
                reading.sakhi.push(took[0].1);
                reading.raw.push(took[1].1);
            }
        }
        report(
            &format!("take in {count} pulled cases, {PAGE} a page"),
            &pulling,
        );
        report(&format!("read all {count} cases back"), &reading);
    }
}

/// Milliseconds Sakhi's store takes to save `count` cases through `Store::edit`, one per save.
async fn sakhi_save(key: &DataKey, count: usize, run: usize) -> f64 {
    let name = format!("bench-sakhi-save-{run}");
    let cases: Vec<Vec<(&str, Value)>> = (0..count as u64).map(sakhi_cases::case_fields).collect();
    let store = Store::open(&name, key.clone()).await.unwrap();
    let started = now();
    for (i, fields) in cases.into_iter().enumerate() {
        let case = Record::new(RecordId::new(), Kind::Case);
        store.edit(case, fields, NOW + i as u64).await.unwrap();
    }
    let took = now() - started;
    assert_eq!(store.outbox().await.unwrap().len(), count * 6);
    store.close();
    Database::delete_by_name(&name).unwrap().await.unwrap();
    took
}

async fn js_save(count: usize, run: usize) -> f64 {
    let name = format!("bench-raw-save-{run}");
    let cases: Vec<Vec<(&str, Value)>> = (0..count as u64).map(sakhi_cases::case_fields).collect();
    let json = serde_json::to_string(&cases).unwrap();
    let took = raw_save(&name, &json, NOW as f64).await.unwrap();
    drop_database(&name).await.unwrap();
    took.as_f64().unwrap()
}

/// `count` cases as another device made them and the server sends them in a pull.
fn pulled_records(count: usize) -> Vec<Record> {
    let mut clock = Clock::new(DeviceId::new());
    (0..count as u64)
        .map(|n| {
            let mut record = Record::new(RecordId::new(), Kind::Case);
            for (field, value) in sakhi_cases::case_fields(n) {
                record.edit(&mut clock, NOW + n, field, value);
            }
            record
        })
        .collect()
}

/// Milliseconds to take in `records` page by page, then to read every case back.
async fn sakhi_pull_and_read(key: &DataKey, name: &str, records: &[Record]) -> (f64, f64) {
    let store = Store::open(name, key.clone()).await.unwrap();
    let epoch = Epoch::new();
    let started = now();
    for (page, chunk) in records.chunks(PAGE).enumerate() {
        let cursor = Cursor((page * PAGE + chunk.len()) as u64);
        store
            .apply_pull_page(chunk, &[], cursor, epoch)
            .await
            .unwrap();
    }
    let pulled = now() - started;
    let started = now();
    let cases = store.cases().await.unwrap();
    let read = now() - started;
    assert_eq!(cases.len(), records.len());
    store.close();
    (pulled, read)
}

async fn js_pull_and_read(name: &str, records_json: &str, count: usize) -> (f64, f64) {
    let pulled = raw_pull(name, records_json, PAGE).await.unwrap();
    let read: js_sys::Array = raw_read(name).await.unwrap().into();
    assert_eq!(read.get(1).as_f64(), Some(count as f64));
    (pulled.as_f64().unwrap(), read.get(0).as_f64().unwrap())
}
