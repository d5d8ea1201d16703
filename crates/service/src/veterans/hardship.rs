//! Veterans' hardship grants (复退军人"六难"经费, issue 7 item 7): a grant of a kind and an
//! amount to the holder of an entitlement, approved by the veterans section
//! (`Line::Veterans` `Approve`), append-only; readers see the grants in their jurisdiction.

use domain::veterans::Hardship;
use domain::{Action, Fen, Line, parse_date};
use store::{HardshipGrantRecord, NewHardshipGrant, StoreError};

use crate::{Actor, Error, FieldError, Service};

/// One grant above 10 万元 is a typo.
const MAX_GRANT_FEN: i64 = 10_000_000;
const MIN_REASON_CHARS: usize = 4;
const MAX_REASON_CHARS: usize = 200;

/// A hardship grant as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HardshipInput {
    /// The entitlement number of the veteran helped.
    pub entitlement: String,
    /// A [`Hardship`] code.
    pub kind: String,
    /// Yuan.
    pub amount: String,
    pub reason: String,
    pub approved_on: String,
}

/// The grants of a year in the jurisdiction and their total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HardshipList {
    pub grants: Vec<HardshipGrantRecord>,
    pub total: Fen,
}

impl Service {
    /// Records an approved hardship grant (`Approve`) to an entitlement's holder in the
    /// jurisdiction.
    pub async fn record_hardship_grant(
        &self,
        actor: &Actor,
        input: &HardshipInput,
    ) -> Result<i64, Error> {
        self.authorize(actor, Line::Veterans, Action::Approve)?;
        let today = self.today();
        let mut errors = Vec::new();
        let entitlement = match input.entitlement.trim().parse::<i64>() {
            Ok(id) => match self.store().entitlement(id).await {
                Ok(e) if actor.sees(&e.division_code) => Some(e),
                Ok(_) | Err(StoreError::NotFound) => {
                    errors.push(FieldError::new(
                        "entitlement",
                        "veterans.entitlement",
                        id.to_string(),
                    ));
                    None
                }
                Err(e) => return Err(e.into()),
            },
            Err(_) => {
                errors.push(FieldError::new(
                    "entitlement",
                    "veterans.entitlement",
                    input.entitlement.trim(),
                ));
                None
            }
        };
        let kind = input
            .kind
            .parse::<Hardship>()
            .map_err(|e| errors.push(FieldError::new("kind", e.code(), input.kind.trim())))
            .ok();
        let amount = match Fen::from_yuan_str(input.amount.trim()) {
            Err(e) => {
                errors.push(FieldError::new("amount", e.code(), input.amount.trim()));
                None
            }
            Ok(f) if f.as_fen() <= 0 || f.as_fen() > MAX_GRANT_FEN => {
                errors.push(FieldError::new(
                    "amount",
                    "veterans.grant_amount",
                    Fen::from_fen(MAX_GRANT_FEN).yuan(),
                ));
                None
            }
            Ok(f) => Some(f),
        };
        let reason = input.reason.trim().to_owned();
        let n = reason.chars().count();
        if !(MIN_REASON_CHARS..=MAX_REASON_CHARS).contains(&n) {
            errors.push(FieldError::new(
                "reason",
                "veterans.reason",
                format!("{MIN_REASON_CHARS}–{MAX_REASON_CHARS}"),
            ));
        }
        let approved_on = match parse_date(&input.approved_on) {
            Err(e) => {
                errors.push(FieldError::new(
                    "approved_on",
                    e.code(),
                    input.approved_on.trim(),
                ));
                None
            }
            Ok(d) if d > today => {
                errors.push(FieldError::new(
                    "approved_on",
                    "veterans.future_date",
                    today.to_string(),
                ));
                None
            }
            Ok(d) => Some(d),
        };
        let (Some(entitlement), Some(kind), Some(amount), Some(approved_on), true) =
            (entitlement, kind, amount, approved_on, errors.is_empty())
        else {
            return Err(Error::Invalid(errors));
        };
        let grant = NewHardshipGrant {
            entitlement_id: entitlement.id,
            division_code: entitlement.division_code.clone(),
            kind: kind.as_str().to_owned(),
            amount_fen: amount.as_fen(),
            reason,
            approved_on,
        };
        let audit = self.audit(
            actor,
            "veterans.hardship.record",
            "",
            "",
            format!(
                "entitlement:{} kind={kind} amount={} approved_on={approved_on}",
                entitlement.id,
                amount.yuan()
            ),
        );
        Ok(self.store().insert_hardship_grant(&grant, &audit).await?)
    }

    /// The hardship grants of `year` in the jurisdiction, newest first, and their total
    /// (`Read`).
    pub async fn hardship_grants(&self, actor: &Actor, year: i32) -> Result<HardshipList, Error> {
        self.authorize(actor, Line::Veterans, Action::Read)?;
        let jurisdiction = match (&actor.jurisdiction, actor.is_system()) {
            (Some(root), _) => Some(root.clone()),
            (None, true) => None,
            (None, false) => return Err(Error::NotFound),
        };
        let grants = self
            .store()
            .hardship_grants(jurisdiction.as_ref(), year)
            .await?;
        let total = Fen::from_fen(grants.iter().map(|g| g.amount_fen).sum());
        Ok(HardshipList { grants, total })
    }
}
