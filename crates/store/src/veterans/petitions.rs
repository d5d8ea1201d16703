//! Petition cases (信访, migration 0017): the configurable risk levels, the cases, and their
//! append-only numbered follow-ups, from which a case's state is derived in SQL (closed when
//! a close exists, the risk of the latest screening, the next visit of the latest
//! follow-up, worked out from the case's risk level as it is now when that follow-up left
//! it to the level's interval: migration 0019). The section's edits of the levels are here
//! too. Checks and permissions live in `service::veterans::petitions`.

use chrono::{DateTime, NaiveDate, Utc};
use domain::DivisionCode;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::assistance::{code, date, date_text, like_escape, opt_date};
use crate::audit::{self, AuditEntry};
use crate::divisions::subtree_prefix;
use crate::{Backend, MAX_PAGE_ROWS, Store, StoreError, dynamic, parse_timestamp, timestamp};

/// The index that closes a case once.
pub const CLOSED_ONCE: &str = "petition_followups_closed_once";
/// The index that numbers follow-ups once per case.
pub const FOLLOWUP_SEQ: &str = "petition_followups_seq";

fn named(e: StoreError) -> StoreError {
    match e {
        StoreError::Conflict { what, constraint } => {
            let constraint = constraint.map(|c| match c.as_str() {
                "petition_followups.case_id" => CLOSED_ONCE.to_owned(),
                "petition_followups.case_id, petition_followups.seq" => FOLLOWUP_SEQ.to_owned(),
                _ => c,
            });
            StoreError::Conflict { what, constraint }
        }
        other => other,
    }
}

/// A risk level of the configurable list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskLevelRow {
    pub code: String,
    pub name: String,
    /// Days between visits at this level.
    pub visit_days: i64,
    pub position: i64,
}

/// How much a risk level is used: the open cases at it now (in a jurisdiction) and every
/// case any screening ever put at it (the whole district: what keeps it from removal).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RiskLevelUse {
    pub open: i64,
    pub cases: i64,
}

/// A case to open, checked by `service`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPetitionCase {
    pub entitlement_id: Option<i64>,
    pub petitioner: String,
    pub division_code: DivisionCode,
    pub subject: String,
    pub opened_on: NaiveDate,
}

/// A follow-up to append, checked by `service`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFollowup {
    /// `domain::veterans::petitions::FollowupKind` code.
    pub kind: String,
    pub on_date: NaiveDate,
    pub risk_code: Option<String>,
    pub who: String,
    pub what: String,
    pub next_due: Option<NaiveDate>,
    /// The next visit is the risk level's interval after `on_date` (it follows the level
    /// when the section changes the interval), not a date given.
    pub by_interval: bool,
}

/// A follow-up as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowupRecord {
    pub id: i64,
    pub seq: i64,
    pub kind: String,
    pub on_date: NaiveDate,
    pub risk_code: Option<String>,
    pub who: String,
    pub what: String,
    pub next_due: Option<NaiveDate>,
    pub by_user: String,
    pub at: DateTime<Utc>,
}

/// A case with its derived state; `followups` filled by [`Store::petition_case`] only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PetitionRecord {
    pub id: i64,
    pub entitlement_id: Option<i64>,
    pub petitioner: String,
    /// The entitlement holder's ID number (`None` for a veteran not on the register); in
    /// full from the store, masked by `service` before anyone sees it.
    pub id_number: Option<String>,
    pub division_code: DivisionCode,
    pub division_name: String,
    pub subject: String,
    pub opened_on: NaiveDate,
    pub closed: bool,
    /// The latest screening's level.
    pub risk_code: String,
    pub risk_name: String,
    /// The latest follow-up's next visit; `None` once closed.
    pub next_due: Option<NaiveDate>,
    /// The number of the latest follow-up (for a stale form).
    pub last_seq: i64,
    pub by_user: String,
    pub at: DateTime<Utc>,
    pub followups: Vec<FollowupRecord>,
}

/// How the case list is cut: every field narrows, `None` does not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PetitionFilter {
    pub jurisdiction: Option<DivisionCode>,
    pub division: Option<DivisionCode>,
    /// `Some(false)` open cases, `Some(true)` closed ones.
    pub closed: Option<bool>,
    /// Next visit on or after this day.
    pub due_from: Option<NaiveDate>,
    /// Next visit on or before this day.
    pub due_to: Option<NaiveDate>,
    pub risk: Option<String>,
    /// Lower-cased text the petitioner's name or the subject contains.
    pub text_like: Option<String>,
}

/// The case columns with the derived state, as a subquery `x` to filter on. The next visit
/// is the latest follow-up's: the date given, or the interval of the case's risk level now
/// after it (date arithmetic is the engine's own).
fn cases(backend: Backend) -> String {
    let by_interval = match backend {
        Backend::Sqlite => "date(f.on_date, '+' || r.visit_days || ' days')",
        Backend::Postgres => "to_char(f.on_date::date + r.visit_days::integer, 'YYYY-MM-DD')",
    };
    format!(
        "SELECT c.id, c.entitlement_id, c.petitioner, c.division_code, \
         d.name AS division_name, c.subject, c.opened_on, c.by_user, c.at, \
         (SELECT p.id_number FROM veteran_entitlements e JOIN persons p ON p.id = e.person_id \
             WHERE e.id = c.entitlement_id) AS id_number, \
         CASE WHEN EXISTS (SELECT 1 FROM petition_followups f WHERE f.case_id = c.id \
             AND f.kind = 'close') THEN 1 ELSE 0 END AS closed, \
         (SELECT f.risk_code FROM petition_followups f WHERE f.case_id = c.id \
             AND f.kind = 'screening' ORDER BY f.seq DESC LIMIT 1) AS risk_code, \
         (SELECT CASE WHEN f.by_interval = 1 AND r.visit_days IS NOT NULL \
                 THEN {by_interval} ELSE f.next_due END \
             FROM petition_followups f LEFT JOIN petition_risk_levels r ON r.code = \
                 (SELECT s.risk_code FROM petition_followups s WHERE s.case_id = c.id \
                     AND s.kind = 'screening' ORDER BY s.seq DESC LIMIT 1) \
             WHERE f.case_id = c.id ORDER BY f.seq DESC LIMIT 1) AS next_due, \
         (SELECT MAX(f.seq) FROM petition_followups f WHERE f.case_id = c.id) AS last_seq \
         FROM petition_cases c JOIN divisions d ON d.code = c.division_code"
    )
}

fn read_case(r: &AnyRow) -> Result<PetitionRecord, StoreError> {
    let division: String = r.try_get("division_code")?;
    let opened: String = r.try_get("opened_on")?;
    let at: String = r.try_get("at")?;
    let closed: i64 = r.try_get("closed")?;
    let risk_name: Option<String> = r.try_get("risk_name")?;
    let risk_code: Option<String> = r.try_get("risk_code")?;
    Ok(PetitionRecord {
        id: r.try_get("id")?,
        entitlement_id: r.try_get("entitlement_id")?,
        petitioner: r.try_get("petitioner")?,
        id_number: r.try_get("id_number")?,
        division_code: code(&division)?,
        division_name: r.try_get("division_name")?,
        subject: r.try_get("subject")?,
        opened_on: date(&opened)?,
        closed: closed == 1,
        risk_code: risk_code.unwrap_or_default(),
        risk_name: risk_name.unwrap_or_default(),
        next_due: opt_date(r.try_get("next_due")?)?,
        last_seq: r.try_get::<Option<i64>, _>("last_seq")?.unwrap_or(0),
        by_user: r.try_get("by_user")?,
        at: parse_timestamp(&at)?,
        followups: Vec::new(),
    })
}

fn read_followup(r: &AnyRow) -> Result<FollowupRecord, StoreError> {
    let on: String = r.try_get("on_date")?;
    let at: String = r.try_get("at")?;
    Ok(FollowupRecord {
        id: r.try_get("id")?,
        seq: r.try_get("seq")?,
        kind: r.try_get("kind")?,
        on_date: date(&on)?,
        risk_code: r.try_get("risk_code")?,
        who: r.try_get("who")?,
        what: r.try_get("what")?,
        next_due: opt_date(r.try_get("next_due")?)?,
        by_user: r.try_get("by_user")?,
        at: parse_timestamp(&at)?,
    })
}

fn filter_where(filter: &PetitionFilter) -> (String, Vec<String>) {
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
        let p = bind(format!("{}%", subtree_prefix(root)));
        clauses.push(format!("x.division_code LIKE {p}"));
    }
    if let Some(closed) = filter.closed {
        clauses.push(format!("x.closed = {}", i64::from(closed)));
    }
    if let Some(from) = filter.due_from {
        let p = bind(date_text(from));
        clauses.push(format!("x.next_due >= {p}"));
    }
    if let Some(to) = filter.due_to {
        let p = bind(date_text(to));
        clauses.push(format!("x.next_due <= {p}"));
    }
    if let Some(risk) = &filter.risk {
        let p = bind(risk.clone());
        clauses.push(format!("x.risk_code = {p}"));
    }
    if let Some(text) = &filter.text_like {
        let p = bind(format!("%{}%", like_escape(text)));
        clauses.push(format!(
            "(LOWER(x.petitioner) LIKE {p} ESCAPE '\\' OR LOWER(x.subject) LIKE {p} ESCAPE '\\')"
        ));
    }
    let where_sql = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    (where_sql, binds)
}

impl Store {
    /// The risk levels in their order.
    pub async fn petition_risk_levels(&self) -> Result<Vec<RiskLevelRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT code, name, visit_days, position FROM petition_risk_levels \
             ORDER BY position, code",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RiskLevelRow {
                    code: r.try_get("code")?,
                    name: r.try_get("name")?,
                    visit_days: r.try_get("visit_days")?,
                    position: r.try_get("position")?,
                })
            })
            .collect()
    }

    /// Adds risk levels with one audit entry.
    pub async fn insert_petition_risk_levels(
        &self,
        levels: &[RiskLevelRow],
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        for l in levels {
            sqlx::query(
                "INSERT INTO petition_risk_levels (code, name, visit_days, position) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(&l.code)
            .bind(&l.name)
            .bind(l.visit_days)
            .bind(l.position)
            .execute(&mut *tx)
            .await?;
        }
        audit::append(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// How much each level is used, by code: open cases in `jurisdiction` (everywhere when
    /// `None`) whose risk it is now, and cases anywhere a screening ever put at it.
    pub async fn petition_risk_level_uses(
        &self,
        jurisdiction: Option<&DivisionCode>,
    ) -> Result<std::collections::BTreeMap<String, RiskLevelUse>, StoreError> {
        let mut uses = std::collections::BTreeMap::<String, RiskLevelUse>::new();
        let ever: Vec<(String, i64)> = sqlx::query_as(
            "SELECT risk_code, COUNT(DISTINCT case_id) FROM petition_followups \
             WHERE risk_code IS NOT NULL GROUP BY risk_code",
        )
        .fetch_all(&self.pool)
        .await?;
        for (code, n) in ever {
            uses.entry(code).or_default().cases = n;
        }
        let filter = PetitionFilter {
            jurisdiction: jurisdiction.cloned(),
            closed: Some(false),
            ..PetitionFilter::default()
        };
        let (where_sql, binds) = filter_where(&filter);
        let cases = cases(self.backend);
        let mut open = sqlx::query_as::<_, (Option<String>, i64)>(dynamic(format!(
            "SELECT x.risk_code, COUNT(*) FROM ({cases}) x {where_sql} GROUP BY x.risk_code"
        )));
        for b in &binds {
            open = open.bind(b.clone());
        }
        for (code, n) in open.fetch_all(&self.pool).await? {
            uses.entry(code.unwrap_or_default()).or_default().open = n;
        }
        Ok(uses)
    }

    /// Changes levels' names and intervals (by code), each with its audit entry, in one
    /// transaction.
    pub async fn update_petition_risk_levels(
        &self,
        changes: &[(RiskLevelRow, AuditEntry)],
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        for (l, audit) in changes {
            let n = sqlx::query(
                "UPDATE petition_risk_levels SET name = $1, visit_days = $2 WHERE code = $3",
            )
            .bind(&l.name)
            .bind(l.visit_days)
            .bind(&l.code)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            audit::append(&mut tx, self.backend, audit).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Removes level `code` with `audit` unless a case uses it: returns how many cases a
    /// screening put at it, and removes it (and writes the entry) only when that is 0. The
    /// count is taken inside the writing transaction, so a screening recorded meanwhile
    /// either keeps the level or is refused by the reference.
    pub async fn delete_petition_risk_level(
        &self,
        code: &str,
        audit: &AuditEntry,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write().await?;
        let used: i64 = sqlx::query_scalar(
            "SELECT COUNT(DISTINCT case_id) FROM petition_followups WHERE risk_code = $1",
        )
        .bind(code)
        .fetch_one(&mut *tx)
        .await?;
        if used > 0 {
            return Ok(used);
        }
        let n = sqlx::query("DELETE FROM petition_risk_levels WHERE code = $1")
            .bind(code)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        audit::append(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(0)
    }

    /// Opens a case with its first follow-up (the screening) and `audit` (object
    /// `petition:{id}`), in one transaction.
    pub async fn insert_petition_case(
        &self,
        case: &NewPetitionCase,
        first: &NewFollowup,
        audit: &AuditEntry,
    ) -> Result<i64, StoreError> {
        let at = timestamp(audit.at);
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO petition_cases (entitlement_id, petitioner, division_code, subject, \
             opened_on, by_user, at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(case.entitlement_id)
        .bind(&case.petitioner)
        .bind(case.division_code.as_str())
        .bind(&case.subject)
        .bind(date_text(case.opened_on))
        .bind(&audit.actor)
        .bind(&at)
        .fetch_one(&mut *tx)
        .await?;
        insert_followup(&mut tx, id, 1, first, &audit.actor, &at).await?;
        let mut entry = audit.clone();
        entry.object = format!("petition:{id}");
        audit::append(&mut tx, self.backend, &entry).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Appends `followup` to case `id` as number `expected_seq + 1` with `audit`, in one
    /// transaction. A follow-up recorded by someone else since (the number is taken) is a
    /// conflict naming [`FOLLOWUP_SEQ`], a second close one naming [`CLOSED_ONCE`]; a
    /// follow-up on a closed case is a conflict with constraint `closed`.
    pub async fn append_followup(
        &self,
        id: i64,
        expected_seq: i64,
        followup: &NewFollowup,
        audit: &AuditEntry,
    ) -> Result<i64, StoreError> {
        let at = timestamp(audit.at);
        let mut tx = self.write().await?;
        let closed: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM petition_followups WHERE case_id = $1 AND kind = 'close'",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        if closed > 0 {
            return Err(StoreError::Conflict {
                what: format!("petition case {id} is closed"),
                constraint: Some("closed".into()),
            });
        }
        let seq = expected_seq + 1;
        let fid = insert_followup(&mut tx, id, seq, followup, &audit.actor, &at).await?;
        audit::append(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(fid)
    }

    /// One case with its follow-ups.
    pub async fn petition_case(&self, id: i64) -> Result<PetitionRecord, StoreError> {
        let cases = cases(self.backend);
        let row = sqlx::query(dynamic(format!(
            "SELECT x.*, r.name AS risk_name FROM ({cases}) x \
             LEFT JOIN petition_risk_levels r ON r.code = x.risk_code WHERE x.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        let mut record = read_case(&row)?;
        record.followups = sqlx::query(
            "SELECT id, seq, kind, on_date, risk_code, who, what, next_due, by_user, at \
             FROM petition_followups WHERE case_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(read_followup)
        .collect::<Result<_, _>>()?;
        Ok(record)
    }

    /// The cases opened about an entitlement's holder, newest first.
    pub async fn entitlement_petitions(
        &self,
        entitlement_id: i64,
    ) -> Result<Vec<PetitionRecord>, StoreError> {
        let cases = cases(self.backend);
        sqlx::query(dynamic(format!(
            "SELECT x.*, r.name AS risk_name FROM ({cases}) x \
             LEFT JOIN petition_risk_levels r ON r.code = x.risk_code \
             WHERE x.entitlement_id = $1 ORDER BY x.opened_on DESC, x.id DESC"
        )))
        .bind(entitlement_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(read_case)
        .collect()
    }

    /// One page of the cases matching `filter`: open ones by next visit, then closed ones,
    /// newest first; and how many match in all. Returns (rows, total, page).
    pub async fn petition_cases_page(
        &self,
        filter: &PetitionFilter,
        page: i64,
        per_page: i64,
    ) -> Result<(Vec<PetitionRecord>, i64, i64), StoreError> {
        let (where_sql, binds) = filter_where(filter);
        let cases = cases(self.backend);
        let mut count = sqlx::query_scalar(dynamic(format!(
            "SELECT COUNT(*) FROM ({cases}) x {where_sql}"
        )));
        for b in &binds {
            count = count.bind(b.clone());
        }
        let total: i64 = count.fetch_one(&self.pool).await?;
        let per_page = per_page.clamp(1, MAX_PAGE_ROWS);
        let pages = ((total + per_page - 1) / per_page).max(1);
        let page = page.clamp(1, pages);
        let sql = format!(
            "SELECT x.*, r.name AS risk_name FROM ({cases}) x \
             LEFT JOIN petition_risk_levels r ON r.code = x.risk_code {where_sql} \
             ORDER BY x.closed, x.next_due, x.opened_on DESC, x.id DESC \
             LIMIT {per_page} OFFSET {}",
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
            .map(read_case)
            .collect::<Result<Vec<_>, _>>()?;
        Ok((rows, total, page))
    }
}

async fn insert_followup(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    case_id: i64,
    seq: i64,
    f: &NewFollowup,
    by_user: &str,
    at: &str,
) -> Result<i64, StoreError> {
    sqlx::query_scalar(
        "INSERT INTO petition_followups (case_id, seq, kind, on_date, risk_code, who, what, \
         next_due, by_interval, by_user, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(case_id)
    .bind(seq)
    .bind(&f.kind)
    .bind(date_text(f.on_date))
    .bind(f.risk_code.clone())
    .bind(&f.who)
    .bind(&f.what)
    .bind(f.next_due.map(date_text))
    .bind(i64::from(f.by_interval))
    .bind(by_user)
    .bind(at)
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| named(e.into()))
}
