//! The citizen identity number (公民身份号码, GB 11643-1999): parsing, the ISO 7064 MOD 11-2 check
//! character, conversion from first-generation 15-digit numbers, and derived facts (region of first
//! registration, birth date, sex, age).
//!
//! Layout of the 18 characters (rules.md §8.1): positions 1–6 the address code, 7–14 the birth date
//! `YYYYMMDD`, 15–17 the sequence code (odd = male, even = female), 18 the check character `0`–`9`
//! or `X`.
//!
//! What [`ResidentId::parse`] deliberately does **not** check:
//! - the address code against a list of divisions. Abolished county codes stay valid in old numbers
//!   for life, so a lookup gives false negatives (python-stdnum rejects the valid
//!   `440524188001010014` that way);
//! - that the birth date is not in the future. That needs today's date, and this crate never reads
//!   the clock; call [`ResidentId::check_not_born_after`] with the date from the service's clock.
//!
//! An ID number is sensitive personal information: show [`ResidentId::masked`] in lists and logs.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

/// Weights of positions 1–17: 2^(18−i) mod 11.
const WEIGHTS: [usize; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// The check character for each value of S mod 11 (equivalent to `(12 − S mod 11) mod 11`, with 10
/// written as `X`).
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The earliest birth year accepted. Nobody alive when 18-digit numbers came in (1999) was born
/// before 1800, so an earlier year means a damaged number, not a very old person.
pub const MIN_BIRTH_YEAR: i32 = 1800;

/// The latest birth year that fits the four-digit year field.
const MAX_BIRTH_YEAR: i32 = 9999;

/// Why a text is not a valid resident ID number. Positions are 1-based and count characters, not
/// bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResidentIdError {
    /// The text (after trimming surrounding whitespace) has the wrong number of characters.
    #[error("wrong length: expected {expected} characters, found {found}")]
    WrongLength {
        /// The required length (18 for a number, 17 for [`check_char`], 15 for a first-generation
        /// number, 6 for a region code).
        expected: usize,
        /// The number of characters found.
        found: usize,
    },
    /// A character that is not allowed at its position: positions 1–17 take digits only, position
    /// 18 a digit or `X`.
    #[error("invalid character {found:?} at position {position}")]
    InvalidChar {
        /// 1-based character position.
        position: usize,
        /// The offending character.
        found: char,
    },
    /// Positions 7–14 are not a date that exists in the calendar.
    #[error("birth date {text:?} (YYYYMMDD) is not a calendar date")]
    InvalidBirthDate {
        /// The eight birth-date characters as found.
        text: String,
    },
    /// The birth year is outside 1800–9999.
    #[error("birth year {year} is outside {min}-{max}")]
    BirthYearOutOfRange {
        /// The year found or given.
        year: i32,
        /// The earliest accepted year.
        min: i32,
        /// The latest accepted year.
        max: i32,
    },
    /// The check character does not match positions 1–17 (ISO 7064 MOD 11-2).
    #[error("check character mismatch: expected {expected:?}, found {found:?}")]
    CheckCharMismatch {
        /// The check character computed from positions 1–17.
        expected: char,
        /// The character at position 18.
        found: char,
    },
    /// A sequence code above 999 was given to [`ResidentId::synthetic`].
    #[error("sequence code {seq} is above 999")]
    SequenceOutOfRange {
        /// The sequence code given.
        seq: u16,
    },
    /// The birth date lies after the reference date (see [`ResidentId::check_not_born_after`]).
    #[error("birth date {birth} is after {today}")]
    BornAfter {
        /// The birth date encoded in the number.
        birth: NaiveDate,
        /// The reference date ("today").
        today: NaiveDate,
    },
}

impl ResidentIdError {
    /// A stable machine-readable code, used as the Fluent message id by the web layer.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::WrongLength { .. } => "resident_id.wrong_length",
            Self::InvalidChar { .. } => "resident_id.invalid_char",
            Self::InvalidBirthDate { .. } => "resident_id.invalid_birth_date",
            Self::BirthYearOutOfRange { .. } => "resident_id.birth_year_out_of_range",
            Self::CheckCharMismatch { .. } => "resident_id.check_char_mismatch",
            Self::SequenceOutOfRange { .. } => "resident_id.sequence_out_of_range",
            Self::BornAfter { .. } => "resident_id.born_after",
        }
    }
}

/// Sex as encoded by the parity of the sequence code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sex {
    /// Odd sequence code.
    Male,
    /// Even sequence code.
    Female,
}

/// A valid 18-character resident ID number, normalised (no surrounding whitespace, upper-case `X`).
///
/// Invariant: 17 ASCII digits, a real birth date with year 1800–9999 at positions 7–14, and the
/// correct check character. Hence every accessor can slice bytes without checking.
///
/// `Debug` shows the masked form, so a number that reaches a log line through `{:?}` does not
/// leak; `Display` and `as_str` give the full number for the code paths that need it.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResidentId(String);

impl fmt::Debug for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResidentId({})", self.masked())
    }
}

impl ResidentId {
    /// Parses and validates an 18-character number: trims surrounding whitespace, accepts a
    /// lower-case `x` and stores it upper-case, and checks in this order: length, characters,
    /// birth date, check character.
    ///
    /// Does not look up the address code and does not check that the birth date has passed; see
    /// the module documentation.
    ///
    /// # Errors
    /// [`ResidentIdError::WrongLength`], [`ResidentIdError::InvalidChar`],
    /// [`ResidentIdError::InvalidBirthDate`], [`ResidentIdError::BirthYearOutOfRange`] or
    /// [`ResidentIdError::CheckCharMismatch`].
    pub fn parse(text: &str) -> Result<Self, ResidentIdError> {
        let text = text.trim();
        let found = text.chars().count();
        if found != 18 {
            return Err(ResidentIdError::WrongLength {
                expected: 18,
                found,
            });
        }
        let mut normalised = String::with_capacity(18);
        for (index, c) in text.chars().enumerate() {
            let position = index + 1;
            let c = match c {
                '0'..='9' => c,
                'X' | 'x' if position == 18 => 'X',
                _ => return Err(ResidentIdError::InvalidChar { position, found: c }),
            };
            normalised.push(c);
        }
        // From here on `normalised` is ASCII, so byte slicing is safe.
        birth_date_of(&normalised[6..14])?;
        let expected = check_char_of_digits(&normalised[..17]);
        let found = char::from(normalised.as_bytes()[17]);
        if found != expected {
            return Err(ResidentIdError::CheckCharMismatch { expected, found });
        }
        Ok(Self(normalised))
    }

    /// Converts a first-generation 15-digit number (6-digit address, `YYMMDD`, 3-digit sequence, no
    /// check character) by inserting `19` before the year and computing the check character, as
    /// GB 11643 prescribes. That century is wrong only for holders born before 1900, none of whom
    /// are alive; first-generation cards stopped being valid on 2013-01-01 but the numbers remain
    /// in legacy data.
    ///
    /// # Errors
    /// [`ResidentIdError::WrongLength`] (expected 15), [`ResidentIdError::InvalidChar`] (position
    /// within the 15-digit input) or [`ResidentIdError::InvalidBirthDate`].
    pub fn from_15(text: &str) -> Result<Self, ResidentIdError> {
        let text = text.trim();
        let found = text.chars().count();
        if found != 15 {
            return Err(ResidentIdError::WrongLength {
                expected: 15,
                found,
            });
        }
        check_digits(text)?;
        let first17 = format!("{}19{}", &text[..6], &text[6..]);
        let check = check_char_of_digits(&first17);
        Self::parse(&format!("{first17}{check}"))
    }

    /// Builds a valid number from its parts, computing the check character. For tests, fixtures
    /// and the demo district; real numbers are only ever parsed.
    ///
    /// # Errors
    /// [`ResidentIdError::WrongLength`] or [`ResidentIdError::InvalidChar`] if `region6` is not 6
    /// digits, [`ResidentIdError::BirthYearOutOfRange`] if the year is outside 1800–9999,
    /// [`ResidentIdError::SequenceOutOfRange`] if `seq` is above 999.
    pub fn synthetic(region6: &str, birth: NaiveDate, seq: u16) -> Result<Self, ResidentIdError> {
        let found = region6.chars().count();
        if found != 6 {
            return Err(ResidentIdError::WrongLength { expected: 6, found });
        }
        check_digits(region6)?;
        check_year(birth.year())?;
        if seq > 999 {
            return Err(ResidentIdError::SequenceOutOfRange { seq });
        }
        let first17 = format!("{region6}{}{seq:03}", birth.format("%Y%m%d"));
        let check = check_char_of_digits(&first17);
        Self::parse(&format!("{first17}{check}"))
    }

    /// The normalised 18-character number.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 6-digit address code: the county where the person was first registered, which need not
    /// be a current division code.
    #[must_use]
    pub fn region_code(&self) -> &str {
        &self.0[..6]
    }

    /// The birth date (positions 7–14).
    #[must_use]
    pub fn birth_date(&self) -> NaiveDate {
        birth_date_of(&self.0[6..14]).expect("parse accepted only numbers with a valid birth date")
    }

    /// The 3-digit sequence code (positions 15–17).
    #[must_use]
    pub fn sequence_code(&self) -> &str {
        &self.0[14..17]
    }

    /// Sex from the parity of the sequence code: odd is male.
    #[must_use]
    pub fn sex(&self) -> Sex {
        // The last byte of the sequence code is an ASCII digit; its parity is the number's parity.
        if self.0.as_bytes()[16] % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// Age in full years on `date`, or `None` if `date` is before the birth date.
    ///
    /// The age goes up on the birthday. Someone born on 29 February goes up on 1 March in common
    /// years (the birthday has not been reached while the date is 28 February or earlier), which is
    /// the usual reading of the Civil Code's "周岁" for such births.
    #[must_use]
    pub fn age_on(&self, date: NaiveDate) -> Option<u32> {
        let birth = self.birth_date();
        if date < birth {
            return None;
        }
        let years = date.year() - birth.year();
        let before_birthday = (date.month(), date.day()) < (birth.month(), birth.day());
        let age = if before_birthday { years - 1 } else { years };
        u32::try_from(age).ok()
    }

    /// Checks the one rule [`ResidentId::parse`] cannot: that the person was born on or before
    /// `today` (from the caller's clock).
    ///
    /// # Errors
    /// [`ResidentIdError::BornAfter`] if the birth date is after `today`.
    pub fn check_not_born_after(&self, today: NaiveDate) -> Result<(), ResidentIdError> {
        let birth = self.birth_date();
        if birth > today {
            return Err(ResidentIdError::BornAfter { birth, today });
        }
        Ok(())
    }

    /// The number with everything but the first 4 and last 4 characters replaced by `*`, e.g.
    /// `1101**********002X`: enough to tell records apart on screen without disclosing the birth
    /// date.
    #[must_use]
    pub fn masked(&self) -> String {
        format!("{}{}{}", &self.0[..4], "*".repeat(10), &self.0[14..])
    }
}

/// Computes the ISO 7064 MOD 11-2 check character for the first 17 digits of a number.
///
/// # Errors
/// [`ResidentIdError::WrongLength`] (expected 17) or [`ResidentIdError::InvalidChar`].
pub fn check_char(first17: &str) -> Result<char, ResidentIdError> {
    let found = first17.chars().count();
    if found != 17 {
        return Err(ResidentIdError::WrongLength {
            expected: 17,
            found,
        });
    }
    check_digits(first17)?;
    Ok(check_char_of_digits(first17))
}

/// Rejects the first character that is not an ASCII digit.
fn check_digits(text: &str) -> Result<(), ResidentIdError> {
    match text.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
        Some((index, found)) => Err(ResidentIdError::InvalidChar {
            position: index + 1,
            found,
        }),
        None => Ok(()),
    }
}

/// The check character of 17 ASCII digits (the caller has checked them).
fn check_char_of_digits(first17: &str) -> char {
    let sum: usize = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| usize::from(b.wrapping_sub(b'0')) * w)
        .sum();
    CHECK_CHARS[sum % 11]
}

fn check_year(year: i32) -> Result<(), ResidentIdError> {
    if (MIN_BIRTH_YEAR..=MAX_BIRTH_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(ResidentIdError::BirthYearOutOfRange {
            year,
            min: MIN_BIRTH_YEAR,
            max: MAX_BIRTH_YEAR,
        })
    }
}

/// Parses 8 ASCII digits `YYYYMMDD` (the caller has checked they are digits).
fn birth_date_of(text: &str) -> Result<NaiveDate, ResidentIdError> {
    let invalid = || ResidentIdError::InvalidBirthDate {
        text: text.to_owned(),
    };
    let number = |range: std::ops::Range<usize>| -> Result<u32, ResidentIdError> {
        text.get(range)
            .and_then(|s| s.parse::<u32>().ok())
            .ok_or_else(invalid)
    };
    let year = i32::try_from(number(0..4)?).map_err(|_| invalid())?;
    let month = number(4..6)?;
    let day = number(6..8)?;
    // The calendar check comes first so that "00000000" reads as an impossible date rather than
    // as a year out of range.
    let date = NaiveDate::from_ymd_opt(year, month, day).ok_or_else(invalid)?;
    check_year(year)?;
    Ok(date)
}

impl fmt::Display for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for ResidentId {
    type Err = ResidentIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    // ---- vectors from rules.md §8.1 ----

    #[test]
    fn worked_example_is_valid() {
        let id = ResidentId::parse("11010519491231002X").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.region_code(), "110105");
        assert_eq!(id.birth_date(), date(1949, 12, 31));
        assert_eq!(id.sequence_code(), "002");
        assert_eq!(id.sex(), Sex::Female);
    }

    #[test]
    fn worked_example_check_char_is_x() {
        assert_eq!(check_char("11010519491231002"), Ok('X'));
    }

    #[test]
    fn second_vector_is_valid_despite_abolished_address_code() {
        // 440524 (潮阳县) was abolished in 1993; stdnum rejects this number for that reason.
        let id = ResidentId::parse("440524188001010014").unwrap();
        assert_eq!(id.birth_date(), date(1880, 1, 1));
        assert_eq!(id.sex(), Sex::Male);
        assert_eq!(check_char("44052418800101001"), Ok('4'));
    }

    #[test]
    fn wrong_check_char_is_rejected() {
        assert_eq!(
            ResidentId::parse("110105194912310021"),
            Err(ResidentIdError::CheckCharMismatch {
                expected: 'X',
                found: '1'
            })
        );
    }

    #[test]
    fn fifteen_digit_conversion() {
        let id = ResidentId::from_15("110105491231002").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    // ---- normalisation ----

    #[test]
    fn trims_and_upper_cases_x() {
        let id = ResidentId::parse("  11010519491231002x\n").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!("11010519491231002x".parse::<ResidentId>(), Ok(id.clone()));
        assert_eq!(id.to_string(), "11010519491231002X");
    }

    // ---- each error variant ----

    #[test]
    fn wrong_length_counts_characters_not_bytes() {
        assert_eq!(
            ResidentId::parse("1101051949123100"),
            Err(ResidentIdError::WrongLength {
                expected: 18,
                found: 16
            })
        );
        // 18 characters, 20 bytes: must reach the character check, not a length error.
        assert_eq!(
            ResidentId::parse("1101051949123100中X"),
            Err(ResidentIdError::InvalidChar {
                position: 17,
                found: '中'
            })
        );
        assert_eq!(
            ResidentId::parse(""),
            Err(ResidentIdError::WrongLength {
                expected: 18,
                found: 0
            })
        );
    }

    #[test]
    fn x_is_only_allowed_last() {
        assert_eq!(
            ResidentId::parse("X1010519491231002X"),
            Err(ResidentIdError::InvalidChar {
                position: 1,
                found: 'X'
            })
        );
        assert_eq!(
            ResidentId::parse("11010519491231002Y"),
            Err(ResidentIdError::InvalidChar {
                position: 18,
                found: 'Y'
            })
        );
        // Full-width digits are not digits here.
        assert_eq!(
            ResidentId::parse("１1010519491231002X"),
            Err(ResidentIdError::InvalidChar {
                position: 1,
                found: '１'
            })
        );
    }

    #[test]
    fn impossible_birth_dates_are_rejected() {
        for (first17, text) in [
            ("11010519490229002", "19490229"), // 1949 is not a leap year
            ("11010519491301002", "19491301"),
            ("11010519491200002", "19491200"),
            ("11010519000229002", "19000229"), // century rule
            ("11010500000000002", "00000000"),
        ] {
            let check = check_char(first17).unwrap();
            assert_eq!(
                ResidentId::parse(&format!("{first17}{check}")),
                Err(ResidentIdError::InvalidBirthDate { text: text.into() }),
                "{first17}"
            );
        }
        // 29 February of a leap year is fine, including the 400-year rule.
        assert!(ResidentId::synthetic("110105", date(2000, 2, 29), 1).is_ok());
    }

    #[test]
    fn birth_year_before_1800_is_rejected() {
        let first17 = "11010517991231002";
        let check = check_char(first17).unwrap();
        assert_eq!(
            ResidentId::parse(&format!("{first17}{check}")),
            Err(ResidentIdError::BirthYearOutOfRange {
                year: 1799,
                min: 1800,
                max: 9999
            })
        );
        assert_eq!(
            ResidentId::synthetic("110105", date(1799, 12, 31), 2).map_err(|e| e.code()),
            Err("resident_id.birth_year_out_of_range")
        );
        assert!(ResidentId::synthetic("110105", date(1800, 1, 1), 2).is_ok());
        assert_eq!(
            ResidentId::synthetic("110105", date(10000, 1, 1), 2).map_err(|e| e.code()),
            Err("resident_id.birth_year_out_of_range")
        );
    }

    #[test]
    fn synthetic_validates_its_inputs() {
        assert_eq!(
            ResidentId::synthetic("11010", date(1990, 1, 1), 1),
            Err(ResidentIdError::WrongLength {
                expected: 6,
                found: 5
            })
        );
        assert_eq!(
            ResidentId::synthetic("1101a5", date(1990, 1, 1), 1),
            Err(ResidentIdError::InvalidChar {
                position: 5,
                found: 'a'
            })
        );
        assert_eq!(
            ResidentId::synthetic("110105", date(1990, 1, 1), 1000),
            Err(ResidentIdError::SequenceOutOfRange { seq: 1000 })
        );
        let id = ResidentId::synthetic("110105", date(1949, 12, 31), 2).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn from_15_errors() {
        assert_eq!(
            ResidentId::from_15("11010549123100"),
            Err(ResidentIdError::WrongLength {
                expected: 15,
                found: 14
            })
        );
        assert_eq!(
            ResidentId::from_15("11010549123100X"),
            Err(ResidentIdError::InvalidChar {
                position: 15,
                found: 'X'
            })
        );
        assert_eq!(
            ResidentId::from_15("110105490230002"),
            Err(ResidentIdError::InvalidBirthDate {
                text: "19490230".into()
            })
        );
        // Multi-byte input of the right character count must not be byte-sliced.
        assert_eq!(
            ResidentId::from_15("中华人民共和国中华人民共和国中"),
            Err(ResidentIdError::InvalidChar {
                position: 1,
                found: '中'
            })
        );
    }

    #[test]
    fn check_char_errors() {
        assert_eq!(
            check_char("1101051949123100"),
            Err(ResidentIdError::WrongLength {
                expected: 17,
                found: 16
            })
        );
        assert_eq!(
            check_char("1101051949123100-"),
            Err(ResidentIdError::InvalidChar {
                position: 17,
                found: '-'
            })
        );
    }

    #[test]
    fn born_after_needs_a_reference_date() {
        let id = ResidentId::synthetic("110105", date(2020, 5, 17), 11).unwrap();
        assert_eq!(id.check_not_born_after(date(2020, 5, 17)), Ok(()));
        assert_eq!(
            id.check_not_born_after(date(2020, 5, 16)),
            Err(ResidentIdError::BornAfter {
                birth: date(2020, 5, 17),
                today: date(2020, 5, 16)
            })
        );
    }

    #[test]
    fn error_codes_and_messages() {
        let cases = [
            (
                ResidentIdError::WrongLength {
                    expected: 18,
                    found: 3,
                },
                "resident_id.wrong_length",
                "wrong length: expected 18 characters, found 3",
            ),
            (
                ResidentIdError::InvalidChar {
                    position: 4,
                    found: 'a',
                },
                "resident_id.invalid_char",
                "invalid character 'a' at position 4",
            ),
            (
                ResidentIdError::InvalidBirthDate {
                    text: "19490230".into(),
                },
                "resident_id.invalid_birth_date",
                "birth date \"19490230\" (YYYYMMDD) is not a calendar date",
            ),
            (
                ResidentIdError::BirthYearOutOfRange {
                    year: 1799,
                    min: 1800,
                    max: 9999,
                },
                "resident_id.birth_year_out_of_range",
                "birth year 1799 is outside 1800-9999",
            ),
            (
                ResidentIdError::CheckCharMismatch {
                    expected: 'X',
                    found: '1',
                },
                "resident_id.check_char_mismatch",
                "check character mismatch: expected 'X', found '1'",
            ),
            (
                ResidentIdError::SequenceOutOfRange { seq: 1000 },
                "resident_id.sequence_out_of_range",
                "sequence code 1000 is above 999",
            ),
            (
                ResidentIdError::BornAfter {
                    birth: date(2020, 5, 17),
                    today: date(2020, 5, 16),
                },
                "resident_id.born_after",
                "birth date 2020-05-17 is after 2020-05-16",
            ),
        ];
        for (error, code, message) in cases {
            assert_eq!(error.code(), code);
            assert_eq!(error.to_string(), message);
        }
    }

    // ---- accessors ----

    #[test]
    fn sex_follows_sequence_parity() {
        let d = date(1990, 1, 1);
        assert_eq!(
            ResidentId::synthetic("110105", d, 1).unwrap().sex(),
            Sex::Male
        );
        assert_eq!(
            ResidentId::synthetic("110105", d, 998).unwrap().sex(),
            Sex::Female
        );
        assert_eq!(
            ResidentId::synthetic("110105", d, 0).unwrap().sex(),
            Sex::Female
        );
    }

    #[test]
    fn masked_shows_first_and_last_four() {
        let id = ResidentId::parse("11010519491231002X").unwrap();
        assert_eq!(id.masked(), "1101**********002X");
    }

    #[test]
    fn age_counts_full_years() {
        let id = ResidentId::synthetic("110105", date(1990, 6, 15), 1).unwrap();
        assert_eq!(id.age_on(date(1990, 6, 14)), None);
        assert_eq!(id.age_on(date(1990, 6, 15)), Some(0));
        assert_eq!(id.age_on(date(2008, 6, 14)), Some(17));
        assert_eq!(id.age_on(date(2008, 6, 15)), Some(18));
        assert_eq!(id.age_on(date(2060, 12, 31)), Some(70));
    }

    #[test]
    fn leap_day_birthday_turns_older_on_1_march_in_common_years() {
        let id = ResidentId::synthetic("110105", date(2000, 2, 29), 1).unwrap();
        assert_eq!(id.age_on(date(2001, 2, 28)), Some(0));
        assert_eq!(id.age_on(date(2001, 3, 1)), Some(1));
        assert_eq!(id.age_on(date(2018, 2, 28)), Some(17));
        assert_eq!(id.age_on(date(2018, 3, 1)), Some(18));
        // In leap years the birthday exists.
        assert_eq!(id.age_on(date(2004, 2, 28)), Some(3));
        assert_eq!(id.age_on(date(2004, 2, 29)), Some(4));
    }

    // ---- property tests ----

    fn arb_date() -> impl Strategy<Value = NaiveDate> {
        // Every day from 1800-01-01 to 2199-12-31.
        let start = date(1800, 1, 1);
        (0i64..146_097).prop_map(move |days| start + chrono::Duration::days(days))
    }

    fn arb_region() -> impl Strategy<Value = String> {
        "[0-9]{6}"
    }

    fn arb_id() -> impl Strategy<Value = ResidentId> {
        (arb_region(), arb_date(), 0u16..=999)
            .prop_map(|(r, d, s)| ResidentId::synthetic(&r, d, s).unwrap())
    }

    proptest! {
        #[test]
        fn synthetic_ids_parse_and_round_trip(
            region in arb_region(), birth in arb_date(), seq in 0u16..=999
        ) {
            let id = ResidentId::synthetic(&region, birth, seq).unwrap();
            let parsed = ResidentId::parse(id.as_str()).unwrap();
            prop_assert_eq!(&parsed, &id);
            prop_assert_eq!(parsed.region_code(), region.as_str());
            prop_assert_eq!(parsed.birth_date(), birth);
            prop_assert_eq!(parsed.sex(), if seq % 2 == 1 { Sex::Male } else { Sex::Female });
            prop_assert_eq!(parsed.sequence_code(), format!("{seq:03}"));
            prop_assert_eq!(parsed.age_on(birth), Some(0));
            prop_assert!(parsed.check_not_born_after(birth).is_ok());
            let lower = id.as_str().to_lowercase();
            prop_assert_eq!(ResidentId::parse(&lower).unwrap(), id);
        }

        #[test]
        fn every_single_character_change_is_detected(
            id in arb_id(), position in 0usize..18, replacement in "[0-9X]"
        ) {
            let mut chars: Vec<char> = id.as_str().chars().collect();
            let replacement = replacement.chars().next().unwrap();
            prop_assume!(chars[position] != replacement);
            chars[position] = replacement;
            let changed: String = chars.into_iter().collect();
            prop_assert!(ResidentId::parse(&changed).is_err(), "{} accepted", changed);
        }

        #[test]
        fn adjacent_transpositions_are_detected(id in arb_id(), position in 0usize..17) {
            // MOD 11-2 detects every transposition of two different adjacent characters.
            let mut chars: Vec<char> = id.as_str().chars().collect();
            prop_assume!(chars[position] != chars[position + 1]);
            chars.swap(position, position + 1);
            let changed: String = chars.into_iter().collect();
            prop_assert!(ResidentId::parse(&changed).is_err(), "{} accepted", changed);
        }

        #[test]
        fn fifteen_digit_numbers_convert(region in arb_region(), birth in arb_date(), seq in 0u16..=999) {
            prop_assume!((1900..=1999).contains(&birth.year()));
            let old = format!("{region}{}{seq:03}", birth.format("%y%m%d"));
            let id = ResidentId::from_15(&old).unwrap();
            prop_assert_eq!(id, ResidentId::synthetic(&region, birth, seq).unwrap());
        }

        #[test]
        fn age_is_monotonic_and_steps_by_at_most_one(id in arb_id(), offset in 0i64..40_000) {
            let day = id.birth_date() + chrono::Duration::days(offset);
            let today = id.age_on(day).unwrap();
            let tomorrow = id.age_on(day + chrono::Duration::days(1)).unwrap();
            prop_assert!(tomorrow == today || tomorrow == today + 1);
        }

        #[test]
        fn arbitrary_strings_never_panic(text in any::<String>()) {
            let _ = ResidentId::parse(&text);
            let _ = ResidentId::from_15(&text);
            let _ = check_char(&text);
            let _ = ResidentId::synthetic(&text, date(1990, 1, 1), 1);
        }

        #[test]
        fn id_shaped_strings_never_panic(text in "[0-9Xx中 ]{14,19}") {
            if let Ok(id) = ResidentId::parse(&text) {
                let _ = (id.masked(), id.age_on(date(2000, 1, 1)), id.sex());
            }
            let _ = ResidentId::from_15(&text);
        }
    }
}

#[cfg(test)]
mod debug_tests {
    use super::ResidentId;

    #[test]
    fn debug_output_is_masked() {
        let id = ResidentId::parse("11010519491231002X").unwrap();
        assert_eq!(format!("{id:?}"), "ResidentId(1101**********002X)");
        assert_eq!(id.to_string(), "11010519491231002X");
    }
}
