//! `/cases/new`: registering a case, often offline, often in a hurry.
//!
//! The inputs keep what she types themselves, and the form is read once, when she saves: nothing on
//! the page needs the values before then, and binding a signal to every input would put code in the
//! app shell that buys nothing.

use crate::browser::now_millis;
use crate::case_form::{CaseDraft, Edits, Problems};
use crate::components::field_problem_id as problem_id;
use crate::components::{FieldProblem, alert};
use crate::i18n::{Text, choice_label, tr, use_lang};
use crate::store::StoreError;
use crate::{use_store, use_sync};
use leptos::ev::{SubmitEvent, Targeted};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use sakhi_domain::schema::{RELATIONS, SAFE_TO_CALL, SOURCES, VIOLENCE_KINDS};
use sakhi_domain::{Kind, Record, RecordId};
use wasm_bindgen::JsCast;
use web_sys::{FormData, HtmlFormElement};

#[component]
pub fn NewCase() -> impl IntoView {
    let (problems, set_problems) = signal(Problems::new());

    let store = use_store();
    let sync = use_sync();
    let navigate = use_navigate();
    // The button waits while a save runs, and a failed save says so.
    let (saving, set_saving) = signal(false);
    let (save_failed, set_save_failed) = signal(None::<Text>);
    let save = move |edits: Edits| {
        let (store, sync, navigate) = (store.clone(), sync.clone(), navigate.clone());
        set_saving.set(true);
        set_save_failed.set(None);
        leptos::task::spawn_local(async move {
            let case = Record::new(RecordId::new(), Kind::Case);
            match store.edit(case, edits, now_millis()).await {
                Ok(_) => {
                    sync.local_change().await;
                    navigate("/", Default::default());
                }
                Err(error) => {
                    set_saving.set(false);
                    set_save_failed.set(Some(match error {
                        StoreError::Full => Text::StoreFull,
                        _ => Text::FormSaveFailed,
                    }));
                }
            }
        });
    };

    let on_submit = move |ev: Targeted<SubmitEvent, HtmlFormElement>| {
        ev.prevent_default();
        match draft(&ev.target()).parse() {
            Ok(edits) => {
                set_problems.set(Problems::new());
                save(edits);
            }
            Err(found) => {
                if let Some((field, _)) = found.first() {
                    focus(&input_id(field));
                }
                set_problems.set(found);
            }
        }
    };

    let has_problem = move |field: &str| {
        problems.with(|problems| problems.iter().any(|(with, _)| *with == field))
    };

    view! {
        <form class="case-form" novalidate on:submit:target=on_submit>
            <h1>{tr(Text::FormHeading)}</h1>
            {move || problems.with(|p| !p.is_empty()).then(|| alert(Text::FormFixMarked))}

            <TextField field="name" label=Text::FieldName kind="text" problems />
            <TextField field="age" label=Text::FieldAge kind="number" problems />
            <TextField field="phone" label=Text::FieldPhone kind="tel" problems />
            <Choices
                field="safe_to_call"
                legend=Text::FieldSafeToCall
                codes=SAFE_TO_CALL
                many=false
                required=false
                problems
            />
            <TextField field="safe_hours" label=Text::FieldSafeHours kind="text" problems />
            <TextField
                field="village"
                label=Text::FieldVillage
                kind="text"
                problems
            />
            <TextField field="block" label=Text::FieldBlock kind="text" problems />
            <TextField field="district" label=Text::FieldDistrict kind="text" problems />
            <Choices field="source" legend=Text::FieldSource codes=SOURCES many=false required=true problems />

            <Choices field="violence" legend=Text::FieldViolence codes=VIOLENCE_KINDS many=true required=true problems />
            <TextField field="responsible" label=Text::FieldResponsible kind="text" problems />
            <Choices field="relation" legend=Text::FieldRelation codes=RELATIONS many=false required=false problems />
            <TextField field="children" label=Text::FieldChildren kind="number" problems />

            <div class="field">
                <label for=input_id("description")>{tr(Text::FieldDescription)}</label>
                <textarea
                    id=input_id("description")
                    name="description"
                    rows="5"
                    autocomplete="off"
                    aria-invalid=move || has_problem("description").to_string()
                    aria-describedby=move || has_problem("description").then(|| problem_id("description"))
                ></textarea>
                <FieldProblem field="description" problems />
            </div>

            {move || save_failed.get().map(alert)}
            <div class="actions">
                <button type="submit" class="button primary" disabled=saving>
                    {tr(Text::FormSave)}
                </button>
                <a class="button secondary" href="/">
                    {tr(Text::FormCancel)}
                </a>
            </div>
        </form>
    }
    // Erased at the page boundary, so the router is not compiled over the page's whole view type.
    .into_any()
}

/// A one-line input with its label and, when it needs correcting, the problem under it.
#[component]
fn TextField(
    field: &'static str,
    label: Text,
    /// The input's `type`: the phone's keyboard follows it.
    kind: &'static str,
    problems: ReadSignal<Problems>,
) -> impl IntoView {
    let has_problem =
        move || problems.with(|problems| problems.iter().any(|(with, _)| *with == field));
    view! {
        <div class="field">
            <label for=input_id(field)>{tr(label)}</label>
            // No autofill: on a shared phone, suggestions would show one woman's details to the next.
            <input
                id=input_id(field)
                name=field
                type=kind
                autocomplete="off"
                aria-required=(field == "name").then_some("true")
                aria-invalid=move || has_problem().to_string()
                aria-describedby=move || has_problem().then(|| problem_id(field))
            />
            <FieldProblem field problems />
        </div>
    }
}

/// A group of boxes (`many`) or of buttons of which one may be chosen, named after its field of
/// the case.
#[component]
fn Choices(
    field: &'static str,
    legend: Text,
    codes: &'static [&'static str],
    many: bool,
    /// Whether one must be chosen before the case can be saved.
    required: bool,
    problems: ReadSignal<Problems>,
) -> impl IntoView {
    let lang = use_lang();
    let has_problem =
        move || problems.with(|problems| problems.iter().any(|(with, _)| *with == field));
    view! {
        <fieldset
            class="field choices"
            id=input_id(field)
            tabindex="-1"
            aria-required=required.then_some("true")
            aria-describedby=move || has_problem().then(|| problem_id(field))
        >
            <legend>{tr(legend)}</legend>
            {codes
                .iter()
                .map(|&code| {
                    let id = format!("{field}-{code}");
                    view! {
                        <div class="choice">
                            <input
                                type=if many { "checkbox" } else { "radio" }
                                id=id.clone()
                                name=field
                                value=code
                            />
                            <label for=id>{move || choice_label(lang.get(), field, code)}</label>
                        </div>
                    }
                })
                .collect_view()}
            <FieldProblem field problems />
        </fieldset>
    }
}

/// What she typed, as the form holds it; each control is named after its field of the case.
fn draft(form: &HtmlFormElement) -> CaseDraft {
    let Ok(data) = FormData::new_with_form(form) else {
        return CaseDraft::default();
    };
    let text = |field| data.get(field).as_string().unwrap_or_default();
    CaseDraft {
        name: text("name"),
        age: text("age"),
        phone: text("phone"),
        safe_to_call: text("safe_to_call"),
        safe_hours: text("safe_hours"),
        village: text("village"),
        block: text("block"),
        district: text("district"),
        source: text("source"),
        violence: data
            .get_all("violence")
            .iter()
            .filter_map(|code| code.as_string())
            .collect(),
        responsible: text("responsible"),
        relation: text("relation"),
        children: text("children"),
        description: text("description"),
    }
}

/// The id of the control for a field of the case.
fn input_id(field: &str) -> String {
    format!("case-{field}")
}

/// Moves focus to the first field to correct, so a phone scrolls to it and a screen reader says it.
fn focus(id: &str) {
    if let Some(element) = document()
        .get_element_by_id(id)
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}
