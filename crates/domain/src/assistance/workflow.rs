//! The application workflow of a 低保 or 特困 case as an append-only action log whose status
//! is derived, never stored (rules.md §1.5, §2.2).
//!
//! application taken → economic-status check → home visit → community review → public
//! notice → decision (approval or refusal). A withdrawal or a refusal may end the case at any
//! step before the decision. The notice length, the approving level and the time limits are
//! local and configurable ([`WorkflowPolicy`]); deadlines are counted in working days on the
//! [`WorkingCalendar`], notice periods in calendar days.

use chrono::{Duration, NaiveDate};

use crate::Fen;
use crate::calendar::{CalendarError, WorkingCalendar};

/// What one recorded step did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// 受理: the street/town took the application (or the community, on the applicant's
    /// behalf).
    Apply { on_behalf: bool },
    /// 家庭经济状况核对: the assessed monthly per-capita income, exempt items excluded.
    CheckMeans { income_per_capita: Fen },
    /// 入户调查.
    VisitHome,
    /// 民主评议 / 社区评议.
    ReviewInCommunity,
    /// 公示: posted from `from` for the policy's number of days.
    PostNotice { from: NaiveDate },
    /// 审核确认: approved by the district or a delegated street/town.
    Approve,
    /// 不予确认, with the reason.
    Refuse { reason: String },
    /// 申请人撤回, with the reason.
    Withdraw { reason: String },
    /// 存量导入: the case came over from the previous system already approved (the legacy
    /// roster import). Only ever the first step; it leads straight to `Approved` on the
    /// enrolment date, so nothing can be recorded after it that an approval would not allow.
    Import,
}

impl Step {
    pub fn kind(&self) -> StepKind {
        match self {
            Step::Apply { .. } => StepKind::Apply,
            Step::CheckMeans { .. } => StepKind::CheckMeans,
            Step::VisitHome => StepKind::VisitHome,
            Step::ReviewInCommunity => StepKind::ReviewInCommunity,
            Step::PostNotice { .. } => StepKind::PostNotice,
            Step::Approve => StepKind::Approve,
            Step::Refuse { .. } => StepKind::Refuse,
            Step::Withdraw { .. } => StepKind::Withdraw,
            Step::Import => StepKind::Import,
        }
    }
}

/// The kind of a step, for permission checks and for offering the next buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StepKind {
    Apply,
    CheckMeans,
    VisitHome,
    ReviewInCommunity,
    PostNotice,
    Approve,
    Refuse,
    Withdraw,
    Import,
}

impl StepKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Apply => "apply",
            StepKind::CheckMeans => "check_means",
            StepKind::VisitHome => "visit_home",
            StepKind::ReviewInCommunity => "review_in_community",
            StepKind::PostNotice => "post_notice",
            StepKind::Approve => "approve",
            StepKind::Refuse => "refuse",
            StepKind::Withdraw => "withdraw",
            StepKind::Import => "import",
        }
    }
}

/// One entry of a case's log: what, on which day, by whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub step: Step,
    pub on: NaiveDate,
    pub by: String,
}

/// Where a case stands, derived from its log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Applied {
        on: NaiveDate,
    },
    MeansChecked,
    Visited,
    Reviewed,
    /// On notice until `until` (inclusive).
    OnNotice {
        until: NaiveDate,
    },
    Approved {
        on: NaiveDate,
    },
    Refused {
        reason: String,
    },
    Withdrawn {
        reason: String,
    },
}

impl Status {
    pub fn code(&self) -> &'static str {
        match self {
            Status::Applied { .. } => "applied",
            Status::MeansChecked => "means_checked",
            Status::Visited => "visited",
            Status::Reviewed => "reviewed",
            Status::OnNotice { .. } => "on_notice",
            Status::Approved { .. } => "approved",
            Status::Refused { .. } => "refused",
            Status::Withdrawn { .. } => "withdrawn",
        }
    }

    pub fn is_closed(&self) -> bool {
        matches!(
            self,
            Status::Approved { .. } | Status::Refused { .. } | Status::Withdrawn { .. }
        )
    }
}

/// The local rules of the procedure (every value is configurable data; see rules.md §1.5 for
/// the conflicting sources).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowPolicy {
    /// Calendar days a notice stays posted (7 in most sources).
    pub notice_days: u32,
    /// Working days from acceptance to decision (national text UNCONFIRMED at 30; Zhengzhou
    /// 25; Qingdao 20).
    pub decision_working_days: u32,
    /// Whether the community review is required before the notice (no longer mandatory
    /// nationally since 2021; some places still hold it).
    pub community_review_required: bool,
}

impl Default for WorkflowPolicy {
    fn default() -> Self {
        Self {
            notice_days: 7,
            decision_working_days: 30,
            community_review_required: false,
        }
    }
}

/// Why a step cannot be recorded now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("a case starts with its application")]
    NotStarted,
    #[error("{step} cannot follow status {status}")]
    OutOfOrder {
        step: &'static str,
        status: &'static str,
    },
    #[error("the case is closed ({status})")]
    Closed { status: &'static str },
    #[error("the notice runs until {until}; a decision can be recorded from the next day")]
    NoticeRunning { until: NaiveDate },
    #[error("a step is dated {on}, before the previous one ({previous})")]
    BackDated { on: NaiveDate, previous: NaiveDate },
    #[error("a reason is required")]
    ReasonRequired,
    #[error("the notice cannot start before {earliest}")]
    NoticeBeforeStep { earliest: NaiveDate },
}

impl WorkflowError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotStarted => "workflow.not_started",
            Self::OutOfOrder { .. } => "workflow.out_of_order",
            Self::Closed { .. } => "workflow.closed",
            Self::NoticeRunning { .. } => "workflow.notice_running",
            Self::BackDated { .. } => "workflow.back_dated",
            Self::ReasonRequired => "workflow.reason_required",
            Self::NoticeBeforeStep { .. } => "workflow.notice_before_step",
        }
    }
}

/// The status after `action`, if the step may follow `status` under `policy`.
fn next(
    status: Option<&Status>,
    action: &Action,
    policy: &WorkflowPolicy,
) -> Result<Status, WorkflowError> {
    use Status::*;
    let step = &action.step;
    let Some(status) = status else {
        return match step {
            Step::Apply { .. } => Ok(Applied { on: action.on }),
            Step::Import => Ok(Approved { on: action.on }),
            _ => Err(WorkflowError::NotStarted),
        };
    };
    if status.is_closed() {
        return Err(WorkflowError::Closed {
            status: status.code(),
        });
    }
    let out_of_order = || WorkflowError::OutOfOrder {
        step: step.kind().as_str(),
        status: status.code(),
    };
    match step {
        Step::Refuse { reason } | Step::Withdraw { reason } if reason.trim().is_empty() => {
            Err(WorkflowError::ReasonRequired)
        }
        Step::Withdraw { reason } => Ok(Withdrawn {
            reason: reason.clone(),
        }),
        // A refusal may come at any step: an applicant who plainly does not qualify is told
        // so at once, with reasons (rules.md §1.5).
        Step::Refuse { reason } => Ok(Refused {
            reason: reason.clone(),
        }),
        Step::Apply { .. } | Step::Import => Err(out_of_order()),
        Step::CheckMeans { .. } => match status {
            Applied { .. } | MeansChecked => Ok(MeansChecked),
            _ => Err(out_of_order()),
        },
        Step::VisitHome => match status {
            MeansChecked | Visited => Ok(Visited),
            _ => Err(out_of_order()),
        },
        Step::ReviewInCommunity => match status {
            Visited | Reviewed => Ok(Reviewed),
            _ => Err(out_of_order()),
        },
        Step::PostNotice { from } => {
            let ready = match status {
                Reviewed => true,
                Visited => !policy.community_review_required,
                _ => false,
            };
            if !ready {
                return Err(out_of_order());
            }
            if *from < action.on {
                return Err(WorkflowError::NoticeBeforeStep {
                    earliest: action.on,
                });
            }
            let days = i64::from(policy.notice_days.max(1)) - 1;
            Ok(OnNotice {
                until: *from + Duration::days(days),
            })
        }
        Step::Approve => match status {
            OnNotice { until } if action.on > *until => Ok(Approved { on: action.on }),
            OnNotice { until } => Err(WorkflowError::NoticeRunning { until: *until }),
            _ => Err(out_of_order()),
        },
    }
}

/// The status a log leads to, checking every step against the one before.
pub fn status(log: &[Action], policy: &WorkflowPolicy) -> Result<Status, WorkflowError> {
    let mut current: Option<Status> = None;
    let mut previous: Option<NaiveDate> = None;
    for action in log {
        if let Some(p) = previous
            && action.on < p
        {
            return Err(WorkflowError::BackDated {
                on: action.on,
                previous: p,
            });
        }
        current = Some(next(current.as_ref(), action, policy)?);
        previous = Some(action.on);
    }
    current.ok_or(WorkflowError::NotStarted)
}

/// Checks that `action` may be appended to `log`; returns the status it leads to.
pub fn append(
    log: &[Action],
    action: &Action,
    policy: &WorkflowPolicy,
) -> Result<Status, WorkflowError> {
    let current = if log.is_empty() {
        None
    } else {
        Some(status(log, policy)?)
    };
    if let Some(last) = log.last()
        && action.on < last.on
    {
        return Err(WorkflowError::BackDated {
            on: action.on,
            previous: last.on,
        });
    }
    next(current.as_ref(), action, policy)
}

/// The steps that may be recorded next, for offering buttons.
pub fn allowed_next(log: &[Action], policy: &WorkflowPolicy) -> Vec<StepKind> {
    use StepKind::*;
    let Ok(current) = status(log, policy) else {
        return if log.is_empty() {
            vec![Apply]
        } else {
            Vec::new()
        };
    };
    let mut kinds = match current {
        Status::Applied { .. } => vec![CheckMeans],
        Status::MeansChecked => vec![CheckMeans, VisitHome],
        Status::Visited if policy.community_review_required => vec![ReviewInCommunity],
        Status::Visited => vec![ReviewInCommunity, PostNotice],
        Status::Reviewed => vec![PostNotice],
        Status::OnNotice { .. } => vec![Approve],
        _ => return Vec::new(),
    };
    kinds.extend([Refuse, Withdraw]);
    kinds
}

/// The day by which a decision is due: `decision_working_days` working days after the
/// application was taken.
pub fn decision_due(
    applied_on: NaiveDate,
    policy: &WorkflowPolicy,
    calendar: &WorkingCalendar,
) -> Result<NaiveDate, CalendarError> {
    calendar.add_working_days(applied_on, policy.decision_working_days)
}

/// Whether an open case is past its decision date on `today`.
pub fn is_overdue(
    log: &[Action],
    today: NaiveDate,
    policy: &WorkflowPolicy,
    calendar: &WorkingCalendar,
) -> Result<bool, CalendarError> {
    match status(log, policy) {
        Ok(s) if s.is_closed() => Ok(false),
        Ok(_) => {
            let applied = log.first().map_or(today, |a| a.on);
            Ok(today > decision_due(applied, policy, calendar)?)
        }
        Err(_) => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn act(step: Step, on: &str) -> Action {
        Action {
            step,
            on: d(on),
            by: "zhang".into(),
        }
    }

    fn through_visit() -> Vec<Action> {
        vec![
            act(Step::Apply { on_behalf: false }, "2013-03-01"),
            act(
                Step::CheckMeans {
                    income_per_capita: Fen::from_fen(20_000),
                },
                "2013-03-05",
            ),
            act(Step::VisitHome, "2013-03-07"),
        ]
    }

    #[test]
    fn a_case_runs_from_application_to_approval() {
        let policy = WorkflowPolicy::default();
        let mut log = through_visit();
        log.push(act(
            Step::PostNotice {
                from: d("2013-03-08"),
            },
            "2013-03-08",
        ));
        assert_eq!(
            status(&log, &policy),
            Ok(Status::OnNotice {
                until: d("2013-03-14")
            })
        );
        // Not while the notice runs; from the day after it ends.
        let early = act(Step::Approve, "2013-03-14");
        assert_eq!(
            append(&log, &early, &policy),
            Err(WorkflowError::NoticeRunning {
                until: d("2013-03-14")
            })
        );
        let approve = act(Step::Approve, "2013-03-15");
        assert_eq!(
            append(&log, &approve, &policy),
            Ok(Status::Approved {
                on: d("2013-03-15")
            })
        );
        log.push(approve);
        assert_eq!(allowed_next(&log, &policy), []);
        let again = act(Step::Withdraw { reason: "x".into() }, "2013-03-16");
        assert_eq!(
            append(&log, &again, &policy).unwrap_err().code(),
            "workflow.closed"
        );
    }

    #[test]
    fn steps_cannot_be_skipped_or_back_dated() {
        let policy = WorkflowPolicy {
            community_review_required: true,
            ..WorkflowPolicy::default()
        };
        let log = through_visit();
        let notice = act(
            Step::PostNotice {
                from: d("2013-03-08"),
            },
            "2013-03-08",
        );
        assert_eq!(
            append(&log, &notice, &policy).unwrap_err().code(),
            "workflow.out_of_order"
        );
        let back = act(Step::ReviewInCommunity, "2013-03-06");
        assert_eq!(
            append(&log, &back, &policy).unwrap_err().code(),
            "workflow.back_dated"
        );
        assert_eq!(
            allowed_next(&log, &policy),
            [
                StepKind::ReviewInCommunity,
                StepKind::Refuse,
                StepKind::Withdraw
            ]
        );
        assert_eq!(
            status(&[act(Step::VisitHome, "2013-03-01")], &policy),
            Err(WorkflowError::NotStarted)
        );
    }

    #[test]
    fn refusals_and_withdrawals_need_reasons_and_end_the_case() {
        let policy = WorkflowPolicy::default();
        let log = through_visit();
        let blank = act(
            Step::Refuse {
                reason: "  ".into(),
            },
            "2013-03-08",
        );
        assert_eq!(
            append(&log, &blank, &policy),
            Err(WorkflowError::ReasonRequired)
        );
        let refuse = act(
            Step::Refuse {
                reason: "家庭人均收入高于标准".into(),
            },
            "2013-03-08",
        );
        assert_eq!(append(&log, &refuse, &policy).unwrap().code(), "refused");
    }

    #[test]
    fn the_decision_is_due_in_working_days() {
        let calendar = WorkingCalendar::seeded();
        let policy = WorkflowPolicy {
            decision_working_days: 5,
            ..WorkflowPolicy::default()
        };
        // Applied on the Friday before the 2013 Spring Festival week: the holiday week does
        // not count, the make-up Saturday and Sunday do.
        let due = decision_due(d("2013-02-08"), &policy, &calendar).unwrap();
        assert_eq!(due, d("2013-02-20"));
        let log = vec![act(Step::Apply { on_behalf: true }, "2013-02-08")];
        assert!(!is_overdue(&log, d("2013-02-20"), &policy, &calendar).unwrap());
        assert!(is_overdue(&log, d("2013-02-21"), &policy, &calendar).unwrap());
    }

    #[test]
    fn an_imported_case_is_approved_and_closed_to_further_steps() {
        let import = act(Step::Import, "2013-01-01");
        assert_eq!(
            status(std::slice::from_ref(&import), &WorkflowPolicy::default()),
            Ok(Status::Approved {
                on: "2013-01-01".parse().unwrap()
            })
        );
        let apply = act(Step::Apply { on_behalf: false }, "2013-01-01");
        assert!(status(&[apply, import.clone()], &WorkflowPolicy::default()).is_err());
        assert!(
            status(
                &[import, act(Step::VisitHome, "2013-02-01")],
                &WorkflowPolicy::default()
            )
            .is_err()
        );
    }
}
