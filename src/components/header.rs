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
}
