//! `/cases/:id/edit`: correcting a case's details after it was saved: a mistyped phone number,
//! age, name or village. The intake form opens filled in with what the case holds now; saving
//! writes a stamped edit only of each field she changed, on top of the value she saw.

use super::new_case::{CaseFields, SHOWN_FIELDS, draft, input_id};
use super::{failed, focus, save_failure};
use crate::browser::{now_millis, today};
use crate::case_form::{Edits, Problems, Taken};
use crate::casework::changed_fields;
use crate::components::{FormActions, UnfinishedOffer};
use crate::drafts::{self, DraftForm, fill, of_record};
use crate::i18n::{Text, tr};
use crate::load::load;
use crate::{use_store, use_sync};
use leptos::ev::{SubmitEvent, Targeted};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use sakhi_domain::{Kind, Record, RecordId};
use serde_json::Value;
use std::rc::Rc;
use web_sys::HtmlFormElement;

#[component]
pub fn EditCase() -> impl IntoView {
    let store = use_store();
    let params = use_params_map();
    let case = load({
        let store = store.clone();
        move || {
            let id = params.with(|p| p.get("id").and_then(|id| id.parse::<RecordId>().ok()));
            let store = store.clone();
            async move {
                let id = id?;
                let case = store.record(id).await.ok()??;
                (case.kind == Kind::Case && !case.is_deleted()).then_some(case)
            }
        }
    });
    view! {
        {move || {
            case.with(|case| {
                case.as_ref()
                    .map(|case| match case {
                        Some(case) => view! { <Correction case=case.clone() /> }.into_any(),
                        None => view! { <p class="notice">{tr(Text::CaseNotFound)}</p> }.into_any(),
                    })
            })
        }}
    }
    .into_any()
}

#[component]
fn Correction(case: Record) -> impl IntoView {
    let store = use_store();
    let sync = use_sync();
    let navigate = use_navigate();
    let taker = crate::unlocked()
        .map(|unlocked| unlocked.worker.display_name.clone())
        .unwrap_or_default();
    let back = format!("/cases/{}", case.id);

    let (problems, set_problems) = signal(Problems::new());
    let (likely, _) = signal(Vec::<String>::new());
    let (danger, set_danger) = signal(case.text("danger") == Some("yes"));
    let form_ref = NodeRef::<leptos::html::Form>::new();
    // The case as she saw it when she began: her edits go on top of it.
    let seen = StoredValue::new_local(case.clone());
    let kept = DraftForm::new(store.clone(), &drafts::correction(case.id), || {});
    // Saved, the correction's draft goes and she is back on the case.
    let save = {
        let (store, sync, back, navigate) =
            (store.clone(), sync.clone(), back.clone(), navigate.clone());
        Action::new_local(move |(before, changes): &(Record, Edits)| {
            let (store, sync, kept) = (Rc::clone(&store), Rc::clone(&sync), kept.draft());
            let (back, navigate) = (back.clone(), navigate.clone());
            let (before, changes) = (before.clone(), changes.clone());
            async move {
                match store.edit(before, changes, now_millis()).await {
                    Ok(_) => {
                        kept.discard();
                        sync.local_change().await;
                        navigate(&back, Default::default());
                        Ok(())
                    }
                    Err(error) => Err(save_failure(&error)),
                }
            }
        })
    };
    let (unchanged, set_unchanged) = signal(false);

    // Filled in with what the case holds; a correction left unfinished is offered instead.
    Effect::new({
        let case = case.clone();
        move || {
            if let Some(form) = form_ref.get() {
                fill(&form, &of_record(&case, &SHOWN_FIELDS));
            }
        }
    });
    let go_continue = Callback::new(move |()| {
        let Some(form) = form_ref.get_untracked() else {
            return;
        };
        if let Some(then) = kept.restore(&form).and_then(|found| found.seen) {
            seen.set_value(then);
        }
        set_danger.set(draft(&form).danger == "yes");
    });
    let drop_offer = Callback::new(move |()| kept.forget());
    let on_input = move |_: leptos::ev::Event| {
        let Some(form) = form_ref.get_untracked() else {
            return;
        };
        set_unchanged.set(false);
        set_danger.set(draft(&form).danger == "yes");
        kept.typed(&form, Some(seen.get_value()));
    };

    let on_submit = {
        move |ev: Targeted<SubmitEvent, HtmlFormElement>| {
            ev.prevent_default();
            let today = today();
            let taken = Taken {
                by: &taker,
                on: &today,
            };
            let edits = match draft(&ev.target()).parse(taken) {
                Ok(edits) => edits,
                Err(found) => {
                    if let Some((field, _)) = found.first() {
                        focus(&input_id(field));
                    }
                    set_problems.set(found);
                    return;
                }
            };
            set_problems.set(Problems::new());
            let before = seen.get_value();
            let mut changes = changed_fields(&before, edits.clone(), &SHOWN_FIELDS);
            // Who took her consent and when change only with her consent.
            if changes.iter().any(|(field, _)| *field == "consent") {
                let taken_now = |field| {
                    edits
                        .iter()
                        .find(|(name, _)| *name == field)
                        .map_or(Value::Null, |(_, value)| value.clone())
                };
                changes.push(("consent_by", taken_now("consent_by")));
                changes.push(("consent_on", taken_now("consent_on")));
            }
            if changes.is_empty() {
                set_unchanged.set(true);
                return;
            }
            save.clear();
            save.dispatch_local((before, changes));
        }
    };
    let leave = Callback::new(move |()| navigate(&back, Default::default()));

    view! {
        <UnfinishedOffer
            shown=Signal::derive(move || kept.offering())
            text=Text::DraftEdit
            on_continue=go_continue
            on_discard=drop_offer
        />
        <form class="case-form" novalidate node_ref=form_ref on:submit:target=on_submit
            on:input=on_input hidden=move || kept.offering()>
            <h1>{tr(Text::EditHeading)}</h1>
            <CaseFields problems likely danger />
            {failed(save)}
            <p class="notice" role="status" hidden=move || !unchanged.get()>{tr(Text::EditUnchanged)}</p>
            <FormActions draft=kept save=Text::EditSave busy=save.pending().into() on_leave=leave />
        </form>
    }
}
