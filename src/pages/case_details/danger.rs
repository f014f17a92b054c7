//! While she is in danger: rescue, police and shelter, one tap each to request.

use super::saving::{save_with, use_saving};
use crate::browser::today;
use crate::casework::{CaseFile, ServiceDraft};
use crate::components::alert;
use crate::i18n::{Text, choice_label, fill, t, tr, use_lang};
use leptos::prelude::*;
use sakhi_domain::{Kind, Record};
use std::rc::Rc;

/// While she is in danger: rescue, police and shelter, one tap each to request.
#[component]
pub(super) fn Danger(file: Rc<CaseFile>) -> impl IntoView {
    let saving = use_saving();
    let (failed, set_failed) = signal(None::<Text>);
    let case = file.case.id;
    let buttons = ["rescue", "police", "shelter"]
        .into_iter()
        .filter(|service| file.lacks(service))
        .map(|service| {
            let saving = saving.clone();
            let lang = use_lang();
            let request = move |_| {
                let draft = ServiceDraft(vec![
                    ("service", service.to_owned()),
                    ("service_state", "requested".to_owned()),
                    ("service_on", today()),
                ]);
                let Ok(edits) = draft.parse(case) else { return };
                let saving = saving.clone();
                leptos::task::spawn_local(async move {
                    let record = Record::new(crate::browser::new_id(), Kind::Service);
                    if let Err(text) = save_with(&saving, record, edits).await {
                        set_failed.set(Some(text));
                    }
                });
            };
            view! {
                <button type="button" class="button danger" on:click=request>
                    {move || {
                        let lang = lang.get();
                        fill(t(lang, Text::CaseRequest), "service", &choice_label(lang, "service", service))
                    }}
                </button>
            }
        })
        .collect_view();
    view! {
        <div class="notice danger" role="alert">
            <p>{tr(Text::CaseDanger)}</p>
            <div class="actions">{buttons}</div>
            {move || failed.get().map(alert)}
        </div>
    }
}
