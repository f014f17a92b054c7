//! A case as the centre works it: its services, counselling sessions and notes, gathered from the
//! records on the device; the forms that add to it; and the follow-ups it makes due.
//!
//! Everything here is plain Rust over records, so the rules are tested natively.

use crate::case_form::{Edits, Problem, Problems, Reading};
use sakhi_domain::schema::{
    ASSIGNED_TO, CAMP, CASE, DELETED, MERGED_INTO, MOST_ATTACHMENT_BYTES, SHELTER_DAYS, parse_date,
    parse_day,
};
use sakhi_domain::{Kind, Record, RecordId};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A case and what was done for her, each list in the order it happened.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseFile {
    pub case: Record,
    pub services: Vec<Record>,
    pub sessions: Vec<Record>,
    pub notes: Vec<Record>,
    /// Each time the case was closed or reopened, kept for good, oldest first.
    pub closures: Vec<Record>,
    /// Her files: reports, orders, photos, voice notes, her signed consent, oldest first.
    pub attachments: Vec<Record>,
}

/// One line of a case's timeline.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Entry<'a> {
    Intake,
    Service(&'a Record),
    Session(&'a Record),
    Note(&'a Record),
    /// The case closed or reopened: a closure record.
    Closure(&'a Record),
    /// The case closed before closings were records of their own: the case's own fields say why.
    ClosedBefore,
    /// A file kept with the case.
    Attachment(&'a Record),
}

impl CaseFile {
    /// The case's services, sessions and notes among `records` (its work, as the store keeps it).
    pub fn gather(case: Record, records: &[Record]) -> CaseFile {
        let id = case.id.to_string();
        let mut file = CaseFile {
            case,
            services: Vec::new(),
            sessions: Vec::new(),
            notes: Vec::new(),
            closures: Vec::new(),
            attachments: Vec::new(),
        };
        for record in records {
            if record.is_deleted() || record.text(CASE) != Some(id.as_str()) {
                continue;
            }
            let list = match record.kind {
                Kind::Service => &mut file.services,
                Kind::Session => &mut file.sessions,
                Kind::Note => &mut file.notes,
                Kind::Closure => &mut file.closures,
                Kind::Attachment => &mut file.attachments,
                Kind::Case | Kind::Camp => continue,
            };
            list.push(record.clone());
        }
        file.sessions.sort_by_key(session_order);
        // By the day written on each, then in the order they were made.
        file.closures
            .sort_by(|a, b| (a.text("event_on"), a.id).cmp(&(b.text("event_on"), b.id)));
        file
    }

    /// How many fields of the case and its work were written differently on two devices and wait
    /// for a person to keep one value.
    pub fn to_review(&self) -> Vec<(&Record, &str)> {
        self.records()
            .flat_map(|record| record.conflicted_fields().map(move |field| (record, field)))
            .collect()
    }

    /// The case and every record of its work.
    pub fn records(&self) -> impl Iterator<Item = &Record> {
        std::iter::once(&self.case)
            .chain(&self.services)
            .chain(&self.sessions)
            .chain(&self.notes)
            .chain(&self.closures)
            .chain(&self.attachments)
    }

    /// The number the next counselling session gets.
    pub fn next_session(&self) -> i64 {
        self.sessions.iter().map(session_number).max().unwrap_or(0) + 1
    }

    /// Where the case stands (see [`status_of`]).
    pub fn status(&self) -> &'static str {
        status_of(
            &self.case,
            !self.services.is_empty() || !self.sessions.is_empty(),
        )
    }

    pub fn is_closed(&self) -> bool {
        self.status() == "closed"
    }

    /// Whether no entry of `service` is recorded yet.
    pub fn lacks(&self, service: &str) -> bool {
        !self
            .services
            .iter()
            .any(|entry| entry.text("service") == Some(service))
    }

    /// Everything that happened, oldest first. `day_of` turns a moment (milliseconds) into the
    /// phone's day, `YYYY-MM-DD`, for entries that have no date of their own.
    pub fn timeline(&self, day_of: impl Fn(u64) -> String) -> Vec<(String, Entry<'_>)> {
        let made = |record: &Record| day_of(record.made_millis());
        let dated = |record: &Record, fields: &[&str]| {
            fields
                .iter()
                .find_map(|field| record.text(field).map(str::to_owned))
                .unwrap_or_else(|| made(record))
        };
        let mut entries = vec![(made(&self.case), Entry::Intake)];
        for service in &self.services {
            let day = dated(service, &["service_on", "admitted_on"]);
            entries.push((day, Entry::Service(service)));
        }
        for session in &self.sessions {
            entries.push((dated(session, &["session_on"]), Entry::Session(session)));
        }
        for note in &self.notes {
            entries.push((made(note), Entry::Note(note)));
        }
        for closure in &self.closures {
            entries.push((dated(closure, &["event_on"]), Entry::Closure(closure)));
        }
        for attachment in &self.attachments {
            entries.push((made(attachment), Entry::Attachment(attachment)));
        }
        if self.is_closed() && self.closures.is_empty() {
            let day = self.case.text("closed_on").map(str::to_owned);
            entries.push((day.unwrap_or_else(|| made(&self.case)), Entry::ClosedBefore));
        }
        // Stable: what happened on one day stays in the order it was recorded.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        entries
    }

    /// When her next counselling session is due, if one was set at the latest session and the
    /// case is open.
    pub fn next_due(&self) -> Option<&str> {
        if self.is_closed() {
            return None;
        }
        self.sessions.last()?.text("next_on")
    }
}

fn session_number(session: &Record) -> i64 {
    session
        .value("session_number")
        .and_then(Value::as_i64)
        .unwrap_or(0)
}

fn session_order(session: &Record) -> (i64, String) {
    let on = session.text("session_on").unwrap_or_default().to_owned();
    (session_number(session), on)
}

/// Whether a woman in the centre's shelter has stayed longer than it may keep her, and must be
/// referred to a longer-stay home.
pub fn shelter_overdue(service: &Record, today: &str) -> bool {
    if service.text("service") != Some("shelter") || service.value("discharged_on").is_some() {
        return false;
    }
    let admitted = service.text("admitted_on").and_then(parse_day);
    match (admitted, parse_day(today)) {
        (Some(admitted), Some(today)) => (today - admitted).num_days() > SHELTER_DAYS,
        _ => false,
    }
}

/// What the caseload needs of a case's work, which the store keeps beside each case so that the
/// list reads no service, session or note: whether anything was done for her, and the next date
/// set at her latest counselling session.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// A service or a session is recorded.
    pub worked: bool,
    /// `YYYY-MM-DD`, set at her latest session.
    pub next_on: Option<String>,
    /// How many fields of her work wait for a person to keep one of two values.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub to_review: usize,
}

fn is_zero(count: &usize) -> bool {
    *count == 0
}

impl Summary {
    /// The summary of one case's work: its services, sessions and notes, deleted ones passed over.
    pub fn of<'r>(work: impl IntoIterator<Item = &'r Record>) -> Summary {
        let work: Vec<&Record> = work.into_iter().filter(|r| !r.is_deleted()).collect();
        let worked = work
            .iter()
            .any(|record| matches!(record.kind, Kind::Service | Kind::Session));
        // The latest session, the last of equals, as [`CaseFile`] orders her sessions.
        let latest = work
            .iter()
            .filter(|record| record.kind == Kind::Session)
            .max_by_key(|session| session_order(session));
        Summary {
            worked,
            next_on: latest
                .and_then(|session| session.text("next_on"))
                .map(str::to_owned),
            to_review: work
                .iter()
                .map(|record| record.conflicted_fields().count())
                .sum(),
        }
    }
}

/// A case as the caseload lists it: where it stands and when her next session is due.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseLine {
    pub case: Record,
    pub status: &'static str,
    /// `YYYY-MM-DD`, set at her latest counselling session; `None` once the case is closed.
    pub next_on: Option<String>,
    /// How many fields of the case and its work wait for a person to keep one value.
    pub to_review: usize,
}

/// The caseload from the cases on the device, each with the [`Summary`] of its work: those not
/// deleted, newest first.
pub fn caseload(cases: Vec<(Record, Summary)>) -> Vec<CaseLine> {
    let mut lines: Vec<CaseLine> = cases
        .into_iter()
        .filter(|(case, _)| case.kind == Kind::Case && !case.is_deleted())
        .map(|(case, summary)| {
            let status = status_of(&case, summary.worked);
            let next_on = summary.next_on.filter(|_| status != "closed");
            let to_review = case.conflicted_fields().count() + summary.to_review;
            CaseLine {
                case,
                status,
                next_on,
                to_review,
            }
        })
        .collect();
    // A case's id is a UUIDv7, which sorts by when it was made: reversed, newest first.
    lines.sort_by_key(|line| std::cmp::Reverse(line.case.id));
    lines
}

/// Where a case stands: closed when closed; in progress once anything was done for her (a
/// service or a session is recorded) or it was reopened; registered before.
fn status_of(case: &Record, worked: bool) -> &'static str {
    match case.text("status") {
        Some("closed") => "closed",
        Some("in_progress") => "in_progress",
        _ if worked => "in_progress",
        _ => "registered",
    }
}

impl CaseLine {
    /// Whether it is assigned to the worker `me` (an account id), or to nobody.
    pub fn is_for(&self, me: &str) -> bool {
        self.case.text(ASSIGNED_TO).is_none_or(|to| to == me)
    }

    /// Whether she was in danger when last written down, and her case is still open.
    pub fn in_danger(&self) -> bool {
        self.status != "closed" && self.case.text("danger") == Some("yes")
    }

    /// Whether she is a child: under 18 by the age written down.
    pub fn is_child(&self) -> bool {
        self.case
            .value("age")
            .and_then(|age| age.as_u64())
            .is_some_and(|age| age < 18)
    }

    /// Whether a follow-up is due on or before `today`.
    pub fn is_due(&self, today: &str) -> bool {
        self.next_on.as_deref().is_some_and(|on| on <= today)
    }
}

/// The follow-ups due today or earlier for the worker `me` (an account id): the open cases
/// assigned to her or to nobody whose next session is due, earliest first.
pub fn due<'a>(
    lines: impl IntoIterator<Item = &'a CaseLine>,
    today: &str,
    me: &str,
) -> Vec<&'a CaseLine> {
    let mut found: Vec<&CaseLine> = lines
        .into_iter()
        .filter(|line| line.is_due(today) && line.is_for(me))
        .collect();
    found.sort_by(|a, b| a.next_on.cmp(&b.next_on));
    found
}

/// A case's name, or her alias, or nothing.
pub fn display_name(case: &Record) -> String {
    case.text("name")
        .or_else(|| case.text("alias"))
        .unwrap_or_default()
        .to_owned()
}

/// `YYYY-MM-DD` as Indian registers write it, `DD/MM/YYYY`.
pub fn shown_date(date: &str) -> String {
    match parse_date(date) {
        Some((year, month, day)) => format!("{day:02}/{month:02}/{year}"),
        None => date.to_owned(),
    }
}

/// The fields each service asks for beyond what every service has (where it stands, when, by
/// whom, notes), in the order the form shows them.
pub fn service_fields(service: &str) -> &'static [&'static str] {
    match service {
        "medical" => &["place"],
        "police" => &["report", "report_number", "place"],
        "legal_aid" => &["lawyer", "place", "hearing_on"],
        "shelter" => &["admitted_on", "discharged_on", "children"],
        "video_conferencing" => &["with_whom"],
        _ => &[],
    }
}

/// A service entry as typed: each field's text by name; `service` and `service_state` hold the
/// codes chosen.
#[derive(Clone, Debug, Default)]
pub struct ServiceDraft(pub Vec<(&'static str, String)>);

impl ServiceDraft {
    fn get(&self, field: &str) -> &str {
        self.0
            .iter()
            .find(|(name, _)| *name == field)
            .map_or("", |(_, typed)| typed.as_str())
    }

    /// The fields of a new service entry for `case`. Fields of other services, which the form
    /// hid, are left out.
    pub fn parse(&self, case: RecordId) -> Result<Edits, Problems> {
        let mut read = Reading::new(Kind::Service);
        read.keep(CASE, Value::from(case.to_string()));
        let service = self.get("service").trim();
        if service.is_empty() {
            read.problem("service", Problem::ServiceRequired);
        } else {
            read.keep("service", Value::from(service));
        }
        let state = self.get("service_state");
        read.optional_text(
            "service_state",
            if state.is_empty() { "requested" } else { state },
        );
        for field in ["service_on", "given_by"]
            .into_iter()
            .chain(service_fields(service).iter().copied())
            .chain(["notes"])
        {
            if field == "children" {
                read.optional_number(field, self.get(field), Problem::Children);
            } else {
                read.optional_text(field, self.get(field));
            }
        }
        read.finish()
    }
}

/// A counselling session as typed.
#[derive(Clone, Debug, Default)]
pub struct SessionDraft {
    pub on: String,
    pub kind: String,
    pub attended: String,
    pub notes: String,
    pub actions: String,
    pub next_on: String,
}

impl SessionDraft {
    /// The fields of session `number` of `case`.
    pub fn parse(&self, case: RecordId, number: i64) -> Result<Edits, Problems> {
        let mut read = Reading::new(Kind::Session);
        read.keep(CASE, Value::from(case.to_string()));
        read.keep("session_number", Value::from(number));
        if self.on.trim().is_empty() {
            read.problem("session_on", Problem::Date);
        } else {
            read.optional_text("session_on", &self.on);
        }
        read.optional_text("session_kind", &self.kind);
        read.optional_text("attended", &self.attended);
        read.optional_text("notes", &self.notes);
        read.optional_text("actions", &self.actions);
        read.optional_text("next_on", &self.next_on);
        read.finish()
    }
}

/// A note for `case`, written by `by`; a correction names the note it `corrects`.
pub fn parse_note(
    case: RecordId,
    text: &str,
    by: &str,
    corrects: Option<RecordId>,
) -> Result<Edits, Problems> {
    let mut read = Reading::new(Kind::Note);
    read.keep(CASE, Value::from(case.to_string()));
    if let Some(note) = corrects {
        read.keep("corrects", Value::from(note.to_string()));
    }
    if text.trim().is_empty() {
        read.problem("note", Problem::NoteRequired);
    } else {
        read.optional_text("note", text);
    }
    read.keep("written_by", Value::from(by));
    read.finish()
}

/// A file to keep with a case, as the "Add a file" form holds it: the content already sealed on
/// the phone under the attachment's own id, what it is, and what it belongs with.
#[derive(Clone, Debug, Default)]
pub struct AttachmentDraft {
    /// The attachment's id, under which its content is sealed; empty until she took, chose,
    /// recorded or drew one.
    pub content: String,
    pub media_type: String,
    pub size: String,
    pub sha256: String,
    pub kind: String,
    pub caption: String,
    /// The service, session or closure of the case it belongs with; empty for the case itself.
    pub attached_to: String,
}

impl AttachmentDraft {
    /// The new attachment's id and fields, added to `case` by `by`.
    pub fn parse(&self, case: RecordId, by: &str) -> Result<(RecordId, Edits), Problems> {
        let mut read = Reading::new(Kind::Attachment);
        read.keep(CASE, Value::from(case.to_string()));
        let id = self.content.parse::<RecordId>().ok();
        let size = self.size.parse::<i64>().ok();
        match (id, size) {
            (Some(_), Some(size)) if size > MOST_ATTACHMENT_BYTES => {
                read.problem("content", Problem::FileTooLarge);
            }
            (Some(_), Some(size)) => {
                let file = [
                    ("media_type", Value::from(self.media_type.as_str())),
                    ("size", Value::from(size)),
                    ("sha256", Value::from(self.sha256.as_str())),
                ];
                if file
                    .iter()
                    .all(|(field, value)| Kind::Attachment.check(field, value).is_ok())
                {
                    for (field, value) in file {
                        read.keep(field, value);
                    }
                } else {
                    read.problem("content", Problem::FileUnsuitable);
                }
            }
            _ => read.problem("content", Problem::FileRequired),
        }
        if self.kind.is_empty() {
            read.problem("attachment_kind", Problem::KindRequired);
        } else {
            read.keep("attachment_kind", Value::from(self.kind.as_str()));
        }
        read.optional_text("caption", &self.caption);
        if let Ok(to) = self.attached_to.parse::<RecordId>() {
            read.keep("attached_to", Value::from(to.to_string()));
        }
        read.keep("added_by", Value::from(by));
        let edits = read.finish()?;
        Ok((id.expect("a draft without content has a problem"), edits))
    }
}

/// Closing a case as typed: the reason, and for a settlement its terms and whether both sides
/// signed.
#[derive(Clone, Debug, Default)]
pub struct ClosureDraft {
    pub reason: String,
    pub terms: String,
    pub signed: bool,
}

/// What closing or reopening a case writes: a closure record of its own, kept for good on her
/// timeline, and the case's fields that say where it stands now.
#[derive(Clone, Debug, PartialEq)]
pub struct Closing {
    /// The closure record's fields.
    pub event: Edits,
    /// The case's fields.
    pub case: Edits,
}

impl ClosureDraft {
    /// Closing `case` on `today`, by the worker `by`. Terms and signatures belong to a settlement
    /// and are cleared for any other reason, so a case reopened and closed again says no more than
    /// is true.
    pub fn parse(&self, case: RecordId, today: &str, by: &str) -> Result<Closing, Problems> {
        let reason = self.reason.trim();
        let settlement = reason == "settlement";
        let terms = self.terms.trim();
        let terms = if settlement && !terms.is_empty() {
            Value::from(terms)
        } else {
            Value::Null
        };
        let signed = Value::from(settlement && self.signed);

        let mut event = Reading::new(Kind::Closure);
        event.keep(CASE, Value::from(case.to_string()));
        event.keep("event", Value::from("closed"));
        event.keep("event_on", Value::from(today));
        let mut fields = Reading::new(Kind::Case);
        if reason.is_empty() {
            event.problem("closure", Problem::ClosureRequired);
        } else {
            event.keep("closure", Value::from(reason));
            fields.keep("closure", Value::from(reason));
        }
        if !terms.is_null() {
            event.keep("settlement_terms", terms.clone());
        }
        event.keep("settlement_signed", signed.clone());
        event.keep("written_by", Value::from(by));
        fields.keep("settlement_terms", terms);
        fields.keep("settlement_signed", signed);
        fields.keep("status", Value::from("closed"));
        fields.keep("closed_on", Value::from(today));
        Ok(Closing {
            event: event.finish()?,
            case: fields.finish()?,
        })
    }
}

impl Closing {
    /// What to save for `case`: the new closure record, then the case's own fields.
    pub fn writes(self, case: &Record) -> Vec<(Record, Edits)> {
        vec![
            (Record::new(RecordId::new(), Kind::Closure), self.event),
            (case.clone(), self.case),
        ]
    }
}

/// Reopening `case` on `today`, by the worker `by`: the case is in progress again and says no
/// closure reason; the closure before stays on her timeline as its own record.
pub fn reopening(case: RecordId, today: &str, by: &str) -> Closing {
    Closing {
        event: vec![
            (CASE, Value::from(case.to_string())),
            ("event", Value::from("reopened")),
            ("event_on", Value::from(today)),
            ("written_by", Value::from(by)),
        ],
        case: vec![
            ("status", Value::from("in_progress")),
            ("closed_on", Value::Null),
            ("closure", Value::Null),
            ("settlement_terms", Value::Null),
            ("settlement_signed", Value::Null),
        ],
    }
}

/// Merging the case `duplicate` into `kept`, when both are the same woman: the duplicate is closed
/// as one, naming the case she is kept under, with a closure record saying so; its services,
/// sessions and notes move to the kept case, sessions numbered on after the kept case's own; its
/// camp link moves too if the kept case has none. The duplicate's own details stay on it, so
/// nothing anyone typed is lost. Its writes come first, so that the server sees the merge before
/// the moves. `None` when there is nothing to merge: the same case, or one merged already.
pub fn merging(
    duplicate: &CaseFile,
    kept: &CaseFile,
    today: &str,
    by: &str,
) -> Option<Vec<(Record, Edits)>> {
    // A case merged already is kept under another: neither side of a new merge.
    if duplicate.case.id == kept.case.id
        || duplicate.case.value(MERGED_INTO).is_some()
        || kept.case.value(MERGED_INTO).is_some()
    {
        return None;
    }
    let into = Value::from(kept.case.id.to_string());
    // Closed as any case is closed, for the reason `duplicate`, naming the case she is kept under.
    let closing = ClosureDraft {
        reason: "duplicate".to_owned(),
        ..ClosureDraft::default()
    };
    let mut closing = closing.parse(duplicate.case.id, today, by).ok()?;
    closing.case.insert(0, (MERGED_INTO, into.clone()));
    // The duplicate's own fields first, so that the server sees the merge before the moves.
    let mut writes = closing.writes(&duplicate.case);
    writes.reverse();
    writes.extend(
        duplicate
            .services
            .iter()
            .chain(&duplicate.notes)
            .map(|work| (work.clone(), vec![(CASE, into.clone())])),
    );
    for (number, session) in (kept.next_session()..).zip(&duplicate.sessions) {
        writes.push((
            session.clone(),
            vec![
                (CASE, into.clone()),
                ("session_number", Value::from(number)),
            ],
        ));
    }
    if let (None, Some(camp)) = (kept.case.text(CAMP), duplicate.case.text(CAMP)) {
        writes.push((kept.case.clone(), vec![(CAMP, Value::from(camp))]));
    }
    Some(writes)
}

/// Of the `edits` a form read, those that change what the worker saw in `seen`: a field she
/// emptied is cleared, one she left as it was is not written again, so an edit made meanwhile on
/// another phone to another field is never overwritten. Only the fields in `managed`, the ones the
/// form shows, are compared; a field the form reads but does not show stays as it is.
pub fn changed_fields(seen: &Record, edits: Edits, managed: &[&'static str]) -> Edits {
    managed
        .iter()
        .filter_map(|field| {
            let typed = edits
                .iter()
                .find(|(name, _)| name == field)
                .map_or(Value::Null, |(_, value)| value.clone());
            let before = seen.value(field).cloned().unwrap_or(Value::Null);
            (typed != before).then_some((*field, typed))
        })
        .collect()
}

/// The fields a service's edit form shows: where it stands, when, by whom, the fields of its kind
/// and notes. Its kind and its case stay as they were written.
pub fn service_edit_fields(service: &str) -> Vec<&'static str> {
    let mut fields = vec!["service_state", "service_on", "given_by"];
    fields.extend(service_fields(service));
    fields.push("notes");
    fields
}

/// The fields a file's edit form shows: what it is, its caption, and removing it from her case.
/// Which file it is stays as it was written: a different file is added as a new one.
pub const ATTACHMENT_EDIT_FIELDS: [&str; 3] = ["attachment_kind", "caption", DELETED];

/// A file's corrections as typed: what it is, its caption, and whether she removes it.
pub fn parse_attachment_edit(kind: &str, caption: &str, removed: bool) -> Result<Edits, Problems> {
    let mut read = Reading::new(Kind::Attachment);
    if kind.is_empty() {
        read.problem("attachment_kind", Problem::KindRequired);
    } else {
        read.keep("attachment_kind", Value::from(kind));
    }
    read.optional_text("caption", caption);
    if removed {
        read.keep(DELETED, Value::from(true));
    }
    read.finish()
}

/// The fields a counselling session's edit form shows; its number and case stay as they were.
pub const SESSION_EDIT_FIELDS: [&str; 6] = [
    "session_on",
    "session_kind",
    "attended",
    "notes",
    "actions",
    "next_on",
];

#[cfg(test)]
mod tests {
    use super::*;
    use sakhi_domain::Clock;
    use sakhi_domain::DeviceId;
    use serde_json::json;
    use std::collections::HashMap;

    #[test]
    fn a_file_needs_its_content_and_what_it_is() {
        let case = RecordId::new();
        assert_eq!(
            AttachmentDraft::default().parse(case, "Kiran").unwrap_err(),
            vec![
                ("content", Problem::FileRequired),
                ("attachment_kind", Problem::KindRequired)
            ]
        );
        let id = RecordId::new();
        let draft = AttachmentDraft {
            content: id.to_string(),
            media_type: "application/pdf".into(),
            size: "2048".into(),
            sha256: "ab".repeat(32),
            kind: "medical_report".into(),
            caption: "  MLC, district hospital ".into(),
            attached_to: String::new(),
        };
        let (kept, edits) = draft.parse(case, "Kiran").unwrap();
        assert_eq!(kept, id);
        assert!(edits.contains(&(CASE, json!(case.to_string()))));
        assert!(edits.contains(&("size", json!(2048))));
        assert!(edits.contains(&("caption", json!("MLC, district hospital"))));
        assert!(edits.contains(&("added_by", json!("Kiran"))));
        assert!(!edits.iter().any(|(field, _)| *field == "attached_to"));
        // With a service of her case, it says so.
        let service = RecordId::new();
        let (_, edits) = AttachmentDraft {
            attached_to: service.to_string(),
            ..draft.clone()
        }
        .parse(case, "Kiran")
        .unwrap();
        assert!(edits.contains(&("attached_to", json!(service.to_string()))));
        // Too large for any server, or of a type no server keeps: said on the file.
        let large = AttachmentDraft {
            size: (MOST_ATTACHMENT_BYTES + 1).to_string(),
            ..draft.clone()
        };
        assert_eq!(
            large.parse(case, "Kiran").unwrap_err(),
            vec![("content", Problem::FileTooLarge)]
        );
        let gif = AttachmentDraft {
            media_type: "image/gif".into(),
            ..draft
        };
        assert_eq!(
            gif.parse(case, "Kiran").unwrap_err(),
            vec![("content", Problem::FileUnsuitable)]
        );
    }

    #[test]
    fn a_file_keeps_its_kind_and_may_be_recaptioned_or_removed() {
        assert_eq!(
            parse_attachment_edit("", "x", false).unwrap_err(),
            vec![("attachment_kind", Problem::KindRequired)]
        );
        let file = record(
            Kind::Attachment,
            &[
                ("attachment_kind", json!("photo")),
                ("caption", json!("Card")),
            ],
        );
        // Emptying the caption clears it; the kind left as it was is not written again.
        let edits = parse_attachment_edit("photo", " ", false).unwrap();
        assert_eq!(
            changed_fields(&file, edits, &ATTACHMENT_EDIT_FIELDS),
            vec![("caption", Value::Null)]
        );
        let edits = parse_attachment_edit("id", "Card", true).unwrap();
        assert_eq!(
            changed_fields(&file, edits, &ATTACHMENT_EDIT_FIELDS),
            vec![("attachment_kind", json!("id")), (DELETED, json!(true))]
        );
    }

    #[test]
    fn her_files_are_on_her_timeline_in_the_order_they_were_added() {
        let case = record(Kind::Case, &[("name", json!("Lakshmi"))]);
        let file = of(
            &case,
            Kind::Attachment,
            &[("attachment_kind", json!("photo"))],
        );
        let gathered = CaseFile::gather(case.clone(), std::slice::from_ref(&file));
        assert_eq!(gathered.attachments, vec![file.clone()]);
        let timeline = gathered.timeline(|_| "2026-12-08".to_owned());
        assert!(
            matches!(timeline.last(), Some((_, Entry::Attachment(entry))) if entry.id == file.id)
        );
        assert_eq!(Summary::of([&file]), Summary::default());
    }

    use crate::testing::record;

    /// The summary of each case's work among `records`, by the case's id, as the store keeps
    /// them.
    fn by_case<'r>(records: impl IntoIterator<Item = &'r Record>) -> HashMap<&'r str, Summary> {
        let mut work: HashMap<&str, Vec<&Record>> = HashMap::new();
        for record in records {
            if let (false, Some(case)) = (record.kind == Kind::Case, record.text(CASE)) {
                work.entry(case).or_default().push(record);
            }
        }
        work.into_iter()
            .map(|(case, work)| (case, Summary::of(work)))
            .collect()
    }

    fn of(case: &Record, kind: Kind, fields: &[(&str, Value)]) -> Record {
        let mut all = vec![(CASE, json!(case.id.to_string()))];
        all.extend(fields.iter().cloned());
        record(kind, &all)
    }

    /// The caseload from every record, each case with the summary of its work, as the store
    /// keeps them.
    fn listed(records: Vec<Record>) -> Vec<CaseLine> {
        let summaries = by_case(&records);
        let cases = records
            .iter()
            .filter(|record| record.kind == Kind::Case)
            .map(|case| {
                let summary = summaries.get(case.id.to_string().as_str()).cloned();
                (case.clone(), summary.unwrap_or_default())
            })
            .collect();
        caseload(cases)
    }

    fn day(_: u64) -> String {
        "2026-11-01".to_owned()
    }

    #[test]
    fn a_case_gathers_its_own_entries_and_numbers_sessions_on() {
        let case = record(Kind::Case, &[("name", json!("Asha"))]);
        let other = record(Kind::Case, &[("name", json!("Bina"))]);
        let records = vec![
            of(
                &case,
                Kind::Session,
                &[
                    ("session_number", json!(2)),
                    ("session_on", json!("2026-11-20")),
                ],
            ),
            of(
                &case,
                Kind::Session,
                &[
                    ("session_number", json!(1)),
                    ("session_on", json!("2026-11-10")),
                ],
            ),
            of(&other, Kind::Session, &[("session_number", json!(7))]),
            of(
                &case,
                Kind::Service,
                &[
                    ("service", json!("police")),
                    ("service_on", json!("2026-11-05")),
                ],
            ),
            of(
                &case,
                Kind::Service,
                &[("service", json!("medical")), ("deleted", json!(true))],
            ),
            of(&case, Kind::Note, &[("note", json!("Called her mother"))]),
        ];
        let file = CaseFile::gather(case.clone(), &records);
        assert_eq!(file.sessions.len(), 2);
        assert_eq!(file.services.len(), 1);
        assert_eq!(file.notes.len(), 1);
        assert_eq!(file.next_session(), 3);
        assert_eq!(file.status(), "in_progress");
        assert!(!file.lacks("police"));
        assert!(file.lacks("shelter"));
        let days: Vec<String> = file.timeline(day).into_iter().map(|(day, _)| day).collect();
        assert_eq!(
            days,
            [
                "2026-11-01",
                "2026-11-01",
                "2026-11-05",
                "2026-11-10",
                "2026-11-20"
            ]
        );
        assert_eq!(CaseFile::gather(case, &[]).status(), "registered");
    }

    /// Writes `closing` as a worker on one device would: a closure record and the case's fields.
    fn write(case: &mut Record, closing: Closing, clock: &mut Clock, at: u64) -> Record {
        let mut event = Record::new(RecordId::new(), Kind::Closure);
        for (field, value) in closing.event {
            event.edit(clock, at, field, value);
        }
        for (field, value) in closing.case {
            case.edit(clock, at, field, value);
        }
        event
    }

    fn closed(reason: &str) -> ClosureDraft {
        ClosureDraft {
            reason: reason.into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_closed_case_ends_its_timeline_and_owes_no_follow_up() {
        let mut case = record(Kind::Case, &[("name", json!("Asha"))]);
        let session = of(
            &case,
            Kind::Session,
            &[
                ("session_number", json!(1)),
                ("next_on", json!("2026-11-03")),
            ],
        );
        let records = vec![case.clone(), session.clone()];
        assert_eq!(
            CaseFile::gather(case.clone(), &records).next_due(),
            Some("2026-11-03")
        );
        assert_eq!(due(&listed(records.clone()), "2026-11-03", "me").len(), 1);

        let mut clock = Clock::new(DeviceId::new());
        let closing = closed("her_choice").parse(case.id, "2026-11-04", "Meena");
        let event = write(&mut case, closing.unwrap(), &mut clock, 2_000);
        let file = CaseFile::gather(case.clone(), &[session.clone(), event.clone()]);
        assert!(file.is_closed());
        assert_eq!(file.next_due(), None);
        assert!(
            matches!(file.timeline(day).last(), Some((day, Entry::Closure(_))) if day == "2026-11-04")
        );
        let lines = listed(vec![case.clone(), session.clone()]);
        assert!(due(&lines, "2026-11-30", "me").is_empty());
        assert_eq!(lines[0].status, "closed");
    }

    #[test]
    fn close_reopen_close_keeps_every_event_and_the_status_follows_the_latest() {
        let mut case = record(Kind::Case, &[("name", json!("Asha"))]);
        let id = case.id;
        let mut clock = Clock::new(DeviceId::new());
        let settled = ClosureDraft {
            reason: "settlement".into(),
            terms: "He returns her stridhan.".into(),
            signed: true,
        };
        let first = write(
            &mut case,
            settled.parse(id, "2026-11-04", "Meena").unwrap(),
            &mut clock,
            2_000,
        );
        let reopened = write(
            &mut case,
            reopening(id, "2026-11-10", "Meena"),
            &mut clock,
            3_000,
        );
        let file = CaseFile::gather(case.clone(), &[first.clone(), reopened.clone()]);
        assert_eq!(file.status(), "in_progress");
        // A reopened case says no closure reason, so no export or figure reports one.
        assert_eq!(file.case.value("closure"), None);
        assert_eq!(file.case.value("settlement_terms"), None);
        let second = write(
            &mut case,
            closed("court").parse(id, "2026-11-20", "Ritu").unwrap(),
            &mut clock,
            4_000,
        );
        let file = CaseFile::gather(case.clone(), &[second, reopened, first]);
        assert_eq!(file.status(), "closed");
        assert_eq!(file.case.text("closure"), Some("court"));
        let events: Vec<(String, Option<&str>, Option<&str>)> = file
            .timeline(day)
            .into_iter()
            .filter_map(|(day, entry)| match entry {
                Entry::Closure(event) => Some((day, event.text("event"), event.text("closure"))),
                _ => None,
            })
            .collect();
        assert_eq!(
            events,
            [
                ("2026-11-04".to_owned(), Some("closed"), Some("settlement")),
                ("2026-11-10".to_owned(), Some("reopened"), None),
                ("2026-11-20".to_owned(), Some("closed"), Some("court")),
            ]
        );
        assert_eq!(
            file.closures[0].text("settlement_terms"),
            Some("He returns her stridhan.")
        );
        assert!(
            !file
                .timeline(day)
                .iter()
                .any(|(_, e)| *e == Entry::ClosedBefore)
        );
    }

    #[test]
    fn two_phones_closing_one_case_offline_keep_both_closures_and_ask_for_a_review() {
        let case = record(Kind::Case, &[("name", json!("Asha"))]);
        let (mut phone, mut desk) = (Clock::new(DeviceId::new()), Clock::new(DeviceId::new()));
        let (mut on_phone, mut on_desk) = (case.clone(), case.clone());
        let settled = ClosureDraft {
            reason: "settlement".into(),
            terms: "He returns her stridhan.".into(),
            signed: true,
        };
        let from_phone = write(
            &mut on_phone,
            settled.parse(case.id, "2026-11-04", "Meena").unwrap(),
            &mut phone,
            2_000,
        );
        let from_desk = write(
            &mut on_desk,
            closed("court")
                .parse(case.id, "2026-11-05", "Ritu")
                .unwrap(),
            &mut desk,
            2_500,
        );
        let mut merged = on_phone.clone();
        merged.merge(&on_desk);
        let file = CaseFile::gather(merged.clone(), &[from_desk, from_phone]);
        assert_eq!(file.closures.len(), 2);
        assert_eq!(file.status(), "closed");
        let review: Vec<&str> = file.to_review().into_iter().map(|(_, f)| f).collect();
        assert!(review.contains(&"closure"), "{review:?}");
        assert!(review.contains(&"settlement_terms"), "{review:?}");
        assert_eq!(listed(vec![merged])[0].to_review, review.len());
    }

    /// Applies a merge's writes as one phone saves them, returning every record it touched.
    fn merge_on(
        phone: &mut Clock,
        records: &[Record],
        writes: Vec<(Record, Edits)>,
        at: u64,
    ) -> Vec<Record> {
        let mut all: Vec<Record> = records.to_vec();
        for (mut record, edits) in writes {
            for (field, value) in edits {
                record.edit(phone, at, field, value);
            }
            match all.iter_mut().find(|r| r.id == record.id) {
                Some(known) => known.merge(&record),
                None => all.push(record),
            }
        }
        all
    }

    fn file_of(case: &Record, records: &[Record]) -> CaseFile {
        let case = records.iter().find(|r| r.id == case.id).unwrap().clone();
        CaseFile::gather(case, records)
    }

    #[test]
    fn a_duplicate_merged_gives_its_work_to_the_kept_case_and_closes_as_one() {
        let camp = RecordId::new().to_string();
        let kept = record(Kind::Case, &[("name", json!("Geeta Kumari"))]);
        let twice = record(
            Kind::Case,
            &[("name", json!("गीता")), (CAMP, json!(camp.clone()))],
        );
        let records = vec![
            kept.clone(),
            twice.clone(),
            of(&kept, Kind::Session, &[("session_number", json!(1))]),
            of(&twice, Kind::Session, &[("session_number", json!(1))]),
            of(&twice, Kind::Service, &[("service", json!("police"))]),
            of(
                &twice,
                Kind::Note,
                &[("note", json!("Called from the camp"))],
            ),
        ];
        let writes = merging(
            &file_of(&twice, &records),
            &file_of(&kept, &records),
            "2026-12-07",
            "Kiran",
        )
        .unwrap();
        // The duplicate's own fields come first, so the server sees the merge before the moves.
        assert_eq!(writes[0].0.id, twice.id);
        let mut phone = Clock::new(DeviceId::new());
        let after = merge_on(&mut phone, &records, writes, 5_000);
        let kept_file = file_of(&kept, &after);
        assert_eq!(kept_file.sessions.len(), 2);
        assert_eq!(kept_file.services.len(), 1);
        assert_eq!(kept_file.notes.len(), 1);
        assert_eq!(kept_file.next_session(), 3);
        assert_eq!(kept_file.case.text(CAMP), Some(camp.as_str()));
        let twice_file = file_of(&twice, &after);
        assert!(twice_file.is_closed());
        assert_eq!(twice_file.case.text("closure"), Some("duplicate"));
        assert_eq!(twice_file.case.text("name"), Some("गीता"));
        assert_eq!(twice_file.closures.len(), 1);
        assert!(twice_file.services.is_empty() && twice_file.sessions.is_empty());
        // Merged once: nothing more to merge, and a case is never merged into itself.
        assert!(merging(&twice_file, &kept_file, "2026-12-07", "Kiran").is_none());
        assert!(merging(&kept_file, &kept_file, "2026-12-07", "Kiran").is_none());
        assert!(merging(&kept_file, &twice_file, "2026-12-07", "Kiran").is_none());
        // The kept case counts once on the list; the duplicate is listed closed.
        let lines = listed(after);
        assert_eq!(lines.len(), 2);
        assert!(
            lines
                .iter()
                .any(|l| l.case.id == twice.id && l.status == "closed")
        );
    }

    #[test]
    fn the_same_merge_on_two_phones_converges_in_any_order_with_nothing_to_review() {
        let kept = record(Kind::Case, &[("name", json!("Geeta Kumari"))]);
        let twice = record(Kind::Case, &[("name", json!("Gita"))]);
        let records = vec![
            kept.clone(),
            twice.clone(),
            of(&twice, Kind::Service, &[("service", json!("medical"))]),
            of(&twice, Kind::Note, &[("note", json!("First call"))]),
        ];
        let merge = |phone: &mut Clock, at| {
            let writes = merging(
                &file_of(&twice, &records),
                &file_of(&kept, &records),
                "2026-12-07",
                "M",
            )
            .unwrap();
            merge_on(phone, &records, writes, at)
        };
        let (mut a, mut b) = (Clock::new(DeviceId::new()), Clock::new(DeviceId::new()));
        let on_a = merge(&mut a, 5_000);
        let on_b = merge(&mut b, 6_000);
        let combine = |first: &[Record], second: &[Record]| {
            let mut all: Vec<Record> = first.to_vec();
            for record in second {
                match all.iter_mut().find(|r| r.id == record.id) {
                    Some(known) => known.merge(record),
                    None => all.push(record.clone()),
                }
            }
            all.sort_by_key(|r| r.id);
            all
        };
        let ab = combine(&on_a, &on_b);
        assert_eq!(ab, combine(&on_b, &on_a));
        assert_eq!(
            ab,
            combine(&ab, &on_a),
            "applying a merge again changes nothing"
        );
        let kept_file = file_of(&kept, &ab);
        assert_eq!(kept_file.services.len(), 1);
        assert_eq!(kept_file.notes.len(), 1);
        assert!(kept_file.to_review().is_empty());
        let twice_file = file_of(&twice, &ab);
        assert!(twice_file.to_review().is_empty());
        // Both phones wrote a closure record: both are kept, each saying the same.
        assert_eq!(twice_file.closures.len(), 2);
    }

    #[test]
    fn a_correction_writes_only_the_fields_she_changed() {
        let seen = record(
            Kind::Case,
            &[
                ("name", json!("Geeta")),
                ("age", json!(43)),
                ("phone", json!("9810000001")),
                ("village", json!("Rampur")),
                (
                    sakhi_domain::schema::CAMP,
                    json!(RecordId::new().to_string()),
                ),
            ],
        );
        let typed = vec![
            ("name", json!("Geeta")),
            ("age", json!(34)),
            ("phone", json!("9810000010")),
        ];
        let managed = ["name", "age", "phone", "village", "block"];
        assert_eq!(
            changed_fields(&seen, typed, &managed),
            vec![
                ("age", json!(34)),
                ("phone", json!("9810000010")),
                // She emptied the village: it is cleared. The block stays empty: not written.
                ("village", Value::Null),
            ]
        );
        let same = vec![
            ("name", json!("Geeta")),
            ("age", json!(43)),
            ("phone", json!("9810000001")),
            ("village", json!("Rampur")),
        ];
        assert!(changed_fields(&seen, same, &managed).is_empty());
    }

    #[test]
    fn a_correction_on_one_phone_leaves_another_phones_edit_to_another_field() {
        let original = record(
            Kind::Case,
            &[("age", json!(43)), ("village", json!("Rampur"))],
        );
        let (mut phone, mut desk) = (Clock::new(DeviceId::new()), Clock::new(DeviceId::new()));
        let mut on_desk = original.clone();
        let village = on_desk.edit(&mut desk, 2_000, "village", json!("रामपुर"));
        // The phone corrects the age from what it saw, and writes nothing else.
        let mut on_phone = original.clone();
        let typed = vec![("age", json!(34)), ("village", json!("Rampur"))];
        let changes: Vec<_> = changed_fields(&original, typed, &["age", "village"])
            .into_iter()
            .map(|(field, value)| on_phone.edit(&mut phone, 2_100, field, value))
            .collect();
        assert_eq!(changes.len(), 1);
        on_phone.apply(&village);
        on_desk.apply(&changes[0]);
        assert_eq!(on_phone, on_desk);
        assert_eq!(on_phone.text("village"), Some("रामपुर"));
        assert_eq!(on_phone.value("age"), Some(&json!(34)));
        assert_eq!(on_phone.conflicted_fields().count(), 0);
    }

    #[test]
    fn follow_ups_due_are_the_latest_sessions_next_dates_up_to_today_for_her() {
        let mine = record(
            Kind::Case,
            &[("name", json!("Asha")), ("assigned_to", json!("me"))],
        );
        let nobodys = record(Kind::Case, &[("alias", json!("Didi"))]);
        let hers = record(
            Kind::Case,
            &[("name", json!("Chitra")), ("assigned_to", json!("her"))],
        );
        let records = vec![
            mine.clone(),
            nobodys.clone(),
            hers.clone(),
            of(
                &mine,
                Kind::Session,
                &[
                    ("session_number", json!(1)),
                    ("next_on", json!("2026-11-01")),
                ],
            ),
            of(
                &mine,
                Kind::Session,
                &[
                    ("session_number", json!(2)),
                    ("next_on", json!("2026-11-29")),
                ],
            ),
            of(
                &nobodys,
                Kind::Session,
                &[
                    ("session_number", json!(1)),
                    ("next_on", json!("2026-11-20")),
                ],
            ),
            of(
                &hers,
                Kind::Session,
                &[
                    ("session_number", json!(1)),
                    ("next_on", json!("2026-11-20")),
                ],
            ),
        ];
        let lines = listed(records);
        let found: Vec<(RecordId, Option<&str>)> = due(&lines, "2026-11-29", "me")
            .into_iter()
            .map(|line| (line.case.id, line.next_on.as_deref()))
            .collect();
        assert_eq!(
            found,
            vec![
                (nobodys.id, Some("2026-11-20")),
                (mine.id, Some("2026-11-29"))
            ]
        );
        assert_eq!(due(&lines, "2026-11-28", "me").len(), 1);
        // Newest first, each with where it stands.
        assert_eq!(lines[0].case.id, hers.id);
        assert!(lines.iter().all(|line| line.status == "in_progress"));
    }

    #[test]
    fn the_summary_the_list_reads_agrees_with_her_case_page() {
        let case = record(Kind::Case, &[("name", json!("Asha"))]);
        let note = of(&case, Kind::Note, &[("note", json!("Called her sister."))]);
        // A note is not work done for her: the list and the page both say registered.
        let summary = Summary::of([&note]);
        assert_eq!(summary, Summary::default());
        assert_eq!(
            CaseFile::gather(case.clone(), std::slice::from_ref(&note)).status(),
            "registered"
        );
        assert_eq!(
            listed(vec![case.clone(), note.clone()])[0].status,
            "registered"
        );

        // Two sessions numbered alike (written on two phones offline): the one recorded last
        // counts, on the page as in the list.
        let session = |next_on: &str| {
            of(
                &case,
                Kind::Session,
                &[
                    ("session_number", json!(2)),
                    ("session_on", json!("2026-11-02")),
                    ("next_on", json!(next_on)),
                ],
            )
        };
        let work = vec![note, session("2026-11-09"), session("2026-11-10")];
        let file = CaseFile::gather(case.clone(), &work);
        let summary = Summary::of(&work);
        assert!(summary.worked);
        assert_eq!(summary.next_on.as_deref(), file.next_due());
        assert_eq!(file.next_due(), Some("2026-11-10"));
        let by_case = by_case(&work);
        assert_eq!(by_case.get(case.id.to_string().as_str()), Some(&summary));
    }

    #[test]
    fn a_shelter_stay_past_five_days_is_flagged_until_she_leaves() {
        let case = record(Kind::Case, &[]);
        let stay = of(
            &case,
            Kind::Service,
            &[
                ("service", json!("shelter")),
                ("admitted_on", json!("2026-11-24")),
            ],
        );
        assert!(!shelter_overdue(&stay, "2026-11-29"));
        assert!(shelter_overdue(&stay, "2026-11-30"));
        let left = of(
            &case,
            Kind::Service,
            &[
                ("service", json!("shelter")),
                ("admitted_on", json!("2026-11-01")),
                ("discharged_on", json!("2026-11-03")),
            ],
        );
        assert!(!shelter_overdue(&left, "2026-11-30"));
    }

    fn service(fields: &[(&'static str, &str)]) -> ServiceDraft {
        ServiceDraft(fields.iter().map(|(f, v)| (*f, (*v).to_owned())).collect())
    }

    #[test]
    fn a_service_keeps_only_the_fields_of_its_kind() {
        let case = RecordId::new();
        let edits = service(&[
            ("service", "police"),
            ("service_state", "given"),
            ("service_on", "2026-11-29"),
            ("report", "dir"),
            ("report_number", " 112/2026 "),
            ("place", "Sadar thana"),
            ("lawyer", "left over from legal aid"),
        ])
        .parse(case)
        .unwrap();
        assert_eq!(
            edits,
            vec![
                (CASE, json!(case.to_string())),
                ("service", json!("police")),
                ("service_state", json!("given")),
                ("service_on", json!("2026-11-29")),
                ("report", json!("dir")),
                ("report_number", json!("112/2026")),
                ("place", json!("Sadar thana")),
            ]
        );
        let requested = service(&[("service", "rescue")]).parse(case).unwrap();
        assert!(requested.contains(&("service_state", json!("requested"))));
    }

    #[test]
    fn a_service_needs_its_kind_real_dates_and_a_sane_number_of_children() {
        let case = RecordId::new();
        assert_eq!(
            service(&[]).parse(case).unwrap_err(),
            vec![("service", Problem::ServiceRequired)]
        );
        assert_eq!(
            service(&[
                ("service", "shelter"),
                ("admitted_on", "2026-02-30"),
                ("children", "30")
            ])
            .parse(case)
            .unwrap_err(),
            vec![
                ("admitted_on", Problem::Date),
                ("children", Problem::Children)
            ]
        );
    }

    #[test]
    fn a_session_needs_its_date_and_is_numbered() {
        let case = RecordId::new();
        let draft = SessionDraft {
            on: "2026-11-29".into(),
            kind: "joint".into(),
            attended: "Asha, her husband".into(),
            next_on: "2026-12-06".into(),
            ..Default::default()
        };
        let edits = draft.parse(case, 3).unwrap();
        assert!(edits.contains(&("session_number", json!(3))));
        assert!(edits.contains(&("next_on", json!("2026-12-06"))));
        let undated = SessionDraft::default().parse(case, 1).unwrap_err();
        assert_eq!(undated, vec![("session_on", Problem::Date)]);
        let bad = SessionDraft {
            next_on: "soon".into(),
            ..draft
        }
        .parse(case, 1)
        .unwrap_err();
        assert_eq!(bad, vec![("next_on", Problem::Date)]);
    }

    #[test]
    fn a_note_needs_words_and_says_who_wrote_it() {
        let case = RecordId::new();
        assert_eq!(
            parse_note(case, "  ", "Meena", None).unwrap_err(),
            vec![("note", Problem::NoteRequired)]
        );
        let edits = parse_note(case, "Her brother called.", "Meena", None).unwrap();
        assert!(edits.contains(&("written_by", json!("Meena"))));
        assert!(!edits.iter().any(|(field, _)| *field == "corrects"));
        let first = RecordId::new();
        let correction = parse_note(case, "Her sister called.", "Meena", Some(first)).unwrap();
        assert!(correction.contains(&("corrects", json!(first.to_string()))));
    }

    #[test]
    fn closing_needs_a_reason_and_keeps_terms_only_for_a_settlement() {
        let case = RecordId::new();
        assert_eq!(
            ClosureDraft::default()
                .parse(case, "2026-11-29", "Meena")
                .unwrap_err(),
            vec![("closure", Problem::ClosureRequired)]
        );
        let settled = ClosureDraft {
            reason: "settlement".into(),
            terms: "He returns her stridhan.".into(),
            signed: true,
        }
        .parse(case, "2026-11-29", "Meena")
        .unwrap();
        for edits in [&settled.case, &settled.event] {
            assert!(edits.contains(&("settlement_terms", json!("He returns her stridhan."))));
            assert!(edits.contains(&("settlement_signed", json!(true))));
            assert!(edits.contains(&("closure", json!("settlement"))));
        }
        assert!(settled.case.contains(&("status", json!("closed"))));
        assert!(settled.event.contains(&("event", json!("closed"))));
        assert!(settled.event.contains(&("written_by", json!("Meena"))));
        assert!(settled.event.contains(&(CASE, json!(case.to_string()))));
        let court = ClosureDraft {
            reason: "court".into(),
            terms: "typed before she changed her mind".into(),
            signed: true,
        }
        .parse(case, "2026-11-29", "Meena")
        .unwrap();
        assert!(court.case.contains(&("settlement_terms", Value::Null)));
        assert!(court.case.contains(&("settlement_signed", json!(false))));
        assert!(
            !court
                .event
                .iter()
                .any(|(field, _)| *field == "settlement_terms")
        );
        for (field, value) in court
            .event
            .iter()
            .chain(&reopening(case, "2026-11-30", "M").event)
        {
            assert!(Kind::Closure.check(field, value).is_ok(), "{field}");
        }
    }

    #[test]
    fn dates_show_day_first() {
        assert_eq!(shown_date("2026-11-29"), "29/11/2026");
        assert_eq!(shown_date("soon"), "soon");
    }
}
