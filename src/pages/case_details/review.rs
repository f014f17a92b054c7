//! A field written differently on two devices, shown with each value and who wrote it, and the
//! button that keeps one.

use super::writers::{StaffSignal, refresh_staff, written_when};
use crate::browser::now_millis;
use crate::directory;
use crate::i18n::{Text, tr, use_lang};
use crate::pages::{failed, save_failure, shown_value};
use crate::{use_store, use_sync};
use leptos::prelude::*;
use sakhi_domain::schema::ASSIGNED_TO;
use sakhi_domain::{Record, Version};
use std::rc::Rc;

/// A field written differently on two devices while both were offline: each value, who wrote it
/// and when, and a button to keep it. Keeping one is a new change on top of all of them.
#[component]
pub(super) fn Review(
    case: Record,
    field: &'static str,
    staff: StaffSignal,
    /// Whether to say what a review is: once, above the first field to review.
    explained: bool,
) -> impl IntoView {
    let lang = use_lang();
    // Keeping a value is a new change to the case as she saw it, on top of every version shown.
    let keep = {
        let (store, sync, case) = (use_store(), use_sync(), case.clone());
        Action::new_local(move |value: &serde_json::Value| {
            let (store, sync) = (Rc::clone(&store), Rc::clone(&sync));
            let (case, value) = (case.clone(), value.clone());
            async move {
                match store.resolve(case, field, value, now_millis()).await {
                    Ok(_) => {
                        sync.local_change().await;
                        Ok(())
                    }
                    Err(error) => Err(save_failure(&error)),
                }
            }
        })
    };
    let mut versions: Vec<Version> = case
        .fields
        .get(field)
        .map(|state| state.heads().to_vec())
        .unwrap_or_default();
    versions.sort_by_key(|version| std::cmp::Reverse(version.stamp));
    // A value from a device the staff list does not know yet: ask the server again, which knows
    // every device that has sent it changes.
    let unknown = staff.with_untracked(|staff| {
        versions.iter().any(|version| {
            staff
                .as_ref()
                .is_none_or(|staff| directory::writers(staff, version.stamp.device).is_empty())
        })
    });
    if unknown {
        refresh_staff(staff);
    }
    let items = versions
        .into_iter()
        .map(|version| {
            let value = version.value.clone();
            let shown_value = {
                let (kind, value) = (case.kind, version.value.clone());
                move || match (field, value.as_str()) {
                    (ASSIGNED_TO, Some(id)) => staff.with(|staff| {
                        let name = staff
                            .as_ref()
                            .and_then(|staff| directory::name_of(staff, id));
                        name.map_or_else(|| id.to_owned(), str::to_owned)
                    }),
                    _ => shown_value(lang.get(), kind, field, Some(&value)),
                }
            };
            let stamp = version.stamp;
            let who = move || written_when(lang.get(), staff, stamp);
            let keep = move |_| {
                keep.dispatch_local(value.clone());
            };
            view! {
                <li>
                    <span class="value">{shown_value}</span>
                    <span class="who">{who}</span>
                    <button type="button" class="button secondary" on:click=keep>
                        {tr(Text::CaseKeep)}
                    </button>
                </li>
            }
        })
        .collect_view();
    view! {
        <dd class="review">
            {explained
                .then(|| {
                    view! {
                        <p class="problem">{tr(Text::CaseNeedsReview)}</p>
                        <p>{tr(Text::CaseReview)}</p>
                    }
                })}
            <ul>{items}</ul>
            {failed(keep)}
        </dd>
    }
}
