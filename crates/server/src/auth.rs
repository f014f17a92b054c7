//! Who is asking: session tokens, password hashes, setup codes, and the extractors that turn a
//! bearer token into a [`Caller`] or refuse the request.

use crate::app::AppState;
use crate::error::AppError;
use crate::limiter::Limiter;
use crate::store::{AuditRecord, Scope, SessionCheck, Store};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::{HeaderMap, header, request::Parts};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use sakhi_domain::wire::account::Account;
use sakhi_domain::{DeviceId, Role};
use sha2::{Digest, Sha256};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{SystemTime, UNIX_EPOCH};

/// Fresh random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes).expect("the operating system's random source works");
    bytes
}

/// A new session token: 256 random bits, base64url without padding.
pub fn new_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// What is stored of a token or setup code: its SHA-256, in hex. Both carry enough randomness
/// that a fast hash is safe.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The base64 SHA-256 of some text, as a CSP source wants it.
pub fn sha256_base64(text: &str) -> String {
    STANDARD.encode(Sha256::digest(text.as_bytes()))
}

/// A new one-time setup code: 80 random bits as 16 letters and digits in four groups
/// (`ABCD-EFGH-JKMN-PQRS`), easy to read aloud and type.
pub fn new_setup_code() -> String {
    // Crockford's base32: no I, L, O or U to misread.
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let bytes = random_bytes::<10>();
    let mut bits: u128 = 0;
    for byte in bytes {
        bits = (bits << 8) | u128::from(byte);
    }
    let mut code = String::with_capacity(19);
    for i in 0..16 {
        if i > 0 && i % 4 == 0 {
            code.push('-');
        }
        let index = (bits >> (75 - 5 * i)) & 31;
        code.push(char::from(ALPHABET[index as usize]));
    }
    code
}

/// A setup code as compared: without spaces or dashes, in capitals.
pub fn normalise_setup_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

/// OWASP's Argon2id parameters: 19 MiB, two passes, one lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).expect("constant Argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password (in PHC form), off the async threads: it takes tens of milliseconds. Outside
/// any turn: for the server's start and its commands, before any request is served; a request
/// hashes with [`hash_password_in_turn`].
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_now(&password))
        .await
        .map_err(|_| AppError::Internal)?
}

/// Hashes a password in its turn at Argon2 (see [`Limiter::password_turn`]); 429 if the server
/// is too busy.
pub async fn hash_password_in_turn(
    limiter: &Limiter,
    password: String,
) -> Result<String, AppError> {
    in_turn(limiter, move || hash_now(&password)).await?
}

fn hash_now(password: &str) -> Result<String, AppError> {
    let salt = SaltString::encode_b64(&random_bytes::<16>()).map_err(|_| AppError::Internal)?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|_| AppError::Internal)
}

/// Whether `password` matches `hash`, checked in its turn at Argon2; 429 if the server is too
/// busy. A hash that cannot be read matches nothing.
pub async fn verify_password(
    limiter: &Limiter,
    password: String,
    hash: String,
) -> Result<bool, AppError> {
    in_turn(limiter, move || {
        PasswordHash::new(&hash).is_ok_and(|parsed| {
            argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
}

/// Runs one Argon2 job off the async threads once the limiter gives it a turn, which it holds
/// until the job is done, even if the request that asked is dropped meanwhile: what bounds
/// Argon2's memory is the jobs running, not the requests waiting.
async fn in_turn<T: Send + 'static>(
    limiter: &Limiter,
    job: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let turn = limiter
        .password_turn()
        .await
        .ok_or(AppError::TooManyTries {
            retry_after_secs: 1,
        })?;
    tokio::task::spawn_blocking(move || {
        let done = job();
        drop(turn);
        done
    })
    .await
    .map_err(|_| AppError::Internal)
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
        })
}

/// The client's address: the peer, or, only when the settings say a trusted proxy sets it, the
/// first address of `X-Forwarded-For`.
pub fn client_address(parts: &Parts, trust_forwarded_for: bool) -> IpAddr {
    if trust_forwarded_for && let Some(forwarded) = forwarded_for(&parts.headers) {
        return forwarded;
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip())
}

fn forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    headers
        .get("x-forwarded-for")?
        .to_str()
        .ok()?
        .split(',')
        .next()?
        .trim()
        .parse()
        .ok()
}

/// The client's address, as an extractor.
#[derive(Clone, Copy, Debug)]
pub struct ClientAddress(pub IpAddr);

impl<S: Store> FromRequestParts<AppState<S>> for ClientAddress {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState<S>,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(client_address(
            parts,
            state.auth.trust_forwarded_for,
        )))
    }
}

/// A request with a valid session.
#[derive(Clone, Debug)]
pub struct Caller {
    pub account: Account,
    /// The device the session was opened on.
    pub device: DeviceId,
    pub token_hash: String,
    pub address: IpAddr,
}

impl Caller {
    /// The records this caller may read and write.
    pub fn scope(&self) -> Scope {
        Scope {
            centre: self.account.centre.id,
            account: self.account.id,
            only_own: self.account.role == Role::OutreachWorker,
        }
    }

    /// An audit entry about this caller, to fill in.
    pub fn audit(&self, action: &'static str, outcome: &str) -> AuditRecord {
        AuditRecord {
            centre: Some(self.account.centre.id),
            account: Some(self.account.id),
            device: Some(self.device),
            address: Some(self.address.to_string()),
            action,
            outcome: outcome.to_owned(),
            ..AuditRecord::default()
        }
    }
}

/// What a request presents to say who it is.
enum Presented<'a> {
    /// No `Authorization` header: an app before login, or a probe. Not audited: it claims to be
    /// no one, and is answered 401 without a look at the database.
    Nothing,
    /// A header that is no bearer token this server could have issued.
    Unreadable,
    Token(&'a str),
}

fn presented(headers: &HeaderMap) -> Presented<'_> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Presented::Nothing;
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|token| !token.is_empty() && token.len() <= 128);
    token.map_or(Presented::Unreadable, Presented::Token)
}

impl<S: Store> FromRequestParts<AppState<S>> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState<S>,
    ) -> Result<Self, Self::Rejection> {
        let token = match presented(&parts.headers) {
            Presented::Nothing => return Err(AppError::Unauthenticated),
            Presented::Unreadable => {
                return Err(refuse_token(parts, state, SessionCheck::Unknown).await);
            }
            Presented::Token(token) => token,
        };
        let token_hash = sha256_hex(token);
        match state
            .store
            .authenticate(&token_hash, now_ms(), state.auth.idle_ms)
            .await?
        {
            SessionCheck::Valid(found) => Ok(Caller {
                account: found.account,
                device: found.device,
                token_hash,
                address: client_address(parts, state.auth.trust_forwarded_for),
            }),
            not_valid => Err(refuse_token(parts, state, not_valid).await),
        }
    }
}

/// Audits a request whose token opens no session, and answers 401 alike whatever the reason, so
/// that a guesser learns nothing. The token of an ended session ties the row to its account and
/// centre. A token no session has ties it to none: anyone can make one up, so it is only counted
/// ([`Store::count_refusal`]), for whoever runs the server.
async fn refuse_token<S: Store>(
    parts: &Parts,
    state: &AppState<S>,
    check: SessionCheck,
) -> AppError {
    let mut entry = AuditRecord {
        address: Some(client_address(parts, state.auth.trust_forwarded_for).to_string()),
        action: "refused",
        outcome: "unknown_token".to_owned(),
        detail: Some(format!("{} {}", parts.method, parts.uri.path())),
        ..AuditRecord::default()
    };
    let SessionCheck::Ended {
        account,
        device,
        why,
    } = check
    else {
        return match state.store.count_refusal(entry).await {
            Ok(()) => AppError::Unauthenticated,
            Err(error) => error.into(),
        };
    };
    entry.centre = Some(account.centre.id);
    entry.account = Some(account.id);
    entry.device = Some(device);
    entry.outcome = why.outcome().to_owned();
    match state.store.audit(entry).await {
        Ok(()) => AppError::Unauthenticated,
        Err(error) => error.into(),
    }
}

/// A caller who is an administrator; anyone else is refused 403, and the refusal audited.
#[derive(Clone, Debug)]
pub struct Administrator(pub Caller);

impl<S: Store> FromRequestParts<AppState<S>> for Administrator {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState<S>,
    ) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        if caller.account.role == Role::Administrator {
            return Ok(Administrator(caller));
        }
        Err(refuse_role(parts, state, &caller).await)
    }
}

/// A caller who works cases at the centre's desk: a counsellor, or an administrator, who may do
/// whatever a counsellor does. An outreach worker is refused 403, and the refusal audited.
#[derive(Clone, Debug)]
pub struct Counsellor(pub Caller);

impl<S: Store> FromRequestParts<AppState<S>> for Counsellor {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState<S>,
    ) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        match caller.account.role {
            Role::Administrator | Role::Counsellor => Ok(Counsellor(caller)),
            Role::OutreachWorker => Err(refuse_role(parts, state, &caller).await),
        }
    }
}

/// Audits a request that the caller's role may not make, and answers 403.
async fn refuse_role<S: Store>(parts: &Parts, state: &AppState<S>, caller: &Caller) -> AppError {
    let mut entry = caller.audit("refused", "forbidden");
    entry.detail = Some(format!("{} {}", parts.method, parts.uri.path()));
    match state.store.audit(entry).await {
        Ok(()) => AppError::Forbidden,
        Err(error) => error.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_random_bits_in_base64url() {
        let token = new_token();
        assert_eq!(token.len(), 43);
        assert!(
            token
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_ne!(token, new_token());
        assert_eq!(sha256_hex("abc").len(), 64);
    }

    #[test]
    fn a_setup_code_reads_in_four_groups_and_compares_without_dashes_or_case() {
        let code = new_setup_code();
        assert_eq!(code.len(), 19);
        assert_eq!(code.matches('-').count(), 3);
        assert_eq!(
            normalise_setup_code(&code.to_lowercase().replace('-', " ")),
            code.replace('-', "")
        );
    }

    #[tokio::test]
    async fn a_password_hash_is_argon2id_with_owasps_parameters_and_verifies() {
        let hash = hash_password("नदी किनारे घर".to_owned()).await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        let limiter = Limiter::default();
        assert!(
            verify_password(&limiter, "नदी किनारे घर".to_owned(), hash.clone())
                .await
                .unwrap()
        );
        assert!(
            !verify_password(&limiter, "wrong".to_owned(), hash)
                .await
                .unwrap()
        );
        assert!(
            !verify_password(&limiter, "x".to_owned(), "garbage".to_owned())
                .await
                .unwrap()
        );
        assert_eq!(limiter.argon2_runs(), 3);
    }
}
