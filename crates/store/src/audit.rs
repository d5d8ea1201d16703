//! The audit log: appended inside the transaction of the change it records, read back for
//! auditors, and verified link by link.
//!
//! Appends are serialised so the chain never forks: on SQLite every write transaction
//! begins IMMEDIATE (it holds the database's write lock from its first statement), on
//! PostgreSQL an advisory lock is taken before the last hash is read.

use chrono::{DateTime, Utc};
use domain::{AuditFields, GENESIS_HASH, chain_hash};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Backend, MAX_PAGE_ROWS, Store, StoreError, dynamic, parse_timestamp, timestamp};

/// The advisory lock key that serialises audit appends on PostgreSQL ("MZAUDIT" in ASCII).
const AUDIT_LOCK: i64 = 0x004d_5a41_5544_4954;

/// An entry to append: everything but its position and hashes, which the store assigns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub address: String,
    pub action: String,
    pub object: String,
    pub reason: String,
    pub detail: String,
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub seq: i64,
    pub entry: AuditEntry,
    pub prev_hash: String,
    pub hash: String,
}

/// What an auditor searches by; every field narrows, empty fields do not.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action_prefix: Option<String>,
    pub object: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// The outcome of checking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainCheck {
    Intact {
        entries: i64,
    },
    /// The first entry whose stored hashes do not match what its content and its
    /// predecessor say; every entry after it is suspect too.
    Broken {
        seq: i64,
        reason: &'static str,
    },
}

const COLUMNS: &str = "seq, at, actor, address, action, object, reason, detail, prev_hash, hash";

fn read(row: &AnyRow) -> Result<AuditRecord, StoreError> {
    let at: String = row.try_get("at")?;
    Ok(AuditRecord {
        seq: row.try_get("seq")?,
        entry: AuditEntry {
            at: parse_timestamp(&at)?,
            actor: row.try_get("actor")?,
            address: row.try_get("address")?,
            action: row.try_get("action")?,
            object: row.try_get("object")?,
            reason: row.try_get("reason")?,
            detail: row.try_get("detail")?,
        },
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

/// Appends `entry` inside the caller's write transaction and returns its sequence number.
pub(crate) async fn append(
    conn: &mut AnyConnection,
    backend: Backend,
    entry: &AuditEntry,
) -> Result<i64, StoreError> {
    if backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(AUDIT_LOCK)
            .execute(&mut *conn)
            .await?;
    }
    let last: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
    let (prev_seq, prev_hash) = last.unwrap_or((0, GENESIS_HASH.to_owned()));
    let seq = prev_seq + 1;
    let at = timestamp(entry.at);
    let hash = chain_hash(&prev_hash, &fields(seq, &at, entry));
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, address, action, object, reason, detail, \
         prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(seq)
    .bind(&at)
    .bind(&entry.actor)
    .bind(&entry.address)
    .bind(&entry.action)
    .bind(&entry.object)
    .bind(&entry.reason)
    .bind(&entry.detail)
    .bind(&prev_hash)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    Ok(seq)
}

fn fields<'a>(seq: i64, at: &'a str, e: &'a AuditEntry) -> AuditFields<'a> {
    AuditFields {
        seq,
        at,
        actor: &e.actor,
        address: &e.address,
        action: &e.action,
        object: &e.object,
        reason: &e.reason,
        detail: &e.detail,
    }
}

impl Store {
    /// Records something that changed nothing, such as a read of a person's record or an
    /// export, in a transaction of its own.
    pub async fn record_audit(&self, entry: &AuditEntry) -> Result<i64, StoreError> {
        let mut tx = self.write().await?;
        let seq = append(&mut tx, self.backend, entry).await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// Entries matching `filter`, newest first, `limit` of them after skipping `offset`.
    pub async fn audit_entries(
        &self,
        filter: &AuditFilter,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<AuditRecord>, i64), StoreError> {
        let mut clauses = Vec::new();
        let mut binds: Vec<String> = Vec::new();
        let mut push = |clause: &str, value: String| {
            binds.push(value);
            clauses.push(clause.replace('?', &format!("${}", binds.len())));
        };
        if let Some(a) = &filter.actor {
            push("actor = ?", a.clone());
        }
        if let Some(a) = &filter.action_prefix {
            // Action codes contain '_', a LIKE wildcard: escape it (and '%' and the escape).
            let escaped = a
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            push("action LIKE ? ESCAPE '\\'", format!("{escaped}%"));
        }
        if let Some(o) = &filter.object {
            push("object = ?", o.clone());
        }
        if let Some(f) = filter.from {
            push("at >= ?", timestamp(f));
        }
        if let Some(u) = filter.until {
            push("at < ?", timestamp(u));
        }
        let filter_sql = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let count_sql = format!("SELECT COUNT(*) FROM audit_log {filter_sql}");
        let mut count = sqlx::query_scalar(dynamic(count_sql));
        for b in &binds {
            count = count.bind(b.clone());
        }
        let total: i64 = count.fetch_one(&self.pool).await?;
        let list_sql = format!(
            "SELECT {COLUMNS} FROM audit_log {filter_sql} ORDER BY seq DESC LIMIT {} OFFSET {}",
            limit.clamp(1, MAX_PAGE_ROWS),
            offset.max(0)
        );
        let mut list = sqlx::query(dynamic(list_sql));
        for b in &binds {
            list = list.bind(b.clone());
        }
        let rows = list.fetch_all(&self.pool).await?;
        Ok((rows.iter().map(read).collect::<Result<_, _>>()?, total))
    }

    /// Walks the whole chain in order, recomputing every hash.
    pub async fn verify_audit_chain(
        &self,
        progress: &mut (dyn FnMut(i64) + Send),
    ) -> Result<ChainCheck, StoreError> {
        let mut expected_prev = GENESIS_HASH.to_owned();
        let mut expected_seq = 1i64;
        loop {
            let rows = sqlx::query(dynamic(format!(
                "SELECT {COLUMNS} FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT {MAX_PAGE_ROWS}"
            )))
            .bind(expected_seq)
            .fetch_all(&self.pool)
            .await?;
            if rows.is_empty() {
                return Ok(ChainCheck::Intact {
                    entries: expected_seq - 1,
                });
            }
            for row in &rows {
                let r = read(row)?;
                if r.seq != expected_seq {
                    return Ok(ChainCheck::Broken {
                        seq: expected_seq,
                        reason: "missing",
                    });
                }
                if r.prev_hash != expected_prev {
                    return Ok(ChainCheck::Broken {
                        seq: r.seq,
                        reason: "prev_hash",
                    });
                }
                // Recompute from the stored text, not from a re-formatted timestamp.
                let at: String = row.try_get("at")?;
                if chain_hash(&r.prev_hash, &fields(r.seq, &at, &r.entry)) != r.hash {
                    return Ok(ChainCheck::Broken {
                        seq: r.seq,
                        reason: "hash",
                    });
                }
                expected_prev = r.hash;
                expected_seq += 1;
            }
            progress(expected_seq - 1);
        }
    }

    /// Runs raw SQL past every safeguard. Only for tests that play an intruder with direct
    /// database access (e.g. dropping the append-only trigger and editing a row).
    #[doc(hidden)]
    pub async fn execute_as_intruder(&self, sql: &'static str) -> Result<(), StoreError> {
        sqlx::raw_sql(sql).execute(&self.pool).await?;
        Ok(())
    }
}
