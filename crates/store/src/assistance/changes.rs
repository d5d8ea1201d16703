//! Dynamic management (动态管理): the append-only change log of a case (`case_changes`,
//! migration 0005) and the candidates of the review due list. A change row and what it does
//! to the case rows (income, household place, members, benefit end) are written in one
//! transaction with the audit entry; the row keeps the values before and after.

use chrono::{DateTime, NaiveDate, Utc};
use domain::DivisionCode;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{NewMember, code, date, date_text, named, opt_date, person_id, version_refusal};
use crate::audit::{self, AuditEntry};
use crate::divisions::subtree_prefix;
use crate::{Store, StoreError, dynamic, parse_timestamp, timestamp};

/// The index that numbers a case's changes without gaps or doubles.
pub const CHANGE_SEQ: &str = "case_changes_case_seq";

/// One change as recorded (see migration 0005 for the columns' meaning).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewChange {
    pub kind: String,
    /// The first day of the first month the change applies to.
    pub effective_from: NaiveDate,
    pub recorded_on: NaiveDate,
    pub by_user: String,
    pub at: DateTime<Utc>,
    pub reason: String,
    /// The member who left or died (a joining member's id is filled in by the store).
    pub member_id: Option<i64>,
    pub income_before: Option<i64>,
    pub income_after: Option<i64>,
    pub division_before: Option<String>,
    pub division_after: Option<String>,
    pub address_before: Option<String>,
    pub address_after: Option<String>,
    pub area_before: Option<String>,
    pub area_after: Option<String>,
    pub suspended_from: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub end_reason: Option<String>,
    pub outcome: Option<String>,
}

/// What a change does to the case rows, in the same transaction.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChangeApply {
    /// The new assessed per-capita income.
    pub income_per_capita_fen: Option<i64>,
    /// The household moves: (community, address, area).
    pub moves_to: Option<(DivisionCode, String, String)>,
    /// A member leaves (or dies): (member id, last day counted).
    pub member_leaves: Option<(i64, NaiveDate)>,
    /// A member joins from `effective_from`.
    pub member_joins: Option<NewMember>,
    /// The benefit ends on this day (termination, gradual exit, the last member's death).
    pub benefit_end: Option<NaiveDate>,
    /// The case lets go of its household (terminated): members still current leave on this
    /// day, and `active` becomes 0.
    pub close_on: Option<NaiveDate>,
}

/// A stored change, with the name of the member it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredChange {
    pub id: i64,
    pub seq: i64,
    pub change: NewChange,
    pub member_name: Option<String>,
}

/// An active, approved case in the review schedule, with what its class and due date are
/// computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewCandidate {
    pub case_id: i64,
    pub version: i64,
    pub program: String,
    pub division_code: DivisionCode,
    pub division_name: String,
    pub head_name: String,
    /// The day of the approval.
    pub approved_on: NaiveDate,
    /// The day of the last review recorded, if any.
    pub reviewed_on: Option<NaiveDate>,
    pub benefit_end: Option<NaiveDate>,
    /// (birth date, disability grade, severe illness, employment) of each current member.
    pub members: Vec<(NaiveDate, i64, bool, String)>,
}

pub(crate) const CHANGE_COLUMNS: &str = "x.id, x.seq, x.kind, x.effective_from, x.recorded_on, x.by_user, \
     x.at, x.reason, x.member_id, x.income_before, x.income_after, x.division_before, \
     x.division_after, x.address_before, x.address_after, x.area_before, x.area_after, \
     x.suspended_from, x.end_date, x.end_reason, x.outcome, p.name AS member_name";

pub(crate) fn read_change(row: &AnyRow) -> Result<StoredChange, StoreError> {
    let effective: String = row.try_get("effective_from")?;
    let recorded: String = row.try_get("recorded_on")?;
    let at: String = row.try_get("at")?;
    Ok(StoredChange {
        id: row.try_get("id")?,
        seq: row.try_get("seq")?,
        member_name: row.try_get("member_name")?,
        change: NewChange {
            kind: row.try_get("kind")?,
            effective_from: date(&effective)?,
            recorded_on: date(&recorded)?,
            by_user: row.try_get("by_user")?,
            at: parse_timestamp(&at)?,
            reason: row.try_get("reason")?,
            member_id: row.try_get("member_id")?,
            income_before: row.try_get("income_before")?,
            income_after: row.try_get("income_after")?,
            division_before: row.try_get("division_before")?,
            division_after: row.try_get("division_after")?,
            address_before: row.try_get("address_before")?,
            address_after: row.try_get("address_after")?,
            area_before: row.try_get("area_before")?,
            area_after: row.try_get("area_after")?,
            suspended_from: opt_date(row.try_get("suspended_from")?)?,
            end_date: opt_date(row.try_get("end_date")?)?,
            end_reason: row.try_get("end_reason")?,
            outcome: row.try_get("outcome")?,
        },
    })
}

impl Store {
    /// Appends `change` to case `case_id` if its version is still `expected_version`,
    /// applies `apply` to the case rows, and bumps the version; returns the new version. A
    /// stale version is a [`StoreError::Conflict`] with constraint `version`; a joining
    /// person who is a current member elsewhere one naming `PERSON_IN_ONE_HOUSEHOLD`.
    pub async fn append_case_change(
        &self,
        case_id: i64,
        expected_version: i64,
        change: &NewChange,
        apply: &ChangeApply,
        audit: &AuditEntry,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write().await?;
        let changed = sqlx::query(
            "UPDATE cases SET version = version + 1, \
             income_per_capita_fen = COALESCE($1, income_per_capita_fen), \
             benefit_end = COALESCE($2, benefit_end), \
             active = CASE WHEN $3 = 1 THEN 0 ELSE active END \
             WHERE id = $4 AND version = $5",
        )
        .bind(apply.income_per_capita_fen)
        .bind(apply.benefit_end.map(date_text))
        .bind(i64::from(apply.close_on.is_some()))
        .bind(case_id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(version_refusal(&mut tx, case_id, expected_version).await);
        }
        let household: i64 = sqlx::query_scalar("SELECT household_id FROM cases WHERE id = $1")
            .bind(case_id)
            .fetch_one(&mut *tx)
            .await?;
        let at = timestamp(audit.at);
        let mut change = change.clone();
        if let Some((division, address, area)) = &apply.moves_to {
            sqlx::query(
                "UPDATE households SET division_code = $1, address = $2, area = $3 WHERE id = $4",
            )
            .bind(division.as_str())
            .bind(address)
            .bind(area)
            .bind(household)
            .execute(&mut *tx)
            .await?;
        }
        if let Some((member, last_day)) = apply.member_leaves {
            sqlx::query(
                "UPDATE members SET left_on = $1 WHERE id = $2 AND household_id = $3 \
                 AND left_on IS NULL",
            )
            .bind(date_text(last_day))
            .bind(member)
            .bind(household)
            .execute(&mut *tx)
            .await?;
        }
        if let Some(m) = &apply.member_joins {
            let person = person_id(&mut tx, &m.person, &at).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO members (household_id, person_id, relation, disability_grade, \
                 severe_illness, employment, self_care, joined_on) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(household)
            .bind(person)
            .bind(&m.relation)
            .bind(m.disability_grade)
            .bind(i64::from(m.severe_illness))
            .bind(&m.employment)
            .bind(m.self_care.clone())
            .bind(date_text(change.effective_from))
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| named(e.into()))?;
            change.member_id = Some(id);
        }
        if let Some(on) = apply.close_on {
            sqlx::query(
                "UPDATE members SET left_on = $1 WHERE left_on IS NULL AND household_id = $2",
            )
            .bind(date_text(on))
            .bind(household)
            .execute(&mut *tx)
            .await?;
        }
        let seq: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM case_changes WHERE case_id = $1",
        )
        .bind(case_id)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO case_changes (case_id, seq, kind, effective_from, recorded_on, \
             by_user, at, reason, member_id, income_before, income_after, division_before, \
             division_after, address_before, address_after, area_before, area_after, \
             suspended_from, end_date, end_reason, outcome) VALUES ($1, $2, $3, $4, $5, $6, \
             $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)",
        )
        .bind(case_id)
        .bind(seq)
        .bind(&change.kind)
        .bind(date_text(change.effective_from))
        .bind(date_text(change.recorded_on))
        .bind(&change.by_user)
        .bind(timestamp(change.at))
        .bind(&change.reason)
        .bind(change.member_id)
        .bind(change.income_before)
        .bind(change.income_after)
        .bind(change.division_before.clone())
        .bind(change.division_after.clone())
        .bind(change.address_before.clone())
        .bind(change.address_after.clone())
        .bind(change.area_before.clone())
        .bind(change.area_after.clone())
        .bind(change.suspended_from.map(date_text))
        .bind(change.end_date.map(date_text))
        .bind(change.end_reason.clone())
        .bind(change.outcome.clone())
        .execute(&mut *tx)
        .await
        .map_err(|e| named(e.into()))?;
        audit::append(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(expected_version + 1)
    }

    /// The change log of a case, in order.
    pub async fn case_changes(&self, case_id: i64) -> Result<Vec<StoredChange>, StoreError> {
        sqlx::query(dynamic(format!(
            "SELECT {CHANGE_COLUMNS} FROM case_changes x \
             LEFT JOIN members m ON m.id = x.member_id \
             LEFT JOIN persons p ON p.id = m.person_id \
             WHERE x.case_id = $1 ORDER BY x.seq"
        )))
        .bind(case_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(read_change)
        .collect()
    }

    /// Active, approved cases within `root`'s subtree (all for `None`), with their approval
    /// day, last review day and current members, in case order.
    pub async fn review_candidates(
        &self,
        root: Option<&DivisionCode>,
    ) -> Result<Vec<ReviewCandidate>, StoreError> {
        let prefix = root.map_or_else(|| "%".to_owned(), |r| format!("{}%", subtree_prefix(r)));
        let rows = sqlx::query(
            "SELECT c.id, c.version, c.program, h.division_code, d.name AS division_name, \
             c.benefit_end, \
             (SELECT hp.name FROM members hm JOIN persons hp ON hp.id = hm.person_id \
              WHERE hm.household_id = h.id AND hm.relation = 'head' \
              ORDER BY hm.id DESC LIMIT 1) AS head_name, \
             (SELECT MAX(a.on_date) FROM case_actions a WHERE a.case_id = c.id \
              AND a.step = 'approve') AS approved_on, \
             (SELECT MAX(x.recorded_on) FROM case_changes x WHERE x.case_id = c.id \
              AND x.kind = 'review') AS reviewed_on \
             FROM cases c JOIN households h ON h.id = c.household_id \
             JOIN divisions d ON d.code = h.division_code \
             WHERE c.active = 1 AND c.benefit_start IS NOT NULL AND h.division_code LIKE $1 \
             ORDER BY c.id",
        )
        .bind(&prefix)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let division: String = row.try_get("division_code")?;
            let approved: Option<String> = row.try_get("approved_on")?;
            let Some(approved) = approved else { continue };
            out.push(ReviewCandidate {
                case_id: row.try_get("id")?,
                version: row.try_get("version")?,
                program: row.try_get("program")?,
                division_code: code(&division)?,
                division_name: row.try_get("division_name")?,
                head_name: row
                    .try_get::<Option<String>, _>("head_name")?
                    .unwrap_or_default(),
                approved_on: date(&approved)?,
                reviewed_on: opt_date(row.try_get("reviewed_on")?)?,
                benefit_end: opt_date(row.try_get("benefit_end")?)?,
                members: Vec::new(),
            });
        }
        let members = sqlx::query(
            "SELECT c.id AS case_id, p.birth_date, m.disability_grade, m.severe_illness, \
             m.employment FROM cases c JOIN households h ON h.id = c.household_id \
             JOIN members m ON m.household_id = h.id JOIN persons p ON p.id = m.person_id \
             WHERE c.active = 1 AND c.benefit_start IS NOT NULL AND m.left_on IS NULL \
             AND h.division_code LIKE $1 ORDER BY c.id, m.id",
        )
        .bind(&prefix)
        .fetch_all(&self.pool)
        .await?;
        let mut at = 0usize;
        for row in &members {
            let case_id: i64 = row.try_get("case_id")?;
            while at < out.len() && out[at].case_id < case_id {
                at += 1;
            }
            if at < out.len() && out[at].case_id == case_id {
                let birth: String = row.try_get("birth_date")?;
                out[at].members.push((
                    date(&birth)?,
                    row.try_get("disability_grade")?,
                    row.try_get::<i64, _>("severe_illness")? != 0,
                    row.try_get("employment")?,
                ));
            }
        }
        Ok(out)
    }
}
