//! The phone's clock as the server corrects it. Cheap phones lose their date whenever the battery
//! runs flat, and a stamp from a wrong date would either win every later edit or lose to every
//! earlier one. So each answer from the server (its `Date` header) tells how far the phone's clock
//! is off; Sakhi stamps and dates by the corrected time, and tells the worker, in her language, to
//! set the phone's date when it is off by more than a few minutes.
//!
//! The offset is kept in the browser's local storage (it says nothing about anyone), so that a
//! phone opened offline after a reload still stamps by the corrected time.

use gloo_storage::Storage as _;
use leptos::prelude::*;
use std::cell::Cell;

/// Where the offset is kept between starts.
const OFFSET_KEY: &str = "sakhi.clock_offset";

/// Past this, the worker is asked to set the phone's date: the margin the server allows a stamp
/// ahead of its clock.
const TOLERATED_MILLIS: i64 = sakhi_domain::trust::MOST_AHEAD_MILLIS as i64;

thread_local! {
    /// Milliseconds to add to the phone's clock to get the server's; `None` until an answer said.
    static OFFSET: Cell<Option<i64>> =
        Cell::new(gloo_storage::LocalStorage::get::<i64>(OFFSET_KEY).ok());
    /// Whether the phone's clock is off by more than the margin, for the screen. Counted by
    /// reference rather than kept with the view that first asks: it outlives every screen.
    static WRONG: ArcRwSignal<bool> = ArcRwSignal::new(OFFSET.get().is_some_and(is_wrong));
}

fn is_wrong(offset: i64) -> bool {
    offset.abs() > TOLERATED_MILLIS
}

/// The phone's own clock, in milliseconds since 1970.
fn phone_millis() -> f64 {
    js_sys::Date::now()
}

/// The time now, in milliseconds since 1970: the phone's clock, corrected by what the server last
/// said.
pub fn now_millis() -> u64 {
    let offset = OFFSET.get().unwrap_or(0) as f64;
    // A double holding a whole number of milliseconds well inside u64's range.
    (phone_millis() + offset).max(0.0) as u64
}

/// The server's time now, if an answer has told it.
pub fn server_now() -> Option<u64> {
    OFFSET.get().map(|_| now_millis())
}

/// Whether the phone's date is wrong, for the warning on screen.
pub fn wrong() -> ArcRwSignal<bool> {
    WRONG.with(ArcRwSignal::clone)
}

/// Takes in an answer's `Date` header (`Mon, 07 Dec 2026 18:30:00 GMT`, whole seconds), for a
/// request sent at `sent` and answered at `answered` by the phone's clock.
pub fn heard(date: &str, sent: f64, answered: f64) {
    let server = js_sys::Date::parse(date);
    if !server.is_finite() {
        return;
    }
    // The header drops the milliseconds: half a second is the likeliest.
    let offset = (server + 500.0 - (sent + answered) / 2.0) as i64;
    // Within a second of what is known, nothing is worth writing.
    if OFFSET
        .get()
        .is_some_and(|known| (known - offset).abs() < 1_000)
    {
        return;
    }
    OFFSET.set(Some(offset));
    let _ = gloo_storage::LocalStorage::set(OFFSET_KEY, offset);
    WRONG.with(|wrong| wrong.set(is_wrong(offset)));
}

/// The phone's time now by its own clock, for timing a request.
pub fn phone_now() -> f64 {
    phone_millis()
}
