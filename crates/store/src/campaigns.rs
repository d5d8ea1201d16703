//! Condolence campaigns (走访慰问, migration 0015): campaigns, their delegations, the visits
//! with money and goods by funding source, and the in-kind items handed out. A household is
//! paid at most once per campaign (`campaign_visits_household_once`); visits are
//! append-only (triggers).

use chrono::{DateTime, NaiveDate, Utc};
use domain::DivisionCode;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::assistance::{code, date, date_text};
use crate::audit::{self, AuditEntry};
use crate::divisions::subtree_prefix;
use crate::{Store, StoreError, dynamic, parse_timestamp, timestamp};

/// The index that keeps one payment per household per campaign.
pub const VISIT_HOUSEHOLD_ONCE: &str = "campaign_visits_household_once";
/// The index that keeps campaign names unique.
pub const CAMPAIGN_NAME: &str = "campaigns_name";
/// The index that keeps delegation names unique within a campaign.
pub const DELEGATION_NAME: &str = "campaign_delegations_name";

fn named(e: StoreError) -> StoreError {
    match e {
        StoreError::Conflict { what, constraint } => {
            let constraint = constraint.map(|c| match c.as_str() {
                "campaign_visits.campaign_id, campaign_visits.household_id" => {
                    VISIT_HOUSEHOLD_ONCE.to_owned()
                }
                "campaigns.name" => CAMPAIGN_NAME.to_owned(),
                "campaign_delegations.campaign_id, campaign_delegations.name" => {
                    DELEGATION_NAME.to_owned()
                }
                _ => c,
            });
            StoreError::Conflict { what, constraint }
        }
        other => other,
    }
}

/// A campaign with what its visits add up to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignRecord {
    pub id: i64,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub by_user: String,
    pub at: DateTime<Utc>,
}

/// A delegation of a campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelegationRecord {
    pub id: i64,
    pub campaign_id: i64,
    pub name: String,
    pub leader: String,
    pub participants: i64,
}

/// A visit to record (checked by `service`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVisit {
    pub campaign_id: i64,
    pub delegation_id: Option<i64>,
    pub beneficiary: String,
    pub household_id: Option<i64>,
    pub entitlement_id: Option<i64>,
    pub unit_name: Option<String>,
    pub division_code: DivisionCode,
    pub money_fen: i64,
    pub goods_fen: i64,
    pub goods: String,
    pub funding_source: String,
    pub visited_on: NaiveDate,
}

/// A visit as stored, with the name of who was visited (the household head or entitled
/// person, or the unit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitRecord {
    pub id: i64,
    pub campaign_id: i64,
    pub delegation_id: Option<i64>,
    pub beneficiary: String,
    pub household_id: Option<i64>,
    pub entitlement_id: Option<i64>,
    /// The unit, or the entitled person's name; `None` for an assistance household.
    pub visited_name: Option<String>,
    pub division_code: DivisionCode,
    pub division_name: String,
    pub money_fen: i64,
    pub goods_fen: i64,
    pub goods: String,
    pub funding_source: String,
    pub visited_on: NaiveDate,
    pub by_user: String,
    pub at: DateTime<Utc>,
}

/// In-kind items handed out in a campaign, per item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemCount {
    pub item: String,
    pub quantity: i64,
}

const VISIT_COLUMNS: &str = "v.id, v.campaign_id, v.delegation_id, v.beneficiary, \
     v.household_id, v.entitlement_id, COALESCE(v.unit_name, ep.name) AS visited_name, \
     v.division_code, d.name AS division_name, v.money_fen, v.goods_fen, v.goods, \
     v.funding_source, v.visited_on, v.by_user, v.at";
const VISIT_FROM: &str = "FROM campaign_visits v JOIN divisions d ON d.code = v.division_code \
     LEFT JOIN veteran_entitlements ve ON ve.id = v.entitlement_id \
     LEFT JOIN persons ep ON ep.id = ve.person_id";

fn read_visit(row: &AnyRow) -> Result<VisitRecord, StoreError> {
    let division: String = row.try_get("division_code")?;
    let on: String = row.try_get("visited_on")?;
    let at: String = row.try_get("at")?;
    Ok(VisitRecord {
        id: row.try_get("id")?,
        campaign_id: row.try_get("campaign_id")?,
        delegation_id: row.try_get("delegation_id")?,
        beneficiary: row.try_get("beneficiary")?,
        household_id: row.try_get("household_id")?,
        entitlement_id: row.try_get("entitlement_id")?,
        visited_name: row.try_get("visited_name")?,
        division_code: code(&division)?,
        division_name: row.try_get("division_name")?,
        money_fen: row.try_get("money_fen")?,
        goods_fen: row.try_get("goods_fen")?,
        goods: row.try_get("goods")?,
        funding_source: row.try_get("funding_source")?,
        visited_on: date(&on)?,
        by_user: row.try_get("by_user")?,
        at: parse_timestamp(&at)?,
    })
}

fn read_campaign(row: &AnyRow) -> Result<CampaignRecord, StoreError> {
    let starts: String = row.try_get("starts_on")?;
    let ends: String = row.try_get("ends_on")?;
    let at: String = row.try_get("at")?;
    Ok(CampaignRecord {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        starts_on: date(&starts)?,
        ends_on: date(&ends)?,
        by_user: row.try_get("by_user")?,
        at: parse_timestamp(&at)?,
    })
}

impl Store {
    /// Creates a campaign; a name in use is a conflict naming [`CAMPAIGN_NAME`].
    pub async fn insert_campaign(
        &self,
        name: &str,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
        audit: &AuditEntry,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO campaigns (name, starts_on, ends_on, by_user, at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(name)
        .bind(date_text(starts_on))
        .bind(date_text(ends_on))
        .bind(&audit.actor)
        .bind(timestamp(audit.at))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| named(e.into()))?;
        let mut entry = audit.clone();
        entry.object = format!("campaign:{id}");
        audit::append(&mut tx, self.backend, &entry).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every campaign, newest first.
    pub async fn campaigns(&self) -> Result<Vec<CampaignRecord>, StoreError> {
        sqlx::query(
            "SELECT id, name, starts_on, ends_on, by_user, at FROM campaigns \
             ORDER BY starts_on DESC, id DESC",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(read_campaign)
        .collect()
    }

    pub async fn campaign(&self, id: i64) -> Result<CampaignRecord, StoreError> {
        let row = sqlx::query(
            "SELECT id, name, starts_on, ends_on, by_user, at FROM campaigns WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        read_campaign(&row)
    }

    /// Adds a delegation; a name in use within the campaign is a conflict naming
    /// [`DELEGATION_NAME`].
    pub async fn insert_delegation(
        &self,
        campaign_id: i64,
        name: &str,
        leader: &str,
        participants: i64,
        audit: &AuditEntry,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO campaign_delegations (campaign_id, name, leader, participants, \
             by_user, at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(campaign_id)
        .bind(name)
        .bind(leader)
        .bind(participants)
        .bind(&audit.actor)
        .bind(timestamp(audit.at))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| named(e.into()))?;
        audit::append(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn delegations(&self, campaign_id: i64) -> Result<Vec<DelegationRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, campaign_id, name, leader, participants FROM campaign_delegations \
             WHERE campaign_id = $1 ORDER BY id",
        )
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DelegationRecord {
                    id: r.try_get("id")?,
                    campaign_id: r.try_get("campaign_id")?,
                    name: r.try_get("name")?,
                    leader: r.try_get("leader")?,
                    participants: r.try_get("participants")?,
                })
            })
            .collect()
    }

    /// Records a visit; a household already paid in the campaign is a conflict naming
    /// [`VISIT_HOUSEHOLD_ONCE`] (nothing written).
    pub async fn insert_visit(&self, v: &NewVisit, audit: &AuditEntry) -> Result<i64, StoreError> {
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO campaign_visits (campaign_id, delegation_id, beneficiary, household_id, \
             entitlement_id, unit_name, division_code, money_fen, goods_fen, goods, \
             funding_source, visited_on, by_user, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
        )
        .bind(v.campaign_id)
        .bind(v.delegation_id)
        .bind(&v.beneficiary)
        .bind(v.household_id)
        .bind(v.entitlement_id)
        .bind(v.unit_name.clone())
        .bind(v.division_code.as_str())
        .bind(v.money_fen)
        .bind(v.goods_fen)
        .bind(&v.goods)
        .bind(&v.funding_source)
        .bind(date_text(v.visited_on))
        .bind(&audit.actor)
        .bind(timestamp(audit.at))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| named(e.into()))?;
        let mut entry = audit.clone();
        entry.object = format!("campaign_visit:{id}");
        audit::append(&mut tx, self.backend, &entry).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The visits of a campaign within `jurisdiction` (`None`: all), in order recorded.
    pub async fn campaign_visits(
        &self,
        campaign_id: i64,
        jurisdiction: Option<&DivisionCode>,
    ) -> Result<Vec<VisitRecord>, StoreError> {
        let prefix =
            jurisdiction.map_or_else(|| "%".to_owned(), |j| format!("{}%", subtree_prefix(j)));
        sqlx::query(dynamic(format!(
            "SELECT {VISIT_COLUMNS} {VISIT_FROM} \
             WHERE v.campaign_id = $1 AND v.division_code LIKE $2 ORDER BY v.id"
        )))
        .bind(campaign_id)
        .bind(prefix)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(read_visit)
        .collect()
    }

    /// Adds `quantity` of an in-kind item handed out in a campaign.
    pub async fn insert_campaign_item(
        &self,
        campaign_id: i64,
        item: &str,
        quantity: i64,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO campaign_items (campaign_id, item, quantity, by_user, at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(campaign_id)
        .bind(item)
        .bind(quantity)
        .bind(&audit.actor)
        .bind(timestamp(audit.at))
        .execute(&mut *tx)
        .await?;
        audit::append(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The in-kind items of a campaign, summed per item.
    pub async fn campaign_items(&self, campaign_id: i64) -> Result<Vec<ItemCount>, StoreError> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT item, CAST(SUM(quantity) AS BIGINT) FROM campaign_items \
             WHERE campaign_id = $1 GROUP BY item ORDER BY item",
        )
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(item, quantity)| ItemCount { item, quantity })
            .collect())
    }

    /// The division of a registry household, or `NotFound`.
    pub async fn household_division(&self, id: i64) -> Result<DivisionCode, StoreError> {
        let division: Option<String> =
            sqlx::query_scalar("SELECT division_code FROM households WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        code(&division.ok_or(StoreError::NotFound)?)
    }
}
