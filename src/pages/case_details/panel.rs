//! A panel of the case page: a form shown while it is the open one, that reads itself when sent,
//! saves what it read, keeps what she types as a draft, and closes once saved.

use super::saving::{Writes, save_all};
use crate::case_form::{Edits, Problems};
use crate::casework::CaseFile;
use crate::components::{Confirm, FormActions, UnfinishedOffer};
use crate::drafts::{self, DraftForm, Typed};
use crate::i18n::{Text, tr};
use crate::pages::failed;
use crate::{use_store, use_sync};
use leptos::ev::{SubmitEvent, Targeted};
use leptos::prelude::*;
use sakhi_domain::Record;
use std::rc::Rc;
use web_sys::HtmlFormElement;

/// Which form is open.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Panel {
    None,
    Service,
    Session,
    Note,
    Close,
    /// Updating a service or session from the timeline.
    Update,
    /// Merging a duplicate of this case into it.
    Merge,
    /// Adding a file.
    Attach,
}

pub(super) type Current = Rc<dyn Fn() -> Option<Rc<CaseFile>>>;

/// What a panel's form does when it is sent: the edits and the records they go to, or problems.
pub(super) type Outcome = Result<Vec<(Record, Edits)>, Problems>;

/// Reads a panel's form when it is sent; `None` if there is nothing to do.
pub(super) type Reader = Rc<dyn Fn(&HtmlFormElement) -> Option<Outcome>>;

/// A panel: a form shown while `panel` is `which`, that reads itself with `read` when sent and
/// saves what it read. The form empties itself and closes once saved. What she types is kept as a
/// draft named `draft` until then, offered back when the page is opened again (after the lock or a
/// reload), and Cancel asks before throwing it away.
#[component]
pub(super) fn PanelForm(
    panel: RwSignal<Panel>,
    which: Panel,
    heading: Text,
    read: Reader,
    set_problems: WriteSignal<Problems>,
    /// The draft's name: `case/<id>/<form>`.
    draft: String,
    /// Whether saving asks "are you sure?" first.
    #[prop(optional)]
    confirm: Option<Text>,
    /// Called when the form empties itself after a save.
    #[prop(optional)]
    on_reset: Option<Callback<()>>,
    /// Called with a draft's values once they are put back into the form.
    #[prop(optional)]
    on_fill: Option<Callback<Typed>>,
    /// The record the form changes, as she saw it when she began: kept with the draft, and
    /// replaced by the draft's own when she continues it.
    #[prop(optional)]
    seen: Option<StoredValue<Record, LocalStorage>>,
    children: Children,
) -> impl IntoView {
    let pending = StoredValue::new_local(None::<(Writes, HtmlFormElement)>);
    let (asking, set_asking) = signal(false);
    let form_ref = NodeRef::<leptos::html::Form>::new();
    // A draft found opens its panel, to be continued or discarded there, and brings it into view.
    let kept = DraftForm::new(use_store(), &draft, move || {
        panel.set(which);
        request_animation_frame(move || {
            if let Some(form) = form_ref.get_untracked() {
                form.scroll_into_view();
            }
        });
    });
    let empty = move |form: &HtmlFormElement| {
        form.reset();
        if let Some(on_reset) = on_reset {
            on_reset.run(());
        }
    };
    // Saved, the form empties itself and closes, and its draft is forgotten.
    let save = {
        let (store, sync) = (use_store(), use_sync());
        Action::new_local(move |(writes, form): &(Writes, HtmlFormElement)| {
            let (store, sync) = (Rc::clone(&store), Rc::clone(&sync));
            let (writes, form) = (writes.clone(), form.clone());
            async move {
                save_all(&store, &sync, writes).await?;
                kept.forget();
                empty(&form);
                // Only if it is still this form: she may have opened another while it saved.
                panel.update(|open| {
                    if *open == which {
                        *open = Panel::None;
                    }
                });
                Ok(())
            }
        })
    };
    let commit = move || {
        let Some(sending) = pending.try_update_value(Option::take).flatten() else {
            return;
        };
        set_asking.set(false);
        save.dispatch_local(sending);
    };
    let on_submit = move |ev: Targeted<SubmitEvent, HtmlFormElement>| {
        ev.prevent_default();
        save.clear();
        let form = ev.target();
        match read(&form) {
            Some(Ok(writes)) => {
                set_problems.set(Problems::new());
                pending.set_value(Some((writes, form)));
                if confirm.is_some() {
                    set_asking.set(true);
                } else {
                    commit();
                }
            }
            Some(Err(problems)) => set_problems.set(problems),
            None => {}
        }
    };
    let on_input = move |_: leptos::ev::Event| {
        if let Some(form) = form_ref.get_untracked() {
            kept.typed(&form, seen.map(|seen| seen.get_value()));
        }
    };
    let go_continue = Callback::new(move |()| {
        let Some(found) = form_ref
            .get_untracked()
            .and_then(|form| kept.restore(&form))
        else {
            return;
        };
        if let (Some(seen), Some(then)) = (seen, found.seen) {
            seen.set_value(then);
        }
        if let Some(on_fill) = on_fill {
            on_fill.run(found.typed);
        }
    });
    let drop_offer = Callback::new(move |()| {
        kept.forget();
        panel.set(Panel::None);
    });
    // Cancel empties the form (what was typed is kept or discarded by then) and closes it.
    let leave = Callback::new(move |()| {
        if let Some(form) = form_ref.get_untracked() {
            empty(&form);
        }
        panel.set(Panel::None);
    });
    let key = heading.key();
    let question = confirm.map(tr);
    view! {
        <form
            class="case-form panel"
            novalidate
            node_ref=form_ref
            hidden=move || panel.get() != which
            aria-labelledby=key
            on:submit:target=on_submit
            on:input=on_input
        >
            <h2 id=key>{tr(heading)}</h2>
            <UnfinishedOffer
                shown=Signal::derive(move || kept.offering())
                text=Text::DraftEntry
                on_continue=go_continue
                on_discard=drop_offer
                id=format!("{key}-unfinished")
            />
            <div class="panel-fields" hidden=move || kept.offering()>
                {children()}
                {failed(save)}
                <Confirm
                    shown=asking.into()
                    question=Signal::derive(move || question.map(|q| q().to_owned()).unwrap_or_default())
                    yes=Text::CaseCloseYes
                    no=Text::FormCancel
                    on_yes=Callback::new(move |()| commit())
                    on_no=Callback::new(move |()| set_asking.set(false))
                    id=format!("{key}-confirm")
                />
                <FormActions
                    draft=kept
                    save=if confirm.is_some() { Text::CaseClose } else { Text::CaseSaveEntry }
                    busy=save.pending().into()
                    on_leave=leave
                    id=format!("{key}-discard")
                />
            </div>
        </form>
    }
}

/// The name of a panel's draft for the case open now.
pub(super) fn draft_name(current: &Current, form: &str) -> String {
    current().map_or_else(String::new, |file| drafts::entry(file.case.id, form))
}
