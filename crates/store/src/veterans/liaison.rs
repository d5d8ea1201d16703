//! Leader–veteran liaison pairings (联系户, migration 0017): append-only rows chained by
//! `replaces_id`, one chain per household. Checks and permissions live in
//! `service::veterans::liaison`; the unique indexes make a second first pairing or a fork
//! of the chain a conflict, even between two clerks at once.

use chrono::{DateTime, NaiveDate, Utc};
use domain::DivisionCode;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::assistance::{code, date, date_text, like_escape, opt_date};
use crate::audit::{self, AuditEntry};
use crate::divisions::subtree_prefix;
use crate::{MAX_PAGE_ROWS, Store, StoreError, dynamic, parse_timestamp, timestamp};

/// The index that gives a household one first pairing.
pub const PAIRING_FIRST: &str = "liaison_pairings_first";
/// The index that lets a pairing be replaced once.
pub const PAIRING_REPLACED_ONCE: &str = "liaison_pairings_replaced_once";

fn named(e: StoreError) -> StoreError {
    match e {
        StoreError::Conflict { what, constraint } => {
            let constraint = constraint.map(|c| match c.as_str() {
                "liaison_pairings.household_id" => PAIRING_FIRST.to_owned(),
                "liaison_pairings.replaces_id" => PAIRING_REPLACED_ONCE.to_owned(),
                _ => c,
            });
            StoreError::Conflict { what, constraint }
        }
        other => other,
    }
}

/// A pairing to record, checked by `service`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPairing {
    pub household_id: i64,
    pub entitlement_id: i64,
    pub division_code: DivisionCode,
    pub leader_name: String,
    pub leader_post: String,
    pub leader_unit: String,
    pub starts_on: NaiveDate,
    /// `domain::veterans::liaison::PairingReason` code.
    pub reason: String,
    pub note: String,
    /// The pairing this one replaces (`None` for the household's first).
    pub replaces_id: Option<i64>,
}

/// A pairing as stored, with the person it pairs and the day it ended (the day its
/// successor started).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairingRecord {
    pub id: i64,
    pub household_id: i64,
    pub entitlement_id: i64,
    pub name: String,
    pub id_number: String,
    pub category_name: String,
    pub entitlement_status: String,
    pub division_code: DivisionCode,
    pub division_name: String,
    pub leader_name: String,
    pub leader_post: String,
    pub leader_unit: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub reason: String,
    pub note: String,
    pub replaces_id: Option<i64>,
    pub by_user: String,
    pub at: DateTime<Utc>,
}

/// How the list of current pairings is cut: every field narrows, `None` does not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PairingFilter {
    /// The actor's jurisdiction (`None` only for the console).
    pub jurisdiction: Option<DivisionCode>,
    pub division: Option<DivisionCode>,
    /// The entitlement's status.
    pub status: Option<String>,
    /// Lower-cased text the person's or the leader's name contains.
    pub name_like: Option<String>,
    /// Pinyin initials of the person's name.
    pub initials: Option<String>,
    /// A whole ID number.
    pub id_number: Option<String>,
}

const COLUMNS: &str = "l.id, l.household_id, l.entitlement_id, p.name, p.id_number, \
     c.name AS category_name, e.status AS entitlement_status, l.division_code, \
     d.name AS division_name, l.leader_name, l.leader_post, l.leader_unit, l.starts_on, \
     (SELECT n.starts_on FROM liaison_pairings n WHERE n.replaces_id = l.id) AS ends_on, \
     l.reason, l.note, l.replaces_id, l.by_user, l.at";
const FROM: &str = "FROM liaison_pairings l \
     JOIN veteran_entitlements e ON e.id = l.entitlement_id \
     JOIN persons p ON p.id = e.person_id \
     JOIN veteran_categories c ON c.code = e.category_code \
     JOIN divisions d ON d.code = l.division_code";

fn read(r: &AnyRow) -> Result<PairingRecord, StoreError> {
    let division: String = r.try_get("division_code")?;
    let starts: String = r.try_get("starts_on")?;
    let at: String = r.try_get("at")?;
    Ok(PairingRecord {
        id: r.try_get("id")?,
        household_id: r.try_get("household_id")?,
        entitlement_id: r.try_get("entitlement_id")?,
        name: r.try_get("name")?,
        id_number: r.try_get("id_number")?,
        category_name: r.try_get("category_name")?,
        entitlement_status: r.try_get("entitlement_status")?,
        division_code: code(&division)?,
        division_name: r.try_get("division_name")?,
        leader_name: r.try_get("leader_name")?,
        leader_post: r.try_get("leader_post")?,
        leader_unit: r.try_get("leader_unit")?,
        starts_on: date(&starts)?,
        ends_on: opt_date(r.try_get("ends_on")?)?,
        reason: r.try_get("reason")?,
        note: r.try_get("note")?,
        replaces_id: r.try_get("replaces_id")?,
        by_user: r.try_get("by_user")?,
        at: parse_timestamp(&at)?,
    })
}

fn filter_where(filter: &PairingFilter) -> (String, Vec<String>) {
    // Only the pairing in force: one no later row replaces.
    let mut clauses: Vec<String> =
        vec!["NOT EXISTS (SELECT 1 FROM liaison_pairings n WHERE n.replaces_id = l.id)".to_owned()];
    let mut binds: Vec<String> = Vec::new();
    let mut bind = |value: String| {
        binds.push(value);
        format!("${}", binds.len())
    };
    for root in [&filter.jurisdiction, &filter.division]
        .into_iter()
        .flatten()
    {
        let p = bind(format!("{}%", subtree_prefix(root)));
        clauses.push(format!("l.division_code LIKE {p}"));
    }
    if let Some(s) = &filter.status {
        let p = bind(s.clone());
        clauses.push(format!("e.status = {p}"));
    }
    let mut search = Vec::new();
    if let Some(text) = &filter.name_like {
        let p = bind(format!("%{}%", like_escape(text)));
        search.push(format!(
            "LOWER(p.name) LIKE {p} ESCAPE '\\' OR LOWER(l.leader_name) LIKE {p} ESCAPE '\\'"
        ));
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
    (format!("WHERE {}", clauses.join(" AND ")), binds)
}

impl Store {
    /// Records a pairing with `audit` (object `liaison_pairing:{id}`) in one transaction.
    /// A second first pairing of a household is a conflict naming [`PAIRING_FIRST`], a
    /// pairing replaced already one naming [`PAIRING_REPLACED_ONCE`].
    pub async fn insert_pairing(
        &self,
        new: &NewPairing,
        audit: &AuditEntry,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO liaison_pairings (household_id, entitlement_id, division_code, \
             leader_name, leader_post, leader_unit, starts_on, reason, note, replaces_id, \
             by_user, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             RETURNING id",
        )
        .bind(new.household_id)
        .bind(new.entitlement_id)
        .bind(new.division_code.as_str())
        .bind(&new.leader_name)
        .bind(&new.leader_post)
        .bind(&new.leader_unit)
        .bind(date_text(new.starts_on))
        .bind(&new.reason)
        .bind(&new.note)
        .bind(new.replaces_id)
        .bind(&audit.actor)
        .bind(timestamp(audit.at))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| named(e.into()))?;
        let mut entry = audit.clone();
        entry.object = format!("liaison_pairing:{id}");
        audit::append(&mut tx, self.backend, &entry).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// One pairing.
    pub async fn pairing(&self, id: i64) -> Result<PairingRecord, StoreError> {
        let row = sqlx::query(dynamic(format!("SELECT {COLUMNS} {FROM} WHERE l.id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        read(&row)
    }

    /// The pairing in force for a household, if any.
    pub async fn current_pairing(
        &self,
        household_id: i64,
    ) -> Result<Option<PairingRecord>, StoreError> {
        let row = sqlx::query(dynamic(format!(
            "SELECT {COLUMNS} {FROM} WHERE l.household_id = $1 AND NOT EXISTS \
             (SELECT 1 FROM liaison_pairings n WHERE n.replaces_id = l.id)"
        )))
        .bind(household_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(read).transpose()
    }

    /// Every pairing a household has had, oldest first: its liaison history.
    pub async fn household_pairings(
        &self,
        household_id: i64,
    ) -> Result<Vec<PairingRecord>, StoreError> {
        sqlx::query(dynamic(format!(
            "SELECT {COLUMNS} {FROM} WHERE l.household_id = $1 ORDER BY l.id"
        )))
        .bind(household_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(read)
        .collect()
    }

    /// One page of the pairings in force matching `filter`, by the person's name in pinyin,
    /// and how many match in all; the page is clamped to the last one. Returns (rows,
    /// total, page).
    pub async fn pairings_page(
        &self,
        filter: &PairingFilter,
        page: i64,
        per_page: i64,
    ) -> Result<(Vec<PairingRecord>, i64, i64), StoreError> {
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
             ORDER BY p.name_pinyin, p.name, l.id LIMIT {per_page} OFFSET {}",
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
}
