//! What every handler shares: the store, the built app's folder, and the sessions, login limits,
//! setup and clock that every request consults.

use crate::clock::Clock;
use crate::error::ServeError;
use crate::limiter::Limiter;
use crate::secrets;
use crate::settings::Settings;
use crate::store::attachments::Limits;
use crate::store::{AccountStore, StoreError};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// What every handler shares. Cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState<S> {
    pub store: S,
    /// The built app's folder.
    pub dist: PathBuf,
    pub auth: Arc<AuthState>,
    /// How much attachment content the server takes.
    pub limits: Limits,
}

/// Sessions, login limits, setup and the time, shared by every request.
#[derive(Debug)]
pub struct AuthState {
    pub idle_ms: u64,
    pub max_ms: u64,
    pub trust_forwarded_for: bool,
    pub limiter: Limiter,
    /// A hash checked when a login names no account, so that it takes as long as a real one.
    pub dummy_hash: String,
    /// Whether a centre is set up; once true it stays true.
    pub set_up: AtomicBool,
    /// The time every request is served at. Kept here rather than beside the store so that a
    /// server made again over the same `AuthState` (a restart in a test) keeps its time too.
    pub clock: Clock,
}

impl<S> AppState<S> {
    /// Milliseconds since the Unix epoch, by the server's clock.
    pub fn now_millis(&self) -> u64 {
        self.auth.clock.now_millis()
    }
}

impl<S: AccountStore> AppState<S> {
    /// The state of a server on the system's clock.
    pub async fn new(store: S, settings: &Settings) -> Result<Self, ServeError> {
        Self::with_clock(store, settings, Clock::system()).await
    }

    /// The state of a server that tells the time by `clock`.
    pub async fn with_clock(
        store: S,
        settings: &Settings,
        clock: Clock,
    ) -> Result<Self, ServeError> {
        let set_up = store.is_set_up().await?;
        let dummy_hash = secrets::hash_password(secrets::new_token())
            .await
            .map_err(|_| ServeError::Hash)?;
        Ok(Self {
            store,
            dist: settings.dist.clone(),
            limits: settings.attachments,
            auth: Arc::new(AuthState {
                idle_ms: settings.session_idle_seconds.saturating_mul(1000),
                max_ms: settings.session_max_seconds.saturating_mul(1000),
                trust_forwarded_for: settings.trust_forwarded_for,
                limiter: Limiter::default(),
                dummy_hash,
                set_up: AtomicBool::new(set_up),
                clock,
            }),
        })
    }

    /// Whether a centre is set up, asking the database until one is (another instance may have
    /// done the setup).
    pub async fn is_set_up(&self) -> Result<bool, StoreError> {
        if self.auth.set_up.load(Ordering::Relaxed) {
            return Ok(true);
        }
        let set_up = self.store.is_set_up().await?;
        if set_up {
            self.auth.set_up.store(true, Ordering::Relaxed);
        }
        Ok(set_up)
    }
}
