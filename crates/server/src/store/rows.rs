//! Values as every backend stores them: ids and JSON as text, times in milliseconds since 1970,
//! sequence numbers as 64-bit integers; and the rows of centres, accounts and the audit log read
//! back into wire types.

use super::history::KeptChange;
use super::{Page, StoreError};
use sakhi_domain::wire::Cursor;
use sakhi_domain::wire::account::{Account, AuditEntry, Centre};
use sakhi_domain::{LockMinutes, PurgeDays, RecordId, Role};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::str::FromStr;

/// A time in milliseconds as a column holds it; one past the column's range is held at its end.
pub(crate) fn millis(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

pub(crate) fn seq_to_cursor(seq: i64) -> Result<u64, StoreError> {
    u64::try_from(seq).map_err(|_| StoreError::Corrupt(format!("negative sequence number {seq}")))
}

pub(crate) fn parse_id<T: FromStr>(text: &str, what: &str) -> Result<T, StoreError> {
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("a stored {what} is not a UUID")))
}

pub(crate) fn parse_json<T: DeserializeOwned>(text: &str, what: &str) -> Result<T, StoreError> {
    // The serde message could quote survivor data; only say what could not be read.
    serde_json::from_str(text)
        .map_err(|_| StoreError::Corrupt(format!("a stored {what} is not valid JSON of its type")))
}

pub(crate) fn to_json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|_| StoreError::Corrupt("a value could not be written as JSON".to_owned()))
}

/// A row of a pull, in sequence order: its sequence number, then a record's body, or the id of a
/// record that left the caller's scope (a scope exit).
pub(crate) type PullRow = (i64, Option<String>, Option<String>);

/// A page of a pull from its rows, of which the backend read one more than `limit` if it could:
/// that one only says that more follow.
pub(crate) fn page_of(rows: Vec<PullRow>, after: Cursor, limit: u32) -> Result<Page, StoreError> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut page = Page {
        records: Vec::with_capacity(rows.len().min(limit)),
        gone: Vec::new(),
        cursor: after,
        more: rows.len() > limit,
    };
    for (seq, body, gone) in rows.into_iter().take(limit) {
        match (body, gone) {
            (Some(body), _) => page.records.push(parse_json(&body, "record")?),
            (None, Some(id)) => page.gone.push(parse_id(&id, "record id")?),
            (None, None) => {
                return Err(StoreError::Corrupt(
                    "a pull's row holds neither a record nor a scope exit".to_owned(),
                ));
            }
        }
        page.cursor = Cursor(seq_to_cursor(seq)?);
    }
    Ok(page)
}

/// A kept change's sequence number, pushing device, body and time received.
pub(crate) type KeptRow = (i64, String, String, i64);

pub(crate) fn kept_of(row: KeptRow) -> Result<KeptChange, StoreError> {
    let (seq, device, body, received_at) = row;
    Ok(KeptChange {
        seq,
        device: parse_id(&device, "device id")?,
        received_at,
        change: parse_json(&body, "change")?,
    })
}

/// A centre's columns: id, code, name, district, state, lock minutes and purge days.
pub(crate) type CentreRow = (String, String, String, String, String, i64, Option<i64>);

/// An account's columns (id, username, display name, role, disabled, created at) and then its
/// centre's, in the order of [`CentreRow`].
pub(crate) type AccountRow = (
    String,
    String,
    String,
    String,
    bool,
    i64,
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
);

pub(crate) fn account_of(row: AccountRow) -> Result<Account, StoreError> {
    let (
        id,
        username,
        display_name,
        role,
        disabled,
        created_at,
        centre,
        code,
        name,
        district,
        state,
        lock_minutes,
        purge_days,
    ) = row;
    Ok(Account {
        id: parse_id(&id, "account id")?,
        username,
        display_name,
        role: Role::parse(&role)
            .ok_or_else(|| StoreError::Corrupt("a stored role is unknown".to_owned()))?,
        centre: centre_of((
            centre,
            code,
            name,
            district,
            state,
            lock_minutes,
            purge_days,
        ))?,
        disabled,
        created_at: u64::try_from(created_at).unwrap_or(0),
    })
}

pub(crate) fn centre_of(row: CentreRow) -> Result<Centre, StoreError> {
    let (id, code, name, district, state, lock_minutes, purge_days) = row;
    // The table's CHECKs hold the same bounds, so these fail only for a damaged database.
    let lock_minutes = u32::try_from(lock_minutes)
        .ok()
        .and_then(|minutes| LockMinutes::parse(minutes).ok())
        .ok_or_else(|| StoreError::Corrupt("a stored lock time is out of range".to_owned()))?;
    let purge_days = purge_days
        .map(|days| {
            u32::try_from(days)
                .ok()
                .and_then(|days| PurgeDays::parse(days).ok())
                .ok_or_else(|| {
                    StoreError::Corrupt("a stored purge limit is out of range".to_owned())
                })
        })
        .transpose()?;
    Ok(Centre {
        id: parse_id(&id, "centre id")?,
        code,
        name,
        district,
        state,
        lock_minutes: lock_minutes.get(),
        purge_days: purge_days.map(PurgeDays::get),
    })
}

/// An audit row's columns: id, at, centre, account, username, device, address, action, outcome,
/// records and detail.
pub(crate) type AuditRow = (
    i64,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
);

pub(crate) fn audit_entry_of(row: AuditRow) -> Result<AuditEntry, StoreError> {
    let (id, at, centre, account, username, device, address, action, outcome, records, detail) =
        row;
    Ok(AuditEntry {
        id: u64::try_from(id).unwrap_or(0),
        at: u64::try_from(at).unwrap_or(0),
        centre: centre.map(|c| parse_id(&c, "centre id")).transpose()?,
        account: account.map(|a| parse_id(&a, "account id")).transpose()?,
        username,
        device: device.map(|d| parse_id(&d, "device id")).transpose()?,
        address,
        action,
        outcome,
        records: parse_json::<Vec<RecordId>>(&records, "audit record list")?,
        detail,
    })
}
