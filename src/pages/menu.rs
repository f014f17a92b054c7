//! `/menu`: what the bottom bar has no room for: who is unlocked, the pages of her role, this
//! phone's settings and language, and locking and logging out. One list of large rows, so every
//! choice is a whole row under the thumb.

use crate::components::LanguageSwitch;
use crate::i18n::{Text, tr};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use sakhi_domain::account::Role;

#[component]
pub fn Menu() -> impl IntoView {
    let unlocked = crate::unlocked()?;
    let session = crate::session::use_session();
    let role = unlocked.role;
    let navigate = use_navigate();
    // Whoever unlocks next starts from the list of cases, not from this menu. Locked first: the
    // list must not start to draw with her store while it is being put away.
    let lock = move |_| {
        session.lock();
        navigate(
            "/",
            NavigateOptions {
                replace: true,
                ..NavigateOptions::default()
            },
        );
    };
    let item = |href: &'static str, label: Text| {
        view! {
            <li>
                <a href=href>{tr(label)}</a>
            </li>
        }
    };
    Some(view! {
        <section class="menu">
            <h1>{tr(Text::NavMenu)}</h1>
            <p class="worker-name">{unlocked.worker.display_name.clone()}</p>
            <ul class="menu-list">
                {item("/sync", Text::SyncHeading)}
                {matches!(role, Role::Administrator | Role::Counsellor)
                    .then(|| item("/figures", Text::FiguresLink))}
                {(role == Role::Administrator)
                    .then(|| view! { {item("/staff", Text::StaffLink)} {item("/audit", Text::AuditLink)} })}
                {item("/settings", Text::SettingsLink)}
            </ul>
            <LanguageSwitch />
            <div class="menu-leave">
                <button type="button" class="button secondary" on:click=lock>
                    {tr(Text::LockButton)}
                </button>
                <a class="button secondary" href="/logout">
                    {tr(Text::LogoutLink)}
                </a>
            </div>
        </section>
    })
}
