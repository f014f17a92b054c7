//! The bar on every screen: the app's name, the language switch and the sync badge.

use super::{LanguageSwitch, SyncBadge};
use crate::i18n::{Text, tr};
use leptos::prelude::*;

#[component]
pub fn AppHeader() -> impl IntoView {
    view! {
        <header class="app-header">
            <div class="app-bar">
                <a class="app-name" href="/">
                    {tr(Text::AppName)}
                </a>
                <LanguageSwitch />
            </div>
            <SyncBadge />
        </header>
    }
    // Erased: the header is shown both while the store opens and once it is open, and one erased
    // copy of its code is smaller than one inside each of those views.
    .into_any()
}
