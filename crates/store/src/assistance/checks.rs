//! Cross-checks (数据比对, migration 0007): the current members the checks read, the stored
//! death records, the runs, and the tasks (待办) findings become. A run and the tasks it
//! creates are written in one transaction with its audit entry; a task is closed once.

use chrono::{DateTime, NaiveDate, Utc};
use domain::DivisionCode;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{code, date, date_text};
use crate::audit::{self, AuditEntry};
use crate::divisions::subtree_prefix;
use crate::{Store, StoreError, parse_timestamp, timestamp};

/// The index that keeps one death record per ID number.
pub const DEATH_ID_NUMBER: &str = "death_records_id_number";

/// A current member (not left) of a household in the checked subtree, with what the checks
/// compare: the person's stored number, birth date and sex, and the household's case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckMember {
    pub member_id: i64,
    pub household_id: i64,
    pub person_id: i64,
    /// As stored: the checks normalise it.
    pub id_number: String,
    pub name: String,
    /// As stored (text, so a corrupt value is a finding, not a failed read).
    pub birth_date: String,
    pub sex: String,
    pub division_code: DivisionCode,
    /// The household's active case, if any.
    pub case_id: Option<i64>,
    pub program: Option<String>,
}

/// A death record to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDeathRecord {
    /// Normalised, 18 characters.
    pub id_number: String,
    pub name: String,
    pub died_on: NaiveDate,
    pub source: String,
}

/// A stored death record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeathRecord {
    pub id: i64,
    pub record: NewDeathRecord,
    pub by_user: String,
    pub at: DateTime<Utc>,
}

/// One finding, to become a task unless its key already has an open or dismissed one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFinding {
    pub key: String,
    pub kind: String,
    pub street_code: DivisionCode,
    pub division_code: DivisionCode,
    pub household_id: i64,
    pub case_id: Option<i64>,
    pub member_id: i64,
    pub id_number: String,
    pub person_name: String,
    pub detail: String,
}

/// A run: who, when, over what, and what it found per kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCheckRun {
    /// `manual`, `nightly` or `deaths`.
    pub origin: String,
    pub by_user: String,
    pub scope: Option<DivisionCode>,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub duplicates: i64,
    pub invalid_ids: i64,
    pub deaths: i64,
    pub deaths_recorded: i64,
}

/// A stored run, with how many tasks it created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRun {
    pub id: i64,
    pub run: NewCheckRun,
    pub tasks_created: i64,
}

/// A stored task, with the names of its street and community.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckTask {
    pub id: i64,
    pub finding: NewFinding,
    pub street_name: String,
    pub division_name: String,
    pub run_id: i64,
    pub created_at: DateTime<Utc>,
    /// `open`, `resolved` or `dismissed`.
    pub status: String,
    pub closed_by: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
}

fn prefix(root: Option<&DivisionCode>) -> String {
    root.map_or_else(|| "%".to_owned(), |r| format!("{}%", subtree_prefix(r)))
}

fn read_run(row: &AnyRow) -> Result<CheckRun, StoreError> {
    let scope: Option<String> = row.try_get("scope")?;
    let started: String = row.try_get("started_at")?;
    let finished: String = row.try_get("finished_at")?;
    Ok(CheckRun {
        id: row.try_get("id")?,
        tasks_created: row.try_get("tasks_created")?,
        run: NewCheckRun {
            origin: row.try_get("origin")?,
            by_user: row.try_get("by_user")?,
            scope: scope.as_deref().map(code).transpose()?,
            started_at: parse_timestamp(&started)?,
            finished_at: parse_timestamp(&finished)?,
            duplicates: row.try_get("duplicates")?,
            invalid_ids: row.try_get("invalid_ids")?,
            deaths: row.try_get("deaths")?,
            deaths_recorded: row.try_get("deaths_recorded")?,
        },
    })
}

const TASK_SELECT: &str = "SELECT t.id, t.finding_key, t.kind, t.street_code, t.division_code, \
     t.household_id, t.case_id, t.member_id, t.id_number, t.person_name, t.detail, t.run_id, \
     t.created_at, t.status, t.closed_by, t.closed_at, t.note, s.name AS street_name, \
     d.name AS division_name FROM check_tasks t \
     JOIN divisions s ON s.code = t.street_code JOIN divisions d ON d.code = t.division_code";

fn read_task(row: &AnyRow) -> Result<CheckTask, StoreError> {
    let street: String = row.try_get("street_code")?;
    let division: String = row.try_get("division_code")?;
    let created: String = row.try_get("created_at")?;
    let closed: Option<String> = row.try_get("closed_at")?;
    Ok(CheckTask {
        id: row.try_get("id")?,
        finding: NewFinding {
            key: row.try_get("finding_key")?,
            kind: row.try_get("kind")?,
            street_code: code(&street)?,
            division_code: code(&division)?,
            household_id: row.try_get("household_id")?,
            case_id: row.try_get("case_id")?,
            member_id: row.try_get("member_id")?,
            id_number: row.try_get("id_number")?,
            person_name: row.try_get("person_name")?,
            detail: row.try_get("detail")?,
        },
        street_name: row.try_get("street_name")?,
        division_name: row.try_get("division_name")?,
        run_id: row.try_get("run_id")?,
        created_at: parse_timestamp(&created)?,
        status: row.try_get("status")?,
        closed_by: row.try_get("closed_by")?,
        closed_at: closed.as_deref().map(parse_timestamp).transpose()?,
        note: row.try_get("note")?,
    })
}

impl Store {
    /// Every current member of a household within `root`'s subtree (all for `None`), with
    /// the household's active case; in member order.
    pub async fn check_members(
        &self,
        root: Option<&DivisionCode>,
    ) -> Result<Vec<CheckMember>, StoreError> {
        let rows = sqlx::query(
            "SELECT m.id AS member_id, m.household_id, p.id AS person_id, p.id_number, p.name, \
             p.birth_date, p.sex, h.division_code, c.id AS case_id, c.program \
             FROM members m JOIN persons p ON p.id = m.person_id \
             JOIN households h ON h.id = m.household_id \
             LEFT JOIN cases c ON c.household_id = h.id AND c.active = 1 \
             WHERE m.left_on IS NULL AND h.division_code LIKE $1 ORDER BY m.id",
        )
        .bind(prefix(root))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let division: String = row.try_get("division_code")?;
                Ok(CheckMember {
                    member_id: row.try_get("member_id")?,
                    household_id: row.try_get("household_id")?,
                    person_id: row.try_get("person_id")?,
                    id_number: row.try_get("id_number")?,
                    name: row.try_get("name")?,
                    birth_date: row.try_get("birth_date")?,
                    sex: row.try_get("sex")?,
                    division_code: code(&division)?,
                    case_id: row.try_get("case_id")?,
                    program: row.try_get("program")?,
                })
            })
            .collect()
    }

    /// Every stored death record, in the order stored.
    pub async fn death_records(&self) -> Result<Vec<DeathRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, id_number, name, died_on, source, by_user, at FROM death_records \
             ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let died: String = row.try_get("died_on")?;
                let at: String = row.try_get("at")?;
                Ok(DeathRecord {
                    id: row.try_get("id")?,
                    record: NewDeathRecord {
                        id_number: row.try_get("id_number")?,
                        name: row.try_get("name")?,
                        died_on: date(&died)?,
                        source: row.try_get("source")?,
                    },
                    by_user: row.try_get("by_user")?,
                    at: parse_timestamp(&at)?,
                })
            })
            .collect()
    }

    /// Stores death records with the audit entry of their import, in one transaction; a
    /// number already stored is a [`StoreError::Conflict`] naming [`DEATH_ID_NUMBER`] and
    /// nothing is written.
    pub async fn insert_death_records(
        &self,
        records: &[NewDeathRecord],
        by_user: &str,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let at = timestamp(audit.at);
        for r in records {
            sqlx::query(
                "INSERT INTO death_records (id_number, name, died_on, source, by_user, at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&r.id_number)
            .bind(&r.name)
            .bind(date_text(r.died_on))
            .bind(&r.source)
            .bind(by_user)
            .bind(&at)
            .execute(&mut *tx)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::Conflict { what, .. } => StoreError::Conflict {
                    what,
                    constraint: Some(DEATH_ID_NUMBER.into()),
                },
                other => other,
            })?;
        }
        audit::append(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a run and turns its findings into tasks, in one transaction with `audit`
    /// (whose detail gains ` tasks_created=N`). A finding whose key has an open or a
    /// dismissed task makes none. Returns (run id, tasks created).
    pub async fn record_check_run(
        &self,
        run: &NewCheckRun,
        findings: &[NewFinding],
        audit: &AuditEntry,
    ) -> Result<(i64, i64), StoreError> {
        let mut tx = self.write().await?;
        let mut fresh = Vec::new();
        for f in findings {
            let taken: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM check_tasks WHERE finding_key = $1 \
                 AND status IN ('open', 'dismissed')",
            )
            .bind(&f.key)
            .fetch_one(&mut *tx)
            .await?;
            if taken == 0 && !fresh.iter().any(|g: &&NewFinding| g.key == f.key) {
                fresh.push(f);
            }
        }
        let created = i64::try_from(fresh.len()).unwrap_or(i64::MAX);
        let run_id: i64 = sqlx::query_scalar(
            "INSERT INTO check_runs (origin, by_user, scope, started_at, finished_at, \
             duplicates, invalid_ids, deaths, deaths_recorded, tasks_created) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(&run.origin)
        .bind(&run.by_user)
        .bind(run.scope.as_ref().map(|s| s.as_str().to_owned()))
        .bind(timestamp(run.started_at))
        .bind(timestamp(run.finished_at))
        .bind(run.duplicates)
        .bind(run.invalid_ids)
        .bind(run.deaths)
        .bind(run.deaths_recorded)
        .bind(created)
        .fetch_one(&mut *tx)
        .await?;
        let at = timestamp(audit.at);
        for f in fresh {
            sqlx::query(
                "INSERT INTO check_tasks (finding_key, kind, street_code, division_code, \
                 household_id, case_id, member_id, id_number, person_name, detail, run_id, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(&f.key)
            .bind(&f.kind)
            .bind(f.street_code.as_str())
            .bind(f.division_code.as_str())
            .bind(f.household_id)
            .bind(f.case_id)
            .bind(f.member_id)
            .bind(&f.id_number)
            .bind(&f.person_name)
            .bind(&f.detail)
            .bind(run_id)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
        }
        let mut audit = audit.clone();
        audit.object = format!("check_run:{run_id}");
        audit.detail = format!("{} tasks_created={created}", audit.detail);
        audit::append(&mut tx, self.backend, &audit).await?;
        tx.commit().await?;
        Ok((run_id, created))
    }

    /// The latest runs, newest first (at most `limit`); only of `origin` when given.
    pub async fn check_runs(
        &self,
        origin: Option<&str>,
        limit: i64,
    ) -> Result<Vec<CheckRun>, StoreError> {
        sqlx::query(
            "SELECT id, origin, by_user, scope, started_at, finished_at, duplicates, \
             invalid_ids, deaths, deaths_recorded, tasks_created FROM check_runs \
             WHERE ($1 = '' OR origin = $1) ORDER BY id DESC LIMIT $2",
        )
        .bind(origin.unwrap_or_default())
        .bind(limit.clamp(1, crate::MAX_PAGE_ROWS))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(read_run)
        .collect()
    }

    /// Tasks whose household lies within `root`'s subtree (all for `None`), newest first.
    pub async fn check_tasks(
        &self,
        root: Option<&DivisionCode>,
    ) -> Result<Vec<CheckTask>, StoreError> {
        sqlx::query(crate::dynamic(format!(
            "{TASK_SELECT} WHERE t.division_code LIKE $1 ORDER BY t.id DESC"
        )))
        .bind(prefix(root))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(read_task)
        .collect()
    }

    /// How many open tasks lie within `root`'s subtree.
    pub async fn open_check_task_count(
        &self,
        root: Option<&DivisionCode>,
    ) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM check_tasks WHERE status = 'open' AND division_code LIKE $1",
        )
        .bind(prefix(root))
        .fetch_one(&self.pool)
        .await?)
    }

    pub async fn check_task(&self, id: i64) -> Result<CheckTask, StoreError> {
        let row = sqlx::query(crate::dynamic(format!("{TASK_SELECT} WHERE t.id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        read_task(&row)
    }

    /// Closes open task `id` as `status` with `note`, by `audit.actor` at `audit.at`. A
    /// task no longer open is a [`StoreError::Conflict`] with constraint `status`.
    pub async fn close_check_task(
        &self,
        id: i64,
        status: &str,
        note: &str,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let changed = sqlx::query(
            "UPDATE check_tasks SET status = $1, note = $2, closed_by = $3, closed_at = $4 \
             WHERE id = $5 AND status = 'open'",
        )
        .bind(status)
        .bind(note)
        .bind(&audit.actor)
        .bind(timestamp(audit.at))
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::Conflict {
                what: format!("task {id} is not open"),
                constraint: Some("status".into()),
            });
        }
        audit::append(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(())
    }
}
