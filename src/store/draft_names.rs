//! The names drafts are kept under among the store's sealed secrets (`draft/…`), and the case each
//! is about: the store lets a draft about a case leave the phone with its case.

use sakhi_domain::RecordId;

/// The draft of the new-case form.
pub const NEW_CASE: &str = "new-case";

/// What every draft's name in the store begins with.
const PREFIX: &str = "draft/";

/// The draft of a correction of the case `case`.
pub fn correction(case: RecordId) -> String {
    format!("edit/{case}")
}

/// The draft of the form `form` (`service`, `note`, `update/<record id>`, …) on the page of the
/// case `case`.
pub fn entry(case: RecordId, form: &str) -> String {
    format!("case/{case}/{form}")
}

/// The name in the store of the draft of the form `form` ([`NEW_CASE`], [`correction`] or
/// [`entry`]).
pub fn stored(form: &str) -> String {
    format!("{PREFIX}{form}")
}

/// The case a draft kept under `key` in the store is about, if it is about one: a correction of
/// it, or a form on its page. So a draft can leave the phone with its case.
pub fn case_of(key: &str) -> Option<&str> {
    let rest = key.strip_prefix(PREFIX)?;
    let rest = rest
        .strip_prefix("edit/")
        .or_else(|| rest.strip_prefix("case/"))?;
    rest.split('/').next()
}
