//! `/sync`: what has gone to the centre and what has not: what waits now, each recent round (when,
//! what went, what came, why it stopped), the changes the server refused and why, and a button to
//! send now.

use crate::casework::display_name;
use crate::components::RefusedChanges;
use crate::i18n::{Lang, Text, fill, shown_moment, t, tr, use_lang};
use crate::load::load;
use crate::storage::NotKeptNotice;
use crate::sync::log::Round;
use crate::sync::waiting::Waiting;
use leptos::prelude::*;

#[component]
pub fn SyncPage() -> impl IntoView {
    let status = crate::use_sync_status();
    let sync = StoredValue::new_local(crate::use_sync());
    let store = crate::use_store();
    let lang = use_lang();
    // The names of the cases whose changes were refused, to say which case each one is.
    let names = load(move || {
        let refused = status.refused.get();
        let store = store.clone();
        async move {
            let mut names = Vec::new();
            for entry in refused {
                let id = entry.change.record;
                if let Ok(Some(record)) = store.record(id).await {
                    names.push((id, display_name(&record)));
                }
            }
            names
        }
    });
    let now = move || {
        let lang = lang.get();
        match status.waiting.get() {
            None => String::new(),
            Some(waiting) if waiting.is_empty() => t(lang, Text::SyncAllSent).to_owned(),
            Some(waiting) => fill(t(lang, Text::SyncWaiting), "what", &waiting.describe(lang)),
        }
    };
    view! {
        <section class="sync-page">
            <h1>{tr(Text::SyncHeading)}</h1>
            <p class="sync-now">{now}</p>
            {move || (!status.online.get()).then(|| view! { <p class="notice">{tr(Text::SyncOfflineHint)}</p> })}
            {move || {
                status.logged_out.get().then(|| {
                    view! {
                        <a class="button primary" href="/login-again">
                            {tr(Text::SyncLoginAgain)}
                        </a>
                    }
                })
            }}
            <NotKeptNotice />
            <button
                type="button"
                class="button primary"
                disabled=move || status.sending.get()
                on:click=move |_| sync.with_value(|sync| sync.request())
            >
                {tr(Text::LogoutSend)}
            </button>
            {move || {
                let names = names.get().unwrap_or_default();
                view! { <RefusedChanges refused=status.refused names /> }
            }}
            <h2>{tr(Text::SyncLogHeading)}</h2>
            {move || {
                let log = status.log.get();
                if log.is_empty() {
                    view! { <p class="empty">{tr(Text::SyncLogEmpty)}</p> }.into_any()
                } else {
                    view! {
                        <ol class="sync-log">
                            {log.into_iter().map(|round| view! { <LogLine round /> }).collect_view()}
                        </ol>
                    }
                        .into_any()
                }
            }}
        </section>
    }
    .into_any()
}

/// One round, in her words: "7 December 2026, 14:05 · Sent 1 case, 1 camp · Received 3 from the centre".
#[component]
fn LogLine(round: Round) -> impl IntoView {
    let lang = use_lang();
    let failed = round.failed.is_some();
    let at = round.at;
    view! {
        <li class:failed=failed>
            <span class="when">{move || shown_moment(lang.get(), at)}</span>
            " · "
            {move || said(lang.get(), &round)}
        </li>
    }
}

/// What `round` did, as one line of text.
fn said(lang: Lang, round: &Round) -> String {
    let mut parts = Vec::new();
    let sent = Waiting {
        cases: round.sent_cases,
        camps: round.sent_camps,
        others: round.sent_others,
        files: round.sent_files,
    };
    if !sent.is_empty() {
        parts.push(fill(t(lang, Text::SyncSent), "what", &sent.describe(lang)));
    }
    if round.received > 0 {
        parts.push(fill(
            t(lang, Text::SyncReceived),
            "n",
            &round.received.to_string(),
        ));
    }
    if round.refused > 0 {
        parts.push(fill(
            t(lang, Text::SyncRefused),
            "n",
            &round.refused.to_string(),
        ));
    }
    if let Some(failed) = &round.failed {
        parts.push(
            t(
                lang,
                match failed.as_str() {
                    "logged_out" => Text::SyncFailedLoggedOut,
                    "server" => Text::SyncFailedServer,
                    "store" => Text::AppStoreFailed,
                    _ => Text::SyncFailedUnreachable,
                },
            )
            .to_owned(),
        );
    }
    parts.join(" · ")
}
