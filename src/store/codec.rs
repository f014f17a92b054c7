//! The one place where a record, an outbox entry, a secret or a chunk of an attachment's content
//! becomes the value IndexedDB holds, and back.
//!
//! A value is its JSON bytes (a chunk: its raw bytes) sealed with the worker's data key
//! (AES-256-GCM through Web Crypto, a fresh random IV each time), kept as one `Uint8Array`: the IV,
//! then the ciphertext and its tag. The object store's name and the value's key (`records/<id>`,
//! `outbox/<id>`, `meta/<name>`, `content/<id>/<n>`) are bound in as associated data, so a value
//! copied under another key or into another store does not open. Everything here is `async`
//! because Web Crypto is; the store therefore never calls it while a transaction is open, since
//! awaiting anything but IndexedDB would let the transaction commit early.
//!
//! Many values at once are sealed or opened by starting every Web Crypto call before awaiting any:
//! the browser works on them off the main thread, and the page waits once, not once per value.

use super::StoreError;
use super::crypto::{self, DataKey};
use js_sys::Array;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;

type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The associated data of the value under `key` in the object store `store`.
fn aad(store: &str, key: &str) -> String {
    format!("{store}/{key}")
}

fn json<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| StoreError::Encode(e.to_string()))
}

/// Turns `value`, stored under `key` in `store`, into what IndexedDB keeps.
pub async fn seal<T: Serialize>(
    data_key: &DataKey,
    store: &str,
    key: &str,
    value: &T,
) -> Result<JsValue> {
    Ok(seal_all(data_key, [(store, key, value)]).await?.remove(0))
}

/// [`seal`] for many `(store, key, value)` at once, in the same order.
pub async fn seal_all<'k, T: Serialize + 'k>(
    data_key: &DataKey,
    values: impl IntoIterator<Item = (&'k str, &'k str, &'k T)>,
) -> Result<Vec<JsValue>> {
    let sealing = Array::new();
    let mut ivs = Vec::new();
    for (store, key, value) in values {
        let (iv, promise) = crypto::start_seal(data_key, &aad(store, key), &json(value)?)?;
        ivs.push(iv);
        sealing.push(&promise);
    }
    let sealed = crypto::all(&sealing)
        .await
        .map_err(|error| StoreError::Crypto(format!("encrypt: {}", crypto::js_name(&error))))?;
    Ok(ivs
        .iter()
        .zip(sealed.iter())
        .map(|(iv, sealed)| crypto::finish_seal(iv, &sealed).into())
        .collect())
}

/// Reads back a value that [`seal`] made for the same `store` and `key`.
pub async fn unseal<T: DeserializeOwned>(
    data_key: &DataKey,
    store: &str,
    key: &str,
    stored: JsValue,
) -> Result<T> {
    let opening = crypto::start_open(data_key, &aad(store, key), &stored)?;
    let opened = wasm_bindgen_futures::JsFuture::from(opening)
        .await
        .map_err(|error| unopened(store, &error))?;
    parse(&opened)
}

/// [`unseal`] for many `(store, key, stored value)` at once, in the same order.
pub async fn unseal_all<'k, T: DeserializeOwned>(
    data_key: &DataKey,
    stored: impl IntoIterator<Item = (&'k str, &'k str, &'k JsValue)>,
) -> Result<Vec<T>> {
    let opening = Array::new();
    let opener = crypto::Opener::new()?;
    let mut stores = Vec::new();
    for (store, key, value) in stored {
        opening.push(&opener.start(data_key, &aad(store, key), value)?.into());
        if !stores.contains(&store) {
            stores.push(store);
        }
    }
    let opened = crypto::all(&opening)
        .await
        .map_err(|error| unopened(&stores.join(", "), &error))?;
    opened.iter().map(|opened| parse(&opened)).collect()
}

/// Seals raw `bytes` (a chunk of an attachment's content) kept under `key` in `store`, as [`seal`]
/// seals a value's JSON: same key, a fresh IV, the place bound in.
pub async fn seal_bytes(
    data_key: &DataKey,
    store: &str,
    key: &str,
    bytes: &[u8],
) -> Result<JsValue> {
    let (iv, sealing) = crypto::start_seal(data_key, &aad(store, key), bytes)?;
    let sealed = wasm_bindgen_futures::JsFuture::from(sealing)
        .await
        .map_err(|error| StoreError::Crypto(format!("encrypt: {}", crypto::js_name(&error))))?;
    Ok(crypto::finish_seal(&iv, &sealed).into())
}

/// Reads back the bytes that [`seal_bytes`] sealed for the same `store` and `key`.
pub async fn unseal_bytes(
    data_key: &DataKey,
    store: &str,
    key: &str,
    stored: &JsValue,
) -> Result<Vec<u8>> {
    let opening = crypto::start_open(data_key, &aad(store, key), stored)?;
    let opened = wasm_bindgen_futures::JsFuture::from(opening)
        .await
        .map_err(|error| unopened(store, &error))?;
    crypto::opened_bytes(&opened)
}

fn unopened(store: &str, error: &JsValue) -> StoreError {
    match crypto::js_name(error).as_str() {
        // GCM's tag did not match: another key, another place, or changed bytes.
        "OperationError" => StoreError::Corrupt {
            reason: format!("a value in {store} does not open with this key in this place"),
        },
        other => StoreError::Crypto(format!("decrypt: {other}")),
    }
}

fn parse<T: DeserializeOwned>(opened: &JsValue) -> Result<T> {
    let bytes = crypto::opened_bytes(opened)?;
    serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt {
        reason: e.to_string(),
    })
}
