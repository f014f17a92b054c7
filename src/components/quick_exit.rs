//! Quick exit: when someone comes near, one tap (or Shift three times) blanks the screen in the
//! same frame, forgets the worker's key and replaces the page with a harmless site.
//!
//! It does not erase the browser's history; the first-run page says so. What it guarantees is
//! that nothing of a survivor stays on screen or in the page, and that coming Back to Sakhi finds
//! it locked.

use crate::i18n::{Text, tr};
use gloo_storage::Storage as _;
use leptos::prelude::*;
use std::cell::RefCell;

/// Where quick exit goes unless this phone was given another address.
pub const DEFAULT_EXIT_URL: &str = "https://www.google.com/search?q=weather+today";
/// The page quick exit opens first: a weather look-alike kept by the service worker, with nothing
/// of Sakhi in it (`public/weather`). It goes on to [`exit_url`] when that site answers.
pub const HARMLESS_PAGE: &str = "/weather/";
/// Where a phone's own choice of harmless site is kept.
pub const EXIT_URL_KEY: &str = "sakhi.exit_url";
/// Three presses of Shift within this many milliseconds leave, as the button does.
const SHIFT_WINDOW_MS: f64 = 5_000.0;

thread_local! {
    /// What to do on leaving besides blanking the page: the app registers forgetting the key.
    static ON_LEAVE: RefCell<Vec<Box<dyn FnOnce()>>> = const { RefCell::new(Vec::new()) };
}

/// Runs `forget` when quick exit is used (once).
pub fn on_leave(forget: impl FnOnce() + 'static) {
    ON_LEAVE.with(|hooks| hooks.borrow_mut().push(Box::new(forget)));
}

/// Leaves now: blank, forget, go. Synchronous on purpose: the screen is cleared before the browser
/// draws its next frame.
pub fn leave() {
    let document = document();
    // Emptying the page rather than covering it: what is no longer in the page can be neither
    // drawn nor restored from the back-forward cache.
    if let Some(root) = document.document_element() {
        root.set_inner_html("");
    }
    document.set_title("");
    for forget in ON_LEAVE.with(|hooks| std::mem::take(&mut *hooks.borrow_mut())) {
        forget();
    }
    // `replace`, so this page is not the one Back returns to. The harmless page opens from the
    // phone at once, signal or not, and moves on to the chosen site only if that answers.
    let _ = window().location().replace(HARMLESS_PAGE);
}

/// Where quick exit goes on this phone: its own choice if one was saved, or the default.
pub fn exit_url() -> String {
    gloo_storage::LocalStorage::get::<String>(EXIT_URL_KEY)
        .ok()
        .filter(|url| is_exit_url(url))
        .unwrap_or_else(|| DEFAULT_EXIT_URL.to_owned())
}

/// Keeps `url` as this phone's quick-exit site, if it is one ([`is_exit_url`]).
pub fn set_exit_url(url: &str) -> bool {
    is_exit_url(url) && gloo_storage::LocalStorage::set(EXIT_URL_KEY, url).is_ok()
}

/// Whether `url` can be a quick-exit site: an `https://` address with a host, without spaces, of
/// a sensible length. A plain-http site could be altered on the way, and anything else (a
/// `javascript:` URL above all) must never be opened by the button meant to keep her safe.
pub fn is_exit_url(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    url.len() <= 500
        && !host.is_empty()
        && host.contains('.')
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Listens, for as long as the page lives, for Shift pressed three times within five seconds, and
/// for the page coming back from the back-forward cache, which must start again from locked.
pub fn install_shortcuts() {
    let presses = RefCell::new(Vec::<f64>::new());
    // The listeners stay for the page's life: their handles only serve to remove them.
    let _ = window_event_listener(leptos::ev::keydown, move |event| {
        if event.key() != "Shift" || event.repeat() {
            return;
        }
        let now = event.time_stamp();
        let mut presses = presses.borrow_mut();
        presses.retain(|&at| now - at < SHIFT_WINDOW_MS);
        presses.push(now);
        if presses.len() >= 3 {
            presses.clear();
            leave();
        }
    });
    let _ = window_event_listener(leptos::ev::pageshow, |event| {
        if event.persisted() {
            let _ = window().location().reload();
        }
    });
}

/// The quick exit button, in the header of every screen, always in the same place.
#[component]
pub fn QuickExit() -> impl IntoView {
    view! {
        // Pointer-down rather than click: it acts as the finger touches, not when it lifts.
        <button
            type="button"
            class="quick-exit"
            on:pointerdown=|_| leave()
            on:click=|_| leave()
        >
            {tr(Text::QuickExit)}
        </button>
    }
}

#[cfg(test)]
mod tests {
    use super::is_exit_url;

    #[test]
    fn only_an_https_address_with_a_host_can_be_the_quick_exit_site() {
        for good in [
            "https://www.google.com/search?q=weather+today",
            "https://mausam.imd.gov.in",
            "https://news.example.in/hindi#top",
        ] {
            assert!(is_exit_url(good), "{good}");
        }
        for bad in [
            "",
            "http://example.com",
            "javascript:alert(1)",
            "https://",
            "https:///path",
            "https://localhost",
            "https://exa mple.com",
            "https://example.com/\n",
            "data:text/html,hi",
        ] {
            assert!(!is_exit_url(bad), "{bad:?}");
        }
        assert!(!is_exit_url(&format!(
            "https://example.com/{}",
            "a".repeat(500)
        )));
    }
}
