//! One module per route.

mod audit;
mod camps;
mod case_details;
mod case_history;
mod case_list;
mod edit_case;
mod figures;
mod log_out;
mod menu;
mod new_case;
mod settings;
mod setup;
mod sign_in;
mod staff;
mod sync_page;

pub use audit::Audit;
pub use camps::{CampDetails, CampList, NewCamp, register_here};
pub use case_details::CaseDetails;
pub use case_history::CaseHistoryPage;
pub use case_list::CaseList;
pub use edit_case::EditCase;
pub use figures::Figures;
pub use log_out::LogOut;
pub use menu::Menu;
pub use new_case::NewCase;
pub use settings::Settings;
pub use setup::Setup;
pub use sign_in::{LogInAgain, SignIn};
pub use staff::Staff;
pub use sync_page::SyncPage;

use crate::casework::shown_date;
use crate::components::alert;
use crate::i18n::{Lang, Text, choice_label, shown_moment, t};
use crate::store::StoreError;
use leptos::prelude::*;
use sakhi_domain::wire::account::Staff;
use sakhi_domain::{DeviceId, FieldType, Kind};
use serde_json::Value;

/// The codes chosen in a field of choices (a case's kinds of violence, say) in `lang`, joined for
/// one line of text.
fn choices_summary(lang: Lang, field: &str, codes: &[Value]) -> String {
    let mut summary = String::new();
    for code in codes.iter().filter_map(|code| code.as_str()) {
        if !summary.is_empty() {
            summary.push_str(", ");
        }
        summary.push_str(&choice_label(lang, field, code));
    }
    summary
}

/// How a save through an [`Action`] ended: done, or what to tell her about its failure.
type Saved = Result<(), Text>;

/// The alert a form shows while its last save (an [`Action`] whose value is [`Saved`]) has failed.
fn failed<I: 'static>(save: Action<I, Saved>) -> impl Fn() -> Option<AnyView> + Copy {
    move || {
        save.value()
            .get()
            .and_then(Result::err)
            .map(|text| alert(text).into_any())
    }
}

/// What a failed save tells her: that the phone is full, or that the save failed.
fn save_failure(error: &StoreError) -> Text {
    match error {
        StoreError::Full => Text::StoreFull,
        _ => Text::FormSaveFailed,
    }
}

/// Who wrote from `device`: her own name on her own device (known without asking the server), the
/// staff the centre lists for it, or "another device" while nobody has said whose it is.
fn writer(lang: Lang, staff: Option<&Staff>, device: DeviceId) -> String {
    if let Some(me) = crate::unlocked().filter(|unlocked| unlocked.store.device() == device) {
        return me.worker.display_name.clone();
    }
    let names = staff
        .map(|staff| crate::directory::writers(staff, device))
        .unwrap_or_default();
    if names.is_empty() {
        t(lang, Text::CaseAnotherDevice).to_owned()
    } else {
        names
    }
}

/// Moves focus to the first field to correct, so a phone scrolls to it and a screen reader says it.
fn focus(id: &str) {
    use wasm_bindgen::JsCast;
    if let Some(element) = leptos::prelude::document()
        .get_element_by_id(id)
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}

/// A value of a field of a record of `kind` as a worker reads it.
pub(crate) fn shown_value(lang: Lang, kind: Kind, field: &str, value: Option<&Value>) -> String {
    let value = value.filter(|value| !value.is_null());
    match (kind.field_type(field), value) {
        (Some(FieldType::Choices(_)), Some(Value::Array(codes))) if !codes.is_empty() => {
            return choices_summary(lang, field, codes);
        }
        (Some(FieldType::Choice(_)), Some(Value::String(code))) => {
            return choice_label(lang, field, code);
        }
        (Some(FieldType::Date), Some(Value::String(date))) => return shown_date(date),
        (Some(FieldType::Flag), Some(Value::Bool(yes))) => {
            return t(lang, if *yes { Text::FlagYes } else { Text::FlagNo }).to_owned();
        }
        _ => {}
    }
    match value {
        // Not `value.to_string()`: `Value`'s `Display` brings a pretty-printer into the app shell.
        Some(value) if !value.is_array() => value.as_str().map_or_else(
            || serde_json::to_string(value).unwrap_or_default(),
            str::to_owned,
        ),
        _ => t(lang, Text::CaseNotGiven).to_owned(),
    }
}
