//! The app's frame: the chosen language, the session (locked, or a worker's store open), the
//! [`Services`] of an unlocked phone, the header, and one route per page.

use crate::components::{AppHeader, BottomNav, clock_warning, quick_exit};
use crate::i18n::{Lang, Language, Text, t, tr};
use crate::pages::{
    Audit, CampDetails, CampList, CaseDetails, CaseHistoryPage, CaseList, EditCase, Figures,
    LogInAgain, LogOut, Menu, NewCamp, NewCase, Settings, Setup, SignIn, Staff, SyncPage,
};
use crate::services::Services;
use crate::session::{Phase, Session, Unlocked, use_session};
use crate::sync::SyncClient;
use crate::{browser, lock, storage};
use gloo_storage::Storage as _;
use leptos::prelude::*;
use leptos_router::components::{FlatRoutes, Route, Router};
use leptos_router::path;
use sakhi_domain::account::Role;
use std::rc::Rc;

/// Where the chosen language is remembered between visits.
const LANGUAGE_KEY: &str = "sakhi.lang";

#[component]
pub fn App() -> impl IntoView {
    let language = Language::provide(first_language());
    // Keeps the page itself in step with the chosen language: screen readers and fonts follow
    // `<html lang>`, and the choice outlives the visit.
    Effect::new(move |_| {
        let lang = language.lang.get();
        let _ = gloo_storage::LocalStorage::set(LANGUAGE_KEY, lang.code());
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", lang.code());
        }
        document().set_title(t(lang, Text::AppName));
    });
    browser::register_service_worker();
    quick_exit::install_shortcuts();

    let session = Session::provide();
    // Quick exit forgets the key, as locking does.
    quick_exit::on_leave(move || session.lock());

    view! {
        <Router>
            {move || match session.phase.get() {
                Phase::Open(unlocked) => view! { <Ready unlocked /> }.into_any(),
                Phase::Locked => {
                    view! {
                        <AppHeader />
                        <main>
                            {clock_warning()}
                            <FlatRoutes fallback=SignIn>
                                <Route path=path!("/setup") view=Setup />
                            </FlatRoutes>
                        </main>
                    }
                        .into_any()
                }
                // Until the keyring is read there is the header and a word on how opening goes.
                starting_or_failed => {
                    let failed = matches!(starting_or_failed, Phase::Failed);
                    let notice = if failed { Text::AppStoreFailed } else { Text::AppOpening };
                    view! {
                        <AppHeader />
                        <main>
                            <p class="notice" role=failed.then_some("alert")>
                                {tr(notice)}
                            </p>
                        </main>
                    }
                        .into_any()
                }
            }}
        </Router>
    }
}

/// The app once a worker has unlocked: the sync client starts, the pages can read and write, and
/// the app locks itself when left alone.
#[component]
fn Ready(unlocked: Rc<Unlocked>) -> impl IntoView {
    let store = Rc::clone(&unlocked.store);
    // Only an outreach worker's phone lets old cases go; the other roles work the whole centre.
    let purge_days = (unlocked.role == Role::OutreachWorker).then_some(unlocked.purge_days);
    let (sync, status) = SyncClient::start(Rc::clone(&store), purge_days);
    // Cleanups run before the owner's stored values go, so the client is still there to stop.
    let stopping = StoredValue::new_local(Rc::clone(&sync));
    on_cleanup(move || stopping.with_value(|sync| sync.stop()));
    Services {
        store,
        sync,
        status,
        unlocked,
    }
    .provide();
    lock::lock_when_left(use_session());
    storage::keep_data();

    view! {
        <AppHeader />
        <main class="with-nav">
            {clock_warning()}
            // No page nests inside another, so the flat router is enough, and it is far smaller.
            <FlatRoutes fallback=|| view! { <p class="notice">{tr(Text::AppNotFound)}</p> }>
                <Route path=path!("/") view=CaseList />
                <Route path=path!("/cases/new") view=NewCase />
                <Route path=path!("/cases/:id") view=CaseDetails />
                <Route path=path!("/cases/:id/edit") view=EditCase />
                <Route path=path!("/cases/:id/history") view=CaseHistoryPage />
                <Route path=path!("/camps") view=CampList />
                <Route path=path!("/camps/new") view=NewCamp />
                <Route path=path!("/camps/:id") view=CampDetails />
                <Route path=path!("/figures") view=Figures />
                <Route path=path!("/logout") view=LogOut />
                <Route path=path!("/login-again") view=LogInAgain />
                <Route path=path!("/staff") view=Staff />
                <Route path=path!("/audit") view=Audit />
                <Route path=path!("/settings") view=Settings />
                <Route path=path!("/menu") view=Menu />
                <Route path=path!("/sync") view=SyncPage />
            </FlatRoutes>
        </main>
        <BottomNav />
    }
}

/// The language chosen on this device before, else the browser's if we speak it, else English.
fn first_language() -> Lang {
    gloo_storage::LocalStorage::get::<String>(LANGUAGE_KEY)
        .ok()
        .and_then(|code| Lang::parse(&code))
        .or_else(|| {
            let tag = window().navigator().language()?;
            Some(Lang::from_browser(&tag))
        })
        .unwrap_or_default()
}
