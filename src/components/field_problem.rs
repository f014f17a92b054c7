//! The message next to a form field that needs correcting, in the worker's language.

use crate::case_form::Problems;
use crate::i18n::{Text, tr, use_lang};
use leptos::prelude::*;

/// The id of a field's problem message, for the field's `aria-describedby`.
pub fn problem_id(field: &str) -> String {
    format!("{field}-problem")
}

#[component]
pub fn FieldProblem(field: &'static str, problems: ReadSignal<Problems>) -> impl IntoView {
    let lang = use_lang();
    move || {
        problems.with(|problems| {
            problems
                .iter()
                .find(|(with_problem, _)| *with_problem == field)
                .map(|&(_, problem)| {
                    let message = move || problem.message(lang.get());
                    view! {
                        <p class="problem" id=problem_id(field)>
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
