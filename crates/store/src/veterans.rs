//! Veterans' preferential treatment (双拥优抚安置, migration 0015): the category list, the
//! register of entitlements with their append-only status history, and the dated standards.
//! Validation, permissions and the money rule live in `service` and `domain::veterans`;
//! here are the queries, each change one transaction with its audit entry.

pub(crate) mod combinations;
pub(crate) mod liaison;
pub(crate) mod payroll;
pub(crate) mod petitions;

use chrono::{DateTime, NaiveDate, Utc};
use domain::{Area, DivisionCode};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::assistance::{NewPerson, code, date, date_text, like_escape, person_id};
use crate::audit::{self, AuditEntry};
use crate::divisions::subtree_prefix;
use crate::{MAX_PAGE_ROWS, Store, StoreError, dynamic, parse_timestamp, timestamp};

/// The index that keeps a person from holding one category twice.
pub const ENTITLEMENT_ONCE: &str = "veteran_entitlements_person_category";
/// The index that keeps one standard per key and date.
pub const STANDARD_KEY: &str = "veteran_standards_key";
/// The index that keeps category codes unique.
pub const CATEGORY_CODE: &str = "veteran_categories_code";
/// The index that receives a person once.
pub const RECEIVED_ONCE: &str = "receptions_person_once";
/// The index that keeps intake batch names unique.
pub const BATCH_NAME: &str = "reception_batches_name";

fn named(e: StoreError) -> StoreError {
    match e {
        StoreError::Conflict { what, constraint } => {
            let constraint = constraint.map(|c| match c.as_str() {
                "veteran_entitlements.person_id, veteran_entitlements.category_code" => {
                    ENTITLEMENT_ONCE.to_owned()
                }
                "veteran_standards.category_code, veteran_standards.grade, \
                 veteran_standards.cause, veteran_standards.effective_from" => {
                    STANDARD_KEY.to_owned()
                }
                "veteran_categories.code" => CATEGORY_CODE.to_owned(),
                "receptions.person_id" => RECEIVED_ONCE.to_owned(),
                "reception_batches.name" => BATCH_NAME.to_owned(),
                _ => c,
            });
            StoreError::Conflict { what, constraint }
        }
        other => other,
    }
}

/// A category of the configurable list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryRow {
    pub code: String,
    pub name: String,
    /// `domain::veterans::Basis` code.
    pub basis: String,
    pub position: i64,
}

/// Where the household of a new entitlement comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HouseholdChoice {
    /// A registry household already on file.
    Existing(i64),
    /// A new registry household.
    New {
        division_code: DivisionCode,
        address: String,
        area: Area,
    },
}

/// An entitlement to register, checked by `service`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntitlement {
    pub person: NewPerson,
    pub household: HouseholdChoice,
    pub category_code: String,
    pub grade: Option<i64>,
    pub cause: Option<String>,
    pub service_years: Option<i64>,
    pub certified_on: NaiveDate,
    pub document_number: String,
    pub certifying_office: String,
}

/// One row of the status history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEvent {
    pub seq: i64,
    pub status: String,
    pub effective_on: NaiveDate,
    pub reason: String,
    pub by_user: String,
    pub at: DateTime<Utc>,
}

/// An entitlement as stored, with its person, household and category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntitlementRecord {
    pub id: i64,
    pub person_id: i64,
    pub name: String,
    pub id_number: String,
    pub birth_date: NaiveDate,
    pub household_id: i64,
    pub division_code: DivisionCode,
    pub division_name: String,
    pub address: String,
    pub area: String,
    pub category_code: String,
    pub category_name: String,
    pub basis: String,
    pub grade: Option<i64>,
    pub cause: Option<String>,
    pub service_years: Option<i64>,
    pub certified_on: NaiveDate,
    pub document_number: String,
    pub certifying_office: String,
    pub status: String,
    pub version: i64,
    pub by_user: String,
    pub at: DateTime<Utc>,
    /// Filled by [`Store::entitlement`] and [`Store::entitlements_for_key`]; empty in lists.
    pub history: Vec<StatusEvent>,
}

/// How the register is cut: every field narrows, `None` does not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntitlementFilter {
    /// The actor's jurisdiction (`None` only for the console).
    pub jurisdiction: Option<DivisionCode>,
    pub division: Option<DivisionCode>,
    pub category: Option<String>,
    pub status: Option<String>,
    /// Lower-cased text the name contains.
    pub name_like: Option<String>,
    /// Pinyin initials to look for.
    pub initials: Option<String>,
    /// A whole ID number.
    pub id_number: Option<String>,
    pub person_id: Option<i64>,
}

/// A status change to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStatusEvent {
    pub status: String,
    pub effective_on: NaiveDate,
    pub reason: String,
}

/// A dated standard as stored; grade 0 and cause `''` where the category has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VeteranStandardRow {
    pub category_code: String,
    pub grade: i64,
    pub cause: String,
    pub effective_from: NaiveDate,
    pub amount_fen: i64,
    pub per: String,
    pub citation: String,
    pub by_user: String,
    pub updated_at: DateTime<Utc>,
}

const FROM: &str = "FROM veteran_entitlements e \
     JOIN persons p ON p.id = e.person_id \
     JOIN households h ON h.id = e.household_id \
     JOIN divisions d ON d.code = h.division_code \
     JOIN veteran_categories k ON k.code = e.category_code";

const COLUMNS: &str = "e.id, e.person_id, p.name, p.id_number, p.birth_date, e.household_id, \
     h.division_code, d.name AS division_name, h.address, h.area, e.category_code, \
     k.name AS category_name, k.basis, e.grade, e.cause, e.service_years, e.certified_on, \
     e.document_number, e.certifying_office, e.status, e.version, e.by_user, e.at";

fn read(row: &AnyRow) -> Result<EntitlementRecord, StoreError> {
    let birth: String = row.try_get("birth_date")?;
    let division: String = row.try_get("division_code")?;
    let certified: String = row.try_get("certified_on")?;
    let at: String = row.try_get("at")?;
    Ok(EntitlementRecord {
        id: row.try_get("id")?,
        person_id: row.try_get("person_id")?,
        name: row.try_get("name")?,
        id_number: row.try_get("id_number")?,
        birth_date: date(&birth)?,
        household_id: row.try_get("household_id")?,
        division_code: code(&division)?,
        division_name: row.try_get("division_name")?,
        address: row.try_get("address")?,
        area: row.try_get("area")?,
        category_code: row.try_get("category_code")?,
        category_name: row.try_get("category_name")?,
        basis: row.try_get("basis")?,
        grade: row.try_get("grade")?,
        cause: row.try_get("cause")?,
        service_years: row.try_get("service_years")?,
        certified_on: date(&certified)?,
        document_number: row.try_get("document_number")?,
        certifying_office: row.try_get("certifying_office")?,
        status: row.try_get("status")?,
        version: row.try_get("version")?,
        by_user: row.try_get("by_user")?,
        at: parse_timestamp(&at)?,
        history: Vec::new(),
    })
}

fn read_event(row: &AnyRow) -> Result<(i64, StatusEvent), StoreError> {
    let on: String = row.try_get("effective_on")?;
    let at: String = row.try_get("at")?;
    Ok((
        row.try_get("entitlement_id")?,
        StatusEvent {
            seq: row.try_get("seq")?,
            status: row.try_get("status")?,
            effective_on: date(&on)?,
            reason: row.try_get("reason")?,
            by_user: row.try_get("by_user")?,
            at: parse_timestamp(&at)?,
        },
    ))
}

fn filter_where(filter: &EntitlementFilter) -> (String, Vec<String>) {
    let mut clauses: Vec<String> = Vec::new();
    let mut binds: Vec<String> = Vec::new();
    let mut bind = |value: String| {
        binds.push(value);
        format!("${}", binds.len())
    };
    for root in [&filter.jurisdiction, &filter.division]
        .into_iter()
        .flatten()
    {
        // Codes are digits only, so the prefix holds no LIKE wildcard.
        let p = bind(format!("{}%", subtree_prefix(root)));
        clauses.push(format!("h.division_code LIKE {p}"));
    }
    if let Some(c) = &filter.category {
        let p = bind(c.clone());
        clauses.push(format!("e.category_code = {p}"));
    }
    if let Some(s) = &filter.status {
        let p = bind(s.clone());
        clauses.push(format!("e.status = {p}"));
    }
    if let Some(id) = filter.person_id {
        // A number, not text: bound as text would not compare on PostgreSQL.
        clauses.push(format!("e.person_id = {id}"));
    }
    let mut search = Vec::new();
    if let Some(text) = &filter.name_like {
        let p = bind(format!("%{}%", like_escape(text)));
        search.push(format!("LOWER(p.name) LIKE {p} ESCAPE '\\'"));
    }
    if let Some(initials) = &filter.initials {
        let p = bind(format!("%{}%", like_escape(initials)));
        search.push(format!("p.name_initials LIKE {p} ESCAPE '\\'"));
    }
    if let Some(id) = &filter.id_number {
        let p = bind(id.clone());
        search.push(format!("p.id_number = {p}"));
    }
    if !search.is_empty() {
        clauses.push(format!("({})", search.join(" OR ")));
    }
    let where_sql = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    (where_sql, binds)
}

impl Store {
    /// The category list in its order.
    pub async fn veteran_categories(&self) -> Result<Vec<CategoryRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT code, name, basis, position FROM veteran_categories ORDER BY position, code",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(CategoryRow {
                    code: r.try_get("code")?,
                    name: r.try_get("name")?,
                    basis: r.try_get("basis")?,
                    position: r.try_get("position")?,
                })
            })
            .collect()
    }

    /// Adds `categories` to the list with one audit entry; a code already listed is a
    /// conflict naming [`CATEGORY_CODE`] (nothing written).
    pub async fn insert_veteran_categories(
        &self,
        categories: &[CategoryRow],
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        for category in categories {
            sqlx::query(
                "INSERT INTO veteran_categories (code, name, basis, position) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(&category.code)
            .bind(&category.name)
            .bind(&category.basis)
            .bind(category.position)
            .execute(&mut *tx)
            .await
            .map_err(|e| named(e.into()))?;
        }
        audit::append(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether a death is on record for `id_number`.
    pub async fn recorded_dead(&self, id_number: &str) -> Result<bool, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM death_records WHERE id_number = $1")
            .bind(id_number)
            .fetch_one(&self.pool)
            .await?;
        Ok(n > 0)
    }

    /// The registry household a person with `id_number` belongs to, and its division: the
    /// household of an entitlement they already hold, else the one they are a current member
    /// of.
    pub async fn household_of_person(
        &self,
        id_number: &str,
    ) -> Result<Option<(i64, DivisionCode)>, StoreError> {
        let row: Option<(i64, String)> = sqlx::query_as(
            "SELECT h.id, h.division_code FROM households h WHERE h.id = COALESCE( \
               (SELECT MIN(e.household_id) FROM veteran_entitlements e \
                JOIN persons p ON p.id = e.person_id WHERE p.id_number = $1), \
               (SELECT MIN(m.household_id) FROM members m \
                JOIN persons p ON p.id = m.person_id \
                WHERE p.id_number = $1 AND m.left_on IS NULL))",
        )
        .bind(id_number)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some((id, division)) => Ok(Some((id, code(&division)?))),
            None => Ok(None),
        }
    }

    /// Registers `new`: the person (found by ID number or added), the household if new, the
    /// entitlement and its first status row ('active' from the certification date), and
    /// `audit` (object `entitlement:{id}` when empty), in one transaction. A category the
    /// person already holds is a conflict naming [`ENTITLEMENT_ONCE`].
    pub async fn insert_entitlement(
        &self,
        new: &NewEntitlement,
        by_user: &str,
        audit: &AuditEntry,
    ) -> Result<i64, StoreError> {
        let at = timestamp(audit.at);
        let mut tx = self.write().await?;
        let person = person_id(&mut tx, &new.person, &at).await?;
        combinations::lock_for_registration(&mut tx, self.backend, person).await?;
        let household = match &new.household {
            HouseholdChoice::Existing(id) => *id,
            HouseholdChoice::New {
                division_code,
                address,
                area,
            } => {
                sqlx::query_scalar(
                    "INSERT INTO households (division_code, address, area, created_at) \
                     VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(division_code.as_str())
                .bind(address)
                .bind(area.as_str())
                .bind(&at)
                .fetch_one(&mut *tx)
                .await?
            }
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO veteran_entitlements (person_id, household_id, category_code, grade, \
             cause, service_years, certified_on, document_number, certifying_office, status, \
             version, by_user, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', 1, $10, $11) RETURNING id",
        )
        .bind(person)
        .bind(household)
        .bind(&new.category_code)
        .bind(new.grade)
        .bind(new.cause.clone())
        .bind(new.service_years)
        .bind(date_text(new.certified_on))
        .bind(&new.document_number)
        .bind(&new.certifying_office)
        .bind(by_user)
        .bind(&at)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| named(e.into()))?;
        combinations::exclusion_clash(&mut tx, person, id, &new.category_code).await?;
        sqlx::query(
            "INSERT INTO veteran_status_events (entitlement_id, seq, status, effective_on, \
             reason, by_user, at) VALUES ($1, 1, 'active', $2, '', $3, $4)",
        )
        .bind(id)
        .bind(date_text(new.certified_on))
        .bind(by_user)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        let mut entry = audit.clone();
        if entry.object.is_empty() {
            entry.object = format!("entitlement:{id}");
        }
        audit::append(&mut tx, self.backend, &entry).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// One entitlement with its status history.
    pub async fn entitlement(&self, id: i64) -> Result<EntitlementRecord, StoreError> {
        let row = sqlx::query(dynamic(format!("SELECT {COLUMNS} {FROM} WHERE e.id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut record = read(&row)?;
        let events = sqlx::query(
            "SELECT entitlement_id, seq, status, effective_on, reason, by_user, at \
             FROM veteran_status_events WHERE entitlement_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        for e in &events {
            record.history.push(read_event(e)?.1);
        }
        Ok(record)
    }

    /// One page of the register matching `filter`, by name in pinyin, and how many match
    /// in all; the page is clamped to the last existing one. Returns (rows, total, page).
    pub async fn entitlements_page(
        &self,
        filter: &EntitlementFilter,
        page: i64,
        per_page: i64,
    ) -> Result<(Vec<EntitlementRecord>, i64, i64), StoreError> {
        let (where_sql, binds) = filter_where(filter);
        let mut count = sqlx::query_scalar(dynamic(format!("SELECT COUNT(*) {FROM} {where_sql}")));
        for b in &binds {
            count = count.bind(b.clone());
        }
        let total: i64 = count.fetch_one(&self.pool).await?;
        let per_page = per_page.clamp(1, MAX_PAGE_ROWS);
        let pages = ((total + per_page - 1) / per_page).max(1);
        let page = page.clamp(1, pages);
        let sql = format!(
            "SELECT {COLUMNS} {FROM} {where_sql} \
             ORDER BY p.name_pinyin, p.name, e.id LIMIT {per_page} OFFSET {}",
            (page - 1) * per_page
        );
        let mut list = sqlx::query(dynamic(sql));
        for b in &binds {
            list = list.bind(b.clone());
        }
        let rows = list
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(read)
            .collect::<Result<Vec<_>, _>>()?;
        Ok((rows, total, page))
    }

    /// Every entitlement of a category (and grade and cause, when given; `None` for any),
    /// with its history: what a standard's change affects.
    pub async fn entitlements_for_key(
        &self,
        category: &str,
        grade: Option<i64>,
        cause: Option<&str>,
    ) -> Result<Vec<EntitlementRecord>, StoreError> {
        let mut sql = format!("SELECT {COLUMNS} {FROM} WHERE e.category_code = $1");
        if grade.is_some() {
            sql.push_str(" AND e.grade = $2 AND e.cause = $3");
        }
        sql.push_str(" ORDER BY e.id");
        let mut q = sqlx::query(dynamic(sql)).bind(category.to_owned());
        if let Some(g) = grade {
            q = q.bind(g).bind(cause.unwrap_or_default().to_owned());
        }
        let mut records = q
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(read)
            .collect::<Result<Vec<_>, _>>()?;
        let events = sqlx::query(
            "SELECT s.entitlement_id, s.seq, s.status, s.effective_on, s.reason, s.by_user, \
             s.at FROM veteran_status_events s \
             JOIN veteran_entitlements e ON e.id = s.entitlement_id \
             WHERE e.category_code = $1 ORDER BY s.entitlement_id, s.seq",
        )
        .bind(category)
        .fetch_all(&self.pool)
        .await?;
        let mut by_id: std::collections::HashMap<i64, Vec<StatusEvent>> =
            std::collections::HashMap::new();
        for e in &events {
            let (id, event) = read_event(e)?;
            by_id.entry(id).or_default().push(event);
        }
        for r in &mut records {
            r.history = by_id.remove(&r.id).unwrap_or_default();
        }
        Ok(records)
    }

    /// Appends `event` to entitlement `id`'s history if its version is still
    /// `expected_version`, sets its status and bumps the version, with `audit`, in one
    /// transaction. A stale version is a conflict with constraint `version`.
    pub async fn append_status_event(
        &self,
        id: i64,
        expected_version: i64,
        event: &NewStatusEvent,
        audit: &AuditEntry,
    ) -> Result<i64, StoreError> {
        let at = timestamp(audit.at);
        let mut tx = self.write().await?;
        let updated = sqlx::query(
            "UPDATE veteran_entitlements SET status = $1, version = version + 1 \
             WHERE id = $2 AND version = $3",
        )
        .bind(&event.status)
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated != 1 {
            return Err(StoreError::Conflict {
                what: format!("entitlement {id} changed since version {expected_version}"),
                constraint: Some("version".into()),
            });
        }
        let seq: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM veteran_status_events WHERE entitlement_id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO veteran_status_events (entitlement_id, seq, status, effective_on, \
             reason, by_user, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(seq)
        .bind(&event.status)
        .bind(date_text(event.effective_on))
        .bind(&event.reason)
        .bind(&audit.actor)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        audit::append(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(expected_version + 1)
    }

    /// Every dated standard, by key and date.
    pub async fn veteran_standards(&self) -> Result<Vec<VeteranStandardRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT category_code, grade, cause, effective_from, amount_fen, per, citation, \
             by_user, updated_at FROM veteran_standards \
             ORDER BY category_code, grade, cause, effective_from",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let from: String = r.try_get("effective_from")?;
                let at: String = r.try_get("updated_at")?;
                Ok(VeteranStandardRow {
                    category_code: r.try_get("category_code")?,
                    grade: r.try_get("grade")?,
                    cause: r.try_get("cause")?,
                    effective_from: date(&from)?,
                    amount_fen: r.try_get("amount_fen")?,
                    per: r.try_get("per")?,
                    citation: r.try_get("citation")?,
                    by_user: r.try_get("by_user")?,
                    updated_at: parse_timestamp(&at)?,
                })
            })
            .collect()
    }

    /// Sets the standard of a key from a date (a new row, or the amount of the row of that
    /// key and date corrected), with `audit` carrying the amount before; returns the amount
    /// before, if the row existed.
    pub async fn set_veteran_standard(
        &self,
        row: &VeteranStandardRow,
        audit: &AuditEntry,
    ) -> Result<Option<i64>, StoreError> {
        let mut tx = self.write().await?;
        let from = date_text(row.effective_from);
        let before: Option<i64> = sqlx::query_scalar(
            "SELECT amount_fen FROM veteran_standards WHERE category_code = $1 AND grade = $2 \
             AND cause = $3 AND effective_from = $4",
        )
        .bind(&row.category_code)
        .bind(row.grade)
        .bind(&row.cause)
        .bind(&from)
        .fetch_optional(&mut *tx)
        .await?;
        let at = timestamp(row.updated_at);
        if before.is_some() {
            sqlx::query(
                "UPDATE veteran_standards SET amount_fen = $1, per = $2, citation = $3, \
                 by_user = $4, updated_at = $5 WHERE category_code = $6 AND grade = $7 \
                 AND cause = $8 AND effective_from = $9",
            )
            .bind(row.amount_fen)
            .bind(&row.per)
            .bind(&row.citation)
            .bind(&row.by_user)
            .bind(&at)
            .bind(&row.category_code)
            .bind(row.grade)
            .bind(&row.cause)
            .bind(&from)
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query(
                "INSERT INTO veteran_standards (category_code, grade, cause, effective_from, \
                 amount_fen, per, citation, by_user, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(&row.category_code)
            .bind(row.grade)
            .bind(&row.cause)
            .bind(&from)
            .bind(row.amount_fen)
            .bind(&row.per)
            .bind(&row.citation)
            .bind(&row.by_user)
            .bind(&at)
            .execute(&mut *tx)
            .await
            .map_err(|e| named(e.into()))?;
        }
        let mut entry = audit.clone();
        entry.detail = format!(
            "{} before={}",
            entry.detail,
            before.map_or_else(|| "-".to_owned(), |b| domain::Fen::from_fen(b).yuan())
        );
        audit::append(&mut tx, self.backend, &entry).await?;
        tx.commit().await?;
        Ok(before)
    }

    /// Creates an intake batch; a name in use is a conflict naming [`BATCH_NAME`].
    pub async fn insert_reception_batch(
        &self,
        batch: &BatchRecord,
        audit: &AuditEntry,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO reception_batches (name, discharged_on, report_by, by_user, at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(&batch.name)
        .bind(date_text(batch.discharged_on))
        .bind(date_text(batch.report_by))
        .bind(&audit.actor)
        .bind(timestamp(audit.at))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| named(e.into()))?;
        let mut entry = audit.clone();
        entry.object = format!("reception_batch:{id}");
        audit::append(&mut tx, self.backend, &entry).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every intake batch, newest first.
    pub async fn reception_batches(&self) -> Result<Vec<BatchRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, discharged_on, report_by FROM reception_batches \
             ORDER BY discharged_on DESC, id DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let discharged: String = r.try_get("discharged_on")?;
                let by: String = r.try_get("report_by")?;
                Ok(BatchRecord {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    discharged_on: date(&discharged)?,
                    report_by: date(&by)?,
                })
            })
            .collect()
    }

    /// Records a reception (the person found by ID number or added); a person received
    /// before is a conflict naming [`RECEIVED_ONCE`].
    pub async fn insert_reception(
        &self,
        new: &NewReception,
        audit: &AuditEntry,
    ) -> Result<i64, StoreError> {
        let at = timestamp(audit.at);
        let mut tx = self.write().await?;
        let person = person_id(&mut tx, &new.person, &at).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO receptions (batch_id, person_id, division_code, placement, training, \
             reported_on, late_reason, by_user, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(new.batch_id)
        .bind(person)
        .bind(new.division_code.as_str())
        .bind(&new.placement)
        .bind(&new.training)
        .bind(date_text(new.reported_on))
        .bind(new.late_reason.clone())
        .bind(&audit.actor)
        .bind(&at)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| named(e.into()))?;
        let mut entry = audit.clone();
        entry.object = format!("reception:{id}");
        audit::append(&mut tx, self.backend, &entry).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The receptions of a batch within `jurisdiction` (`None`: all), by name.
    pub async fn receptions(
        &self,
        batch_id: i64,
        jurisdiction: Option<&DivisionCode>,
    ) -> Result<Vec<ReceptionRecord>, StoreError> {
        let prefix =
            jurisdiction.map_or_else(|| "%".to_owned(), |j| format!("{}%", subtree_prefix(j)));
        let rows = sqlx::query(
            "SELECT r.id, r.batch_id, p.name, p.id_number, r.division_code, \
             d.name AS division_name, r.placement, r.training, r.reported_on, r.late_reason \
             FROM receptions r JOIN persons p ON p.id = r.person_id \
             JOIN divisions d ON d.code = r.division_code \
             WHERE r.batch_id = $1 AND r.division_code LIKE $2 \
             ORDER BY p.name_pinyin, p.name, r.id",
        )
        .bind(batch_id)
        .bind(prefix)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let division: String = r.try_get("division_code")?;
                let on: String = r.try_get("reported_on")?;
                Ok(ReceptionRecord {
                    id: r.try_get("id")?,
                    batch_id: r.try_get("batch_id")?,
                    name: r.try_get("name")?,
                    id_number: r.try_get("id_number")?,
                    division_code: code(&division)?,
                    division_name: r.try_get("division_name")?,
                    placement: r.try_get("placement")?,
                    training: r.try_get("training")?,
                    reported_on: date(&on)?,
                    late_reason: r.try_get("late_reason")?,
                })
            })
            .collect()
    }

    /// Records a hardship grant.
    pub async fn insert_hardship_grant(
        &self,
        grant: &NewHardshipGrant,
        audit: &AuditEntry,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO hardship_grants (entitlement_id, division_code, kind, amount_fen, \
             reason, approved_on, by_user, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(grant.entitlement_id)
        .bind(grant.division_code.as_str())
        .bind(&grant.kind)
        .bind(grant.amount_fen)
        .bind(&grant.reason)
        .bind(date_text(grant.approved_on))
        .bind(&audit.actor)
        .bind(timestamp(audit.at))
        .fetch_one(&mut *tx)
        .await?;
        let mut entry = audit.clone();
        entry.object = format!("hardship_grant:{id}");
        audit::append(&mut tx, self.backend, &entry).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The hardship grants within `jurisdiction` (`None`: all) approved in `year`, newest
    /// first, with the holder's name.
    pub async fn hardship_grants(
        &self,
        jurisdiction: Option<&DivisionCode>,
        year: i32,
    ) -> Result<Vec<HardshipGrantRecord>, StoreError> {
        let prefix =
            jurisdiction.map_or_else(|| "%".to_owned(), |j| format!("{}%", subtree_prefix(j)));
        let rows = sqlx::query(
            "SELECT g.id, g.entitlement_id, p.name, g.division_code, d.name AS division_name, \
             g.kind, g.amount_fen, g.reason, g.approved_on, g.by_user \
             FROM hardship_grants g JOIN veteran_entitlements e ON e.id = g.entitlement_id \
             JOIN persons p ON p.id = e.person_id JOIN divisions d ON d.code = g.division_code \
             WHERE g.division_code LIKE $1 AND substr(g.approved_on, 1, 4) = $2 \
             ORDER BY g.approved_on DESC, g.id DESC",
        )
        .bind(prefix)
        .bind(format!("{year:04}"))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let division: String = r.try_get("division_code")?;
                let on: String = r.try_get("approved_on")?;
                Ok(HardshipGrantRecord {
                    id: r.try_get("id")?,
                    entitlement_id: r.try_get("entitlement_id")?,
                    name: r.try_get("name")?,
                    division_code: code(&division)?,
                    division_name: r.try_get("division_name")?,
                    kind: r.try_get("kind")?,
                    amount_fen: r.try_get("amount_fen")?,
                    reason: r.try_get("reason")?,
                    approved_on: date(&on)?,
                    by_user: r.try_get("by_user")?,
                })
            })
            .collect()
    }
}

/// An intake batch of discharged soldiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRecord {
    /// 0 for a batch not yet stored.
    pub id: i64,
    pub name: String,
    pub discharged_on: NaiveDate,
    /// The report-in deadline.
    pub report_by: NaiveDate,
}

/// A reception to record, checked by `service`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReception {
    pub batch_id: i64,
    pub person: NewPerson,
    pub division_code: DivisionCode,
    pub placement: String,
    pub training: String,
    pub reported_on: NaiveDate,
    pub late_reason: Option<String>,
}

/// A reception as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceptionRecord {
    pub id: i64,
    pub batch_id: i64,
    pub name: String,
    pub id_number: String,
    pub division_code: DivisionCode,
    pub division_name: String,
    pub placement: String,
    pub training: String,
    pub reported_on: NaiveDate,
    pub late_reason: Option<String>,
}

/// A hardship grant to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHardshipGrant {
    pub entitlement_id: i64,
    pub division_code: DivisionCode,
    pub kind: String,
    pub amount_fen: i64,
    pub reason: String,
    pub approved_on: NaiveDate,
}

/// A hardship grant as stored, with the holder's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HardshipGrantRecord {
    pub id: i64,
    pub entitlement_id: i64,
    pub name: String,
    pub division_code: DivisionCode,
    pub division_name: String,
    pub kind: String,
    pub amount_fen: i64,
    pub reason: String,
    pub approved_on: NaiveDate,
    pub by_user: String,
}
