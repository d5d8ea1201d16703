//! What needs the signed-in user's attention, for the home page. Each business line adds the
//! items of its own (cases due, approvals waiting); the shell's are the system's own.

use chrono::{Datelike, Duration};
use domain::{Action, Line};
use store::AuditFilter;

use crate::{Actor, Error, Service};

/// One thing to look at, with how many and where to go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attention {
    /// Accounts locked after repeated wrong passwords, now.
    LockedAccounts { count: usize },
    /// Accounts created or reset whose owner has not chosen a password yet.
    FirstPasswordPending { count: usize },
    /// The working calendar has no holidays for a year that starts within 60 days (or has
    /// started): deadlines in it cannot be counted.
    CalendarYearMissing { year: i32 },
    /// Failed sign-ins in the last 24 hours.
    FailedSignIns { count: i64 },
    /// Pending assistance cases in the jurisdiction past their decision date (the case
    /// list's `overdue` status filter lists them).
    CasesOverdue { count: usize },
    /// Approved assistance cases in the jurisdiction whose periodic review is due today or
    /// earlier (the review list `/assistance/reviews` lists them), for those who record them.
    ReviewsDue { count: usize },
    /// Open cross-check tasks (数据比对待办) for households in the jurisdiction (the task
    /// list `/assistance/checks` lists them), for those who close them.
    CheckTasksOpen { count: usize },
}

impl Service {
    /// How many divisions the actor's jurisdiction holds (the whole tree for the console).
    pub async fn division_count(&self, actor: &Actor) -> Result<usize, Error> {
        self.authorize(actor, Line::Places, Action::Read)?;
        Ok(match &actor.jurisdiction {
            Some(root) => self.store().divisions_within(root).await?.len(),
            None => usize::try_from(self.store().division_total().await?).unwrap_or(0),
        })
    }

    pub async fn attention(&self, actor: &Actor) -> Result<Vec<Attention>, Error> {
        let now = self.now();
        let mut items = Vec::new();
        if actor.may(Line::Accounts, Action::Write) {
            let users: Vec<_> = self
                .store()
                .users()
                .await?
                .into_iter()
                .filter(|u| actor.sees(&u.jurisdiction))
                .collect();
            let locked = users
                .iter()
                .filter(|u| u.locked_until.is_some_and(|t| t > now))
                .count();
            if locked > 0 {
                items.push(Attention::LockedAccounts { count: locked });
            }
            // Counted as the accounts list assigns statuses (disabled, then locked, then this),
            // so the number matches the list its link opens.
            let pending = users
                .iter()
                .filter(|u| u.must_change_password && !u.disabled)
                .filter(|u| u.locked_until.is_none_or(|t| t <= now))
                .count();
            if pending > 0 {
                items.push(Attention::FirstPasswordPending { count: pending });
            }
        }
        if actor.may(Line::System, Action::Write) {
            let years = self.store().calendar_years().await?;
            let soon = (now + Duration::days(60)).year();
            if let Some(year) = (now.year()..=soon).find(|y| !years.contains(y)) {
                items.push(Attention::CalendarYearMissing { year });
            }
        }
        if actor.may(Line::Assistance, Action::Read) {
            let count = self.overdue_case_count(actor).await?;
            if count > 0 {
                items.push(Attention::CasesOverdue { count });
            }
        }
        if actor.may(Line::Assistance, Action::Write) {
            let count = self.reviews_due(actor, self.today(), None).await?.len();
            if count > 0 {
                items.push(Attention::ReviewsDue { count });
            }
        }
        if actor.may(Line::Assistance, Action::Write) {
            let count = self.open_check_task_count(actor).await?;
            if count > 0 {
                items.push(Attention::CheckTasksOpen { count });
            }
        }
        if actor.may(Line::Audit, Action::Read) {
            let filter = AuditFilter {
                action_prefix: Some("session.sign_in_failed".into()),
                from: Some(now - Duration::hours(24)),
                ..AuditFilter::default()
            };
            let (_, count) = self.store().audit_entries(&filter, 0, 1).await?;
            if count > 0 {
                items.push(Attention::FailedSignIns { count });
            }
        }
        Ok(items)
    }
}
