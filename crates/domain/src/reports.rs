//! Reports (统计与总结, issue 6): the registry of indicators, the period a report covers, and
//! the canonical text a stored report is hashed over.
//!
//! An indicator is a figure of the bureau's half-year summary (`seed-figures.md`) with a
//! code, labels, a kind and a unit, and ONE definition: a [`Measure`] (what the store counts
//! or sums) over a set of programmes and, where the document splits them, an area. The
//! store has one query per measure, used both for the figure and for its drill-down list,
//! so the list always adds up to the figure. A new business line adds its measures to the
//! store and its rows to [`INDICATORS`].
//!
//! Decisions (see ARCHITECTURE.md, "Reports"):
//! * 五保 is rural destitute support and 三无 urban destitute support (特困, the household's
//!   area), dispersed and centralised together: the document gives one figure for each.
//! * Money paid "in the half year" (上半年共发放) is every ledger entry *paid in* a month of
//!   the period (`paid_in`), regular payments, arrears, recoveries and corrections alike:
//!   money that left the bureau in the period, whatever month it was for.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use sha2::{Digest, Sha256};

use crate::{Fen, Line};

/// How an indicator relates to time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A count on a date (the period's last day).
    Stock,
    /// A sum over the period.
    Flow,
    /// A recorded value in force on a date (a standard).
    Fact,
    /// One figure over another.
    Rate,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Stock => "stock",
            Kind::Flow => "flow",
            Kind::Fact => "fact",
            Kind::Rate => "rate",
        }
    }
}

/// What a figure counts, and how it is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// 户.
    Households,
    /// 人.
    Persons,
    /// Fen, shown in 万元 with four decimals, as the document does.
    Wan,
    /// Fen per person and month, shown in 元/人/月.
    YuanPerPersonMonth,
    /// 次: things done (screenings, visits), counted.
    Times,
    /// 项: rules in force (standards), counted.
    Items,
    /// Hundredths of a percent (10000 = 100 %), shown as the document does (`100`, `98.37`).
    Percent,
}

impl Unit {
    pub fn zh(self) -> &'static str {
        match self {
            Unit::Households => "户",
            Unit::Persons => "人",
            Unit::Wan => "万元",
            Unit::YuanPerPersonMonth => "元/人/月",
            Unit::Times => "次",
            Unit::Items => "项",
            Unit::Percent => "%",
        }
    }

    /// The figure as the document writes it: a count, 万元 with four decimals, or whole
    /// yuan when the standard has no fen.
    pub fn format(self, value: i64) -> String {
        match self {
            Unit::Households | Unit::Persons | Unit::Times | Unit::Items => value.to_string(),
            Unit::Percent if value % 100 == 0 => (value / 100).to_string(),
            Unit::Percent => format!("{}.{:02}", value / 100, (value % 100).abs()),
            Unit::Wan => Fen::from_fen(value).wan(),
            Unit::YuanPerPersonMonth => {
                if value % 100 == 0 {
                    (value / 100).to_string()
                } else {
                    Fen::from_fen(value).yuan()
                }
            }
        }
    }

    /// Money units sum fen; the others count records.
    pub fn is_money(self) -> bool {
        matches!(self, Unit::Wan | Unit::YuanPerPersonMonth)
    }
}

/// The store query that defines an indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Households whose benefit covers the date (started, not ended, not suspended).
    Households,
    /// The current members on the date of those households.
    Persons,
    /// Ledger entries paid in the period's months (approved runs and corrections).
    Paid,
    /// The standard in force on the date (per person and month).
    Standard,
    /// Veterans' entitlements (优抚对象) of the categories in `programs`, certified by the
    /// date and active on it (not suspended or ended by then).
    Entitled,
    /// Condolence-campaign visits (走访慰问) to the beneficiary kinds in `programs` made in
    /// the period's months: money and valued goods.
    Visited,
    /// Discharged soldiers received (reported in) in the period's months, with the training
    /// choices in `programs`.
    Received,
    /// Veterans' hardship grants of the kinds in `programs` approved in the period's months.
    Hardship,
    /// Leader–veteran liaison pairings (联系户) started in the period's months for the
    /// reasons in `programs` (`domain::veterans::liaison::PairingReason`).
    Liaison,
    /// Petition-case follow-ups (信访) of the kinds in `programs`
    /// (`domain::veterans::petitions::FollowupKind`) made in the period's months.
    Followups,
    /// Veterans' standards (优抚标准) of every category raised with effect in the period's
    /// months: a key with no standard before, or a yearly amount above the one before.
    /// Standards are district-wide; `programs` is unused.
    StandardsRaised,
    /// The households entitled to the holiday payments (优待金) payable in the period's months,
    /// one record per holiday and household with the money its entries paid (net): the
    /// denominator of the coverage rate, and the paid among them its numerator.
    HolidayEntitled,
    /// The paid among [`Measure::HolidayEntitled`]'s records: households, once each per
    /// holiday however many entries (reversals, replacements) paid them.
    HolidayPaid,
}

/// One named figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Indicator {
    pub code: &'static str,
    /// The seed figure it reproduces (`A1`…), for the reader of the code.
    pub figure: &'static str,
    /// The business line whose records it counts: its dashboard shows it.
    pub line: Line,
    pub zh: &'static str,
    pub en: &'static str,
    pub kind: Kind,
    pub unit: Unit,
    pub measure: Measure,
    /// Programme codes (cases.program, payroll_ledger.program) it covers; for
    /// [`Measure::Entitled`] veterans' category codes, for [`Measure::Visited`] beneficiary
    /// kinds.
    pub programs: &'static [&'static str],
    /// `urban` or `rural` when the document splits by area.
    pub area: Option<&'static str>,
}

const DIBAO: &[&str] = &["dibao"];
const TEKUN: &[&str] = &["tekun_dispersed", "tekun_centralized"];
const HARDSHIP_ALL: &[&str] = &[
    "housing",
    "medical",
    "schooling",
    "living",
    "employment",
    "other",
];
const VISITED_ALL: &[&str] = &[
    "assistance_household",
    "entitled_person",
    "troop_unit",
    "elderly_home",
];

/// Every indicator, in the order the report shows them.
pub const INDICATORS: &[Indicator] = &[
    Indicator {
        code: "dibao.households",
        figure: "A1",
        line: Line::Assistance,
        zh: "低保户数",
        en: "Minimum living guarantee: households",
        kind: Kind::Stock,
        unit: Unit::Households,
        measure: Measure::Households,
        programs: DIBAO,
        area: None,
    },
    Indicator {
        code: "dibao.persons",
        figure: "A1",
        line: Line::Assistance,
        zh: "低保人数",
        en: "Minimum living guarantee: persons",
        kind: Kind::Stock,
        unit: Unit::Persons,
        measure: Measure::Persons,
        programs: DIBAO,
        area: None,
    },
    Indicator {
        code: "dibao.paid",
        figure: "A2",
        line: Line::Assistance,
        zh: "发放低保金",
        en: "Minimum living guarantee: paid",
        kind: Kind::Flow,
        unit: Unit::Wan,
        measure: Measure::Paid,
        programs: DIBAO,
        area: None,
    },
    Indicator {
        code: "dibao.standard_urban",
        figure: "A3",
        line: Line::Assistance,
        zh: "城市低保标准",
        en: "Minimum living guarantee standard, urban",
        kind: Kind::Fact,
        unit: Unit::YuanPerPersonMonth,
        measure: Measure::Standard,
        programs: DIBAO,
        area: Some("urban"),
    },
    Indicator {
        code: "dibao.standard_rural",
        figure: "A3",
        line: Line::Assistance,
        zh: "农村低保标准",
        en: "Minimum living guarantee standard, rural",
        kind: Kind::Fact,
        unit: Unit::YuanPerPersonMonth,
        measure: Measure::Standard,
        programs: DIBAO,
        area: Some("rural"),
    },
    Indicator {
        code: "tekun_rural.persons",
        figure: "A7",
        line: Line::Assistance,
        zh: "农村五保人数",
        en: "Rural destitute support (five guarantees): persons",
        kind: Kind::Stock,
        unit: Unit::Persons,
        measure: Measure::Persons,
        programs: TEKUN,
        area: Some("rural"),
    },
    Indicator {
        code: "tekun_rural.paid",
        figure: "A7",
        line: Line::Assistance,
        zh: "五保供养经费",
        en: "Rural destitute support: paid",
        kind: Kind::Flow,
        unit: Unit::Wan,
        measure: Measure::Paid,
        programs: TEKUN,
        area: Some("rural"),
    },
    Indicator {
        code: "tekun_rural.standard",
        figure: "A7",
        line: Line::Assistance,
        zh: "五保供养标准",
        en: "Rural destitute support standard",
        kind: Kind::Fact,
        unit: Unit::YuanPerPersonMonth,
        measure: Measure::Standard,
        // The dispersed standard: the document states one, and the demo sets both alike.
        programs: &["tekun_dispersed"],
        area: Some("rural"),
    },
    Indicator {
        code: "tekun_urban.persons",
        figure: "A8",
        line: Line::Assistance,
        zh: "城镇三无人员人数",
        en: "Urban destitute support (three-no): persons",
        kind: Kind::Stock,
        unit: Unit::Persons,
        measure: Measure::Persons,
        programs: TEKUN,
        area: Some("urban"),
    },
    Indicator {
        code: "tekun_urban.paid",
        figure: "A8",
        line: Line::Assistance,
        zh: "三无人员供养经费",
        en: "Urban destitute support: paid",
        kind: Kind::Flow,
        unit: Unit::Wan,
        measure: Measure::Paid,
        programs: TEKUN,
        area: Some("urban"),
    },
    Indicator {
        code: "tekun_urban.standard",
        figure: "A8",
        line: Line::Assistance,
        zh: "三无人员供养标准",
        en: "Urban destitute support standard",
        kind: Kind::Fact,
        unit: Unit::YuanPerPersonMonth,
        measure: Measure::Standard,
        programs: &["tekun_dispersed"],
        area: Some("urban"),
    },
    Indicator {
        code: "campaigns.given",
        figure: "A11",
        line: Line::Campaigns,
        zh: "走访慰问发放款物",
        en: "Condolence visits: money and goods given",
        kind: Kind::Flow,
        unit: Unit::Wan,
        measure: Measure::Visited,
        programs: VISITED_ALL,
        area: None,
    },
    Indicator {
        code: "veterans.standards_raised",
        figure: "V1",
        line: Line::Veterans,
        zh: "提高优抚对象抚恤补助标准",
        en: "Veterans' pension and subsidy standards raised",
        kind: Kind::Fact,
        unit: Unit::Items,
        measure: Measure::StandardsRaised,
        programs: &["veterans"],
        area: None,
    },
    Indicator {
        code: "veterans.elderly_rural",
        figure: "V3",
        line: Line::Veterans,
        zh: "60周岁以上农村籍退役士兵",
        en: "Rural veterans aged 60 and over certified",
        kind: Kind::Stock,
        unit: Unit::Persons,
        measure: Measure::Entitled,
        programs: &["81"],
        area: None,
    },
    Indicator {
        code: "veterans.combat",
        figure: "V4",
        line: Line::Veterans,
        zh: "参战涉核退役军人",
        en: "Veterans of wars and nuclear tests certified",
        kind: Kind::Stock,
        unit: Unit::Persons,
        measure: Measure::Entitled,
        programs: &["51", "61"],
        area: None,
    },
    Indicator {
        code: "veterans.holiday_households",
        figure: "V2",
        line: Line::Veterans,
        zh: "优待金发放户数",
        en: "Holiday preferential payments: households",
        kind: Kind::Flow,
        unit: Unit::Households,
        // Households, not ledger entries: a reversal or a replacement is an entry too.
        measure: Measure::HolidayPaid,
        programs: &["veterans_holiday"],
        area: None,
    },
    Indicator {
        code: "veterans.holiday_paid",
        figure: "V2",
        line: Line::Veterans,
        zh: "发放优待金",
        en: "Holiday preferential payments: paid",
        kind: Kind::Flow,
        unit: Unit::Wan,
        measure: Measure::Paid,
        programs: &["veterans_holiday"],
        area: None,
    },
    Indicator {
        code: "veterans.holiday_coverage",
        figure: "V2",
        line: Line::Veterans,
        zh: "优待金发放覆盖率",
        en: "Holiday preferential payments: coverage",
        kind: Kind::Rate,
        unit: Unit::Percent,
        measure: Measure::HolidayEntitled,
        programs: &["veterans_holiday"],
        area: None,
    },
    Indicator {
        code: "veterans.received",
        figure: "V5",
        line: Line::Veterans,
        zh: "接收退役士兵",
        en: "Discharged soldiers received",
        kind: Kind::Flow,
        unit: Unit::Persons,
        measure: Measure::Received,
        programs: &["secondary", "higher", "none"],
        area: None,
    },
    Indicator {
        code: "veterans.training_secondary",
        figure: "V5",
        line: Line::Veterans,
        zh: "参加中等职业教育",
        en: "Received soldiers in secondary vocational training",
        kind: Kind::Flow,
        unit: Unit::Persons,
        measure: Measure::Received,
        programs: &["secondary"],
        area: None,
    },
    Indicator {
        code: "veterans.training_higher",
        figure: "V5",
        line: Line::Veterans,
        zh: "参加高等职业教育",
        en: "Received soldiers in higher vocational training",
        kind: Kind::Flow,
        unit: Unit::Persons,
        measure: Measure::Received,
        programs: &["higher"],
        area: None,
    },
    Indicator {
        code: "campaigns.troops",
        figure: "V6",
        line: Line::Campaigns,
        zh: "走访慰问驻区部队",
        en: "Condolence visits to troops: given",
        kind: Kind::Flow,
        unit: Unit::Wan,
        measure: Measure::Visited,
        programs: &["troop_unit"],
        area: None,
    },
    Indicator {
        code: "campaigns.entitled",
        figure: "V7",
        line: Line::Campaigns,
        zh: "走访慰问重点优抚对象",
        en: "Condolence visits to entitled persons: given",
        kind: Kind::Flow,
        unit: Unit::Wan,
        measure: Measure::Visited,
        programs: &["entitled_person"],
        area: None,
    },
    Indicator {
        code: "veterans.hardship",
        figure: "V8",
        line: Line::Veterans,
        zh: "复退军人“六难”经费",
        en: "Veterans' hardship grants",
        kind: Kind::Flow,
        unit: Unit::Wan,
        measure: Measure::Hardship,
        programs: HARDSHIP_ALL,
        area: None,
    },
    Indicator {
        code: "veterans.liaison_reassigned",
        figure: "V9",
        line: Line::Veterans,
        zh: "调整领导干部联系户挂钩",
        en: "Leader–veteran liaison pairings re-assigned",
        kind: Kind::Flow,
        unit: Unit::Households,
        measure: Measure::Liaison,
        programs: &["leader_change", "other"],
        area: None,
    },
    Indicator {
        code: "veterans.petitions_screened",
        figure: "V9",
        line: Line::Veterans,
        zh: "复退军人不稳定因素排查",
        en: "Petition risks screened",
        kind: Kind::Flow,
        unit: Unit::Times,
        measure: Measure::Followups,
        programs: &["screening"],
        area: None,
    },
    Indicator {
        code: "veterans.home_visits",
        figure: "V9",
        line: Line::Veterans,
        zh: "重点人员家访",
        en: "Home visits to petitioners",
        kind: Kind::Flow,
        unit: Unit::Times,
        measure: Measure::Followups,
        programs: &["home_visit"],
        area: None,
    },
];

/// `part` of `whole` in hundredths of a percent, rounded down (never 100 % while one is
/// missing); `None` over nothing.
pub fn rate_bp(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| part.saturating_mul(10_000) / whole)
}

impl Indicator {
    /// The figure from what its records add up to: their number, the sum of their amounts
    /// and, for a rate, how many of them have an amount above zero ([`rate_bp`]; a rate
    /// over nothing is 0).
    pub fn value(&self, count: i64, sum_fen: i64, paid: i64) -> i64 {
        match self.kind {
            Kind::Rate => rate_bp(paid, count).unwrap_or(0),
            _ if self.unit.is_money() => sum_fen,
            _ => count,
        }
    }
}

/// The business lines with indicators, in registry order: each has a dashboard.
pub fn dashboard_lines() -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    for i in INDICATORS {
        if !lines.contains(&i.line) {
            lines.push(i.line);
        }
    }
    lines
}

/// The indicator with `code`, if any.
pub fn indicator(code: &str) -> Option<&'static Indicator> {
    INDICATORS.iter().find(|i| i.code == code)
}

/// The period was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("the period ends before it starts")]
    Reversed,
    #[error("the period is longer than ten years")]
    TooLong,
}

impl PeriodError {
    pub fn code(&self) -> &'static str {
        match self {
            PeriodError::Reversed => "reports.period_reversed",
            PeriodError::TooLong => "reports.period_too_long",
        }
    }
}

/// The days a report covers, both included. Flows count whole payment months, from the
/// month of `from` to the month of `to`; stocks are counted on `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    from: NaiveDate,
    to: NaiveDate,
}

impl Period {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Period, PeriodError> {
        if to < from {
            return Err(PeriodError::Reversed);
        }
        // Bounds the monthly series (and a chart's width) on any input.
        if to.year() - from.year() > 10 {
            return Err(PeriodError::TooLong);
        }
        Ok(Period { from, to })
    }

    pub fn from(self) -> NaiveDate {
        self.from
    }

    pub fn to(self) -> NaiveDate {
        self.to
    }

    pub fn first_month(self) -> crate::Month {
        crate::Month::of(self.from)
    }

    pub fn last_month(self) -> crate::Month {
        crate::Month::of(self.to)
    }

    /// Every month of the period, oldest first.
    pub fn months(self) -> Vec<crate::Month> {
        self.first_month()
            .months_until_inclusive(self.last_month())
            .collect()
    }

    /// The day each month's stock is counted on: its last day, or the period's end in the
    /// last month. The last is always the period's end.
    pub fn month_ends(self) -> Vec<NaiveDate> {
        self.months()
            .into_iter()
            .map(|m| m.last_day().min(self.to))
            .collect()
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.from, self.to)
    }
}

/// The SHA-256 (hex) of a report's canonical text: one line per `key=value`, in the order
/// given, each ending in `\n`. Callers list the parameters and every figure in a fixed order
/// so that the same figures always give the same hash.
pub fn content_hash<'a>(lines: impl IntoIterator<Item = (&'a str, String)>) -> String {
    let mut hasher = Sha256::new();
    for (key, value) in lines {
        hasher.update(key.as_bytes());
        hasher.update(b"=");
        hasher.update(value.as_bytes());
        hasher.update(b"\n");
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_units_format_as_the_document() {
        for (i, a) in INDICATORS.iter().enumerate() {
            assert!(
                INDICATORS[i + 1..].iter().all(|b| b.code != a.code),
                "{}",
                a.code
            );
        }
        assert_eq!(Unit::Wan.format(1_117_517_800), "1117.5178");
        assert_eq!(Unit::YuanPerPersonMonth.format(38_500), "385");
        assert_eq!(Unit::Percent.format(10_000), "100");
        assert_eq!(Unit::Percent.format(9_837), "98.37");
        assert_eq!(Unit::Percent.format(5), "0.05");
        let rate = indicator("veterans.holiday_coverage").map(|i| i.value(3, 900, 2));
        assert_eq!(rate, Some(6_666));
        let none = indicator("veterans.holiday_coverage").map(|i| i.value(0, 0, 0));
        assert_eq!(none, Some(0));
        assert_eq!(indicator("dibao.paid").map(|i| i.figure), Some("A2"));
        assert!(indicator("dibao.nothing").is_none());
    }

    #[test]
    fn a_reversed_period_is_refused() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
        assert_eq!(
            Period::new(d("2013-06-30"), d("2013-01-01")),
            Err(PeriodError::Reversed)
        );
        let p = Period::new(d("2013-01-01"), d("2013-06-30")).map(Period::months);
        assert_eq!(p.map(|m| m.len()), Ok(6));
    }
}
