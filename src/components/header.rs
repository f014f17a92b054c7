//! The bar on every screen: the app's name, the language switch, quick exit and the sync badge.

use super::{LanguageSwitch, QuickExit, SyncBadge};
use crate::i18n::{Text, tr};
use leptos::prelude::*;
use sakhi_domain::account::Role;

#[component]
pub fn AppHeader() -> impl IntoView {
    view! {
        <header class="app-header">
            <div class="app-bar">
                <a class="app-name" href="/">
                    {tr(Text::AppName)}
                </a>
                <LanguageSwitch />
                <QuickExit />
            </div>
            <WorkerBar />
            <SyncBadge />
        </header>
    }
    // Erased: the header is shown both while the store opens and once it is open, and one erased
    // copy of its code is smaller than one inside each of those views.
    .into_any()
}

/// Who is unlocked, with the ways to lock and to log out; nothing while the phone is locked.
#[component]
fn WorkerBar() -> impl IntoView {
    let unlocked = crate::unlocked()?;
    let session = crate::session::use_session();
    Some(view! {
        <div class="worker-bar">
            <span class="worker-name">{unlocked.worker.display_name.clone()}</span>
            <a href="/camps">{tr(Text::CampsLink)}</a>
            {matches!(unlocked.role, Role::Administrator | Role::Counsellor)
                .then(|| view! { <a href="/figures">{tr(Text::FiguresLink)}</a> })}
            {(unlocked.role == Role::Administrator)
                .then(|| {
                    view! {
                        <a href="/staff">{tr(Text::StaffLink)}</a>
                        <a href="/audit">{tr(Text::AuditLink)}</a>
                    }
                })}
            <a href="/settings">{tr(Text::SettingsLink)}</a>
            <button type="button" class="link-button" on:click=move |_| session.lock()>
                {tr(Text::LockButton)}
            </button>
            <a href="/logout">{tr(Text::LogoutLink)}</a>
        </div>
    })
}
