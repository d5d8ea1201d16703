//! Veterans' preferential treatment (双拥优抚安置, issue 7): the register of entitled persons
//! (优抚对象) with their certification and status history, the configurable category list,
//! and the dated standards with the preview of what a change does to the people it covers.
//!
//! Who may do what: registering an entitlement, changing its status and setting standards
//! are the district veterans section's decisions (`Line::Veterans` `Approve`); everyone
//! with `Read` sees the register within their jurisdiction (the household's division), an
//! export needs `Export` and is masked. Reading one entitlement and exporting are audited.
//!
//! The person: a valid resident ID (GB 11643), not born in the future, not on the death
//! records. The household: the one the person already belongs to (an earlier entitlement's,
//! or the household they are a current member of, which must lie in the jurisdiction);
//! otherwise a new registry household at the community given. One person may hold several
//! categories, never one twice (`veteran_entitlements_person_category`, refused as
//! `veterans.duplicate`).
//!
//! Money: what an entitlement is due for a month is `domain::veterans::monthly_due`; this
//! module only shows it (on the detail page and in the standard's preview). Paying it is the
//! payroll's job, through [`payroll`] (see ARCHITECTURE.md, "Veterans through the one
//! payroll").

pub mod combinations;
pub mod hardship;
pub mod liaison;
pub mod payroll;
pub mod petitions;
pub mod reception;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use domain::veterans::combinations::{Exclusion, clash};
use domain::veterans::{
    self, Basis, Cause, Due, Entitlement, Per, Standard, StandardKey, StandardTable, Status,
    StatusChange, Terms,
};
use domain::{Action, Area, DivisionCode, DivisionLevel, Fen, Line, Month, ResidentId, parse_date};
use store::{
    CategoryRow, ENTITLEMENT_ONCE, EXCLUDED, EntitlementFilter, EntitlementRecord, HouseholdChoice,
    NewEntitlement, NewPerson, NewStatusEvent, StoreError, VeteranStandardRow,
};

use crate::list::{self, Code, ListQuery, Page};
use crate::{Actor, Error, FieldError, Service};

const MAX_NAME_CHARS: usize = 30;
const MAX_ADDRESS_CHARS: usize = 100;
const MAX_DOCUMENT_CHARS: usize = 50;
const MAX_OFFICE_CHARS: usize = 50;
const MIN_REASON_CHARS: usize = 4;
const MAX_REASON_CHARS: usize = 200;
const MAX_CITATION_CHARS: usize = 200;
/// A monthly or yearly standard above 100 万元 is a typo.
const MAX_STANDARD_FEN: i64 = 100_000_000;
/// Certifications before this date are not kept here.
const FIRST_CERTIFIED: &str = "1949-10-01";

/// The list's statuses (the entitlement's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusFilter(pub Status);

impl Code for StatusFilter {
    const ALL: &'static [Self] = &[
        StatusFilter(Status::Active),
        StatusFilter(Status::Suspended),
        StatusFilter(Status::Ended),
    ];
    fn as_str(self) -> &'static str {
        self.0.as_str()
    }
}

/// The register has one order (by name in pinyin); the sort key exists for the shared
/// list contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntitlementSort {
    Name,
}

impl Code for EntitlementSort {
    const ALL: &'static [Self] = &[EntitlementSort::Name];
    fn as_str(self) -> &'static str {
        "name"
    }
}

/// What the register's list asks for, plus the category filter.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EntitlementQuery {
    pub list: ListQuery<EntitlementSort, StatusFilter>,
    pub category: Option<String>,
}

/// An entitlement as typed in a form or an API body: every field text, so that every
/// problem is found and named at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntitlementInput {
    pub id_number: String,
    pub name: String,
    /// A category code of the list.
    pub category: String,
    /// 1–10, disabilities only; empty otherwise.
    pub grade: String,
    /// `war`, `duty`, `illness`, disabilities only; empty otherwise.
    pub cause: String,
    /// Years of service; required for the elderly allowance.
    pub service_years: String,
    /// `YYYY-MM-DD`.
    pub certified_on: String,
    pub document_number: String,
    pub certifying_office: String,
    /// The community or village of a new household (ignored when the person already has
    /// one), its address and area (empty: the division's).
    pub community: String,
    pub address: String,
    pub area: String,
}

/// A status change as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusInput {
    pub status: String,
    pub effective_on: String,
    pub reason: String,
    /// The version the form was made from.
    pub version: i64,
}

/// A standard as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StandardInput {
    pub category: String,
    pub grade: String,
    pub cause: String,
    pub effective_from: String,
    /// Yuan.
    pub amount: String,
    /// `month` or `year`.
    pub per: String,
    pub citation: String,
}

/// A category of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryView {
    pub code: String,
    pub name: String,
    pub basis: Basis,
}

/// One row of the status history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusView {
    pub status: Status,
    pub effective_on: NaiveDate,
    pub reason: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// An entitlement as pages and the API show it (ID number masked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntitlementView {
    pub id: i64,
    pub name: String,
    pub id_number: String,
    pub birth_date: NaiveDate,
    pub household_id: i64,
    pub division: DivisionCode,
    pub division_name: String,
    pub address: String,
    pub category: String,
    pub category_name: String,
    pub basis: Basis,
    pub grade: Option<i64>,
    pub cause: Option<Cause>,
    pub service_years: Option<i64>,
    pub certified_on: NaiveDate,
    pub document_number: String,
    pub certifying_office: String,
    pub status: Status,
    pub version: i64,
    pub history: Vec<StatusView>,
}

/// A standard as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandardView {
    pub category: String,
    pub grade: Option<u8>,
    pub cause: Option<Cause>,
    pub effective_from: NaiveDate,
    pub amount: Fen,
    pub per: Per,
    pub citation: String,
    pub by: String,
}

/// One person a standard's change affects, for a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImpactRow {
    pub entitlement_id: i64,
    pub name: String,
    pub id_number: String,
    pub before: Fen,
    pub after: Fen,
}

/// What a standard's change does in the month it takes effect: the people whose amount
/// changes, and the month's totals over everyone the key covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandardImpact {
    pub month: Month,
    pub rows: Vec<ImpactRow>,
    pub total_before: Fen,
    pub total_after: Fen,
    /// Entitlements due something in that month (after the change).
    pub paid: usize,
}

fn text(
    value: &str,
    field: &'static str,
    code: &'static str,
    min: usize,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> String {
    let value = value.trim();
    let n = value.chars().count();
    if n < min || n > max || value.chars().any(char::is_control) {
        errors.push(FieldError::new(field, code, format!("{min}–{max}")));
    }
    value.to_owned()
}

fn optional_number(value: &str, field: &'static str, errors: &mut Vec<FieldError>) -> Option<i64> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    match value.parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.push(FieldError::new(field, "veterans.number", value));
            None
        }
    }
}

fn optional_cause(value: &str, errors: &mut Vec<FieldError>) -> Option<Cause> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    value
        .parse::<Cause>()
        .map_err(|e| errors.push(FieldError::new("cause", e.code(), value)))
        .ok()
}

fn corrupt(what: String) -> Error {
    Error::Internal(StoreError::Corrupt { what })
}

fn basis_of(text: &str) -> Result<Basis, Error> {
    text.parse()
        .map_err(|_| corrupt(format!("category basis {text:?}")))
}

fn status_of(text: &str) -> Result<Status, Error> {
    text.parse()
        .map_err(|_| corrupt(format!("entitlement status {text:?}")))
}

/// The domain's entitlement of a stored record.
fn facts(r: &EntitlementRecord) -> Result<Entitlement, Error> {
    let cause = r.cause.as_deref().map(str::parse::<Cause>).transpose();
    let cause = cause.map_err(|_| corrupt(format!("cause of entitlement {}", r.id)))?;
    let terms = Terms::new(basis_of(&r.basis)?, r.grade, cause, r.service_years)
        .map_err(|e| corrupt(format!("entitlement {}: {e}", r.id)))?;
    let history = r
        .history
        .iter()
        .map(|e| {
            Ok(StatusChange {
                status: status_of(&e.status)?,
                effective_on: e.effective_on,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(Entitlement {
        category: r.category_code.clone(),
        terms,
        birth_date: r.birth_date,
        certified_on: r.certified_on,
        history,
    })
}

fn standard_of(row: &VeteranStandardRow) -> Result<Standard, Error> {
    let grade = match row.grade {
        0 => None,
        g => Some(u8::try_from(g).map_err(|_| corrupt(format!("standard grade {g}")))?),
    };
    let cause = match row.cause.as_str() {
        "" => None,
        c => Some(
            c.parse::<Cause>()
                .map_err(|_| corrupt(format!("standard cause {c:?}")))?,
        ),
    };
    Ok(Standard {
        key: StandardKey {
            category: row.category_code.clone(),
            grade,
            cause,
        },
        effective_from: row.effective_from,
        amount: Fen::from_fen(row.amount_fen),
        per: row
            .per
            .parse()
            .map_err(|_| corrupt(format!("standard per {:?}", row.per)))?,
    })
}

fn view(r: EntitlementRecord) -> Result<EntitlementView, Error> {
    let id_number = ResidentId::parse(&r.id_number)
        .map(|id| id.masked())
        .map_err(|_| corrupt(format!("ID number of person {}", r.person_id)))?;
    let cause = r
        .cause
        .as_deref()
        .map(str::parse::<Cause>)
        .transpose()
        .map_err(|_| corrupt(format!("cause of entitlement {}", r.id)))?;
    let history = r
        .history
        .iter()
        .map(|e| {
            Ok(StatusView {
                status: status_of(&e.status)?,
                effective_on: e.effective_on,
                reason: e.reason.clone(),
                by: e.by_user.clone(),
                at: e.at,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(EntitlementView {
        id: r.id,
        name: r.name,
        id_number,
        birth_date: r.birth_date,
        household_id: r.household_id,
        division: r.division_code,
        division_name: r.division_name,
        address: r.address,
        category: r.category_code,
        category_name: r.category_name,
        basis: basis_of(&r.basis)?,
        grade: r.grade,
        cause,
        service_years: r.service_years,
        certified_on: r.certified_on,
        document_number: r.document_number,
        certifying_office: r.certifying_office,
        status: status_of(&r.status)?,
        version: r.version,
        history,
    })
}

/// The categories seeded on a new database (rules.md §4.6: one vendor's codes; 71 is ours).
const SEED_CATEGORIES: &[(&str, &str, Basis)] = &[
    ("11", "残疾军人", Basis::Disability),
    ("21", "烈士遗属", Basis::Flat),
    ("22", "因公牺牲军人遗属", Basis::Flat),
    ("23", "病故军人遗属", Basis::Flat),
    ("41", "在乡复员军人", Basis::Flat),
    ("42", "带病回乡退伍军人", Basis::Flat),
    ("51", "参战退役军人", Basis::Flat),
    ("61", "参试（涉核）退役军人", Basis::Flat),
    ("71", "现役义务兵家属", Basis::Flat),
    ("81", "60周岁以上农村籍退役士兵", Basis::ServiceYears),
];

/// The category pairs seeded on a new database (`domain::veterans::combinations` gives
/// the sources): 带病回乡 is an illness below any disability grade, and the rural elderly
/// allowance goes only to those without another periodic pension or subsidy.
const SEED_EXCLUSIONS: &[(&str, &str, &str)] = &[
    (
        "11",
        "42",
        "带病回乡退伍军人是未达到评残等级的，评残后按残疾军人抚恤",
    ),
    (
        "11",
        "81",
        "老年生活补助只发给未享受国家定期抚恤补助的农村籍退役士兵",
    ),
    (
        "41",
        "81",
        "老年生活补助只发给未享受国家定期抚恤补助的农村籍退役士兵",
    ),
    (
        "42",
        "81",
        "老年生活补助只发给未享受国家定期抚恤补助的农村籍退役士兵",
    ),
    (
        "51",
        "81",
        "老年生活补助只发给未享受国家定期抚恤补助的农村籍退役士兵",
    ),
    (
        "61",
        "81",
        "老年生活补助只发给未享受国家定期抚恤补助的农村籍退役士兵",
    ),
];

impl Service {
    /// Seeds the forbidden category pairs the first time (from `prepare`), for the
    /// categories on the list; an existing list is left as the section configured it.
    pub(crate) async fn seed_veteran_exclusions(&self, actor: &Actor) -> Result<(), Error> {
        if !self.store().veteran_exclusions().await?.is_empty() {
            return Ok(());
        }
        let categories = self.store().veteran_categories().await?;
        let listed = |code: &str| categories.iter().any(|c| c.code == code);
        let rows: Vec<store::ExclusionRow> = SEED_EXCLUSIONS
            .iter()
            .filter(|(a, b, _)| listed(a) && listed(b))
            .map(|(a, b, reason)| store::ExclusionRow {
                category_code: (*a).to_owned(),
                excludes_code: (*b).to_owned(),
                reason: (*reason).to_owned(),
            })
            .collect();
        if rows.is_empty() {
            return Ok(());
        }
        let audit = self.audit(
            actor,
            "veterans.exclusion.seed",
            "veteran_category_exclusions",
            "",
            format!("pairs={}", rows.len()),
        );
        self.store()
            .insert_veteran_exclusions(&rows, &audit)
            .await?;
        Ok(())
    }

    /// Refuses a category the person may not hold beside one they hold (not ended),
    /// naming both categories and the reason.
    async fn check_combination(
        &self,
        id: &ResidentId,
        category: &CategoryRow,
        categories: &[CategoryRow],
        errors: &mut Vec<FieldError>,
    ) -> Result<(), Error> {
        let held = self.store().categories_held(id.as_str()).await?;
        let held: Vec<&str> = held.iter().map(String::as_str).collect();
        let exclusions: Vec<Exclusion> = self
            .store()
            .veteran_exclusions()
            .await?
            .into_iter()
            .map(|x| Exclusion {
                a: x.category_code,
                b: x.excludes_code,
                reason: x.reason,
            })
            .collect();
        if let Some((other, x)) = clash(&category.code, &held, &exclusions) {
            let name = |code: &str| {
                categories
                    .iter()
                    .find(|c| c.code == code)
                    .map_or_else(|| code.to_owned(), |c| c.name.clone())
            };
            errors.push(FieldError::new(
                "category",
                "veterans.combination",
                format!("“{}”与“{}”：{}", category.name, name(other), x.reason),
            ));
        }
        Ok(())
    }

    /// Seeds the category list the first time (from `prepare`); an existing list is left
    /// as the section configured it.
    pub(crate) async fn seed_veteran_categories(&self, actor: &Actor) -> Result<(), Error> {
        if !self.store().veteran_categories().await?.is_empty() {
            return Ok(());
        }
        let rows: Vec<CategoryRow> = SEED_CATEGORIES
            .iter()
            .zip(1..)
            .map(|((code, name, basis), position)| CategoryRow {
                code: (*code).to_owned(),
                name: (*name).to_owned(),
                basis: basis.as_str().to_owned(),
                position,
            })
            .collect();
        let audit = self.audit(
            actor,
            "veterans.category.seed",
            "veteran_categories",
            "",
            format!("categories={}", rows.len()),
        );
        self.store()
            .insert_veteran_categories(&rows, &audit)
            .await?;
        Ok(())
    }

    /// The category list (`Read`).
    pub async fn veteran_categories(&self, actor: &Actor) -> Result<Vec<CategoryView>, Error> {
        self.authorize(actor, Line::Veterans, Action::Read)?;
        self.store()
            .veteran_categories()
            .await?
            .into_iter()
            .map(|c| {
                Ok(CategoryView {
                    basis: basis_of(&c.basis)?,
                    code: c.code,
                    name: c.name,
                })
            })
            .collect()
    }

    /// Registers an entitlement (`Approve`): checks every field (see the module notes),
    /// refuses a category the person already holds, and writes person, household,
    /// entitlement, its first status row and the audit entry in one transaction.
    pub async fn register_entitlement(
        &self,
        actor: &Actor,
        input: &EntitlementInput,
    ) -> Result<i64, Error> {
        self.authorize(actor, Line::Veterans, Action::Approve)?;
        let today = self.today();
        let mut errors: Vec<FieldError> = Vec::new();
        let name = text(
            &input.name,
            "name",
            "veterans.name",
            1,
            MAX_NAME_CHARS,
            &mut errors,
        );
        let id = match ResidentId::parse(&input.id_number.trim().to_uppercase()) {
            Err(e) => {
                errors.push(FieldError::new("id_number", e.code(), e.to_string()));
                None
            }
            Ok(id) => match id.check_not_born_after(today) {
                Err(e) => {
                    errors.push(FieldError::new("id_number", e.code(), e.to_string()));
                    None
                }
                Ok(()) => Some(id),
            },
        };
        if let Some(id) = &id
            && self.store().recorded_dead(id.as_str()).await?
        {
            errors.push(FieldError::new("id_number", "veterans.dead", id.masked()));
        }
        let categories = self.store().veteran_categories().await?;
        let category = categories.iter().find(|c| c.code == input.category.trim());
        if category.is_none() {
            errors.push(FieldError::new(
                "category",
                "veterans.category",
                input.category.trim(),
            ));
        }
        if let (Some(id), Some(c)) = (&id, category) {
            self.check_combination(id, c, &categories, &mut errors)
                .await?;
        }
        let grade = optional_number(&input.grade, "grade", &mut errors);
        let cause = optional_cause(&input.cause, &mut errors);
        let service_years = optional_number(&input.service_years, "service_years", &mut errors);
        let terms = match category {
            Some(c) => match Terms::new(basis_of(&c.basis)?, grade, cause, service_years) {
                Ok(t) => Some(t),
                Err(e) => {
                    let field = match e {
                        veterans::VeteransError::Grade(_)
                        | veterans::VeteransError::IllnessGrade(_) => "grade",
                        veterans::VeteransError::ServiceYears(_)
                        | veterans::VeteransError::ServiceYearsMissing => "service_years",
                        _ => "cause",
                    };
                    errors.push(FieldError::new(field, e.code(), e.to_string()));
                    None
                }
            },
            None => None,
        };
        let first = parse_date(FIRST_CERTIFIED).map_err(|e| corrupt(e.to_string()))?;
        let certified_on = match parse_date(&input.certified_on) {
            Err(e) => {
                errors.push(FieldError::new(
                    "certified_on",
                    e.code(),
                    input.certified_on.trim(),
                ));
                None
            }
            Ok(d) if d > today || d < first => {
                errors.push(FieldError::new(
                    "certified_on",
                    "veterans.certified_on",
                    format!("{first}–{today}"),
                ));
                None
            }
            Ok(d) => Some(d),
        };
        let document_number = text(
            &input.document_number,
            "document_number",
            "veterans.document_number",
            1,
            MAX_DOCUMENT_CHARS,
            &mut errors,
        );
        let certifying_office = text(
            &input.certifying_office,
            "certifying_office",
            "veterans.certifying_office",
            1,
            MAX_OFFICE_CHARS,
            &mut errors,
        );
        let existing = match &id {
            Some(id) => self.store().household_of_person(id.as_str()).await?,
            None => None,
        };
        let household = match existing {
            Some((hid, division)) => {
                if !actor.sees(&division) {
                    // The person lives outside the jurisdiction: say so without naming where.
                    errors.push(FieldError::new(
                        "id_number",
                        "veterans.household_elsewhere",
                        "",
                    ));
                }
                Some((HouseholdChoice::Existing(hid), division))
            }
            None => self.new_household(actor, input, &mut errors).await?,
        };
        let (
            Some(id),
            Some(category),
            Some(terms),
            Some(certified_on),
            Some((household, division)),
            true,
        ) = (
            id,
            category,
            terms,
            certified_on,
            household,
            errors.is_empty(),
        )
        else {
            return Err(Error::Invalid(errors));
        };
        let new = NewEntitlement {
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
            household,
            category_code: category.code.clone(),
            grade: terms.grade().map(i64::from),
            cause: terms.cause().map(|c| c.as_str().to_owned()),
            service_years: terms.service_years().map(i64::from),
            certified_on,
            document_number: document_number.clone(),
            certifying_office,
        };
        let audit = self.audit(
            actor,
            "veterans.entitlement.register",
            "",
            "",
            format!(
                "person={} category={} division={division} certified_on={certified_on} \
                 document={document_number}",
                id.masked(),
                category.code
            ),
        );
        match self
            .store()
            .insert_entitlement(&new, &actor.username, &audit)
            .await
        {
            Err(StoreError::Conflict {
                constraint: Some(c),
                ..
            }) if c == ENTITLEMENT_ONCE => Err(Error::invalid(FieldError::new(
                "category",
                "veterans.duplicate",
                category.name.clone(),
            ))),
            // The same refusal as `check_combination`, when a pair or a clashing
            // registration was committed between that check and this write.
            Err(StoreError::Conflict {
                what,
                constraint: Some(c),
            }) if c == EXCLUDED => {
                let (other, reason) = what.split_once('|').unwrap_or((&what, ""));
                let other = categories
                    .iter()
                    .find(|c| c.code == other)
                    .map_or(other, |c| c.name.as_str());
                Err(Error::invalid(FieldError::new(
                    "category",
                    "veterans.combination",
                    format!("“{}”与“{other}”：{reason}", category.name),
                )))
            }
            other => Ok(other?),
        }
    }

    /// The new household of a first entitlement: a community or village in the
    /// jurisdiction, an address, and an area (the division's unless given).
    async fn new_household(
        &self,
        actor: &Actor,
        input: &EntitlementInput,
        errors: &mut Vec<FieldError>,
    ) -> Result<Option<(HouseholdChoice, DivisionCode)>, Error> {
        let address = text(
            &input.address,
            "address",
            "veterans.address",
            1,
            MAX_ADDRESS_CHARS,
            errors,
        );
        let division = match input.community.trim().parse::<DivisionCode>() {
            Err(e) => {
                errors.push(FieldError::new("community", e.code(), e.to_string()));
                return Ok(None);
            }
            Ok(code)
                if !matches!(
                    code.level(),
                    DivisionLevel::Community | DivisionLevel::Village
                ) =>
            {
                errors.push(FieldError::new(
                    "community",
                    "veterans.community_level",
                    code.as_str(),
                ));
                return Ok(None);
            }
            Ok(code) if !actor.sees(&code) => {
                errors.push(FieldError::new(
                    "community",
                    "veterans.community_unknown",
                    code.as_str(),
                ));
                return Ok(None);
            }
            Ok(code) => match self.store().division(&code).await {
                Ok(d) => d,
                Err(StoreError::NotFound) => {
                    errors.push(FieldError::new(
                        "community",
                        "veterans.community_unknown",
                        code.as_str(),
                    ));
                    return Ok(None);
                }
                Err(e) => return Err(e.into()),
            },
        };
        let area = match input.area.trim() {
            "" => division.area,
            text => match Area::parse(text) {
                Ok(a) => a,
                Err(e) => {
                    errors.push(FieldError::new("area", e.code(), text));
                    return Ok(None);
                }
            },
        };
        Ok(Some((
            HouseholdChoice::New {
                division_code: division.code.clone(),
                address,
                area,
            },
            division.code,
        )))
    }

    /// One entitlement with its history (`Read`, within the jurisdiction; audited).
    pub async fn entitlement(&self, actor: &Actor, id: i64) -> Result<EntitlementView, Error> {
        self.authorize(actor, Line::Veterans, Action::Read)?;
        let record = self.store().entitlement(id).await?;
        self.within(actor, &record.division_code)?;
        let audit = self.audit(
            actor,
            "veterans.entitlement.read",
            format!("entitlement:{id}"),
            "",
            "",
        );
        self.store().record_audit(&audit).await?;
        view(record)
    }

    /// What entitlement `id` is due for `month` under the standards now stored (`Read`,
    /// within the jurisdiction). A missing standard is `veterans.no_standard`.
    pub async fn entitlement_due(
        &self,
        actor: &Actor,
        id: i64,
        month: Month,
    ) -> Result<Due, Error> {
        self.authorize(actor, Line::Veterans, Action::Read)?;
        let record = self.store().entitlement(id).await?;
        self.within(actor, &record.division_code)?;
        let table = self.veteran_standard_table().await?;
        veterans::monthly_due(&facts(&record)?, &table, month)
            .map_err(|e| Error::invalid(FieldError::new("month", e.code(), month.to_string())))
    }

    async fn veteran_standard_table(&self) -> Result<StandardTable, Error> {
        let rows = self
            .store()
            .veteran_standards()
            .await?
            .iter()
            .map(standard_of)
            .collect::<Result<Vec<_>, _>>()?;
        StandardTable::new(rows).map_err(|e| corrupt(e.to_string()))
    }

    fn entitlement_filter(actor: &Actor, query: &EntitlementQuery) -> Option<EntitlementFilter> {
        let jurisdiction = match (&actor.jurisdiction, actor.is_system()) {
            (Some(root), _) => Some(root.clone()),
            (None, true) => None,
            (None, false) => return None,
        };
        let search = query.list.search();
        Some(EntitlementFilter {
            jurisdiction,
            division: query.list.division.clone(),
            category: query.category.clone().filter(|c| !c.trim().is_empty()),
            status: query.list.status.map(|s| s.0.as_str().to_owned()),
            name_like: search.as_ref().map(|s| s.text().to_owned()),
            initials: search.as_ref().and_then(list::Search::initials),
            id_number: search
                .as_ref()
                .and_then(|s| s.resident_id().map(|id| id.as_str().to_owned())),
            person_id: None,
        })
    }

    /// One page of the register within the jurisdiction (`Read`), by name.
    pub async fn entitlements(
        &self,
        actor: &Actor,
        query: &EntitlementQuery,
    ) -> Result<Page<EntitlementView>, Error> {
        self.authorize(actor, Line::Veterans, Action::Read)?;
        let per_page = query.list.page_size();
        let Some(filter) = Self::entitlement_filter(actor, query) else {
            return Ok(Page::cut(Vec::new(), 1, per_page));
        };
        let (rows, total, page) = self
            .store()
            .entitlements_page(
                &filter,
                i64::try_from(query.list.page).unwrap_or(1),
                i64::try_from(per_page).unwrap_or(50),
            )
            .await?;
        Ok(Page {
            items: rows.into_iter().map(view).collect::<Result<_, _>>()?,
            total: usize::try_from(total).unwrap_or(0),
            page: usize::try_from(page).unwrap_or(1),
            per_page,
        })
    }

    /// Every entitlement matching `query` for a masked download (`Export`); more than
    /// [`list::MAX_EXPORT_ROWS`] is refused. Audited (`veterans.entitlement.export`).
    pub async fn export_entitlements(
        &self,
        actor: &Actor,
        query: &EntitlementQuery,
    ) -> Result<Vec<EntitlementView>, Error> {
        self.authorize(actor, Line::Veterans, Action::Export)?;
        let all = list::every_row(|page, per_page| {
            let mut q = query.clone();
            q.list.page = page;
            q.list.per_page = per_page;
            async move { self.entitlements(actor, &q).await }
        })
        .await?;
        let audit = self.audit(
            actor,
            "veterans.entitlement.export",
            "veterans",
            "",
            format!("{} rows={}", query.list.describe(), all.len()),
        );
        self.store().record_audit(&audit).await?;
        Ok(all)
    }

    /// Suspends, resumes or ends an entitlement (`Approve`), from a date, with a reason;
    /// the change is appended to its history. Returns the new version. An ended
    /// entitlement stays ended; a stale version is `veterans.stale`.
    pub async fn change_entitlement_status(
        &self,
        actor: &Actor,
        id: i64,
        input: &StatusInput,
    ) -> Result<i64, Error> {
        self.authorize(actor, Line::Veterans, Action::Approve)?;
        let record = self.store().entitlement(id).await?;
        self.within(actor, &record.division_code)?;
        let today = self.today();
        let mut errors = Vec::new();
        let status = input
            .status
            .parse::<Status>()
            .map_err(|e| errors.push(FieldError::new("status", e.code(), input.status.trim())))
            .ok();
        let current = status_of(&record.status)?;
        if let Some(to) = status
            && !current.may_become(to)
        {
            errors.push(FieldError::new(
                "status",
                "veterans.status_move",
                format!("{current}→{to}"),
            ));
        }
        let effective_on = match parse_date(&input.effective_on) {
            Err(e) => {
                errors.push(FieldError::new(
                    "effective_on",
                    e.code(),
                    input.effective_on.trim(),
                ));
                None
            }
            Ok(d) if d < record.certified_on || d > today + chrono::Duration::days(366) => {
                errors.push(FieldError::new(
                    "effective_on",
                    "veterans.effective_on",
                    record.certified_on.to_string(),
                ));
                None
            }
            Ok(d) => Some(d),
        };
        let reason = text(
            &input.reason,
            "reason",
            "veterans.reason",
            MIN_REASON_CHARS,
            MAX_REASON_CHARS,
            &mut errors,
        );
        let (Some(status), Some(effective_on), true) = (status, effective_on, errors.is_empty())
        else {
            return Err(Error::Invalid(errors));
        };
        let audit = self.audit(
            actor,
            "veterans.entitlement.status",
            format!("entitlement:{id}"),
            &reason,
            format!("{current}→{status} from={effective_on}"),
        );
        let event = NewStatusEvent {
            status: status.as_str().to_owned(),
            effective_on,
            reason,
        };
        match self
            .store()
            .append_status_event(id, input.version, &event, &audit)
            .await
        {
            Err(StoreError::Conflict { .. }) => Err(Error::Conflict {
                code: "veterans.stale",
                detail: id.to_string(),
            }),
            other => Ok(other?),
        }
    }

    /// Every dated standard (`Read`).
    pub async fn veteran_standards(&self, actor: &Actor) -> Result<Vec<StandardView>, Error> {
        self.authorize(actor, Line::Veterans, Action::Read)?;
        let rows = self.store().veteran_standards().await?;
        rows.iter()
            .map(|r| {
                let s = standard_of(r)?;
                Ok(StandardView {
                    category: s.key.category,
                    grade: s.key.grade,
                    cause: s.key.cause,
                    effective_from: s.effective_from,
                    amount: s.amount,
                    per: s.per,
                    citation: r.citation.clone(),
                    by: r.by_user.clone(),
                })
            })
            .collect()
    }

    /// Checks a standard as typed; the row to store.
    async fn check_veteran_standard(
        &self,
        actor: &Actor,
        input: &StandardInput,
    ) -> Result<(VeteranStandardRow, Standard), Error> {
        let mut errors = Vec::new();
        let categories = self.store().veteran_categories().await?;
        let category = categories.iter().find(|c| c.code == input.category.trim());
        if category.is_none() {
            errors.push(FieldError::new(
                "category",
                "veterans.category",
                input.category.trim(),
            ));
        }
        let grade = optional_number(&input.grade, "grade", &mut errors);
        let cause = optional_cause(&input.cause, &mut errors);
        if let Some(c) = category {
            let basis = basis_of(&c.basis)?;
            // The standard's key: disabilities by grade and cause, the rest by category.
            let years = (basis == Basis::ServiceYears).then_some(1);
            if let Err(e) = Terms::new(basis, grade, cause, years) {
                let field = if matches!(
                    e,
                    veterans::VeteransError::Grade(_) | veterans::VeteransError::IllnessGrade(_)
                ) {
                    "grade"
                } else {
                    "cause"
                };
                errors.push(FieldError::new(field, e.code(), e.to_string()));
            }
        }
        let effective_from = parse_date(&input.effective_from)
            .map_err(|e| {
                errors.push(FieldError::new(
                    "effective_from",
                    e.code(),
                    input.effective_from.trim(),
                ));
            })
            .ok();
        let amount = match Fen::from_yuan_str(input.amount.trim()) {
            Err(e) => {
                errors.push(FieldError::new("amount", e.code(), input.amount.trim()));
                None
            }
            Ok(f) if f.is_negative() || f.as_fen() > MAX_STANDARD_FEN => {
                errors.push(FieldError::new(
                    "amount",
                    "veterans.amount",
                    Fen::from_fen(MAX_STANDARD_FEN).yuan(),
                ));
                None
            }
            Ok(f) => Some(f),
        };
        let per = input
            .per
            .parse::<Per>()
            .map_err(|e| errors.push(FieldError::new("per", e.code(), input.per.trim())))
            .ok();
        let citation = text(
            &input.citation,
            "citation",
            "veterans.citation",
            1,
            MAX_CITATION_CHARS,
            &mut errors,
        );
        let (Some(category), Some(effective_from), Some(amount), Some(per), true) =
            (category, effective_from, amount, per, errors.is_empty())
        else {
            return Err(Error::Invalid(errors));
        };
        let grade = grade.and_then(|g| u8::try_from(g).ok());
        let standard = Standard {
            key: StandardKey {
                category: category.code.clone(),
                grade,
                cause,
            },
            effective_from,
            amount,
            per,
        };
        let row = VeteranStandardRow {
            category_code: category.code.clone(),
            grade: grade.map_or(0, i64::from),
            cause: cause.map_or_else(String::new, |c| c.as_str().to_owned()),
            effective_from,
            amount_fen: amount.as_fen(),
            per: per.as_str().to_owned(),
            citation,
            by_user: actor.username.clone(),
            updated_at: self.now(),
        };
        Ok((row, standard))
    }

    /// What setting `input` would do (`Approve`, nothing written): for the month it takes
    /// effect, every entitlement of its key whose amount changes, before and after, and the
    /// month's totals. Shown on the form before saving.
    pub async fn preview_veteran_standard(
        &self,
        actor: &Actor,
        input: &StandardInput,
    ) -> Result<StandardImpact, Error> {
        self.authorize(actor, Line::Veterans, Action::Approve)?;
        let (_, standard) = self.check_veteran_standard(actor, input).await?;
        let before = self.veteran_standard_table().await?;
        let mut rows: Vec<Standard> = before
            .rows()
            .iter()
            .filter(|s| !(s.key == standard.key && s.effective_from == standard.effective_from))
            .cloned()
            .collect();
        rows.push(standard.clone());
        let after = StandardTable::new(rows).map_err(|e| corrupt(e.to_string()))?;
        let month = Month::of(standard.effective_from);
        let records = self
            .store()
            .entitlements_for_key(
                &standard.key.category,
                standard.key.grade.map(i64::from),
                standard.key.cause.map(Cause::as_str),
            )
            .await?;
        let amount = |due: Result<Due, veterans::NoStandard>| match due {
            Ok(Due::Pay { amount, .. }) => amount,
            _ => Fen::ZERO,
        };
        let mut impact = StandardImpact {
            month,
            rows: Vec::new(),
            total_before: Fen::ZERO,
            total_after: Fen::ZERO,
            paid: 0,
        };
        for r in records.iter().filter(|r| actor.sees(&r.division_code)) {
            let e = facts(r)?;
            let was = amount(veterans::monthly_due(&e, &before, month));
            let will = amount(veterans::monthly_due(&e, &after, month));
            impact.total_before = impact.total_before.checked_add(was).unwrap_or(Fen::ZERO);
            impact.total_after = impact.total_after.checked_add(will).unwrap_or(Fen::ZERO);
            if !will.is_zero() {
                impact.paid += 1;
            }
            if was != will {
                impact.rows.push(ImpactRow {
                    entitlement_id: r.id,
                    name: r.name.clone(),
                    id_number: ResidentId::parse(&r.id_number)
                        .map(|id| id.masked())
                        .unwrap_or_default(),
                    before: was,
                    after: will,
                });
            }
        }
        Ok(impact)
    }

    /// Sets a dated standard (`Approve`): a new row, or the amount of the row of that key
    /// and date corrected; audited with the amount before. An earlier effective date pays
    /// arrears through the payroll once it carries the veterans programme.
    pub async fn set_veteran_standard(
        &self,
        actor: &Actor,
        input: &StandardInput,
    ) -> Result<(), Error> {
        self.authorize(actor, Line::Veterans, Action::Approve)?;
        let (row, standard) = self.check_veteran_standard(actor, input).await?;
        let audit = self.audit(
            actor,
            "veterans.standard.set",
            format!("veteran_standard:{}", row.category_code),
            "",
            format!(
                "grade={} cause={} from={} amount={} per={} citation={}",
                row.grade,
                row.cause,
                row.effective_from,
                standard.amount.yuan(),
                row.per,
                row.citation
            ),
        );
        self.store().set_veteran_standard(&row, &audit).await?;
        Ok(())
    }

    /// The divisions within the actor's jurisdiction, for the register's street filter
    /// (`Read`).
    pub async fn veteran_divisions(&self, actor: &Actor) -> Result<Vec<store::Division>, Error> {
        self.authorize(actor, Line::Veterans, Action::Read)?;
        match &actor.jurisdiction {
            Some(root) => Ok(self.store().divisions_within(root).await?),
            None => Ok(Vec::new()),
        }
    }

    /// The categories by code, for labels.
    pub async fn veteran_category_names(
        &self,
        actor: &Actor,
    ) -> Result<HashMap<String, String>, Error> {
        Ok(self
            .veteran_categories(actor)
            .await?
            .into_iter()
            .map(|c| (c.code, c.name))
            .collect())
    }
}
