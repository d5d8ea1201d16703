//! Social assistance (社会救助) rules: programs, dated standards, the classified-assistance
//! policy, self-care levels, and the monthly benefit of a household.
//!
//! Everything that local rules set or that `rules.md` marks UNCONFIRMED is data passed in,
//! not a constant: the standards table, the classified-assistance policy (which conditions,
//! which percentages, from when), the care standards. [`ClassifiedPolicy::default_2013`] is
//! only the demo district's policy, named as such.
//!
//! The benefit of month M is computed from the facts as they stand on F, M's first day:
//! - the standard S is the row for the program and area with the latest `effective_from <= F`;
//! - 低保: `max(0, (S − per-capita income) × members)`, plus per member at most one
//!   classified-assistance increment, the largest that applies, `floor(S × pct / 100)`;
//!   increments are paid even when the base is 0 (rules.md §1.6: the top-up is for hardship
//!   that remains *after* the guarantee);
//! - 特困: `S × members` (income is not counted), plus each member's care standard by self-care
//!   level where one is configured (§2.3);
//! - 低保边缘 households receive no monthly cash (§1.8); asking for their amount is an error.

pub mod checks;
pub mod grants;
pub mod means;
pub mod workflow;

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;

use crate::date::age_on;
use crate::{Area, Fen, Month};

/// An assistance programme. The data code (`as_str`) is what is stored and imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Program {
    /// 最低生活保障 (低保).
    Dibao,
    /// 低保边缘家庭: specific aid, no monthly cash.
    DibaoMargin,
    /// 特困人员分散供养: at home (rural 五保 / urban 三无 in older reports).
    TekunDispersed,
    /// 特困人员集中供养: in an elderly home.
    TekunCentralized,
}

impl Program {
    pub const ALL: [Program; 4] = [
        Program::Dibao,
        Program::DibaoMargin,
        Program::TekunDispersed,
        Program::TekunCentralized,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Program::Dibao => "dibao",
            Program::DibaoMargin => "dibao_margin",
            Program::TekunDispersed => "tekun_dispersed",
            Program::TekunCentralized => "tekun_centralized",
        }
    }

    pub fn is_tekun(self) -> bool {
        matches!(self, Program::TekunDispersed | Program::TekunCentralized)
    }
}

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Program {
    type Err = AssistanceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Program::ALL
            .into_iter()
            .find(|p| p.as_str() == s.trim())
            .ok_or_else(|| AssistanceError::UnknownProgram { text: s.to_owned() })
    }
}

/// Why a rule could not be applied, or a rule table is inconsistent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssistanceError {
    #[error("unknown programme {text:?}")]
    UnknownProgram { text: String },
    #[error("no {program} standard for {area} areas in force on {on}")]
    NoStandard {
        program: Program,
        area: &'static str,
        on: NaiveDate,
    },
    #[error("{program} pays no monthly cash")]
    NoMonthlyCash { program: Program },
    #[error("a household needs at least one covered member")]
    NoMembers,
    #[error("the amount overflows")]
    Overflow,
    #[error("two {program} standards for {area} areas take effect on {on}")]
    DuplicateStandard {
        program: Program,
        area: &'static str,
        on: NaiveDate,
    },
    #[error("two policies take effect on {on}")]
    DuplicatePolicy { on: NaiveDate },
    #[error("a negative amount {amount} in a standard")]
    NegativeAmount { amount: Fen },
    #[error("percentage {pct} is above 100")]
    PercentTooLarge { pct: u32 },
    #[error("disability grade {grade} is not 0–4")]
    DisabilityGrade { grade: u8 },
}

impl AssistanceError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownProgram { .. } => "assistance.unknown_program",
            Self::NoStandard { .. } => "assistance.no_standard",
            Self::NoMonthlyCash { .. } => "assistance.no_monthly_cash",
            Self::NoMembers => "assistance.no_members",
            Self::Overflow => "assistance.overflow",
            Self::DuplicateStandard { .. } => "assistance.duplicate_standard",
            Self::DuplicatePolicy { .. } => "assistance.duplicate_policy",
            Self::NegativeAmount { .. } => "assistance.negative_amount",
            Self::PercentTooLarge { .. } => "assistance.percent_too_large",
            Self::DisabilityGrade { .. } => "assistance.disability_grade",
        }
    }
}

/// A dated standard (保障标准): yuan per person per month for a programme and area, from a
/// date, with the document that set it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standard {
    pub program: Program,
    pub area: Area,
    pub effective_from: NaiveDate,
    pub amount: Fen,
    /// The document that set it, e.g. a city government's notice number.
    pub citation: String,
}

/// Every standard ever in force; [`StandardTable::in_force`] picks the one for a date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StandardTable {
    rows: Vec<Standard>,
}

impl StandardTable {
    /// Checks the rows: no two for one programme, area and date; no negative amounts.
    pub fn new(mut rows: Vec<Standard>) -> Result<Self, AssistanceError> {
        rows.sort_by_key(|r| (r.program, r.area.as_str(), r.effective_from));
        for pair in rows.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            if (a.program, a.area, a.effective_from) == (b.program, b.area, b.effective_from) {
                return Err(AssistanceError::DuplicateStandard {
                    program: a.program,
                    area: a.area.as_str(),
                    on: a.effective_from,
                });
            }
        }
        if let Some(r) = rows.iter().find(|r| r.amount.is_negative()) {
            return Err(AssistanceError::NegativeAmount { amount: r.amount });
        }
        Ok(Self { rows })
    }

    /// The standard with the latest `effective_from` on or before `on`.
    pub fn in_force(&self, program: Program, area: Area, on: NaiveDate) -> Option<&Standard> {
        self.rows
            .iter()
            .filter(|r| r.program == program && r.area == area && r.effective_from <= on)
            .max_by_key(|r| r.effective_from)
    }

    pub fn rows(&self) -> &[Standard] {
        &self.rows
    }
}

/// When a classified-assistance increment applies to a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    /// Disability grade within `min..=max` (grade 1 is the most severe; 0 means none).
    DisabilityGrade { min: u8, max: u8 },
    /// A severe illness is recorded.
    SevereIllness,
    /// Aged at least `years` on the month's first day (the birthday on or before it counts).
    AgeAtLeast { years: u32 },
}

/// One increment: when it applies and how large it is, in percent of the standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IncrementRule {
    pub condition: Condition,
    pub pct: u32,
}

/// The classified-assistance policy (分类施保) in force from a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassifiedPolicy {
    pub effective_from: NaiveDate,
    pub rules: Vec<IncrementRule>,
    pub citation: String,
}

impl ClassifiedPolicy {
    /// The demo district's policy: 20 % for disability grades 1–2, 15 % for a severe illness,
    /// 10 % from the 60th birthday, in force from 2013-01-01. Real districts enter their own.
    pub fn default_2013() -> Self {
        Self {
            effective_from: NaiveDate::from_ymd_opt(2013, 1, 1).expect("a real date"),
            rules: vec![
                IncrementRule {
                    condition: Condition::DisabilityGrade { min: 1, max: 2 },
                    pct: 20,
                },
                IncrementRule {
                    condition: Condition::SevereIllness,
                    pct: 15,
                },
                IncrementRule {
                    condition: Condition::AgeAtLeast { years: 60 },
                    pct: 10,
                },
            ],
            citation: "示范区分类施保办法(演示)".into(),
        }
    }
}

/// Every classified-assistance policy ever in force.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyTable {
    policies: Vec<ClassifiedPolicy>,
}

impl PolicyTable {
    pub fn new(mut policies: Vec<ClassifiedPolicy>) -> Result<Self, AssistanceError> {
        policies.sort_by_key(|p| p.effective_from);
        for pair in policies.windows(2) {
            if pair[0].effective_from == pair[1].effective_from {
                return Err(AssistanceError::DuplicatePolicy {
                    on: pair[0].effective_from,
                });
            }
        }
        if let Some(rule) = policies.iter().flat_map(|p| &p.rules).find(|r| r.pct > 100) {
            return Err(AssistanceError::PercentTooLarge { pct: rule.pct });
        }
        Ok(Self { policies })
    }

    /// The policy in force on `on`, if any (none means no increments).
    pub fn in_force(&self, on: NaiveDate) -> Option<&ClassifiedPolicy> {
        self.policies.iter().rev().find(|p| p.effective_from <= on)
    }
}

/// Self-care ability of a destitute person, from the six daily activities (rules.md §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SelfCare {
    /// 具备生活自理能力: all six achieved.
    Capable,
    /// 部分丧失: one to three not achieved.
    PartlyUnable,
    /// 完全丧失: four or more not achieved.
    FullyUnable,
}

impl SelfCare {
    /// The level from how many of the six activities (eating, dressing, getting in and out of
    /// bed, using the toilet, walking indoors, bathing) the person cannot do alone.
    pub fn from_activities_not_achieved(count: u8) -> Self {
        match count {
            0 => SelfCare::Capable,
            1..=3 => SelfCare::PartlyUnable,
            _ => SelfCare::FullyUnable,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SelfCare::Capable => "capable",
            SelfCare::PartlyUnable => "partly_unable",
            SelfCare::FullyUnable => "fully_unable",
        }
    }
}

/// A care standard (护理标准) per person per month, by area and self-care level, from a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CareStandard {
    pub area: Area,
    pub level: SelfCare,
    pub effective_from: NaiveDate,
    pub amount: Fen,
}

/// What the benefit of one member depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberFacts {
    pub birth_date: NaiveDate,
    /// 0 for none, else 1–4 (1 the most severe).
    pub disability_grade: u8,
    pub severe_illness: bool,
    /// Assessed for destitute persons; `None` elsewhere.
    pub self_care: Option<SelfCare>,
}

/// What the benefit of a household depends on, as it stands on the month's first day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdFacts {
    pub program: Program,
    pub area: Area,
    /// Monthly per-capita income (月人均收入) as assessed, exempt items excluded.
    pub income_per_capita: Fen,
    /// The covered members.
    pub members: Vec<MemberFacts>,
}

/// A month's benefit and how it was reached, so a case page can show the working.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Benefit {
    pub month: Month,
    /// The standard S applied, per person.
    pub standard: Fen,
    /// 低保 difference × members, or 特困 S × members.
    pub base: Fen,
    /// One entry per member, in member order: the increment (0 when none applies).
    pub increments: Vec<Fen>,
    /// One entry per member: the care standard (0 when none applies or for 低保).
    pub care: Vec<Fen>,
    pub total: Fen,
}

fn applies(condition: Condition, member: &MemberFacts, on: NaiveDate) -> bool {
    match condition {
        Condition::DisabilityGrade { min, max } => {
            member.disability_grade != 0 && (min..=max).contains(&member.disability_grade)
        }
        Condition::SevereIllness => member.severe_illness,
        Condition::AgeAtLeast { years } => {
            age_on(member.birth_date, on).is_some_and(|a| a >= years)
        }
    }
}

/// The largest increment that applies to `member`, or zero.
fn increment(
    standard: Fen,
    policy: Option<&ClassifiedPolicy>,
    member: &MemberFacts,
    on: NaiveDate,
) -> Result<Fen, AssistanceError> {
    let Some(policy) = policy else {
        return Ok(Fen::ZERO);
    };
    let mut best = Fen::ZERO;
    for rule in policy
        .rules
        .iter()
        .filter(|r| applies(r.condition, member, on))
    {
        let amount = standard
            .percent_floor(rule.pct)
            .ok_or(AssistanceError::Overflow)?;
        best = best.max(amount);
    }
    Ok(best)
}

fn care(table: &[CareStandard], area: Area, level: Option<SelfCare>, on: NaiveDate) -> Fen {
    let Some(level) = level else { return Fen::ZERO };
    care_in_force(table, area, level, on)
}

/// The care standard of `level` in `area` in force on `on` (zero when none is).
pub fn care_in_force(table: &[CareStandard], area: Area, level: SelfCare, on: NaiveDate) -> Fen {
    table
        .iter()
        .filter(|c| c.area == area && c.level == level && c.effective_from <= on)
        .max_by_key(|c| c.effective_from)
        .map_or(Fen::ZERO, |c| c.amount)
}

/// The benefit of `household` for `month`.
pub fn monthly_benefit(
    household: &HouseholdFacts,
    month: Month,
    standards: &StandardTable,
    policies: &PolicyTable,
    care_standards: &[CareStandard],
) -> Result<Benefit, AssistanceError> {
    let on = month.first_day();
    let program = household.program;
    if program == Program::DibaoMargin {
        return Err(AssistanceError::NoMonthlyCash { program });
    }
    if household.members.is_empty() {
        return Err(AssistanceError::NoMembers);
    }
    if let Some(m) = household.members.iter().find(|m| m.disability_grade > 4) {
        return Err(AssistanceError::DisabilityGrade {
            grade: m.disability_grade,
        });
    }
    let standard = standards
        .in_force(program, household.area, on)
        .ok_or(AssistanceError::NoStandard {
            program,
            area: household.area.as_str(),
            on,
        })?
        .amount;
    let members = i64::try_from(household.members.len()).map_err(|_| AssistanceError::Overflow)?;
    let (base, increments, care) = if program.is_tekun() {
        let base = standard
            .checked_mul(members)
            .ok_or(AssistanceError::Overflow)?;
        let care: Vec<Fen> = household
            .members
            .iter()
            .map(|m| care(care_standards, household.area, m.self_care, on))
            .collect();
        (base, vec![Fen::ZERO; household.members.len()], care)
    } else {
        let gap = standard
            .checked_sub(household.income_per_capita)
            .ok_or(AssistanceError::Overflow)?;
        let base = gap
            .max(Fen::ZERO)
            .checked_mul(members)
            .ok_or(AssistanceError::Overflow)?;
        let policy = policies.in_force(on);
        let increments = household
            .members
            .iter()
            .map(|m| increment(standard, policy, m, on))
            .collect::<Result<Vec<_>, _>>()?;
        (base, increments, vec![Fen::ZERO; household.members.len()])
    };
    let total = Fen::checked_sum(
        std::iter::once(base)
            .chain(increments.iter().copied())
            .chain(care.iter().copied()),
    )
    .ok_or(AssistanceError::Overflow)?;
    Ok(Benefit {
        month,
        standard,
        base,
        increments,
        care,
        total,
    })
}

/// The days a household's benefit runs: from its start, to its end if it has exited
/// (both inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BenefitPeriod {
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

impl BenefitPeriod {
    /// Whether the household is due a payment for `month`: the period covers any day of it.
    pub fn covers(&self, month: Month) -> bool {
        self.start <= month.last_day() && self.end.is_none_or(|end| end >= month.first_day())
    }
}

/// Approval on a day starts the benefit on the first day of the next month (rules.md §1.5).
pub fn benefit_start_after_approval(approved_on: NaiveDate) -> Option<NaiveDate> {
    Month::of(approved_on).next().map(Month::first_day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn yuan(y: i64) -> Fen {
        Fen::from_fen(y * 100)
    }

    fn standards() -> StandardTable {
        let row = |program, area, from: &str, y| Standard {
            program,
            area,
            effective_from: d(from),
            amount: yuan(y),
            citation: "test".into(),
        };
        StandardTable::new(vec![
            row(Program::Dibao, Area::Urban, "2012-01-01", 350),
            row(Program::Dibao, Area::Urban, "2013-01-01", 385),
            row(Program::Dibao, Area::Rural, "2013-01-01", 385),
            row(Program::TekunDispersed, Area::Rural, "2013-01-01", 700),
            row(Program::TekunDispersed, Area::Urban, "2013-01-01", 1200),
        ])
        .unwrap()
    }

    fn policies() -> PolicyTable {
        PolicyTable::new(vec![ClassifiedPolicy::default_2013()]).unwrap()
    }

    fn member(birth: &str) -> MemberFacts {
        MemberFacts {
            birth_date: d(birth),
            disability_grade: 0,
            severe_illness: false,
            self_care: None,
        }
    }

    fn dibao(income_yuan: i64, members: Vec<MemberFacts>) -> HouseholdFacts {
        HouseholdFacts {
            program: Program::Dibao,
            area: Area::Urban,
            income_per_capita: yuan(income_yuan),
            members,
        }
    }

    fn month(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    #[test]
    fn the_rules_md_worked_example_pays_555_yuan() {
        // Standard 385, three members, 200 per head: (385 − 200) × 3 = 555.
        let h = dibao(
            200,
            vec![
                member("1980-05-01"),
                member("1982-03-01"),
                member("2005-09-01"),
            ],
        );
        let b = monthly_benefit(
            &h,
            month("2013-03"),
            &standards(),
            &PolicyTable::default(),
            &[],
        )
        .unwrap();
        assert_eq!(
            (b.standard, b.base, b.total),
            (yuan(385), yuan(555), yuan(555))
        );
    }

    #[test]
    fn the_standard_is_the_one_in_force_on_the_first_day() {
        let h = dibao(0, vec![member("1980-05-01")]);
        let t = standards();
        let dec = monthly_benefit(&h, month("2012-12"), &t, &PolicyTable::default(), &[]).unwrap();
        let jan = monthly_benefit(&h, month("2013-01"), &t, &PolicyTable::default(), &[]).unwrap();
        assert_eq!((dec.standard, jan.standard), (yuan(350), yuan(385)));
        let none = monthly_benefit(&h, month("2011-12"), &t, &PolicyTable::default(), &[]);
        assert_eq!(none.unwrap_err().code(), "assistance.no_standard");
    }

    #[test]
    fn each_member_gets_the_largest_increment_only() {
        let mut old_and_ill = member("1950-01-01");
        old_and_ill.severe_illness = true;
        let mut disabled = member("1990-01-01");
        disabled.disability_grade = 2;
        let mut mild = member("1990-01-01");
        mild.disability_grade = 3;
        let h = dibao(385, vec![old_and_ill, disabled, mild]);
        let b = monthly_benefit(&h, month("2013-06"), &standards(), &policies(), &[]).unwrap();
        // Base 0 (income equals the standard), yet increments are paid.
        assert_eq!(b.base, Fen::ZERO);
        // 15 % of 385 = 57.75; 20 % = 77.00; grade 3 gets nothing.
        assert_eq!(
            b.increments,
            [Fen::from_fen(5775), Fen::from_fen(7700), Fen::ZERO]
        );
        assert_eq!(b.total, Fen::from_fen(5775 + 7700));
    }

    #[test]
    fn the_sixtieth_birthday_counts_from_the_month_it_falls_on_the_first_day() {
        let p = policies();
        let on_first = dibao(385, vec![member("1953-06-01")]);
        let b = monthly_benefit(&on_first, month("2013-06"), &standards(), &p, &[]).unwrap();
        assert_eq!(b.increments, [Fen::from_fen(3850)]);
        let on_second = dibao(385, vec![member("1953-06-02")]);
        let b = monthly_benefit(&on_second, month("2013-06"), &standards(), &p, &[]).unwrap();
        assert_eq!(b.increments, [Fen::ZERO]);
        let b = monthly_benefit(&on_second, month("2013-07"), &standards(), &p, &[]).unwrap();
        assert_eq!(b.increments, [Fen::from_fen(3850)]);
    }

    #[test]
    fn destitute_support_ignores_income_and_adds_care() {
        let mut bedridden = member("1940-01-01");
        bedridden.self_care = Some(SelfCare::FullyUnable);
        let h = HouseholdFacts {
            program: Program::TekunDispersed,
            area: Area::Rural,
            income_per_capita: yuan(5000),
            members: vec![bedridden],
        };
        let care = [CareStandard {
            area: Area::Rural,
            level: SelfCare::FullyUnable,
            effective_from: d("2013-01-01"),
            amount: yuan(300),
        }];
        let b = monthly_benefit(&h, month("2013-02"), &standards(), &policies(), &care).unwrap();
        assert_eq!(
            (b.base, b.care.clone(), b.total),
            (yuan(700), vec![yuan(300)], yuan(1000))
        );
        let no_care =
            monthly_benefit(&h, month("2013-02"), &standards(), &policies(), &[]).unwrap();
        assert_eq!(no_care.total, yuan(700));
    }

    #[test]
    fn margin_households_and_empty_households_are_refused() {
        let mut h = dibao(100, vec![member("1980-01-01")]);
        h.program = Program::DibaoMargin;
        let e = monthly_benefit(&h, month("2013-02"), &standards(), &policies(), &[]).unwrap_err();
        assert_eq!(e.code(), "assistance.no_monthly_cash");
        let empty = dibao(100, vec![]);
        let e =
            monthly_benefit(&empty, month("2013-02"), &standards(), &policies(), &[]).unwrap_err();
        assert_eq!(e, AssistanceError::NoMembers);
    }

    #[test]
    fn tables_refuse_duplicates_and_nonsense() {
        let twice = Standard {
            program: Program::Dibao,
            area: Area::Urban,
            effective_from: d("2013-01-01"),
            amount: yuan(385),
            citation: String::new(),
        };
        let e = StandardTable::new(vec![twice.clone(), twice]).unwrap_err();
        assert_eq!(e.code(), "assistance.duplicate_standard");
        let mut p = ClassifiedPolicy::default_2013();
        p.rules[0].pct = 150;
        assert_eq!(
            PolicyTable::new(vec![p]).unwrap_err().code(),
            "assistance.percent_too_large"
        );
    }

    #[test]
    fn the_benefit_period_covers_months_it_touches() {
        let p = BenefitPeriod {
            start: d("2013-01-15"),
            end: Some(d("2013-03-01")),
        };
        assert!(!p.covers(month("2012-12")));
        assert!(p.covers(month("2013-01")));
        assert!(p.covers(month("2013-03")));
        assert!(!p.covers(month("2013-04")));
        let open = BenefitPeriod {
            start: d("2013-01-01"),
            end: None,
        };
        assert!(open.covers(month("2030-01")));
        assert_eq!(
            benefit_start_after_approval(d("2013-01-31")),
            Some(d("2013-02-01"))
        );
        assert_eq!(
            benefit_start_after_approval(d("2013-12-05")),
            Some(d("2014-01-01"))
        );
    }

    #[test]
    fn programme_codes_round_trip() {
        for p in Program::ALL {
            assert_eq!(p.as_str().parse::<Program>(), Ok(p));
        }
        assert_eq!(
            "wubao".parse::<Program>().unwrap_err().code(),
            "assistance.unknown_program"
        );
        assert_eq!(SelfCare::from_activities_not_achieved(0), SelfCare::Capable);
        assert_eq!(
            SelfCare::from_activities_not_achieved(3),
            SelfCare::PartlyUnable
        );
        assert_eq!(
            SelfCare::from_activities_not_achieved(4),
            SelfCare::FullyUnable
        );
    }

    fn any_member() -> impl Strategy<Value = MemberFacts> {
        (1930i32..2012, 1u32..=12, 1u32..=28, 0u8..=4, any::<bool>()).prop_map(
            |(y, m, day, g, ill)| MemberFacts {
                birth_date: NaiveDate::from_ymd_opt(y, m, day).unwrap(),
                disability_grade: g,
                severe_illness: ill,
                self_care: None,
            },
        )
    }

    proptest! {
        #[test]
        fn never_negative_and_increments_capped(
            income in -100_000i64..200_000,
            members in prop::collection::vec(any_member(), 1..8),
            m in 1u32..=12,
        ) {
            let h = HouseholdFacts { program: Program::Dibao, area: Area::Urban, income_per_capita: Fen::from_fen(income), members };
            let b = monthly_benefit(&h, Month::new(2013, m).unwrap(), &standards(), &policies(), &[]).unwrap();
            prop_assert!(!b.total.is_negative());
            prop_assert!(!b.base.is_negative());
            prop_assert_eq!(b.increments.len(), h.members.len());
            // At most one increment per member: never more than the largest rule's share.
            let cap = b.standard.percent_floor(20).unwrap();
            prop_assert!(b.increments.iter().all(|i| !i.is_negative() && *i <= cap));
            let sum = Fen::checked_sum(b.increments.iter().copied()).unwrap();
            prop_assert_eq!(b.total, b.base.checked_add(sum).unwrap());
        }

        #[test]
        fn more_income_never_pays_more(
            low in 0i64..100_000,
            extra in 0i64..100_000,
            members in prop::collection::vec(any_member(), 1..6),
        ) {
            let poorer = HouseholdFacts { program: Program::Dibao, area: Area::Urban, income_per_capita: Fen::from_fen(low), members };
            let richer = HouseholdFacts { income_per_capita: Fen::from_fen(low + extra), ..poorer.clone() };
            let month = Month::new(2013, 6).unwrap();
            let a = monthly_benefit(&poorer, month, &standards(), &policies(), &[]).unwrap();
            let b = monthly_benefit(&richer, month, &standards(), &policies(), &[]).unwrap();
            prop_assert!(b.total <= a.total);
            prop_assert_eq!(a.increments, b.increments);
        }
    }
}
