//! Sakhi's sync server: centres, accounts and sessions, durable storage of each centre's records
//! and its sequence of changes, the sync API that devices push to and pull from, the audit log,
//! and the built app, all from one port.
//!
//! The binary is thin: it reads [`Settings`], binds a listener and calls [`serve_with_clock`] on
//! the system's [`Clock`]. Tests do the same on port 0, on a clock of their own when they move
//! time on.

pub mod api;
pub mod app;
pub mod auth;
pub mod backup;
pub mod clock;
pub mod demo;
pub mod error;
pub mod limiter;
pub mod pwa;
pub mod secrets;
pub mod settings;
pub mod state;
pub mod store;

pub use app::{SecurityHeaders, add_centre_code, router, serve, serve_with_clock};
pub use clock::Clock;
pub use error::{AppError, ServeError};
pub use settings::{CentreCommand, Cli, Command, Settings, SettingsError};
pub use state::AppState;
pub use store::{
    AccountStore, CentreId, Opened, Page, PostgresStore, SqliteStore, Store, StoreError, SyncStore,
};
