//! Who wrote what on the case page: the centre's staff as the server last listed them, and the
//! line that says who changed a value, from which device, and when.

use crate::directory;
use crate::i18n::{Lang, Text, fill, t, use_lang};
use crate::pages::{shown_moment, writer};
use leptos::prelude::*;
use sakhi_domain::wire::account::Staff;
use sakhi_domain::{Record, Stamp};

/// Who works at the centre, once read: to say who wrote what and to assign the case.
pub(super) type StaffSignal = RwSignal<Option<Staff>, LocalStorage>;

/// Reads who works at the centre again (from the server if it can be reached) into `staff`.
pub(super) fn refresh_staff(staff: StaffSignal) {
    let Some(unlocked) = crate::unlocked() else {
        return;
    };
    leptos::task::spawn_local(async move {
        let found = directory::staff(&unlocked).await;
        staff.set(Some(found));
    });
}

/// Who wrote a value and when: the names of the staff using the device that stamped it (or
/// "another device" while the server has not said whose it is), the day and the time.
pub(super) fn written_when(lang: Lang, staff: StaffSignal, stamp: Stamp) -> String {
    let names = staff.with(|staff| writer(lang, staff.as_ref(), stamp.device));
    format!("{names}, {}", shown_moment(lang, stamp.hlc.millis))
}

/// "Changed by …" or "Registered by …": who wrote from the device that stamped `stamp`, and when.
pub(super) fn written_line(what: Text, stamp: Stamp, staff: StaffSignal) -> impl IntoView {
    let lang = use_lang();
    let line = move || {
        let lang = lang.get();
        fill(t(lang, what), "who", &written_when(lang, staff, stamp))
    };
    view! { <span class="changed">{line}</span> }
}

/// The stamp of the latest change to `record` made on top of an earlier value, if any was.
pub(super) fn last_change(record: &Record) -> Option<Stamp> {
    record
        .fields
        .values()
        .filter_map(|field| field.winner())
        .filter(|winner| winner.base.is_some())
        .map(|winner| winner.stamp)
        .max()
}
