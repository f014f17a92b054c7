//! Keeping the phone's data: the browser is asked not to clear Sakhi's storage when space runs
//! short, and if it will not promise that while changes wait to be sent, the worker is told.

use crate::components::alert;
use crate::i18n::Text;
use leptos::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Whether the browser promised to keep this site's data; `None` until it answered.
#[derive(Clone, Copy)]
struct Kept(ReadSignal<Option<bool>>);

/// Asks the browser to keep this site's data, and remembers its answer for [`NotKeptNotice`].
pub fn keep_data() {
    let (kept, set_kept) = signal(None);
    provide_context(Kept(kept));
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
    let Kept(kept) = expect_context::<Kept>();
    let status = crate::use_sync_status();
    move || {
        let waiting = !status.waiting.get().unwrap_or_default().is_empty();
        (kept.get() == Some(false) && waiting).then(|| alert(Text::StorageNotKept))
    }
}
