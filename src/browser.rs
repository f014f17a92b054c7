//! Small wrappers over the browser's own APIs that the app needs outside of the view: the time,
//! whether the browser believes it is online, and the service worker.

use wasm_bindgen::JsValue;
use wasm_bindgen_futures::{JsFuture, spawn_local};

/// Milliseconds since the Unix epoch, by the phone's clock (which the hybrid clock corrects for).
pub fn now_millis() -> u64 {
    // A double holding a whole number of milliseconds well inside u64's range.
    js_sys::Date::now() as u64
}

/// `false` when the browser knows it has no network; `true` only means it might.
pub fn is_online() -> bool {
    web_sys::window().is_none_or(|window| window.navigator().on_line())
}

/// Registers the service worker that keeps the app shell for offline starts. Browsers without
/// service workers, and pages outside a secure context, simply go without.
pub fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    let supported =
        js_sys::Reflect::has(&navigator, &JsValue::from_str("serviceWorker")).unwrap_or(false);
    if !supported {
        return;
    }
    let registering = navigator.service_worker().register("/sw.js");
    spawn_local(async move {
        // A failed registration only costs the offline start; the app works without it.
        let _ = JsFuture::from(registering).await;
    });
}

/// Marks a moment in the page's performance timeline, for `cargo xtask bench` to read.
pub fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|window| window.performance()) {
        let _ = performance.mark(name);
    }
}
