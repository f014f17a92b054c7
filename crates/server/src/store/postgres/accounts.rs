//! Centres, accounts, sessions, setup codes and the audit log in PostgreSQL.
//!
//! Each write here is one transaction that `super::retrying` may run again; a check that
//! something is free (a username, a centre code) is followed by an insert that a unique key
//! guards, so that two instances racing end with one of them finding it taken.

use super::{PostgresStore, contended, retrying};
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
use sqlx::postgres::PgArguments;
use sqlx::query::Query;
use sqlx::{Executor, Postgres, Transaction};

/// A session's last use is written at most this often, so that every pull does not write.
const TOUCH_EVERY_MS: u64 = 60_000;

/// The advisory lock that setups take, so that on every instance they run one at a time, as
/// SQLite's do: whether a centre is set up decides which codes still work, and that is no row a
/// lock could be taken on. The number only has to be one no other user of the database picks.
const SETUP_LOCK: i64 = 0x5341_4b48_4953_4554;

/// Reads that span several statements see one snapshot, and never wait for or stop a writer.
const CONSISTENT_READ: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";

/// An account's columns and then its centre's, in the order of [`CENTRE_COLUMNS`].
const ACCOUNT_COLUMNS: &str = "SELECT a.id, a.username, a.display_name, a.role, a.disabled, \
     a.created_at, c.id, c.code, c.name, c.district, c.state, c.lock_minutes::BIGINT, \
     c.purge_days::BIGINT FROM accounts a JOIN centres c ON c.id = a.centre_id";

const CENTRE_COLUMNS: &str = "SELECT c.id, c.code, c.name, c.district, c.state, c.lock_minutes::BIGINT, \
     c.purge_days::BIGINT FROM centres c";

impl AccountStore for PostgresStore {
    async fn is_set_up(&self) -> Result<bool, StoreError> {
        any_set_up(&self.pool).await
    }

    async fn replace_first_setup_code(&self, code_hash: &str, now: u64) -> Result<(), StoreError> {
        retrying(contended, || {
            self.try_replace_first_setup_code(code_hash, now)
        })
        .await
    }

    async fn add_centre_setup_code(
        &self,
        code_hash: &str,
        now: u64,
        expires_at: u64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO setup_codes (code_hash, purpose, created_at, expires_at)
             VALUES ($1, 'centre', $2, $3)",
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
        retrying(contended, || {
            self.try_set_up(code_hash, centre.clone(), admin.clone(), now)
        })
        .await
    }

    async fn credentials(&self, username: &str) -> Result<Option<Credentials>, StoreError> {
        let mut tx = self.pool.begin_with(CONSISTENT_READ).await?;
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT id, password_hash FROM accounts WHERE username = $1")
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
             VALUES ($1, $2, $3, $4, $5, $6)",
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
        let mut tx = self.pool.begin_with(CONSISTENT_READ).await?;
        let row: Option<(String, String, i64, i64, Option<i64>)> = sqlx::query_as(
            "SELECT account_id, device_id, last_used_at, expires_at, revoked_at
             FROM sessions WHERE token_hash = $1",
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
            sqlx::query("UPDATE sessions SET last_used_at = $1 WHERE token_hash = $2")
                .bind(millis(now))
                .bind(token_hash)
                .execute(&self.pool)
                .await?;
        }
        Ok(SessionCheck::Valid(Authenticated { account, device }))
    }

    async fn revoke_session(&self, token_hash: &str, now: u64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL",
        )
        .bind(millis(now))
        .bind(token_hash)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn accounts(&self, centre: CentreId) -> Result<Vec<Account>, StoreError> {
        let rows: Vec<AccountRow> = sqlx::query_as(&format!(
            "{ACCOUNT_COLUMNS} WHERE a.centre_id = $1 ORDER BY a.created_at, a.id"
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
             JOIN accounts a ON a.id = s.account_id WHERE a.centre_id = $1 \
             UNION \
             SELECT account_id, device_id FROM audit WHERE centre_id = $1 AND action = 'push' \
             AND outcome = 'ok' AND account_id IS NOT NULL AND device_id IS NOT NULL \
             ORDER BY 1, 2",
        )
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
            "{ACCOUNT_COLUMNS} WHERE a.centre_id = $1 AND a.id = $2"
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
        let is_contended =
            |error: &AccountError| matches!(error, AccountError::Store(store) if contended(store));
        retrying(is_contended, || {
            self.try_create_account(centre, account.clone(), now)
        })
        .await
    }

    async fn update_account(
        &self,
        centre: CentreId,
        id: AccountId,
        patch: AccountChange,
        now: u64,
    ) -> Result<Option<Account>, StoreError> {
        retrying(contended, || {
            self.try_update_account(centre, id, patch.clone(), now)
        })
        .await
    }

    async fn set_password(
        &self,
        centre: CentreId,
        id: AccountId,
        password_hash: &str,
        now: u64,
    ) -> Result<bool, StoreError> {
        retrying(contended, || {
            self.try_set_password(centre, id, password_hash, now)
        })
        .await
    }

    async fn update_centre(
        &self,
        centre: CentreId,
        change: CentreChange,
        audit: AuditRecord,
    ) -> Result<Centre, StoreError> {
        retrying(contended, || {
            self.try_update_centre(centre, change, audit.clone())
        })
        .await
    }

    async fn audit(&self, entry: AuditRecord) -> Result<(), StoreError> {
        audit(&self.pool, entry).await
    }

    async fn audit_all(&self, entries: Vec<AuditRecord>) -> Result<(), StoreError> {
        retrying(contended, || self.try_audit_all(&entries)).await
    }

    /// Counts a refusal in its minute's tally (see [`AccountStore::count_refusal`]); the first
    /// of a minute also drops the tallies past keeping.
    async fn count_refusal(&self, entry: AuditRecord) -> Result<(), StoreError> {
        let (minute, oldest_kept) = tally_minutes(millis(entry.at));
        let times: i64 = sqlx::query_scalar(
            "INSERT INTO audit_tallies (minute, address, action, outcome, times)
             VALUES ($1,
                     CASE WHEN EXISTS (SELECT 1 FROM audit_tallies
                                       WHERE minute = $1 AND address = $2 AND action = $3
                                         AND outcome = $4)
                            OR (SELECT count(*) FROM audit_tallies WHERE minute = $1) < $5
                          THEN $2 ELSE '*' END,
                     $3, $4, 1)
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
            sqlx::query("DELETE FROM audit_tallies WHERE minute < $1")
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
             FROM audit WHERE centre_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
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

impl PostgresStore {
    /// One attempt at [`AccountStore::replace_first_setup_code`].
    async fn try_replace_first_setup_code(
        &self,
        code_hash: &str,
        now: u64,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM setup_codes WHERE purpose = 'first' AND used_at IS NULL")
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO setup_codes (code_hash, purpose, created_at) VALUES ($1, 'first', $2)
             ON CONFLICT (code_hash) DO UPDATE SET used_at = NULL",
        )
        .bind(code_hash)
        .bind(millis(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// One attempt at [`AccountStore::set_up`].
    async fn try_set_up(
        &self,
        code_hash: &str,
        centre: NewCentreRow,
        admin: NewAccountRow,
        now: u64,
    ) -> Result<SetupOutcome, StoreError> {
        let now = millis(now);
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(SETUP_LOCK)
            .execute(&mut *tx)
            .await?;
        let set_up = any_set_up(&mut *tx).await?;
        let code: Option<String> = sqlx::query_scalar(
            "SELECT purpose FROM setup_codes
             WHERE code_hash = $1 AND used_at IS NULL AND (expires_at IS NULL OR expires_at > $2)",
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
            let pending: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM setup_codes WHERE purpose = 'centre'
                 AND used_at IS NULL AND expires_at > $1)",
            )
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            return Ok(if pending {
                SetupOutcome::BadCode
            } else {
                SetupOutcome::AlreadySetUp
            });
        }
        if username_taken(&mut tx, &admin.username).await? {
            return Ok(SetupOutcome::UsernameTaken);
        }
        // The first setup adopts a centre made before accounts existed, records and all, as
        // SQLite's does; a PostgreSQL database never had one, so a centre of its own is made.
        let adopt: Option<String> = if code.as_deref() == Some("first") {
            sqlx::query_scalar(
                "SELECT id FROM centres WHERE set_up_at IS NULL ORDER BY created_at LIMIT 1",
            )
            .fetch_optional(&mut *tx)
            .await?
        } else {
            None
        };
        let code_taken: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM centres WHERE code = $1 AND id IS DISTINCT FROM $2)",
        )
        .bind(&centre.code)
        .bind(&adopt)
        .fetch_one(&mut *tx)
        .await?;
        if code_taken {
            return Ok(SetupOutcome::CentreCodeTaken);
        }
        let centre_id = match adopt {
            Some(id) => {
                sqlx::query(
                    "UPDATE centres SET code = $1, name = $2, district = $3, state = $4,
                     set_up_at = $5 WHERE id = $6",
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
                     VALUES ($1, $2, $3, $4, $5, 0, $6, $7)",
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
        sqlx::query("UPDATE setup_codes SET used_at = $1 WHERE code_hash = $2")
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

    /// One attempt at [`AccountStore::create_account`].
    async fn try_create_account(
        &self,
        centre: CentreId,
        account: NewAccountRow,
        now: u64,
    ) -> Result<Account, AccountError> {
        let mut tx = self.pool.begin().await.map_err(StoreError::from)?;
        if username_taken(&mut tx, &account.username).await? {
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

    /// One attempt at [`AccountStore::update_account`].
    async fn try_update_account(
        &self,
        centre: CentreId,
        id: AccountId,
        patch: AccountChange,
        now: u64,
    ) -> Result<Option<Account>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let id_text = id.to_string();
        // Locking the account's row makes two changes of one account take turns.
        let found: Option<String> = sqlx::query_scalar(
            "SELECT id FROM accounts WHERE id = $1 AND centre_id = $2 FOR NO KEY UPDATE",
        )
        .bind(&id_text)
        .bind(centre.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        if found.is_none() {
            return Ok(None);
        }
        if let Some(display_name) = &patch.display_name {
            sqlx::query("UPDATE accounts SET display_name = $1 WHERE id = $2")
                .bind(display_name)
                .bind(&id_text)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(role) = patch.role {
            sqlx::query("UPDATE accounts SET role = $1 WHERE id = $2")
                .bind(role.as_str())
                .bind(&id_text)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(disabled) = patch.disabled {
            sqlx::query("UPDATE accounts SET disabled = $1 WHERE id = $2")
                .bind(disabled)
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

    /// One attempt at [`AccountStore::set_password`].
    async fn try_set_password(
        &self,
        centre: CentreId,
        id: AccountId,
        password_hash: &str,
        now: u64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let id_text = id.to_string();
        let changed =
            sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2 AND centre_id = $3")
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

    /// One attempt at [`AccountStore::update_centre`].
    async fn try_update_centre(
        &self,
        centre: CentreId,
        change: CentreChange,
        entry: AuditRecord,
    ) -> Result<Centre, StoreError> {
        let mut tx = self.pool.begin().await?;
        let id = centre.to_string();
        if let Some(minutes) = change.lock_minutes {
            sqlx::query("UPDATE centres SET lock_minutes = $1 WHERE id = $2")
                .bind(i32::from(minutes.get()))
                .bind(&id)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(days) = change.purge_days {
            sqlx::query("UPDATE centres SET purge_days = $1 WHERE id = $2")
                .bind(days.map(|days| i32::from(days.get())))
                .bind(&id)
                .execute(&mut *tx)
                .await?;
        }
        let row: Option<CentreRow> = sqlx::query_as(&format!("{CENTRE_COLUMNS} WHERE c.id = $1"))
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

    /// One attempt at [`AccountStore::audit_all`].
    async fn try_audit_all(&self, entries: &[AuditRecord]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for entry in entries {
            audit(&mut *tx, entry.clone()).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

async fn account_by_id(
    tx: &mut Transaction<'_, Postgres>,
    id: &str,
) -> Result<Option<Account>, StoreError> {
    let row: Option<AccountRow> = sqlx::query_as(&format!("{ACCOUNT_COLUMNS} WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    row.map(account_of).transpose()
}

async fn any_set_up<'e, E>(executor: E) -> Result<bool, StoreError>
where
    E: Executor<'e, Database = Postgres>,
{
    let set_up: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM centres WHERE set_up_at IS NOT NULL)")
            .fetch_one(executor)
            .await?;
    Ok(set_up)
}

async fn username_taken(
    tx: &mut Transaction<'_, Postgres>,
    username: &str,
) -> Result<bool, StoreError> {
    let taken: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM accounts WHERE username = $1)")
            .bind(username)
            .fetch_one(&mut **tx)
            .await?;
    Ok(taken)
}

async fn insert_account(
    tx: &mut Transaction<'_, Postgres>,
    centre: &str,
    account: &NewAccountRow,
    now: i64,
) -> Result<String, sqlx::Error> {
    let id = AccountId::new().to_string();
    sqlx::query(
        "INSERT INTO accounts
         (id, centre_id, username, display_name, role, password_hash, disabled, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, FALSE, $7)",
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
    tx: &mut Transaction<'_, Postgres>,
    account: &str,
    now: u64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL")
        .bind(millis(now))
        .bind(account)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Appends to the audit log, through the pool or inside a caller's transaction, so that the row
/// of a write commits with it or not at all.
pub(super) async fn audit<'e, E>(executor: E, entry: AuditRecord) -> Result<(), StoreError>
where
    E: Executor<'e, Database = Postgres>,
{
    let insert = sqlx::query(
        "INSERT INTO audit
         (at, centre_id, account_id, username, device_id, address, action, outcome, records, detail,
          export_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT DO NOTHING",
    );
    bind_audit(insert, entry)?.execute(executor).await?;
    Ok(())
}

/// Binds the columns of an audit row to the next eleven parameters of `query`, in the order of
/// [`audit`]'s: at, centre, account, username, device, address, action, outcome, records, detail,
/// export.
pub(super) fn bind_audit(
    query: Query<'_, Postgres, PgArguments>,
    entry: AuditRecord,
) -> Result<Query<'_, Postgres, PgArguments>, StoreError> {
    Ok(query
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
        .bind(entry.export.map(|id| id.to_string())))
}
