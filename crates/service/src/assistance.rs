//! Social assistance (社会救助), first slice: applications for 低保, 低保边缘 and 特困 with
//! their household, the workflow as an append-only log (`domain::assistance::workflow`),
//! the case page, the case list, the printable public notice (公示), and the dated
//! standards, classified-assistance policies and care standards with the impact of a change.
//!
//! Who may do what:
//! - taking an application and recording steps: `Line::Assistance` `Write` within the
//!   jurisdiction (community workers and street officers in their subtree, the section
//!   anywhere);
//! - the decision (approval, and a refusal once the notice is posted): `Line::Assistance`
//!   `Approve` (the district's assistance section), or a street officer of the case's street
//!   when the approving level setting is `street` (rules.md §0 "Delegation": a district may
//!   delegate confirmation to streets and towns; default `district`). A refusal before the
//!   notice (不予受理, or the investigation finds the household ineligible) and a withdrawal
//!   are recorded by whoever records steps;
//! - standards, policies, care standards and settings: `Write` (settings: `Approve`) at
//!   district level only.
//!
//! A case outside the actor's jurisdiction is `NotFound`, and never counted. ID numbers
//! leave masked ([`ResidentId::masked`]) except through [`Service::reveal_id_number`], which
//! needs a reason and is audited; reading a case and printing its notice are audited too.
//!
//! A person is in at most one active case (so never in 低保 and 特困 at once): checked here
//! before writing, with the other case named, and kept by two unique indexes in the database
//! (see migration 0003), whose refusal is reported the same way.
//!
//! Submodules: [`changes`] (dynamic management), [`import`] (the legacy roster), `means`
//! (the means check from a worksheet), [`grants`] (relief and medical grants against
//! yearly budgets), [`checks`] (cross-checks and their tasks). Not yet built (issue 4): the
//! "no public notice for minors" rule of some 特困 procedures.

pub mod checks;
pub mod grants;
pub mod import;

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::assistance::means::MeansPolicy;
use domain::assistance::workflow::{
    self, Action as WorkflowAction, Status, Step, StepKind, WorkflowPolicy,
};
use domain::assistance::{
    Benefit, BenefitPeriod, CareStandard, ClassifiedPolicy, Condition, HouseholdFacts,
    IncrementRule, MemberFacts, PolicyTable, Program, SelfCare, Standard, StandardTable,
    benefit_start_after_approval, monthly_benefit,
};
use domain::{
    Action, Area, DivisionCode, DivisionLevel, Fen, Line, Month, ResidentId, Role, WorkingCalendar,
};
use store::{
    CareStandardRow, CaseFile, CaseFilter, CaseOrder, CaseUpdate, NewAction, NewApplication,
    NewMember, NewPerson, PolicyRow, PolicyRuleRow, StandardRow, StoreError, StoredAction,
};

use crate::list::{self, Code, ListQuery, Page};
use crate::{Actor, Error, FieldError, Service};

mod means;
pub use means::{IncomeLine, MeansCheck, MeansView};
use means::{means_field, means_limit, means_values, set_means_value};

pub(crate) mod changes;
pub use changes::{
    ChangeInput, ChangeKind, ChangeView, Dynamics, HouseholdClass, MonthBenefit, ReviewDue,
    ReviewMonths, ReviewOutcome, TEKUN_TERMINATION_NOTICE_DAYS, TerminationReason, household_class,
};

/// The most members one application may list.
pub const MAX_MEMBERS: usize = 30;
const MAX_NAME_CHARS: usize = 30;
const MAX_ADDRESS_CHARS: usize = 100;
const MAX_NOTE_CHARS: usize = 2000;
const MAX_CITATION_CHARS: usize = 200;
/// Reasons for revealing a number must say something: at least this many characters.
pub const MIN_REASON_CHARS: usize = 4;
const MAX_REASON_CHARS: usize = 200;

/// Setting keys (table `settings`); a missing key means the default of [`AssistanceSettings`].
pub const SETTING_APPROVING_LEVEL: &str = "assistance.approving_level";
pub const SETTING_NOTICE_DAYS: &str = "assistance.notice_days";
pub const SETTING_DECISION_WORKING_DAYS: &str = "assistance.decision_working_days";
pub const SETTING_COMMUNITY_REVIEW_REQUIRED: &str = "assistance.community_review_required";
/// Review frequency in months of each [`HouseholdClass`] (`assistance.review_months.<class>`).
pub const SETTING_REVIEW_MONTHS: &str = "assistance.review_months";
/// The gradual-exit length in months, 0 = not allowed.
pub const SETTING_GRADUAL_EXIT_MONTHS: &str = "assistance.gradual_exit_months";
/// The means-check thresholds (`assistance.means.<field>` of [`MeansPolicy`]).
pub const SETTING_MEANS: &str = "assistance.means";

/// A member's relation to the head of the household (data codes of the glossary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Relation {
    Head,
    Spouse,
    Child,
    Parent,
    Grandchild,
    Sibling,
    Other,
}

impl Code for Relation {
    const ALL: &'static [Self] = &[
        Self::Head,
        Self::Spouse,
        Self::Child,
        Self::Parent,
        Self::Grandchild,
        Self::Sibling,
        Self::Other,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Self::Head => "head",
            Self::Spouse => "spouse",
            Self::Child => "child",
            Self::Parent => "parent",
            Self::Grandchild => "grandchild",
            Self::Sibling => "sibling",
            Self::Other => "other",
        }
    }
}

/// A member's work or school situation (就业/就学状况).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Employment {
    Employed,
    Unemployed,
    Student,
    Retired,
    /// Unable to work (illness, disability, age).
    Unable,
    /// A child not yet at school.
    Preschool,
}

impl Code for Employment {
    const ALL: &'static [Self] = &[
        Self::Employed,
        Self::Unemployed,
        Self::Student,
        Self::Retired,
        Self::Unable,
        Self::Preschool,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Self::Employed => "employed",
            Self::Unemployed => "unemployed",
            Self::Student => "student",
            Self::Retired => "retired",
            Self::Unable => "unable",
            Self::Preschool => "preschool",
        }
    }
}

fn parse_self_care(text: &str) -> Option<SelfCare> {
    [
        SelfCare::Capable,
        SelfCare::PartlyUnable,
        SelfCare::FullyUnable,
    ]
    .into_iter()
    .find(|s| s.as_str() == text.trim())
}

/// Who confirms (审核确认) applications: the district, or streets and towns by delegation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ApprovingLevel {
    #[default]
    District,
    /// Street officers approve the cases of their street or town.
    Street,
}

impl Code for ApprovingLevel {
    const ALL: &'static [Self] = &[Self::District, Self::Street];

    fn as_str(self) -> &'static str {
        match self {
            Self::District => "district",
            Self::Street => "street",
        }
    }
}

/// The local rules of the procedure, stored as settings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AssistanceSettings {
    pub approving_level: ApprovingLevel,
    /// Notice length, time limit, whether the community review is required.
    pub workflow: WorkflowPolicy,
    /// How often each household class is reviewed (rules.md §1.7).
    pub review_months: ReviewMonths,
    /// The gradual-exit length in months; 0 (the default) means not allowed.
    pub gradual_exit_months: u32,
    /// The local thresholds of the means check (rules.md §1.4).
    pub means: MeansPolicy,
}

/// One member of an application as entered on the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberInput {
    pub name: String,
    pub id_number: String,
    /// A [`Relation`] code; exactly one member is `head`.
    pub relation: String,
    /// 0 for none, 1–4.
    pub disability_grade: u8,
    pub severe_illness: bool,
    /// An [`Employment`] code.
    pub employment: String,
    /// `capable`, `partly_unable` or `fully_unable` (特困), or `None`.
    pub self_care: Option<String>,
}

/// An application as taken. Refusals name the member by `row` (1-based position in
/// `members`) and the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationInput {
    /// The community's or village's 12-digit code.
    pub community: String,
    pub address: String,
    /// A [`Program`] code.
    pub program: String,
    /// `urban` or `rural`; `None` takes the community's.
    pub area: Option<String>,
    pub members: Vec<MemberInput>,
    /// Taken by a community or another agent on the applicant's behalf (代为申请).
    pub on_behalf: bool,
    pub applied_on: NaiveDate,
    pub note: String,
}

/// A step to record on a case. `Step::Apply` is never accepted (a case has one application).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepInput {
    pub step: Step,
    /// The day the step took place (not after today).
    pub on: NaiveDate,
    /// Free text, e.g. the home-visit record.
    pub note: String,
}

/// The household of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdView {
    pub id: i64,
    pub division: DivisionCode,
    pub division_name: String,
    pub address: String,
    pub area: Area,
}

/// A member as a case page shows it: the ID number masked, the age instead of the birth
/// date (which the mask hides).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberView {
    pub id: i64,
    pub name: String,
    /// Masked, e.g. `9901**********0012`.
    pub id_number: String,
    /// `M` or `F`.
    pub sex: String,
    /// Age today, in years.
    pub age: u32,
    pub relation: Relation,
    pub disability_grade: u8,
    pub severe_illness: bool,
    pub employment: Employment,
    pub self_care: Option<SelfCare>,
    pub joined_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
}

/// One recorded step with who recorded it and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionView {
    pub seq: i64,
    pub step: Step,
    pub on: NaiveDate,
    /// Username (`system` for the console).
    pub by: String,
    /// The account's display name, or the username if unknown.
    pub by_name: String,
    pub at: DateTime<Utc>,
    pub note: String,
}

/// Everything a case page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseDetail {
    pub id: i64,
    pub program: Program,
    /// Pass back to [`Service::record_step`] as `expected_version`.
    pub version: i64,
    /// Whether the case holds its household (pending or paying); false once refused or
    /// withdrawn.
    pub active: bool,
    pub household: HouseholdView,
    pub members: Vec<MemberView>,
    pub actions: Vec<ActionView>,
    pub status: Status,
    /// The steps this actor may record next (empty when none).
    pub allowed_next: Vec<StepKind>,
    /// The day a decision is due (working days from the application); `None` once decided
    /// or when the calendar does not cover the dates.
    pub decision_due: Option<NaiveDate>,
    pub overdue: bool,
    pub income_per_capita: Option<Fen>,
    pub benefit_start: Option<NaiveDate>,
    pub benefit_end: Option<NaiveDate>,
    /// This month's benefit, for an approved case whose benefit period covers it; before
    /// the benefit starts (the month of the approval), the first month's.
    pub benefit: Option<Benefit>,
    /// Why an approved case has no benefit figure this month (an error code such as
    /// `assistance.no_standard`, or `assistance.no_monthly_cash` for 低保边缘).
    pub benefit_problem: Option<&'static str>,
    /// Dynamic management: the change history, the review schedule, what may be recorded.
    pub dynamics: Dynamics,
    /// The worksheets of the means checks, oldest first (empty when the figure came from a
    /// report).
    pub means: Vec<MeansView>,
}

/// The status filter and column of the case list. `Pending` and `Overdue` are filters only
/// (a row shows its concrete status and an `overdue` flag).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseStatus {
    /// Any status before the decision.
    Pending,
    /// Pending past its decision date.
    Overdue,
    Applied,
    MeansChecked,
    Visited,
    Reviewed,
    OnNotice,
    Approved,
    Refused,
    Withdrawn,
}

impl Code for CaseStatus {
    const ALL: &'static [Self] = &[
        Self::Pending,
        Self::Overdue,
        Self::Applied,
        Self::MeansChecked,
        Self::Visited,
        Self::Reviewed,
        Self::OnNotice,
        Self::Approved,
        Self::Refused,
        Self::Withdrawn,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Overdue => "overdue",
            Self::Applied => "applied",
            Self::MeansChecked => "means_checked",
            Self::Visited => "visited",
            Self::Reviewed => "reviewed",
            Self::OnNotice => "on_notice",
            Self::Approved => "approved",
            Self::Refused => "refused",
            Self::Withdrawn => "withdrawn",
        }
    }
}

/// The step codes a status follows (the status is the last step's, see
/// `domain::assistance::workflow`).
const STEP_STATUS: &[(&str, CaseStatus)] = &[
    ("apply", CaseStatus::Applied),
    ("check_means", CaseStatus::MeansChecked),
    ("visit_home", CaseStatus::Visited),
    ("review_in_community", CaseStatus::Reviewed),
    ("post_notice", CaseStatus::OnNotice),
    ("approve", CaseStatus::Approved),
    ("refuse", CaseStatus::Refused),
    ("withdraw", CaseStatus::Withdrawn),
    ("import", CaseStatus::Approved),
];
const PENDING_STEPS: &[&str] = &[
    "apply",
    "check_means",
    "visit_home",
    "review_in_community",
    "post_notice",
];

/// The columns the case list sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseSort {
    /// Case number (the default).
    Id,
    Applied,
    /// The head's name, by pinyin.
    Name,
    Division,
    Program,
}

impl Code for CaseSort {
    const ALL: &'static [Self] = &[
        Self::Id,
        Self::Applied,
        Self::Name,
        Self::Division,
        Self::Program,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::Applied => "applied",
            Self::Name => "name",
            Self::Division => "division",
            Self::Program => "program",
        }
    }
}

/// A query of the case list: search (the head's name or pinyin initials, or any member's
/// whole ID number), division subtree, status, sort, page.
pub type CaseQuery = ListQuery<CaseSort, CaseStatus>;

/// One row of the case list, ID number masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseListItem {
    pub id: i64,
    pub program: Program,
    pub status: CaseStatus,
    pub overdue: bool,
    pub active: bool,
    pub version: i64,
    pub applied_on: NaiveDate,
    pub last_step_on: NaiveDate,
    pub division: DivisionCode,
    pub division_name: String,
    pub address: String,
    pub head_name: String,
    /// Masked.
    pub head_id_number: String,
    pub members: i64,
    pub income_per_capita: Option<Fen>,
    pub benefit_start: Option<NaiveDate>,
}

/// One member on a posted notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeMember {
    /// Masked, e.g. `张*明`.
    pub name: String,
    pub relation: Relation,
}

/// What the printable public notice (公示) of a case holds (rules.md §1.5: the head's name,
/// the number of covered persons and the amount; names masked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeSheet {
    pub case_id: i64,
    pub program: Program,
    pub division: DivisionCode,
    /// The community or village where it is posted.
    pub division_name: String,
    /// The head's name, masked.
    pub head: String,
    pub members: Vec<NoticeMember>,
    pub persons: usize,
    pub income_per_capita: Option<Fen>,
    /// The standard per person in the first benefit month.
    pub standard: Option<Fen>,
    /// The proposed monthly amount for the first benefit month (`None` for 低保边缘, or when
    /// no standard is in force).
    pub amount: Option<Fen>,
    /// The first benefit month if approved as proposed.
    pub month: Option<Month>,
    pub notice_from: NaiveDate,
    pub notice_until: NaiveDate,
}

/// A dated standard as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandardInput {
    /// A [`Program`] code.
    pub program: String,
    /// `urban` or `rural`.
    pub area: String,
    pub effective_from: NaiveDate,
    /// Per person per month.
    pub amount: Fen,
    /// The document that set it.
    pub citation: String,
}

/// A dated care standard as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CareStandardInput {
    pub area: String,
    /// `capable`, `partly_unable` or `fully_unable`.
    pub level: String,
    pub effective_from: NaiveDate,
    pub amount: Fen,
    pub citation: String,
}

/// What a standard change would do to approved cases in its first month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Impact {
    /// The first month the new standard applies to.
    pub month: Month,
    /// Approved, paying households whose amount for `month` changes.
    pub households: usize,
    /// Their members.
    pub persons: usize,
    /// New total minus old total for `month`, in fen (negative for a cut).
    pub monthly_change_fen: i64,
}

pub(crate) fn field(
    field: &'static str,
    code: &'static str,
    detail: impl Into<String>,
) -> FieldError {
    FieldError::new(field, code, detail)
}

pub(crate) fn corrupt(what: String) -> Error {
    Error::Internal(StoreError::Corrupt { what })
}

/// The domain step of a stored action.
fn step_of(a: &NewAction) -> Result<Step, Error> {
    let bad = || corrupt(format!("case action {:?}", a.step));
    Ok(match a.step.as_str() {
        "apply" => Step::Apply {
            on_behalf: a.on_behalf.ok_or_else(bad)?,
        },
        "check_means" => Step::CheckMeans {
            income_per_capita: Fen::from_fen(a.income_fen.ok_or_else(bad)?),
        },
        "visit_home" => Step::VisitHome,
        "review_in_community" => Step::ReviewInCommunity,
        "post_notice" => Step::PostNotice {
            from: a.notice_from.ok_or_else(bad)?,
        },
        "approve" => Step::Approve,
        "refuse" => Step::Refuse {
            reason: a.reason.clone().ok_or_else(bad)?,
        },
        "withdraw" => Step::Withdraw {
            reason: a.reason.clone().ok_or_else(bad)?,
        },
        "import" => Step::Import,
        _ => return Err(bad()),
    })
}

fn log_of(actions: &[StoredAction]) -> Result<Vec<WorkflowAction>, Error> {
    actions
        .iter()
        .map(|s| {
            Ok(WorkflowAction {
                step: step_of(&s.action)?,
                on: s.action.on_date,
                by: s.action.by_user.clone(),
            })
        })
        .collect()
}

/// The policy a case's log is judged by: the current one, or, if the log predates a
/// stricter setting (the community review made required while it ran), the one it was
/// recorded under.
fn policy_for(log: &[WorkflowAction], policy: &WorkflowPolicy) -> WorkflowPolicy {
    if log.is_empty() || workflow::status(log, policy).is_ok() {
        policy.clone()
    } else {
        WorkflowPolicy {
            community_review_required: false,
            ..policy.clone()
        }
    }
}

/// The new action to store for a step.
fn new_action(
    step: &Step,
    on: NaiveDate,
    actor: &Actor,
    at: DateTime<Utc>,
    note: &str,
) -> NewAction {
    let mut a = NewAction {
        step: step.kind().as_str().to_owned(),
        on_date: on,
        by_user: actor.username.clone(),
        at,
        on_behalf: None,
        income_fen: None,
        notice_from: None,
        reason: None,
        note: note.to_owned(),
    };
    match step {
        Step::Apply { on_behalf } => a.on_behalf = Some(*on_behalf),
        Step::CheckMeans { income_per_capita } => a.income_fen = Some(income_per_capita.as_fen()),
        Step::PostNotice { from } => a.notice_from = Some(*from),
        Step::Refuse { reason } | Step::Withdraw { reason } => {
            a.reason = Some(reason.trim().to_owned());
        }
        Step::VisitHome | Step::ReviewInCommunity | Step::Approve | Step::Import => {}
    }
    a
}

/// The latest application day whose decision is already overdue on `today`, if the
/// calendar can tell (decision dates grow with application dates, so every earlier pending
/// application is overdue too).
fn overdue_cutoff(
    today: NaiveDate,
    policy: &WorkflowPolicy,
    calendar: &WorkingCalendar,
) -> Option<NaiveDate> {
    let mut day = today;
    for _ in 0..400 {
        day = day.pred_opt()?;
        match workflow::decision_due(day, policy, calendar) {
            Ok(due) if due < today => return Some(day),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    None
}

pub(crate) fn check_reason(reason: &str) -> Result<String, Error> {
    let reason = reason.trim();
    let chars = reason.chars().count();
    if chars < MIN_REASON_CHARS {
        Err(Error::invalid(field(
            "reason",
            "assistance.reason_short",
            MIN_REASON_CHARS.to_string(),
        )))
    } else if chars > MAX_REASON_CHARS {
        Err(Error::invalid(field(
            "reason",
            "assistance.reason_long",
            MAX_REASON_CHARS.to_string(),
        )))
    } else {
        Ok(reason.to_owned())
    }
}

fn check_citation(citation: &str, errors: &mut Vec<FieldError>) -> String {
    let citation = citation.trim().to_owned();
    let n = citation.chars().count();
    if n == 0 || n > MAX_CITATION_CHARS {
        errors.push(field(
            "citation",
            "assistance.citation",
            MAX_CITATION_CHARS.to_string(),
        ));
    }
    citation
}

pub(crate) fn program_of(text: &str) -> Result<Program, Error> {
    text.parse()
        .map_err(|_| corrupt(format!("programme {text:?}")))
}

fn area_of(text: &str) -> Result<Area, Error> {
    Area::parse(text).map_err(|_| corrupt(format!("area {text:?}")))
}

fn member_view(m: &store::MemberRecord, today: NaiveDate) -> Result<MemberView, Error> {
    let id = ResidentId::parse(&m.id_number).map_err(|_| corrupt("stored ID number".into()))?;
    Ok(MemberView {
        id: m.id,
        name: m.name.clone(),
        id_number: id.masked(),
        sex: m.sex.clone(),
        age: domain::age_on(m.birth_date, today).unwrap_or(0),
        relation: Relation::parse(&m.relation)
            .ok_or_else(|| corrupt(format!("relation {:?}", m.relation)))?,
        disability_grade: u8::try_from(m.disability_grade)
            .map_err(|_| corrupt("disability grade".into()))?,
        severe_illness: m.severe_illness,
        employment: Employment::parse(&m.employment)
            .ok_or_else(|| corrupt(format!("employment {:?}", m.employment)))?,
        self_care: match &m.self_care {
            None => None,
            Some(s) => Some(parse_self_care(s).ok_or_else(|| corrupt(format!("self care {s:?}")))?),
        },
        joined_on: m.joined_on,
        left_on: m.left_on,
    })
}

fn member_facts(
    birth_date: NaiveDate,
    grade: i64,
    severe_illness: bool,
    self_care: Option<&str>,
) -> MemberFacts {
    MemberFacts {
        birth_date,
        disability_grade: u8::try_from(grade).unwrap_or(u8::MAX),
        severe_illness,
        self_care: self_care.and_then(parse_self_care),
    }
}

/// The standards, policies and care standards in force, as domain tables.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tables {
    pub(crate) standards: StandardTable,
    pub(crate) policies: PolicyTable,
    pub(crate) care: Vec<CareStandard>,
}

fn standard_of(r: StandardRow) -> Result<Standard, Error> {
    Ok(Standard {
        program: program_of(&r.program)?,
        area: area_of(&r.area)?,
        effective_from: r.effective_from,
        amount: Fen::from_fen(r.amount_fen),
        citation: r.citation,
    })
}

fn policy_of(r: PolicyRow) -> Result<ClassifiedPolicy, Error> {
    let small = |v: Option<i64>| {
        v.and_then(|v| u8::try_from(v).ok())
            .ok_or_else(|| corrupt("policy rule value".into()))
    };
    let rules = r
        .rules
        .into_iter()
        .map(|rule| {
            let condition = match rule.kind.as_str() {
                "disability_grade" => Condition::DisabilityGrade {
                    min: small(rule.min_value)?,
                    max: small(rule.max_value)?,
                },
                "severe_illness" => Condition::SevereIllness,
                "age_at_least" => Condition::AgeAtLeast {
                    years: u32::from(small(rule.min_value)?),
                },
                other => return Err(corrupt(format!("policy rule {other:?}"))),
            };
            Ok(IncrementRule {
                condition,
                pct: u32::try_from(rule.pct).map_err(|_| corrupt("policy pct".into()))?,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(ClassifiedPolicy {
        effective_from: r.effective_from,
        rules,
        citation: r.citation,
    })
}

fn care_of(r: CareStandardRow) -> Result<CareStandard, Error> {
    Ok(CareStandard {
        area: area_of(&r.area)?,
        level: parse_self_care(&r.level)
            .ok_or_else(|| corrupt(format!("care level {:?}", r.level)))?,
        effective_from: r.effective_from,
        amount: Fen::from_fen(r.amount_fen),
    })
}

fn table_error(e: &domain::assistance::AssistanceError) -> Error {
    corrupt(format!("stored standards: {e}"))
}

impl Service {
    /// The approving level and workflow rules in force.
    async fn settings(&self) -> Result<AssistanceSettings, Error> {
        let store = self.store();
        let mut s = AssistanceSettings::default();
        if let Some(v) = store.setting(SETTING_APPROVING_LEVEL).await? {
            s.approving_level = ApprovingLevel::parse(&v)
                .ok_or_else(|| corrupt(format!("approving level {v:?}")))?;
        }
        if let Some(v) = store.setting(SETTING_NOTICE_DAYS).await? {
            s.workflow.notice_days = v
                .parse()
                .map_err(|_| corrupt(format!("notice days {v:?}")))?;
        }
        if let Some(v) = store.setting(SETTING_DECISION_WORKING_DAYS).await? {
            s.workflow.decision_working_days = v
                .parse()
                .map_err(|_| corrupt(format!("decision days {v:?}")))?;
        }
        if let Some(v) = store.setting(SETTING_COMMUNITY_REVIEW_REQUIRED).await? {
            s.workflow.community_review_required = v == "1";
        }
        for class in HouseholdClass::ALL {
            let key = format!("{SETTING_REVIEW_MONTHS}.{}", class.as_str());
            if let Some(v) = store.setting(&key).await? {
                let months = v
                    .parse()
                    .map_err(|_| corrupt(format!("review months {v:?}")))?;
                match class {
                    HouseholdClass::Stable => s.review_months.stable = months,
                    HouseholdClass::IllOrDisabled => s.review_months.ill_or_disabled = months,
                    HouseholdClass::WorkCapable => s.review_months.work_capable = months,
                }
            }
        }
        if let Some(v) = store.setting(SETTING_GRADUAL_EXIT_MONTHS).await? {
            s.gradual_exit_months = v
                .parse()
                .map_err(|_| corrupt(format!("gradual exit months {v:?}")))?;
        }
        for (name, _) in means_values(&s.means) {
            let key = format!("{SETTING_MEANS}.{name}");
            if let Some(v) = store.setting(&key).await? {
                let n: u32 = v.parse().map_err(|_| corrupt(format!("{key} {v:?}")))?;
                set_means_value(&mut s.means, name, n);
            }
        }
        Ok(s)
    }

    /// The procedure's local rules (Read).
    pub async fn assistance_settings(&self, actor: &Actor) -> Result<AssistanceSettings, Error> {
        self.authorize(actor, Line::Assistance, Action::Read)?;
        self.settings().await
    }

    /// Changes the procedure's local rules: who approves, the notice length (1–60 days),
    /// the time limit (1–120 working days), whether the community review is required.
    /// District level, `Approve`; audited with old and new values.
    pub async fn set_assistance_settings(
        &self,
        actor: &Actor,
        settings: &AssistanceSettings,
    ) -> Result<(), Error> {
        self.authorize(actor, Line::Assistance, Action::Approve)?;
        self.district_only(actor)?;
        let mut errors = Vec::new();
        if !(1..=60).contains(&settings.workflow.notice_days) {
            errors.push(field("notice_days", "assistance.notice_days", "1-60"));
        }
        if !(1..=120).contains(&settings.workflow.decision_working_days) {
            errors.push(field(
                "decision_working_days",
                "assistance.decision_working_days",
                "1-120",
            ));
        }
        for class in HouseholdClass::ALL {
            if !(1..=24).contains(&settings.review_months.of(*class)) {
                errors.push(field(
                    "review_months",
                    "assistance.review_months",
                    class.as_str(),
                ));
            }
        }
        if settings.gradual_exit_months > 24 {
            errors.push(field(
                "gradual_exit_months",
                "assistance.gradual_exit_months",
                "0-24",
            ));
        }
        for (name, value) in means_values(&settings.means) {
            if value > means_limit(name) {
                errors.push(field(
                    means_field(name),
                    "assistance.means_setting",
                    format!("0-{}", means_limit(name)),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let old = self.settings().await?;
        let mut values = vec![
            (
                SETTING_APPROVING_LEVEL.to_owned(),
                old.approving_level.as_str().to_owned(),
                settings.approving_level.as_str().to_owned(),
            ),
            (
                SETTING_NOTICE_DAYS.to_owned(),
                old.workflow.notice_days.to_string(),
                settings.workflow.notice_days.to_string(),
            ),
            (
                SETTING_DECISION_WORKING_DAYS.to_owned(),
                old.workflow.decision_working_days.to_string(),
                settings.workflow.decision_working_days.to_string(),
            ),
            (
                SETTING_COMMUNITY_REVIEW_REQUIRED.to_owned(),
                u8::from(old.workflow.community_review_required).to_string(),
                u8::from(settings.workflow.community_review_required).to_string(),
            ),
            (
                SETTING_GRADUAL_EXIT_MONTHS.to_owned(),
                old.gradual_exit_months.to_string(),
                settings.gradual_exit_months.to_string(),
            ),
        ];
        for class in HouseholdClass::ALL {
            values.push((
                format!("{SETTING_REVIEW_MONTHS}.{}", class.as_str()),
                old.review_months.of(*class).to_string(),
                settings.review_months.of(*class).to_string(),
            ));
        }
        for ((name, before), (_, after)) in means_values(&old.means)
            .into_iter()
            .zip(means_values(&settings.means))
        {
            values.push((
                format!("{SETTING_MEANS}.{name}"),
                before.to_string(),
                after.to_string(),
            ));
        }
        for (key, old, new) in values {
            if old != new {
                let audit = self.audit(
                    actor,
                    "assistance.setting",
                    &key,
                    "",
                    format!("{old}→{new}"),
                );
                self.store().set_setting(&key, &new, &audit).await?;
            }
        }
        Ok(())
    }

    /// Standards, policies and settings are the district's: refused (forbidden) below it.
    pub(crate) fn district_only(&self, actor: &Actor) -> Result<(), Error> {
        match &actor.jurisdiction {
            None if actor.is_system() => Ok(()),
            Some(root) if root.level() == DivisionLevel::County => Ok(()),
            _ => Err(Error::Forbidden),
        }
    }

    /// Whether the actor may decide (approve, or refuse after the notice) a case in
    /// `division` under `settings`. Jurisdiction is checked by the caller.
    fn may_decide(&self, actor: &Actor, settings: &AssistanceSettings) -> bool {
        actor.may(Line::Assistance, Action::Approve)
            || (settings.approving_level == ApprovingLevel::Street
                && actor.role == Some(Role::StreetOfficer)
                && actor.may(Line::Assistance, Action::Write))
    }

    pub(crate) async fn tables(&self) -> Result<Tables, Error> {
        let store = self.store();
        let standards = store
            .standards()
            .await?
            .into_iter()
            .map(standard_of)
            .collect::<Result<Vec<_>, _>>()?;
        let policies = store
            .policies()
            .await?
            .into_iter()
            .map(policy_of)
            .collect::<Result<Vec<_>, _>>()?;
        let care = store
            .care_standards()
            .await?
            .into_iter()
            .map(care_of)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Tables {
            standards: StandardTable::new(standards).map_err(|e| table_error(&e))?,
            policies: PolicyTable::new(policies).map_err(|e| table_error(&e))?,
            care,
        })
    }

    /// The case `id` if it lies in the actor's jurisdiction; else not found.
    async fn case_in_scope(&self, actor: &Actor, id: i64) -> Result<CaseFile, Error> {
        let file = self.store().case_file(id).await?;
        self.within(actor, &file.case.division_code)?;
        Ok(file)
    }

    /// Takes an application: validates every field (members by row), refuses a person who
    /// is already in another active case (naming it), and creates the persons, household,
    /// members, case and its first step in one transaction. Returns the case id.
    pub async fn register_application(
        &self,
        actor: &Actor,
        input: ApplicationInput,
    ) -> Result<i64, Error> {
        self.authorize(actor, Line::Assistance, Action::Write)?;
        let today = self.today();
        let mut errors: Vec<FieldError> = Vec::new();

        let division = match input.community.trim().parse::<DivisionCode>() {
            Err(e) => {
                errors.push(field("community", e.code(), e.to_string()));
                None
            }
            Ok(code) if !actor.sees(&code) => {
                errors.push(field(
                    "community",
                    "assistance.community_unknown",
                    code.as_str(),
                ));
                None
            }
            Ok(code)
                if !matches!(
                    code.level(),
                    DivisionLevel::Community | DivisionLevel::Village
                ) =>
            {
                errors.push(field(
                    "community",
                    "assistance.community_level",
                    code.as_str(),
                ));
                None
            }
            Ok(code) => match self.store().division(&code).await {
                Ok(d) => Some(d),
                Err(StoreError::NotFound) => {
                    errors.push(field(
                        "community",
                        "assistance.community_unknown",
                        code.as_str(),
                    ));
                    None
                }
                Err(e) => return Err(e.into()),
            },
        };
        let address = input.address.trim().to_owned();
        if address.is_empty() || address.chars().count() > MAX_ADDRESS_CHARS {
            errors.push(field(
                "address",
                "assistance.address",
                MAX_ADDRESS_CHARS.to_string(),
            ));
        }
        let program = input
            .program
            .parse::<Program>()
            .map_err(|e| errors.push(field("program", e.code(), input.program.clone())))
            .ok();
        let area = match input
            .area
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
        {
            Some(text) => Area::parse(text)
                .map_err(|e| errors.push(field("area", e.code(), text)))
                .ok(),
            None => division.as_ref().map(|d| d.area),
        };
        if input.applied_on > today {
            errors.push(field(
                "applied_on",
                "assistance.future_date",
                today.to_string(),
            ));
        }
        if input.note.chars().count() > MAX_NOTE_CHARS {
            errors.push(field(
                "note",
                "assistance.note_long",
                MAX_NOTE_CHARS.to_string(),
            ));
        }
        if input.members.is_empty() {
            errors.push(field("members", "assistance.no_members", ""));
        } else if input.members.len() > MAX_MEMBERS {
            errors.push(field(
                "members",
                "assistance.too_many_members",
                MAX_MEMBERS.to_string(),
            ));
        }

        let mut members: Vec<NewMember> = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut heads = 0usize;
        for (i, m) in input.members.iter().take(MAX_MEMBERS).enumerate() {
            let row = i + 1;
            let at = |f: &'static str, code: &'static str, detail: String| {
                field(f, code, detail).at_row(row)
            };
            let name = m.name.trim().to_owned();
            if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
                errors.push(at(
                    "name",
                    "assistance.member_name",
                    MAX_NAME_CHARS.to_string(),
                ));
            }
            let id = match ResidentId::parse(&m.id_number.trim().to_uppercase()) {
                Err(e) => {
                    errors.push(at("id_number", e.code(), e.to_string()));
                    None
                }
                Ok(id) => match id.check_not_born_after(today) {
                    Err(e) => {
                        errors.push(at("id_number", e.code(), e.to_string()));
                        None
                    }
                    Ok(()) => Some(id),
                },
            };
            if let Some(id) = &id {
                if let Some(first) = seen.get(id.as_str()) {
                    errors.push(at(
                        "id_number",
                        "assistance.duplicate_member",
                        first.to_string(),
                    ));
                } else {
                    seen.insert(id.as_str().to_owned(), row);
                }
            }
            let relation = Relation::parse(&m.relation);
            match relation {
                None => errors.push(at(
                    "relation",
                    "assistance.relation_unknown",
                    m.relation.clone(),
                )),
                Some(Relation::Head) => heads += 1,
                Some(_) => {}
            }
            if m.disability_grade > 4 {
                errors.push(at(
                    "disability_grade",
                    "assistance.disability_grade",
                    m.disability_grade.to_string(),
                ));
            }
            let employment = Employment::parse(&m.employment);
            if employment.is_none() {
                errors.push(at(
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
                Some(text) => match parse_self_care(text) {
                    Some(s) => Some(s),
                    None => {
                        errors.push(at(
                            "self_care",
                            "assistance.self_care_unknown",
                            text.to_owned(),
                        ));
                        None
                    }
                },
            };
            if let (Some(id), Some(relation), Some(employment)) = (id, relation, employment) {
                members.push(NewMember {
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
                });
            }
        }
        if !input.members.is_empty() && heads != 1 {
            errors.push(field(
                "relation",
                "assistance.head_count",
                heads.to_string(),
            ));
        }
        // The other cases of these persons, named by row.
        let ids: Vec<String> = seen.keys().cloned().collect();
        errors.extend(self.other_cases(&ids, &seen).await?);

        let (Some(division), Some(program), Some(area), true) =
            (division, program, area, errors.is_empty())
        else {
            errors.sort_by_key(|e| e.row);
            return Err(Error::Invalid(errors));
        };
        let first_action = new_action(
            &Step::Apply {
                on_behalf: input.on_behalf,
            },
            input.applied_on,
            actor,
            self.now(),
            input.note.trim(),
        );
        let audit = self.audit(
            actor,
            "assistance.apply",
            "",
            "",
            format!(
                "program={program} division={} members={} on_behalf={}",
                division.code,
                members.len(),
                input.on_behalf
            ),
        );
        let app = NewApplication {
            division_code: division.code,
            address,
            area,
            program: program.as_str().to_owned(),
            members,
            first_action,
        };
        match self.store().insert_application(&app, &audit).await {
            Ok(id) => Ok(id),
            Err(StoreError::Conflict {
                constraint: Some(c),
                what,
            }) if c == store::PERSON_IN_ONE_HOUSEHOLD || c == store::ONE_ACTIVE_CASE => {
                // Another application for one of these persons was saved in between.
                let found = self.other_cases(&ids, &seen).await?;
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

    /// A refusal for each person (by row) who is a current member of an active case.
    async fn other_cases(
        &self,
        ids: &[String],
        rows: &HashMap<String, usize>,
    ) -> Result<Vec<FieldError>, Error> {
        let found = self.store().active_cases_of(ids).await?;
        let mut errors: Vec<FieldError> = found
            .into_iter()
            .map(|c| {
                field(
                    "id_number",
                    "assistance.in_other_case",
                    format!("{} {} {}", c.case_id, c.program, c.division_name),
                )
                .at_row(rows.get(&c.id_number).copied().unwrap_or(0))
            })
            .collect();
        errors.sort_by_key(|e| e.row);
        Ok(errors)
    }

    /// Records one step on case `case_id` whose page showed `expected_version`; returns the
    /// new version. The step must follow the log (`domain::assistance::workflow`; its error
    /// codes come back as field errors), an approval needs the approving authority and sets
    /// the benefit start to the first day of the next month, a refusal or a withdrawal
    /// closes the case. A version that moved on is `Conflict { code:
    /// "assistance.case_changed", detail: "<username> at <time>" }`.
    pub async fn record_step(
        &self,
        actor: &Actor,
        case_id: i64,
        expected_version: i64,
        input: StepInput,
    ) -> Result<i64, Error> {
        self.append_step(actor, case_id, expected_version, input, None)
            .await
    }

    /// [`Service::record_step`], with the worksheet of a means check
    /// ([`Service::check_means`]) stored in the same transaction.
    async fn append_step(
        &self,
        actor: &Actor,
        case_id: i64,
        expected_version: i64,
        input: StepInput,
        means: Option<store::MeansRecord>,
    ) -> Result<i64, Error> {
        self.authorize(actor, Line::Assistance, Action::Write)
            .or_else(|e| match input.step {
                Step::Approve | Step::Refuse { .. }
                    if actor.may(Line::Assistance, Action::Approve) =>
                {
                    Ok(())
                }
                _ => Err(e),
            })?;
        let file = self.case_in_scope(actor, case_id).await?;
        let settings = self.settings().await?;
        let log = log_of(&file.actions)?;
        let policy = policy_for(&log, &settings.workflow);
        let current = workflow::status(&log, &policy).ok();
        let deciding = match input.step {
            Step::Approve => true,
            Step::Refuse { .. } => matches!(current, Some(Status::OnNotice { .. })),
            _ => false,
        };
        if deciding && !self.may_decide(actor, &settings) {
            return Err(Error::Forbidden);
        }
        if file.case.version != expected_version {
            return Err(self.changed(&file));
        }
        let today = self.today();
        let mut errors = Vec::new();
        if input.on > today {
            errors.push(field("on", "assistance.future_date", today.to_string()));
        }
        if input.note.chars().count() > MAX_NOTE_CHARS {
            errors.push(field(
                "note",
                "assistance.note_long",
                MAX_NOTE_CHARS.to_string(),
            ));
        }
        match &input.step {
            Step::CheckMeans { income_per_capita } if income_per_capita.is_negative() => {
                errors.push(field(
                    "income_per_capita",
                    "assistance.income_negative",
                    income_per_capita.yuan(),
                ));
            }
            Step::Refuse { reason } | Step::Withdraw { reason }
                if reason.trim().chars().count() > MAX_REASON_CHARS =>
            {
                errors.push(field(
                    "reason",
                    "assistance.reason_long",
                    MAX_REASON_CHARS.to_string(),
                ));
            }
            _ => {}
        }
        let action = WorkflowAction {
            step: input.step.clone(),
            on: input.on,
            by: actor.username.clone(),
        };
        if let Err(e) = workflow::append(&log, &action, &policy) {
            use workflow::WorkflowError as W;
            let f = match e {
                W::BackDated { .. } => "on",
                W::ReasonRequired => "reason",
                W::NoticeBeforeStep { .. } => "notice_from",
                _ => "step",
            };
            errors.push(field(f, e.code(), e.to_string()));
        }
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let mut update = CaseUpdate {
            means,
            ..CaseUpdate::default()
        };
        match &input.step {
            Step::CheckMeans { income_per_capita } => {
                update.income_per_capita_fen = Some(income_per_capita.as_fen());
            }
            Step::Approve => {
                let start = benefit_start_after_approval(input.on).ok_or_else(|| {
                    Error::invalid(field("on", "assistance.future_date", input.on.to_string()))
                })?;
                update.benefit_start = Some(start);
            }
            Step::Refuse { .. } | Step::Withdraw { .. } => update.close_on = Some(input.on),
            _ => {}
        }
        let kind = input.step.kind().as_str();
        let mut detail = format!(
            "step={kind} on={} version={}",
            input.on,
            expected_version + 1
        );
        if let Some(start) = update.benefit_start {
            detail.push_str(&format!(" benefit_start={start}"));
        }
        let reason = match &input.step {
            Step::Refuse { reason } | Step::Withdraw { reason } => reason.trim().to_owned(),
            _ => String::new(),
        };
        let audit = self.audit(
            actor,
            &format!("assistance.step.{kind}"),
            format!("case:{case_id}"),
            &reason,
            detail,
        );
        let stored = new_action(&input.step, input.on, actor, self.now(), input.note.trim());
        match self
            .store()
            .append_case_action(case_id, expected_version, &stored, update, &audit)
            .await
        {
            Ok(v) => Ok(v),
            Err(StoreError::Conflict {
                constraint: Some(c),
                ..
            }) if c == "version" || c == store::ACTION_SEQ => {
                let file = self.store().case_file(case_id).await?;
                Err(self.changed(&file))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The conflict naming who changed the case last, and when (Beijing time).
    fn changed(&self, file: &CaseFile) -> Error {
        let detail = file.actions.last().map_or_else(String::new, |a| {
            let local = a.action.at + Duration::hours(8);
            format!(
                "{} at {}+08:00",
                a.action.by_user,
                local.format("%Y-%m-%d %H:%M")
            )
        });
        Error::Conflict {
            code: "assistance.case_changed",
            detail,
        }
    }

    /// One case as its page shows it. The read is audited (`assistance.read`): a case is
    /// personal data.
    pub async fn case(&self, actor: &Actor, id: i64) -> Result<CaseDetail, Error> {
        self.authorize(actor, Line::Assistance, Action::Read)?;
        let file = self.case_in_scope(actor, id).await?;
        let audit = self.audit(actor, "assistance.read", format!("case:{id}"), "", "");
        self.store().record_audit(&audit).await?;
        self.detail(actor, file).await
    }

    async fn detail(&self, actor: &Actor, file: CaseFile) -> Result<CaseDetail, Error> {
        let today = self.today();
        let settings = self.settings().await?;
        let changes = self.store().case_changes(file.case.id).await?;
        let dynamics = self.dynamics(actor, &file, &changes, &settings).await?;
        let log = log_of(&file.actions)?;
        let policy = policy_for(&log, &settings.workflow);
        let status = workflow::status(&log, &policy)
            .map_err(|e| corrupt(format!("case {} log: {e}", file.case.id)))?;
        let may_write = actor.may(Line::Assistance, Action::Write);
        let may_decide = self.may_decide(actor, &settings);
        let allowed_next: Vec<StepKind> = workflow::allowed_next(&log, &policy)
            .into_iter()
            .filter(|k| match k {
                StepKind::Approve => may_decide,
                StepKind::Refuse if matches!(status, Status::OnNotice { .. }) => may_decide,
                _ => may_write,
            })
            .collect();
        let (decision_due, overdue) = if status.is_closed() {
            (None, false)
        } else {
            let calendar = self.working_calendar().await?;
            match workflow::decision_due(log.first().map_or(today, |a| a.on), &policy, &calendar) {
                Ok(due) => (Some(due), today > due),
                Err(_) => (None, false),
            }
        };
        let program = program_of(&file.case.program)?;
        let members = file
            .members
            .iter()
            .map(|m| member_view(m, today))
            .collect::<Result<Vec<_>, _>>()?;
        let (benefit, benefit_problem) = match file.case.benefit_start {
            Some(start) if file.case.active => {
                let period = BenefitPeriod {
                    start,
                    end: file.case.benefit_end,
                };
                // This month's; before the benefit starts, its first month's.
                let month = if start > today {
                    Month::of(start)
                } else {
                    Month::of(today)
                };
                if period.covers(month) {
                    self.page_benefit(&file, &changes, month).await?
                } else {
                    (None, None)
                }
            }
            _ => (None, None),
        };
        let mut names: HashMap<String, String> = HashMap::new();
        for a in &file.actions {
            let by = &a.action.by_user;
            if !names.contains_key(by) {
                let name = match self.store().user_by_username(by).await {
                    Ok(u) => u.display_name,
                    Err(StoreError::NotFound) => by.clone(),
                    Err(e) => return Err(e.into()),
                };
                names.insert(by.clone(), name);
            }
        }
        let actions = file
            .actions
            .iter()
            .zip(log)
            .map(|(s, a)| ActionView {
                seq: s.seq,
                step: a.step,
                on: a.on,
                by_name: names.get(&a.by).cloned().unwrap_or_else(|| a.by.clone()),
                by: a.by,
                at: s.action.at,
                note: s.action.note.clone(),
            })
            .collect();
        let member_names: Vec<(i64, String)> = file
            .members
            .iter()
            .map(|m| (m.id, m.name.clone()))
            .collect();
        let means = self.means_views(file.case.id, &member_names).await?;
        let c = file.case;
        Ok(CaseDetail {
            id: c.id,
            program,
            version: c.version,
            active: c.active,
            household: HouseholdView {
                id: c.household_id,
                division: c.division_code,
                division_name: c.division_name,
                address: c.address,
                area: c.area,
            },
            members,
            actions,
            status,
            allowed_next,
            decision_due,
            overdue,
            income_per_capita: c.income_per_capita_fen.map(Fen::from_fen),
            benefit_start: c.benefit_start,
            benefit_end: c.benefit_end,
            benefit,
            benefit_problem,
            dynamics,
            means,
        })
    }

    /// What a case's benefit depends on: its current members and assessed income.
    fn facts(&self, file: &CaseFile, program: Program) -> HouseholdFacts {
        HouseholdFacts {
            program,
            area: file.case.area,
            income_per_capita: Fen::from_fen(file.case.income_per_capita_fen.unwrap_or(0)),
            members: file
                .members
                .iter()
                .filter(|m| m.left_on.is_none())
                .map(|m| {
                    member_facts(
                        m.birth_date,
                        m.disability_grade,
                        m.severe_illness,
                        m.self_care.as_deref(),
                    )
                })
                .collect(),
        }
    }

    /// The full ID number of a member of a case, for someone who may reveal it and says why
    /// (at least [`MIN_REASON_CHARS`] characters). Audited (`assistance.reveal`) with the
    /// reason before the number is returned.
    pub async fn reveal_id_number(
        &self,
        actor: &Actor,
        case_id: i64,
        member_id: i64,
        reason: &str,
    ) -> Result<String, Error> {
        self.authorize(actor, Line::Assistance, Action::Reveal)?;
        let file = self.case_in_scope(actor, case_id).await?;
        let member = file
            .members
            .iter()
            .find(|m| m.id == member_id)
            .ok_or(Error::NotFound)?;
        let reason = check_reason(reason)?;
        let audit = self.audit(
            actor,
            "assistance.reveal",
            format!("case:{case_id}"),
            &reason,
            format!("member:{member_id} id_number"),
        );
        self.store().record_audit(&audit).await?;
        Ok(member.id_number.clone())
    }

    /// The filter of a query within the actor's jurisdiction; `None` if the actor sees
    /// nothing (or nothing can match).
    async fn case_filter(
        &self,
        actor: &Actor,
        query: &CaseQuery,
        program: Option<Program>,
    ) -> Result<Option<(CaseFilter, Option<NaiveDate>)>, Error> {
        let jurisdiction = match (&actor.jurisdiction, actor.is_system()) {
            (Some(root), _) => Some(root.clone()),
            (None, true) => None,
            (None, false) => return Ok(None),
        };
        let settings = self.settings().await?;
        let calendar = self.working_calendar().await?;
        let cutoff = overdue_cutoff(self.today(), &settings.workflow, &calendar);
        let mut filter = CaseFilter {
            jurisdiction,
            division: query.division.clone(),
            program: program.map(|p| p.as_str().to_owned()),
            ..CaseFilter::default()
        };
        match query.status {
            None => {}
            Some(CaseStatus::Pending) => {
                filter.active = Some(true);
                filter.last_steps = Some(PENDING_STEPS.iter().map(|s| (*s).to_owned()).collect());
            }
            Some(CaseStatus::Overdue) => {
                let Some(cutoff) = cutoff else {
                    return Ok(None);
                };
                filter.active = Some(true);
                filter.last_steps = Some(PENDING_STEPS.iter().map(|s| (*s).to_owned()).collect());
                filter.applied_until = Some(cutoff);
            }
            Some(status) => {
                filter.last_steps = Some(
                    STEP_STATUS
                        .iter()
                        .filter(|(_, s)| *s == status)
                        .map(|(step, _)| (*step).to_owned())
                        .collect(),
                );
            }
        }
        if let Some(search) = query.search() {
            if let Some(id) = search.resident_id() {
                filter.id_number = Some(id.as_str().to_owned());
            } else {
                filter.name_like = Some(search.text().to_owned());
                filter.initials = search.initials();
            }
        }
        Ok(Some((filter, cutoff)))
    }

    /// One page of the cases in the actor's jurisdiction matching the query (and the
    /// programme, when given), filtered, counted, sorted and paged in SQL. ID numbers masked.
    pub async fn cases(
        &self,
        actor: &Actor,
        query: &CaseQuery,
        program: Option<Program>,
    ) -> Result<Page<CaseListItem>, Error> {
        self.authorize(actor, Line::Assistance, Action::Read)?;
        self.case_page(actor, query, program).await
    }

    async fn case_page(
        &self,
        actor: &Actor,
        query: &CaseQuery,
        program: Option<Program>,
    ) -> Result<Page<CaseListItem>, Error> {
        let per_page = query.page_size();
        let Some((filter, cutoff)) = self.case_filter(actor, query, program).await? else {
            return Ok(Page::cut(Vec::new(), 1, per_page));
        };
        let order = match query.sort.unwrap_or(CaseSort::Id) {
            CaseSort::Id => CaseOrder::Id,
            CaseSort::Applied => CaseOrder::Applied,
            CaseSort::Name => CaseOrder::Name,
            CaseSort::Division => CaseOrder::Division,
            CaseSort::Program => CaseOrder::Program,
        };
        let (rows, total, page) = self
            .store()
            .cases_page(
                &filter,
                order,
                query.descending,
                i64::try_from(query.page).unwrap_or(i64::MAX),
                i64::try_from(per_page).unwrap_or(50),
            )
            .await?;
        let items = rows
            .into_iter()
            .map(|r| {
                let status = STEP_STATUS
                    .iter()
                    .find(|(s, _)| *s == r.last_step)
                    .map(|(_, st)| *st)
                    .ok_or_else(|| corrupt(format!("step {:?}", r.last_step)))?;
                let pending = r.active && PENDING_STEPS.contains(&r.last_step.as_str());
                let head = ResidentId::parse(&r.head_id_number)
                    .map_err(|_| corrupt("stored ID number".into()))?;
                Ok(CaseListItem {
                    id: r.id,
                    program: program_of(&r.program)?,
                    status,
                    overdue: pending && cutoff.is_some_and(|c| r.applied_on <= c),
                    active: r.active,
                    version: r.version,
                    applied_on: r.applied_on,
                    last_step_on: r.last_on,
                    division: r.division_code,
                    division_name: r.division_name,
                    address: r.address,
                    head_name: r.head_name,
                    head_id_number: head.masked(),
                    members: r.members,
                    income_per_capita: r.income_per_capita_fen.map(Fen::from_fen),
                    benefit_start: r.benefit_start,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(Page {
            items,
            total: usize::try_from(total).unwrap_or(0),
            page: usize::try_from(page).unwrap_or(1),
            per_page,
        })
    }

    /// Every case matching the query (all pages), ID numbers masked, for a download
    /// (`Export`). More than [`list::MAX_EXPORT_ROWS`] rows is refused
    /// (`list.export_too_large`); the export is audited (`assistance.export`) with the
    /// number of rows and the query.
    pub async fn export_cases(
        &self,
        actor: &Actor,
        query: &CaseQuery,
        program: Option<Program>,
    ) -> Result<Vec<CaseListItem>, Error> {
        self.authorize(actor, Line::Assistance, Action::Export)?;
        let all = list::every_row(|page, per_page| {
            let mut q = query.clone();
            q.page = page;
            q.per_page = per_page;
            async move { self.case_page(actor, &q, program).await }
        })
        .await?;
        let mut detail = format!("rows={} {}", all.len(), query.describe());
        if let Some(p) = program {
            detail.push_str(&format!(" program={p}"));
        }
        let audit = self.audit(
            actor,
            "assistance.export",
            "assistance",
            "",
            detail.trim_end().to_owned(),
        );
        self.store().record_audit(&audit).await?;
        Ok(all)
    }

    /// The divisions of the actor's jurisdiction, in code order, for the application form's
    /// community select and the list's street filter (`Read`). Empty for the console.
    pub async fn assistance_divisions(&self, actor: &Actor) -> Result<Vec<store::Division>, Error> {
        self.authorize(actor, Line::Assistance, Action::Read)?;
        match &actor.jurisdiction {
            Some(root) => Ok(self.store().divisions_within(root).await?),
            None => Ok(Vec::new()),
        }
    }

    /// How many pending cases in the actor's jurisdiction are past their decision date.
    pub async fn overdue_case_count(&self, actor: &Actor) -> Result<usize, Error> {
        self.authorize(actor, Line::Assistance, Action::Read)?;
        let root = match (&actor.jurisdiction, actor.is_system()) {
            (Some(root), _) => Some(root),
            (None, true) => None,
            (None, false) => return Ok(0),
        };
        let settings = self.settings().await?;
        let calendar = self.working_calendar().await?;
        let Some(cutoff) = overdue_cutoff(self.today(), &settings.workflow, &calendar) else {
            return Ok(0);
        };
        let days = self.store().pending_cases_by_applied_day(root).await?;
        Ok(days
            .into_iter()
            .filter(|(d, _)| *d <= cutoff)
            .map(|(_, n)| usize::try_from(n).unwrap_or(0))
            .sum())
    }

    /// The data of the printable public notice of a case whose notice is posted: names
    /// masked, the number of persons, the income and the proposed monthly amount. Audited
    /// (`assistance.notice`).
    pub async fn notice(&self, actor: &Actor, case_id: i64) -> Result<NoticeSheet, Error> {
        self.authorize(actor, Line::Assistance, Action::Read)?;
        let file = self.case_in_scope(actor, case_id).await?;
        let settings = self.settings().await?;
        let log = log_of(&file.actions)?;
        let policy = policy_for(&log, &settings.workflow);
        let Some(notice_from) = log.iter().rev().find_map(|a| match a.step {
            Step::PostNotice { from } => Some(from),
            _ => None,
        }) else {
            return Err(Error::Conflict {
                code: "assistance.notice_not_posted",
                detail: case_id.to_string(),
            });
        };
        let notice_until = notice_from + Duration::days(i64::from(policy.notice_days.max(1)) - 1);
        let program = program_of(&file.case.program)?;
        let month = match file.case.benefit_start {
            Some(start) => Some(Month::of(start)),
            None => Month::of(notice_until + Duration::days(1)).next(),
        };
        let tables = self.tables().await?;
        let benefit = month.and_then(|m| {
            monthly_benefit(
                &self.facts(&file, program),
                m,
                &tables.standards,
                &tables.policies,
                &tables.care,
            )
            .ok()
        });
        let current: Vec<&store::MemberRecord> = file
            .members
            .iter()
            .filter(|m| m.left_on.is_none())
            .collect();
        let members = current
            .iter()
            .map(|m| {
                Ok(NoticeMember {
                    name: domain::mask::person_name(&m.name),
                    relation: Relation::parse(&m.relation)
                        .ok_or_else(|| corrupt(format!("relation {:?}", m.relation)))?,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let head = current
            .iter()
            .find(|m| m.relation == "head")
            .map(|m| domain::mask::person_name(&m.name))
            .unwrap_or_default();
        let audit = self.audit(
            actor,
            "assistance.notice",
            format!("case:{case_id}"),
            "",
            "",
        );
        self.store().record_audit(&audit).await?;
        Ok(NoticeSheet {
            case_id,
            program,
            division: file.case.division_code,
            division_name: file.case.division_name,
            head,
            persons: members.len(),
            members,
            income_per_capita: file.case.income_per_capita_fen.map(Fen::from_fen),
            standard: benefit.as_ref().map(|b| b.standard),
            amount: benefit.map(|b| b.total),
            month,
            notice_from,
            notice_until,
        })
    }

    /// Every dated standard (Read).
    pub async fn standards(&self, actor: &Actor) -> Result<Vec<Standard>, Error> {
        self.authorize(actor, Line::Assistance, Action::Read)?;
        Ok(self.tables().await?.standards.rows().to_vec())
    }

    /// Every classified-assistance policy, oldest first (Read).
    pub async fn policies(&self, actor: &Actor) -> Result<Vec<ClassifiedPolicy>, Error> {
        self.authorize(actor, Line::Assistance, Action::Read)?;
        self.store()
            .policies()
            .await?
            .into_iter()
            .map(policy_of)
            .collect()
    }

    /// Every care standard (Read).
    pub async fn care_standards(&self, actor: &Actor) -> Result<Vec<CareStandard>, Error> {
        self.authorize(actor, Line::Assistance, Action::Read)?;
        Ok(self.tables().await?.care)
    }

    fn check_standard(&self, input: &StandardInput) -> Result<StandardRow, Error> {
        let mut errors = Vec::new();
        let program = input
            .program
            .parse::<Program>()
            .map_err(|e| errors.push(field("program", e.code(), input.program.clone())))
            .ok();
        let area = Area::parse(input.area.trim())
            .map_err(|e| errors.push(field("area", e.code(), input.area.clone())))
            .ok();
        if input.amount.is_negative() {
            errors.push(field(
                "amount",
                "assistance.negative_amount",
                input.amount.yuan(),
            ));
        }
        let citation = check_citation(&input.citation, &mut errors);
        match (program, area, errors.is_empty()) {
            (Some(program), Some(area), true) => Ok(StandardRow {
                program: program.as_str().to_owned(),
                area: area.as_str().to_owned(),
                effective_from: input.effective_from,
                amount_fen: input.amount.as_fen(),
                citation,
            }),
            _ => Err(Error::Invalid(errors)),
        }
    }

    /// What saving `input` would change for approved, paying households in the first month
    /// it applies to (the first month starting on or after its date): how many households'
    /// amounts change, their members, and the change in fen per month.
    pub async fn standard_impact(
        &self,
        actor: &Actor,
        input: &StandardInput,
    ) -> Result<Impact, Error> {
        self.authorize(actor, Line::Assistance, Action::Read)?;
        let row = self.check_standard(input)?;
        let month = {
            let m = Month::of(row.effective_from);
            if m.first_day() == row.effective_from {
                Some(m)
            } else {
                m.next()
            }
        }
        .ok_or_else(|| {
            Error::invalid(field(
                "effective_from",
                "assistance.future_date",
                row.effective_from.to_string(),
            ))
        })?;
        let old = self.tables().await?;
        let mut rows: Vec<Standard> = old
            .standards
            .rows()
            .iter()
            .filter(|s| {
                !(s.program.as_str() == row.program
                    && s.area.as_str() == row.area
                    && s.effective_from == row.effective_from)
            })
            .cloned()
            .collect();
        rows.push(standard_of(row.clone())?);
        let new = StandardTable::new(rows).map_err(|e| table_error(&e))?;
        let facts = self
            .store()
            .benefit_facts(Some(&row.program), Some(&row.area))
            .await?;
        let mut impact = Impact {
            month,
            households: 0,
            persons: 0,
            monthly_change_fen: 0,
        };
        let program = program_of(&row.program)?;
        let area = area_of(&row.area)?;
        for f in facts {
            let period = BenefitPeriod {
                start: f.benefit_start,
                end: f.benefit_end,
            };
            if !period.covers(month) {
                continue;
            }
            let household = HouseholdFacts {
                program,
                area,
                income_per_capita: Fen::from_fen(f.income_per_capita_fen.unwrap_or(0)),
                members: f
                    .members
                    .iter()
                    .map(|(b, g, s, c)| member_facts(*b, *g, *s, c.as_deref()))
                    .collect(),
            };
            let total = |t: &StandardTable| {
                monthly_benefit(&household, month, t, &old.policies, &old.care)
                    .map_or(0, |b| b.total.as_fen())
            };
            let change = total(&new) - total(&old.standards);
            if change != 0 {
                impact.households += 1;
                impact.persons += household.members.len();
                impact.monthly_change_fen += change;
            }
        }
        Ok(impact)
    }

    /// Adds a dated standard, or corrects the one of the same programme, area and date.
    /// District level, `Write`; audited with the previous amount.
    pub async fn set_standard(&self, actor: &Actor, input: &StandardInput) -> Result<(), Error> {
        self.authorize(actor, Line::Assistance, Action::Write)?;
        self.district_only(actor)?;
        let row = self.check_standard(input)?;
        let previous = self
            .store()
            .standards()
            .await?
            .into_iter()
            .find(|s| {
                s.program == row.program
                    && s.area == row.area
                    && s.effective_from == row.effective_from
            })
            .map_or_else(|| "none".to_owned(), |s| Fen::from_fen(s.amount_fen).yuan());
        let audit = self.audit(
            actor,
            "assistance.standard",
            format!(
                "standard:{}:{}:{}",
                row.program, row.area, row.effective_from
            ),
            "",
            format!(
                "amount={} previous={previous} citation={}",
                Fen::from_fen(row.amount_fen).yuan(),
                row.citation
            ),
        );
        self.store().upsert_standard(&row, &audit).await?;
        Ok(())
    }

    /// What saving `policy` would change for approved, paying households in the first month
    /// it applies to (the first month starting on or after its date), like
    /// [`Service::standard_impact`]: households whose amount changes, their members, and the
    /// change in fen per month. Validates the policy as [`Service::set_policy`] does.
    pub async fn policy_impact(
        &self,
        actor: &Actor,
        policy: &ClassifiedPolicy,
    ) -> Result<Impact, Error> {
        self.authorize(actor, Line::Assistance, Action::Read)?;
        let row = check_policy(policy)?;
        let month = {
            let m = Month::of(row.effective_from);
            if m.first_day() == row.effective_from {
                Some(m)
            } else {
                m.next()
            }
        }
        .ok_or_else(|| {
            Error::invalid(field(
                "effective_from",
                "assistance.future_date",
                row.effective_from.to_string(),
            ))
        })?;
        let old = self.tables().await?;
        let mut policies: Vec<ClassifiedPolicy> = self
            .store()
            .policies()
            .await?
            .into_iter()
            .map(policy_of)
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .filter(|p| p.effective_from != row.effective_from)
            .collect();
        policies.push(policy_of(row)?);
        let new = PolicyTable::new(policies).map_err(|e| table_error(&e))?;
        let facts = self.store().benefit_facts(None, None).await?;
        let mut impact = Impact {
            month,
            households: 0,
            persons: 0,
            monthly_change_fen: 0,
        };
        for f in facts {
            let period = BenefitPeriod {
                start: f.benefit_start,
                end: f.benefit_end,
            };
            if !period.covers(month) {
                continue;
            }
            let household = HouseholdFacts {
                program: program_of(&f.program)?,
                area: area_of(&f.area)?,
                income_per_capita: Fen::from_fen(f.income_per_capita_fen.unwrap_or(0)),
                members: f
                    .members
                    .iter()
                    .map(|(b, g, s, c)| member_facts(*b, *g, *s, c.as_deref()))
                    .collect(),
            };
            let total = |p: &PolicyTable| {
                monthly_benefit(&household, month, &old.standards, p, &old.care)
                    .map_or(0, |b| b.total.as_fen())
            };
            let change = total(&new) - total(&old.policies);
            if change != 0 {
                impact.households += 1;
                impact.persons += household.members.len();
                impact.monthly_change_fen += change;
            }
        }
        Ok(impact)
    }

    /// Adds a classified-assistance policy, or replaces the one from the same date.
    /// Percentages 0–100, disability grades within 1–4, ages 1–120. District level, `Write`.
    pub async fn set_policy(&self, actor: &Actor, policy: &ClassifiedPolicy) -> Result<(), Error> {
        self.authorize(actor, Line::Assistance, Action::Write)?;
        self.district_only(actor)?;
        let PolicyRow {
            citation, rules, ..
        } = check_policy(policy)?;
        let described: Vec<String> = rules
            .iter()
            .map(|r| format!("{}:{:?}-{:?}={}%", r.kind, r.min_value, r.max_value, r.pct))
            .collect();
        let audit = self.audit(
            actor,
            "assistance.policy",
            format!("policy:{}", policy.effective_from),
            "",
            format!("rules={} citation={citation}", described.join(",")),
        );
        let row = PolicyRow {
            effective_from: policy.effective_from,
            citation,
            rules,
        };
        self.store().replace_policy(&row, &audit).await?;
        Ok(())
    }

    /// Adds a care standard, or corrects the one of the same area, level and date. District
    /// level, `Write`.
    pub async fn set_care_standard(
        &self,
        actor: &Actor,
        input: &CareStandardInput,
    ) -> Result<(), Error> {
        self.authorize(actor, Line::Assistance, Action::Write)?;
        self.district_only(actor)?;
        let mut errors = Vec::new();
        let area = Area::parse(input.area.trim())
            .map_err(|e| errors.push(field("area", e.code(), input.area.clone())))
            .ok();
        let level = parse_self_care(&input.level);
        if level.is_none() {
            errors.push(field(
                "level",
                "assistance.self_care_unknown",
                input.level.clone(),
            ));
        }
        if input.amount.is_negative() {
            errors.push(field(
                "amount",
                "assistance.negative_amount",
                input.amount.yuan(),
            ));
        }
        let citation = check_citation(&input.citation, &mut errors);
        let (Some(area), Some(level), true) = (area, level, errors.is_empty()) else {
            return Err(Error::Invalid(errors));
        };
        let row = CareStandardRow {
            area: area.as_str().to_owned(),
            level: level.as_str().to_owned(),
            effective_from: input.effective_from,
            amount_fen: input.amount.as_fen(),
            citation,
        };
        let audit = self.audit(
            actor,
            "assistance.care_standard",
            format!(
                "care_standard:{}:{}:{}",
                row.area, row.level, row.effective_from
            ),
            "",
            format!("amount={}", input.amount.yuan()),
        );
        self.store().upsert_care_standard(&row, &audit).await?;
        Ok(())
    }
}

/// The policy as stored, or every field that is wrong (rules by row).
fn check_policy(policy: &ClassifiedPolicy) -> Result<PolicyRow, Error> {
    let mut errors = Vec::new();
    let citation = check_citation(&policy.citation, &mut errors);
    let mut rules = Vec::new();
    for (i, rule) in policy.rules.iter().enumerate() {
        let row = i + 1;
        if rule.pct > 100 {
            errors.push(
                field("pct", "assistance.percent_too_large", rule.pct.to_string()).at_row(row),
            );
        }
        let (kind, min_value, max_value) = match rule.condition {
            Condition::DisabilityGrade { min, max } => {
                if !(1..=4).contains(&min) || !(min..=4).contains(&max) {
                    errors.push(
                        field(
                            "condition",
                            "assistance.disability_grade",
                            format!("{min}-{max}"),
                        )
                        .at_row(row),
                    );
                }
                (
                    "disability_grade",
                    Some(i64::from(min)),
                    Some(i64::from(max)),
                )
            }
            Condition::SevereIllness => ("severe_illness", None, None),
            Condition::AgeAtLeast { years } => {
                if !(1..=120).contains(&years) {
                    errors
                        .push(field("condition", "assistance.age", years.to_string()).at_row(row));
                }
                ("age_at_least", Some(i64::from(years)), None)
            }
        };
        rules.push(PolicyRuleRow {
            kind: kind.to_owned(),
            min_value,
            max_value,
            pct: i64::from(rule.pct),
        });
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    Ok(PolicyRow {
        effective_from: policy.effective_from,
        citation,
        rules,
    })
}
