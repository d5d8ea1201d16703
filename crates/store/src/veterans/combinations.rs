//! The category pairs one person may not hold together (migration 0017), data seeded by
//! `service` and read by its registration check.

use sqlx::Row;

use crate::audit::{self, AuditEntry};
use crate::{Store, StoreError};

/// One forbidden pair, `category_code` < `excludes_code`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExclusionRow {
    pub category_code: String,
    pub excludes_code: String,
    pub reason: String,
}

impl Store {
    /// Every forbidden pair.
    pub async fn veteran_exclusions(&self) -> Result<Vec<ExclusionRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT category_code, excludes_code, reason FROM veteran_category_exclusions \
             ORDER BY category_code, excludes_code",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ExclusionRow {
                    category_code: r.try_get("category_code")?,
                    excludes_code: r.try_get("excludes_code")?,
                    reason: r.try_get("reason")?,
                })
            })
            .collect()
    }

    /// Adds forbidden pairs with one audit entry.
    pub async fn insert_veteran_exclusions(
        &self,
        rows: &[ExclusionRow],
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        for x in rows {
            sqlx::query(
                "INSERT INTO veteran_category_exclusions (category_code, excludes_code, reason) \
                 VALUES ($1, $2, $3)",
            )
            .bind(&x.category_code)
            .bind(&x.excludes_code)
            .bind(&x.reason)
            .execute(&mut *tx)
            .await?;
        }
        audit::append(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The category codes a person (by ID number) holds and has not ended: an ended
    /// entitlement is no longer held (a 带病回乡 veteran later graded disabled is ended there
    /// and registered as disabled).
    pub async fn categories_held(&self, id_number: &str) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT e.category_code FROM veteran_entitlements e \
             JOIN persons p ON p.id = e.person_id \
             WHERE p.id_number = $1 AND e.status <> 'ended' ORDER BY e.category_code",
        )
        .bind(id_number)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(c,)| c).collect())
    }
}
