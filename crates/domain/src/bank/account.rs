//! A payee's bank account (收款账户): who holds it, at which bank, and its number.
//!
//! # Which numbers are accepted
//!
//! The number is typed by staff or read from a file, so spaces (also the full-width space and
//! tabs) are removed first; what remains must be ASCII digits only. A hyphen or a letter is
//! refused rather than dropped: it more likely marks a pasted IBAN or a typo than formatting.
//!
//! Chinese accounts come in two kinds, and the kind is stated by whoever records the account
//! (the payee form offers 银行卡 / 存折或对公账户; [`AccountKind::guess`] proposes one):
//!
//! - [`AccountKind::Card`] (银行卡, a UnionPay debit card): a payment card number under
//!   ISO/IEC 7812, 16 to 19 digits, whose last digit is the Luhn check digit. The check catches
//!   every single mistyped digit and most swaps of neighbours, which is why payroll insists on
//!   it.
//! - [`AccountKind::Book`] (存折 passbook or 对公 enterprise account): numbers assigned by each
//!   bank in its own layout, 8 to 32 digits, with no check digit anyone outside the bank can
//!   verify. Luhn must not be applied: a valid 19-digit ICBC enterprise account usually fails
//!   it, so guessing the kind from the length alone would refuse real accounts.
//!
//! The kind is stored with the account rather than re-guessed, so a card number with a typo
//! can never slip through as a "book" account.
//!
//! The bank is named (开户行, required: a 代发 file lists it) and optionally identified by
//! its 12-digit CNAPS participant code (支付系统行号), which cross-bank payments need.
//!
//! An account number is personal data: lists and logs show [`AccountNumber::masked`].

use std::fmt;

/// Card numbers (ISO/IEC 7812 primary account numbers as issued in China) have 16–19 digits.
pub const CARD_DIGITS: std::ops::RangeInclusive<usize> = 16..=19;
/// Passbook and enterprise accounts: every layout we know of fits; pain.001 allows 34.
pub const BOOK_DIGITS: std::ops::RangeInclusive<usize> = 8..=32;
/// Longest holder or bank name: pain.001's party names allow 140 characters, banks' 代发
/// templates far fewer; 70 holds any real name.
pub const MAX_NAME_CHARS: usize = 70;
/// A CNAPS participant code (支付系统行号) has 12 digits.
pub const BANK_CODE_DIGITS: usize = 12;

/// Card or passbook/enterprise account; see the module documentation.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// 银行卡: 16–19 digits, Luhn check digit.
    Card,
    /// 存折 / 对公账户: 8–32 digits, no check digit.
    Book,
}

impl AccountKind {
    /// The data code stored and imported: `card` or `book`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Card => "card",
            Self::Book => "book",
        }
    }

    /// Parses the data code, or the Chinese words staff use (银行卡/卡, 存折/折/对公).
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "card" | "银行卡" | "卡" | "借记卡" => Some(Self::Card),
            "book" | "存折" | "折" | "对公" | "对公账户" => Some(Self::Book),
            _ => None,
        }
    }

    /// A proposal for a form's default: a card when the digits (spaces removed) are 16–19 long
    /// and start with 3–6, the ISO/IEC 7812 industry digits of payment cards (UnionPay's
    /// 62, co-branded Visa 4 and Mastercard 5, JCB 35); otherwise a book account. Only a
    /// proposal: the person recording the account confirms the kind, and the kind is stored.
    #[must_use]
    pub fn guess(number: &str) -> Self {
        let digits: String = number.chars().filter(|c| !c.is_whitespace()).collect();
        let card_like = CARD_DIGITS.contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && matches!(digits.as_bytes().first(), Some(b'3'..=b'6'));
        if card_like { Self::Card } else { Self::Book }
    }
}

/// Why an account was refused. Positions are 1-based characters of the original input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BankAccountError {
    /// Nothing but spaces.
    #[error("the account number is empty")]
    Empty,
    /// Something other than a digit or a space.
    #[error("invalid character {found:?} at position {position} of the account number")]
    InvalidChar { position: usize, found: char },
    /// Too few or too many digits for the kind.
    #[error("a {kind} account number has {min}-{max} digits, found {found}", kind = kind.as_str())]
    WrongLength {
        kind: AccountKind,
        min: usize,
        max: usize,
        found: usize,
    },
    /// The last digit of a card number is not its Luhn check digit.
    #[error("Luhn check digit mismatch: expected {expected}, found {found}")]
    LuhnMismatch { expected: char, found: char },
    /// The holder's name is empty.
    #[error("the account holder's name is empty")]
    HolderEmpty,
    /// The bank's name is empty.
    #[error("the bank's name is empty")]
    BankEmpty,
    /// A holder or bank name longer than [`MAX_NAME_CHARS`].
    #[error("name longer than {max} characters ({found})")]
    NameTooLong { max: usize, found: usize },
    /// A control character (or a leading formula character) in a holder or bank name.
    #[error("invalid character {found:?} in a name")]
    NameInvalidChar { found: char },
    /// A bank code that is not 12 digits.
    #[error("the bank code (CNAPS) must be 12 digits: {found:?}")]
    BankCode { found: String },
}

impl BankAccountError {
    /// A stable machine-readable code, used as the Fluent message id by the web layer.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "bank_account.empty",
            Self::InvalidChar { .. } => "bank_account.invalid_char",
            Self::WrongLength { .. } => "bank_account.wrong_length",
            Self::LuhnMismatch { .. } => "bank_account.luhn_mismatch",
            Self::HolderEmpty => "bank_account.holder_empty",
            Self::BankEmpty => "bank_account.bank_empty",
            Self::NameTooLong { .. } => "bank_account.name_too_long",
            Self::NameInvalidChar { .. } => "bank_account.name_invalid_char",
            Self::BankCode { .. } => "bank_account.bank_code",
        }
    }
}

/// A valid account number: digits only, of a length that fits its kind, with a correct Luhn
/// digit for cards. `Debug` is masked.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountNumber {
    digits: String,
    kind: AccountKind,
}

impl fmt::Debug for AccountNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "AccountNumber({}, {})",
            self.kind.as_str(),
            self.masked()
        )
    }
}

impl AccountNumber {
    /// Removes whitespace, then checks in this order: characters, length for the kind, Luhn
    /// (cards only).
    ///
    /// # Errors
    /// [`BankAccountError::Empty`], [`BankAccountError::InvalidChar`],
    /// [`BankAccountError::WrongLength`] or [`BankAccountError::LuhnMismatch`].
    pub fn parse(text: &str, kind: AccountKind) -> Result<Self, BankAccountError> {
        let mut digits = String::with_capacity(text.len().min(64));
        for (index, c) in text.chars().enumerate() {
            if c.is_whitespace() {
                continue;
            }
            if !c.is_ascii_digit() {
                return Err(BankAccountError::InvalidChar {
                    position: index + 1,
                    found: c,
                });
            }
            digits.push(c);
        }
        if digits.is_empty() {
            return Err(BankAccountError::Empty);
        }
        let range = match kind {
            AccountKind::Card => CARD_DIGITS,
            AccountKind::Book => BOOK_DIGITS,
        };
        if !range.contains(&digits.len()) {
            return Err(BankAccountError::WrongLength {
                kind,
                min: *range.start(),
                max: *range.end(),
                found: digits.len(),
            });
        }
        if kind == AccountKind::Card {
            let (payload, last) = digits.split_at(digits.len() - 1);
            let expected = luhn_check_digit_of(payload);
            let found = char::from(last.as_bytes()[0]);
            if found != expected {
                return Err(BankAccountError::LuhnMismatch { expected, found });
            }
        }
        Ok(Self { digits, kind })
    }

    /// The digits, without spaces.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.digits
    }

    #[must_use]
    pub fn kind(&self) -> AccountKind {
        self.kind
    }

    /// Every digit but the last four replaced by `*` (`***************0128`): enough for a
    /// payee to recognise the account, useless to anyone else.
    #[must_use]
    pub fn masked(&self) -> String {
        mask_digits(&self.digits)
    }
}

/// `*` for every character but the last four; shorter texts become all `*`.
pub(crate) fn mask_digits(text: &str) -> String {
    let count = text.chars().count();
    if count <= 4 {
        return "*".repeat(count);
    }
    let tail: String = text.chars().skip(count - 4).collect();
    format!("{}{tail}", "*".repeat(count - 4))
}

impl fmt::Display for AccountNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.digits)
    }
}

/// The Luhn (ISO/IEC 7812-1 annex B) check digit for a payload of digits.
///
/// # Errors
/// [`BankAccountError::Empty`] or [`BankAccountError::InvalidChar`].
pub fn luhn_check_digit(payload: &str) -> Result<char, BankAccountError> {
    if payload.is_empty() {
        return Err(BankAccountError::Empty);
    }
    if let Some((index, found)) = payload
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_digit())
    {
        return Err(BankAccountError::InvalidChar {
            position: index + 1,
            found,
        });
    }
    Ok(luhn_check_digit_of(payload))
}

/// The check digit of ASCII digits (the caller has checked them): from the right, every
/// second digit of the payload doubled (digits of the product summed), and the digit that
/// brings the total to a multiple of ten.
fn luhn_check_digit_of(payload: &str) -> char {
    let sum: u32 = payload
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b.wrapping_sub(b'0'));
            if i % 2 == 0 {
                let twice = d * 2;
                if twice > 9 { twice - 9 } else { twice }
            } else {
                d
            }
        })
        .sum();
    let check = (10 - sum % 10) % 10;
    char::from_digit(check, 10).unwrap_or('0')
}

/// A bank and, for cross-bank payments, its CNAPS participant code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Bank {
    name: String,
    code: Option<String>,
}

impl Bank {
    /// `name` is the 开户行 as the payee gives it; `code` the 12-digit 行号, or empty.
    ///
    /// # Errors
    /// [`BankAccountError::BankEmpty`], [`BankAccountError::NameTooLong`],
    /// [`BankAccountError::NameInvalidChar`] or [`BankAccountError::BankCode`].
    pub fn new(name: &str, code: &str) -> Result<Self, BankAccountError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(BankAccountError::BankEmpty);
        }
        check_name(name)?;
        let code = code.trim();
        let code = if code.is_empty() {
            None
        } else if code.len() == BANK_CODE_DIGITS && code.bytes().all(|b| b.is_ascii_digit()) {
            Some(code.to_owned())
        } else {
            return Err(BankAccountError::BankCode {
                found: code.chars().take(40).collect(),
            });
        };
        Ok(Self {
            name: name.to_owned(),
            code,
        })
    }

    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The 12-digit CNAPS participant code, if known.
    #[must_use]
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }
}

/// A holder, a bank and a number, each valid. The holder's name is the 户名 the bank compares
/// with its own records, so it is kept exactly as given (trimmed).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BankAccount {
    holder: String,
    bank: Bank,
    number: AccountNumber,
}

impl BankAccount {
    /// Checks every part; the first problem found is returned, in the order holder, bank,
    /// number.
    ///
    /// # Errors
    /// Any [`BankAccountError`].
    pub fn new(
        holder: &str,
        bank: Bank,
        number: &str,
        kind: AccountKind,
    ) -> Result<Self, BankAccountError> {
        let holder = holder.trim();
        if holder.is_empty() {
            return Err(BankAccountError::HolderEmpty);
        }
        check_name(holder)?;
        let number = AccountNumber::parse(number, kind)?;
        Ok(Self {
            holder: holder.to_owned(),
            bank,
            number,
        })
    }

    /// The holder's name (户名).
    #[must_use]
    pub fn holder(&self) -> &str {
        &self.holder
    }

    #[must_use]
    pub fn bank(&self) -> &Bank {
        &self.bank
    }

    #[must_use]
    pub fn number(&self) -> &AccountNumber {
        &self.number
    }
}

/// Names go into CSV cells, spreadsheets and XML: no control character (XML 1.0 cannot carry
/// most of them at all), and no leading `=`, `+`, `-`, `@`, which a spreadsheet would run as
/// a formula. Bank files cannot neutralise such a cell with an apostrophe as our exports do,
/// because the bank compares the name character by character; no real name starts so.
pub(crate) fn check_name(name: &str) -> Result<(), BankAccountError> {
    let found = name.chars().count();
    if found > MAX_NAME_CHARS {
        return Err(BankAccountError::NameTooLong {
            max: MAX_NAME_CHARS,
            found,
        });
    }
    if let Some(c) = name
        .chars()
        .next()
        .filter(|c| matches!(c, '=' | '+' | '-' | '@'))
    {
        return Err(BankAccountError::NameInvalidChar { found: c });
    }
    if let Some(c) = name.chars().find(|c| is_forbidden_char(*c)) {
        return Err(BankAccountError::NameInvalidChar { found: c });
    }
    Ok(())
}

/// Characters no text of a bank file may hold: controls (XML 1.0 forbids most of them; the
/// others would break a CSV row or a cell) and the non-characters XML also forbids.
pub(crate) fn is_forbidden_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A UnionPay test card number from the card schemes' published test ranges.
    const CARD: &str = "6222021234567890128";

    fn with_check(payload: &str) -> String {
        format!("{payload}{}", luhn_check_digit(payload).unwrap())
    }

    #[test]
    fn luhn_known_vectors() {
        // ISO/IEC 7812 annex B's worked example and the classic test numbers.
        assert_eq!(luhn_check_digit("7992739871").unwrap(), '3');
        assert!(AccountNumber::parse("4111 1111 1111 1111", AccountKind::Card).is_ok());
        assert!(AccountNumber::parse("5555555555554444", AccountKind::Card).is_ok());
        assert!(AccountNumber::parse("6212345678901232", AccountKind::Card).is_ok());
        assert_eq!(
            AccountNumber::parse("4111111111111112", AccountKind::Card),
            Err(BankAccountError::LuhnMismatch {
                expected: '1',
                found: '2'
            })
        );
        assert_eq!(with_check("622202123456789012"), CARD);
    }

    #[test]
    fn spaces_are_removed_and_other_characters_refused() {
        let n =
            AccountNumber::parse(" 6222 0212\u{3000}3456 7890 128 ", AccountKind::Card).unwrap();
        assert_eq!(n.as_str(), CARD);
        assert_eq!(
            AccountNumber::parse("6222-0212", AccountKind::Card),
            Err(BankAccountError::InvalidChar {
                position: 5,
                found: '-'
            })
        );
        assert_eq!(
            AccountNumber::parse("  ", AccountKind::Book),
            Err(BankAccountError::Empty)
        );
    }

    #[test]
    fn lengths_follow_the_kind() {
        assert!(AccountNumber::parse(&with_check("621234567890123"), AccountKind::Card).is_ok());
        assert_eq!(
            AccountNumber::parse(&with_check("62123456789012"), AccountKind::Card),
            Err(BankAccountError::WrongLength {
                kind: AccountKind::Card,
                min: 16,
                max: 19,
                found: 15
            })
        );
        assert!(
            AccountNumber::parse(&with_check("6212345678901234567"), AccountKind::Card).is_err()
        );
        // A 19-digit enterprise account that fails Luhn is fine as a book account.
        assert!(AccountNumber::parse("6222021234567890127", AccountKind::Card).is_err());
        assert!(AccountNumber::parse("0200004509089131550", AccountKind::Book).is_ok());
        assert!(AccountNumber::parse("12345678", AccountKind::Book).is_ok());
        assert!(AccountNumber::parse("1234567", AccountKind::Book).is_err());
        assert!(AccountNumber::parse(&"1".repeat(32), AccountKind::Book).is_ok());
        assert!(AccountNumber::parse(&"1".repeat(33), AccountKind::Book).is_err());
    }

    #[test]
    fn masking_keeps_the_last_four() {
        let n = AccountNumber::parse(CARD, AccountKind::Card).unwrap();
        assert_eq!(n.masked(), "***************0128");
        assert_eq!(format!("{n:?}"), "AccountNumber(card, ***************0128)");
        assert_eq!(mask_digits("123"), "***");
    }

    #[test]
    fn the_kind_guess_and_codes() {
        assert_eq!(AccountKind::guess(CARD), AccountKind::Card);
        assert_eq!(AccountKind::guess("4111 1111 1111 1111"), AccountKind::Card);
        assert_eq!(AccountKind::guess("0200004509089131550"), AccountKind::Book);
        assert_eq!(AccountKind::guess("12345678901"), AccountKind::Book);
        assert_eq!(AccountKind::parse("存折"), Some(AccountKind::Book));
        assert_eq!(AccountKind::parse("card"), Some(AccountKind::Card));
        assert_eq!(AccountKind::parse("x"), None);
    }

    #[test]
    fn accounts_check_holder_and_bank() {
        let bank = Bank::new("中国工商银行北京东城支行", "102100000030").unwrap();
        assert_eq!(bank.code(), Some("102100000030"));
        let a = BankAccount::new(" 张三 ", bank.clone(), CARD, AccountKind::Card).unwrap();
        assert_eq!(a.holder(), "张三");
        assert_eq!(a.number().as_str(), CARD);
        let e = BankAccount::new("", bank.clone(), CARD, AccountKind::Card).unwrap_err();
        assert_eq!(e.code(), "bank_account.holder_empty");
        let e = BankAccount::new("=cmd", bank.clone(), CARD, AccountKind::Card).unwrap_err();
        assert_eq!(e.code(), "bank_account.name_invalid_char");
        let e = BankAccount::new("张\u{0}三", bank, CARD, AccountKind::Card).unwrap_err();
        assert_eq!(e.code(), "bank_account.name_invalid_char");
        assert_eq!(
            Bank::new(" ", "").unwrap_err().code(),
            "bank_account.bank_empty"
        );
        assert_eq!(
            Bank::new("工行", "1021").unwrap_err().code(),
            "bank_account.bank_code"
        );
        assert_eq!(Bank::new("工行", "").unwrap().code(), None);
        let long = "长".repeat(71);
        assert_eq!(
            Bank::new(&long, "").unwrap_err().code(),
            "bank_account.name_too_long"
        );
    }

    #[test]
    fn error_codes_are_distinct_and_namespaced() {
        let errors = [
            BankAccountError::Empty,
            BankAccountError::InvalidChar {
                position: 5,
                found: '-',
            },
            BankAccountError::WrongLength {
                kind: AccountKind::Card,
                min: 16,
                max: 19,
                found: 15,
            },
            BankAccountError::LuhnMismatch {
                expected: '1',
                found: '2',
            },
            BankAccountError::HolderEmpty,
            BankAccountError::BankEmpty,
            BankAccountError::NameTooLong { max: 70, found: 71 },
            BankAccountError::NameInvalidChar { found: '=' },
            BankAccountError::BankCode {
                found: "1021".into(),
            },
        ];
        let codes: std::collections::BTreeSet<&str> = errors.iter().map(|e| e.code()).collect();
        assert_eq!(codes.len(), errors.len());
        assert!(codes.iter().all(|c| c.starts_with("bank_account.")));
        assert_eq!(
            errors[2].to_string(),
            "a card account number has 16-19 digits, found 15"
        );
        assert_eq!(
            errors[3].to_string(),
            "Luhn check digit mismatch: expected 1, found 2"
        );
    }

    fn arb_card() -> impl Strategy<Value = String> {
        (15usize..=18).prop_flat_map(|n| {
            proptest::collection::vec(0u8..10, n).prop_map(|ds| {
                let payload: String = ds.iter().map(|d| char::from(b'0' + d)).collect();
                with_check(&payload)
            })
        })
    }

    proptest! {
        #[test]
        fn arbitrary_input_never_panics(text in any::<String>(), card in any::<bool>()) {
            let kind = if card { AccountKind::Card } else { AccountKind::Book };
            let _ = AccountNumber::parse(&text, kind);
            let _ = AccountKind::guess(&text);
            let _ = luhn_check_digit(&text);
            let _ = Bank::new(&text, &text);
            if let Ok(bank) = Bank::new("银行", "") {
                let _ = BankAccount::new(&text, bank, &text, kind);
            }
        }

        #[test]
        fn generated_cards_are_valid(card in arb_card()) {
            prop_assert!(AccountNumber::parse(&card, AccountKind::Card).is_ok());
        }

        #[test]
        fn one_changed_digit_fails_luhn(card in arb_card(), at in any::<prop::sample::Index>(), by in 1u8..10) {
            let mut bytes = card.into_bytes();
            let i = at.index(bytes.len());
            bytes[i] = b'0' + (bytes[i] - b'0' + by) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            let result = AccountNumber::parse(&changed, AccountKind::Card);
            prop_assert!(
                matches!(result, Err(BankAccountError::LuhnMismatch { .. })),
                "{} accepted: {:?}", changed, result
            );
        }
    }
}
