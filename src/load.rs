//! Reading the device's store for the screen: a signal with the latest answer of an async read.

use leptos::prelude::*;
use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;

/// Runs `read` now, and again whenever a signal it reads before its first `.await` changes, and
/// holds its latest answer: `None` until the first one arrives. An answer that arrives after a
/// newer read started is dropped, so the screen never goes back to older data.
///
/// Leptos's `LocalResource` does this too, but its machinery (async derived signals, suspense
/// bookkeeping, async locks) costs the app shell about 7 KB of compressed wasm, a large share of
/// the budget for the app's own code, and these pages need only the answer.
pub fn load<T, F>(read: impl Fn() -> F + 'static) -> ReadSignal<Option<T>, LocalStorage>
where
    T: 'static,
    F: Future<Output = T> + 'static,
{
    let (answer, set_answer) = signal_local(None);
    let latest = Rc::new(Cell::new(0u64));
    Effect::new(move |_| {
        let reading = read();
        let this = latest.get() + 1;
        latest.set(this);
        let latest = Rc::clone(&latest);
        leptos::task::spawn_local(async move {
            let value = reading.await;
            if latest.get() == this {
                set_answer.set(Some(value));
            }
        });
    });
    answer
}
