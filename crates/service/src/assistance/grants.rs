//! Relief and medical-assistance grants (临时救助, 受灾救助, 冬春救助, 医疗救助; issue 4 item
//! 7) and the yearly budgets they draw on.
//!
//! Who may do what (rules.md §3: the township reviews, the county approves; medical
//! assistance and relief funds are the district's budget lines):
//! - recording a grant, cancelling one, and setting a budget: `Line::Assistance` `Approve`,
//!   i.e. the district's assistance section. A grant is recorded as the section's decision,
//!   so who recorded it is who approved it, with the time; street officers and community
//!   workers prepare the file on paper and see the grants of their jurisdiction. (Delegating
//!   small temporary grants to streets, which art. 47–49 allow, is a local choice not built
//!   yet.)
//! - reading grants and budgets: `Read`, grants within the jurisdiction only (the grant's
//!   division is where the household lived on the day of the grant); an export needs
//!   `Export`. Reading one grant, and exporting, is audited.
//!
//! A grant goes to a household of the registry (`households`: every applicant household,
//! whatever became of its case), so that grants are counted per household and show on its
//! case page. Someone with no household on file is registered through an application first.
//!
//! Money: each grant draws on the budget of its year (of `granted_on`) and kind. A grant that
//! would take the drawn total above the budget is refused with the four figures, unless an
//! override reason is given; the override is stored with the grant and logged
//! (`assistance.grant.override`) in the same transaction, and the check runs inside the
//! write transaction with the budget row locked (`store::Store::insert_grant`). A year and
//! kind without a budget takes no grants: the section sets the budget (0 is allowed) first.
//! Grants are never edited or deleted; a mistaken one is cancelled with a reason and stops
//! counting as drawn.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use domain::assistance::grants::{BudgetUse, GrantKind};
use domain::{Action, DivisionCode, Fen, Line, ResidentId, parse_date};
use store::{
    BUDGET_YEAR_KIND, BudgetWrite, GRANT_CANCELLED_ONCE, GrantFilter, GrantRecord, GrantWrite,
    NewBudget, NewGrant, StoreError,
};

use crate::list::{self, Page};
use crate::{Actor, Error, FieldError, Service};

/// Reasons must say something: at least this many characters, at most the next.
const MIN_REASON_CHARS: usize = 4;
const MAX_REASON_CHARS: usize = 200;
const MAX_FUNDING_SOURCE_CHARS: usize = 50;
const MAX_CITATION_CHARS: usize = 200;
/// One grant above 1 亿元 is a typo, not a grant.
const MAX_GRANT_FEN: i64 = 10_000_000_000;
/// A yearly budget above 100 亿元 is a typo too.
const MAX_BUDGET_FEN: i64 = 1_000_000_000_000;
/// Grants and budgets before this year are not kept here.
pub const FIRST_YEAR: i32 = 2000;
pub const LAST_YEAR: i32 = 2100;

/// A grant as typed in a form or an API body: every field is text so that every problem
/// is found and named at once, here, for every adapter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GrantInput {
    /// A [`GrantKind`] code.
    pub kind: String,
    /// The household's number in the registry (shown on its case page).
    pub household: String,
    pub persons: String,
    /// Yuan, e.g. `1500` or `1500.00`.
    pub amount: String,
    pub reason: String,
    /// The budget line code the money came from.
    pub funding_source: String,
    /// `YYYY-MM-DD`: the day of the decision; its year picks the budget.
    pub granted_on: String,
    /// Empty unless the grant may go above its budget.
    pub override_reason: String,
}

/// A budget as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BudgetInput {
    pub year: String,
    pub kind: String,
    /// Yuan.
    pub amount: String,
    pub citation: String,
}

/// A recorded grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GrantRecorded {
    pub id: i64,
    /// It went above its budget on an override.
    pub overridden: bool,
}

/// Who cancelled a grant, when and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancellationView {
    pub reason: String,
    pub by: String,
    pub by_name: String,
    pub at: DateTime<Utc>,
}

/// A grant as pages and the API show it (the head's ID number masked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantView {
    pub id: i64,
    pub kind: GrantKind,
    pub household_id: i64,
    pub case_id: Option<i64>,
    pub division: DivisionCode,
    pub division_name: String,
    pub head_name: String,
    pub head_id_number: String,
    pub persons: i64,
    pub amount: Fen,
    pub reason: String,
    pub funding_source: String,
    pub granted_on: NaiveDate,
    pub year: i32,
    /// The budget and what was drawn on it just before this grant.
    pub budget: Fen,
    pub drawn_before: Fen,
    pub override_reason: Option<String>,
    /// Who recorded and approved it (username and display name), and when.
    pub by: String,
    pub by_name: String,
    pub at: DateTime<Utc>,
    pub cancellation: Option<CancellationView>,
}

/// What a list of grants adds up to, cancelled grants left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GrantTotals {
    pub grants: i64,
    /// Distinct households.
    pub households: i64,
    /// Persons covered, summed over the grants.
    pub persons: i64,
    pub amount: Fen,
}

/// A budget with its use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetView {
    pub year: i32,
    pub kind: GrantKind,
    pub amount: Fen,
    pub citation: String,
    pub by: String,
    pub at: DateTime<Utc>,
    pub drawn: Fen,
    /// Negative once overrides took the total above the budget.
    pub remaining: Fen,
    /// Drawn as tenths of a percent of the budget; `None` for a budget of zero.
    pub permille_used: Option<i64>,
    pub grants: i64,
    pub overrides: i64,
    pub override_amount: Fen,
}

/// What the grant list asks for; every filter narrows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantQuery {
    pub kind: Option<GrantKind>,
    pub year: Option<i32>,
    /// A division subtree (e.g. a street).
    pub division: Option<DivisionCode>,
    /// 1-based.
    pub page: usize,
    /// Capped at [`list::MAX_PER_PAGE`]; 0 means [`list::DEFAULT_PER_PAGE`].
    pub per_page: usize,
}

impl Default for GrantQuery {
    fn default() -> Self {
        Self {
            kind: None,
            year: None,
            division: None,
            page: 1,
            per_page: list::DEFAULT_PER_PAGE,
        }
    }
}

impl GrantQuery {
    pub fn page_size(&self) -> usize {
        match self.per_page {
            0 => list::DEFAULT_PER_PAGE,
            n => n.min(list::MAX_PER_PAGE),
        }
    }

    /// The query in words for the audit log.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(k) = self.kind {
            parts.push(format!("kind={k}"));
        }
        if let Some(y) = self.year {
            parts.push(format!("year={y}"));
        }
        if let Some(d) = &self.division {
            parts.push(format!("division={d}"));
        }
        parts.join(" ")
    }
}

fn corrupt(what: String) -> Error {
    Error::Internal(StoreError::Corrupt { what })
}

/// A text of `min..=max` characters, trimmed; `code` with the bounds otherwise.
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

fn kind_of(value: &str, field: &'static str, errors: &mut Vec<FieldError>) -> Option<GrantKind> {
    match value.parse::<GrantKind>() {
        Ok(k) => Some(k),
        Err(e) => {
            errors.push(FieldError::new(field, e.code(), value.trim()));
            None
        }
    }
}

fn amount_of(
    value: &str,
    field: &'static str,
    max: i64,
    errors: &mut Vec<FieldError>,
) -> Option<Fen> {
    match Fen::from_yuan_str(value.trim()) {
        Err(e) => {
            errors.push(FieldError::new(field, e.code(), value.trim()));
            None
        }
        Ok(f) if f.as_fen() > max => {
            errors.push(FieldError::new(
                field,
                "grants.amount_too_large",
                Fen::from_fen(max).yuan(),
            ));
            None
        }
        Ok(f) => Some(f),
    }
}

/// The store's filter for `query` within the actor's jurisdiction; `None` if the actor
/// sees nothing.
fn grant_filter(
    actor: &Actor,
    query: &GrantQuery,
    household_id: Option<i64>,
) -> Option<GrantFilter> {
    let jurisdiction = match (&actor.jurisdiction, actor.is_system()) {
        (Some(root), _) => Some(root.clone()),
        (None, true) => None,
        (None, false) => return None,
    };
    Some(GrantFilter {
        jurisdiction,
        division: query.division.clone(),
        kind: query.kind.map(|k| k.as_str().to_owned()),
        year: query.year.map(i64::from),
        household_id,
    })
}

fn year_of(date: NaiveDate) -> i32 {
    date.year()
}

impl Service {
    /// Records a grant (`Approve`): validates every field, checks the household is in the
    /// registry and the jurisdiction, and writes the grant against its budget (see the
    /// module's notes on money). Returns the id and whether an override was used.
    pub async fn record_grant(
        &self,
        actor: &Actor,
        input: &GrantInput,
    ) -> Result<GrantRecorded, Error> {
        self.authorize(actor, Line::Assistance, Action::Approve)?;
        let today = self.today();
        let mut errors: Vec<FieldError> = Vec::new();
        let kind = kind_of(&input.kind, "grant_kind", &mut errors);
        let household = match input.household.trim().parse::<i64>() {
            Ok(id) if id > 0 => match self.store().household_for_grant(id).await {
                Ok((division, members)) if actor.sees(&division) => Some((id, division, members)),
                Ok(_) | Err(StoreError::NotFound) => {
                    errors.push(FieldError::new(
                        "household",
                        "grants.household_unknown",
                        id.to_string(),
                    ));
                    None
                }
                Err(e) => return Err(e.into()),
            },
            _ => {
                errors.push(FieldError::new(
                    "household",
                    "grants.household_number",
                    input.household.trim(),
                ));
                None
            }
        };
        let persons = match input.persons.trim().parse::<i64>() {
            Ok(n) if n >= 1 && household.as_ref().is_none_or(|(_, _, m)| n <= (*m).max(1)) => {
                Some(n)
            }
            _ => {
                let most = household.as_ref().map_or(30, |(_, _, m)| (*m).max(1));
                errors.push(FieldError::new(
                    "persons",
                    "grants.persons",
                    most.to_string(),
                ));
                None
            }
        };
        let amount = amount_of(&input.amount, "amount", MAX_GRANT_FEN, &mut errors);
        if amount.is_some_and(|a| a.as_fen() <= 0) {
            errors.push(FieldError::new(
                "amount",
                "grants.amount_positive",
                input.amount.trim(),
            ));
        }
        let reason = text(
            &input.reason,
            "grant_reason",
            "grants.reason",
            MIN_REASON_CHARS,
            MAX_REASON_CHARS,
            &mut errors,
        );
        let funding_source = text(
            &input.funding_source,
            "funding_source",
            "grants.funding_source",
            1,
            MAX_FUNDING_SOURCE_CHARS,
            &mut errors,
        );
        let granted_on = match parse_date(&input.granted_on) {
            Err(e) => {
                errors.push(FieldError::new(
                    "granted_on",
                    e.code(),
                    input.granted_on.trim(),
                ));
                None
            }
            Ok(d) if d > today => {
                errors.push(FieldError::new(
                    "granted_on",
                    "grants.future_date",
                    today.to_string(),
                ));
                None
            }
            Ok(d) if year_of(d) < FIRST_YEAR => {
                errors.push(FieldError::new(
                    "granted_on",
                    "grants.year",
                    format!("{FIRST_YEAR}–{LAST_YEAR}"),
                ));
                None
            }
            Ok(d) => Some(d),
        };
        let override_reason = if input.override_reason.trim().is_empty() {
            None
        } else {
            Some(text(
                &input.override_reason,
                "override_reason",
                "grants.override_reason",
                MIN_REASON_CHARS,
                MAX_REASON_CHARS,
                &mut errors,
            ))
        };
        let (
            Some(kind),
            Some((household_id, division, _)),
            Some(persons),
            Some(amount),
            Some(granted_on),
            true,
        ) = (
            kind,
            household,
            persons,
            amount,
            granted_on,
            errors.is_empty(),
        )
        else {
            return Err(Error::Invalid(errors));
        };
        let grant = NewGrant {
            kind: kind.as_str().to_owned(),
            household_id,
            division_code: division,
            persons,
            amount_fen: amount.as_fen(),
            reason,
            funding_source: funding_source.clone(),
            granted_on,
            override_reason,
            by_user: actor.username.clone(),
            at: self.now(),
        };
        let audit = self.audit(
            actor,
            "assistance.grant.record",
            "",
            "",
            format!(
                "household:{household_id} kind={kind} amount={} persons={persons} \
                 granted_on={granted_on} source={funding_source}",
                amount.yuan()
            ),
        );
        match self.store().insert_grant(&grant, &audit).await? {
            GrantWrite::Recorded { id, overridden, .. } => Ok(GrantRecorded { id, overridden }),
            GrantWrite::NoBudget => Err(Error::invalid(FieldError::new(
                "grant_kind",
                "grants.no_budget",
                year_of(granted_on).to_string(),
            ))),
            GrantWrite::OverBudget {
                budget_fen,
                drawn_fen,
            } => {
                let used = BudgetUse {
                    budget: Fen::from_fen(budget_fen),
                    drawn: Fen::from_fen(drawn_fen),
                };
                let Err(over) = used.check(amount) else {
                    return Err(corrupt("budget check disagrees with the store".into()));
                };
                Err(Error::invalid(FieldError::new(
                    "amount",
                    over.code(),
                    over.detail(),
                )))
            }
        }
    }

    /// Cancels a grant that was recorded by mistake (`Approve`), with a reason; it stays on
    /// file, marked, and no longer counts as drawn. Cancelling twice is a conflict.
    pub async fn cancel_grant(&self, actor: &Actor, id: i64, reason: &str) -> Result<(), Error> {
        self.authorize(actor, Line::Assistance, Action::Approve)?;
        let mut errors = Vec::new();
        let reason = text(
            reason,
            "cancel_reason",
            "grants.cancel_reason",
            MIN_REASON_CHARS,
            MAX_REASON_CHARS,
            &mut errors,
        );
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let grant = self.store().grant(id).await?;
        self.within(actor, &grant.division_code)?;
        let already = || Error::Conflict {
            code: "grants.already_cancelled",
            detail: id.to_string(),
        };
        if grant.cancellation.is_some() {
            return Err(already());
        }
        let audit = self.audit(
            actor,
            "assistance.grant.cancel",
            format!("grant:{id}"),
            &reason,
            format!(
                "household:{} kind={} amount={}",
                grant.household_id,
                grant.kind,
                Fen::from_fen(grant.amount_fen).yuan()
            ),
        );
        match self.store().cancel_grant(id, &reason, &audit).await {
            Err(StoreError::Conflict {
                constraint: Some(c),
                ..
            }) if c == GRANT_CANCELLED_ONCE => Err(already()),
            other => Ok(other?),
        }
    }

    /// One grant (`Read`, within the jurisdiction). The read is audited
    /// (`assistance.grant.read`): a grant is personal data.
    pub async fn grant(&self, actor: &Actor, id: i64) -> Result<GrantView, Error> {
        self.authorize(actor, Line::Assistance, Action::Read)?;
        let grant = self.store().grant(id).await?;
        self.within(actor, &grant.division_code)?;
        let audit = self.audit(
            actor,
            "assistance.grant.read",
            format!("grant:{id}"),
            "",
            "",
        );
        self.store().record_audit(&audit).await?;
        let mut names = HashMap::new();
        self.grant_view(grant, &mut names).await
    }

    /// One page of the grants in the actor's jurisdiction matching `query`, newest first.
    pub async fn grants(
        &self,
        actor: &Actor,
        query: &GrantQuery,
    ) -> Result<Page<GrantView>, Error> {
        self.authorize(actor, Line::Assistance, Action::Read)?;
        self.grant_page(actor, query, None).await
    }

    /// What the grants matching `query` in the actor's jurisdiction add up to (all pages,
    /// cancelled grants left out): grants, households, persons, amount.
    pub async fn grant_totals(
        &self,
        actor: &Actor,
        query: &GrantQuery,
    ) -> Result<GrantTotals, Error> {
        self.authorize(actor, Line::Assistance, Action::Read)?;
        let Some(filter) = grant_filter(actor, query, None) else {
            return Ok(GrantTotals::default());
        };
        let t = self.store().grant_totals(&filter).await?;
        Ok(GrantTotals {
            grants: t.grants,
            households: t.households,
            persons: t.persons,
            amount: Fen::from_fen(t.amount_fen),
        })
    }

    /// Every grant of one household within the jurisdiction, newest first, for its case
    /// page (whose read is audited already).
    pub async fn household_grants(
        &self,
        actor: &Actor,
        household_id: i64,
    ) -> Result<Vec<GrantView>, Error> {
        self.authorize(actor, Line::Assistance, Action::Read)?;
        let query = GrantQuery {
            per_page: list::MAX_PER_PAGE,
            ..GrantQuery::default()
        };
        Ok(self
            .grant_page(actor, &query, Some(household_id))
            .await?
            .items)
    }

    /// Every grant matching `query` (all pages) for a download (`Export`); more than
    /// [`list::MAX_EXPORT_ROWS`] is refused. Audited (`assistance.grant.export`).
    pub async fn export_grants(
        &self,
        actor: &Actor,
        query: &GrantQuery,
    ) -> Result<Vec<GrantView>, Error> {
        self.authorize(actor, Line::Assistance, Action::Export)?;
        let all = list::every_row(|page, per_page| {
            let mut q = query.clone();
            q.page = page;
            q.per_page = per_page;
            async move { self.grant_page(actor, &q, None).await }
        })
        .await?;
        let detail = format!("rows={} {}", all.len(), query.describe());
        let audit = self.audit(
            actor,
            "assistance.grant.export",
            "grants",
            "",
            detail.trim_end().to_owned(),
        );
        self.store().record_audit(&audit).await?;
        Ok(all)
    }

    async fn grant_page(
        &self,
        actor: &Actor,
        query: &GrantQuery,
        household_id: Option<i64>,
    ) -> Result<Page<GrantView>, Error> {
        let per_page = query.page_size();
        let Some(filter) = grant_filter(actor, query, household_id) else {
            return Ok(Page::cut(Vec::new(), 1, per_page));
        };
        let (rows, total, page) = self
            .store()
            .grants_page(
                &filter,
                i64::try_from(query.page).unwrap_or(i64::MAX),
                i64::try_from(per_page).unwrap_or(50),
            )
            .await?;
        let mut names = HashMap::new();
        let mut items = Vec::with_capacity(rows.len());
        for r in rows {
            items.push(self.grant_view(r, &mut names).await?);
        }
        Ok(Page {
            items,
            total: usize::try_from(total).unwrap_or(0),
            page: usize::try_from(page).unwrap_or(1),
            per_page,
        })
    }

    /// A user's display name (the username if the account is gone), remembered in `names`.
    async fn display_name(
        &self,
        username: &str,
        names: &mut HashMap<String, String>,
    ) -> Result<String, Error> {
        if let Some(n) = names.get(username) {
            return Ok(n.clone());
        }
        let name = match self.store().user_by_username(username).await {
            Ok(u) => u.display_name,
            Err(StoreError::NotFound) => username.to_owned(),
            Err(e) => return Err(e.into()),
        };
        names.insert(username.to_owned(), name.clone());
        Ok(name)
    }

    async fn grant_view(
        &self,
        r: GrantRecord,
        names: &mut HashMap<String, String>,
    ) -> Result<GrantView, Error> {
        let kind = r
            .kind
            .parse::<GrantKind>()
            .map_err(|_| corrupt(format!("grant kind {:?}", r.kind)))?;
        let head =
            ResidentId::parse(&r.head_id_number).map_err(|_| corrupt("stored ID number".into()))?;
        let cancellation = match r.cancellation {
            Some(c) => Some(CancellationView {
                by_name: self.display_name(&c.by_user, names).await?,
                by: c.by_user,
                reason: c.reason,
                at: c.at,
            }),
            None => None,
        };
        Ok(GrantView {
            id: r.id,
            kind,
            household_id: r.household_id,
            case_id: r.case_id,
            division: r.division_code,
            division_name: r.division_name,
            head_name: r.head_name,
            head_id_number: head.masked(),
            persons: r.persons,
            amount: Fen::from_fen(r.amount_fen),
            reason: r.reason,
            funding_source: r.funding_source,
            granted_on: r.granted_on,
            year: i32::try_from(r.year).map_err(|_| corrupt(format!("year {}", r.year)))?,
            budget: Fen::from_fen(r.budget_fen),
            drawn_before: Fen::from_fen(r.drawn_before_fen),
            override_reason: r.override_reason,
            by_name: self.display_name(&r.by_user, names).await?,
            by: r.by_user,
            at: r.at,
            cancellation,
        })
    }

    /// Every budget with what is drawn, what remains, the share used and the overrides
    /// (`Read`; budgets are the district's, not personal data).
    pub async fn budgets(&self, actor: &Actor) -> Result<Vec<BudgetView>, Error> {
        self.authorize(actor, Line::Assistance, Action::Read)?;
        self.store()
            .budgets()
            .await?
            .into_iter()
            .map(|b| {
                let kind = b
                    .kind
                    .parse::<GrantKind>()
                    .map_err(|_| corrupt(format!("budget kind {:?}", b.kind)))?;
                let used = BudgetUse {
                    budget: Fen::from_fen(b.amount_fen),
                    drawn: Fen::from_fen(b.drawn_fen),
                };
                Ok(BudgetView {
                    year: i32::try_from(b.year).map_err(|_| corrupt(format!("year {}", b.year)))?,
                    kind,
                    amount: used.budget,
                    citation: b.citation,
                    by: b.by_user,
                    at: b.at,
                    drawn: used.drawn,
                    remaining: used.remaining(),
                    permille_used: used.permille_used(),
                    grants: b.grants,
                    overrides: b.overrides,
                    override_amount: Fen::from_fen(b.override_fen),
                })
            })
            .collect()
    }

    /// Sets the budget of a year and kind (`Approve`), with the document that set it. A
    /// budget below what is already drawn on it is refused, naming the drawn total: the
    /// grants would have to be cancelled first. Audited with the amounts before and after.
    pub async fn set_budget(&self, actor: &Actor, input: &BudgetInput) -> Result<(), Error> {
        self.authorize(actor, Line::Assistance, Action::Approve)?;
        let mut errors = Vec::new();
        let year = match input.year.trim().parse::<i32>() {
            Ok(y) if (FIRST_YEAR..=LAST_YEAR).contains(&y) => Some(y),
            _ => {
                errors.push(FieldError::new(
                    "year",
                    "grants.year",
                    format!("{FIRST_YEAR}–{LAST_YEAR}"),
                ));
                None
            }
        };
        let kind = kind_of(&input.kind, "grant_kind", &mut errors);
        let amount = amount_of(&input.amount, "amount", MAX_BUDGET_FEN, &mut errors);
        if amount.is_some_and(Fen::is_negative) {
            errors.push(FieldError::new(
                "amount",
                "grants.amount_negative",
                input.amount.trim(),
            ));
        }
        let citation = text(
            &input.citation,
            "citation",
            "grants.citation",
            1,
            MAX_CITATION_CHARS,
            &mut errors,
        );
        let (Some(year), Some(kind), Some(amount), true) = (year, kind, amount, errors.is_empty())
        else {
            return Err(Error::Invalid(errors));
        };
        let budget = NewBudget {
            year: i64::from(year),
            kind: kind.as_str().to_owned(),
            amount_fen: amount.as_fen(),
            citation: citation.clone(),
            by_user: actor.username.clone(),
            at: self.now(),
        };
        let audit = self.audit(
            actor,
            "assistance.budget.set",
            format!("budget:{year}:{kind}"),
            "",
            format!("citation={citation:?}"),
        );
        let written = match self.store().set_budget(&budget, &audit).await {
            // Someone set the same year and kind between our read and our insert.
            Err(StoreError::Conflict {
                constraint: Some(c),
                ..
            }) if c == BUDGET_YEAR_KIND => {
                return Err(Error::Conflict {
                    code: "grants.budget_changed",
                    detail: format!("{year} {kind}"),
                });
            }
            other => other?,
        };
        match written {
            BudgetWrite::Set { .. } => Ok(()),
            BudgetWrite::BelowDrawn { drawn_fen } => Err(Error::invalid(FieldError::new(
                "amount",
                "grants.budget_below_drawn",
                Fen::from_fen(drawn_fen).yuan(),
            ))),
        }
    }
}
