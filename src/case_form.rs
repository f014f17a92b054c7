//! The rules of the new-case form: what a worker typed becomes the fields of a case, or a problem
//! to show next to each field that needs correcting, in her language.

use crate::i18n::{Lang, Text, fill, t};
use sakhi_domain::schema::{VIOLENCE_KINDS, is_phone};
use sakhi_domain::{Invalid, Kind};
use serde_json::Value;

/// The form as typed: text exactly as in the inputs, the one choice made in each group of
/// buttons (empty for none), and the chosen kinds of violence.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseDraft {
    pub name: String,
    pub age: String,
    pub phone: String,
    pub safe_to_call: String,
    pub safe_hours: String,
    pub village: String,
    pub block: String,
    pub district: String,
    pub source: String,
    pub violence: Vec<String>,
    pub responsible: String,
    pub relation: String,
    pub children: String,
    pub description: String,
}

/// What is wrong with one field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    NameRequired,
    SourceRequired,
    ViolenceRequired,
    Age,
    Children,
    Phone,
    TooLong {
        max_chars: usize,
    },
    /// Anything else the schema refuses; the form should never let it through.
    Invalid,
}

impl Problem {
    /// The message shown next to the field.
    pub fn message(self, lang: Lang) -> String {
        match self {
            Problem::NameRequired => t(lang, Text::ProblemNameRequired).to_owned(),
            Problem::SourceRequired => t(lang, Text::ProblemSourceRequired).to_owned(),
            Problem::ViolenceRequired => t(lang, Text::ProblemViolenceRequired).to_owned(),
            Problem::Age => t(lang, Text::ProblemAge).to_owned(),
            Problem::Children => t(lang, Text::ProblemChildren).to_owned(),
            Problem::Phone => t(lang, Text::ProblemPhone).to_owned(),
            Problem::TooLong { max_chars } => {
                fill(t(lang, Text::ProblemTooLong), "n", &max_chars.to_string())
            }
            Problem::Invalid => t(lang, Text::ProblemInvalid).to_owned(),
        }
    }

    fn from_invalid(invalid: &Invalid) -> Problem {
        match invalid {
            Invalid::OutOfRange { field, .. } if field == "children" => Problem::Children,
            Invalid::OutOfRange { .. } => Problem::Age,
            Invalid::NotAPhone { .. } => Problem::Phone,
            Invalid::TooLong { max_chars, .. } => Problem::TooLong {
                max_chars: *max_chars,
            },
            _ => Problem::Invalid,
        }
    }
}

/// The fields of a new case and their values, in the schema's order.
pub type Edits = Vec<(&'static str, Value)>;
/// Each field with a problem, in the form's order.
pub type Problems = Vec<(&'static str, Problem)>;

impl CaseDraft {
    /// The case's fields, or every problem at once so the worker can correct them in one pass.
    /// Empty optional fields are left out rather than stored empty. Fields are read in the form's
    /// order, which is the schema's, so edits and problems come out in that order too.
    pub fn parse(&self) -> Result<Edits, Problems> {
        let mut read = Reading::default();

        let name = self.name.trim();
        if name.is_empty() {
            read.problem("name", Problem::NameRequired);
        } else {
            read.keep("name", Value::from(name));
        }

        read.optional_number("age", &self.age, Problem::Age);

        let phone = self.phone.trim();
        if !phone.is_empty() {
            if is_phone(phone) {
                read.keep("phone", Value::from(phone));
            } else {
                read.problem("phone", Problem::Phone);
            }
        }

        // A choice not offered is refused by the schema, like text too long.
        read.optional_text("safe_to_call", &self.safe_to_call);
        read.optional_text("safe_hours", &self.safe_hours);
        read.optional_text("village", &self.village);
        read.optional_text("block", &self.block);
        read.optional_text("district", &self.district);
        if self.source.trim().is_empty() {
            read.problem("source", Problem::SourceRequired);
        } else {
            read.keep("source", Value::from(self.source.trim()));
        }

        // In the schema's order, each once, whatever order they were ticked in.
        let violence: Vec<Value> = VIOLENCE_KINDS
            .iter()
            .filter(|code| self.violence.iter().any(|chosen| chosen == *code))
            .map(|code| Value::from(*code))
            .collect();
        if violence.is_empty() {
            read.problem("violence", Problem::ViolenceRequired);
        } else {
            read.keep("violence", Value::Array(violence));
        }

        read.optional_text("responsible", &self.responsible);
        read.optional_text("relation", &self.relation);
        read.optional_number("children", &self.children, Problem::Children);
        read.optional_text("description", &self.description);

        if read.problems.is_empty() {
            Ok(read.edits)
        } else {
            Err(read.problems)
        }
    }
}

/// What [`CaseDraft::parse`] has found so far.
#[derive(Default)]
struct Reading {
    edits: Edits,
    problems: Problems,
}

impl Reading {
    /// Keeps a field's value if the schema takes it: it has the last word, on the device as on the
    /// server.
    fn keep(&mut self, field: &'static str, value: Value) {
        match Kind::Case.check(field, &value) {
            Ok(()) => self.edits.push((field, value)),
            Err(invalid) => self.problem(field, Problem::from_invalid(&invalid)),
        }
    }

    fn problem(&mut self, field: &'static str, problem: Problem) {
        self.problems.push((field, problem));
    }

    /// Keeps text typed into an optional field (or the code chosen in an optional group of
    /// buttons), trimmed; nothing if it was left empty.
    fn optional_text(&mut self, field: &'static str, typed: &str) {
        let typed = typed.trim();
        if !typed.is_empty() {
            self.keep(field, Value::from(typed));
        }
    }

    /// Keeps a whole number typed into an optional field; `problem` if it is not one.
    fn optional_number(&mut self, field: &'static str, typed: &str, problem: Problem) {
        let typed = typed.trim();
        if !typed.is_empty() {
            match typed.parse::<i64>() {
                Ok(number) => self.keep(field, Value::from(number)),
                Err(_) => self.problem(field, problem),
            }
        }
    }
}

/// Whether a case is a child's: she is under 18, so the centre follows the rules for children
/// (POCSO, the Child Welfare Committee).
pub fn is_child(age: Option<i64>) -> bool {
    age.is_some_and(|years| years < 18)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn draft() -> CaseDraft {
        CaseDraft {
            name: "  सीता देवी ".into(),
            age: "34".into(),
            phone: "+91 98765 43210".into(),
            safe_to_call: "no".into(),
            safe_hours: " after 2 pm ".into(),
            village: "रामपुर".into(),
            block: "".into(),
            district: "Dharampur".into(),
            source: "helpline_181".into(),
            violence: vec!["physical".into(), "dowry_harassment".into()],
            responsible: "Ramesh".into(),
            relation: "husband".into(),
            children: "2".into(),
            description: "".into(),
        }
    }

    #[test]
    fn a_complete_draft_becomes_the_fields_of_a_case() {
        let edits = draft().parse().unwrap();
        assert_eq!(
            edits,
            vec![
                ("name", json!("सीता देवी")),
                ("age", json!(34)),
                ("phone", json!("+91 98765 43210")),
                ("safe_to_call", json!("no")),
                ("safe_hours", json!("after 2 pm")),
                ("village", json!("रामपुर")),
                ("district", json!("Dharampur")),
                ("source", json!("helpline_181")),
                ("violence", json!(["dowry_harassment", "physical"])),
                ("responsible", json!("Ramesh")),
                ("relation", json!("husband")),
                ("children", json!(2)),
            ]
        );
    }

    #[test]
    fn children_must_be_a_whole_number_up_to_20() {
        for children in ["-1", "21", "two"] {
            let problems = CaseDraft {
                children: children.into(),
                ..draft()
            }
            .parse()
            .unwrap_err();
            assert_eq!(
                problems,
                vec![("children", Problem::Children)],
                "{children}"
            );
        }
    }

    #[test]
    fn a_name_how_she_reached_the_centre_and_a_kind_of_violence_are_required() {
        let empty = CaseDraft::default();
        assert_eq!(
            empty.parse().unwrap_err(),
            vec![
                ("name", Problem::NameRequired),
                ("source", Problem::SourceRequired),
                ("violence", Problem::ViolenceRequired)
            ]
        );
        assert_eq!(
            Problem::SourceRequired.message(Lang::Hi),
            t(Lang::Hi, Text::ProblemSourceRequired)
        );
    }

    #[test]
    fn a_choice_not_offered_is_refused() {
        let problems = CaseDraft {
            source: "radio".into(),
            safe_to_call: "maybe".into(),
            ..draft()
        }
        .parse()
        .unwrap_err();
        assert_eq!(
            problems,
            vec![
                ("safe_to_call", Problem::Invalid),
                ("source", Problem::Invalid)
            ]
        );
    }

    #[test]
    fn a_girl_under_18_is_a_child_case() {
        assert!(is_child(Some(17)));
        assert!(is_child(Some(0)));
        assert!(!is_child(Some(18)));
        assert!(!is_child(None));
    }

    #[test]
    fn age_must_be_a_whole_number_of_years_up_to_120() {
        for age in ["-1", "121", "3.5", "thirty", "1e2"] {
            let problems = CaseDraft {
                age: age.into(),
                ..draft()
            }
            .parse()
            .unwrap_err();
            assert_eq!(problems, vec![("age", Problem::Age)], "{age}");
        }
        for age in ["0", "120", " 17 "] {
            let draft = CaseDraft {
                age: age.into(),
                ..draft()
            };
            assert!(draft.parse().is_ok(), "{age}");
        }
    }

    #[test]
    fn a_phone_number_must_look_like_one() {
        let problems = CaseDraft {
            phone: "call her".into(),
            ..draft()
        }
        .parse()
        .unwrap_err();
        assert_eq!(problems, vec![("phone", Problem::Phone)]);
    }

    #[test]
    fn text_longer_than_the_schema_allows_is_refused_with_the_limit() {
        let problems = CaseDraft {
            name: "अ".repeat(201),
            ..draft()
        }
        .parse()
        .unwrap_err();
        assert_eq!(
            problems,
            vec![("name", Problem::TooLong { max_chars: 200 })]
        );
        assert_eq!(
            problems[0].1.message(Lang::Hi),
            "यह बहुत लंबा है: अधिकतम 200 अक्षर।"
        );
    }

    #[test]
    fn problems_come_in_the_forms_order_whichever_rule_found_them() {
        let problems = CaseDraft {
            age: "old".into(),
            village: "ग".repeat(201),
            violence: Vec::new(),
            ..draft()
        }
        .parse()
        .unwrap_err();
        assert_eq!(
            problems,
            vec![
                ("age", Problem::Age),
                ("village", Problem::TooLong { max_chars: 200 }),
                ("violence", Problem::ViolenceRequired),
            ]
        );
    }

    #[test]
    fn unknown_kinds_of_violence_are_ignored() {
        let edits = CaseDraft {
            violence: vec!["other".into(), "made_up".into(), "other".into()],
            ..draft()
        }
        .parse()
        .unwrap();
        assert!(edits.contains(&("violence", json!(["other"]))));
    }
}
