//! The case as read: her name and reference, notices (a child, danger, a merged duplicate), the
//! fields to review, her details, and the timeline of what was done for her.

use super::Editing;
use super::danger::Danger;
use super::files::ConsentFiles;
use super::panel::Panel;
use super::review::Review;
use super::timeline::{TimelineEntry, entry_title, field_label_for, owned};
use super::writers::{StaffSignal, last_change, refresh_staff, written_line};
use crate::case_form::is_child;
use crate::casework::CaseFile;
use crate::components::PrintHeader;
use crate::directory;
use crate::i18n::{Lang, Text, choice_label, fill, t, tr, use_lang};
use crate::pages::shown_value;
use leptos::prelude::*;
use sakhi_domain::schema::{ASSIGNED_TO, CAMP, MERGED_INTO, NUMBER};
use sakhi_domain::{Kind, Record, RecordId, Role, Stamp};
use std::rc::Rc;

#[component]
pub(super) fn CaseView(
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
    // Her signed consent shows beside the consent fields, even where none was ticked.
    let consent_signed = file
        .attachments
        .iter()
        .any(|record| record.text("attachment_kind") == Some("consent"));
    let details = rows
        .into_iter()
        .filter(|(field, _)| {
            *field == "status"
                || case.value(field).is_some()
                || is_core(field)
                || (*field == "consent" && consent_signed)
        })
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
                        {(field == "consent")
                            .then(|| view! { <ConsentFiles files=file.attachments.clone() staff /> })}
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
pub(super) fn assignee(lang: Lang, case: &Record, staff: StaffSignal) -> String {
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

/// Fields shown even when empty, so that a worker sees what is still to ask.
pub(super) fn is_core(field: &str) -> bool {
    matches!(field, "age" | "phone" | "village" | "source" | "violence")
}

/// A field's value as a worker reads it.
pub(super) fn shown(lang: Lang, record: &Record, field: &str) -> String {
    shown_value(lang, record.kind, field, record.value(field))
}
