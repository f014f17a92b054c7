//! The two requests of the sync protocol, over the browser's `fetch`, with a time limit so that a
//! request stuck on a dying 2G link does not hold up every later sync.

use super::SyncError;
use leptos::prelude::set_timeout_with_handle;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, RequestCache, RequestInit, Response};

/// How long one request may take, answer included, before it is given up and retried later.
const TIME_LIMIT: Duration = Duration::from_secs(60);

/// `GET url`, reading a JSON answer.
pub async fn get<T: DeserializeOwned>(url: &str) -> Result<T, SyncError> {
    let init = RequestInit::new();
    init.set_method("GET");
    read(&send(url, init).await?)
}

/// `POST url` with a JSON body, reading a JSON answer.
pub async fn post<B: Serialize, T: DeserializeOwned>(url: &str, body: &B) -> Result<T, SyncError> {
    let body = serde_json::to_string(body).map_err(|e| SyncError::Answer(e.to_string()))?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(&body));
    let headers = js_sys::Object::new();
    js_sys::Reflect::set(
        &headers,
        &JsValue::from_str("content-type"),
        &JsValue::from_str("application/json"),
    )
    .map_err(|_| SyncError::Unreachable)?;
    init.set_headers(&headers);
    read(&send(url, init).await?)
}

fn read<T: DeserializeOwned>(answer: &str) -> Result<T, SyncError> {
    serde_json::from_str(answer).map_err(|e| SyncError::Answer(e.to_string()))
}

/// Sends the request and returns the answer's text. Not generic over the answer's type, so that
/// the request, its time limit and its errors are compiled once for every kind of answer.
async fn send(url: &str, init: RequestInit) -> Result<String, SyncError> {
    let window = web_sys::window().ok_or(SyncError::Unreachable)?;
    // Sync data must come from the server, never from an HTTP cache on the way.
    init.set_cache(RequestCache::NoStore);
    let controller = AbortController::new().map_err(|_| SyncError::Unreachable)?;
    init.set_signal(Some(&controller.signal()));
    let limit = set_timeout_with_handle(move || controller.abort(), TIME_LIMIT).ok();

    let answer = async {
        let response: Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
            .await
            .map_err(|_| SyncError::Unreachable)?
            .unchecked_into();
        if !response.ok() {
            return Err(SyncError::Status(response.status()));
        }
        let text = response.text().map_err(|_| SyncError::Unreachable)?;
        let text = JsFuture::from(text)
            .await
            .map_err(|_| SyncError::Unreachable)?;
        Ok(text.as_string().unwrap_or_default())
    }
    .await;

    if let Some(limit) = limit {
        limit.clear();
    }
    answer
}
