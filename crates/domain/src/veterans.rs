//! Veterans' preferential treatment (双拥优抚安置, rules.md §4): the entitlement's parts
//! (its category's basis, the disability grade and cause, its status), the dated standards
//! and the one money rule, [`monthly_due`]: what an entitlement is due for a month.
//!
//! Categories are data (a configurable list with codes, seeded with the codes one vendor
//! uses, rules.md §4.6); what the code needs to know about a category is its [`Basis`]:
//! whether it is a disability (grade and cause), a per-year-of-service allowance (the
//! rural-veteran elderly allowance, age 60 from the ID), or a flat rate.
//!
//! Months: an entitlement pays from the month it was certified (art. 19, 27: "from the
//! month of approval"), and a status change counts from the month after the day it takes
//! effect (the state on the first day of a month decides that month, except the
//! certification month itself, which pays in full). The rural-veteran elderly allowance is
//! due from the month in which the person turns 60. A yearly standard pays a twelfth each
//! month, rounded down to the fen, and December takes the remainder, so twelve months add
//! up to the year exactly.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

use crate::{Fen, Month, age_on};

/// Age from which the rural-veteran elderly allowance is due (2024 条例 art. 62).
pub const ELDERLY_ALLOWANCE_AGE: u32 = 60;
/// Disability grades run 1 (most severe) to 10.
pub const GRADES: std::ops::RangeInclusive<u8> = 1..=10;
/// Illness earns a disability pension only at grades 1–6 (art. 26).
pub const ILLNESS_MAX_GRADE: u8 = 6;
/// Years of conscript service above this are a typo.
pub const MAX_SERVICE_YEARS: u8 = 60;

/// What a category's amount depends on; the data code is stored with the category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Basis {
    /// One amount for everyone in the category (三属, 带病回乡, 参战涉核, 军属 …).
    Flat,
    /// 残疾军人: by grade (1–10) and cause.
    Disability,
    /// 农村籍退役士兵 60 周岁以上: the rate times the years of service, from age 60.
    ServiceYears,
}

impl Basis {
    pub const ALL: [Basis; 3] = [Basis::Flat, Basis::Disability, Basis::ServiceYears];

    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Flat => "flat",
            Basis::Disability => "disability",
            Basis::ServiceYears => "service_years",
        }
    }
}

/// How a disability came about (因战, 因公, 因病).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cause {
    War,
    Duty,
    Illness,
}

impl Cause {
    pub const ALL: [Cause; 3] = [Cause::War, Cause::Duty, Cause::Illness];

    pub fn as_str(self) -> &'static str {
        match self {
            Cause::War => "war",
            Cause::Duty => "duty",
            Cause::Illness => "illness",
        }
    }
}

/// An entitlement's state (正常, 暂停, 终止).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Active,
    Suspended,
    Ended,
}

impl Status {
    pub const ALL: [Status; 3] = [Status::Active, Status::Suspended, Status::Ended];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Suspended => "suspended",
            Status::Ended => "ended",
        }
    }

    /// Whether the state may move from `self` to `to`: an ended entitlement stays ended (a
    /// new certification is a new decision, not a resumption), and a move must change
    /// something.
    pub fn may_become(self, to: Status) -> bool {
        self != to && self != Status::Ended
    }
}

macro_rules! code_enum {
    ($t:ty, $what:literal, $code:literal) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $t {
            type Err = VeteransError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <$t>::ALL
                    .into_iter()
                    .find(|k| k.as_str() == s.trim())
                    .ok_or_else(|| VeteransError::Unknown {
                        code: $code,
                        text: s.trim().to_owned(),
                    })
            }
        }
    };
}
code_enum!(Basis, "basis", "veterans.basis");
code_enum!(Cause, "cause", "veterans.cause");
code_enum!(Status, "status", "veterans.status");

pub mod combinations;
pub mod liaison;
pub mod petitions;

/// Why an entitlement's parts or a standard are refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VeteransError {
    #[error("unknown code {text:?} ({code})")]
    Unknown { code: &'static str, text: String },
    #[error("grade {0} outside 1–10")]
    Grade(i64),
    #[error("a disability needs its grade and cause")]
    DisabilityParts,
    #[error("grade and cause belong to disabilities only")]
    NotDisability,
    #[error("illness earns a pension only at grades 1–6, not {0}")]
    IllnessGrade(u8),
    #[error("years of service {0} outside 1–60")]
    ServiceYears(i64),
    #[error("the elderly allowance needs the years of service")]
    ServiceYearsMissing,
    #[error("two standards for the same key and date")]
    DuplicateStandard,
}

impl VeteransError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unknown { code, .. } => code,
            Self::Grade(_) => "veterans.grade",
            Self::DisabilityParts => "veterans.disability_parts",
            Self::NotDisability => "veterans.not_disability",
            Self::IllnessGrade(_) => "veterans.illness_grade",
            Self::ServiceYears(_) => "veterans.service_years",
            Self::ServiceYearsMissing => "veterans.service_years_missing",
            Self::DuplicateStandard => "veterans.duplicate_standard",
        }
    }
}

/// The parts of an entitlement that select its standard and scale its amount, checked
/// against its category's basis by [`Terms::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terms {
    basis: Basis,
    grade: Option<u8>,
    cause: Option<Cause>,
    service_years: Option<u8>,
}

impl Terms {
    /// Disabilities need a grade 1–10 and a cause (illness only 1–6); the elderly allowance
    /// needs 1–60 years of service; no other basis takes a grade or cause. Years of service
    /// are kept where given on other bases (they are part of the record, not the amount).
    pub fn new(
        basis: Basis,
        grade: Option<i64>,
        cause: Option<Cause>,
        service_years: Option<i64>,
    ) -> Result<Terms, VeteransError> {
        let grade = match grade {
            None => None,
            Some(g) => match u8::try_from(g) {
                Ok(g) if GRADES.contains(&g) => Some(g),
                _ => return Err(VeteransError::Grade(g)),
            },
        };
        let service_years = match service_years {
            None => None,
            Some(y) => match u8::try_from(y) {
                Ok(y) if (1..=MAX_SERVICE_YEARS).contains(&y) => Some(y),
                _ => return Err(VeteransError::ServiceYears(y)),
            },
        };
        match basis {
            Basis::Disability => match (grade, cause) {
                (Some(g), Some(Cause::Illness)) if g > ILLNESS_MAX_GRADE => {
                    return Err(VeteransError::IllnessGrade(g));
                }
                (Some(_), Some(_)) => {}
                _ => return Err(VeteransError::DisabilityParts),
            },
            _ if grade.is_some() || cause.is_some() => return Err(VeteransError::NotDisability),
            Basis::ServiceYears if service_years.is_none() => {
                return Err(VeteransError::ServiceYearsMissing);
            }
            _ => {}
        }
        Ok(Terms {
            basis,
            grade,
            cause,
            service_years,
        })
    }

    pub fn basis(&self) -> Basis {
        self.basis
    }
    pub fn grade(&self) -> Option<u8> {
        self.grade
    }
    pub fn cause(&self) -> Option<Cause> {
        self.cause
    }
    pub fn service_years(&self) -> Option<u8> {
        self.service_years
    }

    /// The standard's key for these terms in `category`.
    pub fn key(&self, category: &str) -> StandardKey {
        StandardKey {
            category: category.to_owned(),
            grade: self.grade,
            cause: self.cause,
        }
    }
}

/// What a standard is for: a category, and for disabilities a grade and cause.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StandardKey {
    pub category: String,
    pub grade: Option<u8>,
    pub cause: Option<Cause>,
}

/// The period a standard's amount is stated for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Per {
    Month,
    Year,
}

impl Per {
    pub const ALL: [Per; 2] = [Per::Month, Per::Year];

    pub fn as_str(self) -> &'static str {
        match self {
            Per::Month => "month",
            Per::Year => "year",
        }
    }
}
code_enum!(Per, "per", "veterans.per");

/// One dated standard (优抚标准): the amount for a key from a date until a later row. For
/// the elderly allowance the amount is per year of service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standard {
    pub key: StandardKey,
    pub effective_from: NaiveDate,
    pub amount: Fen,
    pub per: Per,
}

impl Standard {
    /// The amount for `month` of a standard stated per year or per month: a twelfth, rounded
    /// down, with December taking the remainder.
    pub fn for_month(&self, month: Month) -> Fen {
        match self.per {
            Per::Month => self.amount,
            Per::Year => {
                let year = self.amount.as_fen();
                let twelfth = year.div_euclid(12);
                if month.first_day().month() == 12 {
                    Fen::from_fen(year - 11 * twelfth)
                } else {
                    Fen::from_fen(twelfth)
                }
            }
        }
    }
}

/// Every dated standard, checked for doubles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StandardTable {
    rows: Vec<Standard>,
}

impl StandardTable {
    pub fn new(mut rows: Vec<Standard>) -> Result<Self, VeteransError> {
        rows.sort_by(|a, b| (&a.key, a.effective_from).cmp(&(&b.key, b.effective_from)));
        if rows
            .windows(2)
            .any(|w| w[0].key == w[1].key && w[0].effective_from == w[1].effective_from)
        {
            return Err(VeteransError::DuplicateStandard);
        }
        Ok(Self { rows })
    }

    /// The standard for `key` in force on `on`: the latest one that took effect by then.
    pub fn in_force(&self, key: &StandardKey, on: NaiveDate) -> Option<&Standard> {
        self.rows
            .iter()
            .filter(|s| &s.key == key && s.effective_from <= on)
            .max_by_key(|s| s.effective_from)
    }

    pub fn rows(&self) -> &[Standard] {
        &self.rows
    }
}

/// A status change of an entitlement, in force from `effective_on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusChange {
    pub status: Status,
    pub effective_on: NaiveDate,
}

/// Everything [`monthly_due`] reads about one entitlement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entitlement {
    pub category: String,
    pub terms: Terms,
    pub birth_date: NaiveDate,
    /// The certification date: pays from its month.
    pub certified_on: NaiveDate,
    /// The status history, in any order; none means active since certification.
    pub history: Vec<StatusChange>,
}

impl Entitlement {
    /// The state that decides `month`: the last change in force on its first day (changes
    /// on the same day: the later in the list wins), active if none.
    pub fn status_for(&self, month: Month) -> Status {
        let first = month.first_day();
        let mut in_force: Option<StatusChange> = None;
        for change in &self.history {
            if change.effective_on <= first
                && in_force.is_none_or(|c| c.effective_on <= change.effective_on)
            {
                in_force = Some(*change);
            }
        }
        in_force.map_or(Status::Active, |c| c.status)
    }
}

/// What an entitlement is due for a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Due {
    /// This amount, under the standard in force on the month's first day.
    Pay {
        amount: Fen,
        standard_from: NaiveDate,
    },
    /// Nothing, and why.
    Nothing(NotDue),
}

/// Why an entitlement pays nothing for a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotDue {
    /// The month is before the certification month.
    NotCertified,
    Suspended,
    Ended,
    /// The elderly allowance before the month the person turns 60.
    UnderAge,
}

impl NotDue {
    pub fn code(self) -> &'static str {
        match self {
            NotDue::NotCertified => "veterans.due.not_certified",
            NotDue::Suspended => "veterans.due.suspended",
            NotDue::Ended => "veterans.due.ended",
            NotDue::UnderAge => "veterans.due.under_age",
        }
    }
}

/// No standard is in force for an entitlement that is otherwise due: the table is
/// incomplete, which a payroll must stop on rather than pay nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no standard for {key:?} in force on {on}")]
pub struct NoStandard {
    pub key: StandardKey,
    pub on: NaiveDate,
}

impl NoStandard {
    pub fn code(&self) -> &'static str {
        "veterans.no_standard"
    }
}

/// What `entitlement` is due for `month` under `standards` (see the module notes for the
/// month rules). The payroll's amount function for the veterans programme.
pub fn monthly_due(
    entitlement: &Entitlement,
    standards: &StandardTable,
    month: Month,
) -> Result<Due, NoStandard> {
    if month < Month::of(entitlement.certified_on) {
        return Ok(Due::Nothing(NotDue::NotCertified));
    }
    if month > Month::of(entitlement.certified_on) {
        match entitlement.status_for(month) {
            Status::Active => {}
            Status::Suspended => return Ok(Due::Nothing(NotDue::Suspended)),
            Status::Ended => return Ok(Due::Nothing(NotDue::Ended)),
        }
    }
    let terms = entitlement.terms;
    if terms.basis == Basis::ServiceYears
        && age_on(entitlement.birth_date, month.last_day())
            .is_none_or(|age| age < ELDERLY_ALLOWANCE_AGE)
    {
        return Ok(Due::Nothing(NotDue::UnderAge));
    }
    let on = month.first_day();
    let key = terms.key(&entitlement.category);
    let Some(standard) = standards.in_force(&key, on) else {
        return Err(NoStandard { key, on });
    };
    let base = standard.for_month(month);
    let amount = match terms.basis {
        Basis::ServiceYears => {
            let years = i64::from(terms.service_years.unwrap_or(0));
            base.checked_mul(years).unwrap_or(Fen::ZERO)
        }
        Basis::Flat | Basis::Disability => base,
    };
    Ok(Due::Pay {
        amount,
        standard_from: standard.effective_from,
    })
}

/// How a discharged soldier is placed (安置方式, 退役军人安置条例 2024 art. 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Placement {
    /// 自主就业.
    SelfEmployed,
    /// 安排工作.
    AssignedJob,
    /// 退休.
    Retirement,
    /// 供养.
    StateSupport,
}

impl Placement {
    pub const ALL: [Placement; 4] = [
        Placement::SelfEmployed,
        Placement::AssignedJob,
        Placement::Retirement,
        Placement::StateSupport,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Placement::SelfEmployed => "self_employed",
            Placement::AssignedJob => "assigned_job",
            Placement::Retirement => "retirement",
            Placement::StateSupport => "state_support",
        }
    }
}
code_enum!(Placement, "placement", "veterans.placement");

/// The vocational training a received soldier chose (the source's "194 and 5").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Training {
    /// 中等职业教育.
    Secondary,
    /// 高等职业教育.
    Higher,
    None,
}

impl Training {
    pub const ALL: [Training; 3] = [Training::Secondary, Training::Higher, Training::None];

    pub fn as_str(self) -> &'static str {
        match self {
            Training::Secondary => "secondary",
            Training::Higher => "higher",
            Training::None => "none",
        }
    }
}
code_enum!(Training, "training", "veterans.training");

/// Days a self-employed veteran has to report to the placement area after discharge
/// (2024 条例 art. 51): the default report-in deadline of an intake batch.
pub const REPORT_DAYS: i64 = 30;

/// The kinds of the veterans' hardship fund (复退军人"六难"经费). The source names the fund,
/// not its six kinds; these are the usual ones and are UNCONFIRMED (rules.md §4.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Hardship {
    Housing,
    Medical,
    Schooling,
    Living,
    Employment,
    Other,
}

impl Hardship {
    pub const ALL: [Hardship; 6] = [
        Hardship::Housing,
        Hardship::Medical,
        Hardship::Schooling,
        Hardship::Living,
        Hardship::Employment,
        Hardship::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Hardship::Housing => "housing",
            Hardship::Medical => "medical",
            Hardship::Schooling => "schooling",
            Hardship::Living => "living",
            Hardship::Employment => "employment",
            Hardship::Other => "other",
        }
    }
}
code_enum!(Hardship, "hardship", "veterans.hardship");

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn m(s: &str) -> Month {
        Month::parse(s).unwrap()
    }
    fn std_row(
        cat: &str,
        grade: Option<u8>,
        cause: Option<Cause>,
        from: &str,
        fen: i64,
        per: Per,
    ) -> Standard {
        Standard {
            key: StandardKey {
                category: cat.into(),
                grade,
                cause,
            },
            effective_from: d(from),
            amount: Fen::from_fen(fen),
            per,
        }
    }
    fn flat(cat: &str, certified: &str) -> Entitlement {
        Entitlement {
            category: cat.into(),
            terms: Terms::new(Basis::Flat, None, None, None).unwrap(),
            birth_date: d("1950-05-01"),
            certified_on: d(certified),
            history: vec![],
        }
    }

    #[test]
    fn terms_refuse_what_the_rules_refuse() {
        assert_eq!(
            Terms::new(Basis::Disability, Some(11), Some(Cause::War), None),
            Err(VeteransError::Grade(11))
        );
        assert_eq!(
            Terms::new(Basis::Disability, Some(0), Some(Cause::War), None),
            Err(VeteransError::Grade(0))
        );
        assert_eq!(
            Terms::new(Basis::Disability, Some(7), Some(Cause::Illness), None),
            Err(VeteransError::IllnessGrade(7))
        );
        assert!(Terms::new(Basis::Disability, Some(6), Some(Cause::Illness), None).is_ok());
        assert!(Terms::new(Basis::Disability, Some(10), Some(Cause::Duty), None).is_ok());
        assert_eq!(
            Terms::new(Basis::Disability, Some(3), None, None),
            Err(VeteransError::DisabilityParts)
        );
        assert_eq!(
            Terms::new(Basis::Flat, Some(3), None, None),
            Err(VeteransError::NotDisability)
        );
        assert_eq!(
            Terms::new(Basis::ServiceYears, None, None, None),
            Err(VeteransError::ServiceYearsMissing)
        );
        assert_eq!(
            Terms::new(Basis::ServiceYears, None, None, Some(61)),
            Err(VeteransError::ServiceYears(61))
        );
        assert_eq!("war".parse::<Cause>(), Ok(Cause::War));
        assert_eq!("x".parse::<Status>().unwrap_err().code(), "veterans.status");
    }

    #[test]
    fn pays_from_the_certification_month_under_the_dated_standard() {
        let table = StandardTable::new(vec![
            std_row("42", None, None, "2012-10-01", 50_000, Per::Month),
            std_row("42", None, None, "2013-01-01", 55_000, Per::Month),
        ])
        .unwrap();
        let e = flat("42", "2012-11-20");
        assert_eq!(
            monthly_due(&e, &table, m("2012-10")),
            Ok(Due::Nothing(NotDue::NotCertified))
        );
        assert_eq!(
            monthly_due(&e, &table, m("2012-11")),
            Ok(Due::Pay {
                amount: Fen::from_fen(50_000),
                standard_from: d("2012-10-01")
            })
        );
        assert_eq!(
            monthly_due(&e, &table, m("2013-01")),
            Ok(Due::Pay {
                amount: Fen::from_fen(55_000),
                standard_from: d("2013-01-01")
            })
        );
        let missing = flat("51", "2013-01-01");
        assert_eq!(
            monthly_due(&missing, &table, m("2013-01"))
                .unwrap_err()
                .code(),
            "veterans.no_standard"
        );
    }

    #[test]
    fn suspension_and_end_count_from_the_next_month() {
        let table = StandardTable::new(vec![std_row(
            "21",
            None,
            None,
            "2000-01-01",
            100,
            Per::Month,
        )])
        .unwrap();
        let mut e = flat("21", "2012-01-05");
        e.history = vec![
            StatusChange {
                status: Status::Suspended,
                effective_on: d("2012-03-15"),
            },
            StatusChange {
                status: Status::Active,
                effective_on: d("2012-06-10"),
            },
            StatusChange {
                status: Status::Ended,
                effective_on: d("2012-09-01"),
            },
        ];
        let due = |s: &str| monthly_due(&e, &table, m(s)).unwrap();
        let pay = Due::Pay {
            amount: Fen::from_fen(100),
            standard_from: d("2000-01-01"),
        };
        assert_eq!(due("2012-03"), pay);
        assert_eq!(due("2012-04"), Due::Nothing(NotDue::Suspended));
        assert_eq!(due("2012-06"), Due::Nothing(NotDue::Suspended));
        assert_eq!(due("2012-07"), pay);
        assert_eq!(due("2012-08"), pay);
        assert_eq!(due("2012-09"), Due::Nothing(NotDue::Ended));
    }

    #[test]
    fn disability_by_grade_and_cause_and_yearly_twelfths() {
        // 2018 national rates: grade 1 war 80,140 yuan a year, duty 77,610.
        let table = StandardTable::new(vec![
            std_row(
                "11",
                Some(1),
                Some(Cause::War),
                "2018-08-01",
                8_014_000,
                Per::Year,
            ),
            std_row(
                "11",
                Some(1),
                Some(Cause::Duty),
                "2018-08-01",
                7_761_000,
                Per::Year,
            ),
        ])
        .unwrap();
        let e = Entitlement {
            category: "11".into(),
            terms: Terms::new(Basis::Disability, Some(1), Some(Cause::War), None).unwrap(),
            birth_date: d("1960-01-01"),
            certified_on: d("2018-08-01"),
            history: vec![],
        };
        let mut year = Fen::ZERO;
        for month in m("2019-01").months_until_inclusive(m("2019-12")) {
            let Ok(Due::Pay { amount, .. }) = monthly_due(&e, &table, month) else {
                panic!("due in {month}");
            };
            year = year.checked_add(amount).unwrap();
        }
        assert_eq!(year, Fen::from_fen(8_014_000));
    }

    #[test]
    fn elderly_allowance_by_years_from_the_month_of_sixty() {
        // 35 yuan per month for each year of service (2018-08-01).
        let table = StandardTable::new(vec![std_row(
            "81",
            None,
            None,
            "2018-08-01",
            3_500,
            Per::Month,
        )])
        .unwrap();
        let e = Entitlement {
            category: "81".into(),
            terms: Terms::new(Basis::ServiceYears, None, None, Some(3)).unwrap(),
            birth_date: d("1958-11-20"),
            certified_on: d("2018-08-01"),
            history: vec![],
        };
        assert_eq!(
            monthly_due(&e, &table, m("2018-10")),
            Ok(Due::Nothing(NotDue::UnderAge))
        );
        assert_eq!(
            monthly_due(&e, &table, m("2018-11")),
            Ok(Due::Pay {
                amount: Fen::from_fen(10_500),
                standard_from: d("2018-08-01")
            })
        );
    }

    #[test]
    fn duplicate_standards_are_refused() {
        let row = std_row("42", None, None, "2013-01-01", 1, Per::Month);
        assert_eq!(
            StandardTable::new(vec![row.clone(), row]),
            Err(VeteransError::DuplicateStandard)
        );
    }

    proptest! {
        #[test]
        fn a_yearly_standard_pays_its_year_exactly(fen in 0i64..1_000_000_000, y in 2000i32..2100) {
            let s = std_row("11", Some(1), Some(Cause::War), "2000-01-01", fen, Per::Year);
            let total: i64 = (1..=12)
                .map(|mo| s.for_month(Month::new(y, mo).unwrap()).as_fen())
                .sum();
            prop_assert_eq!(total, fen);
            for mo in 1..=12 {
                prop_assert!(s.for_month(Month::new(y, mo).unwrap()).as_fen() >= 0);
            }
        }

        #[test]
        fn nothing_is_due_before_certification_or_while_not_active(
            cert_day in 0i64..5000, month_off in -24i32..24, change_off in 0i64..400, status in 0usize..3
        ) {
            let certified = d("2005-01-01") + chrono::Duration::days(cert_day);
            let table = StandardTable::new(vec![std_row("42", None, None, "2000-01-01", 700, Per::Month)]).unwrap();
            let mut e = flat("42", &certified.to_string());
            let change = StatusChange {
                status: Status::ALL[status],
                effective_on: certified + chrono::Duration::days(change_off),
            };
            e.history = vec![change];
            let month = Month::of(certified).add_months(month_off).unwrap();
            let due = monthly_due(&e, &table, month).unwrap();
            if month < Month::of(certified) {
                prop_assert_eq!(due, Due::Nothing(NotDue::NotCertified));
            } else if month > Month::of(certified) && change.effective_on <= month.first_day() && change.status != Status::Active {
                prop_assert!(matches!(due, Due::Nothing(_)));
            } else {
                prop_assert_eq!(due, Due::Pay { amount: Fen::from_fen(700), standard_from: d("2000-01-01") });
            }
        }
    }
}
