//! `/logout`: leaving this phone. Her cases go with her; changes not yet sent are offered a last
//! chance to go first, because after logging out they are gone.

use crate::components::alert;
use crate::i18n::{Text, fill, t, tr, use_lang};
use crate::session::use_session;
use crate::{use_sync, use_sync_status};
use leptos::prelude::*;

#[component]
pub fn LogOut() -> impl IntoView {
    let session = use_session();
    let sync = StoredValue::new_local(use_sync());
    let status = use_sync_status();
    let lang = use_lang();
    // Logged out, the page goes with her store: only a failure is ever shown here.
    let log_out = Action::new_local(move |_: &()| async move { session.log_out().await.is_ok() });
    let failed = move || log_out.value().get() == Some(false);
    let waiting = move || status.waiting.get().unwrap_or_default();

    view! {
        <section class="log-out">
            <h1>{tr(Text::LogoutHeading)}</h1>
            <p>{tr(Text::LogoutExplain)}</p>
            {move || failed().then(|| alert(Text::AppStoreFailed))}
            {move || {
                let waiting = waiting();
                if !waiting.is_empty() {
                    view! {
                        <p class="notice problem" role="alert">
                            {move || {
                                fill(t(lang.get(), Text::LogoutWaiting), "what", &waiting.describe(lang.get()))
                            }}
                        </p>
                        <div class="actions">
                            <button
                                type="button"
                                class="button primary"
                                on:click=move |_| sync.with_value(|sync| sync.request())
                            >
                                {tr(Text::LogoutSend)}
                            </button>
                            <button
                                type="button"
                                class="button danger"
                                disabled=log_out.pending()
                                on:click=move |_| {
                                    log_out.dispatch_local(());
                                }
                            >
                                {tr(Text::LogoutAnyway)}
                            </button>
                        </div>
                    }
                        .into_any()
                } else {
                    view! {
                        <div class="actions">
                            <button
                                type="button"
                                class="button primary"
                                disabled=log_out.pending()
                                on:click=move |_| {
                                    log_out.dispatch_local(());
                                }
                            >
                                {tr(Text::LogoutConfirm)}
                            </button>
                            <a class="button secondary" href="/">
                                {tr(Text::FormCancel)}
                            </a>
                        </div>
                    }
                        .into_any()
                }
            }}
        </section>
    }
    .into_any()
}
