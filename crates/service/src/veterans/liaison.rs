//! Leader–veteran liaison pairings (联系户, issue 7 item 8): a leader (name, post, unit)
//! paired with an entitled household, and re-assigned when leaders change, the history kept.
//!
//! Who may do what: pairing and re-assigning are the district veterans section's decisions
//! (`Line::Veterans` `Approve`); everyone with `Read` sees the pairings of households in
//! their jurisdiction (the household's division on the day of pairing). Reading the list
//! and exporting it (masked, `Export`) are audited.
//!
//! Rules: a household is paired once and then re-assigned (never paired twice): the new
//! row names the pairing it replaces, which ends the day the new one starts (after the old
//! one started), for a leader's change or another reason (then a note says why). A pairing
//! is made through an entitlement that has not ended. A pairing replaced meanwhile by
//! someone else is refused (`veterans.liaison_replaced`), not forked.

use domain::veterans::Status;
use domain::veterans::liaison::PairingReason;
use domain::{Action, Line, ResidentId, parse_date};
use store::{
    NewPairing, PAIRING_FIRST, PAIRING_REPLACED_ONCE, PairingFilter, PairingRecord, StoreError,
};

use super::{EntitlementSort, StatusFilter, corrupt, text};
use crate::list::{self, ListQuery, Page};
use crate::{Actor, Error, FieldError, Service};

const MAX_LEADER_CHARS: usize = 30;
const MAX_POST_CHARS: usize = 50;
const MAX_UNIT_CHARS: usize = 50;
const MAX_NOTE_CHARS: usize = 200;
/// A re-assignment for another reason than a leader's change says why, in a few words.
const MIN_OTHER_NOTE_CHARS: usize = 4;
const FIRST_PAIRING: &str = "1949-10-01";

/// The list of pairings in force: the register's search, division and entitlement status.
pub type PairingQuery = ListQuery<EntitlementSort, StatusFilter>;

/// A first pairing as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PairingInput {
    /// The entitlement number through which the household is paired.
    pub entitlement: String,
    pub leader_name: String,
    pub leader_post: String,
    pub leader_unit: String,
    pub starts_on: String,
    pub note: String,
}

/// A re-assignment as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReassignInput {
    pub leader_name: String,
    pub leader_post: String,
    pub leader_unit: String,
    pub starts_on: String,
    /// A [`PairingReason::REASSIGN`] code.
    pub reason: String,
    pub note: String,
}

/// The leader's three fields, checked.
struct Leader {
    name: String,
    post: String,
    unit: String,
}

fn leader(name: &str, post: &str, unit: &str, errors: &mut Vec<FieldError>) -> Leader {
    Leader {
        name: text(
            name,
            "leader_name",
            "veterans.leader_name",
            1,
            MAX_LEADER_CHARS,
            errors,
        ),
        post: text(
            post,
            "leader_post",
            "veterans.leader_post",
            1,
            MAX_POST_CHARS,
            errors,
        ),
        unit: text(
            unit,
            "leader_unit",
            "veterans.leader_unit",
            1,
            MAX_UNIT_CHARS,
            errors,
        ),
    }
}

/// A pairing with the ID number masked, as lists, pages and the API show it.
fn masked(mut r: PairingRecord) -> Result<PairingRecord, Error> {
    r.id_number = ResidentId::parse(&r.id_number)
        .map(|id| id.masked())
        .map_err(|_| corrupt(format!("ID number of pairing {}", r.id)))?;
    Ok(r)
}

impl Service {
    /// The start date: a real day, not in the future, after `after` when given.
    fn pairing_start(
        &self,
        text: &str,
        after: Option<chrono::NaiveDate>,
        errors: &mut Vec<FieldError>,
    ) -> Result<Option<chrono::NaiveDate>, Error> {
        let today = self.today();
        let first = parse_date(FIRST_PAIRING).map_err(|e| corrupt(e.to_string()))?;
        Ok(match parse_date(text) {
            Err(e) => {
                errors.push(FieldError::new("starts_on", e.code(), text.trim()));
                None
            }
            Ok(d) if d > today || d < first => {
                errors.push(FieldError::new(
                    "starts_on",
                    "veterans.future_date",
                    today.to_string(),
                ));
                None
            }
            Ok(d) if after.is_some_and(|a| d <= a) => {
                errors.push(FieldError::new(
                    "starts_on",
                    "veterans.liaison_starts",
                    after.map(|a| a.to_string()).unwrap_or_default(),
                ));
                None
            }
            Ok(d) => Some(d),
        })
    }

    /// Pairs a leader with the household of an entitlement in the jurisdiction
    /// (`Approve`). The household must not be paired yet (re-assign instead) and the
    /// entitlement must not have ended.
    pub async fn pair_leader(&self, actor: &Actor, input: &PairingInput) -> Result<i64, Error> {
        self.authorize(actor, Line::Veterans, Action::Approve)?;
        let mut errors = Vec::new();
        let entitlement = match input.entitlement.trim().parse::<i64>() {
            Ok(id) => match self.store().entitlement(id).await {
                Ok(e) if actor.sees(&e.division_code) => Some(e),
                Ok(_) | Err(StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            },
            Err(_) => None,
        };
        match &entitlement {
            None => errors.push(FieldError::new(
                "entitlement",
                "veterans.entitlement",
                input.entitlement.trim(),
            )),
            Some(e) if e.status == Status::Ended.as_str() => errors.push(FieldError::new(
                "entitlement",
                "veterans.liaison_ended",
                e.id.to_string(),
            )),
            Some(e) => {
                if let Some(current) = self.store().current_pairing(e.household_id).await? {
                    errors.push(FieldError::new(
                        "entitlement",
                        "veterans.liaison_paired",
                        current.leader_name,
                    ));
                }
            }
        }
        let who = leader(
            &input.leader_name,
            &input.leader_post,
            &input.leader_unit,
            &mut errors,
        );
        let starts_on = self.pairing_start(&input.starts_on, None, &mut errors)?;
        let note = text(
            &input.note,
            "note",
            "veterans.note",
            0,
            MAX_NOTE_CHARS,
            &mut errors,
        );
        let (Some(e), Some(starts_on), true) = (entitlement, starts_on, errors.is_empty()) else {
            return Err(Error::Invalid(errors));
        };
        let new = NewPairing {
            household_id: e.household_id,
            entitlement_id: e.id,
            division_code: e.division_code.clone(),
            leader_name: who.name,
            leader_post: who.post,
            leader_unit: who.unit,
            starts_on,
            reason: PairingReason::New.as_str().to_owned(),
            note,
            replaces_id: None,
        };
        let audit = self.audit(
            actor,
            "veterans.liaison.pair",
            "",
            "",
            format!(
                "entitlement:{} household:{} leader={} post={} starts_on={starts_on}",
                e.id, e.household_id, new.leader_name, new.leader_post
            ),
        );
        match self.store().insert_pairing(&new, &audit).await {
            Err(StoreError::Conflict {
                constraint: Some(c),
                ..
            }) if c == PAIRING_FIRST => Err(Error::invalid(FieldError::new(
                "entitlement",
                "veterans.liaison_paired",
                "",
            ))),
            other => Ok(other?),
        }
    }

    /// Re-assigns pairing `id` (in force, in the jurisdiction; else not found) to another
    /// leader from a later date, for a reason (`Approve`). Returns the new pairing's id.
    pub async fn reassign_pairing(
        &self,
        actor: &Actor,
        id: i64,
        input: &ReassignInput,
    ) -> Result<i64, Error> {
        self.authorize(actor, Line::Veterans, Action::Approve)?;
        let current = self.store().pairing(id).await?;
        self.within(actor, &current.division_code)?;
        let mut errors = Vec::new();
        if current.ends_on.is_some() {
            errors.push(FieldError::new(
                "form",
                "veterans.liaison_replaced",
                current.id.to_string(),
            ));
        }
        if current.entitlement_status == Status::Ended.as_str() {
            errors.push(FieldError::new(
                "form",
                "veterans.liaison_ended",
                current.entitlement_id.to_string(),
            ));
        }
        let who = leader(
            &input.leader_name,
            &input.leader_post,
            &input.leader_unit,
            &mut errors,
        );
        if who.name == current.leader_name
            && who.post == current.leader_post
            && who.unit == current.leader_unit
        {
            errors.push(FieldError::new(
                "leader_name",
                "veterans.liaison_same",
                who.name.clone(),
            ));
        }
        let reason = match input.reason.trim().parse::<PairingReason>() {
            Ok(r) if PairingReason::REASSIGN.contains(&r) => Some(r),
            Ok(_) | Err(_) => {
                errors.push(FieldError::new(
                    "reason",
                    "veterans.pairing_reason",
                    input.reason.trim(),
                ));
                None
            }
        };
        let min_note = if reason == Some(PairingReason::Other) {
            MIN_OTHER_NOTE_CHARS
        } else {
            0
        };
        let note = text(
            &input.note,
            "note",
            "veterans.note",
            min_note,
            MAX_NOTE_CHARS,
            &mut errors,
        );
        let starts_on =
            self.pairing_start(&input.starts_on, Some(current.starts_on), &mut errors)?;
        let (Some(reason), Some(starts_on), true) = (reason, starts_on, errors.is_empty()) else {
            return Err(Error::Invalid(errors));
        };
        let new = NewPairing {
            household_id: current.household_id,
            entitlement_id: current.entitlement_id,
            division_code: current.division_code.clone(),
            leader_name: who.name,
            leader_post: who.post,
            leader_unit: who.unit,
            starts_on,
            reason: reason.as_str().to_owned(),
            note,
            replaces_id: Some(current.id),
        };
        let audit = self.audit(
            actor,
            "veterans.liaison.reassign",
            "",
            "",
            format!(
                "replaces liaison_pairing:{} household:{} leader={} -> {} reason={reason} \
                 starts_on={starts_on}",
                current.id, current.household_id, current.leader_name, new.leader_name
            ),
        );
        match self.store().insert_pairing(&new, &audit).await {
            Err(StoreError::Conflict {
                constraint: Some(c),
                ..
            }) if c == PAIRING_REPLACED_ONCE => Err(Error::invalid(FieldError::new(
                "form",
                "veterans.liaison_replaced",
                current.id.to_string(),
            ))),
            other => Ok(other?),
        }
    }

    fn pairing_filter(actor: &Actor, query: &PairingQuery) -> Option<PairingFilter> {
        let jurisdiction = match (&actor.jurisdiction, actor.is_system()) {
            (Some(root), _) => Some(root.clone()),
            (None, true) => None,
            (None, false) => return None,
        };
        let search = query.search();
        Some(PairingFilter {
            jurisdiction,
            division: query.division.clone(),
            status: query.status.map(|s| s.0.as_str().to_owned()),
            name_like: search.as_ref().map(|s| s.text().to_owned()),
            initials: search.as_ref().and_then(list::Search::initials),
            id_number: search
                .as_ref()
                .and_then(|s| s.resident_id().map(|id| id.as_str().to_owned())),
        })
    }

    async fn pairing_page(
        &self,
        actor: &Actor,
        query: &PairingQuery,
    ) -> Result<Page<PairingRecord>, Error> {
        let per_page = query.page_size();
        let Some(filter) = Self::pairing_filter(actor, query) else {
            return Ok(Page::cut(Vec::new(), 1, per_page));
        };
        let (rows, total, page) = self
            .store()
            .pairings_page(
                &filter,
                i64::try_from(query.page).unwrap_or(1),
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

    /// One page of the pairings in force in the jurisdiction (`Read`), by the paired
    /// person's name; searching finds the person's or the leader's name. Audited
    /// (`veterans.liaison.list`): the list names entitled persons.
    pub async fn pairings(
        &self,
        actor: &Actor,
        query: &PairingQuery,
    ) -> Result<Page<PairingRecord>, Error> {
        self.authorize(actor, Line::Veterans, Action::Read)?;
        let page = self.pairing_page(actor, query).await?;
        let audit = self.audit(
            actor,
            "veterans.liaison.list",
            "liaison_pairings",
            "",
            format!("{} rows={}", query.describe(), page.items.len()),
        );
        self.store().record_audit(&audit).await?;
        Ok(page)
    }

    /// Every pairing in force matching `query` for a masked download (`Export`); more than
    /// [`list::MAX_EXPORT_ROWS`] is refused. Audited (`veterans.liaison.export`).
    pub async fn export_pairings(
        &self,
        actor: &Actor,
        query: &PairingQuery,
    ) -> Result<Vec<PairingRecord>, Error> {
        self.authorize(actor, Line::Veterans, Action::Export)?;
        let all = list::every_row(|page, per_page| {
            let mut q = query.clone();
            q.page = page;
            q.per_page = per_page;
            async move { self.pairing_page(actor, &q).await }
        })
        .await?;
        let audit = self.audit(
            actor,
            "veterans.liaison.export",
            "liaison_pairings",
            "",
            format!("{} rows={}", query.describe(), all.len()),
        );
        self.store().record_audit(&audit).await?;
        Ok(all)
    }

    /// Pairing `id` and its household's liaison history, oldest first (`Read`, within the
    /// jurisdiction, else not found; audited `veterans.liaison.read`).
    pub async fn pairing(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<(PairingRecord, Vec<PairingRecord>), Error> {
        self.authorize(actor, Line::Veterans, Action::Read)?;
        let pairing = self.store().pairing(id).await?;
        self.within(actor, &pairing.division_code)?;
        let history = self
            .store()
            .household_pairings(pairing.household_id)
            .await?
            .into_iter()
            .map(masked)
            .collect::<Result<_, _>>()?;
        let audit = self.audit(
            actor,
            "veterans.liaison.read",
            format!("liaison_pairing:{id}"),
            "",
            "",
        );
        self.store().record_audit(&audit).await?;
        Ok((masked(pairing)?, history))
    }

    /// The liaison history of entitlement `id`'s household, oldest first (`Read`, within
    /// the jurisdiction; the entitlement page's read is the audited one).
    pub async fn entitlement_pairings(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<Vec<PairingRecord>, Error> {
        self.authorize(actor, Line::Veterans, Action::Read)?;
        let e = self.store().entitlement(id).await?;
        self.within(actor, &e.division_code)?;
        self.store()
            .household_pairings(e.household_id)
            .await?
            .into_iter()
            .map(masked)
            .collect()
    }
}
