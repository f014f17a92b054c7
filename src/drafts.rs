//! Unfinished forms: what a worker typed and has not saved yet, kept sealed in her store like every
//! record, so that it survives the auto-lock, a reload and a closed tab until she saves it or
//! chooses to discard it.

use crate::store::{Store, draft_names};
use leptos::prelude::*;
use sakhi_domain::Record;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{FormData, HtmlFormElement, HtmlInputElement, HtmlTextAreaElement};

/// Each control's name and what it holds, as a form would send it: a box ticked or a button
/// chosen is its value under its name.
pub type Typed = Vec<(String, String)>;

/// A form left half done.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Unfinished {
    pub typed: Typed,
    /// The record as she saw it when she began to correct it, so that what she changes is still
    /// written on top of what she saw, however long the draft waited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen: Option<Record>,
}

// What each form's draft is called: the store keeps the names, so that a draft leaves the phone
// with its case.
pub use crate::store::draft_names::{NEW_CASE, correction, entry};

/// What the form `form` holds now.
pub fn typed(form: &HtmlFormElement) -> Typed {
    let Ok(data) = FormData::new_with_form(form) else {
        return Typed::new();
    };
    let mut typed = Typed::new();
    let Ok(Some(entries)) = js_sys::try_iter(&data) else {
        return typed;
    };
    for entry in entries.flatten() {
        let pair = js_sys::Array::from(&entry);
        if let (Some(name), Some(value)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
            typed.push((name, value));
        }
    }
    typed
}

/// The fields of `record` as a form shows them: text and numbers as typed, each code of a list
/// once under the field's name, a flag as `yes` when set.
pub fn of_record(record: &Record, fields: &[&str]) -> Typed {
    let mut typed = Typed::new();
    for field in fields {
        match record.value(field) {
            Some(Value::String(text)) => typed.push(((*field).to_owned(), text.clone())),
            Some(Value::Number(number)) => typed.push(((*field).to_owned(), number.to_string())),
            Some(Value::Array(codes)) => typed.extend(
                codes
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|code| ((*field).to_owned(), code.to_owned())),
            ),
            Some(Value::Bool(true)) => typed.push(((*field).to_owned(), "yes".to_owned())),
            _ => {}
        }
    }
    typed
}

/// Puts `typed` into the form's controls: boxes and buttons are ticked when their value is
/// among their name's, other inputs and text areas take their name's first value or nothing.
/// Hidden inputs (a camp's id) stay as the page drew them.
pub fn fill(form: &HtmlFormElement, typed: &Typed) {
    let values = |name: String| {
        typed
            .iter()
            .filter(move |(n, _)| *n == name)
            .map(|(_, v)| v)
    };
    let Ok(controls) = form.query_selector_all("input[name], textarea[name]") else {
        return;
    };
    for at in 0..controls.length() {
        let Some(node) = controls.item(at) else {
            continue;
        };
        if let Some(input) = node.dyn_ref::<HtmlInputElement>() {
            let name = input.name();
            match input.type_().as_str() {
                "hidden" | "submit" | "button" => {}
                "checkbox" | "radio" => {
                    let value = input.value();
                    input.set_checked(values(name).any(|v| *v == value));
                }
                _ => input.set_value(values(name).next().map_or("", String::as_str)),
            }
        } else if let Some(area) = node.dyn_ref::<HtmlTextAreaElement>() {
            area.set_value(values(area.name()).next().map_or("", String::as_str));
        }
    }
}

/// The last thing asked of a draft, waiting for the one before to be written.
enum Next {
    Keep(Unfinished),
    Discard,
}

/// Keeps one form's draft under `name` in her store. Writes happen one at a time, in the order
/// asked, and only the latest waiting one is written, so a fast typist costs few writes and a
/// discard is never undone by a slower keep.
#[derive(Clone)]
pub struct Draft {
    store: Rc<Store>,
    name: Rc<str>,
    next: Rc<RefCell<Option<Next>>>,
    writing: Rc<Cell<bool>>,
}

impl Draft {
    /// The draft named `form` ([`NEW_CASE`], [`correction`] or [`entry`]).
    pub fn new(store: Rc<Store>, form: &str) -> Draft {
        Draft {
            store,
            name: draft_names::stored(form).into(),
            next: Rc::default(),
            writing: Rc::default(),
        }
    }

    /// The draft kept, if there is one with anything typed in it.
    pub async fn find(&self) -> Option<Unfinished> {
        let text = self.store.secret(&self.name).await.ok()??;
        serde_json::from_str::<Unfinished>(&text)
            .ok()
            .filter(|draft| !draft.typed.is_empty())
    }

    pub fn keep(&self, draft: Unfinished) {
        self.ask(Next::Keep(draft));
    }

    pub fn discard(&self) {
        self.ask(Next::Discard);
    }

    fn ask(&self, next: Next) {
        *self.next.borrow_mut() = Some(next);
        if self.writing.replace(true) {
            return;
        }
        let this = self.clone();
        leptos::task::spawn_local(async move {
            loop {
                let Some(next) = this.next.borrow_mut().take() else {
                    break;
                };
                // A draft that cannot be kept (the store closed as the phone locked) is only
                // a convenience lost: the form still holds what she typed.
                let _ = match next {
                    Next::Keep(draft) => match serde_json::to_string(&draft) {
                        Ok(text) => this.store.set_secret(&this.name, &text).await,
                        Err(_) => Ok(()),
                    },
                    Next::Discard => this.store.remove_secret(&this.name).await,
                };
            }
            this.writing.set(false);
        });
    }
}

/// What a form with a draft shows and does: a draft found is offered back before the form, what
/// she types is kept while no offer waits, and Cancel asks before unsaved input is thrown away.
/// Shared by the new-case form, a correction and the timeline's forms.
#[derive(Clone, Copy)]
pub struct DraftForm {
    kept: StoredValue<Draft, LocalStorage>,
    /// A draft found, waiting for her to continue or discard it.
    pub offer: RwSignal<Option<Unfinished>, LocalStorage>,
    /// Whether the form holds input not saved yet.
    pub dirty: RwSignal<bool>,
    /// Whether Cancel is asking before it throws input away.
    pub asking: RwSignal<bool>,
}

impl DraftForm {
    /// The form's draft `name` in `store`; looks for one kept from before, and calls `found` if
    /// there is one.
    pub fn new(store: Rc<Store>, name: &str, found: impl FnOnce() + 'static) -> DraftForm {
        let form = DraftForm {
            kept: StoredValue::new_local(Draft::new(store, name)),
            offer: RwSignal::new_local(None),
            dirty: RwSignal::new(false),
            asking: RwSignal::new(false),
        };
        let (kept, offer) = (form.kept.get_value(), form.offer);
        leptos::task::spawn_local(async move {
            if let Some(draft) = kept.find().await {
                offer.set(Some(draft));
                found();
            }
        });
        form
    }

    /// Whether a draft waits to be continued or discarded.
    pub fn offering(&self) -> bool {
        self.offer.with(Option::is_some)
    }

    /// Keeps what `form` holds now, unless a draft waits to be continued or discarded.
    pub fn typed(&self, form: &HtmlFormElement, seen: Option<Record>) {
        if self.offer.with_untracked(Option::is_some) {
            return;
        }
        self.dirty.set(true);
        let draft = Unfinished {
            typed: typed(form),
            seen,
        };
        self.kept.with_value(|kept| kept.keep(draft));
    }

    /// Puts the draft on offer back into `form`; returns it.
    pub fn restore(&self, form: &HtmlFormElement) -> Option<Unfinished> {
        let draft = self.offer.get_untracked()?;
        fill(form, &draft.typed);
        self.dirty.set(true);
        self.offer.set(None);
        Some(draft)
    }

    /// Forgets the draft: she saved the form, or chose to throw her input away.
    pub fn forget(&self) {
        self.kept.with_value(Draft::discard);
        self.offer.set(None);
        self.dirty.set(false);
        self.asking.set(false);
    }

    /// The kept draft, to forget from a task that may outlive the form.
    pub fn draft(&self) -> Draft {
        self.kept.get_value()
    }

    /// Cancel: `true` if there is nothing to lose and the form may close; otherwise it asks.
    pub fn may_leave(&self) -> bool {
        if self.dirty.get_untracked() {
            self.asking.set(true);
            false
        } else {
            true
        }
    }
}
