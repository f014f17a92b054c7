//! Whether her work has reached the centre, always at the top of the screen: a worker knows before
//! she hands the phone back or leaves the village whether her cases have gone. It counts what she
//! counts (cases and camps), and opens the sync page, which says what was sent, when, and why
//! anything was refused.

use crate::i18n::{Text, fill, t, tr, use_lang};
use leptos::prelude::*;

#[component]
pub fn SyncBadge() -> impl IntoView {
    // Before the store is open there is nothing to count yet.
    let status = crate::sync_status()?;
    let lang = use_lang();
    let waiting = move || {
        status
            .waiting
            .get()
            .is_some_and(|waiting| !waiting.is_empty())
    };
    let text = move || {
        let lang = lang.get();
        match status.waiting.get() {
            // Not counted yet: better say nothing for a moment than something untrue.
            None => String::new(),
            Some(waiting) if waiting.is_empty() => t(lang, Text::SyncAllSent).to_owned(),
            Some(waiting) if status.sending.get() && status.online.get() => {
                fill(t(lang, Text::SyncSending), "what", &waiting.describe(lang))
            }
            Some(waiting) => fill(t(lang, Text::SyncWaiting), "what", &waiting.describe(lang)),
        }
    };
    // Logged out by the server, nothing goes until she logs in again: the badge takes her there.
    let href = move || {
        if status.logged_out.get() {
            "/login-again"
        } else {
            "/sync"
        }
    };
    Some(view! {
        <a class="sync" href=href>
            <span
                role="status"
                class=move || {
                    if waiting() { "sync-badge waiting" } else { "sync-badge" }
                }
            >
                {text}
            </span>
            {move || {
                if status.logged_out.get() {
                    Some(view! { <span class="sync-note">{tr(Text::SyncLoginAgain)}</span> }.into_any())
                } else if !status.online.get() {
                    Some(view! { <span class="sync-note offline">{tr(Text::SyncOffline)}</span> }.into_any())
                } else {
                    None
                }
            }}
        </a>
    })
}
