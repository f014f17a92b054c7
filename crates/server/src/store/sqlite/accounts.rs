//! Centres, accounts, sessions, setup codes and the audit log in SQLite.

use super::SqliteStore;
use crate::store::rows::{
    AccountRow, AuditRow, CentreRow, account_of, audit_entry_of, centre_of, millis, parse_id,
    to_json,
};
use crate::store::{
    AccountChange, AccountError, AccountStore, AuditRecord, Authenticated, CentreChange, CentreId,
    Credentials, NewAccountRow, NewCentreRow, NewSession, SessionCheck, SessionEnd, SetupOutcome,
    StoreError, TALLY_ADDRESSES, tally_minutes,
};
use sakhi_domain::wire::account::{Account, AuditEntry, Centre};
use sakhi_domain::{AccountId, DeviceId};
use sqlx::{Executor, Sqlite, Transaction};

/// A session's last use is written at most this often, so that every pull does not write.
const TOUCH_EVERY_MS: u64 = 60_000;

/// An account's columns and then its centre's, in the order of [`CENTRE_COLUMNS`].
const ACCOUNT_COLUMNS: &str = "SELECT a.id, a.username, a.display_name, a.role, a.disabled, \
     a.created_at, c.id, c.code, c.name, c.district, c.state, c.lock_minutes, \
     c.purge_days FROM accounts a JOIN centres c ON c.id = a.centre_id";

const CENTRE_COLUMNS: &str = "SELECT c.id, c.code, c.name, c.district, c.state, c.lock_minutes, \
     c.purge_days FROM centres c";

impl AccountStore for SqliteStore {
    async fn is_set_up(&self) -> Result<bool, StoreError> {
        let set_up: i64 =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM centres WHERE set_up_at IS NOT NULL)")
                .fetch_one(&self.pool)
                .await?;
        Ok(set_up != 0)
    }

    async fn replace_first_setup_code(&self, code_hash: &str, now: u64) -> Result<(), StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("DELETE FROM setup_codes WHERE purpose = 'first' AND used_at IS NULL")
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO setup_codes (code_hash, purpose, created_at) VALUES (?, 'first', ?)
             ON CONFLICT (code_hash) DO UPDATE SET used_at = NULL",
        )
        .bind(code_hash)
        .bind(millis(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn add_centre_setup_code(
        &self,
        code_hash: &str,
        now: u64,
        expires_at: u64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO setup_codes (code_hash, purpose, created_at, expires_at)
             VALUES (?, 'centre', ?, ?)",
        )
        .bind(code_hash)
        .bind(millis(now))
        .bind(millis(expires_at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn set_up(
        &self,
        code_hash: &str,
        centre: NewCentreRow,
        admin: NewAccountRow,
        now: u64,
    ) -> Result<SetupOutcome, StoreError> {
        let now = millis(now);
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let set_up: i64 =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM centres WHERE set_up_at IS NOT NULL)")
                .fetch_one(&mut *tx)
                .await?;
        let set_up = set_up != 0;
        let code: Option<String> = sqlx::query_scalar(
            "SELECT purpose FROM setup_codes
             WHERE code_hash = ? AND used_at IS NULL AND (expires_at IS NULL OR expires_at > ?)",
        )
        .bind(code_hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let usable = match code.as_deref() {
            Some("first") => !set_up,
            Some("centre") => true,
            _ => false,
        };
        if !usable {
            if !set_up {
                return Ok(SetupOutcome::BadCode);
            }
            let pending: i64 = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM setup_codes WHERE purpose = 'centre'
                 AND used_at IS NULL AND expires_at > ?)",
            )
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            return Ok(if pending != 0 {
                SetupOutcome::BadCode
            } else {
                SetupOutcome::AlreadySetUp
            });
        }
        let taken: i64 =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM accounts WHERE username = ?)")
                .bind(&admin.username)
                .fetch_one(&mut *tx)
                .await?;
        if taken != 0 {
            return Ok(SetupOutcome::UsernameTaken);
        }
        // The first setup adopts the implicit centre of a database from before accounts, records
        // and all; a centre of its own is made otherwise.
        let adopt: Option<String> = if code.as_deref() == Some("first") {
            sqlx::query_scalar(
                "SELECT id FROM centres WHERE set_up_at IS NULL ORDER BY created_at LIMIT 1",
            )
            .fetch_optional(&mut *tx)
            .await?
        } else {
            None
        };
        let code_taken: i64 = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM centres WHERE code = ? AND id IS NOT ?)",
        )
        .bind(&centre.code)
        .bind(&adopt)
        .fetch_one(&mut *tx)
        .await?;
        if code_taken != 0 {
            return Ok(SetupOutcome::CentreCodeTaken);
        }
        let centre_id = match adopt {
            Some(id) => {
                sqlx::query(
                    "UPDATE centres SET code = ?, name = ?, district = ?, state = ?, set_up_at = ?
                     WHERE id = ?",
                )
                .bind(&centre.code)
                .bind(&centre.name)
                .bind(&centre.district)
                .bind(&centre.state)
                .bind(now)
                .bind(&id)
                .execute(&mut *tx)
                .await?;
                id
            }
            None => {
                let id = CentreId::new().to_string();
                sqlx::query(
                    "INSERT INTO centres (id, code, name, district, state, seq, created_at, set_up_at)
                     VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
                )
                .bind(&id)
                .bind(&centre.code)
                .bind(&centre.name)
                .bind(&centre.district)
                .bind(&centre.state)
                .bind(now)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                id
            }
        };
        let account_id = insert_account(&mut tx, &centre_id, &admin, now).await?;
        sqlx::query("UPDATE setup_codes SET used_at = ? WHERE code_hash = ?")
            .bind(now)
            .bind(code_hash)
            .execute(&mut *tx)
            .await?;
        let account = account_by_id(&mut tx, &account_id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("a new account is missing".to_owned()))?;
        tx.commit().await?;
        Ok(SetupOutcome::Done(account))
    }

    async fn credentials(&self, username: &str) -> Result<Option<Credentials>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT id, password_hash FROM accounts WHERE username = ?")
                .bind(username)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((id, password_hash)) = row else {
            return Ok(None);
        };
        let account = account_by_id(&mut tx, &id).await?;
        tx.commit().await?;
        Ok(account.map(|account| Credentials {
            account,
            password_hash,
        }))
    }

    async fn create_session(&self, session: NewSession) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions
             (token_hash, account_id, device_id, created_at, last_used_at, expires_at)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&session.token_hash)
        .bind(session.account.to_string())
        .bind(session.device.to_string())
        .bind(millis(session.now))
        .bind(millis(session.now))
        .bind(millis(session.expires_at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn authenticate(
        &self,
        token_hash: &str,
        now: u64,
        idle_ms: u64,
    ) -> Result<SessionCheck, StoreError> {
        let mut tx = self.pool.begin().await?;
        let row: Option<(String, String, i64, i64, Option<i64>)> = sqlx::query_as(
            "SELECT account_id, device_id, last_used_at, expires_at, revoked_at
             FROM sessions WHERE token_hash = ?",
        )
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((account_id, device, last_used, expires_at, revoked_at)) = row else {
            return Ok(SessionCheck::Unknown);
        };
        let Some(account) = account_by_id(&mut tx, &account_id).await? else {
            return Ok(SessionCheck::Unknown);
        };
        tx.commit().await?;
        let device = parse_id::<DeviceId>(&device, "device id")?;
        let last_used = u64::try_from(last_used).unwrap_or(0);
        let expires_at = u64::try_from(expires_at).unwrap_or(0);
        let ended = if revoked_at.is_some() {
            Some(SessionEnd::Revoked)
        } else if account.disabled {
            Some(SessionEnd::Disabled)
        } else if now >= expires_at || now.saturating_sub(last_used) >= idle_ms {
            Some(SessionEnd::Expired)
        } else {
            None
        };
        if let Some(why) = ended {
            return Ok(SessionCheck::Ended {
                account,
                device,
                why,
            });
        }
        if now.saturating_sub(last_used) >= TOUCH_EVERY_MS {
            sqlx::query("UPDATE sessions SET last_used_at = ? WHERE token_hash = ?")
                .bind(millis(now))
                .bind(token_hash)
                .execute(&self.pool)
                .await?;
        }
        Ok(SessionCheck::Valid(Authenticated { account, device }))
    }

    async fn revoke_session(&self, token_hash: &str, now: u64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
        )
        .bind(millis(now))
        .bind(token_hash)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn accounts(&self, centre: CentreId) -> Result<Vec<Account>, StoreError> {
        let rows: Vec<AccountRow> = sqlx::query_as(&format!(
            "{ACCOUNT_COLUMNS} WHERE a.centre_id = ? ORDER BY a.created_at, a.id"
        ))
        .bind(centre.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(account_of).collect()
    }

    async fn devices(&self, centre: CentreId) -> Result<Vec<(AccountId, DeviceId)>, StoreError> {
        // The phones she logged in on, and the stores she pushed from (each worker on a shared
        // phone has a store of her own, whose id stamps what she writes).
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT s.account_id, s.device_id FROM sessions s \
             JOIN accounts a ON a.id = s.account_id WHERE a.centre_id = ? \
             UNION \
             SELECT account_id, device_id FROM audit WHERE centre_id = ? AND action = 'push' \
             AND outcome = 'ok' AND account_id IS NOT NULL AND device_id IS NOT NULL \
             ORDER BY 1, 2",
        )
        .bind(centre.to_string())
        .bind(centre.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(account, device)| {
                Ok((
                    parse_id(&account, "account id")?,
                    parse_id(&device, "device id")?,
                ))
            })
            .collect()
    }

    async fn account(
        &self,
        centre: CentreId,
        id: AccountId,
    ) -> Result<Option<Account>, StoreError> {
        let row: Option<AccountRow> = sqlx::query_as(&format!(
            "{ACCOUNT_COLUMNS} WHERE a.centre_id = ? AND a.id = ?"
        ))
        .bind(centre.to_string())
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.map(account_of).transpose()
    }

    async fn create_account(
        &self,
        centre: CentreId,
        account: NewAccountRow,
        now: u64,
    ) -> Result<Account, AccountError> {
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(StoreError::from)?;
        let taken: i64 =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM accounts WHERE username = ?)")
                .bind(&account.username)
                .fetch_one(&mut *tx)
                .await
                .map_err(StoreError::from)?;
        if taken != 0 {
            return Err(AccountError::UsernameTaken);
        }
        let id = insert_account(&mut tx, &centre.to_string(), &account, millis(now))
            .await
            .map_err(StoreError::from)?;
        let account = account_by_id(&mut tx, &id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("a new account is missing".to_owned()))?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(account)
    }

    async fn update_account(
        &self,
        centre: CentreId,
        id: AccountId,
        patch: AccountChange,
        now: u64,
    ) -> Result<Option<Account>, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let id_text = id.to_string();
        let found: i64 = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM accounts WHERE id = ? AND centre_id = ?)",
        )
        .bind(&id_text)
        .bind(centre.to_string())
        .fetch_one(&mut *tx)
        .await?;
        if found == 0 {
            return Ok(None);
        }
        if let Some(display_name) = &patch.display_name {
            sqlx::query("UPDATE accounts SET display_name = ? WHERE id = ?")
                .bind(display_name)
                .bind(&id_text)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(role) = patch.role {
            sqlx::query("UPDATE accounts SET role = ? WHERE id = ?")
                .bind(role.as_str())
                .bind(&id_text)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(disabled) = patch.disabled {
            sqlx::query("UPDATE accounts SET disabled = ? WHERE id = ?")
                .bind(i64::from(disabled))
                .bind(&id_text)
                .execute(&mut *tx)
                .await?;
            if disabled {
                revoke_all(&mut tx, &id_text, now).await?;
            }
        }
        let account = account_by_id(&mut tx, &id_text).await?;
        tx.commit().await?;
        Ok(account)
    }

    async fn set_password(
        &self,
        centre: CentreId,
        id: AccountId,
        password_hash: &str,
        now: u64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let id_text = id.to_string();
        let changed =
            sqlx::query("UPDATE accounts SET password_hash = ? WHERE id = ? AND centre_id = ?")
                .bind(password_hash)
                .bind(&id_text)
                .bind(centre.to_string())
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if changed == 0 {
            return Ok(false);
        }
        revoke_all(&mut tx, &id_text, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn update_centre(
        &self,
        centre: CentreId,
        change: CentreChange,
        entry: AuditRecord,
    ) -> Result<Centre, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let id = centre.to_string();
        if let Some(minutes) = change.lock_minutes {
            sqlx::query("UPDATE centres SET lock_minutes = ? WHERE id = ?")
                .bind(i64::from(minutes.get()))
                .bind(&id)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(days) = change.purge_days {
            sqlx::query("UPDATE centres SET purge_days = ? WHERE id = ?")
                .bind(days.map(|days| i64::from(days.get())))
                .bind(&id)
                .execute(&mut *tx)
                .await?;
        }
        let row: Option<CentreRow> = sqlx::query_as(&format!("{CENTRE_COLUMNS} WHERE c.id = ?"))
            .bind(&id)
            .fetch_optional(&mut *tx)
            .await?;
        let changed = row
            .map(centre_of)
            .transpose()?
            .ok_or(StoreError::UnknownCentre(centre))?;
        audit(&mut *tx, entry).await?;
        tx.commit().await?;
        Ok(changed)
    }

    async fn audit(&self, entry: AuditRecord) -> Result<(), StoreError> {
        audit(&self.pool, entry).await
    }

    async fn audit_all(&self, entries: Vec<AuditRecord>) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for entry in entries {
            audit(&mut *tx, entry).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Counts a refusal in its minute's tally (see [`AccountStore::count_refusal`]); the first
    /// of a minute also drops the tallies past keeping.
    async fn count_refusal(&self, entry: AuditRecord) -> Result<(), StoreError> {
        let (minute, oldest_kept) = tally_minutes(millis(entry.at));
        let times: i64 = sqlx::query_scalar(
            "INSERT INTO audit_tallies (minute, address, action, outcome, times)
             VALUES (?1,
                     CASE WHEN EXISTS (SELECT 1 FROM audit_tallies
                                       WHERE minute = ?1 AND address = ?2 AND action = ?3
                                         AND outcome = ?4)
                            OR (SELECT count(*) FROM audit_tallies WHERE minute = ?1) < ?5
                          THEN ?2 ELSE '*' END,
                     ?3, ?4, 1)
             ON CONFLICT (minute, address, action, outcome)
             DO UPDATE SET times = audit_tallies.times + 1
             RETURNING times",
        )
        .bind(minute)
        .bind(entry.address.unwrap_or_default())
        .bind(entry.action)
        .bind(entry.outcome)
        .bind(TALLY_ADDRESSES)
        .fetch_one(&self.pool)
        .await?;
        if times == 1 {
            sqlx::query("DELETE FROM audit_tallies WHERE minute < ?1")
                .bind(oldest_kept)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    async fn audit_page(
        &self,
        centre: CentreId,
        before: Option<u64>,
        limit: u32,
    ) -> Result<(Vec<AuditEntry>, bool), StoreError> {
        let rows: Vec<AuditRow> = sqlx::query_as(
            "SELECT id, at, centre_id, account_id, username, device_id, address, action, outcome,
                    records, detail
             FROM audit WHERE centre_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
        )
        .bind(centre.to_string())
        .bind(before.map_or(i64::MAX, millis))
        .bind(i64::from(limit) + 1)
        .fetch_all(&self.pool)
        .await?;
        let more = rows.len() > limit as usize;
        let entries = rows
            .into_iter()
            .take(limit as usize)
            .map(audit_entry_of)
            .collect::<Result<_, _>>()?;
        Ok((entries, more))
    }
}

async fn account_by_id(
    tx: &mut Transaction<'_, Sqlite>,
    id: &str,
) -> Result<Option<Account>, StoreError> {
    let row: Option<AccountRow> = sqlx::query_as(&format!("{ACCOUNT_COLUMNS} WHERE a.id = ?"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    row.map(account_of).transpose()
}

async fn insert_account(
    tx: &mut Transaction<'_, Sqlite>,
    centre: &str,
    account: &NewAccountRow,
    now: i64,
) -> Result<String, sqlx::Error> {
    let id = AccountId::new().to_string();
    sqlx::query(
        "INSERT INTO accounts
         (id, centre_id, username, display_name, role, password_hash, disabled, created_at)
         VALUES (?, ?, ?, ?, ?, ?, 0, ?)",
    )
    .bind(&id)
    .bind(centre)
    .bind(&account.username)
    .bind(&account.display_name)
    .bind(account.role.as_str())
    .bind(&account.password_hash)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

async fn revoke_all(
    tx: &mut Transaction<'_, Sqlite>,
    account: &str,
    now: u64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL")
        .bind(millis(now))
        .bind(account)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Appends a row to the audit log. Parameters: at, centre, account, username, device, address,
/// action, outcome, records (a JSON array), detail, export id. A notice already logged (the same
/// export id from the same account) is not appended again.
pub(super) const AUDIT_SQL: &str = "INSERT INTO audit
     (at, centre_id, account_id, username, device_id, address, action, outcome, records, detail,
      export_id)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
     ON CONFLICT DO NOTHING";

/// Appends to the audit log ([`AUDIT_SQL`]), through the pool or inside a caller's transaction,
/// so that the row of a write commits with it or not at all.
pub(super) async fn audit<'e, E>(executor: E, entry: AuditRecord) -> Result<(), StoreError>
where
    E: Executor<'e, Database = Sqlite>,
{
    sqlx::query(AUDIT_SQL)
        .bind(millis(entry.at))
        .bind(entry.centre.map(|id| id.to_string()))
        .bind(entry.account.map(|id| id.to_string()))
        .bind(entry.username)
        .bind(entry.device.map(|id| id.to_string()))
        .bind(entry.address)
        .bind(entry.action)
        .bind(entry.outcome)
        .bind(to_json(&entry.records)?)
        .bind(entry.detail)
        .bind(entry.export.map(|id| id.to_string()))
        .execute(executor)
        .await?;
    Ok(())
}
