//! The app's frame: the chosen language, the opened store and the sync client as context, the
//! header, and one route per page.

use crate::browser;
use crate::components::AppHeader;
use crate::i18n::{Lang, Language, Text, t, tr};
use crate::pages::{CaseDetails, CaseList, NewCase};
use crate::store::{Keyring, Store, StoreError, Worker, database_name};
use crate::sync::{SyncClient, SyncStatus};
use gloo_storage::Storage as _;
use leptos::prelude::*;
use leptos_router::components::{FlatRoutes, Route, Router};
use leptos_router::path;
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

    // `None` while the store opens, then the store, or nothing if it could not be opened: the
    // screen says only that it failed.
    let (opened, set_opened) = signal_local(None);
    // INTEGRATION: a placeholder until the login and unlock screens supply the worker's key: it
    // unlocks, or on a new phone enrols, one fixed worker, the one the benchmarks' seeding page
    // (bench/seeder) also uses, so the app and its tests keep working meanwhile.
    leptos::task::spawn_local(async move {
        let opened = async {
            const ACCOUNT: &str = "bench";
            const PASSPHRASE: &str = "bench-passphrase";
            let keyring = Keyring::open().await?;
            let key = match keyring.unlock(ACCOUNT, PASSPHRASE).await {
                Err(StoreError::NotEnrolled) => {
                    let worker = Worker {
                        account: ACCOUNT.to_owned(),
                        username: ACCOUNT.to_owned(),
                        display_name: "Bench worker".to_owned(),
                        centre: "bench".to_owned(),
                    };
                    keyring.enrol(worker, PASSPHRASE).await?
                }
                unlocked => unlocked?,
            };
            Store::open(&database_name(ACCOUNT), key).await
        };
        set_opened.set(Some(opened.await.ok().map(Rc::new)));
    });

    view! {
        <Router>
            {move || match opened.get() {
                Some(Some(store)) => view! { <Ready store /> }.into_any(),
                // Until the store is open there is the header and a word on how opening goes.
                not_open => {
                    let failed = not_open.is_some();
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

/// The app once the store is open: the sync client starts, and the pages can read and write.
#[component]
fn Ready(store: Rc<Store>) -> impl IntoView {
    let (sync, status) = SyncClient::start(Rc::clone(&store));
    provide_context(StoredValue::new_local(Services {
        store,
        sync,
        status,
    }));

    view! {
        <AppHeader />
        <main>
            // No page nests inside another, so the flat router is enough, and it is far smaller.
            <FlatRoutes fallback=|| view! { <p class="notice">{tr(Text::AppNotFound)}</p> }>
                <Route path=path!("/") view=CaseList />
                <Route path=path!("/cases/new") view=NewCase />
                <Route path=path!("/cases/:id") view=CaseDetails />
            </FlatRoutes>
        </main>
    }
}

/// What the pages under [`Ready`] work with. One context rather than one for each part: every
/// type of context compiles its own lookup into the app shell.
#[derive(Clone)]
struct Services {
    store: Rc<Store>,
    sync: Rc<SyncClient>,
    status: SyncStatus,
}

/// The [`Services`], once the store is open.
fn services() -> Option<Services> {
    use_context::<StoredValue<Services, LocalStorage>>().map(|services| services.get_value())
}

fn use_services() -> Services {
    services().expect("pages are shown only under `Ready`, which provides the services")
}

/// The device's store, for pages under [`Ready`].
pub fn use_store() -> Rc<Store> {
    use_services().store
}

/// The sync client, for pages under [`Ready`].
pub fn use_sync() -> Rc<SyncClient> {
    use_services().sync
}

/// What the screen shows about syncing, for pages under [`Ready`].
pub fn use_sync_status() -> SyncStatus {
    use_services().status
}

/// What the screen shows about syncing; `None` until the store is open.
pub fn sync_status() -> Option<SyncStatus> {
    services().map(|services| services.status)
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
