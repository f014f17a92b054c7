//! The centre's figures, counted from its records: the dashboard a phone draws offline and the
//! monthly report a centre sends on. One piece of code for the phone and the server, so that a
//! report made at the desk says what the phone said.
//!
//! Days are India's (UTC+5:30). A case counts from the day it was registered, which is the day its
//! id was made; a service, session, closure or camp from the date written on it, or else the day
//! it was recorded. Deleted records count nowhere.

use crate::schema::{
    ATTENDANCE, CASE, CLOSURES, MERGED_INTO, SERVICES, SOURCES, VIOLENCE_KINDS, parse_day,
};
use crate::{Kind, Record};
use chrono::{DateTime, Datelike, FixedOffset, Months, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// India's time, UTC+5:30 all year round.
pub const INDIA: FixedOffset = FixedOffset::east_opt((5 * 60 + 30) * 60).expect("within a day");

/// India's offset from UTC in milliseconds, for arithmetic on moments and for SQL.
pub const INDIA_OFFSET_MILLIS: u64 = INDIA.local_minus_utc() as u64 * 1_000;

/// The day and time in India at the moment `millis` (since 1970, UTC). A moment beyond chrono's
/// range (some 262,000 years) gives its last.
pub fn india_time(millis: u64) -> NaiveDateTime {
    i64::try_from(millis)
        .ok()
        .and_then(DateTime::from_timestamp_millis)
        .and_then(|utc| utc.naive_utc().checked_add_offset(INDIA))
        .unwrap_or(NaiveDateTime::MAX)
}

/// The day in India at the moment `millis` (since 1970, UTC): it turns at 18:30 UTC.
pub fn india_date(millis: u64) -> NaiveDate {
    india_time(millis).date()
}

/// A date written `YYYY-MM-DD`.
pub fn written_date(date: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

/// A calendar month, written `YYYY-MM`, held as its first day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month(NaiveDate);

impl Month {
    /// `YYYY-MM` between 1900 and 2100, four digits and two; `None` for anything else.
    pub fn parse(text: &str) -> Option<Month> {
        // The shape of the month's first day, so that the two are read by one rule.
        parse_day(&format!("{text}-01")).map(Month)
    }

    /// The month of a date written `YYYY-MM-DD`.
    pub fn of_date(date: &str) -> Option<Month> {
        parse_day(date).map(Month::of)
    }

    /// The month a day falls in.
    pub fn of(date: NaiveDate) -> Month {
        Month(date.with_day(1).unwrap_or(date))
    }

    pub fn year(self) -> i32 {
        self.0.year()
    }

    /// The month of the year, 1 for January.
    pub fn number(self) -> u32 {
        self.0.month()
    }

    /// The month before (chrono's first month stays where it is).
    pub fn previous(self) -> Month {
        self.0
            .checked_sub_months(Months::new(1))
            .map_or(self, Month)
    }

    /// The `n` months up to and including this one, the oldest first.
    pub fn last(self, n: usize) -> Vec<Month> {
        let mut months = Vec::with_capacity(n);
        let mut month = self;
        for _ in 0..n {
            months.push(month);
            month = month.previous();
        }
        months.reverse();
        months
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.number())
    }
}

/// The day in India at the moment `millis` (since 1970, UTC), `YYYY-MM-DD`.
pub fn india_day(millis: u64) -> String {
    written_date(india_date(millis))
}

/// The day a record counts from: the first of `fields` that holds a date, or else the day in
/// India it was made ([`Record::made_millis`]: its id's time, unless its phone's date was ahead).
fn day_of(record: &Record, fields: &[&str]) -> String {
    fields
        .iter()
        .find_map(|field| record.text(field).filter(|text| parse_day(text).is_some()))
        .map(str::to_owned)
        .unwrap_or_else(|| india_day(record.made_millis()))
}

/// The day a case was registered.
pub fn registered_on(case: &Record) -> String {
    day_of(case, &[])
}

/// The day a service was given (its date, a shelter stay's admission).
fn given_on(service: &Record) -> String {
    day_of(service, &["service_on", "admitted_on"])
}

/// How many of each code of a list, every code present (zeros included), by code.
pub type Tally = BTreeMap<String, u64>;

fn empty_tally(codes: &[&str]) -> Tally {
    codes.iter().map(|code| ((*code).to_owned(), 0)).collect()
}

/// Counts each code of `codes` that a field of choices (one code or several) holds.
fn count_codes(tally: &mut Tally, value: Option<&Value>) {
    let codes: Vec<&str> = match value {
        Some(Value::String(code)) => vec![code.as_str()],
        Some(Value::Array(codes)) => codes.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    for code in codes {
        if let Some(n) = tally.get_mut(code) {
            *n += 1;
        }
    }
}

/// The records of one centre, sorted by kind, deleted ones left out.
struct Sorted<'r> {
    cases: Vec<&'r Record>,
    services: Vec<&'r Record>,
    sessions: Vec<&'r Record>,
    camps: Vec<&'r Record>,
}

impl<'r> Sorted<'r> {
    fn of(records: &'r [Record]) -> Sorted<'r> {
        let mut sorted = Sorted {
            cases: Vec::new(),
            services: Vec::new(),
            sessions: Vec::new(),
            camps: Vec::new(),
        };
        for record in records.iter().filter(|record| !record.is_deleted()) {
            match record.kind {
                // A case merged into another as a duplicate is the same woman: she counts once.
                Kind::Case if record.value(MERGED_INTO).is_some() => {}
                Kind::Case => sorted.cases.push(record),
                Kind::Service => sorted.services.push(record),
                Kind::Session => sorted.sessions.push(record),
                Kind::Camp => sorted.camps.push(record),
                Kind::Note | Kind::Closure | Kind::Attachment => {}
            }
        }
        sorted
    }
}

fn is_closed(case: &Record) -> bool {
    case.text("status") == Some("closed")
}

fn is_given(service: &Record) -> bool {
    service.text("service_state") == Some("given")
}

/// What a centre sends on for one month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthlyReport {
    /// `YYYY-MM`.
    pub month: String,
    /// Cases registered in the month.
    pub cases_registered: u64,
    /// Those cases by kind of violence (a case may count under several).
    pub by_violence: Tally,
    /// Those cases by how she reached the centre.
    pub by_source: Tally,
    /// Services given in the month, by service.
    pub services_given: Tally,
    /// Counselling sessions held in the month.
    pub sessions_held: u64,
    /// Cases closed in the month, by reason.
    pub closed_by_reason: Tally,
    /// Awareness camps held in the month.
    pub camps_held: u64,
    /// Who came to them, by group.
    pub attendance: Tally,
}

impl MonthlyReport {
    /// A report for `month` with nothing in it: every count zero, every code of every list there.
    pub fn empty(month: Month) -> MonthlyReport {
        MonthlyReport {
            month: month.to_string(),
            cases_registered: 0,
            by_violence: empty_tally(VIOLENCE_KINDS),
            by_source: empty_tally(SOURCES),
            services_given: empty_tally(SERVICES),
            sessions_held: 0,
            closed_by_reason: empty_tally(CLOSURES),
            camps_held: 0,
            attendance: empty_tally(ATTENDANCE),
        }
    }

    /// The report for `month` from a centre's records.
    pub fn of(month: Month, records: &[Record]) -> MonthlyReport {
        let sorted = Sorted::of(records);
        let in_month = |day: &str| Month::of_date(day) == Some(month);
        let mut report = MonthlyReport::empty(month);
        for case in &sorted.cases {
            if in_month(&registered_on(case)) {
                report.cases_registered += 1;
                count_codes(&mut report.by_violence, case.value("violence"));
                count_codes(&mut report.by_source, case.value("source"));
            }
            if is_closed(case) && in_month(&day_of(case, &["closed_on"])) {
                count_codes(&mut report.closed_by_reason, case.value("closure"));
            }
        }
        for service in sorted.services.iter().filter(|service| is_given(service)) {
            if in_month(&given_on(service)) {
                count_codes(&mut report.services_given, service.value("service"));
            }
        }
        report.sessions_held = sorted
            .sessions
            .iter()
            .filter(|session| in_month(&day_of(session, &["session_on"])))
            .count() as u64;
        for camp in &sorted.camps {
            if in_month(&day_of(camp, &["held_on"])) {
                report.camps_held += 1;
                add_attendance(&mut report.attendance, camp);
            }
        }
        report
    }
}

fn add_attendance(tally: &mut Tally, camp: &Record) {
    for group in ATTENDANCE {
        let came = camp.value(group).and_then(Value::as_u64).unwrap_or(0);
        *tally.entry((*group).to_owned()).or_default() += came;
    }
}

/// How long an open case has been open.
pub const CASE_AGES: &[&str] = &[
    "under_1_month",
    "months_1_to_3",
    "months_3_to_6",
    "months_6_to_12",
    "over_1_year",
];

fn age_of(days: i64) -> &'static str {
    match days {
        ..30 => "under_1_month",
        30..90 => "months_1_to_3",
        90..180 => "months_3_to_6",
        180..365 => "months_6_to_12",
        _ => "over_1_year",
    }
}

/// One month of the dashboard's series.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthFigures {
    /// `YYYY-MM`.
    pub month: String,
    pub new_cases: u64,
    pub camps: u64,
    /// Everyone who came to the month's camps.
    pub attendance: u64,
}

/// The centre's figures on one day, from its records.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    /// Women helped: every case registered, ever, this year and this month.
    pub helped_ever: u64,
    pub helped_this_year: u64,
    pub helped_this_month: u64,
    /// The last twelve months, the oldest first.
    pub months: Vec<MonthFigures>,
    pub by_violence: Tally,
    pub by_source: Tally,
    pub services_given: Tally,
    pub closed_by_reason: Tally,
    pub sessions_held: u64,
    /// The median number of counselling sessions of the cases closed with a settlement.
    pub median_sessions_to_settlement: Option<f64>,
    /// Open cases by how long they have been open ([`CASE_AGES`]).
    pub open_by_age: Tally,
}

impl Dashboard {
    /// The figures on `today` (`YYYY-MM-DD`) from a centre's records.
    pub fn of(records: &[Record], today: &str) -> Dashboard {
        let sorted = Sorted::of(records);
        // A day that is not one counts as 1970-01-01, as the first day of the clock.
        let epoch = DateTime::UNIX_EPOCH.date_naive();
        let today = parse_day(today).unwrap_or(epoch);
        let this_month = Month::of(today);
        let mut figures = Dashboard {
            helped_ever: sorted.cases.len() as u64,
            helped_this_year: 0,
            helped_this_month: 0,
            months: Vec::new(),
            by_violence: empty_tally(VIOLENCE_KINDS),
            by_source: empty_tally(SOURCES),
            services_given: empty_tally(SERVICES),
            closed_by_reason: empty_tally(CLOSURES),
            sessions_held: sorted.sessions.len() as u64,
            median_sessions_to_settlement: None,
            open_by_age: empty_tally(CASE_AGES),
        };
        let mut by_month: BTreeMap<Month, MonthFigures> = this_month
            .last(12)
            .into_iter()
            .map(|month| {
                let figures = MonthFigures {
                    month: month.to_string(),
                    new_cases: 0,
                    camps: 0,
                    attendance: 0,
                };
                (month, figures)
            })
            .collect();
        for case in &sorted.cases {
            let registered = registered_on(case);
            let month = Month::of_date(&registered);
            if month.is_some_and(|month| month.year() == this_month.year()) {
                figures.helped_this_year += 1;
            }
            if month == Some(this_month) {
                figures.helped_this_month += 1;
            }
            if let Some(shown) = month.and_then(|month| by_month.get_mut(&month)) {
                shown.new_cases += 1;
            }
            count_codes(&mut figures.by_violence, case.value("violence"));
            count_codes(&mut figures.by_source, case.value("source"));
            if is_closed(case) {
                count_codes(&mut figures.closed_by_reason, case.value("closure"));
            } else {
                let open_since = parse_day(&registered).unwrap_or(epoch);
                *figures
                    .open_by_age
                    .entry(age_of((today - open_since).num_days()).to_owned())
                    .or_default() += 1;
            }
        }
        for service in sorted.services.iter().filter(|service| is_given(service)) {
            count_codes(&mut figures.services_given, service.value("service"));
        }
        for camp in &sorted.camps {
            let held = Month::of_date(&day_of(camp, &["held_on"]));
            if let Some(shown) = held.and_then(|month| by_month.get_mut(&month)) {
                shown.camps += 1;
                shown.attendance += ATTENDANCE
                    .iter()
                    .filter_map(|group| camp.value(group).and_then(Value::as_u64))
                    .sum::<u64>();
            }
        }
        figures.median_sessions_to_settlement = median_sessions(&sorted);
        figures.months = by_month.into_values().collect();
        figures
    }
}

/// The median number of sessions of the cases closed with a settlement.
fn median_sessions(sorted: &Sorted<'_>) -> Option<f64> {
    let mut sessions: HashMap<&str, u64> = HashMap::new();
    for session in &sorted.sessions {
        if let Some(case) = session.text(CASE) {
            *sessions.entry(case).or_default() += 1;
        }
    }
    let mut counts: Vec<u64> = sorted
        .cases
        .iter()
        .filter(|case| is_closed(case) && case.text("closure") == Some("settlement"))
        .map(|case| {
            let id = case.id.to_string();
            sessions.get(id.as_str()).copied().unwrap_or(0)
        })
        .collect();
    counts.sort_unstable();
    let middle = counts.len() / 2;
    match counts.len() {
        0 => None,
        n if n % 2 == 1 => Some(counts[middle] as f64),
        _ => Some((counts[middle - 1] + counts[middle]) as f64 / 2.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Clock, DeviceId, RecordId};
    use chrono::Timelike;
    use serde_json::json;

    /// A record made at `millis` (its id's time) with `fields`.
    fn made(kind: Kind, millis: u64, fields: &[(&str, Value)]) -> Record {
        let id = RecordId::made_at(millis);
        let mut clock = Clock::new(DeviceId::new());
        let mut record = Record::new(id, kind);
        for (field, value) in fields {
            record.edit(&mut clock, millis, field, value.clone());
        }
        record
    }

    /// Milliseconds at `hour` o'clock in `zone` on `date`.
    fn at(date: &str, hour: u32, zone: FixedOffset) -> u64 {
        let moment = parse_day(date).unwrap().and_hms_opt(hour, 0, 0).unwrap();
        let moment = moment.and_local_timezone(zone).unwrap();
        u64::try_from(moment.timestamp_millis()).unwrap()
    }

    /// Milliseconds at noon in India on `date`.
    fn noon(date: &str) -> u64 {
        at(date, 12, INDIA)
    }

    #[test]
    fn a_month_is_written_yyyy_mm_and_nothing_else_is_one() {
        let november = Month::parse("2026-11").unwrap();
        assert_eq!((november.year(), november.number()), (2026, 11));
        assert_eq!(november.to_string(), "2026-11");
        assert_eq!(Month::of_date("2026-11-30"), Some(november));
        assert_eq!(Month::parse("1900-01").unwrap().to_string(), "1900-01");
        assert_eq!(Month::parse("2100-12").unwrap().to_string(), "2100-12");
        for bad in [
            "2026-13",
            "2026-00",
            "26-11",
            "2026-1",
            "2026/11",
            "",
            "1899-12",
            "2101-01",
            "नवंबर",
            "2026-+1",
            "+026-11",
            " 2026-11",
            "2026-11-01",
        ] {
            assert_eq!(Month::parse(bad), None, "{bad}");
        }
        assert_eq!(
            Month::parse("2026-01").unwrap().previous().to_string(),
            "2025-12"
        );
        let last: Vec<String> = Month::parse("2026-02")
            .unwrap()
            .last(3)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(last, ["2025-12", "2026-01", "2026-02"]);
        assert_eq!(
            Month::parse("2024-03").unwrap().previous().to_string(),
            "2024-02"
        );
    }

    #[test]
    fn a_day_is_indias_day() {
        // 20:00 UTC on 30 November is 01:30 on 1 December in India.
        let late = at("2026-11-30", 20, FixedOffset::east_opt(0).unwrap());
        assert_eq!(late, 1_796_068_800_000);
        assert_eq!(india_day(late), "2026-12-01");
        assert_eq!(india_day(noon("2026-11-29")), "2026-11-29");
        assert_eq!(india_day(0), "1970-01-01");
        assert_eq!(INDIA_OFFSET_MILLIS, 19_800_000);
        let moment = india_time(late);
        assert_eq!((moment.hour(), moment.minute()), (1, 30));
    }

    mod india {
        use super::*;
        use proptest::prelude::*;

        const DAY: u64 = 86_400_000;
        /// 18:30 UTC, midnight in India.
        const TURN: u64 = DAY - INDIA_OFFSET_MILLIS;

        proptest! {
            #[test]
            fn the_day_in_india_turns_at_half_past_six_utc(
                days in 0..=47_846_i64,
                into_it in 0..DAY,
            ) {
                let (year, month, day) = crate::schema::date_of_day(days);
                let utc_day = NaiveDate::from_ymd_opt(year, month, day).unwrap();
                let millis = u64::try_from(days).unwrap() * DAY + into_it;
                let expected = if into_it < TURN { utc_day } else { utc_day.succ_opt().unwrap() };
                prop_assert_eq!(india_date(millis), expected);
                prop_assert_eq!(india_day(millis), written_date(expected));
                prop_assert_eq!(Month::of_date(&india_day(millis)), Some(Month::of(expected)));
            }

            #[test]
            fn a_month_reads_back_as_it_is_written(year in 1900..=2100_i32, month in 1..=12_u32) {
                let text = format!("{year:04}-{month:02}");
                let parsed = Month::parse(&text).unwrap();
                prop_assert_eq!(parsed.to_string(), text);
                let before = parsed.previous();
                prop_assert!(before < parsed);
                prop_assert_eq!(
                    (before.year(), before.number()),
                    if month == 1 { (year - 1, 12) } else { (year, month - 1) }
                );
            }
        }
    }

    /// A small centre: two cases in November (one a settlement after two sessions), one in
    /// October, one deleted, services, a camp in November and one in October.
    fn centre() -> Vec<Record> {
        let nov = noon("2026-11-05");
        let asha = made(
            Kind::Case,
            nov,
            &[
                ("violence", json!(["domestic_violence", "dowry_harassment"])),
                ("source", json!("helpline_181")),
                ("status", json!("closed")),
                ("closure", json!("settlement")),
                ("closed_on", json!("2026-11-20")),
            ],
        );
        let sita = made(
            Kind::Case,
            noon("2026-11-28"),
            &[
                ("violence", json!(["domestic_violence"])),
                ("source", json!("awareness_camp")),
            ],
        );
        let meena = made(
            Kind::Case,
            noon("2026-10-02"),
            &[
                ("violence", json!(["physical"])),
                ("source", json!("police")),
            ],
        );
        let deleted = made(
            Kind::Case,
            nov,
            &[("violence", json!(["physical"])), ("deleted", json!(true))],
        );
        let of = |case: &Record| json!(case.id.to_string());
        vec![
            asha.clone(),
            sita.clone(),
            meena.clone(),
            deleted,
            made(
                Kind::Service,
                nov,
                &[
                    (CASE, of(&asha)),
                    ("service", json!("police")),
                    ("service_state", json!("given")),
                    ("service_on", json!("2026-11-06")),
                ],
            ),
            // Asked for, not given: not counted.
            made(
                Kind::Service,
                nov,
                &[
                    (CASE, of(&asha)),
                    ("service", json!("legal_aid")),
                    ("service_state", json!("requested")),
                ],
            ),
            // Given in October, recorded in November.
            made(
                Kind::Service,
                nov,
                &[
                    (CASE, of(&meena)),
                    ("service", json!("medical")),
                    ("service_state", json!("given")),
                    ("service_on", json!("2026-10-03")),
                ],
            ),
            made(
                Kind::Session,
                nov,
                &[(CASE, of(&asha)), ("session_on", json!("2026-11-07"))],
            ),
            made(
                Kind::Session,
                nov,
                &[(CASE, of(&asha)), ("session_on", json!("2026-11-14"))],
            ),
            made(
                Kind::Session,
                nov,
                &[(CASE, of(&meena)), ("session_on", json!("2026-10-09"))],
            ),
            made(
                Kind::Camp,
                nov,
                &[
                    ("held_on", json!("2026-11-28")),
                    ("women", json!(40)),
                    ("girls", json!(12)),
                ],
            ),
            made(
                Kind::Camp,
                nov,
                &[("held_on", json!("2026-10-15")), ("men", json!(7))],
            ),
        ]
    }

    #[test]
    fn the_monthly_report_counts_what_happened_in_the_month() {
        let report = MonthlyReport::of(Month::parse("2026-11").unwrap(), &centre());
        assert_eq!(report.month, "2026-11");
        assert_eq!(report.cases_registered, 2);
        assert_eq!(report.by_violence["domestic_violence"], 2);
        assert_eq!(report.by_violence["dowry_harassment"], 1);
        assert_eq!(
            report.by_violence["physical"], 0,
            "October's and the deleted one"
        );
        assert_eq!(report.by_violence.len(), VIOLENCE_KINDS.len());
        assert_eq!(report.by_source["helpline_181"], 1);
        assert_eq!(report.by_source["awareness_camp"], 1);
        assert_eq!(report.services_given["police"], 1);
        assert_eq!(report.services_given.values().sum::<u64>(), 1);
        assert_eq!(report.sessions_held, 2);
        assert_eq!(report.closed_by_reason["settlement"], 1);
        assert_eq!(report.camps_held, 1);
        assert_eq!(report.attendance["women"], 40);
        assert_eq!(report.attendance["girls"], 12);
        assert_eq!(report.attendance["men"], 0);
    }

    #[test]
    fn a_month_with_nothing_in_it_is_all_zeros() {
        let report = MonthlyReport::of(Month::parse("2025-03").unwrap(), &centre());
        assert_eq!(report.cases_registered, 0);
        assert_eq!(report.sessions_held, 0);
        assert_eq!(report.camps_held, 0);
        for tally in [
            &report.by_violence,
            &report.by_source,
            &report.services_given,
            &report.closed_by_reason,
            &report.attendance,
        ] {
            assert!(!tally.is_empty());
            assert!(tally.values().all(|n| *n == 0));
        }
    }

    #[test]
    fn the_dashboard_counts_women_helped_open_cases_by_age_and_sessions_to_a_settlement() {
        let figures = Dashboard::of(&centre(), "2026-11-29");
        assert_eq!(figures.helped_ever, 3);
        assert_eq!(figures.helped_this_year, 3);
        assert_eq!(figures.helped_this_month, 2);
        assert_eq!(figures.months.len(), 12);
        assert_eq!(figures.months[11].month, "2026-11");
        assert_eq!(figures.months[11].new_cases, 2);
        assert_eq!(figures.months[11].camps, 1);
        assert_eq!(figures.months[11].attendance, 52);
        assert_eq!(figures.months[10].month, "2026-10");
        assert_eq!(figures.months[10].new_cases, 1);
        assert_eq!(figures.months[10].attendance, 7);
        assert_eq!(figures.months[0].month, "2025-12");
        assert_eq!(figures.by_violence["domestic_violence"], 2);
        assert_eq!(figures.by_violence["physical"], 1);
        assert_eq!(figures.services_given["police"], 1);
        assert_eq!(figures.services_given["medical"], 1);
        assert_eq!(figures.services_given["legal_aid"], 0);
        assert_eq!(figures.sessions_held, 3);
        assert_eq!(figures.closed_by_reason["settlement"], 1);
        assert_eq!(figures.median_sessions_to_settlement, Some(2.0));
        // Sita (1 day) and Meena (58 days) are open.
        assert_eq!(figures.open_by_age["under_1_month"], 1);
        assert_eq!(figures.open_by_age["months_1_to_3"], 1);
        assert_eq!(figures.open_by_age.values().sum::<u64>(), 2);
    }

    #[test]
    fn the_median_of_an_even_count_is_between_the_middle_two() {
        let mut records = Vec::new();
        for sessions in [1, 4] {
            let case = made(
                Kind::Case,
                noon("2026-11-01"),
                &[
                    ("status", json!("closed")),
                    ("closure", json!("settlement")),
                ],
            );
            for _ in 0..sessions {
                records.push(made(
                    Kind::Session,
                    noon("2026-11-02"),
                    &[(CASE, json!(case.id.to_string()))],
                ));
            }
            records.push(case);
        }
        let figures = Dashboard::of(&records, "2026-11-29");
        assert_eq!(figures.median_sessions_to_settlement, Some(2.5));
        assert_eq!(
            Dashboard::of(&[], "2026-11-29").median_sessions_to_settlement,
            None
        );
    }
}
