//! The audit log as auditors use it: searching it, exporting it, and checking its hash chain.
//!
//! Only a role that holds (`Line::Audit`, `Read`) searches and verifies, and (`Line::Audit`,
//! `Export`) exports; today that is the auditor alone. The log names staff and the addresses
//! they worked from, so an export is itself recorded (`audit.export`, with the filter it
//! used). Searching is not: it would add an entry for every page an auditor turns.

use domain::{Action, Line};
use store::{AuditFilter, AuditRecord, ChainCheck};

use crate::{Actor, Error, Service};

/// Entries on one page of a search.
pub const PAGE_SIZE: i64 = 50;
/// Most entries one export holds. A larger result is cut at this many of the newest entries
/// and says so (`truncated`); narrow the filter (e.g. by date) to export the rest.
pub const MAX_EXPORT_ROWS: i64 = 100_000;

/// One page of entries matching a filter, newest first.
#[derive(Debug, Clone)]
pub struct AuditPage {
    pub items: Vec<AuditRecord>,
    /// Entries matching the filter on all pages.
    pub total: i64,
    /// 1-based, clamped to the pages that exist.
    pub page: i64,
    pub per_page: i64,
}

impl AuditPage {
    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }
}

/// The entries of an export, newest first.
#[derive(Debug, Clone)]
pub struct AuditExport {
    pub items: Vec<AuditRecord>,
    /// Entries matching the filter when the export began.
    pub total: i64,
    /// Whether `items` stops at [`MAX_EXPORT_ROWS`] before `total`.
    pub truncated: bool,
}

/// The filter in the short machine-readable form an audit entry's `detail` holds.
pub fn describe_filter(filter: &AuditFilter) -> String {
    let mut parts = Vec::new();
    let mut push = |key: &str, value: Option<String>| {
        if let Some(v) = value {
            parts.push(format!("{key}={v}"));
        }
    };
    push("actor", filter.actor.clone());
    push("action", filter.action_prefix.clone());
    push("object", filter.object.clone());
    push("from", filter.from.map(|t| t.to_rfc3339()));
    push("until", filter.until.map(|t| t.to_rfc3339()));
    parts.join(";")
}

impl Service {
    /// Page `page` (1-based; out-of-range pages clamp) of the entries matching `filter`.
    pub async fn search_audit(
        &self,
        actor: &Actor,
        filter: &AuditFilter,
        page: i64,
    ) -> Result<AuditPage, Error> {
        self.authorize(actor, Line::Audit, Action::Read)?;
        // Clamped before multiplying: a page number typed into the URL must not overflow.
        let mut page = page.clamp(1, i64::MAX / PAGE_SIZE);
        let (mut items, mut total) = self
            .store()
            .audit_entries(filter, (page - 1) * PAGE_SIZE, PAGE_SIZE)
            .await?;
        let last = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
        if page > last {
            page = last;
            (items, total) = self
                .store()
                .audit_entries(filter, (page - 1) * PAGE_SIZE, PAGE_SIZE)
                .await?;
        }
        Ok(AuditPage {
            items,
            total,
            page,
            per_page: PAGE_SIZE,
        })
    }

    /// Every entry matching `filter`, newest first, at most [`MAX_EXPORT_ROWS`]. The export
    /// is recorded in the log as `audit.export` with the filter and the number of rows.
    pub async fn export_audit(
        &self,
        actor: &Actor,
        filter: &AuditFilter,
    ) -> Result<AuditExport, Error> {
        self.authorize(actor, Line::Audit, Action::Export)?;
        let batch = store::MAX_PAGE_ROWS;
        let mut items: Vec<AuditRecord> = Vec::new();
        let mut total = None;
        let mut offset = 0;
        loop {
            let (rows, count) = self.store().audit_entries(filter, offset, batch).await?;
            let total = *total.get_or_insert(count);
            let fetched = i64::try_from(rows.len()).unwrap_or(i64::MAX);
            // Entries appended while we read push older ones to later offsets, so a batch
            // may repeat the end of the one before: keep only what is older than we have.
            let oldest = items.last().map_or(i64::MAX, |r| r.seq);
            items.extend(rows.into_iter().filter(|r| r.seq < oldest));
            offset += fetched;
            let have = i64::try_from(items.len()).unwrap_or(i64::MAX);
            if fetched < batch || have >= total.min(MAX_EXPORT_ROWS) {
                break;
            }
        }
        let total = total.unwrap_or(0);
        let cap = usize::try_from(MAX_EXPORT_ROWS).unwrap_or(usize::MAX);
        items.truncate(cap);
        let truncated = i64::try_from(items.len()).unwrap_or(i64::MAX) < total;
        let detail = format!("rows={};{}", items.len(), describe_filter(filter));
        let entry = self.audit(actor, "audit.export", "audit_log", "", detail);
        self.store().record_audit(&entry).await?;
        Ok(AuditExport {
            items,
            total,
            truncated,
        })
    }

    /// Checks the whole hash chain; `progress` hears how many entries are checked so far.
    pub async fn verify_audit(
        &self,
        actor: &Actor,
        progress: &mut (dyn FnMut(i64) + Send),
    ) -> Result<ChainCheck, Error> {
        self.authorize(actor, Line::Audit, Action::Read)?;
        Ok(self.store().verify_audit_chain(progress).await?)
    }

    /// How many entries the log holds (for a progress bar's length).
    pub async fn audit_length(&self, actor: &Actor) -> Result<i64, Error> {
        self.authorize(actor, Line::Audit, Action::Read)?;
        let (_, total) = self
            .store()
            .audit_entries(&AuditFilter::default(), 0, 1)
            .await?;
        Ok(total)
    }
}
