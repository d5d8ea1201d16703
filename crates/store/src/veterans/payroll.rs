//! The veterans' programmes in the payroll (migration 0016): what a `veterans` or
//! `veterans_holiday` run reads (every entitlement with its history, what the ledger holds
//! per household and month, when the standards last changed), the lines it writes (keyed by
//! household, no case), and the holiday payments (优待金) with their amounts by category.
//! The runs themselves, approval, bank files and returns are `payroll`'s and `bank`'s.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;

use super::{COLUMNS, EntitlementRecord, FROM, StatusEvent, named, read, read_event};
use crate::assistance::{date, date_text};
use crate::audit::{self, AuditEntry};
use crate::divisions::subtree_prefix;
use crate::payroll::{NewRun, RUN_MONTH_PROGRAM};
use crate::{Store, StoreError, dynamic, parse_timestamp, timestamp};

/// The index that keeps holiday names unique.
pub const HOLIDAY_NAME: &str = "veteran_holidays_name";
/// The index that pays a holiday to a household once.
pub const HOLIDAY_ONCE: &str = "payroll_ledger_holiday_once";

/// A line of a veterans' run: one household, one benefit month, one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdLine {
    pub household_id: i64,
    pub division_code: String,
    pub benefit_month: String,
    /// `regular`, `arrears`, `recovery` or `one_off`.
    pub kind: &'static str,
    pub amount_fen: i64,
    /// The entitlements the amount sums (the `members` column of the line).
    pub entitlements: i64,
    pub prev_fen: Option<i64>,
    pub flagged: bool,
    /// The one-off's reason (the holiday's name); empty otherwise.
    pub reason: String,
}

/// A holiday payment to define.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHoliday {
    pub name: String,
    pub entitled_on: NaiveDate,
    /// `YYYY-MM`: the month its run pays in.
    pub month: String,
    /// (category code, fen), each category once.
    pub amounts: Vec<(String, i64)>,
}

/// A holiday payment as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayRecord {
    pub id: i64,
    pub name: String,
    pub entitled_on: NaiveDate,
    pub month: String,
    pub run_id: Option<i64>,
    pub by_user: String,
    pub at: DateTime<Utc>,
    /// (category code, category name, fen), in the category list's order.
    pub amounts: Vec<(String, String, i64)>,
}

/// What the ledger holds for one household and benefit month of a programme: all entries
/// summed, and the regular ones.
pub type HouseholdPaid = HashMap<(i64, String), (i64, i64)>;

impl Store {
    /// Every entitlement with its status history, in id order: what a veterans' run reads
    /// (the service undoes what was recorded after the run's cut-off).
    pub async fn payroll_entitlements(&self) -> Result<Vec<EntitlementRecord>, StoreError> {
        let mut records = sqlx::query(dynamic(format!("SELECT {COLUMNS} {FROM} ORDER BY e.id")))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(read)
            .collect::<Result<Vec<_>, _>>()?;
        let events = sqlx::query(
            "SELECT entitlement_id, seq, status, effective_on, reason, by_user, at \
             FROM veteran_status_events ORDER BY entitlement_id, seq",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut by_id: HashMap<i64, Vec<StatusEvent>> = HashMap::new();
        for e in &events {
            let (id, event) = read_event(e)?;
            by_id.entry(id).or_default().push(event);
        }
        for r in &mut records {
            r.history = by_id.remove(&r.id).unwrap_or_default();
        }
        Ok(records)
    }

    /// What the ledger holds for `program` per (household, benefit month): (all entries,
    /// regular entries), summed.
    pub async fn household_paid(&self, program: &str) -> Result<HouseholdPaid, StoreError> {
        let rows = sqlx::query(
            "SELECT household_id, benefit_month, CAST(SUM(amount_fen) AS BIGINT) AS all_fen, \
             CAST(SUM(CASE WHEN kind = 'regular' THEN amount_fen ELSE 0 END) AS BIGINT) \
             AS regular_fen FROM payroll_ledger WHERE program = $1 \
             GROUP BY household_id, benefit_month",
        )
        .bind(program)
        .fetch_all(&self.pool)
        .await?;
        let mut out = HashMap::with_capacity(rows.len());
        for r in &rows {
            out.insert(
                (r.try_get("household_id")?, r.try_get("benefit_month")?),
                (r.try_get("all_fen")?, r.try_get("regular_fen")?),
            );
        }
        Ok(out)
    }

    /// When the veterans' standards were last changed (a row added or corrected).
    pub async fn veteran_standards_changed_at(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let row: (Option<String>,) =
            sqlx::query_as("SELECT MAX(updated_at) FROM veteran_standards")
                .fetch_one(&self.pool)
                .await?;
        row.0.as_deref().map(parse_timestamp).transpose()
    }

    /// Writes every line of draft run `run_id` (a veterans' run is computed whole: the
    /// veterans are few) with its audit entry, in one transaction; the cursor records the
    /// last household. `Ok(false)`: the run is no longer a draft, or already has lines (a
    /// run resumed after a crash between this and its check), and nothing was written.
    pub async fn write_household_lines(
        &self,
        run_id: i64,
        lines: &[HouseholdLine],
        entry: &AuditEntry,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write().await?;
        let state: Option<(String, i64)> =
            sqlx::query_as("SELECT state, computed_upto FROM payroll_runs WHERE id = $1")
                .bind(run_id)
                .fetch_optional(&mut *tx)
                .await?;
        let (state, upto) = state.ok_or(StoreError::NotFound)?;
        if state != "draft" || upto != 0 {
            return Ok(false);
        }
        for l in lines {
            sqlx::query(
                "INSERT INTO payroll_lines (run_id, case_id, household_id, division_code, \
                 area, benefit_month, kind, amount_fen, members, prev_fen, flagged, reason) \
                 VALUES ($1, NULL, $2, $3, (SELECT h.area FROM households h WHERE h.id = $2), \
                 $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(run_id)
            .bind(l.household_id)
            .bind(&l.division_code)
            .bind(&l.benefit_month)
            .bind(l.kind)
            .bind(l.amount_fen)
            .bind(l.entitlements)
            .bind(l.prev_fen)
            .bind(i64::from(l.flagged))
            .bind(&l.reason)
            .execute(&mut *tx)
            .await?;
        }
        let last = lines.iter().map(|l| l.household_id).max().unwrap_or(0);
        // The cursor must move even for a run without lines, so that a resumed run does
        // not write them twice.
        sqlx::query("UPDATE payroll_runs SET computed_upto = $1 WHERE id = $2")
            .bind(last.max(1))
            .bind(run_id)
            .execute(&mut *tx)
            .await?;
        audit::append(&mut tx, self.backend, entry).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Defines a holiday payment with its amounts and audit entry; a name in use is a
    /// conflict naming [`HOLIDAY_NAME`].
    pub async fn insert_holiday(
        &self,
        holiday: &NewHoliday,
        entry: &AuditEntry,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO veteran_holidays (name, entitled_on, month, run_id, by_user, at) \
             VALUES ($1, $2, $3, NULL, $4, $5) RETURNING id",
        )
        .bind(&holiday.name)
        .bind(date_text(holiday.entitled_on))
        .bind(&holiday.month)
        .bind(&entry.actor)
        .bind(timestamp(entry.at))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| holiday_named(e.into()))?;
        for (category, fen) in &holiday.amounts {
            sqlx::query(
                "INSERT INTO veteran_holiday_amounts (holiday_id, category_code, amount_fen) \
                 VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(category)
            .bind(*fen)
            .execute(&mut *tx)
            .await?;
        }
        let mut entry = entry.clone();
        entry.object = format!("veteran_holiday:{id}");
        audit::append(&mut tx, self.backend, &entry).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The holiday payments, newest month first, with their amounts.
    pub async fn holidays(&self) -> Result<Vec<HolidayRecord>, StoreError> {
        self.holidays_where(0).await
    }

    pub async fn holiday(&self, id: i64) -> Result<HolidayRecord, StoreError> {
        self.holidays_where(id)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    async fn holidays_where(&self, id: i64) -> Result<Vec<HolidayRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, entitled_on, month, run_id, by_user, at FROM veteran_holidays \
             WHERE ($1 = 0 OR id = $1) ORDER BY month DESC, id DESC",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let amounts = sqlx::query(
            "SELECT a.holiday_id, a.category_code, k.name, a.amount_fen \
             FROM veteran_holiday_amounts a \
             JOIN veteran_categories k ON k.code = a.category_code \
             WHERE ($1 = 0 OR a.holiday_id = $1) ORDER BY a.holiday_id, k.position",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let mut by_holiday: HashMap<i64, Vec<(String, String, i64)>> = HashMap::new();
        for a in &amounts {
            by_holiday
                .entry(a.try_get("holiday_id")?)
                .or_default()
                .push((
                    a.try_get("category_code")?,
                    a.try_get("name")?,
                    a.try_get("amount_fen")?,
                ));
        }
        rows.iter()
            .map(|r| {
                let on: String = r.try_get("entitled_on")?;
                let at: String = r.try_get("at")?;
                let id: i64 = r.try_get("id")?;
                Ok(HolidayRecord {
                    id,
                    name: r.try_get("name")?,
                    entitled_on: date(&on)?,
                    month: r.try_get("month")?,
                    run_id: r.try_get("run_id")?,
                    by_user: r.try_get("by_user")?,
                    at: parse_timestamp(&at)?,
                    amounts: by_holiday.remove(&id).unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Creates the draft run of holiday `holiday_id` and links it, with the audit entry, in
    /// one transaction. A holiday with a run already is a conflict with constraint
    /// `veteran_holidays_run`; another run of the month and programme one naming
    /// [`RUN_MONTH_PROGRAM`].
    pub async fn create_holiday_run(
        &self,
        holiday_id: i64,
        run: &NewRun,
        entry: &AuditEntry,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write().await?;
        let linked: Option<(Option<i64>,)> =
            sqlx::query_as("SELECT run_id FROM veteran_holidays WHERE id = $1")
                .bind(holiday_id)
                .fetch_optional(&mut *tx)
                .await?;
        if linked.ok_or(StoreError::NotFound)?.0.is_some() {
            return Err(StoreError::Conflict {
                what: format!("holiday {holiday_id} has a run"),
                constraint: Some("veteran_holidays_run".into()),
            });
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO payroll_runs (month, program, state, cutoff, jump_pct, prepared_by, \
             prepared_at) VALUES ($1, $2, 'draft', $3, $4, $5, $6) RETURNING id",
        )
        .bind(&run.month)
        .bind(&run.program)
        .bind(timestamp(run.cutoff))
        .bind(run.jump_pct)
        .bind(&run.prepared_by)
        .bind(timestamp(entry.at))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict { what, .. } => StoreError::Conflict {
                what,
                constraint: Some(RUN_MONTH_PROGRAM.to_owned()),
            },
            other => other,
        })?;
        sqlx::query("UPDATE veteran_holidays SET run_id = $1 WHERE id = $2")
            .bind(id)
            .bind(holiday_id)
            .execute(&mut *tx)
            .await?;
        let mut entry = entry.clone();
        entry.object = format!("payroll_run:{id}");
        audit::append(&mut tx, self.backend, &entry).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The households within `root`'s subtree that the holiday paid in `month` reached (its
    /// run's one-offs with their reversals and replacements, which keep the benefit month;
    /// a month holds one holiday run), net above zero, and their money.
    pub async fn holiday_paid(
        &self,
        month: &str,
        root: Option<&domain::DivisionCode>,
    ) -> Result<(i64, i64), StoreError> {
        let prefix = root.map_or_else(|| "%".to_owned(), |r| format!("{}%", subtree_prefix(r)));
        let row: (i64, i64) = sqlx::query_as(
            "SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(t.s), 0) AS BIGINT) FROM \
             (SELECT e.household_id, SUM(e.amount_fen) AS s FROM payroll_ledger e \
              WHERE e.program = 'veterans_holiday' AND e.division_code LIKE $2 \
              AND e.benefit_month = $1 GROUP BY e.household_id) t WHERE t.s > 0",
        )
        .bind(month)
        .bind(prefix)
        .fetch_one(&self.pool)
        .await?;
        Ok(row)
    }
}

/// SQLite names the columns of a violated unique index; the holiday's by name.
fn holiday_named(e: StoreError) -> StoreError {
    match named(e) {
        StoreError::Conflict {
            what,
            constraint: Some(c),
        } if c == "veteran_holidays.name" => StoreError::Conflict {
            what,
            constraint: Some(HOLIDAY_NAME.to_owned()),
        },
        other => other,
    }
}
