//! Locking by itself: after some minutes untouched (five unless her centre's administrator chose
//! another time), and soon after the phone shows another app, the
//! open store and its key are let go and only the lock screen remains.

use crate::session::Session;
use leptos::prelude::*;
use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

/// How long the app may stay in the background (another app, the screen off) before it locks.
pub const HIDDEN: Duration = Duration::from_secs(30);
/// How often the idle time is looked at.
const CHECK_EVERY: Duration = Duration::from_secs(10);

/// Locks `session` when the page is left alone, for as long as the calling component lives.
pub fn lock_when_left(session: Session) {
    let last_touch = Rc::new(Cell::new(js_sys::Date::now()));
    let touched = {
        let last_touch = Rc::clone(&last_touch);
        move || last_touch.set(js_sys::Date::now())
    };
    let on_pointer = {
        let touched = touched.clone();
        window_event_listener(leptos::ev::pointerdown, move |_| touched())
    };
    let on_key = window_event_listener(leptos::ev::keydown, move |_| touched());
    let idle = set_interval_with_handle(
        move || {
            let Some(unlocked) = session.unlocked() else {
                return;
            };
            let idle_ms = f64::from(unlocked.lock_minutes.get_untracked()) * 60_000.0;
            if js_sys::Date::now() - last_touch.get() > idle_ms {
                session.lock();
            }
        },
        CHECK_EVERY,
    )
    .ok();

    let hidden_timer = Rc::new(Cell::new(None::<TimeoutHandle>));
    let on_visibility = {
        let hidden_timer = Rc::clone(&hidden_timer);
        window_event_listener(leptos::ev::visibilitychange, move |_| {
            if let Some(timer) = hidden_timer.take() {
                timer.clear();
            }
            if document().visibility_state() == web_sys::VisibilityState::Hidden {
                hidden_timer.set(set_timeout_with_handle(move || session.lock(), HIDDEN).ok());
            }
        })
    };

    // Cleanups run before the owner's stored values go, so the timer is still there to clear.
    let hidden_timer = StoredValue::new_local(hidden_timer);
    on_cleanup(move || {
        on_pointer.remove();
        on_key.remove();
        on_visibility.remove();
        if let Some(idle) = idle {
            idle.clear();
        }
        hidden_timer.with_value(|timer| {
            if let Some(timer) = timer.take() {
                timer.clear();
            }
        });
    });
}
