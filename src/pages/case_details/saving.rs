//! Saving what a worker did on the case page: the store and sync client a component keeps for its
//! handlers, and one save of edits to several records in one transaction, followed by a sync.

use crate::browser::now_millis;
use crate::case_form::Edits;
use crate::i18n::Text;
use crate::pages::save_failure;
use crate::store::Store;
use crate::{use_store, use_sync};
use sakhi_domain::Record;
use std::rc::Rc;

/// The store and sync client, taken when a component is made and kept for its handlers.
#[derive(Clone)]
pub(super) struct Saving(pub(super) Rc<Store>, pub(super) Rc<crate::sync::SyncClient>);

pub(super) fn use_saving() -> Saving {
    Saving(use_store(), use_sync())
}

pub(super) async fn save_with(saving: &Saving, record: Record, edits: Edits) -> Result<(), Text> {
    save_all(saving, vec![(record, edits)]).await
}

/// Saves edits to several records in one transaction, then asks for a sync.
pub(super) async fn save_all(saving: &Saving, writes: Vec<(Record, Edits)>) -> Result<(), Text> {
    match saving.0.edit_all(writes, now_millis()).await {
        Ok(_) => {
            saving.1.local_change().await;
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
