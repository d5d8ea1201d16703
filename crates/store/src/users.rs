//! Staff accounts, their sessions and API tokens. Password hashing, throttling rules and
//! expiry live in `service`; this stores their results, each change audited in its own
//! transaction.
//!
//! The accounts list is limited to a jurisdiction here, in SQL ([`Store::users_within`]), and
//! searched, sorted and paged in `service::list` in memory: a district has tens to hundreds
//! of accounts, and pinyin-initials search has nothing to match in SQL. Business lines with
//! thousands of records page in SQL instead.

use chrono::{DateTime, Utc};
use domain::DivisionCode;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{self, AuditEntry};
use crate::divisions::subtree_prefix;
use crate::{MAX_PAGE_ROWS, Store, StoreError, dynamic, parse_timestamp, timestamp};

/// An account to create. `password_hash` is a PHC string (Argon2id), never a password.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub jurisdiction: DivisionCode,
    pub phone: Option<String>,
    pub must_change_password: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub jurisdiction: DivisionCode,
    pub phone: Option<String>,
    pub must_change_password: bool,
    pub disabled: bool,
    pub failed_logins: i64,
    pub locked_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// The editable facts of an account (not its password).
#[derive(Debug, Clone)]
pub struct UserChange {
    pub display_name: String,
    pub role: String,
    pub jurisdiction: DivisionCode,
    pub phone: Option<String>,
    pub disabled: bool,
}

/// A signed-in browser, as stored. The token itself is never stored, only its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub token_hash: String,
    pub user_id: i64,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub address: String,
    pub user_agent: String,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A bearer token for the API, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "u.id, u.username, u.display_name, u.password_hash, u.role, \
                       u.jurisdiction, u.phone, u.must_change_password, u.disabled, \
                       u.failed_logins, u.locked_until, u.created_at";

fn opt_time(text: Option<String>) -> Result<Option<DateTime<Utc>>, StoreError> {
    text.as_deref().map(parse_timestamp).transpose()
}

fn read(row: &AnyRow) -> Result<User, StoreError> {
    let jurisdiction: String = row.try_get("jurisdiction")?;
    let created_at: String = row.try_get("created_at")?;
    Ok(User {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        password_hash: row.try_get("password_hash")?,
        role: row.try_get("role")?,
        jurisdiction: jurisdiction.parse().map_err(|_| StoreError::Corrupt {
            what: format!("jurisdiction {jurisdiction:?}"),
        })?,
        phone: row.try_get("phone")?,
        must_change_password: row.try_get::<i64, _>("must_change_password")? != 0,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        failed_logins: row.try_get("failed_logins")?,
        locked_until: opt_time(row.try_get("locked_until")?)?,
        created_at: parse_timestamp(&created_at)?,
    })
}

fn read_session(row: &AnyRow) -> Result<Session, StoreError> {
    let created_at: String = row.try_get("s_created_at")?;
    let last_seen_at: String = row.try_get("s_last_seen_at")?;
    Ok(Session {
        token_hash: row.try_get("s_token_hash")?,
        user_id: row.try_get("s_user_id")?,
        csrf_token: row.try_get("s_csrf_token")?,
        created_at: parse_timestamp(&created_at)?,
        last_seen_at: parse_timestamp(&last_seen_at)?,
        address: row.try_get("s_address")?,
        user_agent: row.try_get("s_user_agent")?,
        revoked_at: opt_time(row.try_get("s_revoked_at")?)?,
    })
}

fn read_token(row: &AnyRow) -> Result<ApiToken, StoreError> {
    let created_at: String = row.try_get("t_created_at")?;
    Ok(ApiToken {
        id: row.try_get("t_id")?,
        user_id: row.try_get("t_user_id")?,
        name: row.try_get("t_name")?,
        created_at: parse_timestamp(&created_at)?,
        last_used_at: opt_time(row.try_get("t_last_used_at")?)?,
        revoked_at: opt_time(row.try_get("t_revoked_at")?)?,
    })
}

const SESSION_COLUMNS: &str = "s.token_hash AS s_token_hash, s.user_id AS s_user_id, \
     s.csrf_token AS s_csrf_token, s.created_at AS s_created_at, \
     s.last_seen_at AS s_last_seen_at, s.address AS s_address, s.user_agent AS s_user_agent, \
     s.revoked_at AS s_revoked_at";
const TOKEN_COLUMNS: &str = "t.id AS t_id, t.user_id AS t_user_id, t.name AS t_name, \
     t.created_at AS t_created_at, t.last_used_at AS t_last_used_at, t.revoked_at AS t_revoked_at";

async fn revoke_tokens(
    conn: &mut sqlx::AnyConnection,
    user_id: i64,
    at: &str,
) -> Result<u64, StoreError> {
    Ok(sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    )
    .bind(at)
    .bind(user_id)
    .execute(conn)
    .await?
    .rows_affected())
}

impl Store {
    /// Creates an account and returns its id; a taken username is a [`StoreError::Conflict`].
    pub async fn insert_user(&self, user: &NewUser, audit: &AuditEntry) -> Result<i64, StoreError> {
        let mut tx = self.write().await?;
        let id = sqlx::query_scalar(
            "INSERT INTO users (username, display_name, password_hash, role, jurisdiction, \
             phone, must_change_password, disabled, created_at, password_changed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $8) RETURNING id",
        )
        .bind(&user.username)
        .bind(&user.display_name)
        .bind(&user.password_hash)
        .bind(&user.role)
        .bind(user.jurisdiction.as_str())
        .bind(user.phone.clone())
        .bind(i64::from(user.must_change_password))
        .bind(timestamp(audit.at))
        .fetch_one(&mut *tx)
        .await?;
        audit::append(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn user_by_username(&self, username: &str) -> Result<User, StoreError> {
        let row = sqlx::query(dynamic(format!(
            "SELECT {COLUMNS} FROM users u WHERE u.username = $1"
        )))
        .bind(username)
        .fetch_one(&self.pool)
        .await?;
        read(&row)
    }

    pub async fn user(&self, id: i64) -> Result<User, StoreError> {
        let row = sqlx::query(dynamic(format!(
            "SELECT {COLUMNS} FROM users u WHERE u.id = $1"
        )))
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        read(&row)
    }

    /// Every account (a bureau has tens to hundreds), ordered by username.
    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        let rows = sqlx::query(dynamic(format!(
            "SELECT {COLUMNS} FROM users u ORDER BY u.username LIMIT {MAX_PAGE_ROWS}"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(read).collect()
    }

    /// The accounts whose jurisdiction lies in the subtree of `root` (all accounts for
    /// `None`), ordered by username, at most `limit` of them: the caller asks for one more
    /// than it accepts, so that too many is an error rather than a silently cut list.
    pub async fn users_within(
        &self,
        root: Option<&DivisionCode>,
        limit: i64,
    ) -> Result<Vec<User>, StoreError> {
        // Codes are digits only, so the prefix holds no LIKE wildcard.
        let prefix = root.map_or_else(|| "%".to_owned(), |r| format!("{}%", subtree_prefix(r)));
        let rows = sqlx::query(dynamic(format!(
            "SELECT {COLUMNS} FROM users u WHERE u.jurisdiction LIKE $1 ORDER BY u.username LIMIT $2"
        )))
        .bind(prefix)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(read).collect()
    }

    pub async fn update_user(
        &self,
        id: i64,
        change: &UserChange,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let n = sqlx::query(
            "UPDATE users SET display_name = $1, role = $2, jurisdiction = $3, phone = $4, \
             disabled = $5 WHERE id = $6",
        )
        .bind(&change.display_name)
        .bind(&change.role)
        .bind(change.jurisdiction.as_str())
        .bind(change.phone.clone())
        .bind(i64::from(change.disabled))
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        audit::append(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stores a new password hash, clears the lock-out, sets whether the next sign-in must
    /// change it again, and ends every way in that the old password may have opened: every
    /// session except `keep` (the browser that made the change, if any) and every API token.
    /// One transaction, so a password is never changed with old access left standing.
    /// Returns how many sessions ended.
    pub async fn replace_password(
        &self,
        id: i64,
        password_hash: &str,
        must_change: bool,
        keep: Option<&str>,
        audit: &AuditEntry,
    ) -> Result<u64, StoreError> {
        let at = timestamp(audit.at);
        let mut tx = self.write().await?;
        let n = sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = $2, failed_logins = 0, \
             locked_until = NULL, password_changed_at = $3 WHERE id = $4",
        )
        .bind(password_hash)
        .bind(i64::from(must_change))
        .bind(&at)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        let ended = sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL \
             AND token_hash <> $3",
        )
        .bind(&at)
        .bind(id)
        .bind(keep.unwrap_or(""))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        revoke_tokens(&mut tx, id, &at).await?;
        audit::append(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(ended)
    }

    /// Counts a failed sign-in, atomically, and locks the account until `lock_until` when the
    /// count reaches `max`. A lock that has already expired starts the count afresh, so one
    /// wrong password after a lock-out does not lock again at once. The audit entry's detail
    /// is filled with the count (and the lock), as counted inside the transaction.
    pub async fn record_failed_sign_in(
        &self,
        id: i64,
        max: i64,
        lock_until: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<(i64, bool), StoreError> {
        let now = timestamp(audit.at);
        let mut tx = self.write().await?;
        let failed: i64 = sqlx::query_scalar(
            "UPDATE users SET \
             failed_logins = CASE WHEN locked_until IS NOT NULL AND locked_until <= $1 \
                             THEN 1 ELSE failed_logins + 1 END, \
             locked_until = CASE WHEN locked_until IS NOT NULL AND locked_until <= $1 \
                            THEN NULL ELSE locked_until END \
             WHERE id = $2 RETURNING failed_logins",
        )
        .bind(&now)
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let locked = failed >= max;
        let mut entry = audit.clone();
        entry.detail = format!("failed={failed}");
        if locked {
            let until = timestamp(lock_until);
            sqlx::query("UPDATE users SET locked_until = $1 WHERE id = $2")
                .bind(&until)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            entry.detail.push_str(&format!(" locked_until={until}"));
        }
        audit::append(&mut tx, self.backend, &entry).await?;
        tx.commit().await?;
        Ok((failed, locked))
    }

    /// Opens a session after a successful sign-in and resets the failure count.
    pub async fn insert_session(
        &self,
        session: &Session,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, \
             address, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&session.token_hash)
        .bind(session.user_id)
        .bind(&session.csrf_token)
        .bind(timestamp(session.created_at))
        .bind(timestamp(session.last_seen_at))
        .bind(&session.address)
        .bind(&session.user_agent)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(session.user_id)
            .execute(&mut *tx)
            .await?;
        audit::append(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The session with this token hash and its account, revoked or not.
    pub async fn session(&self, token_hash: &str) -> Result<(Session, User), StoreError> {
        let row = sqlx::query(dynamic(format!(
            "SELECT {SESSION_COLUMNS}, {COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1"
        )))
        .bind(token_hash)
        .fetch_one(&self.pool)
        .await?;
        Ok((read_session(&row)?, read(&row)?))
    }

    /// Moves the idle-expiry clock forward. Not audited: it happens on every request.
    pub async fn touch_session(
        &self,
        token_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(timestamp(at))
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends one session (`Some`), or every open session and API token of `user_id`
    /// (`None`: signing out everywhere must not leave a token minted from a stolen session);
    /// returns how many sessions were open.
    pub async fn revoke_sessions(
        &self,
        user_id: i64,
        token_hash: Option<&str>,
        audit: &AuditEntry,
    ) -> Result<u64, StoreError> {
        let mut tx = self.write().await?;
        let at = timestamp(audit.at);
        let ended = sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL \
             AND ($3 = '' OR token_hash = $3)",
        )
        .bind(&at)
        .bind(user_id)
        .bind(token_hash.unwrap_or(""))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if token_hash.is_none() {
            revoke_tokens(&mut tx, user_id, &at).await?;
        }
        audit::append(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(ended)
    }

    pub async fn insert_api_token(
        &self,
        user_id: i64,
        name: &str,
        token_hash: &str,
        audit: &AuditEntry,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write().await?;
        let id = sqlx::query_scalar(
            "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) \
             RETURNING id",
        )
        .bind(user_id)
        .bind(name)
        .bind(token_hash)
        .bind(timestamp(audit.at))
        .fetch_one(&mut *tx)
        .await?;
        audit::append(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The token with this hash and its account, revoked or not.
    pub async fn api_token(&self, token_hash: &str) -> Result<(ApiToken, User), StoreError> {
        let row = sqlx::query(dynamic(format!(
            "SELECT {TOKEN_COLUMNS}, {COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1"
        )))
        .bind(token_hash)
        .fetch_one(&self.pool)
        .await?;
        Ok((read_token(&row)?, read(&row)?))
    }

    pub async fn api_tokens_of(&self, user_id: i64) -> Result<Vec<ApiToken>, StoreError> {
        let rows = sqlx::query(dynamic(format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens t WHERE t.user_id = $1 ORDER BY t.id LIMIT {MAX_PAGE_ROWS}"
        )))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(read_token).collect()
    }

    pub async fn touch_api_token(&self, id: i64, at: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(timestamp(at))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn revoke_api_token(
        &self,
        user_id: i64,
        id: i64,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let n = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(timestamp(audit.at))
        .bind(id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        audit::append(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(())
    }
}
