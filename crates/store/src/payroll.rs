//! Payroll (月度发放): runs, their lines, and the append-only payment ledger (migration
//! 0008_payroll.sql explains the tables and keys).
//!
//! Speed matters here (a province is millions of households): a run goes through the cases
//! of its programme in case-id chunks ([`Store::run_chunk`], one transaction each with the
//! run's cursor and its audit entry). The settled cases of a chunk (decided before the
//! bound the service gives, never changed) get their lines from one `INSERT … SELECT`
//! applying the month's [`MonthRule`]; the others are read with four range queries (no
//! per-case round trip) for the Rust pass, whose lines go in multi-row INSERTs with `?`
//! placeholders on SQLite (see `assistance::import`). Approval copies the lines into the
//! ledger with one `INSERT … SELECT`.

use std::collections::HashMap;
use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::assistance::changes::{CHANGE_COLUMNS, read_change};
use crate::assistance::import::{MAX_PARAMS, MAX_ROWS_PER_STATEMENT, placeholder};
use crate::assistance::{CaseFile, CaseRecord, MemberRecord, code, date, opt_date};
use crate::audit::{self, AuditEntry};
use crate::divisions::subtree_prefix;
use crate::{MAX_PAGE_ROWS, Store, StoreError, StoredChange, dynamic};
use crate::{parse_timestamp, timestamp};

/// The unique constraint that allows one run per month and programme.
pub const RUN_MONTH_PROGRAM: &str = "payroll_runs_month_program";

/// A run to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRun {
    /// `YYYY-MM`.
    pub month: String,
    pub program: String,
    pub cutoff: DateTime<Utc>,
    pub jump_pct: i64,
    pub prepared_by: String,
}

/// A run as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRecord {
    pub id: i64,
    pub month: String,
    pub program: String,
    /// `draft`, `checked`, `approved`, `exported`, `reconciled` or `closed`.
    pub state: String,
    pub cutoff: DateTime<Utc>,
    pub jump_pct: i64,
    pub prepared_by: String,
    pub prepared_at: DateTime<Utc>,
    /// The last case id whose lines are written.
    pub computed_upto: i64,
    pub households: i64,
    pub total_fen: i64,
    pub approved_by: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
}

/// A line a run writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLine {
    pub case_id: i64,
    pub household_id: i64,
    pub division_code: String,
    /// `urban` or `rural`: the area the amount was computed with, kept with the payment
    /// (the reports' urban and rural money).
    pub area: String,
    pub benefit_month: String,
    /// `regular`, `arrears` or `recovery`.
    pub kind: &'static str,
    pub amount_fen: i64,
    pub members: i64,
    /// The regular amount paid for the month before (`None`: not paid then).
    pub prev_fen: Option<i64>,
    pub flagged: bool,
}

/// A line as the run detail shows it, with the case history's reason for a difference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunLine {
    /// The assistance case; `None` for the veterans' programmes (keyed by household).
    pub case_id: Option<i64>,
    pub household_id: i64,
    pub division_code: String,
    pub division_name: String,
    pub head_name: String,
    pub benefit_month: String,
    pub kind: String,
    pub amount_fen: i64,
    pub members: i64,
    pub prev_fen: Option<i64>,
    pub flagged: bool,
    /// The change taking effect this month (kind, reason), if any.
    pub change_kind: Option<String>,
    pub change_reason: Option<String>,
    /// The step that started the benefit (`approve` or `import`) and its day, for additions.
    pub start_step: Option<String>,
}

/// Which lines of a run to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineSelection {
    All,
    /// Regular lines new this month (nothing paid last month).
    Added,
    /// Regular lines of 0 for a household paid last month.
    Stopped,
    /// Regular lines whose amount differs from last month's.
    Changed,
    Flagged,
    /// Arrears and recoveries.
    Corrections,
}

/// A run's totals and its difference from the month before.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunSummary {
    pub households: i64,
    pub regular_fen: i64,
    pub arrears_fen: i64,
    pub recovery_fen: i64,
    pub total_fen: i64,
    pub added: i64,
    pub stopped: i64,
    pub changed: i64,
    pub flagged: i64,
    pub corrections: i64,
    /// Last month's regular payments (households, amount).
    pub prev_households: i64,
    pub prev_fen: i64,
}

/// One case with what a run needs: the case file (members and the facts as stored now; the
/// person and household texts are left empty), its change log, when its benefit was
/// decided, and what the ledger holds for it per benefit month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayrollCase {
    pub file: CaseFile,
    pub changes: Vec<StoredChange>,
    /// The last `approve` or `import` step's time.
    pub decided_at: Option<DateTime<Utc>>,
    /// benefit month → (all entries, regular entries), summed.
    pub paid: HashMap<String, (i64, i64)>,
}

/// A ledger entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    pub id: i64,
    pub program: String,
    pub household_id: i64,
    /// The assistance case; `None` for the veterans' programmes (keyed by household).
    pub case_id: Option<i64>,
    pub division_code: String,
    pub head_name: String,
    pub benefit_month: String,
    pub kind: String,
    pub paid_in: String,
    pub seq: i64,
    pub amount_fen: i64,
    pub run_id: Option<i64>,
    pub reverses: Option<i64>,
    pub reason: String,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

/// How the ledger search is cut; every field narrows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LedgerFilter {
    pub jurisdiction: Option<domain::DivisionCode>,
    pub program: Option<String>,
    pub household_id: Option<i64>,
    pub case_id: Option<i64>,
    pub paid_in: Option<String>,
    pub benefit_month: Option<String>,
    pub kind: Option<String>,
}

/// What was paid in one month for one programme (approved runs only), for reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthPaid {
    pub paid_in: String,
    pub program: String,
    pub households: i64,
    pub entries: i64,
    pub amount_fen: i64,
}

/// When a member's classified-assistance increment applies (`domain::assistance::Condition`
/// on the month's first day), in terms the set-based statements can test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IncrementWhen {
    /// A disability grade within `min..=max` (0 is none and never counts).
    DisabilityGrade {
        min: i64,
        max: i64,
    },
    SevereIllness,
    /// Born on or before this day (`YYYY-MM-DD`): the rule's age reached by the month's
    /// first day, which is how `domain::age_on` counts (the birthday itself counts).
    BornBy(String),
}

/// The benefit rule of one cash programme for one month, resolved from the benefit tables
/// (the service builds it from the same tables the Rust rule reads), for the set-based
/// statements: the run's path for settled cases and the benchmark's bare baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthRule {
    pub program: String,
    /// `YYYY-MM`.
    pub month: String,
    /// The month's first and last days, `YYYY-MM-DD`.
    pub first_day: String,
    pub last_day: String,
    /// 特困 (S × members + care) rather than 低保 ((S − income)⁺ × members + increments).
    pub tekun: bool,
    /// The standard S in force on the first day, per area.
    pub standard_urban: i64,
    pub standard_rural: i64,
    /// The increments of the policy in force, largest percentage first (so the first that
    /// applies is the member's increment).
    pub increments: Vec<(IncrementWhen, i64)>,
    /// The care standards in force: (area, self-care level, fen).
    pub care: Vec<(&'static str, &'static str, i64)>,
}

/// The set-based statements the payroll benchmark measures the payroll against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Baseline {
    /// The benefit rule's result alone: (case, month, amount) into a table with one key.
    Bare,
    /// The least any payroll must write: each payment once, as a ledger row with the
    /// ledger's key, references and case index, and last month's payment beside it (the
    /// difference a run shows), read through the key; no cut-off, run, audit or approval.
    Floor,
}

impl Baseline {
    fn table(self) -> &'static str {
        match self {
            Self::Bare => "bench_bare",
            Self::Floor => "bench_floor",
        }
    }
}

/// How a run takes its settled cases set-based: the month's rule, the bound on their
/// decision time (the run's cut-off, or the earliest earlier approved run's when earlier),
/// last month for the difference, and the jump that flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettledPath {
    pub rule: MonthRule,
    pub decided_by: DateTime<Utc>,
    /// `YYYY-MM` of the month before.
    pub prev_month: String,
    pub jump_pct: i64,
}

/// What one chunk of a run wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkDone {
    /// The last case id of the chunk (the run's cursor now).
    pub upto: i64,
    pub cases: u64,
    pub lines: u64,
}

const RUN_COLUMNS: &str = "id, month, program, state, cutoff, jump_pct, prepared_by, \
     prepared_at, computed_upto, households, total_fen, approved_by, approved_at";

fn read_run(row: &AnyRow) -> Result<RunRecord, StoreError> {
    let cutoff: String = row.try_get("cutoff")?;
    let prepared: String = row.try_get("prepared_at")?;
    let approved: Option<String> = row.try_get("approved_at")?;
    Ok(RunRecord {
        id: row.try_get("id")?,
        month: row.try_get("month")?,
        program: row.try_get("program")?,
        state: row.try_get("state")?,
        cutoff: parse_timestamp(&cutoff)?,
        jump_pct: row.try_get("jump_pct")?,
        prepared_by: row.try_get("prepared_by")?,
        prepared_at: parse_timestamp(&prepared)?,
        computed_upto: row.try_get("computed_upto")?,
        households: row.try_get("households")?,
        total_fen: row.try_get("total_fen")?,
        approved_by: row.try_get("approved_by")?,
        approved_at: approved.as_deref().map(parse_timestamp).transpose()?,
    })
}

const LEDGER_COLUMNS: &str = "e.id, e.program, e.household_id, e.case_id, e.division_code, \
     e.benefit_month, e.kind, e.paid_in, e.seq, e.amount_fen, e.run_id, e.reverses, e.reason, \
     e.recorded_by, e.recorded_at, \
     COALESCE((SELECT p.name FROM members m JOIN persons p ON p.id = m.person_id \
      WHERE m.household_id = e.household_id AND m.relation = 'head' \
      ORDER BY m.id LIMIT 1), (SELECT p.name FROM veteran_entitlements v \
      JOIN persons p ON p.id = v.person_id WHERE v.household_id = e.household_id \
      ORDER BY v.id LIMIT 1)) AS head_name";

fn read_entry(row: &AnyRow) -> Result<LedgerEntry, StoreError> {
    let at: String = row.try_get("recorded_at")?;
    let head: Option<String> = row.try_get("head_name")?;
    Ok(LedgerEntry {
        id: row.try_get("id")?,
        program: row.try_get("program")?,
        household_id: row.try_get("household_id")?,
        case_id: row.try_get("case_id")?,
        division_code: row.try_get("division_code")?,
        head_name: head.unwrap_or_default(),
        benefit_month: row.try_get("benefit_month")?,
        kind: row.try_get("kind")?,
        paid_in: row.try_get("paid_in")?,
        seq: row.try_get("seq")?,
        amount_fen: row.try_get("amount_fen")?,
        run_id: row.try_get("run_id")?,
        reverses: row.try_get("reverses")?,
        reason: row.try_get("reason")?,
        recorded_by: row.try_get("recorded_by")?,
        recorded_at: parse_timestamp(&at)?,
    })
}

/// SQLite names the columns of a violated unique constraint; the run's by name.
fn run_named(e: StoreError) -> StoreError {
    match e {
        StoreError::Conflict {
            what,
            constraint: Some(c),
        } if c == "payroll_runs.month, payroll_runs.program"
            || c == "payroll_runs_month_program_key" =>
        {
            StoreError::Conflict {
                what,
                constraint: Some(RUN_MONTH_PROGRAM.to_owned()),
            }
        }
        other => other,
    }
}

impl Store {
    /// On SQLite, a 256 MiB page cache for the connection that writes runs and the ledger
    /// (as the roster import does): a month adds a line and a ledger entry per household to
    /// tables with several indexes, which the default 2 MiB cache would re-read from the
    /// file. The setting stays with the pooled connection; the cache only grows as used.
    async fn ledger_cache(&self, conn: &mut AnyConnection) -> Result<(), StoreError> {
        if self.backend == crate::Backend::Sqlite {
            sqlx::query("PRAGMA cache_size = -262144")
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    /// Creates a draft run with its audit entry; a second run of the same month and
    /// programme is a conflict naming [`RUN_MONTH_PROGRAM`].
    pub async fn create_run(&self, run: &NewRun, entry: &AuditEntry) -> Result<i64, StoreError> {
        let mut tx = self.write().await?;
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
        .map_err(|e| run_named(e.into()))?;
        let mut entry = entry.clone();
        entry.object = format!("payroll_run:{id}");
        audit::append(&mut tx, self.backend, &entry).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn payroll_run(&self, id: i64) -> Result<RunRecord, StoreError> {
        let row = sqlx::query(dynamic(format!(
            "SELECT {RUN_COLUMNS} FROM payroll_runs WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        read_run(&row)
    }

    /// Runs, newest month first; narrowed to a month and/or programme when given.
    pub async fn payroll_runs(
        &self,
        month: Option<&str>,
        program: Option<&str>,
    ) -> Result<Vec<RunRecord>, StoreError> {
        sqlx::query(dynamic(format!(
            "SELECT {RUN_COLUMNS} FROM payroll_runs WHERE ($1 = '' OR month = $1) \
             AND ($2 = '' OR program = $2) ORDER BY month DESC, program LIMIT $3"
        )))
        .bind(month.unwrap_or(""))
        .bind(program.unwrap_or(""))
        .bind(MAX_PAGE_ROWS)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(read_run)
        .collect()
    }

    /// The programmes with a case whose benefit period touches `[first, last]`, or that
    /// were paid the month before (so stops are shown), excluding those without cash.
    pub async fn programs_due(
        &self,
        first: NaiveDate,
        last: NaiveDate,
        prev_month: &str,
    ) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT DISTINCT program FROM cases WHERE benefit_start IS NOT NULL \
             AND benefit_start <= $2 AND (benefit_end IS NULL OR benefit_end >= $1) \
             AND program <> 'dibao_margin' \
             UNION SELECT DISTINCT r.program FROM payroll_runs r WHERE EXISTS \
             (SELECT 1 FROM payroll_ledger e WHERE e.program = r.program AND e.paid_in = $3) \
             ORDER BY 1",
        )
        .bind(first.to_string())
        .bind(last.to_string())
        .bind(prev_month)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(p,)| p).collect())
    }

    /// When the standards, policies or care standards were last changed.
    pub async fn benefit_tables_changed_at(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let row: (Option<String>,) = sqlx::query_as(
            "SELECT MAX(t) FROM (SELECT MAX(updated_at) AS t FROM standards \
             UNION ALL SELECT MAX(updated_at) FROM classified_policies \
             UNION ALL SELECT MAX(updated_at) FROM care_standards) u",
        )
        .fetch_one(&self.pool)
        .await?;
        row.0.as_deref().map(parse_timestamp).transpose()
    }

    /// How many cases of `program` a run reads (those with a benefit start).
    pub async fn payroll_case_count(&self, program: &str) -> Result<u64, StoreError> {
        self.payroll_case_count_upto(program, i64::MAX).await
    }

    /// How many of them have an id up to `upto` (a resumed run's progress).
    pub async fn payroll_case_count_upto(
        &self,
        program: &str,
        upto: i64,
    ) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM cases WHERE program = $1 \
             AND benefit_start IS NOT NULL AND id <= $2",
        )
        .bind(program)
        .bind(upto)
        .fetch_one(&self.pool)
        .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Up to `limit` cases of `program` with a benefit start and an id above `after`, in id
    /// order, with what a run computes from.
    pub async fn payroll_cases(
        &self,
        program: &str,
        after: i64,
        limit: i64,
    ) -> Result<Vec<PayrollCase>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        cases_in(&mut conn, program, after, i64::MAX, limit, &Pick::Range).await
    }

    /// Computes and writes the next chunk of draft run `run_id` of `program`: up to `limit`
    /// cases after its cursor, in one transaction (on SQLite the write lock is taken first,
    /// so the cases cannot change while the chunk reads them): with `settled`, the settled
    /// cases' regular lines by one `INSERT … SELECT` applying the month's rule, then every
    /// other case read and handed to `compute` for its lines; the cursor moved past the
    /// chunk; the audit entry `audit(first case id, last case id, lines)`. The cursor is
    /// read inside the transaction, so a resumed run racing a live one continues after it.
    /// `Ok(None)`: nothing left, or the run is no longer a draft.
    #[allow(clippy::too_many_arguments)]
    pub async fn run_chunk<E: From<StoreError> + Send>(
        &self,
        run_id: i64,
        program: &str,
        limit: i64,
        settled: Option<&SettledPath>,
        compute: &mut (dyn FnMut(Vec<PayrollCase>) -> Result<Vec<NewLine>, E> + Send),
        audit: &(dyn Fn(i64, i64, u64) -> AuditEntry + Sync),
    ) -> Result<Option<ChunkDone>, E> {
        let mut tx = self.write().await?;
        self.ledger_cache(&mut tx).await?;
        let row: Option<(String, i64)> =
            sqlx::query_as("SELECT state, computed_upto FROM payroll_runs WHERE id = $1")
                .bind(run_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(StoreError::from)?;
        let (state, after) = row.ok_or(StoreError::NotFound)?;
        if state != "draft" {
            return Ok(None);
        }
        let (cases, upto): (i64, i64) = sqlx::query_as(
            "SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM \
             (SELECT c.id FROM cases c WHERE c.program = $1 AND c.benefit_start IS NOT NULL \
              AND c.id > $2 ORDER BY c.id LIMIT $3) t",
        )
        .bind(program)
        .bind(after)
        .bind(limit)
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        if cases == 0 {
            return Ok(None);
        }
        let mut written = 0u64;
        // The chunk's unsettled cases, found once: the settled statement leaves them out by
        // id and the Rust pass reads exactly them, so the per-case checks of `settled_sql`
        // run once per case instead of once per statement.
        let mut pick = Pick::Range;
        if let Some(path) = settled {
            let unsettled: Vec<(i64,)> = sqlx::query_as(dynamic(format!(
                "SELECT c.id FROM cases c WHERE c.program = $1 AND c.benefit_start IS NOT NULL \
                 AND c.id > $2 AND c.id <= $3 AND NOT {} ORDER BY c.id",
                settled_sql("$4")
            )))
            .bind(program)
            .bind(after)
            .bind(upto)
            .bind(timestamp(path.decided_by))
            .fetch_all(&mut *tx)
            .await
            .map_err(StoreError::from)?;
            pick = Pick::Ids(unsettled.into_iter().map(|(id,)| id).collect());
            // Last month's regular payment of a case is its line in last month's run of the
            // programme once that run is approved: a regular entry is written only by the
            // approval of its benefit month's run (one per month and programme), as the
            // line's amount, and a case never changes programme. The run's lines lie in
            // case order (each chunk's set-based lines, then its per-case ones), where the
            // ledger's case index sends each look-up to another part of a file of every
            // month's entries (2–3× slower at 1 M households).
            let prev_run: Option<(i64,)> = sqlx::query_as(
                "SELECT id FROM payroll_runs WHERE program = $1 AND month = $2 \
                 AND state NOT IN ('draft', 'checked')",
            )
            .bind(program)
            .bind(&path.prev_month)
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::from)?;
            let mut sql = Sql::default();
            let (lo, hi) = (sql.int(after), sql.int(upto));
            let narrow = format!("c.id > {lo} AND c.id <= {hi}{}", pick.excluded());
            let due = due_select(&path.rule, &mut sql, &narrow);
            let (run, month, prev, jump, prev_run) = (
                sql.int(run_id),
                sql.text(&path.rule.month),
                sql.text(&path.prev_month),
                sql.int(path.jump_pct),
                // No run approved: an id no line has.
                sql.int(prev_run.map_or(0, |(id,)| id)),
            );
            // What the Rust pass does per case: a line when something is due or last
            // month's regular payment was not zero; flagged when it jumps by more than the
            // share (both amounts are far below the range where i64 could overflow).
            let text = format!(
                "INSERT INTO payroll_lines (run_id, case_id, household_id, division_code, \
                 area, benefit_month, kind, amount_fen, members, prev_fen, flagged) \
                 SELECT {run}, d.case_id, d.household_id, d.division_code, d.area, {month}, \
                 'regular', \
                 d.due, d.members, d.prev, CASE WHEN d.prev IS NOT NULL AND d.due > 0 \
                 AND ABS(d.due - d.prev) * 100 > {jump} * d.prev THEN 1 ELSE 0 END \
                 FROM (SELECT t.*, (SELECT CAST(NULLIF(l.amount_fen, 0) AS BIGINT) \
                   FROM payroll_lines l WHERE l.run_id = {prev_run} \
                   AND l.case_id = t.case_id AND l.benefit_month = {prev} \
                   AND l.kind = 'regular') AS prev \
                   FROM ({due}) t) d \
                 WHERE d.due > 0 OR d.prev IS NOT NULL ORDER BY d.case_id"
            );
            written += sql
                .query(text)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from)?
                .rows_affected();
        }
        let others = cases_in(&mut tx, program, after, upto, limit, &pick).await?;
        let lines = compute(others)?;
        insert_lines(&mut tx, self.backend, run_id, &lines).await?;
        written += lines.len() as u64;
        sqlx::query("UPDATE payroll_runs SET computed_upto = $1 WHERE id = $2")
            .bind(upto)
            .bind(run_id)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        audit::append(&mut tx, self.backend, &audit(after + 1, upto, written)).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(Some(ChunkDone {
            upto,
            cases: u64::try_from(cases).unwrap_or(0),
            lines: written,
        }))
    }

    /// Marks a draft run as checked (every case computed), storing its household count and
    /// total from `summary` ([`Store::run_summary`] of its finished lines, which nothing
    /// writes any more), with its audit entry. A run no longer a draft is left alone: `Ok(false)`.
    pub async fn finish_run(
        &self,
        run_id: i64,
        summary: &RunSummary,
        entry: &AuditEntry,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write().await?;
        let state: Option<(String,)> =
            sqlx::query_as("SELECT state FROM payroll_runs WHERE id = $1")
                .bind(run_id)
                .fetch_optional(&mut *tx)
                .await?;
        if state.ok_or(StoreError::NotFound)?.0 != "draft" {
            return Ok(false);
        }
        sqlx::query(
            "UPDATE payroll_runs SET state = 'checked', households = $2, total_fen = $3 \
             WHERE id = $1",
        )
        .bind(run_id)
        .bind(summary.households)
        .bind(summary.total_fen)
        .execute(&mut *tx)
        .await?;
        audit::append(&mut tx, self.backend, entry).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Approves a checked run: its non-zero lines become ledger entries (one statement), the
    /// run records its approver, with the audit entry; returns the number of entries. The
    /// run must still be `checked` (a conflict with constraint `state` otherwise); the
    /// ledger's unique key refuses any entry paid before.
    pub async fn approve_run(
        &self,
        run_id: i64,
        approver: &str,
        entry: &AuditEntry,
    ) -> Result<u64, StoreError> {
        let mut tx = self.write().await?;
        self.ledger_cache(&mut tx).await?;
        let run = sqlx::query(dynamic(format!(
            "SELECT {RUN_COLUMNS} FROM payroll_runs WHERE id = $1"
        )))
        .bind(run_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let run = read_run(&run)?;
        if run.state != "checked" {
            return Err(StoreError::Conflict {
                what: format!("run {run_id} is {}", run.state),
                constraint: Some("state".into()),
            });
        }
        let at = timestamp(entry.at);
        let done = sqlx::query(
            "INSERT INTO payroll_ledger (program, household_id, case_id, division_code, area, \
             benefit_month, kind, paid_in, seq, amount_fen, run_id, reason, recorded_by, \
             recorded_at) \
             SELECT $1, household_id, case_id, division_code, area, benefit_month, kind, $2, 1, \
             amount_fen, run_id, reason, $3, $4 FROM payroll_lines \
             WHERE run_id = $5 AND amount_fen <> 0 \
             ORDER BY case_id, household_id, benefit_month, kind",
        )
        .bind(&run.program)
        .bind(&run.month)
        .bind(approver)
        .bind(&at)
        .bind(run_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        add_to_totals(&mut tx, "run_id = $1", run_id).await?;
        sqlx::query(
            "UPDATE payroll_runs SET state = 'approved', approved_by = $1, approved_at = $2 \
             WHERE id = $3",
        )
        .bind(approver)
        .bind(&at)
        .bind(run_id)
        .execute(&mut *tx)
        .await?;
        audit::append(&mut tx, self.backend, entry).await?;
        tx.commit().await?;
        Ok(done)
    }

    /// A run's totals and its difference from the month before.
    pub async fn run_summary(
        &self,
        run_id: i64,
        prev_month: &str,
    ) -> Result<RunSummary, StoreError> {
        let row = sqlx::query(
            "SELECT CAST(COUNT(DISTINCT CASE WHEN amount_fen <> 0 THEN household_id END) AS BIGINT) AS households, \
             CAST(COALESCE(SUM(CASE WHEN kind = 'regular' THEN amount_fen ELSE 0 END), 0) AS BIGINT) AS regular, \
             CAST(COALESCE(SUM(CASE WHEN kind = 'arrears' THEN amount_fen ELSE 0 END), 0) AS BIGINT) AS arrears, \
             CAST(COALESCE(SUM(CASE WHEN kind = 'recovery' THEN amount_fen ELSE 0 END), 0) AS BIGINT) AS recovery, \
             CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) AS total, \
             CAST(COALESCE(SUM(CASE WHEN kind = 'regular' AND prev_fen IS NULL AND amount_fen > 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS added, \
             CAST(COALESCE(SUM(CASE WHEN kind = 'regular' AND prev_fen IS NOT NULL AND amount_fen = 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS stopped, \
             CAST(COALESCE(SUM(CASE WHEN kind = 'regular' AND prev_fen IS NOT NULL AND amount_fen > 0 AND amount_fen <> prev_fen THEN 1 ELSE 0 END), 0) AS BIGINT) AS changed, \
             CAST(COALESCE(SUM(flagged), 0) AS BIGINT) AS flagged, \
             CAST(COALESCE(SUM(CASE WHEN kind <> 'regular' THEN 1 ELSE 0 END), 0) AS BIGINT) AS corrections \
             FROM payroll_lines WHERE run_id = $1",
        )
        .bind(run_id)
        .fetch_one(&self.pool)
        .await?;
        let program: (String,) = sqlx::query_as("SELECT program FROM payroll_runs WHERE id = $1")
            .bind(run_id)
            .fetch_one(&self.pool)
            .await?;
        let prev: (i64, i64) = sqlx::query_as(
            "SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) \
             FROM payroll_ledger WHERE paid_in = $2 AND program = $1 AND kind = 'regular'",
        )
        .bind(&program.0)
        .bind(prev_month)
        .fetch_one(&self.pool)
        .await?;
        Ok(RunSummary {
            households: row.try_get("households")?,
            regular_fen: row.try_get("regular")?,
            arrears_fen: row.try_get("arrears")?,
            recovery_fen: row.try_get("recovery")?,
            total_fen: row.try_get("total")?,
            added: row.try_get("added")?,
            stopped: row.try_get("stopped")?,
            changed: row.try_get("changed")?,
            flagged: row.try_get("flagged")?,
            corrections: row.try_get("corrections")?,
            prev_households: prev.0,
            prev_fen: prev.1,
        })
    }

    /// A page of a run's lines (`offset`, at most [`MAX_PAGE_ROWS`]) in case order, within
    /// `root`'s subtree, with the reason for each difference from the case history.
    pub async fn run_lines(
        &self,
        run_id: i64,
        selection: LineSelection,
        root: Option<&domain::DivisionCode>,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<RunLine>, i64), StoreError> {
        let run = self.payroll_run(run_id).await?;
        let first_day = format!("{}-01", run.month);
        let condition = match selection {
            LineSelection::All => "1 = 1",
            LineSelection::Added => {
                "l.kind = 'regular' AND l.prev_fen IS NULL AND l.amount_fen > 0"
            }
            LineSelection::Stopped => {
                "l.kind = 'regular' AND l.prev_fen IS NOT NULL AND l.amount_fen = 0"
            }
            LineSelection::Changed => {
                "l.kind = 'regular' AND l.prev_fen IS NOT NULL AND l.amount_fen > 0 \
                 AND l.amount_fen <> l.prev_fen"
            }
            LineSelection::Flagged => "l.flagged = 1",
            LineSelection::Corrections => "l.kind <> 'regular'",
        };
        let prefix = root.map_or_else(|| "%".to_owned(), |r| format!("{}%", subtree_prefix(r)));
        let total: (i64,) = sqlx::query_as(dynamic(format!(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM payroll_lines l WHERE l.run_id = $1 \
             AND l.division_code LIKE $2 AND {condition}"
        )))
        .bind(run_id)
        .bind(&prefix)
        .fetch_one(&self.pool)
        .await?;
        let rows = sqlx::query(dynamic(format!(
            "SELECT l.case_id, l.household_id, l.division_code, d.name AS division_name, \
             l.benefit_month, l.kind, l.amount_fen, l.members, l.prev_fen, l.flagged, \
             COALESCE((SELECT p.name FROM members m JOIN persons p ON p.id = m.person_id \
              WHERE m.household_id = l.household_id AND m.relation = 'head' \
              ORDER BY m.id LIMIT 1), (SELECT p.name FROM veteran_entitlements v \
              JOIN persons p ON p.id = v.person_id WHERE v.household_id = l.household_id \
              ORDER BY v.id LIMIT 1)) AS head_name, \
             (SELECT x.kind FROM case_changes x WHERE x.case_id = l.case_id \
              AND x.effective_from = $3 ORDER BY x.seq DESC LIMIT 1) AS change_kind, \
             (SELECT x.reason FROM case_changes x WHERE x.case_id = l.case_id \
              AND x.effective_from = $3 ORDER BY x.seq DESC LIMIT 1) AS change_reason, \
             (SELECT a.step FROM case_actions a WHERE a.case_id = l.case_id \
              AND a.step IN ('approve', 'import') ORDER BY a.seq DESC LIMIT 1) AS start_step \
             FROM payroll_lines l LEFT JOIN divisions d ON d.code = l.division_code \
             WHERE l.run_id = $1 AND l.division_code LIKE $2 AND {condition} \
             ORDER BY l.case_id, l.household_id, l.benefit_month, l.kind LIMIT $4 OFFSET $5"
        )))
        .bind(run_id)
        .bind(&prefix)
        .bind(first_day)
        .bind(limit.clamp(1, MAX_PAGE_ROWS))
        .bind(offset.max(0))
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let division_name: Option<String> = row.try_get("division_name")?;
            let head: Option<String> = row.try_get("head_name")?;
            out.push(RunLine {
                case_id: row.try_get("case_id")?,
                household_id: row.try_get("household_id")?,
                division_code: row.try_get("division_code")?,
                division_name: division_name.unwrap_or_default(),
                head_name: head.unwrap_or_default(),
                benefit_month: row.try_get("benefit_month")?,
                kind: row.try_get("kind")?,
                amount_fen: row.try_get("amount_fen")?,
                members: row.try_get("members")?,
                prev_fen: row.try_get("prev_fen")?,
                flagged: row.try_get::<i64, _>("flagged")? != 0,
                change_kind: row.try_get("change_kind")?,
                change_reason: row.try_get("change_reason")?,
                start_step: row.try_get("start_step")?,
            });
        }
        Ok((out, total.0))
    }

    /// A page of ledger entries matching `filter`, newest payment month first, and the
    /// count and sum of all that match.
    pub async fn ledger_page(
        &self,
        filter: &LedgerFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<LedgerEntry>, i64, i64), StoreError> {
        let prefix = filter
            .jurisdiction
            .as_ref()
            .map_or_else(|| "%".to_owned(), |r| format!("{}%", subtree_prefix(r)));
        let condition = "e.division_code LIKE $1 AND ($2 = '' OR e.program = $2) \
             AND ($3 = 0 OR e.household_id = $3) AND ($4 = 0 OR e.case_id = $4) \
             AND ($5 = '' OR e.paid_in = $5) AND ($6 = '' OR e.benefit_month = $6) \
             AND ($7 = '' OR e.kind = $7)";
        let bind = |sql: String| {
            sqlx::query(dynamic(sql))
                .bind(prefix.clone())
                .bind(filter.program.clone().unwrap_or_default())
                .bind(filter.household_id.unwrap_or(0))
                .bind(filter.case_id.unwrap_or(0))
                .bind(filter.paid_in.clone().unwrap_or_default())
                .bind(filter.benefit_month.clone().unwrap_or_default())
                .bind(filter.kind.clone().unwrap_or_default())
        };
        let totals = bind(format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n, CAST(COALESCE(SUM(e.amount_fen), 0) AS BIGINT) AS s \
             FROM payroll_ledger e WHERE {condition}"
        ))
        .fetch_one(&self.pool)
        .await?;
        let rows = bind(format!(
            "SELECT {LEDGER_COLUMNS} FROM payroll_ledger e WHERE {condition} \
             ORDER BY e.paid_in DESC, e.case_id, e.benefit_month, e.id LIMIT $8 OFFSET $9"
        ))
        .bind(limit.clamp(1, MAX_PAGE_ROWS))
        .bind(offset.max(0))
        .fetch_all(&self.pool)
        .await?;
        let entries = rows.iter().map(read_entry).collect::<Result<Vec<_>, _>>()?;
        Ok((entries, totals.try_get("n")?, totals.try_get("s")?))
    }

    /// Every ledger entry in key order (program, household, benefit month, kind, paid_in,
    /// seq), without the head's name: what two ledgers are compared by.
    pub async fn ledger_all(&self) -> Result<Vec<LedgerEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT e.id, e.program, e.household_id, e.case_id, e.division_code, \
             e.benefit_month, e.kind, e.paid_in, e.seq, e.amount_fen, e.run_id, e.reverses, \
             e.reason, e.recorded_by, e.recorded_at, CAST(NULL AS TEXT) AS head_name \
             FROM payroll_ledger e \
             ORDER BY e.program, e.household_id, e.benefit_month, e.kind, e.paid_in, e.seq",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(read_entry).collect()
    }

    /// What approved runs paid per payment month and programme between `from` and `to`
    /// (`YYYY-MM`, inclusive), within `root`'s subtree: the figure reports count. Only
    /// approved runs write the ledger, so every entry counts.
    pub async fn paid_by_month(
        &self,
        from: &str,
        to: &str,
        root: Option<&domain::DivisionCode>,
    ) -> Result<Vec<MonthPaid>, StoreError> {
        let prefix = root.map_or_else(|| "%".to_owned(), |r| format!("{}%", subtree_prefix(r)));
        let rows = sqlx::query(
            "SELECT paid_in, program, CAST(COUNT(DISTINCT household_id) AS BIGINT) AS households, \
             CAST(COUNT(*) AS BIGINT) AS entries, CAST(SUM(amount_fen) AS BIGINT) AS amount \
             FROM payroll_ledger WHERE program IN (SELECT DISTINCT program FROM payroll_runs) \
             AND paid_in >= $1 AND paid_in <= $2 AND division_code LIKE $3 \
             GROUP BY paid_in, program ORDER BY paid_in, program",
        )
        .bind(from)
        .bind(to)
        .bind(prefix)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(MonthPaid {
                    paid_in: r.try_get("paid_in")?,
                    program: r.try_get("program")?,
                    households: r.try_get("households")?,
                    entries: r.try_get("entries")?,
                    amount_fen: r.try_get("amount")?,
                })
            })
            .collect()
    }

    /// The groups (programme, payment month, division, area, recording moment) where the
    /// ledger's kept totals differ from its entries, or that one of the two lacks: 0 when
    /// the totals the money figures read are the ledger's own sums.
    pub async fn ledger_totals_drift(&self) -> Result<i64, StoreError> {
        let sums = "SELECT program, paid_in, division_code, area, recorded_at, \
             CAST(COUNT(*) AS BIGINT) AS entries, CAST(SUM(amount_fen) AS BIGINT) AS amount_fen, \
             CAST(SUM(CASE WHEN amount_fen > 0 THEN 1 ELSE 0 END) AS BIGINT) AS positive \
             FROM payroll_ledger GROUP BY program, paid_in, division_code, area, recorded_at";
        let kept = "SELECT program, paid_in, division_code, area, recorded_at, entries, \
             amount_fen, positive FROM ledger_totals";
        self.rows_differing(sums, kept).await
    }

    /// Appends a reversal of entry `original` and, when `replacement` is given, a one-off
    /// entry with the right amount, both paid in `paid_in`, with the audit entry; returns
    /// the new entries' ids. An entry is reversed at most once (a unique index).
    pub async fn reverse_entry(
        &self,
        original: i64,
        paid_in: &str,
        replacement: Option<i64>,
        reason: &str,
        entry: &AuditEntry,
    ) -> Result<Vec<i64>, StoreError> {
        let mut tx = self.write().await?;
        let row = sqlx::query(dynamic(format!(
            "SELECT {LEDGER_COLUMNS} FROM payroll_ledger e WHERE e.id = $1"
        )))
        .bind(original)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let e = read_entry(&row)?;
        let at = timestamp(entry.at);
        let mut ids = Vec::new();
        for (kind, amount, reverses) in [
            ("reversal", Some(-e.amount_fen), Some(original)),
            ("one_off", replacement, None),
        ] {
            let Some(amount) = amount else { continue };
            let seq: (i64,) = sqlx::query_as(
                "SELECT CAST(COALESCE(MAX(seq), 0) + 1 AS BIGINT) FROM payroll_ledger \
                 WHERE program = $1 AND household_id = $2 AND benefit_month = $3 \
                 AND kind = $4 AND paid_in = $5",
            )
            .bind(&e.program)
            .bind(e.household_id)
            .bind(&e.benefit_month)
            .bind(kind)
            .bind(paid_in)
            .fetch_one(&mut *tx)
            .await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO payroll_ledger (program, household_id, case_id, division_code, \
                 area, benefit_month, kind, paid_in, seq, amount_fen, run_id, reverses, reason, \
                 recorded_by, recorded_at) VALUES ($1, $2, $3, $4, \
                 (SELECT o.area FROM payroll_ledger o WHERE o.id = $14), $5, $6, $7, $8, $9, \
                 NULL, $10, $11, $12, $13) RETURNING id",
            )
            .bind(&e.program)
            .bind(e.household_id)
            .bind(e.case_id)
            .bind(&e.division_code)
            .bind(&e.benefit_month)
            .bind(kind)
            .bind(paid_in)
            .bind(seq.0)
            .bind(amount)
            .bind(reverses)
            .bind(reason)
            .bind(&entry.actor)
            .bind(&at)
            .bind(original)
            .fetch_one(&mut *tx)
            .await?;
            add_to_totals(&mut tx, "id = $1", id).await?;
            ids.push(id);
        }
        audit::append(&mut tx, self.backend, entry).await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// A set-based benchmark baseline for `rule`'s month: one `INSERT … SELECT` applying
    /// it to every case of its programme (the statement a run's settled cases take,
    /// without the cut-off, keys or audit) into `baseline`'s scratch table, created here.
    /// `prev_month` (`YYYY-MM`, or empty) is the month [`Baseline::Floor`] reads last
    /// month's payment from. Returns the rows written (the cases due something).
    pub async fn bench_insert_select(
        &self,
        baseline: Baseline,
        rule: &MonthRule,
        prev_month: &str,
    ) -> Result<u64, StoreError> {
        let mut tx = self.write().await?;
        // The ledger's own id: SQLite's rowid, PostgreSQL's identity.
        let id = match self.backend {
            crate::Backend::Sqlite => "id INTEGER PRIMARY KEY",
            crate::Backend::Postgres => "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        };
        let floor = format!(
            "CREATE TABLE IF NOT EXISTS bench_floor ({id}, \
             program TEXT NOT NULL, household_id BIGINT NOT NULL REFERENCES households (id), \
             case_id BIGINT NOT NULL REFERENCES cases (id), division_code TEXT NOT NULL, \
             area TEXT NOT NULL, benefit_month TEXT NOT NULL, kind TEXT NOT NULL, \
             paid_in TEXT NOT NULL, seq BIGINT NOT NULL, amount_fen BIGINT NOT NULL, \
             prev_fen BIGINT, recorded_by TEXT NOT NULL, recorded_at TEXT NOT NULL, \
             UNIQUE (program, paid_in, household_id, benefit_month, kind, seq))"
        );
        let create: Vec<String> = match baseline {
            Baseline::Bare => vec![
                "CREATE TABLE IF NOT EXISTS bench_bare (case_id BIGINT NOT NULL, \
                 benefit_month TEXT NOT NULL, amount_fen BIGINT NOT NULL, \
                 UNIQUE (case_id, benefit_month))"
                    .to_owned(),
            ],
            // The ledger's row (what a payment must say), its id, its unique key, its
            // references, and the case index the arrears are read by. Last month's payment
            // is read through the unique key, where one month's entries lie together in
            // household order: the cheapest look-up a ledger alone offers.
            Baseline::Floor => vec![
                floor,
                "CREATE INDEX IF NOT EXISTS bench_floor_case ON bench_floor (case_id, benefit_month)"
                    .to_owned(),
            ],
        };
        for statement in create {
            sqlx::query(dynamic(statement)).execute(&mut *tx).await?;
        }
        let mut sql = Sql::default();
        let due = due_select(rule, &mut sql, "1 = 1");
        let month = sql.text(&rule.month);
        let text = match baseline {
            Baseline::Bare => format!(
                "INSERT INTO bench_bare (case_id, benefit_month, amount_fen) \
                 SELECT d.case_id, {month}, d.due FROM ({due}) d WHERE d.due > 0"
            ),
            Baseline::Floor => {
                let (program, prev) = (sql.text(&rule.program), sql.text(prev_month));
                format!(
                    "INSERT INTO bench_floor (program, household_id, case_id, division_code, \
                     area, benefit_month, kind, paid_in, seq, amount_fen, prev_fen, recorded_by, \
                     recorded_at) \
                     SELECT {program}, d.household_id, \
                     d.case_id, d.division_code, d.area, {month}, 'regular', {month}, 1, d.due, \
                     (SELECT e.amount_fen FROM bench_floor e WHERE e.program = {program} \
                      AND e.paid_in = {prev} AND e.household_id = d.household_id \
                      AND e.benefit_month = {prev} AND e.kind = 'regular' AND e.seq = 1 \
                      AND e.case_id = d.case_id), 'bench', 'bench' \
                     FROM ({due}) d WHERE d.due > 0 ORDER BY d.case_id"
                )
            }
        };
        let n = sql.query(text).execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        Ok(n)
    }

    /// A baseline's rows and their sum, to compare with the ledger's.
    pub async fn bench_totals(&self, baseline: Baseline) -> Result<(i64, i64), StoreError> {
        Ok(sqlx::query_as(dynamic(format!(
            "SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) \
             FROM {}",
            baseline.table()
        )))
        .fetch_one(&self.pool)
        .await?)
    }

    /// Tries to change or remove a ledger row directly, as an attacker with SQL access
    /// would; the triggers must refuse both. For the immutability test only.
    pub async fn try_tamper_ledger(
        &self,
        id: i64,
    ) -> (Result<(), StoreError>, Result<(), StoreError>) {
        let update =
            sqlx::query("UPDATE payroll_ledger SET amount_fen = amount_fen + 1 WHERE id = $1")
                .bind(id)
                .execute(&self.pool)
                .await
                .map(|_| ())
                .map_err(StoreError::from);
        let delete = sqlx::query("DELETE FROM payroll_ledger WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(StoreError::from);
        (update, delete)
    }
}

/// Whether case `c` may take the set-based path of a run whose decisions are bounded by
/// placeholder `bound` (a timestamp): decided (approved or imported) at or before it, and
/// no change ever recorded. Such a case's facts are its rows as they stand, and none of its
/// earlier months can be stale, so the rule in SQL gives exactly what the Rust pass would.
/// Two-valued (EXISTS only), so `NOT (…)` selects exactly the other cases.
fn settled_sql(bound: &str) -> String {
    format!(
        "(EXISTS (SELECT 1 FROM case_actions a WHERE a.case_id = c.id \
           AND a.step IN ('approve', 'import')) \
         AND NOT EXISTS (SELECT 1 FROM case_actions a WHERE a.case_id = c.id \
           AND a.step IN ('approve', 'import') AND a.at > {bound}) \
         AND NOT EXISTS (SELECT 1 FROM case_changes x WHERE x.case_id = c.id))"
    )
}

/// Which cases of a chunk [`cases_in`] reads.
enum Pick {
    /// Every case in the range.
    Range,
    /// These cases (in id order), found beforehand.
    Ids(Vec<i64>),
}

impl Pick {
    /// The ids as an SQL list of integer literals (never text, so nothing to escape).
    fn list(ids: &[i64]) -> String {
        ids.iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A condition on `c` leaving the picked ids out (empty for a range).
    fn excluded(&self) -> String {
        match self {
            Pick::Ids(ids) if !ids.is_empty() => format!(" AND c.id NOT IN ({})", Pick::list(ids)),
            _ => String::new(),
        }
    }
}

/// Up to `limit` cases of `program` with a benefit start and an id in `(after, upto]`, in id
/// order, with what a run computes from; with [`Pick::Ids`], only those.
async fn cases_in(
    conn: &mut AnyConnection,
    program: &str,
    after: i64,
    upto: i64,
    limit: i64,
    pick: &Pick,
) -> Result<Vec<PayrollCase>, StoreError> {
    let only = match pick {
        Pick::Range => String::new(),
        Pick::Ids(ids) if ids.is_empty() => return Ok(Vec::new()),
        Pick::Ids(ids) => format!("AND c.id IN ({})", Pick::list(ids)),
    };
    let rows = sqlx::query(dynamic(format!(
        "SELECT c.id, c.household_id, c.income_per_capita_fen, c.benefit_start, \
         c.benefit_end, c.active, c.version, h.division_code, h.area, \
         (SELECT MAX(a.at) FROM case_actions a WHERE a.case_id = c.id \
          AND a.step IN ('approve', 'import')) AS decided_at \
         FROM cases c JOIN households h ON h.id = c.household_id \
         WHERE c.program = $1 AND c.benefit_start IS NOT NULL AND c.id > $2 AND c.id <= $4 \
         {only} ORDER BY c.id LIMIT $3"
    )))
    .bind(program)
    .bind(after)
    .bind(limit)
    .bind(upto)
    .fetch_all(&mut *conn)
    .await?;
    let mut out: Vec<PayrollCase> = Vec::with_capacity(rows.len());
    for row in &rows {
        let start: String = row.try_get("benefit_start")?;
        let division: String = row.try_get("division_code")?;
        let area: String = row.try_get("area")?;
        let decided: Option<String> = row.try_get("decided_at")?;
        out.push(PayrollCase {
            file: CaseFile {
                case: CaseRecord {
                    id: row.try_get("id")?,
                    household_id: row.try_get("household_id")?,
                    program: program.to_owned(),
                    income_per_capita_fen: row.try_get("income_per_capita_fen")?,
                    benefit_start: Some(date(&start)?),
                    benefit_end: opt_date(row.try_get("benefit_end")?)?,
                    active: row.try_get::<i64, _>("active")? != 0,
                    version: row.try_get("version")?,
                    created_at: DateTime::<Utc>::MIN_UTC,
                    division_code: code(&division)?,
                    division_name: String::new(),
                    address: String::new(),
                    area: domain::Area::parse(&area).map_err(|_| StoreError::Corrupt {
                        what: format!("area {area:?}"),
                    })?,
                },
                members: Vec::new(),
                actions: Vec::new(),
            },
            changes: Vec::new(),
            decided_at: decided.as_deref().map(parse_timestamp).transpose()?,
            paid: HashMap::new(),
        });
    }
    let (Some(first), Some(last)) = (out.first(), out.last()) else {
        return Ok(out);
    };
    let (lo, hi) = (first.file.case.id, last.file.case.id);
    let index: HashMap<i64, usize> = out
        .iter()
        .enumerate()
        .map(|(i, c)| (c.file.case.id, i))
        .collect();
    // Exactly the cases read, so that the members and payments of settled cases between
    // `lo` and `hi` are not read for nothing.
    let chosen = Pick::list(&index.keys().copied().collect::<Vec<_>>());
    let members = sqlx::query(dynamic(format!(
        "SELECT c.id AS case_id, m.id, m.person_id, p.birth_date, m.relation, \
         m.disability_grade, m.severe_illness, m.employment, m.self_care, m.joined_on, \
         m.left_on FROM cases c JOIN members m ON m.household_id = c.household_id \
         JOIN persons p ON p.id = m.person_id \
         WHERE c.id IN ({chosen}) ORDER BY c.id, m.id"
    )))
    .fetch_all(&mut *conn)
    .await?;
    for row in &members {
        let case_id: i64 = row.try_get("case_id")?;
        let Some(&i) = index.get(&case_id) else {
            continue;
        };
        let birth: String = row.try_get("birth_date")?;
        let joined: String = row.try_get("joined_on")?;
        out[i].file.members.push(MemberRecord {
            id: row.try_get("id")?,
            person_id: row.try_get("person_id")?,
            id_number: String::new(),
            name: String::new(),
            birth_date: date(&birth)?,
            sex: String::new(),
            relation: row.try_get("relation")?,
            disability_grade: row.try_get("disability_grade")?,
            severe_illness: row.try_get::<i64, _>("severe_illness")? != 0,
            employment: row.try_get("employment")?,
            self_care: row.try_get("self_care")?,
            joined_on: date(&joined)?,
            left_on: opt_date(row.try_get("left_on")?)?,
        });
    }
    // Settled cases have no changes: the range alone selects the right ones.
    let changes = sqlx::query(dynamic(format!(
        "SELECT x.case_id, {CHANGE_COLUMNS} FROM case_changes x \
         LEFT JOIN members m ON m.id = x.member_id \
         LEFT JOIN persons p ON p.id = m.person_id \
         WHERE x.case_id >= $1 AND x.case_id <= $2 ORDER BY x.case_id, x.seq"
    )))
    .bind(lo)
    .bind(hi)
    .fetch_all(&mut *conn)
    .await?;
    for row in &changes {
        let case_id: i64 = row.try_get("case_id")?;
        if let Some(&i) = index.get(&case_id) {
            out[i].changes.push(read_change(row)?);
        }
    }
    let paid = sqlx::query(dynamic(format!(
        "SELECT case_id, benefit_month, CAST(SUM(amount_fen) AS BIGINT) AS total, \
         CAST(SUM(CASE WHEN kind = 'regular' THEN amount_fen ELSE 0 END) AS BIGINT) AS regular \
         FROM payroll_ledger WHERE case_id IN ({chosen}) \
         GROUP BY case_id, benefit_month"
    )))
    .fetch_all(&mut *conn)
    .await?;
    for row in &paid {
        let case_id: i64 = row.try_get("case_id")?;
        if let Some(&i) = index.get(&case_id) {
            out[i].paid.insert(
                row.try_get("benefit_month")?,
                (row.try_get("total")?, row.try_get("regular")?),
            );
        }
    }
    Ok(out)
}

/// A value bound to a statement assembled at run time.
enum Bind {
    Int(i64),
    Text(String),
}

/// A statement assembled at run time with its values as numbered parameters.
#[derive(Default)]
struct Sql {
    binds: Vec<Bind>,
}

impl Sql {
    fn int(&mut self, v: i64) -> String {
        self.binds.push(Bind::Int(v));
        format!("${}", self.binds.len())
    }

    fn text(&mut self, v: impl Into<String>) -> String {
        self.binds.push(Bind::Text(v.into()));
        format!("${}", self.binds.len())
    }

    fn query(
        &self,
        text: String,
    ) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments> {
        let mut q = sqlx::query(dynamic(text));
        for b in &self.binds {
            q = match b {
                Bind::Int(v) => q.bind(*v),
                Bind::Text(v) => q.bind(v.clone()),
            };
        }
        q
    }
}

/// The benefit of every case of the rule's programme for its month, set-based: one row per
/// case (`case_id`, `household_id`, `division_code`, `members`, `due`), the cases narrowed
/// by `narrow` (a condition on `c`). It is `domain::assistance::monthly_benefit` over the
/// facts `facts_at` reads for a case without changes: covered when the benefit period
/// touches the month, the members counted on its first day; 低保 (S − income)⁺ × members
/// plus each member's largest increment ⌊S × pct / 100⌋, 特困 S × members plus each
/// member's care standard.
fn due_select(rule: &MonthRule, sql: &mut Sql, narrow: &str) -> String {
    let first = sql.text(&rule.first_day);
    let last = sql.text(&rule.last_day);
    let program = sql.text(&rule.program);
    let urban = sql.int(rule.standard_urban);
    let rural = sql.int(rule.standard_rural);
    let s = format!("(CASE WHEN h.area = 'urban' THEN {urban} ELSE {rural} END)");
    let mut persons = "";
    let amount = if rule.tekun {
        let mut care = String::new();
        for (area, level, fen) in &rule.care {
            let (a, l, f) = (sql.text(*area), sql.text(*level), sql.int(*fen));
            let _ = write!(care, " WHEN h.area = {a} AND m.self_care = {l} THEN {f}");
        }
        if care.is_empty() {
            format!("{s} * COUNT(m.id)")
        } else {
            format!("{s} * COUNT(m.id) + COALESCE(SUM(CASE{care} ELSE 0 END), 0)")
        }
    } else {
        let income = "COALESCE(c.income_per_capita_fen, 0)";
        let base =
            format!("(CASE WHEN {s} > {income} THEN {s} - {income} ELSE 0 END) * COUNT(m.id)");
        let mut pct = String::new();
        for (when, p) in &rule.increments {
            let cond = match when {
                IncrementWhen::DisabilityGrade { min, max } => {
                    let (lo, hi) = (sql.int(*min), sql.int(*max));
                    format!(
                        "m.disability_grade <> 0 AND m.disability_grade >= {lo} AND m.disability_grade <= {hi}"
                    )
                }
                IncrementWhen::SevereIllness => "m.severe_illness <> 0".to_owned(),
                IncrementWhen::BornBy(day) => {
                    persons = "LEFT JOIN persons p ON p.id = m.person_id";
                    format!("p.birth_date <= {}", sql.text(day))
                }
            };
            let _ = write!(pct, " WHEN {cond} THEN {}", sql.int(*p));
        }
        if pct.is_empty() {
            base
        } else {
            format!("{base} + COALESCE(SUM({s} * (CASE{pct} ELSE 0 END) / 100), 0)")
        }
    };
    let covered = format!(
        "c.benefit_start <= {last} AND (c.benefit_end IS NULL OR c.benefit_end >= {first})"
    );
    format!(
        "SELECT c.id AS case_id, c.household_id, h.division_code, h.area, \
         CAST(CASE WHEN {covered} THEN COUNT(m.id) ELSE 0 END AS BIGINT) AS members, \
         CAST(CASE WHEN {covered} AND COUNT(m.id) > 0 THEN {amount} ELSE 0 END AS BIGINT) AS due \
         FROM cases c JOIN households h ON h.id = c.household_id \
         LEFT JOIN members m ON m.household_id = c.household_id AND m.joined_on <= {first} \
         AND (m.left_on IS NULL OR m.left_on >= {first}) {persons} \
         WHERE c.program = {program} AND c.benefit_start IS NOT NULL AND {narrow} \
         GROUP BY c.id, c.household_id, h.division_code, h.area, c.income_per_capita_fen, \
         c.benefit_start, c.benefit_end"
    )
}

/// Adds the ledger entries matching `condition` (on `payroll_ledger`, binding `$1` to
/// `key`), just appended in this transaction, to `ledger_totals` (migration 0021): every
/// statement that appends to the ledger calls this before it commits, so the totals are
/// always the ledger's own sums, which the money figures read.
pub(crate) async fn add_to_totals(
    conn: &mut AnyConnection,
    condition: &str,
    key: i64,
) -> Result<(), StoreError> {
    sqlx::query(dynamic(format!(
        "INSERT INTO ledger_totals (program, paid_in, division_code, area, recorded_at, \
         entries, amount_fen, positive) \
         SELECT program, paid_in, division_code, area, recorded_at, CAST(COUNT(*) AS BIGINT), \
         CAST(SUM(amount_fen) AS BIGINT), \
         CAST(SUM(CASE WHEN amount_fen > 0 THEN 1 ELSE 0 END) AS BIGINT) \
         FROM payroll_ledger WHERE {condition} \
         GROUP BY program, paid_in, division_code, area, recorded_at \
         ON CONFLICT (program, paid_in, division_code, area, recorded_at) DO UPDATE SET \
         entries = ledger_totals.entries + excluded.entries, \
         amount_fen = ledger_totals.amount_fen + excluded.amount_fen, \
         positive = ledger_totals.positive + excluded.positive"
    )))
    .bind(key)
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes lines of run `run_id` in multi-row INSERTs.
async fn insert_lines(
    conn: &mut AnyConnection,
    backend: crate::Backend,
    run_id: i64,
    lines: &[NewLine],
) -> Result<(), StoreError> {
    const COLUMNS: &[&str] = &[
        "run_id",
        "case_id",
        "household_id",
        "division_code",
        "area",
        "benefit_month",
        "kind",
        "amount_fen",
        "members",
        "prev_fen",
        "flagged",
    ];
    let per = (MAX_PARAMS / COLUMNS.len()).clamp(1, MAX_ROWS_PER_STATEMENT);
    for chunk in lines.chunks(per) {
        let mut sql = format!("INSERT INTO payroll_lines ({}) VALUES ", COLUMNS.join(", "));
        let mut n = 0;
        for (r, _) in chunk.iter().enumerate() {
            if r > 0 {
                sql.push(',');
            }
            sql.push('(');
            for c in 0..COLUMNS.len() {
                if c > 0 {
                    sql.push(',');
                }
                n += 1;
                placeholder(&mut sql, backend, n);
            }
            sql.push(')');
        }
        let mut query = sqlx::query(dynamic(sql));
        for l in chunk {
            query = query
                .bind(run_id)
                .bind(l.case_id)
                .bind(l.household_id)
                .bind(l.division_code.clone())
                .bind(l.area.clone())
                .bind(l.benefit_month.clone())
                .bind(l.kind)
                .bind(l.amount_fen)
                .bind(l.members)
                .bind(l.prev_fen)
                .bind(i64::from(l.flagged));
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}
