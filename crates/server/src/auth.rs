//! Who is asking: the extractors that turn a bearer token into a [`Caller`] (or an
//! [`Administrator`], a [`Counsellor`]) at the state's time, or refuse the request and audit why.

use crate::error::AppError;
use crate::state::AppState;
use crate::store::{AccountStore, AuditRecord, Scope, SessionCheck};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::{HeaderMap, header, request::Parts};
use sakhi_domain::wire::account::Account;
use sakhi_domain::{DeviceId, Role};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use crate::secrets::sha256_hex;

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

impl<S: Send + Sync> FromRequestParts<AppState<S>> for ClientAddress {
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
    /// When the request was let in, by the server's clock: the time of its audit rows.
    pub at: u64,
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
            at: self.at,
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

impl<S: AccountStore> FromRequestParts<AppState<S>> for Caller {
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
        let now = state.now_millis();
        match state
            .store
            .authenticate(&token_hash, now, state.auth.idle_ms)
            .await?
        {
            SessionCheck::Valid(found) => Ok(Caller {
                account: found.account,
                device: found.device,
                token_hash,
                address: client_address(parts, state.auth.trust_forwarded_for),
                at: now,
            }),
            not_valid => Err(refuse_token(parts, state, not_valid).await),
        }
    }
}

/// Audits a request whose token opens no session, and answers 401 alike whatever the reason, so
/// that a guesser learns nothing. The token of an ended session ties the row to its account and
/// centre. A token no session has ties it to none: anyone can make one up, so it is only counted
/// ([`AccountStore::count_refusal`]), for whoever runs the server.
async fn refuse_token<S: AccountStore>(
    parts: &Parts,
    state: &AppState<S>,
    check: SessionCheck,
) -> AppError {
    let mut entry = AuditRecord {
        at: state.now_millis(),
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

impl<S: AccountStore> FromRequestParts<AppState<S>> for Administrator {
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

impl<S: AccountStore> FromRequestParts<AppState<S>> for Counsellor {
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
async fn refuse_role<S: AccountStore>(
    parts: &Parts,
    state: &AppState<S>,
    caller: &Caller,
) -> AppError {
    let mut entry = caller.audit("refused", "forbidden");
    entry.detail = Some(format!("{} {}", parts.method, parts.uri.path()));
    match state.store.audit(entry).await {
        Ok(()) => AppError::Forbidden,
        Err(error) => error.into(),
    }
}
