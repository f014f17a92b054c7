//! The monthly report in SQL, on either backend: the same figures as
//! [`MonthlyReport::of`](sakhi_domain::figures::MonthlyReport::of) counts on a phone, read from the
//! records' stored snapshots without loading them.
//!
//! A field's value is its merge winner, which is the last head of its `h` array: a record's fields
//! keep their heads sorted by stamp. A case counts from the day its id was made (the first 48 bits
//! of a UUIDv7 are its time in milliseconds), in India; or from the day the server first received
//! it, if that came first: the phone's date was then ahead.

use sakhi_domain::figures::{INDIA_OFFSET_MILLIS, Month, MonthlyReport, Tally};
use sakhi_domain::schema::{ATTENDANCE, MERGED_INTO};

/// Which SQL the query is written in.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Dialect {
    Sqlite,
    Postgres,
}

/// The fields the report reads, each as a column of the same name; the groups of [`ATTENDANCE`]
/// too.
const FIELDS: &[&str] = &[
    "violence",
    "source",
    "status",
    "closure",
    "closed_on",
    "service",
    "service_state",
    "service_on",
    "admitted_on",
    "session_on",
    "held_on",
];

impl Dialect {
    /// The winning value of `field` of the record in `body` (SQLite: the stored text; PostgreSQL:
    /// the same as `jsonb`, named `b`), as text, or JSON for a list.
    fn winner(self, field: &str) -> String {
        match (self, field) {
            (Dialect::Sqlite, _) => format!("json_extract(body, '$.fields.{field}.h[#-1].v')"),
            (Dialect::Postgres, "violence") => {
                format!("b -> 'fields' -> '{field}' -> 'h' -> -1 -> 'v'")
            }
            (Dialect::Postgres, _) => format!("b -> 'fields' -> '{field}' -> 'h' -> -1 ->> 'v'"),
        }
    }

    /// When the record's id was made, in milliseconds since 1970, by the clock of the phone that
    /// made it.
    fn id_millis(self) -> String {
        match self {
            Dialect::Sqlite => {
                // The id's first twelve hex digits (eight, a dash, four), digit by digit.
                let positions = (1..=8).chain(10..=13);
                let digits: Vec<String> = positions
                    .enumerate()
                    .map(|(at, position)| {
                        format!(
                            "(instr('0123456789abcdef', substr(id, {position}, 1)) - 1) * {}",
                            16_i64.pow(11 - at as u32)
                        )
                    })
                    .collect();
                format!("({})", digits.join(" + "))
            }
            Dialect::Postgres => "(('x' || lpad(substr(replace(id, '-', ''), 1, 12), 16, '0'))\
                                  ::bit(64)::bigint)"
                .to_owned(),
        }
    }

    /// The day in India the record was made, `YYYY-MM-DD`: when its id was made, unless the
    /// server received it earlier than that, by its own clock (`received`): then the phone's
    /// date was ahead, and the server's time is the truer one.
    fn made_on(self) -> String {
        let id = self.id_millis();
        match self {
            Dialect::Sqlite => format!(
                "date((min({id}, COALESCE(received, {id})) + {INDIA_OFFSET_MILLIS}) / 1000, \
                 'unixepoch')"
            ),
            Dialect::Postgres => format!(
                "to_char(to_timestamp(((LEAST({id}, received) + {INDIA_OFFSET_MILLIS}) / 1000)\
                 ::double precision) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
            ),
        }
    }

    /// The `n`th parameter.
    fn param(self, n: u32) -> String {
        match self {
            Dialect::Sqlite => format!("?{n}"),
            Dialect::Postgres => format!("${n}"),
        }
    }

    /// The report's query: rows of `(section, code, n)`. Parameters: the centre's id, and the month
    /// as `YYYY-MM`.
    pub(super) fn monthly_report(self) -> String {
        let columns: Vec<String> = FIELDS
            .iter()
            .chain(ATTENDANCE)
            .map(|field| format!("{} AS {field}", self.winner(field)))
            .collect();
        // When the server first received a change of the record, by its own clock.
        let received = "(SELECT MIN(c.received_at) FROM changes c WHERE c.record_id = records.id) \
                        AS received";
        let (from, not_deleted) = match self {
            Dialect::Sqlite => (
                format!("(SELECT id, kind, centre_id, body, {received} FROM records)"),
                format!("COALESCE({}, 0) <> 1", Dialect::Sqlite.winner("deleted")),
            ),
            Dialect::Postgres => (
                format!(
                    "(SELECT id, kind, centre_id, body::jsonb AS b, {received} FROM records) AS x"
                ),
                "COALESCE(b -> 'fields' -> 'deleted' -> 'h' -> -1 -> 'v', 'false'::jsonb) \
                 <> 'true'::jsonb"
                    .to_owned(),
            ),
        };
        let (centre, month) = (self.param(1), self.param(2));
        let in_month = |day: &str| format!("substr({day}, 1, 7) = {month}");
        let codes_of_violence = match self {
            Dialect::Sqlite => "json_each(r.violence) AS j".to_owned(),
            Dialect::Postgres => "jsonb_array_elements_text(CASE WHEN jsonb_typeof(r.violence) = \
                                  'array' THEN r.violence ELSE '[]'::jsonb END) AS j(value)"
                .to_owned(),
        };
        let (text, whole) = match self {
            Dialect::Sqlite => ("", ""),
            Dialect::Postgres => ("::text", "::bigint"),
        };
        let sum = |column: &str| match self {
            Dialect::Sqlite => format!("COALESCE(sum(CAST({column} AS INTEGER)), 0)"),
            Dialect::Postgres => format!("COALESCE(sum(({column})::bigint), 0)::bigint"),
        };
        let mut sections = vec![
            format!(
                "SELECT 'cases'{text} AS section, ''{text} AS code, count(*){whole} AS n FROM r \
                 WHERE kind = 'case' AND {}",
                in_month("made_on")
            ),
            format!(
                "SELECT 'violence'{text}, j.value{text}, count(*){whole} FROM r, {codes_of_violence} \
                 WHERE r.kind = 'case' AND {} GROUP BY j.value",
                in_month("r.made_on")
            ),
            format!(
                "SELECT 'source'{text}, source{text}, count(*){whole} FROM r \
                 WHERE kind = 'case' AND source IS NOT NULL AND {} GROUP BY source",
                in_month("made_on")
            ),
            format!(
                "SELECT 'service'{text}, service{text}, count(*){whole} FROM r \
                 WHERE kind = 'service' AND service_state = 'given' AND service IS NOT NULL \
                 AND {} GROUP BY service",
                in_month("COALESCE(service_on, admitted_on, made_on)")
            ),
            format!(
                "SELECT 'sessions'{text}, ''{text}, count(*){whole} FROM r \
                 WHERE kind = 'session' AND {}",
                in_month("COALESCE(session_on, made_on)")
            ),
            format!(
                "SELECT 'closure'{text}, closure{text}, count(*){whole} FROM r \
                 WHERE kind = 'case' AND status = 'closed' AND closure IS NOT NULL AND {} \
                 GROUP BY closure",
                in_month("COALESCE(closed_on, made_on)")
            ),
            format!(
                "SELECT 'camps'{text}, ''{text}, count(*){whole} FROM r WHERE kind = 'camp' AND {}",
                in_month("COALESCE(held_on, made_on)")
            ),
        ];
        for group in ATTENDANCE {
            sections.push(format!(
                "SELECT 'attendance'{text}, '{group}'{text}, {} FROM r \
                 WHERE kind = 'camp' AND {}",
                sum(group),
                in_month("COALESCE(held_on, made_on)")
            ));
        }
        // A case merged into another as a duplicate is the same woman: it counts once, there.
        format!(
            "WITH r AS (SELECT kind, {} AS made_on, {} FROM {from} \
             WHERE centre_id = {centre} AND kind IN ('case', 'service', 'session', 'camp') \
             AND {not_deleted} AND {} IS NULL) {}",
            self.made_on(),
            columns.join(", "),
            self.winner(MERGED_INTO),
            sections.join(" UNION ALL ")
        )
    }
}

/// The report from the query's rows; a code not among a list's is left out, as on a phone.
pub(super) fn report_of(month: Month, rows: Vec<(String, String, i64)>) -> MonthlyReport {
    let mut report = MonthlyReport::empty(month);
    for (section, code, n) in rows {
        let n = u64::try_from(n).unwrap_or(0);
        let tally: &mut Tally = match section.as_str() {
            "cases" => {
                report.cases_registered = n;
                continue;
            }
            "sessions" => {
                report.sessions_held = n;
                continue;
            }
            "camps" => {
                report.camps_held = n;
                continue;
            }
            "violence" => &mut report.by_violence,
            "source" => &mut report.by_source,
            "service" => &mut report.services_given,
            "closure" => &mut report.closed_by_reason,
            "attendance" => &mut report.attendance,
            _ => continue,
        };
        if let Some(count) = tally.get_mut(&code) {
            *count = n;
        }
    }
    report
}
