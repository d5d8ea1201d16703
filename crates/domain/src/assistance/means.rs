//! The household economic-status check (家庭经济状况核对) as a worksheet: income items by
//! the four statistical categories with the exempt ones marked, and property items, giving
//! the assessed monthly per-capita income and the property findings (rules.md §1.4).
//!
//! - Countable income is the sum of the monthly items that are not exempt. Exempt items
//!   (优抚金, social assistance, the basic resident pension, items a higher government
//!   designates) are recorded and shown, never counted.
//! - The job-cost deduction is `floor(wage income × pct / 100)` of the countable wage items.
//!   The percentage is local (10 % in the Xing'an League rules; the national method is
//!   UNCONFIRMED), so it is policy data, as is every property threshold.
//! - Per-capita income is `floor(max(0, countable − job cost) / members)`: the floor never
//!   rounds an income down into eligibility by more than a fen per person.
//! - Property findings are reasons for the officer to look again (a car, a business, too many
//!   homes, financial assets above N months of the standard per person). They do not decide
//!   the case by themselves: property needed for production or daily life may be exempted,
//!   which the worksheet records per item.

use std::fmt;
use std::str::FromStr;

use crate::Fen;

/// The most items one worksheet may hold, of each kind.
pub const MAX_ITEMS: usize = 50;

/// The four income categories of the national statistics (工资性、经营净、财产净、转移净收入).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IncomeCategory {
    Wage,
    Business,
    Property,
    Transfer,
}

/// Why an income item is not counted (rules.md §1.4, "excluded from income").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Exemption {
    /// 优待抚恤金, family-planning awards, scholarships, 见义勇为 awards.
    Preferential,
    /// Social-assistance cash and goods paid by government.
    Assistance,
    /// The basic pension of the urban-rural residents' scheme (十四五 period).
    BasicPension,
    /// Items a prefecture-level or higher government designates.
    Designated,
}

/// Kinds of property (家庭财产).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AssetKind {
    /// 存款.
    Deposits,
    /// 有价证券、基金.
    Securities,
    /// 商业保险.
    Insurance,
    /// Claims, internet financial assets and other financial property.
    OtherFinancial,
    /// 机动车辆.
    Vehicle,
    /// Enterprises, individual businesses, cooperatives the household owns or runs.
    Business,
    /// 房产 (count = homes).
    RealEstate,
    /// Large farm machinery, commercial vessels.
    Machinery,
}

macro_rules! codes {
    ($ty:ident { $($variant:ident => $code:literal),+ $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The data code stored and sent through forms and the API.
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $code),+ }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $ty {
            type Err = ();

            fn from_str(s: &str) -> Result<Self, ()> {
                $ty::ALL.iter().copied().find(|v| v.as_str() == s.trim()).ok_or(())
            }
        }
    };
}

codes!(IncomeCategory { Wage => "wage", Business => "business", Property => "property", Transfer => "transfer" });
codes!(Exemption {
    Preferential => "preferential",
    Assistance => "assistance",
    BasicPension => "basic_pension",
    Designated => "designated",
});
codes!(AssetKind {
    Deposits => "deposits",
    Securities => "securities",
    Insurance => "insurance",
    OtherFinancial => "other_financial",
    Vehicle => "vehicle",
    Business => "business",
    RealEstate => "real_estate",
    Machinery => "machinery",
});

impl AssetKind {
    /// Financial assets are summed and compared with the standard; the others are counted.
    pub fn is_financial(self) -> bool {
        matches!(
            self,
            AssetKind::Deposits
                | AssetKind::Securities
                | AssetKind::Insurance
                | AssetKind::OtherFinancial
        )
    }
}

/// One monthly income of the household or of one member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomeItem {
    /// The member it belongs to (a member id of the household), if it is one person's.
    pub member: Option<i64>,
    pub category: IncomeCategory,
    /// Monthly amount (yearly incomes are entered divided by 12).
    pub monthly: Fen,
    pub exemption: Option<Exemption>,
    pub note: String,
}

/// One property item of the household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyItem {
    pub kind: AssetKind,
    /// Value (financial assets: the balance; others: the estimate, may be 0).
    pub value: Fen,
    /// How many (homes, vehicles, businesses); at least 1.
    pub count: u32,
    /// Needed to keep production or daily life going (a disabled person's vehicle, the
    /// only home): recorded, not counted.
    pub exempt: bool,
    pub note: String,
}

/// What the officer enters: every income and property item found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Worksheet {
    pub income: Vec<IncomeItem>,
    pub property: Vec<PropertyItem>,
}

/// The local thresholds of the check; every one is policy data (rules.md §1.4: "every
/// threshold is local and must be configurable"). The defaults are the values of the
/// local rules quoted there, not national law.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeansPolicy {
    /// Job-cost deduction as a percentage of wage income (Xing'an League: 10).
    pub job_cost_pct: u32,
    /// Per-capita financial assets above this many months of the 低保 standard are a
    /// finding (a common local rule is 24).
    pub financial_assets_months: u32,
    /// More homes than this are a finding (Guanyun county: 2).
    pub max_homes: u32,
    /// A non-exempt vehicle is a finding.
    pub vehicle_is_finding: bool,
    /// A non-exempt business registration is a finding.
    pub business_is_finding: bool,
    /// Non-exempt large machinery or a commercial vessel is a finding.
    pub machinery_is_finding: bool,
}

impl Default for MeansPolicy {
    fn default() -> Self {
        Self {
            job_cost_pct: 10,
            financial_assets_months: 24,
            max_homes: 2,
            vehicle_is_finding: true,
            business_is_finding: true,
            machinery_is_finding: true,
        }
    }
}

/// A property fact that speaks against eligibility, for the officer to look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PropertyFinding {
    FinancialAssets { per_capita: Fen, limit: Fen },
    Vehicles { count: u32 },
    Businesses { count: u32 },
    Homes { count: u32, max: u32 },
    Machinery { count: u32 },
}

impl PropertyFinding {
    pub fn code(&self) -> &'static str {
        match self {
            PropertyFinding::FinancialAssets { .. } => "means.finding_financial_assets",
            PropertyFinding::Vehicles { .. } => "means.finding_vehicles",
            PropertyFinding::Businesses { .. } => "means.finding_businesses",
            PropertyFinding::Homes { .. } => "means.finding_homes",
            PropertyFinding::Machinery { .. } => "means.finding_machinery",
        }
    }

    /// The figures a message shows, e.g. `"12000.00 / 9240.00"` or `"3 / 2"`.
    pub fn detail(&self) -> String {
        match self {
            PropertyFinding::FinancialAssets { per_capita, limit } => {
                format!("{} / {}", per_capita.yuan(), limit.yuan())
            }
            PropertyFinding::Homes { count, max } => format!("{count} / {max}"),
            PropertyFinding::Vehicles { count }
            | PropertyFinding::Businesses { count }
            | PropertyFinding::Machinery { count } => count.to_string(),
        }
    }
}

/// The result of a worksheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    /// Monthly income that counts, before the job-cost deduction.
    pub countable: Fen,
    /// Monthly income recorded as exempt.
    pub exempt: Fen,
    pub job_cost: Fen,
    /// The assessed monthly per-capita income (月人均收入) the benefit uses.
    pub per_capita: Fen,
    /// Non-exempt financial assets of the household.
    pub financial_assets: Fen,
    pub findings: Vec<PropertyFinding>,
}

/// A worksheet that cannot be assessed. `row` is 1-based within its list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MeansError {
    #[error("income row {row}: the amount is negative")]
    NegativeIncome { row: usize },
    #[error("property row {row}: the value is negative")]
    NegativeValue { row: usize },
    #[error("property row {row}: the count must be at least 1")]
    ZeroCount { row: usize },
    #[error("more than {MAX_ITEMS} items")]
    TooManyItems,
    #[error("a household needs at least one member")]
    NoMembers,
    #[error("the amounts overflow")]
    Overflow,
}

impl MeansError {
    pub fn code(&self) -> &'static str {
        match self {
            MeansError::NegativeIncome { .. } => "means.income_negative",
            MeansError::NegativeValue { .. } => "means.value_negative",
            MeansError::ZeroCount { .. } => "means.count_zero",
            MeansError::TooManyItems => "means.too_many_items",
            MeansError::NoMembers => "assistance.no_members",
            MeansError::Overflow => "assistance.overflow",
        }
    }
}

/// Assesses a worksheet for a household of `members` persons against the 低保 standard in
/// force (`standard`, per person per month), which scales the financial-assets threshold.
pub fn assess(
    sheet: &Worksheet,
    members: u32,
    standard: Fen,
    policy: &MeansPolicy,
) -> Result<Assessment, MeansError> {
    if sheet.income.len() > MAX_ITEMS || sheet.property.len() > MAX_ITEMS {
        return Err(MeansError::TooManyItems);
    }
    if members == 0 {
        return Err(MeansError::NoMembers);
    }
    for (i, item) in sheet.income.iter().enumerate() {
        if item.monthly.is_negative() {
            return Err(MeansError::NegativeIncome { row: i + 1 });
        }
    }
    for (i, item) in sheet.property.iter().enumerate() {
        if item.value.is_negative() {
            return Err(MeansError::NegativeValue { row: i + 1 });
        }
        if item.count == 0 {
            return Err(MeansError::ZeroCount { row: i + 1 });
        }
    }
    let sum = |it: &mut dyn Iterator<Item = Fen>| Fen::checked_sum(it).ok_or(MeansError::Overflow);
    let counted = |i: &&IncomeItem| i.exemption.is_none();
    let countable = sum(&mut sheet.income.iter().filter(counted).map(|i| i.monthly))?;
    let exempt = sum(&mut sheet
        .income
        .iter()
        .filter(|i| i.exemption.is_some())
        .map(|i| i.monthly))?;
    let wages = sum(&mut sheet
        .income
        .iter()
        .filter(counted)
        .filter(|i| i.category == IncomeCategory::Wage)
        .map(|i| i.monthly))?;
    let job_cost = wages
        .percent_floor(policy.job_cost_pct.min(100))
        .ok_or(MeansError::Overflow)?;
    let net = countable
        .checked_sub(job_cost)
        .ok_or(MeansError::Overflow)?
        .max(Fen::ZERO);
    let per_capita = Fen::from_fen(net.as_fen() / i64::from(members));

    let held = |kind: AssetKind| -> u32 {
        sheet
            .property
            .iter()
            .filter(|p| p.kind == kind && !p.exempt)
            .fold(0u32, |n, p| n.saturating_add(p.count))
    };
    let financial_assets = sum(&mut sheet
        .property
        .iter()
        .filter(|p| p.kind.is_financial() && !p.exempt)
        .map(|p| p.value))?;
    let mut findings = Vec::new();
    let limit = standard
        .checked_mul(i64::from(policy.financial_assets_months))
        .ok_or(MeansError::Overflow)?;
    let assets_per_capita = Fen::from_fen(financial_assets.as_fen() / i64::from(members));
    if policy.financial_assets_months > 0 && assets_per_capita > limit {
        findings.push(PropertyFinding::FinancialAssets {
            per_capita: assets_per_capita,
            limit,
        });
    }
    let vehicles = held(AssetKind::Vehicle);
    if policy.vehicle_is_finding && vehicles > 0 {
        findings.push(PropertyFinding::Vehicles { count: vehicles });
    }
    let businesses = held(AssetKind::Business);
    if policy.business_is_finding && businesses > 0 {
        findings.push(PropertyFinding::Businesses { count: businesses });
    }
    let homes = held(AssetKind::RealEstate);
    if homes > policy.max_homes {
        findings.push(PropertyFinding::Homes {
            count: homes,
            max: policy.max_homes,
        });
    }
    let machinery = held(AssetKind::Machinery);
    if policy.machinery_is_finding && machinery > 0 {
        findings.push(PropertyFinding::Machinery { count: machinery });
    }
    Ok(Assessment {
        countable,
        exempt,
        job_cost,
        per_capita,
        financial_assets,
        findings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn yuan(y: i64) -> Fen {
        Fen::from_fen(y * 100)
    }

    fn income(category: IncomeCategory, y: i64, exemption: Option<Exemption>) -> IncomeItem {
        IncomeItem {
            member: None,
            category,
            monthly: yuan(y),
            exemption,
            note: String::new(),
        }
    }

    fn property(kind: AssetKind, y: i64, count: u32, exempt: bool) -> PropertyItem {
        PropertyItem {
            kind,
            value: yuan(y),
            count,
            exempt,
            note: String::new(),
        }
    }

    #[test]
    fn exempt_items_are_shown_not_counted_and_wages_pay_the_job_cost() {
        let sheet = Worksheet {
            income: vec![
                income(IncomeCategory::Wage, 1000, None),
                income(IncomeCategory::Transfer, 300, Some(Exemption::Preferential)),
                income(IncomeCategory::Transfer, 55, Some(Exemption::BasicPension)),
                income(IncomeCategory::Property, 100, None),
            ],
            property: vec![],
        };
        let a = assess(&sheet, 3, yuan(385), &MeansPolicy::default()).unwrap();
        assert_eq!(a.countable, yuan(1100));
        assert_eq!(a.exempt, yuan(355));
        assert_eq!(a.job_cost, yuan(100));
        // (1100 − 100) / 3 = 333.33… → 333.33 (floor in fen).
        assert_eq!(a.per_capita, Fen::from_fen(33_333));
        assert!(a.findings.is_empty());
    }

    #[test]
    fn property_findings_follow_the_policy_and_respect_exempt_items() {
        let sheet = Worksheet {
            income: vec![],
            property: vec![
                property(AssetKind::Deposits, 10_000, 1, false),
                property(AssetKind::Securities, 9_000, 1, false),
                property(AssetKind::Vehicle, 20_000, 1, true),
                property(AssetKind::RealEstate, 0, 3, false),
                property(AssetKind::Business, 0, 1, false),
            ],
        };
        let policy = MeansPolicy::default();
        let a = assess(&sheet, 2, yuan(385), &policy).unwrap();
        // 19,000 / 2 = 9,500 > 24 × 385 = 9,240.
        assert_eq!(
            a.findings,
            vec![
                PropertyFinding::FinancialAssets {
                    per_capita: yuan(9_500),
                    limit: yuan(9_240)
                },
                PropertyFinding::Businesses { count: 1 },
                PropertyFinding::Homes { count: 3, max: 2 },
            ]
        );
        assert_eq!(a.findings[0].detail(), "9500.00 / 9240.00");
        // The exempt vehicle is no finding; a second, non-exempt one is.
        let mut more = sheet;
        more.property
            .push(property(AssetKind::Vehicle, 5_000, 1, false));
        let relaxed = MeansPolicy {
            financial_assets_months: 36,
            max_homes: 3,
            business_is_finding: false,
            ..policy
        };
        let b = assess(&more, 2, yuan(385), &relaxed).unwrap();
        assert_eq!(b.findings, vec![PropertyFinding::Vehicles { count: 1 }]);
    }

    #[test]
    fn bad_rows_are_named() {
        let mut sheet = Worksheet::default();
        sheet.income.push(income(IncomeCategory::Wage, 10, None));
        sheet.income.push(income(IncomeCategory::Wage, -1, None));
        let e = assess(&sheet, 1, yuan(385), &MeansPolicy::default()).unwrap_err();
        assert_eq!(e, MeansError::NegativeIncome { row: 2 });
        assert_eq!(e.code(), "means.income_negative");
        let sheet = Worksheet {
            income: vec![],
            property: vec![property(AssetKind::RealEstate, 0, 0, false)],
        };
        assert_eq!(
            assess(&sheet, 1, yuan(385), &MeansPolicy::default()),
            Err(MeansError::ZeroCount { row: 1 })
        );
        assert_eq!(
            assess(&Worksheet::default(), 0, yuan(385), &MeansPolicy::default()),
            Err(MeansError::NoMembers)
        );
    }

    #[test]
    fn codes_round_trip() {
        for c in IncomeCategory::ALL {
            assert_eq!(c.as_str().parse::<IncomeCategory>(), Ok(*c));
        }
        for e in Exemption::ALL {
            assert_eq!(e.as_str().parse::<Exemption>(), Ok(*e));
        }
        for k in AssetKind::ALL {
            assert_eq!(k.as_str().parse::<AssetKind>(), Ok(*k));
        }
        assert!("salary".parse::<IncomeCategory>().is_err());
    }

    fn arb_item() -> impl Strategy<Value = IncomeItem> {
        (0usize..4, 0i64..1_000_000, proptest::option::of(0usize..4)).prop_map(|(c, fen, ex)| {
            IncomeItem {
                member: None,
                category: IncomeCategory::ALL[c],
                monthly: Fen::from_fen(fen),
                exemption: ex.map(|e| Exemption::ALL[e]),
                note: String::new(),
            }
        })
    }

    proptest! {
        #[test]
        fn per_capita_is_never_negative_and_never_above_the_countable_share(
            items in proptest::collection::vec(arb_item(), 0..20),
            members in 1u32..12,
            pct in 0u32..150,
        ) {
            let sheet = Worksheet { income: items, property: vec![] };
            let policy = MeansPolicy { job_cost_pct: pct, ..MeansPolicy::default() };
            let a = assess(&sheet, members, Fen::from_fen(38_500), &policy).unwrap();
            prop_assert!(!a.per_capita.is_negative());
            prop_assert!(a.per_capita.as_fen() * i64::from(members) <= a.countable.as_fen());
        }

        #[test]
        fn an_exempt_item_never_raises_the_income(
            items in proptest::collection::vec(arb_item(), 0..20),
            extra in 0i64..1_000_000,
            members in 1u32..12,
        ) {
            let sheet = Worksheet { income: items, property: vec![] };
            let mut more = sheet.clone();
            more.income.push(IncomeItem {
                member: None,
                category: IncomeCategory::Transfer,
                monthly: Fen::from_fen(extra),
                exemption: Some(Exemption::Assistance),
                note: String::new(),
            });
            let policy = MeansPolicy::default();
            let a = assess(&sheet, members, Fen::from_fen(38_500), &policy).unwrap();
            let b = assess(&more, members, Fen::from_fen(38_500), &policy).unwrap();
            prop_assert_eq!(a.per_capita, b.per_capita);
        }

        #[test]
        fn more_countable_income_never_lowers_the_per_capita_income(
            items in proptest::collection::vec(arb_item(), 0..20),
            extra in 0i64..1_000_000,
            c in 0usize..4,
            members in 1u32..12,
        ) {
            let sheet = Worksheet { income: items, property: vec![] };
            let mut more = sheet.clone();
            more.income.push(IncomeItem {
                member: None,
                category: IncomeCategory::ALL[c],
                monthly: Fen::from_fen(extra),
                exemption: None,
                note: String::new(),
            });
            let policy = MeansPolicy::default();
            let a = assess(&sheet, members, Fen::from_fen(38_500), &policy).unwrap();
            let b = assess(&more, members, Fen::from_fen(38_500), &policy).unwrap();
            prop_assert!(b.per_capita >= a.per_capita);
        }
    }
}
