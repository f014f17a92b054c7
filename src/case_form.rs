//! The rules of the new-case form: what a worker typed becomes the fields of a case, or a problem
//! to show next to each field that needs correcting, in her language.

use crate::i18n::{Lang, Text, fill, t};
use sakhi_domain::schema::{
    ATTENDANCE, CAMP, CONSENTS, MOST_AT_A_CAMP, MOST_ATTACHMENT_BYTES, VIOLENCE_KINDS, is_phone,
    mobile_digits,
};
use sakhi_domain::search::fold;
use sakhi_domain::{Invalid, Kind, Record};
use serde_json::Value;

/// The form as typed: text exactly as in the inputs, the one choice made in each group of
/// buttons (empty for none), and the chosen kinds of violence.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseDraft {
    pub name: String,
    pub alias: String,
    pub age: String,
    pub phone: String,
    pub safe_to_call: String,
    pub safe_hours: String,
    pub village: String,
    pub block: String,
    pub district: String,
    pub source: String,
    /// The id of the camp she was registered at, when the form was opened from one.
    pub camp: String,
    pub violence: Vec<String>,
    pub responsible: String,
    pub relation: String,
    pub children: String,
    pub danger: String,
    pub consent: Vec<String>,
    pub description: String,
}

/// Who is registering the case, and on what day: her consent is recorded as taken by this worker
/// on this day.
#[derive(Clone, Copy, Debug)]
pub struct Taken<'a> {
    pub by: &'a str,
    /// `YYYY-MM-DD`, the phone's own day.
    pub on: &'a str,
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
    Date,
    ServiceRequired,
    ClosureRequired,
    NoteRequired,
    PlaceRequired,
    /// An attachment without a file taken, chosen, recorded or drawn.
    FileRequired,
    /// An attachment without its kind.
    KindRequired,
    /// A file larger than any server keeps.
    FileTooLarge,
    /// A file of a type Sakhi does not keep.
    FileUnsuitable,
    Attendance,
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
            Problem::Date => t(lang, Text::ProblemDate).to_owned(),
            Problem::ServiceRequired => t(lang, Text::ProblemServiceRequired).to_owned(),
            Problem::ClosureRequired => t(lang, Text::ProblemClosureRequired).to_owned(),
            Problem::NoteRequired => t(lang, Text::ProblemNoteRequired).to_owned(),
            Problem::PlaceRequired => t(lang, Text::ProblemPlaceRequired).to_owned(),
            Problem::FileRequired => t(lang, Text::ProblemFileRequired).to_owned(),
            Problem::KindRequired => t(lang, Text::ProblemKindRequired).to_owned(),
            Problem::FileTooLarge => fill(
                t(lang, Text::ProblemFileTooLarge),
                "n",
                &(MOST_ATTACHMENT_BYTES / (1024 * 1024)).to_string(),
            ),
            Problem::FileUnsuitable => t(lang, Text::ProblemFileUnsuitable).to_owned(),
            Problem::Attendance => fill(
                t(lang, Text::ProblemAttendance),
                "n",
                &MOST_AT_A_CAMP.to_string(),
            ),
            Problem::TooLong { max_chars } => {
                fill(t(lang, Text::ProblemTooLong), "n", &max_chars.to_string())
            }
            Problem::Invalid => t(lang, Text::ProblemInvalid).to_owned(),
        }
    }

    fn from_invalid(invalid: &Invalid) -> Problem {
        match invalid {
            Invalid::OutOfRange { field, .. } if field == "children" => Problem::Children,
            Invalid::OutOfRange { field, .. } if field == "age" => Problem::Age,
            Invalid::OutOfRange { field, .. } if ATTENDANCE.contains(&field.as_str()) => {
                Problem::Attendance
            }
            Invalid::NotADate { .. } => Problem::Date,
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
    pub fn parse(&self, taken: Taken<'_>) -> Result<Edits, Problems> {
        let mut read = Reading::new(Kind::Case);

        // A woman who does not want her name kept may be registered under an alias.
        if self.name.trim().is_empty() && self.alias.trim().is_empty() {
            read.problem("name", Problem::NameRequired);
        } else {
            read.optional_text("name", &self.name);
            read.optional_text("alias", &self.alias);
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
        read.optional_text(CAMP, &self.camp);

        let violence = chosen(VIOLENCE_KINDS, &self.violence);
        if violence.as_array().is_some_and(Vec::is_empty) {
            read.problem("violence", Problem::ViolenceRequired);
        } else {
            read.keep("violence", violence);
        }

        read.optional_text("responsible", &self.responsible);
        read.optional_text("relation", &self.relation);
        read.optional_number("children", &self.children, Problem::Children);
        read.optional_text("danger", &self.danger);

        let consent = chosen(CONSENTS, &self.consent);
        if consent.as_array().is_some_and(|codes| !codes.is_empty()) {
            read.keep("consent", consent);
            read.keep("consent_by", Value::from(taken.by));
            read.keep("consent_on", Value::from(taken.on));
        }
        read.optional_text("description", &self.description);
        read.finish()
    }
}

/// The codes ticked in a group of boxes, in the schema's order, each once, whatever order they
/// were ticked in; codes not offered are dropped.
fn chosen(offered: &[&str], ticked: &[String]) -> Value {
    offered
        .iter()
        .filter(|code| ticked.iter().any(|ticked| ticked == *code))
        .map(|code| Value::from(*code))
        .collect()
}

/// What a form's reading has found so far: the fields of a record of `kind` to save, or the
/// problems to show.
pub(crate) struct Reading {
    kind: Kind,
    edits: Edits,
    problems: Problems,
}

impl Reading {
    pub(crate) fn new(kind: Kind) -> Reading {
        Reading {
            kind,
            edits: Edits::new(),
            problems: Problems::new(),
        }
    }

    /// The fields to save, or every problem found.
    pub(crate) fn finish(self) -> Result<Edits, Problems> {
        if self.problems.is_empty() {
            Ok(self.edits)
        } else {
            Err(self.problems)
        }
    }

    /// Keeps a field's value if the schema takes it: it has the last word, on the device as on the
    /// server.
    pub(crate) fn keep(&mut self, field: &'static str, value: Value) {
        match self.kind.check(field, &value) {
            Ok(()) => self.edits.push((field, value)),
            Err(invalid) => self.problem(field, Problem::from_invalid(&invalid)),
        }
    }

    pub(crate) fn problem(&mut self, field: &'static str, problem: Problem) {
        self.problems.push((field, problem));
    }

    /// Keeps text typed into an optional field (or the code chosen in an optional group of
    /// buttons), trimmed; nothing if it was left empty.
    pub(crate) fn optional_text(&mut self, field: &'static str, typed: &str) {
        let typed = typed.trim();
        if !typed.is_empty() {
            self.keep(field, Value::from(typed));
        }
    }

    /// Keeps a whole number typed into an optional field; `problem` if it is not one.
    pub(crate) fn optional_number(&mut self, field: &'static str, typed: &str, problem: Problem) {
        let typed = typed.trim();
        if !typed.is_empty() {
            match typed.parse::<i64>() {
                Ok(number) => self.keep(field, Value::from(number)),
                Err(_) => self.problem(field, problem),
            }
        }
    }
}

/// What a case is compared by when a new one might be the same woman: her mobile number, and her
/// name (or alias) and village folded as a search folds them, ignoring case, spacing and matras.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Likeness {
    phone: Option<String>,
    name: String,
    /// The folded first word of the name: "Sunita" is like "Sunita Devi".
    first: String,
    village: String,
}

impl Likeness {
    pub fn new(name: &str, phone: &str, village: &str) -> Likeness {
        Likeness {
            phone: mobile_digits(phone),
            name: fold(name),
            first: fold(name.split_whitespace().next().unwrap_or_default()),
            village: fold(village),
        }
    }

    pub fn of(case: &Record) -> Likeness {
        let text = |field| case.text(field).unwrap_or_default();
        let name = case.text("name").or_else(|| case.text("alias"));
        Likeness::new(name.unwrap_or_default(), text("phone"), text("village"))
    }

    /// Whether `known` may be the same woman: the same mobile number, or a similar name in the
    /// same village.
    pub fn is_like(&self, known: &Likeness) -> bool {
        if self.phone.is_some() && self.phone == known.phone {
            return true;
        }
        !self.village.is_empty()
            && self.village == known.village
            && !self.first.is_empty()
            && (self.name == known.name || self.first == known.first)
    }
}

/// Whether a case is a child's: she is under 18, so the centre follows the rules for children
/// (POCSO, the Child Welfare Committee).
pub fn is_child(age: Option<i64>) -> bool {
    age.is_some_and(|years| years < 18)
}

/// One step of the new-case form, which a phone shows one at a time: her safety first, then who
/// she is, what happened, what else the centre records, and her consent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    Safety,
    Who,
    What,
    More,
    Consent,
}

impl Step {
    /// Every step, in the order the form asks them.
    pub const ALL: [Step; 5] = [
        Step::Safety,
        Step::Who,
        Step::What,
        Step::More,
        Step::Consent,
    ];

    /// The fields the step asks, in the order it shows them.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Step::Safety => &["danger", "safe_to_call", "safe_hours"],
            Step::Who => &[
                "name", "alias", "age", "phone", "village", "block", "district", "children",
            ],
            Step::What => &["violence", "description"],
            Step::More => &["source", "responsible", "relation"],
            Step::Consent => &["consent"],
        }
    }

    /// The step that asks `field`; `None` for what no step asks (the camp she was registered at).
    pub fn of(field: &str) -> Option<Step> {
        Step::ALL
            .into_iter()
            .find(|step| step.fields().contains(&field))
    }

    /// The step's name, as the step indicator and a heading say it.
    pub fn name(self) -> Text {
        match self {
            Step::Safety => Text::FormStepSafety,
            Step::Who => Text::FormStepWho,
            Step::What => Text::FormStepWhat,
            Step::More => Text::FormStepMore,
            Step::Consent => Text::FormStepConsent,
        }
    }

    /// The steps a form asks: every one at the centre; at a camp, those that ask something
    /// there.
    pub fn asked(at_camp: bool) -> Vec<Step> {
        Step::ALL
            .into_iter()
            .filter(|step| step.fields().iter().any(|field| asked(field, at_camp)))
            .collect()
    }

    /// The step kept with a draft (its position in `Step::ALL`, as text), or the first step asked
    /// at or before it when it is not asked now: she comes back where she was.
    pub fn kept(position: &str, asked: &[Step]) -> Step {
        let kept = position
            .parse::<usize>()
            .ok()
            .and_then(|at| Step::ALL.get(at).copied())
            .unwrap_or(Step::Safety);
        asked
            .iter()
            .copied()
            .rfind(|step| *step <= kept)
            .or_else(|| asked.first().copied())
            .unwrap_or(Step::Safety)
    }

    /// Its position in `Step::ALL`, as a draft keeps it.
    pub fn position(self) -> usize {
        Step::ALL
            .iter()
            .position(|step| *step == self)
            .unwrap_or_default()
    }
}

/// Whether the form asks `field`. A camp asks only what a worker needs there, in the crowd: her
/// safety, how to find her (name, age, phone, village), what happened and her consent. The block,
/// the district and how she reached the centre come from the camp; the person responsible and the
/// children are for the centre to ask later, on the case's Edit details.
pub fn asked(field: &str, at_camp: bool) -> bool {
    const LEFT_FOR_THE_CENTRE: [&str; 6] = [
        "block",
        "district",
        "source",
        "responsible",
        "relation",
        "children",
    ];
    !at_camp || !LEFT_FOR_THE_CENTRE.contains(&field)
}

/// The problem to take her to first: the one in the earliest step, and in that step the one
/// highest on the screen.
pub fn first_problem(problems: &[(&'static str, Problem)]) -> Option<(Step, &'static str)> {
    problems
        .iter()
        .filter_map(|&(field, _)| {
            let step = Step::of(field)?;
            let at = step.fields().iter().position(|f| *f == field)?;
            Some((step, at, field))
        })
        .min()
        .map(|(step, _, field)| (step, field))
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
            danger: "".into(),
            consent: Vec::new(),
            description: "".into(),
            ..CaseDraft::default()
        }
    }

    const TAKEN: Taken<'static> = Taken {
        by: "Meena",
        on: "2026-11-29",
    };

    #[test]
    fn a_complete_draft_becomes_the_fields_of_a_case() {
        let edits = draft().parse(TAKEN).unwrap();
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
            .parse(TAKEN)
            .unwrap_err();
            assert_eq!(
                problems,
                vec![("children", Problem::Children)],
                "{children}"
            );
        }
    }

    #[test]
    fn a_case_registered_at_a_camp_names_it() {
        let camp = sakhi_domain::RecordId::new().to_string();
        let typed = CaseDraft {
            source: "awareness_camp".into(),
            camp: camp.clone(),
            ..draft()
        };
        let edits = typed.parse(TAKEN).unwrap();
        let at = edits
            .iter()
            .position(|(field, _)| *field == "camp")
            .unwrap();
        assert_eq!(edits[at], ("camp", Value::from(camp)));
        assert_eq!(edits[at - 1], ("source", Value::from("awareness_camp")));
        // Only a record's id names a camp.
        let typed = CaseDraft {
            camp: "Rampur".into(),
            ..draft()
        };
        assert_eq!(
            typed.parse(TAKEN).unwrap_err(),
            vec![("camp", Problem::Invalid)]
        );
    }

    #[test]
    fn an_alias_does_for_a_name() {
        let edits = CaseDraft {
            name: " ".into(),
            alias: " Didi ".into(),
            ..draft()
        }
        .parse(TAKEN)
        .unwrap();
        assert_eq!(edits[0], ("alias", json!("Didi")));
        assert!(!edits.iter().any(|(field, _)| *field == "name"));
    }

    #[test]
    fn her_consent_is_recorded_with_who_took_it_and_when() {
        let edits = CaseDraft {
            consent: vec!["sharing".into(), "services".into()],
            danger: "yes".into(),
            ..draft()
        }
        .parse(TAKEN)
        .unwrap();
        for expected in [
            ("danger", json!("yes")),
            ("consent", json!(["services", "sharing"])),
            ("consent_by", json!("Meena")),
            ("consent_on", json!("2026-11-29")),
        ] {
            assert!(edits.contains(&expected), "{expected:?}");
        }
        let none = draft().parse(TAKEN).unwrap();
        assert!(!none.iter().any(|(field, _)| field.starts_with("consent")));
    }

    #[test]
    fn a_name_how_she_reached_the_centre_and_a_kind_of_violence_are_required() {
        let empty = CaseDraft::default();
        assert_eq!(
            empty.parse(TAKEN).unwrap_err(),
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
        .parse(TAKEN)
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
            .parse(TAKEN)
            .unwrap_err();
            assert_eq!(problems, vec![("age", Problem::Age)], "{age}");
        }
        for age in ["0", "120", " 17 "] {
            let draft = CaseDraft {
                age: age.into(),
                ..draft()
            };
            assert!(draft.parse(TAKEN).is_ok(), "{age}");
        }
    }

    #[test]
    fn a_phone_number_must_be_an_indian_mobile() {
        for phone in ["call her", "12345 67890", "98765 4321"] {
            let problems = CaseDraft {
                phone: phone.into(),
                ..draft()
            }
            .parse(TAKEN)
            .unwrap_err();
            assert_eq!(problems, vec![("phone", Problem::Phone)], "{phone}");
        }
    }

    #[test]
    fn text_longer_than_the_schema_allows_is_refused_with_the_limit() {
        let problems = CaseDraft {
            name: "अ".repeat(201),
            ..draft()
        }
        .parse(TAKEN)
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
        .parse(TAKEN)
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
        .parse(TAKEN)
        .unwrap();
        assert!(edits.contains(&("violence", json!(["other"]))));
    }

    #[test]
    fn a_possible_duplicate_has_her_phone_or_a_like_name_in_her_village() {
        let known = Likeness::new("सुनीता देवी", "+91 98765-43210", "रामपुर");
        // The same mobile number, written another way, wherever she lives.
        assert!(Likeness::new("", "09876543210", "").is_like(&known));
        // Her name spelt with other matras, or only her first name, in the same village.
        assert!(Likeness::new("सुनिता", "", " राम पुर").is_like(&known));
        assert!(
            Likeness::new("Sunita Devi", "", "Rampur").is_like(&Likeness::new(
                "SUNITA  devi",
                "",
                "rampur"
            ))
        );
        // Another woman of the village, or the same name elsewhere.
        assert!(!Likeness::new("गीता", "", "रामपुर").is_like(&known));
        assert!(!Likeness::new("सुनीता देवी", "", "सोनपुर").is_like(&known));
        assert!(!Likeness::new("", "", "").is_like(&Likeness::default()));
    }

    #[test]
    fn every_field_the_form_shows_is_asked_in_exactly_one_step() {
        let draft = CaseDraft {
            consent: vec!["services".into()],
            danger: "yes".into(),
            description: "Beaten at home".into(),
            alias: "Didi".into(),
            ..draft()
        };
        for (field, _) in draft.parse(TAKEN).unwrap() {
            if ["consent_by", "consent_on"].contains(&field) {
                continue;
            }
            let steps = Step::ALL
                .iter()
                .filter(|step| step.fields().contains(&field))
                .count();
            assert_eq!(steps, 1, "{field}");
        }
        assert_eq!(Step::of(CAMP), None);
    }

    #[test]
    fn her_safety_comes_first() {
        assert_eq!(Step::asked(false)[0], Step::Safety);
        assert_eq!(Step::asked(true)[0], Step::Safety);
        for field in ["danger", "safe_to_call"] {
            assert_eq!(Step::of(field), Some(Step::Safety));
        }
    }

    #[test]
    fn a_camp_asks_what_it_needs_and_leaves_the_rest_for_the_centre() {
        assert_eq!(
            Step::asked(true),
            vec![Step::Safety, Step::Who, Step::What, Step::Consent]
        );
        assert_eq!(Step::asked(false), Step::ALL.to_vec());
        for field in [
            "danger",
            "safe_to_call",
            "name",
            "alias",
            "age",
            "phone",
            "village",
            "violence",
            "description",
            "consent",
        ] {
            assert!(asked(field, true), "{field}");
        }
        for field in ["block", "district", "source", "responsible", "relation"] {
            assert!(!asked(field, true), "{field}");
            assert!(asked(field, false), "{field}");
        }
    }

    #[test]
    fn a_draft_comes_back_at_its_step_or_the_nearest_one_asked_before_it() {
        let everything = Step::asked(false);
        let at_camp = Step::asked(true);
        let more = Step::More.position().to_string();
        assert_eq!(Step::kept(&more, &everything), Step::More);
        assert_eq!(Step::kept(&more, &at_camp), Step::What);
        assert_eq!(Step::kept("", &everything), Step::Safety);
        assert_eq!(Step::kept("99", &at_camp), Step::Safety);
        assert_eq!(Step::kept("4", &at_camp), Step::Consent);
    }

    #[test]
    fn the_first_problem_is_in_the_earliest_step_whatever_the_schemas_order() {
        let problems = CaseDraft {
            name: String::new(),
            danger: "perhaps".into(),
            violence: Vec::new(),
            ..draft()
        }
        .parse(TAKEN)
        .unwrap_err();
        assert_eq!(problems[0].0, "name");
        assert_eq!(first_problem(&problems), Some((Step::Safety, "danger")));
        let problems = [("village", Problem::Invalid), ("age", Problem::Age)];
        assert_eq!(first_problem(&problems), Some((Step::Who, "age")));
        assert_eq!(first_problem(&[(CAMP, Problem::Invalid)]), None);
    }
}
