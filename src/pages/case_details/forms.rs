//! The panels that add an entry to the timeline: a service, a counselling session, a note (or the
//! correction of one), and the closing of the case.

use super::panel::{Current, Panel, PanelForm, Reader, draft_name};
use super::saving::worker_name;
use crate::browser::today;
use crate::case_form::Problems;
use crate::casework::{ClosureDraft, ServiceDraft, SessionDraft, parse_note};
use crate::components::{Choices, TextArea, TextField, control_id};
use crate::drafts::Typed;
use crate::i18n::{Text, fill, t, tr, use_lang};
use crate::pages::shown_moment;
use leptos::prelude::*;
use sakhi_domain::schema::{CHOSEN_CLOSURES, REPORTS, SERVICE_STATES, SERVICES, SESSION_KINDS};
use sakhi_domain::{Kind, Record, RecordId};
use std::rc::Rc;
use web_sys::FormData;

/// Each field a service entry may have, as the form names its controls.
pub(super) const SERVICE_FIELDS: [&str; 14] = [
    "service",
    "service_state",
    "service_on",
    "given_by",
    "report",
    "report_number",
    "place",
    "lawyer",
    "hearing_on",
    "admitted_on",
    "discharged_on",
    "children",
    "with_whom",
    "notes",
];

#[component]
pub(super) fn ServiceForm(panel: RwSignal<Panel>, current: Current) -> impl IntoView {
    let (problems, set_problems) = signal(Problems::new());
    let draft = draft_name(&current, "service");
    let (chosen, set_chosen) = signal(String::new());
    let read: Reader = Rc::new(move |form| {
        let file = current()?;
        let data = FormData::new_with_form(form).ok()?;
        let draft = ServiceDraft(
            SERVICE_FIELDS
                .iter()
                .map(|field| (*field, data.get(field).as_string().unwrap_or_default()))
                .collect(),
        );
        Some(
            draft
                .parse(file.case.id)
                .map(|edits| vec![(Record::new(crate::browser::new_id(), Kind::Service), edits)]),
        )
    });
    const F: &str = "service";
    // The fields of one kind of service, switched off (so not sent) unless it is the one chosen.
    let extra = move |service: &'static str, fields: AnyView| {
        let off = move || chosen.get() != service;
        view! {
            <fieldset class="extra" disabled=off hidden=off>
                {fields}
            </fieldset>
        }
    };
    view! {
        <PanelForm
            panel
            which=Panel::Service
            heading=Text::CaseAddService
            read
            set_problems
            draft
            on_reset=Callback::new(move |()| set_chosen.set(String::new()))
            on_fill=Callback::new(move |typed: Typed| {
                let chosen = typed.into_iter().find(|(name, _)| name == "service");
                set_chosen.set(chosen.map(|(_, code)| code).unwrap_or_default());
            })
        >
            <div on:change=move |ev| {
                let data = event_target_value(&ev);
                if SERVICES.contains(&data.as_str()) {
                    set_chosen.set(data);
                }
            }>
                <Choices form=F field="service" legend=Text::FieldService codes=SERVICES many=false required=true problems />
            </div>
            <Choices form=F field="service_state" legend=Text::FieldServiceState codes=SERVICE_STATES many=false required=false problems chosen="requested" />
            <TextField form=F field="service_on" label=Text::FieldServiceOn kind="date" problems value=today() />
            <TextField form=F field="given_by" label=Text::FieldGivenBy kind="text" problems />
            {extra("medical", view! {
                <TextField form="service-medical" field="place" label=Text::PlaceMedical kind="text" problems />
            }.into_any())}
            {extra("police", view! {
                <Choices form="service-police" field="report" legend=Text::FieldReport codes=REPORTS many=false required=false problems />
                <TextField form="service-police" field="report_number" label=Text::FieldReportNumber kind="text" problems />
                <TextField form="service-police" field="place" label=Text::PlacePolice kind="text" problems />
            }.into_any())}
            {extra("legal_aid", view! {
                <TextField form="service-legal" field="lawyer" label=Text::FieldLawyer kind="text" problems />
                <TextField form="service-legal" field="place" label=Text::PlaceLegalAid kind="text" problems />
                <TextField form="service-legal" field="hearing_on" label=Text::FieldHearingOn kind="date" problems />
            }.into_any())}
            {extra("shelter", view! {
                <TextField form="service-shelter" field="admitted_on" label=Text::FieldAdmittedOn kind="date" problems />
                <TextField form="service-shelter" field="discharged_on" label=Text::FieldDischargedOn kind="date" problems />
                <TextField form="service-shelter" field="children" label=Text::FieldChildren kind="number" problems />
            }.into_any())}
            {extra("video_conferencing", view! {
                <TextField form="service-video" field="with_whom" label=Text::FieldWithWhom kind="text" problems />
            }.into_any())}
            <TextArea form=F field="notes" label=Text::FieldNotes problems />
        </PanelForm>
    }
}

#[component]
pub(super) fn SessionForm(panel: RwSignal<Panel>, current: Current) -> impl IntoView {
    let (problems, set_problems) = signal(Problems::new());
    let draft = draft_name(&current, "session");
    let read: Reader = Rc::new(move |form| {
        let file = current()?;
        let data = FormData::new_with_form(form).ok()?;
        let text = |field| data.get(field).as_string().unwrap_or_default();
        let draft = SessionDraft {
            on: text("session_on"),
            kind: text("session_kind"),
            attended: text("attended"),
            notes: text("notes"),
            actions: text("actions"),
            next_on: text("next_on"),
        };
        Some(
            draft
                .parse(file.case.id, file.next_session())
                .map(|edits| vec![(Record::new(crate::browser::new_id(), Kind::Session), edits)]),
        )
    });
    const F: &str = "session";
    view! {
        <PanelForm panel which=Panel::Session heading=Text::CaseAddSession read set_problems draft>
            <TextField form=F field="session_on" label=Text::FieldSessionOn kind="date" problems value=today() />
            <Choices form=F field="session_kind" legend=Text::FieldSessionKind codes=SESSION_KINDS many=false required=false problems />
            <TextField form=F field="attended" label=Text::FieldAttended kind="text" problems />
            <TextArea form=F field="notes" label=Text::FieldNotes problems />
            <TextArea form=F field="actions" label=Text::FieldActions problems />
            <TextField form=F field="next_on" label=Text::FieldNextOn kind="date" problems />
        </PanelForm>
    }
}

#[component]
pub(super) fn NoteForm(
    panel: RwSignal<Panel>,
    current: Current,
    correcting: RwSignal<Option<RecordId>>,
) -> impl IntoView {
    let (problems, set_problems) = signal(Problems::new());
    let draft = draft_name(&current, "note");
    let lang = use_lang();
    let by = crate::unlocked()
        .map(|unlocked| unlocked.worker.display_name.clone())
        .unwrap_or_default();
    let read: Reader = Rc::new(move |form| {
        let file = current()?;
        let data = FormData::new_with_form(form).ok()?;
        let text = data.get("note").as_string().unwrap_or_default();
        let corrects = data
            .get("corrects")
            .as_string()
            .and_then(|id| id.parse::<RecordId>().ok());
        Some(
            parse_note(file.case.id, &text, &by, corrects)
                .map(|edits| vec![(Record::new(RecordId::new(), Kind::Note), edits)]),
        )
    });
    // A correction is only ever of the note chosen for it: closing the form forgets which.
    Effect::new(move |_| {
        if panel.get() != Panel::Note {
            correcting.set(None);
        }
    });
    let corrected = move || {
        correcting.get().map(|id| {
            let lang = lang.get();
            let when = shown_moment(lang, id.created_millis());
            view! {
                <p class="corrects">{fill(t(lang, Text::NoteCorrects), "when", &when)}</p>
                <input type="hidden" name="corrects" value=id.to_string() />
            }
        })
    };
    view! {
        <PanelForm panel which=Panel::Note heading=Text::CaseAddNote read set_problems draft
            on_reset=Callback::new(move |()| correcting.set(None))
            on_fill=Callback::new(move |typed: Typed| {
                let corrects = typed.into_iter().find(|(name, _)| name == "corrects");
                correcting.set(corrects.and_then(|(_, id)| id.parse().ok()));
            })>
            {corrected}
            <TextArea form="note" field="note" label=Text::FieldNote problems />
        </PanelForm>
    }
}

#[component]
pub(super) fn CloseForm(panel: RwSignal<Panel>, current: Current) -> impl IntoView {
    let (problems, set_problems) = signal(Problems::new());
    let draft = draft_name(&current, "close");
    let read: Reader = Rc::new(move |form| {
        let file = current()?;
        let data = FormData::new_with_form(form).ok()?;
        let text = |field| data.get(field).as_string().unwrap_or_default();
        let draft = ClosureDraft {
            reason: text("closure"),
            terms: text("settlement_terms"),
            signed: data.has("settlement_signed"),
        };
        Some(
            draft
                .parse(file.case.id, &today(), &worker_name())
                .map(|closing| closing.writes(&file.case)),
        )
    });
    const F: &str = "close";
    let signed = control_id(F, "settlement_signed");
    view! {
        <PanelForm panel which=Panel::Close heading=Text::CaseClose read set_problems draft confirm=Text::CaseCloseConfirm>
            <Choices form=F field="closure" legend=Text::FieldClosure codes=CHOSEN_CLOSURES many=false required=true problems />
            <TextArea form=F field="settlement_terms" label=Text::FieldSettlementTerms problems />
            <div class="field choice">
                <input type="checkbox" id=signed.clone() name="settlement_signed" value="yes" />
                <label for=signed>{tr(Text::FieldSettlementSigned)}</label>
            </div>
        </PanelForm>
    }
}
