//! `/cases/new`: registering a case, often offline, often in a hurry.

use crate::browser::now_millis;
use crate::case_form::{CaseDraft, Edits, Problems};
use crate::components::FieldProblem;
use crate::components::field_problem_id as problem_id;
use crate::i18n::{Text, tr, use_lang, violence_label};
use crate::{use_store, use_sync};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use sakhi_domain::schema::VIOLENCE_KINDS;
use sakhi_domain::{Kind, Record, RecordId};
use wasm_bindgen::JsCast;

#[component]
pub fn NewCase() -> impl IntoView {
    let lang = use_lang();
    let (name, set_name) = signal(String::new());
    let (age, set_age) = signal(String::new());
    let (phone, set_phone) = signal(String::new());
    let (village, set_village) = signal(String::new());
    let (violence, set_violence) = signal(Vec::<String>::new());
    let (description, set_description) = signal(String::new());
    let (problems, set_problems) = signal(Problems::new());

    let store = use_store();
    let sync = use_sync();
    let navigate = use_navigate();
    let save = Action::new_local(move |edits: &Edits| {
        let edits = edits.clone();
        let (store, sync, navigate) = (store.clone(), sync.clone(), navigate.clone());
        async move {
            let case = Record::new(RecordId::new(), Kind::Case);
            store.edit(case, edits, now_millis()).await?;
            sync.local_change().await;
            navigate("/", Default::default());
            Ok::<(), crate::store::StoreError>(())
        }
    });
    let save_failed = move || matches!(save.value().get(), Some(Err(_)));

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let draft = CaseDraft {
            name: name.get_untracked(),
            age: age.get_untracked(),
            phone: phone.get_untracked(),
            village: village.get_untracked(),
            violence: violence.get_untracked(),
            description: description.get_untracked(),
        };
        match draft.parse() {
            Ok(edits) => {
                set_problems.set(Problems::new());
                save.dispatch(edits);
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
        <form class="case-form" novalidate on:submit=on_submit>
            <h1>{tr(Text::FormHeading)}</h1>
            <Show when=move || problems.with(|p| !p.is_empty())>
                <p class="notice problem" role="alert">{tr(Text::FormFixMarked)}</p>
            </Show>

            <TextField field="name" label=Text::FieldName kind="text" value=(name, set_name) problems />
            <TextField field="age" label=Text::FieldAge kind="number" value=(age, set_age) problems />
            <TextField field="phone" label=Text::FieldPhone kind="tel" value=(phone, set_phone) problems />
            <TextField
                field="village"
                label=Text::FieldVillage
                kind="text"
                value=(village, set_village)
                problems
            />

            <fieldset
                class="field choices"
                id=input_id("violence")
                tabindex="-1"
                aria-describedby=move || has_problem("violence").then(|| problem_id("violence"))
            >
                <legend>{tr(Text::FieldViolence)}</legend>
                {VIOLENCE_KINDS
                    .iter()
                    .map(|&code| {
                        let id = format!("violence-{code}");
                        view! {
                            <div class="choice">
                                <input
                                    type="checkbox"
                                    id=id.clone()
                                    value=code
                                    prop:checked=move || violence.with(|v| v.iter().any(|c| c == code))
                                    on:change:target=move |ev| {
                                        let ticked = ev.target().checked();
                                        set_violence
                                            .update(|chosen| {
                                                chosen.retain(|c| c != code);
                                                if ticked {
                                                    chosen.push(code.to_owned());
                                                }
                                            });
                                    }
                                />
                                <label for=id>{move || violence_label(lang.get(), code)}</label>
                            </div>
                        }
                    })
                    .collect_view()}
                <FieldProblem field="violence" problems />
            </fieldset>

            <div class="field">
                <label for=input_id("description")>{tr(Text::FieldDescription)}</label>
                <textarea
                    id=input_id("description")
                    rows="5"
                    autocomplete="off"
                    aria-invalid=move || has_problem("description").to_string()
                    aria-describedby=move || has_problem("description").then(|| problem_id("description"))
                    bind:value=(description, set_description)
                ></textarea>
                <FieldProblem field="description" problems />
            </div>

            <Show when=save_failed>
                <p class="notice problem" role="alert">{tr(Text::FormSaveFailed)}</p>
            </Show>
            <div class="actions">
                <button type="submit" class="button primary" disabled=move || save.pending().get()>
                    {tr(Text::FormSave)}
                </button>
                <a class="button secondary" href="/">
                    {tr(Text::FormCancel)}
                </a>
            </div>
        </form>
    }
}

/// A one-line input with its label and, when it needs correcting, the problem under it.
#[component]
fn TextField(
    field: &'static str,
    label: Text,
    /// The input's `type`: the phone's keyboard follows it.
    kind: &'static str,
    value: (ReadSignal<String>, WriteSignal<String>),
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
                type=kind
                autocomplete="off"
                aria-required=(field == "name").then_some("true")
                aria-invalid=move || has_problem().to_string()
                aria-describedby=move || has_problem().then(|| problem_id(field))
                bind:value=value
            />
            <FieldProblem field problems />
        </div>
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
