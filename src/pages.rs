//! One module per route.

mod audit;
mod case_details;
mod case_list;
mod log_out;
mod new_case;
mod settings;
mod setup;
mod sign_in;
mod staff;

pub use audit::Audit;
pub use case_details::CaseDetails;
pub use case_list::CaseList;
pub use log_out::LogOut;
pub use new_case::NewCase;
pub use settings::Settings;
pub use setup::Setup;
pub use sign_in::{LogInAgain, SignIn};
pub use staff::Staff;

use crate::i18n::{Lang, violence_label};
use sakhi_domain::Record;

/// A case's kinds of violence in `lang`, joined for one line of text.
fn violence_summary(lang: Lang, case: &Record) -> String {
    let mut summary = String::new();
    let codes = case.value("violence").and_then(|value| value.as_array());
    for code in codes.into_iter().flatten().filter_map(|code| code.as_str()) {
        if !summary.is_empty() {
            summary.push_str(", ");
        }
        summary.push_str(&violence_label(lang, code));
    }
    summary
}
