//! One request to Sakhi's server over the browser's `fetch`: a time limit, so that a request
//! stuck on a dying 2G link does not hold up every later one; gzip for long JSON bodies; the raw
//! bytes of an attachment's chunk, both ways, on paths of their own that the app's first screen
//! never links in; and the server's clock and wait, read from the answer's headers.

use super::ApiError;
use leptos::prelude::{TimeoutHandle, set_timeout_with_handle};
use sakhi_domain::wire::ErrorBody;
use serde::de::DeserializeOwned;
use std::time::Duration;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, RequestCache, RequestInit, Response, Window};

/// How long one request may take, answer included, before it is given up and retried later.
const TIME_LIMIT: Duration = Duration::from_secs(60);

/// Bodies shorter than this go as they are: gzip's header would eat what it saves.
const GZIP_FROM_BYTES: usize = 1024;

#[wasm_bindgen]
extern "C" {
    /// The browser's own gzip (`CompressionStream`), bound here because `web-sys` counts it among
    /// its unstable APIs; no compressor need be compiled into the app.
    #[wasm_bindgen(js_name = CompressionStream)]
    type GzipStream;
    #[wasm_bindgen(constructor, js_class = "CompressionStream", catch)]
    fn new(format: &str) -> Result<GzipStream, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn readable(this: &GzipStream) -> web_sys::ReadableStream;
    #[wasm_bindgen(method, getter)]
    fn writable(this: &GzipStream) -> web_sys::WritableStream;
}

/// `body` gzipped, when it is long enough to gain; `None` sends it as it is (also where the
/// browser cannot compress).
async fn gzip_if_worth_it(body: &str) -> Option<js_sys::Uint8Array> {
    if body.len() < GZIP_FROM_BYTES {
        return None;
    }
    let parts = js_sys::Array::of1(&JsValue::from_str(body));
    let blob = web_sys::Blob::new_with_str_sequence(&parts).ok()?;
    let gzip = GzipStream::new("gzip").ok()?;
    let pair = web_sys::ReadableWritablePair::new(&gzip.readable(), &gzip.writable());
    let packed = blob.stream().pipe_through(&pair);
    let response = Response::new_with_opt_readable_stream(Some(&packed)).ok()?;
    let bytes = JsFuture::from(response.array_buffer().ok()?).await.ok()?;
    Some(js_sys::Uint8Array::new(&bytes))
}

/// The server's answer to a request that reached it.
pub struct Answer {
    pub status: u16,
    /// The body's text: JSON from the API, errors included.
    pub body: String,
    /// For a 429, how many seconds the server asks to wait.
    pub retry_after: Option<u32>,
}

impl Answer {
    /// The JSON body as `T`, for a successful answer.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        serde_json::from_str(&self.body).map_err(|e| ApiError::Unreadable(e.to_string()))
    }

    /// The machine-readable code of an error answer (`ErrorBody::code`), if it has one.
    fn code(&self) -> Option<String> {
        serde_json::from_str::<ErrorBody>(&self.body).ok()?.code
    }

    /// The answer of a successful request, or the error its status means.
    pub fn ok(self) -> Result<Answer, ApiError> {
        match self.status {
            200..=299 => Ok(self),
            status => Err(ApiError::of_status(status, self.retry_after, self.code())),
        }
    }
}

/// Sends one request, with an `Authorization` header when a `token` is given and a JSON `body`
/// when one is, and returns whatever the server answered. Only not reaching the server is an
/// error here; [`Answer::ok`] says what each status means. Not generic, so that the request, its
/// time limit and its errors are compiled once for every kind of answer.
pub async fn call(
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Result<Answer, ApiError> {
    let request = Outgoing::new(method, token)?;
    if let Some(body) = body {
        request.header("content-type", "application/json")?;
        match gzip_if_worth_it(body).await {
            Some(packed) => {
                request.header("content-encoding", "gzip")?;
                request.init.set_body(&packed);
            }
            None => request.init.set_body(&JsValue::from_str(body)),
        }
    }
    request.send(url).await?.text().await
}

/// Sends raw `bytes` (a chunk of an attachment's content) as [`call`] sends JSON, and returns
/// whatever the server answered, as text. Not gzipped: photos, PDFs and voice notes are compressed
/// already.
pub async fn call_with_bytes(
    method: &str,
    url: &str,
    token: Option<&str>,
    bytes: &[u8],
) -> Result<Answer, ApiError> {
    let request = Outgoing::new(method, token)?;
    request.header("content-type", "application/octet-stream")?;
    request.init.set_body(&js_sys::Uint8Array::from(bytes));
    request.send(url).await?.text().await
}

/// `GET url`, whose successful answer is raw bytes (a chunk of an attachment's content): the
/// bytes, or the error that the answer's status means.
pub async fn get_bytes(url: &str, token: Option<&str>) -> Result<Vec<u8>, ApiError> {
    let arrived = Outgoing::new("GET", token)?.send(url).await?;
    if !arrived.response.ok() {
        // An error's answer is JSON, with its code, as with every other request.
        let answer = arrived.text().await?;
        return Err(ApiError::of_status(
            answer.status,
            answer.retry_after,
            answer.code(),
        ));
    }
    let bytes = arrived
        .response
        .array_buffer()
        .map_err(|_| ApiError::Unreachable)?;
    let bytes = JsFuture::from(bytes)
        .await
        .map_err(|_| ApiError::Unreachable)?;
    Ok(js_sys::Uint8Array::new(&bytes).to_vec())
}

/// A request being prepared: its method and headers, before its body.
struct Outgoing {
    window: Window,
    init: RequestInit,
    headers: Headers,
}

impl Outgoing {
    /// A request with `method`, as the worker holding `token` if one is given.
    fn new(method: &str, token: Option<&str>) -> Result<Outgoing, ApiError> {
        let window = web_sys::window().ok_or(ApiError::Unreachable)?;
        let init = RequestInit::new();
        init.set_method(method);
        let headers = Headers::new().map_err(|_| ApiError::Unreachable)?;
        let request = Outgoing {
            window,
            init,
            headers,
        };
        if let Some(token) = token {
            request.header("authorization", &format!("Bearer {token}"))?;
        }
        Ok(request)
    }

    /// Sets the header `name` to `value`.
    fn header(&self, name: &str, value: &str) -> Result<(), ApiError> {
        self.headers
            .set(name, value)
            .map_err(|_| ApiError::Unreachable)
    }

    /// Sends the request to `url` and waits for the answer's head. Its time limit keeps running
    /// until the body is read: it covers the whole answer.
    async fn send(self, url: &str) -> Result<Arrived, ApiError> {
        let Outgoing {
            window,
            init,
            headers,
        } = self;
        init.set_headers(&headers);
        // Answers must come from the server, never from an HTTP cache on the way.
        init.set_cache(RequestCache::NoStore);
        let controller = AbortController::new().map_err(|_| ApiError::Unreachable)?;
        init.set_signal(Some(&controller.signal()));
        let limit = Limit(set_timeout_with_handle(move || controller.abort(), TIME_LIMIT).ok());

        let sent = crate::clock::phone_now();
        let response: Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
            .await
            .map_err(|_| ApiError::Unreachable)?
            .unchecked_into();
        if let Ok(Some(date)) = response.headers().get("date") {
            crate::clock::heard(&date, sent, crate::clock::phone_now());
        }
        let retry_after = response
            .headers()
            .get("retry-after")
            .ok()
            .flatten()
            .and_then(|seconds| seconds.trim().parse().ok());
        Ok(Arrived {
            response,
            retry_after,
            _limit: limit,
        })
    }
}

/// A request's time limit, cleared when the answer has been read (or given up on).
struct Limit(Option<TimeoutHandle>);

impl Drop for Limit {
    fn drop(&mut self) {
        if let Some(limit) = self.0 {
            limit.clear();
        }
    }
}

/// An answer whose head has arrived, its body still to read within the request's time limit.
struct Arrived {
    response: Response,
    retry_after: Option<u32>,
    _limit: Limit,
}

impl Arrived {
    /// The whole answer, its body read as text.
    async fn text(self) -> Result<Answer, ApiError> {
        let text = self.response.text().map_err(|_| ApiError::Unreachable)?;
        let text = JsFuture::from(text)
            .await
            .map_err(|_| ApiError::Unreachable)?;
        Ok(Answer {
            status: self.response.status(),
            body: text.as_string().unwrap_or_default(),
            retry_after: self.retry_after,
        })
    }
}
