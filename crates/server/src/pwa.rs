//! Serves the built app (Trunk's `dist` folder): its files with the types and cache headers a
//! service worker and a browser rely on, and `index.html` for the app's own routes.

use crate::api;
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower_http::services::ServeDir;

/// For files whose name carries a hash of their content: a new build gives them a new name, so a
/// copy may be kept for good.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// For everything else, above all `index.html`, `sw.js` and the manifest: ask before reusing, so
/// a new build reaches devices.
const NO_CACHE: &str = "no-cache";
/// Quick exit's harmless page (`public/weather`), which holds nothing of Sakhi.
const HARMLESS: &str = "/weather/";
/// Its policy: the app's, except that it may reach any https site, to see whether the phone's
/// chosen exit site answers before moving on to it (else it stays, rather than show the browser's
/// "site can't be reached").
const HARMLESS_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self'; connect-src https:; object-src 'none'; base-uri 'none'; \
     frame-ancestors 'none'; form-action 'none'";

/// The router answering every path the API does not: to be merged last.
pub fn router(dist: PathBuf) -> Router {
    Router::new().fallback(answer).with_state(Arc::new(dist))
}

async fn answer(State(dist): State<Arc<PathBuf>>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    if api::is_api_path(&path) {
        // A client asking the API for JSON must never get the app's HTML.
        return api::not_found();
    }
    let method = request.method().clone();
    let headers = request.headers().clone();

    let response = match files(&dist).try_call(request).await {
        Ok(response) => response.map(Body::new),
        Err(error) => return unreadable(&error),
    };
    if response.status() != StatusCode::NOT_FOUND {
        return finish(response, &path);
    }
    if names_a_file(&path) {
        // A missing script or wasm answered with index.html would be cached under the script's
        // name and break the app until the cache is cleared: say plainly that it is not here.
        return plain(StatusCode::NOT_FOUND, "Not found.");
    }

    // Not a file: one of the app's own routes (`/cases/new`), which the app draws itself.
    let mut shell = Request::new(Body::empty());
    *shell.method_mut() = method;
    *shell.headers_mut() = headers;
    *shell.uri_mut() = "/index.html"
        .parse()
        .expect("a constant path is a valid URI");
    let response = match files(&dist).try_call(shell).await {
        Ok(response) => response.map(Body::new),
        Err(error) => return unreadable(&error),
    };
    if response.status() == StatusCode::NOT_FOUND {
        return plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "Sakhi's app is not built yet, so there is nothing to show here. Build it (see the \
             README) and reload. The sync API works meanwhile.",
        );
    }
    finish(response, "/index.html")
}

fn files(dist: &Path) -> ServeDir {
    // Serves `x.br` / `x.gz` beside `x` when the build made them and the browser takes them.
    ServeDir::new(dist).precompressed_br().precompressed_gzip()
}

/// Sets the type and cache headers of a file served from the app's folder.
fn finish(mut response: Response, path: &str) -> Response {
    let success = response.status().is_success();
    let headers = response.headers_mut();
    if success && let Some(content_type) = content_type(path) {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    let cache = if is_fingerprinted(file_name(path)) {
        IMMUTABLE
    } else {
        NO_CACHE
    };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if path.starts_with(HARMLESS) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(HARMLESS_CSP),
        );
    }
    response
}

/// Types that must be exactly right whatever the MIME table says: browsers refuse to compile
/// wasm streamed under another type, and to install a manifest or run a module script otherwise.
/// Pages say UTF-8 outright because most of what they show is Hindi.
fn content_type(path: &str) -> Option<&'static str> {
    if path.ends_with('/') {
        return Some("text/html; charset=utf-8");
    }
    let (_, extension) = file_name(path).rsplit_once('.')?;
    match extension {
        "wasm" => Some("application/wasm"),
        "webmanifest" => Some("application/manifest+json"),
        "js" | "mjs" => Some("text/javascript"),
        "html" => Some("text/html; charset=utf-8"),
        _ => None,
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Whether a path names a file (it has an extension) rather than one of the app's routes.
fn names_a_file(path: &str) -> bool {
    file_name(path).contains('.')
}

/// Whether a file name carries Trunk's content hash: a `-` and 16 hex digits just before the
/// extension or before `_bg` (`sakhi-3f2a9c1b0e4d5a6f.js`, `sakhi-3f2a9c1b0e4d5a6f_bg.wasm`).
pub fn is_fingerprinted(name: &str) -> bool {
    name.match_indices('-').any(|(at, _)| {
        let rest = &name.as_bytes()[at + 1..];
        rest.len() > 17
            && rest[..16].iter().all(u8::is_ascii_hexdigit)
            && (rest[16] == b'.' || rest[16..].starts_with(b"_bg."))
    })
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, NO_CACHE),
        ],
        text,
    )
        .into_response()
}

fn unreadable(error: &std::io::Error) -> Response {
    tracing::error!(%error, "could not read a file of the app");
    plain(
        StatusCode::INTERNAL_SERVER_ERROR,
        "The server could not read the app's files.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunk_hashed_names_are_fingerprinted_and_fixed_names_are_not() {
        assert!(is_fingerprinted("sakhi-3f2a9c1b0e4d5a6f.js"));
        assert!(is_fingerprinted("sakhi-3f2a9c1b0e4d5a6f_bg.wasm"));
        assert!(is_fingerprinted("style-0123456789ABCDEF.css"));
        assert!(is_fingerprinted("sakhi-app-3f2a9c1b0e4d5a6f.js"));
        assert!(!is_fingerprinted("index.html"));
        assert!(!is_fingerprinted("sw.js"));
        assert!(!is_fingerprinted("manifest.webmanifest"));
        assert!(!is_fingerprinted("sakhi-3f2a9c1b0e4d5a6.js"), "15 digits");
        assert!(!is_fingerprinted("sakhi-3f2a9c1b0e4d5a6f0.js"), "17 digits");
        assert!(!is_fingerprinted("sakhi-3f2a9c1b0e4d5a6g.js"), "not hex");
        assert!(!is_fingerprinted("sakhi-3f2a9c1b0e4d5a6f"), "no extension");
        assert!(!is_fingerprinted("sakhi-3f2a9c1b0e4d5a6f_x.wasm"));
    }

    #[test]
    fn wasm_manifests_and_scripts_get_their_exact_types() {
        assert_eq!(
            content_type("/a-0123456789abcdef_bg.wasm"),
            Some("application/wasm")
        );
        assert_eq!(
            content_type("/manifest.webmanifest"),
            Some("application/manifest+json")
        );
        assert_eq!(content_type("/sw.js"), Some("text/javascript"));
        assert_eq!(content_type("/"), Some("text/html; charset=utf-8"));
        assert_eq!(content_type("/icons/icon.png"), None);
    }

    #[test]
    fn routes_of_the_app_are_told_apart_from_files() {
        assert!(!names_a_file("/cases/new"));
        assert!(!names_a_file("/"));
        assert!(names_a_file("/sakhi-3f2a9c1b0e4d5a6f.js"));
        assert!(names_a_file("/icons/icon-192.png"));
    }
}
