//! A problem said at once: shown in the problem style and announced by screen readers.

use crate::i18n::{Text, tr};
use leptos::prelude::*;

/// A notice that something went wrong, in the worker's language.
pub fn alert(text: Text) -> impl IntoView {
    view! { <p class="notice problem" role="alert">{tr(text)}</p> }
}

/// The warning that the phone's date is wrong (see [`crate::clock`]), while it is.
pub fn clock_warning() -> impl IntoView {
    let wrong = crate::clock::wrong();
    move || {
        wrong
            .get()
            .then(|| view! { <p class="notice danger" role="alert">{tr(Text::ClockWrong)}</p> })
    }
}
