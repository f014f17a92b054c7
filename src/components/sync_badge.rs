//! How many changes still wait to reach the server: always on screen, so a worker knows before
//! she hands the phone back or leaves the village whether her cases have gone.

use crate::i18n::{Text, fill, t, tr, use_lang};
use leptos::prelude::*;

#[component]
pub fn SyncBadge() -> impl IntoView {
    // Before the store is open there is nothing to count yet.
    let status = crate::sync_status()?;
    let lang = use_lang();
    let waiting = move || status.waiting.get().unwrap_or_default() > 0;
    let text = move || match status.waiting.get() {
        // Not counted yet: better say nothing for a moment than something untrue.
        None => String::new(),
        Some(0) => t(lang.get(), Text::SyncAllSent).to_owned(),
        Some(n) if status.sending.get() && status.online.get() => {
            fill(t(lang.get(), Text::SyncSending), "n", &n.to_string())
        }
        Some(n) => fill(t(lang.get(), Text::SyncWaiting), "n", &n.to_string()),
    };
    Some(view! {
        <div class="sync">
            <p
                role="status"
                class=move || {
                    if waiting() { "sync-badge waiting" } else { "sync-badge" }
                }
            >
                {text}
            </p>
            {move || {
                (!status.online.get())
                    .then(|| view! { <span class="offline">{tr(Text::SyncOffline)}</span> })
            }}
            {move || {
                status
                    .logged_out
                    .get()
                    .then(|| {
                        view! {
                            <a class="login-again" href="/login-again">
                                {tr(Text::SyncLoginAgain)}
                            </a>
                        }
                    })
            }}
        </div>
    })
}
