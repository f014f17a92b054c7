//! Sakhi, the PWA: the case register an outreach worker carries on her phone, offline first.

pub mod browser;
pub mod i18n;
pub mod store;
pub mod sync;
