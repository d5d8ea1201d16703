//! minzheng's use cases. `web` and `cli` are thin adapters over this crate: they parse input
//! from their medium, call a function here, and render what comes back.
//!
//! Every use case validates its input completely before it writes (a refusal names the row,
//! the field and the reason, and nothing is half-written), takes the time from the
//! [`Clock`] it was given, and calls the store once per change so that each change, with its
//! audit entry, is one transaction. This is where the role's permission and the actor's
//! jurisdiction are checked (`access`) and the audit log is written; no adapter reaches the
//! store on its own. (`Service::store` stays public for the console's maintenance commands
//! and for tests; handlers never use it.)

mod access;
pub mod assistance;
pub mod attention;
pub mod audit;
pub mod bank;
pub mod calendar;
pub mod campaigns;
pub mod divisions;
mod error;
pub mod list;
pub mod payroll;
pub mod reports;
pub mod sessions;
pub mod users;
pub mod veterans;

use std::fmt::Debug;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use store::Store;

pub use access::Actor;
pub use error::{Error, FieldError};

/// Where the services read the time. Tests pass a fixed clock; the binary the system clock.
pub trait Clock: Send + Sync + Debug {
    fn now(&self) -> DateTime<Utc>;
}

/// The real clock. The only place outside `cli` that reads it.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(
        clippy::disallowed_methods,
        reason = "this is the one sanctioned wall-clock read"
    )]
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The services over one database. Cheap to clone; shared by every request.
#[derive(Debug, Clone)]
pub struct Service {
    store: Store,
    clock: Arc<dyn Clock>,
}

impl Service {
    pub fn new(store: Store, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The database engine's name, for the status shown to staff.
    pub fn engine(&self) -> &'static str {
        self.store.backend().as_str()
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Today's date in China (UTC+8 all year, no daylight saving): the day business steps
    /// are dated on and deadlines count from.
    pub fn today(&self) -> chrono::NaiveDate {
        (self.now() + chrono::Duration::hours(8)).date_naive()
    }

    /// Brings a database up to date: applies migrations and seeds the working calendar with
    /// the published years the first time. Safe to call at every start.
    pub async fn prepare(&self) -> Result<(), Error> {
        self.store.migrate().await?;
        self.seed_calendar(&Actor::system()).await?;
        self.seed_veteran_categories(&Actor::system()).await?;
        self.seed_veteran_exclusions(&Actor::system()).await?;
        self.seed_petition_risk_levels(&Actor::system()).await?;
        Ok(())
    }
}
