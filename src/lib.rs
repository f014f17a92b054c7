//! Sakhi, the PWA: the case register an outreach worker carries on her phone, offline first.
//!
//! `main.rs` only mounts [`App`]; everything else lives here so that tests can reach it.
//!
//! A write a worker asks for on a page (saving a form, closing or reopening a case, a service, a
//! session or a note, a merge, a staff or centre change, setting up, logging in, unlocking, an
//! export, logging out) is a Leptos `Action::new_local`: its `pending()` keeps the button waiting
//! (where the page goes once it succeeds, a success keeps it waiting too) and its value says how
//! the last one ended. `spawn_local` stays for work nobody waits on at a button: the sync rounds
//! that run in the background, the service worker's and the browser's storage requests, drafts
//! kept as she types, and reads that effects and [`load`] make from IndexedDB or the server. An
//! action there would hold a value no one shows and a pending state no one reads.

pub mod api;
mod app;
pub mod browser;
pub mod camps;
pub mod capture;
pub mod case_form;
pub mod casework;
pub mod clock;
pub mod components;
pub mod directory;
pub mod drafts;
pub mod export;
pub mod files;
pub mod i18n;
pub mod load;
pub mod lock;
pub mod pages;
pub mod pdf;
pub mod photos;
pub mod services;
pub mod session;
pub mod storage;
pub mod store;
pub mod sync;
#[cfg(test)]
mod testing;

pub use app::App;
pub use services::{sync_status, unlocked, use_store, use_sync, use_sync_status};
