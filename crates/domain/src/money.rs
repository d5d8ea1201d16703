//! Money as an integer count of fen (分, 1/100 yuan).
//!
//! Benefit amounts are summed over thousands of households and must reconcile to the fen with
//! the bank's payment files, so no float ever touches money: parsing, arithmetic and
//! formatting are all integer operations, and every operation that could overflow is checked.
//!
//! # Parsing (`Fen::from_yuan_str`)
//!
//! Input is an amount in yuan as typed by staff or exported by a spreadsheet. Accepted:
//!
//! - surrounding whitespace (trimmed);
//! - an optional leading `-` (no `+`: a sign nobody types is more likely a paste accident);
//! - one or more ASCII digits, optionally grouped by `,` in thousands, and if grouped then
//!   correctly (`1,234,567`; not `12,34` or `1234,567`); leading zeros are allowed because
//!   some spreadsheets pad numbers;
//! - optionally `.` followed by one or two digits (`1234.5` is 1234 yuan 50 fen).
//!
//! Rejected, each with its own [`MoneyError`]: an empty string, `1.` (a decimal point with
//! no decimals), `.5` (no integer digits: it is usually a truncated cell), three or more
//! decimals (fen is the smallest unit; silently rounding would hide a data error), any other
//! character, and amounts outside `i64` fen.
//!
//! The full-width comma `，` is deliberately **not** accepted as a thousands separator: in
//! Chinese text it is the list separator, so `1，234` more likely means "1 and 234" than
//! one thousand two hundred and thirty-four. It is reported as an unexpected character.
//!
//! Error positions are 1-based columns counted in characters (not bytes) of the original,
//! untrimmed input, so a form can point at the offending character.
//!
//! # Display
//!
//! - [`Fen::yuan`]: `1234.56`, always two decimals, `-` for negatives; it parses back.
//! - [`Fen::yuan_grouped`]: `1,234.56`; it parses back too.
//! - [`Fen::wan`]: 万元 with exactly four decimals, the unit of official reports
//!   (`1117.5178` for 11,175,178.00 yuan). Four decimals of 万元 are whole yuan, so leftover
//!   fen are rounded to the nearest yuan, **half away from zero** (0.50 yuan → 0.0001万元,
//!   −0.50 → −0.0001万元), the rounding bureaus apply when filling report forms by hand. A
//!   result of zero is shown without a sign.

use std::fmt;
use std::str::FromStr;

/// An amount of money in fen (1/100 yuan). May be negative (refunds, corrections).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Fen(i64);

/// Why a yuan string was rejected.
///
/// `col` fields are 1-based character columns in the original (untrimmed) input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Nothing but whitespace.
    #[error("amount is empty")]
    Empty,
    /// A `-` with nothing after it.
    #[error("amount has a sign but no digits")]
    SignOnly,
    /// A character that has no place in an amount at all (letters, `+`, `，`, spaces inside …).
    #[error("unexpected character {ch:?} at column {col}")]
    UnexpectedChar { col: usize, ch: char },
    /// A `.` with no digit before it (`.5`).
    #[error("decimal point at column {col} has no integer digits before it")]
    MissingIntegerDigits { col: usize },
    /// A `.` with no digit after it (`1.`).
    #[error("decimal point at column {col} has no digits after it")]
    MissingDecimals { col: usize },
    /// More than two digits after the `.`; `col` is the first surplus digit.
    #[error("more than 2 decimals: surplus digit at column {col}")]
    TooManyDecimals { col: usize },
    /// A `,` that does not separate correctly sized groups of three digits; `col` is that comma.
    #[error("misplaced thousands separator at column {col}")]
    BadGrouping { col: usize },
    /// A second `.` or a `,` after the `.`.
    #[error("unexpected {ch:?} in the decimals at column {col}")]
    SeparatorInDecimals { col: usize, ch: char },
    /// Magnitude beyond what an `i64` count of fen can hold.
    #[error("amount is too large")]
    Overflow,
}

impl MoneyError {
    /// Stable machine code for translation and API clients.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "money.empty",
            Self::SignOnly => "money.sign_only",
            Self::UnexpectedChar { .. } => "money.unexpected_char",
            Self::MissingIntegerDigits { .. } => "money.missing_integer_digits",
            Self::MissingDecimals { .. } => "money.missing_decimals",
            Self::TooManyDecimals { .. } => "money.too_many_decimals",
            Self::BadGrouping { .. } => "money.bad_grouping",
            Self::SeparatorInDecimals { .. } => "money.separator_in_decimals",
            Self::Overflow => "money.overflow",
        }
    }
}

impl Fen {
    /// Zero yuan.
    pub const ZERO: Fen = Fen(0);

    /// Wraps a count of fen.
    pub const fn from_fen(fen: i64) -> Fen {
        Fen(fen)
    }

    /// The count of fen.
    pub const fn as_fen(self) -> i64 {
        self.0
    }

    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    pub fn checked_add(self, other: Fen) -> Option<Fen> {
        self.0.checked_add(other.0).map(Fen)
    }

    pub fn checked_sub(self, other: Fen) -> Option<Fen> {
        self.0.checked_sub(other.0).map(Fen)
    }

    /// Multiplies by a count (members, months).
    pub fn checked_mul(self, factor: i64) -> Option<Fen> {
        self.0.checked_mul(factor).map(Fen)
    }

    pub fn checked_neg(self) -> Option<Fen> {
        self.0.checked_neg().map(Fen)
    }

    /// Sums amounts; `None` as soon as a partial sum overflows.
    pub fn checked_sum<I: IntoIterator<Item = Fen>>(amounts: I) -> Option<Fen> {
        amounts
            .into_iter()
            .try_fold(Fen::ZERO, |acc, amount| acc.checked_add(amount))
    }

    /// `floor(self × pct / 100)` in fen, the per-member share of a standard.
    ///
    /// Floor is the mathematical one (toward −∞), so a negative amount never rounds toward
    /// zero in the payee's favour. `None` only if the result does not fit (pct > 100).
    pub fn percent_floor(self, pct: u32) -> Option<Fen> {
        // i64 × u32 always fits in i128, so only the final narrowing can fail.
        let product = i128::from(self.0) * i128::from(pct);
        i64::try_from(product.div_euclid(100)).ok().map(Fen)
    }

    /// Parses an amount in yuan; see the module docs for the exact grammar.
    pub fn from_yuan_str(input: &str) -> Result<Fen, MoneyError> {
        parse_yuan(input)
    }

    /// `1234.56`: two decimals always, `-` for negatives, no grouping.
    pub fn yuan(self) -> String {
        let (sign, whole, cents) = self.parts();
        format!("{sign}{whole}.{cents:02}")
    }

    /// `1,234.56`: like [`Fen::yuan`] with thousands separators.
    pub fn yuan_grouped(self) -> String {
        let (sign, whole, cents) = self.parts();
        format!("{sign}{}.{cents:02}", group_thousands(whole))
    }

    /// The amount in 万元 with exactly four decimals (`1117.5178`), leftover fen rounded to
    /// the nearest yuan half away from zero.
    pub fn wan(self) -> String {
        // unsigned_abs handles i64::MIN, and |i64::MIN| + 50 still fits in u64.
        let magnitude = self.0.unsigned_abs();
        let yuan = (magnitude + 50) / 100;
        let sign = if self.0 < 0 && yuan != 0 { "-" } else { "" };
        format!("{sign}{}.{:04}", yuan / 10_000, yuan % 10_000)
    }

    /// Sign, whole yuan and the remaining fen, all as magnitudes.
    fn parts(self) -> (&'static str, u64, u64) {
        let sign = if self.0 < 0 { "-" } else { "" };
        let magnitude = self.0.unsigned_abs();
        (sign, magnitude / 100, magnitude % 100)
    }
}

impl fmt::Display for Fen {
    /// Same as [`Fen::yuan`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (sign, whole, cents) = self.parts();
        write!(f, "{sign}{whole}.{cents:02}")
    }
}

impl FromStr for Fen {
    type Err = MoneyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Fen::from_yuan_str(s)
    }
}

fn group_thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn parse_yuan(input: &str) -> Result<Fen, MoneyError> {
    // Columns count characters of the untrimmed input, so skip what trim_start removes.
    let lead = input.chars().take_while(|c| c.is_whitespace()).count();
    let text = input.trim();
    if text.is_empty() {
        return Err(MoneyError::Empty);
    }
    // (1-based column, char) pairs; iterating chars, never slicing bytes, keeps non-ASCII safe.
    let mut chars = text
        .chars()
        .enumerate()
        .map(|(i, c)| (lead + i + 1, c))
        .peekable();

    let negative = chars.next_if(|&(_, c)| c == '-').is_some();
    if chars.peek().is_none() {
        return Err(MoneyError::SignOnly);
    }

    // Magnitude in fen, accumulated in i128 and checked so that absurdly long input reports
    // Overflow instead of wrapping; the final range check is against i64.
    let mut fen: i128 = 0;
    let mut int_digits = 0usize; // digits seen in the integer part
    let mut group_len = 0usize; // digits since the last comma (or the start)
    let mut last_comma: Option<usize> = None; // column of the most recent comma
    let mut decimal_point: Option<usize> = None;
    let mut decimals = 0usize;

    let push_digit = |fen: i128, d: u32| -> Result<i128, MoneyError> {
        fen.checked_mul(10)
            .and_then(|v| v.checked_add(i128::from(d)))
            .filter(|v| *v <= i128::from(i64::MAX) + 1)
            .ok_or(MoneyError::Overflow)
    };

    for (col, ch) in chars {
        match (ch, decimal_point) {
            ('0'..='9', None) => {
                let d = ch.to_digit(10).expect("matched an ASCII digit");
                fen = push_digit(fen, d)?;
                int_digits += 1;
                group_len += 1;
                if let Some(comma) = last_comma
                    && group_len > 3
                {
                    return Err(MoneyError::BadGrouping { col: comma });
                }
            }
            ('0'..='9', Some(_)) => {
                if decimals == 2 {
                    return Err(MoneyError::TooManyDecimals { col });
                }
                let d = ch.to_digit(10).expect("matched an ASCII digit");
                fen = push_digit(fen, d)?;
                decimals += 1;
            }
            (',', None) => {
                // The group before this comma: the first may hold 1–3 digits, later ones 3.
                let ok = match last_comma {
                    None => (1..=3).contains(&group_len),
                    Some(_) => group_len == 3,
                };
                if !ok {
                    return Err(MoneyError::BadGrouping {
                        col: last_comma.filter(|_| group_len != 0).unwrap_or(col),
                    });
                }
                last_comma = Some(col);
                group_len = 0;
            }
            ('.', None) => {
                if int_digits == 0 {
                    return Err(MoneyError::MissingIntegerDigits { col });
                }
                if let Some(comma) = last_comma
                    && group_len != 3
                {
                    return Err(MoneyError::BadGrouping { col: comma });
                }
                decimal_point = Some(col);
            }
            ('.' | ',', Some(_)) => return Err(MoneyError::SeparatorInDecimals { col, ch }),
            _ => return Err(MoneyError::UnexpectedChar { col, ch }),
        }
    }

    match decimal_point {
        None => {
            if let Some(comma) = last_comma
                && group_len != 3
            {
                return Err(MoneyError::BadGrouping { col: comma });
            }
        }
        Some(col) if decimals == 0 => return Err(MoneyError::MissingDecimals { col }),
        Some(_) => {}
    }
    // Scale to fen: no decimals → ×100, one decimal → ×10.
    for _ in decimals..2 {
        fen = fen.checked_mul(10).ok_or(MoneyError::Overflow)?;
    }
    let signed = if negative { -fen } else { fen };
    i64::try_from(signed)
        .map(Fen)
        .map_err(|_| MoneyError::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(s: &str) -> Result<i64, MoneyError> {
        Fen::from_yuan_str(s).map(Fen::as_fen)
    }

    #[test]
    fn parses_plain_grouped_and_decimal_forms() {
        assert_eq!(p("1234.56"), Ok(123_456));
        assert_eq!(p("1,234.56"), Ok(123_456));
        assert_eq!(p("1234.5"), Ok(123_450));
        assert_eq!(p("1234"), Ok(123_400));
        assert_eq!(p("  -1,234,567.05\t"), Ok(-123_456_705));
        assert_eq!(p("0"), Ok(0));
        assert_eq!(p("-0.00"), Ok(0));
        assert_eq!(p("007.10"), Ok(710));
        assert_eq!(p("123,456"), Ok(12_345_600));
        assert_eq!(p("11175178.00"), Ok(1_117_517_800));
        assert_eq!("385".parse::<Fen>(), Ok(Fen::from_fen(38_500)));
    }

    #[test]
    fn parses_the_i64_extremes() {
        assert_eq!(p("92233720368547758.07"), Ok(i64::MAX));
        assert_eq!(p("-92,233,720,368,547,758.08"), Ok(i64::MIN));
        assert_eq!(p("92233720368547758.08"), Err(MoneyError::Overflow));
        assert_eq!(p("-92233720368547758.09"), Err(MoneyError::Overflow));
        assert_eq!(p(&"9".repeat(60)), Err(MoneyError::Overflow));
        assert_eq!(
            p(&format!("1.{}", "0".repeat(3))),
            Err(MoneyError::TooManyDecimals { col: 5 })
        );
    }

    #[test]
    fn every_error_variant_with_its_position() {
        use MoneyError::*;
        assert_eq!(p(""), Err(Empty));
        assert_eq!(p("   "), Err(Empty));
        assert_eq!(p("-"), Err(SignOnly));
        assert_eq!(p(" - "), Err(SignOnly));
        assert_eq!(p("12a"), Err(UnexpectedChar { col: 3, ch: 'a' }));
        assert_eq!(p("+1"), Err(UnexpectedChar { col: 1, ch: '+' }));
        assert_eq!(p("--1"), Err(UnexpectedChar { col: 2, ch: '-' }));
        assert_eq!(p("1 000"), Err(UnexpectedChar { col: 2, ch: ' ' }));
        assert_eq!(p("1，234"), Err(UnexpectedChar { col: 2, ch: '，' }));
        assert_eq!(p("  ¥5"), Err(UnexpectedChar { col: 3, ch: '¥' }));
        assert_eq!(p("５"), Err(UnexpectedChar { col: 1, ch: '５' }));
        assert_eq!(p(".5"), Err(MissingIntegerDigits { col: 1 }));
        assert_eq!(p("-.5"), Err(MissingIntegerDigits { col: 2 }));
        assert_eq!(p("1."), Err(MissingDecimals { col: 2 }));
        assert_eq!(p("1,234."), Err(MissingDecimals { col: 6 }));
        assert_eq!(p("1.234"), Err(TooManyDecimals { col: 5 }));
        assert_eq!(p("12,34"), Err(BadGrouping { col: 3 }));
        assert_eq!(p("1,2345"), Err(BadGrouping { col: 2 }));
        assert_eq!(p("1234,567"), Err(BadGrouping { col: 5 }));
        assert_eq!(p(",123"), Err(BadGrouping { col: 1 }));
        assert_eq!(p("1,,234"), Err(BadGrouping { col: 3 }));
        assert_eq!(p("1,"), Err(BadGrouping { col: 2 }));
        assert_eq!(p("1,234,56.00"), Err(BadGrouping { col: 6 }));
        assert_eq!(p("1,23.00"), Err(BadGrouping { col: 2 }));
        assert_eq!(p("1.2.3"), Err(SeparatorInDecimals { col: 4, ch: '.' }));
        assert_eq!(p("1.2,3"), Err(SeparatorInDecimals { col: 4, ch: ',' }));
        assert_eq!(p("1e5"), Err(UnexpectedChar { col: 2, ch: 'e' }));
    }

    #[test]
    fn error_codes_are_distinct_and_namespaced() {
        use MoneyError::*;
        let all = [
            Empty,
            SignOnly,
            UnexpectedChar { col: 1, ch: 'x' },
            MissingIntegerDigits { col: 1 },
            MissingDecimals { col: 1 },
            TooManyDecimals { col: 1 },
            BadGrouping { col: 1 },
            SeparatorInDecimals { col: 1, ch: '.' },
            Overflow,
        ];
        let codes: std::collections::BTreeSet<_> = all.iter().map(MoneyError::code).collect();
        assert_eq!(codes.len(), all.len());
        assert!(codes.iter().all(|c| c.starts_with("money.")));
        assert_eq!(TooManyDecimals { col: 5 }.code(), "money.too_many_decimals");
        assert_eq!(
            UnexpectedChar { col: 3, ch: 'a' }.to_string(),
            "unexpected character 'a' at column 3"
        );
    }

    #[test]
    fn formats_yuan() {
        assert_eq!(Fen::from_fen(123_456).yuan(), "1234.56");
        assert_eq!(Fen::from_fen(5).yuan(), "0.05");
        assert_eq!(Fen::from_fen(-5).yuan(), "-0.05");
        assert_eq!(Fen::from_fen(-123_456_700).yuan_grouped(), "-1,234,567.00");
        assert_eq!(Fen::from_fen(12_345).yuan_grouped(), "123.45");
        assert_eq!(Fen::from_fen(100_000).yuan_grouped(), "1,000.00");
        assert_eq!(Fen::ZERO.to_string(), "0.00");
        assert_eq!(Fen::from_fen(i64::MIN).yuan(), "-92233720368547758.08");
        assert_eq!(
            Fen::from_fen(i64::MAX).yuan_grouped(),
            "92,233,720,368,547,758.07"
        );
    }

    #[test]
    fn formats_wan_with_half_away_from_zero_rounding() {
        // The half-year 低保 total from the 2013 summary.
        assert_eq!(Fen::from_fen(1_117_517_800).wan(), "1117.5178");
        assert_eq!(Fen::from_fen(554_820_000).wan(), "554.8200");
        assert_eq!(Fen::ZERO.wan(), "0.0000");
        assert_eq!(Fen::from_fen(49).wan(), "0.0000");
        assert_eq!(Fen::from_fen(50).wan(), "0.0001");
        assert_eq!(Fen::from_fen(149).wan(), "0.0001");
        assert_eq!(Fen::from_fen(150).wan(), "0.0002");
        assert_eq!(Fen::from_fen(-49).wan(), "0.0000");
        assert_eq!(Fen::from_fen(-50).wan(), "-0.0001");
        assert_eq!(Fen::from_fen(-1_117_517_850).wan(), "-1117.5179");
        assert_eq!(Fen::from_fen(i64::MAX).wan(), "9223372036854.7758");
        assert_eq!(Fen::from_fen(i64::MIN).wan(), "-9223372036854.7758");
    }

    #[test]
    fn checked_arithmetic() {
        let a = Fen::from_fen(38_500);
        assert_eq!(a.checked_add(a), Some(Fen::from_fen(77_000)));
        assert_eq!(a.checked_sub(a), Some(Fen::ZERO));
        assert_eq!(a.checked_mul(3), Some(Fen::from_fen(115_500)));
        assert_eq!(Fen::from_fen(i64::MAX).checked_add(Fen::from_fen(1)), None);
        assert_eq!(Fen::from_fen(i64::MIN).checked_sub(Fen::from_fen(1)), None);
        assert_eq!(Fen::from_fen(i64::MAX).checked_mul(2), None);
        assert_eq!(Fen::from_fen(i64::MIN).checked_neg(), None);
        assert_eq!(Fen::checked_sum([a, a, a]), Some(Fen::from_fen(115_500)));
        assert_eq!(Fen::checked_sum(Vec::new()), Some(Fen::ZERO));
        assert_eq!(
            Fen::checked_sum([Fen::from_fen(i64::MAX), Fen::from_fen(1)]),
            None
        );
        assert!(Fen::ZERO.is_zero() && !a.is_zero());
        assert!(Fen::from_fen(-1).is_negative() && !a.is_negative());
        assert!(Fen::from_fen(-1) < Fen::ZERO);
    }

    #[test]
    fn percent_floor_rounds_toward_negative_infinity() {
        assert_eq!(
            Fen::from_fen(38_500).percent_floor(30),
            Some(Fen::from_fen(11_550))
        );
        assert_eq!(
            Fen::from_fen(38_501).percent_floor(30),
            Some(Fen::from_fen(11_550))
        );
        assert_eq!(
            Fen::from_fen(333).percent_floor(33),
            Some(Fen::from_fen(109))
        );
        assert_eq!(
            Fen::from_fen(-333).percent_floor(33),
            Some(Fen::from_fen(-110))
        );
        assert_eq!(Fen::from_fen(12_345).percent_floor(0), Some(Fen::ZERO));
        assert_eq!(
            Fen::from_fen(12_345).percent_floor(100),
            Some(Fen::from_fen(12_345))
        );
        assert_eq!(
            Fen::from_fen(i64::MAX).percent_floor(100),
            Some(Fen::from_fen(i64::MAX))
        );
        assert_eq!(Fen::from_fen(i64::MAX).percent_floor(101), None);
        assert_eq!(Fen::from_fen(i64::MIN).percent_floor(u32::MAX), None);
    }

    proptest! {
        #[test]
        fn yuan_round_trips(fen in any::<i64>()) {
            let f = Fen::from_fen(fen);
            prop_assert_eq!(Fen::from_yuan_str(&f.yuan()), Ok(f));
            prop_assert_eq!(Fen::from_yuan_str(&f.yuan_grouped()), Ok(f));
            prop_assert_eq!(f.to_string(), f.yuan());
        }

        #[test]
        fn one_decimal_means_tens_of_fen(whole in 0u64..1_000_000_000, tenth in 0u64..10) {
            let expected = i64::try_from(whole * 100 + tenth * 10).unwrap();
            prop_assert_eq!(p(&format!("{whole}.{tenth}")), Ok(expected));
        }

        #[test]
        fn wan_is_yuan_rounded_half_away_from_zero(fen in any::<i64>()) {
            let f = Fen::from_fen(fen);
            let wan = f.wan();
            let (int, dec) = wan.split_once('.').unwrap();
            prop_assert_eq!(dec.len(), 4);
            // 万元 with 4 decimals read as whole yuan.
            let yuan: i128 = format!("{int}{dec}").parse().unwrap();
            let fen = i128::from(fen);
            // Nearest yuan; an exact half goes away from zero.
            prop_assert!((yuan * 100 - fen).abs() <= 50);
            // A sign only on amounts that round to a nonzero number of yuan.
            prop_assert_eq!(wan.starts_with('-'), yuan < 0);
            prop_assert_eq!(yuan < 0, fen <= -50);
            if (fen % 100).abs() == 50 {
                prop_assert_eq!(yuan.abs() * 100, fen.abs() + 50);
            }
        }

        #[test]
        fn wan_of_whole_yuan_parses_back(yuan in -10_000_000_000i64..10_000_000_000) {
            let f = Fen::from_fen(yuan * 100);
            let (int, dec) = f.wan().split_once('.').map(|(a, b)| (a.to_owned(), b.to_owned())).unwrap();
            let back: i64 = format!("{int}{dec}").parse().unwrap();
            prop_assert_eq!(back, yuan);
        }

        #[test]
        fn percent_floor_matches_definition(fen in any::<i64>(), pct in 0u32..=100) {
            let r = Fen::from_fen(fen).percent_floor(pct).unwrap();
            let exact = i128::from(fen) * i128::from(pct);
            let r = i128::from(r.as_fen());
            prop_assert!(r * 100 <= exact && exact < (r + 1) * 100);
        }

        #[test]
        fn arbitrary_strings_never_panic(s in any::<String>()) {
            let _ = Fen::from_yuan_str(&s);
        }

        #[test]
        fn money_like_strings_never_panic(s in "[-+ ,.0-9，a５]{0,30}") {
            if let Ok(f) = Fen::from_yuan_str(&s) {
                // Whatever parsed must print back to an equal amount.
                prop_assert_eq!(Fen::from_yuan_str(&f.yuan()), Ok(f));
            }
        }

        #[test]
        fn checked_sum_matches_i128_sum(v in proptest::collection::vec(any::<i64>(), 0..8)) {
            let exact: i128 = v.iter().copied().map(i128::from).sum();
            let got = Fen::checked_sum(v.iter().copied().map(Fen::from_fen));
            // checked_sum may fail on an overflowing *partial* sum even if the total fits,
            // so only require agreement whenever it succeeds, and success whenever all partial
            // sums fit.
            let partial_fits = v.iter().scan(0i128, |acc, x| { *acc += i128::from(*x); Some(*acc) })
                .all(|s| i64::try_from(s).is_ok());
            match got {
                Some(f) => prop_assert_eq!(i128::from(f.as_fen()), exact),
                None => prop_assert!(!partial_fits),
            }
        }
    }
}
