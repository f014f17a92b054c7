//! The JSON API under `/api`: sync and health. Every answer, errors included, is JSON and is
//! never cached, since it is a survivor's data or about to be out of date.

pub mod sync;

use crate::app::AppState;
use crate::error::AppError;
use crate::store::Store;
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, extract::DefaultBodyLimit};
use sakhi_domain::wire::{Health, MAX_PUSH_BYTES, PROTOCOL};
use tower_http::set_header::SetResponseHeaderLayer;

/// The routes under `/api`, to be nested there.
pub fn router<S: Store>(state: AppState<S>) -> Router {
    Router::new()
        .route("/v1/health", get(health))
        .route(
            "/v1/sync/push",
            post(sync::push::<S>).layer(DefaultBodyLimit::max(MAX_PUSH_BYTES)),
        )
        .route("/v1/sync/pull", get(sync::pull::<S>))
        // Without these an unknown API path would fall through to the app's index.html, and a
        // client would try to read HTML as JSON.
        .fallback(unknown_path)
        .method_not_allowed_fallback(wrong_method)
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .with_state(state)
}

async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".to_owned(),
        protocol: PROTOCOL,
    })
}

async fn unknown_path() -> AppError {
    AppError::NotFound
}

/// Whether a path belongs to the API, matched by a route or not.
pub fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// The API's answer to a path it does not have, for paths that reach it outside this router
/// (`/api/` itself does not match the nested router).
pub fn not_found() -> Response {
    (
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        AppError::NotFound,
    )
        .into_response()
}

async fn wrong_method() -> AppError {
    AppError::MethodNotAllowed
}
