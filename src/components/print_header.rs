//! What a printed page says at its top, and the screen never shows: the centre, when it was
//! printed (India time) and that the paper is confidential.

use crate::browser::now_millis;
use crate::i18n::{Text, fill, shown_moment, t, tr, use_lang};
use leptos::prelude::*;

#[component]
pub fn PrintHeader() -> impl IntoView {
    let lang = use_lang();
    let centre = crate::unlocked()
        .map(|unlocked| unlocked.worker.centre.clone())
        .unwrap_or_default();
    let (printed, set_printed) = signal(now_millis());
    // A page left open for hours says when it was printed, not when it was opened.
    let listener = window_event_listener_untyped("beforeprint", move |_| {
        set_printed.set(now_millis());
    });
    on_cleanup(move || listener.remove());
    let when = move || {
        let lang = lang.get();
        fill(
            t(lang, Text::PrintPrinted),
            "when",
            &shown_moment(lang, printed.get()),
        )
    };
    view! {
        <div class="print-header">
            <p class="print-centre">{centre}</p>
            <p class="print-when">{when}</p>
            <p class="print-confidential">{tr(Text::PrintConfidential)}</p>
        </div>
    }
}
