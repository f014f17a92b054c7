//! Changes the server refused, kept on the phone and shown until someone deals with them: on the
//! home screen and on the sync page, each with its case and the reason in her language where Sakhi
//! knows it.

use crate::i18n::{Text, field_label, fill, t, tr, use_lang};
use crate::store::OutboxEntry;
use leptos::prelude::*;
use sakhi_domain::RecordId;

/// `names` gives the name of each refused change's case, where the phone knows it.
#[component]
pub fn RefusedChanges(
    refused: ReadSignal<Vec<OutboxEntry>>,
    names: Vec<(RecordId, String)>,
) -> impl IntoView {
    let lang = use_lang();
    let name_of = move |id: RecordId| {
        names
            .iter()
            .find(|(named, name)| *named == id && !name.is_empty())
            .map(|(_, name)| name.clone())
    };
    move || {
        let refused = refused.get();
        (!refused.is_empty()).then(|| {
            let items = refused
                .into_iter()
                .map(|entry| {
                    let change = entry.change;
                    let (code, reason) = entry
                        .rejected
                        .map(|r| (r.code, r.reason))
                        .unwrap_or_default();
                    let name = name_of(change.record);
                    let field = change.field;
                    view! {
                        <li>
                            <a href=format!("/cases/{}", change.record)>
                                {move || {
                                    name.clone()
                                        .unwrap_or_else(|| t(lang.get(), Text::CasesUnnamed).to_owned())
                                }}
                            </a>
                            <br />
                            {move || {
                                let text = fill(
                                    t(lang.get(), Text::RefusedChange),
                                    "field",
                                    &field_label(lang.get(), &field),
                                );
                                // Said in her language where Sakhi knows the reason.
                                let reason = match code.as_str() {
                                    "out_of_scope" => t(lang.get(), Text::RefusedNotYours),
                                    _ => &reason,
                                };
                                fill(&text, "reason", reason)
                            }}
                        </li>
                    }
                })
                .collect_view();
            view! {
                <section class="refused" aria-labelledby="refused-heading">
                    <h2 id="refused-heading">{tr(Text::RefusedHeading)}</h2>
                    <p>{tr(Text::RefusedIntro)}</p>
                    <ul>{items}</ul>
                </section>
            }
        })
    }
}
