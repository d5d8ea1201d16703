//! The rules of a district civil-affairs bureau as plain Rust: identifiers, money, dates and
//! the working-day calendar, and (as business lines land) each line's eligibility rules,
//! benefit formulas and workflow state machines.
//!
//! Invariant: nothing here does IO, is async, or reads the clock or the environment. Time is
//! always a parameter (`clippy.toml` bans the wall-clock constructors). That keeps every rule
//! testable with plain values and lets the same code run in the server, the CLI and tests.
//!
//! Errors are small enums whose variants carry data, not prose; each has a stable `code()` so
//! that the web layer can render it through Fluent in the user's language.

pub mod access;
pub mod assistance;
pub mod audit;
pub mod bank;
pub mod calendar;
pub mod credit_code;
pub mod date;
pub mod division;
pub mod mask;
pub mod money;
pub mod reports;
pub mod resident_id;
pub mod text;
pub mod veterans;

// Re-exports (each module adds its own line below).
pub use access::{Action, JurisdictionScope, Line, Role, UnknownRole};
pub use audit::{AuditFields, GENESIS_HASH, chain_hash, sha256_hex};
pub use calendar::{CalendarEntry, CalendarError, DayKind, WorkingCalendar};
pub use credit_code::{CreditCode, CreditCodeError};
pub use date::{DateError, Month, MonthError, age_on, last_day_of_month, parse_date};
pub use division::{Area, DivisionCode, DivisionCodeError, DivisionLevel, ParseAreaError};
pub use money::{Fen, MoneyError};
pub use resident_id::{ResidentId, ResidentIdError, Sex};
