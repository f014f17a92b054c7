//! Who is using this phone: the workers it knows, logging in (the first time, through the server),
//! unlocking (offline, with her password), locking, and logging out.
//!
//! A worker's cases sit in her own encrypted store, opened with a data key that only her password
//! unwraps (see [`crate::store::keyring`]). Locking drops the open store and with it the key; the
//! screen then shows nothing but the way to unlock.

use crate::api::{self, ApiError, Token};
use crate::store::{DataKey, Keyring, Store, StoreError, Worker, database_name};
use leptos::prelude::*;
use sakhi_domain::account::{LockMinutes, PurgeDays, Role};
use sakhi_domain::wire::account::{
    Account, LoginRequest, Session as ServerSession, SetupRequest, code,
};
use std::rc::Rc;

/// The sealed secret that holds what the server said of her account (role, centre).
const ACCOUNT: &str = "account";

/// A worker with her store open.
pub struct Unlocked {
    pub worker: Worker,
    pub role: Role,
    pub store: Rc<Store>,
    /// After how many idle minutes the phone locks, as her centre's administrator chose; read
    /// again from the server whenever she unlocks online.
    pub lock_minutes: RwSignal<u8>,
    /// After how many days without a change her centre wants synced cases off an outreach
    /// worker's phone (`None`: kept), as last heard from the server.
    pub purge_days: RwSignal<Option<u16>>,
}

/// What to do with her cases on this phone when the server has a new password for her and the
/// phone still holds them under the old one.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Earlier {
    /// Nothing known yet: ask her ([`LoginError::PasswordChanged`]).
    #[default]
    Ask,
    /// Her old password, which unlocks them so they can be locked again under the new one.
    Password(String),
    /// She does not remember it: her copy on this phone goes, and she starts afresh here.
    Discard,
}

/// What the phone is showing.
#[derive(Clone)]
pub enum Phase {
    /// The keyring is being read.
    Starting,
    /// Nobody is unlocked: first-run page, login, unlock or setup, as the route and keyring say.
    Locked,
    /// A worker's store is open.
    Open(Rc<Unlocked>),
    /// The browser's storage could not be opened at all.
    Failed,
}

/// The phone's session, shared through context.
#[derive(Clone, Copy)]
pub struct Session {
    pub phase: RwSignal<Phase, LocalStorage>,
    keyring: StoredValue<Option<Rc<Keyring>>, LocalStorage>,
    /// The app's owner, which holds what an unlocked worker's screens share. Logging in, setting
    /// up and unlocking run as a page's action, under the page's owner, which goes with the page.
    owner: StoredValue<Owner>,
}

/// Why logging in or setting up did not open a store. The screen says each in her language.
#[derive(Debug, Clone, PartialEq)]
pub enum LoginError {
    /// Wrong username or password (the server does not say which).
    BadLogin,
    /// Too many tries: wait this many seconds.
    Wait(u32),
    /// The server could not be reached.
    Unreachable,
    /// The server is not set up yet.
    SetupNeeded,
    /// Setup: the code is wrong.
    BadSetupCode,
    /// Setup: it was done already.
    AlreadySetUp,
    /// The server refused what was entered, with its code (e.g. `password_common`).
    Refused(String),
    /// She has data on this phone locked with a password that is no longer hers on the server.
    PasswordChanged,
    /// The old password she gave does not unlock the data on this phone.
    OldPasswordWrong,
    /// This phone's storage failed.
    Store(StoreError),
}

impl Session {
    /// Makes the session and starts reading the keyring.
    pub fn provide() -> Session {
        let session = Session {
            phase: RwSignal::new_local(Phase::Starting),
            keyring: StoredValue::new_local(None),
            owner: StoredValue::new(Owner::current().unwrap_or_default()),
        };
        provide_context(session);
        leptos::task::spawn_local(async move {
            match Keyring::open().await {
                Ok(keyring) => {
                    session.keyring.set_value(Some(Rc::new(keyring)));
                    session.phase.set(Phase::Locked);
                }
                Err(_) => session.phase.set(Phase::Failed),
            }
        });
        session
    }

    fn keyring(&self) -> Result<Rc<Keyring>, StoreError> {
        self.keyring
            .get_value()
            .ok_or_else(|| StoreError::Open("the keyring is not open".to_owned()))
    }

    /// The workers who can unlock on this phone.
    pub async fn workers(&self) -> Result<Vec<Worker>, StoreError> {
        self.keyring()?.workers().await
    }

    /// The worker unlocked now, if any.
    pub fn unlocked(&self) -> Option<Rc<Unlocked>> {
        match self.phase.get_untracked() {
            Phase::Open(unlocked) => Some(unlocked),
            _ => None,
        }
    }

    /// Logs in through the server: the first time on this phone, or to refresh her session.
    /// `earlier` says what to do if the phone holds her cases under an older password.
    pub async fn log_in(
        &self,
        username: &str,
        password: &str,
        earlier: Earlier,
    ) -> Result<(), LoginError> {
        let keyring = self.keyring().map_err(LoginError::Store)?;
        let device = keyring.phone().await.map_err(LoginError::Store)?;
        let request = LoginRequest {
            username: username.to_owned(),
            password: password.to_owned(),
            device,
        };
        let session = api::log_in(&request).await.map_err(refusal)?;
        self.open_with(session, password, earlier).await
    }

    /// Sets up a new server: its centre and first administrator, who is then logged in here.
    pub async fn set_up(&self, request: SetupRequest) -> Result<(), LoginError> {
        let password = request.admin.password.clone();
        let session = api::set_up(&request).await.map_err(refusal)?;
        self.open_with(session, &password, Earlier::Ask).await
    }

    /// Opens her store with the key her password unwraps, enrolling her on this phone the first
    /// time, and keeps the session token in it.
    async fn open_with(
        &self,
        session: ServerSession,
        password: &str,
        earlier: Earlier,
    ) -> Result<(), LoginError> {
        let keyring = self.keyring().map_err(LoginError::Store)?;
        let account = &session.account;
        let worker = Worker {
            account: account.id.to_string(),
            username: account.username.clone(),
            display_name: account.display_name.clone(),
            centre: account.centre.name.clone(),
        };
        let known = keyring
            .workers()
            .await
            .map_err(LoginError::Store)?
            .into_iter()
            .any(|known| known.account == worker.account);
        let key = if known {
            match keyring.unlock(&worker.account, password).await {
                Ok(key) => key,
                Err(StoreError::WrongPassphrase) => {
                    self.key_after_password_change(&keyring, &worker, password, earlier)
                        .await?
                }
                Err(error) => return Err(LoginError::Store(error)),
            }
        } else {
            keyring
                .enrol(worker.clone(), password)
                .await
                .map_err(LoginError::Store)?
        };
        let store = open_store(&worker, key).await.map_err(LoginError::Store)?;
        Token::keep(&store, &session)
            .await
            .map_err(LoginError::Store)?;
        let about = serde_json::to_string(account).unwrap_or_default();
        store
            .set_secret(ACCOUNT, &about)
            .await
            .map_err(LoginError::Store)?;
        self.open(worker, account, store);
        Ok(())
    }

    /// Her key, after the server took a password that does not unwrap it: the open store's if she
    /// is unlocked (being unlocked proved the old password), or the one her old password unwraps;
    /// either way wrapped again under the new one. If she gives it up, she is enrolled afresh and
    /// her old copy deleted.
    async fn key_after_password_change(
        &self,
        keyring: &Keyring,
        worker: &Worker,
        password: &str,
        earlier: Earlier,
    ) -> Result<DataKey, LoginError> {
        let open = self
            .unlocked()
            .filter(|unlocked| unlocked.worker.account == worker.account)
            .map(|unlocked| unlocked.store.key().clone());
        let key = match (open, earlier) {
            (Some(key), _) => key,
            (None, Earlier::Ask) => return Err(LoginError::PasswordChanged),
            (None, Earlier::Password(old)) => match keyring.unlock(&worker.account, &old).await {
                Ok(key) => key,
                Err(StoreError::WrongPassphrase) => return Err(LoginError::OldPasswordWrong),
                Err(error) => return Err(LoginError::Store(error)),
            },
            (None, Earlier::Discard) => {
                return keyring
                    .enrol(worker.clone(), password)
                    .await
                    .map_err(LoginError::Store);
            }
        };
        keyring
            .rewrap(&worker.account, &key, password)
            .await
            .map_err(LoginError::Store)?;
        Ok(key)
    }

    /// Unlocks offline: her password unwraps her key, or nothing happens.
    pub async fn unlock(&self, worker: Worker, password: &str) -> Result<(), StoreError> {
        let keyring = self.keyring()?;
        let key = keyring.unlock(&worker.account, password).await?;
        let store = open_store(&worker, key).await?;
        let about = store
            .secret(ACCOUNT)
            .await?
            .and_then(|about| serde_json::from_str::<Account>(&about).ok());
        match about {
            Some(about) => self.open(worker, &about, store),
            // Without what the server said of her, the least a worker may do.
            None => {
                let settings = (LockMinutes::DEFAULT, None);
                self.open_as(worker, Role::OutreachWorker, settings, store)
            }
        }
        Ok(())
    }

    fn open(&self, worker: Worker, about: &Account, store: Store) {
        let lock_minutes =
            LockMinutes::parse(about.centre.lock_minutes.into()).unwrap_or(LockMinutes::DEFAULT);
        let settings = (lock_minutes, purge_days(about));
        self.open_as(worker, about.role, settings, store);
    }

    /// Opens her store's screens, with her centre's lock time and purge days.
    fn open_as(
        &self,
        worker: Worker,
        role: Role,
        (lock_minutes, purge): (LockMinutes, Option<u16>),
        store: Store,
    ) {
        let (lock_minutes, purge_days) = self.owner.with_value(|owner| {
            owner.with(|| (RwSignal::new(lock_minutes.get()), RwSignal::new(purge)))
        });
        let unlocked = Rc::new(Unlocked {
            worker,
            role,
            store: Rc::new(store),
            lock_minutes,
            purge_days,
        });
        let before = self.phase.get_untracked();
        self.phase.set(Phase::Open(Rc::clone(&unlocked)));
        // Logging in again while unlocked opened a second connection; the first must not linger.
        if let Phase::Open(before) = before {
            before.store.close_now();
        }
        leptos::task::spawn_local(refresh_account(unlocked));
    }

    /// Locks: the open store, and the key in it, are let go; the screen shows only the lock.
    pub fn lock(&self) {
        if let Phase::Open(unlocked) = self.phase.get_untracked() {
            self.phase.set(Phase::Locked);
            // Its connection closes now, whatever still holds the store (a sync round finishing):
            // a locked phone keeps no open way into her cases, and starting afresh or logging out
            // can then delete her database. Writes begun before this still complete.
            unlocked.store.close_now();
        }
    }

    /// Logs the unlocked worker out of this phone: her session ends on the server if it can be
    /// reached, and her entry and her store are removed from the phone.
    pub async fn log_out(&self) -> Result<(), StoreError> {
        let Some(unlocked) = self.unlocked() else {
            return Ok(());
        };
        if let Ok(token) = Token::kept(&unlocked.store).await {
            // Best effort: an unreachable server lets the token expire by itself.
            let _ = api::log_out(&token).await;
        }
        let account = unlocked.worker.account.clone();
        // Her database can only be deleted once no connection to it is open.
        unlocked.store.close_now();
        drop(unlocked);
        self.phase.set(Phase::Locked);
        self.keyring()?.forget(&account).await
    }
}

/// Asks the server what it says of her now (her centre's lock time may have changed) and keeps
/// it, when the server can be reached; offline, what was kept at the last login stands.
async fn refresh_account(unlocked: Rc<Unlocked>) {
    let Ok(about) = api::current_account(&unlocked.store).await else {
        return;
    };
    if about.id.to_string() != unlocked.worker.account {
        return;
    }
    if let Ok(minutes) = LockMinutes::parse(about.centre.lock_minutes.into()) {
        unlocked.lock_minutes.set(minutes.get());
    }
    unlocked.purge_days.set(purge_days(&about));
    if let Ok(about) = serde_json::to_string(&about) {
        let _ = unlocked.store.set_secret(ACCOUNT, &about).await;
    }
}

/// The centre's purge days as the server gave them, if they are within the rule.
fn purge_days(about: &Account) -> Option<u16> {
    let days = about.centre.purge_days?;
    PurgeDays::parse(days.into()).ok().map(PurgeDays::get)
}

async fn open_store(worker: &Worker, key: DataKey) -> Result<Store, StoreError> {
    Store::open(&database_name(&worker.account), key).await
}

/// What a failed login or setup means for the worker.
fn refusal(error: ApiError) -> LoginError {
    let server_failed = error.server_failed();
    let code = match error {
        ApiError::Wait(seconds) => return LoginError::Wait(seconds),
        // Without a session yet, a 401 says the name or password was wrong.
        ApiError::LoggedOut => return LoginError::BadLogin,
        ApiError::Refused { code, .. } => code,
        ApiError::Unreachable | ApiError::Unreadable(_) | ApiError::Store(_) => {
            return LoginError::Unreachable;
        }
    };
    match code.as_str() {
        code::SETUP_REQUIRED => LoginError::SetupNeeded,
        code::BAD_SETUP_CODE => LoginError::BadSetupCode,
        code::ALREADY_SET_UP => LoginError::AlreadySetUp,
        _ if server_failed => LoginError::Unreachable,
        _ => LoginError::Refused(code),
    }
}

/// The session, for any component.
pub fn use_session() -> Session {
    expect_context::<Session>()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(status: u16, code: &str) -> ApiError {
        ApiError::Refused {
            status,
            code: code.to_owned(),
        }
    }

    #[test]
    fn a_refused_login_or_setup_says_why_in_her_terms() {
        assert_eq!(refusal(ApiError::LoggedOut), LoginError::BadLogin);
        assert_eq!(refusal(ApiError::Wait(30)), LoginError::Wait(30));
        assert_eq!(refusal(ApiError::Unreachable), LoginError::Unreachable);
        assert_eq!(
            refusal(refused(503, code::SETUP_REQUIRED)),
            LoginError::SetupNeeded
        );
        assert_eq!(
            refusal(refused(403, code::BAD_SETUP_CODE)),
            LoginError::BadSetupCode
        );
        assert_eq!(
            refusal(refused(409, code::ALREADY_SET_UP)),
            LoginError::AlreadySetUp
        );
        assert_eq!(
            refusal(refused(500, code::SERVER_ERROR)),
            LoginError::Unreachable
        );
        assert_eq!(
            refusal(refused(400, "password_common")),
            LoginError::Refused("password_common".to_owned())
        );
    }
}
