//! The veterans' programmes in the payroll (issue 7 items 2–4): 优抚金 (`veterans`), the
//! entitlements' regular monthly payments, and 优待金 (`veterans_holiday`), the holiday
//! payments. Both are runs of `service::payroll` (the same preparation rules, maker–checker
//! approval into the ledger, bank files, returns and reconciliation); only the lines are
//! computed here, one per household, because veterans have no assistance case.
//!
//! A `veterans` run reads the entitlements as they stood at its cut-off (registered by
//! then, status changes recorded by then) and pays each household the sum of its
//! entitlements' [`domain::veterans::monthly_due`] for the month. A standard missing for an
//! entitlement that is due stops the run (`payroll.veterans_no_standard`, naming the
//! category, grade and cause) rather than pay 0. Earlier approved months are recomputed
//! exactly as the assistance side does (`service::payroll`): only when something the amount
//! depends on changed after that month's cut-off (a standard added or corrected, an
//! entitlement registered, a status change recorded), and the difference from what the
//! ledger holds becomes an `arrears` or `recovery` line. So a standard raised with an
//! earlier effective date pays its arrears in the next run.
//!
//! A holiday payment (优待金) is data: a name (the ledger entries' reason), the day the
//! households must be entitled on, the month it is paid in, and an amount per category. Its
//! run pays each household with an active entitlement of a listed category on that day the
//! largest of its categories' amounts (one holiday payment per household, as the
//! coverage counts households), as one-off entries; the ledger's unique index
//! `payroll_ledger_holiday_once` refuses a second payment of one holiday to a household.
//! Coverage is paid households over entitled households (entitled as the records stand now,
//! so a household certified late shows as not covered).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use domain::veterans::{Due, Entitlement, NoStandard, StandardTable, Status};
use domain::{Action, Fen, Line, Month, parse_date};
use store::{
    EntitlementRecord, HOLIDAY_NAME, HolidayRecord, HouseholdLine, NewHoliday, NewRun,
    RUN_MONTH_PROGRAM, RunRecord, StoreError,
};

use super::{corrupt, facts};
use crate::bank::PayeeInput;
use crate::payroll::{PayrollProgram, RunProgress, correction, jumped, stored_month};
use crate::{Actor, Error, FieldError, Service};

const MAX_HOLIDAY_NAME_CHARS: usize = 40;
/// A holiday amount above 10 万元 per household is a typo.
const MAX_HOLIDAY_FEN: i64 = 10_000_000;

/// A holiday payment to define; amounts are (category code, yuan) and blank amounts are
/// left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HolidayInput {
    pub name: String,
    pub entitled_on: String,
    pub month: String,
    pub amounts: Vec<(String, String)>,
}

/// A holiday payment with its coverage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayView {
    pub record: HolidayRecord,
    /// Households with an active entitlement of a listed category on the day (within the
    /// actor's jurisdiction), and what they are due.
    pub entitled: i64,
    pub entitled_fen: i64,
    /// Households the holiday's ledger entries paid (net above zero), and the money.
    pub paid: i64,
    pub paid_fen: i64,
    /// The run, once prepared.
    pub run: Option<RunRecord>,
}

impl HolidayView {
    /// Paid over entitled households in hundredths of a percent (10000 = 100 %); `None`
    /// when nobody is entitled.
    pub fn coverage_bp(&self) -> Option<i64> {
        domain::reports::rate_bp(self.paid, self.entitled)
    }

    /// The coverage as the report writes it (`100%`, `98.37%`), or `-`.
    pub fn coverage(&self) -> String {
        self.coverage_bp().map_or_else(
            || "-".to_owned(),
            |bp| format!("{}%", domain::reports::Unit::Percent.format(bp)),
        )
    }
}

/// An entitlement as it stood at `cutoff`: `None` if registered later; status changes
/// recorded later are left out.
fn as_of(record: &EntitlementRecord, cutoff: DateTime<Utc>) -> Result<Option<Entitlement>, Error> {
    if record.at > cutoff {
        return Ok(None);
    }
    let mut kept = record.clone();
    kept.history.retain(|e| e.at <= cutoff);
    facts(&kept).map(Some)
}

/// The status in force on `day`: the last change with an effective date on or before it.
fn status_on(entitlement: &Entitlement, day: NaiveDate) -> Status {
    let mut in_force: Option<(NaiveDate, Status)> = None;
    for c in &entitlement.history {
        if c.effective_on <= day && in_force.is_none_or(|(d, _)| d <= c.effective_on) {
            in_force = Some((c.effective_on, c.status));
        }
    }
    in_force.map_or(Status::Active, |(_, s)| s)
}

/// The refusal of a run for a missing standard, naming what is missing.
fn no_standard(e: &NoStandard, category_name: &str) -> Error {
    let mut what = format!("{category_name}（{}）", e.key.category);
    if let Some(grade) = e.key.grade {
        what.push_str(&format!(" {grade}级"));
    }
    if let Some(cause) = e.key.cause {
        what.push_str(&format!(" {}", cause.as_str()));
    }
    Error::invalid(FieldError::new(
        "standard",
        "payroll.veterans_no_standard",
        format!("{what} {}", e.on),
    ))
}

/// One entitlement as a run sees it.
struct Held {
    entitlement: Entitlement,
    category_name: String,
    registered_at: DateTime<Utc>,
    /// When its status changes were recorded.
    changes_at: Vec<DateTime<Utc>>,
}

/// One household's entitlements as a run sees them.
struct Household {
    division_code: String,
    held: Vec<Held>,
}

impl Household {
    /// What the household is due for `month`: the sum of its entitlements' amounts, and how
    /// many pay something.
    fn due(&self, table: &StandardTable, month: Month) -> Result<(i64, i64), Error> {
        let mut total = 0i64;
        let mut paying = 0i64;
        for h in &self.held {
            match domain::veterans::monthly_due(&h.entitlement, table, month) {
                Ok(Due::Pay { amount, .. }) => {
                    total = total.saturating_add(amount.as_fen());
                    if amount.as_fen() > 0 {
                        paying += 1;
                    }
                }
                Ok(Due::Nothing(_)) => {}
                Err(err) => return Err(no_standard(&err, &h.category_name)),
            }
        }
        Ok((total, paying))
    }

    /// Whether anything its amount for a month depends on was recorded after `cutoff`.
    fn changed_after(&self, cutoff: DateTime<Utc>) -> bool {
        self.held
            .iter()
            .any(|h| h.registered_at > cutoff || h.changes_at.iter().any(|t| *t > cutoff))
    }
}

/// The households of the entitlements as they stood at `cutoff`, by household id.
fn households(
    records: &[EntitlementRecord],
    cutoff: DateTime<Utc>,
) -> Result<BTreeMap<i64, Household>, Error> {
    let mut out: BTreeMap<i64, Household> = BTreeMap::new();
    for r in records {
        let Some(e) = as_of(r, cutoff)? else {
            continue;
        };
        let events = r
            .history
            .iter()
            .filter(|x| x.at <= cutoff)
            .map(|x| x.at)
            .collect();
        out.entry(r.household_id)
            .or_insert_with(|| Household {
                division_code: r.division_code.as_str().to_owned(),
                held: Vec::new(),
            })
            .held
            .push(Held {
                entitlement: e,
                category_name: r.category_name.clone(),
                registered_at: r.at,
                changes_at: events,
            });
    }
    Ok(out)
}

fn parse_holiday(input: &HolidayInput) -> Result<NewHoliday, Error> {
    let mut errors = Vec::new();
    let name = input.name.trim().to_owned();
    let n = name.chars().count();
    if n == 0 || n > MAX_HOLIDAY_NAME_CHARS || name.chars().any(char::is_control) {
        errors.push(FieldError::new(
            "name",
            "veterans.holiday_name",
            format!("1–{MAX_HOLIDAY_NAME_CHARS}"),
        ));
    }
    let entitled_on = parse_date(input.entitled_on.trim())
        .map_err(|e| errors.push(FieldError::new("entitled_on", e.code(), &input.entitled_on)))
        .ok();
    let month = Month::parse(input.month.trim())
        .map_err(|e| errors.push(FieldError::new("month", e.code(), &input.month)))
        .ok();
    let mut amounts = Vec::new();
    for (row, (category, amount)) in input.amounts.iter().enumerate() {
        let amount = amount.trim();
        if amount.is_empty() {
            continue;
        }
        match Fen::from_yuan_str(amount) {
            Ok(f) if f.as_fen() > 0 && f.as_fen() <= MAX_HOLIDAY_FEN => {
                amounts.push((category.trim().to_owned(), f.as_fen()));
            }
            Ok(_) => errors
                .push(FieldError::new("amount", "veterans.holiday_amount", amount).at_row(row + 1)),
            Err(e) => errors.push(FieldError::new("amount", e.code(), amount).at_row(row + 1)),
        }
    }
    if amounts.is_empty() && errors.is_empty() {
        errors.push(FieldError::new("amount", "veterans.holiday_no_amount", ""));
    }
    if let (Some(on), Some(m)) = (entitled_on, month)
        && Month::of(on) > m
    {
        errors.push(FieldError::new(
            "entitled_on",
            "veterans.holiday_after_month",
            on.to_string(),
        ));
    }
    match (entitled_on, month, errors.is_empty()) {
        (Some(entitled_on), Some(month), true) => Ok(NewHoliday {
            name,
            entitled_on,
            month: month.to_string(),
            amounts,
        }),
        _ => Err(Error::Invalid(errors)),
    }
}

impl Service {
    /// Whether any entitlement is due something for `month` (as the records stand): the
    /// veterans' programme is then due a run. A missing standard counts as due, so that the
    /// run starts and stops on it with its reason.
    pub(crate) async fn veterans_due(&self, month: Month) -> Result<bool, Error> {
        let table = self.veteran_standard_table().await?;
        for r in self.store().payroll_entitlements().await? {
            match domain::veterans::monthly_due(&facts(&r)?, &table, month) {
                Ok(Due::Pay { amount, .. }) if amount.as_fen() > 0 => return Ok(true),
                Err(_) => return Ok(true),
                Ok(_) => {}
            }
        }
        Ok(false)
    }

    /// Computes draft run `run` of a veterans' programme whole (the veterans are few: one
    /// transaction of lines), then checks it.
    pub(crate) async fn compute_veterans_run(
        &self,
        actor: &Actor,
        run: &RunRecord,
        program: PayrollProgram,
        progress: &mut (dyn FnMut(RunProgress) + Send),
    ) -> Result<(), Error> {
        let month = stored_month(&run.month)?;
        let records = self.store().payroll_entitlements().await?;
        let households = households(&records, run.cutoff)?;
        let lines = match program {
            PayrollProgram::Holiday => {
                let holiday = self
                    .store()
                    .holidays()
                    .await?
                    .into_iter()
                    .find(|h| h.run_id == Some(run.id))
                    .ok_or_else(|| corrupt(format!("holiday of run {}", run.id)))?;
                holiday_lines(&holiday, &households, &run.month)
            }
            _ => self.regular_lines(run, month, &households).await?,
        };
        let total = u64::try_from(households.len()).unwrap_or(u64::MAX);
        let audit = self.audit(
            actor,
            "payroll.run.compute",
            format!("payroll_run:{}", run.id),
            "",
            format!("households={} lines={}", households.len(), lines.len()),
        );
        self.store()
            .write_household_lines(run.id, &lines, &audit)
            .await?;
        progress(RunProgress {
            run_id: run.id,
            program,
            cases_done: total,
            cases_total: total,
        });
        self.check_run(actor, run, month).await
    }

    /// The lines of a `veterans` run: per household the month's regular amount (0 for a
    /// household paid last month and due nothing now), and arrears or recoveries for the
    /// earlier approved months whose amount may have changed since their cut-off.
    async fn regular_lines(
        &self,
        run: &RunRecord,
        month: Month,
        households: &BTreeMap<i64, Household>,
    ) -> Result<Vec<HouseholdLine>, Error> {
        let table = self.veteran_standard_table().await?;
        let earlier = self
            .earlier_approved(PayrollProgram::VETERANS, month)
            .await?;
        let standards_changed = self.store().veteran_standards_changed_at().await?;
        let paid = self
            .store()
            .household_paid(PayrollProgram::VETERANS)
            .await?;
        let prev_month = month.prev().map(|p| p.to_string()).unwrap_or_default();
        let mut lines = Vec::new();
        for (&household_id, h) in households {
            let line = |month: Month, kind: &'static str, amount: i64, n: i64| HouseholdLine {
                household_id,
                division_code: h.division_code.clone(),
                benefit_month: month.to_string(),
                kind,
                amount_fen: amount,
                entitlements: n,
                prev_fen: None,
                flagged: false,
                reason: String::new(),
            };
            let (due, n) = h.due(&table, month)?;
            let prev = paid
                .get(&(household_id, prev_month.clone()))
                .map(|(_, regular)| *regular)
                .filter(|r| *r != 0);
            if due > 0 || prev.is_some() {
                let mut l = line(month, "regular", due, n);
                l.prev_fen = prev;
                l.flagged = jumped(due, prev, run.jump_pct);
                lines.push(l);
            }
            for (m, cutoff) in &earlier {
                let stale =
                    standards_changed.is_some_and(|t| t > *cutoff) || h.changed_after(*cutoff);
                if !stale {
                    continue;
                }
                let (due, n) = h.due(&table, *m)?;
                let paid = paid
                    .get(&(household_id, m.to_string()))
                    .map_or(0, |(all, _)| *all);
                if let Some(kind) = correction(due - paid) {
                    lines.push(line(*m, kind, due - paid, n));
                }
            }
        }
        // Households no longer on the register (none are deleted today) but paid last
        // month would be stops; the register keeps every household, so there are none.
        Ok(lines)
    }

    /// Defines a holiday payment (`veterans` `approve`: the section decides the amounts);
    /// a name in use is refused.
    pub async fn define_holiday(&self, actor: &Actor, input: &HolidayInput) -> Result<i64, Error> {
        self.authorize(actor, Line::Veterans, Action::Approve)?;
        let holiday = parse_holiday(input)?;
        let categories = self.store().veteran_categories().await?;
        let mut errors = Vec::new();
        let mut seen = Vec::new();
        for (row, (code, _)) in holiday.amounts.iter().enumerate() {
            if !categories.iter().any(|c| &c.code == code) {
                errors.push(FieldError::new("category", "veterans.category", code).at_row(row + 1));
            } else if seen.contains(code) {
                errors.push(
                    FieldError::new("category", "veterans.holiday_category_twice", code)
                        .at_row(row + 1),
                );
            }
            seen.push(code.clone());
        }
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let audit = self.audit(
            actor,
            "veterans.holiday.define",
            "veteran_holiday",
            "",
            format!(
                "name={} entitled_on={} month={} amounts={}",
                holiday.name,
                holiday.entitled_on,
                holiday.month,
                holiday
                    .amounts
                    .iter()
                    .map(|(c, f)| format!("{c}:{}", Fen::from_fen(*f).yuan()))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        );
        match self.store().insert_holiday(&holiday, &audit).await {
            Ok(id) => Ok(id),
            Err(StoreError::Conflict {
                constraint: Some(c),
                ..
            }) if c == HOLIDAY_NAME => Err(Error::invalid(FieldError::new(
                "name",
                "veterans.holiday_name_taken",
                holiday.name,
            ))),
            Err(e) => Err(e.into()),
        }
    }

    /// The holiday payments with their coverage (`veterans` `read`; counted within the
    /// actor's jurisdiction).
    pub async fn holidays(&self, actor: &Actor) -> Result<Vec<HolidayView>, Error> {
        self.authorize(actor, Line::Veterans, Action::Read)?;
        let records = self.store().payroll_entitlements().await?;
        let mut out = Vec::new();
        for h in self.store().holidays().await? {
            out.push(self.holiday_view(actor, h, &records).await?);
        }
        Ok(out)
    }

    /// One holiday payment with its coverage.
    pub async fn holiday(&self, actor: &Actor, id: i64) -> Result<HolidayView, Error> {
        self.authorize(actor, Line::Veterans, Action::Read)?;
        let h = self.store().holiday(id).await?;
        let records = self.store().payroll_entitlements().await?;
        self.holiday_view(actor, h, &records).await
    }

    async fn holiday_view(
        &self,
        actor: &Actor,
        record: HolidayRecord,
        records: &[EntitlementRecord],
    ) -> Result<HolidayView, Error> {
        let mine: Vec<EntitlementRecord> = records
            .iter()
            .filter(|r| actor.sees(&r.division_code))
            .cloned()
            .collect();
        let now = households(&mine, self.now())?;
        let due = holiday_lines(&record, &now, &record.month);
        let in_reach: Vec<i64> = due.iter().map(|l| l.household_id).collect();
        let (paid, paid_fen) = self
            .store()
            .holiday_paid(&record.month, actor.jurisdiction.as_ref())
            .await?;
        let run = match record.run_id {
            Some(id) => Some(self.store().payroll_run(id).await?),
            None => None,
        };
        Ok(HolidayView {
            entitled: i64::try_from(in_reach.len()).unwrap_or(i64::MAX),
            entitled_fen: due.iter().map(|l| l.amount_fen).sum(),
            paid,
            paid_fen,
            record,
            run,
        })
    }

    /// The holiday payment run `run_id` pays, with its coverage, if it is a holiday run
    /// (`payroll` `read`, as the run page it is shown on; counted in the jurisdiction).
    pub async fn holiday_of_run(
        &self,
        actor: &Actor,
        run_id: i64,
    ) -> Result<Option<HolidayView>, Error> {
        self.authorize(actor, Line::Payroll, Action::Read)?;
        let Some(h) = self
            .store()
            .holidays()
            .await?
            .into_iter()
            .find(|h| h.run_id == Some(run_id))
        else {
            return Ok(None);
        };
        let records = self.store().payroll_entitlements().await?;
        self.holiday_view(actor, h, &records).await.map(Some)
    }

    /// Prepares the run of holiday `id` (`payroll` and `veterans` `write`): created with its
    /// cut-off, computed and checked, ready for a second account to approve. A holiday is
    /// run once; its month may hold one holiday run.
    pub async fn prepare_holiday_run(&self, actor: &Actor, id: i64) -> Result<i64, Error> {
        self.authorize(actor, Line::Payroll, Action::Write)?;
        self.authorize(actor, Line::Veterans, Action::Write)?;
        let holiday = self.store().holiday(id).await?;
        if let Some(run_id) = holiday.run_id {
            let run = self.store().payroll_run(run_id).await?;
            if run.state != "draft" {
                return Err(Error::Conflict {
                    code: "veterans.holiday_run_exists",
                    detail: holiday.name,
                });
            }
            // A preparation cut short: finish it.
            self.compute_veterans_run(actor, &run, PayrollProgram::Holiday, &mut |_| {})
                .await?;
            return Ok(run_id);
        }
        let new = NewRun {
            month: holiday.month.clone(),
            program: PayrollProgram::HOLIDAY.to_owned(),
            cutoff: self.now(),
            jump_pct: 0,
            prepared_by: actor.username.clone(),
        };
        let audit = self.audit(
            actor,
            "payroll.run.create",
            "payroll_run",
            "",
            format!(
                "month={} program={} holiday={}",
                holiday.month,
                PayrollProgram::HOLIDAY,
                holiday.name
            ),
        );
        let run_id = match self.store().create_holiday_run(id, &new, &audit).await {
            Ok(run_id) => run_id,
            Err(StoreError::Conflict {
                constraint: Some(c),
                ..
            }) if c == RUN_MONTH_PROGRAM => {
                return Err(Error::Conflict {
                    code: "veterans.holiday_month_taken",
                    detail: holiday.month,
                });
            }
            Err(StoreError::Conflict { .. }) => {
                return Err(Error::Conflict {
                    code: "veterans.holiday_run_exists",
                    detail: holiday.name,
                });
            }
            Err(e) => return Err(e.into()),
        };
        let run = self.store().payroll_run(run_id).await?;
        self.compute_veterans_run(actor, &run, PayrollProgram::Holiday, &mut |_| {})
            .await?;
        Ok(run_id)
    }

    /// The accounts of entitlement `id`'s household, current first (`veterans` or
    /// `payroll` `read`, within the jurisdiction).
    pub async fn entitlement_payees(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<Vec<store::PayeeRecord>, Error> {
        if !actor.may(Line::Payroll, Action::Read) {
            self.authorize(actor, Line::Veterans, Action::Read)?;
        }
        let record = self.store().entitlement(id).await?;
        self.within(actor, &record.division_code)?;
        Ok(self.store().payee_history(record.household_id).await?)
    }

    /// Records the bank account of entitlement `id`'s household (`payroll` and `veterans`
    /// `write`, within the jurisdiction), as `set_payee` does for a case's household.
    pub async fn set_entitlement_payee(
        &self,
        actor: &Actor,
        id: i64,
        input: &PayeeInput,
    ) -> Result<(), Error> {
        self.authorize(actor, Line::Payroll, Action::Write)?;
        self.authorize(actor, Line::Veterans, Action::Write)?;
        let record = self.store().entitlement(id).await?;
        self.within(actor, &record.division_code)?;
        self.add_household_payee(
            actor,
            record.household_id,
            &format!("entitlement={id}"),
            input,
        )
        .await
    }
}

/// The one-off lines of `holiday`'s run over `households`: each household with an active
/// entitlement of a listed category on the day, the largest of its categories' amounts.
fn holiday_lines(
    holiday: &HolidayRecord,
    households: &BTreeMap<i64, Household>,
    month: &str,
) -> Vec<HouseholdLine> {
    let amounts: HashMap<&str, i64> = holiday
        .amounts
        .iter()
        .map(|(c, _, f)| (c.as_str(), *f))
        .collect();
    let mut lines = Vec::new();
    for (&household_id, h) in households {
        let entitled: Vec<i64> = h
            .held
            .iter()
            .map(|h| &h.entitlement)
            .filter(|e| {
                e.certified_on <= holiday.entitled_on
                    && status_on(e, holiday.entitled_on) == Status::Active
            })
            .filter_map(|e| amounts.get(e.category.as_str()).copied())
            .collect();
        let Some(&amount) = entitled.iter().max() else {
            continue;
        };
        lines.push(HouseholdLine {
            household_id,
            division_code: h.division_code.clone(),
            benefit_month: month.to_owned(),
            kind: "one_off",
            amount_fen: amount,
            entitlements: i64::try_from(entitled.len()).unwrap_or(i64::MAX),
            prev_fen: None,
            flagged: false,
            reason: holiday.name.clone(),
        });
    }
    lines
}
