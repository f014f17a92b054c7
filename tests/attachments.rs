//! An attachment's content in the store, in a real browser: kept in sealed chunks that hide its
//! bytes, read back chunk by chunk as the file was, its SHA-256 computed on the way in, chunks that
//! open only in their own place, and nothing of it left once its record leaves the phone or the
//! worker logs out.
#![cfg(target_arch = "wasm32")]

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use js_sys::{Array, Uint8Array};
use sakhi::store::schema::CONTENT;
use sakhi::store::{
    Content, DataKey, Keyring, Store, StoreError, Worker, chunk_key, database_name,
};
use sakhi_domain::wire::Cursor;
use sakhi_domain::wire::attachment::CHUNK_BYTES;
use sakhi_domain::{Clock, DeviceId, Epoch, Kind, Record, RecordId};
use serde_json::json;
use sha2::{Digest, Sha256};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const NOW: u64 = 1_760_000_000_000;
const DAY: u64 = 24 * 60 * 60 * 1000;
/// What the test file is made of, over and over: bytes no sealed chunk should show.
const PATTERN: &[u8] = b"SAKHI-PLAIN-PHOTO-BYTES ";

fn fresh_account(test: &str) -> String {
    format!("test-attach-{test}-{}", RecordId::new())
}

fn worker(account: &str) -> Worker {
    Worker {
        account: account.to_owned(),
        username: account.to_owned(),
        display_name: "Test Worker".to_owned(),
        centre: "Test".to_owned(),
    }
}

thread_local! {
    static KEY: std::cell::RefCell<Option<DataKey>> = const { std::cell::RefCell::new(None) };
}

/// The data key of a throwaway worker, enrolled once for these tests (enrolling takes 600,000
/// rounds of PBKDF2).
async fn throwaway_key() -> DataKey {
    if let Some(key) = KEY.with_borrow(Clone::clone) {
        return key;
    }
    let keyring = Keyring::open().await.unwrap();
    let key = keyring
        .enrol(worker(&fresh_account("key")), "test passphrase")
        .await
        .unwrap();
    keyring.close();
    KEY.set(Some(key.clone()));
    key
}

/// A new store of its own, with the throwaway worker's key, and its database's name.
async fn open_new(test: &str) -> (Store, String) {
    let name = format!("sakhi-test-{test}-{}", RecordId::new());
    let store = Store::open(&name, throwaway_key().await).await.unwrap();
    (store, name)
}

async fn delete(store: Store, name: &str) {
    store.close();
    Database::delete_by_name(name).unwrap().await.unwrap();
}

/// `len` bytes of [`PATTERN`] repeated, a counter in each repetition so that no two chunks are
/// alike.
fn file_bytes(len: usize) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(len + 32);
    let mut n = 0u32;
    while bytes.len() < len {
        bytes.extend_from_slice(PATTERN);
        bytes.extend_from_slice(format!("{n:06} ").as_bytes());
        n += 1;
    }
    bytes.truncate(len);
    bytes
}

/// `bytes` as the Blob a file input gives.
fn blob(bytes: &[u8]) -> web_sys::Blob {
    let parts = Array::of1(&Uint8Array::from(bytes));
    web_sys::Blob::new_with_u8_array_sequence(&parts).unwrap()
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Every chunk of `id` read back from `store`, joined.
async fn read_back(store: &Store, id: RecordId) -> Vec<u8> {
    let mut bytes = Vec::new();
    for n in store.content_chunks(id).await.unwrap() {
        bytes.extend(store.content_chunk(id, n).await.unwrap().unwrap());
    }
    bytes
}

/// Every key and raw value in the database `name`'s content store, as IndexedDB holds them.
async fn raw_content(name: &str) -> Vec<(String, Vec<u8>)> {
    let raw = Database::open(name).await.unwrap();
    let tx = raw.transaction(CONTENT).build().unwrap();
    let store = tx.object_store(CONTENT).unwrap();
    let keys: Vec<String> = store
        .get_all_keys::<String>()
        .primitive()
        .unwrap()
        .await
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let values: Vec<Vec<u8>> = store
        .get_all::<JsValue>()
        .primitive()
        .unwrap()
        .await
        .unwrap()
        .map(|value| Uint8Array::new(&value.unwrap()).to_vec())
        .collect();
    drop(store);
    drop(tx);
    raw.close();
    keys.into_iter().zip(values).collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// An attachment of `case` as pulled from the centre, last changed at `when`.
fn pulled_attachment(case: RecordId, when: u64, content: &Content) -> Record {
    let mut desk = Clock::new(DeviceId::new());
    let mut record = Record::new(RecordId::new(), Kind::Attachment);
    for (field, value) in [
        ("case", json!(case.to_string())),
        ("attachment_kind", json!("photo")),
        ("media_type", json!("image/jpeg")),
        ("size", json!(content.size)),
        ("sha256", json!(content.sha256)),
    ] {
        record.edit(&mut desk, when, field, value);
    }
    record
}

#[wasm_bindgen_test]
async fn content_is_kept_in_sealed_chunks_that_read_back_as_the_file_and_hide_its_bytes() {
    let (store, name) = open_new("content").await;
    let id = RecordId::new();
    // Three full chunks and a part of a fourth.
    let file = file_bytes(3 * CHUNK_BYTES as usize + 12_345);
    assert!(file.len() > 200_000);

    let content = store.put_content(id, &blob(&file)).await.unwrap();

    assert_eq!(content.size, file.len() as u64);
    assert_eq!(content.sha256, sha256_hex(&file));
    assert_eq!(store.content_chunks(id).await.unwrap(), [0, 1, 2, 3]);
    let first = store.content_chunk(id, 0).await.unwrap().unwrap();
    assert_eq!(first, file[..CHUNK_BYTES as usize]);
    let last = store.content_chunk(id, 3).await.unwrap().unwrap();
    assert_eq!(last.len(), 12_345);
    assert_eq!(read_back(&store, id).await, file);
    assert_eq!(store.content_chunk(id, 4).await.unwrap(), None);

    // What IndexedDB holds: one value per chunk, under its key, none showing the file's bytes
    // (the check finds them where they are: in the file itself).
    assert!(contains(&file, &PATTERN[..12]));
    let raw = raw_content(&name).await;
    let keys: Vec<&str> = raw.iter().map(|(key, _)| key.as_str()).collect();
    let expected: Vec<String> = (0..4).map(|n| chunk_key(id, n)).collect();
    assert_eq!(keys, expected);
    for (key, value) in &raw {
        assert!(value.len() > 12_345, "{key} holds a whole chunk, sealed");
        assert!(!contains(value, &PATTERN[..12]), "{key} shows the file");
        assert!(!contains(value, b"000001 "), "{key} shows the file");
    }

    // Stored again, smaller: the earlier content's chunks do not outlive it.
    let smaller = file_bytes(1000);
    let again = store.put_content(id, &blob(&smaller)).await.unwrap();
    assert_eq!(again.size, 1000);
    assert_eq!(again.sha256, sha256_hex(&smaller));
    assert_eq!(store.content_chunks(id).await.unwrap(), [0]);
    assert_eq!(read_back(&store, id).await, smaller);

    // Deleted: nothing left, and another attachment's content untouched.
    let other = RecordId::new();
    store.put_content(other, &blob(&file)).await.unwrap();
    store.delete_content(id).await.unwrap();
    assert!(store.content_chunks(id).await.unwrap().is_empty());
    assert_eq!(store.content_chunk(id, 0).await.unwrap(), None);
    assert_eq!(read_back(&store, other).await, file);
    delete(store, &name).await;
}

#[wasm_bindgen_test]
async fn a_chunk_moved_to_another_position_or_attachment_does_not_open() {
    let (store, name) = open_new("moved").await;
    let (first, second) = (RecordId::new(), RecordId::new());
    let file = file_bytes(2 * CHUNK_BYTES as usize + 10);
    store.put_content(first, &blob(&file)).await.unwrap();
    store.put_content(second, &blob(&file)).await.unwrap();
    store.close();

    // Someone with the phone moves sealed chunks around, by hand: chunk 0 of the first file over
    // its chunk 1, and over chunk 0 of the second file.
    let raw = Database::open(name.as_str()).await.unwrap();
    let tx = raw
        .transaction(CONTENT)
        .with_mode(TransactionMode::Readwrite)
        .build()
        .unwrap();
    let chunks = tx.object_store(CONTENT).unwrap();
    let chunk_0: JsValue = chunks
        .get(chunk_key(first, 0))
        .primitive()
        .unwrap()
        .await
        .unwrap()
        .unwrap();
    for to in [chunk_key(first, 1), chunk_key(second, 0)] {
        chunks
            .put(chunk_0.clone())
            .with_key(to)
            .without_key_type()
            .primitive()
            .unwrap();
    }
    drop(chunks);
    tx.commit().await.unwrap();
    raw.close();

    let store = Store::open(&name, throwaway_key().await).await.unwrap();
    assert_eq!(
        store.content_chunk(first, 0).await.unwrap().unwrap(),
        file[..CHUNK_BYTES as usize]
    );
    assert!(matches!(
        store.content_chunk(first, 1).await,
        Err(StoreError::Corrupt { .. })
    ));
    assert!(matches!(
        store.content_chunk(second, 0).await,
        Err(StoreError::Corrupt { .. })
    ));
    // The chunks left in their places still open.
    assert_eq!(
        store.content_chunk(second, 1).await.unwrap().unwrap(),
        file[CHUNK_BYTES as usize..2 * CHUNK_BYTES as usize]
    );
    delete(store, &name).await;
}

#[wasm_bindgen_test]
async fn an_attachment_gone_from_her_scope_or_purged_takes_its_content_with_it() {
    let (store, name) = open_new("leaves").await;
    let file = file_bytes(CHUNK_BYTES as usize + 500);
    let held = Content {
        size: file.len() as u64,
        sha256: sha256_hex(&file),
    };
    // Each of another case: a purge takes a case's work together, by its newest change.
    let gone = pulled_attachment(RecordId::new(), NOW + 9 * DAY, &held);
    let old = pulled_attachment(RecordId::new(), NOW, &held);
    let recent = pulled_attachment(RecordId::new(), NOW + 60 * DAY, &held);
    store
        .apply_pull_page(
            &[gone.clone(), old.clone(), recent.clone()],
            &[],
            Cursor(1),
            Epoch::new(),
        )
        .await
        .unwrap();
    for record in [&gone, &old, &recent] {
        assert_eq!(
            store.put_content(record.id, &blob(&file)).await.unwrap(),
            held
        );
    }

    store
        .apply_pull_page(&[], &[gone.id], Cursor(2), Epoch::new())
        .await
        .unwrap();
    assert!(store.content_chunks(gone.id).await.unwrap().is_empty());
    assert_eq!(store.content_chunks(old.id).await.unwrap(), [0, 1]);

    let removed = store.purge(NOW + 30 * DAY).await.unwrap();
    assert_eq!(removed, 1);
    assert!(store.content_chunks(old.id).await.unwrap().is_empty());
    assert_eq!(read_back(&store, recent.id).await, file);
    let raw = raw_content(&name).await;
    let keys: Vec<&str> = raw.iter().map(|(key, _)| key.as_str()).collect();
    assert_eq!(keys, [chunk_key(recent.id, 0), chunk_key(recent.id, 1)]);
    delete(store, &name).await;
}

#[wasm_bindgen_test]
async fn logging_out_leaves_no_chunk_on_the_phone() {
    let keyring = Keyring::open().await.unwrap();
    let account = fresh_account("logout");
    let key = keyring
        .enrol(worker(&account), "test passphrase")
        .await
        .unwrap();
    let name = database_name(&account);
    let store = Store::open(&name, key).await.unwrap();
    let id = RecordId::new();
    store
        .put_content(id, &blob(&file_bytes(100_000)))
        .await
        .unwrap();
    assert_eq!(raw_content(&name).await.len(), 2);
    store.close();

    keyring.forget(&account).await.unwrap();

    // Her database is gone: opening the name again makes an empty one, with no store at all.
    let raw = Database::open(name.as_str()).await.unwrap();
    assert_eq!(raw.object_store_names().count(), 0);
    raw.close();
    Database::delete_by_name(&name).unwrap().await.unwrap();
    keyring.close();
}
