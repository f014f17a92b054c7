//! The JSON API under `/api`: setup, sessions, accounts, the centre's settings, the audit log,
//! reports, a case's history, sync, health and the
//! API's own OpenAPI document. Every answer, errors included, is JSON and is never cached, since
//! it is a survivor's data or about to be out of date.
//!
//! [`ROUTES`] is the one list of what the API answers: the router is built from it, and a test
//! checks the OpenAPI document against it.

pub mod accounts;
pub mod attachments;
pub mod audit;
pub mod cases;
pub mod centre;
pub mod openapi;
pub mod reports;
pub mod request;
pub mod session;
pub mod setup;
pub mod sync;

use crate::error::AppError;
use crate::state::AppState;
use crate::store::Store;
use axum::Json;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, patch, post, put};
use sakhi_domain::wire::account::MAX_ACCOUNT_BODY_BYTES;
use sakhi_domain::wire::attachment::CHUNK_BYTES;
use sakhi_domain::wire::paths::{self, under_prefix};
use sakhi_domain::wire::{Health, MAX_PUSH_BYTES, PROTOCOL};
use tower_http::compression::CompressionLayer;
use tower_http::decompression::RequestDecompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;

/// One route of the API: a method and a path under `/api`, in axum's (and OpenAPI's) syntax.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
}

const fn route(method: &'static str, path: &'static str) -> Route {
    Route { method, path }
}

/// Every route the API answers, at the paths the app sends to ([`paths`], under `/api`).
pub const ROUTES: &[Route] = &[
    route("GET", under_prefix(paths::HEALTH)),
    route("GET", under_prefix(paths::OPENAPI)),
    route("GET", under_prefix(paths::SETUP)),
    route("POST", under_prefix(paths::SETUP)),
    route("POST", under_prefix(paths::SESSION)),
    route("GET", under_prefix(paths::SESSION)),
    route("DELETE", under_prefix(paths::SESSION)),
    route("GET", under_prefix(paths::ACCOUNTS)),
    route("POST", under_prefix(paths::ACCOUNTS)),
    route("PATCH", under_prefix(paths::ACCOUNT)),
    route("POST", under_prefix(paths::ACCOUNT_PASSWORD)),
    route("PATCH", under_prefix(paths::CENTRE)),
    route("GET", under_prefix(paths::CENTRE_STAFF)),
    route("GET", under_prefix(paths::AUDIT)),
    route("POST", under_prefix(paths::AUDIT_EXPORTS)),
    route("GET", under_prefix(paths::MONTHLY_REPORT)),
    route("GET", under_prefix(paths::CASE_HISTORY)),
    route("POST", under_prefix(paths::PUSH)),
    route("POST", under_prefix(paths::RESTATE)),
    route("GET", under_prefix(paths::PULL)),
    route("GET", under_prefix(paths::ATTACHMENT_UPLOAD)),
    route("PUT", under_prefix(paths::ATTACHMENT_CHUNK)),
    route("GET", under_prefix(paths::ATTACHMENT_CHUNK)),
];

/// The handler of one route of [`ROUTES`].
fn handler<S: Store>(route: Route) -> MethodRouter<AppState<S>> {
    let small = || DefaultBodyLimit::max(MAX_ACCOUNT_BODY_BYTES);
    // Matched as the app sends it, against the one list of paths.
    let path = format!("{}{}", paths::PREFIX, route.path);
    match (route.method, path.as_str()) {
        ("GET", paths::HEALTH) => get(health),
        ("GET", paths::OPENAPI) => get(openapi::document),
        ("GET", paths::SETUP) => get(setup::status::<S>),
        ("POST", paths::SETUP) => post(setup::set_up::<S>).layer(small()),
        ("POST", paths::SESSION) => post(session::log_in::<S>).layer(small()),
        ("GET", paths::SESSION) => get(session::current::<S>),
        ("DELETE", paths::SESSION) => delete(session::log_out::<S>),
        ("GET", paths::ACCOUNTS) => get(accounts::list::<S>),
        ("POST", paths::ACCOUNTS) => post(accounts::create::<S>).layer(small()),
        ("PATCH", paths::ACCOUNT) => patch(accounts::update::<S>).layer(small()),
        ("POST", paths::ACCOUNT_PASSWORD) => post(accounts::reset_password::<S>).layer(small()),
        ("PATCH", paths::CENTRE) => patch(centre::update::<S>).layer(small()),
        ("GET", paths::CENTRE_STAFF) => get(centre::staff::<S>),
        ("GET", paths::AUDIT) => get(audit::page::<S>),
        ("POST", paths::AUDIT_EXPORTS) => {
            post(audit::exports::<S>).layer(DefaultBodyLimit::max(audit::MAX_EXPORT_BODY_BYTES))
        }
        ("GET", paths::MONTHLY_REPORT) => get(reports::monthly::<S>),
        ("GET", paths::CASE_HISTORY) => get(cases::history::<S>),
        ("POST", paths::PUSH) => post(sync::push::<S>).layer(DefaultBodyLimit::max(MAX_PUSH_BYTES)),
        ("POST", paths::RESTATE) => {
            post(sync::restate::<S>).layer(DefaultBodyLimit::max(MAX_PUSH_BYTES))
        }
        ("GET", paths::PULL) => get(sync::pull::<S>),
        ("GET", paths::ATTACHMENT_UPLOAD) => get(attachments::upload::<S>),
        ("PUT", paths::ATTACHMENT_CHUNK) => {
            put(attachments::put_chunk::<S>).layer(DefaultBodyLimit::max(CHUNK_BYTES as usize))
        }
        ("GET", paths::ATTACHMENT_CHUNK) => get(attachments::get_chunk::<S>),
        (method, path) => unreachable!("the route {method} {path} has no handler"),
    }
}

/// The content security policy of every answer under `/api`.
pub const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// The routes under `/api`, to be nested there.
pub fn router<S: Store>(state: AppState<S>) -> Router {
    let mut router = Router::new();
    for route in ROUTES {
        router = router.route(route.path, handler::<S>(*route));
    }
    router
        // Without these an unknown API path would fall through to the app's index.html, and a
        // client would try to read HTML as JSON.
        .fallback(unknown_path)
        .method_not_allowed_fallback(wrong_method)
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        // An answer here is JSON, never a page that loads or runs anything: the strictest policy
        // says so in a tenth of the app's, and on 2G each answer's headers count.
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(API_CSP),
        ))
        // On 2G every byte counts: answers are gzipped for clients that accept it, and a push may
        // come gzipped (`Content-Encoding: gzip`). Each route's body limit counts the bytes after
        // decompression, so a small compressed body cannot unpack into a huge one.
        .layer(CompressionLayer::new())
        .layer(RequestDecompressionLayer::new())
        .with_state(state)
}

async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".to_owned(),
        protocol: PROTOCOL,
    })
}

async fn unknown_path() -> AppError {
    AppError::NoSuchPath
}

/// Whether a path belongs to the API, matched by a route or not.
pub fn is_api_path(path: &str) -> bool {
    path.strip_prefix(paths::PREFIX)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// An API answer made outside the API's router, marked never to be cached.
pub fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The API's answer to a path it does not have, for paths that reach it outside this router
/// (`/api/` itself does not match the nested router).
pub fn not_found() -> Response {
    no_store(AppError::NoSuchPath.into_response())
}

async fn wrong_method() -> AppError {
    AppError::MethodNotAllowed
}
