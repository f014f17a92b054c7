//! While she is in danger: rescue, police and shelter, one tap each to request.

use super::saving::save_action;
use crate::browser::today;
use crate::casework::{CaseFile, ServiceDraft};
use crate::i18n::{Text, choice_label, fill, t, tr, use_lang};
use crate::pages::failed;
use leptos::prelude::*;
use sakhi_domain::{Kind, Record};
use std::rc::Rc;

/// While she is in danger: rescue, police and shelter, one tap each to request.
#[component]
pub(super) fn Danger(file: Rc<CaseFile>) -> impl IntoView {
    let save = save_action();
    let case = file.case.id;
    let buttons = ["rescue", "police", "shelter"]
        .into_iter()
        .filter(|service| file.lacks(service))
        .map(|service| {
            let lang = use_lang();
            let request = move |_| {
                let draft = ServiceDraft(vec![
                    ("service", service.to_owned()),
                    ("service_state", "requested".to_owned()),
                    ("service_on", today()),
                ]);
                let Ok(edits) = draft.parse(case) else { return };
                let record = Record::new(crate::browser::new_id(), Kind::Service);
                save.dispatch_local(vec![(record, edits)]);
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
            {failed(save)}
        </div>
    }
}
