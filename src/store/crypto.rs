//! The browser's Web Crypto, as the store uses it: a worker's data key, sealing bytes with it
//! (AES-256-GCM), and keeping it wrapped under a key derived from her passphrase.
//!
//! Nothing here ever holds key material in Rust memory: keys are `CryptoKey` handles that the
//! browser keeps, and the data key handed to the app cannot be exported. Web Crypto exists only
//! in a secure context (HTTPS, or `http://localhost`); elsewhere every call fails with
//! [`StoreError::Crypto`].

use super::StoreError;
use js_sys::{Array, ArrayBuffer, Promise, Uint8Array};
use std::fmt;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AesGcmParams, AesKeyGenParams, CryptoKey, Pbkdf2Params, SubtleCrypto};

/// The bytes of a fresh random IV at the front of every sealed value. 96 bits, the size GCM is
/// made for; random IVs under one key stay safe far beyond the 2^32 values NIST allows, more than
/// a worker's store will ever hold.
pub const IV_LEN: u32 = 12;
/// PBKDF2-SHA256 rounds for a new wrapping: OWASP's figure for 2023 on. Unlocking reads the count
/// from the worker's entry, so raising it later only affects keys wrapped from then on.
pub const ITERATIONS: u32 = 600_000;
/// Bytes of random salt per wrapping.
pub const SALT_LEN: usize = 16;
/// Names kept with a wrapped key, so a later build knows how it was made.
pub const KDF: &str = "PBKDF2-SHA256";
pub const WRAP: &str = "AES-KW";

const GCM: &str = "AES-GCM";

/// A worker's data key: it seals and opens every record, outbox entry and secret in her store.
///
/// Cheap to clone: it holds browser handles, never the key's bytes, and the key itself cannot be
/// exported. It also keeps the key that unwrapped it, so that [`Keyring::rewrap`] can wrap it
/// again under a new passphrase; both go when the last clone is dropped (locking the app).
///
/// [`Keyring::rewrap`]: super::keyring::Keyring::rewrap
#[derive(Clone)]
pub struct DataKey(Rc<Held>);

struct Held {
    key: CryptoKey,
    account: String,
    /// The passphrase-derived key (unwrap only, not exportable) and what it unwraps.
    wrapping: CryptoKey,
    wrapped: Vec<u8>,
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(..)")
    }
}

impl DataKey {
    /// The account whose store this key opens.
    pub(super) fn account(&self) -> &str {
        &self.0.account
    }
}

type Result<T, E = StoreError> = std::result::Result<T, E>;

thread_local! {
    static CRYPTO: Option<web_sys::Crypto> = web_sys::window().and_then(|w| w.crypto().ok());
}

fn crypto() -> Result<web_sys::Crypto> {
    CRYPTO.with(Clone::clone).ok_or_else(|| {
        StoreError::Crypto("this page has no Web Crypto (it needs HTTPS or localhost)".to_owned())
    })
}

fn subtle() -> Result<SubtleCrypto> {
    let subtle = crypto()?.subtle();
    // `crypto.subtle` is undefined outside a secure context although `crypto` exists.
    if subtle.is_undefined() {
        return Err(StoreError::Crypto(
            "this page has no Web Crypto (it needs HTTPS or localhost)".to_owned(),
        ));
    }
    Ok(subtle)
}

fn failed(what: &str) -> impl Fn(JsValue) -> StoreError + '_ {
    move |error| StoreError::Crypto(format!("{what}: {}", js_name(&error)))
}

/// A browser error's name (`OperationError`, …), which says enough and never holds data.
pub(super) fn js_name(error: &JsValue) -> String {
    js_sys::Reflect::get(error, &JsValue::from_str("name"))
        .ok()
        .and_then(|name| name.as_string())
        .unwrap_or_else(|| "an error the browser did not name".to_owned())
}

/// `n` random bytes from the browser's generator.
pub fn random(n: u32) -> Result<Uint8Array> {
    let bytes = Uint8Array::new_with_length(n);
    crypto()?
        .get_random_values_with_js_u8_array(&bytes)
        .map_err(failed("random bytes"))?;
    Ok(bytes)
}

fn usages(names: &[&str]) -> Array {
    names.iter().map(|name| JsValue::from_str(name)).collect()
}

async fn settle(promise: Promise, what: &str) -> Result<JsValue> {
    JsFuture::from(promise).await.map_err(failed(what))
}

/// Starts sealing `plain` under `aad`: returns the IV and the pending ciphertext. Apart from
/// [`finish_seal`] so that many can be started before any is awaited.
pub fn start_seal(key: &DataKey, aad: &str, plain: &[u8]) -> Result<(Uint8Array, Promise)> {
    let iv = random(IV_LEN)?;
    let params = AesGcmParams::new(GCM, &iv);
    // Owned JS copies, not views of wasm memory: the browser reads them after this call returns.
    params.set_additional_data_u8_array(&Uint8Array::from(aad.as_bytes()));
    let sealing = subtle()?
        .encrypt_with_object_and_u8_array(&params, &key.0.key, plain)
        .map_err(failed("encrypt"))?;
    Ok((iv, sealing))
}

/// One value as IndexedDB keeps it: the IV followed by the ciphertext (with GCM's tag).
pub fn finish_seal(iv: &Uint8Array, sealed: &JsValue) -> Uint8Array {
    let sealed = Uint8Array::new(sealed);
    let stored = Uint8Array::new_with_length(IV_LEN + sealed.length());
    stored.set(iv, 0);
    stored.set(&sealed, IV_LEN);
    stored
}

/// Starts opening a value [`finish_seal`] made under the same `aad`; the promise gives the plain
/// bytes as an `ArrayBuffer`, or rejects if the key, the AAD or a single byte differs.
pub fn start_open(key: &DataKey, aad: &str, stored: &JsValue) -> Result<Promise> {
    Opener::new()?.start(key, aad, stored)
}

/// Starts opening many values, with one Web Crypto handle and one parameters object between them:
/// the browser copies the IV and associated data out of the parameters when each call is made, so
/// the object can be reused, and every call into JavaScript saved counts over thousands of values.
pub struct Opener {
    subtle: SubtleCrypto,
    params: AesGcmParams,
}

impl Opener {
    pub fn new() -> Result<Opener> {
        Ok(Opener {
            subtle: subtle()?,
            params: AesGcmParams::new(GCM, &Uint8Array::new_with_length(IV_LEN)),
        })
    }

    /// Like [`start_open`].
    pub fn start(&self, key: &DataKey, aad: &str, stored: &JsValue) -> Result<Promise> {
        let stored: &Uint8Array = stored
            .dyn_ref()
            .filter(|bytes: &&Uint8Array| bytes.length() > IV_LEN)
            .ok_or_else(|| StoreError::Corrupt {
                // Databases from before encryption hold text here; there is no production data from
                // then, so they are simply unreadable.
                reason: "a stored value is not a sealed value".to_owned(),
            })?;
        self.params.set_iv(&stored.subarray(0, IV_LEN));
        self.params
            .set_additional_data_u8_array(&Uint8Array::from(aad.as_bytes()));
        self.subtle
            .decrypt_with_object_and_js_u8_array(
                &self.params,
                &key.0.key,
                &stored.subarray(IV_LEN, u32::MAX),
            )
            .map_err(failed("decrypt"))
    }
}

/// The plain bytes of an opened value.
pub fn opened_bytes(opened: &JsValue) -> Result<Vec<u8>> {
    let buffer: &ArrayBuffer = opened.dyn_ref().ok_or_else(|| StoreError::Corrupt {
        reason: "Web Crypto gave no bytes".to_owned(),
    })?;
    Ok(Uint8Array::new(buffer).to_vec())
}

/// How a worker's data key is kept on the phone: wrapped, with what it takes to derive the key
/// that unwraps it from her passphrase. Nothing here tells whether a passphrase is right except
/// trying it.
pub struct Wrapped {
    pub salt: Vec<u8>,
    pub iterations: u32,
    pub wrapped: Vec<u8>,
}

/// The AES-KW key derived from `passphrase`. The passphrase is taken in Unicode NFC, so that
/// Devanagari typed on two different keyboards gives the same key.
async fn wrapping_key(passphrase: &str, salt: &[u8], iterations: u32) -> Result<CryptoKey> {
    let subtle = subtle()?;
    let normal: String = js_sys::JsString::from(passphrase).normalize("NFC").into();
    let base = subtle
        .import_key_with_str(
            "raw",
            &Uint8Array::from(normal.as_bytes()),
            "PBKDF2",
            false,
            &usages(&["deriveKey"]),
        )
        .map_err(failed("import the passphrase"))?;
    let base: CryptoKey = settle(base, "import the passphrase")
        .await?
        .unchecked_into();
    let params = Pbkdf2Params::new(
        "PBKDF2",
        &JsValue::from_str("SHA-256"),
        iterations,
        &Uint8Array::from(salt),
    );
    let derived = subtle
        .derive_key_with_object_and_object(
            &params,
            &base,
            &AesKeyGenParams::new(WRAP, 256),
            false,
            &usages(&["wrapKey", "unwrapKey"]),
        )
        .map_err(failed("derive the wrapping key"))?;
    Ok(settle(derived, "derive the wrapping key")
        .await?
        .unchecked_into())
}

/// Unwraps `wrapped` with `wrapping`; `extractable` only for the moment of wrapping it again.
/// AES-KW checks its integrity, so a wrong wrapping key fails here.
async fn unwrap(wrapping: &CryptoKey, wrapped: &[u8], extractable: bool) -> Result<CryptoKey> {
    let unwrapping = subtle()?
        .unwrap_key_with_u8_array_and_str_and_object(
            "raw",
            wrapped,
            wrapping,
            WRAP,
            &AesKeyGenParams::new(GCM, 256),
            extractable,
            &usages(&["encrypt", "decrypt"]),
        )
        .map_err(failed("unwrap"))?;
    match JsFuture::from(unwrapping).await {
        Ok(key) => Ok(key.unchecked_into()),
        Err(error) if js_name(&error) == "OperationError" => Err(StoreError::WrongPassphrase),
        Err(error) => Err(failed("unwrap")(error)),
    }
}

async fn wrap(key: &CryptoKey, wrapping: &CryptoKey) -> Result<Vec<u8>> {
    let wrapping = subtle()?
        .wrap_key_with_str("raw", key, wrapping, WRAP)
        .map_err(failed("wrap"))?;
    Ok(Uint8Array::new(&settle(wrapping, "wrap").await?).to_vec())
}

/// A new random data key for `account`, and how to keep it wrapped under `passphrase`.
pub async fn new_key(account: &str, passphrase: &str) -> Result<(DataKey, Wrapped)> {
    let salt = random(SALT_LEN as u32)?.to_vec();
    let wrapping = wrapping_key(passphrase, &salt, ITERATIONS).await?;
    // Exportable only so that it can be wrapped; the app gets the unwrapped, unexportable copy.
    let generating = subtle()?
        .generate_key_with_object(
            &AesKeyGenParams::new(GCM, 256),
            true,
            &usages(&["encrypt", "decrypt"]),
        )
        .map_err(failed("generate a key"))?;
    let exportable: CryptoKey = settle(generating, "generate a key").await?.unchecked_into();
    let wrapped = wrap(&exportable, &wrapping).await?;
    drop(exportable);
    let key = unwrap(&wrapping, &wrapped, false).await?;
    let kept = Wrapped {
        salt,
        iterations: ITERATIONS,
        wrapped: wrapped.clone(),
    };
    let key = DataKey(Rc::new(Held {
        key,
        account: account.to_owned(),
        wrapping,
        wrapped,
    }));
    Ok((key, kept))
}

/// The data key kept as `kept`, if `passphrase` is the one it was wrapped under; otherwise
/// [`StoreError::WrongPassphrase`].
pub async fn unlock(account: &str, kept: &Wrapped, passphrase: &str) -> Result<DataKey> {
    let wrapping = wrapping_key(passphrase, &kept.salt, kept.iterations).await?;
    let key = unwrap(&wrapping, &kept.wrapped, false).await?;
    Ok(DataKey(Rc::new(Held {
        key,
        account: account.to_owned(),
        wrapping,
        wrapped: kept.wrapped.clone(),
    })))
}

/// `key` wrapped anew under `passphrase`, with a new salt.
pub async fn rewrap(key: &DataKey, passphrase: &str) -> Result<Wrapped> {
    let salt = random(SALT_LEN as u32)?.to_vec();
    let wrapping = wrapping_key(passphrase, &salt, ITERATIONS).await?;
    let exportable = unwrap(&key.0.wrapping, &key.0.wrapped, true).await?;
    let wrapped = wrap(&exportable, &wrapping).await?;
    Ok(Wrapped {
        salt,
        iterations: ITERATIONS,
        wrapped,
    })
}

/// Awaits every promise in `promises` together; their values in order, or the first rejection.
pub async fn all(promises: &Array) -> Result<Array, JsValue> {
    Ok(JsFuture::from(Promise::all(promises))
        .await?
        .unchecked_into())
}
