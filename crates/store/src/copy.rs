//! Moving all data between two databases, SQLite to PostgreSQL and back.
//!
//! The copy reads the source from one snapshot, table by table in foreign-key order and in
//! key order in batches, and writes the target in one transaction. Before that transaction
//! commits, every table must have the same row count and the same SHA-256 over its rows in
//! key order on both sides, the rows serialised the same way whatever the engine; otherwise
//! it rolls back and the target stays empty. [`TABLES`] lists every table; a test
//! checks it against the live schema so a new migration cannot be forgotten here.

use sha2::{Digest, Sha256};
use sqlx::AnyConnection;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Backend, Store, StoreError, dynamic};

/// How a column is read and written generically.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Int,
    Text,
}

#[derive(Debug)]
pub(crate) struct Table {
    pub name: &'static str,
    /// A single-column primary key: the order of reading, and the cursor between batches.
    pub key: &'static str,
    /// Whether the key is an identity column whose PostgreSQL sequence must follow the data.
    pub identity: bool,
    pub columns: &'static [(&'static str, Kind)],
}

/// Every table of the schema, parents before children.
pub(crate) const TABLES: &[Table] = &[
    Table {
        name: "divisions",
        key: "code",
        identity: false,
        columns: &[
            ("code", Kind::Text),
            ("name", Kind::Text),
            ("parent_code", Kind::Text),
            ("area", Kind::Text),
            ("updated_at", Kind::Text),
        ],
    },
    Table {
        name: "calendar_years",
        key: "year",
        identity: false,
        columns: &[("year", Kind::Int)],
    },
    Table {
        name: "calendar_days",
        key: "day",
        identity: false,
        columns: &[
            ("day", Kind::Text),
            ("kind", Kind::Text),
            ("name", Kind::Text),
        ],
    },
    Table {
        name: "users",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("username", Kind::Text),
            ("display_name", Kind::Text),
            ("password_hash", Kind::Text),
            ("role", Kind::Text),
            ("jurisdiction", Kind::Text),
            ("must_change_password", Kind::Int),
            ("disabled", Kind::Int),
            ("created_at", Kind::Text),
            ("phone", Kind::Text),
            ("failed_logins", Kind::Int),
            ("locked_until", Kind::Text),
            ("password_changed_at", Kind::Text),
        ],
    },
    Table {
        name: "sessions",
        key: "token_hash",
        identity: false,
        columns: &[
            ("token_hash", Kind::Text),
            ("user_id", Kind::Int),
            ("csrf_token", Kind::Text),
            ("created_at", Kind::Text),
            ("last_seen_at", Kind::Text),
            ("address", Kind::Text),
            ("user_agent", Kind::Text),
            ("revoked_at", Kind::Text),
        ],
    },
    Table {
        name: "api_tokens",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("user_id", Kind::Int),
            ("name", Kind::Text),
            ("token_hash", Kind::Text),
            ("created_at", Kind::Text),
            ("last_used_at", Kind::Text),
            ("revoked_at", Kind::Text),
        ],
    },
    Table {
        name: "persons",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("id_number", Kind::Text),
            ("name", Kind::Text),
            ("name_initials", Kind::Text),
            ("name_pinyin", Kind::Text),
            ("birth_date", Kind::Text),
            ("sex", Kind::Text),
            ("created_at", Kind::Text),
        ],
    },
    Table {
        name: "households",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("division_code", Kind::Text),
            ("address", Kind::Text),
            ("area", Kind::Text),
            ("created_at", Kind::Text),
            ("legacy_id", Kind::Text),
        ],
    },
    Table {
        name: "members",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("household_id", Kind::Int),
            ("person_id", Kind::Int),
            ("relation", Kind::Text),
            ("disability_grade", Kind::Int),
            ("severe_illness", Kind::Int),
            ("employment", Kind::Text),
            ("self_care", Kind::Text),
            ("joined_on", Kind::Text),
            ("left_on", Kind::Text),
            ("legacy_id", Kind::Text),
        ],
    },
    Table {
        name: "cases",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("household_id", Kind::Int),
            ("program", Kind::Text),
            ("income_per_capita_fen", Kind::Int),
            ("benefit_start", Kind::Text),
            ("benefit_end", Kind::Text),
            ("active", Kind::Int),
            ("version", Kind::Int),
            ("created_at", Kind::Text),
        ],
    },
    Table {
        name: "case_actions",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("case_id", Kind::Int),
            ("seq", Kind::Int),
            ("step", Kind::Text),
            ("on_date", Kind::Text),
            ("by_user", Kind::Text),
            ("at", Kind::Text),
            ("on_behalf", Kind::Int),
            ("income_fen", Kind::Int),
            ("notice_from", Kind::Text),
            ("reason", Kind::Text),
            ("note", Kind::Text),
        ],
    },
    Table {
        name: "case_changes",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("case_id", Kind::Int),
            ("seq", Kind::Int),
            ("kind", Kind::Text),
            ("effective_from", Kind::Text),
            ("recorded_on", Kind::Text),
            ("by_user", Kind::Text),
            ("at", Kind::Text),
            ("reason", Kind::Text),
            ("member_id", Kind::Int),
            ("income_before", Kind::Int),
            ("income_after", Kind::Int),
            ("division_before", Kind::Text),
            ("division_after", Kind::Text),
            ("address_before", Kind::Text),
            ("address_after", Kind::Text),
            ("area_before", Kind::Text),
            ("area_after", Kind::Text),
            ("suspended_from", Kind::Text),
            ("end_date", Kind::Text),
            ("end_reason", Kind::Text),
            ("outcome", Kind::Text),
        ],
    },
    Table {
        name: "means_checks",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("case_id", Kind::Int),
            ("seq", Kind::Int),
            ("members", Kind::Int),
            ("standard_fen", Kind::Int),
            ("countable_fen", Kind::Int),
            ("exempt_fen", Kind::Int),
            ("job_cost_fen", Kind::Int),
            ("per_capita_fen", Kind::Int),
            ("financial_fen", Kind::Int),
            ("job_cost_pct", Kind::Int),
            ("financial_assets_months", Kind::Int),
            ("max_homes", Kind::Int),
            ("findings", Kind::Text),
        ],
    },
    Table {
        name: "means_items",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("case_id", Kind::Int),
            ("seq", Kind::Int),
            ("item_no", Kind::Int),
            ("kind", Kind::Text),
            ("category", Kind::Text),
            ("exemption", Kind::Text),
            ("asset", Kind::Text),
            ("member_id", Kind::Int),
            ("amount_fen", Kind::Int),
            ("count", Kind::Int),
            ("exempt", Kind::Int),
            ("note", Kind::Text),
        ],
    },
    Table {
        name: "assistance_budgets",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("year", Kind::Int),
            ("kind", Kind::Text),
            ("amount_fen", Kind::Int),
            ("citation", Kind::Text),
            ("by_user", Kind::Text),
            ("at", Kind::Text),
        ],
    },
    Table {
        name: "assistance_grants",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("kind", Kind::Text),
            ("household_id", Kind::Int),
            ("division_code", Kind::Text),
            ("persons", Kind::Int),
            ("amount_fen", Kind::Int),
            ("reason", Kind::Text),
            ("funding_source", Kind::Text),
            ("granted_on", Kind::Text),
            ("year", Kind::Int),
            ("budget_fen", Kind::Int),
            ("drawn_before_fen", Kind::Int),
            ("override_reason", Kind::Text),
            ("by_user", Kind::Text),
            ("at", Kind::Text),
        ],
    },
    Table {
        name: "assistance_grant_cancellations",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("grant_id", Kind::Int),
            ("reason", Kind::Text),
            ("by_user", Kind::Text),
            ("at", Kind::Text),
        ],
    },
    Table {
        name: "standards",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("program", Kind::Text),
            ("area", Kind::Text),
            ("effective_from", Kind::Text),
            ("amount_fen", Kind::Int),
            ("citation", Kind::Text),
            ("updated_at", Kind::Text),
        ],
    },
    Table {
        name: "classified_policies",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("effective_from", Kind::Text),
            ("citation", Kind::Text),
            ("updated_at", Kind::Text),
        ],
    },
    Table {
        name: "policy_rules",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("policy_id", Kind::Int),
            ("kind", Kind::Text),
            ("min_value", Kind::Int),
            ("max_value", Kind::Int),
            ("pct", Kind::Int),
        ],
    },
    Table {
        name: "care_standards",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("area", Kind::Text),
            ("level", Kind::Text),
            ("effective_from", Kind::Text),
            ("amount_fen", Kind::Int),
            ("citation", Kind::Text),
            ("updated_at", Kind::Text),
        ],
    },
    Table {
        name: "settings",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("key", Kind::Text),
            ("value", Kind::Text),
            ("updated_at", Kind::Text),
        ],
    },
    Table {
        name: "death_records",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("id_number", Kind::Text),
            ("name", Kind::Text),
            ("died_on", Kind::Text),
            ("source", Kind::Text),
            ("by_user", Kind::Text),
            ("at", Kind::Text),
        ],
    },
    Table {
        name: "check_runs",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("origin", Kind::Text),
            ("by_user", Kind::Text),
            ("scope", Kind::Text),
            ("started_at", Kind::Text),
            ("finished_at", Kind::Text),
            ("duplicates", Kind::Int),
            ("invalid_ids", Kind::Int),
            ("deaths", Kind::Int),
            ("deaths_recorded", Kind::Int),
            ("tasks_created", Kind::Int),
        ],
    },
    Table {
        name: "check_tasks",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("finding_key", Kind::Text),
            ("kind", Kind::Text),
            ("street_code", Kind::Text),
            ("division_code", Kind::Text),
            ("household_id", Kind::Int),
            ("case_id", Kind::Int),
            ("member_id", Kind::Int),
            ("id_number", Kind::Text),
            ("person_name", Kind::Text),
            ("detail", Kind::Text),
            ("run_id", Kind::Int),
            ("created_at", Kind::Text),
            ("status", Kind::Text),
            ("closed_by", Kind::Text),
            ("closed_at", Kind::Text),
            ("note", Kind::Text),
        ],
    },
    Table {
        name: "audit_log",
        key: "seq",
        identity: false,
        columns: &[
            ("seq", Kind::Int),
            ("at", Kind::Text),
            ("actor", Kind::Text),
            ("address", Kind::Text),
            ("action", Kind::Text),
            ("object", Kind::Text),
            ("reason", Kind::Text),
            ("detail", Kind::Text),
            ("prev_hash", Kind::Text),
            ("hash", Kind::Text),
        ],
    },
    Table {
        name: "payroll_runs",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("month", Kind::Text),
            ("program", Kind::Text),
            ("state", Kind::Text),
            ("cutoff", Kind::Text),
            ("jump_pct", Kind::Int),
            ("prepared_by", Kind::Text),
            ("prepared_at", Kind::Text),
            ("computed_upto", Kind::Int),
            ("households", Kind::Int),
            ("total_fen", Kind::Int),
            ("approved_by", Kind::Text),
            ("approved_at", Kind::Text),
        ],
    },
    Table {
        name: "payroll_lines",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("run_id", Kind::Int),
            ("case_id", Kind::Int),
            ("household_id", Kind::Int),
            ("division_code", Kind::Text),
            ("area", Kind::Text),
            ("benefit_month", Kind::Text),
            ("kind", Kind::Text),
            ("amount_fen", Kind::Int),
            ("members", Kind::Int),
            ("prev_fen", Kind::Int),
            ("flagged", Kind::Int),
            ("reason", Kind::Text),
        ],
    },
    Table {
        name: "payroll_ledger",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("program", Kind::Text),
            ("household_id", Kind::Int),
            ("case_id", Kind::Int),
            ("division_code", Kind::Text),
            ("area", Kind::Text),
            ("benefit_month", Kind::Text),
            ("kind", Kind::Text),
            ("paid_in", Kind::Text),
            ("seq", Kind::Int),
            ("amount_fen", Kind::Int),
            ("run_id", Kind::Int),
            ("reverses", Kind::Int),
            ("reason", Kind::Text),
            ("recorded_by", Kind::Text),
            ("recorded_at", Kind::Text),
        ],
    },
    Table {
        name: "ledger_totals",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("program", Kind::Text),
            ("paid_in", Kind::Text),
            ("division_code", Kind::Text),
            ("area", Kind::Text),
            ("recorded_at", Kind::Text),
            ("entries", Kind::Int),
            ("amount_fen", Kind::Int),
            ("positive", Kind::Int),
        ],
    },
    Table {
        name: "report_caseload",
        key: "case_id",
        identity: false,
        columns: &[
            ("case_id", Kind::Int),
            ("program", Kind::Text),
            ("division_code", Kind::Text),
            ("area", Kind::Text),
            ("benefit_start", Kind::Text),
            ("benefit_end", Kind::Text),
            ("decided_at", Kind::Text),
            ("persons", Kind::Int),
            ("simple", Kind::Int),
        ],
    },
    Table {
        name: "payees",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("household_id", Kind::Int),
            ("holder", Kind::Text),
            ("bank_name", Kind::Text),
            ("bank_code", Kind::Text),
            ("account_number", Kind::Text),
            ("account_kind", Kind::Text),
            ("reason", Kind::Text),
            ("recorded_by", Kind::Text),
            ("recorded_at", Kind::Text),
        ],
    },
    Table {
        name: "bank_files",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("run_id", Kind::Int),
            ("format", Kind::Text),
            ("file_name", Kind::Text),
            ("sha256", Kind::Text),
            ("lines", Kind::Int),
            ("total_fen", Kind::Int),
            ("reason", Kind::Text),
            ("exported_by", Kind::Text),
            ("exported_at", Kind::Text),
        ],
    },
    Table {
        name: "bank_returns",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("run_id", Kind::Int),
            ("file_id", Kind::Int),
            ("import_no", Kind::Int),
            ("row_no", Kind::Int),
            ("payment_key", Kind::Text),
            ("amount_fen", Kind::Int),
            ("status", Kind::Text),
            ("reason", Kind::Text),
            ("imported_by", Kind::Text),
            ("imported_at", Kind::Text),
        ],
    },
    Table {
        name: "reissue_batches",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("format", Kind::Text),
            ("file_name", Kind::Text),
            ("sha256", Kind::Text),
            ("lines", Kind::Int),
            ("total_fen", Kind::Int),
            ("reason", Kind::Text),
            ("exported_by", Kind::Text),
            ("exported_at", Kind::Text),
        ],
    },
    Table {
        name: "reissue_returns",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("batch_id", Kind::Int),
            ("reissue_id", Kind::Int),
            ("import_no", Kind::Int),
            ("row_no", Kind::Int),
            ("amount_fen", Kind::Int),
            ("status", Kind::Text),
            ("reason", Kind::Text),
            ("imported_by", Kind::Text),
            ("imported_at", Kind::Text),
        ],
    },
    Table {
        name: "payment_reissues",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("batch_id", Kind::Int),
            ("run_id", Kind::Int),
            ("household_id", Kind::Int),
            ("attempt", Kind::Int),
            ("payment_key", Kind::Text),
            ("amount_fen", Kind::Int),
            ("payee_id", Kind::Int),
            ("failed_return_id", Kind::Int),
            ("failed_reissue_return_id", Kind::Int),
            ("reissued_by", Kind::Text),
            ("reissued_at", Kind::Text),
        ],
    },
    Table {
        name: "reports",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("from_date", Kind::Text),
            ("to_date", Kind::Text),
            ("division_code", Kind::Text),
            ("cutoff", Kind::Text),
            ("generated_by", Kind::Text),
            ("content", Kind::Text),
            ("content_hash", Kind::Text),
        ],
    },
    Table {
        name: "veteran_categories",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("code", Kind::Text),
            ("name", Kind::Text),
            ("basis", Kind::Text),
            ("position", Kind::Int),
        ],
    },
    Table {
        name: "veteran_entitlements",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("person_id", Kind::Int),
            ("household_id", Kind::Int),
            ("category_code", Kind::Text),
            ("grade", Kind::Int),
            ("cause", Kind::Text),
            ("service_years", Kind::Int),
            ("certified_on", Kind::Text),
            ("document_number", Kind::Text),
            ("certifying_office", Kind::Text),
            ("status", Kind::Text),
            ("version", Kind::Int),
            ("by_user", Kind::Text),
            ("at", Kind::Text),
        ],
    },
    Table {
        name: "veteran_status_events",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("entitlement_id", Kind::Int),
            ("seq", Kind::Int),
            ("status", Kind::Text),
            ("effective_on", Kind::Text),
            ("reason", Kind::Text),
            ("by_user", Kind::Text),
            ("at", Kind::Text),
        ],
    },
    Table {
        name: "veteran_standards",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("category_code", Kind::Text),
            ("grade", Kind::Int),
            ("cause", Kind::Text),
            ("effective_from", Kind::Text),
            ("amount_fen", Kind::Int),
            ("per", Kind::Text),
            ("citation", Kind::Text),
            ("by_user", Kind::Text),
            ("updated_at", Kind::Text),
        ],
    },
    Table {
        name: "campaigns",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("name", Kind::Text),
            ("starts_on", Kind::Text),
            ("ends_on", Kind::Text),
            ("by_user", Kind::Text),
            ("at", Kind::Text),
        ],
    },
    Table {
        name: "campaign_delegations",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("campaign_id", Kind::Int),
            ("name", Kind::Text),
            ("leader", Kind::Text),
            ("participants", Kind::Int),
            ("by_user", Kind::Text),
            ("at", Kind::Text),
        ],
    },
    Table {
        name: "campaign_visits",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("campaign_id", Kind::Int),
            ("delegation_id", Kind::Int),
            ("beneficiary", Kind::Text),
            ("household_id", Kind::Int),
            ("entitlement_id", Kind::Int),
            ("unit_name", Kind::Text),
            ("division_code", Kind::Text),
            ("money_fen", Kind::Int),
            ("goods_fen", Kind::Int),
            ("goods", Kind::Text),
            ("funding_source", Kind::Text),
            ("visited_on", Kind::Text),
            ("by_user", Kind::Text),
            ("at", Kind::Text),
        ],
    },
    Table {
        name: "campaign_items",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("campaign_id", Kind::Int),
            ("item", Kind::Text),
            ("quantity", Kind::Int),
            ("by_user", Kind::Text),
            ("at", Kind::Text),
        ],
    },
    Table {
        name: "reception_batches",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("name", Kind::Text),
            ("discharged_on", Kind::Text),
            ("report_by", Kind::Text),
            ("by_user", Kind::Text),
            ("at", Kind::Text),
        ],
    },
    Table {
        name: "receptions",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("batch_id", Kind::Int),
            ("person_id", Kind::Int),
            ("division_code", Kind::Text),
            ("placement", Kind::Text),
            ("training", Kind::Text),
            ("reported_on", Kind::Text),
            ("late_reason", Kind::Text),
            ("by_user", Kind::Text),
            ("at", Kind::Text),
        ],
    },
    Table {
        name: "hardship_grants",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("entitlement_id", Kind::Int),
            ("division_code", Kind::Text),
            ("kind", Kind::Text),
            ("amount_fen", Kind::Int),
            ("reason", Kind::Text),
            ("approved_on", Kind::Text),
            ("by_user", Kind::Text),
            ("at", Kind::Text),
        ],
    },
    Table {
        name: "veteran_category_exclusions",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("category_code", Kind::Text),
            ("excludes_code", Kind::Text),
            ("reason", Kind::Text),
        ],
    },
    Table {
        name: "liaison_pairings",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("household_id", Kind::Int),
            ("entitlement_id", Kind::Int),
            ("division_code", Kind::Text),
            ("leader_name", Kind::Text),
            ("leader_post", Kind::Text),
            ("leader_unit", Kind::Text),
            ("starts_on", Kind::Text),
            ("reason", Kind::Text),
            ("note", Kind::Text),
            ("replaces_id", Kind::Int),
            ("by_user", Kind::Text),
            ("at", Kind::Text),
        ],
    },
    Table {
        name: "petition_risk_levels",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("code", Kind::Text),
            ("name", Kind::Text),
            ("visit_days", Kind::Int),
            ("position", Kind::Int),
        ],
    },
    Table {
        name: "petition_cases",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("entitlement_id", Kind::Int),
            ("petitioner", Kind::Text),
            ("division_code", Kind::Text),
            ("subject", Kind::Text),
            ("opened_on", Kind::Text),
            ("by_user", Kind::Text),
            ("at", Kind::Text),
        ],
    },
    Table {
        name: "petition_followups",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("case_id", Kind::Int),
            ("seq", Kind::Int),
            ("kind", Kind::Text),
            ("on_date", Kind::Text),
            ("risk_code", Kind::Text),
            ("who", Kind::Text),
            ("what", Kind::Text),
            ("next_due", Kind::Text),
            ("by_user", Kind::Text),
            ("at", Kind::Text),
            ("by_interval", Kind::Int),
        ],
    },
    Table {
        name: "veteran_holidays",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("name", Kind::Text),
            ("entitled_on", Kind::Text),
            ("month", Kind::Text),
            ("run_id", Kind::Int),
            ("by_user", Kind::Text),
            ("at", Kind::Text),
        ],
    },
    Table {
        name: "veteran_holiday_amounts",
        key: "id",
        identity: true,
        columns: &[
            ("id", Kind::Int),
            ("holiday_id", Kind::Int),
            ("category_code", Kind::Text),
            ("amount_fen", Kind::Int),
        ],
    },
];

const BATCH_ROWS: i64 = 500;

/// Where a running copy is, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub struct CopyProgress {
    pub table: &'static str,
    pub rows_done: u64,
    pub rows_total: u64,
}

/// One table's row count and content checksum on one database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSummary {
    pub table: &'static str,
    pub rows: u64,
    pub sha256: String,
}

#[derive(Debug, Clone)]
enum Value {
    Int(Option<i64>),
    Text(Option<String>),
}

fn read_row(table: &Table, row: &AnyRow) -> Result<Vec<Value>, StoreError> {
    table
        .columns
        .iter()
        .enumerate()
        .map(|(i, (_, kind))| {
            Ok(match kind {
                Kind::Int => Value::Int(row.try_get(i)?),
                Kind::Text => Value::Text(row.try_get(i)?),
            })
        })
        .collect()
}

/// Feeds one row into the checksum in an engine-independent, unambiguous encoding.
fn hash_row(hasher: &mut Sha256, values: &[Value]) {
    for v in values {
        match v {
            Value::Int(None) | Value::Text(None) => hasher.update(b"N"),
            Value::Int(Some(i)) => hasher.update(format!("I{i};").as_bytes()),
            Value::Text(Some(s)) => {
                hasher.update(format!("T{}:", s.len()).as_bytes());
                hasher.update(s.as_bytes());
            }
        }
    }
    hasher.update(b"\n");
}

fn select_batch(table: &Table, after: bool) -> String {
    let columns: Vec<&str> = table.columns.iter().map(|(c, _)| *c).collect();
    format!(
        "SELECT {} FROM {} {} ORDER BY {} LIMIT {BATCH_ROWS}",
        columns.join(", "),
        table.name,
        if after {
            format!("WHERE {} > $1", table.key)
        } else {
            String::new()
        },
        table.key,
    )
}

fn key_position(table: &Table) -> usize {
    table
        .columns
        .iter()
        .position(|(c, _)| *c == table.key)
        .expect("every table lists its key")
}

/// Reads `table` in key order, one batch at a time, handing each batch to `each`.
async fn scan<F>(conn: &mut AnyConnection, table: &Table, mut each: F) -> Result<(), StoreError>
where
    F: AsyncFnMut(Vec<Vec<Value>>) -> Result<(), StoreError>,
{
    let key = key_position(table);
    let mut cursor: Option<Value> = None;
    loop {
        let sql = select_batch(table, cursor.is_some());
        let mut query = sqlx::query(dynamic(sql));
        match &cursor {
            Some(Value::Int(k)) => query = query.bind(*k),
            Some(Value::Text(k)) => query = query.bind(k.clone()),
            None => {}
        }
        let rows = query.fetch_all(&mut *conn).await?;
        let batch = rows
            .iter()
            .map(|r| read_row(table, r))
            .collect::<Result<Vec<_>, _>>()?;
        let Some(last) = batch.last() else {
            return Ok(());
        };
        cursor = Some(last[key].clone());
        let full = batch.len() as i64 == BATCH_ROWS;
        each(batch).await?;
        if !full {
            return Ok(());
        }
    }
}

async fn table_rows(conn: &mut AnyConnection, table: &Table) -> Result<u64, StoreError> {
    let n: i64 = sqlx::query_scalar(dynamic(format!("SELECT COUNT(*) FROM {}", table.name)))
        .fetch_one(&mut *conn)
        .await?;
    Ok(n.unsigned_abs())
}

async fn summaries(conn: &mut AnyConnection) -> Result<Vec<TableSummary>, StoreError> {
    let mut out = Vec::with_capacity(TABLES.len());
    for table in TABLES {
        let mut hasher = Sha256::new();
        let mut rows = 0u64;
        scan(conn, table, async |batch| {
            for values in &batch {
                hash_row(&mut hasher, values);
            }
            rows += batch.len() as u64;
            Ok(())
        })
        .await?;
        let sha256 = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        out.push(TableSummary {
            table: table.name,
            rows,
            sha256,
        });
    }
    Ok(out)
}

impl Store {
    /// A read transaction that sees one snapshot of the whole database, so a copy or a
    /// checksum taken while the server runs is consistent (and the passes of a report's
    /// stocks count one state).
    pub(crate) async fn snapshot(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin().await?,
            Backend::Postgres => {
                self.pool
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?
            }
        })
    }

    /// Row count and checksum of every table, in [`TABLES`] order.
    pub async fn table_summaries(&self) -> Result<Vec<TableSummary>, StoreError> {
        let mut tx = self.snapshot().await?;
        let out = summaries(&mut tx).await?;
        tx.rollback().await?;
        Ok(out)
    }

    /// The tables the live schema has, less sqlx's own bookkeeping.
    pub async fn schema_tables(&self) -> Result<Vec<String>, StoreError> {
        let sql = match self.backend {
            Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name"
            }
            Backend::Postgres => {
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations' \
                 ORDER BY table_name"
            }
        };
        Ok(sqlx::query_scalar(sql).fetch_all(&self.pool).await?)
    }

    /// The tables [`Store::copy_into`] moves, in order.
    pub fn copied_tables() -> Vec<&'static str> {
        TABLES.iter().map(|t| t.name).collect()
    }

    /// Copies every row of every table from `self` into `target`, which must be migrated to
    /// the same version and empty. The source is read from one snapshot; the target is
    /// written in one transaction that commits only after its counts and checksums, read
    /// back inside that transaction, equal the source's. So a failed copy leaves the target
    /// exactly as empty as it was.
    pub async fn copy_into(
        &self,
        target: &Store,
        progress: &mut dyn FnMut(CopyProgress),
    ) -> Result<Vec<TableSummary>, StoreError> {
        if self.applied_migrations().await? != target.applied_migrations().await? {
            return Err(StoreError::CopyRefused {
                reason: "the two databases are at different migration versions".into(),
            });
        }
        let mut source = self.snapshot().await?;
        let mut into = target.write().await?;
        for table in TABLES {
            if table_rows(&mut into, table).await? > 0 {
                return Err(StoreError::CopyRefused {
                    reason: format!("the target is not empty: table {} has rows", table.name),
                });
            }
        }
        for table in TABLES {
            let rows_total = table_rows(&mut source, table).await?;
            let mut rows_done = 0u64;
            progress(CopyProgress {
                table: table.name,
                rows_done,
                rows_total,
            });
            let columns: Vec<&str> = table.columns.iter().map(|(c, _)| *c).collect();
            let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
            let insert = format!(
                "INSERT INTO {} ({}) VALUES ({})",
                table.name,
                columns.join(", "),
                placeholders.join(", ")
            );
            scan(&mut source, table, async |batch| {
                for values in &batch {
                    let mut query = sqlx::query(dynamic(insert.as_str()));
                    for v in values {
                        query = match v {
                            Value::Int(i) => query.bind(*i),
                            Value::Text(s) => query.bind(s.clone()),
                        };
                    }
                    query.execute(&mut *into).await?;
                }
                rows_done += batch.len() as u64;
                progress(CopyProgress {
                    table: table.name,
                    rows_done,
                    rows_total,
                });
                Ok(())
            })
            .await?;
            if table.identity && target.backend == Backend::Postgres {
                // Rows arrived with their ids; the sequence must move past them or the next
                // insert collides.
                sqlx::query(dynamic(format!(
                    "SELECT setval(pg_get_serial_sequence('{t}', '{k}'), \
                     COALESCE((SELECT MAX({k}) FROM {t}), 0) + 1, false)",
                    t = table.name,
                    k = table.key
                )))
                .execute(&mut *into)
                .await?;
            }
        }
        let expected = summaries(&mut source).await?;
        let written = summaries(&mut into).await?;
        for (s, c) in expected.iter().zip(&written) {
            if s != c {
                return Err(StoreError::CopyRefused {
                    reason: format!(
                        "verification failed for table {}: {} rows ({}) here, {} rows ({}) there",
                        s.table, s.rows, s.sha256, c.rows, c.sha256
                    ),
                });
            }
        }
        into.commit().await?;
        source.rollback().await?;
        Ok(expected)
    }
}
