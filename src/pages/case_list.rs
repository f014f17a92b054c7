//! `/`: the cases on this phone, newest first, and any changes the server refused.

use super::violence_summary;
use crate::i18n::{Text, field_label, fill, t, tr, use_lang};
use crate::load::load;
use crate::store::OutboxEntry;
use crate::use_store;
use leptos::prelude::*;
use sakhi_domain::{Record, RecordId};

#[component]
pub fn CaseList() -> impl IntoView {
    let store = use_store();
    let status = crate::use_sync_status();
    let cases = load(move || {
        // Read again whenever a save or a pull changed the records.
        status.revision.track();
        let store = store.clone();
        async move { store.cases().await }
    });

    view! {
        <div class="page-head">
            <h1>{tr(Text::CasesHeading)}</h1>
            <a class="button primary" href="/cases/new">
                {tr(Text::CasesNew)}
            </a>
        </div>
        {move || {
            // Borrowed rather than cloned: only what the view keeps is copied.
            cases.with(|found| {
                found.as_ref().map(|found| match found {
                    Ok(cases) => {
                        view! {
                            <RefusedChanges refused=status.refused cases=cases.clone() />
                            <Cases cases=cases.clone() />
                        }
                            .into_any()
                    }
                    Err(_) => {
                        view! {
                            <p class="notice" role="alert">
                                {tr(Text::AppStoreFailed)}
                            </p>
                        }
                            .into_any()
                    }
                })
            })
        }}
    }
    // Erased at the page boundary, so the router is not compiled over the page's whole view type.
    .into_any()
}

#[component]
fn Cases(cases: Vec<Record>) -> impl IntoView {
    // Runs once the list is on screen: the moment the benchmarks call "usable".
    Effect::new(|| crate::browser::mark("sakhi-list-ready"));
    if cases.is_empty() {
        return view! { <p class="empty">{tr(Text::CasesEmpty)}</p> }.into_any();
    }
    view! {
        <ul class="cases">
            {cases.into_iter().map(|case| view! { <CaseItem case /> }).collect_view()}
        </ul>
    }
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
fn RefusedChanges(refused: ReadSignal<Vec<OutboxEntry>>, cases: Vec<Record>) -> impl IntoView {
    let lang = use_lang();
    let name_of = move |id: RecordId| {
        cases
            .iter()
            .find(|case| case.id == id)
            .and_then(|case| case.text("name"))
            .map(str::to_owned)
    };
    move || {
        let refused = refused.get();
        (!refused.is_empty()).then(|| {
            let items = refused
                .into_iter()
                .map(|entry| {
                    let change = entry.change;
                    let reason = entry.rejected.map(|r| r.reason).unwrap_or_default();
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
                                fill(&text, "reason", &reason)
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
