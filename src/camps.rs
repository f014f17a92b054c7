//! Awareness camps: the register of camps the centre's outreach workers held, the form that adds
//! one, and what a camp brought in (the cases registered there).
//!
//! Plain Rust over records, so the rules are tested natively.

use crate::case_form::{Edits, Problem, Problems, Reading};
use sakhi_domain::schema::{ATTENDANCE, CAMP, TOPICS};
use sakhi_domain::{Kind, Record};
use serde_json::Value;

/// The camp form as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CampDraft {
    /// `YYYY-MM-DD`, as the date input gives it.
    pub held_on: String,
    pub place: String,
    pub block: String,
    pub district: String,
    pub run_by: String,
    /// Women, girls, men and boys, in [`ATTENDANCE`]'s order.
    pub attendance: [String; 4],
    pub topics: Vec<String>,
    pub notes: String,
}

impl CampDraft {
    /// The camp's fields, or every problem at once, in the form's order.
    pub fn parse(&self) -> Result<Edits, Problems> {
        let mut read = Reading::new(Kind::Camp);
        if self.held_on.trim().is_empty() {
            read.problem("held_on", Problem::Date);
        } else {
            read.optional_text("held_on", &self.held_on);
        }
        if self.place.trim().is_empty() {
            read.problem("place", Problem::PlaceRequired);
        } else {
            read.optional_text("place", &self.place);
        }
        read.optional_text("block", &self.block);
        read.optional_text("district", &self.district);
        read.optional_text("run_by", &self.run_by);
        for (group, typed) in ATTENDANCE.iter().zip(&self.attendance) {
            read.optional_number(group, typed, Problem::Attendance);
        }
        let topics: Value = TOPICS
            .iter()
            .filter(|code| self.topics.iter().any(|ticked| ticked == *code))
            .map(|code| Value::from(*code))
            .collect();
        if topics.as_array().is_some_and(|codes| !codes.is_empty()) {
            read.keep("topics", topics);
        }
        read.optional_text("notes", &self.notes);
        read.finish()
    }
}

/// How many came to a camp, all groups together.
pub fn attendance(camp: &Record) -> i64 {
    ATTENDANCE
        .iter()
        .filter_map(|group| camp.value(group).and_then(Value::as_i64))
        .sum()
}

/// The camps among `records` that are not deleted, the latest held first (then the latest
/// registered).
pub fn register(records: Vec<Record>) -> Vec<Record> {
    let mut camps: Vec<Record> = records
        .into_iter()
        .filter(|record| record.kind == Kind::Camp && !record.is_deleted())
        .collect();
    camps.sort_by(|a, b| {
        let held = |camp: &Record| camp.text("held_on").unwrap_or_default().to_owned();
        held(b).cmp(&held(a)).then(b.id.cmp(&a.id))
    });
    camps
}

/// The cases among `cases` that were registered at `camp`.
pub fn cases_from<'c>(camp: &Record, cases: &'c [Record]) -> Vec<&'c Record> {
    let id = camp.id.to_string();
    cases
        .iter()
        .filter(|case| case.kind == Kind::Case && !case.is_deleted())
        .filter(|case| case.text(CAMP) == Some(id.as_str()))
        .collect()
}

/// The camp being held today, if one is in the register: the home screen offers to register a
/// case there. The latest registered, if there are several.
pub fn held_today<'c>(camps: &'c [Record], today: &str) -> Option<&'c Record> {
    camps
        .iter()
        .filter(|camp| camp.text("held_on") == Some(today))
        .max_by_key(|camp| camp.id)
}

/// Where and when a camp was held, for one line: `Rampur, 29/11/2026`.
pub fn title(camp: &Record) -> String {
    let mut parts = vec![camp.text("place").unwrap_or_default().to_owned()];
    if let Some(on) = camp.text("held_on") {
        parts.push(crate::casework::shown_date(on));
    }
    parts.retain(|part| !part.is_empty());
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn draft() -> CampDraft {
        CampDraft {
            held_on: "2026-11-29".into(),
            place: " Government Girls School, Rampur ".into(),
            block: "सदर".into(),
            district: "Dhar".into(),
            run_by: "Rekha, Sunita".into(),
            attendance: ["42".into(), "18".into(), "".into(), "0".into()],
            topics: vec!["pocso".into(), "helplines".into(), "astrology".into()],
            notes: "".into(),
        }
    }

    use crate::testing::record;

    #[test]
    fn a_camp_keeps_what_was_typed_trimmed_and_topics_in_the_schemas_order() {
        let edits = draft().parse().unwrap();
        assert_eq!(
            edits,
            vec![
                ("held_on", json!("2026-11-29")),
                ("place", json!("Government Girls School, Rampur")),
                ("block", json!("सदर")),
                ("district", json!("Dhar")),
                ("run_by", json!("Rekha, Sunita")),
                ("women", json!(42)),
                ("girls", json!(18)),
                ("boys", json!(0)),
                ("topics", json!(["helplines", "pocso"])),
            ]
        );
    }

    #[test]
    fn a_camp_needs_its_date_and_place_and_sane_counts() {
        let empty = CampDraft::default().parse().unwrap_err();
        assert_eq!(
            empty,
            vec![
                ("held_on", Problem::Date),
                ("place", Problem::PlaceRequired)
            ]
        );
        let mut typed = draft();
        typed.held_on = "2026-02-30".into();
        typed.attendance = ["-3".into(), "10001".into(), "many".into(), "10000".into()];
        assert_eq!(
            typed.parse().unwrap_err(),
            vec![
                ("held_on", Problem::Date),
                ("women", Problem::Attendance),
                ("girls", Problem::Attendance),
                ("men", Problem::Attendance),
            ]
        );
    }

    #[test]
    fn a_camp_counts_who_came_and_the_cases_registered_there() {
        let camp = record(
            Kind::Camp,
            &[
                ("held_on", json!("2026-11-29")),
                ("place", json!("Rampur")),
                ("women", json!(40)),
                ("girls", json!(12)),
                ("boys", json!(3)),
            ],
        );
        assert_eq!(attendance(&camp), 55);
        assert_eq!(title(&camp), "Rampur, 29/11/2026");
        let from_camp = record(
            Kind::Case,
            &[("name", json!("Asha")), (CAMP, json!(camp.id.to_string()))],
        );
        let elsewhere = record(Kind::Case, &[("name", json!("Sita"))]);
        let cases = vec![from_camp.clone(), elsewhere];
        assert_eq!(cases_from(&camp, &cases), vec![&from_camp]);
    }

    #[test]
    fn the_register_lists_the_latest_camp_first_and_knows_todays() {
        let held = |on: &str| record(Kind::Camp, &[("held_on", json!(on))]);
        let (older, today, later_typed) =
            (held("2026-11-20"), held("2026-11-29"), held("2026-11-25"));
        let gone = record(
            Kind::Camp,
            &[("held_on", json!("2026-11-29")), ("deleted", json!(true))],
        );
        let case = record(Kind::Case, &[("name", json!("Asha"))]);
        let camps = register(vec![
            older.clone(),
            today.clone(),
            later_typed.clone(),
            gone,
            case,
        ]);
        assert_eq!(camps, vec![today.clone(), later_typed, older]);
        assert_eq!(held_today(&camps, "2026-11-29"), Some(&today));
        assert_eq!(held_today(&camps, "2026-11-30"), None);
    }
}
