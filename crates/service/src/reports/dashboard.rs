//! Dashboards (数据看板, issue 6 item 5): per business line, its caseload now, the year's
//! payments by month and by street, and what is due or overdue.
//!
//! A dashboard is a report that is not stored: the line's indicators (`Indicator::line`)
//! over a calendar year up to today, computed by the same store queries as the half-year
//! report, so a report generated for the same period and division shows the same figures.
//! Stocks are counted on the period's last day (today in the current year: "now");
//! flows are summed by payment month. The due items are the counts the line's own lists
//! show (the case list's overdue filter, the review list, the task list, the run list, the
//! petition cases' due list of visits),
//! over the actor's jurisdiction, each only for those who act on it.

use chrono::{Datelike, NaiveDate};
use domain::reports::{INDICATORS, Indicator, Kind, Period, dashboard_lines};
use domain::veterans::petitions::VisitDue;
use domain::{Action, DivisionCode, Line, Month};
use store::Breakdown;

use super::{Figure, Part, value_of};
use crate::assistance::field;
use crate::{Actor, Error, Service};

/// An indicator's value at each month's end (stocks) or paid in each month (flows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    pub indicator: &'static Indicator,
    pub points: Vec<(Month, i64)>,
}

/// Something due or overdue: a catalogue key (`dash-due-{key}`), how many, and the list
/// that shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueItem {
    pub key: &'static str,
    pub count: i64,
    pub href: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dashboard {
    pub line: Line,
    pub year: i32,
    /// Years with payments on record, and the current one: what the year picker offers.
    pub years: Vec<i32>,
    pub period: Period,
    pub division: DivisionCode,
    pub division_name: String,
    pub figures: Vec<Figure>,
    pub series: Vec<Series>,
    pub due: Vec<DueItem>,
}

impl Dashboard {
    pub fn figure(&self, code: &str) -> Option<&Figure> {
        self.figures.iter().find(|f| f.indicator.code == code)
    }
}

/// The dashboard line named `text` (`Line::as_str`), if it has one.
pub fn dashboard_line(text: &str) -> Option<Line> {
    dashboard_lines().into_iter().find(|l| l.as_str() == text)
}

impl Service {
    /// The dashboard of `line` for `year` (default: the current year, or the latest year
    /// with payments when the current one has none yet) over `division`'s subtree (default
    /// the actor's jurisdiction). An unknown line is not found; a bad year or a division
    /// outside the jurisdiction is refused by field.
    pub async fn dashboard(
        &self,
        actor: &Actor,
        line: &str,
        year: Option<&str>,
        division: Option<&str>,
    ) -> Result<Dashboard, Error> {
        self.authorize(actor, Line::Reports, Action::Read)?;
        let line = dashboard_line(line).ok_or(Error::NotFound)?;
        let today = self.today();
        let paid_years = self.store().ledger_years().await?;
        let mut years = paid_years.clone();
        if !years.contains(&today.year()) {
            years.push(today.year());
        }
        years.sort_unstable();
        let year = match year.map(str::trim).filter(|y| !y.is_empty()) {
            Some(text) => text
                .parse::<i32>()
                .ok()
                .filter(|y| (2000..=today.year() + 1).contains(y))
                .ok_or_else(|| Error::invalid(field("year", "reports.bad_year", text)))?,
            None => paid_years
                .into_iter()
                .filter(|y| *y <= today.year())
                .max()
                .filter(|latest| *latest < today.year())
                .unwrap_or(today.year()),
        };
        let first = NaiveDate::from_ymd_opt(year, 1, 1)
            .ok_or_else(|| Error::invalid(field("year", "reports.bad_year", year.to_string())))?;
        let last = NaiveDate::from_ymd_opt(year, 12, 31)
            .unwrap_or(first)
            .min(today.max(first));
        let params = self
            .report_params(actor, &first.to_string(), &last.to_string(), division)
            .await?;
        let cutoff = self.now();
        let indicators: Vec<&'static Indicator> =
            INDICATORS.iter().filter(|i| i.line == line).collect();
        let passes = self.stocks_and_flows(&params, cutoff, &indicators).await?;
        let (figures, division_name) = self.figures(&params, cutoff, &indicators, &passes).await?;
        let (stocks, flows) = &passes;
        let mut series = Vec::new();
        // A rate is shown as its figure: over the months it would only repeat the period's.
        for ind in indicators
            .iter()
            .filter(|i| !matches!(i.kind, Kind::Fact | Kind::Rate))
        {
            let points = match ind.kind {
                Kind::Flow => {
                    let groups = match flows.by(ind, Part::Month) {
                        Some(groups) => groups,
                        None => {
                            let scope = self.scope(&params, ind, params.period.to(), cutoff);
                            self.store()
                                .report_figure(ind.measure, &scope, Breakdown::PaidIn)
                                .await?
                        }
                    };
                    params
                        .period
                        .months()
                        .into_iter()
                        .map(|m| {
                            let key = m.to_string();
                            let v = groups
                                .iter()
                                .filter(|g| g.key == key)
                                .map(|g| {
                                    // Counting flows (soldiers received, visits made) count.
                                    if ind.unit.is_money() {
                                        g.sum_fen
                                    } else {
                                        g.count
                                    }
                                })
                                .sum();
                            (m, v)
                        })
                        .collect()
                }
                _ => {
                    let mut points = Vec::new();
                    for m in params.period.months() {
                        let on = m.last_day().min(params.period.to());
                        let groups = match stocks.groups(ind, on) {
                            Some(groups) => groups,
                            None => {
                                let scope = self.scope(&params, ind, on, cutoff);
                                self.store()
                                    .report_figure(ind.measure, &scope, Breakdown::Street)
                                    .await?
                            }
                        };
                        points.push((m, value_of(ind, &groups)));
                    }
                    points
                }
            };
            series.push(Series {
                indicator: ind,
                points,
            });
        }
        let due = self.due_items(actor, line).await?;
        Ok(Dashboard {
            line,
            year,
            years,
            period: params.period,
            division: params.root,
            division_name,
            figures,
            series,
            due,
        })
    }

    /// What is due or overdue in `line` for `actor`, as the line's lists count it.
    async fn due_items(&self, actor: &Actor, line: Line) -> Result<Vec<DueItem>, Error> {
        let mut due = Vec::new();
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        if line == Line::Veterans {
            if actor.may(Line::Veterans, Action::Read) {
                for (key, when, href) in [
                    (
                        "petition-visits-overdue",
                        VisitDue::Overdue,
                        "/veterans/petitions?due=overdue",
                    ),
                    (
                        "petition-visits-week",
                        VisitDue::ThisWeek,
                        "/veterans/petitions?due=week",
                    ),
                ] {
                    due.push(DueItem {
                        key,
                        count: count(self.petitions_due_count(actor, when).await?),
                        href,
                    });
                }
            }
            return Ok(due);
        }
        if line != Line::Assistance {
            return Ok(due);
        }
        if actor.may(Line::Assistance, Action::Read) {
            due.push(DueItem {
                key: "cases-overdue",
                count: count(self.overdue_case_count(actor).await?),
                href: "/assistance?status=overdue",
            });
        }
        if actor.may(Line::Assistance, Action::Write) {
            due.push(DueItem {
                key: "reviews-due",
                count: count(self.reviews_due(actor, self.today(), None).await?.len()),
                href: "/assistance/reviews",
            });
            due.push(DueItem {
                key: "check-tasks",
                count: count(self.open_check_task_count(actor).await?),
                href: "/assistance/checks",
            });
        }
        if actor.may(Line::Payroll, Action::Read) {
            let runs = self.store().payroll_runs(None, None).await?;
            for (key, state) in [
                ("runs-draft", "draft"),
                ("runs-checked", "checked"),
                ("runs-approved", "approved"),
                ("runs-exported", "exported"),
            ] {
                due.push(DueItem {
                    key,
                    count: count(runs.iter().filter(|r| r.state == state).count()),
                    href: "/payroll",
                });
            }
            // This month's payroll is due once any programme has cases covering it.
            let month = Month::of(self.today());
            let prev = month.prev().map(|p| p.to_string()).unwrap_or_default();
            let wanted = self
                .store()
                .programs_due(month.first_day(), month.last_day(), &prev)
                .await?;
            let key = month.to_string();
            // The assistance dashboard counts the assistance programmes; the veterans'
            // runs are their own section's.
            let missing = wanted
                .iter()
                .filter(|p| {
                    crate::payroll::stored_program(p).is_ok_and(|p| p.line() == Line::Assistance)
                })
                .filter(|p| !runs.iter().any(|r| r.month == key && &r.program == *p))
                .count();
            due.push(DueItem {
                key: "month-unprepared",
                count: count(missing),
                href: "/payroll",
            });
        }
        Ok(due)
    }
}

#[cfg(test)]
mod tests {
    use super::dashboard_line;
    use domain::Line;

    #[test]
    fn only_lines_with_indicators_have_dashboards() {
        assert_eq!(dashboard_line("assistance"), Some(Line::Assistance));
        assert_eq!(dashboard_line("audit"), None);
        assert_eq!(dashboard_line(""), None);
    }
}
