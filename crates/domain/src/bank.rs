//! Paying through banks (社会化发放), the part that needs no database: payees' accounts, the
//! files handed to a bank and the files it hands back, and reconciling the two.
//!
//! - [`account`]: [`BankAccount`] (holder, [`Bank`], [`AccountNumber`]), validated, with the
//!   Luhn check for cards and masking for display.
//! - [`batch`]: [`PaymentBatch`], a checked header and [`PaymentLine`]s, each naming the
//!   ledger key it settles; [`end_to_end_id`] maps a key into pain.001's 35 characters.
//! - [`template`]: [`BatchTemplate`], the configurable 代发 file (CSV in GBK or UTF-8, or
//!   XLSX).
//! - [`pain001`]: the ISO 20022 `pain.001.001.09` XML.
//! - [`returns`]: reading a bank's 回盘文件 into [`ReturnLine`]s and [`reconcile`]-ing them
//!   against the batch.
//!
//! Every writer returns a [`BankFile`] carrying its SHA-256, which the payroll records so a
//! file can be proven identical later. Payroll runs, the ledger and storing any of this
//! belong to `payroll`; this module only turns values into bytes and bytes into values.

pub mod account;
pub mod batch;
pub mod pain001;
pub mod returns;
pub mod template;

pub use account::{
    AccountKind, AccountNumber, Bank, BankAccount, BankAccountError, luhn_check_digit,
};
pub use batch::{BatchError, BatchHeader, PaymentBatch, PaymentLine, end_to_end_id};
pub use pain001::write_pain001;
pub use returns::{
    Mismatch, Reconciliation, ReturnError, ReturnLine, ReturnStatus, Settlement, Tally,
    parse_returns, reconcile,
};
pub use template::{BatchTemplate, Column, Field, TemplateError};

/// Media types of the files, for the download that carries them.
pub const CSV: &str = "text/csv";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const XML: &str = "application/xml";

/// A file made for a bank: its name, media type, bytes and their SHA-256 (hex).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankFile {
    pub name: String,
    pub media_type: &'static str,
    pub bytes: Vec<u8>,
    pub sha256: String,
}

impl BankFile {
    fn new(name: String, media_type: &'static str, bytes: Vec<u8>) -> Self {
        let sha256 = crate::audit::sha256_hex(&bytes);
        Self {
            name,
            media_type,
            bytes,
            sha256,
        }
    }
}
