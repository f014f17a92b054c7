//! A problem said at once: shown in the problem style and announced by screen readers.

use crate::i18n::{Text, tr};
use leptos::prelude::*;

/// A notice that something went wrong, in the worker's language.
pub fn alert(text: Text) -> impl IntoView {
    view! { <p class="notice problem" role="alert">{tr(text)}</p> }
}
