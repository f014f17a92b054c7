//! What a form says about work not saved yet: a draft found on return, to continue or discard; a
//! question asked before anything that cannot be undone; and a form's Save and Cancel, where Cancel
//! asks before typed input is thrown away.

use crate::drafts::DraftForm;
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

/// A question asked, while `shown`, before something that cannot be undone: `yes` does it, `no`
/// leaves things as they are.
#[component]
pub fn Confirm(
    shown: Signal<bool>,
    question: Signal<String>,
    yes: Text,
    no: Text,
    on_yes: Callback<()>,
    on_no: Callback<()>,
    /// The id of the question, unique on the page.
    id: String,
) -> impl IntoView {
    let labelled = id.clone();
    view! {
        <div class="notice confirm" role="alertdialog" aria-labelledby=labelled hidden=move || !shown.get()>
            <p id=id>{question}</p>
            <div class="actions">
                <button type="button" class="button danger" on:click=move |_| on_yes.run(())>
                    {tr(yes)}
                </button>
                <button type="button" class="button secondary" on:click=move |_| on_no.run(())>
                    {tr(no)}
                </button>
            </div>
        </div>
    }
}

/// A form's Save and Cancel. Cancel leaves (`on_leave`) at once when nothing was typed, and
/// otherwise asks "discard what you typed?" first; discarding forgets the draft, then leaves.
#[component]
pub fn FormActions(
    draft: DraftForm,
    /// What the Save button says.
    save: Text,
    /// Whether a save is under way.
    busy: Signal<bool>,
    on_leave: Callback<()>,
    /// The id of the question, unique on the page.
    #[prop(optional, into)]
    id: Option<String>,
) -> impl IntoView {
    let discard = Callback::new(move |()| {
        draft.forget();
        on_leave.run(());
    });
    let question = tr(Text::DraftDiscardQuestion);
    view! {
        <Confirm
            shown=draft.asking.into()
            question=Signal::derive(move || question().to_owned())
            yes=Text::DraftDiscardYes
            no=Text::DraftKeepEditing
            on_yes=discard
            on_no=Callback::new(move |()| draft.asking.set(false))
            id=id.unwrap_or_else(|| "discard-question".to_owned())
        />
        <div class="actions">
            <button type="submit" class="button primary" disabled=busy>
                {tr(save)}
            </button>
            <button type="button" class="button secondary" on:click=move |_| {
                if draft.may_leave() {
                    on_leave.run(());
                }
            }>
                {tr(Text::FormCancel)}
            </button>
        </div>
    }
}
