//! `/`: the cases on this phone, newest first and searchable, and any changes the server refused.

use super::violence_summary;
use crate::components::alert;
use crate::i18n::{Text, field_label, fill, t, tr, use_lang};
use crate::load::load;
use crate::store::OutboxEntry;
use crate::use_store;
use leptos::prelude::*;
use sakhi_domain::search::fold;
use sakhi_domain::{Record, RecordId, SearchKey};
use std::sync::Arc;

/// How many cases the list shows at first, and how many more each "Show more" adds: several
/// screens on a phone, and few enough that a device with 10,000 cases opens its list at once.
const PAGE: usize = 50;

/// A case on the list, with what a search compares it by, folded once when the list is read.
struct Listed {
    key: SearchKey,
    case: Record,
}

impl Listed {
    fn new(case: Record) -> Listed {
        let parts = ["name", "phone", "village"].map(|field| case.text(field).unwrap_or_default());
        Listed {
            key: SearchKey::new(parts),
            case,
        }
    }
}

#[component]
pub fn CaseList() -> impl IntoView {
    let store = use_store();
    let status = crate::use_sync_status();
    let cases = load(move || {
        // Read again whenever a save or a pull changed the records.
        status.revision.track();
        let store = store.clone();
        async move {
            let cases = store.cases().await?;
            Ok::<_, crate::store::StoreError>(Arc::new(
                cases.into_iter().map(Listed::new).collect(),
            ))
        }
    });
    // The search stays on this page and out of the URL: a name typed here must not reach the
    // browser's history.
    let (query, set_query) = signal(String::new());
    let (shown, set_shown) = signal(PAGE);

    view! {
        <div class="page-head">
            <h1>{tr(Text::CasesHeading)}</h1>
            <a class="button primary" href="/cases/new">
                {tr(Text::CasesNew)}
            </a>
        </div>
        <div class="search">
            <label for="case-search">{tr(Text::CasesSearch)}</label>
            <input
                id="case-search"
                type="search"
                autocomplete="off"
                on:input=move |event| {
                    set_shown.set(PAGE);
                    set_query.set(fold(&event_target_value(&event)));
                }
            />
        </div>
        {move || {
            cases.with(|found| {
                found.as_ref().map(|found| match found {
                    Ok(list) => {
                        view! {
                            <RefusedChanges refused=status.refused cases=Arc::clone(list) />
                            <Cases list=Arc::clone(list) query shown set_shown />
                        }
                            .into_any()
                    }
                    Err(_) => alert(Text::AppStoreFailed).into_any(),
                })
            })
        }}
    }
    // Erased at the page boundary, so the router is not compiled over the page's whole view type.
    .into_any()
}

/// The cases matching the search: how many, and the first `shown` of them.
#[component]
fn Cases(
    list: Arc<Vec<Listed>>,
    query: ReadSignal<String>,
    shown: ReadSignal<usize>,
    set_shown: WriteSignal<usize>,
) -> impl IntoView {
    // Runs once the list is on screen: the moment the benchmarks call "usable".
    Effect::new(|| crate::browser::mark("sakhi-list-ready"));
    if list.is_empty() {
        return view! { <p class="empty">{tr(Text::CasesEmpty)}</p> }.into_any();
    }
    let lang = use_lang();
    (move || {
        let needle = query.get();
        let limit = shown.get();
        let mut found = 0;
        let mut page = Vec::new();
        for listed in list.iter().filter(|listed| listed.key.matches(&needle)) {
            if found < limit {
                page.push(listed.case.clone());
            }
            found += 1;
        }
        let count = move || {
            let lang = lang.get();
            match (needle.is_empty(), found) {
                (true, 1) => t(lang, Text::CasesCountOne).to_owned(),
                (true, _) => fill(t(lang, Text::CasesCount), "n", &found.to_string()),
                (false, _) => fill(t(lang, Text::CasesFound), "n", &found.to_string()),
            }
        };
        view! {
            <p class="count" aria-live="polite">
                {count}
            </p>
            {(found == 0).then(|| view! { <p class="empty">{tr(Text::CasesNoneFound)}</p> })}
            <ul class="cases">
                {page.into_iter().map(|case| view! { <CaseItem case /> }).collect_view()}
            </ul>
            {(found > limit)
                .then(|| {
                    view! {
                        <button
                            type="button"
                            class="button secondary more"
                            on:click=move |_| set_shown.update(|shown| *shown += PAGE)
                        >
                            {tr(Text::CasesShowMore)}
                        </button>
                    }
                })}
        }
    })
    .into_any()
}

#[component]
fn CaseItem(case: Record) -> impl IntoView {
    let lang = use_lang();
    let href = format!("/cases/{}", case.id);
    let name = case.text("name").map(str::to_owned);
    let village = case.text("village").map(str::to_owned);
    let case = StoredValue::new(case);
    view! {
        <li>
            <a class="case" href=href>
                <span class="case-name">
                    {move || name.clone().unwrap_or_else(|| t(lang.get(), Text::CasesUnnamed).to_owned())}
                </span>
                {village.map(|village| view! { <span class="case-village">{village}</span> })}
                <span class="case-violence">
                    {move || case.with_value(|case| violence_summary(lang.get(), case))}
                </span>
            </a>
        </li>
    }
}

/// Changes the server refused, kept on the phone and shown until someone deals with them.
#[component]
fn RefusedChanges(refused: ReadSignal<Vec<OutboxEntry>>, cases: Arc<Vec<Listed>>) -> impl IntoView {
    let lang = use_lang();
    let name_of = move |id: RecordId| {
        cases
            .iter()
            .find(|listed| listed.case.id == id)
            .and_then(|listed| listed.case.text("name"))
            .map(str::to_owned)
    };
    move || {
        let refused = refused.get();
        (!refused.is_empty()).then(|| {
            let items = refused
                .into_iter()
                .map(|entry| {
                    let change = entry.change;
                    let (code, reason) = entry
                        .rejected
                        .map(|r| (r.code, r.reason))
                        .unwrap_or_default();
                    let name = name_of(change.record);
                    let field = change.field;
                    view! {
                        <li>
                            <a href=format!("/cases/{}", change.record)>
                                {move || {
                                    name.clone()
                                        .unwrap_or_else(|| t(lang.get(), Text::CasesUnnamed).to_owned())
                                }}
                            </a>
                            <br />
                            {move || {
                                let text = fill(
                                    t(lang.get(), Text::RefusedChange),
                                    "field",
                                    &field_label(lang.get(), &field),
                                );
                                // Said in her language where Sakhi knows the reason.
                                let reason = match code.as_str() {
                                    "out_of_scope" => t(lang.get(), Text::RefusedNotYours),
                                    _ => &reason,
                                };
                                fill(&text, "reason", reason)
                            }}
                        </li>
                    }
                })
                .collect_view();
            view! {
                <section class="refused" aria-labelledby="refused-heading">
                    <h2 id="refused-heading">{tr(Text::RefusedHeading)}</h2>
                    <p>{tr(Text::RefusedIntro)}</p>
                    <ul>{items}</ul>
                </section>
            }
        })
    }
}
