//! A field written differently on two devices, shown with each value and who wrote it, and the
//! button that keeps one.

use super::saving::use_saving;
use super::writers::{StaffSignal, refresh_staff, written_when};
use crate::browser::now_millis;
use crate::components::alert;
use crate::directory;
use crate::i18n::{Text, tr, use_lang};
use crate::pages::{save_failure, shown_value};
use leptos::prelude::*;
use sakhi_domain::schema::ASSIGNED_TO;
use sakhi_domain::{Record, Version};

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
    let saving = use_saving();
    let (failed, set_failed) = signal(None::<Text>);
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
            let keep = {
                let (saving, case) = (saving.clone(), case.clone());
                move |_| {
                    let (saving, case, value) = (saving.clone(), case.clone(), value.clone());
                    leptos::task::spawn_local(async move {
                        match saving.0.resolve(case, field, value, now_millis()).await {
                            Ok(_) => saving.1.local_change().await,
                            Err(error) => set_failed.set(Some(save_failure(&error))),
                        }
                    });
                }
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
            {move || failed.get().map(alert)}
        </dd>
    }
}
