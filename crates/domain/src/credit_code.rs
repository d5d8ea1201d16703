//! The unified social credit code (统一社会信用代码, GB 32100-2015) of organisations, including the
//! social groups, private non-enterprise units and foundations the bureau registers (authority `5`).
//!
//! Layout of the 18 characters (rules.md §8.2): position 1 the registration authority, 2 the
//! organisation type, 3–8 the division code of the registering authority, 9–17 the organisation
//! code (组织机构代码, GB 11714) with its own check character at 17, and 18 the code's check
//! character. Every character comes from the 31-character alphabet
//! `0123456789ABCDEFGHJKLMNPQRTUWXY`, which leaves out I, O, Z, S and V.
//!
//! Validation follows the standard, not python-stdnum 2.2: stdnum demands digits in positions 1–8
//! and so rejects valid codes whose authority is `Y`, `N` or `A`; this module accepts any alphabet
//! character at positions 1–2 and requires digits only in the division code (3–8). Unlike stdnum,
//! it also checks the embedded organisation code.
//!
//! The authority and type tables have grown since 2015 (`A`, `N`) and are not checked, so a code
//! with an unlisted authority still parses; callers that care look at
//! [`CreditCode::registration_authority`] and [`CreditCode::organisation_type`].

use std::fmt;
use std::str::FromStr;

/// The 31 characters of the code, in value order (value = index).
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Letters that look like digits or each other and are left out of the alphabet.
const EXCLUDED: [char; 5] = ['I', 'O', 'Z', 'S', 'V'];

/// Weights of positions 1–17: 3^(i−1) mod 31.
const WEIGHTS: [usize; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Weights of the 8 body characters of a GB 11714 organisation code: 2^(9−i) mod 11.
const ORG_WEIGHTS: [usize; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// The GB 11714 alphabet of organisation-code bodies, in value order (A = 10 … Z = 35). Unlike
/// [`ALPHABET`] it keeps every letter, so M = 22 and Y = 34 here.
const ORG_ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// The organisation-code check character for each value of S mod 11: `C = 11 − (S mod 11)`, with
/// 10 written `X` and 11 written `0`.
const ORG_CHECK_CHARS: [char; 11] = ['0', 'X', '9', '8', '7', '6', '5', '4', '3', '2', '1'];

/// The registration-authority character of civil-affairs registrations (民政).
pub const CIVIL_AFFAIRS_AUTHORITY: char = '5';

/// Why a text is not a valid credit code. Positions are 1-based and count characters, not bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    /// The text (after trimming) or a part given to a constructor has the wrong number of
    /// characters.
    #[error("wrong length: expected {expected} characters, found {found}")]
    WrongLength {
        /// The required length (18 for a code, 17 for [`check_char`], 8 for an organisation-code
        /// body, 6 for a division code).
        expected: usize,
        /// The number of characters found.
        found: usize,
    },
    /// One of the letters I, O, Z, S, V, which the standard leaves out of the alphabet.
    #[error("letter {found:?} at position {position} is not used (I, O, Z, S and V are excluded)")]
    ExcludedLetter {
        /// 1-based character position.
        position: usize,
        /// The offending letter (upper-cased).
        found: char,
    },
    /// A character outside the code's alphabet (and not one of the excluded letters).
    #[error("invalid character {found:?} at position {position}")]
    InvalidChar {
        /// 1-based character position.
        position: usize,
        /// The offending character.
        found: char,
    },
    /// A non-digit in the division code (positions 3–8).
    #[error("division code (positions 3-8) has non-digit {found:?} at position {position}")]
    NonDigitDivision {
        /// 1-based character position.
        position: usize,
        /// The offending character.
        found: char,
    },
    /// Position 18 does not match positions 1–17 (GB 32100 check, weights 3^(i−1) mod 31).
    #[error("check character mismatch: expected {expected:?}, found {found:?}")]
    CheckCharMismatch {
        /// The check character computed from positions 1–17.
        expected: char,
        /// The character at position 18.
        found: char,
    },
    /// Position 17 does not match the organisation code's body at positions 9–16 (GB 11714 check).
    #[error(
        "organisation code check mismatch (position 17): expected {expected:?}, found {found:?}"
    )]
    OrgCheckMismatch {
        /// The check character computed from positions 9–16.
        expected: char,
        /// The character at position 17.
        found: char,
    },
}

impl CreditCodeError {
    /// A stable machine-readable code, used as the Fluent message id by the web layer.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::WrongLength { .. } => "credit_code.wrong_length",
            Self::ExcludedLetter { .. } => "credit_code.excluded_letter",
            Self::InvalidChar { .. } => "credit_code.invalid_char",
            Self::NonDigitDivision { .. } => "credit_code.non_digit_division",
            Self::CheckCharMismatch { .. } => "credit_code.check_char_mismatch",
            Self::OrgCheckMismatch { .. } => "credit_code.org_check_mismatch",
        }
    }
}

/// A valid 18-character unified social credit code, normalised (trimmed, upper-case).
///
/// Invariant: 18 ASCII characters of the alphabet, digits at 3–8, both check characters correct.
/// Hence the accessors can slice bytes without checking.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CreditCode(String);

impl CreditCode {
    /// Parses and validates a code: trims surrounding whitespace, upper-cases ASCII letters, and
    /// checks in this order: length, alphabet, division digits, the code's check character, the
    /// organisation code's check character. The code's own check comes first because it covers
    /// all 17 positions, so a typo anywhere is reported the same way.
    ///
    /// # Errors
    /// Any [`CreditCodeError`] variant; the first problem found.
    pub fn parse(text: &str) -> Result<Self, CreditCodeError> {
        let text = text.trim();
        let found = text.chars().count();
        if found != 18 {
            return Err(CreditCodeError::WrongLength {
                expected: 18,
                found,
            });
        }
        let normalised: String = text.chars().map(|c| c.to_ascii_uppercase()).collect();
        check_alphabet(&normalised, 1)?;
        // From here on `normalised` is ASCII, so byte slicing is safe.
        check_division_digits(&normalised[2..8], 3)?;
        let expected = check_char_of(&normalised[..17]);
        let found = char::from(normalised.as_bytes()[17]);
        if found != expected {
            return Err(CreditCodeError::CheckCharMismatch { expected, found });
        }
        let expected = org_check_char_of(&normalised[8..16]);
        let found = char::from(normalised.as_bytes()[16]);
        if found != expected {
            return Err(CreditCodeError::OrgCheckMismatch { expected, found });
        }
        Ok(Self(normalised))
    }

    /// Builds a valid code from its parts, computing both check characters. For tests, fixtures
    /// and the demo district; real codes are only ever parsed. Letters may be lower-case.
    ///
    /// Example: authority `5`, type `1`, division `110101`, body `MJ000001` gives
    /// `51110101MJ0000018K`.
    ///
    /// # Errors
    /// [`CreditCodeError::WrongLength`] if `division6` is not 6 or `org_body8` not 8 characters;
    /// [`CreditCodeError::ExcludedLetter`], [`CreditCodeError::InvalidChar`] or
    /// [`CreditCodeError::NonDigitDivision`] with the position the character would have in the code.
    pub fn synthetic(
        authority: char,
        org_type: char,
        division6: &str,
        org_body8: &str,
    ) -> Result<Self, CreditCodeError> {
        for (part, expected) in [(division6, 6), (org_body8, 8)] {
            let found = part.chars().count();
            if found != expected {
                return Err(CreditCodeError::WrongLength { expected, found });
            }
        }
        let mut code: String = [authority, org_type]
            .into_iter()
            .chain(division6.chars())
            .chain(org_body8.chars())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        check_alphabet(&code, 1)?;
        check_division_digits(&code[2..8], 3)?;
        let org_check = org_check_char_of(&code[8..16]);
        code.push(org_check);
        let check = check_char_of(&code);
        code.push(check);
        Self::parse(&code)
    }

    /// The normalised 18-character code.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Position 1: the registration authority (`1` 机构编制, `5` 民政, `9` 市场监管, `Y` other, …).
    #[must_use]
    pub fn registration_authority(&self) -> char {
        char::from(self.0.as_bytes()[0])
    }

    /// Position 2: the organisation type within the authority (under `5`: `1` social group, `2`
    /// private non-enterprise unit, `3` foundation, `9` other).
    #[must_use]
    pub fn organisation_type(&self) -> char {
        char::from(self.0.as_bytes()[1])
    }

    /// Positions 3–8: the GB/T 2260 division code of the registering authority (6 digits).
    #[must_use]
    pub fn division_code(&self) -> &str {
        &self.0[2..8]
    }

    /// Positions 9–17: the 9-character organisation code including its check character.
    #[must_use]
    pub fn organisation_code(&self) -> &str {
        &self.0[8..17]
    }

    /// Whether a civil-affairs bureau registered the organisation (authority `5`).
    #[must_use]
    pub fn is_civil_affairs(&self) -> bool {
        self.registration_authority() == CIVIL_AFFAIRS_AUTHORITY
    }
}

/// Computes the check character (position 18) of the first 17 characters of a code. Lower-case
/// letters are accepted. Positions in errors are positions in the code.
///
/// # Errors
/// [`CreditCodeError::WrongLength`] (expected 17), [`CreditCodeError::ExcludedLetter`] or
/// [`CreditCodeError::InvalidChar`].
pub fn check_char(first17: &str) -> Result<char, CreditCodeError> {
    let found = first17.chars().count();
    if found != 17 {
        return Err(CreditCodeError::WrongLength {
            expected: 17,
            found,
        });
    }
    let upper = first17.to_ascii_uppercase();
    check_alphabet(&upper, 1)?;
    Ok(check_char_of(&upper))
}

/// Computes the GB 11714 check character of an 8-character organisation-code body over the full
/// alphabet `0`–`9`, `A`–`Z` (A = 10 … Z = 35): `C = 11 − (S mod 11)`, with 10 written `X` and
/// 11 written `0`. Lower-case letters are accepted. Positions in errors are positions in `body8`.
///
/// # Errors
/// [`CreditCodeError::WrongLength`] (expected 8) or [`CreditCodeError::InvalidChar`] for a
/// character that is not an ASCII letter or digit.
pub fn org_check_char(body8: &str) -> Result<char, CreditCodeError> {
    let found = body8.chars().count();
    if found != 8 {
        return Err(CreditCodeError::WrongLength { expected: 8, found });
    }
    if let Some((index, c)) = body8
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_alphanumeric())
    {
        return Err(CreditCodeError::InvalidChar {
            position: index + 1,
            found: c,
        });
    }
    Ok(org_check_char_of(&body8.to_ascii_uppercase()))
}

/// Rejects the first character outside the alphabet; `first_position` is the code position of
/// `text`'s first character. Expects upper-cased text.
fn check_alphabet(text: &str, first_position: usize) -> Result<(), CreditCodeError> {
    for (index, c) in text.chars().enumerate() {
        let position = first_position + index;
        if EXCLUDED.contains(&c) {
            return Err(CreditCodeError::ExcludedLetter { position, found: c });
        }
        if value(c).is_none() {
            return Err(CreditCodeError::InvalidChar { position, found: c });
        }
    }
    Ok(())
}

fn check_division_digits(text: &str, first_position: usize) -> Result<(), CreditCodeError> {
    match text.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
        Some((index, found)) => Err(CreditCodeError::NonDigitDivision {
            position: first_position + index,
            found,
        }),
        None => Ok(()),
    }
}

/// The value (0–30) of an alphabet character.
fn value(c: char) -> Option<usize> {
    let byte = u8::try_from(c).ok()?;
    ALPHABET.iter().position(|&a| a == byte)
}

/// The check character of 17 alphabet characters (the caller has checked them).
fn check_char_of(first17: &str) -> char {
    let sum: usize = first17
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| value(c).unwrap_or(0) * w)
        .sum();
    char::from(ALPHABET[(31 - sum % 31) % 31])
}

/// The GB 11714 check character of 8 upper-case ASCII letters or digits (the caller has checked
/// them).
fn org_check_char_of(body8: &str) -> char {
    let sum: usize = body8
        .bytes()
        .zip(ORG_WEIGHTS)
        .map(|(b, w)| ORG_ALPHABET.iter().position(|&a| a == b).unwrap_or(0) * w)
        .sum();
    ORG_CHECK_CHARS[sum % 11]
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for CreditCode {
    type Err = CreditCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // ---- vectors from rules.md §8.2 ----

    #[test]
    fn standard_example_is_valid() {
        let code = CreditCode::parse("91350100M000100Y43").unwrap();
        assert_eq!(code.registration_authority(), '9');
        assert_eq!(code.organisation_type(), '1');
        assert_eq!(code.division_code(), "350100");
        assert_eq!(code.organisation_code(), "M000100Y4");
        assert!(!code.is_civil_affairs());
        assert_eq!(check_char("91350100M000100Y4"), Ok('3'));
        assert_eq!(org_check_char("M000100Y"), Ok('4'));
    }

    #[test]
    fn stdnum_doctest_vector_is_valid() {
        let code = CreditCode::parse("91110000600037341L").unwrap();
        assert_eq!(code.organisation_code(), "600037341");
        assert_eq!(check_char("91110000600037341"), Ok('L'));
        assert_eq!(org_check_char("60003734"), Ok('1'));
    }

    #[test]
    fn synthetic_civil_affairs_vector() {
        let code = CreditCode::parse("51110101MJ0000018K").unwrap();
        assert!(code.is_civil_affairs());
        assert_eq!(code.organisation_type(), '1');
        assert_eq!(code.division_code(), "110101");
        assert_eq!(
            CreditCode::synthetic('5', '1', "110101", "MJ000001"),
            Ok(code)
        );
    }

    #[test]
    fn invalid_vector_is_rejected() {
        assert_eq!(
            CreditCode::parse("91350100M000100Y42"),
            Err(CreditCodeError::CheckCharMismatch {
                expected: '3',
                found: '2'
            })
        );
    }

    // ---- normalisation ----

    #[test]
    fn trims_and_upper_cases() {
        let code = CreditCode::parse(" 91350100m000100y43\t").unwrap();
        assert_eq!(code.as_str(), "91350100M000100Y43");
        assert_eq!(code.to_string(), "91350100M000100Y43");
        assert_eq!("91350100m000100y43".parse::<CreditCode>(), Ok(code));
    }

    #[test]
    fn check_value_zero_gives_zero() {
        // Search the synthetic space for a code whose check value is 31 mod 31 = 0.
        let code = (0..100_000u32)
            .map(|n| CreditCode::synthetic('5', '2', "110105", &format!("MJ{n:06}")).unwrap())
            .find(|c| c.as_str().ends_with('0'))
            .unwrap();
        assert!(CreditCode::parse(code.as_str()).is_ok());
    }

    #[test]
    fn org_check_ten_and_eleven() {
        // S mod 11 = 1 gives 10 (X); S mod 11 = 0 gives 11 (0).
        // "00000000" has S = 0; "00000005": 5×2 = 10 -> 11 − 10 = 1; "10000000": 3 -> 8.
        assert_eq!(org_check_char("00000000"), Ok('0'));
        assert_eq!(org_check_char("00000005"), Ok('1'));
        assert_eq!(org_check_char("10000000"), Ok('8'));
        // 4×3 = 12, 12 mod 11 = 1 -> 10 -> X.
        assert_eq!(org_check_char("40000000"), Ok('X'));
        let code = CreditCode::synthetic('5', '3', "110105", "40000000").unwrap();
        assert_eq!(code.organisation_code(), "40000000X");
    }

    // ---- each error variant ----

    #[test]
    fn wrong_length() {
        assert_eq!(
            CreditCode::parse("91350100M000100Y4"),
            Err(CreditCodeError::WrongLength {
                expected: 18,
                found: 17
            })
        );
        // 18 characters of 3 bytes each: a character count, not a byte count.
        assert_eq!(
            CreditCode::parse("统一社会信用代码统一社会信用代码统一"),
            Err(CreditCodeError::InvalidChar {
                position: 1,
                found: '统'
            })
        );
    }

    #[test]
    fn excluded_letters_are_named() {
        for letter in EXCLUDED {
            let text = format!("91350100M000100{letter}43");
            assert_eq!(
                CreditCode::parse(&text),
                Err(CreditCodeError::ExcludedLetter {
                    position: 16,
                    found: letter
                })
            );
        }
        // Lower-case excluded letters are reported upper-cased.
        assert_eq!(
            CreditCode::parse("91350100M000100o43"),
            Err(CreditCodeError::ExcludedLetter {
                position: 16,
                found: 'O'
            })
        );
    }

    #[test]
    fn invalid_chars() {
        assert_eq!(
            CreditCode::parse("91350100M000-00Y43"),
            Err(CreditCodeError::InvalidChar {
                position: 13,
                found: '-'
            })
        );
        assert_eq!(
            CreditCode::parse("91350100M000100Y4é"),
            Err(CreditCodeError::InvalidChar {
                position: 18,
                found: 'é'
            })
        );
    }

    #[test]
    fn division_must_be_digits() {
        let first17 = "913501A0M000100Y4";
        let check = check_char(first17).unwrap();
        assert_eq!(
            CreditCode::parse(&format!("{first17}{check}")),
            Err(CreditCodeError::NonDigitDivision {
                position: 7,
                found: 'A'
            })
        );
    }

    #[test]
    fn non_digit_authority_is_accepted() {
        // stdnum rejects these; the standard allows them (rules.md §8.2).
        for authority in ['Y', 'N', 'A'] {
            let code = CreditCode::synthetic(authority, '1', "110105", "MA000001").unwrap();
            assert_eq!(code.registration_authority(), authority);
            assert!(CreditCode::parse(code.as_str()).is_ok());
        }
    }

    #[test]
    fn org_check_mismatch() {
        // Position 17 changed from 4 to 5 and position 18 recomputed: only the embedded check fails.
        let first17 = "91350100M000100Y5";
        let check = check_char(first17).unwrap();
        assert_eq!(
            CreditCode::parse(&format!("{first17}{check}")),
            Err(CreditCodeError::OrgCheckMismatch {
                expected: '4',
                found: '5'
            })
        );
    }

    #[test]
    fn constructor_errors() {
        assert_eq!(
            CreditCode::synthetic('5', '1', "11010", "MJ000001"),
            Err(CreditCodeError::WrongLength {
                expected: 6,
                found: 5
            })
        );
        assert_eq!(
            CreditCode::synthetic('5', '1', "110101", "MJ00001"),
            Err(CreditCodeError::WrongLength {
                expected: 8,
                found: 7
            })
        );
        assert_eq!(
            CreditCode::synthetic('5', 'I', "110101", "MJ000001"),
            Err(CreditCodeError::ExcludedLetter {
                position: 2,
                found: 'I'
            })
        );
        assert_eq!(
            CreditCode::synthetic('5', '1', "11010X", "MJ000001"),
            Err(CreditCodeError::NonDigitDivision {
                position: 8,
                found: 'X'
            })
        );
        assert_eq!(
            CreditCode::synthetic('5', '1', "110101", "MJ0中0001"),
            Err(CreditCodeError::InvalidChar {
                position: 12,
                found: '中'
            })
        );
        assert_eq!(
            check_char("91350100M000100Y"),
            Err(CreditCodeError::WrongLength {
                expected: 17,
                found: 16
            })
        );
        assert_eq!(
            org_check_char("M000-00Y"),
            Err(CreditCodeError::InvalidChar {
                position: 5,
                found: '-'
            })
        );
        assert_eq!(
            org_check_char("M000100"),
            Err(CreditCodeError::WrongLength {
                expected: 8,
                found: 7
            })
        );
    }

    #[test]
    fn error_codes_and_messages() {
        let cases = [
            (
                CreditCodeError::WrongLength {
                    expected: 18,
                    found: 17,
                },
                "credit_code.wrong_length",
                "wrong length: expected 18 characters, found 17",
            ),
            (
                CreditCodeError::ExcludedLetter {
                    position: 16,
                    found: 'O',
                },
                "credit_code.excluded_letter",
                "letter 'O' at position 16 is not used (I, O, Z, S and V are excluded)",
            ),
            (
                CreditCodeError::InvalidChar {
                    position: 13,
                    found: '-',
                },
                "credit_code.invalid_char",
                "invalid character '-' at position 13",
            ),
            (
                CreditCodeError::NonDigitDivision {
                    position: 7,
                    found: 'A',
                },
                "credit_code.non_digit_division",
                "division code (positions 3-8) has non-digit 'A' at position 7",
            ),
            (
                CreditCodeError::CheckCharMismatch {
                    expected: '3',
                    found: '2',
                },
                "credit_code.check_char_mismatch",
                "check character mismatch: expected '3', found '2'",
            ),
            (
                CreditCodeError::OrgCheckMismatch {
                    expected: '4',
                    found: '5',
                },
                "credit_code.org_check_mismatch",
                "organisation code check mismatch (position 17): expected '4', found '5'",
            ),
        ];
        for (error, code, message) in cases {
            assert_eq!(error.code(), code);
            assert_eq!(error.to_string(), message);
        }
    }

    // ---- property tests ----

    const ALPHABET_REGEX: &str = "[0-9A-HJ-NPQRTUWXY]";

    fn arb_code() -> impl Strategy<Value = CreditCode> {
        (
            ALPHABET_REGEX,
            ALPHABET_REGEX,
            "[0-9]{6}",
            "[0-9A-HJ-NPQRTUWXY]{8}",
        )
            .prop_map(|(a, t, d, b)| {
                let a = a.chars().next().unwrap();
                let t = t.chars().next().unwrap();
                CreditCode::synthetic(a, t, &d, &b).unwrap()
            })
    }

    proptest! {
        #[test]
        fn synthetic_codes_parse_and_round_trip(code in arb_code()) {
            let parsed = CreditCode::parse(code.as_str()).unwrap();
            prop_assert_eq!(&parsed, &code);
            prop_assert_eq!(&CreditCode::parse(&code.as_str().to_lowercase()).unwrap(), &code);
            prop_assert_eq!(
                check_char(&code.as_str()[..17]).unwrap(),
                code.as_str().chars().last().unwrap()
            );
            prop_assert_eq!(code.is_civil_affairs(), code.registration_authority() == '5');
        }

        #[test]
        fn every_single_character_change_is_detected(
            code in arb_code(), position in 0usize..18, replacement in "[0-9A-Z]"
        ) {
            let mut chars: Vec<char> = code.as_str().chars().collect();
            let replacement = replacement.chars().next().unwrap();
            prop_assume!(chars[position] != replacement);
            chars[position] = replacement;
            let changed: String = chars.into_iter().collect();
            prop_assert!(CreditCode::parse(&changed).is_err(), "{} accepted", changed);
        }

        #[test]
        fn adjacent_transpositions_are_detected(code in arb_code(), position in 0usize..17) {
            // Weights 3^(i-1) mod 31 differ between neighbours and 31 is prime, so swapping two
            // different neighbours always changes the sum mod 31.
            let mut chars: Vec<char> = code.as_str().chars().collect();
            prop_assume!(chars[position] != chars[position + 1]);
            chars.swap(position, position + 1);
            let changed: String = chars.into_iter().collect();
            prop_assert!(CreditCode::parse(&changed).is_err(), "{} accepted", changed);
        }

        #[test]
        fn arbitrary_strings_never_panic(text in any::<String>(), a in any::<char>(), t in any::<char>()) {
            let _ = CreditCode::parse(&text);
            let _ = check_char(&text);
            let _ = org_check_char(&text);
            let _ = CreditCode::synthetic(a, t, &text, &text);
            let _ = CreditCode::synthetic(a, t, "110101", "MJ000001");
        }

        #[test]
        fn code_shaped_strings_never_panic(text in "[0-9A-Za-z中é -]{16,19}") {
            if let Ok(code) = CreditCode::parse(&text) {
                let _ = (code.organisation_code(), code.division_code(), code.organisation_type());
            }
        }
    }
}
