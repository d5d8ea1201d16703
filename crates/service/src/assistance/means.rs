//! The means check from a worksheet (家庭经济状况核对, rules.md §1.4): the officer enters
//! every income item by category, marking the exempt ones, and every property item; the
//! assessed per-capita income and the property findings come from
//! `domain::assistance::means::assess` with the district's thresholds, and the worksheet is
//! stored with the `check_means` step in one transaction.
//!
//! A `check_means` step with only a figure ([`Service::record_step`]) stays possible: some
//! districts receive the result as a report of the checking centre (核对中心) rather than
//! items. Either way the case carries one assessed figure; a worksheet also keeps how it
//! was reached.

use chrono::NaiveDate;
use domain::assistance::means::{
    self, AssetKind, Exemption, IncomeCategory, IncomeItem, MeansError, MeansPolicy, PropertyItem,
    Worksheet,
};
use domain::assistance::workflow::Step;
use domain::assistance::{Program, StandardTable};
use domain::{Action, Fen, Line};
use store::{MeansItemRecord, MeansRecord};

use super::{MAX_NOTE_CHARS, StepInput, field, standard_of, table_error};
use crate::{Actor, Error, FieldError, Service};

/// A means check as entered from a worksheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeansCheck {
    /// The day the check was done (not after today).
    pub on: NaiveDate,
    pub note: String,
    pub sheet: Worksheet,
}

/// An income item with the name of the member it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomeLine {
    pub item: IncomeItem,
    pub member_name: Option<String>,
}

/// A stored worksheet as the case page shows it: what was entered, what it gave, and the
/// thresholds it was assessed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeansView {
    /// The `check_means` step it belongs to.
    pub seq: i64,
    pub members: i64,
    /// The 低保 standard the financial-assets threshold was scaled by.
    pub standard: Fen,
    pub countable: Fen,
    pub exempt: Fen,
    pub job_cost: Fen,
    pub per_capita: Fen,
    pub financial_assets: Fen,
    pub policy: MeansPolicy,
    /// (finding code, figures), e.g. `("means.finding_homes", "3 / 2")`.
    pub findings: Vec<(String, String)>,
    pub income: Vec<IncomeLine>,
    pub property: Vec<PropertyItem>,
}

/// The settings names of [`MeansPolicy`]'s fields with their values (flags as 0/1).
pub(super) fn means_values(p: &MeansPolicy) -> [(&'static str, u32); 6] {
    [
        ("job_cost_pct", p.job_cost_pct),
        ("financial_assets_months", p.financial_assets_months),
        ("max_homes", p.max_homes),
        ("vehicle_is_finding", u32::from(p.vehicle_is_finding)),
        ("business_is_finding", u32::from(p.business_is_finding)),
        ("machinery_is_finding", u32::from(p.machinery_is_finding)),
    ]
}

pub(super) fn set_means_value(p: &mut MeansPolicy, name: &str, value: u32) {
    match name {
        "job_cost_pct" => p.job_cost_pct = value,
        "financial_assets_months" => p.financial_assets_months = value,
        "max_homes" => p.max_homes = value,
        "vehicle_is_finding" => p.vehicle_is_finding = value != 0,
        "business_is_finding" => p.business_is_finding = value != 0,
        "machinery_is_finding" => p.machinery_is_finding = value != 0,
        _ => {}
    }
}

/// The largest value a setting takes: a percentage, ten years of the standard, ten homes,
/// or a flag.
pub(super) fn means_limit(name: &str) -> u32 {
    match name {
        "job_cost_pct" => 100,
        "financial_assets_months" => 120,
        "max_homes" => 10,
        _ => 1,
    }
}

/// The form field of a setting.
pub(super) fn means_field(name: &str) -> &'static str {
    match name {
        "job_cost_pct" => "means_job_cost_pct",
        "financial_assets_months" => "means_financial_assets_months",
        "max_homes" => "means_max_homes",
        "vehicle_is_finding" => "means_vehicle_is_finding",
        "business_is_finding" => "means_business_is_finding",
        _ => "means_machinery_is_finding",
    }
}

fn row_error(row: usize, name: &'static str, code: &'static str, detail: String) -> FieldError {
    FieldError {
        row: Some(row),
        ..field(name, code, detail)
    }
}

fn sheet_error(e: &MeansError) -> FieldError {
    match e {
        MeansError::NegativeIncome { row } => {
            row_error(*row, "income_amount", e.code(), String::new())
        }
        MeansError::NegativeValue { row } => {
            row_error(*row, "property_value", e.code(), String::new())
        }
        MeansError::ZeroCount { row } => row_error(*row, "property_count", e.code(), String::new()),
        MeansError::TooManyItems => field("items", e.code(), means::MAX_ITEMS.to_string()),
        MeansError::NoMembers | MeansError::Overflow => field("items", e.code(), String::new()),
    }
}

fn record_of(
    sheet: &Worksheet,
    a: &means::Assessment,
    members: u32,
    standard: Fen,
    policy: &MeansPolicy,
) -> MeansRecord {
    let income = sheet.income.iter().map(|i| MeansItemRecord {
        kind: "income".into(),
        category: Some(i.category.as_str().into()),
        exemption: i.exemption.map(|e| e.as_str().into()),
        member_id: i.member,
        amount_fen: i.monthly.as_fen(),
        count: 1,
        note: i.note.trim().to_owned(),
        ..MeansItemRecord::default()
    });
    let property = sheet.property.iter().map(|p| MeansItemRecord {
        kind: "property".into(),
        asset: Some(p.kind.as_str().into()),
        amount_fen: p.value.as_fen(),
        count: i64::from(p.count),
        exempt: p.exempt,
        note: p.note.trim().to_owned(),
        ..MeansItemRecord::default()
    });
    MeansRecord {
        seq: 0,
        members: i64::from(members),
        standard_fen: standard.as_fen(),
        countable_fen: a.countable.as_fen(),
        exempt_fen: a.exempt.as_fen(),
        job_cost_fen: a.job_cost.as_fen(),
        per_capita_fen: a.per_capita.as_fen(),
        financial_fen: a.financial_assets.as_fen(),
        job_cost_pct: i64::from(policy.job_cost_pct),
        financial_assets_months: i64::from(policy.financial_assets_months),
        max_homes: i64::from(policy.max_homes),
        findings: a
            .findings
            .iter()
            .map(|f| format!("{}|{}", f.code(), f.detail()))
            .collect::<Vec<_>>()
            .join("\n"),
        items: income.chain(property).collect(),
    }
}

/// A stored row back as a view; a code the domain does not know is a corrupt row.
fn view_of(r: MeansRecord, names: &[(i64, String)]) -> Result<MeansView, Error> {
    let corrupt = |what: &str| super::corrupt(format!("means item {what}"));
    let mut income = Vec::new();
    let mut property = Vec::new();
    for i in r.items {
        if i.kind == "income" {
            let category: IncomeCategory = i
                .category
                .as_deref()
                .unwrap_or_default()
                .parse()
                .map_err(|()| corrupt("category"))?;
            let exemption = match i.exemption.as_deref() {
                None => None,
                Some(e) => Some(e.parse::<Exemption>().map_err(|()| corrupt("exemption"))?),
            };
            income.push(IncomeLine {
                member_name: i
                    .member_id
                    .and_then(|id| names.iter().find(|(m, _)| *m == id))
                    .map(|(_, n)| n.clone()),
                item: IncomeItem {
                    member: i.member_id,
                    category,
                    monthly: Fen::from_fen(i.amount_fen),
                    exemption,
                    note: i.note,
                },
            });
        } else {
            let kind: AssetKind = i
                .asset
                .as_deref()
                .unwrap_or_default()
                .parse()
                .map_err(|()| corrupt("asset"))?;
            property.push(PropertyItem {
                kind,
                value: Fen::from_fen(i.amount_fen),
                count: u32::try_from(i.count).map_err(|_| corrupt("count"))?,
                exempt: i.exempt,
                note: i.note,
            });
        }
    }
    let number = |v: i64| u32::try_from(v).map_err(|_| corrupt("threshold"));
    Ok(MeansView {
        seq: r.seq,
        members: r.members,
        standard: Fen::from_fen(r.standard_fen),
        countable: Fen::from_fen(r.countable_fen),
        exempt: Fen::from_fen(r.exempt_fen),
        job_cost: Fen::from_fen(r.job_cost_fen),
        per_capita: Fen::from_fen(r.per_capita_fen),
        financial_assets: Fen::from_fen(r.financial_fen),
        policy: MeansPolicy {
            job_cost_pct: number(r.job_cost_pct)?,
            financial_assets_months: number(r.financial_assets_months)?,
            max_homes: number(r.max_homes)?,
            ..MeansPolicy::default()
        },
        findings: r
            .findings
            .lines()
            .filter_map(|l| l.split_once('|'))
            .map(|(c, d)| (c.to_owned(), d.to_owned()))
            .collect(),
        income,
        property,
    })
}

impl Service {
    /// Records the means check of case `case_id` from a worksheet: every item is checked
    /// (rows named), income items may name a current member of the household, and the
    /// assessed per-capita income becomes the case's. The thresholds are the district's
    /// settings; financial assets are compared with the 低保 standard of the household's
    /// area in force on the day of the check. Same rules as [`Service::record_step`]
    /// otherwise (order of steps, version, jurisdiction).
    pub async fn check_means(
        &self,
        actor: &Actor,
        case_id: i64,
        expected_version: i64,
        input: MeansCheck,
    ) -> Result<i64, Error> {
        self.authorize(actor, Line::Assistance, Action::Write)?;
        let file = self.case_in_scope(actor, case_id).await?;
        let settings = self.settings().await?;
        let current: Vec<i64> = file
            .members
            .iter()
            .filter(|m| m.left_on.is_none())
            .map(|m| m.id)
            .collect();
        let mut errors = Vec::new();
        for (i, item) in input.sheet.income.iter().enumerate() {
            if let Some(m) = item.member
                && !current.contains(&m)
            {
                errors.push(row_error(
                    i + 1,
                    "income_member",
                    "means.member_unknown",
                    m.to_string(),
                ));
            }
        }
        for (i, note) in input
            .sheet
            .income
            .iter()
            .map(|x| &x.note)
            .chain(input.sheet.property.iter().map(|x| &x.note))
            .enumerate()
        {
            if note.chars().count() > 200 {
                errors.push(row_error(
                    i + 1,
                    "item_note",
                    "assistance.note_long",
                    "200".into(),
                ));
            }
        }
        if input.note.chars().count() > MAX_NOTE_CHARS {
            errors.push(field(
                "note",
                "assistance.note_long",
                MAX_NOTE_CHARS.to_string(),
            ));
        }
        let standards = self
            .store()
            .standards()
            .await?
            .into_iter()
            .map(standard_of)
            .collect::<Result<Vec<_>, _>>()?;
        let table = StandardTable::new(standards).map_err(|e| table_error(&e))?;
        let standard = table
            .in_force(Program::Dibao, file.case.area, input.on)
            .map(|s| s.amount);
        let Some(standard) = standard else {
            errors.push(field("on", "assistance.no_standard", input.on.to_string()));
            return Err(Error::Invalid(errors));
        };
        let members = u32::try_from(current.len()).unwrap_or(u32::MAX);
        let assessed = means::assess(&input.sheet, members, standard, &settings.means);
        let assessment = match assessed {
            Ok(a) if errors.is_empty() => a,
            Ok(_) => return Err(Error::Invalid(errors)),
            Err(e) => {
                errors.push(sheet_error(&e));
                return Err(Error::Invalid(errors));
            }
        };
        let record = record_of(
            &input.sheet,
            &assessment,
            members,
            standard,
            &settings.means,
        );
        let step = StepInput {
            step: Step::CheckMeans {
                income_per_capita: assessment.per_capita,
            },
            on: input.on,
            note: input.note,
        };
        self.append_step(actor, case_id, expected_version, step, Some(record))
            .await
    }

    /// The worksheets of a case, oldest first (for the case page; the caller has checked
    /// the case is readable).
    pub(super) async fn means_views(
        &self,
        case_id: i64,
        names: &[(i64, String)],
    ) -> Result<Vec<MeansView>, Error> {
        self.store()
            .means_checks(case_id)
            .await?
            .into_iter()
            .map(|r| view_of(r, names))
            .collect()
    }
}
