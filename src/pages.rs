//! One module per route.

mod case_details;
mod case_list;
mod new_case;

pub use case_details::CaseDetails;
pub use case_list::CaseList;
pub use new_case::NewCase;

use crate::i18n::{Lang, violence_label};
use sakhi_domain::Record;

/// A case's kinds of violence in `lang`, joined for one line of text.
fn violence_summary(lang: Lang, case: &Record) -> String {
    case.value("violence")
        .and_then(|value| value.as_array())
        .map(|codes| {
            codes
                .iter()
                .filter_map(|code| code.as_str())
                .map(|code| violence_label(lang, code))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}
