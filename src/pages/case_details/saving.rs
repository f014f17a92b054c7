//! Saving what a worker did on the case page: one save of edits to several records in one
//! transaction, followed by a sync, as a Leptos [`Action`] whose value says how the last one ended.

use crate::browser::now_millis;
use crate::case_form::Edits;
use crate::pages::{Saved, save_failure};
use crate::store::Store;
use crate::sync::SyncClient;
use crate::{use_store, use_sync};
use leptos::prelude::*;
use sakhi_domain::Record;
use std::rc::Rc;

/// Edits to several records, kept together or not at all.
pub(super) type Writes = Vec<(Record, Edits)>;

/// A save on the case page: its value is how the last one ended, and it is pending while one runs.
pub(super) type Save = Action<Writes, Saved>;

/// A [`Save`] for one control or form, with the store and sync client of the page it is made on.
pub(super) fn save_action() -> Save {
    let (store, sync) = (use_store(), use_sync());
    Action::new_local(move |writes: &Writes| {
        let (store, sync, writes) = (Rc::clone(&store), Rc::clone(&sync), writes.clone());
        async move { save_all(&store, &sync, writes).await }
    })
}

/// Saves edits to several records in one transaction, then asks for a sync.
pub(super) async fn save_all(store: &Store, sync: &Rc<SyncClient>, writes: Writes) -> Saved {
    match store.edit_all(writes, now_millis()).await {
        Ok(_) => {
            sync.local_change().await;
            Ok(())
        }
        Err(error) => Err(save_failure(&error)),
    }
}

/// Her name, as closures and notes record who wrote them.
pub(super) fn worker_name() -> String {
    crate::unlocked()
        .map(|unlocked| unlocked.worker.display_name.clone())
        .unwrap_or_default()
}
