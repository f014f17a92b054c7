//! Record kinds, their fields and what each field may hold. A change naming anything else is
//! refused, on the device and on the server alike.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;

/// What a record is. A case's services, counselling sessions and notes are records of their own,
/// each naming its case, so that two workers adding to one case never overwrite each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Case,
    Service,
    Session,
    Note,
    /// An awareness camp held by the centre's outreach workers; a case registered there names it.
    Camp,
    /// A case closed or reopened: an event of its own, written once and kept for good, so that a
    /// closure stays on the timeline after a reopening and two closures on two phones are both
    /// kept.
    Closure,
    /// A file kept with a case: a police report's copy, a medical report, a court order, the
    /// signed settlement, a photo, a voice note, her signed consent. The record holds what the
    /// file is; its content travels and is stored apart, in chunks, checked by its SHA-256.
    Attachment,
}

/// The kinds of violence a case can record; several may apply. Stored as these codes; the app shows
/// them in the worker's language.
pub const VIOLENCE_KINDS: &[&str] = &[
    "domestic_violence",
    "dowry_harassment",
    "in_law_harassment",
    "physical",
    "sexual_assault",
    "sexual_harassment",
    "emotional",
    "economic",
    "child_marriage",
    "trafficking",
    "acid_attack",
    "cyber_crime",
    "witch_hunting",
    "honour_related",
    "other",
];

/// How a woman reached the centre: by herself, through someone (family, neighbour, an NGO),
/// Women Helpline 181, the police, an awareness camp, or another way.
pub const SOURCES: &[&str] = &[
    "herself",
    "through_someone",
    "helpline_181",
    "police",
    "awareness_camp",
    "other",
];

/// Who the person responsible for the violence is to her.
pub const RELATIONS: &[&str] = &[
    "husband",
    "in_law",
    "father",
    "brother",
    "other_relative",
    "partner",
    "acquaintance",
    "stranger",
    "other",
];

/// Whether it is safe to call her on her phone: an abuser may answer or see the call.
pub const SAFE_TO_CALL: &[&str] = &["yes", "no"];

/// Whether she is in danger now: if so, rescue, police and shelter come first.
pub const DANGER: &[&str] = &["yes", "no"];

/// What she consented to.
pub const CONSENTS: &[&str] = &["services", "police", "sharing"];

/// Where a case stands.
pub const STATUSES: &[&str] = &["registered", "in_progress", "closed"];

/// What a closure record says happened to the case.
pub const CLOSURE_EVENTS: &[&str] = &["closed", "reopened"];

/// Why a case was closed.
pub const CLOSURES: &[&str] = &[
    "settlement",
    "court",
    "protection_officer",
    "long_stay_home",
    "her_choice",
    "not_reachable",
    "other",
    // The same woman was registered twice: this case was merged into another (see
    // [`MERGED_INTO`]). Last, so that the reasons a worker chooses from are all the others.
    "duplicate",
];

/// The reasons a worker chooses from when she closes a case: all but a merge's.
pub const CHOSEN_CLOSURES: &[&str] = CLOSURES.split_last().expect("closure reasons").1;

/// What an attachment is: a copy of the FIR, NCR or Domestic Incident Report, a medical or
/// medico-legal report, a court order, the settlement signed by both sides, an ID, a photo, a voice
/// note, her consent signed or thumb-printed, or something else.
pub const ATTACHMENT_KINDS: &[&str] = &[
    "police_report",
    "medical_report",
    "court_order",
    "settlement",
    "id",
    "photo",
    "voice_note",
    "consent",
    "other",
];

/// The file types an attachment may be: photos as the phone resizes them (JPEG or WebP; PNG for
/// a drawn signature), PDF documents, and voice notes as browsers record them (Opus in Ogg or
/// WebM).
pub const MEDIA_TYPES: &[&str] = &[
    "image/jpeg",
    "image/webp",
    "image/png",
    "application/pdf",
    "audio/ogg",
    "audio/webm",
];

/// The largest file any server takes, whatever its settings: 25 MiB. A centre's own limit is
/// usually lower.
pub const MOST_ATTACHMENT_BYTES: i64 = 25 * 1024 * 1024;

/// The services under one roof.
pub const SERVICES: &[&str] = &[
    "rescue",
    "medical",
    "police",
    "counselling",
    "legal_aid",
    "shelter",
    "video_conferencing",
];

/// Where a service entry stands.
pub const SERVICE_STATES: &[&str] = &["requested", "given", "referred"];

/// What the police recorded: a First Information Report, a Non-Cognizable Report, or a Domestic
/// Incident Report.
pub const REPORTS: &[&str] = &["fir", "ncr", "dir"];

/// Who a counselling session was with.
pub const SESSION_KINDS: &[&str] = &["individual", "joint", "family", "group"];

/// What an awareness camp spoke of: the helplines (Women Helpline 181 and 112), the Protection of
/// Women from Domestic Violence Act, dowry prohibition, POCSO (children's protection from sexual
/// offences), safety online, the centre's own services, and anything else.
pub const TOPICS: &[&str] = &[
    "helplines",
    "domestic_violence_act",
    "dowry_prohibition",
    "pocso",
    "cyber_safety",
    "centre_services",
    "other",
];

/// Who came to a camp, each counted on its own.
pub const ATTENDANCE: &[&str] = &["women", "girls", "men", "boys"];

/// The most people of one group a camp may count: more is a typing mistake, not a camp.
pub const MOST_AT_A_CAMP: i64 = 10_000;

/// How many days a woman may stay in the centre's shelter before she is referred to a
/// longer-stay home.
pub const SHELTER_DAYS: i64 = 5;

/// What one field may hold. Every field may also be `null`, which clears it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    /// Free text of at most this many characters (not bytes: Hindi takes three bytes a letter).
    Text { max_chars: usize },
    /// A whole number in a range.
    Whole { min: i64, max: i64 },
    /// A phone number: digits, with an optional leading `+`, spaces and dashes.
    Phone,
    /// A set of codes from a fixed list, without repeats.
    Choices(&'static [&'static str]),
    /// One code from a fixed list.
    Choice(&'static [&'static str]),
    /// Yes or no.
    Flag,
    /// A calendar date, `YYYY-MM-DD`, between the years 1900 and 2100.
    Date,
    /// The id of another record (a service's case, say).
    Ref,
    /// A SHA-256 digest: 64 lowercase hexadecimal digits.
    Digest,
}

/// Why a change was refused. The `code` is stable for programs; the text is for engineers.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum Invalid {
    #[error("unknown record kind {0:?}")]
    UnknownKind(String),
    #[error("a {kind} has no field {field:?}")]
    UnknownField { kind: &'static str, field: String },
    #[error("{field} must be {expected}")]
    WrongType {
        field: String,
        expected: &'static str,
    },
    #[error("{field} must be between {min} and {max}")]
    OutOfRange { field: String, min: i64, max: i64 },
    #[error("{field} is longer than {max_chars} characters")]
    TooLong { field: String, max_chars: usize },
    #[error("{field} has an unknown choice {choice:?}")]
    UnknownChoice { field: String, choice: String },
    #[error("{field} is not a phone number")]
    NotAPhone { field: String },
    #[error("{field} is not a date (YYYY-MM-DD)")]
    NotADate { field: String },
    #[error("{field} is not a record id")]
    NotARecord { field: String },
    #[error("{field} is not a SHA-256 digest (64 lowercase hexadecimal digits)")]
    NotADigest { field: String },
    #[error("{field} holds a control character (U+{code:04X}), which no one can type")]
    ControlCharacter { field: String, code: u32 },
}

impl Invalid {
    pub fn code(&self) -> &'static str {
        match self {
            Invalid::UnknownKind(_) => "unknown_kind",
            Invalid::UnknownField { .. } => "unknown_field",
            Invalid::WrongType { .. } => "wrong_type",
            Invalid::OutOfRange { .. } => "out_of_range",
            Invalid::TooLong { .. } => "too_long",
            Invalid::UnknownChoice { .. } => "unknown_choice",
            Invalid::NotAPhone { .. } => "not_a_phone",
            Invalid::NotADate { .. } => "not_a_date",
            Invalid::NotARecord { .. } => "not_a_record",
            Invalid::NotADigest { .. } => "not_a_digest",
            Invalid::ControlCharacter { .. } => "control_character",
        }
    }
}

/// Whether a record is deleted is a field like any other, so deletion merges like any edit.
pub const DELETED: &str = "deleted";
/// The field holding the id of the account a record is assigned to.
pub const ASSIGNED_TO: &str = "assigned_to";
/// The field of a service, session or note that names its case.
pub const CASE: &str = "case";
/// The field of a case that names the awareness camp she was registered at.
pub const CAMP: &str = "camp";
/// The field of a case merged into another as a duplicate: the id of the case she is kept under.
/// Her services, sessions and notes moved there; this case stays, closed, with what it said.
pub const MERGED_INTO: &str = "merged_into";
/// A case's official number, `DHR-2026-0042`, given by the server at its first sync; no device
/// writes it.
pub const NUMBER: &str = "number";

const NAME: FieldType = FieldType::Text { max_chars: 200 };
const NOTES: FieldType = FieldType::Text { max_chars: 4000 };
const ATTENDED: FieldType = FieldType::Whole {
    min: 0,
    max: MOST_AT_A_CAMP,
};

impl Kind {
    pub fn parse(name: &str) -> Result<Kind, Invalid> {
        match name {
            "case" => Ok(Kind::Case),
            "service" => Ok(Kind::Service),
            "session" => Ok(Kind::Session),
            "note" => Ok(Kind::Note),
            "camp" => Ok(Kind::Camp),
            "closure" => Ok(Kind::Closure),
            "attachment" => Ok(Kind::Attachment),
            other => Err(Invalid::UnknownKind(other.to_owned())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Case => "case",
            Kind::Service => "service",
            Kind::Session => "session",
            Kind::Note => "note",
            Kind::Camp => "camp",
            Kind::Closure => "closure",
            Kind::Attachment => "attachment",
        }
    }

    /// The fields of this kind, in the order a form shows them.
    pub fn fields(self) -> &'static [(&'static str, FieldType)] {
        match self {
            Kind::Case => &[
                ("name", NAME),
                ("alias", NAME),
                ("age", FieldType::Whole { min: 0, max: 120 }),
                ("phone", FieldType::Phone),
                ("safe_to_call", FieldType::Choice(SAFE_TO_CALL)),
                ("safe_hours", FieldType::Text { max_chars: 100 }),
                ("village", NAME),
                ("block", NAME),
                ("district", NAME),
                ("source", FieldType::Choice(SOURCES)),
                (CAMP, FieldType::Ref),
                ("violence", FieldType::Choices(VIOLENCE_KINDS)),
                ("responsible", NAME),
                ("relation", FieldType::Choice(RELATIONS)),
                ("children", FieldType::Whole { min: 0, max: 20 }),
                ("danger", FieldType::Choice(DANGER)),
                ("consent", FieldType::Choices(CONSENTS)),
                // Who took her consent and when: the worker's name as it was then.
                ("consent_by", NAME),
                ("consent_on", FieldType::Date),
                ("description", NOTES),
                ("status", FieldType::Choice(STATUSES)),
                ("closure", FieldType::Choice(CLOSURES)),
                ("settlement_terms", NOTES),
                ("settlement_signed", FieldType::Flag),
                ("closed_on", FieldType::Date),
                (NUMBER, FieldType::Text { max_chars: 40 }),
                (MERGED_INTO, FieldType::Ref),
                // The id of the account the case is assigned to: an outreach worker sees the
                // cases she created and those assigned to her.
                (ASSIGNED_TO, FieldType::Text { max_chars: 36 }),
                (DELETED, FieldType::Flag),
            ],
            // One service asked for, given, or referred elsewhere, with what each service needs:
            // the police report and station, the hospital, the lawyer and court, the shelter stay.
            Kind::Service => &[
                (CASE, FieldType::Ref),
                ("service", FieldType::Choice(SERVICES)),
                ("service_state", FieldType::Choice(SERVICE_STATES)),
                ("service_on", FieldType::Date),
                ("given_by", NAME),
                ("report", FieldType::Choice(REPORTS)),
                ("report_number", FieldType::Text { max_chars: 50 }),
                ("place", NAME),
                ("lawyer", NAME),
                ("hearing_on", FieldType::Date),
                ("admitted_on", FieldType::Date),
                ("discharged_on", FieldType::Date),
                ("children", FieldType::Whole { min: 0, max: 20 }),
                ("with_whom", NAME),
                ("notes", NOTES),
                (DELETED, FieldType::Flag),
            ],
            Kind::Session => &[
                (CASE, FieldType::Ref),
                ("session_number", FieldType::Whole { min: 1, max: 999 }),
                ("session_on", FieldType::Date),
                ("session_kind", FieldType::Choice(SESSION_KINDS)),
                ("attended", FieldType::Text { max_chars: 500 }),
                ("notes", NOTES),
                ("actions", FieldType::Text { max_chars: 2000 }),
                ("next_on", FieldType::Date),
                (DELETED, FieldType::Flag),
            ],
            // A note is written once and never edited: the app offers no way to change one.
            Kind::Note => &[
                (CASE, FieldType::Ref),
                ("note", NOTES),
                ("written_by", NAME),
                // A correction is a new note naming the one it corrects, which stays as written.
                ("corrects", FieldType::Ref),
            ],
            // Where and when a camp was held, who ran it, who came and what it spoke of.
            Kind::Camp => &[
                ("held_on", FieldType::Date),
                ("place", NAME),
                ("block", NAME),
                ("district", NAME),
                ("run_by", FieldType::Text { max_chars: 500 }),
                ("women", ATTENDED),
                ("girls", ATTENDED),
                ("men", ATTENDED),
                ("boys", ATTENDED),
                ("topics", FieldType::Choices(TOPICS)),
                ("notes", NOTES),
                (DELETED, FieldType::Flag),
            ],
            // Written once, like a note: a later change of mind is a new closure record.
            Kind::Closure => &[
                (CASE, FieldType::Ref),
                ("event", FieldType::Choice(CLOSURE_EVENTS)),
                ("event_on", FieldType::Date),
                ("closure", FieldType::Choice(CLOSURES)),
                ("settlement_terms", NOTES),
                ("settlement_signed", FieldType::Flag),
                ("written_by", NAME),
            ],
            // What the file is, and the size and digest of its content, which never change: a
            // different file is a new attachment. Its caption and kind may be corrected.
            Kind::Attachment => &[
                (CASE, FieldType::Ref),
                // The service, session or closure of the case it belongs with, if any.
                ("attached_to", FieldType::Ref),
                ("attachment_kind", FieldType::Choice(ATTACHMENT_KINDS)),
                ("caption", FieldType::Text { max_chars: 500 }),
                ("media_type", FieldType::Choice(MEDIA_TYPES)),
                (
                    "size",
                    FieldType::Whole {
                        min: 1,
                        max: MOST_ATTACHMENT_BYTES,
                    },
                ),
                ("sha256", FieldType::Digest),
                ("added_by", NAME),
                (DELETED, FieldType::Flag),
            ],
        }
    }

    /// Whether a record of this kind is written once and never changed: a note, a closure.
    pub fn is_written_once(self) -> bool {
        matches!(self, Kind::Note | Kind::Closure)
    }

    pub fn field_type(self, field: &str) -> Option<FieldType> {
        self.fields()
            .iter()
            .find(|(name, _)| *name == field)
            .map(|(_, kind)| *kind)
    }

    /// Checks that `value` may be stored in `field` of this kind.
    pub fn check(self, field: &str, value: &Value) -> Result<(), Invalid> {
        let Some(field_type) = self.field_type(field) else {
            return Err(Invalid::UnknownField {
                kind: self.as_str(),
                field: field.to_owned(),
            });
        };
        if value.is_null() {
            return Ok(());
        }
        typed_text(field, value)?;
        field_type.check(field, value)
    }
}

/// Whether a character has no business in anything a person typed: NUL and the other C0 controls
/// but tab and line breaks, DEL and the C1 controls. Refused in every text a phone sends, so that
/// neither backend ever stores one (PostgreSQL cannot store NUL in text at all, SQLite can: one rule
/// makes both give the same answer).
pub fn is_untypable(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Refuses a value holding, anywhere in it, a text with a character no one types.
fn typed_text(field: &str, value: &Value) -> Result<(), Invalid> {
    let refuse = |c: char| Invalid::ControlCharacter {
        field: field.to_owned(),
        code: u32::from(c),
    };
    match value {
        Value::String(text) => match text.chars().find(|c| is_untypable(*c)) {
            Some(c) => Err(refuse(c)),
            None => Ok(()),
        },
        Value::Array(items) => items.iter().try_for_each(|item| typed_text(field, item)),
        Value::Object(entries) => entries.iter().try_for_each(|(key, item)| {
            match key.chars().find(|c| is_untypable(*c)) {
                Some(c) => Err(refuse(c)),
                None => typed_text(field, item),
            }
        }),
        _ => Ok(()),
    }
}

impl FieldType {
    fn check(self, field: &str, value: &Value) -> Result<(), Invalid> {
        let wrong = |expected| Invalid::WrongType {
            field: field.to_owned(),
            expected,
        };
        match self {
            FieldType::Text { max_chars } => {
                let text = value.as_str().ok_or_else(|| wrong("text"))?;
                if text.chars().count() > max_chars {
                    return Err(Invalid::TooLong {
                        field: field.to_owned(),
                        max_chars,
                    });
                }
            }
            FieldType::Whole { min, max } => {
                let number = value.as_i64().ok_or_else(|| wrong("a whole number"))?;
                if !(min..=max).contains(&number) {
                    return Err(Invalid::OutOfRange {
                        field: field.to_owned(),
                        min,
                        max,
                    });
                }
            }
            FieldType::Phone => {
                let text = value.as_str().ok_or_else(|| wrong("text"))?;
                if !is_phone(text) {
                    return Err(Invalid::NotAPhone {
                        field: field.to_owned(),
                    });
                }
            }
            FieldType::Choices(allowed) => {
                let items = value.as_array().ok_or_else(|| wrong("a list of choices"))?;
                let mut seen = Vec::with_capacity(items.len());
                for item in items {
                    let code = item.as_str().ok_or_else(|| wrong("a list of choices"))?;
                    if !allowed.contains(&code) || seen.contains(&code) {
                        return Err(Invalid::UnknownChoice {
                            field: field.to_owned(),
                            choice: code.to_owned(),
                        });
                    }
                    seen.push(code);
                }
            }
            FieldType::Choice(allowed) => {
                let code = value.as_str().ok_or_else(|| wrong("a choice"))?;
                if !allowed.contains(&code) {
                    return Err(Invalid::UnknownChoice {
                        field: field.to_owned(),
                        choice: code.to_owned(),
                    });
                }
            }
            FieldType::Flag => {
                value.as_bool().ok_or_else(|| wrong("true or false"))?;
            }
            FieldType::Date => {
                let text = value.as_str().ok_or_else(|| wrong("text"))?;
                if parse_date(text).is_none() {
                    return Err(Invalid::NotADate {
                        field: field.to_owned(),
                    });
                }
            }
            FieldType::Ref => {
                let text = value.as_str().ok_or_else(|| wrong("text"))?;
                if text.parse::<crate::RecordId>().is_err() {
                    return Err(Invalid::NotARecord {
                        field: field.to_owned(),
                    });
                }
            }
            FieldType::Digest => {
                let text = value.as_str().ok_or_else(|| wrong("text"))?;
                if !is_digest(text) {
                    return Err(Invalid::NotADigest {
                        field: field.to_owned(),
                    });
                }
            }
        }
        Ok(())
    }
}

/// Whether `text` is a SHA-256 digest as Sakhi writes one: 64 lowercase hexadecimal digits.
pub fn is_digest(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// An Indian mobile number as workers write it: ten digits starting with 6, 7, 8 or 9, perhaps
/// after `+91`, `91` or `0`, with spaces and dashes anywhere.
pub fn is_phone(text: &str) -> bool {
    mobile_digits(text).is_some()
}

/// The ten digits of an Indian mobile number, without its prefix; `None` if `text` is not one.
pub fn mobile_digits(text: &str) -> Option<String> {
    let text = text.trim();
    let (plus, rest) = match text.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if !rest
        .chars()
        .all(|c| c.is_ascii_digit() || c == ' ' || c == '-')
    {
        return None;
    }
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    let number = match (plus, digits.len()) {
        (false, 10) => &digits[..],
        (_, 12) if digits.starts_with("91") => &digits[2..],
        (false, 11) if digits.starts_with('0') => &digits[1..],
        _ => return None,
    };
    number
        .starts_with(['6', '7', '8', '9'])
        .then(|| number.to_owned())
}

/// A date written `YYYY-MM-DD`, if it is a real one between 1900 and 2100: four digits, a dash,
/// two digits, a dash, two digits, and nothing else (no sign, no space, no shorter part).
pub fn parse_day(text: &str) -> Option<chrono::NaiveDate> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| {
        bytes[range].iter().try_fold(0_u32, |number, &byte| {
            byte.is_ascii_digit()
                .then(|| number * 10 + u32::from(byte - b'0'))
        })
    };
    let year = number(0..4).filter(|year| (1900..=2100).contains(year))?;
    chrono::NaiveDate::from_ymd_opt(year as i32, number(5..7)?, number(8..10)?)
}

/// A date written `YYYY-MM-DD` as `(year, month, day)`, if it is a real one between 1900 and 2100
/// ([`parse_day`]).
pub fn parse_date(text: &str) -> Option<(i32, u32, u32)> {
    parse_day(text).map(parts_of)
}

/// A date as `(year, month, day)`.
pub fn parts_of(date: chrono::NaiveDate) -> (i32, u32, u32) {
    use chrono::Datelike;
    (date.year(), date.month(), date.day())
}

/// The date `days` after 1970-01-01, the inverse of [`day_number`]. Days beyond chrono's range
/// (some 262,000 years either way) give its first or last date.
pub fn date_of_day(days: i64) -> (i32, u32, u32) {
    let epoch = chrono::DateTime::UNIX_EPOCH.date_naive();
    let date = chrono::TimeDelta::try_days(days).and_then(|days| epoch.checked_add_signed(days));
    parts_of(date.unwrap_or(if days < 0 {
        chrono::NaiveDate::MIN
    } else {
        chrono::NaiveDate::MAX
    }))
}

/// The days from 1970-01-01 to a date, for counting the days between two. A day past its month's
/// end counts on into the next month (31 February is 3 March, or 2 in a leap year); a month outside
/// 1 to 12 is taken as the nearest, a year beyond chrono's range as its first or last.
pub fn day_number((year, month, day): (i32, u32, u32)) -> i64 {
    let first =
        chrono::NaiveDate::from_ymd_opt(year, month.clamp(1, 12), 1).unwrap_or(if year < 0 {
            chrono::NaiveDate::MIN
        } else {
            chrono::NaiveDate::MAX
        });
    let epoch = chrono::DateTime::UNIX_EPOCH.date_naive();
    first.signed_duration_since(epoch).num_days() + i64::from(day) - 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_with_a_character_no_one_types_is_refused_in_every_field_type() {
        for (field, value) in [
            ("name", json!("Sita\u{0}")),
            ("assigned_to", json!("\u{0}")),
            ("village", json!("a\u{7}b")),
            ("violence", json!(["physical", "dowry\u{0}"])),
            ("phone", json!("98765\u{1b}43210")),
            ("name", json!("Sita\u{85}")),
        ] {
            let refused = Kind::Case.check(field, &json!(value)).unwrap_err();
            assert_eq!(refused.code(), "control_character", "{field} {value}");
        }
        assert!(
            Kind::Session
                .check("notes", &json!("पहली पंक्ति\nदूसरी\tपंक्ति\r\n"))
                .is_ok()
        );
    }

    #[test]
    fn a_case_takes_its_fields_and_refuses_others() {
        let case = Kind::parse("case").unwrap();
        assert!(case.check("name", &json!("सीता देवी")).is_ok());
        assert!(case.check("age", &json!(34)).is_ok());
        assert!(case.check("phone", &json!("+91 98765-43210")).is_ok());
        assert!(
            case.check("violence", &json!(["dowry_harassment", "physical"]))
                .is_ok()
        );
        assert!(case.check("village", &Value::Null).is_ok());
        assert_eq!(
            case.check("caste", &json!("x")).unwrap_err().code(),
            "unknown_field"
        );
        assert_eq!(Kind::parse("meeting").unwrap_err().code(), "unknown_kind");
    }

    #[test]
    fn how_she_reached_the_centre_and_whether_to_call_are_one_choice_each() {
        let case = Kind::Case;
        assert!(case.check("source", &json!("helpline_181")).is_ok());
        assert!(case.check("safe_to_call", &json!("no")).is_ok());
        assert!(case.check("block", &json!("सदर")).is_ok());
        assert!(case.check("relation", &json!("in_law")).is_ok());
        assert_eq!(
            case.check("children", &json!(21)).unwrap_err().code(),
            "out_of_range"
        );
        assert_eq!(
            case.check("source", &json!("radio")).unwrap_err().code(),
            "unknown_choice"
        );
        assert_eq!(
            case.check("source", &json!(["police"])).unwrap_err().code(),
            "wrong_type"
        );
        assert_eq!(
            case.check("safe_to_call", &json!(true)).unwrap_err().code(),
            "wrong_type"
        );
    }

    #[test]
    fn values_of_the_wrong_shape_are_refused_with_a_reason() {
        let case = Kind::Case;
        assert_eq!(
            case.check("age", &json!("34")).unwrap_err().code(),
            "wrong_type"
        );
        assert_eq!(
            case.check("age", &json!(121)).unwrap_err().code(),
            "out_of_range"
        );
        assert_eq!(
            case.check("age", &json!(3.5)).unwrap_err().code(),
            "wrong_type"
        );
        assert_eq!(
            case.check("phone", &json!("call me")).unwrap_err().code(),
            "not_a_phone"
        );
        assert_eq!(
            case.check("violence", &json!(["physical", "physical"]))
                .unwrap_err()
                .code(),
            "unknown_choice"
        );
        assert_eq!(
            case.check("violence", &json!(["bad"])).unwrap_err().code(),
            "unknown_choice"
        );
        let long = "अ".repeat(201);
        assert_eq!(
            case.check("name", &json!(long)).unwrap_err().code(),
            "too_long"
        );
        assert!(case.check("name", &json!("अ".repeat(200))).is_ok());
    }

    #[test]
    fn a_phone_is_an_indian_mobile_number() {
        for good in [
            "98765 43210",
            "9876543210",
            "+91 98765-43210",
            "91 6123456789",
            "07012345678",
        ] {
            assert!(is_phone(good), "{good}");
        }
        assert_eq!(
            mobile_digits("+91 98765-43210").as_deref(),
            Some("9876543210")
        );
        for bad in [
            "55512",
            "5876543210",
            "98765 4321",
            "+1 98765 43210",
            "+9876543210",
            "98765432100",
            "call me",
            "",
        ] {
            assert!(!is_phone(bad), "{bad}");
        }
    }

    #[test]
    fn a_date_is_a_real_day_written_year_month_day() {
        assert_eq!(parse_date("2026-02-28"), Some((2026, 2, 28)));
        assert_eq!(parse_date("2024-02-29"), Some((2024, 2, 29)));
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-04-31",
            "26-04-01",
            "2026/04/01",
            "1899-12-31",
            "2101-01-01",
            "1900-02-29",
            "2100-02-29",
            "2026-4-1",
            "2026-2-1",
            "+2026-01-01",
            " 2026-01-01",
            "2026-01-01 ",
            "2026-01-+1",
            "2026-00-10",
            "2026-01-00",
            "२०२६-01-01",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert_eq!(parse_date("2000-02-29"), Some((2000, 2, 29)));
        assert_eq!(parse_date("1900-01-01"), Some((1900, 1, 1)));
        assert_eq!(parse_date("2100-12-31"), Some((2100, 12, 31)));
        assert_eq!(day_number((1970, 1, 1)), 0);
        assert_eq!(day_number((2026, 3, 1)) - day_number((2026, 2, 28)), 1);
        assert_eq!(day_number((2024, 3, 1)) - day_number((2024, 2, 28)), 2);
        assert_eq!(day_number((2000, 1, 1)), 10_957);
        for date in [
            (1970, 1, 1),
            (2024, 2, 29),
            (2026, 12, 31),
            (2027, 1, 1),
            (1900, 3, 1),
        ] {
            assert_eq!(date_of_day(day_number(date)), date);
        }
        let service = Kind::Service;
        assert!(service.check("admitted_on", &json!("2026-11-29")).is_ok());
        assert_eq!(
            service
                .check("admitted_on", &json!("29/11/2026"))
                .unwrap_err()
                .code(),
            "not_a_date"
        );
    }

    /// The calendar against days counted by hand, and its round trips over every day it accepts.
    mod calendar {
        use super::*;
        use proptest::prelude::*;

        /// 1900-01-01 and 2100-12-31, as days from 1970-01-01.
        const FIRST: i64 = -25_567;
        const LAST: i64 = 47_846;

        fn written((year, month, day): (i32, u32, u32)) -> String {
            format!("{year:04}-{month:02}-{day:02}")
        }

        #[test]
        fn days_counted_by_hand_are_the_calendars() {
            for (date, days) in [
                ((1900, 1, 1), FIRST),
                ((1900, 3, 1), -25_508),
                ((1970, 1, 1), 0),
                ((2000, 1, 1), 10_957),
                ((2000, 2, 29), 11_016),
                ((2024, 2, 29), 19_782),
                ((2026, 11, 29), 20_786),
                ((2100, 12, 31), LAST),
            ] {
                assert_eq!(day_number(date), days, "{date:?}");
                assert_eq!(date_of_day(days), date, "{days}");
            }
            // A day past the month's end counts on, as the hand-written count did.
            assert_eq!(day_number((2026, 2, 31)), day_number((2026, 3, 3)));
            assert_eq!(day_number((2024, 2, 31)), day_number((2024, 3, 2)));
        }

        proptest! {
            #[test]
            fn every_day_from_1900_to_2100_comes_back_from_its_number(days in FIRST..=LAST) {
                let date = date_of_day(days);
                prop_assert_eq!(day_number(date), days);
                prop_assert_eq!(parse_date(&written(date)), Some(date));
                let (year, month, day) = date;
                let next = date_of_day(days + 1);
                prop_assert!(
                    next == (year, month, day + 1)
                        || next == (year, month + 1, 1)
                        || next == (year + 1, 1, 1),
                    "{:?} then {:?}", date, next
                );
            }

            #[test]
            fn a_date_is_read_only_as_it_is_written(
                text in "[ +-]?[0-9]{1,5}-[+0-9]{1,3}-[+0-9]{1,3} ?"
            ) {
                if let Some(date) = parse_date(&text) {
                    prop_assert_eq!(written(date), text);
                }
            }

            #[test]
            fn a_well_written_date_is_refused_only_when_no_such_day_is_in_range(
                text in "[12][0-9]{3}-[01][0-9]-[0-3][0-9]"
            ) {
                let part = |range: std::ops::Range<usize>| text[range].parse::<u32>().unwrap();
                let date = (part(0..4) as i32, part(5..7), part(8..10));
                let real = (1..=12).contains(&date.1)
                    && date.2 >= 1
                    && date_of_day(day_number(date)) == date;
                let in_range = (1900..=2100).contains(&date.0);
                prop_assert_eq!(parse_date(&text), (real && in_range).then_some(date));
            }
        }
    }

    #[test]
    fn services_sessions_and_notes_name_their_case() {
        let case = crate::RecordId::new().to_string();
        for kind in ["service", "session", "note"] {
            let kind = Kind::parse(kind).unwrap();
            assert_eq!(Kind::parse(kind.as_str()), Ok(kind));
            assert!(kind.check(CASE, &json!(case)).is_ok());
            assert_eq!(
                kind.check(CASE, &json!("case 7")).unwrap_err().code(),
                "not_a_record"
            );
        }
        assert!(Kind::Service.check("service", &json!("shelter")).is_ok());
        assert!(Kind::Service.check("report", &json!("dir")).is_ok());
        assert!(Kind::Session.check("session_kind", &json!("joint")).is_ok());
        assert_eq!(
            Kind::Session
                .check("session_number", &json!(0))
                .unwrap_err()
                .code(),
            "out_of_range"
        );
        // A note has no way to be deleted or assigned: it is written once.
        assert_eq!(
            Kind::Note.check(DELETED, &json!(true)).unwrap_err().code(),
            "unknown_field"
        );
    }

    #[test]
    fn a_camp_counts_who_came_within_reason_and_a_case_names_its_camp() {
        let camp = Kind::parse("camp").unwrap();
        assert_eq!(camp.as_str(), "camp");
        for group in ATTENDANCE {
            assert!(camp.check(group, &json!(0)).is_ok());
            assert!(camp.check(group, &json!(MOST_AT_A_CAMP)).is_ok());
            for absurd in [json!(-1), json!(MOST_AT_A_CAMP + 1)] {
                assert_eq!(
                    camp.check(group, &absurd).unwrap_err().code(),
                    "out_of_range"
                );
            }
            assert_eq!(
                camp.check(group, &json!("forty")).unwrap_err().code(),
                "wrong_type"
            );
        }
        assert!(camp.check("topics", &json!(["pocso", "helplines"])).is_ok());
        assert_eq!(
            camp.check("topics", &json!(["astrology"]))
                .unwrap_err()
                .code(),
            "unknown_choice"
        );
        assert_eq!(
            camp.check("held_on", &json!("2026-02-30"))
                .unwrap_err()
                .code(),
            "not_a_date"
        );
        assert!(
            Kind::Case
                .check(CAMP, &json!(crate::RecordId::new().to_string()))
                .is_ok()
        );
        assert_eq!(
            Kind::Case.check(CAMP, &json!("Rampur")).unwrap_err().code(),
            "not_a_record"
        );
    }

    #[test]
    fn closing_a_case_records_why() {
        let case = Kind::Case;
        assert!(case.check("status", &json!("closed")).is_ok());
        assert!(case.check("closure", &json!("settlement")).is_ok());
        assert!(case.check("settlement_signed", &json!(true)).is_ok());
        assert!(
            case.check("consent", &json!(["services", "police"]))
                .is_ok()
        );
        assert_eq!(
            case.check("closure", &json!("bored")).unwrap_err().code(),
            "unknown_choice"
        );
    }

    #[test]
    fn an_attachments_digest_is_64_lowercase_hexadecimal_digits() {
        let check = |value: Value| Kind::Attachment.check("sha256", &value);
        assert_eq!(check(Value::from("0f".repeat(32))), Ok(()));
        for wrong in [
            "0F".repeat(32),
            "0f".repeat(31),
            format!("{}g", "0".repeat(63)),
        ] {
            assert_eq!(
                check(Value::from(wrong)).map_err(|invalid| invalid.code()),
                Err("not_a_digest")
            );
        }
        assert!(Kind::Attachment.check("size", &Value::from(0)).is_err());
        assert!(
            Kind::Attachment
                .check("media_type", &Value::from("text/html"))
                .is_err()
        );
    }
}
