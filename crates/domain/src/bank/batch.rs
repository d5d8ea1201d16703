//! A payment batch (代发批次) as the bank files see it: a header naming the bureau's account,
//! the day the bank is to pay and the batch's id, and one line per payment, each carrying the
//! ledger key it settles.
//!
//! [`PaymentBatch::new`] checks everything a writer relies on, so the writers cannot fail on
//! content (only on a character an encoding lacks): amounts above zero, keys present and
//! unique, texts free of control characters and within the lengths pain.001 allows, a total
//! that fits.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate};
use sha2::{Digest, Sha256};

use super::account::{BankAccount, is_forbidden_char};
use crate::{Fen, ResidentId};

/// pain.001 allows 35 characters for ids (`Max35Text`).
pub const MAX_ID_CHARS: usize = 35;
/// Remittance text (`Ustrd`, `Max140Text`).
pub const MAX_PURPOSE_CHARS: usize = 140;
/// A household or person reference shown beside a payment.
pub const MAX_REFERENCE_CHARS: usize = 64;
/// Longest ledger key accepted at all (longer keys are mapped for pain.001, see
/// [`end_to_end_id`]).
pub const MAX_KEY_CHARS: usize = 200;
/// A batch beyond this many lines is refused: banks split files far below it, and it keeps a
/// runaway input bounded.
pub const MAX_LINES: usize = 2_000_000;
/// pain.001 amounts and control sums have at most 18 digits; with two decimals that is below
/// 10^16 yuan, far beyond any payroll, but a bound the writer must not cross.
pub const MAX_TOTAL_FEN: i64 = 999_999_999_999_999_999;

/// One payment to one payee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentLine {
    /// The ledger key this payment settles (deterministic, unique per payment).
    pub key: String,
    /// The payee's account; its holder is the payee's name (户名).
    pub account: BankAccount,
    pub amount: Fen,
    /// Remittance text (摘要/用途), e.g. `2013年1月低保金`; may be empty.
    pub purpose: String,
    /// The household or person the payment is for, as the payroll names it (may be empty).
    pub reference: String,
    /// The payee's resident ID, where the bank's template asks for it.
    pub id_number: Option<ResidentId>,
}

/// What the whole batch shares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchHeader {
    /// The batch's id (pain.001 `MsgId` and `PmtInfId`): 1–35 characters of the set banks
    /// accept in ids, see [`is_id_char`].
    pub message_id: String,
    /// When the file was made, from the caller's clock.
    pub created_at: DateTime<FixedOffset>,
    /// The day the bank is asked to pay.
    pub execution_date: NaiveDate,
    /// The bureau's own account, debited; its holder is the bureau's name.
    pub debtor: BankAccount,
}

/// Why a batch was refused. `line` is 1-based in the order given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    #[error("the batch has no lines")]
    Empty,
    #[error("the batch has more than {max} lines")]
    TooManyLines { max: usize },
    #[error(
        "the batch id must be 1-35 letters, digits or - . / : ( ) ? , ' + and spaces: {found:?}"
    )]
    MessageId { found: String },
    #[error("line {line}: the ledger key is empty")]
    KeyEmpty { line: usize },
    #[error(
        "line {line}: the ledger key is longer than {max} characters or holds a control character"
    )]
    KeyInvalid { line: usize, max: usize },
    #[error("line {line}: the ledger key repeats line {first}")]
    DuplicateKey { line: usize, first: usize },
    #[error("line {line}: the end-to-end id {id} repeats line {first}'s")]
    DuplicateEndToEndId {
        line: usize,
        first: usize,
        id: String,
    },
    #[error("line {line}: the amount must be above zero, found {amount}")]
    AmountNotPositive { line: usize, amount: Fen },
    #[error("line {line}: the {field} is too long (at most {max} characters)")]
    TextTooLong {
        line: usize,
        field: &'static str,
        max: usize,
    },
    #[error("line {line}: invalid character {found:?} in the {field}")]
    TextInvalidChar {
        line: usize,
        field: &'static str,
        found: char,
    },
    #[error("the batch total exceeds what a bank file can state")]
    TotalTooLarge,
}

impl BatchError {
    /// A stable machine-readable code, used as the Fluent message id by the web layer.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "bank_batch.empty",
            Self::TooManyLines { .. } => "bank_batch.too_many_lines",
            Self::MessageId { .. } => "bank_batch.message_id",
            Self::KeyEmpty { .. } => "bank_batch.key_empty",
            Self::KeyInvalid { .. } => "bank_batch.key_invalid",
            Self::DuplicateKey { .. } => "bank_batch.duplicate_key",
            Self::DuplicateEndToEndId { .. } => "bank_batch.duplicate_end_to_end_id",
            Self::AmountNotPositive { .. } => "bank_batch.amount_not_positive",
            Self::TextTooLong { .. } => "bank_batch.text_too_long",
            Self::TextInvalidChar { .. } => "bank_batch.text_invalid_char",
            Self::TotalTooLarge => "bank_batch.total_too_large",
        }
    }
}

/// A checked batch: see the module documentation for what [`PaymentBatch::new`] guarantees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentBatch {
    header: BatchHeader,
    lines: Vec<PaymentLine>,
    total: Fen,
}

impl PaymentBatch {
    /// Checks the header and every line, in order; the first problem is returned.
    ///
    /// # Errors
    /// Any [`BatchError`].
    pub fn new(header: BatchHeader, lines: Vec<PaymentLine>) -> Result<Self, BatchError> {
        if lines.is_empty() {
            return Err(BatchError::Empty);
        }
        if lines.len() > MAX_LINES {
            return Err(BatchError::TooManyLines { max: MAX_LINES });
        }
        let id = &header.message_id;
        let id_chars = id.chars().count();
        if !(1..=MAX_ID_CHARS).contains(&id_chars) || !id.chars().all(is_id_char) || id.trim() != id
        {
            return Err(BatchError::MessageId {
                found: id.chars().take(60).collect(),
            });
        }
        let mut keys = HashMap::with_capacity(lines.len());
        let mut ids = HashMap::with_capacity(lines.len());
        let mut total = Fen::ZERO;
        for (index, l) in lines.iter().enumerate() {
            let line = index + 1;
            if l.key.is_empty() {
                return Err(BatchError::KeyEmpty { line });
            }
            if l.key.chars().count() > MAX_KEY_CHARS || l.key.chars().any(is_forbidden_char) {
                return Err(BatchError::KeyInvalid {
                    line,
                    max: MAX_KEY_CHARS,
                });
            }
            if let Some(first) = keys.insert(l.key.as_str(), line) {
                return Err(BatchError::DuplicateKey { line, first });
            }
            let e2e = end_to_end_id(&l.key);
            if let Some(first) = ids.insert(e2e.clone(), line) {
                return Err(BatchError::DuplicateEndToEndId {
                    line,
                    first,
                    id: e2e,
                });
            }
            if l.amount.as_fen() <= 0 {
                return Err(BatchError::AmountNotPositive {
                    line,
                    amount: l.amount,
                });
            }
            check_text(line, "purpose", &l.purpose, MAX_PURPOSE_CHARS)?;
            check_text(line, "reference", &l.reference, MAX_REFERENCE_CHARS)?;
            total = total
                .checked_add(l.amount)
                .filter(|t| t.as_fen() <= MAX_TOTAL_FEN)
                .ok_or(BatchError::TotalTooLarge)?;
        }
        Ok(Self {
            header,
            lines,
            total,
        })
    }

    #[must_use]
    pub fn header(&self) -> &BatchHeader {
        &self.header
    }

    #[must_use]
    pub fn lines(&self) -> &[PaymentLine] {
        &self.lines
    }

    /// The sum of the amounts, exact.
    #[must_use]
    pub fn total(&self) -> Fen {
        self.total
    }

    /// The number of lines.
    #[must_use]
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Always false: a batch has at least one line.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

fn check_text(line: usize, field: &'static str, text: &str, max: usize) -> Result<(), BatchError> {
    if text.chars().count() > max {
        return Err(BatchError::TextTooLong { line, field, max });
    }
    // A leading formula character would run in a spreadsheet; see `account::check_name`.
    if let Some(found) = text
        .chars()
        .next()
        .filter(|c| matches!(c, '=' | '+' | '-' | '@'))
        .or_else(|| text.chars().find(|c| is_forbidden_char(*c)))
    {
        return Err(BatchError::TextInvalidChar { line, field, found });
    }
    Ok(())
}

/// The characters banks accept in ids: the SWIFT "x" character set (letters, digits,
/// `/ - ? : ( ) . , ' +` and space), which every bank's pain.001 import takes.
#[must_use]
pub fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '/' | '-' | '?' | ':' | '(' | ')' | '.' | ',' | '\'' | '+' | ' '
        )
}

/// The pain.001 `EndToEndId` of a ledger key: the bank hands it back in its return file, so
/// it must identify the payment and be derivable from the key alone.
///
/// A key of at most 35 characters from [`is_id_char`]'s set (without spaces at either end)
/// is used as it is. Any other key becomes its first 18 characters with every character
/// outside the set replaced by `.`, then `/`, then the first 16 hex digits of the SHA-256 of
/// the whole key (35 characters): readable enough to find the payment by eye, and distinct
/// for distinct keys short of a 64-bit hash collision, which [`PaymentBatch::new`] would
/// still refuse rather than pay twice.
#[must_use]
pub fn end_to_end_id(key: &str) -> String {
    let fits = !key.is_empty()
        && key.chars().count() <= MAX_ID_CHARS
        && key.chars().all(is_id_char)
        && key.trim() == key;
    if fits {
        return key.to_owned();
    }
    let prefix: String = key
        .chars()
        .take(18)
        .map(|c| if is_id_char(c) && c != ' ' { c } else { '.' })
        .collect();
    let digest = Sha256::digest(key.as_bytes());
    let hash: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("{prefix}/{hash}")
}

/// The position of each line by its key and by its end-to-end id (a bank's return may give
/// either); where two lines share one, the first wins.
pub(crate) fn key_index(lines: &[PaymentLine]) -> HashMap<String, usize> {
    let mut index = HashMap::with_capacity(lines.len() * 2);
    for (i, l) in lines.iter().enumerate() {
        index.entry(l.key.clone()).or_insert(i);
        index.entry(end_to_end_id(&l.key)).or_insert(i);
    }
    index
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::bank::{AccountKind, Bank};
    use proptest::prelude::*;

    pub(crate) fn account(holder: &str, number: &str) -> BankAccount {
        let bank = Bank::new("中国工商银行北京东城支行", "102100000030").unwrap();
        BankAccount::new(holder, bank, number, AccountKind::guess(number)).unwrap()
    }

    pub(crate) fn header() -> BatchHeader {
        let bank = Bank::new("中国农业银行北京分行", "103100000026").unwrap();
        BatchHeader {
            message_id: "PR-2013-01-0001".into(),
            created_at: DateTime::parse_from_rfc3339("2013-01-25T09:30:00+08:00").unwrap(),
            execution_date: NaiveDate::from_ymd_opt(2013, 1, 28).unwrap(),
            debtor: BankAccount::new(
                "北京市东城区民政局",
                bank,
                "11010101040001234",
                AccountKind::Book,
            )
            .unwrap(),
        }
    }

    pub(crate) fn line(key: &str, holder: &str, number: &str, fen: i64) -> PaymentLine {
        PaymentLine {
            key: key.into(),
            account: account(holder, number),
            amount: Fen::from_fen(fen),
            purpose: "2013年1月低保金".into(),
            reference: "户 990101001001-0001".into(),
            id_number: ResidentId::parse("11010519491231002X").ok(),
        }
    }

    #[test]
    fn a_batch_sums_exactly_and_refuses_what_a_bank_file_cannot_hold() {
        let ok = PaymentBatch::new(
            header(),
            vec![
                line("a", "张三", "6222021234567890128", 1),
                line("b", "李四", "4111111111111111", 123_456),
            ],
        )
        .unwrap();
        assert_eq!(ok.total(), Fen::from_fen(123_457));
        assert_eq!(ok.len(), 2);

        let code = |h: BatchHeader, lines: Vec<PaymentLine>| {
            PaymentBatch::new(h, lines).unwrap_err().code()
        };
        assert_eq!(code(header(), vec![]), "bank_batch.empty");
        let mut h = header();
        h.message_id = "批次1".into();
        assert_eq!(
            code(h, vec![line("a", "张三", "4111111111111111", 1)]),
            "bank_batch.message_id"
        );
        let dup = vec![
            line("a", "张三", "4111111111111111", 1),
            line("a", "李四", "4111111111111111", 1),
        ];
        assert_eq!(
            PaymentBatch::new(header(), dup).unwrap_err(),
            BatchError::DuplicateKey { line: 2, first: 1 }
        );
        assert_eq!(
            code(header(), vec![line("a", "张三", "4111111111111111", 0)]),
            "bank_batch.amount_not_positive"
        );
        assert_eq!(
            code(header(), vec![line("", "张三", "4111111111111111", 5)]),
            "bank_batch.key_empty"
        );
        let mut l = line("a", "张三", "4111111111111111", 5);
        l.purpose = "x\u{1}".into();
        assert_eq!(code(header(), vec![l]), "bank_batch.text_invalid_char");
        let mut l = line("a", "张三", "4111111111111111", 5);
        l.purpose = "款".repeat(141);
        assert_eq!(code(header(), vec![l]), "bank_batch.text_too_long");
        let big = vec![
            line("a", "张三", "4111111111111111", MAX_TOTAL_FEN),
            line("b", "张三", "4111111111111111", 1),
        ];
        assert_eq!(code(header(), big), "bank_batch.total_too_large");
        let overflow = vec![
            line("a", "张三", "4111111111111111", i64::MAX),
            line("b", "张三", "4111111111111111", i64::MAX),
        ];
        assert_eq!(code(header(), overflow), "bank_batch.total_too_large");
    }

    #[test]
    fn end_to_end_ids_are_the_key_or_a_prefix_and_a_hash() {
        assert_eq!(
            end_to_end_id("dibao/42/2013-01/regular"),
            "dibao/42/2013-01/regular"
        );
        let long = "tekun_dispersed/990101001001-000123/2013-01/arrears";
        let id = end_to_end_id(long);
        assert_eq!(id.chars().count(), 35);
        assert!(id.starts_with("tekun.dispersed/99/"), "{id}");
        assert_eq!(id, end_to_end_id(long), "deterministic");
        assert_ne!(
            id,
            end_to_end_id("tekun_dispersed/990101001001-000123/2013-01/regulars")
        );
        // Chinese or other characters outside the set are mapped too, never passed through.
        let id = end_to_end_id("低保/1");
        assert!(id.starts_with("../1/") && id.len() == 21, "{id}");
        assert!(end_to_end_id(" a").starts_with(".a/"));
    }

    proptest! {
        #[test]
        fn end_to_end_ids_always_fit_pain001(key in any::<String>()) {
            let id = end_to_end_id(&key);
            let n = id.chars().count();
            prop_assert!((1..=MAX_ID_CHARS).contains(&n), "{:?} -> {:?}", key, id);
            prop_assert!(id.chars().all(is_id_char));
            prop_assert_eq!(id.trim(), id.as_str());
        }
    }
}
