//! Dynamic management (动态管理, rules.md §1.7 and §2.5): changes to an approved case
//! (a member joins, leaves or dies, the income changes, the household moves, the benefit is
//! suspended, resumed, ended or phased out), periodic reviews by household class with the due
//! list, and the benefit of any month honouring the change log.
//!
//! The case rows keep the current facts (income, household place, members' `joined_on` and
//! `left_on`, `benefit_end`, `active`); each change updates them in the same transaction as
//! its row in the append-only `case_changes`, which keeps the values before and after. A
//! month before a change is computed with the old facts: members by their dates, the income
//! and the area from the `before` of the first later change (changes are recorded in
//! effective order, so the log is monotone), suspension by replaying suspend/resume.
//!
//! Who may do what: reported facts (members, income, move, death, an unchanged or changed
//! review) need `Assistance` `Write` in the jurisdiction, as the front line reports them;
//! stopping or restarting money (suspend, resume, terminate, gradual exit, a review that
//! terminates) is a decision: `Approve`, or a street officer when the approving level is
//! `street`, like an approval.
//!
//! A change applies from the month after it is recorded unless a later month is stated; a
//! 特困 termination waits for the 7-day notice of §2.5 (the month after the notice ends); a
//! minor (under 18, or a student) keeps 特困 support against work-ability, means and support
//! reasons. The gradual exit keeps the old amount for the configured number of months (0 =
//! not allowed, the default: the length is UNCONFIRMED in the rules).

use chrono::{Duration, Months, NaiveDate};
use domain::assistance::{Benefit, BenefitPeriod, HouseholdFacts, Program, monthly_benefit};
use domain::{Action, Area, DivisionCode, DivisionLevel, Fen, Line, Month, ResidentId};
use store::{
    CaseFile, ChangeApply, NewChange, NewMember, NewPerson, ReviewCandidate, StoreError,
    StoredChange,
};

use super::{
    AssistanceSettings, Employment, MAX_ADDRESS_CHARS, MAX_NAME_CHARS, MemberInput, Relation,
    check_reason, corrupt, field, member_facts, parse_self_care, program_of,
};
use crate::list::{self, Code};
use crate::{Actor, Error, FieldError, Service};

/// Days a 特困 termination is posted before it takes effect (rules.md §2.5, national rule).
pub const TEKUN_TERMINATION_NOTICE_DAYS: i64 = 7;
/// How far ahead a change may be dated, in months.
const MAX_MONTHS_AHEAD: i32 = 12;

/// The review class of a household (rules.md §1.7), which sets how often it is reviewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HouseholdClass {
    /// Little short-term change: no member of working age able to work, nobody ill or
    /// disabled; and every 特困 household.
    Stable,
    /// A member with a severe illness or a disability, and nobody able to work (older rules
    /// review these half-yearly).
    IllOrDisabled,
    /// A member of working age (16–59) able to work: employed or unemployed, not disabled
    /// grade 1–2 (irregular income).
    WorkCapable,
}

impl Code for HouseholdClass {
    const ALL: &'static [Self] = &[Self::Stable, Self::IllOrDisabled, Self::WorkCapable];

    fn as_str(self) -> &'static str {
        match self {
            Self::Stable => "stable",
            Self::IllOrDisabled => "ill_or_disabled",
            Self::WorkCapable => "work_capable",
        }
    }
}

/// Review frequency in months per class: configurable (rules.md §1.7 CONFLICT). The default
/// is the 2021 national rule: yearly, yearly, every six months.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewMonths {
    pub stable: u32,
    pub ill_or_disabled: u32,
    pub work_capable: u32,
}

impl Default for ReviewMonths {
    fn default() -> Self {
        Self {
            stable: 12,
            ill_or_disabled: 12,
            work_capable: 6,
        }
    }
}

impl ReviewMonths {
    pub fn of(&self, class: HouseholdClass) -> u32 {
        match class {
            HouseholdClass::Stable => self.stable,
            HouseholdClass::IllOrDisabled => self.ill_or_disabled,
            HouseholdClass::WorkCapable => self.work_capable,
        }
    }
}

/// Why a case is ended (rules.md §2.5 for 特困; the same list serves 低保).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TerminationReason {
    /// Death, declared death or declared missing.
    Death,
    /// Gained or regained the ability to work.
    WorkAbility,
    /// Sentenced and imprisoned.
    Imprisoned,
    /// Income or property no longer qualify.
    Means,
    /// An obligor can now support them.
    Support,
    /// Voluntary withdrawal.
    Withdrawal,
    /// Moved out of the county (reapply there), or another written reason.
    Other,
}

impl Code for TerminationReason {
    const ALL: &'static [Self] = &[
        Self::Death,
        Self::WorkAbility,
        Self::Imprisoned,
        Self::Means,
        Self::Support,
        Self::Withdrawal,
        Self::Other,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Self::Death => "death",
            Self::WorkAbility => "work_ability",
            Self::Imprisoned => "imprisoned",
            Self::Means => "means",
            Self::Support => "support",
            Self::Withdrawal => "withdrawal",
            Self::Other => "other",
        }
    }
}

/// A change to record on an approved case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeKind {
    /// A person joins the household (checked like an application's member).
    MemberJoins(MemberInput),
    /// A member leaves (not the last one: terminate instead).
    MemberLeaves {
        member_id: i64,
    },
    /// A member died; the last member's death ends the case.
    Death {
        member_id: i64,
    },
    /// The assessed monthly per-capita income changes.
    Income {
        income_per_capita: Fen,
    },
    /// The household moves to another community or village of the county.
    Move {
        community: String,
        address: String,
    },
    Suspend,
    Resume,
    Terminate {
        reason: TerminationReason,
    },
    /// The income rose above the standard through work: the benefit continues for the
    /// configured months, then ends.
    GradualExit {
        income_per_capita: Fen,
    },
}

impl ChangeKind {
    pub fn code(&self) -> &'static str {
        match self {
            Self::MemberJoins(_) => "member_join",
            Self::MemberLeaves { .. } => "member_leave",
            Self::Death { .. } => "death",
            Self::Income { .. } => "income",
            Self::Move { .. } => "move",
            Self::Suspend => "suspend",
            Self::Resume => "resume",
            Self::Terminate { .. } => "terminate",
            Self::GradualExit { .. } => "gradual_exit",
        }
    }

    /// Whether recording it is a decision (stops or restarts money).
    pub fn is_decision(&self) -> bool {
        matches!(
            self,
            Self::Suspend | Self::Resume | Self::Terminate { .. } | Self::GradualExit { .. }
        )
    }
}

/// A change as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeInput {
    pub kind: ChangeKind,
    /// The first month it applies to; `None` for the earliest allowed (the next month, or
    /// after the 特困 termination notice).
    pub effective: Option<Month>,
    /// Why (at least [`super::MIN_REASON_CHARS`] characters).
    pub reason: String,
}

/// What a review found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewOutcome {
    /// Nothing changed: the amount stays.
    Unchanged,
    /// The income changed (from the next month).
    Changed { income_per_capita: Fen },
    /// The household no longer qualifies.
    Terminate { reason: TerminationReason },
}

/// One change as the case page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeView {
    pub seq: i64,
    /// `member_join`, `member_leave`, `death`, `income`, `move`, `suspend`, `resume`,
    /// `terminate`, `gradual_exit` or `review`.
    pub kind: String,
    pub effective: Month,
    pub recorded_on: NaiveDate,
    pub by: String,
    pub by_name: String,
    pub at: chrono::DateTime<chrono::Utc>,
    pub reason: String,
    pub member_name: Option<String>,
    pub income_before: Option<Fen>,
    pub income_after: Option<Fen>,
    /// (code, name) of the community before and after a move.
    pub division_before: Option<(String, String)>,
    pub division_after: Option<(String, String)>,
    pub address_before: Option<String>,
    pub address_after: Option<String>,
    pub suspended_from: Option<Month>,
    /// The new last day of the benefit.
    pub end_date: Option<NaiveDate>,
    pub end_reason: Option<TerminationReason>,
    /// `unchanged`, `changed` or `terminate` for a review.
    pub outcome: Option<String>,
}

/// The dynamic-management part of a case page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Dynamics {
    pub changes: Vec<ChangeView>,
    /// The case is approved, still holds its household and has no end date: changes apply.
    pub open: bool,
    /// Suspended as of the latest change.
    pub suspended: bool,
    pub class: Option<HouseholdClass>,
    pub next_review: Option<NaiveDate>,
    /// The actor may record facts (members, income, move, death, reviews).
    pub may_change: bool,
    /// The actor may suspend, resume, terminate, phase out.
    pub may_decide: bool,
    /// The configured gradual-exit length (0: not allowed).
    pub gradual_exit_months: u32,
}

/// Whether and what a case is paid for one month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MonthBenefit {
    Due(Benefit),
    /// The benefit period does not cover the month (not started, ended) or nobody is left.
    NotCovered,
    Suspended,
}

/// One row of the review due list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewDue {
    pub case_id: i64,
    pub version: i64,
    pub program: Program,
    pub division: DivisionCode,
    pub division_name: String,
    pub head_name: String,
    pub class: HouseholdClass,
    /// The last review, or the approval.
    pub since: NaiveDate,
    pub due: NaiveDate,
}

fn working_age(birth: NaiveDate, on: NaiveDate) -> Option<u32> {
    domain::age_on(birth, on)
}

/// The class of a household from its programme and current members.
pub fn household_class(
    program: Program,
    members: &[(NaiveDate, i64, bool, String)],
    on: NaiveDate,
) -> HouseholdClass {
    if program.is_tekun() {
        return HouseholdClass::Stable;
    }
    let able = members.iter().any(|(birth, grade, _, employment)| {
        working_age(*birth, on).is_some_and(|a| (16..60).contains(&a))
            && matches!(employment.as_str(), "employed" | "unemployed")
            && !(1..=2).contains(grade)
    });
    if able {
        HouseholdClass::WorkCapable
    } else if members.iter().any(|(_, grade, ill, _)| *ill || *grade > 0) {
        HouseholdClass::IllOrDisabled
    } else {
        HouseholdClass::Stable
    }
}

fn next_review(since: NaiveDate, months: u32) -> Option<NaiveDate> {
    since.checked_add_months(Months::new(months))
}

fn income_kind(c: &NewChange) -> bool {
    c.kind == "income" || (c.kind == "review" && c.outcome.as_deref() == Some("changed"))
}

/// Suspended after replaying the changes effective on or before `on` (all for `None`).
fn suspended_on(changes: &[StoredChange], on: Option<NaiveDate>) -> bool {
    changes
        .iter()
        .filter(|c| on.is_none_or(|d| c.change.effective_from <= d))
        .fold(false, |s, c| match c.change.kind.as_str() {
            "suspend" => true,
            "resume" => false,
            _ => s,
        })
}

/// The household's facts as they stood on `month`'s first day, and whether it was
/// suspended then.
fn facts_at(
    file: &CaseFile,
    changes: &[StoredChange],
    program: Program,
    month: Month,
) -> Result<(HouseholdFacts, bool), Error> {
    let first = month.first_day();
    let later = |pred: &dyn Fn(&NewChange) -> bool| {
        changes
            .iter()
            .map(|c| &c.change)
            .find(|c| c.effective_from > first && pred(c))
    };
    let income = match later(&income_kind) {
        Some(c) => c.income_before,
        None => file.case.income_per_capita_fen,
    };
    let area = match later(&|c: &NewChange| c.kind == "move") {
        Some(c) => match &c.area_before {
            Some(a) => Area::parse(a).map_err(|_| corrupt(format!("area {a:?}")))?,
            None => file.case.area,
        },
        None => file.case.area,
    };
    let members = file
        .members
        .iter()
        .filter(|m| m.joined_on <= first && m.left_on.is_none_or(|l| l >= first))
        .map(|m| {
            member_facts(
                m.birth_date,
                m.disability_grade,
                m.severe_illness,
                m.self_care.as_deref(),
            )
        })
        .collect();
    Ok((
        HouseholdFacts {
            program,
            area,
            income_per_capita: Fen::from_fen(income.unwrap_or(0)),
            members,
        },
        suspended_on(changes, Some(first)),
    ))
}

/// The member as entered, checked like an application's (errors name the field).
fn checked_member(m: &MemberInput, today: NaiveDate) -> Result<NewMember, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = m.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        errors.push(field(
            "name",
            "assistance.member_name",
            MAX_NAME_CHARS.to_string(),
        ));
    }
    let id = match ResidentId::parse(&m.id_number.trim().to_uppercase()) {
        Err(e) => {
            errors.push(field("id_number", e.code(), e.to_string()));
            None
        }
        Ok(id) => match id.check_not_born_after(today) {
            Err(e) => {
                errors.push(field("id_number", e.code(), e.to_string()));
                None
            }
            Ok(()) => Some(id),
        },
    };
    let relation = Relation::parse(&m.relation);
    if relation.is_none() || relation == Some(Relation::Head) {
        errors.push(field(
            "relation",
            "assistance.relation_unknown",
            m.relation.clone(),
        ));
    }
    if m.disability_grade > 4 {
        errors.push(field(
            "disability_grade",
            "assistance.disability_grade",
            m.disability_grade.to_string(),
        ));
    }
    let employment = Employment::parse(&m.employment);
    if employment.is_none() {
        errors.push(field(
            "employment",
            "assistance.employment_unknown",
            m.employment.clone(),
        ));
    }
    let self_care = match m
        .self_care
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(text) => {
            let s = parse_self_care(text);
            if s.is_none() {
                errors.push(field(
                    "self_care",
                    "assistance.self_care_unknown",
                    text.to_owned(),
                ));
            }
            s
        }
    };
    match (id, relation, employment, errors.is_empty()) {
        (Some(id), Some(relation), Some(employment), true) => Ok(NewMember {
            person: NewPerson {
                id_number: id.as_str().to_owned(),
                name_initials: list::name_initials(&name),
                name_pinyin: list::name_order_key(&name),
                name,
                birth_date: id.birth_date(),
                sex: match id.sex() {
                    domain::Sex::Male => "M",
                    domain::Sex::Female => "F",
                }
                .to_owned(),
            },
            relation: relation.as_str().to_owned(),
            disability_grade: i64::from(m.disability_grade),
            severe_illness: m.severe_illness,
            employment: employment.as_str().to_owned(),
            self_care: self_care.map(|s| s.as_str().to_owned()),
        }),
        _ => Err(errors),
    }
}

fn month_of_date(text: Option<NaiveDate>) -> Option<Month> {
    text.map(Month::of)
}

impl Service {
    /// Records a change on approved case `case_id` whose page showed `expected_version`;
    /// returns the new version. See the module documentation for the rules.
    pub async fn record_change(
        &self,
        actor: &Actor,
        case_id: i64,
        expected_version: i64,
        input: ChangeInput,
    ) -> Result<i64, Error> {
        self.change(actor, case_id, expected_version, input, None)
            .await
    }

    /// Records a periodic review of case `case_id`: nothing changed, the income changed
    /// (from the next month), or the case ends (a decision). `note` is the review's record
    /// (required, like a reason, unless nothing changed).
    pub async fn record_review(
        &self,
        actor: &Actor,
        case_id: i64,
        expected_version: i64,
        outcome: ReviewOutcome,
        note: &str,
    ) -> Result<i64, Error> {
        let (kind, code) = match outcome {
            ReviewOutcome::Unchanged => (
                ChangeKind::Income {
                    income_per_capita: Fen::ZERO,
                },
                "unchanged",
            ),
            ReviewOutcome::Changed { income_per_capita } => {
                (ChangeKind::Income { income_per_capita }, "changed")
            }
            ReviewOutcome::Terminate { reason } => (ChangeKind::Terminate { reason }, "terminate"),
        };
        let input = ChangeInput {
            kind,
            effective: None,
            reason: note.to_owned(),
        };
        self.change(actor, case_id, expected_version, input, Some(code))
            .await
    }

    async fn change(
        &self,
        actor: &Actor,
        case_id: i64,
        expected_version: i64,
        input: ChangeInput,
        review: Option<&'static str>,
    ) -> Result<i64, Error> {
        let decision = input.kind.is_decision();
        self.authorize(actor, Line::Assistance, Action::Write)
            .or_else(|e| {
                if decision && actor.may(Line::Assistance, Action::Approve) {
                    Ok(())
                } else {
                    Err(e)
                }
            })?;
        let file = self.case_in_scope(actor, case_id).await?;
        let settings = self.settings().await?;
        if decision && !self.may_decide(actor, &settings) {
            return Err(Error::Forbidden);
        }
        let changes = self.store().case_changes(case_id).await?;
        if file.case.version != expected_version {
            return Err(self.changed_with(&file, &changes));
        }
        let program = program_of(&file.case.program)?;
        let today = self.today();
        let this_month = Month::of(today);
        let next = this_month
            .next()
            .ok_or_else(|| corrupt("month out of range".into()))?;
        if !file.case.active || file.case.benefit_start.is_none() {
            return Err(Error::invalid(field(
                "kind",
                "assistance.not_paying",
                case_id.to_string(),
            )));
        }
        let terminating = matches!(input.kind, ChangeKind::Terminate { .. });
        if file.case.benefit_end.is_some() && !terminating {
            return Err(Error::invalid(field(
                "kind",
                "assistance.exiting",
                file.case
                    .benefit_end
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            )));
        }
        let mut errors: Vec<FieldError> = Vec::new();
        // The first month it may apply to.
        // A death is a fact with a date, often reported late: it may take effect from any
        // month since the benefit started (the months paid since become a recovery in the
        // next payroll run); every other change looks forward only.
        let earliest = if matches!(input.kind, ChangeKind::Death { .. }) {
            file.case.benefit_start.map_or(next, Month::of).min(next)
        } else if terminating && program.is_tekun() {
            Month::of(today + Duration::days(TEKUN_TERMINATION_NOTICE_DAYS))
                .next()
                .unwrap_or(next)
        } else {
            next
        };
        let effective = match input.effective {
            Some(m) if review.is_some() && m != next => {
                errors.push(field(
                    "effective",
                    "assistance.effective_month",
                    next.to_string(),
                ));
                next
            }
            Some(m) if m < earliest => {
                errors.push(field(
                    "effective",
                    "assistance.effective_month",
                    earliest.to_string(),
                ));
                earliest
            }
            Some(m)
                if this_month
                    .add_months(MAX_MONTHS_AHEAD)
                    .is_some_and(|max| m > max) =>
            {
                errors.push(field(
                    "effective",
                    "assistance.effective_too_late",
                    MAX_MONTHS_AHEAD.to_string(),
                ));
                earliest
            }
            Some(m) => m,
            None if matches!(input.kind, ChangeKind::Death { .. }) => next,
            None => earliest,
        };
        if let Some(last) = changes.last().map(|c| Month::of(c.change.effective_from))
            && effective < last
        {
            errors.push(field(
                "effective",
                "assistance.change_before_last",
                last.to_string(),
            ));
        }
        let reason = if review == Some("unchanged") {
            input.reason.trim().to_owned()
        } else {
            match check_reason(&input.reason) {
                Ok(r) => r,
                Err(Error::Invalid(e)) => {
                    errors.extend(e);
                    String::new()
                }
                Err(e) => return Err(e),
            }
        };
        let first = effective.first_day();
        let last_day = first
            .pred_opt()
            .ok_or_else(|| corrupt("date out of range".into()))?;
        let current: Vec<&store::MemberRecord> = file
            .members
            .iter()
            .filter(|m| m.left_on.is_none())
            .collect();
        let suspended = suspended_on(&changes, None);
        let mut change = NewChange {
            kind: review.map_or(input.kind.code(), |_| "review").to_owned(),
            effective_from: first,
            recorded_on: today,
            by_user: actor.username.clone(),
            at: self.now(),
            reason: reason.clone(),
            outcome: review.map(str::to_owned),
            ..NewChange::default()
        };
        let mut apply = ChangeApply::default();
        let mut joining: Option<String> = None;
        let terminate =
            |change: &mut NewChange, apply: &mut ChangeApply, why: TerminationReason| {
                change.end_date = Some(last_day);
                change.end_reason = Some(why.as_str().to_owned());
                apply.benefit_end = Some(last_day);
                apply.close_on = Some(last_day);
            };
        match &input.kind {
            ChangeKind::MemberJoins(m) => match checked_member(m, today) {
                Err(e) => errors.extend(e),
                Ok(member) => {
                    joining = Some(member.person.id_number.clone());
                    apply.member_joins = Some(member);
                }
            },
            ChangeKind::MemberLeaves { member_id } | ChangeKind::Death { member_id } => {
                if !current.iter().any(|m| m.id == *member_id) {
                    errors.push(field(
                        "member_id",
                        "assistance.member_unknown",
                        member_id.to_string(),
                    ));
                } else if current.len() == 1 {
                    if matches!(input.kind, ChangeKind::Death { .. }) {
                        // The last member's death ends the case.
                        terminate(&mut change, &mut apply, TerminationReason::Death);
                    } else {
                        errors.push(field(
                            "member_id",
                            "assistance.last_member",
                            member_id.to_string(),
                        ));
                    }
                }
                change.member_id = Some(*member_id);
                apply.member_leaves = Some((*member_id, last_day));
            }
            ChangeKind::Income { income_per_capita } => {
                if income_per_capita.is_negative() {
                    errors.push(field(
                        "income_per_capita",
                        "assistance.income_negative",
                        income_per_capita.yuan(),
                    ));
                }
                if review != Some("unchanged") {
                    change.income_before = file.case.income_per_capita_fen;
                    change.income_after = Some(income_per_capita.as_fen());
                    apply.income_per_capita_fen = Some(income_per_capita.as_fen());
                }
            }
            ChangeKind::Move { community, address } => {
                let address = address.trim().to_owned();
                if address.is_empty() || address.chars().count() > MAX_ADDRESS_CHARS {
                    errors.push(field(
                        "address",
                        "assistance.address",
                        MAX_ADDRESS_CHARS.to_string(),
                    ));
                }
                match self.move_target(actor, community).await? {
                    Err(e) => errors.push(e),
                    Ok(d) if d.code == file.case.division_code => errors.push(field(
                        "community",
                        "assistance.same_community",
                        d.code.as_str(),
                    )),
                    Ok(d) => {
                        change.division_before = Some(file.case.division_code.as_str().to_owned());
                        change.division_after = Some(d.code.as_str().to_owned());
                        change.address_before = Some(file.case.address.clone());
                        change.address_after = Some(address.clone());
                        change.area_before = Some(file.case.area.as_str().to_owned());
                        change.area_after = Some(d.area.as_str().to_owned());
                        apply.moves_to = Some((d.code, address, d.area.as_str().to_owned()));
                    }
                }
            }
            ChangeKind::Suspend => {
                if suspended {
                    errors.push(field("kind", "assistance.already_suspended", ""));
                }
            }
            ChangeKind::Resume => match changes.iter().rev().find(|c| c.change.kind == "suspend") {
                Some(s) if suspended => change.suspended_from = Some(s.change.effective_from),
                _ => errors.push(field("kind", "assistance.not_suspended", "")),
            },
            ChangeKind::Terminate { reason: why } => {
                let protects_minor = program.is_tekun()
                    && matches!(
                        why,
                        TerminationReason::WorkAbility
                            | TerminationReason::Means
                            | TerminationReason::Support
                    );
                if protects_minor
                    && current.iter().any(|m| {
                        domain::age_on(m.birth_date, first).is_none_or(|a| a < 18)
                            || m.employment == "student"
                    })
                {
                    errors.push(field(
                        "reason_code",
                        "assistance.minor_keeps_support",
                        why.as_str(),
                    ));
                }
                terminate(&mut change, &mut apply, *why);
            }
            ChangeKind::GradualExit { income_per_capita } => {
                let months = settings.gradual_exit_months;
                if months == 0 || program != Program::Dibao {
                    errors.push(field(
                        "kind",
                        "assistance.gradual_exit_not_allowed",
                        months.to_string(),
                    ));
                }
                if income_per_capita.is_negative() {
                    errors.push(field(
                        "income_per_capita",
                        "assistance.income_negative",
                        income_per_capita.yuan(),
                    ));
                }
                let until = effective
                    .add_months(i32::try_from(months.max(1)).unwrap_or(1) - 1)
                    .unwrap_or(effective)
                    .last_day();
                // The reported income is kept for the record; the amount stays as it was
                // until the end.
                change.income_before = file.case.income_per_capita_fen;
                change.income_after = Some(income_per_capita.as_fen());
                change.end_date = Some(until);
                apply.benefit_end = Some(until);
            }
        }
        if let Some(id_number) = &joining {
            let rows = std::collections::HashMap::from([(id_number.clone(), 0usize)]);
            for mut e in self
                .other_cases(std::slice::from_ref(id_number), &rows)
                .await?
            {
                e.row = None;
                errors.push(e);
            }
        }
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let mut detail = format!(
            "kind={} effective={effective} version={}",
            change.kind,
            expected_version + 1
        );
        for (name, value) in [
            ("outcome", change.outcome.clone()),
            ("member", change.member_id.map(|m| m.to_string())),
            (
                "income",
                change.income_after.map(|a| {
                    format!(
                        "{}→{}",
                        change
                            .income_before
                            .map_or_else(|| "none".into(), |b| Fen::from_fen(b).yuan()),
                        Fen::from_fen(a).yuan()
                    )
                }),
            ),
            (
                "division",
                change
                    .division_after
                    .as_ref()
                    .map(|a| format!("{}→{a}", change.division_before.clone().unwrap_or_default())),
            ),
            ("end", change.end_date.map(|d| d.to_string())),
            ("end_reason", change.end_reason.clone()),
        ] {
            if let Some(v) = value {
                detail.push_str(&format!(" {name}={v}"));
            }
        }
        let audit = self.audit(
            actor,
            &format!("assistance.change.{}", change.kind),
            format!("case:{case_id}"),
            &reason,
            detail,
        );
        match self
            .store()
            .append_case_change(case_id, expected_version, &change, &apply, &audit)
            .await
        {
            Ok(v) => Ok(v),
            Err(StoreError::Conflict {
                constraint: Some(c),
                ..
            }) if c == "version" || c == store::CHANGE_SEQ => {
                let file = self.store().case_file(case_id).await?;
                let changes = self.store().case_changes(case_id).await?;
                Err(self.changed_with(&file, &changes))
            }
            Err(StoreError::Conflict {
                constraint: Some(c),
                what,
            }) if c == store::PERSON_IN_ONE_HOUSEHOLD => {
                let ids: Vec<String> = joining.into_iter().collect();
                let rows = ids.iter().map(|i| (i.clone(), 0usize)).collect();
                let found = self.other_cases(&ids, &rows).await?;
                if found.is_empty() {
                    Err(Error::Internal(StoreError::Conflict {
                        what,
                        constraint: Some(c),
                    }))
                } else {
                    Err(Error::Invalid(found))
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The community or village a household may move to: in the actor's jurisdiction, at
    /// community level, known.
    async fn move_target(
        &self,
        actor: &Actor,
        community: &str,
    ) -> Result<Result<store::Division, FieldError>, Error> {
        let code = match community.trim().parse::<DivisionCode>() {
            Err(e) => return Ok(Err(field("community", e.code(), e.to_string()))),
            Ok(code) => code,
        };
        if !actor.sees(&code) {
            return Ok(Err(field(
                "community",
                "assistance.community_unknown",
                code.as_str(),
            )));
        }
        if !matches!(
            code.level(),
            DivisionLevel::Community | DivisionLevel::Village
        ) {
            return Ok(Err(field(
                "community",
                "assistance.community_level",
                code.as_str(),
            )));
        }
        match self.store().division(&code).await {
            Ok(d) => Ok(Ok(d)),
            Err(StoreError::NotFound) => Ok(Err(field(
                "community",
                "assistance.community_unknown",
                code.as_str(),
            ))),
            Err(e) => Err(e.into()),
        }
    }

    /// The conflict naming who changed the case last (a step or a change), and when.
    fn changed_with(&self, file: &CaseFile, changes: &[StoredChange]) -> Error {
        let step = file
            .actions
            .last()
            .map(|a| (a.action.at, &a.action.by_user));
        let change = changes.last().map(|c| (c.change.at, &c.change.by_user));
        let last = match (step, change) {
            (Some(s), Some(c)) => Some(if c.0 >= s.0 { c } else { s }),
            (s, c) => s.or(c),
        };
        let detail = last.map_or_else(String::new, |(at, by)| {
            let local = at + Duration::hours(8);
            format!("{by} at {}+08:00", local.format("%Y-%m-%d %H:%M"))
        });
        Error::Conflict {
            code: "assistance.case_changed",
            detail,
        }
    }

    /// The benefit of case `case_id` for `month`, with the facts as they stood then (a
    /// change recorded in March applies from April; March keeps the old amount).
    pub async fn benefit_for_month(
        &self,
        actor: &Actor,
        case_id: i64,
        month: Month,
    ) -> Result<MonthBenefit, Error> {
        self.authorize(actor, Line::Assistance, Action::Read)?;
        let file = self.case_in_scope(actor, case_id).await?;
        let changes = self.store().case_changes(case_id).await?;
        self.month_benefit(&file, &changes, month).await
    }

    pub(super) async fn month_benefit(
        &self,
        file: &CaseFile,
        changes: &[StoredChange],
        month: Month,
    ) -> Result<MonthBenefit, Error> {
        let Some(start) = file.case.benefit_start else {
            return Ok(MonthBenefit::NotCovered);
        };
        let period = BenefitPeriod {
            start,
            end: file.case.benefit_end,
        };
        if !period.covers(month) {
            return Ok(MonthBenefit::NotCovered);
        }
        let program = program_of(&file.case.program)?;
        let (facts, suspended) = facts_at(file, changes, program, month)?;
        if suspended {
            return Ok(MonthBenefit::Suspended);
        }
        if facts.members.is_empty() {
            return Ok(MonthBenefit::NotCovered);
        }
        let tables = self.tables().await?;
        monthly_benefit(
            &facts,
            month,
            &tables.standards,
            &tables.policies,
            &tables.care,
        )
        .map(MonthBenefit::Due)
        .map_err(|e| Error::invalid(field("month", e.code(), e.to_string())))
    }
}

/// The benefit of `month` from a case file and its change log, with the tables given: what
/// [`Service::benefit_for_month`] computes, without IO, for the payroll's bulk pass.
pub(crate) fn benefit_in(
    file: &CaseFile,
    changes: &[StoredChange],
    month: Month,
    tables: &super::Tables,
) -> Result<MonthBenefit, Error> {
    let Some(start) = file.case.benefit_start else {
        return Ok(MonthBenefit::NotCovered);
    };
    let period = BenefitPeriod {
        start,
        end: file.case.benefit_end,
    };
    if !period.covers(month) {
        return Ok(MonthBenefit::NotCovered);
    }
    let program = program_of(&file.case.program)?;
    let (facts, suspended) = facts_at(file, changes, program, month)?;
    if suspended {
        return Ok(MonthBenefit::Suspended);
    }
    if facts.members.is_empty() {
        return Ok(MonthBenefit::NotCovered);
    }
    monthly_benefit(
        &facts,
        month,
        &tables.standards,
        &tables.policies,
        &tables.care,
    )
    .map(MonthBenefit::Due)
    .map_err(|e| Error::invalid(field("month", e.code(), e.to_string())))
}

impl Service {
    /// The benefit of `month` for a case page (`Ok(None)` when nothing is due), and the
    /// problem code when it cannot be computed.
    pub(super) async fn page_benefit(
        &self,
        file: &CaseFile,
        changes: &[StoredChange],
        month: Month,
    ) -> Result<(Option<Benefit>, Option<&'static str>), Error> {
        match self.month_benefit(file, changes, month).await {
            Ok(MonthBenefit::Due(b)) => Ok((Some(b), None)),
            Ok(MonthBenefit::Suspended) => Ok((None, Some("assistance.suspended"))),
            Ok(MonthBenefit::NotCovered) => Ok((None, None)),
            Err(Error::Invalid(e)) => Ok((None, e.first().map(|e| e.code))),
            Err(e) => Err(e),
        }
    }

    /// The dynamic-management part of a case page.
    pub(super) async fn dynamics(
        &self,
        actor: &Actor,
        file: &CaseFile,
        changes: &[StoredChange],
        settings: &AssistanceSettings,
    ) -> Result<Dynamics, Error> {
        let today = self.today();
        let program = program_of(&file.case.program)?;
        let open = file.case.active
            && file.case.benefit_start.is_some()
            && file.case.benefit_end.is_none();
        let mut names = std::collections::HashMap::new();
        let mut views = Vec::with_capacity(changes.len());
        for c in changes {
            let x = &c.change;
            if !names.contains_key(&x.by_user) {
                let name = match self.store().user_by_username(&x.by_user).await {
                    Ok(u) => u.display_name,
                    Err(StoreError::NotFound) => x.by_user.clone(),
                    Err(e) => return Err(e.into()),
                };
                names.insert(x.by_user.clone(), name);
            }
            let division =
                async |code: &Option<String>| -> Result<Option<(String, String)>, Error> {
                    let Some(code) = code else { return Ok(None) };
                    let name = match code.parse::<DivisionCode>() {
                        Ok(c) => match self.store().division(&c).await {
                            Ok(d) => d.name,
                            Err(StoreError::NotFound) => String::new(),
                            Err(e) => return Err(e.into()),
                        },
                        Err(_) => String::new(),
                    };
                    Ok(Some((code.clone(), name)))
                };
            views.push(ChangeView {
                seq: c.seq,
                kind: x.kind.clone(),
                effective: Month::of(x.effective_from),
                recorded_on: x.recorded_on,
                by: x.by_user.clone(),
                by_name: names.get(&x.by_user).cloned().unwrap_or_default(),
                at: x.at,
                reason: x.reason.clone(),
                member_name: c.member_name.clone(),
                income_before: x.income_before.map(Fen::from_fen),
                income_after: x.income_after.map(Fen::from_fen),
                division_before: division(&x.division_before).await?,
                division_after: division(&x.division_after).await?,
                address_before: x.address_before.clone(),
                address_after: x.address_after.clone(),
                suspended_from: month_of_date(x.suspended_from),
                end_date: x.end_date,
                end_reason: x.end_reason.as_deref().and_then(TerminationReason::parse),
                outcome: x.outcome.clone(),
            });
        }
        let (class, next_review) = if open {
            let members: Vec<_> = file
                .members
                .iter()
                .filter(|m| m.left_on.is_none())
                .map(|m| {
                    (
                        m.birth_date,
                        m.disability_grade,
                        m.severe_illness,
                        m.employment.clone(),
                    )
                })
                .collect();
            let class = household_class(program, &members, today);
            let approved = file
                .actions
                .iter()
                .rev()
                .find(|a| a.action.step == "approve")
                .map(|a| a.action.on_date);
            let reviewed = changes
                .iter()
                .rev()
                .find(|c| c.change.kind == "review")
                .map(|c| c.change.recorded_on);
            let since = reviewed.or(approved);
            (
                Some(class),
                since.and_then(|s| next_review(s, settings.review_months.of(class))),
            )
        } else {
            (None, None)
        };
        Ok(Dynamics {
            changes: views,
            open,
            suspended: suspended_on(changes, None),
            class,
            next_review,
            may_change: open && actor.may(Line::Assistance, Action::Write),
            may_decide: open && self.may_decide(actor, settings),
            gradual_exit_months: settings.gradual_exit_months,
        })
    }

    /// Active, approved cases in the actor's jurisdiction (narrowed to `division`'s subtree
    /// when given) whose next review (the last review, or the approval, plus the months of
    /// the household's class) falls on or before `on`; earliest due first. Cases phasing
    /// out (an end date set) are not reviewed.
    pub async fn reviews_due(
        &self,
        actor: &Actor,
        on: NaiveDate,
        division: Option<&DivisionCode>,
    ) -> Result<Vec<ReviewDue>, Error> {
        self.authorize(actor, Line::Assistance, Action::Read)?;
        let root = match (&actor.jurisdiction, actor.is_system()) {
            (Some(root), _) => Some(root),
            (None, true) => None,
            (None, false) => return Ok(Vec::new()),
        };
        let settings = self.settings().await?;
        let candidates = self.store().review_candidates(root).await?;
        let mut out = Vec::new();
        for c in candidates {
            let ReviewCandidate {
                case_id,
                version,
                program,
                division_code,
                division_name,
                head_name,
                approved_on,
                reviewed_on,
                benefit_end,
                members,
            } = c;
            if benefit_end.is_some() || division.is_some_and(|d| !division_code.is_within(d)) {
                continue;
            }
            let program = program_of(&program)?;
            let class = household_class(program, &members, on);
            let since = reviewed_on.map_or(approved_on, |r| r.max(approved_on));
            let Some(due) = next_review(since, settings.review_months.of(class)) else {
                continue;
            };
            if due <= on {
                out.push(ReviewDue {
                    case_id,
                    version,
                    program,
                    division: division_code,
                    division_name,
                    head_name,
                    class,
                    since,
                    due,
                });
            }
        }
        out.sort_by_key(|r| (r.due, r.case_id));
        Ok(out)
    }
}
