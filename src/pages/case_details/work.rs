//! The buttons and controls that add to a case, drawn once per case page: which panel is open,
//! reopening, printing, assigning the case to a worker, and the panels themselves.

use super::files::AttachForm;
use super::forms::{CloseForm, NoteForm, ServiceForm, SessionForm};
use super::merge::MergeForm;
use super::panel::Panel;
use super::saving::{save_action, worker_name};
use super::update::UpdateForm;
use super::writers::StaffSignal;
use super::{Editing, Found};
use crate::browser::today;
use crate::casework::reopening;
use crate::i18n::{Text, tr};
use crate::pages::failed;
use leptos::prelude::*;
use sakhi_domain::schema::{ASSIGNED_TO, MERGED_INTO};
use sakhi_domain::{RecordId, Role};
use serde_json::Value;
use std::rc::Rc;

/// The buttons and forms that add to a case. Drawn once per case page.
#[component]
pub(super) fn Work(
    file: ReadSignal<Found, LocalStorage>,
    staff: StaffSignal,
    panel: RwSignal<Panel>,
    editing: Editing,
    correcting: RwSignal<Option<RecordId>>,
) -> impl IntoView {
    let current = move || {
        file.with_untracked(|found| match found {
            Some(Ok(Some(file))) => Some(Rc::clone(file)),
            _ => None,
        })
    };
    let closed =
        move || file.with(|found| matches!(found, Some(Ok(Some(file))) if file.is_closed()));
    // A duplicate merged into another case takes no merge of its own.
    let merged = move || {
        file.with(
            |found| matches!(found, Some(Ok(Some(file))) if file.case.value(MERGED_INTO).is_some()),
        )
    };
    let toggle = move |which: Panel| {
        move |_| panel.update(|open| *open = if *open == which { Panel::None } else { which })
    };
    let reopen_save = save_action();
    let reopen = move |_| {
        let Some(file) = current() else { return };
        let closing = reopening(file.case.id, &today(), &worker_name());
        reopen_save.dispatch_local(closing.writes(&file.case));
    };
    let print = |_| {
        let _ = window().print();
    };

    // An administrator or a counsellor gives the case to a worker.
    let may_assign = crate::unlocked()
        .is_some_and(|unlocked| matches!(unlocked.role, Role::Administrator | Role::Counsellor));
    let assigned = move || {
        file.with(|found| match found {
            Some(Ok(Some(file))) => file.case.text(ASSIGNED_TO).map(str::to_owned),
            _ => None,
        })
        .unwrap_or_default()
    };
    let assign_save = save_action();
    let assign = move |ev: leptos::ev::Event| {
        let chosen = event_target_value(&ev);
        let Some(file) = current() else { return };
        let value = if chosen.is_empty() {
            Value::Null
        } else {
            Value::from(chosen)
        };
        assign_save.dispatch_local(vec![(file.case.clone(), vec![(ASSIGNED_TO, value)])]);
    };
    let workers = move || {
        staff.with(|staff| {
            staff
                .iter()
                .flat_map(|staff| staff.staff.iter())
                .map(|member| {
                    let id = member.id.to_string();
                    let selected = {
                        let id = id.clone();
                        move || assigned() == id
                    };
                    view! {
                        <option value=id prop:selected=selected>
                            {member.display_name.clone()}
                        </option>
                    }
                })
                .collect_view()
        })
    };

    view! {
        <section class="work">
            <div class="actions work-buttons">
                <button type="button" class="button secondary" on:click=toggle(Panel::Service)
                    aria-expanded=move || (panel.get() == Panel::Service).to_string()>
                    {tr(Text::CaseAddService)}
                </button>
                <button type="button" class="button secondary" on:click=toggle(Panel::Session)
                    aria-expanded=move || (panel.get() == Panel::Session).to_string()>
                    {tr(Text::CaseAddSession)}
                </button>
                <button type="button" class="button secondary" on:click=toggle(Panel::Note)
                    aria-expanded=move || (panel.get() == Panel::Note).to_string()>
                    {tr(Text::CaseAddNote)}
                </button>
                <button type="button" class="button secondary" on:click=toggle(Panel::Attach)
                    aria-expanded=move || (panel.get() == Panel::Attach).to_string()>
                    {tr(Text::CaseAddFile)}
                </button>
                <button type="button" class="button secondary" on:click=reopen hidden=move || !closed() || merged()>
                    {tr(Text::CaseReopen)}
                </button>
                <button type="button" class="button secondary" on:click=toggle(Panel::Close) hidden=closed
                    aria-expanded=move || (panel.get() == Panel::Close).to_string()>
                    {tr(Text::CaseClose)}
                </button>
                <button type="button" class="button secondary" on:click=print>
                    {tr(Text::CasePrint)}
                </button>
                {may_assign
                    .then(|| {
                        view! {
                            <button type="button" class="button secondary" on:click=toggle(Panel::Merge)
                                hidden=merged
                                aria-expanded=move || (panel.get() == Panel::Merge).to_string()>
                                {tr(Text::CaseMerge)}
                            </button>
                        }
                    })}
            </div>
            {failed(reopen_save)}
            {may_assign
                .then(|| {
                    view! {
                        <div class="field assign">
                            <label for="case-assign">{tr(Text::FieldAssignedTo)}</label>
                            <select id="case-assign" on:change=assign>
                                <option value="" prop:selected=move || assigned().is_empty()>
                                    {tr(Text::CaseNobody)}
                                </option>
                                {workers}
                            </select>
                            {failed(assign_save)}
                        </div>
                    }
                })}
            <ServiceForm panel current=Rc::new(current) />
            <SessionForm panel current=Rc::new(current) />
            <NoteForm panel current=Rc::new(current) correcting />
            <CloseForm panel current=Rc::new(current) />
            <AttachForm panel current=Rc::new(current) file />
            {move || editing.get().map(|record| view! { <UpdateForm panel record /> })}
            {may_assign.then(|| view! { <MergeForm panel current=Rc::new(current) /> })}
        </section>
    }
}
