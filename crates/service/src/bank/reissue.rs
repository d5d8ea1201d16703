//! What became of a run's payments after the bank answered, and paying the failed ones
//! again (补发, issue 5 item 5).
//!
//! Each payment a run owes a household (its ledger entries summed, above zero) ends in one
//! [`Outcome`]: paid, failed (the bank's reason kept), re-issued (sent again, no answer
//! yet) or outstanding (no answer, or never sent for want of an account). The latest
//! attempt decides: the run's own file, then each re-issue in turn. The
//! [`RunReconciliation`] counts and sums them, and they add up to what the run owes.
//!
//! A re-issue is not a new ledger entry: the entry already holds the entitlement, and the
//! money never left. It is a recorded attempt (`payment_reissues`, migration 0014) of that
//! payment into the household's corrected account, made only when the latest attempt
//! failed and a payee account was recorded after that failure; the store's unique keys let
//! each failure be answered once, so a payment is never sent twice while an attempt is
//! open. Re-issues travel in a one-off batch with its own bank file (the same template or
//! pain.001 writer as a run's); the batch's result file comes back through
//! [`Service::import_reissue_returns`], and a re-issue that fails again can be re-issued
//! after another correction.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::{DateTime, Utc};
use domain::bank::{
    BankFile, Mismatch, PaymentBatch, PaymentLine, Reconciliation, ReturnError, ReturnStatus,
    parse_returns, reconcile,
};
use domain::{Action, DivisionCode, Fen, Line};
use serde::Deserialize;
use store::{
    NewReissue, NewReissueBatch, NewReissueReturn, PayeeRecord, REISSUE_TWICE, ReissueBatchRecord,
    ReissueRecord, ReturnRecord, RunRecord, StoreError,
};

use super::{BankFormat, conflict, masked, program_words, stored_account};
use crate::assistance::{check_reason, field};
use crate::{Actor, Error, FieldError, Service};

/// Most refusals listed for one file (the rest are counted in the last).
const MAX_REFUSALS: usize = 200;

/// What became of one payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Paid,
    Failed,
    Reissued,
    Outstanding,
}

impl Outcome {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Paid => "paid",
            Self::Failed => "failed",
            Self::Reissued => "reissued",
            Self::Outstanding => "outstanding",
        }
    }
}

/// The failed line a re-issue answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    /// A line of the run's own result file.
    Run(i64),
    /// A line of a re-issue batch's result file.
    Reissue(i64),
}

/// One payment of a run and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentOutcome {
    pub run_id: i64,
    pub month: String,
    pub program: String,
    pub household_id: i64,
    pub division_code: String,
    pub head_name: String,
    pub amount_fen: i64,
    pub outcome: Outcome,
    /// Re-issues made so far (0: only the run's own file).
    pub attempts: i64,
    /// The key of the latest attempt, as the bank saw it.
    pub key: String,
    /// The bank's reason, when the latest attempt failed.
    pub reason: String,
    /// When that failure was imported.
    pub failed_at: Option<DateTime<Utc>>,
    /// The re-issue batch of the latest attempt, if any.
    pub batch_id: Option<i64>,
    /// The household's current payee account.
    pub payee: Option<PayeeRecord>,
    /// The account was recorded after the latest failure: the payment may be re-issued.
    pub corrected: bool,
    failure: Option<Failure>,
}

/// A count of payments and their sum in fen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Count {
    pub count: i64,
    pub fen: i64,
}

impl Count {
    fn add(&mut self, fen: i64) {
        self.count += 1;
        self.fen = self.fen.saturating_add(fen);
    }
}

/// A run's reconciliation report: what it owes, and what became of it. `paid + failed +
/// reissued + outstanding == expected`, in count and in fen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunReconciliation {
    pub run: RunRecord,
    pub expected: Count,
    pub paid: Count,
    pub failed: Count,
    pub reissued: Count,
    pub outstanding: Count,
    /// Of the outstanding: never in a bank file (no account when it was made).
    pub unsent: Count,
    /// Every payment, in household order.
    pub payments: Vec<PaymentOutcome>,
}

/// A payment to re-issue: the run and the household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
pub struct ReissueItem {
    pub run_id: i64,
    pub household_id: i64,
}

/// A recorded re-issue batch with its bank file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReissueExport {
    pub file: BankFile,
    pub batch: ReissueBatchRecord,
    pub reissues: Vec<ReissueRecord>,
}

/// Which failed payments to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FailedFilter {
    pub run_id: Option<i64>,
    /// A division (street or community) whose households to list.
    pub division: Option<DivisionCode>,
}

/// A return file's problems as field errors: the row, and the file's column in the detail.
pub(super) fn file_refusals(errors: &[ReturnError]) -> Vec<FieldError> {
    errors
        .iter()
        .take(MAX_REFUSALS)
        .map(|e| {
            let f = field("file", e.code, format!("{}: {}", e.column, e.value));
            if e.row > 0 { f.at_row(e.row) } else { f }
        })
        .collect()
}

/// Why returned lines disagree with the file they answer, row by row.
pub(super) fn refusals(r: &Reconciliation) -> Vec<FieldError> {
    let unknown = r
        .unknown
        .iter()
        .map(|u| field("key", "payroll.returns_unknown", u.key.clone()).at_row(u.row));
    let mismatches = r.mismatches.iter().map(|m| match m {
        Mismatch::Amount {
            row,
            key,
            expected,
            returned,
        } => field(
            "amount",
            "payroll.returns_amount",
            format!("{key}: {} → {}", expected.yuan(), returned.yuan()),
        )
        .at_row(*row),
        Mismatch::Account {
            row,
            key,
            expected,
            returned,
        } => field(
            "account",
            "payroll.returns_account",
            format!("{key}: {expected} → {returned}"),
        )
        .at_row(*row),
        Mismatch::Duplicate {
            row,
            key,
            first_row,
        } => field(
            "key",
            "payroll.returns_duplicate",
            format!("{key} ({first_row})"),
        )
        .at_row(*row),
    });
    unknown.chain(mismatches).take(MAX_REFUSALS).collect()
}

fn status_of(text: &str) -> ReturnStatus {
    if text == "paid" {
        ReturnStatus::Paid
    } else {
        ReturnStatus::Failed
    }
}

impl Service {
    /// What became of each payment of run `run_id` (no checks: callers authorize).
    async fn outcomes(&self, run: &RunRecord) -> Result<Vec<PaymentOutcome>, Error> {
        let run_id = run.id;
        let returns: HashMap<String, ReturnRecord> = self
            .store()
            .latest_returns(run_id)
            .await?
            .into_iter()
            .map(|r| (r.payment_key.clone(), r))
            .collect();
        let mut latest: HashMap<i64, ReissueRecord> = HashMap::new();
        for r in self.store().run_reissues(run_id).await? {
            // Ordered by attempt: the last one per household stays.
            latest.insert(r.household_id, r);
        }
        let reissue_returns: HashMap<i64, ReturnRecord> = self
            .store()
            .run_reissue_returns(run_id)
            .await?
            .into_iter()
            .filter_map(|r| r.reissue_id.map(|id| (id, r)))
            .collect();
        let mut out = Vec::new();
        for p in self.store().run_payments(run_id).await? {
            if p.amount_fen <= 0 {
                continue;
            }
            let (attempts, key, batch_id, answer) = match latest.get(&p.household_id) {
                Some(r) => (
                    r.attempt,
                    r.payment_key.clone(),
                    Some(r.batch_id),
                    reissue_returns.get(&r.id),
                ),
                None => {
                    let key = format!("R{run_id}H{}", p.household_id);
                    let answer = returns.get(&key);
                    (0, key, None, answer)
                }
            };
            let outcome = match (answer.map(|a| status_of(&a.status)), attempts) {
                (Some(ReturnStatus::Paid), _) => Outcome::Paid,
                (Some(ReturnStatus::Failed), _) => Outcome::Failed,
                (None, 0) => Outcome::Outstanding,
                (None, _) => Outcome::Reissued,
            };
            let failed = answer.filter(|_| outcome == Outcome::Failed);
            let failed_at = failed.map(|a| a.imported_at);
            let corrected = match (&p.payee, failed_at) {
                (Some(payee), Some(at)) => payee.recorded_at > at,
                _ => false,
            };
            out.push(PaymentOutcome {
                run_id,
                month: run.month.clone(),
                program: run.program.clone(),
                household_id: p.household_id,
                division_code: p.division_code,
                head_name: p.head_name,
                amount_fen: p.amount_fen,
                outcome,
                attempts,
                key,
                reason: failed.map(|a| a.reason.clone()).unwrap_or_default(),
                failed_at,
                batch_id,
                payee: p.payee,
                corrected,
                failure: failed.map(|a| {
                    if attempts > 0 {
                        Failure::Reissue(a.id)
                    } else {
                        Failure::Run(a.id)
                    }
                }),
            });
        }
        Ok(out)
    }

    /// The reconciliation report of run `run_id`: expected, paid, failed, re-issued and
    /// outstanding, each a count and a sum, with every payment behind them.
    pub async fn run_reconciliation(
        &self,
        actor: &Actor,
        run_id: i64,
    ) -> Result<RunReconciliation, Error> {
        self.authorize(actor, Line::Payroll, Action::Read)?;
        let run = self.store().payroll_run(run_id).await?;
        let payments = self.outcomes(&run).await?;
        let sent: std::collections::HashSet<String> = self
            .store()
            .latest_returns(run_id)
            .await?
            .into_iter()
            .map(|r| r.payment_key)
            .collect();
        let mut r = RunReconciliation {
            run,
            expected: Count::default(),
            paid: Count::default(),
            failed: Count::default(),
            reissued: Count::default(),
            outstanding: Count::default(),
            unsent: Count::default(),
            payments: Vec::new(),
        };
        for p in &payments {
            r.expected.add(p.amount_fen);
            match p.outcome {
                Outcome::Paid => r.paid.add(p.amount_fen),
                Outcome::Failed => r.failed.add(p.amount_fen),
                Outcome::Reissued => r.reissued.add(p.amount_fen),
                Outcome::Outstanding => {
                    r.outstanding.add(p.amount_fen);
                    if p.payee.is_none() && !sent.contains(&p.key) {
                        r.unsent.add(p.amount_fen);
                    }
                }
            }
        }
        r.payments = payments;
        Ok(r)
    }

    /// Payments whose latest attempt failed, in every run (or `filter`'s run), in the
    /// actor's jurisdiction (or `filter`'s division within it), oldest run first.
    pub async fn failed_payments(
        &self,
        actor: &Actor,
        filter: &FailedFilter,
    ) -> Result<Vec<PaymentOutcome>, Error> {
        self.authorize(actor, Line::Payroll, Action::Read)?;
        let runs = match filter.run_id {
            Some(id) => vec![id],
            None => self.store().runs_with_failures().await?,
        };
        let mut out = Vec::new();
        for id in runs {
            let run = match self.store().payroll_run(id).await {
                Ok(r) => r,
                Err(StoreError::NotFound) => continue,
                Err(e) => return Err(e.into()),
            };
            for p in self.outcomes(&run).await? {
                if p.outcome != Outcome::Failed {
                    continue;
                }
                let Ok(code) = DivisionCode::parse(&p.division_code) else {
                    continue;
                };
                let wanted = filter.division.as_ref().is_none_or(|d| code.is_within(d));
                if wanted && actor.sees(&code) {
                    out.push(p);
                }
            }
        }
        Ok(out)
    }

    /// Re-issues `items` in a new one-off batch and returns its bank file in `format`.
    /// Each must be a payment whose latest attempt failed and whose household has had an
    /// account recorded since; `reason` is required. The batch, its re-issues and the
    /// audit entry are one transaction; a payment re-issued meanwhile by someone else
    /// refuses the whole batch (`payroll.reissue_twice`).
    pub async fn reissue_payments(
        &self,
        actor: &Actor,
        items: &[ReissueItem],
        format: BankFormat,
        reason: &str,
    ) -> Result<ReissueExport, Error> {
        self.authorize(actor, Line::Payroll, Action::Approve)?;
        if items.is_empty() {
            return Err(Error::invalid(field(
                "payments",
                "payroll.reissue_none",
                "",
            )));
        }
        let reason = check_reason(reason)?;
        let mut by_run: HashMap<i64, Vec<PaymentOutcome>> = HashMap::new();
        let mut lines = Vec::new();
        let mut reissues = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for item in items {
            if !seen.insert(*item) {
                continue;
            }
            if let Entry::Vacant(e) = by_run.entry(item.run_id) {
                let run = self.store().payroll_run(item.run_id).await?;
                e.insert(self.outcomes(&run).await?);
            }
            let p = by_run
                .get(&item.run_id)
                .and_then(|ps| ps.iter().find(|p| p.household_id == item.household_id))
                .ok_or(Error::NotFound)?;
            let code = DivisionCode::parse(&p.division_code).map_err(|_| {
                crate::assistance::corrupt(format!("division {:?}", p.division_code))
            })?;
            self.within(actor, &code)?;
            let what = format!("{} {}", p.key, p.head_name);
            let (Outcome::Failed, Some(failure)) = (p.outcome, p.failure) else {
                return Err(conflict("payroll.reissue_not_failed", what));
            };
            let Some(payee) = p.payee.as_ref().filter(|_| p.corrected) else {
                return Err(conflict("payroll.reissue_not_corrected", what));
            };
            let attempt = p.attempts + 1;
            let key = format!("R{}H{}X{attempt}", p.run_id, p.household_id);
            let program = program_words(&p.program)?;
            lines.push(PaymentLine {
                key: key.clone(),
                account: stored_account(payee)?,
                amount: Fen::from_fen(p.amount_fen),
                purpose: format!("{}{}补发", p.month, program),
                reference: format!("H{}", p.household_id),
                id_number: None,
            });
            let (failed_return_id, failed_reissue_return_id) = match failure {
                Failure::Run(id) => (Some(id), None),
                Failure::Reissue(id) => (None, Some(id)),
            };
            reissues.push(NewReissue {
                run_id: p.run_id,
                household_id: p.household_id,
                attempt,
                payment_key: key,
                amount_fen: p.amount_fen,
                payee_id: payee.id,
                failed_return_id,
                failed_reissue_return_id,
            });
        }
        let stamp = self.now().format("%Y%m%d%H%M%S").to_string();
        let header = self.batch_header(format!("MZX{stamp}")).await?;
        let batch = PaymentBatch::new(header, lines)
            .map_err(|e| crate::assistance::corrupt(format!("re-issue batch: {e}")))?;
        let file = self
            .write_batch(&batch, format, &format!("reissue-{stamp}"))
            .await?;
        let new = NewReissueBatch {
            format: format.as_str().into(),
            file_name: file.name.clone(),
            sha256: file.sha256.clone(),
            lines: i64::try_from(batch.lines().len()).unwrap_or(i64::MAX),
            total_fen: batch.total().as_fen(),
            reason: reason.clone(),
        };
        let keys: Vec<String> = reissues
            .iter()
            .map(|r| {
                let payee = by_run
                    .get(&r.run_id)
                    .and_then(|ps| ps.iter().find(|p| p.household_id == r.household_id))
                    .and_then(|p| p.payee.as_ref())
                    .map(masked)
                    .unwrap_or_default();
                format!(
                    "{}={}:{payee}",
                    r.payment_key,
                    Fen::from_fen(r.amount_fen).yuan()
                )
            })
            .collect();
        let audit = self.audit(
            actor,
            "payroll.reissue.export",
            format!("reissue_batch:{}", new.file_name),
            &reason,
            format!(
                "format={} file={} sha256={} lines={} total={} payments={}",
                new.format,
                new.file_name,
                new.sha256,
                new.lines,
                Fen::from_fen(new.total_fen).yuan(),
                keys.join(",")
            ),
        );
        let id = match self
            .store()
            .record_reissue_batch(&new, &reissues, &audit)
            .await
        {
            Ok(id) => id,
            Err(StoreError::Conflict {
                constraint: Some(c),
                what,
            }) if c == REISSUE_TWICE => return Err(conflict("payroll.reissue_twice", what)),
            Err(e) => return Err(e.into()),
        };
        let (batch, reissues) = self.store().reissue_batch(id).await?;
        Ok(ReissueExport {
            file,
            batch,
            reissues,
        })
    }

    /// The re-issue batches, latest first.
    pub async fn reissue_batches(&self, actor: &Actor) -> Result<Vec<ReissueBatchRecord>, Error> {
        self.authorize(actor, Line::Payroll, Action::Read)?;
        Ok(self.store().reissue_batches().await?)
    }

    /// Imports the bank's result file for re-issue batch `batch_id`, as
    /// [`Service::import_returns`] does for a run: refused whole (every problem with its
    /// row and field) when it cannot be read, names payments the batch does not carry or
    /// disagrees on an amount or account, and once one of the batch's payments has been
    /// re-issued again. A run all of whose payments are then paid becomes `reconciled`.
    pub async fn import_reissue_returns(
        &self,
        actor: &Actor,
        batch_id: i64,
        bytes: &[u8],
    ) -> Result<Reconciliation, Error> {
        self.authorize(actor, Line::Payroll, Action::Approve)?;
        let (batch, reissues) = self.store().reissue_batch(batch_id).await?;
        let what = format!("{} {}", batch.id, batch.file_name);
        let mut runs: HashMap<i64, Vec<PaymentOutcome>> = HashMap::new();
        for r in &reissues {
            if let Entry::Vacant(e) = runs.entry(r.run_id) {
                let run = self.store().payroll_run(r.run_id).await?;
                e.insert(self.outcomes(&run).await?);
            }
            let later = runs
                .get(&r.run_id)
                .and_then(|ps| ps.iter().find(|p| p.household_id == r.household_id))
                .is_some_and(|p| p.attempts > r.attempt);
            if later {
                return Err(conflict("payroll.returns_reissued", what));
            }
        }
        let returns = parse_returns(bytes).map_err(|e| Error::Invalid(file_refusals(&e)))?;
        let mut expected = Vec::with_capacity(reissues.len());
        for r in &reissues {
            let payee = self.store().payee(r.payee_id).await?;
            expected.push(PaymentLine {
                key: r.payment_key.clone(),
                account: stored_account(&payee)?,
                amount: Fen::from_fen(r.amount_fen),
                purpose: String::new(),
                reference: String::new(),
                id_number: None,
            });
        }
        let rec = reconcile(&expected, &returns);
        if !rec.is_clean() {
            return Err(Error::Invalid(refusals(&rec)));
        }
        let id_of: HashMap<&str, &ReissueRecord> = reissues
            .iter()
            .map(|r| (r.payment_key.as_str(), r))
            .collect();
        let mut stored = Vec::new();
        let mut answered: HashMap<i64, ReturnStatus> = HashMap::new();
        for (s, status) in rec
            .paid
            .iter()
            .map(|s| (s, ReturnStatus::Paid))
            .chain(rec.failed.iter().map(|s| (s, ReturnStatus::Failed)))
        {
            let Some(r) = id_of.get(s.key.as_str()) else {
                continue;
            };
            answered.insert(r.id, status);
            stored.push(NewReissueReturn {
                reissue_id: r.id,
                row_no: i64::try_from(s.row).unwrap_or(i64::MAX),
                amount_fen: s.amount.as_fen(),
                status: match status {
                    ReturnStatus::Paid => "paid".into(),
                    ReturnStatus::Failed => "failed".into(),
                },
                reason: s.reason.clone(),
            });
        }
        stored.sort_by_key(|l| l.row_no);
        // A run is reconciled once every payment is paid, counting this file's answers.
        let mut reconciled = Vec::new();
        for (run_id, payments) in &runs {
            let all_paid = payments.iter().all(|p| {
                let here = reissues
                    .iter()
                    .find(|r| r.run_id == p.run_id && r.household_id == p.household_id)
                    .filter(|r| r.attempt == p.attempts);
                match here {
                    Some(r) => answered.get(&r.id) == Some(&ReturnStatus::Paid),
                    None => p.outcome == Outcome::Paid,
                }
            });
            if all_paid {
                reconciled.push(*run_id);
            }
        }
        reconciled.sort_unstable();
        let audit = self.audit(
            actor,
            "payroll.reissue.returns",
            format!("reissue_batch:{batch_id}"),
            "",
            format!(
                "file={} expected={} paid={} failed={} outstanding={} reconciled_runs={reconciled:?}",
                batch.file_name,
                rec.expected.count,
                rec.paid_tally.count,
                rec.failed_tally.count,
                rec.outstanding_tally.count
            ),
        );
        self.store()
            .record_reissue_returns(batch_id, &stored, &reconciled, &audit)
            .await?;
        Ok(rec)
    }
}
