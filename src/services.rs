//! What the pages of an unlocked phone work with: her store, the sync client and what it shows,
//! and who she is; provided once by the app's frame when she unlocks, gone when it locks.

use crate::session::Unlocked;
use crate::store::Store;
use crate::sync::{SyncClient, SyncStatus};
use leptos::prelude::*;
use std::rc::Rc;

/// One context rather than one for each part: every type of context compiles its own lookup into
/// the app shell.
#[derive(Clone)]
pub struct Services {
    pub store: Rc<Store>,
    pub sync: Rc<SyncClient>,
    pub status: SyncStatus,
    pub unlocked: Rc<Unlocked>,
}

impl Services {
    /// Hands them to every page under the current owner.
    pub fn provide(self) {
        provide_context(StoredValue::new_local(self));
    }
}

/// The [`Services`], once the store is open.
fn services() -> Option<Services> {
    // A view that replaces the app's `Ready` under the same owner (the lock screen) still finds
    // its context, with the value gone: that is no services.
    use_context::<StoredValue<Services, LocalStorage>>()
        .and_then(|services| services.try_get_value())
}

fn use_services() -> Services {
    services().expect("pages are shown only under `Ready`, which provides the services")
}

/// The device's store, for the pages of an unlocked phone.
pub fn use_store() -> Rc<Store> {
    use_services().store
}

/// The sync client, for the pages of an unlocked phone.
pub fn use_sync() -> Rc<SyncClient> {
    use_services().sync
}

/// What the screen shows about syncing, for the pages of an unlocked phone.
pub fn use_sync_status() -> SyncStatus {
    use_services().status
}

/// The worker unlocked now, for the pages of an unlocked phone; `None` elsewhere.
pub fn unlocked() -> Option<Rc<Unlocked>> {
    services().map(|services| services.unlocked)
}

/// What the screen shows about syncing; `None` until the store is open.
pub fn sync_status() -> Option<SyncStatus> {
    services().map(|services| services.status)
}
