//! Payroll (月度发放, issue 5): monthly runs per programme, maker–checker approval, and the
//! append-only payment ledger with arrears and recoveries.
//!
//! A run is one benefit month of one programme. It is computed from the records as they
//! stood at its cut-off (the moment it was created): a case decided (approved or imported)
//! after the cut-off is left out, and changes recorded after it are undone on the copy the
//! run reads (the income, area and members before them, the benefit end before them), so a
//! run resumed later, or on a busy day, computes exactly what it would have at the cut-off.
//! (The standards and policies are read as they are: a standard changed during a run is
//! paid as arrears by the next run.)
//!
//! For each case the run writes a regular line (the month's benefit, or 0 for a household
//! paid last month and due nothing now: stopped), and for each earlier approved month whose
//! amount may have changed since that month's cut-off (a change recorded since, a late
//! decision, or the benefit tables changed since), the difference between what is due for
//! that month under the records now and what the ledger holds for it: arrears when more is
//! due, a recovery when less. Months whose inputs did not change are not recomputed; that
//! is what keeps a run a single pass.
//!
//! A case decided before every cut-off the run depends on (its own, and the earliest
//! earlier approved run's) and never changed is *settled*: as of the cut-off it is its rows
//! as they stand, and none of its earlier months can be stale, so its one regular line is
//! written set-based, by the month's rule in SQL ([`month_rule`], `store::MonthRule`),
//! with the Rust pass left to the others. When the benefit tables changed after an earlier
//! run's cut-off, every case goes through the Rust pass.
//!
//! Lines are written in chunks of [`CHUNK_CASES`] cases, each one transaction with the run's
//! cursor and an audit entry; a run killed at any point is resumed by running it again, from
//! the cursor, and ends with the same lines. When every case is done the run is `checked`;
//! a second account with `payroll` `approve` (never the preparer, never the console
//! operator) approves it, which writes the ledger in one transaction. A month is prepared
//! after the one before it is approved, and once approved can never be run again.
//!
//! The veterans' programmes go through the same runs, approval, ledger and bank files
//! ([`PayrollProgram`]): `veterans` (优抚金) is computed by `service::veterans::payroll`
//! with `domain::veterans::monthly_due`, one line per household, and `veterans_holiday`
//! (优待金) is a one-off run of a holiday payment. A run's preparation and approval need
//! the `payroll` permission *and* the same permission in the programme's own line
//! (`assistance` or `veterans`), so each section pays only its own programmes.

use chrono::{DateTime, Datelike, Utc};
use domain::assistance::Program;
use domain::{Action, DivisionCode, Fen, Line, Month};
use store::{
    IncrementWhen, LedgerEntry, LedgerFilter, LineSelection, MonthPaid, MonthRule, NewLine, NewRun,
    PayrollCase, RunLine, RunRecord, RunSummary, SettledPath, StoreError,
};

use crate::assistance::changes::benefit_in;
use crate::assistance::{MonthBenefit, Tables, check_reason, field};
use crate::{Actor, Error, Service};

/// Cases per chunk: one transaction of lines, and the most a killed run recomputes. Most
/// cases are settled and cost one set-based statement per chunk, so chunks are large; the
/// rest are held in memory one chunk at a time.
pub const CHUNK_CASES: i64 = 10_000;
/// The share (percent) by which an amount may change from last month before it is flagged
/// (`payroll.jump_pct`); 30 unless configured.
pub const SETTING_JUMP_PCT: &str = "payroll.jump_pct";
const DEFAULT_JUMP_PCT: i64 = 30;
/// Largest one-off amount a correction may enter, in fen (100 000 yuan).
const MAX_ONE_OFF_FEN: i64 = 10_000_000;

/// How far a run has got, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunProgress {
    pub run_id: i64,
    pub program: PayrollProgram,
    pub cases_done: u64,
    pub cases_total: u64,
}

/// A run with its totals and its difference from the month before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunView {
    pub run: RunRecord,
    pub month: Month,
    pub program: PayrollProgram,
    pub summary: RunSummary,
    pub prev_month: Option<Month>,
    /// The actor may approve it now (checked, not the preparer, holds the permission).
    pub may_approve: bool,
}

fn month_of(text: &str) -> Result<Month, Error> {
    Month::parse(text).map_err(|e| Error::invalid(field("month", e.code(), text)))
}

/// What a run pays: an assistance programme's cases, or one of the veterans' programmes
/// (entitlements by household, `service::veterans::payroll`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayrollProgram {
    Assistance(Program),
    /// 优抚金: the entitlements' regular monthly payments.
    Veterans,
    /// 优待金: a holiday payment, one-off, run from its holiday.
    Holiday,
}

impl PayrollProgram {
    pub const VETERANS: &'static str = "veterans";
    pub const HOLIDAY: &'static str = "veterans_holiday";

    pub fn as_str(self) -> &'static str {
        match self {
            PayrollProgram::Assistance(p) => p.as_str(),
            PayrollProgram::Veterans => Self::VETERANS,
            PayrollProgram::Holiday => Self::HOLIDAY,
        }
    }

    /// The business line whose section decides this programme's payments.
    pub fn line(self) -> Line {
        match self {
            PayrollProgram::Assistance(_) => Line::Assistance,
            PayrollProgram::Veterans | PayrollProgram::Holiday => Line::Veterans,
        }
    }

    /// What a bank file's purpose calls the money.
    pub fn words(self) -> &'static str {
        match self {
            PayrollProgram::Assistance(Program::Dibao | Program::DibaoMargin) => "低保金",
            PayrollProgram::Assistance(Program::TekunDispersed) => "特困分散供养金",
            PayrollProgram::Assistance(Program::TekunCentralized) => "特困集中供养金",
            PayrollProgram::Veterans => "优抚金",
            PayrollProgram::Holiday => "优待金",
        }
    }
}

impl std::fmt::Display for PayrollProgram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A programme paid in cash (低保边缘 is not), from a request.
fn cash_program(text: &str) -> Result<PayrollProgram, Error> {
    match text {
        PayrollProgram::VETERANS => return Ok(PayrollProgram::Veterans),
        PayrollProgram::HOLIDAY => return Ok(PayrollProgram::Holiday),
        _ => {}
    }
    let p = text
        .parse::<Program>()
        .map_err(|e| Error::invalid(field("program", e.code(), text)))?;
    if p == Program::DibaoMargin {
        return Err(Error::invalid(field(
            "program",
            "assistance.no_monthly_cash",
            text,
        )));
    }
    Ok(PayrollProgram::Assistance(p))
}

/// The programme of a stored run or ledger entry.
pub(crate) fn stored_program(text: &str) -> Result<PayrollProgram, Error> {
    cash_program(text).map_err(|_| crate::assistance::corrupt(format!("program {text:?}")))
}

pub(crate) fn stored_month(text: &str) -> Result<Month, Error> {
    Month::parse(text).map_err(|_| crate::assistance::corrupt(format!("month {text:?}")))
}

/// The case as it stood at `cutoff`: `None` if it was not yet decided then; otherwise the
/// changes recorded after the cut-off are undone, latest first, and dropped from its log.
fn as_of(mut c: PayrollCase, cutoff: DateTime<Utc>) -> Option<PayrollCase> {
    if c.decided_at.is_none_or(|t| t > cutoff) {
        return None;
    }
    let kept = c
        .changes
        .iter()
        .position(|x| x.change.at > cutoff)
        .unwrap_or(c.changes.len());
    if kept == c.changes.len() {
        return Some(c);
    }
    let later = c.changes.split_off(kept);
    let case = &mut c.file.case;
    for x in later.iter().rev().map(|x| &x.change) {
        if x.income_after.is_some() {
            case.income_per_capita_fen = x.income_before;
        }
        if let Some(area) = x
            .area_before
            .as_deref()
            .and_then(|a| domain::Area::parse(a).ok())
        {
            case.area = area;
        }
        if let Some(code) = x
            .division_before
            .as_deref()
            .and_then(|d| d.parse::<DivisionCode>().ok())
        {
            case.division_code = code;
        }
        match x.kind.as_str() {
            "member_join" => c.file.members.retain(|m| Some(m.id) != x.member_id),
            "member_leave" | "death" => {
                for m in &mut c.file.members {
                    if Some(m.id) == x.member_id {
                        m.left_on = None;
                    }
                }
            }
            _ => {}
        }
        if x.end_date.is_some() {
            case.benefit_end = c.changes.iter().rev().find_map(|k| k.change.end_date);
        }
    }
    Some(c)
}

/// What one run computes from: its month, cut-off, the earlier approved months with their
/// cut-offs, the benefit tables and when they last changed.
struct RunContext {
    month: Month,
    cutoff: DateTime<Utc>,
    jump_pct: i64,
    earlier: Vec<(Month, DateTime<Utc>)>,
    tables: Tables,
    tables_changed_at: Option<DateTime<Utc>>,
}

impl RunContext {
    fn due(&self, c: &PayrollCase, month: Month) -> Result<(i64, i64), Error> {
        match benefit_in(&c.file, &c.changes, month, &self.tables) {
            Ok(MonthBenefit::Due(b)) => Ok((
                b.total.as_fen(),
                i64::try_from(b.increments.len()).unwrap_or(i64::MAX),
            )),
            Ok(MonthBenefit::NotCovered | MonthBenefit::Suspended) => Ok((0, 0)),
            Err(Error::Invalid(mut e)) => {
                for f in &mut e {
                    f.field = "case";
                    f.detail = format!("{} {month}: {}", c.file.case.id, f.detail);
                }
                Err(Error::Invalid(e))
            }
            Err(e) => Err(e),
        }
    }

    /// The lines of one case.
    fn lines(&self, c: PayrollCase, out: &mut Vec<NewLine>) -> Result<(), Error> {
        let Some(c) = as_of(c, self.cutoff) else {
            return Ok(());
        };
        let case = &c.file.case;
        let line = |month: Month, kind: &'static str, amount: i64, members: i64| NewLine {
            case_id: case.id,
            household_id: case.household_id,
            division_code: case.division_code.as_str().to_owned(),
            area: case.area.as_str().to_owned(),
            benefit_month: month.to_string(),
            kind,
            amount_fen: amount,
            members,
            prev_fen: None,
            flagged: false,
        };
        let (due, members) = self.due(&c, self.month)?;
        let prev = self
            .month
            .prev()
            .and_then(|p| c.paid.get(&p.to_string()))
            .map(|(_, regular)| *regular)
            .filter(|r| *r != 0);
        if due > 0 || prev.is_some() {
            let mut l = line(self.month, "regular", due, members);
            l.prev_fen = prev;
            l.flagged = jumped(due, prev, self.jump_pct);
            out.push(l);
        }
        for (month, cutoff) in &self.earlier {
            let stale = c.decided_at.is_some_and(|t| t > *cutoff)
                || self.tables_changed_at.is_some_and(|t| t > *cutoff)
                || c.changes.iter().any(|x| x.change.at > *cutoff);
            if !stale {
                continue;
            }
            let (due, members) = self.due(&c, *month)?;
            let paid = c.paid.get(&month.to_string()).map_or(0, |(all, _)| *all);
            if let Some(kind) = correction(due - paid) {
                out.push(line(*month, kind, due - paid, members));
            }
        }
        Ok(())
    }
}

/// Whether a regular amount `due` moved from last month's `prev` by more than `jump_pct`
/// percent (a stop or a new payment is not a jump).
pub(crate) fn jumped(due: i64, prev: Option<i64>, jump_pct: i64) -> bool {
    prev.is_some_and(|p| {
        due > 0 && i128::from((due - p).abs()) * 100 > i128::from(jump_pct) * i128::from(p)
    })
}

/// The line kind that settles `diff` (due now minus paid) for an earlier month: arrears
/// when more is due, a recovery when less, nothing when equal.
pub(crate) fn correction(diff: i64) -> Option<&'static str> {
    match diff.signum() {
        1 => Some("arrears"),
        -1 => Some("recovery"),
        _ => None,
    }
}

/// The rule of `program` for `month` as the set-based statements apply it, resolved from
/// the same tables [`benefit_in`] reads; `None` when a standard is missing for an area (the
/// Rust rule then names the case it cannot compute).
fn month_rule(tables: &Tables, program: Program, month: Month) -> Option<MonthRule> {
    use domain::Area;
    use domain::assistance::{Condition, SelfCare, care_in_force};
    let on = month.first_day();
    let standard = |area| {
        tables
            .standards
            .in_force(program, area, on)
            .map(|s| s.amount.as_fen())
    };
    let (standard_urban, standard_rural) = (standard(Area::Urban)?, standard(Area::Rural)?);
    let tekun = program.is_tekun();
    let mut increments = Vec::new();
    if !tekun && let Some(policy) = tables.policies.in_force(on) {
        for rule in &policy.rules {
            let when = match rule.condition {
                Condition::DisabilityGrade { min, max } => IncrementWhen::DisabilityGrade {
                    min: i64::from(min),
                    max: i64::from(max),
                },
                Condition::SevereIllness => IncrementWhen::SevereIllness,
                Condition::AgeAtLeast { years } => {
                    // No valid birth date is that old: the rule applies to no one.
                    let Some(day) = i32::try_from(years)
                        .ok()
                        .and_then(|y| on.year().checked_sub(y))
                        .and_then(|y| on.with_year(y))
                    else {
                        continue;
                    };
                    IncrementWhen::BornBy(day.to_string())
                }
            };
            increments.push((when, i64::from(rule.pct)));
        }
        increments.sort_by_key(|(_, pct)| std::cmp::Reverse(*pct));
    }
    let mut care = Vec::new();
    if tekun {
        for area in [Area::Urban, Area::Rural] {
            for level in [
                SelfCare::Capable,
                SelfCare::PartlyUnable,
                SelfCare::FullyUnable,
            ] {
                let fen = care_in_force(&tables.care, area, level, on).as_fen();
                if fen != 0 {
                    care.push((area.as_str(), level.as_str(), fen));
                }
            }
        }
    }
    Some(MonthRule {
        program: program.as_str().to_owned(),
        month: month.to_string(),
        first_day: on.to_string(),
        last_day: month.last_day().to_string(),
        tekun,
        standard_urban,
        standard_rural,
        increments,
        care,
    })
}

fn conflict(code: &'static str, detail: impl Into<String>) -> Error {
    Error::Conflict {
        code,
        detail: detail.into(),
    }
}

impl Service {
    async fn jump_pct(&self) -> Result<i64, Error> {
        match self.store().setting(SETTING_JUMP_PCT).await? {
            None => Ok(DEFAULT_JUMP_PCT),
            Some(v) => v
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|p| (0..=1000).contains(p))
                .ok_or_else(|| crate::assistance::corrupt(format!("{SETTING_JUMP_PCT} {v:?}"))),
        }
    }

    /// Prepares (or resumes) the runs of `month` for `program`, or for every programme due
    /// that month, and returns their ids in programme order. A run already checked is
    /// returned as it is; a month already approved, a month whose previous run is not yet
    /// approved, or a month before one already paid is refused before anything is written.
    pub async fn prepare_payroll(
        &self,
        actor: &Actor,
        month: &str,
        program: Option<&str>,
        progress: &mut (dyn FnMut(RunProgress) + Send),
    ) -> Result<Vec<i64>, Error> {
        self.prepare_payroll_chunked(actor, month, program, CHUNK_CASES, progress)
            .await
    }

    /// [`Service::prepare_payroll`] with `chunk` cases per transaction.
    pub async fn prepare_payroll_chunked(
        &self,
        actor: &Actor,
        month: &str,
        program: Option<&str>,
        chunk: i64,
        progress: &mut (dyn FnMut(RunProgress) + Send),
    ) -> Result<Vec<i64>, Error> {
        self.authorize(actor, Line::Payroll, Action::Write)?;
        let month = month_of(month)?;
        let programs = match program.map(str::trim).filter(|p| !p.is_empty()) {
            Some(p) => {
                let p = cash_program(p)?;
                if p == PayrollProgram::Holiday {
                    return Err(Error::invalid(field(
                        "program",
                        "payroll.holiday_from_holiday",
                        p.as_str(),
                    )));
                }
                self.authorize(actor, p.line(), Action::Write)?;
                vec![p]
            }
            None => {
                let prev = month.prev().map(|p| p.to_string()).unwrap_or_default();
                let mut out = Vec::new();
                for p in self
                    .store()
                    .programs_due(month.first_day(), month.last_day(), &prev)
                    .await?
                {
                    let p = stored_program(&p)?;
                    if p != PayrollProgram::Holiday {
                        out.push(p);
                    }
                }
                if !out.contains(&PayrollProgram::Veterans) && self.veterans_due(month).await? {
                    out.push(PayrollProgram::Veterans);
                }
                // Every programme due that the actor's section pays; the others are left
                // to their own section.
                out.retain(|p| actor.may(p.line(), Action::Write));
                out
            }
        };
        if programs.is_empty() {
            return Err(Error::invalid(field(
                "month",
                "payroll.nothing_due",
                month.to_string(),
            )));
        }
        // Every programme is checked before any run is created: a refusal changes nothing.
        let mut plan: Vec<(PayrollProgram, Option<RunRecord>)> = Vec::new();
        for p in programs {
            let runs = self.store().payroll_runs(None, Some(p.as_str())).await?;
            let mut existing = None;
            for r in runs {
                let m = stored_month(&r.month)?;
                let open = matches!(r.state.as_str(), "draft" | "checked");
                if m == month {
                    if !open {
                        return Err(conflict(
                            "payroll.already_approved",
                            format!("{month} {}", p.as_str()),
                        ));
                    }
                    existing = Some(r);
                } else if m < month && open {
                    return Err(conflict(
                        "payroll.earlier_open",
                        format!("{m} {}", p.as_str()),
                    ));
                } else if m > month && !open {
                    return Err(conflict(
                        "payroll.before_paid",
                        format!("{m} {}", p.as_str()),
                    ));
                } else if m > month {
                    return Err(conflict(
                        "payroll.later_open",
                        format!("{m} {}", p.as_str()),
                    ));
                }
            }
            plan.push((p, existing));
        }
        let jump_pct = self.jump_pct().await?;
        let mut ids = Vec::with_capacity(plan.len());
        for (program, existing) in plan {
            let run = match existing {
                Some(r) => r,
                None => {
                    let new = NewRun {
                        month: month.to_string(),
                        program: program.as_str().to_owned(),
                        cutoff: self.now(),
                        jump_pct,
                        prepared_by: actor.username.clone(),
                    };
                    let audit = self.audit(
                        actor,
                        "payroll.run.create",
                        "payroll_run",
                        "",
                        format!("month={month} program={program} jump_pct={jump_pct}"),
                    );
                    let id = match self.store().create_run(&new, &audit).await {
                        Ok(id) => id,
                        Err(StoreError::Conflict {
                            constraint: Some(c),
                            ..
                        }) if c == store::RUN_MONTH_PROGRAM => {
                            // Another preparer created it a moment ago: resume that one.
                            self.store()
                                .payroll_runs(Some(&month.to_string()), Some(program.as_str()))
                                .await?
                                .first()
                                .map(|r| r.id)
                                .ok_or(Error::NotFound)?
                        }
                        Err(e) => return Err(e.into()),
                    };
                    self.store().payroll_run(id).await?
                }
            };
            if run.state == "draft" {
                match program {
                    PayrollProgram::Assistance(p) => {
                        self.compute_run(actor, &run, p, chunk.clamp(1, 100_000), progress)
                            .await?;
                    }
                    PayrollProgram::Veterans | PayrollProgram::Holiday => {
                        self.compute_veterans_run(actor, &run, program, progress)
                            .await?;
                    }
                }
            }
            ids.push(run.id);
        }
        Ok(ids)
    }

    /// The approved runs of `program` before `month` with their cut-offs, oldest first: the
    /// months a run may owe arrears or recover for.
    pub(crate) async fn earlier_approved(
        &self,
        program: &str,
        month: Month,
    ) -> Result<Vec<(Month, DateTime<Utc>)>, Error> {
        let mut earlier = Vec::new();
        for r in self.store().payroll_runs(None, Some(program)).await? {
            let m = stored_month(&r.month)?;
            if m < month && r.approved_by.is_some() {
                earlier.push((m, r.cutoff));
            }
        }
        earlier.sort_by_key(|(m, _)| *m);
        Ok(earlier)
    }

    /// Computes a draft run from its cursor to the end, chunk by chunk, then checks it.
    async fn compute_run(
        &self,
        actor: &Actor,
        run: &RunRecord,
        program: Program,
        chunk: i64,
        progress: &mut (dyn FnMut(RunProgress) + Send),
    ) -> Result<(), Error> {
        let month = stored_month(&run.month)?;
        let earlier = self.earlier_approved(program.as_str(), month).await?;
        let ctx = RunContext {
            month,
            cutoff: run.cutoff,
            jump_pct: run.jump_pct,
            earlier,
            tables: self.tables().await?,
            tables_changed_at: self.store().benefit_tables_changed_at().await?,
        };
        // Settled cases (decided before every cut-off that matters, never changed) take the
        // set-based path, unless the tables changed since an earlier approved run's cut-off
        // (then every case may be owed arrears and goes through the Rust pass).
        let earliest = ctx.earlier.iter().map(|(_, t)| *t).min();
        let fresh_tables = match (ctx.tables_changed_at, earliest) {
            (Some(changed), Some(earliest)) => changed <= earliest,
            _ => true,
        };
        let settled = month_rule(&ctx.tables, program, month)
            .filter(|_| fresh_tables)
            .map(|rule| SettledPath {
                rule,
                decided_by: earliest.map_or(ctx.cutoff, |e| e.min(ctx.cutoff)),
                prev_month: month.prev().map(|p| p.to_string()).unwrap_or_default(),
                jump_pct: ctx.jump_pct,
            });
        let total = self.store().payroll_case_count(program.as_str()).await?;
        let mut done = self
            .store()
            .payroll_case_count_upto(program.as_str(), run.computed_upto)
            .await?;
        progress(RunProgress {
            run_id: run.id,
            program: PayrollProgram::Assistance(program),
            cases_done: done,
            cases_total: total,
        });
        let audit = |first: i64, upto: i64, lines: u64| {
            self.audit(
                actor,
                "payroll.run.compute",
                format!("payroll_run:{}", run.id),
                "",
                format!("cases {first}..={upto} lines={lines}"),
            )
        };
        let mut compute = |cases: Vec<PayrollCase>| {
            let mut lines = Vec::with_capacity(cases.len() + cases.len() / 8);
            for c in cases {
                ctx.lines(c, &mut lines)?;
            }
            Ok::<_, Error>(lines)
        };
        while let Some(chunk) = self
            .store()
            .run_chunk(
                run.id,
                program.as_str(),
                chunk,
                settled.as_ref(),
                &mut compute,
                &audit,
            )
            .await?
        {
            done += chunk.cases;
            progress(RunProgress {
                run_id: run.id,
                program: PayrollProgram::Assistance(program),
                cases_done: done.min(total),
                cases_total: total,
            });
        }
        self.check_run(actor, run, month).await
    }

    /// Marks draft run `run` checked with its totals and difference from last month: the
    /// last step of computing any programme's run.
    pub(crate) async fn check_run(
        &self,
        actor: &Actor,
        run: &RunRecord,
        month: Month,
    ) -> Result<(), Error> {
        let prev = month.prev().map(|p| p.to_string()).unwrap_or_default();
        let s = self.store().run_summary(run.id, &prev).await?;
        let audit = self.audit(
            actor,
            "payroll.run.check",
            format!("payroll_run:{}", run.id),
            "",
            format!(
                "households={} total={} added={} stopped={} changed={} flagged={} arrears={} recovery={}",
                s.households,
                Fen::from_fen(s.total_fen).yuan(),
                s.added,
                s.stopped,
                s.changed,
                s.flagged,
                Fen::from_fen(s.arrears_fen).yuan(),
                Fen::from_fen(s.recovery_fen).yuan(),
            ),
        );
        self.store().finish_run(run.id, &s, &audit).await?;
        Ok(())
    }

    /// Approves run `id` as `actor`: it must be checked, and the actor another account than
    /// its preparer with `payroll` `approve`. Returns the ledger entries written.
    pub async fn approve_payroll_run(&self, actor: &Actor, id: i64) -> Result<u64, Error> {
        self.authorize(actor, Line::Payroll, Action::Approve)?;
        let run = self.store().payroll_run(id).await?;
        self.authorize_run(actor, &run, Action::Approve)?;
        self.approvable(actor, &run)?;
        let audit = self.audit(
            actor,
            "payroll.run.approve",
            format!("payroll_run:{id}"),
            "",
            format!(
                "month={} program={} households={} total={} preparer={}",
                run.month,
                run.program,
                run.households,
                Fen::from_fen(run.total_fen).yuan(),
                run.prepared_by
            ),
        );
        match self.store().approve_run(id, &actor.username, &audit).await {
            Ok(n) => Ok(n),
            Err(StoreError::Conflict {
                constraint: Some(c),
                what,
            }) if c == "state" => Err(conflict("payroll.not_checked", what)),
            Err(e) => Err(e.into()),
        }
    }

    /// Refuses unless the actor holds `action` in the run's programme's own line too (the
    /// `payroll` permission is checked by the caller): assistance staff do not approve the
    /// veterans' runs, nor veterans staff the assistance ones.
    pub(crate) fn authorize_run(
        &self,
        actor: &Actor,
        run: &RunRecord,
        action: Action,
    ) -> Result<(), Error> {
        self.authorize(actor, stored_program(&run.program)?.line(), action)
    }

    fn approvable(&self, actor: &Actor, run: &RunRecord) -> Result<(), Error> {
        let what = format!("{} {}", run.month, run.program);
        if actor.is_system() {
            return Err(conflict("payroll.approver_account", what));
        }
        match run.state.as_str() {
            "checked" => {}
            "draft" => return Err(conflict("payroll.not_checked", what)),
            _ => return Err(conflict("payroll.already_approved", what)),
        }
        if run.prepared_by == actor.username {
            return Err(conflict("payroll.maker_checker", run.prepared_by.clone()));
        }
        Ok(())
    }

    /// Approves every checked run of `month` that the approver's section pays; every one is
    /// checked for the approver first, so a refusal approves none. Returns (run id, entries written) per run.
    pub async fn approve_payroll_month(
        &self,
        actor: &Actor,
        month: &str,
    ) -> Result<Vec<(i64, u64)>, Error> {
        self.authorize(actor, Line::Payroll, Action::Approve)?;
        let month = month_of(month)?;
        let runs = self
            .store()
            .payroll_runs(Some(&month.to_string()), None)
            .await?;
        let unapproved: Vec<&RunRecord> = runs
            .iter()
            .filter(|r| matches!(r.state.as_str(), "draft" | "checked"))
            .collect();
        // The month's runs of the approver's own section; another section's are theirs.
        let open: Vec<&RunRecord> = unapproved
            .iter()
            .copied()
            .filter(|r| {
                stored_program(&r.program).is_ok_and(|p| actor.may(p.line(), Action::Approve))
            })
            .collect();
        if open.is_empty() && !unapproved.is_empty() {
            return Err(Error::Forbidden);
        }
        if open.is_empty() {
            return Err(match runs.first() {
                Some(r) => conflict("payroll.already_approved", format!("{month} {}", r.program)),
                None => Error::invalid(field("month", "payroll.no_run", month.to_string())),
            });
        }
        for r in &open {
            self.authorize_run(actor, r, Action::Approve)?;
            self.approvable(actor, r)?;
        }
        let mut out = Vec::with_capacity(open.len());
        for r in open {
            out.push((r.id, self.approve_payroll_run(actor, r.id).await?));
        }
        Ok(out)
    }

    /// The runs, newest month first, optionally of one month.
    pub async fn payroll_runs(
        &self,
        actor: &Actor,
        month: Option<&str>,
    ) -> Result<Vec<RunRecord>, Error> {
        self.authorize(actor, Line::Payroll, Action::Read)?;
        let month = month
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(month_of)
            .transpose()?
            .map(|m| m.to_string());
        Ok(self.store().payroll_runs(month.as_deref(), None).await?)
    }

    /// Run `id` with its totals and its difference from the month before.
    pub async fn payroll_run(&self, actor: &Actor, id: i64) -> Result<RunView, Error> {
        self.authorize(actor, Line::Payroll, Action::Read)?;
        let run = self.store().payroll_run(id).await?;
        let month = stored_month(&run.month)?;
        let program = stored_program(&run.program)?;
        let prev_month = month.prev();
        let summary = self
            .store()
            .run_summary(id, &prev_month.map(|m| m.to_string()).unwrap_or_default())
            .await?;
        let may_approve = actor.may(Line::Payroll, Action::Approve)
            && actor.may(program.line(), Action::Approve)
            && self.approvable(actor, &run).is_ok();
        Ok(RunView {
            run,
            month,
            program,
            summary,
            prev_month,
            may_approve,
        })
    }

    /// A page of run `id`'s lines (within the actor's jurisdiction), with the reason for
    /// each difference from the case history; and how many match.
    pub async fn payroll_run_lines(
        &self,
        actor: &Actor,
        id: i64,
        selection: LineSelection,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<RunLine>, i64), Error> {
        self.authorize(actor, Line::Payroll, Action::Read)?;
        Ok(self
            .store()
            .run_lines(id, selection, actor.jurisdiction.as_ref(), limit, offset)
            .await?)
    }

    /// A page of the ledger within the actor's jurisdiction, with the count and sum of
    /// every entry that matches.
    pub async fn ledger(
        &self,
        actor: &Actor,
        mut filter: LedgerFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<LedgerEntry>, i64, Fen), Error> {
        self.authorize(actor, Line::Payroll, Action::Read)?;
        for m in [&filter.paid_in, &filter.benefit_month]
            .into_iter()
            .flatten()
        {
            month_of(m)?;
        }
        if let Some(p) = &filter.program {
            cash_program(p)?;
        }
        filter.jurisdiction = actor.jurisdiction.clone();
        let (entries, total, sum) = self.store().ledger_page(&filter, limit, offset).await?;
        Ok((entries, total, Fen::from_fen(sum)))
    }

    /// The ledger entries matching `filter` for an export (at most
    /// [`store::MAX_PAGE_ROWS`]), with the export recorded in the audit log.
    pub async fn export_ledger(
        &self,
        actor: &Actor,
        filter: LedgerFilter,
    ) -> Result<Vec<LedgerEntry>, Error> {
        self.authorize(actor, Line::Payroll, Action::Export)?;
        let (entries, total, _) = self.ledger(actor, filter, store::MAX_PAGE_ROWS, 0).await?;
        let audit = self.audit(
            actor,
            "payroll.ledger.export",
            "payroll_ledger",
            "",
            format!("rows={} of {total}", entries.len()),
        );
        self.store().record_audit(&audit).await?;
        Ok(entries)
    }

    /// Every payment to the household of case `case_id` (its payment history), for the
    /// case page; the case must lie in the actor's jurisdiction.
    pub async fn case_payments(
        &self,
        actor: &Actor,
        case_id: i64,
    ) -> Result<Vec<LedgerEntry>, Error> {
        if !actor.may(Line::Payroll, Action::Read) {
            self.authorize(actor, Line::Assistance, Action::Read)?;
        }
        let file = self.store().case_file(case_id).await?;
        self.within(actor, &file.case.division_code)?;
        let filter = LedgerFilter {
            household_id: Some(file.case.household_id),
            ..LedgerFilter::default()
        };
        let (entries, _, _) = self
            .store()
            .ledger_page(&filter, store::MAX_PAGE_ROWS, 0)
            .await?;
        Ok(entries)
    }

    /// Corrects ledger entry `id`: a reversal pointing at it and, when `replacement` is
    /// given, a one-off entry with the right amount, both paid in `paid_in`, with `reason`.
    pub async fn correct_ledger_entry(
        &self,
        actor: &Actor,
        id: i64,
        paid_in: &str,
        replacement: Option<Fen>,
        reason: &str,
    ) -> Result<Vec<i64>, Error> {
        self.authorize(actor, Line::Payroll, Action::Approve)?;
        let paid_in = month_of(paid_in)?;
        let reason = check_reason(reason)?;
        if let Some(r) = replacement
            && (r.as_fen() <= 0 || r.as_fen() > MAX_ONE_OFF_FEN)
        {
            return Err(Error::invalid(field(
                "amount",
                "payroll.one_off_amount",
                r.yuan(),
            )));
        }
        let audit = self.audit(
            actor,
            "payroll.ledger.correct",
            format!("ledger:{id}"),
            &reason,
            format!(
                "paid_in={paid_in} replacement={}",
                replacement.map_or_else(|| "none".into(), Fen::yuan)
            ),
        );
        match self
            .store()
            .reverse_entry(
                id,
                &paid_in.to_string(),
                replacement.map(Fen::as_fen),
                &reason,
                &audit,
            )
            .await
        {
            Ok(ids) => Ok(ids),
            Err(StoreError::Conflict { what, .. }) => Err(conflict("payroll.reversed", what)),
            Err(e) => Err(e.into()),
        }
    }

    /// A benchmark baseline for `month` ([`store::Baseline`]): per cash programme, one
    /// set-based `INSERT … SELECT` applying the month's rule (the same rule the runs apply:
    /// standard, income, members, classified increments, care) into a scratch table,
    /// without cut-off, run, approval or audit. Returns the rows written.
    pub async fn bench_baseline_payroll(
        &self,
        actor: &Actor,
        baseline: store::Baseline,
        month: &str,
    ) -> Result<u64, Error> {
        self.authorize(actor, Line::Payroll, Action::Write)?;
        let month = month_of(month)?;
        let prev = month.prev().map(|p| p.to_string()).unwrap_or_default();
        let tables = self.tables().await?;
        let mut rows = 0;
        for program in [
            Program::Dibao,
            Program::TekunDispersed,
            Program::TekunCentralized,
        ] {
            let Some(rule) = month_rule(&tables, program, month) else {
                continue;
            };
            rows += self
                .store()
                .bench_insert_select(baseline, &rule, &prev)
                .await?;
        }
        Ok(rows)
    }

    /// What approved runs paid per payment month and programme between `from` and `to`
    /// (inclusive), within `division`'s subtree (the actor's jurisdiction when `None`): the
    /// figure reports count, a month's payments once its run is approved.
    pub async fn paid_by_month(
        &self,
        actor: &Actor,
        from: Month,
        to: Month,
        division: Option<&DivisionCode>,
    ) -> Result<Vec<MonthPaid>, Error> {
        if !actor.may(Line::Reports, Action::Read) {
            self.authorize(actor, Line::Payroll, Action::Read)?;
        }
        let root = match division {
            Some(d) => {
                self.within(actor, d)?;
                Some(d.clone())
            }
            None => actor.jurisdiction.clone(),
        };
        Ok(self
            .store()
            .paid_by_month(&from.to_string(), &to.to_string(), root.as_ref())
            .await?)
    }
}
