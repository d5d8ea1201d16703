//! The category pairs one person may not hold together (migration 0017), data seeded by
//! `service`, read by its registration check and changed by the section (a pair added only
//! when nobody holds both, checked in the writing transaction).

use sqlx::Row;

use crate::audit::{self, AuditEntry};
use crate::{Store, StoreError, dynamic};

/// One forbidden pair, `category_code` < `excludes_code`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExclusionRow {
    pub category_code: String,
    pub excludes_code: String,
    pub reason: String,
}

/// The persons holding both categories of a pair (entitlements not ended): how many, and
/// the first few ID numbers in order (in full: `service` masks them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PairHolders {
    pub count: i64,
    pub first: Vec<String>,
}

/// The refusal of an entitlement whose person holds an excluded category, found inside the
/// registering transaction (`what` is `other category|reason`).
pub const EXCLUDED: &str = "veteran_category_exclusions";

/// Persons holding both `$1` and `$2` (not ended), as a condition on `p`.
const HOLDS_BOTH: &str = "EXISTS (SELECT 1 FROM veteran_entitlements e \
     WHERE e.person_id = p.id AND e.category_code = $1 AND e.status <> 'ended') \
     AND EXISTS (SELECT 1 FROM veteran_entitlements e \
     WHERE e.person_id = p.id AND e.category_code = $2 AND e.status <> 'ended')";

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

    /// Adds the pair `row` with `audit` unless someone holds both categories: returns who
    /// does (`shown` ID numbers at most), and adds the pair only when nobody does. Checked
    /// inside the writing transaction, so the register and its rules agree when it commits.
    pub async fn add_veteran_exclusion(
        &self,
        row: &ExclusionRow,
        audit: &AuditEntry,
        shown: i64,
    ) -> Result<PairHolders, StoreError> {
        let mut tx = self.write().await?;
        // PostgreSQL: waits for registrations in flight (they hold SHARE, see
        // `exclusion_clash`) and keeps new ones out until this commits, so the holders
        // counted below are all there will be. SQLite's writer lock already does.
        if self.backend == crate::Backend::Postgres {
            sqlx::query("LOCK TABLE veteran_category_exclusions IN SHARE ROW EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await?;
        }
        let count: i64 = sqlx::query_scalar(dynamic(format!(
            "SELECT COUNT(*) FROM persons p WHERE {HOLDS_BOTH}"
        )))
        .bind(&row.category_code)
        .bind(&row.excludes_code)
        .fetch_one(&mut *tx)
        .await?;
        if count > 0 {
            let first: Vec<(String,)> = sqlx::query_as(dynamic(format!(
                "SELECT p.id_number FROM persons p WHERE {HOLDS_BOTH} \
                 ORDER BY p.id_number LIMIT {shown}"
            )))
            .bind(&row.category_code)
            .bind(&row.excludes_code)
            .fetch_all(&mut *tx)
            .await?;
            return Ok(PairHolders {
                count,
                first: first.into_iter().map(|(n,)| n).collect(),
            });
        }
        sqlx::query(
            "INSERT INTO veteran_category_exclusions (category_code, excludes_code, reason) \
             VALUES ($1, $2, $3)",
        )
        .bind(&row.category_code)
        .bind(&row.excludes_code)
        .bind(&row.reason)
        .execute(&mut *tx)
        .await?;
        audit::append(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(PairHolders::default())
    }

    /// Removes the pair (`a` < `b`) with `audit`; not found when it is not listed.
    pub async fn remove_veteran_exclusion(
        &self,
        a: &str,
        b: &str,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let n = sqlx::query(
            "DELETE FROM veteran_category_exclusions \
             WHERE category_code = $1 AND excludes_code = $2",
        )
        .bind(a)
        .bind(b)
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

/// Locks the exclusions against change for the rest of `tx` (PostgreSQL; SQLite's writer
/// lock holds everything) and the person against a second registration at once, for
/// [`exclusion_clash`] to see every pair and entitlement that will stand with the new one.
pub(crate) async fn lock_for_registration(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    backend: crate::Backend,
    person: i64,
) -> Result<(), StoreError> {
    if backend == crate::Backend::Postgres {
        sqlx::query("LOCK TABLE veteran_category_exclusions IN SHARE MODE")
            .execute(&mut **tx)
            .await?;
        sqlx::query("SELECT id FROM persons WHERE id = $1 FOR UPDATE")
            .bind(person)
            .fetch_optional(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Refuses entitlement `id` (of `category`, for `person`) if the person holds, not ended,
/// a category the exclusions pair with it: the check of `service` made again inside the
/// writing transaction, after [`lock_for_registration`], so a pair added or a clashing
/// registration committed meanwhile is seen.
pub(crate) async fn exclusion_clash(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    person: i64,
    id: i64,
    category: &str,
) -> Result<(), StoreError> {
    let clash: Option<(String, String)> = sqlx::query_as(
        "SELECT o.category_code, x.reason FROM veteran_entitlements o \
         JOIN veteran_category_exclusions x \
         ON (x.category_code = o.category_code AND x.excludes_code = $3) \
         OR (x.excludes_code = o.category_code AND x.category_code = $3) \
         WHERE o.person_id = $1 AND o.id <> $2 AND o.status <> 'ended' \
         ORDER BY o.category_code LIMIT 1",
    )
    .bind(person)
    .bind(id)
    .bind(category)
    .fetch_optional(&mut **tx)
    .await?;
    match clash {
        Some((other, reason)) => Err(StoreError::Conflict {
            what: format!("{other}|{reason}"),
            constraint: Some(EXCLUDED.to_owned()),
        }),
        None => Ok(()),
    }
}
