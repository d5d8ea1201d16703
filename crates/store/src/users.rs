//! Staff accounts. Password hashing and role rules live in `service`; this stores results.

use chrono::{DateTime, Utc};
use domain::DivisionCode;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{MAX_PAGE_ROWS, Store, StoreError, dynamic, parse_timestamp, timestamp};

/// An account to create. `password_hash` is a PHC string (Argon2id), never a password.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub jurisdiction: DivisionCode,
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
    pub must_change_password: bool,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, username, display_name, password_hash, role, jurisdiction, \
                       must_change_password, disabled, created_at";

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
        must_change_password: row.try_get::<i64, _>("must_change_password")? != 0,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        created_at: parse_timestamp(&created_at)?,
    })
}

impl Store {
    /// Creates an account and returns its id; a taken username is a [`StoreError::Conflict`].
    pub async fn insert_user(&self, user: &NewUser, at: DateTime<Utc>) -> Result<i64, StoreError> {
        let id = sqlx::query_scalar(
            "INSERT INTO users (username, display_name, password_hash, role, jurisdiction, \
             must_change_password, disabled, created_at) VALUES ($1, $2, $3, $4, $5, $6, 0, $7) \
             RETURNING id",
        )
        .bind(&user.username)
        .bind(&user.display_name)
        .bind(&user.password_hash)
        .bind(&user.role)
        .bind(user.jurisdiction.as_str())
        .bind(i64::from(user.must_change_password))
        .bind(timestamp(at))
        .fetch_one(&self.pool)
        .await?;
        Ok(id)
    }

    pub async fn user_by_username(&self, username: &str) -> Result<User, StoreError> {
        let row = sqlx::query(dynamic(format!(
            "SELECT {COLUMNS} FROM users WHERE username = $1"
        )))
        .bind(username)
        .fetch_one(&self.pool)
        .await?;
        read(&row)
    }

    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        let rows = sqlx::query(dynamic(format!(
            "SELECT {COLUMNS} FROM users ORDER BY username LIMIT {MAX_PAGE_ROWS}"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(read).collect()
    }
}
