//! What a form says about work not saved yet: a draft found on return, to continue or discard, and
//! the question a Cancel asks before anything typed is thrown away.

use crate::i18n::{Text, tr};
use leptos::prelude::*;

/// "You have an unfinished …: continue or discard", while `shown`.
#[component]
pub fn UnfinishedOffer(
    shown: Signal<bool>,
    /// What was left unfinished, as a whole sentence.
    text: Text,
    on_continue: Callback<()>,
    on_discard: Callback<()>,
    /// The id of its text, unique on the page.
    #[prop(optional, into)]
    id: Option<String>,
) -> impl IntoView {
    let id = id.unwrap_or_else(|| "unfinished-text".to_owned());
    let labelled = id.clone();
    view! {
        <div class="notice unfinished" role="alertdialog" aria-labelledby=labelled hidden=move || !shown.get()>
            <p id=id>{tr(text)}</p>
            <div class="actions">
                <button type="button" class="button primary" on:click=move |_| on_continue.run(())>
                    {tr(Text::DraftContinue)}
                </button>
                <button type="button" class="button secondary" on:click=move |_| on_discard.run(())>
                    {tr(Text::DraftDiscard)}
                </button>
            </div>
        </div>
    }
}

/// "Discard what you typed?", asked by Cancel on a form with unsaved input, while `shown`.
#[component]
pub fn DiscardQuestion(
    shown: Signal<bool>,
    on_discard: Callback<()>,
    on_keep: Callback<()>,
    /// The id of its question, unique on the page.
    #[prop(optional, into)]
    id: Option<String>,
) -> impl IntoView {
    let id = id.unwrap_or_else(|| "discard-question".to_owned());
    let labelled = id.clone();
    view! {
        <div class="notice confirm" role="alertdialog" aria-labelledby=labelled hidden=move || !shown.get()>
            <p id=id>{tr(Text::DraftDiscardQuestion)}</p>
            <div class="actions">
                <button type="button" class="button danger" on:click=move |_| on_discard.run(())>
                    {tr(Text::DraftDiscardYes)}
                </button>
                <button type="button" class="button secondary" on:click=move |_| on_keep.run(())>
                    {tr(Text::DraftKeepEditing)}
                </button>
            </div>
        </div>
    }
}
