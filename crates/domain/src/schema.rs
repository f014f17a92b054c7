//! Record kinds, their fields and what each field may hold. A change naming anything else is
//! refused, on the device and on the server alike.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;

/// What a record is. Only cases exist yet; services, sessions, follow-ups and camps follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Case,
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
        }
    }
}

/// Whether a record is deleted is a field like any other, so deletion merges like any edit.
pub const DELETED: &str = "deleted";
/// The field holding the id of the account a record is assigned to.
pub const ASSIGNED_TO: &str = "assigned_to";

impl Kind {
    pub fn parse(name: &str) -> Result<Kind, Invalid> {
        match name {
            "case" => Ok(Kind::Case),
            other => Err(Invalid::UnknownKind(other.to_owned())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Case => "case",
        }
    }

    /// The fields of this kind, in the order a form shows them.
    pub fn fields(self) -> &'static [(&'static str, FieldType)] {
        match self {
            Kind::Case => &[
                ("name", FieldType::Text { max_chars: 200 }),
                ("age", FieldType::Whole { min: 0, max: 120 }),
                ("phone", FieldType::Phone),
                ("safe_to_call", FieldType::Choice(SAFE_TO_CALL)),
                ("safe_hours", FieldType::Text { max_chars: 100 }),
                ("village", FieldType::Text { max_chars: 200 }),
                ("block", FieldType::Text { max_chars: 200 }),
                ("district", FieldType::Text { max_chars: 200 }),
                ("source", FieldType::Choice(SOURCES)),
                ("violence", FieldType::Choices(VIOLENCE_KINDS)),
                ("responsible", FieldType::Text { max_chars: 200 }),
                ("relation", FieldType::Choice(RELATIONS)),
                ("children", FieldType::Whole { min: 0, max: 20 }),
                ("description", FieldType::Text { max_chars: 4000 }),
                // The id of the account the case is assigned to: an outreach worker sees the
                // cases she created and those assigned to her.
                (ASSIGNED_TO, FieldType::Text { max_chars: 36 }),
                (DELETED, FieldType::Flag),
            ],
        }
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
        field_type.check(field, value)
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
        }
        Ok(())
    }
}

/// A phone number as workers write it: 6 to 15 digits, an optional leading `+`, spaces and dashes.
pub fn is_phone(text: &str) -> bool {
    let rest = text.trim().strip_prefix('+').unwrap_or(text.trim());
    let digits = rest.chars().filter(char::is_ascii_digit).count();
    rest.chars()
        .all(|c| c.is_ascii_digit() || c == ' ' || c == '-')
        && (6..=15).contains(&digits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
        assert_eq!(Kind::parse("camp").unwrap_err().code(), "unknown_kind");
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
}
