//! Payees' bank accounts and the bank files exported for runs (migration
//! 0011_payroll_bank.sql explains the tables). Both tables are append-only: a change of
//! account is a new row, and every row is written with its audit entry in one transaction.

use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{self, AuditEntry};
use crate::{Store, StoreError, dynamic, parse_timestamp, timestamp};

/// A payee's account to record (already validated by `domain::bank::BankAccount`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPayee {
    pub household_id: i64,
    pub holder: String,
    pub bank_name: String,
    pub bank_code: Option<String>,
    pub account_number: String,
    /// `card` or `book`.
    pub account_kind: String,
    pub reason: String,
}

/// A payee row as stored; the latest row of a household is its current account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayeeRecord {
    pub id: i64,
    pub household_id: i64,
    pub holder: String,
    pub bank_name: String,
    pub bank_code: Option<String>,
    pub account_number: String,
    pub account_kind: String,
    pub reason: String,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

/// What a run pays one household, net of its arrears and recoveries, with the household's
/// current payee if it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunPayment {
    pub household_id: i64,
    pub division_code: String,
    pub head_name: String,
    pub amount_fen: i64,
    pub payee: Option<PayeeRecord>,
}

/// A bank file to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBankFile {
    pub run_id: i64,
    /// `csv`, `xlsx` or `pain001`.
    pub format: String,
    pub file_name: String,
    pub sha256: String,
    pub lines: i64,
    pub total_fen: i64,
    pub reason: String,
}

/// A bank file as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankFileRecord {
    pub id: i64,
    pub run_id: i64,
    pub format: String,
    pub file_name: String,
    pub sha256: String,
    pub lines: i64,
    pub total_fen: i64,
    pub reason: String,
    pub exported_by: String,
    pub exported_at: DateTime<Utc>,
}

/// A line of a bank's result file to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReturn {
    pub row_no: i64,
    pub payment_key: String,
    pub amount_fen: i64,
    /// `paid` or `failed`.
    pub status: String,
    pub reason: String,
}

/// The constraint named when a run already has a file and no reason is given.
pub const BANK_FILE_AGAIN: &str = "bank_files_again";

const PAYEE_COLUMNS: &str = "id, household_id, holder, bank_name, bank_code, account_number, \
     account_kind, reason, recorded_by, recorded_at";

fn read_payee(row: &AnyRow) -> Result<PayeeRecord, StoreError> {
    let at: String = row.try_get("recorded_at")?;
    Ok(PayeeRecord {
        id: row.try_get("id")?,
        household_id: row.try_get("household_id")?,
        holder: row.try_get("holder")?,
        bank_name: row.try_get("bank_name")?,
        bank_code: row.try_get("bank_code")?,
        account_number: row.try_get("account_number")?,
        account_kind: row.try_get("account_kind")?,
        reason: row.try_get("reason")?,
        recorded_by: row.try_get("recorded_by")?,
        recorded_at: parse_timestamp(&at)?,
    })
}

const FILE_COLUMNS: &str = "id, run_id, format, file_name, sha256, lines, total_fen, reason, \
     exported_by, exported_at";

fn read_file(row: &AnyRow) -> Result<BankFileRecord, StoreError> {
    let at: String = row.try_get("exported_at")?;
    Ok(BankFileRecord {
        id: row.try_get("id")?,
        run_id: row.try_get("run_id")?,
        format: row.try_get("format")?,
        file_name: row.try_get("file_name")?,
        sha256: row.try_get("sha256")?,
        lines: row.try_get("lines")?,
        total_fen: row.try_get("total_fen")?,
        reason: row.try_get("reason")?,
        exported_by: row.try_get("exported_by")?,
        exported_at: parse_timestamp(&at)?,
    })
}

impl Store {
    /// Records `payee` as the household's current account, with its audit entry.
    pub async fn add_payee(&self, payee: &NewPayee, entry: &AuditEntry) -> Result<i64, StoreError> {
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO payees (household_id, holder, bank_name, bank_code, account_number, \
             account_kind, reason, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(payee.household_id)
        .bind(&payee.holder)
        .bind(&payee.bank_name)
        .bind(payee.bank_code.as_deref())
        .bind(&payee.account_number)
        .bind(&payee.account_kind)
        .bind(&payee.reason)
        .bind(&entry.actor)
        .bind(timestamp(entry.at))
        .fetch_one(&mut *tx)
        .await?;
        audit::append(&mut tx, self.backend, entry).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every account recorded for the household, latest (current) first.
    pub async fn payee_history(&self, household_id: i64) -> Result<Vec<PayeeRecord>, StoreError> {
        sqlx::query(dynamic(format!(
            "SELECT {PAYEE_COLUMNS} FROM payees WHERE household_id = $1 ORDER BY id DESC"
        )))
        .bind(household_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(read_payee)
        .collect()
    }

    /// What run `run_id` paid each household (its ledger entries summed), in household
    /// order, with each household's current payee.
    pub async fn run_payments(&self, run_id: i64) -> Result<Vec<RunPayment>, StoreError> {
        let rows = sqlx::query(
            "SELECT e.household_id, MIN(e.division_code) AS division_code, \
             CAST(SUM(e.amount_fen) AS BIGINT) AS amount_fen, \
             (SELECT p.name FROM members m JOIN persons p ON p.id = m.person_id \
              WHERE m.household_id = e.household_id AND m.relation = 'head' \
              ORDER BY m.id LIMIT 1) AS head_name \
             FROM payroll_ledger e WHERE e.run_id = $1 \
             GROUP BY e.household_id ORDER BY e.household_id",
        )
        .bind(run_id)
        .fetch_all(&self.pool)
        .await?;
        let payees = sqlx::query(dynamic(format!(
            "SELECT {PAYEE_COLUMNS} FROM payees WHERE id IN \
             (SELECT MAX(p.id) FROM payees p WHERE p.household_id IN \
              (SELECT household_id FROM payroll_ledger WHERE run_id = $1) \
              GROUP BY p.household_id)"
        )))
        .bind(run_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(read_payee)
        .collect::<Result<Vec<_>, _>>()?;
        let mut payees: std::collections::HashMap<i64, PayeeRecord> =
            payees.into_iter().map(|p| (p.household_id, p)).collect();
        rows.iter()
            .map(|row| {
                let household_id: i64 = row.try_get("household_id")?;
                let head: Option<String> = row.try_get("head_name")?;
                Ok(RunPayment {
                    household_id,
                    division_code: row.try_get("division_code")?,
                    head_name: head.unwrap_or_default(),
                    amount_fen: row.try_get("amount_fen")?,
                    payee: payees.remove(&household_id),
                })
            })
            .collect()
    }

    /// The payee each household of run `run_id` had at `at` (its latest account recorded
    /// by then): the accounts a bank file made at `at` paid into.
    pub async fn run_payees_as_of(
        &self,
        run_id: i64,
        at: DateTime<Utc>,
    ) -> Result<Vec<PayeeRecord>, StoreError> {
        sqlx::query(dynamic(format!(
            "SELECT {PAYEE_COLUMNS} FROM payees WHERE id IN \
             (SELECT MAX(p.id) FROM payees p WHERE p.household_id IN \
              (SELECT household_id FROM payroll_ledger WHERE run_id = $1) \
              AND p.recorded_at <= $2 GROUP BY p.household_id)"
        )))
        .bind(run_id)
        .bind(timestamp(at))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(read_payee)
        .collect()
    }

    /// Records a bank file exported for its run and moves an `approved` run to `exported`,
    /// with the audit entry, in one transaction. The run must be approved or later (a
    /// conflict with constraint `state` otherwise); when it already has a file, `reason`
    /// must not be empty (a conflict naming [`BANK_FILE_AGAIN`] otherwise).
    pub async fn record_bank_file(
        &self,
        file: &NewBankFile,
        entry: &AuditEntry,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write().await?;
        // Lock the run's row first (PostgreSQL; SQLite's write transaction is already
        // exclusive), so two first exports at once cannot both find no earlier file.
        sqlx::query("UPDATE payroll_runs SET state = state WHERE id = $1")
            .bind(file.run_id)
            .execute(&mut *tx)
            .await?;
        let state: Option<(String,)> =
            sqlx::query_as("SELECT state FROM payroll_runs WHERE id = $1")
                .bind(file.run_id)
                .fetch_optional(&mut *tx)
                .await?;
        let state = state.ok_or(StoreError::NotFound)?.0;
        if matches!(state.as_str(), "draft" | "checked") {
            return Err(StoreError::Conflict {
                what: format!("run {} is {state}", file.run_id),
                constraint: Some("state".into()),
            });
        }
        let before: (i64,) =
            sqlx::query_as("SELECT CAST(COUNT(*) AS BIGINT) FROM bank_files WHERE run_id = $1")
                .bind(file.run_id)
                .fetch_one(&mut *tx)
                .await?;
        if before.0 > 0 && file.reason.trim().is_empty() {
            return Err(StoreError::Conflict {
                what: format!("run {} has {} bank file(s)", file.run_id, before.0),
                constraint: Some(BANK_FILE_AGAIN.into()),
            });
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO bank_files (run_id, format, file_name, sha256, lines, total_fen, \
             reason, exported_by, exported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             RETURNING id",
        )
        .bind(file.run_id)
        .bind(&file.format)
        .bind(&file.file_name)
        .bind(&file.sha256)
        .bind(file.lines)
        .bind(file.total_fen)
        .bind(&file.reason)
        .bind(&entry.actor)
        .bind(timestamp(entry.at))
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE payroll_runs SET state = 'exported' WHERE id = $1 AND state = 'approved'",
        )
        .bind(file.run_id)
        .execute(&mut *tx)
        .await?;
        audit::append(&mut tx, self.backend, entry).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Tries to change and to remove row `id` of `payees` (or of `bank_files` when
    /// `files`), as the append-only test needs: both must fail.
    pub async fn try_tamper_bank(
        &self,
        files: bool,
        id: i64,
    ) -> (Result<(), StoreError>, Result<(), StoreError>) {
        let (update, delete) = if files {
            (
                "UPDATE bank_files SET total_fen = total_fen + 1 WHERE id = $1",
                "DELETE FROM bank_files WHERE id = $1",
            )
        } else {
            (
                "UPDATE payees SET account_number = '12345678' WHERE id = $1",
                "DELETE FROM payees WHERE id = $1",
            )
        };
        let mut out = Vec::with_capacity(2);
        for sql in [update, delete] {
            out.push(
                sqlx::query(sql)
                    .bind(id)
                    .execute(&self.pool)
                    .await
                    .map(|_| ())
                    .map_err(StoreError::from),
            );
        }
        let delete = out.pop().unwrap_or(Ok(()));
        let update = out.pop().unwrap_or(Ok(()));
        (update, delete)
    }

    /// Stores the lines of a result file for bank file `file_id` of run `run_id` as one
    /// import (numbered after the run's earlier ones), moving an `exported` run to
    /// `reconciled` when `clean`, with the audit entry; returns the import's number.
    pub async fn record_returns(
        &self,
        run_id: i64,
        file_id: i64,
        lines: &[NewReturn],
        clean: bool,
        entry: &AuditEntry,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write().await?;
        sqlx::query("UPDATE payroll_runs SET state = state WHERE id = $1")
            .bind(run_id)
            .execute(&mut *tx)
            .await?;
        let no: (i64,) = sqlx::query_as(
            "SELECT CAST(COALESCE(MAX(import_no), 0) + 1 AS BIGINT) FROM bank_returns \
             WHERE run_id = $1",
        )
        .bind(run_id)
        .fetch_one(&mut *tx)
        .await?;
        let at = timestamp(entry.at);
        for l in lines {
            sqlx::query(
                "INSERT INTO bank_returns (run_id, file_id, import_no, row_no, payment_key, \
                 amount_fen, status, reason, imported_by, imported_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(run_id)
            .bind(file_id)
            .bind(no.0)
            .bind(l.row_no)
            .bind(&l.payment_key)
            .bind(l.amount_fen)
            .bind(&l.status)
            .bind(&l.reason)
            .bind(&entry.actor)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
        }
        if clean {
            sqlx::query(
                "UPDATE payroll_runs SET state = 'reconciled' WHERE id = $1 AND state = 'exported'",
            )
            .bind(run_id)
            .execute(&mut *tx)
            .await?;
        }
        audit::append(&mut tx, self.backend, entry).await?;
        tx.commit().await?;
        Ok(no.0)
    }

    /// The bank files exported for run `run_id`, oldest first.
    pub async fn bank_files(&self, run_id: i64) -> Result<Vec<BankFileRecord>, StoreError> {
        sqlx::query(dynamic(format!(
            "SELECT {FILE_COLUMNS} FROM bank_files WHERE run_id = $1 ORDER BY id"
        )))
        .bind(run_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(read_file)
        .collect()
    }
}

// ---------------------------------------------------------------------------------------
// Bank returns as stored, and re-issues of failed payments (migration 0014)
// ---------------------------------------------------------------------------------------

/// A stored line of a bank's result file (of a run's file or of a re-issue batch's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnRecord {
    pub id: i64,
    /// The run's key as the bank gave it, or the re-issue's key.
    pub payment_key: String,
    /// The re-issue the line reports on (re-issue batches only).
    pub reissue_id: Option<i64>,
    pub row_no: i64,
    pub amount_fen: i64,
    /// `paid` or `failed`.
    pub status: String,
    pub reason: String,
    pub imported_by: String,
    pub imported_at: DateTime<Utc>,
}

/// A re-issue batch to record with its re-issues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReissueBatch {
    pub format: String,
    pub file_name: String,
    pub sha256: String,
    pub lines: i64,
    pub total_fen: i64,
    pub reason: String,
}

/// A re-issue batch as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReissueBatchRecord {
    pub id: i64,
    pub format: String,
    pub file_name: String,
    pub sha256: String,
    pub lines: i64,
    pub total_fen: i64,
    pub reason: String,
    pub exported_by: String,
    pub exported_at: DateTime<Utc>,
}

/// A failed payment to re-issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReissue {
    pub run_id: i64,
    pub household_id: i64,
    pub attempt: i64,
    pub payment_key: String,
    pub amount_fen: i64,
    pub payee_id: i64,
    /// The failed line of the run's own result file (attempt 1) …
    pub failed_return_id: Option<i64>,
    /// … or of an earlier re-issue's (attempt 2 and later).
    pub failed_reissue_return_id: Option<i64>,
}

/// A re-issue as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReissueRecord {
    pub id: i64,
    pub batch_id: i64,
    pub run_id: i64,
    pub household_id: i64,
    pub attempt: i64,
    pub payment_key: String,
    pub amount_fen: i64,
    pub payee_id: i64,
    pub failed_return_id: Option<i64>,
    pub failed_reissue_return_id: Option<i64>,
    pub reissued_by: String,
    pub reissued_at: DateTime<Utc>,
}

/// A line of a re-issue batch's result file to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReissueReturn {
    pub reissue_id: i64,
    pub row_no: i64,
    pub amount_fen: i64,
    pub status: String,
    pub reason: String,
}

/// The constraint named when a payment was re-issued meanwhile (by someone else).
pub const REISSUE_TWICE: &str = "payment_reissues_once";

const REISSUE_COLUMNS: &str = "id, batch_id, run_id, household_id, attempt, payment_key, \
     amount_fen, payee_id, failed_return_id, failed_reissue_return_id, reissued_by, reissued_at";

fn read_reissue(row: &AnyRow) -> Result<ReissueRecord, StoreError> {
    let at: String = row.try_get("reissued_at")?;
    Ok(ReissueRecord {
        id: row.try_get("id")?,
        batch_id: row.try_get("batch_id")?,
        run_id: row.try_get("run_id")?,
        household_id: row.try_get("household_id")?,
        attempt: row.try_get("attempt")?,
        payment_key: row.try_get("payment_key")?,
        amount_fen: row.try_get("amount_fen")?,
        payee_id: row.try_get("payee_id")?,
        failed_return_id: row.try_get("failed_return_id")?,
        failed_reissue_return_id: row.try_get("failed_reissue_return_id")?,
        reissued_by: row.try_get("reissued_by")?,
        reissued_at: parse_timestamp(&at)?,
    })
}

const BATCH_COLUMNS: &str =
    "id, format, file_name, sha256, lines, total_fen, reason, exported_by, exported_at";

fn read_batch(row: &AnyRow) -> Result<ReissueBatchRecord, StoreError> {
    let at: String = row.try_get("exported_at")?;
    Ok(ReissueBatchRecord {
        id: row.try_get("id")?,
        format: row.try_get("format")?,
        file_name: row.try_get("file_name")?,
        sha256: row.try_get("sha256")?,
        lines: row.try_get("lines")?,
        total_fen: row.try_get("total_fen")?,
        reason: row.try_get("reason")?,
        exported_by: row.try_get("exported_by")?,
        exported_at: parse_timestamp(&at)?,
    })
}

fn read_return(row: &AnyRow) -> Result<ReturnRecord, StoreError> {
    let at: String = row.try_get("imported_at")?;
    Ok(ReturnRecord {
        id: row.try_get("id")?,
        payment_key: row.try_get("payment_key")?,
        reissue_id: row.try_get("reissue_id")?,
        row_no: row.try_get("row_no")?,
        amount_fen: row.try_get("amount_fen")?,
        status: row.try_get("status")?,
        reason: row.try_get("reason")?,
        imported_by: row.try_get("imported_by")?,
        imported_at: parse_timestamp(&at)?,
    })
}

impl Store {
    /// The lines of run `run_id`'s latest result-file import (none before the first).
    pub async fn latest_returns(&self, run_id: i64) -> Result<Vec<ReturnRecord>, StoreError> {
        sqlx::query(
            "SELECT id, payment_key, CAST(NULL AS BIGINT) AS reissue_id, row_no, amount_fen, \
             status, reason, imported_by, imported_at FROM bank_returns r \
             WHERE run_id = $1 AND import_no = \
             (SELECT MAX(import_no) FROM bank_returns x WHERE x.run_id = $1) ORDER BY row_no",
        )
        .bind(run_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(read_return)
        .collect()
    }

    /// The runs whose latest result file, or one of whose re-issues, reported a failure.
    pub async fn runs_with_failures(&self) -> Result<Vec<i64>, StoreError> {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT DISTINCT run_id FROM bank_returns WHERE status = 'failed' ORDER BY run_id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// The re-issues of run `run_id`'s payments, in order.
    pub async fn run_reissues(&self, run_id: i64) -> Result<Vec<ReissueRecord>, StoreError> {
        sqlx::query(dynamic(format!(
            "SELECT {REISSUE_COLUMNS} FROM payment_reissues WHERE run_id = $1 \
             ORDER BY household_id, attempt"
        )))
        .bind(run_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(read_reissue)
        .collect()
    }

    /// The latest result lines of the re-issue batches that carry run `run_id`'s
    /// re-issues (each batch's latest import), keyed by re-issue in `reissue_id`.
    pub async fn run_reissue_returns(&self, run_id: i64) -> Result<Vec<ReturnRecord>, StoreError> {
        sqlx::query(
            "SELECT r.id, i.payment_key, r.reissue_id, r.row_no, r.amount_fen, r.status, \
             r.reason, r.imported_by, r.imported_at \
             FROM reissue_returns r JOIN payment_reissues i ON i.id = r.reissue_id \
             WHERE i.run_id = $1 AND r.import_no = \
             (SELECT MAX(x.import_no) FROM reissue_returns x WHERE x.batch_id = r.batch_id) \
             ORDER BY r.id",
        )
        .bind(run_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(read_return)
        .collect()
    }

    /// One payee row.
    pub async fn payee(&self, id: i64) -> Result<PayeeRecord, StoreError> {
        let row = sqlx::query(dynamic(format!(
            "SELECT {PAYEE_COLUMNS} FROM payees WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        read_payee(&row)
    }

    /// Records a re-issue batch, its re-issues and the audit entry in one transaction;
    /// returns the batch's id. A failure already answered, or an attempt already made, is
    /// a conflict naming [`REISSUE_TWICE`], and nothing is stored.
    pub async fn record_reissue_batch(
        &self,
        batch: &NewReissueBatch,
        reissues: &[NewReissue],
        entry: &AuditEntry,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write().await?;
        let at = timestamp(entry.at);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO reissue_batches (format, file_name, sha256, lines, total_fen, reason, \
             exported_by, exported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(&batch.format)
        .bind(&batch.file_name)
        .bind(&batch.sha256)
        .bind(batch.lines)
        .bind(batch.total_fen)
        .bind(&batch.reason)
        .bind(&entry.actor)
        .bind(&at)
        .fetch_one(&mut *tx)
        .await?;
        for r in reissues {
            let inserted = sqlx::query(
                "INSERT INTO payment_reissues (batch_id, run_id, household_id, attempt, \
                 payment_key, amount_fen, payee_id, failed_return_id, failed_reissue_return_id, \
                 reissued_by, reissued_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(id)
            .bind(r.run_id)
            .bind(r.household_id)
            .bind(r.attempt)
            .bind(&r.payment_key)
            .bind(r.amount_fen)
            .bind(r.payee_id)
            .bind(r.failed_return_id)
            .bind(r.failed_reissue_return_id)
            .bind(&entry.actor)
            .bind(&at)
            .execute(&mut *tx)
            .await;
            match inserted.map_err(StoreError::from) {
                Ok(_) => {}
                Err(StoreError::Conflict { .. }) => {
                    return Err(StoreError::Conflict {
                        what: r.payment_key.clone(),
                        constraint: Some(REISSUE_TWICE.into()),
                    });
                }
                Err(e) => return Err(e),
            }
        }
        audit::append(&mut tx, self.backend, entry).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every re-issue batch, latest first.
    pub async fn reissue_batches(&self) -> Result<Vec<ReissueBatchRecord>, StoreError> {
        sqlx::query(dynamic(format!(
            "SELECT {BATCH_COLUMNS} FROM reissue_batches ORDER BY id DESC"
        )))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(read_batch)
        .collect()
    }

    /// One re-issue batch with its re-issues.
    pub async fn reissue_batch(
        &self,
        id: i64,
    ) -> Result<(ReissueBatchRecord, Vec<ReissueRecord>), StoreError> {
        let row = sqlx::query(dynamic(format!(
            "SELECT {BATCH_COLUMNS} FROM reissue_batches WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        let reissues = sqlx::query(dynamic(format!(
            "SELECT {REISSUE_COLUMNS} FROM payment_reissues WHERE batch_id = $1 ORDER BY id"
        )))
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(read_reissue)
        .collect::<Result<Vec<_>, _>>()?;
        Ok((read_batch(&row)?, reissues))
    }

    /// Stores the lines of a result file for re-issue batch `batch_id` as one import,
    /// moving the `exported` runs among `reconciled` to `reconciled`, with the audit entry;
    /// returns the import's number.
    pub async fn record_reissue_returns(
        &self,
        batch_id: i64,
        lines: &[NewReissueReturn],
        reconciled: &[i64],
        entry: &AuditEntry,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write().await?;
        let no: (i64,) = sqlx::query_as(
            "SELECT CAST(COALESCE(MAX(import_no), 0) + 1 AS BIGINT) FROM reissue_returns \
             WHERE batch_id = $1",
        )
        .bind(batch_id)
        .fetch_one(&mut *tx)
        .await?;
        let at = timestamp(entry.at);
        for l in lines {
            sqlx::query(
                "INSERT INTO reissue_returns (batch_id, reissue_id, import_no, row_no, \
                 amount_fen, status, reason, imported_by, imported_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(batch_id)
            .bind(l.reissue_id)
            .bind(no.0)
            .bind(l.row_no)
            .bind(l.amount_fen)
            .bind(&l.status)
            .bind(&l.reason)
            .bind(&entry.actor)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
        }
        for run_id in reconciled {
            sqlx::query(
                "UPDATE payroll_runs SET state = 'reconciled' WHERE id = $1 AND state = 'exported'",
            )
            .bind(run_id)
            .execute(&mut *tx)
            .await?;
        }
        audit::append(&mut tx, self.backend, entry).await?;
        tx.commit().await?;
        Ok(no.0)
    }
}
