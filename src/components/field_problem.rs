//! The message next to a form field that needs correcting, in the worker's language.

use crate::case_form::Problems;
use crate::i18n::{Text, choice_label, tr, use_lang};
use leptos::prelude::*;

/// The id of a field's problem message, for the field's `aria-describedby`.
pub fn problem_id(field: &str) -> String {
    format!("{field}-problem")
}

/// The id of the control for `field` in the form named `form`.
pub fn control_id(form: &str, field: &str) -> String {
    format!("{form}-{field}")
}

/// Whether `field` has a problem.
fn has(problems: ReadSignal<Problems>, field: &str) -> bool {
    problems.with(|problems| problems.iter().any(|(with, _)| *with == field))
}

/// A one-line input with its label and, when it needs correcting, the problem under it.
#[component]
pub fn TextField(
    form: &'static str,
    field: &'static str,
    label: Text,
    /// The input's `type`: the phone's keyboard follows it.
    kind: &'static str,
    problems: ReadSignal<Problems>,
    /// What the input holds at first.
    #[prop(optional)]
    value: Option<String>,
) -> impl IntoView {
    let id = control_id(form, field);
    let described = problem_id(&id);
    view! {
        <div class="field">
            <label for=id.clone()>{tr(label)}</label>
            // No autofill: on a shared phone, suggestions would show one woman's details to the next.
            <input
                id=id
                name=field
                type=kind
                value=value
                autocomplete="off"
                aria-invalid=move || has(problems, field).to_string()
                aria-describedby=move || has(problems, field).then(|| described.clone())
            />
            <FieldProblem form field problems />
        </div>
    }
}

/// A text area for notes, with its label and any problem under it.
#[component]
pub fn TextArea(
    form: &'static str,
    field: &'static str,
    label: Text,
    problems: ReadSignal<Problems>,
) -> impl IntoView {
    let id = control_id(form, field);
    let described = problem_id(&id);
    view! {
        <div class="field">
            <label for=id.clone()>{tr(label)}</label>
            <textarea
                id=id
                name=field
                rows="4"
                autocomplete="off"
                aria-invalid=move || has(problems, field).to_string()
                aria-describedby=move || has(problems, field).then(|| described.clone())
            ></textarea>
            <FieldProblem form field problems />
        </div>
    }
}

/// A group of boxes (`many`) or of buttons of which one may be chosen, named after its field.
#[component]
pub fn Choices(
    form: &'static str,
    field: &'static str,
    legend: Text,
    codes: &'static [&'static str],
    many: bool,
    /// Whether one must be chosen before the form can be saved.
    required: bool,
    problems: ReadSignal<Problems>,
    /// The code chosen at first.
    #[prop(optional)]
    chosen: Option<&'static str>,
) -> impl IntoView {
    let lang = use_lang();
    let id = control_id(form, field);
    let described = problem_id(&id);
    // A group (`role=group`) may not carry `aria-required`. Buttons of which one must be chosen say
    // so themselves (`required` on a radio means "choose one of these"; the form checks it, not
    // the browser); a box of several to tick cannot, so the legend's visible mark says it.
    let one_required = required && !many;
    view! {
        <fieldset
            class="field choices"
            id=id.clone()
            tabindex="-1"
            aria-describedby=move || has(problems, field).then(|| described.clone())
        >
            <legend>{tr(legend)}</legend>
            {codes
                .iter()
                .map(|&code| {
                    let id = format!("{id}-{code}");
                    view! {
                        <div class="choice">
                            <input
                                type=if many { "checkbox" } else { "radio" }
                                id=id.clone()
                                name=field
                                value=code
                                checked=chosen == Some(code)
                                required=one_required
                            />
                            <label for=id>{move || choice_label(lang.get(), field, code)}</label>
                        </div>
                    }
                })
                .collect_view()}
            <FieldProblem form field problems />
        </fieldset>
    }
}

/// The problem found with `field` of the form named `form` (its controls' ids begin with it),
/// if any.
#[component]
pub fn FieldProblem(
    form: &'static str,
    field: &'static str,
    problems: ReadSignal<Problems>,
) -> impl IntoView {
    let lang = use_lang();
    move || {
        problems.with(|problems| {
            problems
                .iter()
                .find(|(with_problem, _)| *with_problem == field)
                .map(|&(_, problem)| {
                    let message = move || problem.message(lang.get());
                    view! {
                        <p class="problem" id=problem_id(&control_id(form, field))>
                            {message}
                        </p>
                    }
                })
        })
    }
}

/// A single rule's message under the field `field`, shown while `shown` is true: for forms of one
/// or two fields outside the case form.
#[component]
pub fn FieldRule(field: &'static str, shown: ReadSignal<bool>, text: Text) -> impl IntoView {
    move || {
        shown.get().then(|| {
            view! {
                <p class="problem" id=problem_id(field)>
                    {tr(text)}
                </p>
            }
        })
    }
}
