//! Administrative division codes from the county down: the 12-digit statistical division code
//! (统计用区划代码) of the National Bureau of Statistics, and the urban/rural [`Area`] of a unit.
//!
//! A code is the 6-digit GB/T 2260 county code, a 3-digit township-level code and a 3-digit
//! village-level code (rules.md §8.3). Ranges of the township-level part (GB/T 10114-2003):
//! 001–099 streets (街道), 100–199 towns (镇), 200–399 townships (乡), 400–599
//! government-enterprise units (政企合一单位: farms, forestry centres, development zones). Of the
//! village-level part: 001–199 residents' committees (居委会, "communities"), 200–399 village
//! committees (村委会).
//!
//! Decisions where the sources stop (documented here because [`DivisionCode::level`] depends on
//! them):
//! - Township-level codes 100–999 all report [`DivisionLevel::Town`]. Townships (乡) are towns for
//!   every purpose of this system; government-enterprise units (400–599) sit at the same level and,
//!   like towns, are not street offices; 600–999 are not assigned by the standard, but rejecting
//!   them would break on data we have not seen, and the tree position is still certain.
//! - Village-level codes 200–999 report [`DivisionLevel::Village`]; only 001–199 are communities.
//!   The same reasoning: the code's position in the tree is certain, its kind is a best guess.
//! - A code with a village-level part but township part `000` has no parent in the tree and is
//!   rejected. So is county code `000000`.
//! - The county part is not checked against GB/T 2260. A 6-digit code ending in `00` (a prefecture)
//!   is accepted as a county, because prefecture-level cities without counties (东莞 441900,
//!   中山 442000, 嘉峪关 620200, 儋州 460400) have towns directly below them.

use std::fmt;
use std::str::FromStr;

/// Why a text is not a valid division code. Positions are 1-based and count characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DivisionCodeError {
    /// Neither 6 nor 12 characters (after trimming).
    #[error("wrong length: expected 6 or 12 digits, found {found} characters")]
    WrongLength {
        /// The number of characters found.
        found: usize,
    },
    /// A character that is not an ASCII digit.
    #[error("invalid character {found:?} at position {position}: only digits are allowed")]
    InvalidChar {
        /// 1-based character position.
        position: usize,
        /// The offending character.
        found: char,
    },
    /// The county part (digits 1–6) is `000000`.
    #[error("county code (digits 1-6) is 000000")]
    ZeroCounty,
    /// A village-level part (digits 10–12) under township part `000`.
    #[error("village-level code {village} (digits 10-12) has no township (digits 7-9 are 000)")]
    VillageWithoutTownship {
        /// The three village-level digits.
        village: String,
    },
}

impl DivisionCodeError {
    /// A stable machine-readable code, used as the Fluent message id by the web layer.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::WrongLength { .. } => "division.wrong_length",
            Self::InvalidChar { .. } => "division.invalid_char",
            Self::ZeroCounty => "division.zero_county",
            Self::VillageWithoutTownship { .. } => "division.village_without_township",
        }
    }
}

/// The level of a unit in the tree below the county, derived from its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DivisionLevel {
    /// County-level unit (区/县/县级市; digits 7–12 are zero).
    County,
    /// Street office (街道), township-level code 001–099.
    Street,
    /// Town (镇, 100–199), township (乡, 200–399) or other township-level unit (400–999).
    Town,
    /// Residents' committee (居委会, 社区), village-level code 001–199.
    Community,
    /// Village committee (村委会), village-level code 200–399 (and 400–999, see the module docs).
    Village,
}

/// A 12-digit statistical division code of a county or a unit below it.
///
/// Invariant: 12 ASCII digits, county part not `000000`, village part `000` whenever the township
/// part is `000`. Ordering is numeric order, so a unit sorts right after its parent.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DivisionCode(String);

impl DivisionCode {
    /// Parses 12 digits, or 6 digits meaning the county itself (padded with `000000`). Surrounding
    /// whitespace is trimmed.
    ///
    /// # Errors
    /// Any [`DivisionCodeError`] variant; the first problem found.
    pub fn parse(text: &str) -> Result<Self, DivisionCodeError> {
        let text = text.trim();
        let found = text.chars().count();
        if found != 6 && found != 12 {
            return Err(DivisionCodeError::WrongLength { found });
        }
        if let Some((index, c)) = text.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
            return Err(DivisionCodeError::InvalidChar {
                position: index + 1,
                found: c,
            });
        }
        // All ASCII digits from here on, so byte slicing is safe.
        let code = if found == 6 {
            format!("{text}000000")
        } else {
            text.to_owned()
        };
        if &code[..6] == "000000" {
            return Err(DivisionCodeError::ZeroCounty);
        }
        if &code[6..9] == "000" && &code[9..] != "000" {
            return Err(DivisionCodeError::VillageWithoutTownship {
                village: code[9..].to_owned(),
            });
        }
        Ok(Self(code))
    }

    /// The full 12-digit code.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 6-digit county part (GB/T 2260).
    #[must_use]
    pub fn county_code(&self) -> &str {
        &self.0[..6]
    }

    /// The 3-digit township-level part (`000` for a county).
    #[must_use]
    pub fn township_part(&self) -> &str {
        &self.0[6..9]
    }

    /// The 3-digit village-level part (`000` for a county, street or town).
    #[must_use]
    pub fn village_part(&self) -> &str {
        &self.0[9..]
    }

    /// The level, derived from the code; see the module docs for the ranges.
    #[must_use]
    pub fn level(&self) -> DivisionLevel {
        if self.village_part() != "000" {
            // "001"–"199" sort before "200" as text because both are three ASCII digits.
            if self.village_part() < "200" {
                DivisionLevel::Community
            } else {
                DivisionLevel::Village
            }
        } else if self.township_part() == "000" {
            DivisionLevel::County
        } else if self.township_part() < "100" {
            DivisionLevel::Street
        } else {
            DivisionLevel::Town
        }
    }

    /// The unit directly above: the street or town of a community or village, the county of a
    /// street or town, and `None` for a county (the tree here starts at the county).
    #[must_use]
    pub fn parent(&self) -> Option<Self> {
        let zeros = match self.level() {
            DivisionLevel::County => return None,
            DivisionLevel::Street | DivisionLevel::Town => 6,
            DivisionLevel::Community | DivisionLevel::Village => 3,
        };
        let keep = 12 - zeros;
        Some(Self(format!("{}{}", &self.0[..keep], "0".repeat(zeros))))
    }

    /// The county this unit belongs to (itself for a county).
    #[must_use]
    pub fn county(&self) -> Self {
        Self(format!("{}000000", self.county_code()))
    }

    /// Whether this unit is `ancestor` or lies below it. Every code is within itself.
    #[must_use]
    pub fn is_within(&self, ancestor: &Self) -> bool {
        let significant = match ancestor.level() {
            DivisionLevel::County => 6,
            DivisionLevel::Street | DivisionLevel::Town => 9,
            DivisionLevel::Community | DivisionLevel::Village => 12,
        };
        self.0[..significant] == ancestor.0[..significant]
    }
}

impl fmt::Display for DivisionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for DivisionCode {
    type Err = DivisionCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Urban or rural, as stored in data files and the database (`"urban"`, `"rural"`). Which one
/// applies decides, for example, whether the urban or the rural 低保 standard is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Area {
    /// 城市 / 城镇.
    Urban,
    /// 农村 / 乡村.
    Rural,
}

impl Area {
    /// The data code: `"urban"` or `"rural"`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Urban => "urban",
            Self::Rural => "rural",
        }
    }

    /// Parses the data code, exactly `"urban"` or `"rural"` (data codes are not user input, so no
    /// trimming or case folding: a mismatch means damaged data and should surface).
    ///
    /// # Errors
    /// [`ParseAreaError`] for anything else.
    pub fn parse(text: &str) -> Result<Self, ParseAreaError> {
        match text {
            "urban" => Ok(Self::Urban),
            "rural" => Ok(Self::Rural),
            _ => Err(ParseAreaError {
                text: text.to_owned(),
            }),
        }
    }

    /// Maps an NBS urban-rural class code (城乡分类代码) of a village-level unit: 111 main urban
    /// area, 112 urban-rural fringe, 121 town centre, 122 town-village fringe, 123 special area are
    /// urban (城镇); 210 township centre and 220 village are rural (乡村). `None` for other codes.
    #[must_use]
    pub fn from_urban_rural_class(code: u16) -> Option<Self> {
        match code {
            111 | 112 | 121 | 122 | 123 => Some(Self::Urban),
            210 | 220 => Some(Self::Rural),
            _ => None,
        }
    }
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Area {
    type Err = ParseAreaError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A data code that is neither `"urban"` nor `"rural"`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown area code {text:?}: expected \"urban\" or \"rural\"")]
pub struct ParseAreaError {
    /// The text found.
    pub text: String,
}

impl ParseAreaError {
    /// A stable machine-readable code, used as the Fluent message id by the web layer.
    #[must_use]
    pub fn code(&self) -> &'static str {
        "division.unknown_area"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code(text: &str) -> DivisionCode {
        DivisionCode::parse(text).unwrap()
    }

    #[test]
    fn six_digits_mean_the_county() {
        let county = code("110105");
        assert_eq!(county.as_str(), "110105000000");
        assert_eq!(county, code("110105000000"));
        assert_eq!(county.county_code(), "110105");
        assert_eq!(county.level(), DivisionLevel::County);
        assert_eq!(county.parent(), None);
        assert_eq!(county.to_string(), "110105000000");
        assert_eq!(" 110105 ".parse::<DivisionCode>(), Ok(county));
    }

    #[test]
    fn levels_follow_the_ranges() {
        let cases = [
            ("110105001000", DivisionLevel::Street),
            ("110105099000", DivisionLevel::Street),
            ("110105100000", DivisionLevel::Town),
            ("110105199000", DivisionLevel::Town),
            ("110105200000", DivisionLevel::Town), // 乡
            ("110105399000", DivisionLevel::Town),
            ("110105400000", DivisionLevel::Town), // government-enterprise unit
            ("110105599000", DivisionLevel::Town),
            ("110105999000", DivisionLevel::Town), // unassigned range, see module docs
            ("110105001001", DivisionLevel::Community),
            ("110105001199", DivisionLevel::Community),
            ("110105102200", DivisionLevel::Village),
            ("110105102399", DivisionLevel::Village),
            ("110105102400", DivisionLevel::Village), // unassigned range, see module docs
            ("110105102999", DivisionLevel::Village),
        ];
        for (text, level) in cases {
            assert_eq!(code(text).level(), level, "{text}");
        }
    }

    #[test]
    fn real_unit_from_rules_source() {
        // 220581102000 (suixincha.cn, rules.md §8.3): a town under county-level city 220581.
        let town = code("220581102000");
        assert_eq!(town.level(), DivisionLevel::Town);
        assert_eq!(town.parent(), Some(code("220581")));
    }

    #[test]
    fn parents_and_ancestry() {
        let village = code("110105102201");
        let town = code("110105102000");
        let county = code("110105");
        assert_eq!(village.parent(), Some(town.clone()));
        assert_eq!(town.parent(), Some(county.clone()));
        assert_eq!(village.county(), county);
        assert!(village.is_within(&village));
        assert!(village.is_within(&town));
        assert!(village.is_within(&county));
        assert!(town.is_within(&county));
        assert!(!county.is_within(&town));
        assert!(!town.is_within(&village));
        assert!(!village.is_within(&code("110105103000")));
        assert!(!village.is_within(&code("110106")));
        assert!(!code("110105102202").is_within(&village));
    }

    #[test]
    fn prefecture_without_counties_is_a_county() {
        // 东莞市 has towns directly below it.
        let town = code("441900101000");
        assert_eq!(town.parent(), Some(code("441900")));
    }

    #[test]
    fn ordering_is_numeric_and_parents_first() {
        let mut codes = [
            code("110105102201"),
            code("110106"),
            code("110105"),
            code("110105102000"),
            code("110105001000"),
        ];
        codes.sort();
        let sorted: Vec<&str> = codes.iter().map(DivisionCode::as_str).collect();
        assert_eq!(
            sorted,
            [
                "110105000000",
                "110105001000",
                "110105102000",
                "110105102201",
                "110106000000"
            ]
        );
    }

    #[test]
    fn errors() {
        assert_eq!(
            DivisionCode::parse("1101051"),
            Err(DivisionCodeError::WrongLength { found: 7 })
        );
        assert_eq!(
            DivisionCode::parse(""),
            Err(DivisionCodeError::WrongLength { found: 0 })
        );
        assert_eq!(
            DivisionCode::parse("11010510200A"),
            Err(DivisionCodeError::InvalidChar {
                position: 12,
                found: 'A'
            })
        );
        // Six characters, eighteen bytes.
        assert_eq!(
            DivisionCode::parse("北京市朝阳区"),
            Err(DivisionCodeError::InvalidChar {
                position: 1,
                found: '北'
            })
        );
        assert_eq!(
            DivisionCode::parse("000000"),
            Err(DivisionCodeError::ZeroCounty)
        );
        assert_eq!(
            DivisionCode::parse("000000102000"),
            Err(DivisionCodeError::ZeroCounty)
        );
        assert_eq!(
            DivisionCode::parse("110105000201"),
            Err(DivisionCodeError::VillageWithoutTownship {
                village: "201".into()
            })
        );
    }

    #[test]
    fn error_codes_and_messages() {
        let cases = [
            (
                DivisionCodeError::WrongLength { found: 7 },
                "division.wrong_length",
                "wrong length: expected 6 or 12 digits, found 7 characters",
            ),
            (
                DivisionCodeError::InvalidChar {
                    position: 12,
                    found: 'A',
                },
                "division.invalid_char",
                "invalid character 'A' at position 12: only digits are allowed",
            ),
            (
                DivisionCodeError::ZeroCounty,
                "division.zero_county",
                "county code (digits 1-6) is 000000",
            ),
            (
                DivisionCodeError::VillageWithoutTownship {
                    village: "201".into(),
                },
                "division.village_without_township",
                "village-level code 201 (digits 10-12) has no township (digits 7-9 are 000)",
            ),
        ];
        for (error, code, message) in cases {
            assert_eq!(error.code(), code);
            assert_eq!(error.to_string(), message);
        }
        let area = ParseAreaError {
            text: "city".into(),
        };
        assert_eq!(area.code(), "division.unknown_area");
        assert_eq!(
            area.to_string(),
            "unknown area code \"city\": expected \"urban\" or \"rural\""
        );
    }

    #[test]
    fn area_codes() {
        for area in [Area::Urban, Area::Rural] {
            assert_eq!(Area::parse(area.as_str()), Ok(area));
            assert_eq!(area.to_string().parse::<Area>(), Ok(area));
        }
        assert_eq!(Area::Urban.as_str(), "urban");
        assert_eq!(Area::Rural.as_str(), "rural");
        assert_eq!(
            Area::parse("Urban"),
            Err(ParseAreaError {
                text: "Urban".into()
            })
        );
        assert_eq!(Area::from_urban_rural_class(111), Some(Area::Urban));
        assert_eq!(Area::from_urban_rural_class(123), Some(Area::Urban));
        assert_eq!(Area::from_urban_rural_class(210), Some(Area::Rural));
        assert_eq!(Area::from_urban_rural_class(220), Some(Area::Rural));
        assert_eq!(Area::from_urban_rural_class(100), None);
    }

    fn arb_code() -> impl Strategy<Value = DivisionCode> {
        ("[0-9]{6}", 0u16..1000, 0u16..1000).prop_filter_map(
            "valid structure",
            |(county, township, village)| {
                let village = if township == 0 { 0 } else { village };
                DivisionCode::parse(&format!("{county}{township:03}{village:03}")).ok()
            },
        )
    }

    proptest! {
        #[test]
        fn parent_chain_reaches_the_county(c in arb_code()) {
            let mut current = c.clone();
            let mut steps = 0;
            while let Some(parent) = current.parent() {
                let expected_parent_level = match current.level() {
                    DivisionLevel::Street | DivisionLevel::Town => {
                        matches!(parent.level(), DivisionLevel::County)
                    }
                    DivisionLevel::Community | DivisionLevel::Village => {
                        matches!(parent.level(), DivisionLevel::Street | DivisionLevel::Town)
                    }
                    DivisionLevel::County => false,
                };
                prop_assert!(expected_parent_level);
                prop_assert!(c.is_within(&parent));
                prop_assert!(!parent.is_within(&current));
                prop_assert!(parent < current);
                current = parent;
                steps += 1;
            }
            prop_assert!(steps <= 2);
            prop_assert_eq!(current.level(), DivisionLevel::County);
            prop_assert_eq!(&current, &c.county());
            prop_assert_eq!(current.county_code(), c.county_code());
        }

        #[test]
        fn is_within_matches_the_parent_chain(a in arb_code(), b in arb_code()) {
            let mut chain = vec![a.clone()];
            while let Some(parent) = chain.last().and_then(DivisionCode::parent) {
                chain.push(parent);
            }
            prop_assert_eq!(a.is_within(&b), chain.contains(&b));
        }

        #[test]
        fn round_trips_through_text(c in arb_code()) {
            prop_assert_eq!(DivisionCode::parse(c.as_str()), Ok(c.clone()));
            prop_assert_eq!(c.to_string().parse::<DivisionCode>(), Ok(c));
        }

        #[test]
        fn arbitrary_strings_never_panic(text in any::<String>()) {
            if let Ok(c) = DivisionCode::parse(&text) {
                let _ = (c.level(), c.parent(), c.is_within(&c), c.county());
            }
            let _ = Area::parse(&text);
        }

        #[test]
        fn code_shaped_strings_never_panic(text in "[0-9a北 ]{5,13}") {
            if let Ok(c) = DivisionCode::parse(&text) {
                let _ = (c.level(), c.parent(), c.county());
            }
        }
    }
}
