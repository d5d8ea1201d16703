//! Condolence campaigns (走访慰问, issue 7 item 9): a campaign (e.g. 2013 春节走访慰问), its
//! delegations with their participants, the visits (to assistance households, entitled
//! persons, troop units, elderly-home residents) with the money and valued goods given and
//! where the money came from (budget or donation), and the in-kind items handed out
//! (letters, calendars, couplets), counted.
//!
//! Who may do what: the campaign, its delegations and items are the district's
//! (`Line::Campaigns` `Approve`); recording a visit is `Write`, within the jurisdiction (a
//! household's division, or the division given for a unit), so streets can record the
//! visits they made; everyone with `Read` sees a campaign's totals and the visits in their
//! jurisdiction.
//!
//! One household is never paid twice in one campaign: the unique index
//! `campaign_visits_household_once` refuses the second visit with money or goods, whichever
//! way it was reached (an entitled person's visit counts for their household), as
//! `campaigns.household_paid`, nothing written.

use chrono::NaiveDate;
use domain::{Action, DivisionCode, Fen, Line, parse_date};
use store::{
    CAMPAIGN_NAME, CampaignRecord, DELEGATION_NAME, DelegationRecord, NewVisit, StoreError,
    VISIT_HOUSEHOLD_ONCE, VisitRecord,
};

use crate::{Actor, Error, FieldError, Service};

const MAX_NAME_CHARS: usize = 50;
const MAX_GOODS_CHARS: usize = 200;
/// One visit above 100 万元 is a typo.
const MAX_VISIT_FEN: i64 = 100_000_000;
const MAX_PARTICIPANTS: i64 = 500;
const MAX_ITEMS: i64 = 1_000_000;

/// Who a visit went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Beneficiary {
    /// 困难群众 (a registry household of social assistance).
    AssistanceHousehold,
    /// 重点优抚对象 (an entitlement of the register).
    EntitledPerson,
    /// 驻区部队.
    TroopUnit,
    /// 敬老院 (a home and its residents, free text until the elderly-homes line exists).
    ElderlyHome,
}

impl Beneficiary {
    pub const ALL: [Beneficiary; 4] = [
        Beneficiary::AssistanceHousehold,
        Beneficiary::EntitledPerson,
        Beneficiary::TroopUnit,
        Beneficiary::ElderlyHome,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Beneficiary::AssistanceHousehold => "assistance_household",
            Beneficiary::EntitledPerson => "entitled_person",
            Beneficiary::TroopUnit => "troop_unit",
            Beneficiary::ElderlyHome => "elderly_home",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.as_str() == text.trim())
    }
}

/// Where a visit's money came from.
pub const FUNDING_SOURCES: [&str; 2] = ["budget", "donation"];
/// In-kind items counted.
pub const ITEMS: [&str; 3] = ["letter", "calendar", "couplet"];

/// A campaign as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CampaignInput {
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
}

/// A delegation as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DelegationInput {
    pub name: String,
    pub leader: String,
    pub participants: String,
}

/// A visit as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VisitInput {
    /// Empty when no delegation is named.
    pub delegation: String,
    /// A [`Beneficiary`] code.
    pub beneficiary: String,
    /// The registry household (assistance households).
    pub household: String,
    /// The entitlement number (entitled persons).
    pub entitlement: String,
    /// The unit's name (troops, elderly homes) and its division.
    pub unit_name: String,
    pub division: String,
    /// Yuan; either may be 0, not both.
    pub money: String,
    pub goods_value: String,
    pub goods: String,
    pub funding_source: String,
    pub visited_on: String,
}

/// What a campaign adds up to within the actor's jurisdiction.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CampaignTotals {
    pub delegations: i64,
    pub participants: i64,
    pub visits: i64,
    pub households: i64,
    pub money: Fen,
    pub goods: Fen,
    /// Money and goods from donations.
    pub donated: Fen,
    /// (item, quantity).
    pub items: Vec<(String, i64)>,
}

impl CampaignTotals {
    /// Money and goods together.
    pub fn given(&self) -> Fen {
        self.money.checked_add(self.goods).unwrap_or(Fen::ZERO)
    }
}

/// A campaign with its delegations, visits in the jurisdiction and totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignView {
    pub campaign: CampaignRecord,
    pub delegations: Vec<DelegationRecord>,
    pub visits: Vec<VisitRecord>,
    pub totals: CampaignTotals,
}

fn name_of(
    value: &str,
    field: &'static str,
    code: &'static str,
    errors: &mut Vec<FieldError>,
) -> String {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > MAX_NAME_CHARS || v.chars().any(char::is_control) {
        errors.push(FieldError::new(field, code, MAX_NAME_CHARS.to_string()));
    }
    v.to_owned()
}

fn date_of(value: &str, field: &'static str, errors: &mut Vec<FieldError>) -> Option<NaiveDate> {
    parse_date(value)
        .map_err(|e| errors.push(FieldError::new(field, e.code(), value.trim())))
        .ok()
}

fn yuan_of(value: &str, field: &'static str, errors: &mut Vec<FieldError>) -> Option<Fen> {
    let v = value.trim();
    if v.is_empty() {
        return Some(Fen::ZERO);
    }
    match Fen::from_yuan_str(v) {
        Err(e) => {
            errors.push(FieldError::new(field, e.code(), v));
            None
        }
        Ok(f) if f.is_negative() || f.as_fen() > MAX_VISIT_FEN => {
            errors.push(FieldError::new(
                field,
                "campaigns.amount",
                Fen::from_fen(MAX_VISIT_FEN).yuan(),
            ));
            None
        }
        Ok(f) => Some(f),
    }
}

fn count_of(
    value: &str,
    field: &'static str,
    max: i64,
    errors: &mut Vec<FieldError>,
) -> Option<i64> {
    match value.trim().parse::<i64>() {
        Ok(n) if (1..=max).contains(&n) => Some(n),
        _ => {
            errors.push(FieldError::new(
                field,
                "campaigns.count",
                format!("1–{max}"),
            ));
            None
        }
    }
}

impl Service {
    /// Creates a campaign (`Approve`); its name must be new.
    pub async fn create_campaign(
        &self,
        actor: &Actor,
        input: &CampaignInput,
    ) -> Result<i64, Error> {
        self.authorize(actor, Line::Campaigns, Action::Approve)?;
        let mut errors = Vec::new();
        let name = name_of(&input.name, "name", "campaigns.name", &mut errors);
        let starts = date_of(&input.starts_on, "starts_on", &mut errors);
        let ends = date_of(&input.ends_on, "ends_on", &mut errors);
        if let (Some(s), Some(e)) = (starts, ends)
            && e < s
        {
            errors.push(FieldError::new(
                "ends_on",
                "campaigns.ends_before",
                s.to_string(),
            ));
        }
        let (Some(starts), Some(ends), true) = (starts, ends, errors.is_empty()) else {
            return Err(Error::Invalid(errors));
        };
        let audit = self.audit(
            actor,
            "campaigns.campaign.create",
            "",
            "",
            format!("name={name} from={starts} to={ends}"),
        );
        match self
            .store()
            .insert_campaign(&name, starts, ends, &audit)
            .await
        {
            Err(StoreError::Conflict {
                constraint: Some(c),
                ..
            }) if c == CAMPAIGN_NAME => Err(Error::invalid(FieldError::new(
                "name",
                "campaigns.name_taken",
                name,
            ))),
            other => Ok(other?),
        }
    }

    /// Every campaign (`Read`).
    pub async fn campaigns(&self, actor: &Actor) -> Result<Vec<CampaignRecord>, Error> {
        self.authorize(actor, Line::Campaigns, Action::Read)?;
        Ok(self.store().campaigns().await?)
    }

    /// Adds a delegation to a campaign (`Approve`).
    pub async fn add_delegation(
        &self,
        actor: &Actor,
        campaign_id: i64,
        input: &DelegationInput,
    ) -> Result<i64, Error> {
        self.authorize(actor, Line::Campaigns, Action::Approve)?;
        self.store().campaign(campaign_id).await?;
        let mut errors = Vec::new();
        let name = name_of(
            &input.name,
            "name",
            "campaigns.delegation_name",
            &mut errors,
        );
        let leader = name_of(&input.leader, "leader", "campaigns.leader", &mut errors);
        let participants = count_of(
            &input.participants,
            "participants",
            MAX_PARTICIPANTS,
            &mut errors,
        );
        let (Some(participants), true) = (participants, errors.is_empty()) else {
            return Err(Error::Invalid(errors));
        };
        let audit = self.audit(
            actor,
            "campaigns.delegation.add",
            format!("campaign:{campaign_id}"),
            "",
            format!("name={name} leader={leader} participants={participants}"),
        );
        match self
            .store()
            .insert_delegation(campaign_id, &name, &leader, participants, &audit)
            .await
        {
            Err(StoreError::Conflict {
                constraint: Some(c),
                ..
            }) if c == DELEGATION_NAME => Err(Error::invalid(FieldError::new(
                "name",
                "campaigns.delegation_taken",
                name,
            ))),
            other => Ok(other?),
        }
    }

    /// Counts in-kind items handed out in a campaign (`Approve`).
    pub async fn add_campaign_items(
        &self,
        actor: &Actor,
        campaign_id: i64,
        item: &str,
        quantity: &str,
    ) -> Result<(), Error> {
        self.authorize(actor, Line::Campaigns, Action::Approve)?;
        self.store().campaign(campaign_id).await?;
        let mut errors = Vec::new();
        let item = item.trim();
        if !ITEMS.contains(&item) {
            errors.push(FieldError::new("item", "campaigns.item", item));
        }
        let quantity = count_of(quantity, "quantity", MAX_ITEMS, &mut errors);
        let (Some(quantity), true) = (quantity, errors.is_empty()) else {
            return Err(Error::Invalid(errors));
        };
        let audit = self.audit(
            actor,
            "campaigns.items.add",
            format!("campaign:{campaign_id}"),
            "",
            format!("item={item} quantity={quantity}"),
        );
        Ok(self
            .store()
            .insert_campaign_item(campaign_id, item, quantity, &audit)
            .await?)
    }

    /// Records a visit (`Write`, within the jurisdiction); a household already paid in the
    /// campaign is refused as `campaigns.household_paid`.
    pub async fn record_visit(
        &self,
        actor: &Actor,
        campaign_id: i64,
        input: &VisitInput,
    ) -> Result<i64, Error> {
        self.authorize(actor, Line::Campaigns, Action::Write)?;
        let campaign = self.store().campaign(campaign_id).await?;
        let mut errors = Vec::new();
        let delegation = match input.delegation.trim() {
            "" => None,
            text => {
                let found = match text.parse::<i64>() {
                    Ok(id) => self
                        .store()
                        .delegations(campaign_id)
                        .await?
                        .into_iter()
                        .any(|d| d.id == id)
                        .then_some(id),
                    Err(_) => None,
                };
                if found.is_none() {
                    errors.push(FieldError::new("delegation", "campaigns.delegation", text));
                }
                found
            }
        };
        let beneficiary = Beneficiary::parse(&input.beneficiary);
        if beneficiary.is_none() {
            errors.push(FieldError::new(
                "beneficiary",
                "campaigns.beneficiary",
                input.beneficiary.trim(),
            ));
        }
        let mut household_id = None;
        let mut entitlement_id = None;
        let mut unit_name = None;
        let division: Option<DivisionCode> = match beneficiary {
            Some(Beneficiary::AssistanceHousehold) => match input.household.trim().parse::<i64>() {
                Ok(id) => match self.store().household_division(id).await {
                    Ok(d) if actor.sees(&d) => {
                        household_id = Some(id);
                        Some(d)
                    }
                    Ok(_) | Err(StoreError::NotFound) => {
                        errors.push(FieldError::new(
                            "household",
                            "campaigns.household",
                            id.to_string(),
                        ));
                        None
                    }
                    Err(e) => return Err(e.into()),
                },
                Err(_) => {
                    errors.push(FieldError::new(
                        "household",
                        "campaigns.household",
                        input.household.trim(),
                    ));
                    None
                }
            },
            Some(Beneficiary::EntitledPerson) => match input.entitlement.trim().parse::<i64>() {
                Ok(id) => match self.store().entitlement(id).await {
                    Ok(e) if actor.sees(&e.division_code) => {
                        household_id = Some(e.household_id);
                        entitlement_id = Some(id);
                        Some(e.division_code)
                    }
                    Ok(_) | Err(StoreError::NotFound) => {
                        errors.push(FieldError::new(
                            "entitlement",
                            "campaigns.entitlement",
                            id.to_string(),
                        ));
                        None
                    }
                    Err(e) => return Err(e.into()),
                },
                Err(_) => {
                    errors.push(FieldError::new(
                        "entitlement",
                        "campaigns.entitlement",
                        input.entitlement.trim(),
                    ));
                    None
                }
            },
            Some(Beneficiary::TroopUnit | Beneficiary::ElderlyHome) => {
                unit_name = Some(name_of(
                    &input.unit_name,
                    "unit_name",
                    "campaigns.unit_name",
                    &mut errors,
                ));
                match input.division.trim().parse::<DivisionCode>() {
                    Ok(code) if actor.sees(&code) => match self.store().division(&code).await {
                        Ok(_) => Some(code),
                        Err(StoreError::NotFound) => {
                            errors.push(FieldError::new(
                                "division",
                                "campaigns.division",
                                code.as_str(),
                            ));
                            None
                        }
                        Err(e) => return Err(e.into()),
                    },
                    Ok(code) => {
                        errors.push(FieldError::new(
                            "division",
                            "campaigns.division",
                            code.as_str(),
                        ));
                        None
                    }
                    Err(e) => {
                        errors.push(FieldError::new("division", e.code(), e.to_string()));
                        None
                    }
                }
            }
            None => None,
        };
        let money = yuan_of(&input.money, "money", &mut errors);
        let goods_value = yuan_of(&input.goods_value, "goods_value", &mut errors);
        if let (Some(m), Some(g)) = (money, goods_value)
            && m.is_zero()
            && g.is_zero()
        {
            errors.push(FieldError::new("money", "campaigns.nothing_given", ""));
        }
        let goods = input.goods.trim().to_owned();
        if goods.chars().count() > MAX_GOODS_CHARS || goods.chars().any(char::is_control) {
            errors.push(FieldError::new(
                "goods",
                "campaigns.goods",
                MAX_GOODS_CHARS.to_string(),
            ));
        }
        if goods_value.is_some_and(|g| !g.is_zero()) && goods.is_empty() {
            errors.push(FieldError::new("goods", "campaigns.goods_named", ""));
        }
        let source = input.funding_source.trim();
        if !FUNDING_SOURCES.contains(&source) {
            errors.push(FieldError::new(
                "funding_source",
                "campaigns.funding_source",
                source,
            ));
        }
        let visited_on = match date_of(&input.visited_on, "visited_on", &mut errors) {
            Some(d) if d < campaign.starts_on || d > campaign.ends_on => {
                errors.push(FieldError::new(
                    "visited_on",
                    "campaigns.outside_campaign",
                    format!("{}–{}", campaign.starts_on, campaign.ends_on),
                ));
                None
            }
            other => other,
        };
        let (
            Some(beneficiary),
            Some(division),
            Some(money),
            Some(goods_value),
            Some(visited_on),
            true,
        ) = (
            beneficiary,
            division,
            money,
            goods_value,
            visited_on,
            errors.is_empty(),
        )
        else {
            return Err(Error::Invalid(errors));
        };
        let visit = NewVisit {
            campaign_id,
            delegation_id: delegation,
            beneficiary: beneficiary.as_str().to_owned(),
            household_id,
            entitlement_id,
            unit_name,
            division_code: division.clone(),
            money_fen: money.as_fen(),
            goods_fen: goods_value.as_fen(),
            goods,
            funding_source: source.to_owned(),
            visited_on,
        };
        let audit = self.audit(
            actor,
            "campaigns.visit.record",
            "",
            "",
            format!(
                "campaign:{campaign_id} beneficiary={} household={} division={division} \
                 money={} goods={} source={source}",
                beneficiary.as_str(),
                household_id.map_or_else(|| "-".to_owned(), |h| h.to_string()),
                money.yuan(),
                goods_value.yuan()
            ),
        );
        match self.store().insert_visit(&visit, &audit).await {
            Err(StoreError::Conflict {
                constraint: Some(c),
                ..
            }) if c == VISIT_HOUSEHOLD_ONCE => Err(Error::invalid(FieldError::new(
                "household",
                "campaigns.household_paid",
                household_id.map_or_else(String::new, |h| h.to_string()),
            ))),
            other => Ok(other?),
        }
    }

    /// A campaign with its delegations, the visits in the actor's jurisdiction and their
    /// totals (`Read`). Delegations and items are the district's and shown whole.
    pub async fn campaign(&self, actor: &Actor, id: i64) -> Result<CampaignView, Error> {
        self.authorize(actor, Line::Campaigns, Action::Read)?;
        let campaign = self.store().campaign(id).await?;
        let delegations = self.store().delegations(id).await?;
        let jurisdiction = match (&actor.jurisdiction, actor.is_system()) {
            (Some(root), _) => Some(root.clone()),
            (None, true) => None,
            (None, false) => return Err(Error::NotFound),
        };
        let visits = self
            .store()
            .campaign_visits(id, jurisdiction.as_ref())
            .await?;
        let items = self.store().campaign_items(id).await?;
        let sum =
            |f: &dyn Fn(&VisitRecord) -> i64| Fen::from_fen(visits.iter().map(f).sum::<i64>());
        let mut households: Vec<i64> = visits.iter().filter_map(|v| v.household_id).collect();
        households.sort_unstable();
        households.dedup();
        let totals = CampaignTotals {
            delegations: i64::try_from(delegations.len()).unwrap_or(0),
            participants: delegations.iter().map(|d| d.participants).sum(),
            visits: i64::try_from(visits.len()).unwrap_or(0),
            households: i64::try_from(households.len()).unwrap_or(0),
            money: sum(&|v| v.money_fen),
            goods: sum(&|v| v.goods_fen),
            donated: sum(&|v| {
                if v.funding_source == "donation" {
                    v.money_fen + v.goods_fen
                } else {
                    0
                }
            }),
            items: items.into_iter().map(|i| (i.item, i.quantity)).collect(),
        };
        Ok(CampaignView {
            campaign,
            delegations,
            visits,
            totals,
        })
    }
}
