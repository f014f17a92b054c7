//! Serving the built app: exact types, cache headers by name, and index.html for the app's routes.

use crate::helpers::{
    self, Backend, Folder, HARMLESS_HTML, HASHED_JS, HASHED_WASM, INDEX_HTML, spawn_app, spawn_with,
};
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

on_each_backend!(the_page_the_worker_and_the_manifest_are_always_revalidated);
async fn the_page_the_worker_and_the_manifest_are_always_revalidated(backend: Backend) {
    let app = spawn_app(backend).await;
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

on_each_backend!(files_named_by_their_content_hash_are_cached_for_good_with_exact_types);
async fn files_named_by_their_content_hash_are_cached_for_good_with_exact_types(backend: Backend) {
    let app = spawn_app(backend).await;
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

on_each_backend!(the_apps_own_routes_are_answered_with_the_app);
async fn the_apps_own_routes_are_answered_with_the_app(backend: Backend) {
    let app = spawn_app(backend).await;
    for path in ["/cases/new", "/cases", "/some/deep/route"] {
        let body = assert_served(app.get(path).await, "text/html; charset=utf-8", "no-cache").await;
        assert_eq!(body, INDEX_HTML, "{path}");
    }
}

on_each_backend!(a_missing_file_is_a_404_never_the_app_under_its_name);
async fn a_missing_file_is_a_404_never_the_app_under_its_name(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app.get("/sakhi-ffffffffffffffff.js").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(response.headers()["cache-control"], "no-cache");
    assert!(!response.text().await.unwrap().contains("<title>"));
}

on_each_backend!(without_a_built_app_the_api_works_and_the_page_says_the_app_is_not_built);
async fn without_a_built_app_the_api_works_and_the_page_says_the_app_is_not_built(
    backend: Backend,
) {
    let folder = Folder::new(backend).await;
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

on_each_backend!(quick_exits_harmless_page_is_its_own_page_and_may_only_look_outside);
async fn quick_exits_harmless_page_is_its_own_page_and_may_only_look_outside(backend: Backend) {
    let app = spawn_app(backend).await;
    let page = app.get("/weather/").await;
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        assert_served(page, "text/html; charset=utf-8", "no-cache").await,
        HARMLESS_HTML
    );
    // It may ask whether the phone's chosen site answers, and nothing more than the app may.
    assert!(csp.contains("connect-src https:"), "{csp}");
    assert!(csp.contains("script-src 'self';"), "{csp}");
    assert!(!csp.contains("unsafe") && !csp.contains("wasm"), "{csp}");
    // The app keeps its own policy.
    let shell = app.get("/cases/new").await;
    let app_csp = shell.headers()["content-security-policy"].to_str().unwrap();
    assert!(app_csp.contains("connect-src 'self'"), "{app_csp}");
}
