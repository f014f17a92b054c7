//! Health, and what the API answers on paths and methods it does not have.

use crate::helpers::{Backend, spawn_app};
use reqwest::StatusCode;
use sakhi_domain::wire::{ErrorBody, Health, PROTOCOL};

on_each_backend!(health_answers_ok_with_the_protocol_and_is_never_cached);
async fn health_answers_ok_with_the_protocol_and_is_never_cached(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app.get("/api/v1/health").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(response.headers()["content-type"], "application/json");
    let health: Health = response.json().await.unwrap();
    assert_eq!(
        health,
        Health {
            status: "ok".into(),
            protocol: PROTOCOL
        }
    );
}

on_each_backend!(an_unknown_api_path_is_a_json_404_not_the_app);
async fn an_unknown_api_path_is_a_json_404_not_the_app(backend: Backend) {
    let app = spawn_app(backend).await;
    for path in ["/api/v1/nothing", "/api/v2/sync/pull", "/api/", "/api"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
        let body: ErrorBody = response.json().await.expect("a JSON error body");
        assert!(!body.error.is_empty());
    }
}

on_each_backend!(a_wrong_method_on_an_api_path_is_a_json_405);
async fn a_wrong_method_on_an_api_path_is_a_json_405(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app.get("/api/v1/sync/push").await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    let _: ErrorBody = response.json().await.expect("a JSON error body");
}
