//! One entry of the case's timeline (her registration, a service, a session, a note, a closing) and
//! the headings and labels it is shown with, which the case's history page uses too.

use super::Editing;
use super::case_view::shown;
use super::files::{FileLine, first_stamp};
use super::panel::Panel;
use super::writers::{StaffSignal, last_change, written_line};
use crate::browser::today;
use crate::casework::{Entry, service_fields, shelter_overdue, shown_date};
use crate::i18n::{Lang, Text, choice_label, field_label, fill, shown_time, t, tr, use_lang};
use crate::pages::shown_moment;
use leptos::prelude::*;
use sakhi_domain::schema::SHELTER_DAYS;
use sakhi_domain::{Kind, Record, RecordId};

/// An entry of the timeline, owned so the view can keep it.
#[derive(Clone)]
pub(super) enum Owned {
    /// The case, registered.
    Intake(Record),
    Service(Record),
    Session(Record),
    Note(Record),
    /// A closure record: the case closed or reopened.
    Closure(Record),
    /// The case, closed before closings were records of their own.
    ClosedBefore(Record),
    /// A file kept with the case.
    Attachment(Record),
}

pub(super) fn owned(entry: Entry<'_>, case: &Record) -> Owned {
    match entry {
        Entry::Intake => Owned::Intake(case.clone()),
        Entry::Service(record) => Owned::Service(record.clone()),
        Entry::Session(record) => Owned::Session(record.clone()),
        Entry::Note(record) => Owned::Note(record.clone()),
        Entry::Closure(record) => Owned::Closure(record.clone()),
        Entry::ClosedBefore => Owned::ClosedBefore(case.clone()),
        Entry::Attachment(record) => Owned::Attachment(record.clone()),
    }
}

/// The heading of a timeline entry's record.
pub(in crate::pages) fn entry_title(lang: Lang, record: &Record) -> String {
    let code = |field| record.text(field).unwrap_or_default().to_owned();
    match record.kind {
        Kind::Service => {
            let state = record.text("service_state").unwrap_or("requested");
            format!(
                "{} · {}",
                choice_label(lang, "service", &code("service")),
                choice_label(lang, "service_state", state)
            )
        }
        Kind::Session => {
            let number = record.value("session_number").and_then(|n| n.as_i64());
            let mut title = fill(
                t(lang, Text::CaseSession),
                "n",
                &number.unwrap_or_default().to_string(),
            );
            if let Some(kind) = record.text("session_kind") {
                title.push_str(" · ");
                title.push_str(&choice_label(lang, "session_kind", kind));
            }
            title
        }
        Kind::Note => format!(
            "{}, {}",
            code("written_by"),
            shown_time(record.made_millis())
        ),
        Kind::Closure if record.text("event") == Some("reopened") => {
            t(lang, Text::CaseReopened).to_owned()
        }
        Kind::Closure | Kind::Case => {
            let reason = record.text("closure").unwrap_or("other");
            fill(
                t(lang, Text::CaseClosed),
                "reason",
                &choice_label(lang, "closure", reason),
            )
        }
        Kind::Attachment => {
            let kind = choice_label(lang, "attachment_kind", &code("attachment_kind"));
            match record.text("caption") {
                Some(caption) => format!("{kind} · {caption}"),
                None => kind,
            }
        }
        Kind::Camp => String::new(),
    }
}

impl Owned {
    fn record(&self) -> Option<&Record> {
        match self {
            Owned::Intake(_) => None,
            Owned::Service(record)
            | Owned::Session(record)
            | Owned::Note(record)
            | Owned::Closure(record)
            | Owned::ClosedBefore(record)
            | Owned::Attachment(record) => Some(record),
        }
    }

    /// The entry's heading.
    fn title(&self, lang: Lang) -> String {
        match self.record() {
            None => t(lang, Text::CaseIntake).to_owned(),
            Some(record) => entry_title(lang, record),
        }
    }

    /// The fields shown under the heading.
    fn fields(&self) -> Vec<&'static str> {
        match self {
            Owned::Intake(_) => Vec::new(),
            Owned::Service(service) => {
                let mut fields = vec!["given_by"];
                fields.extend(service_fields(service.text("service").unwrap_or_default()));
                fields.push("notes");
                fields
            }
            Owned::Session(_) => vec!["attended", "notes", "actions", "next_on"],
            Owned::Note(_) => vec!["note"],
            Owned::Closure(_) => vec!["settlement_terms", "written_by"],
            Owned::ClosedBefore(_) => vec!["settlement_terms"],
            Owned::Attachment(_) => vec!["added_by"],
        }
    }

    fn class(&self) -> &'static str {
        match self {
            Owned::Intake(_) => "entry intake",
            Owned::Service(_) => "entry service",
            Owned::Session(_) => "entry session",
            Owned::Note(_) => "entry note",
            Owned::Closure(_) | Owned::ClosedBefore(_) => "entry closure",
            Owned::Attachment(_) => "entry file",
        }
    }

    /// The record a worker may update from the timeline: a service, a counselling session, or
    /// what a file is and its caption. Notes and closures are written once.
    fn updatable(&self) -> Option<&Record> {
        match self {
            Owned::Service(record) | Owned::Session(record) | Owned::Attachment(record) => {
                Some(record)
            }
            _ => None,
        }
    }
}

#[component]
pub(super) fn TimelineEntry(
    day: String,
    entry: Owned,
    staff: StaffSignal,
    panel: RwSignal<Panel>,
    editing: Editing,
    correcting: RwSignal<Option<RecordId>>,
) -> impl IntoView {
    let lang = use_lang();
    let when = shown_date(&day);
    let body = entry.record().map(|record| {
        entry
            .fields()
            .into_iter()
            .filter(|field| record.value(field).is_some())
            .map(|field| {
                let (label, value) = (record.clone(), record.clone());
                view! {
                    <div class="detail">
                        <dt>{move || field_label_for(lang.get(), &label, field)}</dt>
                        <dd>{move || shown(lang.get(), &value, field)}</dd>
                    </div>
                }
            })
            .collect_view()
    });
    let stay_too_long =
        matches!(&entry, Owned::Service(service) if shelter_overdue(service, &today()));
    let signed = matches!(&entry, Owned::Closure(record) | Owned::ClosedBefore(record)
        if record.value("settlement_signed").and_then(|v| v.as_bool()) == Some(true));
    // Who last changed an entry that was updated after it was written, and when.
    let changed = entry.updatable().and_then(last_change);
    // Who registered the case, and when: the first stamp it holds.
    let registered = match &entry {
        Owned::Intake(case) => first_stamp(case),
        _ => None,
    };
    let update = entry.updatable().cloned().map(|record| {
        let open = move |_| {
            editing.set(Some(record.clone()));
            panel.set(Panel::Update);
        };
        view! {
            <button type="button" class="button secondary" on:click=open>
                {tr(Text::CaseUpdateEntry)}
            </button>
        }
    });
    // A note is corrected by a new one that names it; the correction says which.
    let correct = match &entry {
        Owned::Note(note) => {
            let id = note.id;
            Some(view! {
                <button type="button" class="button secondary" on:click=move |_| {
                    correcting.set(Some(id));
                    panel.set(Panel::Note);
                }>
                    {tr(Text::CaseCorrectNote)}
                </button>
            })
        }
        _ => None,
    };
    let corrects = match &entry {
        Owned::Note(note) => note
            .text("corrects")
            .and_then(|id| id.parse::<RecordId>().ok())
            .map(|id| {
                let at = id.created_millis();
                view! {
                    <p class="corrects">
                        {move || {
                            let lang = lang.get();
                            fill(t(lang, Text::NoteCorrects), "when", &shown_moment(lang, at))
                        }}
                    </p>
                }
            }),
        _ => None,
    };
    let file = match &entry {
        Owned::Attachment(record) => Some(view! { <FileLine record=record.clone() /> }),
        _ => None,
    };
    let class = entry.class();
    let title = move || entry.title(lang.get());
    view! {
        <li class=class>
            <p class="when">{when}</p>
            <h3>{title}</h3>
            {corrects}
            <dl>{body}</dl>
            {stay_too_long
                .then(|| {
                    view! {
                        <p class="problem">
                            {move || {
                                fill(t(lang.get(), Text::CaseShelterLong), "n", &SHELTER_DAYS.to_string())
                            }}
                        </p>
                    }
                })}
            {signed.then(|| view! { <p class="signed">{tr(Text::FieldSettlementSigned)}</p> })}
            {changed.map(|stamp| written_line(Text::CaseChangedBy, stamp, staff))}
            {registered.map(|stamp| written_line(Text::CaseRegisteredBy, stamp, staff))}
            {file}
            {update}
            {correct}
        </li>
    }
}

/// The label of a field of an entry: a service's place says what kind of place it is.
pub(in crate::pages) fn field_label_for(lang: Lang, record: &Record, field: &str) -> String {
    place_label(record, field)
        .map_or_else(|| field_label(lang, field), |text| t(lang, text).to_owned())
}

/// What a service's `place` is called for its kind of service: a hospital, a police station, a
/// court, a shelter.
pub(super) fn place_label(record: &Record, field: &str) -> Option<Text> {
    match (field, record.text("service")) {
        ("place", Some("medical")) => Some(Text::PlaceMedical),
        ("place", Some("police")) => Some(Text::PlacePolice),
        ("place", Some("legal_aid")) => Some(Text::PlaceLegalAid),
        ("place", Some("shelter")) => Some(Text::PlaceShelter),
        _ => None,
    }
}
