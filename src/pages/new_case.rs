//! `/cases/new`: registering a case, often offline, often in a hurry.
//!
//! A phone shows the form in short steps, her safety first; a camp asks only what a camp needs.
//! The inputs keep what she types themselves, and the form is read whole, at Next and when she
//! saves: nothing on the page needs the values before then, and binding a signal to every input
//! would put code in the app shell that buys nothing.

use super::{failed, focus, save_failure};
use crate::browser::{now_millis, today};
use crate::camps::title;
use crate::case_form::{CaseDraft, Edits, Likeness, Problems, Step, Taken, asked, first_problem};
use crate::casework::display_name;
use crate::components::{
    Choices, Confirm, FieldProblem, TextArea, TextField, UnfinishedOffer, alert, control_id,
    field_problem_id,
};
use crate::drafts::{self, DraftForm};
use crate::i18n::{Text, choice_label, fill as fill_in, t, tr, use_lang};
use crate::load::load;
use crate::{use_store, use_sync};
use leptos::ev::{SubmitEvent, Targeted};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use sakhi_domain::schema::{
    CAMP, CONSENTS, DANGER, RELATIONS, SAFE_TO_CALL, SOURCES, VIOLENCE_KINDS,
};
use sakhi_domain::{Kind, Record, RecordId};
use std::time::Duration;
use wasm_bindgen::JsCast;
use web_sys::{FormData, HtmlFormElement};

/// The form's name, which its controls' ids begin with.
const FORM: &str = "case";

/// The hidden control that holds the step she is on, so that a draft keeps it.
const STEP: &str = "step";

/// The id of the heading that names the step she is on.
const STEP_HEADING: &str = "case-step";

/// The fields the case form shows, which a correction compares with what the case holds.
pub(super) const SHOWN_FIELDS: [&str; 17] = [
    "name",
    "alias",
    "age",
    "phone",
    "safe_to_call",
    "safe_hours",
    "village",
    "block",
    "district",
    "source",
    "violence",
    "responsible",
    "relation",
    "children",
    "danger",
    "consent",
    "description",
];

#[component]
pub fn NewCase() -> impl IntoView {
    let (problems, set_problems) = signal(Problems::new());
    let lang = use_lang();

    let store = use_store();
    let sync = use_sync();
    let navigate = use_navigate();
    let taker = StoredValue::new(
        crate::unlocked()
            .map(|unlocked| unlocked.worker.display_name.clone())
            .unwrap_or_default(),
    );

    // The cases already on the phone, to warn of one she may be registering twice.
    let known = load({
        let store = store.clone();
        move || {
            let store = store.clone();
            async move {
                let cases = store.cases().await.unwrap_or_default();
                cases
                    .into_iter()
                    .map(|case| (Likeness::of(&case), case))
                    .collect::<Vec<_>>()
            }
        }
    });
    // Opened from a camp ("Register a case here"): the camp she is registered at, if it is on the
    // phone. Its block and district, and how she reached the centre, are filled in for her.
    let query = use_query_map();
    let camp = load({
        let store = store.clone();
        move || {
            let id = query.with(|q| q.get("camp").and_then(|id| id.parse::<RecordId>().ok()));
            let store = store.clone();
            async move {
                let id = id?;
                let camps = store.camps().await.ok()?;
                camps
                    .into_iter()
                    .find(|camp| camp.id == id && !camp.is_deleted())
            }
        }
    });
    Effect::new(move || {
        camp.with(|camp| {
            if let Some(Some(camp)) = camp {
                prefill(camp);
            }
        })
    });
    // At a camp only what a camp needs is asked; a field left for the centre that still needs
    // correcting (it never should: the camp filled it in) brings every field back.
    let at_camp = Memo::new(move |_| {
        camp.with(|camp| matches!(camp, Some(Some(_))))
            && problems.with(|found| found.iter().all(|(field, _)| asked(field, true)))
    });
    let steps = Memo::new(move |_| Step::asked(at_camp.get()));
    let (step, set_step) = signal(Step::Safety);
    let first = move || steps.with(|steps| steps.first() == Some(&step.get()));
    let last = move || steps.with(|steps| steps.last() == Some(&step.get()));

    let (likely, set_likely) = signal(Vec::<String>::new());
    let (danger, set_danger) = signal(false);

    // What she typed is kept sealed as she types, and offered back when she returns.
    let form_ref = NodeRef::<leptos::html::Form>::new();
    let kept = DraftForm::new(store.clone(), drafts::NEW_CASE, || {});
    // Read as she types: the inputs keep their own values, and the form is read whole.
    let on_input = move |ev: leptos::ev::Event| {
        // The event comes from the input she typed in; the form is its ancestor.
        let Some(form) = event_target::<web_sys::Element>(&ev)
            .closest("form")
            .ok()
            .flatten()
            .and_then(|form| form.dyn_into::<HtmlFormElement>().ok())
        else {
            return;
        };
        kept.typed(&form, None);
        let typed = draft(&form);
        set_danger.set(typed.danger == "yes");
        let like = Likeness::new(&typed.name, &typed.phone, &typed.village);
        let found: Vec<String> = known.with(|known| {
            known
                .iter()
                .flatten()
                .filter(|(likeness, _)| like.is_like(likeness))
                .take(5)
                .map(|(_, case)| summary(case))
                .collect()
        });
        if likely.with_untracked(|shown| *shown != found) {
            set_likely.set(found);
        }
    };

    // Shows step `to`, then, once it is on the screen, puts her at the control `then` (a field to
    // correct) or at the top of the step, whose heading a screen reader reads out. The step she is
    // on is kept with the draft, so she comes back to it.
    let show = move |to: Step, then: Option<String>| {
        set_step.set(to);
        set_timeout(
            move || {
                if kept.dirty.get_untracked()
                    && let Some(form) = form_ref.get_untracked()
                {
                    kept.typed(&form, None);
                }
                match then {
                    Some(control) => focus(&control),
                    None => {
                        window().scroll_to_with_x_and_y(0.0, 0.0);
                        focus(STEP_HEADING);
                    }
                }
            },
            Duration::ZERO,
        );
    };
    // Takes her to the problem to correct first, and shows it with the others found.
    let to_problems = move |found: Problems| {
        let at = first_problem(&found)
            .map(|(step, field)| (step, input_id(field)))
            .or_else(|| {
                found
                    .first()
                    .map(|(field, _)| (step.get_untracked(), input_id(field)))
            });
        set_problems.set(found);
        if let Some((to, control)) = at {
            show(to, Some(control));
        }
    };
    let read = move |form: &HtmlFormElement| {
        let today = today();
        taker.with_value(|taker| {
            draft(form).parse(Taken {
                by: taker,
                on: &today,
            })
        })
    };
    // Next checks this step (and those before it, which she may have gone back to), never the
    // steps she has not reached yet.
    let next = move || {
        let Some(form) = form_ref.get_untracked() else {
            return;
        };
        let here = step.get_untracked();
        let found: Problems = read(&form)
            .err()
            .unwrap_or_default()
            .into_iter()
            .filter(|(field, _)| Step::of(field).is_none_or(|step| step <= here))
            .collect();
        if !found.is_empty() {
            to_problems(found);
            return;
        }
        set_problems.set(Problems::new());
        let after = steps.with_untracked(|steps| steps.iter().copied().find(|step| *step > here));
        if let Some(after) = after {
            show(after, None);
        }
    };
    let back = move |_| {
        let here = step.get_untracked();
        let before = steps.with_untracked(|steps| steps.iter().copied().rfind(|step| *step < here));
        if let Some(before) = before {
            show(before, None);
        }
    };

    // The button waits while a save runs, and a failed save says so.
    let save = {
        let navigate = navigate.clone();
        Action::new_local(move |edits: &Edits| {
            let (store, sync, navigate, kept) =
                (store.clone(), sync.clone(), navigate.clone(), kept.draft());
            let edits = edits.clone();
            async move {
                let case = Record::new(crate::browser::new_id(), Kind::Case);
                // A woman in danger now goes straight to her case, where rescue, police and shelter
                // are one tap each.
                let in_danger = edits
                    .iter()
                    .any(|(field, value)| *field == "danger" && value == "yes");
                let at_camp = edits
                    .iter()
                    .find(|(field, _)| *field == CAMP)
                    .and_then(|(_, camp)| camp.as_str().map(str::to_owned));
                match store.edit(case, edits, now_millis()).await {
                    Ok(case) => {
                        kept.discard();
                        sync.local_change().await;
                        // At a camp, back to the camp, ready for the next woman in the crowd.
                        let next = match (in_danger, at_camp) {
                            (true, _) => format!("/cases/{}", case.id),
                            (false, Some(camp)) => format!("/camps/{camp}"),
                            (false, None) => "/".to_owned(),
                        };
                        navigate(&next, Default::default());
                        Ok(())
                    }
                    Err(error) => Err(save_failure(&error)),
                }
            }
        })
    };
    let go_continue = Callback::new(move |()| {
        if let Some(form) = form_ref.get_untracked() {
            let found = kept.restore(&form);
            set_danger.set(draft(&form).danger == "yes");
            let position = found
                .iter()
                .flat_map(|found| found.typed.iter())
                .find(|(name, _)| name == STEP)
                .map_or("", |(_, at)| at.as_str());
            let at = steps.with_untracked(|steps| Step::kept(position, steps));
            show(at, None);
        }
    });
    let drop_offer = Callback::new(move |()| kept.forget());
    // Where Cancel leads: back to the camp in camp mode, else home.
    let home = move || {
        camp.with_untracked(|camp| match camp {
            Some(Some(camp)) => format!("/camps/{}", camp.id),
            _ => "/".to_owned(),
        })
    };
    let leave = move || navigate(&home(), Default::default());
    let discard = Callback::new({
        let leave = leave.clone();
        move |()| {
            kept.forget();
            leave();
        }
    });
    let cancel = move |_| {
        if kept.may_leave() {
            leave();
        }
    };
    let question = tr(Text::DraftDiscardQuestion);

    // Save is on the last step; while she is in danger it is on every step, so that a worker can
    // save at once, going only through what must be filled in.
    let save_shown = move || last() || danger.get();
    let on_submit = move |ev: Targeted<SubmitEvent, HtmlFormElement>| {
        ev.prevent_default();
        // Enter in a field of an earlier step moves on, as Next does.
        if !save_shown() {
            next();
            return;
        }
        match read(&ev.target()) {
            Ok(edits) => {
                set_problems.set(Problems::new());
                save.clear();
                save.dispatch_local(edits);
            }
            Err(found) => to_problems(found),
        }
    };
    let heading = move || {
        let lang = lang.get();
        let here = step.get();
        let (at, total) = steps.with(|steps| {
            let at = steps.iter().position(|step| *step == here).unwrap_or(0);
            (at + 1, steps.len())
        });
        let text = fill_in(t(lang, Text::FormStep), "n", &at.to_string());
        let text = fill_in(&text, "total", &total.to_string());
        fill_in(&text, "step", t(lang, here.name()))
    };

    view! {
        <UnfinishedOffer
            shown=Signal::derive(move || kept.offering())
            text=Text::DraftNewCase
            on_continue=go_continue
            on_discard=drop_offer
        />
        <form class="case-form intake" novalidate node_ref=form_ref on:submit:target=on_submit on:input=on_input
            hidden=move || kept.offering()>
            // Cancel is away from Save and Next, where a thumb reaching for them cannot hit it.
            <div class="form-head">
                <h1>{tr(Text::FormHeading)}</h1>
                <button type="button" class="cancel" on:click=cancel>{tr(Text::FormCancel)}</button>
            </div>
            <Confirm
                shown=kept.asking.into()
                question=Signal::derive(move || question().to_owned())
                yes=Text::DraftDiscardYes
                no=Text::DraftKeepEditing
                on_yes=discard
                on_no=Callback::new(move |()| kept.asking.set(false))
                id="discard-question".to_owned()
            />
            {move || {
                camp.with(|camp| {
                    camp.as_ref().and_then(Option::as_ref).map(|camp| {
                        let id = camp.id.to_string();
                        let named = title(camp);
                        view! {
                            <div class="notice camp-mode">
                                <p>{move || fill_in(t(lang.get(), Text::CampRegistering), "camp", &named)}</p>
                                <p hidden=move || !at_camp.get() || !first()>{tr(Text::FormCampAsksLess)}</p>
                            </div>
                            <input type="hidden" name=CAMP value=id />
                        }
                    })
                })
            }}
            <ol class="steps" aria-label=tr(Text::FormSteps)>
                {move || {
                    steps
                        .get()
                        .into_iter()
                        .enumerate()
                        .map(|(at, this)| {
                            // Numbers to the eye, where five names would not fit a phone's width;
                            // the heading under them names the step she is on.
                            view! {
                                <li
                                    aria-current=move || (step.get() == this).then_some("step")
                                    class:done=move || this < step.get()
                                >
                                    <span aria-hidden="true">{at + 1}</span>
                                    <span class="step-name">{tr(this.name())}</span>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ol>
            <h2 id=STEP_HEADING class="step-heading" tabindex="-1">{heading}</h2>
            <input type="hidden" name=STEP value=move || step.get().position().to_string() />
            <CaseFields problems likely danger step at_camp />
            {failed(save)}
            <div class="actions step-actions">
                <button type="button" class="button secondary back-step" hidden=first on:click=back>
                    {tr(Text::FormBack)}
                </button>
                <button type="button" class="button primary next-step" hidden=last on:click=move |_| next()>
                    {tr(Text::FormNext)}
                </button>
                <button
                    type="submit"
                    class=move || if last() { "button primary save" } else { "button danger save save-now" }
                    hidden=move || !save_shown()
                    disabled=save.pending()
                >
                    {tr(Text::FormSave)}
                </button>
            </div>
        </form>
    }
    // Erased at the page boundary, so the router is not compiled over the page's whole view type.
    .into_any()
}

/// The case's fields as the new-case form and a correction show them, in steps, with the problems
/// found and, while she types a new case, the cases she may be registering again.
#[component]
pub(super) fn CaseFields(
    problems: ReadSignal<Problems>,
    likely: ReadSignal<Vec<String>>,
    danger: ReadSignal<bool>,
    /// The one step shown at a time; without it every step is shown, each under its name.
    #[prop(optional)]
    step: Option<ReadSignal<Step>>,
    /// Whether only what a camp needs is asked.
    #[prop(optional, into)]
    at_camp: Option<Signal<bool>>,
) -> impl IntoView {
    let at_camp = move || at_camp.is_some_and(|at_camp| at_camp.get());
    let left_for_the_centre = move |field: &str| !asked(field, at_camp());
    // Whether `field` is on the screen now: on the step shown, or asked by no step.
    let on_screen = move |field: &str| {
        step.is_none_or(|step| Step::of(field).is_none_or(|of| of == step.get()))
    };
    let section = move |this: Step, fields: AnyView| {
        view! {
            <section class="step" hidden=move || step.is_some_and(|step| step.get() != this)>
                {step.is_none().then(|| view! { <h2>{tr(this.name())}</h2> })}
                {fields}
            </section>
        }
    };
    view! {
        {move || problems.with(|found| found.iter().any(|(field, _)| on_screen(field))).then(|| alert(Text::FormFixMarked))}

        {section(Step::Safety, view! {
            <Choices form=FORM field="danger" legend=Text::FieldDanger codes=DANGER many=false required=false problems />
            <p class="notice problem" role="alert" hidden=move || !danger.get()>{tr(Text::FormDanger)}</p>
            <Choices
                form=FORM
                field="safe_to_call"
                legend=Text::FieldSafeToCall
                codes=SAFE_TO_CALL
                many=false
                required=false
                problems
            />
            <TextField form=FORM field="safe_hours" label=Text::FieldSafeHours kind="text" problems />
        }.into_any())}

        {section(Step::Who, view! {
            <RequiredText field="name" label=Text::FieldName problems />
            <TextField form=FORM field="alias" label=Text::FieldAlias kind="text" problems />
            <TextField form=FORM field="age" label=Text::FieldAge kind="number" problems />
            <TextField form=FORM field="phone" label=Text::FieldPhone kind="tel" problems />
            <TextField form=FORM field="village" label=Text::FieldVillage kind="text" problems />
            <div hidden=move || left_for_the_centre("block")>
                <TextField form=FORM field="block" label=Text::FieldBlock kind="text" problems />
                <TextField form=FORM field="district" label=Text::FieldDistrict kind="text" problems />
                <TextField form=FORM field="children" label=Text::FieldChildren kind="number" problems />
            </div>
            <div class="notice duplicates" role="status" hidden=move || likely.with(Vec::is_empty)>
                <p>{tr(Text::FormDuplicates)}</p>
                <ul>
                    {move || {
                        likely.get().into_iter().map(|line| view! { <li>{line}</li> }).collect_view()
                    }}
                </ul>
            </div>
        }.into_any())}

        {section(Step::What, view! {
            <div class="columns">
                <RequiredChoices field="violence" legend=Text::FieldViolence codes=VIOLENCE_KINDS many=true problems />
            </div>
            <TextArea form=FORM field="description" label=Text::FieldDescription problems />
        }.into_any())}

        // Never reached at a camp: the camp says how she came, the centre asks the rest.
        {section(Step::More, view! {
            // One column: one way of coming is a long line.
            <RequiredChoices field="source" legend=Text::FieldSource codes=SOURCES many=false problems />
            <TextField form=FORM field="responsible" label=Text::FieldResponsible kind="text" problems />
            <div class="columns">
                <Choices form=FORM field="relation" legend=Text::FieldRelation codes=RELATIONS many=false required=false problems />
            </div>
        }.into_any())}

        {section(Step::Consent, view! {
            <Choices form=FORM field="consent" legend=Text::FieldConsent codes=CONSENTS many=true required=false problems />
        }.into_any())}
    }
}

/// " * required" after the label of a field that must be filled in: the sign for the eye, the
/// word for everyone, screen readers included (they skip the sign).
fn required_mark() -> impl IntoView {
    view! {
        <span class="required">
            <span aria-hidden="true">" *"</span>
            " "
            {tr(Text::FormRequired)}
        </span>
    }
}

/// Whether `field` has a problem.
fn has(problems: ReadSignal<Problems>, field: &str) -> bool {
    problems.with(|problems| problems.iter().any(|(with, _)| *with == field))
}

/// A one-line text field of the case that must be filled in, marked so in its label.
#[component]
fn RequiredText(field: &'static str, label: Text, problems: ReadSignal<Problems>) -> impl IntoView {
    let id = input_id(field);
    let described = field_problem_id(&id);
    view! {
        <div class="field">
            <label for=id.clone()>{tr(label)}{required_mark()}</label>
            // No autofill: on a shared phone, suggestions would show one woman's details to the next.
            <input
                id=id
                name=field
                type="text"
                autocomplete="off"
                required=true
                aria-invalid=move || has(problems, field).to_string()
                aria-describedby=move || has(problems, field).then(|| described.clone())
            />
            <FieldProblem form=FORM field problems />
        </div>
    }
}

/// A group of choices of the case of which at least one must be chosen, marked so in its legend.
#[component]
fn RequiredChoices(
    field: &'static str,
    legend: Text,
    codes: &'static [&'static str],
    many: bool,
    problems: ReadSignal<Problems>,
) -> impl IntoView {
    let lang = use_lang();
    let id = input_id(field);
    let described = field_problem_id(&id);
    view! {
        <fieldset
            class="field choices"
            id=id.clone()
            tabindex="-1"
            aria-describedby=move || has(problems, field).then(|| described.clone())
        >
            <legend>{tr(legend)}{required_mark()}</legend>
            {codes
                .iter()
                .map(|&code| {
                    let id = format!("{id}-{code}");
                    view! {
                        <div class="choice">
                            // One of the buttons must be chosen, which each says; a box of
                            // several to tick leaves it to the legend's mark.
                            <input
                                type=if many { "checkbox" } else { "radio" }
                                id=id.clone()
                                name=field
                                value=code
                                required=!many
                            />
                            <label for=id>{move || choice_label(lang.get(), field, code)}</label>
                        </div>
                    }
                })
                .collect_view()}
            <FieldProblem form=FORM field problems />
        </fieldset>
    }
}

/// What she typed, as the form holds it; each control is named after its field of the case.
pub(super) fn draft(form: &HtmlFormElement) -> CaseDraft {
    let Ok(data) = FormData::new_with_form(form) else {
        return CaseDraft::default();
    };
    let text = |field| data.get(field).as_string().unwrap_or_default();
    CaseDraft {
        name: text("name"),
        alias: text("alias"),
        age: text("age"),
        phone: text("phone"),
        safe_to_call: text("safe_to_call"),
        safe_hours: text("safe_hours"),
        village: text("village"),
        block: text("block"),
        district: text("district"),
        source: text("source"),
        camp: text(CAMP),
        violence: data
            .get_all("violence")
            .iter()
            .filter_map(|code| code.as_string())
            .collect(),
        responsible: text("responsible"),
        relation: text("relation"),
        children: text("children"),
        danger: text("danger"),
        consent: data
            .get_all("consent")
            .iter()
            .filter_map(|code| code.as_string())
            .collect(),
        description: text("description"),
    }
}

/// Fills in what a case registered at `camp` shares with it, where the form is still empty: the
/// block and district, and that she reached the centre through an awareness camp.
fn prefill(camp: &Record) {
    let document = document();
    for field in ["block", "district"] {
        let input = document
            .get_element_by_id(&input_id(field))
            .and_then(|input| input.dyn_into::<web_sys::HtmlInputElement>().ok());
        if let (Some(input), Some(value)) = (input, camp.text(field))
            && input.value().is_empty()
        {
            input.set_value(value);
        }
    }
    let source = document
        .get_element_by_id(&format!("{}-awareness_camp", input_id("source")))
        .and_then(|input| input.dyn_into::<web_sys::HtmlInputElement>().ok());
    if let Some(source) = source {
        source.set_checked(true);
    }
}

/// One line naming a case she may be registering again: name, age, village, phone.
pub(super) fn summary(case: &Record) -> String {
    let mut parts = vec![display_name(case)];
    if let Some(age) = case.value("age").and_then(|age| age.as_i64()) {
        parts.push(age.to_string());
    }
    for field in ["village", "phone"] {
        if let Some(text) = case.text(field) {
            parts.push(text.to_owned());
        }
    }
    parts.retain(|part| !part.is_empty());
    parts.join(", ")
}

/// The id of the control for a field of the case.
pub(super) fn input_id(field: &str) -> String {
    control_id(FORM, field)
}
