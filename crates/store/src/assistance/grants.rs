//! Relief and medical-assistance grants and their yearly budgets (migration 0006). A grant
//! is checked against its budget inside its own write transaction, after the budget row is
//! locked (PostgreSQL `FOR UPDATE`; SQLite's `BEGIN IMMEDIATE` already holds the only write
//! lock), so two grants recorded at once can never both fit into the last of a budget.
//! Grants and cancellations are append-only (triggers on both engines).

use chrono::{DateTime, NaiveDate, Utc};
use domain::assistance::grants::BudgetUse;
use domain::{DivisionCode, Fen};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{code, date, date_text};
use crate::audit::{self, AuditEntry};
use crate::divisions::subtree_prefix;
use crate::{Backend, MAX_PAGE_ROWS, Store, StoreError, dynamic, parse_timestamp, timestamp};

/// The index that keeps one budget per year and kind.
pub const BUDGET_YEAR_KIND: &str = "assistance_budgets_year_kind";
/// The index that lets a grant be cancelled once.
pub const GRANT_CANCELLED_ONCE: &str = "assistance_grant_cancellations_grant";

/// A grant to record; its budget figures are filled in by the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGrant {
    pub kind: String,
    pub household_id: i64,
    pub division_code: DivisionCode,
    pub persons: i64,
    pub amount_fen: i64,
    pub reason: String,
    pub funding_source: String,
    pub granted_on: NaiveDate,
    /// Used only if the grant does not fit into its budget.
    pub override_reason: Option<String>,
    pub by_user: String,
    pub at: DateTime<Utc>,
}

/// What became of a grant offered to [`Store::insert_grant`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantWrite {
    /// Recorded, with the id and what had been drawn before it; `overridden` when it took
    /// the total above the budget on its override reason.
    Recorded {
        id: i64,
        budget_fen: i64,
        drawn_before_fen: i64,
        overridden: bool,
    },
    /// No budget is set for the grant's year and kind; nothing written.
    NoBudget,
    /// It does not fit and carries no override reason; nothing written.
    OverBudget { budget_fen: i64, drawn_fen: i64 },
}

/// A grant as stored, with its household head, division name and cancellation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRecord {
    pub id: i64,
    pub kind: String,
    pub household_id: i64,
    /// The case of the household (the latest, if several), for links.
    pub case_id: Option<i64>,
    pub division_code: DivisionCode,
    pub division_name: String,
    pub head_name: String,
    pub head_id_number: String,
    pub persons: i64,
    pub amount_fen: i64,
    pub reason: String,
    pub funding_source: String,
    pub granted_on: NaiveDate,
    pub year: i64,
    pub budget_fen: i64,
    pub drawn_before_fen: i64,
    pub override_reason: Option<String>,
    pub by_user: String,
    pub at: DateTime<Utc>,
    pub cancellation: Option<Cancellation>,
}

/// Why and by whom a grant was cancelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cancellation {
    pub reason: String,
    pub by_user: String,
    pub at: DateTime<Utc>,
}

/// How the grant list is cut: every field narrows, `None` does not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GrantFilter {
    /// The actor's jurisdiction (`None` only for the console).
    pub jurisdiction: Option<DivisionCode>,
    /// A division subtree chosen on the page.
    pub division: Option<DivisionCode>,
    pub kind: Option<String>,
    pub year: Option<i64>,
    pub household_id: Option<i64>,
}

/// What the grants matching a filter add up to, cancelled ones left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GrantTotals {
    pub grants: i64,
    /// Distinct households.
    pub households: i64,
    /// Persons covered, summed over the grants (a household helped twice counts twice).
    pub persons: i64,
    pub amount_fen: i64,
}

/// A budget with what is drawn on it and how much of that came through overrides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetRow {
    pub year: i64,
    pub kind: String,
    pub amount_fen: i64,
    pub citation: String,
    pub by_user: String,
    pub at: DateTime<Utc>,
    /// Grants not cancelled.
    pub drawn_fen: i64,
    pub grants: i64,
    /// Grants not cancelled that were recorded on an override, and their amount.
    pub overrides: i64,
    pub override_fen: i64,
}

/// A budget to set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBudget {
    pub year: i64,
    pub kind: String,
    pub amount_fen: i64,
    pub citation: String,
    pub by_user: String,
    pub at: DateTime<Utc>,
}

/// What became of a budget offered to [`Store::set_budget`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BudgetWrite {
    /// Set; the amount before, if there was a budget.
    Set { before_fen: Option<i64> },
    /// The new amount is below what is already drawn; nothing written.
    BelowDrawn { drawn_fen: i64 },
}

const GRANT_FROM: &str = "FROM assistance_grants g \
     JOIN divisions d ON d.code = g.division_code \
     JOIN members hm ON hm.id = (SELECT MAX(x.id) FROM members x \
         WHERE x.household_id = g.household_id AND x.relation = 'head') \
     JOIN persons hp ON hp.id = hm.person_id \
     LEFT JOIN assistance_grant_cancellations gc ON gc.grant_id = g.id";

const GRANT_COLUMNS: &str = "g.id, g.kind, g.household_id, \
     (SELECT MAX(c.id) FROM cases c WHERE c.household_id = g.household_id) AS case_id, \
     g.division_code, d.name AS division_name, hp.name AS head_name, \
     hp.id_number AS head_id_number, g.persons, g.amount_fen, g.reason, g.funding_source, \
     g.granted_on, g.year, g.budget_fen, g.drawn_before_fen, g.override_reason, g.by_user, \
     g.at, gc.reason AS cancel_reason, gc.by_user AS cancel_by, gc.at AS cancel_at";

fn read_grant(row: &AnyRow) -> Result<GrantRecord, StoreError> {
    let division: String = row.try_get("division_code")?;
    let granted: String = row.try_get("granted_on")?;
    let at: String = row.try_get("at")?;
    let cancel_reason: Option<String> = row.try_get("cancel_reason")?;
    let cancellation = match cancel_reason {
        Some(reason) => {
            let cancel_at: String = row.try_get("cancel_at")?;
            Some(Cancellation {
                reason,
                by_user: row.try_get("cancel_by")?,
                at: parse_timestamp(&cancel_at)?,
            })
        }
        None => None,
    };
    Ok(GrantRecord {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        household_id: row.try_get("household_id")?,
        case_id: row.try_get("case_id")?,
        division_code: code(&division)?,
        division_name: row.try_get("division_name")?,
        head_name: row.try_get("head_name")?,
        head_id_number: row.try_get("head_id_number")?,
        persons: row.try_get("persons")?,
        amount_fen: row.try_get("amount_fen")?,
        reason: row.try_get("reason")?,
        funding_source: row.try_get("funding_source")?,
        granted_on: date(&granted)?,
        year: row.try_get("year")?,
        budget_fen: row.try_get("budget_fen")?,
        drawn_before_fen: row.try_get("drawn_before_fen")?,
        override_reason: row.try_get("override_reason")?,
        by_user: row.try_get("by_user")?,
        at: parse_timestamp(&at)?,
        cancellation,
    })
}

/// A bound value of a list query: text or a number (PostgreSQL compares types strictly).
enum Bind {
    Text(String),
    Int(i64),
}

/// The WHERE clause of `filter` (with `extra` conditions) and its bound values.
fn grant_where(filter: &GrantFilter, extra: &[&str]) -> (String, Vec<Bind>) {
    let mut clauses: Vec<String> = extra.iter().map(|c| (*c).to_owned()).collect();
    let mut binds: Vec<Bind> = Vec::new();
    let mut bind = |value: Bind| {
        binds.push(value);
        format!("${}", binds.len())
    };
    for root in [&filter.jurisdiction, &filter.division]
        .into_iter()
        .flatten()
    {
        // Codes are digits only, so the prefix holds no LIKE wildcard.
        let p = bind(Bind::Text(format!("{}%", subtree_prefix(root))));
        clauses.push(format!("g.division_code LIKE {p}"));
    }
    if let Some(kind) = &filter.kind {
        let p = bind(Bind::Text(kind.clone()));
        clauses.push(format!("g.kind = {p}"));
    }
    if let Some(year) = filter.year {
        let p = bind(Bind::Int(year));
        clauses.push(format!("g.year = {p}"));
    }
    if let Some(household) = filter.household_id {
        let p = bind(Bind::Int(household));
        clauses.push(format!("g.household_id = {p}"));
    }
    let where_sql = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    (where_sql, binds)
}

/// The SQL of what has been drawn on the budget of year `$1` and kind `$2`.
const DRAWN: &str = "SELECT CAST(COALESCE(SUM(g.amount_fen), 0) AS BIGINT) \
     FROM assistance_grants g \
     WHERE g.year = $1 AND g.kind = $2 \
     AND NOT EXISTS (SELECT 1 FROM assistance_grant_cancellations gc WHERE gc.grant_id = g.id)";

fn named(e: StoreError) -> StoreError {
    match e {
        StoreError::Conflict { what, constraint } => {
            let constraint = constraint.map(|c| match c.as_str() {
                "assistance_budgets.year, assistance_budgets.kind" => BUDGET_YEAR_KIND.to_owned(),
                "assistance_grant_cancellations.grant_id" => GRANT_CANCELLED_ONCE.to_owned(),
                _ => c,
            });
            StoreError::Conflict { what, constraint }
        }
        other => other,
    }
}

impl Store {
    /// Records `grant` if it fits into the budget of its year and kind, or carries an
    /// override reason; appends `audit` (object `grant:{id}` when empty) and, for an
    /// override, a second entry `assistance.grant.override` with the figures, all in one
    /// transaction. The budget row is locked first, so the check and the insert see the
    /// same drawn total as every other grant on that budget.
    pub async fn insert_grant(
        &self,
        grant: &NewGrant,
        audit: &AuditEntry,
    ) -> Result<GrantWrite, StoreError> {
        let year = i64::from(chrono::Datelike::year(&grant.granted_on));
        let mut tx = self.write().await?;
        let lock = match self.backend {
            Backend::Postgres => {
                "SELECT amount_fen FROM assistance_budgets WHERE year = $1 AND kind = $2 \
                 FOR UPDATE"
            }
            Backend::Sqlite => {
                "SELECT amount_fen FROM assistance_budgets WHERE year = $1 AND kind = $2"
            }
        };
        let budget: Option<i64> = sqlx::query_scalar(lock)
            .bind(year)
            .bind(&grant.kind)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(budget) = budget else {
            return Ok(GrantWrite::NoBudget);
        };
        let drawn: i64 = sqlx::query_scalar(DRAWN)
            .bind(year)
            .bind(&grant.kind)
            .fetch_one(&mut *tx)
            .await?;
        let used = BudgetUse {
            budget: Fen::from_fen(budget),
            drawn: Fen::from_fen(drawn),
        };
        let over = used.check(Fen::from_fen(grant.amount_fen)).err();
        let override_reason = match (over, &grant.override_reason) {
            (None, _) => None,
            (Some(_), Some(reason)) => Some(reason.clone()),
            (Some(_), None) => {
                return Ok(GrantWrite::OverBudget {
                    budget_fen: budget,
                    drawn_fen: drawn,
                });
            }
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO assistance_grants (kind, household_id, division_code, persons, \
             amount_fen, reason, funding_source, granted_on, year, budget_fen, \
             drawn_before_fen, override_reason, by_user, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
        )
        .bind(&grant.kind)
        .bind(grant.household_id)
        .bind(grant.division_code.as_str())
        .bind(grant.persons)
        .bind(grant.amount_fen)
        .bind(&grant.reason)
        .bind(&grant.funding_source)
        .bind(date_text(grant.granted_on))
        .bind(year)
        .bind(budget)
        .bind(drawn)
        .bind(override_reason.clone())
        .bind(&grant.by_user)
        .bind(timestamp(grant.at))
        .fetch_one(&mut *tx)
        .await?;
        let mut entry = audit.clone();
        if entry.object.is_empty() {
            entry.object = format!("grant:{id}");
        }
        audit::append(&mut tx, self.backend, &entry).await?;
        if let (Some(reason), Some(over)) = (&override_reason, over) {
            let overridden = AuditEntry {
                action: "assistance.grant.override".into(),
                reason: reason.clone(),
                detail: format!(
                    "year={year} kind={} budget={} drawn={} remaining={} requested={}",
                    grant.kind,
                    over.budget.yuan(),
                    over.drawn.yuan(),
                    over.remaining.yuan(),
                    over.requested.yuan()
                ),
                ..entry
            };
            audit::append(&mut tx, self.backend, &overridden).await?;
        }
        tx.commit().await?;
        Ok(GrantWrite::Recorded {
            id,
            budget_fen: budget,
            drawn_before_fen: drawn,
            overridden: override_reason.is_some(),
        })
    }

    /// Cancels grant `id` with `reason`; a grant already cancelled is a
    /// [`StoreError::Conflict`] naming [`GRANT_CANCELLED_ONCE`].
    pub async fn cancel_grant(
        &self,
        id: i64,
        reason: &str,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO assistance_grant_cancellations (grant_id, reason, by_user, at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(reason)
        .bind(&audit.actor)
        .bind(timestamp(audit.at))
        .execute(&mut *tx)
        .await
        .map_err(|e| named(e.into()))?;
        audit::append(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// One grant.
    pub async fn grant(&self, id: i64) -> Result<GrantRecord, StoreError> {
        let row = sqlx::query(dynamic(format!(
            "SELECT {GRANT_COLUMNS} {GRANT_FROM} WHERE g.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        read_grant(&row)
    }

    /// One page of the grants matching `filter`, newest first, and how many match in all;
    /// the page is clamped to the last existing one. Returns (rows, total, page).
    pub async fn grants_page(
        &self,
        filter: &GrantFilter,
        page: i64,
        per_page: i64,
    ) -> Result<(Vec<GrantRecord>, i64, i64), StoreError> {
        let (where_sql, binds) = grant_where(filter, &[]);
        let mut count =
            sqlx::query_scalar(dynamic(format!("SELECT COUNT(*) {GRANT_FROM} {where_sql}")));
        for b in &binds {
            count = match b {
                Bind::Text(t) => count.bind(t.clone()),
                Bind::Int(i) => count.bind(*i),
            };
        }
        let total: i64 = count.fetch_one(&self.pool).await?;
        let per_page = per_page.clamp(1, MAX_PAGE_ROWS);
        let pages = ((total + per_page - 1) / per_page).max(1);
        let page = page.clamp(1, pages);
        let sql = format!(
            "SELECT {GRANT_COLUMNS} {GRANT_FROM} {where_sql} \
             ORDER BY g.granted_on DESC, g.id DESC LIMIT {per_page} OFFSET {}",
            (page - 1) * per_page
        );
        let mut list = sqlx::query(dynamic(sql));
        for b in &binds {
            list = match b {
                Bind::Text(t) => list.bind(t.clone()),
                Bind::Int(i) => list.bind(*i),
            };
        }
        let rows = list
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(read_grant)
            .collect::<Result<Vec<_>, _>>()?;
        Ok((rows, total, page))
    }

    /// What the grants matching `filter` add up to, cancelled ones left out: the figures a
    /// report gives ("510 households, 1520 persons, 30多万元").
    pub async fn grant_totals(&self, filter: &GrantFilter) -> Result<GrantTotals, StoreError> {
        let (where_sql, binds) = grant_where(
            filter,
            &[
                "NOT EXISTS (SELECT 1 FROM assistance_grant_cancellations gc \
               WHERE gc.grant_id = g.id)",
            ],
        );
        let mut query = sqlx::query_as(dynamic(format!(
            "SELECT COUNT(*), COUNT(DISTINCT g.household_id), \
             CAST(COALESCE(SUM(g.persons), 0) AS BIGINT), \
             CAST(COALESCE(SUM(g.amount_fen), 0) AS BIGINT) \
             FROM assistance_grants g {where_sql}"
        )));
        for b in &binds {
            query = match b {
                Bind::Text(t) => query.bind(t.clone()),
                Bind::Int(i) => query.bind(*i),
            };
        }
        let (grants, households, persons, amount_fen): (i64, i64, i64, i64) =
            query.fetch_one(&self.pool).await?;
        Ok(GrantTotals {
            grants,
            households,
            persons,
            amount_fen,
        })
    }

    /// Every budget with its use, newest year first, then by kind.
    pub async fn budgets(&self) -> Result<Vec<BudgetRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT b.year, b.kind, b.amount_fen, b.citation, b.by_user, b.at, \
             CAST(COALESCE(SUM(g.amount_fen), 0) AS BIGINT) AS drawn_fen, \
             COUNT(g.id) AS grants, \
             COUNT(g.override_reason) AS overrides, \
             CAST(COALESCE(SUM(CASE WHEN g.override_reason IS NULL THEN 0 \
                  ELSE g.amount_fen END), 0) AS BIGINT) AS override_fen \
             FROM assistance_budgets b \
             LEFT JOIN assistance_grants g ON g.year = b.year AND g.kind = b.kind \
                 AND NOT EXISTS (SELECT 1 FROM assistance_grant_cancellations gc \
                                 WHERE gc.grant_id = g.id) \
             GROUP BY b.id, b.year, b.kind, b.amount_fen, b.citation, b.by_user, b.at \
             ORDER BY b.year DESC, b.kind",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let at: String = row.try_get("at")?;
                Ok(BudgetRow {
                    year: row.try_get("year")?,
                    kind: row.try_get("kind")?,
                    amount_fen: row.try_get("amount_fen")?,
                    citation: row.try_get("citation")?,
                    by_user: row.try_get("by_user")?,
                    at: parse_timestamp(&at)?,
                    drawn_fen: row.try_get("drawn_fen")?,
                    grants: row.try_get("grants")?,
                    overrides: row.try_get("overrides")?,
                    override_fen: row.try_get("override_fen")?,
                })
            })
            .collect()
    }

    /// Sets the budget of a year and kind, unless the new amount is below what is already
    /// drawn on it; the row is locked as a grant locks it, so the comparison holds.
    pub async fn set_budget(
        &self,
        budget: &NewBudget,
        audit: &AuditEntry,
    ) -> Result<BudgetWrite, StoreError> {
        let mut tx = self.write().await?;
        let lock = match self.backend {
            Backend::Postgres => {
                "SELECT amount_fen FROM assistance_budgets WHERE year = $1 AND kind = $2 \
                 FOR UPDATE"
            }
            Backend::Sqlite => {
                "SELECT amount_fen FROM assistance_budgets WHERE year = $1 AND kind = $2"
            }
        };
        let before: Option<i64> = sqlx::query_scalar(lock)
            .bind(budget.year)
            .bind(&budget.kind)
            .fetch_optional(&mut *tx)
            .await?;
        let drawn: i64 = sqlx::query_scalar(DRAWN)
            .bind(budget.year)
            .bind(&budget.kind)
            .fetch_one(&mut *tx)
            .await?;
        if budget.amount_fen < drawn {
            return Ok(BudgetWrite::BelowDrawn { drawn_fen: drawn });
        }
        let at = timestamp(budget.at);
        if before.is_some() {
            sqlx::query(
                "UPDATE assistance_budgets SET amount_fen = $1, citation = $2, by_user = $3, \
                 at = $4 WHERE year = $5 AND kind = $6",
            )
            .bind(budget.amount_fen)
            .bind(&budget.citation)
            .bind(&budget.by_user)
            .bind(&at)
            .bind(budget.year)
            .bind(&budget.kind)
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query(
                "INSERT INTO assistance_budgets (year, kind, amount_fen, citation, by_user, at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(budget.year)
            .bind(&budget.kind)
            .bind(budget.amount_fen)
            .bind(&budget.citation)
            .bind(&budget.by_user)
            .bind(&at)
            .execute(&mut *tx)
            .await
            .map_err(|e| named(e.into()))?;
        }
        let mut entry = audit.clone();
        entry.detail = format!(
            "{} before={} after={}",
            entry.detail,
            before.map_or_else(|| "-".to_owned(), |b| Fen::from_fen(b).yuan()),
            Fen::from_fen(budget.amount_fen).yuan()
        )
        .trim_start()
        .to_owned();
        audit::append(&mut tx, self.backend, &entry).await?;
        tx.commit().await?;
        Ok(BudgetWrite::Set { before_fen: before })
    }

    /// The division of a household and how many members it has ever listed, for checking
    /// a grant; `NotFound` if there is no such household.
    pub async fn household_for_grant(&self, id: i64) -> Result<(DivisionCode, i64), StoreError> {
        let row: Option<(String, i64)> = sqlx::query_as(
            "SELECT h.division_code, (SELECT COUNT(*) FROM members m WHERE m.household_id = h.id) \
             FROM households h WHERE h.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let (division, members) = row.ok_or(StoreError::NotFound)?;
        Ok((code(&division)?, members))
    }
}
