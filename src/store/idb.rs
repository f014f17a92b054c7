//! How the store talks to IndexedDB: transactions, reads by key and by key range, puts, the
//! plain values of `meta`, the browser's errors turned into [`StoreError`]s (a full disk told
//! apart), and closing a connection another tab waits on.

use super::{Result, Store, StoreError};
use indexed_db_futures::database::Database;
use indexed_db_futures::internals::SystemRepr;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{Transaction, TransactionMode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::ops::Range;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
impl From<indexed_db_futures::error::Error> for StoreError {
    fn from(error: indexed_db_futures::error::Error) -> Self {
        use indexed_db_futures::error::Error;
        match &error {
            Error::DomException(exception) if is_full(exception.as_ref()) => StoreError::Full,
            _ => StoreError::Database(describe(error)),
        }
    }
}

/// Whether a browser error says the disk or the origin's quota is full.
fn is_full(error: &JsValue) -> bool {
    error
        .dyn_ref::<web_sys::DomException>()
        .is_some_and(|e| e.name() == "QuotaExceededError")
}

/// Commits `tx`, telling a full disk apart. A quota error aborts the transaction without failing
/// any request, and the library reports only that it aborted; the reason is on the transaction.
pub(super) async fn commit(tx: Transaction<'_>) -> Result<()> {
    let raw: web_sys::IdbTransaction = tx
        .as_sys()
        .unchecked_ref::<web_sys::IdbTransaction>()
        .clone();
    match tx.commit().await {
        Ok(()) => Ok(()),
        Err(error) => match raw.error() {
            Some(reason) if is_full(&reason) => Err(StoreError::Full),
            _ => Err(error.into()),
        },
    }
}

/// Closes `db`'s connection when another connection asks to delete or upgrade the database: her
/// logging out in another tab, or a lingering connection in this one. Otherwise the deletion
/// waits, without end, for this page to let go.
pub(super) fn close_when_asked(db: &Database) -> Closure<dyn FnMut()> {
    let raw: web_sys::IdbDatabase = db.as_sys().unchecked_ref::<web_sys::IdbDatabase>().clone();
    let close = {
        let raw = raw.clone();
        Closure::<dyn FnMut()>::new(move || raw.close())
    };
    raw.set_onversionchange(Some(close.as_ref().unchecked_ref()));
    close
}

impl From<indexed_db_futures::error::OpenDbError> for StoreError {
    fn from(error: indexed_db_futures::error::OpenDbError) -> Self {
        use indexed_db_futures::error::OpenDbError;
        match error {
            // Creating a database on a full disk fails like a write does.
            OpenDbError::Base(error) => match StoreError::from(error) {
                StoreError::Full => StoreError::Full,
                StoreError::Database(reason) => StoreError::Open(reason),
                other => other,
            },
            _ => StoreError::Open("this browser has no usable IndexedDB".to_owned()),
        }
    }
}

/// The browser's own message, which says enough to act on. Formatting the library's errors instead
/// would bring their `Display` code, floats included, into the app shell for text no one reads on a
/// phone.
fn describe(error: indexed_db_futures::error::Error) -> String {
    use indexed_db_futures::error::Error;
    match error {
        Error::DomException(exception) => exception.message(),
        Error::Serialisation(_) => "a value could not be converted".to_owned(),
        Error::MissingData(_) => "an expected value was missing".to_owned(),
        Error::Unknown(_) => "an error the browser did not name".to_owned(),
    }
}

/// A stored value with where it is kept: `(object store, key, value)`.
pub(super) type Sealed = (&'static str, String, JsValue);

impl Store {
    pub(super) fn write<const N: usize>(&self, stores: [&str; N]) -> Result<Transaction<'_>> {
        Ok(self
            .db
            .transaction(stores)
            .with_mode(TransactionMode::Readwrite)
            .build()?)
    }

    /// Every value of the object store `name`, in key order.
    pub(super) async fn read_all(&self, name: &'static str) -> Result<Vec<Sealed>> {
        let tx = self.db.transaction(name).build()?;
        let store = tx.object_store(name)?;
        let keys = store.get_all_keys::<String>().primitive()?;
        let values = store.get_all::<JsValue>().primitive()?;
        let keys = keys.await?.collect::<Result<Vec<_>, _>>()?;
        let values = values.await?.collect::<Result<Vec<_>, _>>()?;
        Ok(keys
            .into_iter()
            .zip(values)
            .map(|(key, value)| (name, key, value))
            .collect())
    }

    /// Every key of the object store `name`, in order, without reading a value.
    pub(super) async fn read_keys(&self, name: &str) -> Result<Vec<String>> {
        let tx = self.db.transaction(name).build()?;
        let store = tx.object_store(name)?;
        let keys = store.get_all_keys::<String>().primitive()?.await?;
        Ok(keys.collect::<Result<Vec<_>, _>>()?)
    }

    /// The values of the object store `name` in each key range of `ranges`, in key order.
    pub(super) async fn read_ranges(
        &self,
        name: &'static str,
        ranges: impl IntoIterator<Item = Range<String>>,
    ) -> Result<Vec<Sealed>> {
        let tx = self.db.transaction(name).build()?;
        let store = tx.object_store(name)?;
        // All requests go out before the first is awaited: one round through the event loop.
        let mut requests = Vec::new();
        for range in ranges {
            let keys = store
                .get_all_keys::<String>()
                .with_query::<String, _>(range.clone())
                .primitive()?;
            let values = store
                .get_all::<JsValue>()
                .with_query::<String, _>(range)
                .primitive()?;
            requests.push((keys, values));
        }
        let mut found = Vec::new();
        for (keys, values) in requests {
            let keys = keys.await?.collect::<Result<Vec<_>, _>>()?;
            let values = values.await?.collect::<Result<Vec<_>, _>>()?;
            found.extend(keys.into_iter().zip(values).map(|(k, v)| (name, k, v)));
        }
        Ok(found)
    }

    /// The stored values at `places` (`(object store, key)`), in the same order; `None` where there
    /// is none.
    pub(super) async fn read_at(
        &self,
        places: &[(&'static str, String)],
    ) -> Result<Vec<Option<JsValue>>> {
        if places.is_empty() {
            return Ok(Vec::new());
        }
        let mut names: Vec<&str> = places.iter().map(|(name, _)| *name).collect();
        names.sort_unstable();
        names.dedup();
        let tx = self.db.transaction(names).build()?;
        // All requests go out before the first is awaited: one round through the event loop.
        let requests = places
            .iter()
            .map(|(name, key)| {
                Ok(tx
                    .object_store(name)?
                    .get::<JsValue, _, _>(key.as_str())
                    .primitive()?)
            })
            .collect::<Result<Vec<_>>>()?;
        let mut found = Vec::with_capacity(places.len());
        for request in requests {
            found.push(request.await?);
        }
        Ok(found)
    }
}

/// Puts a sealed value where it belongs, in the transaction `tx`.
pub(super) fn put(tx: &Transaction<'_>, (name, key, value): Sealed) -> Result<()> {
    tx.object_store(name)?
        .put(value)
        .with_key(key)
        .without_key_type()
        .primitive()?;
    Ok(())
}

/// Reads a `meta` value: plain JSON text, since it holds no survivor data.
pub(super) async fn read_meta<T: DeserializeOwned>(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
    key: &str,
) -> Result<Option<T>> {
    let Some(text) = meta_text(store, key).await? else {
        return Ok(None);
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| StoreError::Corrupt {
            reason: format!("meta {key}: {e}"),
        })
}

/// The text under a `meta` key. Apart from [`read_meta`], so that the request is compiled once
/// rather than once for each type of value read.
async fn meta_text(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
    key: &str,
) -> Result<Option<String>> {
    Ok(store.get::<String, _, _>(key).primitive()?.await?)
}

pub(super) fn put_meta<T: Serialize>(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
    key: &str,
    value: &T,
) -> Result<()> {
    let text = serde_json::to_string(value).map_err(|e| StoreError::Encode(e.to_string()))?;
    store
        .put(text)
        .with_key(key)
        .without_key_type()
        .primitive()?;
    Ok(())
}
