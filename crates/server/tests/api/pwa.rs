//! Serving the built app: exact types, cache headers by name, and index.html for the app's routes.

use crate::helpers::{self, Folder, HASHED_JS, HASHED_WASM, INDEX_HTML, spawn_app, spawn_with};
use reqwest::StatusCode;
use sakhi_server::Settings;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

async fn assert_served(response: reqwest::Response, content_type: &str, cache: &str) -> String {
    let url = response.url().clone();
    assert_eq!(response.status(), StatusCode::OK, "{url}");
    assert_eq!(response.headers()["content-type"], content_type, "{url}");
    assert_eq!(response.headers()["cache-control"], cache, "{url}");
    assert_eq!(
        response.headers()["x-content-type-options"],
        "nosniff",
        "{url}"
    );
    response.text().await.unwrap()
}

#[tokio::test]
async fn the_page_the_worker_and_the_manifest_are_always_revalidated() {
    let app = spawn_app().await;
    let html = "text/html; charset=utf-8";
    assert_eq!(
        assert_served(app.get("/").await, html, "no-cache").await,
        INDEX_HTML
    );
    assert_served(app.get("/index.html").await, html, "no-cache").await;
    assert_served(app.get("/sw.js").await, "text/javascript", "no-cache").await;
    assert_served(
        app.get("/manifest.webmanifest").await,
        "application/manifest+json",
        "no-cache",
    )
    .await;
}

#[tokio::test]
async fn files_named_by_their_content_hash_are_cached_for_good_with_exact_types() {
    let app = spawn_app().await;
    assert_served(
        app.get(&format!("/{HASHED_JS}")).await,
        "text/javascript",
        IMMUTABLE,
    )
    .await;
    let wasm = app.get(&format!("/{HASHED_WASM}")).await;
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    assert_eq!(wasm.headers()["cache-control"], IMMUTABLE);
    assert_eq!(&wasm.bytes().await.unwrap()[..4], b"\0asm");
}

#[tokio::test]
async fn the_apps_own_routes_are_answered_with_the_app() {
    let app = spawn_app().await;
    for path in ["/cases/new", "/cases", "/some/deep/route"] {
        let body = assert_served(app.get(path).await, "text/html; charset=utf-8", "no-cache").await;
        assert_eq!(body, INDEX_HTML, "{path}");
    }
}

#[tokio::test]
async fn a_missing_file_is_a_404_never_the_app_under_its_name() {
    let app = spawn_app().await;
    let response = app.get("/sakhi-ffffffffffffffff.js").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(response.headers()["cache-control"], "no-cache");
    assert!(!response.text().await.unwrap().contains("<title>"));
}

#[tokio::test]
async fn without_a_built_app_the_api_works_and_the_page_says_the_app_is_not_built() {
    let folder = Folder::new();
    let settings = Settings {
        dist: folder.dist().join("missing"),
        ..helpers::settings(&folder)
    };
    let app = spawn_with(settings, folder).await;

    for path in ["/", "/cases/new"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            response.headers()["content-type"],
            "text/plain; charset=utf-8"
        );
        assert!(response.text().await.unwrap().contains("not built"));
    }
    assert_eq!(app.get("/api/v1/health").await.status(), StatusCode::OK);
}
