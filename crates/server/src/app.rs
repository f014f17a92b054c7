//! The application: its router, the headers every answer carries, and serving it until shutdown.

use crate::clock::{self, Clock};
use crate::error::{AppError, ServeError};
use crate::secrets;
use crate::settings::Settings;
use crate::store::{self, AccountStore, Opened, Store, StoreError};
use crate::{api, pwa};
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use sakhi_domain::wire::paths;
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::api::request::{MAX_HEADER_BYTES, MAX_URI_BYTES};
use crate::state::AppState;

/// How long a code made by `sakhi-server centre add` stays valid.
pub const CENTRE_CODE_DAYS: u64 = 7;

/// The whole HTTP surface: the API under `/api`, the built app everywhere else, and the security
/// headers on every answer, errors and files included.
pub fn router<S: Store>(state: AppState<S>, headers: &SecurityHeaders) -> Router {
    let dist = state.dist.clone();
    let mut router = Router::new()
        .nest(paths::PREFIX, api::router(state.clone()))
        .merge(pwa::router(dist))
        .layer(middleware::from_fn_with_state(state, require_setup::<S>))
        .layer(middleware::from_fn(within_limits))
        .layer(middleware::from_fn(api_answers))
        // The API sets its own, stricter one.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            headers.csp.clone(),
        ))
        .layer(security_header(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(security_header(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(security_header(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ));
    if headers.hsts {
        router = router.layer(security_header(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ));
    }
    router
        .layer(CatchPanicLayer::custom(|_| AppError::Panic.into_response()))
        .layer(TraceLayer::new_for_http())
}

fn security_header(name: HeaderName, value: HeaderValue) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(name, value)
}

/// API paths that answer before any centre is set up.
fn answers_before_setup(path: &str) -> bool {
    matches!(path, paths::HEALTH | paths::SETUP | paths::OPENAPI)
}

/// Until a centre is set up, the API answers only health, setup and its own description; the
/// app's files are served, so the setup page can load.
async fn require_setup<S: AccountStore>(
    State(state): State<AppState<S>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if api::is_api_path(path) && !answers_before_setup(path) {
        match state.is_set_up().await {
            Ok(true) => {}
            Ok(false) => return api::no_store(AppError::SetupRequired.into_response()),
            Err(error) => return api::no_store(AppError::from(error).into_response()),
        }
    }
    next.run(request).await
}

/// Refuses an address or headers too long with a reason, before anything reads them, so that
/// whatever hyper lets through up to its own limits gets the API's JSON answer.
async fn within_limits(request: Request, next: Next) -> Response {
    let uri = request
        .uri()
        .path_and_query()
        .map_or(0, |path| path.as_str().len());
    let headers: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if uri > MAX_URI_BYTES {
        return api::no_store(AppError::UriTooLong { max: MAX_URI_BYTES }.into_response());
    }
    if headers > MAX_HEADER_BYTES {
        return api::no_store(
            AppError::HeadersTooLarge {
                max: MAX_HEADER_BYTES,
            }
            .into_response(),
        );
    }
    next.run(request).await
}

/// Holds every answer under `/api` to the API's promise, whichever layer made it: a refusal
/// without a body (a layer's, such as the decompression's 415) gets a JSON reason, and every
/// answer is `no-store` with the API's own content security policy, never the app's.
async fn api_answers(request: Request, next: Next) -> Response {
    if !api::is_api_path(request.uri().path()) {
        return next.run(request).await;
    }
    let mut response = with_reason(next.run(request).await);
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(api::API_CSP),
    );
    response
}

/// An error answer without a body of its own, given the [`AppError`] of its status; its other
/// headers (the decompression's `Accept-Encoding`, say) are kept. Any other answer, as it is.
fn with_reason(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error())
        || response.headers().contains_key(header::CONTENT_TYPE)
    {
        return response;
    }
    let error = match status {
        StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::UnsupportedMediaType(
            "the body's Content-Encoding is not one the server reads: send it as it is or \
             gzipped once"
                .to_owned(),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => {
            AppError::TooLarge("the request body is too large".to_owned())
        }
        StatusCode::URI_TOO_LONG => AppError::UriTooLong { max: MAX_URI_BYTES },
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => AppError::HeadersTooLarge {
            max: MAX_HEADER_BYTES,
        },
        status => AppError::Refused { status },
    };
    let (parts, _) = response.into_parts();
    let mut answer = error.into_response();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_LENGTH && !answer.headers().contains_key(name) {
            answer.headers_mut().insert(name, value.clone());
        }
    }
    answer
}

/// The headers computed once at start.
#[derive(Clone, Debug)]
pub struct SecurityHeaders {
    pub csp: HeaderValue,
    pub hsts: bool,
}

impl SecurityHeaders {
    /// The policy for the app in `dist`: the inline scripts of its pages (Trunk's module
    /// bootstrap in `index.html`, and in the `index.html` of any folder beside it, such as a page
    /// built apart) are allowed by their hashes, nothing else inline; wasm may compile, but nothing
    /// may `eval`.
    pub fn new(dist: &Path, public_url: Option<&str>) -> SecurityHeaders {
        let mut pages = vec![dist.join("index.html")];
        if let Ok(entries) = std::fs::read_dir(dist) {
            pages.extend(
                entries
                    .flatten()
                    .map(|entry| entry.path().join("index.html")),
            );
        }
        let mut hashes = Vec::new();
        for page in pages {
            let html = std::fs::read_to_string(page).unwrap_or_default();
            for script in inline_scripts(&html) {
                let hash = format!(" 'sha256-{}'", secrets::sha256_base64(script));
                if !hashes.contains(&hash) {
                    hashes.push(hash);
                }
            }
        }
        let hashes = hashes.concat();
        let csp = format!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; \
             img-src 'self' data: blob:; media-src 'self' blob:; \
             connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; \
             base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
        );
        SecurityHeaders {
            csp: HeaderValue::from_str(&csp).expect("a CSP of ASCII text is a valid header"),
            hsts: public_url.is_some_and(|url| url.starts_with("https://")),
        }
    }
}

/// The text of each `<script>` without a `src` in a page, exactly as the browser hashes it.
pub fn inline_scripts(html: &str) -> Vec<&str> {
    let mut scripts = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(tag_end) = after.find('>') else {
            break;
        };
        let tag = &after[..tag_end];
        let body = &after[tag_end + 1..];
        let Some(close) = body.find("</script>") else {
            break;
        };
        if !tag.contains("src=") {
            scripts.push(&body[..close]);
        }
        rest = &body[close..];
    }
    scripts
}

/// Opens the database the settings name, then serves on `listener` until `shutdown` completes,
/// letting requests in flight finish. Once ready it logs and prints
/// `Sakhi is serving on http://localhost:PORT`, with the port actually bound; while no centre is
/// set up, it then prints the setup link with a one-time code (unless a code was preset).
pub async fn serve(
    settings: Settings,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    serve_with_clock(settings, Clock::system(), listener, shutdown).await
}

/// [`serve`], telling the time of every request by `clock`.
pub async fn serve_with_clock(
    settings: Settings,
    clock: Clock,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    // Handlers are generic over the store: the backend the URL names is chosen here, once.
    match store::open(&settings.database_url, clock.now_millis()).await? {
        Opened::Sqlite(store) => serve_store(store, settings, clock, listener, shutdown).await,
        Opened::Postgres(store) => serve_store(store, settings, clock, listener, shutdown).await,
    }
}

async fn serve_store<S: Store>(
    store: S,
    settings: Settings,
    clock: Clock,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let address = listener.local_addr().map_err(ServeError::Address)?;
    tracing::info!(
        database = %store::redact(&settings.database_url),
        epoch = %store.epoch(),
        "database open"
    );
    if !settings.dist.join("index.html").is_file() {
        tracing::warn!(
            dist = %settings.dist.display(),
            "the app is not built: the API works, the app's pages do not"
        );
    }
    let headers = SecurityHeaders::new(&settings.dist, settings.public_url.as_deref());
    let state = AppState::with_clock(store.clone(), &settings, clock).await?;
    let url = settings
        .public_url
        .clone()
        .unwrap_or_else(|| public_url(address));
    // The code goes to stdout only, never to the log; a preset one is not printed at all.
    let setup_line = if state.is_set_up().await? {
        None
    } else {
        match &settings.setup_code {
            Some(code) => {
                let hash = secrets::sha256_hex(&secrets::normalise_setup_code(&code.0));
                store
                    .replace_first_setup_code(&hash, state.now_millis())
                    .await?;
                None
            }
            None => {
                let code = secrets::new_setup_code();
                let hash = secrets::sha256_hex(&secrets::normalise_setup_code(&code));
                store
                    .replace_first_setup_code(&hash, state.now_millis())
                    .await?;
                Some(format!(
                    "Sakhi is not set up yet. Open {url}/setup#code={code} to set up the centre \
                     and its first administrator (the code works once)."
                ))
            }
        }
    };
    tracing::info!(%address, "serving");
    println!("Sakhi is serving on {url}");
    if let Some(line) = setup_line {
        tracing::info!("not set up yet: the setup link is on the standard output");
        println!("{line}");
    }
    let served = axum::serve(
        listener,
        router(state, &headers).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    store.close().await;
    tracing::info!("stopped");
    served.map_err(ServeError::Serve)
}

/// Makes a one-time code for one more centre, valid [`CENTRE_CODE_DAYS`] days, and returns the
/// lines to print: the code and where to use it, at the server the settings describe (its public
/// URL, or else its address and port, as `serve` prints them).
pub async fn add_centre_code(settings: &Settings) -> Result<String, ServeError> {
    let code = secrets::new_setup_code();
    let hash = secrets::sha256_hex(&secrets::normalise_setup_code(&code));
    let now = clock::system_millis();
    let expires_at = now + CENTRE_CODE_DAYS * 24 * 60 * 60 * 1000;
    match store::open(&settings.database_url, now).await? {
        Opened::Sqlite(store) => add_setup_code(store, &hash, now, expires_at).await?,
        Opened::Postgres(store) => add_setup_code(store, &hash, now, expires_at).await?,
    }
    let link = match (&settings.public_url, settings.port) {
        (Some(url), _) => format!("{}/setup#code={code}", url.trim_end_matches('/')),
        // The server picks its port as it starts, and says which: this command cannot know it.
        (None, 0) => {
            format!("/setup#code={code} at the address sakhi-server printed when it started")
        }
        (None, port) => format!(
            "{}/setup#code={code}",
            public_url(SocketAddr::new(settings.address, port))
        ),
    };
    Ok(format!(
        "Setup code for one more centre (works once, for {CENTRE_CODE_DAYS} days): {code}\n\
         Its first administrator opens {link}"
    ))
}

async fn add_setup_code<S: Store>(
    store: S,
    hash: &str,
    now: u64,
    expires_at: u64,
) -> Result<(), StoreError> {
    let added = store.add_centre_setup_code(hash, now, expires_at).await;
    store.close().await;
    added
}

/// The address to open in a browser. On this computer that is `localhost`, which browsers treat
/// as secure, so the service worker runs; another address is shown as it is.
fn public_url(address: SocketAddr) -> String {
    let ip = address.ip();
    if ip.is_loopback() || ip.is_unspecified() {
        format!("http://localhost:{}", address.port())
    } else {
        format!("http://{address}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_printed_is_localhost_when_this_computer_can_reach_it_so() {
        let url = |text: &str| public_url(text.parse().unwrap());
        assert_eq!(url("127.0.0.1:8080"), "http://localhost:8080");
        assert_eq!(url("0.0.0.0:43117"), "http://localhost:43117");
        assert_eq!(url("[::1]:80"), "http://localhost:80");
        assert_eq!(url("192.168.1.5:8080"), "http://192.168.1.5:8080");
    }

    #[test]
    fn only_inline_scripts_are_hashed_exactly_as_written() {
        let html = "<script type=\"module\">\nimport x;\n</script><script src=\"/a.js\"></script>\
                    <script>b()</script>";
        assert_eq!(inline_scripts(html), ["\nimport x;\n", "b()"]);
        assert!(inline_scripts("<p>no scripts</p>").is_empty());
    }
}
