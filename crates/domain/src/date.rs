//! Benefit months and the date helpers the rules need.
//!
//! Benefits are granted, paid and reported per calendar month, so [`Month`] is a type of its
//! own rather than "a date whose day we ignore". Ages decide eligibility (minors, people aged
//! 60+), so [`age_on`] fixes the leap-day convention once.
//!
//! # Accepted date and month text
//!
//! [`parse_date`] and [`Month::parse`] accept three spellings, because dates arrive from web
//! forms (ISO) and from Chinese spreadsheets (slashes or 年月日):
//!
//! | style | date | month |
//! |---|---|---|
//! | ISO | `2013-01-05` (exactly 2-digit month and day) | `2013-01` |
//! | slash | `2013/1/5` or `2013/01/05` | `2013/1` |
//! | Chinese | `2013年1月5日` or `2013年01月05日` | `2013年1月` |
//!
//! The year is always exactly four digits (0001–9999); surrounding whitespace is trimmed;
//! nothing else is accepted (no times, no two-digit years, no full-width digits). The separator
//! after the year fixes the style, so `2013-1/5` is rejected. Error columns are 1-based
//! character (not byte) columns of the untrimmed input.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

/// A calendar month, e.g. the benefit month 2013-01. Ordered chronologically.
///
/// Always a month that [`NaiveDate`] can represent in full, so [`Month::first_day`] and
/// [`Month::last_day`] cannot fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    // Field order matters: the derived Ord compares year first.
    year: i32,
    month: u32,
}

/// What the parser wanted where it found something else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// An ASCII digit.
    Digit,
    /// The separator after the year: `-`, `/` or `年`.
    YearSeparator,
    /// This exact character.
    Char(char),
    /// The end of the input.
    End,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Digit => f.write_str("a digit"),
            Self::YearSeparator => f.write_str("'-', '/' or '年'"),
            Self::Char(c) => write!(f, "{c:?}"),
            Self::End => f.write_str("end of input"),
        }
    }
}

/// Why a month could not be built or parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MonthError {
    #[error("month is empty")]
    Empty,
    #[error("unexpected {found:?} at column {col}, expected {expected}")]
    UnexpectedChar {
        col: usize,
        found: char,
        expected: Expected,
    },
    #[error("input ends at column {col}, expected {expected}")]
    UnexpectedEnd { col: usize, expected: Expected },
    #[error("year {year} is out of range")]
    YearOutOfRange { year: i32 },
    #[error("month {month} is not 1-12")]
    MonthOutOfRange { month: u32 },
}

impl MonthError {
    /// Stable machine code for translation and API clients.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "month.empty",
            Self::UnexpectedChar { .. } => "month.unexpected_char",
            Self::UnexpectedEnd { .. } => "month.unexpected_end",
            Self::YearOutOfRange { .. } => "month.year_out_of_range",
            Self::MonthOutOfRange { .. } => "month.month_out_of_range",
        }
    }
}

/// Why a date string was rejected by [`parse_date`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("date is empty")]
    Empty,
    #[error("unexpected {found:?} at column {col}, expected {expected}")]
    UnexpectedChar {
        col: usize,
        found: char,
        expected: Expected,
    },
    #[error("input ends at column {col}, expected {expected}")]
    UnexpectedEnd { col: usize, expected: Expected },
    #[error("year {year} is out of range 1-9999")]
    YearOutOfRange { year: i32 },
    #[error("month {month} is not 1-12")]
    MonthOutOfRange { month: u32 },
    #[error("day {day} does not exist in {year:04}-{month:02}")]
    DayOutOfRange { year: i32, month: u32, day: u32 },
}

impl DateError {
    /// Stable machine code for translation and API clients.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "date.empty",
            Self::UnexpectedChar { .. } => "date.unexpected_char",
            Self::UnexpectedEnd { .. } => "date.unexpected_end",
            Self::YearOutOfRange { .. } => "date.year_out_of_range",
            Self::MonthOutOfRange { .. } => "date.month_out_of_range",
            Self::DayOutOfRange { .. } => "date.day_out_of_range",
        }
    }
}

impl Month {
    /// A month; fails if `month` is not 1–12 or the year is outside what [`NaiveDate`] holds.
    pub fn new(year: i32, month: u32) -> Result<Month, MonthError> {
        if !(1..=12).contains(&month) {
            return Err(MonthError::MonthOutOfRange { month });
        }
        if NaiveDate::from_ymd_opt(year, month, 1).is_none()
            || last_day_of_month(year, month).is_none()
        {
            return Err(MonthError::YearOutOfRange { year });
        }
        Ok(Month { year, month })
    }

    /// Parses `2013-01`, `2013/1` or `2013年1月` (see the module docs).
    pub fn parse(input: &str) -> Result<Month, MonthError> {
        let mut sc = Scanner::new(input).ok_or(MonthError::Empty)?;
        let (year, style) = sc.year_and_style()?;
        let month = match style {
            Style::Iso => sc.number(2, 2)?,
            Style::Slash => sc.number(1, 2)?,
            Style::Chinese => {
                let m = sc.number(1, 2)?;
                sc.char('月')?;
                m
            }
        };
        sc.end()?;
        if year == 0 {
            return Err(MonthError::YearOutOfRange { year });
        }
        Month::new(year, month)
    }

    /// The month containing `date`.
    pub fn of(date: NaiveDate) -> Month {
        // Every month of a year NaiveDate can hold is complete (its range is whole years), so
        // no validation is needed.
        Month {
            year: date.year(),
            month: date.month(),
        }
    }

    pub const fn year(self) -> i32 {
        self.year
    }

    /// 1–12.
    pub const fn month(self) -> u32 {
        self.month
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1)
            .expect("Month::new and Month::of only admit months NaiveDate holds in full")
    }

    pub fn last_day(self) -> NaiveDate {
        last_day_of_month(self.year, self.month)
            .expect("Month::new and Month::of only admit months NaiveDate holds in full")
    }

    /// Number of days in the month (28–31).
    pub fn days(self) -> u32 {
        self.last_day().day()
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        Month::of(date) == self
    }

    /// The following month; `None` past the last month [`NaiveDate`] holds.
    pub fn next(self) -> Option<Month> {
        self.add_months(1)
    }

    /// The preceding month; `None` before the first month [`NaiveDate`] holds.
    pub fn prev(self) -> Option<Month> {
        self.add_months(-1)
    }

    /// The month `n` months later (earlier if negative).
    pub fn add_months(self, n: i32) -> Option<Month> {
        let index = self.index() + i64::from(n);
        let year = i32::try_from(index.div_euclid(12)).ok()?;
        let month = u32::try_from(index.rem_euclid(12) + 1).ok()?;
        Month::new(year, month).ok()
    }

    /// How many months `self` is after `earlier` (negative if before): 2013-06 is 5 months
    /// after 2013-01.
    pub fn months_since(self, earlier: Month) -> i64 {
        self.index() - earlier.index()
    }

    /// `self`, its successors, …, up to and including `end`; empty if `end` is earlier.
    pub fn months_until_inclusive(self, end: Month) -> impl Iterator<Item = Month> {
        std::iter::successors(Some(self).filter(|m| *m <= end), move |m| {
            m.next().filter(|n| *n <= end)
        })
    }

    fn index(self) -> i64 {
        i64::from(self.year) * 12 + i64::from(self.month) - 1
    }
}

impl fmt::Display for Month {
    /// `2013-01`; years outside 0–9999 are written like chrono does (`+10000-01`, `-0001-01`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.year {
            y if (0..=9999).contains(&y) => write!(f, "{y:04}-{:02}", self.month),
            y if y > 9999 => write!(f, "+{y}-{:02}", self.month),
            y => write!(f, "-{:04}-{:02}", y.unsigned_abs(), self.month),
        }
    }
}

impl FromStr for Month {
    type Err = MonthError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Month::parse(s)
    }
}

/// The last day of a month; `None` if `month` is not 1–12 or the year is out of range.
pub fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    // Trying 31, 30, 29, 28 avoids computing "first of next month", which would fail for the
    // last month chrono can represent.
    (28..=31)
        .rev()
        .find_map(|day| NaiveDate::from_ymd_opt(year, month, day))
}

/// Age in full years on `on`; `None` if `on` is before `birth`.
///
/// A birthday counts from the start of its day. Someone born on 29 February turns a year
/// older on 1 March in non-leap years (the usual reading in Chinese civil practice, and what
/// comparing (month, day) pairs gives).
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> Option<u32> {
    if on < birth {
        return None;
    }
    let mut years = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    u32::try_from(years).ok()
}

/// Parses `2013-01-05`, `2013/1/5` or `2013年1月5日` (see the module docs).
pub fn parse_date(input: &str) -> Result<NaiveDate, DateError> {
    let mut sc = Scanner::new(input).ok_or(DateError::Empty)?;
    let (year, style) = sc.year_and_style()?;
    let (month, day) = match style {
        Style::Iso => {
            let m = sc.number(2, 2)?;
            sc.char('-')?;
            (m, sc.number(2, 2)?)
        }
        Style::Slash => {
            let m = sc.number(1, 2)?;
            sc.char('/')?;
            (m, sc.number(1, 2)?)
        }
        Style::Chinese => {
            let m = sc.number(1, 2)?;
            sc.char('月')?;
            let d = sc.number(1, 2)?;
            sc.char('日')?;
            (m, d)
        }
    };
    sc.end()?;
    if year == 0 {
        return Err(DateError::YearOutOfRange { year });
    }
    if !(1..=12).contains(&month) {
        return Err(DateError::MonthOutOfRange { month });
    }
    NaiveDate::from_ymd_opt(year, month, day).ok_or(DateError::DayOutOfRange { year, month, day })
}

/// Lexical errors shared by the month and date parsers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syntax {
    UnexpectedChar {
        col: usize,
        found: char,
        expected: Expected,
    },
    UnexpectedEnd {
        col: usize,
        expected: Expected,
    },
}

impl From<Syntax> for MonthError {
    fn from(s: Syntax) -> Self {
        match s {
            Syntax::UnexpectedChar {
                col,
                found,
                expected,
            } => MonthError::UnexpectedChar {
                col,
                found,
                expected,
            },
            Syntax::UnexpectedEnd { col, expected } => MonthError::UnexpectedEnd { col, expected },
        }
    }
}

impl From<Syntax> for DateError {
    fn from(s: Syntax) -> Self {
        match s {
            Syntax::UnexpectedChar {
                col,
                found,
                expected,
            } => DateError::UnexpectedChar {
                col,
                found,
                expected,
            },
            Syntax::UnexpectedEnd { col, expected } => DateError::UnexpectedEnd { col, expected },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Iso,
    Slash,
    Chinese,
}

/// Walks the trimmed input by characters (never by byte offsets, so any UTF-8 is safe).
struct Scanner {
    chars: Vec<char>,
    pos: usize,
    /// Characters trimmed from the front, so columns refer to the caller's input.
    lead: usize,
}

impl Scanner {
    /// `None` if the input is blank.
    fn new(input: &str) -> Option<Scanner> {
        let lead = input.chars().take_while(|c| c.is_whitespace()).count();
        let chars: Vec<char> = input.trim().chars().collect();
        (!chars.is_empty()).then_some(Scanner {
            chars,
            pos: 0,
            lead,
        })
    }

    fn col(&self) -> usize {
        self.lead + self.pos + 1
    }

    fn fail(&self, expected: Expected) -> Syntax {
        match self.chars.get(self.pos) {
            Some(&found) => Syntax::UnexpectedChar {
                col: self.col(),
                found,
                expected,
            },
            None => Syntax::UnexpectedEnd {
                col: self.col(),
                expected,
            },
        }
    }

    /// Between `min` and `max` (≤ 4) ASCII digits as a number.
    fn number(&mut self, min: usize, max: usize) -> Result<u32, Syntax> {
        let mut value = 0u32;
        let mut count = 0;
        while count < max {
            match self.chars.get(self.pos).and_then(|c| c.to_digit(10)) {
                // to_digit(10) also accepts only ASCII 0-9, so full-width digits fall through.
                Some(d) => {
                    value = value * 10 + d;
                    count += 1;
                    self.pos += 1;
                }
                None => break,
            }
        }
        if count < min {
            return Err(self.fail(Expected::Digit));
        }
        Ok(value)
    }

    fn char(&mut self, want: char) -> Result<(), Syntax> {
        if self.chars.get(self.pos) == Some(&want) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.fail(Expected::Char(want)))
        }
    }

    fn year_and_style(&mut self) -> Result<(i32, Style), Syntax> {
        let year = self.number(4, 4)?;
        let style = match self.chars.get(self.pos) {
            Some('-') => Style::Iso,
            Some('/') => Style::Slash,
            Some('年') => Style::Chinese,
            _ => return Err(self.fail(Expected::YearSeparator)),
        };
        self.pos += 1;
        let year = i32::try_from(year).expect("four decimal digits fit in i32");
        Ok((year, style))
    }

    fn end(&self) -> Result<(), Syntax> {
        if self.pos == self.chars.len() {
            Ok(())
        } else {
            Err(self.fail(Expected::End))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn m(y: i32, mo: u32) -> Month {
        Month::new(y, mo).unwrap()
    }

    #[test]
    fn month_basics() {
        let jan = m(2013, 1);
        assert_eq!(jan.to_string(), "2013-01");
        assert_eq!(jan.first_day(), d(2013, 1, 1));
        assert_eq!(jan.last_day(), d(2013, 1, 31));
        assert_eq!(m(2012, 2).last_day(), d(2012, 2, 29));
        assert_eq!(m(2013, 2).days(), 28);
        assert_eq!(jan.next(), Some(m(2013, 2)));
        assert_eq!(jan.prev(), Some(m(2012, 12)));
        assert_eq!(m(2013, 12).next(), Some(m(2014, 1)));
        assert_eq!(jan.add_months(17), Some(m(2014, 6)));
        assert_eq!(jan.add_months(-13), Some(m(2011, 12)));
        assert_eq!(jan.add_months(0), Some(jan));
        assert_eq!(Month::of(d(2013, 6, 30)), m(2013, 6));
        assert!(m(2013, 6).contains(d(2013, 6, 1)));
        assert!(!m(2013, 6).contains(d(2013, 7, 1)));
        assert!(m(2012, 12) < jan && jan < m(2013, 2));
        assert_eq!(m(2013, 6).months_since(jan), 5);
        assert_eq!(jan.months_since(m(2013, 6)), -5);
        assert_eq!(m(5, 3).to_string(), "0005-03");
        assert_eq!("2013-06".parse::<Month>(), Ok(m(2013, 6)));
    }

    #[test]
    fn months_until_inclusive_covers_the_half_year() {
        let half: Vec<_> = m(2013, 1).months_until_inclusive(m(2013, 6)).collect();
        assert_eq!(half.len(), 6);
        assert_eq!(half.first(), Some(&m(2013, 1)));
        assert_eq!(half.last(), Some(&m(2013, 6)));
        assert_eq!(m(2013, 1).months_until_inclusive(m(2013, 1)).count(), 1);
        assert_eq!(m(2013, 2).months_until_inclusive(m(2013, 1)).count(), 0);
        assert_eq!(m(2012, 11).months_until_inclusive(m(2013, 2)).count(), 4);
    }

    #[test]
    fn month_edges_of_chrono_range() {
        let first = Month::of(NaiveDate::MIN);
        let last = Month::of(NaiveDate::MAX);
        assert_eq!(first.first_day(), NaiveDate::MIN);
        assert_eq!(last.last_day(), NaiveDate::MAX);
        assert_eq!(first.prev(), None);
        assert_eq!(last.next(), None);
        assert_eq!(last.months_until_inclusive(last).count(), 1);
        assert_eq!(first.add_months(i32::MIN), None);
        assert_eq!(last.add_months(i32::MAX), None);
        assert_eq!(
            Month::new(i32::MAX, 1),
            Err(MonthError::YearOutOfRange { year: i32::MAX })
        );
        assert_eq!(
            Month::new(2013, 0),
            Err(MonthError::MonthOutOfRange { month: 0 })
        );
        assert_eq!(
            Month::new(2013, 13),
            Err(MonthError::MonthOutOfRange { month: 13 })
        );
        assert_eq!(last.to_string(), format!("+{}-12", last.year()));
        assert_eq!(m(-1, 1).to_string(), "-0001-01");
    }

    #[test]
    fn month_parse_styles_and_errors() {
        use MonthError::*;
        assert_eq!(Month::parse("2013-01"), Ok(m(2013, 1)));
        assert_eq!(Month::parse(" 2013/1 "), Ok(m(2013, 1)));
        assert_eq!(Month::parse("2013/12"), Ok(m(2013, 12)));
        assert_eq!(Month::parse("2013年6月"), Ok(m(2013, 6)));
        assert_eq!(Month::parse("2013年06月"), Ok(m(2013, 6)));
        assert_eq!(Month::parse(""), Err(Empty));
        assert_eq!(Month::parse(" \t"), Err(Empty));
        assert_eq!(
            Month::parse("2013-1"),
            Err(UnexpectedEnd {
                col: 7,
                expected: Expected::Digit
            })
        );
        assert_eq!(
            Month::parse("13-01"),
            Err(UnexpectedChar {
                col: 3,
                found: '-',
                expected: Expected::Digit
            })
        );
        assert_eq!(
            Month::parse("2013.01"),
            Err(UnexpectedChar {
                col: 5,
                found: '.',
                expected: Expected::YearSeparator
            })
        );
        assert_eq!(
            Month::parse("2013-01-05"),
            Err(UnexpectedChar {
                col: 8,
                found: '-',
                expected: Expected::End
            })
        );
        assert_eq!(
            Month::parse("2013年6"),
            Err(UnexpectedEnd {
                col: 7,
                expected: Expected::Char('月')
            })
        );
        assert_eq!(Month::parse("2013-13"), Err(MonthOutOfRange { month: 13 }));
        assert_eq!(Month::parse("2013-00"), Err(MonthOutOfRange { month: 0 }));
        assert_eq!(Month::parse("0000-01"), Err(YearOutOfRange { year: 0 }));
    }

    #[test]
    fn month_error_codes() {
        use MonthError::*;
        let all = [
            Empty,
            UnexpectedChar {
                col: 1,
                found: 'x',
                expected: Expected::Digit,
            },
            UnexpectedEnd {
                col: 1,
                expected: Expected::End,
            },
            YearOutOfRange { year: 0 },
            MonthOutOfRange { month: 13 },
        ];
        let codes: std::collections::BTreeSet<_> = all.iter().map(MonthError::code).collect();
        assert_eq!(codes.len(), all.len());
        assert!(codes.iter().all(|c| c.starts_with("month.")));
        assert_eq!(
            MonthOutOfRange { month: 13 }.to_string(),
            "month 13 is not 1-12"
        );
    }

    #[test]
    fn parse_date_styles() {
        assert_eq!(parse_date("2013-02-09"), Ok(d(2013, 2, 9)));
        assert_eq!(parse_date("  2013-02-09\n"), Ok(d(2013, 2, 9)));
        assert_eq!(parse_date("2013/2/9"), Ok(d(2013, 2, 9)));
        assert_eq!(parse_date("2013/02/09"), Ok(d(2013, 2, 9)));
        assert_eq!(parse_date("2013年2月9日"), Ok(d(2013, 2, 9)));
        assert_eq!(parse_date("2013年12月31日"), Ok(d(2013, 12, 31)));
        assert_eq!(parse_date("2012-02-29"), Ok(d(2012, 2, 29)));
        assert_eq!(parse_date("0001-01-01"), Ok(d(1, 1, 1)));
        assert_eq!(parse_date("9999-12-31"), Ok(d(9999, 12, 31)));
    }

    #[test]
    fn parse_date_every_error_variant() {
        use DateError::*;
        use Expected::*;
        assert_eq!(parse_date(""), Err(Empty));
        assert_eq!(parse_date("   "), Err(Empty));
        assert_eq!(
            parse_date("2013-2-09"),
            Err(UnexpectedChar {
                col: 7,
                found: '-',
                expected: Digit
            })
        );
        assert_eq!(
            parse_date("2013-02-9"),
            Err(UnexpectedEnd {
                col: 10,
                expected: Digit
            })
        );
        assert_eq!(
            parse_date("2013-02/09"),
            Err(UnexpectedChar {
                col: 8,
                found: '/',
                expected: Char('-')
            })
        );
        assert_eq!(
            parse_date("2013-02-09T00:00"),
            Err(UnexpectedChar {
                col: 11,
                found: 'T',
                expected: End
            })
        );
        assert_eq!(
            parse_date("13-02-09"),
            Err(UnexpectedChar {
                col: 3,
                found: '-',
                expected: Digit
            })
        );
        assert_eq!(
            parse_date("20130209"),
            Err(UnexpectedChar {
                col: 5,
                found: '0',
                expected: YearSeparator
            })
        );
        assert_eq!(
            parse_date("2013"),
            Err(UnexpectedEnd {
                col: 5,
                expected: YearSeparator
            })
        );
        assert_eq!(
            parse_date("２０１３-02-09"),
            Err(UnexpectedChar {
                col: 1,
                found: '２',
                expected: Digit
            })
        );
        assert_eq!(
            parse_date(" 2013年2月9"),
            Err(UnexpectedEnd {
                col: 10,
                expected: Char('日')
            })
        );
        assert_eq!(
            parse_date("2013/123/4"),
            Err(UnexpectedChar {
                col: 8,
                found: '3',
                expected: Char('/')
            })
        );
        assert_eq!(parse_date("0000-01-01"), Err(YearOutOfRange { year: 0 }));
        assert_eq!(parse_date("2013-13-01"), Err(MonthOutOfRange { month: 13 }));
        assert_eq!(parse_date("2013/0/1"), Err(MonthOutOfRange { month: 0 }));
        assert_eq!(
            parse_date("2013-02-29"),
            Err(DayOutOfRange {
                year: 2013,
                month: 2,
                day: 29
            })
        );
        assert_eq!(
            parse_date("2013年4月31日"),
            Err(DayOutOfRange {
                year: 2013,
                month: 4,
                day: 31
            })
        );
        assert_eq!(
            parse_date("2013-01-00"),
            Err(DayOutOfRange {
                year: 2013,
                month: 1,
                day: 0
            })
        );
    }

    #[test]
    fn date_error_codes_and_messages() {
        use DateError::*;
        let all = [
            Empty,
            UnexpectedChar {
                col: 1,
                found: 'x',
                expected: Expected::Digit,
            },
            UnexpectedEnd {
                col: 1,
                expected: Expected::End,
            },
            YearOutOfRange { year: 0 },
            MonthOutOfRange { month: 13 },
            DayOutOfRange {
                year: 2013,
                month: 2,
                day: 30,
            },
        ];
        let codes: std::collections::BTreeSet<_> = all.iter().map(DateError::code).collect();
        assert_eq!(codes.len(), all.len());
        assert!(codes.iter().all(|c| c.starts_with("date.")));
        assert_eq!(
            DayOutOfRange {
                year: 2013,
                month: 2,
                day: 30
            }
            .to_string(),
            "day 30 does not exist in 2013-02"
        );
        assert_eq!(
            UnexpectedChar {
                col: 8,
                found: '/',
                expected: Expected::Char('-')
            }
            .to_string(),
            "unexpected '/' at column 8, expected '-'"
        );
    }

    #[test]
    fn last_day_of_month_cases() {
        assert_eq!(last_day_of_month(2013, 2), Some(d(2013, 2, 28)));
        assert_eq!(last_day_of_month(2000, 2), Some(d(2000, 2, 29)));
        assert_eq!(last_day_of_month(1900, 2), Some(d(1900, 2, 28)));
        assert_eq!(last_day_of_month(2013, 4), Some(d(2013, 4, 30)));
        assert_eq!(last_day_of_month(2013, 12), Some(d(2013, 12, 31)));
        assert_eq!(last_day_of_month(2013, 0), None);
        assert_eq!(last_day_of_month(2013, 13), None);
        assert_eq!(
            last_day_of_month(NaiveDate::MAX.year(), 12),
            Some(NaiveDate::MAX)
        );
        assert_eq!(last_day_of_month(i32::MAX, 1), None);
    }

    #[test]
    fn age_on_cases() {
        let birth = d(1953, 6, 15);
        assert_eq!(age_on(birth, d(2013, 6, 14)), Some(59));
        assert_eq!(age_on(birth, d(2013, 6, 15)), Some(60));
        assert_eq!(age_on(birth, birth), Some(0));
        assert_eq!(age_on(birth, d(1953, 6, 14)), None);
        // Leap-day birth: one year older on 1 March in common years, on 29 Feb in leap years.
        let leap = d(2000, 2, 29);
        assert_eq!(age_on(leap, d(2001, 2, 28)), Some(0));
        assert_eq!(age_on(leap, d(2001, 3, 1)), Some(1));
        assert_eq!(age_on(leap, d(2004, 2, 28)), Some(3));
        assert_eq!(age_on(leap, d(2004, 2, 29)), Some(4));
        assert_eq!(
            age_on(NaiveDate::MIN, NaiveDate::MAX).map(|a| a > 500_000),
            Some(true)
        );
    }

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        (1i32..=9999, 1u32..=12, 1u32..=31)
            .prop_filter_map("valid day", |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
    }

    proptest! {
        #[test]
        fn date_text_round_trips_in_all_styles(date in any_date()) {
            let (y, m, d) = (date.year(), date.month(), date.day());
            prop_assert_eq!(parse_date(&date.format("%Y-%m-%d").to_string()), Ok(date));
            prop_assert_eq!(parse_date(&format!("{y:04}/{m}/{d}")), Ok(date));
            prop_assert_eq!(parse_date(&format!("{y:04}年{m}月{d}日")), Ok(date));
        }

        #[test]
        fn month_text_round_trips(y in 1i32..=9999, mo in 1u32..=12) {
            let month = Month::new(y, mo).unwrap();
            prop_assert_eq!(Month::parse(&month.to_string()), Ok(month));
        }

        #[test]
        fn month_arithmetic_is_consistent(y in 1i32..=9999, mo in 1u32..=12, n in -2000i32..2000) {
            let month = Month::new(y, mo).unwrap();
            if let Some(later) = month.add_months(n) {
                prop_assert_eq!(later.months_since(month), i64::from(n));
                prop_assert_eq!(later.add_months(-n), Some(month));
                let count = month.min(later).months_until_inclusive(month.max(later)).count();
                prop_assert_eq!(count, usize::try_from(n.unsigned_abs()).unwrap() + 1);
            }
            prop_assert!(month.contains(month.first_day()) && month.contains(month.last_day()));
            prop_assert_eq!(month.next().and_then(Month::prev), Some(month));
            prop_assert_eq!(Month::of(month.last_day().succ_opt().unwrap()), month.next().unwrap());
        }

        #[test]
        fn age_increases_exactly_on_birthdays(birth in any_date(), on in any_date()) {
            match age_on(birth, on) {
                None => prop_assert!(on < birth),
                Some(age) => {
                    prop_assert!(on >= birth);
                    // The age-th anniversary has passed, the next one has not. Comparing
                    // (year, month, day) triples reads Feb 29 in a common year as "after
                    // Feb 28", i.e. reached on Mar 1.
                    let anniversary_reached = |years: i32| {
                        (on.year(), on.month(), on.day())
                            >= (birth.year() + years, birth.month(), birth.day())
                    };
                    let age = i32::try_from(age).unwrap();
                    prop_assert!(anniversary_reached(age));
                    prop_assert!(!anniversary_reached(age + 1));
                }
            }
        }

        #[test]
        fn parsers_never_panic(s in any::<String>()) {
            let _ = parse_date(&s);
            let _ = Month::parse(&s);
        }

        #[test]
        fn date_like_strings_never_panic(s in "[ 0-9/年月日-]{0,16}") {
            if let Ok(date) = parse_date(&s) {
                prop_assert!((1..=9999).contains(&date.year()));
            }
            let _ = Month::parse(&s);
        }
    }
}
