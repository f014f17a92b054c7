//! `/audit`: the server's audit log, newest first, for administrators: who did what, from which
//! device and when. It names records by id only; no survivor's details are in it.

use crate::api;
use crate::components::alert;
use crate::i18n::{Lang, Text, fill, shown_moment, t, tr, use_lang};
use leptos::prelude::*;
use sakhi_domain::wire::account::{AuditEntry, AuditQuery};
use std::rc::Rc;

const PAGE: u32 = 50;

#[component]
pub fn Audit() -> impl IntoView {
    let Some(unlocked) = crate::unlocked() else {
        return ().into_any();
    };
    let lang = use_lang();
    let (entries, set_entries) = signal(Vec::<AuditEntry>::new());
    let (more, set_more) = signal(false);
    let (failed, set_failed) = signal(false);
    let (loading, set_loading) = signal(false);
    let read = move |before: Option<u64>| {
        let unlocked = Rc::clone(&unlocked);
        set_loading.set(true);
        leptos::task::spawn_local(async move {
            let query = AuditQuery {
                before,
                limit: Some(PAGE),
            };
            match api::audit(&unlocked.store, &query).await {
                Ok(page) => {
                    set_entries.update(|entries| entries.extend(page.entries));
                    set_more.set(page.more);
                }
                Err(_) => set_failed.set(true),
            }
            set_loading.set(false);
        });
    };
    read(None);
    let read = StoredValue::new_local(read);
    let older = move |_| {
        let last = entries.with_untracked(|entries| entries.last().map(|e| e.id));
        read.with_value(|read| read(last));
    };

    view! {
        <section class="audit-page">
            <h1>{tr(Text::AuditHeading)}</h1>
            <p>{tr(Text::AuditIntro)}</p>
            {move || failed.get().then(|| alert(Text::StaffOffline))}
            <ol class="audit">
                {move || {
                    entries
                        .get()
                        .into_iter()
                        .map(|entry| {
                            let who = entry.username.clone().unwrap_or_default();
                            let records = entry.records.len();
                            let at = entry.at;
                            let when = move || shown_moment(lang.get(), at);
                            let (action, outcome) = (entry.action.clone(), entry.outcome.clone());
                            let said = move || {
                                let lang = lang.get();
                                let mut line = word(lang, &action);
                                line.push_str(" · ");
                                line.push_str(&word(lang, &outcome));
                                if records > 0 {
                                    line.push_str(" · ");
                                    line.push_str(&fill(t(lang, Text::AuditRecords), "n", &records.to_string()));
                                }
                                line
                            };
                            view! {
                                <li>
                                    <span class="audit-when">{when}</span>
                                    <strong>{said}</strong>
                                    <span class="audit-who">{who}</span>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ol>
            {move || {
                more.get()
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="button secondary more"
                                disabled=loading
                                on:click=older
                            >
                                {tr(Text::AuditOlder)}
                            </button>
                        }
                    })
            }}
        </section>
    }
    .into_any()
}

/// An action or outcome of the log in her language, or as the server wrote it if this build does
/// not know it yet.
fn word(lang: Lang, code: &str) -> String {
    match Text::audit(code) {
        Some(text) => t(lang, text).to_owned(),
        None => code.to_owned(),
    }
}
