//! Petition cases (信访, issue 7 item 8): a petitioner (an entitlement's holder, or a
//! veteran not on the register, by name and community), the subject, and dated follow-ups
//! with who did what: the screening that opens the case with its risk level, contacts,
//! home visits, further screenings, and the close with its outcome. Every follow-up but the
//! close sets the next visit (given, or the risk level's interval); the due list shows the
//! open cases whose next visit is overdue or due this week (`domain::veterans::petitions`).
//!
//! Who may do what: streets, communities and the veterans section record (`Line::Veterans`
//! `Write`); readers see the cases in their jurisdiction (the case's community). A case
//! outside it is not found. Reading the list and a case is audited, as is every change.
//!
//! Refused, nothing written: a follow-up dated before the case opened or in the future, a
//! follow-up or a close on a closed case (checked again inside the writing transaction, and
//! a unique index closes a case once), a form made before someone else's follow-up
//! (`veterans.petition_stale`), an unknown risk level.
//!
//! The risk levels are the district's settings: the veterans section (`Approve`, district
//! wide as other district settings) adds a level, renames one or changes its interval, and
//! removes one no case ever used. A next visit left to the interval follows the level's
//! interval as it is now (`store`), so the due list moves with the section's change; a date
//! given stays. The case list is exported (`Export`) with the ID numbers masked.

use chrono::NaiveDate;
use domain::veterans::petitions::{self, FollowupKind, VisitDue};
use domain::{Action, DivisionCode, DivisionLevel, Line, ResidentId, parse_date};
use store::{
    CLOSED_ONCE, FOLLOWUP_SEQ, NewFollowup, NewPetitionCase, PetitionFilter, PetitionRecord,
    RiskLevelRow, StoreError,
};

use super::text;
use crate::list::{self, Code, ListQuery, Page};
use crate::{Actor, Error, FieldError, Service};

const MAX_NAME_CHARS: usize = 30;
const MAX_SUBJECT_CHARS: usize = 200;
const MAX_WHO_CHARS: usize = 50;
const MIN_WHAT_CHARS: usize = 2;
const MAX_WHAT_CHARS: usize = 500;
const FIRST_CASE: &str = "1990-01-01";
const MAX_LEVEL_CODE_CHARS: usize = 10;
const MAX_LEVEL_NAME_CHARS: usize = 10;
const MAX_VISIT_DAYS: u32 = 366;

/// The levels seeded on a new database (code, name, days between visits).
const SEED_LEVELS: &[(&str, &str, i64)] =
    &[("high", "高", 7), ("medium", "中", 30), ("low", "低", 90)];

/// A case is open or closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PetitionStatus {
    Open,
    Closed,
}

impl Code for PetitionStatus {
    const ALL: &'static [Self] = &[PetitionStatus::Open, PetitionStatus::Closed];
    fn as_str(self) -> &'static str {
        match self {
            PetitionStatus::Open => "open",
            PetitionStatus::Closed => "closed",
        }
    }
}

/// Cases come in one order: open ones by next visit, then closed ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PetitionSort {
    Due,
}

impl Code for PetitionSort {
    const ALL: &'static [Self] = &[PetitionSort::Due];
    fn as_str(self) -> &'static str {
        "due"
    }
}

/// The case list's query: the shared list contract plus the due filter and the risk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PetitionQuery {
    pub list: ListQuery<PetitionSort, PetitionStatus>,
    /// Open cases whose next visit is overdue, or due this week.
    pub due: Option<VisitDue>,
    pub risk: Option<String>,
}

/// A risk level of the configurable list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskLevel {
    pub code: String,
    pub name: String,
    pub visit_days: u32,
}

/// A risk level with how much it is used, as the section's page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskLevelUse {
    pub level: RiskLevel,
    /// Open cases in the reader's jurisdiction whose risk it is now.
    pub open_cases: i64,
    /// Cases anywhere a screening ever put at it (a level so used cannot be removed).
    pub cases: i64,
}

/// A level as typed: to add, or one row of the edit form (the code names the level).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RiskLevelInput {
    pub code: String,
    pub name: String,
    /// Days between visits.
    pub visit_days: String,
}

/// A case with its holder's ID number masked, as pages, lists, exports and the API show it.
fn masked(mut c: PetitionRecord) -> Result<PetitionRecord, Error> {
    if let Some(n) = &c.id_number {
        let id = ResidentId::parse(n)
            .map_err(|_| super::corrupt(format!("ID number of petition case {}", c.id)))?;
        c.id_number = Some(id.masked());
    }
    Ok(c)
}

/// A level's name and interval, checked; `row` places the refusals in a form's rows.
fn level_fields(
    input: &RiskLevelInput,
    row: Option<usize>,
    errors: &mut Vec<FieldError>,
) -> Option<(String, u32)> {
    let at = |e: FieldError| match row {
        Some(r) => e.at_row(r),
        None => e,
    };
    let before = errors.len();
    let name = input.name.trim().to_owned();
    let n = name.chars().count();
    if n == 0 || n > MAX_LEVEL_NAME_CHARS || name.chars().any(char::is_control) {
        errors.push(at(FieldError::new(
            "risk_name",
            "veterans.risk_name",
            format!("1–{MAX_LEVEL_NAME_CHARS}"),
        )));
    }
    let days = match input.visit_days.trim().parse::<u32>() {
        Ok(d) if (1..=MAX_VISIT_DAYS).contains(&d) => Some(d),
        _ => {
            errors.push(at(FieldError::new(
                "visit_days",
                "veterans.visit_days",
                input.visit_days.trim().chars().take(20).collect::<String>(),
            )));
            None
        }
    };
    days.filter(|_| errors.len() == before).map(|d| (name, d))
}

/// A case to open, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenInput {
    /// The entitlement number of a petitioner on the register; empty for another veteran.
    pub entitlement: String,
    /// Another veteran's name (ignored with an entitlement).
    pub petitioner: String,
    /// Another veteran's community or village (ignored with an entitlement).
    pub community: String,
    pub subject: String,
    /// The day of the first screening.
    pub opened_on: String,
    pub risk: String,
    pub who: String,
    pub what: String,
    /// Empty: the risk level's interval.
    pub next_due: String,
}

/// A follow-up as typed (a screening, contact or home visit).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FollowupInput {
    pub kind: String,
    pub on_date: String,
    /// Screenings only.
    pub risk: String,
    pub who: String,
    pub what: String,
    pub next_due: String,
    /// The number of the latest follow-up the form was made from; `None`: the latest now.
    pub last_seq: Option<i64>,
}

/// The close as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CloseInput {
    pub on_date: String,
    pub who: String,
    pub outcome: String,
    pub last_seq: Option<i64>,
}

impl Service {
    /// Seeds the risk levels the first time (from `prepare`).
    pub(crate) async fn seed_petition_risk_levels(&self, actor: &Actor) -> Result<(), Error> {
        if !self.store().petition_risk_levels().await?.is_empty() {
            return Ok(());
        }
        let rows: Vec<RiskLevelRow> = SEED_LEVELS
            .iter()
            .zip(1..)
            .map(|((code, name, days), position)| RiskLevelRow {
                code: (*code).to_owned(),
                name: (*name).to_owned(),
                visit_days: *days,
                position,
            })
            .collect();
        let audit = self.audit(
            actor,
            "veterans.petition.risk_seed",
            "petition_risk_levels",
            "",
            format!("levels={}", rows.len()),
        );
        self.store()
            .insert_petition_risk_levels(&rows, &audit)
            .await?;
        Ok(())
    }

    /// The risk levels in their order (`Read`).
    pub async fn petition_risk_levels(&self, actor: &Actor) -> Result<Vec<RiskLevel>, Error> {
        self.authorize(actor, Line::Veterans, Action::Read)?;
        self.risk_levels().await
    }

    async fn risk_levels(&self) -> Result<Vec<RiskLevel>, Error> {
        Ok(self
            .store()
            .petition_risk_levels()
            .await?
            .into_iter()
            .map(|r| RiskLevel {
                code: r.code,
                name: r.name,
                visit_days: u32::try_from(r.visit_days).unwrap_or(1),
            })
            .collect())
    }

    /// A follow-up's day: a date, not in the future, not before `opened`.
    fn followup_day(
        &self,
        field: &'static str,
        text: &str,
        opened: NaiveDate,
        errors: &mut Vec<FieldError>,
    ) -> Option<NaiveDate> {
        let today = self.today();
        match parse_date(text) {
            Err(e) => {
                errors.push(FieldError::new(field, e.code(), text.trim()));
                None
            }
            Ok(d) if d > today => {
                errors.push(FieldError::new(
                    field,
                    "veterans.future_date",
                    today.to_string(),
                ));
                None
            }
            Ok(d) if d < opened => {
                errors.push(FieldError::new(
                    field,
                    "veterans.followup_before_open",
                    opened.to_string(),
                ));
                None
            }
            Ok(d) => Some(d),
        }
    }

    /// The next visit: the date given (not before `on`), or `visit_days` after `on`.
    fn next_due(
        text: &str,
        on: Option<NaiveDate>,
        visit_days: Option<u32>,
        errors: &mut Vec<FieldError>,
    ) -> Option<NaiveDate> {
        let on = on?;
        if text.trim().is_empty() {
            return visit_days.map(|days| petitions::next_visit(on, days));
        }
        match parse_date(text) {
            Err(e) => {
                errors.push(FieldError::new("next_due", e.code(), text.trim()));
                None
            }
            Ok(d) if d < on => {
                errors.push(FieldError::new(
                    "next_due",
                    "veterans.next_due",
                    on.to_string(),
                ));
                None
            }
            Ok(d) => Some(d),
        }
    }

    fn risk_of<'a>(
        levels: &'a [RiskLevel],
        text: &str,
        errors: &mut Vec<FieldError>,
    ) -> Option<&'a RiskLevel> {
        let found = levels.iter().find(|l| l.code == text.trim());
        if found.is_none() {
            errors.push(FieldError::new("risk", "veterans.risk", text.trim()));
        }
        found
    }

    /// Where a free-text petitioner lives: a community or village in the jurisdiction.
    async fn petition_community(
        &self,
        actor: &Actor,
        text: &str,
        errors: &mut Vec<FieldError>,
    ) -> Result<Option<DivisionCode>, Error> {
        let code = match text.trim().parse::<DivisionCode>() {
            Err(e) => {
                errors.push(FieldError::new("community", e.code(), e.to_string()));
                return Ok(None);
            }
            Ok(c) => c,
        };
        if !matches!(
            code.level(),
            DivisionLevel::Community | DivisionLevel::Village
        ) {
            errors.push(FieldError::new(
                "community",
                "veterans.community_level",
                code.as_str(),
            ));
            return Ok(None);
        }
        if !actor.sees(&code) {
            errors.push(FieldError::new(
                "community",
                "veterans.community_unknown",
                code.as_str(),
            ));
            return Ok(None);
        }
        match self.store().division(&code).await {
            Ok(d) => Ok(Some(d.code)),
            Err(StoreError::NotFound) => {
                errors.push(FieldError::new(
                    "community",
                    "veterans.community_unknown",
                    code.as_str(),
                ));
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Opens a case with its first screening (`Write`). Returns its number.
    pub async fn open_petition(&self, actor: &Actor, input: &OpenInput) -> Result<i64, Error> {
        self.authorize(actor, Line::Veterans, Action::Write)?;
        let mut errors = Vec::new();
        let (entitlement_id, petitioner, division) = if input.entitlement.trim().is_empty() {
            let name = text(
                &input.petitioner,
                "petitioner",
                "veterans.name",
                1,
                MAX_NAME_CHARS,
                &mut errors,
            );
            let division = self
                .petition_community(actor, &input.community, &mut errors)
                .await?;
            (None, name, division)
        } else {
            match input.entitlement.trim().parse::<i64>() {
                Ok(id) => match self.store().entitlement(id).await {
                    Ok(e) if actor.sees(&e.division_code) => {
                        (Some(e.id), e.name, Some(e.division_code))
                    }
                    Ok(_) | Err(StoreError::NotFound) => {
                        errors.push(FieldError::new(
                            "entitlement",
                            "veterans.entitlement",
                            id.to_string(),
                        ));
                        (None, String::new(), None)
                    }
                    Err(e) => return Err(e.into()),
                },
                Err(_) => {
                    errors.push(FieldError::new(
                        "entitlement",
                        "veterans.entitlement",
                        input.entitlement.trim(),
                    ));
                    (None, String::new(), None)
                }
            }
        };
        let subject = text(
            &input.subject,
            "subject",
            "veterans.subject",
            2,
            MAX_SUBJECT_CHARS,
            &mut errors,
        );
        let first = parse_date(FIRST_CASE).map_err(|e| super::corrupt(e.to_string()))?;
        let opened_on = self.followup_day("opened_on", &input.opened_on, first, &mut errors);
        let levels = self.risk_levels().await?;
        let risk = Self::risk_of(&levels, &input.risk, &mut errors);
        let who = text(
            &input.who,
            "who",
            "veterans.who",
            1,
            MAX_WHO_CHARS,
            &mut errors,
        );
        let what = text(
            &input.what,
            "what",
            "veterans.what",
            MIN_WHAT_CHARS,
            MAX_WHAT_CHARS,
            &mut errors,
        );
        let next_due = Self::next_due(
            &input.next_due,
            opened_on,
            risk.map(|r| r.visit_days),
            &mut errors,
        );
        let (Some(division), Some(opened_on), Some(risk), Some(next_due), true) =
            (division, opened_on, risk, next_due, errors.is_empty())
        else {
            return Err(Error::Invalid(errors));
        };
        let case = NewPetitionCase {
            entitlement_id,
            petitioner,
            division_code: division.clone(),
            subject,
            opened_on,
        };
        let screening = NewFollowup {
            kind: FollowupKind::Screening.as_str().to_owned(),
            on_date: opened_on,
            risk_code: Some(risk.code.clone()),
            who,
            what,
            next_due: Some(next_due),
            by_interval: input.next_due.trim().is_empty(),
        };
        let audit = self.audit(
            actor,
            "veterans.petition.open",
            "",
            "",
            format!(
                "division={division} entitlement={} risk={} opened_on={opened_on} \
                 next_due={next_due}",
                entitlement_id.map_or_else(|| "-".to_owned(), |e| e.to_string()),
                risk.code
            ),
        );
        Ok(self
            .store()
            .insert_petition_case(&case, &screening, &audit)
            .await?)
    }

    /// A case in the jurisdiction, for a change: not found outside it, refused when closed.
    async fn open_case(
        &self,
        actor: &Actor,
        id: i64,
        errors: &mut Vec<FieldError>,
    ) -> Result<PetitionRecord, Error> {
        let case = self.store().petition_case(id).await?;
        self.within(actor, &case.division_code)?;
        if case.closed {
            errors.push(FieldError::new(
                "form",
                "veterans.petition_closed",
                id.to_string(),
            ));
        }
        Ok(case)
    }

    /// Appends a follow-up, inside the transaction that checks the case is still open and
    /// the form still current, and maps those refusals to their field errors.
    async fn append(
        &self,
        case: &PetitionRecord,
        last_seq: Option<i64>,
        followup: &NewFollowup,
        audit: &store::AuditEntry,
    ) -> Result<i64, Error> {
        let expected = last_seq.unwrap_or(case.last_seq);
        if expected != case.last_seq {
            return Err(Error::invalid(FieldError::new(
                "form",
                "veterans.petition_stale",
                case.id.to_string(),
            )));
        }
        match self
            .store()
            .append_followup(case.id, expected, followup, audit)
            .await
        {
            Err(StoreError::Conflict {
                constraint: Some(c),
                ..
            }) if c == FOLLOWUP_SEQ => Err(Error::invalid(FieldError::new(
                "form",
                "veterans.petition_stale",
                case.id.to_string(),
            ))),
            Err(StoreError::Conflict {
                constraint: Some(c),
                ..
            }) if c == CLOSED_ONCE || c == "closed" => Err(Error::invalid(FieldError::new(
                "form",
                "veterans.petition_closed",
                case.id.to_string(),
            ))),
            other => Ok(other?),
        }
    }

    /// Records a screening, contact or home visit on open case `id` (`Write`).
    pub async fn record_followup(
        &self,
        actor: &Actor,
        id: i64,
        input: &FollowupInput,
    ) -> Result<i64, Error> {
        self.authorize(actor, Line::Veterans, Action::Write)?;
        let mut errors = Vec::new();
        let case = self.open_case(actor, id, &mut errors).await?;
        let kind = match input.kind.trim().parse::<FollowupKind>() {
            Ok(k) if FollowupKind::RECORDED.contains(&k) => Some(k),
            Ok(_) | Err(_) => {
                errors.push(FieldError::new(
                    "kind",
                    "veterans.followup_kind",
                    input.kind.trim(),
                ));
                None
            }
        };
        let on = self.followup_day("on_date", &input.on_date, case.opened_on, &mut errors);
        let levels = self.risk_levels().await?;
        let risk = if kind == Some(FollowupKind::Screening) {
            Self::risk_of(&levels, &input.risk, &mut errors)
        } else {
            levels.iter().find(|l| l.code == case.risk_code)
        };
        let who = text(
            &input.who,
            "who",
            "veterans.who",
            1,
            MAX_WHO_CHARS,
            &mut errors,
        );
        let what = text(
            &input.what,
            "what",
            "veterans.what",
            MIN_WHAT_CHARS,
            MAX_WHAT_CHARS,
            &mut errors,
        );
        let next_due = Self::next_due(&input.next_due, on, risk.map(|r| r.visit_days), &mut errors);
        let (Some(kind), Some(on), Some(next_due), true) = (kind, on, next_due, errors.is_empty())
        else {
            return Err(Error::Invalid(errors));
        };
        let followup = NewFollowup {
            kind: kind.as_str().to_owned(),
            on_date: on,
            risk_code: (kind == FollowupKind::Screening)
                .then(|| risk.map(|r| r.code.clone()))
                .flatten(),
            who,
            what,
            next_due: Some(next_due),
            by_interval: input.next_due.trim().is_empty(),
        };
        let audit = self.audit(
            actor,
            "veterans.petition.followup",
            format!("petition:{id}"),
            "",
            format!(
                "kind={kind} on={on} risk={} next_due={next_due}",
                followup.risk_code.as_deref().unwrap_or("-")
            ),
        );
        self.append(&case, input.last_seq, &followup, &audit).await
    }

    /// Closes open case `id` with its outcome (`Write`).
    pub async fn close_petition(
        &self,
        actor: &Actor,
        id: i64,
        input: &CloseInput,
    ) -> Result<i64, Error> {
        self.authorize(actor, Line::Veterans, Action::Write)?;
        let mut errors = Vec::new();
        let case = self.open_case(actor, id, &mut errors).await?;
        let on = self.followup_day("on_date", &input.on_date, case.opened_on, &mut errors);
        let who = text(
            &input.who,
            "who",
            "veterans.who",
            1,
            MAX_WHO_CHARS,
            &mut errors,
        );
        let outcome = text(
            &input.outcome,
            "outcome",
            "veterans.outcome",
            MIN_WHAT_CHARS,
            MAX_WHAT_CHARS,
            &mut errors,
        );
        let (Some(on), true) = (on, errors.is_empty()) else {
            return Err(Error::Invalid(errors));
        };
        let followup = NewFollowup {
            kind: FollowupKind::Close.as_str().to_owned(),
            on_date: on,
            risk_code: None,
            who,
            what: outcome,
            next_due: None,
            by_interval: false,
        };
        let audit = self.audit(
            actor,
            "veterans.petition.close",
            format!("petition:{id}"),
            "",
            format!("on={on}"),
        );
        self.append(&case, input.last_seq, &followup, &audit).await
    }

    /// Case `id` with its follow-ups (`Read`, within the jurisdiction; audited).
    pub async fn petition(&self, actor: &Actor, id: i64) -> Result<PetitionRecord, Error> {
        self.authorize(actor, Line::Veterans, Action::Read)?;
        let case = self.store().petition_case(id).await?;
        self.within(actor, &case.division_code)?;
        let audit = self.audit(
            actor,
            "veterans.petition.read",
            format!("petition:{id}"),
            "",
            "",
        );
        self.store().record_audit(&audit).await?;
        masked(case)
    }

    /// The cases about entitlement `id`'s holder (`Read`, within the jurisdiction).
    pub async fn entitlement_petitions(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<Vec<PetitionRecord>, Error> {
        self.authorize(actor, Line::Veterans, Action::Read)?;
        let e = self.store().entitlement(id).await?;
        self.within(actor, &e.division_code)?;
        self.store()
            .entitlement_petitions(id)
            .await?
            .into_iter()
            .map(masked)
            .collect()
    }

    fn petition_filter(&self, actor: &Actor, query: &PetitionQuery) -> Option<PetitionFilter> {
        let jurisdiction = match (&actor.jurisdiction, actor.is_system()) {
            (Some(root), _) => Some(root.clone()),
            (None, true) => None,
            (None, false) => return None,
        };
        let today = self.today();
        let mut filter = PetitionFilter {
            jurisdiction,
            division: query.list.division.clone(),
            closed: query.list.status.map(|s| s == PetitionStatus::Closed),
            risk: query.risk.clone().filter(|r| !r.trim().is_empty()),
            text_like: query.list.search().map(|s| s.text().to_owned()),
            ..PetitionFilter::default()
        };
        match query.due {
            Some(VisitDue::Overdue) => {
                filter.closed = Some(false);
                filter.due_to = today.pred_opt();
            }
            Some(VisitDue::ThisWeek) => {
                filter.closed = Some(false);
                filter.due_from = Some(today);
                filter.due_to = Some(petitions::week_end(today));
            }
            None => {}
        }
        Some(filter)
    }

    async fn petition_page(
        &self,
        actor: &Actor,
        query: &PetitionQuery,
    ) -> Result<Page<PetitionRecord>, Error> {
        let per_page = query.list.page_size();
        let Some(filter) = self.petition_filter(actor, query) else {
            return Ok(Page::cut(Vec::new(), 1, per_page));
        };
        let (rows, total, page) = self
            .store()
            .petition_cases_page(
                &filter,
                i64::try_from(query.list.page).unwrap_or(1),
                i64::try_from(per_page).unwrap_or(50),
            )
            .await?;
        Ok(Page {
            items: rows.into_iter().map(masked).collect::<Result<_, _>>()?,
            total: usize::try_from(total).unwrap_or(0),
            page: usize::try_from(page).unwrap_or(1),
            per_page,
        })
    }

    /// One page of the cases in the jurisdiction (`Read`): open ones by next visit, then
    /// closed ones. Audited (`veterans.petition.list`): the list names petitioners.
    pub async fn petitions(
        &self,
        actor: &Actor,
        query: &PetitionQuery,
    ) -> Result<Page<PetitionRecord>, Error> {
        self.authorize(actor, Line::Veterans, Action::Read)?;
        let page = self.petition_page(actor, query).await?;
        let due = query.due.map_or("", VisitDue::as_str);
        let audit = self.audit(
            actor,
            "veterans.petition.list",
            "petition_cases",
            "",
            format!(
                "{} due={due} rows={}",
                query.list.describe(),
                page.items.len()
            ),
        );
        self.store().record_audit(&audit).await?;
        Ok(page)
    }

    /// Every case matching `query` (its filters, the due list and the risk; not its page)
    /// for a masked download (`Export`); more than `list::MAX_EXPORT_ROWS` is refused.
    /// Audited (`veterans.petition.export`) with the filters and the number of rows.
    pub async fn export_petitions(
        &self,
        actor: &Actor,
        query: &PetitionQuery,
    ) -> Result<Vec<PetitionRecord>, Error> {
        self.authorize(actor, Line::Veterans, Action::Export)?;
        let all = list::every_row(|page, per_page| {
            let mut q = query.clone();
            q.list.page = page;
            q.list.per_page = per_page;
            async move { self.petition_page(actor, &q).await }
        })
        .await?;
        let audit = self.audit(
            actor,
            "veterans.petition.export",
            "petition_cases",
            "",
            format!(
                "{} due={} risk={} rows={}",
                query.list.describe(),
                query.due.map_or("", VisitDue::as_str),
                query.risk.as_deref().unwrap_or(""),
                all.len()
            ),
        );
        self.store().record_audit(&audit).await?;
        Ok(all)
    }

    /// The risk levels in their order with how much each is used (`Read`): the open cases
    /// in the reader's jurisdiction at each, and the cases anywhere that keep it.
    pub async fn petition_risk_level_uses(
        &self,
        actor: &Actor,
    ) -> Result<Vec<RiskLevelUse>, Error> {
        self.authorize(actor, Line::Veterans, Action::Read)?;
        let Some(filter) = self.petition_filter(actor, &PetitionQuery::default()) else {
            return Ok(Vec::new());
        };
        let uses = self
            .store()
            .petition_risk_level_uses(filter.jurisdiction.as_ref())
            .await?;
        Ok(self
            .risk_levels()
            .await?
            .into_iter()
            .map(|level| {
                let used = uses.get(&level.code).cloned().unwrap_or_default();
                RiskLevelUse {
                    level,
                    open_cases: used.open,
                    cases: used.cases,
                }
            })
            .collect())
    }

    /// The district's settings are the veterans section's (`Approve`) and district-wide.
    fn may_set_risk_levels(&self, actor: &Actor) -> Result<(), Error> {
        self.authorize(actor, Line::Veterans, Action::Approve)?;
        self.district_only(actor)
    }

    /// Changes the levels' names and intervals from the edit form, one row per level
    /// (`Approve`, district-wide). Every wrong row is named and nothing is written; each
    /// level changed gets its audit entry (old and new) in the one transaction. Returns how
    /// many levels changed. The open cases' next visits left to the interval follow it.
    pub async fn edit_petition_risk_levels(
        &self,
        actor: &Actor,
        rows: &[RiskLevelInput],
    ) -> Result<usize, Error> {
        self.may_set_risk_levels(actor)?;
        let levels = self.store().petition_risk_levels().await?;
        let mut errors = Vec::new();
        let mut changes = Vec::new();
        let mut names: Vec<(String, String)> = Vec::new();
        for (i, input) in rows.iter().enumerate() {
            let row = i + 1;
            let Some(old) = levels.iter().find(|l| l.code == input.code.trim()) else {
                errors.push(
                    FieldError::new("risk_code", "veterans.risk", input.code.trim()).at_row(row),
                );
                continue;
            };
            let Some((name, days)) = level_fields(input, Some(row), &mut errors) else {
                continue;
            };
            names.push((old.code.clone(), name.clone()));
            if name == old.name && i64::from(days) == old.visit_days {
                continue;
            }
            let audit = self.audit(
                actor,
                "veterans.petition.risk_level",
                format!("petition_risk_level:{}", old.code),
                "",
                format!(
                    "name={}→{name} visit_days={}→{days}",
                    old.name, old.visit_days
                ),
            );
            changes.push((
                RiskLevelRow {
                    code: old.code.clone(),
                    name,
                    visit_days: i64::from(days),
                    position: old.position,
                },
                audit,
            ));
        }
        // A name is a level's in every list and filter: two levels may not share one, with
        // the names as they will be after this form.
        let after = |code: &str, old: &str| {
            names
                .iter()
                .find(|(c, _)| c == code)
                .map_or_else(|| old.to_owned(), |(_, n)| n.clone())
        };
        for (code, name) in &names {
            let shared = levels
                .iter()
                .any(|l| &l.code != code && &after(&l.code, &l.name) == name);
            if shared {
                let row = rows.iter().position(|r| r.code.trim() == code).unwrap_or(0) + 1;
                errors.push(
                    FieldError::new("risk_name", "veterans.risk_name_taken", name.clone())
                        .at_row(row),
                );
            }
        }
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        if !changes.is_empty() {
            self.store().update_petition_risk_levels(&changes).await?;
        }
        Ok(changes.len())
    }

    /// Adds a level at the end of the list (`Approve`, district-wide; audited).
    pub async fn add_petition_risk_level(
        &self,
        actor: &Actor,
        input: &RiskLevelInput,
    ) -> Result<(), Error> {
        self.may_set_risk_levels(actor)?;
        let levels = self.store().petition_risk_levels().await?;
        let mut errors = Vec::new();
        let code = input.code.trim();
        let code_ok = (1..=MAX_LEVEL_CODE_CHARS).contains(&code.chars().count())
            && code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !code_ok {
            errors.push(FieldError::new(
                "risk_code",
                "veterans.risk_code",
                code.chars().take(20).collect::<String>(),
            ));
        } else if levels.iter().any(|l| l.code == code) {
            errors.push(FieldError::new(
                "risk_code",
                "veterans.risk_code_taken",
                code,
            ));
        }
        let fields = level_fields(input, None, &mut errors);
        if let Some((name, _)) = &fields
            && levels.iter().any(|l| &l.name == name)
        {
            errors.push(FieldError::new(
                "risk_name",
                "veterans.risk_name_taken",
                name.clone(),
            ));
        }
        let (Some((name, days)), true) = (fields, errors.is_empty()) else {
            return Err(Error::Invalid(errors));
        };
        let position = levels.iter().map(|l| l.position).max().unwrap_or(0) + 1;
        let audit = self.audit(
            actor,
            "veterans.petition.risk_add",
            format!("petition_risk_level:{code}"),
            "",
            format!("name={name} visit_days={days}"),
        );
        let row = RiskLevelRow {
            code: code.to_owned(),
            name,
            visit_days: i64::from(days),
            position,
        };
        self.store()
            .insert_petition_risk_levels(std::slice::from_ref(&row), &audit)
            .await?;
        Ok(())
    }

    /// Removes a level no case ever used (`Approve`, district-wide; audited). A level some
    /// case used is refused naming how many cases (the history keeps its name); the last
    /// level is refused too, as no case could be opened without one.
    pub async fn remove_petition_risk_level(&self, actor: &Actor, code: &str) -> Result<(), Error> {
        self.may_set_risk_levels(actor)?;
        let levels = self.store().petition_risk_levels().await?;
        let code = code.trim();
        let Some(level) = levels.iter().find(|l| l.code == code) else {
            return Err(Error::invalid(FieldError::new(
                "risk_code",
                "veterans.risk",
                code.chars().take(20).collect::<String>(),
            )));
        };
        if levels.len() == 1 {
            return Err(Error::invalid(FieldError::new(
                "risk_code",
                "veterans.risk_last",
                level.name.clone(),
            )));
        }
        let audit = self.audit(
            actor,
            "veterans.petition.risk_remove",
            format!("petition_risk_level:{code}"),
            "",
            format!("name={} visit_days={}", level.name, level.visit_days),
        );
        let row = levels.iter().position(|l| l.code == code).unwrap_or(0) + 1;
        match self
            .store()
            .delete_petition_risk_level(code, &audit)
            .await?
        {
            0 => Ok(()),
            used => Err(Error::invalid(
                FieldError::new("risk_code", "veterans.risk_in_use", used.to_string()).at_row(row),
            )),
        }
    }

    /// How many open cases in the jurisdiction have their next visit `due` (the due list's
    /// count, for the dashboard; names nobody, so not audited).
    pub async fn petitions_due_count(&self, actor: &Actor, due: VisitDue) -> Result<usize, Error> {
        self.authorize(actor, Line::Veterans, Action::Read)?;
        let query = PetitionQuery {
            list: ListQuery {
                per_page: 1,
                ..ListQuery::default()
            },
            due: Some(due),
            risk: None,
        };
        Ok(self.petition_page(actor, &query).await?.total)
    }
}
