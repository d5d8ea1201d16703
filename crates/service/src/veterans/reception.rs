//! Discharged-soldier reception (退役士兵接收, issue 7 item 6): intake batches (e.g. the
//! winter 2012 batch) with their report-in deadline, and the soldiers received with their
//! placement and the training they chose — the source's "199 received, 194 and 5 chose
//! training".
//!
//! Who may do what: batches and receptions are the veterans section's (`Line::Veterans`
//! `Approve`); readers see the receptions in their jurisdiction (the community the soldier
//! settles in). A person is received once (`receptions_person_once`, refused as
//! `veterans.received_twice`). A report after the batch's deadline needs a reason
//! (2024 条例 art. 51: more than 30 days late without reason gives up placement benefits).

use chrono::Duration;
use domain::veterans::{Placement, REPORT_DAYS, Training};
use domain::{Action, DivisionCode, DivisionLevel, Line, ResidentId, parse_date};
use store::{BATCH_NAME, BatchRecord, NewPerson, NewReception, RECEIVED_ONCE, StoreError};

use crate::list;
use crate::{Actor, Error, FieldError, Service};

const MAX_NAME_CHARS: usize = 50;
const MAX_REASON_CHARS: usize = 200;

/// An intake batch as typed; an empty deadline is the discharge date plus 30 days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchInput {
    pub name: String,
    pub discharged_on: String,
    pub report_by: String,
}

/// A reception as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceptionInput {
    pub id_number: String,
    pub name: String,
    /// The community or village the soldier settles in.
    pub community: String,
    pub placement: String,
    pub training: String,
    pub reported_on: String,
    /// Needed when reported after the batch's deadline.
    pub late_reason: String,
}

/// One received soldier (ID number masked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceptionView {
    pub id: i64,
    pub name: String,
    pub id_number: String,
    pub division: DivisionCode,
    pub division_name: String,
    pub placement: Placement,
    pub training: Training,
    pub reported_on: chrono::NaiveDate,
    pub late_reason: Option<String>,
}

/// A batch with its receptions in the jurisdiction and the counts by training.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchView {
    pub batch: BatchRecord,
    pub receptions: Vec<ReceptionView>,
    /// (training, count) for every training choice, zeros included.
    pub by_training: Vec<(Training, usize)>,
}

fn corrupt(what: String) -> Error {
    Error::Internal(StoreError::Corrupt { what })
}

impl Service {
    /// Creates an intake batch (`Approve`).
    pub async fn create_reception_batch(
        &self,
        actor: &Actor,
        input: &BatchInput,
    ) -> Result<i64, Error> {
        self.authorize(actor, Line::Veterans, Action::Approve)?;
        let mut errors = Vec::new();
        let name = input.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
            errors.push(FieldError::new(
                "name",
                "veterans.batch_name",
                MAX_NAME_CHARS.to_string(),
            ));
        }
        let discharged = parse_date(&input.discharged_on)
            .map_err(|e| {
                errors.push(FieldError::new(
                    "discharged_on",
                    e.code(),
                    input.discharged_on.trim(),
                ));
            })
            .ok();
        let report_by = match (input.report_by.trim(), discharged) {
            ("", Some(d)) => Some(d + Duration::days(REPORT_DAYS)),
            ("", None) => None,
            (text, _) => parse_date(text)
                .map_err(|e| errors.push(FieldError::new("report_by", e.code(), text)))
                .ok(),
        };
        if let (Some(d), Some(r)) = (discharged, report_by)
            && r < d
        {
            errors.push(FieldError::new(
                "report_by",
                "veterans.report_by",
                d.to_string(),
            ));
        }
        let (Some(discharged_on), Some(report_by), true) =
            (discharged, report_by, errors.is_empty())
        else {
            return Err(Error::Invalid(errors));
        };
        let batch = BatchRecord {
            id: 0,
            name: name.clone(),
            discharged_on,
            report_by,
        };
        let audit = self.audit(
            actor,
            "veterans.batch.create",
            "",
            "",
            format!("name={name} discharged_on={discharged_on} report_by={report_by}"),
        );
        match self.store().insert_reception_batch(&batch, &audit).await {
            Err(StoreError::Conflict {
                constraint: Some(c),
                ..
            }) if c == BATCH_NAME => Err(Error::invalid(FieldError::new(
                "name",
                "veterans.batch_taken",
                name,
            ))),
            other => Ok(other?),
        }
    }

    /// Every intake batch (`Read`).
    pub async fn reception_batches(&self, actor: &Actor) -> Result<Vec<BatchRecord>, Error> {
        self.authorize(actor, Line::Veterans, Action::Read)?;
        Ok(self.store().reception_batches().await?)
    }

    /// Records a received soldier in a batch (`Approve`).
    pub async fn receive_soldier(
        &self,
        actor: &Actor,
        batch_id: i64,
        input: &ReceptionInput,
    ) -> Result<i64, Error> {
        self.authorize(actor, Line::Veterans, Action::Approve)?;
        let batch = self
            .store()
            .reception_batches()
            .await?
            .into_iter()
            .find(|b| b.id == batch_id)
            .ok_or(Error::NotFound)?;
        let today = self.today();
        let mut errors = Vec::new();
        let name = input.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 30 {
            errors.push(FieldError::new("name", "veterans.name", "1–30"));
        }
        let id = match ResidentId::parse(&input.id_number.trim().to_uppercase()) {
            Ok(id) => Some(id),
            Err(e) => {
                errors.push(FieldError::new("id_number", e.code(), e.to_string()));
                None
            }
        };
        let division = match input.community.trim().parse::<DivisionCode>() {
            Ok(code)
                if actor.sees(&code)
                    && matches!(
                        code.level(),
                        DivisionLevel::Community | DivisionLevel::Village
                    ) =>
            {
                match self.store().division(&code).await {
                    Ok(_) => Some(code),
                    Err(StoreError::NotFound) => {
                        errors.push(FieldError::new(
                            "community",
                            "veterans.community_unknown",
                            code.as_str(),
                        ));
                        None
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            Ok(code) => {
                errors.push(FieldError::new(
                    "community",
                    "veterans.community_unknown",
                    code.as_str(),
                ));
                None
            }
            Err(e) => {
                errors.push(FieldError::new("community", e.code(), e.to_string()));
                None
            }
        };
        let placement = input
            .placement
            .parse::<Placement>()
            .map_err(|e| {
                errors.push(FieldError::new(
                    "placement",
                    e.code(),
                    input.placement.trim(),
                ));
            })
            .ok();
        let training = input
            .training
            .parse::<Training>()
            .map_err(|e| errors.push(FieldError::new("training", e.code(), input.training.trim())))
            .ok();
        let reported_on = match parse_date(&input.reported_on) {
            Err(e) => {
                errors.push(FieldError::new(
                    "reported_on",
                    e.code(),
                    input.reported_on.trim(),
                ));
                None
            }
            Ok(d) if d < batch.discharged_on || d > today => {
                errors.push(FieldError::new(
                    "reported_on",
                    "veterans.reported_on",
                    format!("{}–{today}", batch.discharged_on),
                ));
                None
            }
            Ok(d) => Some(d),
        };
        let late_reason = match input.late_reason.trim() {
            "" => None,
            text if text.chars().count() > MAX_REASON_CHARS => {
                errors.push(FieldError::new(
                    "late_reason",
                    "veterans.reason",
                    format!("1–{MAX_REASON_CHARS}"),
                ));
                None
            }
            text => Some(text.to_owned()),
        };
        if reported_on.is_some_and(|d| d > batch.report_by) && late_reason.is_none() {
            errors.push(FieldError::new(
                "late_reason",
                "veterans.late",
                batch.report_by.to_string(),
            ));
        }
        let (Some(id), Some(division), Some(placement), Some(training), Some(reported_on), true) = (
            id,
            division,
            placement,
            training,
            reported_on,
            errors.is_empty(),
        ) else {
            return Err(Error::Invalid(errors));
        };
        let new = NewReception {
            batch_id,
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
            division_code: division.clone(),
            placement: placement.as_str().to_owned(),
            training: training.as_str().to_owned(),
            reported_on,
            late_reason,
        };
        let audit = self.audit(
            actor,
            "veterans.reception.record",
            "",
            "",
            format!(
                "batch:{batch_id} person={} division={division} placement={placement} \
                 training={training} reported_on={reported_on}",
                id.masked()
            ),
        );
        match self.store().insert_reception(&new, &audit).await {
            Err(StoreError::Conflict {
                constraint: Some(c),
                ..
            }) if c == RECEIVED_ONCE => Err(Error::invalid(FieldError::new(
                "id_number",
                "veterans.received_twice",
                id.masked(),
            ))),
            other => Ok(other?),
        }
    }

    /// A batch with its receptions in the jurisdiction and the counts by training (`Read`).
    pub async fn reception_batch(&self, actor: &Actor, batch_id: i64) -> Result<BatchView, Error> {
        self.authorize(actor, Line::Veterans, Action::Read)?;
        let batch = self
            .store()
            .reception_batches()
            .await?
            .into_iter()
            .find(|b| b.id == batch_id)
            .ok_or(Error::NotFound)?;
        let jurisdiction = match (&actor.jurisdiction, actor.is_system()) {
            (Some(root), _) => Some(root.clone()),
            (None, true) => None,
            (None, false) => return Err(Error::NotFound),
        };
        let receptions = self
            .store()
            .receptions(batch_id, jurisdiction.as_ref())
            .await?
            .into_iter()
            .map(|r| {
                Ok(ReceptionView {
                    id: r.id,
                    id_number: ResidentId::parse(&r.id_number)
                        .map(|id| id.masked())
                        .map_err(|_| corrupt(format!("ID number of reception {}", r.id)))?,
                    name: r.name,
                    division: r.division_code,
                    division_name: r.division_name,
                    placement: r
                        .placement
                        .parse()
                        .map_err(|_| corrupt(format!("placement of reception {}", r.id)))?,
                    training: r
                        .training
                        .parse()
                        .map_err(|_| corrupt(format!("training of reception {}", r.id)))?,
                    reported_on: r.reported_on,
                    late_reason: r.late_reason,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let by_training = Training::ALL
            .iter()
            .map(|t| (*t, receptions.iter().filter(|r| r.training == *t).count()))
            .collect();
        Ok(BatchView {
            batch,
            receptions,
            by_training,
        })
    }
}
