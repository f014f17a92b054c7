//! Keeping the phone's data: the browser is asked not to clear Sakhi's storage when space runs
//! short, and if it will not promise that while changes wait to be sent, the worker is told.

use crate::i18n::{Text, tr};
use crate::sync::SyncStatus;
use leptos::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[derive(Clone, Copy)]
struct Kept(ReadSignal<Option<bool>>);

/// Asks the browser to keep this site's data, and remembers its answer for [`NotKeptNotice`].
pub fn keep_data(status: SyncStatus) {
    let (kept, set_kept) = signal(None);
    provide_context((Kept(kept), status));
    let storage = window().navigator().storage();
    leptos::task::spawn_local(async move {
        let answer = match storage.persist() {
            Ok(promise) => JsFuture::from(promise).await.ok(),
            Err(_) => None,
        };
        // A browser that cannot answer is taken as one that did not promise.
        set_kept.set(Some(
            answer.and_then(|kept| kept.as_bool()).unwrap_or(false),
        ));
    });
}

/// Says, while changes wait to be sent, that the browser did not promise to keep them.
#[component]
pub fn NotKeptNotice() -> impl IntoView {
    let (Kept(kept), status) = expect_context::<(Kept, SyncStatus)>();
    move || {
        let waiting = status.waiting.get().unwrap_or_default() > 0;
        (kept.get() == Some(false) && waiting).then(|| {
            view! {
                <p class="notice problem" role="alert">
                    {tr(Text::StorageNotKept)}
                </p>
            }
        })
    }
}
