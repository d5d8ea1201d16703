//! What tests, benchmarks and `minzheng demo` share: a clock that stands still, a harness
//! that runs one test body on every database engine, and the synthetic demo district.
//!
//! The engine harness is the heart of the two-engine promise: a test written once with
//! [`for_each_engine`] runs on a fresh SQLite file always, and on a fresh PostgreSQL
//! database whenever `MINZHENG_TEST_PG` holds a server URL. In CI (`CI=true`) a missing
//! `MINZHENG_TEST_PG` is a failure, so PostgreSQL can never be skipped silently.

pub mod demo;
pub mod half_year;
pub mod roster;
pub mod veterans;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeZone, Utc};
use service::{Clock, Service};
use store::{Backend, Store};

/// A clock that only moves when told to.
#[derive(Debug)]
pub struct FixedClock(Mutex<DateTime<Utc>>);

impl FixedClock {
    pub fn at(t: DateTime<Utc>) -> Arc<Self> {
        Arc::new(Self(Mutex::new(t)))
    }

    pub fn set(&self, t: DateTime<Utc>) {
        *self
            .0
            .lock()
            .expect("clock lock is never poisoned: nothing panics inside it") = t;
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut t = self
            .0
            .lock()
            .expect("clock lock is never poisoned: nothing panics inside it");
        *t += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self
            .0
            .lock()
            .expect("clock lock is never poisoned: nothing panics inside it")
    }
}

/// The moment tests start at unless they say otherwise: the morning after the source
/// document's half year ends.
pub fn default_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2013, 7, 1, 1, 0, 0)
        .single()
        .expect("a valid fixed date")
}

/// One database prepared for a test, removed again by [`TestDb::cleanup`].
#[derive(Debug)]
pub struct TestDb {
    pub service: Service,
    pub clock: Arc<FixedClock>,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg_admin: Option<(String, String)>,
}

impl TestDb {
    pub fn store(&self) -> &Store {
        self.service.store()
    }

    pub fn backend(&self) -> Backend {
        self.service.store().backend()
    }

    /// Closes the pool and drops a PostgreSQL test database (SQLite's folder goes by itself).
    pub async fn cleanup(self) {
        self.service.store().close().await;
        if let Some((admin_url, name)) = self.pg_admin {
            let admin = Store::connect(&admin_url)
                .await
                .expect("MINZHENG_TEST_PG is reachable");
            admin
                .drop_database(&name)
                .await
                .expect("drop the test database");
            admin.close().await;
        }
    }
}

/// How far a test database is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setup {
    /// Migrated and seeded, as `minzheng serve` leaves a database: what most tests want.
    Prepared,
    /// Migrated only, with every table empty: a target for `copy`.
    Empty,
}

/// A fresh, prepared SQLite database in a temporary folder.
pub async fn sqlite() -> TestDb {
    sqlite_with(Setup::Prepared).await
}

pub async fn sqlite_with(setup: Setup) -> TestDb {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = format!("sqlite://{}", dir.path().join("test.sqlite3").display());
    prepared(url, setup, Some(dir), None).await
}

/// The PostgreSQL server URL tests use, if any. Panics in CI when it is missing.
pub fn postgres_url() -> Option<String> {
    match std::env::var("MINZHENG_TEST_PG") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI=true but MINZHENG_TEST_PG is unset: .ci/run must start PostgreSQL")
        }
        _ => None,
    }
}

/// A fresh, prepared database of its own on the PostgreSQL server of `MINZHENG_TEST_PG`.
pub async fn postgres(admin_url: &str) -> TestDb {
    postgres_with(admin_url, Setup::Prepared).await
}

pub async fn postgres_with(admin_url: &str, setup: Setup) -> TestDb {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    // The wall clock only makes the name unique across runs that reuse a process id.
    #[allow(
        clippy::disallowed_methods,
        reason = "a unique name, not a business time"
    )]
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let name = format!(
        "mz_test_{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
    );
    let admin = Store::connect(admin_url)
        .await
        .expect("MINZHENG_TEST_PG is reachable");
    admin
        .create_database(&name)
        .await
        .expect("create a test database");
    admin.close().await;
    let url = with_database(admin_url, &name);
    prepared(url, setup, None, Some((admin_url.to_owned(), name))).await
}

/// `postgres://u@h:p/db?x` with `db` replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_part = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    format!("{host_part}/{name}{query}")
}

async fn prepared(
    url: String,
    setup: Setup,
    dir: Option<tempfile::TempDir>,
    pg_admin: Option<(String, String)>,
) -> TestDb {
    let store = Store::connect(&url)
        .await
        .expect("connect to the test database");
    let clock = FixedClock::at(default_time());
    let service = Service::new(store, clock.clone());
    match setup {
        Setup::Prepared => service.prepare().await.expect("prepare the test database"),
        Setup::Empty => service
            .store()
            .migrate()
            .await
            .expect("migrate the test database"),
    }
    TestDb {
        service,
        clock,
        url,
        _dir: dir,
        pg_admin,
    }
}

/// Runs `test` on a fresh SQLite database, then on a fresh PostgreSQL database when one is
/// configured. A failure names the engine through the panic message of the body.
pub async fn for_each_engine<F>(test: F)
where
    F: AsyncFn(&TestDb),
{
    let db = sqlite().await;
    test(&db).await;
    db.cleanup().await;
    if let Some(url) = postgres_url() {
        let db = postgres(&url).await;
        test(&db).await;
        db.cleanup().await;
    }
}

/// What all the records of a drill-down add up to, as the indicator's figure counts them
/// ([`domain::reports::Indicator::value`]): their number, their sum, and for a rate the
/// paid among them.
pub fn drilled_value(ind: &domain::reports::Indicator, rows: &[store::ReportRecord]) -> i64 {
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let paid = rows.iter().filter(|r| r.amount_fen > 0).count();
    ind.value(
        count(rows.len()),
        rows.iter().map(|r| r.amount_fen).sum(),
        count(paid),
    )
}
