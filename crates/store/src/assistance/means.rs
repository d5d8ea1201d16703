//! The means-check worksheets of a case (`means_checks`, `means_items`, migration 0009):
//! written with their `check_means` action in the same transaction, read back for the case
//! page. Rows are plain data; `domain::assistance::means` computes them and `service`
//! checks them.

use sqlx::{AnyConnection, Row};

use super::named;
use crate::{Store, StoreError};

/// One item of a worksheet as stored (see migration 0009 for the columns).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MeansItemRecord {
    /// `income` or `property`.
    pub kind: String,
    pub category: Option<String>,
    pub exemption: Option<String>,
    pub asset: Option<String>,
    pub member_id: Option<i64>,
    pub amount_fen: i64,
    pub count: i64,
    pub exempt: bool,
    pub note: String,
}

/// A worksheet with its assessment and the thresholds it was assessed with.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MeansRecord {
    /// The `check_means` action's seq (filled in by the store on append).
    pub seq: i64,
    pub members: i64,
    pub standard_fen: i64,
    pub countable_fen: i64,
    pub exempt_fen: i64,
    pub job_cost_fen: i64,
    pub per_capita_fen: i64,
    pub financial_fen: i64,
    pub job_cost_pct: i64,
    pub financial_assets_months: i64,
    pub max_homes: i64,
    /// `code|detail` per line.
    pub findings: String,
    pub items: Vec<MeansItemRecord>,
}

pub(super) async fn insert(
    conn: &mut AnyConnection,
    case_id: i64,
    seq: i64,
    m: &MeansRecord,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO means_checks (case_id, seq, members, standard_fen, countable_fen, \
         exempt_fen, job_cost_fen, per_capita_fen, financial_fen, job_cost_pct, \
         financial_assets_months, max_homes, findings) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(case_id)
    .bind(seq)
    .bind(m.members)
    .bind(m.standard_fen)
    .bind(m.countable_fen)
    .bind(m.exempt_fen)
    .bind(m.job_cost_fen)
    .bind(m.per_capita_fen)
    .bind(m.financial_fen)
    .bind(m.job_cost_pct)
    .bind(m.financial_assets_months)
    .bind(m.max_homes)
    .bind(&m.findings)
    .execute(&mut *conn)
    .await
    .map_err(|e| named(e.into()))?;
    let mut numbers = (0i64, 0i64);
    for item in &m.items {
        let no = if item.kind == "income" {
            numbers.0 += 1;
            numbers.0
        } else {
            numbers.1 += 1;
            numbers.1
        };
        sqlx::query(
            "INSERT INTO means_items (case_id, seq, item_no, kind, category, exemption, asset, \
             member_id, amount_fen, count, exempt, note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(case_id)
        .bind(seq)
        .bind(no)
        .bind(&item.kind)
        .bind(item.category.clone())
        .bind(item.exemption.clone())
        .bind(item.asset.clone())
        .bind(item.member_id)
        .bind(item.amount_fen)
        .bind(item.count)
        .bind(i64::from(item.exempt))
        .bind(&item.note)
        .execute(&mut *conn)
        .await
        .map_err(|e| named(e.into()))?;
    }
    Ok(())
}

impl Store {
    /// Every worksheet of a case, oldest first, with its items in the order entered.
    pub async fn means_checks(&self, case_id: i64) -> Result<Vec<MeansRecord>, StoreError> {
        let mut checks: Vec<MeansRecord> = sqlx::query(
            "SELECT seq, members, standard_fen, countable_fen, exempt_fen, job_cost_fen, \
             per_capita_fen, financial_fen, job_cost_pct, financial_assets_months, max_homes, \
             findings FROM means_checks WHERE case_id = $1 ORDER BY seq",
        )
        .bind(case_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok::<_, sqlx::Error>(MeansRecord {
                seq: r.try_get("seq")?,
                members: r.try_get("members")?,
                standard_fen: r.try_get("standard_fen")?,
                countable_fen: r.try_get("countable_fen")?,
                exempt_fen: r.try_get("exempt_fen")?,
                job_cost_fen: r.try_get("job_cost_fen")?,
                per_capita_fen: r.try_get("per_capita_fen")?,
                financial_fen: r.try_get("financial_fen")?,
                job_cost_pct: r.try_get("job_cost_pct")?,
                financial_assets_months: r.try_get("financial_assets_months")?,
                max_homes: r.try_get("max_homes")?,
                findings: r.try_get("findings")?,
                items: Vec::new(),
            })
        })
        .collect::<Result<_, _>>()?;
        let items = sqlx::query(
            "SELECT seq, kind, category, exemption, asset, member_id, amount_fen, count, \
             exempt, note FROM means_items WHERE case_id = $1 \
             ORDER BY seq, kind, item_no",
        )
        .bind(case_id)
        .fetch_all(&self.pool)
        .await?;
        for r in &items {
            let seq: i64 = r.try_get("seq")?;
            let item = MeansItemRecord {
                kind: r.try_get("kind")?,
                category: r.try_get("category")?,
                exemption: r.try_get("exemption")?,
                asset: r.try_get("asset")?,
                member_id: r.try_get("member_id")?,
                amount_fen: r.try_get("amount_fen")?,
                count: r.try_get("count")?,
                exempt: r.try_get::<i64, _>("exempt")? != 0,
                note: r.try_get("note")?,
            };
            if let Some(check) = checks.iter_mut().find(|c| c.seq == seq) {
                check.items.push(item);
            }
        }
        Ok(checks)
    }
}
