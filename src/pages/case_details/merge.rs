//! Merging a duplicate into the case open: finding the other case on the phone, choosing it,
//! confirming.

use super::panel::{Current, Panel};
use super::saving::{save_all, worker_name};
use crate::browser::today;
use crate::casework::{CaseFile, display_name, merging};
use crate::components::Confirm;
use crate::i18n::{Text, fill, t, tr, use_lang};
use crate::pages::failed;
use crate::store::StoreError;
use crate::{use_store, use_sync};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use sakhi_domain::schema::{MERGED_INTO, NUMBER};
use sakhi_domain::{Record, RecordId, SearchKey};
use std::rc::Rc;

/// Merging a duplicate into this case: she finds the other case among those on the phone, chooses
/// it, and confirms. The other case's work moves here and it closes as a duplicate (see
/// [`merging`]).
#[component]
pub(super) fn MergeForm(panel: RwSignal<Panel>, current: Current) -> impl IntoView {
    let store = use_store();
    let sync = use_sync();
    let lang = use_lang();
    let candidates = RwSignal::new_local(Vec::<(SearchKey, Record)>::new());
    // The other cases on the phone, read when the panel opens.
    Effect::new({
        let (store, current) = (store.clone(), Rc::clone(&current));
        move || {
            if panel.get() != Panel::Merge {
                return;
            }
            let Some(file) = current() else { return };
            let store = store.clone();
            leptos::task::spawn_local(async move {
                let cases = store.cases().await.unwrap_or_default();
                let found = cases
                    .into_iter()
                    .filter(|case| {
                        case.id != file.case.id
                            && !case.is_deleted()
                            && case.value(MERGED_INTO).is_none()
                    })
                    .map(|case| {
                        let reference = case.id.provisional();
                        let text = |field| case.text(field).unwrap_or_default();
                        let key = SearchKey::new([
                            text("name"),
                            text("alias"),
                            text("phone"),
                            text("village"),
                            text(NUMBER),
                            reference.as_str(),
                        ]);
                        (key, case)
                    })
                    .collect();
                candidates.set(found);
            });
        }
    });
    let (query, set_query) = signal(String::new());
    let (chosen, set_chosen) = signal(None::<RecordId>);
    let (asking, set_asking) = signal(false);
    let (problem, set_problem) = signal(false);
    let matching = move || {
        let needle = sakhi_domain::search::Needle::new(&query.get());
        candidates.with(|found| {
            found
                .iter()
                .filter(|(key, _)| !needle.is_empty() && key.finds(&needle))
                .take(8)
                .map(|(_, case)| case.clone())
                .collect::<Vec<_>>()
        })
    };
    let options = move || {
        let found = matching();
        if found.is_empty() {
            return query
                .with(|q| !q.trim().is_empty())
                .then(|| view! { <p>{tr(Text::MergeNone)}</p> })
                .into_any();
        }
        found
            .into_iter()
            .map(|case| {
                let id = format!("merge-{}", case.id);
                let reference = case
                    .text(NUMBER)
                    .map_or_else(|| case.id.provisional(), str::to_owned);
                let line = format!("{} · {reference}", crate::pages::new_case::summary(&case));
                let value = case.id;
                view! {
                    <div class="choice">
                        <input type="radio" id=id.clone() name="duplicate" value=value.to_string()
                            on:change=move |_| set_chosen.set(Some(value)) />
                        <label for=id>{line}</label>
                    </div>
                }
            })
            .collect_view()
            .into_any()
    };
    let chosen_name = move || {
        let id = chosen.get()?;
        candidates.with(|found| {
            found
                .iter()
                .find(|(_, case)| case.id == id)
                .map(|(_, case)| display_name(case))
        })
    };
    // The duplicate is read again as the store holds it now, and merged into the case she sees.
    let save = Action::new_local(move |(duplicate, kept): &(RecordId, Rc<CaseFile>)| {
        let (store, sync) = (Rc::clone(&store), Rc::clone(&sync));
        let (duplicate, kept) = (*duplicate, Rc::clone(kept));
        async move {
            let read = async {
                let case = store.record(duplicate).await?;
                let work = store.work(duplicate).await?;
                Ok::<_, StoreError>(case.map(|case| CaseFile::gather(case, &work)))
            };
            let writes = match read.await {
                Ok(Some(file)) => merging(&file, &kept, &today(), &worker_name()),
                _ => None,
            };
            let writes = writes.ok_or(Text::FormSaveFailed)?;
            save_all(&store, &sync, writes).await?;
            set_chosen.set(None);
            set_query.set(String::new());
            panel.set(Panel::None);
            Ok(())
        }
    });
    let merge = {
        let current = Rc::clone(&current);
        move || {
            let (Some(duplicate), Some(kept)) = (chosen.get_untracked(), current()) else {
                return;
            };
            set_asking.set(false);
            save.dispatch_local((duplicate, kept));
        }
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        save.clear();
        let none = chosen.get_untracked().is_none();
        set_problem.set(none);
        set_asking.set(!none);
    };
    let merge = StoredValue::new_local(merge);
    view! {
        <form class="case-form panel" novalidate hidden=move || panel.get() != Panel::Merge
            aria-labelledby="merge-heading" on:submit=on_submit>
            <h2 id="merge-heading">{tr(Text::CaseMerge)}</h2>
            <p>{tr(Text::MergeIntro)}</p>
            <div class="field search">
                <label for="merge-search">{tr(Text::MergeSearch)}</label>
                <input id="merge-search" type="search" autocomplete="off"
                    prop:value=query on:input=move |ev| set_query.set(event_target_value(&ev)) />
            </div>
            <fieldset class="field choices" aria-describedby=move || problem.get().then_some("merge-problem")>
                <legend>{tr(Text::MergeChoose)}</legend>
                {options}
                {move || problem.get().then(|| view! { <p class="problem" id="merge-problem">{tr(Text::MergeChooseProblem)}</p> })}
            </fieldset>
            {failed(save)}
            <Confirm
                shown=asking.into()
                question=Signal::derive(move || {
                    fill(t(lang.get(), Text::MergeConfirm), "name", &chosen_name().unwrap_or_default())
                })
                yes=Text::MergeYes
                no=Text::FormCancel
                on_yes=Callback::new(move |()| merge.with_value(|merge| merge()))
                on_no=Callback::new(move |()| set_asking.set(false))
                id="merge-confirm".to_owned()
            />
            <div class="actions">
                <button type="submit" class="button primary">{tr(Text::CaseMerge)}</button>
                <button type="button" class="button secondary" on:click=move |_| panel.set(Panel::None)>
                    {tr(Text::FormCancel)}
                </button>
            </div>
        </form>
    }
}
