//! Sakhi's sync server: durable storage of a centre's records, the centre's sequence of changes,
//! the sync API that devices push to and pull from, and the built app, all from one port.
//!
//! The binary is thin: it reads [`Settings`], binds a listener and calls [`serve`]. Tests do the
//! same on port 0.

pub mod api;
pub mod app;
pub mod error;
pub mod pwa;
pub mod settings;
pub mod store;

pub use app::{AppState, ServeError, router, serve};
pub use error::AppError;
pub use settings::{Cli, Settings, SettingsError};
pub use store::{CentreId, Page, SqliteStore, Store, StoreError};
