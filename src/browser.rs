//! Small wrappers over the browser's own APIs that the app needs outside of the view: the time,
//! whether the browser believes it is online, and the service worker.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{JsFuture, spawn_local};

/// Milliseconds since the Unix epoch: the phone's clock, as the server corrects it (see
/// [`crate::clock`]).
pub fn now_millis() -> u64 {
    crate::clock::now_millis()
}

/// A new record id, made at the corrected time: a case's id says the day she was registered.
pub fn new_id() -> sakhi_domain::RecordId {
    sakhi_domain::RecordId::made_at(now_millis())
}

/// The phone's day at `millis`, `YYYY-MM-DD`, in its own time zone.
pub fn day_of(millis: u64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(millis as f64));
    format!(
        "{:04}-{:02}-{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date()
    )
}

/// The phone's day now, `YYYY-MM-DD`.
pub fn today() -> String {
    day_of(now_millis())
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

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// The browser's Web Locks (`navigator.locks`), bound here because `web-sys` counts them among
    /// its unstable APIs.
    type LockManager;
    #[wasm_bindgen(method)]
    fn request(
        this: &LockManager,
        name: &str,
        options: &JsValue,
        callback: &JsValue,
    ) -> js_sys::Promise;
}

/// Runs `work` holding the Web Lock `name`, shared by every tab of this browser: while another tab
/// holds it, this one waits its turn. Where the browser has no Web Locks, `work` just runs.
pub async fn one_tab_at_a_time<F: std::future::Future>(name: &str, work: F) -> F::Output {
    let Some(locks) = web_sys::window()
        .and_then(|window| js_sys::Reflect::get(&window.navigator(), &"locks".into()).ok())
        .filter(|locks| !locks.is_undefined())
    else {
        return work.await;
    };
    let locks: LockManager = wasm_bindgen::JsCast::unchecked_into(locks);
    // The lock is held until the promise the callback returns settles: `release` settles it once
    // the work is done.
    let mut release = None;
    let held = js_sys::Promise::new(&mut |resolve, _| release = Some(resolve));
    let (granted, turn) = futures::channel::oneshot::channel::<()>();
    let callback = wasm_bindgen::closure::Closure::once_into_js(move |_lock: JsValue| {
        let _ = granted.send(());
        JsValue::from(held)
    });
    let requested = locks.request(name, &js_sys::Object::new(), &callback);
    // Its outcome is known through `turn`; a rejection must not reach the console unhandled.
    spawn_local(async move {
        let _ = JsFuture::from(requested).await;
    });
    // A lock that cannot be had at all (the request rejected) does not stop her sync.
    let _ = turn.await;
    let output = work.await;
    if let Some(release) = release {
        let _ = release.call0(&JsValue::UNDEFINED);
    }
    output
}

/// Saves `text` as the file `name` of type `mime` through the browser's download, as if a link to
/// it were followed. Nothing leaves the phone.
pub fn download(name: &str, mime: &str, text: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let document = web_sys::window()
        .and_then(|window| window.document())
        .ok_or_else(|| JsValue::from_str("no document"))?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    link.click();
    // Let go of the file once the browser has had time to save it.
    leptos::prelude::set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(30),
    );
    Ok(())
}
