//! The category pairs one person may not hold together (issue 7 item 1), as the veterans
//! section keeps them: the list with the reasons, a pair added with its reason, a pair
//! removed with the reason for removing it. The registration check
//! (`Service::register_entitlement`) reads the same table, so an edit takes effect on the
//! next registration.
//!
//! The pairs are district-wide settings: the section's act (`Line::Veterans` `Approve`),
//! district-wide as other district settings, audited in the writing transaction. A pair
//! that persons hold today (both entitlements not ended) is refused, naming how many and
//! the first few (ID numbers masked): the register never contradicts its own rules, so the
//! section ends one of the entitlements first. The check runs inside the transaction that
//! adds the pair.

use domain::{Action, Line, ResidentId};
use store::ExclusionRow;

use super::corrupt;
use crate::{Actor, Error, FieldError, Service};

const MIN_REASON_CHARS: usize = 4;
const MAX_REASON_CHARS: usize = 200;
/// How many holders a refusal names.
const HOLDERS_SHOWN: i64 = 3;

/// A forbidden pair as the section's page lists it (`a` < `b`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExclusionView {
    pub a: String,
    pub a_name: String,
    pub b: String,
    pub b_name: String,
    pub reason: String,
}

/// A pair as typed, in either order: its reason to add it, or why it is removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExclusionInput {
    pub a: String,
    pub b: String,
    pub reason: String,
}

impl Service {
    /// The forbidden pairs with the categories' names (`Read`).
    pub async fn veteran_exclusions(&self, actor: &Actor) -> Result<Vec<ExclusionView>, Error> {
        self.authorize(actor, Line::Veterans, Action::Read)?;
        let categories = self.store().veteran_categories().await?;
        let name = |code: &str| {
            categories
                .iter()
                .find(|c| c.code == code)
                .map_or_else(|| code.to_owned(), |c| c.name.clone())
        };
        Ok(self
            .store()
            .veteran_exclusions()
            .await?
            .into_iter()
            .map(|x| ExclusionView {
                a_name: name(&x.category_code),
                b_name: name(&x.excludes_code),
                a: x.category_code,
                b: x.excludes_code,
                reason: x.reason,
            })
            .collect())
    }

    /// The pair typed: two listed categories, not the same, in code order.
    async fn exclusion_pair(
        &self,
        input: &ExclusionInput,
        errors: &mut Vec<FieldError>,
    ) -> Result<Option<(String, String)>, Error> {
        let categories = self.store().veteran_categories().await?;
        let mut codes = Vec::new();
        for (field, text) in [("category_a", &input.a), ("category_b", &input.b)] {
            let code = text.trim();
            if categories.iter().any(|c| c.code == code) {
                codes.push(code.to_owned());
            } else {
                errors.push(FieldError::new(
                    field,
                    "veterans.category",
                    code.chars().take(20).collect::<String>(),
                ));
            }
        }
        let [a, b] = <[String; 2]>::try_from(codes).unwrap_or_default();
        if a.is_empty() || b.is_empty() {
            return Ok(None);
        }
        if a == b {
            errors.push(FieldError::new("category_b", "veterans.exclusion_same", a));
            return Ok(None);
        }
        Ok(Some(if a < b { (a, b) } else { (b, a) }))
    }

    /// Adds a forbidden pair with its reason (`Approve`, district-wide; audited). Refused:
    /// an unknown category, the same one twice, a pair already listed, a reason too short,
    /// and a pair persons hold today (named, masked).
    pub async fn add_veteran_exclusion(
        &self,
        actor: &Actor,
        input: &ExclusionInput,
    ) -> Result<(), Error> {
        self.authorize(actor, Line::Veterans, Action::Approve)?;
        self.district_only(actor)?;
        let mut errors = Vec::new();
        let pair = self.exclusion_pair(input, &mut errors).await?;
        if let Some((a, b)) = &pair {
            let listed = self.store().veteran_exclusions().await?;
            if listed
                .iter()
                .any(|x| &x.category_code == a && &x.excludes_code == b)
            {
                errors.push(FieldError::new(
                    "category_b",
                    "veterans.exclusion_listed",
                    format!("{a}–{b}"),
                ));
            }
        }
        let reason = super::text(
            &input.reason,
            "exclusion_reason",
            "veterans.exclusion_reason",
            MIN_REASON_CHARS,
            MAX_REASON_CHARS,
            &mut errors,
        );
        let (Some((a, b)), true) = (pair, errors.is_empty()) else {
            return Err(Error::Invalid(errors));
        };
        let audit = self.audit(
            actor,
            "veterans.exclusion.add",
            format!("veteran_category_exclusion:{a}-{b}"),
            "",
            format!("reason={reason}"),
        );
        let row = ExclusionRow {
            category_code: a,
            excludes_code: b,
            reason,
        };
        let holders = self
            .store()
            .add_veteran_exclusion(&row, &audit, HOLDERS_SHOWN)
            .await?;
        if holders.count == 0 {
            return Ok(());
        }
        let shown = holders
            .first
            .iter()
            .map(|n| {
                ResidentId::parse(n)
                    .map(|id| id.masked())
                    .map_err(|_| corrupt("ID number of an entitlement holder".to_owned()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let more = if holders.count > HOLDERS_SHOWN {
            ", …"
        } else {
            ""
        };
        Err(Error::invalid(FieldError::new(
            "category_b",
            "veterans.exclusion_held",
            format!("{}: {}{more}", holders.count, shown.join(", ")),
        )))
    }

    /// Removes a forbidden pair, with the reason for removing it in the audit entry
    /// (`Approve`, district-wide). A pair not listed is refused by name.
    pub async fn remove_veteran_exclusion(
        &self,
        actor: &Actor,
        input: &ExclusionInput,
    ) -> Result<(), Error> {
        self.authorize(actor, Line::Veterans, Action::Approve)?;
        self.district_only(actor)?;
        let mut errors = Vec::new();
        let pair = self.exclusion_pair(input, &mut errors).await?;
        let reason = super::text(
            &input.reason,
            "removal_reason",
            "veterans.exclusion_reason",
            MIN_REASON_CHARS,
            MAX_REASON_CHARS,
            &mut errors,
        );
        let listed = self.store().veteran_exclusions().await?;
        let old = pair.as_ref().and_then(|(a, b)| {
            listed
                .iter()
                .find(|x| &x.category_code == a && &x.excludes_code == b)
        });
        if let (Some((a, b)), None) = (&pair, old) {
            errors.push(FieldError::new(
                "category_b",
                "veterans.exclusion_unlisted",
                format!("{a}–{b}"),
            ));
        }
        let (Some(old), true) = (old, errors.is_empty()) else {
            return Err(Error::Invalid(errors));
        };
        let audit = self.audit(
            actor,
            "veterans.exclusion.remove",
            format!(
                "veteran_category_exclusion:{}-{}",
                old.category_code, old.excludes_code
            ),
            &reason,
            format!("was={} why={reason}", old.reason),
        );
        match self
            .store()
            .remove_veteran_exclusion(&old.category_code, &old.excludes_code, &audit)
            .await
        {
            Err(store::StoreError::NotFound) => Err(Error::invalid(FieldError::new(
                "category_b",
                "veterans.exclusion_unlisted",
                format!("{}–{}", old.category_code, old.excludes_code),
            ))),
            other => Ok(other?),
        }
    }
}
