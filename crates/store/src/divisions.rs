//! The division tree: district, streets and towns, communities and villages.

use domain::{Area, DivisionCode, DivisionLevel};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{self, AuditEntry};
use crate::{MAX_PAGE_ROWS, Store, StoreError, dynamic, timestamp};

/// One node of the division tree as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Division {
    pub code: DivisionCode,
    pub name: String,
    pub area: Area,
}

impl Division {
    pub fn level(&self) -> DivisionLevel {
        self.code.level()
    }

    pub fn parent(&self) -> Option<DivisionCode> {
        self.code.parent()
    }
}

/// A division with the number of its direct children, for browsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DivisionCount {
    pub division: Division,
    pub children: i64,
}

const COLUMNS: &str = "d.code, d.name, d.area";

fn read(row: &AnyRow) -> Result<Division, StoreError> {
    let code: String = row.try_get("code")?;
    let area: String = row.try_get("area")?;
    Ok(Division {
        code: code.parse().map_err(|_| StoreError::Corrupt {
            what: format!("division code {code:?}"),
        })?,
        name: row.try_get("name")?,
        area: area.parse().map_err(|_| StoreError::Corrupt {
            what: format!("division area {area:?}"),
        })?,
    })
}

/// The code prefix shared by every division in the subtree rooted at `code`.
pub(crate) fn subtree_prefix(code: &DivisionCode) -> &str {
    let len = match code.level() {
        DivisionLevel::County => 6,
        DivisionLevel::Street | DivisionLevel::Town => 9,
        _ => 12,
    };
    &code.as_str()[..len]
}

impl Store {
    /// Inserts or renames divisions in one transaction. Parents must come before their
    /// children or already exist; the foreign key refuses an orphan and nothing is written.
    pub async fn upsert_divisions(
        &self,
        divisions: &[Division],
        audit: &AuditEntry,
    ) -> Result<u64, StoreError> {
        let at = timestamp(audit.at);
        let mut tx = self.write().await?;
        for d in divisions {
            sqlx::query(
                "INSERT INTO divisions (code, name, parent_code, area, updated_at) \
                 VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name, area = excluded.area, \
                 updated_at = excluded.updated_at",
            )
            .bind(d.code.as_str())
            .bind(&d.name)
            .bind(d.parent().map(|p| p.as_str().to_owned()))
            .bind(d.area.as_str())
            .bind(&at)
            .execute(&mut *tx)
            .await?;
        }
        audit::append(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(divisions.len() as u64)
    }

    pub async fn division(&self, code: &DivisionCode) -> Result<Division, StoreError> {
        let row = sqlx::query(dynamic(format!(
            "SELECT {COLUMNS} FROM divisions d WHERE d.code = $1"
        )))
        .bind(code.as_str())
        .fetch_one(&self.pool)
        .await?;
        read(&row)
    }

    /// The direct children of `parent` (the roots when `None`), ordered by code, each with
    /// the number of its own children.
    pub async fn child_divisions(
        &self,
        parent: Option<&DivisionCode>,
    ) -> Result<Vec<DivisionCount>, StoreError> {
        let filter = if parent.is_some() {
            "d.parent_code = $1"
        } else {
            "d.parent_code IS NULL"
        };
        let sql = format!(
            "SELECT {COLUMNS}, (SELECT COUNT(*) FROM divisions c WHERE c.parent_code = d.code) \
             AS children FROM divisions d WHERE {filter} ORDER BY d.code LIMIT {MAX_PAGE_ROWS}"
        );
        let mut query = sqlx::query(dynamic(sql));
        if let Some(p) = parent {
            query = query.bind(p.as_str());
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                Ok(DivisionCount {
                    division: read(row)?,
                    children: row.try_get("children")?,
                })
            })
            .collect()
    }

    /// Every division in the subtree rooted at `root`, the root included, ordered by code
    /// (which puts each parent before its children).
    pub async fn divisions_within(&self, root: &DivisionCode) -> Result<Vec<Division>, StoreError> {
        let rows = sqlx::query(dynamic(format!(
            "SELECT {COLUMNS} FROM divisions d WHERE d.code LIKE $1 ORDER BY d.code"
        )))
        // Codes are digits only, so the prefix holds no LIKE wildcard.
        .bind(format!("{}%", subtree_prefix(root)))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(read).collect()
    }

    pub async fn division_total(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM divisions")
            .fetch_one(&self.pool)
            .await?)
    }
}
