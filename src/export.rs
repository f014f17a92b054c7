//! Exports of the centre's cases and camps as CSV files a spreadsheet opens, Hindi included; and
//! the notices of them that the server's audit log must get, kept on the phone until it has them.
//!
//! A case's export leaves out what names or finds a woman (her name and alias, phone, safe times
//! to call, village, the person responsible, what happened) unless an administrator includes it.

use crate::camps::{attendance, cases_from, title};
use crate::casework::shown_date;
use crate::i18n::{Lang, Text, choice_label, field_label, t};
use crate::store::{Store, StoreError};
use sakhi_domain::figures::registered_on;
use sakhi_domain::schema::{ATTENDANCE, CAMP, NUMBER};
use sakhi_domain::wire::account::{ExportNotice, ExportNotices};
use sakhi_domain::{Kind, Record};
use serde_json::Value;

/// Excel and LibreOffice read a file as UTF-8, Hindi and all, when it starts with this mark.
const BOM: char = '\u{feff}';

/// The fields of a case an export always holds, after its reference and registration day.
const CASE_FIELDS: &[&str] = &[
    "age",
    "block",
    "district",
    "source",
    "violence",
    "relation",
    "children",
    "danger",
    "consent",
    "status",
    "closure",
    "closed_on",
];

/// The fields that name or find her, held only when an administrator includes them.
pub const PERSONAL_FIELDS: &[&str] = &[
    "name",
    "alias",
    "phone",
    "safe_hours",
    "village",
    "responsible",
    "description",
];

/// One cell: quoted when it holds a comma, a quote or a line break; and a value a spreadsheet
/// would run as a formula (`=`, `+`, `-`, `@` first) is kept as text with a leading `'`.
fn cell(text: &str) -> String {
    let text = match text.chars().next() {
        Some('=' | '+' | '-' | '@') => format!("'{text}"),
        _ => text.to_owned(),
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn line(cells: impl IntoIterator<Item = String>) -> String {
    let cells: Vec<String> = cells.into_iter().map(|text| cell(&text)).collect();
    cells.join(",") + "\r\n"
}

/// A field's value as a spreadsheet should hold it: codes in her language, dates as written.
fn value_of(lang: Lang, record: &Record, field: &str) -> String {
    match record.value(field) {
        Some(Value::String(code)) if record.kind.field_type(field).is_some_and(is_choice) => {
            choice_label(lang, field, code)
        }
        Some(Value::String(text)) => text.clone(),
        Some(Value::Array(codes)) => codes
            .iter()
            .filter_map(Value::as_str)
            .map(|code| choice_label(lang, field, code))
            .collect::<Vec<_>>()
            .join("; "),
        Some(Value::Bool(yes)) => t(
            lang,
            if *yes {
                Text::ExportYes
            } else {
                Text::ExportNo
            },
        )
        .to_owned(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn is_choice(field_type: sakhi_domain::FieldType) -> bool {
    matches!(field_type, sakhi_domain::FieldType::Choice(_))
}

/// The cases as CSV in `lang`, one row each, the newest first as given; with `personal`, the
/// fields that name or find her too. Returns the file and how many cases are in it.
pub fn cases_csv(cases: &[Record], camps: &[Record], lang: Lang, personal: bool) -> (String, u64) {
    let personal: &[&str] = if personal { PERSONAL_FIELDS } else { &[] };
    let fields: Vec<&str> = personal.iter().chain(CASE_FIELDS).copied().collect();
    let mut csv = String::from(BOM);
    let header = [
        t(lang, Text::ExportReference).to_owned(),
        t(lang, Text::ExportRegistered).to_owned(),
    ]
    .into_iter()
    .chain(fields.iter().map(|field| field_label(lang, field)))
    .chain([field_label(lang, CAMP)]);
    csv.push_str(&line(header));
    let mut rows = 0;
    for case in cases
        .iter()
        .filter(|case| case.kind == Kind::Case && !case.is_deleted())
    {
        let reference = case
            .text(NUMBER)
            .map_or_else(|| case.id.provisional(), str::to_owned);
        let camp = case.text(CAMP).and_then(|id| {
            camps
                .iter()
                .find(|camp| camp.id.to_string() == id)
                .map(title)
        });
        let closed = case.text("status") == Some("closed");
        let cells = [reference, shown_date(&registered_on(case))]
            .into_iter()
            .chain(fields.iter().map(|field| match *field {
                // A case reopened before reopening cleared them still holds its old reason.
                "closure" | "closed_on" if !closed => String::new(),
                "closed_on" => case.text(field).map(shown_date).unwrap_or_default(),
                _ => value_of(lang, case, field),
            }))
            .chain([camp.unwrap_or_default()]);
        csv.push_str(&line(cells));
        rows += 1;
    }
    (csv, rows)
}

/// The camps as CSV in `lang`, with who came and how many cases each brought in.
pub fn camps_csv(camps: &[Record], cases: &[Record], lang: Lang) -> (String, u64) {
    let mut csv = String::from(BOM);
    let fields = ["held_on", "place", "block", "district", "run_by"];
    let header = fields
        .iter()
        .chain(ATTENDANCE)
        .map(|field| field_label(lang, field))
        .chain([
            t(lang, Text::CampTotal).to_owned(),
            field_label(lang, "topics"),
            field_label(lang, "notes"),
            t(lang, Text::CampCasesHeading).to_owned(),
        ]);
    csv.push_str(&line(header));
    let mut rows = 0;
    for camp in camps
        .iter()
        .filter(|camp| camp.kind == Kind::Camp && !camp.is_deleted())
    {
        let cells = fields
            .iter()
            .map(|field| match *field {
                "held_on" => camp.text(field).map(shown_date).unwrap_or_default(),
                _ => value_of(lang, camp, field),
            })
            .chain(ATTENDANCE.iter().map(|group| value_of(lang, camp, group)))
            .chain([
                attendance(camp).to_string(),
                value_of(lang, camp, "topics"),
                value_of(lang, camp, "notes"),
                cases_from(camp, cases).len().to_string(),
            ]);
        csv.push_str(&line(cells));
        rows += 1;
    }
    (csv, rows)
}

/// The name of the secret holding the exports the server has not been told of yet.
const WAITING: &str = "exports";

/// Changes the exports waiting with `change`, in every tab of this browser one at a time, so that
/// two exports made in quick succession, or one made while a sync round forgets those sent, both
/// stay.
async fn change_waiting(
    store: &Store,
    change: impl FnOnce(&mut ExportNotices),
) -> Result<(), StoreError> {
    let lock = format!("sakhi-exports-{}", store.device());
    crate::browser::one_tab_at_a_time(&lock, async {
        let mut waiting = waiting(store).await?;
        change(&mut waiting);
        let text =
            serde_json::to_string(&waiting).map_err(|e| StoreError::Encode(e.to_string()))?;
        store.set_secret(WAITING, &text).await
    })
    .await
}

/// Keeps `notice` until the server's audit log has it.
pub async fn remember(store: &Store, notice: ExportNotice) -> Result<(), StoreError> {
    change_waiting(store, |waiting| waiting.exports.push(notice)).await
}

/// The exports the server has not been told of yet, oldest first.
pub async fn waiting(store: &Store) -> Result<ExportNotices, StoreError> {
    match store.secret(WAITING).await? {
        Some(text) => serde_json::from_str(&text).map_err(|e| StoreError::Corrupt {
            reason: format!("the exports waiting: {e}"),
        }),
        None => Ok(ExportNotices::default()),
    }
}

/// Forgets the first `sent` exports waiting, which the server has logged; any made meanwhile
/// stay.
pub async fn forget_sent(store: &Store, sent: usize) -> Result<(), StoreError> {
    change_waiting(store, |waiting| {
        waiting.exports.drain(..sent.min(waiting.exports.len()));
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::testing::record;

    #[test]
    fn a_cell_is_quoted_when_it_must_be_and_never_runs_as_a_formula() {
        assert_eq!(cell("सीता"), "सीता");
        assert_eq!(cell("Rampur, Dhar"), "\"Rampur, Dhar\"");
        assert_eq!(cell("she said \"no\""), "\"she said \"\"no\"\"\"");
        assert_eq!(cell("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("+91 98765 43210"), "'+91 98765 43210");
    }

    #[test]
    fn an_attachment_is_never_exported_even_with_her_details() {
        let case = record(Kind::Case, &[("name", json!("सीता देवी"))]);
        let file = record(
            Kind::Attachment,
            &[
                ("case", json!(case.id.to_string())),
                ("caption", json!("CAPTION-OF-A-FILE")),
                ("sha256", json!("ab".repeat(32))),
            ],
        );
        let (csv, rows) = cases_csv(&[case, file.clone()], &[], Lang::En, true);
        assert_eq!(rows, 1);
        for hidden in [
            "CAPTION-OF-A-FILE",
            &file.id.provisional(),
            &"ab".repeat(32),
        ] {
            assert!(!csv.contains(hidden), "{hidden}");
        }
    }

    #[test]
    fn cases_leave_out_what_names_or_finds_her_unless_it_is_included() {
        let camp = record(
            Kind::Camp,
            &[("held_on", json!("2026-11-28")), ("place", json!("Rampur"))],
        );
        let case = record(
            Kind::Case,
            &[
                ("name", json!("सीता देवी")),
                ("phone", json!("98765 43210")),
                ("village", json!("रामपुर")),
                ("district", json!("Dhar")),
                ("age", json!(34)),
                ("violence", json!(["domestic_violence", "dowry_harassment"])),
                ("source", json!("awareness_camp")),
                (CAMP, json!(camp.id.to_string())),
            ],
        );
        let gone = record(
            Kind::Case,
            &[("name", json!("Gone")), ("deleted", json!(true))],
        );
        let cases = [case.clone(), gone];

        let (csv, rows) = cases_csv(&cases, std::slice::from_ref(&camp), Lang::En, false);
        assert_eq!(rows, 1);
        assert!(csv.starts_with('\u{feff}'));
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert!(
            lines[0].starts_with("Reference,Registered on,Age,"),
            "{}",
            lines[0]
        );
        assert!(!lines[0].contains("Name"));
        for hidden in ["सीता", "98765", "रामपुर"] {
            assert!(!csv.contains(hidden), "{hidden}");
        }
        assert!(csv.contains("Dhar"));
        assert!(csv.contains(",Domestic violence; Dowry harassment,"));
        assert!(csv.contains("An awareness camp"));
        assert!(csv.contains("\"Rampur, 28/11/2026\""));
        assert!(csv.contains(&case.id.provisional()));

        let (csv, _) = cases_csv(&cases, &[camp], Lang::Hi, true);
        for shown in ["सीता देवी", "98765 43210", "रामपुर", "घरेलू हिंसा"]
        {
            assert!(csv.contains(shown), "{shown}");
        }
        assert!(!csv.contains("Gone"));
    }

    #[test]
    fn camps_count_who_came_and_the_cases_they_brought_in() {
        let camp = record(
            Kind::Camp,
            &[
                ("held_on", json!("2026-11-28")),
                ("place", json!("Government Girls School, Rampur")),
                ("women", json!(40)),
                ("girls", json!(12)),
                ("topics", json!(["pocso", "helplines"])),
            ],
        );
        let case = record(Kind::Case, &[(CAMP, json!(camp.id.to_string()))]);
        let (csv, rows) = camps_csv(std::slice::from_ref(&camp), &[case], Lang::En);
        assert_eq!(rows, 1);
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(
            lines[1],
            "28/11/2026,\"Government Girls School, Rampur\",,,,40,12,,,52,\
             POCSO (children's protection); Women Helpline 181 and 112,,1"
        );
    }
}
