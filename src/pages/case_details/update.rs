//! Updating a service or a counselling session already on the timeline.

use super::panel::{Panel, PanelForm, Reader};
use super::timeline::{entry_title, place_label};
use crate::case_form::Problems;
use crate::casework::{
    ATTACHMENT_EDIT_FIELDS, SESSION_EDIT_FIELDS, ServiceDraft, SessionDraft, changed_fields,
    parse_attachment_edit, service_edit_fields,
};
use crate::components::{Choices, TextArea, TextField};
use crate::drafts::{self, fill as fill_form, of_record};
use crate::i18n::{Text, use_lang};
use leptos::prelude::*;
use sakhi_domain::{FieldType, Kind, Record, RecordId};
use std::rc::Rc;
use web_sys::{FormData, HtmlFormElement};

/// Updating a service or a counselling session already on the timeline: its state, the details
/// that came later (a FIR number, a discharge date, a hearing), its notes. Only what she changed
/// is written, on top of what she saw.
#[component]
pub(super) fn UpdateForm(panel: RwSignal<Panel>, record: Record) -> impl IntoView {
    let (problems, set_problems) = signal(Problems::new());
    let draft = record
        .text(sakhi_domain::schema::CASE)
        .and_then(|case| case.parse().ok())
        .map_or_else(String::new, |case| {
            drafts::entry(case, &format!("update/{}", record.id))
        });
    let fields: Vec<&'static str> = match record.kind {
        Kind::Service => service_edit_fields(record.text("service").unwrap_or_default()),
        Kind::Attachment => ATTACHMENT_EDIT_FIELDS.to_vec(),
        _ => SESSION_EDIT_FIELDS.to_vec(),
    };
    // The entry as she saw it when she began: a draft continued after the lock keeps its own.
    let seen = StoredValue::new_local(record.clone());
    let read: Reader = {
        let fields = fields.clone();
        Rc::new(move |form| {
            let record = seen.get_value();
            let data = FormData::new_with_form(form).ok()?;
            let text = |field| data.get(field).as_string().unwrap_or_default();
            let case = record
                .text(sakhi_domain::schema::CASE)?
                .parse::<RecordId>()
                .ok()?;
            let read = match record.kind {
                Kind::Service => {
                    let mut typed: Vec<(&'static str, String)> =
                        fields.iter().map(|field| (*field, text(field))).collect();
                    typed.push((
                        "service",
                        record.text("service").unwrap_or_default().to_owned(),
                    ));
                    ServiceDraft(typed).parse(case)
                }
                Kind::Attachment => parse_attachment_edit(
                    &text("attachment_kind"),
                    &text("caption"),
                    data.has(sakhi_domain::schema::DELETED),
                ),
                _ => SessionDraft {
                    on: text("session_on"),
                    kind: text("session_kind"),
                    attended: text("attended"),
                    notes: text("notes"),
                    actions: text("actions"),
                    next_on: text("next_on"),
                }
                .parse(case, 1),
            };
            Some(read.map(|edits| {
                let changed = changed_fields(&record, edits, &fields);
                vec![(record.clone(), changed)]
            }))
        })
    };
    let form_ref = NodeRef::<leptos::html::Div>::new();
    let typed = of_record(&record, &fields);
    // Filled in with what the entry holds once drawn.
    Effect::new(move || {
        let form = form_ref
            .get()
            .and_then(|div| div.closest("form").ok().flatten())
            .and_then(|form| wasm_bindgen::JsCast::dyn_into::<HtmlFormElement>(form).ok());
        if let Some(form) = form {
            fill_form(&form, &typed);
        }
    });
    let lang = use_lang();
    let title = {
        let record = record.clone();
        move || entry_title(lang.get(), &record)
    };
    const F: &str = "update";
    let controls = fields
        .iter()
        .map(|&field| {
            let field_type = record.kind.field_type(field);
            let label = update_label(&record, field);
            match field_type {
                Some(FieldType::Choice(codes)) => view! {
                    <Choices form=F field legend=label codes many=false required=false problems />
                }
                .into_any(),
                Some(FieldType::Flag) => {
                    let id = crate::components::control_id(F, field);
                    view! {
                        <div class="field choice">
                            <input type="checkbox" id=id.clone() name=field value="yes" />
                            <label for=id>{crate::i18n::tr(label)}</label>
                        </div>
                    }
                    .into_any()
                }
                Some(FieldType::Date) => {
                    view! { <TextField form=F field label kind="date" problems /> }.into_any()
                }
                Some(FieldType::Whole { .. }) => {
                    view! { <TextField form=F field label kind="number" problems /> }.into_any()
                }
                Some(FieldType::Text { max_chars }) if max_chars > 500 => {
                    view! { <TextArea form=F field label problems /> }.into_any()
                }
                _ => view! { <TextField form=F field label kind="text" problems /> }.into_any(),
            }
        })
        .collect_view();
    view! {
        <PanelForm panel which=Panel::Update heading=Text::CaseUpdateHeading read set_problems draft seen>
            <p class="updating">{title}</p>
            <div node_ref=form_ref>{controls}</div>
        </PanelForm>
    }
}

/// The label of a field on the update form: a service's place says what kind of place it is.
pub(super) fn update_label(record: &Record, field: &str) -> Text {
    // Every field of a record has a label: the i18n tests check it.
    place_label(record, field)
        .or_else(|| Text::field(field))
        .unwrap_or(Text::FieldNotes)
}
