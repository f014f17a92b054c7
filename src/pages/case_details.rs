//! `/cases/:id`: one case as this phone knows it: her details, one timeline of everything done for
//! her (services, counselling sessions, notes, closure), and the forms that add to it.
//!
//! The forms are drawn once and kept while a save or a pull redraws the case above them, so what a
//! counsellor is typing is never wiped by news from another device.

use super::{save_failure, shown_moment, shown_value, writer};
use crate::browser::{now_millis, today};
use crate::case_form::{Edits, Problems, is_child};
use crate::casework::{
    CaseFile, ClosureDraft, Entry, SESSION_EDIT_FIELDS, ServiceDraft, SessionDraft, changed_fields,
    display_name, merging, parse_note, reopening, service_edit_fields, service_fields,
    shelter_overdue, shown_date,
};
use crate::components::{
    Choices, Confirm, FormActions, PrintHeader, TextArea, TextField, UnfinishedOffer, alert,
    control_id,
};
use crate::directory;
use crate::drafts::{self, DraftForm, Typed, fill as fill_form, of_record};
use crate::i18n::{Lang, Text, choice_label, field_label, fill, shown_time, t, tr, use_lang};
use crate::load::load;
use crate::store::{Store, StoreError};
use crate::{use_store, use_sync};
use leptos::ev::{SubmitEvent, Targeted};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use sakhi_domain::schema::{ASSIGNED_TO, CAMP, MERGED_INTO, NUMBER};
use sakhi_domain::schema::{
    CHOSEN_CLOSURES, REPORTS, SERVICE_STATES, SERVICES, SESSION_KINDS, SHELTER_DAYS,
};
use sakhi_domain::wire::account::Staff;
use sakhi_domain::{FieldType, Kind, Record, RecordId, Role, SearchKey, Stamp, Version};
use serde_json::Value;
use std::rc::Rc;
use web_sys::{FormData, HtmlFormElement};

type Found = Option<Result<Option<Rc<CaseFile>>, StoreError>>;

#[component]
pub fn CaseDetails() -> impl IntoView {
    let store = use_store();
    let status = crate::use_sync_status();
    let params = use_params_map();
    let file = load(move || {
        status.revision.track();
        let id = params.with(|p| p.get("id").and_then(|id| id.parse::<RecordId>().ok()));
        let store = store.clone();
        async move { read_file(&store, id).await }
    });
    // Who works at the centre, to say who wrote what and to assign the case.
    let staff = RwSignal::new_local(None::<Staff>);
    refresh_staff(staff);
    // Once the case and what was done for her are read: the moment the benchmarks call "open".
    Effect::new(move || {
        if file.with(Option::is_some) {
            crate::browser::mark("sakhi-case-ready");
        }
    });
    // Whether there is a case to work on: the forms are drawn when this turns true, not on every
    // change to the case.
    let found = Memo::new(move |_| {
        file.with(|found| match found {
            Some(Ok(Some(file))) => Some(file.case.id),
            _ => None,
        })
    });
    // Which form is open, and the timeline entry being updated: the timeline's buttons open them.
    let panel = RwSignal::new(Panel::None);
    let editing = RwSignal::new_local(None::<Record>);
    // The note a new note corrects, when she chose "Correct this note".
    let correcting = RwSignal::new(None::<RecordId>);
    // Another case opened on the same page (from a merged duplicate's link): nothing of the last
    // one's forms stays open, and its forms are drawn anew with their own drafts.
    Effect::new(move |_| {
        found.track();
        panel.set(Panel::None);
        editing.set(None);
        correcting.set(None);
    });

    view! {
        <a class="back" href="/">
            {tr(Text::CaseBack)}
        </a>
        {move || {
            file.with(|found| {
                found.as_ref().map(|found| match found {
                    Ok(Some(file)) => {
                        view! { <CaseView file=Rc::clone(file) staff panel editing correcting /> }.into_any()
                    }
                    Ok(None) => {
                        view! { <p class="notice">{tr(Text::CaseNotFound)}</p> }.into_any()
                    }
                    Err(_) => alert(Text::AppStoreFailed).into_any(),
                })
            })
        }}
        {move || found.get().map(|_| view! { <Work file staff panel editing correcting /> })}
    }
    // Erased at the page boundary, so the router is not compiled over the page's whole view type.
    .into_any()
}

/// The case `id` and its services, sessions and notes, if this phone has it.
async fn read_file(
    store: &Store,
    id: Option<RecordId>,
) -> Result<Option<Rc<CaseFile>>, StoreError> {
    let Some(id) = id else {
        return Ok(None);
    };
    match store.record(id).await? {
        Some(case) if case.kind == Kind::Case && !case.is_deleted() => {
            let work = store.work(id).await?;
            Ok(Some(Rc::new(CaseFile::gather(case, &work))))
        }
        _ => Ok(None),
    }
}

/// The store and sync client, taken when a component is made and kept for its handlers.
#[derive(Clone)]
struct Saving(Rc<Store>, Rc<crate::sync::SyncClient>);

fn use_saving() -> Saving {
    Saving(use_store(), use_sync())
}

type StaffSignal = RwSignal<Option<Staff>, LocalStorage>;

/// Reads who works at the centre again (from the server if it can be reached) into `staff`.
fn refresh_staff(staff: StaffSignal) {
    let Some(unlocked) = crate::unlocked() else {
        return;
    };
    leptos::task::spawn_local(async move {
        let found = directory::staff(&unlocked).await;
        staff.set(Some(found));
    });
}

type Editing = RwSignal<Option<Record>, LocalStorage>;

#[component]
fn CaseView(
    file: Rc<CaseFile>,
    staff: StaffSignal,
    panel: RwSignal<Panel>,
    editing: Editing,
    correcting: RwSignal<Option<RecordId>>,
) -> impl IntoView {
    let lang = use_lang();
    let case = &file.case;
    let (name, alias) = (
        case.text("name").map(str::to_owned),
        case.text("alias").map(str::to_owned),
    );
    let heading = move || match (&name, &alias) {
        (Some(name), _) => name.clone(),
        (None, Some(alias)) => fill(t(lang.get(), Text::CaseAlias), "alias", alias),
        (None, None) => t(lang.get(), Text::CasesUnnamed).to_owned(),
    };
    // The centre's number once the server gave it; until then a reference made on the phone.
    let reference = match case.text(NUMBER) {
        Some(number) => (Text::CaseNumber, "number", number.to_owned()),
        None => (Text::CaseReference, "ref", case.id.provisional()),
    };
    let reference = move || fill(t(lang.get(), reference.0), reference.1, &reference.2);
    let status = file.status();
    let child = is_child(case.value("age").and_then(|age| age.as_i64()));
    let danger = case.text("danger") == Some("yes") && !file.is_closed();
    let rows: [(&'static str, Text); 20] = [
        ("alias", Text::FieldAlias),
        ("age", Text::FieldAge),
        ("phone", Text::FieldPhone),
        ("safe_to_call", Text::FieldSafeToCall),
        ("safe_hours", Text::FieldSafeHours),
        ("village", Text::FieldVillage),
        ("block", Text::FieldBlock),
        ("district", Text::FieldDistrict),
        ("source", Text::FieldSource),
        ("violence", Text::FieldViolence),
        ("responsible", Text::FieldResponsible),
        ("relation", Text::FieldRelation),
        ("children", Text::FieldChildren),
        ("danger", Text::FieldDanger),
        ("consent", Text::FieldConsent),
        ("consent_by", Text::FieldConsentBy),
        ("consent_on", Text::FieldConsentOn),
        ("description", Text::FieldDescription),
        ("status", Text::FieldStatus),
        (ASSIGNED_TO, Text::FieldAssignedTo),
    ];
    let details = rows
        .into_iter()
        .filter(|(field, _)| *field == "status" || case.value(field).is_some() || is_core(field))
        .map(|(field, label)| {
            let conflicted = case.conflicted_fields().any(|f| f == field);
            // Who changed it, where it was changed after it was first written.
            let changed = case
                .fields
                .get(field)
                .and_then(|state| state.winner())
                .filter(|winner| winner.base.is_some() && field != "status")
                .map(|winner| winner.stamp);
            let value = {
                let case = case.clone();
                move || match field {
                    "status" => choice_label(lang.get(), "status", status),
                    ASSIGNED_TO => assignee(lang.get(), &case, staff),
                    _ => shown(lang.get(), &case, field),
                }
            };
            view! {
                <div class="detail">
                    <dt>{tr(label)}</dt>
                    <dd>
                        {value}
                        {conflicted
                            .then(|| view! { <span class="tag review">{tr(Text::CaseReviewMark)}</span> })}
                        {changed.map(|stamp| written_line(Text::CaseChangedBy, stamp, staff))}
                    </dd>
                </div>
            }
        })
        .collect_view();
    let timeline = file
        .timeline(sakhi_domain::figures::india_day)
        .into_iter()
        .map(|(day, entry)| {
            view! { <TimelineEntry day entry=owned(entry, &file.case) staff panel editing correcting /> }
        })
        .collect_view();
    // Everything written differently on two devices, at the top where she looks first.
    let to_review: Vec<(Record, &'static str)> = file
        .to_review()
        .into_iter()
        .filter_map(|(record, field)| {
            let field = record
                .kind
                .fields()
                .iter()
                .find(|(name, _)| *name == field)?
                .0;
            Some((record.clone(), field))
        })
        .collect();
    let review_count = to_review.len();
    // A change from a device the staff list does not know yet: ask the server again.
    let changed_on: Vec<Stamp> = std::iter::once(&file.case)
        .chain(&file.services)
        .chain(&file.sessions)
        .filter_map(last_change)
        .collect();
    let unknown = staff.with_untracked(|staff| {
        changed_on.iter().any(|stamp| {
            staff
                .as_ref()
                .is_none_or(|staff| directory::writers(staff, stamp.device).is_empty())
        })
    });
    if unknown {
        refresh_staff(staff);
    }
    let reviews = (review_count > 0).then(|| {
        let items = to_review
            .into_iter()
            .enumerate()
            .map(|(at, (record, field))| {
                let first = at == 0;
                let (of, about) = (record.clone(), record.clone());
                let label = move || {
                    let lang = lang.get();
                    let field = field_label_for(lang, &of, field);
                    match of.kind {
                        Kind::Case => field,
                        _ => format!("{} · {field}", entry_title(lang, &about)),
                    }
                };
                view! {
                    <div class="review-item">
                        <dt>{label}</dt>
                        <Review case=record field staff explained=first />
                    </div>
                }
            })
            .collect_view();
        view! {
            <section class="to-review" aria-labelledby="to-review">
                <h2 id="to-review" class="problem">
                    {move || fill(t(lang.get(), Text::CaseToReview), "n", &review_count.to_string())}
                </h2>
                <dl>{items}</dl>
            </section>
        }
    });
    let edit_href = format!("/cases/{}/edit", case.id);
    let history_href = format!("/cases/{}/history", case.id);
    let may_see_history = crate::unlocked()
        .is_some_and(|unlocked| matches!(unlocked.role, Role::Administrator | Role::Counsellor));

    view! {
        <article class="case-details">
            <PrintHeader />
            <h1>{heading}</h1>
            <p class="reference">
                <span class="ref">{reference}</span>
                " · "
                <span class=format!("status {status}")>
                    {move || choice_label(lang.get(), "status", status)}
                </span>
            </p>
            {case
                .text(CAMP)
                .map(|camp| {
                    view! {
                        <p class="from-camp">
                            <a href=format!("/camps/{camp}")>{tr(Text::CaseFromCamp)}</a>
                        </p>
                    }
                })}
            {case
                .text(MERGED_INTO)
                .map(|kept| {
                    view! {
                        <p class="notice merged">
                            {tr(Text::CaseMergedInto)}
                            " "
                            <a href=format!("/cases/{kept}")>{tr(Text::CaseMergedOpen)}</a>
                        </p>
                    }
                })}
            {child.then(|| view! { <p class="notice child">{tr(Text::CaseChild)}</p> })}
            {reviews}
            {danger.then(|| view! { <Danger file=Rc::clone(&file) /> })}
            <div class="heading-row">
                <h2>{tr(Text::CaseDetails)}</h2>
                <a class="button secondary" href=edit_href>{tr(Text::CaseEdit)}</a>
                {may_see_history
                    .then(|| {
                        view! {
                            <a class="button secondary" href=history_href>{tr(Text::CaseHistory)}</a>
                        }
                    })}
            </div>
            <dl>{details}</dl>
            <h2>{tr(Text::CaseTimeline)}</h2>
            <ol class="timeline">{timeline}</ol>
        </article>
    }
}

/// Who the case is assigned to, by name where the centre's staff is known.
fn assignee(lang: Lang, case: &Record, staff: StaffSignal) -> String {
    match case.text(ASSIGNED_TO) {
        None => t(lang, Text::CaseNobody).to_owned(),
        Some(id) => staff.with(|staff| {
            staff
                .as_ref()
                .and_then(|staff| directory::name_of(staff, id))
                .map_or_else(|| id.to_owned(), str::to_owned)
        }),
    }
}

/// A field written differently on two devices while both were offline: each value, who wrote it
/// and when, and a button to keep it. Keeping one is a new change on top of all of them.
#[component]
fn Review(
    case: Record,
    field: &'static str,
    staff: StaffSignal,
    /// Whether to say what a review is: once, above the first field to review.
    explained: bool,
) -> impl IntoView {
    let lang = use_lang();
    let saving = use_saving();
    let (failed, set_failed) = signal(None::<Text>);
    let mut versions: Vec<Version> = case
        .fields
        .get(field)
        .map(|state| state.heads().to_vec())
        .unwrap_or_default();
    versions.sort_by_key(|version| std::cmp::Reverse(version.stamp));
    // A value from a device the staff list does not know yet: ask the server again, which knows
    // every device that has sent it changes.
    let unknown = staff.with_untracked(|staff| {
        versions.iter().any(|version| {
            staff
                .as_ref()
                .is_none_or(|staff| directory::writers(staff, version.stamp.device).is_empty())
        })
    });
    if unknown {
        refresh_staff(staff);
    }
    let items = versions
        .into_iter()
        .map(|version| {
            let value = version.value.clone();
            let shown_value = {
                let (kind, value) = (case.kind, version.value.clone());
                move || match (field, value.as_str()) {
                    (ASSIGNED_TO, Some(id)) => staff.with(|staff| {
                        let name = staff
                            .as_ref()
                            .and_then(|staff| directory::name_of(staff, id));
                        name.map_or_else(|| id.to_owned(), str::to_owned)
                    }),
                    _ => shown_value(lang.get(), kind, field, Some(&value)),
                }
            };
            let stamp = version.stamp;
            let who = move || written_when(lang.get(), staff, stamp);
            let keep = {
                let (saving, case) = (saving.clone(), case.clone());
                move |_| {
                    let (saving, case, value) = (saving.clone(), case.clone(), value.clone());
                    leptos::task::spawn_local(async move {
                        match saving.0.resolve(case, field, value, now_millis()).await {
                            Ok(_) => saving.1.local_change().await,
                            Err(error) => set_failed.set(Some(save_failure(&error))),
                        }
                    });
                }
            };
            view! {
                <li>
                    <span class="value">{shown_value}</span>
                    <span class="who">{who}</span>
                    <button type="button" class="button secondary" on:click=keep>
                        {tr(Text::CaseKeep)}
                    </button>
                </li>
            }
        })
        .collect_view();
    view! {
        <dd class="review">
            {explained
                .then(|| {
                    view! {
                        <p class="problem">{tr(Text::CaseNeedsReview)}</p>
                        <p>{tr(Text::CaseReview)}</p>
                    }
                })}
            <ul>{items}</ul>
            {move || failed.get().map(alert)}
        </dd>
    }
}

/// Who wrote a value and when: the names of the staff using the device that stamped it (or
/// "another device" while the server has not said whose it is), the day and the time.
fn written_when(lang: Lang, staff: StaffSignal, stamp: Stamp) -> String {
    let names = staff.with(|staff| writer(lang, staff.as_ref(), stamp.device));
    format!("{names}, {}", shown_moment(lang, stamp.hlc.millis))
}

/// "Changed by …" or "Registered by …": who wrote from the device that stamped `stamp`, and when.
fn written_line(what: Text, stamp: Stamp, staff: StaffSignal) -> impl IntoView {
    let lang = use_lang();
    let line = move || {
        let lang = lang.get();
        fill(t(lang, what), "who", &written_when(lang, staff, stamp))
    };
    view! { <span class="changed">{line}</span> }
}

/// The stamp of the latest change to `record` made on top of an earlier value, if any was.
fn last_change(record: &Record) -> Option<Stamp> {
    record
        .fields
        .values()
        .filter_map(|field| field.winner())
        .filter(|winner| winner.base.is_some())
        .map(|winner| winner.stamp)
        .max()
}

/// Fields shown even when empty, so that a worker sees what is still to ask.
fn is_core(field: &str) -> bool {
    matches!(field, "age" | "phone" | "village" | "source" | "violence")
}

/// An entry of the timeline, owned so the view can keep it.
#[derive(Clone)]
enum Owned {
    /// The case, registered.
    Intake(Record),
    Service(Record),
    Session(Record),
    Note(Record),
    /// A closure record: the case closed or reopened.
    Closure(Record),
    /// The case, closed before closings were records of their own.
    ClosedBefore(Record),
}

fn owned(entry: Entry<'_>, case: &Record) -> Owned {
    match entry {
        Entry::Intake => Owned::Intake(case.clone()),
        Entry::Service(record) => Owned::Service(record.clone()),
        Entry::Session(record) => Owned::Session(record.clone()),
        Entry::Note(record) => Owned::Note(record.clone()),
        Entry::Closure(record) => Owned::Closure(record.clone()),
        Entry::ClosedBefore => Owned::ClosedBefore(case.clone()),
    }
}

/// The heading of a timeline entry's record.
pub(super) fn entry_title(lang: Lang, record: &Record) -> String {
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
            | Owned::ClosedBefore(record) => Some(record),
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
        }
    }

    fn class(&self) -> &'static str {
        match self {
            Owned::Intake(_) => "entry intake",
            Owned::Service(_) => "entry service",
            Owned::Session(_) => "entry session",
            Owned::Note(_) => "entry note",
            Owned::Closure(_) | Owned::ClosedBefore(_) => "entry closure",
        }
    }

    /// The record a worker may update from the timeline: a service or a counselling session.
    /// Notes and closures are written once.
    fn updatable(&self) -> Option<&Record> {
        match self {
            Owned::Service(record) | Owned::Session(record) => Some(record),
            _ => None,
        }
    }
}

#[component]
fn TimelineEntry(
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
        Owned::Intake(case) => case
            .fields
            .values()
            .flat_map(|field| {
                field
                    .heads()
                    .iter()
                    .map(|head| head.stamp)
                    .chain(field.bases().iter().copied())
            })
            .min(),
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
            {update}
            {correct}
        </li>
    }
}

/// The label of a field of an entry: a service's place says what kind of place it is.
pub(super) fn field_label_for(lang: Lang, record: &Record, field: &str) -> String {
    place_label(record, field)
        .map_or_else(|| field_label(lang, field), |text| t(lang, text).to_owned())
}

/// What a service's `place` is called for its kind of service: a hospital, a police station, a
/// court, a shelter.
fn place_label(record: &Record, field: &str) -> Option<Text> {
    match (field, record.text("service")) {
        ("place", Some("medical")) => Some(Text::PlaceMedical),
        ("place", Some("police")) => Some(Text::PlacePolice),
        ("place", Some("legal_aid")) => Some(Text::PlaceLegalAid),
        ("place", Some("shelter")) => Some(Text::PlaceShelter),
        _ => None,
    }
}

/// While she is in danger: rescue, police and shelter, one tap each to request.
#[component]
fn Danger(file: Rc<CaseFile>) -> impl IntoView {
    let saving = use_saving();
    let (failed, set_failed) = signal(None::<Text>);
    let case = file.case.id;
    let buttons = ["rescue", "police", "shelter"]
        .into_iter()
        .filter(|service| file.lacks(service))
        .map(|service| {
            let saving = saving.clone();
            let lang = use_lang();
            let request = move |_| {
                let draft = ServiceDraft(vec![
                    ("service", service.to_owned()),
                    ("service_state", "requested".to_owned()),
                    ("service_on", today()),
                ]);
                let Ok(edits) = draft.parse(case) else { return };
                let saving = saving.clone();
                leptos::task::spawn_local(async move {
                    let record = Record::new(crate::browser::new_id(), Kind::Service);
                    if let Err(text) = save_with(&saving, record, edits).await {
                        set_failed.set(Some(text));
                    }
                });
            };
            view! {
                <button type="button" class="button danger" on:click=request>
                    {move || {
                        let lang = lang.get();
                        fill(t(lang, Text::CaseRequest), "service", &choice_label(lang, "service", service))
                    }}
                </button>
            }
        })
        .collect_view();
    view! {
        <div class="notice danger" role="alert">
            <p>{tr(Text::CaseDanger)}</p>
            <div class="actions">{buttons}</div>
            {move || failed.get().map(alert)}
        </div>
    }
}

async fn save_with(saving: &Saving, record: Record, edits: Edits) -> Result<(), Text> {
    save_all(saving, vec![(record, edits)]).await
}

/// Saves edits to several records in one transaction, then asks for a sync.
async fn save_all(saving: &Saving, writes: Vec<(Record, Edits)>) -> Result<(), Text> {
    match saving.0.edit_all(writes, now_millis()).await {
        Ok(_) => {
            saving.1.local_change().await;
            Ok(())
        }
        Err(error) => Err(save_failure(&error)),
    }
}

/// Which form is open.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Panel {
    None,
    Service,
    Session,
    Note,
    Close,
    /// Updating a service or session from the timeline.
    Update,
    /// Merging a duplicate of this case into it.
    Merge,
}

/// Her name, as closures and notes record who wrote them.
fn worker_name() -> String {
    crate::unlocked()
        .map(|unlocked| unlocked.worker.display_name.clone())
        .unwrap_or_default()
}

/// The buttons and forms that add to a case. Drawn once per case page.
#[component]
fn Work(
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
    let saving = use_saving();
    let (reopen_failed, set_reopen_failed) = signal(None::<Text>);
    let reopen = move |_| {
        let Some(file) = current() else { return };
        let saving = saving.clone();
        let closing = reopening(file.case.id, &today(), &worker_name());
        leptos::task::spawn_local(async move {
            if let Err(text) = save_all(&saving, closing.writes(&file.case)).await {
                set_reopen_failed.set(Some(text));
            }
        });
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
    let (assign_failed, set_assign_failed) = signal(None::<Text>);
    let assign = {
        let saving = use_saving();
        move |ev: leptos::ev::Event| {
            let chosen = event_target_value(&ev);
            let Some(file) = current() else { return };
            let value = if chosen.is_empty() {
                Value::Null
            } else {
                Value::from(chosen)
            };
            let saving = saving.clone();
            leptos::task::spawn_local(async move {
                let edits = vec![(ASSIGNED_TO, value)];
                if let Err(text) = save_with(&saving, file.case.clone(), edits).await {
                    set_assign_failed.set(Some(text));
                }
            });
        }
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
            {move || reopen_failed.get().map(alert)}
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
                            {move || assign_failed.get().map(alert)}
                        </div>
                    }
                })}
            <ServiceForm panel current=Rc::new(current) />
            <SessionForm panel current=Rc::new(current) />
            <NoteForm panel current=Rc::new(current) correcting />
            <CloseForm panel current=Rc::new(current) />
            {move || editing.get().map(|record| view! { <UpdateForm panel record /> })}
            {may_assign.then(|| view! { <MergeForm panel current=Rc::new(current) /> })}
        </section>
    }
}

type Current = Rc<dyn Fn() -> Option<Rc<CaseFile>>>;

/// What a panel's form does when it is sent: the edits and the records they go to, or problems.
type Outcome = Result<Vec<(Record, Edits)>, Problems>;

/// Reads a panel's form when it is sent; `None` if there is nothing to do.
type Reader = Rc<dyn Fn(&HtmlFormElement) -> Option<Outcome>>;

/// A panel: a form shown while `panel` is `which`, that reads itself with `read` when sent and
/// saves what it read. The form empties itself and closes once saved. What she types is kept as a
/// draft named `draft` until then, offered back when the page is opened again (after the lock or a
/// reload), and Cancel asks before throwing it away.
#[component]
fn PanelForm(
    panel: RwSignal<Panel>,
    which: Panel,
    heading: Text,
    read: Reader,
    set_problems: WriteSignal<Problems>,
    /// The draft's name: `case/<id>/<form>`.
    draft: String,
    /// Whether saving asks "are you sure?" first.
    #[prop(optional)]
    confirm: Option<Text>,
    /// Called when the form empties itself after a save.
    #[prop(optional)]
    on_reset: Option<Callback<()>>,
    /// Called with a draft's values once they are put back into the form.
    #[prop(optional)]
    on_fill: Option<Callback<Typed>>,
    /// The record the form changes, as she saw it when she began: kept with the draft, and
    /// replaced by the draft's own when she continues it.
    #[prop(optional)]
    seen: Option<StoredValue<Record, LocalStorage>>,
    children: Children,
) -> impl IntoView {
    let saving = use_saving();
    let (failed, set_failed) = signal(None::<Text>);
    let (busy, set_busy) = signal(false);
    let pending = StoredValue::new_local(None::<(Vec<(Record, Edits)>, HtmlFormElement)>);
    let (asking, set_asking) = signal(false);
    let form_ref = NodeRef::<leptos::html::Form>::new();
    // A draft found opens its panel, to be continued or discarded there, and brings it into view.
    let kept = DraftForm::new(use_store(), &draft, move || {
        panel.set(which);
        request_animation_frame(move || {
            if let Some(form) = form_ref.get_untracked() {
                form.scroll_into_view();
            }
        });
    });
    let empty = move |form: &HtmlFormElement| {
        form.reset();
        if let Some(on_reset) = on_reset {
            on_reset.run(());
        }
    };
    let commit = {
        let saving = saving.clone();
        move || {
            let Some((writes, form)) = pending.try_update_value(Option::take).flatten() else {
                return;
            };
            set_asking.set(false);
            set_busy.set(true);
            let saving = saving.clone();
            leptos::task::spawn_local(async move {
                match save_all(&saving, writes).await {
                    Ok(()) => {
                        kept.forget();
                        empty(&form);
                        panel.set(Panel::None);
                    }
                    Err(text) => set_failed.set(Some(text)),
                }
                set_busy.set(false);
            });
        }
    };
    let on_submit = {
        let commit = commit.clone();
        move |ev: Targeted<SubmitEvent, HtmlFormElement>| {
            ev.prevent_default();
            set_failed.set(None);
            let form = ev.target();
            match read(&form) {
                Some(Ok(writes)) => {
                    set_problems.set(Problems::new());
                    pending.set_value(Some((writes, form)));
                    if confirm.is_some() {
                        set_asking.set(true);
                    } else {
                        commit();
                    }
                }
                Some(Err(problems)) => set_problems.set(problems),
                None => {}
            }
        }
    };
    let on_input = move |_: leptos::ev::Event| {
        if let Some(form) = form_ref.get_untracked() {
            kept.typed(&form, seen.map(|seen| seen.get_value()));
        }
    };
    let go_continue = Callback::new(move |()| {
        let Some(found) = form_ref
            .get_untracked()
            .and_then(|form| kept.restore(&form))
        else {
            return;
        };
        if let (Some(seen), Some(then)) = (seen, found.seen) {
            seen.set_value(then);
        }
        if let Some(on_fill) = on_fill {
            on_fill.run(found.typed);
        }
    });
    let drop_offer = Callback::new(move |()| {
        kept.forget();
        panel.set(Panel::None);
    });
    // Cancel empties the form (what was typed is kept or discarded by then) and closes it.
    let leave = Callback::new(move |()| {
        if let Some(form) = form_ref.get_untracked() {
            empty(&form);
        }
        panel.set(Panel::None);
    });
    let commit = StoredValue::new_local(commit);
    let key = heading.key();
    let question = confirm.map(tr);
    view! {
        <form
            class="case-form panel"
            novalidate
            node_ref=form_ref
            hidden=move || panel.get() != which
            aria-labelledby=key
            on:submit:target=on_submit
            on:input=on_input
        >
            <h2 id=key>{tr(heading)}</h2>
            <UnfinishedOffer
                shown=Signal::derive(move || kept.offering())
                text=Text::DraftEntry
                on_continue=go_continue
                on_discard=drop_offer
                id=format!("{key}-unfinished")
            />
            <div class="panel-fields" hidden=move || kept.offering()>
                {children()}
                {move || failed.get().map(alert)}
                <Confirm
                    shown=asking.into()
                    question=Signal::derive(move || question.map(|q| q().to_owned()).unwrap_or_default())
                    yes=Text::CaseCloseYes
                    no=Text::FormCancel
                    on_yes=Callback::new(move |()| commit.with_value(|commit| commit()))
                    on_no=Callback::new(move |()| set_asking.set(false))
                    id=format!("{key}-confirm")
                />
                <FormActions
                    draft=kept
                    save=if confirm.is_some() { Text::CaseClose } else { Text::CaseSaveEntry }
                    busy=busy.into()
                    on_leave=leave
                    id=format!("{key}-discard")
                />
            </div>
        </form>
    }
}

/// Each field a service entry may have, as the form names its controls.
const SERVICE_FIELDS: [&str; 14] = [
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

/// The name of a panel's draft for the case open now.
fn draft_name(current: &Current, form: &str) -> String {
    current().map_or_else(String::new, |file| drafts::entry(file.case.id, form))
}

#[component]
fn ServiceForm(panel: RwSignal<Panel>, current: Current) -> impl IntoView {
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
fn SessionForm(panel: RwSignal<Panel>, current: Current) -> impl IntoView {
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
fn NoteForm(
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
fn CloseForm(panel: RwSignal<Panel>, current: Current) -> impl IntoView {
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

/// Merging a duplicate into this case: she finds the other case among those on the phone, chooses
/// it, and confirms. The other case's work moves here and it closes as a duplicate (see
/// [`merging`]).
#[component]
fn MergeForm(panel: RwSignal<Panel>, current: Current) -> impl IntoView {
    let store = use_store();
    let saving = use_saving();
    let lang = use_lang();
    let candidates = RwSignal::new_local(Vec::<(SearchKey, Record)>::new());
    // The other cases on the phone, read when the panel opens.
    Effect::new({
        let (store, current) = (store.clone(), Rc::clone(&current));
        move || {
            if panel.get() != Panel::Merge {
                return;
            }
            let Some(file) = current() else { return };
            let store = store.clone();
            leptos::task::spawn_local(async move {
                let cases = store.cases().await.unwrap_or_default();
                let found = cases
                    .into_iter()
                    .filter(|case| {
                        case.id != file.case.id
                            && !case.is_deleted()
                            && case.value(MERGED_INTO).is_none()
                    })
                    .map(|case| {
                        let reference = case.id.provisional();
                        let text = |field| case.text(field).unwrap_or_default();
                        let key = SearchKey::new([
                            text("name"),
                            text("alias"),
                            text("phone"),
                            text("village"),
                            text(NUMBER),
                            reference.as_str(),
                        ]);
                        (key, case)
                    })
                    .collect();
                candidates.set(found);
            });
        }
    });
    let (query, set_query) = signal(String::new());
    let (chosen, set_chosen) = signal(None::<RecordId>);
    let (asking, set_asking) = signal(false);
    let (problem, set_problem) = signal(false);
    let (failed, set_failed) = signal(None::<Text>);
    let matching = move || {
        let needle = sakhi_domain::search::Needle::new(&query.get());
        candidates.with(|found| {
            found
                .iter()
                .filter(|(key, _)| !needle.is_empty() && key.finds(&needle))
                .take(8)
                .map(|(_, case)| case.clone())
                .collect::<Vec<_>>()
        })
    };
    let options = move || {
        let found = matching();
        if found.is_empty() {
            return query
                .with(|q| !q.trim().is_empty())
                .then(|| view! { <p>{tr(Text::MergeNone)}</p> })
                .into_any();
        }
        found
            .into_iter()
            .map(|case| {
                let id = format!("merge-{}", case.id);
                let reference = case
                    .text(NUMBER)
                    .map_or_else(|| case.id.provisional(), str::to_owned);
                let line = format!("{} · {reference}", super::new_case::summary(&case));
                let value = case.id;
                view! {
                    <div class="choice">
                        <input type="radio" id=id.clone() name="duplicate" value=value.to_string()
                            on:change=move |_| set_chosen.set(Some(value)) />
                        <label for=id>{line}</label>
                    </div>
                }
            })
            .collect_view()
            .into_any()
    };
    let chosen_name = move || {
        let id = chosen.get()?;
        candidates.with(|found| {
            found
                .iter()
                .find(|(_, case)| case.id == id)
                .map(|(_, case)| display_name(case))
        })
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        set_failed.set(None);
        let none = chosen.get_untracked().is_none();
        set_problem.set(none);
        set_asking.set(!none);
    };
    let merge = {
        let current = Rc::clone(&current);
        move || {
            let (Some(duplicate), Some(kept)) = (chosen.get_untracked(), current()) else {
                return;
            };
            set_asking.set(false);
            let (store, saving) = (store.clone(), saving.clone());
            leptos::task::spawn_local(async move {
                let read = async {
                    let case = store.record(duplicate).await?;
                    let work = store.work(duplicate).await?;
                    Ok::<_, StoreError>(case.map(|case| CaseFile::gather(case, &work)))
                };
                let writes = match read.await {
                    Ok(Some(file)) => merging(&file, &kept, &today(), &worker_name()),
                    _ => None,
                };
                let Some(writes) = writes else {
                    set_failed.set(Some(Text::FormSaveFailed));
                    return;
                };
                match save_all(&saving, writes).await {
                    Ok(()) => {
                        set_chosen.set(None);
                        set_query.set(String::new());
                        panel.set(Panel::None);
                    }
                    Err(text) => set_failed.set(Some(text)),
                }
            });
        }
    };
    let merge = StoredValue::new_local(merge);
    view! {
        <form class="case-form panel" novalidate hidden=move || panel.get() != Panel::Merge
            aria-labelledby="merge-heading" on:submit=on_submit>
            <h2 id="merge-heading">{tr(Text::CaseMerge)}</h2>
            <p>{tr(Text::MergeIntro)}</p>
            <div class="field search">
                <label for="merge-search">{tr(Text::MergeSearch)}</label>
                <input id="merge-search" type="search" autocomplete="off"
                    prop:value=query on:input=move |ev| set_query.set(event_target_value(&ev)) />
            </div>
            <fieldset class="field choices" aria-describedby=move || problem.get().then_some("merge-problem")>
                <legend>{tr(Text::MergeChoose)}</legend>
                {options}
                {move || problem.get().then(|| view! { <p class="problem" id="merge-problem">{tr(Text::MergeChooseProblem)}</p> })}
            </fieldset>
            {move || failed.get().map(alert)}
            <Confirm
                shown=asking.into()
                question=Signal::derive(move || {
                    fill(t(lang.get(), Text::MergeConfirm), "name", &chosen_name().unwrap_or_default())
                })
                yes=Text::MergeYes
                no=Text::FormCancel
                on_yes=Callback::new(move |()| merge.with_value(|merge| merge()))
                on_no=Callback::new(move |()| set_asking.set(false))
                id="merge-confirm".to_owned()
            />
            <div class="actions">
                <button type="submit" class="button primary">{tr(Text::CaseMerge)}</button>
                <button type="button" class="button secondary" on:click=move |_| panel.set(Panel::None)>
                    {tr(Text::FormCancel)}
                </button>
            </div>
        </form>
    }
}

/// Updating a service or a counselling session already on the timeline: its state, the details
/// that came later (a FIR number, a discharge date, a hearing), its notes. Only what she changed
/// is written, on top of what she saw.
#[component]
fn UpdateForm(panel: RwSignal<Panel>, record: Record) -> impl IntoView {
    let (problems, set_problems) = signal(Problems::new());
    let draft = record
        .text(sakhi_domain::schema::CASE)
        .and_then(|case| case.parse().ok())
        .map_or_else(String::new, |case| {
            drafts::entry(case, &format!("update/{}", record.id))
        });
    let fields: Vec<&'static str> = match record.kind {
        Kind::Service => service_edit_fields(record.text("service").unwrap_or_default()),
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
fn update_label(record: &Record, field: &str) -> Text {
    // Every field of a record has a label: the i18n tests check it.
    place_label(record, field)
        .or_else(|| Text::field(field))
        .unwrap_or(Text::FieldNotes)
}

/// A field's value as a worker reads it.
fn shown(lang: Lang, record: &Record, field: &str) -> String {
    shown_value(lang, record.kind, field, record.value(field))
}
