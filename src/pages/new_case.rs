//! `/cases/new`: registering a case, often offline, often in a hurry.
//!
//! The inputs keep what she types themselves, and the form is read once, when she saves: nothing on
//! the page needs the values before then, and binding a signal to every input would put code in the
//! app shell that buys nothing.

use super::{focus, save_failure};
use crate::browser::{now_millis, today};
use crate::camps::title;
use crate::case_form::{CaseDraft, Edits, Likeness, Problems, Taken};
use crate::casework::display_name;
use crate::components::{
    Choices, FormActions, TextArea, TextField, UnfinishedOffer, alert, control_id,
};
use crate::drafts::{self, DraftForm};
use crate::i18n::{Text, fill as fill_in, t, tr, use_lang};
use crate::load::load;
use crate::{use_store, use_sync};
use leptos::ev::{SubmitEvent, Targeted};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use sakhi_domain::schema::{
    CAMP, CONSENTS, DANGER, RELATIONS, SAFE_TO_CALL, SOURCES, VIOLENCE_KINDS,
};
use sakhi_domain::{Kind, Record, RecordId};
use wasm_bindgen::JsCast;
use web_sys::{FormData, HtmlFormElement};

/// The form's name, which its controls' ids begin with.
const FORM: &str = "case";

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
    let taker = crate::unlocked()
        .map(|unlocked| unlocked.worker.display_name.clone())
        .unwrap_or_default();

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
    // The button waits while a save runs, and a failed save says so.
    let (saving, set_saving) = signal(false);
    let (save_failed, set_save_failed) = signal(None::<Text>);
    let save = {
        let navigate = navigate.clone();
        move |edits: Edits| {
            let (store, sync, navigate, kept) =
                (store.clone(), sync.clone(), navigate.clone(), kept.draft());
            set_saving.set(true);
            set_save_failed.set(None);
            leptos::task::spawn_local(async move {
                let case = Record::new(RecordId::new(), Kind::Case);
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
                    }
                    Err(error) => {
                        set_saving.set(false);
                        set_save_failed.set(Some(save_failure(&error)));
                    }
                }
            });
        }
    };
    let go_continue = Callback::new(move |()| {
        if let Some(form) = form_ref.get_untracked() {
            kept.restore(&form);
            set_danger.set(draft(&form).danger == "yes");
        }
    });
    let drop_offer = Callback::new(move |()| kept.forget());
    // Where Cancel leads: back to the camp in camp mode, else home.
    let back = move || {
        camp.with_untracked(|camp| match camp {
            Some(Some(camp)) => format!("/camps/{}", camp.id),
            _ => "/".to_owned(),
        })
    };
    let leave = Callback::new(move |()| navigate(&back(), Default::default()));

    let on_submit = move |ev: Targeted<SubmitEvent, HtmlFormElement>| {
        ev.prevent_default();
        let today = today();
        let taken = Taken {
            by: &taker,
            on: &today,
        };
        match draft(&ev.target()).parse(taken) {
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

    view! {
        <UnfinishedOffer
            shown=Signal::derive(move || kept.offering())
            text=Text::DraftNewCase
            on_continue=go_continue
            on_discard=drop_offer
        />
        <form class="case-form" novalidate node_ref=form_ref on:submit:target=on_submit on:input=on_input
            hidden=move || kept.offering()>
            <h1>{tr(Text::FormHeading)}</h1>
            {move || {
                camp.with(|camp| {
                    camp.as_ref().and_then(Option::as_ref).map(|camp| {
                        let id = camp.id.to_string();
                        let named = title(camp);
                        view! {
                            <p class="notice camp-mode">
                                {move || fill_in(t(lang.get(), Text::CampRegistering), "camp", &named)}
                            </p>
                            <input type="hidden" name=CAMP value=id />
                        }
                    })
                })
            }}
            <CaseFields problems likely danger />
            {move || save_failed.get().map(alert)}
            <FormActions draft=kept save=Text::FormSave busy=saving.into() on_leave=leave />
        </form>
    }
    // Erased at the page boundary, so the router is not compiled over the page's whole view type.
    .into_any()
}

/// The case's fields as the new-case form and a correction show them, with the problems found and,
/// while she types a new case, the cases she may be registering again.
#[component]
pub(super) fn CaseFields(
    problems: ReadSignal<Problems>,
    likely: ReadSignal<Vec<String>>,
    danger: ReadSignal<bool>,
) -> impl IntoView {
    view! {
        {move || problems.with(|p| !p.is_empty()).then(|| alert(Text::FormFixMarked))}

        <TextField form=FORM field="name" label=Text::FieldName kind="text" problems />
        <TextField form=FORM field="alias" label=Text::FieldAlias kind="text" problems />
        <TextField form=FORM field="age" label=Text::FieldAge kind="number" problems />
        <TextField form=FORM field="phone" label=Text::FieldPhone kind="tel" problems />
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
        <TextField form=FORM field="village" label=Text::FieldVillage kind="text" problems />
        <TextField form=FORM field="block" label=Text::FieldBlock kind="text" problems />
        <TextField form=FORM field="district" label=Text::FieldDistrict kind="text" problems />
        <div class="notice duplicates" role="status" hidden=move || likely.with(Vec::is_empty)>
            <p>{tr(Text::FormDuplicates)}</p>
            <ul>
                {move || {
                    likely.get().into_iter().map(|line| view! { <li>{line}</li> }).collect_view()
                }}
            </ul>
        </div>
        <Choices form=FORM field="source" legend=Text::FieldSource codes=SOURCES many=false required=true problems />

        <Choices form=FORM field="violence" legend=Text::FieldViolence codes=VIOLENCE_KINDS many=true required=true problems />
        <TextField form=FORM field="responsible" label=Text::FieldResponsible kind="text" problems />
        <Choices form=FORM field="relation" legend=Text::FieldRelation codes=RELATIONS many=false required=false problems />
        <TextField form=FORM field="children" label=Text::FieldChildren kind="number" problems />
        <Choices form=FORM field="danger" legend=Text::FieldDanger codes=DANGER many=false required=false problems />
        <p class="notice problem" role="alert" hidden=move || !danger.get()>{tr(Text::FormDanger)}</p>
        <Choices form=FORM field="consent" legend=Text::FieldConsent codes=CONSENTS many=true required=false problems />

        <TextArea form=FORM field="description" label=Text::FieldDescription problems />
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
