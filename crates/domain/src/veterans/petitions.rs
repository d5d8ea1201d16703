//! Petition cases (信访, issue 7 item 8): what a follow-up is, and when a case's next visit
//! is due. A case is opened by a screening that sets its risk level (排查); contacts and home
//! visits follow (联系, 家访), further screenings may change the risk, and a close ends it
//! with the outcome. Every follow-up but the close sets the next visit: the date given, or
//! the risk level's interval after the follow-up (levels are data, each with its interval).
//!
//! The due list: a next visit before today is overdue; one from today to the Sunday of
//! this week is due this week (the bureau's working week, Monday to Sunday).

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Days, NaiveDate};

use super::VeteransError;

/// What a follow-up records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FollowupKind {
    /// A risk screening (排查): sets the risk level; the first one opens the case.
    Screening,
    /// A contact by phone or at the office (联系).
    Contact,
    /// A home visit (家访).
    HomeVisit,
    /// The close, with the outcome.
    Close,
}

impl FollowupKind {
    pub const ALL: [FollowupKind; 4] = [
        FollowupKind::Screening,
        FollowupKind::Contact,
        FollowupKind::HomeVisit,
        FollowupKind::Close,
    ];
    /// What may be recorded on an open case besides closing it.
    pub const RECORDED: [FollowupKind; 3] = [
        FollowupKind::Screening,
        FollowupKind::Contact,
        FollowupKind::HomeVisit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FollowupKind::Screening => "screening",
            FollowupKind::Contact => "contact",
            FollowupKind::HomeVisit => "home_visit",
            FollowupKind::Close => "close",
        }
    }
}
code_enum!(FollowupKind, "follow-up kind", "veterans.followup_kind");

/// Where a next visit stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VisitDue {
    /// Before today.
    Overdue,
    /// Today up to this week's Sunday.
    ThisWeek,
}

impl VisitDue {
    pub const ALL: [VisitDue; 2] = [VisitDue::Overdue, VisitDue::ThisWeek];

    pub fn as_str(self) -> &'static str {
        match self {
            VisitDue::Overdue => "overdue",
            VisitDue::ThisWeek => "week",
        }
    }
}
code_enum!(VisitDue, "visit due", "veterans.visit_due");

/// The Sunday of `today`'s week (Monday to Sunday).
pub fn week_end(today: NaiveDate) -> NaiveDate {
    let left = 6 - u64::from(today.weekday().num_days_from_monday());
    today.checked_add_days(Days::new(left)).unwrap_or(today)
}

/// Where a next visit on `next` stands on `today`; `None` when it is later than this week.
pub fn visit_due(next: NaiveDate, today: NaiveDate) -> Option<VisitDue> {
    if next < today {
        Some(VisitDue::Overdue)
    } else if next <= week_end(today) {
        Some(VisitDue::ThisWeek)
    } else {
        None
    }
}

/// The next visit after a follow-up on `on` at a level visited every `visit_days` days.
pub fn next_visit(on: NaiveDate, visit_days: u32) -> NaiveDate {
    on.checked_add_days(Days::new(u64::from(visit_days)))
        .unwrap_or(on)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_week_runs_monday_to_sunday() {
        // 2013-07-01 is a Monday.
        assert_eq!(week_end(d("2013-07-01")), d("2013-07-07"));
        assert_eq!(week_end(d("2013-07-07")), d("2013-07-07"));
        assert_eq!(week_end(d("2013-07-04")), d("2013-07-07"));
    }

    #[test]
    fn a_visit_is_overdue_due_this_week_or_later() {
        let today = d("2013-07-03");
        assert_eq!(visit_due(d("2013-07-02"), today), Some(VisitDue::Overdue));
        assert_eq!(visit_due(d("2013-07-03"), today), Some(VisitDue::ThisWeek));
        assert_eq!(visit_due(d("2013-07-07"), today), Some(VisitDue::ThisWeek));
        assert_eq!(visit_due(d("2013-07-08"), today), None);
        assert_eq!(next_visit(d("2013-06-28"), 7), d("2013-07-05"));
    }

    #[test]
    fn codes_round_trip_and_unknown_ones_are_refused() {
        for k in FollowupKind::ALL {
            assert_eq!(k.as_str().parse::<FollowupKind>(), Ok(k));
        }
        assert_eq!(
            "visit".parse::<FollowupKind>().map_err(|e| e.code()),
            Err("veterans.followup_kind")
        );
    }
}
