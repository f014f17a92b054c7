//! Sakhi, the PWA: the case register an outreach worker carries on her phone, offline first.
//!
//! `main.rs` only mounts [`App`]; everything else lives here so that tests can reach it.

pub mod api;
mod app;
pub mod browser;
pub mod camps;
pub mod case_form;
pub mod casework;
pub mod clock;
pub mod components;
pub mod directory;
pub mod drafts;
pub mod export;
pub mod i18n;
pub mod load;
pub mod lock;
pub mod pages;
pub mod session;
pub mod storage;
pub mod store;
pub mod sync;
#[cfg(test)]
mod testing;

pub use app::{App, sync_status, unlocked, use_store, use_sync, use_sync_status};
