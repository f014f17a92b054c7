//! Encryption at rest in a real browser: the keyring (enrol, unlock, rewrap, forget), stores that
//! open only with their worker's key and only in their place, and a scan of everything the page
//! keeps for text that should have been sealed.
#![cfg(target_arch = "wasm32")]

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use sakhi::store::schema::{OUTBOX, RECORDS};
use sakhi::store::{DataKey, Keyring, Refusal, Store, StoreError, Worker, database_name};
use sakhi_domain::wire::Cursor;
use sakhi_domain::{Clock, DeviceId, Epoch, Kind, Record, RecordId};
use serde_json::json;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const NOW: u64 = 1_760_000_000_000;
const PASSPHRASE: &str = "नीला आसमान 42 blue sky";

#[wasm_bindgen(inline_js = r#"
const request = (r) => new Promise((ok, fail) => { r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });

// A database of controls that the scan must find: text kept as a string, as UTF-8 bytes and as
// UTF-16 bytes at an odd offset.
export async function plant_controls(name, text) {
  const r = indexedDB.open(name, 1);
  r.onupgradeneeded = () => r.result.createObjectStore("controls");
  const db = await request(r);
  const tx = db.transaction("controls", "readwrite");
  const store = tx.objectStore("controls");
  store.put(text, "string");
  store.put(new TextEncoder().encode(text), "utf-8");
  const utf16 = new Uint8Array(1 + text.length * 2);
  for (let i = 0; i < text.length; i += 1) { utf16[1 + 2 * i] = text.charCodeAt(i) & 0xff; utf16[2 + 2 * i] = text.charCodeAt(i) >> 8; }
  store.put(utf16.buffer, "utf-16");
  await new Promise((ok, fail) => { tx.oncomplete = ok; tx.onabort = () => fail(tx.error); });
  db.close();
}

export async function drop_database(name) { await request(indexedDB.deleteDatabase(name)); }

export async function database_names() {
  return (await indexedDB.databases()).map((d) => d.name);
}

// Everything this origin keeps that a person holding the phone could read: every object store of
// every IndexedDB database (keys and values), localStorage and Cache Storage. Strings are searched
// as they are; bytes as UTF-8 and as UTF-16 (both alignments). Returns where each needle was seen,
// and how many values were looked at, so that an empty scan cannot pass for a clean one.
export async function scan(needles) {
  const hits = [];
  let values = 0;
  const utf8 = new TextDecoder("utf-8");
  const utf16 = new TextDecoder("utf-16le");
  const text = (where, s) => { for (const n of needles) if (s.includes(n)) hits.push(`${where}: ${n}`); };
  const look = (where, v) => {
    values += 1;
    if (v === null || v === undefined) return;
    if (typeof v === "string") return text(where, v);
    if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return text(where, String(v));
    if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
      const bytes = v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      text(`${where} (utf-8)`, utf8.decode(bytes));
      text(`${where} (utf-16)`, utf16.decode(bytes.subarray(0, bytes.length & ~1)));
      if (bytes.length > 1) text(`${where} (utf-16, odd)`, utf16.decode(bytes.subarray(1, 1 + ((bytes.length - 1) & ~1))));
      return;
    }
    if (v instanceof Blob) return; // the store keeps none; a Blob would need reading
    if (Array.isArray(v)) return v.forEach((x) => look(where, x));
    if (typeof v === "object") for (const [k, x] of Object.entries(v)) { text(where, k); look(where, x); }
  };
  const names = (await indexedDB.databases()).map((d) => d.name);
  for (const name of names) {
    const db = await request(indexedDB.open(name));
    for (const storeName of Array.from(db.objectStoreNames)) {
      const store = db.transaction(storeName).objectStore(storeName);
      const [keys, all] = await Promise.all([request(store.getAllKeys()), request(store.getAll())]);
      keys.forEach((k) => look(`${name}/${storeName} key`, k));
      all.forEach((v) => look(`${name}/${storeName}`, v));
    }
    db.close();
  }
  for (let i = 0; i < localStorage.length; i += 1) {
    const key = localStorage.key(i);
    look("localStorage key", key);
    look(`localStorage ${key}`, localStorage.getItem(key));
  }
  if (self.caches) {
    for (const cacheName of await caches.keys()) {
      const cache = await caches.open(cacheName);
      for (const req of await cache.keys()) {
        look(`cache ${cacheName} url`, req.url);
        const res = await cache.match(req);
        if (res) look(`cache ${cacheName} ${req.url}`, await res.arrayBuffer());
      }
    }
  }
  return { databases: names, hits, values };
}
"#)]
extern "C" {
    async fn plant_controls(name: &str, text: &str);
    async fn drop_database(name: &str);
    async fn database_names() -> JsValue;
    async fn scan(needles: Vec<String>) -> JsValue;
}

fn worker(account: &str, display_name: &str) -> Worker {
    Worker {
        account: account.to_owned(),
        username: format!("user-{account}"),
        display_name: display_name.to_owned(),
        centre: "OSC Test District".to_owned(),
    }
}

/// An account no other test uses.
fn fresh_account(test: &str) -> String {
    format!("test-{test}-{}", RecordId::new())
}

async fn enrolled(keyring: &Keyring, account: &str) -> DataKey {
    keyring
        .enrol(worker(account, "Test Worker"), PASSPHRASE)
        .await
        .unwrap()
}

async fn names() -> Vec<String> {
    let names: js_sys::Array = database_names().await.unchecked_into();
    names.iter().filter_map(|n| n.as_string()).collect()
}

async fn save_case(store: &Store, name: &str) -> Record {
    store
        .edit(
            Record::new(RecordId::new(), Kind::Case),
            [("name", json!(name))],
            NOW,
        )
        .await
        .unwrap()
}

#[wasm_bindgen_test]
async fn a_worker_enrolled_on_this_phone_unlocks_her_own_store_with_her_passphrase() {
    let keyring = Keyring::open().await.unwrap();
    let account = fresh_account("round-trip");
    let her = worker(&account, "सुनीता");
    let key = keyring.enrol(her.clone(), PASSPHRASE).await.unwrap();
    assert!(keyring.workers().await.unwrap().contains(&her));

    let store = Store::open(&database_name(&account), key).await.unwrap();
    let saved = save_case(&store, "सीता देवी").await;
    store.set_secret("session", "token-123").await.unwrap();
    store.close();

    let key = keyring.unlock(&account, PASSPHRASE).await.unwrap();
    let store = Store::open(&database_name(&account), key).await.unwrap();
    assert_eq!(store.record(saved.id).await.unwrap(), Some(saved.clone()));
    assert_eq!(store.cases().await.unwrap(), vec![saved]);
    assert_eq!(store.outbox().await.unwrap().len(), 1);
    assert_eq!(
        store.secret("session").await.unwrap().as_deref(),
        Some("token-123")
    );
    assert_eq!(store.secret("other").await.unwrap(), None);
    // The store's own plain values cannot be overwritten by a secret.
    assert!(matches!(
        store.set_secret("clock", "x").await,
        Err(StoreError::Encode(_))
    ));

    store.close();
    keyring.forget(&account).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_wrong_passphrase_unlocks_nothing_and_changes_nothing() {
    let keyring = Keyring::open().await.unwrap();
    let account = fresh_account("wrong");
    let key = enrolled(&keyring, &account).await;
    let store = Store::open(&database_name(&account), key).await.unwrap();
    let saved = save_case(&store, "Gita").await;
    store.close();

    for wrong in ["", "नीला आसमान 42 Blue sky"] {
        assert_eq!(
            keyring.unlock(&account, wrong).await.unwrap_err(),
            StoreError::WrongPassphrase
        );
    }
    assert_eq!(
        keyring.unlock("nobody-here", PASSPHRASE).await.unwrap_err(),
        StoreError::NotEnrolled
    );

    // Another key (here a stranger's) reads none of her data.
    let stranger = fresh_account("stranger");
    let wrong_key = enrolled(&keyring, &stranger).await;
    let store = Store::open(&database_name(&account), wrong_key)
        .await
        .unwrap();
    assert!(matches!(
        store.record(saved.id).await,
        Err(StoreError::Corrupt { .. })
    ));
    assert!(matches!(
        store.cases().await,
        Err(StoreError::Corrupt { .. })
    ));
    assert!(matches!(
        store.outbox().await,
        Err(StoreError::Corrupt { .. })
    ));
    store.close();

    // The failed tries left her entry as it was.
    let key = keyring.unlock(&account, PASSPHRASE).await.unwrap();
    let store = Store::open(&database_name(&account), key).await.unwrap();
    assert_eq!(store.record(saved.id).await.unwrap(), Some(saved));
    store.close();
    keyring.forget(&account).await.unwrap();
    keyring.forget(&stranger).await.unwrap();
}

#[wasm_bindgen_test]
async fn two_workers_on_one_phone_cannot_read_each_others_store() {
    let keyring = Keyring::open().await.unwrap();
    let (asha, meena) = (fresh_account("asha"), fresh_account("meena"));
    let asha_key = enrolled(&keyring, &asha).await;
    let meena_key = enrolled(&keyring, &meena).await;

    let store = Store::open(&database_name(&asha), asha_key.clone())
        .await
        .unwrap();
    let ashas = save_case(&store, "Asha's case").await;
    store.set_secret("session", "asha-token").await.unwrap();
    store.close();
    let store = Store::open(&database_name(&meena), meena_key.clone())
        .await
        .unwrap();
    let meenas = save_case(&store, "Meena's case").await;
    store.close();

    // Meena's key on Asha's database, and the other way round.
    for (database, key, record) in [
        (database_name(&asha), meena_key.clone(), ashas.id),
        (database_name(&meena), asha_key.clone(), meenas.id),
    ] {
        let store = Store::open(&database, key).await.unwrap();
        assert!(matches!(
            store.record(record).await,
            Err(StoreError::Corrupt { .. })
        ));
        assert!(store.cases().await.is_err());
        assert!(store.outbox().await.is_err());
        store.close();
    }
    let store = Store::open(&database_name(&asha), meena_key.clone())
        .await
        .unwrap();
    assert!(store.secret("session").await.is_err());
    store.close();

    // Each still reads her own.
    let store = Store::open(&database_name(&meena), meena_key)
        .await
        .unwrap();
    assert_eq!(store.cases().await.unwrap(), vec![meenas]);
    store.close();
    // A key cannot be wrapped under another worker's entry.
    assert_eq!(
        keyring.rewrap(&meena, &asha_key, "x").await.unwrap_err(),
        StoreError::NotEnrolled
    );
    keyring.forget(&asha).await.unwrap();
    keyring.forget(&meena).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_sealed_value_copied_to_another_key_or_store_does_not_open() {
    let keyring = Keyring::open().await.unwrap();
    let account = fresh_account("moved");
    let key = enrolled(&keyring, &account).await;
    let name = database_name(&account);
    let store = Store::open(&name, key.clone()).await.unwrap();
    let first = save_case(&store, "First").await;
    let second = save_case(&store, "Second").await;
    store.set_secret("session", "token").await.unwrap();
    store.close();

    // Someone with the phone moves sealed bytes around, by hand.
    let raw = Database::open(name.as_str()).await.unwrap();
    let tx = raw
        .transaction([RECORDS, OUTBOX, "meta"])
        .with_mode(TransactionMode::Readwrite)
        .build()
        .unwrap();
    let records = tx.object_store(RECORDS).unwrap();
    let first_value: JsValue = records
        .get(first.id.to_string())
        .primitive()
        .unwrap()
        .await
        .unwrap()
        .unwrap();
    records
        .put(first_value.clone())
        .with_key(second.id.to_string())
        .without_key_type()
        .primitive()
        .unwrap();
    tx.object_store(OUTBOX)
        .unwrap()
        .put(first_value)
        .with_key(first.id.to_string())
        .without_key_type()
        .primitive()
        .unwrap();
    let meta = tx.object_store("meta").unwrap();
    let session: JsValue = meta
        .get("session")
        .primitive()
        .unwrap()
        .await
        .unwrap()
        .unwrap();
    meta.put(session)
        .with_key("other")
        .without_key_type()
        .primitive()
        .unwrap();
    drop((records, meta));
    tx.commit().await.unwrap();
    raw.close();

    let store = Store::open(&name, key).await.unwrap();
    assert_eq!(store.record(first.id).await.unwrap(), Some(first));
    assert!(matches!(
        store.record(second.id).await,
        Err(StoreError::Corrupt { .. })
    ));
    assert!(matches!(
        store.outbox().await,
        Err(StoreError::Corrupt { .. })
    ));
    assert!(matches!(
        store.secret("other").await,
        Err(StoreError::Corrupt { .. })
    ));
    assert_eq!(
        store.secret("session").await.unwrap().as_deref(),
        Some("token")
    );
    store.close();
    keyring.forget(&account).await.unwrap();
}

#[wasm_bindgen_test]
async fn forgetting_a_worker_removes_her_entry_and_her_database() {
    let keyring = Keyring::open().await.unwrap();
    let account = fresh_account("forget");
    let key = enrolled(&keyring, &account).await;
    let store = Store::open(&database_name(&account), key).await.unwrap();
    save_case(&store, "Lata").await;
    store.close();
    assert!(names().await.contains(&database_name(&account)));

    keyring.forget(&account).await.unwrap();

    assert!(!names().await.contains(&database_name(&account)));
    assert!(
        keyring
            .workers()
            .await
            .unwrap()
            .iter()
            .all(|w| w.account != account)
    );
    assert_eq!(
        keyring.unlock(&account, PASSPHRASE).await.unwrap_err(),
        StoreError::NotEnrolled
    );
}

#[wasm_bindgen_test]
async fn enrolling_again_starts_an_empty_store_and_forgets_the_old_one() {
    let keyring = Keyring::open().await.unwrap();
    let account = fresh_account("re-enrol");
    let key = enrolled(&keyring, &account).await;
    let store = Store::open(&database_name(&account), key).await.unwrap();
    save_case(&store, "Old").await;
    store.close();

    let key = keyring
        .enrol(worker(&account, "Renamed"), "new passphrase")
        .await
        .unwrap();
    let mine: Vec<Worker> = keyring
        .workers()
        .await
        .unwrap()
        .into_iter()
        .filter(|w| w.account == account)
        .collect();
    assert_eq!(mine, [worker(&account, "Renamed")]);
    assert_eq!(
        keyring.unlock(&account, PASSPHRASE).await.unwrap_err(),
        StoreError::WrongPassphrase
    );
    let store = Store::open(&database_name(&account), key).await.unwrap();
    assert!(store.cases().await.unwrap().is_empty());
    store.close();
    keyring.forget(&account).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_rewrapped_key_unlocks_with_the_new_passphrase_only_and_keeps_the_data() {
    let keyring = Keyring::open().await.unwrap();
    let account = fresh_account("rewrap");
    let key = enrolled(&keyring, &account).await;
    let store = Store::open(&database_name(&account), key.clone())
        .await
        .unwrap();
    let saved = save_case(&store, "Kavita").await;
    store.close();

    keyring
        .rewrap(&account, &key, "second passphrase")
        .await
        .unwrap();
    // And again with the same key, as after a second password change in one session.
    keyring
        .rewrap(&account, &key, "third passphrase")
        .await
        .unwrap();

    assert_eq!(
        keyring.unlock(&account, PASSPHRASE).await.unwrap_err(),
        StoreError::WrongPassphrase
    );
    let key = keyring.unlock(&account, "third passphrase").await.unwrap();
    let store = Store::open(&database_name(&account), key).await.unwrap();
    assert_eq!(store.record(saved.id).await.unwrap(), Some(saved));
    store.close();
    keyring.forget(&account).await.unwrap();
}

#[wasm_bindgen_test]
async fn the_phone_keeps_one_id() {
    let keyring = Keyring::open().await.unwrap();
    let phone = keyring.phone().await.unwrap();
    keyring.close();
    let keyring = Keyring::open().await.unwrap();
    assert_eq!(keyring.phone().await.unwrap(), phone);
}

#[wasm_bindgen_test]
fn a_full_disk_is_reported_as_full() {
    let quota =
        web_sys::DomException::new_with_message_and_name("no space", "QuotaExceededError").unwrap();
    let error = indexed_db_futures::error::Error::from(
        indexed_db_futures::error::DomException::from(quota),
    );
    assert_eq!(StoreError::from(error), StoreError::Full);
}

const CANARY: &str = "CANARY-7f3a";
const CANARY_HI: &str = "कैनरी-७फ३ए";
/// A phone number that appears nowhere else (the field takes digits only).
const CANARY_PHONE: &str = "+91 73519 46082";

#[wasm_bindgen_test]
async fn no_survivor_text_can_be_found_anywhere_the_page_keeps_data() {
    let keyring = Keyring::open().await.unwrap();
    let account = fresh_account("canary");
    // Positive controls, which the scan must find to show that it reads what is there: the
    // worker's own name, kept in the clear on the keyring, and text planted as a string and as
    // bytes in a database of its own.
    let control = "Control Worker 5e1d";
    let planted = "Control planted 5e1d कंट्रोल";
    let controls_db = format!("test-controls-{}", RecordId::new());
    plant_controls(&controls_db, planted).await;
    let key = keyring
        .enrol(worker(&account, control), PASSPHRASE)
        .await
        .unwrap();
    let store = Store::open(&database_name(&account), key).await.unwrap();

    // Cases saved on this phone (their changes wait in the outbox)...
    for n in 0..3 {
        store
            .edit(
                Record::new(RecordId::new(), Kind::Case),
                [
                    ("name", json!(format!("{CANARY} {CANARY_HI} name {n}"))),
                    ("phone", json!(CANARY_PHONE)),
                    ("village", json!(format!("{CANARY_HI} village {CANARY}"))),
                    ("violence", json!(["dowry_harassment", "physical"])),
                    (
                        "description",
                        json!(format!("{CANARY}: {CANARY_HI} पति ने मारा {n}")),
                    ),
                ],
                NOW + n,
            )
            .await
            .unwrap();
    }
    // ...one change the server refused, kept with its reason...
    let outbox = store.outbox().await.unwrap();
    let refusal = Refusal {
        code: "too_long".to_owned(),
        reason: format!("{CANARY} {CANARY_HI} in the reason"),
    };
    store
        .ack(&[], &[(outbox[0].change.id, refusal)], None)
        .await
        .unwrap();
    // ...cases pulled from the centre...
    let mut desk = Clock::new(DeviceId::new());
    let mut pulled = Record::new(RecordId::new(), Kind::Case);
    pulled.edit(&mut desk, NOW, "name", json!(format!("{CANARY_HI} pulled")));
    pulled.edit(
        &mut desk,
        NOW,
        "description",
        json!(format!("{CANARY} pulled")),
    );
    store
        .apply_pull_page(&[pulled], &[], Cursor(1), Epoch::new())
        .await
        .unwrap();
    // ...and the session token.
    store
        .set_secret("session", &format!("{CANARY}-token"))
        .await
        .unwrap();
    assert_eq!(store.cases().await.unwrap().len(), 4);
    store.close();

    let found = scan(vec![
        CANARY.to_owned(),
        CANARY_HI.to_owned(),
        CANARY_PHONE.to_owned(),
        "पति ने मारा".to_owned(),
        control.to_owned(),
        planted.to_owned(),
    ])
    .await;
    drop_database(&controls_db).await;
    let get = |field: &str| js_sys::Reflect::get(&found, &JsValue::from_str(field)).unwrap();
    let hits: Vec<String> = js_sys::Array::from(&get("hits"))
        .iter()
        .filter_map(|h| h.as_string())
        .collect();
    let databases: Vec<String> = js_sys::Array::from(&get("databases"))
        .iter()
        .filter_map(|h| h.as_string())
        .collect();
    assert!(
        databases.contains(&database_name(&account)),
        "{databases:?}"
    );
    assert!(databases.contains(&"sakhi-keyring".to_owned()));
    assert!(get("values").as_f64().unwrap() > 20.0);

    let (controls, leaks): (Vec<&String>, Vec<&String>) = hits
        .iter()
        .partition(|hit| hit.ends_with(control) || hit.ends_with(planted));
    for place in [
        "sakhi-keyring/workers: ".to_owned(),
        format!("{controls_db}/controls: "),
        format!("{controls_db}/controls (utf-8): "),
        format!("{controls_db}/controls (utf-16, odd): "),
    ] {
        assert!(
            controls.iter().any(|hit| hit.starts_with(&place)),
            "the scan missed a control in {place}: {hits:?}"
        );
    }
    assert!(
        leaks.is_empty(),
        "survivor text found in the clear: {leaks:?}"
    );

    keyring.forget(&account).await.unwrap();
}
