//! The only crate that knows SQL.
//!
//! One code path serves SQLite (the embedded default) and PostgreSQL (the server engine):
//! queries go through sqlx's `Any` driver with numbered `$1` parameters, which both engines
//! accept; values cross the boundary as `i64`, `String` and `Option` of those (dates and
//! timestamps are ISO-8601 text, money is fen). The few things that must differ per engine
//! (connection pragmas, identity sequences after a bulk copy, online backup) sit behind small
//! functions that match on [`Backend`].
//!
//! Each public method that changes data is one transaction. No transaction type leaves this
//! crate, and no sqlx type appears in its public signatures: callers see [`StoreError`].

mod assistance;
mod audit;
mod bank;
mod calendar;
mod campaigns;
mod copy;
mod divisions;
mod error;
mod payroll;
mod reports;
mod users;
mod veterans;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

pub use assistance::import::{
    HOUSEHOLD_LEGACY_ID, ImportHousehold, ImportMember, ImportProgress, KnownPerson,
    MEMBER_LEGACY_ID, RosterCounts, RosterSnapshot, RosterWrite,
};
pub use assistance::{
    ACTION_SEQ, BenefitFacts, CHANGE_SEQ, CareStandardRow, CaseFile, CaseFilter, CaseOrder,
    CaseRecord, CaseRow, CaseUpdate, ChangeApply, MeansItemRecord, MeansRecord, MemberRecord,
    NewAction, NewApplication, NewChange, NewMember, NewPerson, ONE_ACTIVE_CASE, PERSON_ID_NUMBER,
    PERSON_IN_ONE_HOUSEHOLD, PersonCase, PolicyRow, PolicyRuleRow, ReviewCandidate, StandardRow,
    StoredAction, StoredChange,
};
pub use assistance::{
    BUDGET_YEAR_KIND, BudgetRow, BudgetWrite, Cancellation, GRANT_CANCELLED_ONCE, GrantFilter,
    GrantRecord, GrantTotals, GrantWrite, NewBudget, NewGrant,
};
pub use assistance::{
    CheckMember, CheckRun, CheckTask, DEATH_ID_NUMBER, DeathRecord, NewCheckRun, NewDeathRecord,
    NewFinding,
};
pub use audit::{AuditEntry, AuditFilter, AuditRecord, ChainCheck};
pub use bank::{
    BANK_FILE_AGAIN, BankFileRecord, NewBankFile, NewPayee, NewReissue, NewReissueBatch,
    NewReissueReturn, NewReturn, PayeeRecord, REISSUE_TWICE, ReissueBatchRecord, ReissueRecord,
    ReturnRecord, RunPayment,
};
pub use calendar::CalendarDay;
pub use campaigns::{
    CAMPAIGN_NAME, CampaignRecord, DELEGATION_NAME, DelegationRecord, ItemCount, NewVisit,
    VISIT_HOUSEHOLD_ONCE, VisitRecord,
};
pub use copy::{CopyProgress, TableSummary};
pub use divisions::{Division, DivisionCount};
pub use error::StoreError;
pub use payroll::{
    Baseline, ChunkDone, IncrementWhen, LedgerEntry, LedgerFilter, LineSelection, MonthPaid,
    MonthRule, NewLine, NewRun, PayrollCase, RUN_MONTH_PROGRAM, RunLine, RunRecord, RunSummary,
    SettledPath,
};
pub use reports::{
    Breakdown, FigureGroup, RecordKey, ReportRecord, ReportScope, StockGroup, StoredReport,
};
pub use users::{ApiToken, NewUser, Session, User, UserChange};
pub use veterans::combinations::{EXCLUDED, ExclusionRow, PairHolders};
pub use veterans::liaison::{
    NewPairing, PAIRING_FIRST, PAIRING_REPLACED_ONCE, PairingFilter, PairingRecord,
};
pub use veterans::payroll::{
    HOLIDAY_NAME, HOLIDAY_ONCE, HolidayRecord, HouseholdLine, HouseholdPaid, NewHoliday,
};
pub use veterans::petitions::{
    CLOSED_ONCE, FOLLOWUP_SEQ, FollowupRecord, NewFollowup, NewPetitionCase, PetitionFilter,
    PetitionRecord, RiskLevelRow, RiskLevelUse,
};
pub use veterans::{
    BATCH_NAME, BatchRecord, CATEGORY_CODE, CategoryRow, ENTITLEMENT_ONCE, EntitlementFilter,
    EntitlementRecord, HardshipGrantRecord, HouseholdChoice, NewEntitlement, NewHardshipGrant,
    NewReception, NewStatusEvent, RECEIVED_ONCE, ReceptionRecord, STANDARD_KEY, StatusEvent,
    VeteranStandardRow,
};

/// Upper bound on rows any single list query returns; callers page beyond it.
pub const MAX_PAGE_ROWS: i64 = 1000;

/// Which engine a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Picks the engine from a database URL (`sqlite://PATH`, `sqlite:PATH` or `postgres://…`).
    pub fn from_url(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl {
                scheme: url.split(':').next().unwrap_or("").into(),
            })
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// A connection pool to one database, SQLite or PostgreSQL. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    /// Where write transactions run. On SQLite one connection: the engine has one writer at
    /// a time anyway, and the large page cache a payroll's or an import's writes set
    /// (`payroll::ledger_cache`) then lives on one connection instead of growing on each
    /// of the pool's, which took a million-household payroll past 1 GiB (issue 5). On
    /// PostgreSQL the pool itself.
    writer: AnyPool,
    backend: Backend,
}

impl Store {
    /// Connects to `url`, creating an SQLite file if it does not exist yet. Does not migrate.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let url = match backend {
            // `mode=rwc` creates the file; the rest of the SQLite settings are pragmas below.
            Backend::Sqlite if !url.contains("mode=") => {
                format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
            }
            _ => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url).map_err(StoreError::connect)?;
        let pool = Self::pool(
            backend,
            options.clone(),
            match backend {
                // SQLite has one writer at a time anyway; a handful of readers is plenty.
                Backend::Sqlite => 4,
                Backend::Postgres => 10,
            },
        )
        .await?;
        let writer = match backend {
            Backend::Sqlite => Self::pool(backend, options, 1).await?,
            Backend::Postgres => pool.clone(),
        };
        Ok(Self {
            pool,
            writer,
            backend,
        })
    }

    /// A pool of up to `size` connections with this engine's connection settings.
    async fn pool(
        backend: Backend,
        options: AnyConnectOptions,
        size: u32,
    ) -> Result<AnyPool, StoreError> {
        AnyPoolOptions::new()
            .max_connections(size)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers run beside the writer; foreign keys are off by
                        // default in SQLite and our schema relies on them; busy_timeout makes a
                        // second writer wait instead of failing at once.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                             PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(StoreError::connect)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A write transaction. On SQLite it begins IMMEDIATE, taking the write lock before the
    /// first read, so that a read-then-write (such as appending to the audit chain) can never
    /// fail half-way because another writer committed in between.
    pub(crate) async fn write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        Ok(match self.backend {
            Backend::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.writer.begin().await?,
        })
    }

    /// Applies every pending migration of this engine's folder. Idempotent.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("migrations/postgres"),
        };
        migrator.run(&self.pool).await.map_err(StoreError::migrate)
    }

    /// The versions of the migrations applied to this database, oldest first.
    pub async fn applied_migrations(&self) -> Result<Vec<i64>, StoreError> {
        let rows: Vec<(i64,)> =
            sqlx::query_as("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|(v,)| v).collect())
    }

    /// Waits for open connections to finish and closes them (SQLite checkpoints its WAL).
    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }

    /// Creates an empty database on a PostgreSQL server (tests and `copy` targets).
    pub async fn create_database(&self, name: &str) -> Result<(), StoreError> {
        self.postgres_database_statement("CREATE DATABASE", name, "")
            .await
    }

    /// Drops a PostgreSQL database, closing any connections still open to it.
    pub async fn drop_database(&self, name: &str) -> Result<(), StoreError> {
        self.postgres_database_statement("DROP DATABASE IF EXISTS", name, " WITH (FORCE)")
            .await
    }

    async fn postgres_database_statement(
        &self,
        verb: &str,
        name: &str,
        suffix: &str,
    ) -> Result<(), StoreError> {
        if self.backend != Backend::Postgres {
            return Err(StoreError::NotSupported {
                what: "databases on a server other than PostgreSQL",
            });
        }
        // Identifiers cannot be bound as parameters; accept only a plain name.
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(StoreError::NotSupported {
                what: "database names other than [a-z0-9_]+",
            });
        }
        sqlx::query(dynamic(format!("{verb} {name}{suffix}")))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A consistent copy of a live SQLite database into a new file at `dest`, taken while
    /// the server keeps running (`VACUUM INTO` reads one snapshot). PostgreSQL has its own
    /// tools for this (`pg_dump`), so it is refused there.
    pub async fn backup_sqlite(&self, dest: &str) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::NotSupported {
                what: "backup of a PostgreSQL database",
            });
        }
        sqlx::query("VACUUM INTO $1")
            .bind(dest)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// Timestamps are stored as RFC 3339 text in UTC with microseconds, so text order is time order.
pub(crate) fn timestamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

pub(crate) fn parse_timestamp(text: &str) -> Result<chrono::DateTime<chrono::Utc>, StoreError> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|_| StoreError::Corrupt {
            what: format!("timestamp {text:?}"),
        })
}

/// Marks SQL assembled at run time as reviewed. Only for text built from this crate's own
/// constants (column lists, table names from [`copy::TABLES`], validated identifiers); values
/// always go through `$n` parameters.
pub(crate) fn dynamic(sql: impl Into<String>) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(sql.into())
}
