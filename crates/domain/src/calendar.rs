//! The working-day calendar: Chinese statutory holidays and make-up working days (调休上班日).
//!
//! Deadlines in the regulations are counted in working days (工作日): weekends and statutory
//! holidays do not count, and the weekend days the State Council declares working days do.
//! The State Council publishes each year's arrangement late in the preceding year, so it cannot
//! be computed; it is **data**, and a date in a year the data does not cover is an error
//! ([`CalendarError::YearNotCovered`]) rather than a guess.
//!
//! A day is a working day if it has an explicit entry of kind [`DayKind::Workday`]; it is a
//! rest day if it has an entry of kind [`DayKind::Holiday`]; otherwise Monday–Friday work and
//! Saturday–Sunday rest.
//!
//! # Seeded data and its provenance
//!
//! [`WorkingCalendar::seeded`] embeds `data/calendar.csv` (columns `date,kind,name`, kind
//! `holiday` or `workday`) covering 2004–2026. It was generated from the PyPI package
//! `chinesecalendar` 1.11.0 (MIT licence, <https://github.com/LKI/chinese-calendar>): one row
//! for every date in the package's `holidays` table and one for every date in its `workdays`
//! table, with the package's English holiday names replaced by Chinese ones (元旦, 春节,
//! 清明节, 劳动节, 端午节, 国庆节, 中秋节, 抗战胜利70周年纪念日). Holidays that fall on a weekend
//! are kept although they change nothing, so the table reads like the State Council notice.
//! The integration test `tests/chinesecalendar_oracle.rs` checks every day of 2004–2026
//! against the package itself.
//!
//! Administrators extend the calendar with the next year's notice; the store loads their table
//! through [`WorkingCalendar::from_entries`], naming the years it covers.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate, Weekday};

use crate::date::{DateError, parse_date};

/// Largest `n` that [`WorkingCalendar::add_working_days`] accepts: about ten years of working
/// days, far beyond any statutory deadline, while keeping the day-by-day walk cheap.
pub const MAX_ADD_WORKING_DAYS: u32 = 2_500;

/// Longest holiday name accepted, in characters; names are labels such as 春节, not notes.
pub const MAX_NAME_CHARS: usize = 32;

/// Years [`WorkingCalendar::seeded`] covers.
pub const SEEDED_YEARS: std::ops::RangeInclusive<i32> = 2004..=2026;

const SEEDED_CSV: &str = include_str!("../data/calendar.csv");

/// Covered years must lie here; it keeps every date walk bounded and every successor date
/// representable.
const YEAR_LIMITS: std::ops::RangeInclusive<i32> = 1..=9999;

/// What an explicit calendar entry declares a day to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DayKind {
    /// A statutory holiday (rest day), including holiday days that fall on a weekend.
    Holiday,
    /// A make-up working day (调休上班日) on a Saturday or Sunday.
    Workday,
}

impl DayKind {
    /// `holiday` or `workday`, as in the CSV and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Holiday => "holiday",
            Self::Workday => "workday",
        }
    }

    /// Inverse of [`DayKind::as_str`]; exact match only.
    pub fn parse(s: &str) -> Option<DayKind> {
        match s {
            "holiday" => Some(Self::Holiday),
            "workday" => Some(Self::Workday),
            _ => None,
        }
    }
}

impl fmt::Display for DayKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One explicit day of the calendar.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CalendarEntry {
    pub date: NaiveDate,
    pub kind: DayKind,
    /// The holiday it belongs to, in Chinese (春节); for a make-up working day, the holiday it
    /// makes up for.
    pub name: String,
}

/// Errors of calendar queries and of loading calendar data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The calendar has no data for this year.
    #[error("the working calendar does not cover year {year}")]
    YearNotCovered { year: i32 },
    /// `add_working_days` was asked for more than [`MAX_ADD_WORKING_DAYS`].
    #[error("{n} working days exceeds the limit of {max}")]
    TooManyWorkingDays { n: u32, max: u32 },
    /// `working_days_between` was given an end before its start.
    #[error("end {end} is before start {start}")]
    EndBeforeStart { start: NaiveDate, end: NaiveDate },
    /// A covered year outside 1–9999.
    #[error("covered year {year} is outside 1-9999")]
    CoveredYearOutOfRange { year: i32 },
    /// Two entries for the same date.
    #[error("two entries for {date}")]
    DuplicateDate { date: NaiveDate },
    /// An entry in a year not listed as covered (a covered-years typo would otherwise silently
    /// drop it).
    #[error("entry {date} lies in a year the calendar does not cover")]
    EntryNotCovered { date: NaiveDate },
    /// A make-up working day on Monday–Friday: meaningless, so almost surely a mistyped date.
    #[error("workday entry {date} is not a Saturday or Sunday")]
    WorkdayOnWeekday { date: NaiveDate },
    /// An entry with a blank name.
    #[error("entry {date} has an empty name")]
    EmptyName { date: NaiveDate },
    /// An entry whose name is longer than [`MAX_NAME_CHARS`].
    #[error("entry {date} has a name longer than {max} characters")]
    NameTooLong { date: NaiveDate, max: usize },
    /// The CSV does not start with the header `date,kind,name`.
    #[error("calendar CSV line 1 is not the header date,kind,name")]
    CsvHeader,
    /// A CSV line without exactly three fields.
    #[error("calendar CSV line {line} has {found} fields, expected 3")]
    CsvFieldCount { line: usize, found: usize },
    /// A CSV line whose date does not parse.
    #[error("calendar CSV line {line}: {error}")]
    CsvDate { line: usize, error: DateError },
    /// A CSV line whose kind is neither `holiday` nor `workday`.
    #[error("calendar CSV line {line}: kind is not holiday or workday")]
    CsvKind { line: usize },
}

impl CalendarError {
    /// Stable machine code for translation and API clients.
    pub fn code(&self) -> &'static str {
        match self {
            Self::YearNotCovered { .. } => "calendar.year_not_covered",
            Self::TooManyWorkingDays { .. } => "calendar.too_many_working_days",
            Self::EndBeforeStart { .. } => "calendar.end_before_start",
            Self::CoveredYearOutOfRange { .. } => "calendar.covered_year_out_of_range",
            Self::DuplicateDate { .. } => "calendar.duplicate_date",
            Self::EntryNotCovered { .. } => "calendar.entry_not_covered",
            Self::WorkdayOnWeekday { .. } => "calendar.workday_on_weekday",
            Self::EmptyName { .. } => "calendar.empty_name",
            Self::NameTooLong { .. } => "calendar.name_too_long",
            Self::CsvHeader => "calendar.csv_header",
            Self::CsvFieldCount { .. } => "calendar.csv_field_count",
            Self::CsvDate { .. } => "calendar.csv_date",
            Self::CsvKind { .. } => "calendar.csv_kind",
        }
    }
}

/// Statutory holidays and make-up working days for a set of covered years.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingCalendar {
    covered: BTreeSet<i32>,
    entries: BTreeMap<NaiveDate, CalendarEntry>,
}

static SEEDED: LazyLock<WorkingCalendar> = LazyLock::new(|| {
    WorkingCalendar::from_csv(SEEDED_YEARS, SEEDED_CSV)
        .expect("the embedded calendar.csv is valid: unit tests load it")
});

impl WorkingCalendar {
    /// The embedded 2004–2026 calendar (see the module docs for its provenance).
    pub fn seeded() -> WorkingCalendar {
        SEEDED.clone()
    }

    /// A calendar from explicit entries, covering exactly `covered_years` (a range or a set;
    /// years may have gaps). Every entry must lie in a covered year, dates must be unique,
    /// names non-blank and short, and workday entries must fall on a weekend.
    pub fn from_entries<Y, E>(
        covered_years: Y,
        entries: E,
    ) -> Result<WorkingCalendar, CalendarError>
    where
        Y: IntoIterator<Item = i32>,
        E: IntoIterator<Item = CalendarEntry>,
    {
        let mut covered = BTreeSet::new();
        for year in covered_years {
            if !YEAR_LIMITS.contains(&year) {
                return Err(CalendarError::CoveredYearOutOfRange { year });
            }
            covered.insert(year);
        }
        let mut map = BTreeMap::new();
        for entry in entries {
            let date = entry.date;
            if !covered.contains(&date.year()) {
                return Err(CalendarError::EntryNotCovered { date });
            }
            if entry.name.trim().is_empty() {
                return Err(CalendarError::EmptyName { date });
            }
            if entry.name.chars().count() > MAX_NAME_CHARS {
                return Err(CalendarError::NameTooLong {
                    date,
                    max: MAX_NAME_CHARS,
                });
            }
            if entry.kind == DayKind::Workday && !is_weekend(date) {
                return Err(CalendarError::WorkdayOnWeekday { date });
            }
            if map.insert(date, entry).is_some() {
                return Err(CalendarError::DuplicateDate { date });
            }
        }
        Ok(WorkingCalendar {
            covered,
            entries: map,
        })
    }

    /// A calendar from CSV text with the header `date,kind,name` (the format of the seeded
    /// data): no quoting, one entry per line, blank lines and a UTF-8 byte-order mark ignored,
    /// `\r\n` accepted. Dates may use any spelling [`parse_date`] accepts.
    pub fn from_csv<Y>(covered_years: Y, csv: &str) -> Result<WorkingCalendar, CalendarError>
    where
        Y: IntoIterator<Item = i32>,
    {
        let csv = csv.strip_prefix('\u{feff}').unwrap_or(csv);
        let mut lines = csv
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.trim_end_matches('\r')));
        match lines.next() {
            Some((_, header)) if header.trim() == "date,kind,name" => {}
            _ => return Err(CalendarError::CsvHeader),
        }
        let mut entries = Vec::new();
        for (line, text) in lines {
            if text.trim().is_empty() {
                continue;
            }
            let fields: Vec<&str> = text.split(',').collect();
            let [date, kind, name] = fields.as_slice() else {
                return Err(CalendarError::CsvFieldCount {
                    line,
                    found: fields.len(),
                });
            };
            let date = parse_date(date).map_err(|error| CalendarError::CsvDate { line, error })?;
            let kind = DayKind::parse(kind.trim()).ok_or(CalendarError::CsvKind { line })?;
            entries.push(CalendarEntry {
                date,
                kind,
                name: name.trim().to_owned(),
            });
        }
        WorkingCalendar::from_entries(covered_years, entries)
    }

    /// The covered years, ascending.
    pub fn covered_years(&self) -> impl Iterator<Item = i32> + '_ {
        self.covered.iter().copied()
    }

    pub fn covers(&self, year: i32) -> bool {
        self.covered.contains(&year)
    }

    /// All explicit entries in date order (the store seeds its table from these).
    pub fn entries(&self) -> impl Iterator<Item = &CalendarEntry> + '_ {
        self.entries.values()
    }

    /// The explicit entry for `date`, if any.
    pub fn entry(&self, date: NaiveDate) -> Option<&CalendarEntry> {
        self.entries.get(&date)
    }

    /// Whether `date` is a working day; an error if its year is not covered.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        self.check_covered(date.year())?;
        Ok(match self.entries.get(&date) {
            Some(entry) => entry.kind == DayKind::Workday,
            None => !is_weekend(date),
        })
    }

    /// The date `n` working days after `date`.
    ///
    /// `date` itself is not counted, whether or not it is a working day: the result is the
    /// `n`-th working day strictly after it. So Friday + 1 is the next Monday (if that is a
    /// working day), and a deadline of "5 working days" from an application made on a Sunday
    /// counts Monday as day 1. `n == 0` returns `date` unchanged. Fails if `n` exceeds
    /// [`MAX_ADD_WORKING_DAYS`] or the walk reaches a year that is not covered.
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        if n > MAX_ADD_WORKING_DAYS {
            return Err(CalendarError::TooManyWorkingDays {
                n,
                max: MAX_ADD_WORKING_DAYS,
            });
        }
        let mut day = date;
        let mut remaining = n;
        while remaining > 0 {
            // Only a date at NaiveDate::MAX has no successor, and its next year is uncovered.
            day = day.succ_opt().ok_or(CalendarError::YearNotCovered {
                year: day.year().saturating_add(1),
            })?;
            if self.is_working_day(day)? {
                remaining -= 1;
            }
        }
        Ok(day)
    }

    /// The number of working days `d` with `start < d <= end`, the inverse of
    /// [`WorkingCalendar::add_working_days`]: if `add_working_days(a, n) == Ok(b)` then
    /// `working_days_between(a, b) == Ok(n)`. Every year of that interval must be covered.
    pub fn working_days_between(
        &self,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<u32, CalendarError> {
        if end < start {
            return Err(CalendarError::EndBeforeStart { start, end });
        }
        if end == start {
            return Ok(0);
        }
        let first = start
            .succ_opt()
            .expect("start < end, so start has a successor");
        // Checking years first bounds the span: covered years lie within 1–9999.
        for year in first.year()..=end.year() {
            self.check_covered(year)?;
        }
        let span = (end - start).num_days();
        // Mon–Fri in (start, end]: 5 per whole week, plus the weekdays of the remainder.
        let remainder = span % 7;
        let mut count = span / 7 * 5;
        let mut day = first;
        for _ in 0..remainder {
            if !is_weekend(day) {
                count += 1;
            }
            day = day
                .succ_opt()
                .expect("the remainder days lie within (start, end]");
        }
        // Entries change the count only when they override the weekday rule: workday entries
        // are always on weekends (from_entries enforces it), holidays matter on weekdays only.
        for entry in self.entries.range(first..=end).map(|(_, e)| e) {
            match entry.kind {
                DayKind::Workday => count += 1,
                DayKind::Holiday if !is_weekend(entry.date) => count -= 1,
                DayKind::Holiday => {}
            }
        }
        Ok(u32::try_from(count).expect("at most 9999 covered years of days, which fits in u32"))
    }

    fn check_covered(&self, year: i32) -> Result<(), CalendarError> {
        if self.covered.contains(&year) {
            Ok(())
        } else {
            Err(CalendarError::YearNotCovered { year })
        }
    }
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn cal() -> WorkingCalendar {
        WorkingCalendar::seeded()
    }

    fn entry(date: NaiveDate, kind: DayKind, name: &str) -> CalendarEntry {
        CalendarEntry {
            date,
            kind,
            name: name.to_owned(),
        }
    }

    #[test]
    fn seeded_data_loads_with_expected_shape() {
        let c = cal();
        assert_eq!(
            c.covered_years().collect::<Vec<_>>(),
            SEEDED_YEARS.collect::<Vec<_>>()
        );
        assert_eq!(c.entries().count(), 771);
        assert_eq!(
            c.entries().filter(|e| e.kind == DayKind::Workday).count(),
            150
        );
        let dates: Vec<_> = c.entries().map(|e| e.date).collect();
        assert!(
            dates.windows(2).all(|w| w[0] < w[1]),
            "entries are in date order"
        );
        let names: BTreeSet<_> = c.entries().map(|e| e.name.as_str()).collect();
        let expected: BTreeSet<_> = [
            "元旦",
            "春节",
            "清明节",
            "劳动节",
            "端午节",
            "国庆节",
            "中秋节",
            "抗战胜利70周年纪念日",
        ]
        .into_iter()
        .collect();
        assert_eq!(names, expected);
        assert!(c.covers(2013) && !c.covers(2027));
    }

    #[test]
    fn spring_festival_2013() {
        let c = cal();
        for day in 9..=15 {
            assert_eq!(
                c.is_working_day(d(2013, 2, day)),
                Ok(false),
                "2013-02-{day}"
            );
            assert_eq!(
                c.entry(d(2013, 2, day)).map(|e| e.name.as_str()),
                Some("春节")
            );
        }
        // Saturday and Sunday made working days.
        assert_eq!(c.is_working_day(d(2013, 2, 16)), Ok(true));
        assert_eq!(c.is_working_day(d(2013, 2, 17)), Ok(true));
        assert_eq!(
            c.entry(d(2013, 2, 16)).map(|e| e.kind),
            Some(DayKind::Workday)
        );
        assert_eq!(c.is_working_day(d(2013, 2, 8)), Ok(true));
        assert_eq!(c.is_working_day(d(2013, 2, 18)), Ok(true));
        // Friday before the festival + 1 working day is the make-up Saturday.
        assert_eq!(c.add_working_days(d(2013, 2, 8), 1), Ok(d(2013, 2, 16)));
        assert_eq!(c.working_days_between(d(2013, 2, 8), d(2013, 2, 16)), Ok(1));
        assert_eq!(
            c.working_days_between(d(2013, 2, 1), d(2013, 2, 28)),
            Ok(16)
        );
    }

    #[test]
    fn plain_weeks_and_special_days() {
        let c = cal();
        // An ordinary Friday → Monday.
        assert_eq!(c.add_working_days(d(2013, 3, 8), 1), Ok(d(2013, 3, 11)));
        assert_eq!(c.add_working_days(d(2013, 3, 8), 5), Ok(d(2013, 3, 15)));
        // From a Sunday, Monday is day 1.
        assert_eq!(c.add_working_days(d(2013, 3, 10), 1), Ok(d(2013, 3, 11)));
        assert_eq!(c.add_working_days(d(2013, 3, 10), 0), Ok(d(2013, 3, 10)));
        assert_eq!(c.is_working_day(d(2013, 3, 9)), Ok(false));
        // 2013 National Day: Sunday 29 Sep works, 1–7 Oct rest, Saturday 12 Oct works.
        assert_eq!(c.is_working_day(d(2013, 9, 29)), Ok(true));
        assert_eq!(c.add_working_days(d(2013, 9, 30), 1), Ok(d(2013, 10, 8)));
        assert_eq!(
            c.working_days_between(d(2013, 9, 28), d(2013, 10, 12)),
            Ok(7)
        );
        // The one-off 2015 anniversary holiday and its make-up Sunday.
        assert_eq!(c.is_working_day(d(2015, 9, 3)), Ok(false));
        assert_eq!(c.is_working_day(d(2015, 9, 6)), Ok(true));
        assert_eq!(c.working_days_between(d(2013, 6, 1), d(2013, 6, 1)), Ok(0));
    }

    #[test]
    fn years_outside_the_data_are_errors() {
        let c = cal();
        assert_eq!(
            c.is_working_day(d(2003, 12, 31)),
            Err(CalendarError::YearNotCovered { year: 2003 })
        );
        assert_eq!(
            c.is_working_day(d(2027, 1, 4)),
            Err(CalendarError::YearNotCovered { year: 2027 })
        );
        assert_eq!(
            c.add_working_days(d(2026, 12, 30), 5),
            Err(CalendarError::YearNotCovered { year: 2027 })
        );
        // The start date itself is never examined, so the day before coverage works.
        assert_eq!(c.add_working_days(d(2003, 12, 31), 1), Ok(d(2004, 1, 2)));
        assert_eq!(
            c.working_days_between(d(2026, 12, 1), d(2027, 1, 10)),
            Err(CalendarError::YearNotCovered { year: 2027 })
        );
        assert_eq!(
            c.working_days_between(d(2003, 12, 31), d(2004, 1, 2)),
            Ok(1)
        );
        assert_eq!(
            c.add_working_days(d(2013, 1, 1), MAX_ADD_WORKING_DAYS + 1),
            Err(CalendarError::TooManyWorkingDays {
                n: 2_501,
                max: 2_500
            })
        );
        assert_eq!(
            c.working_days_between(d(2013, 1, 2), d(2013, 1, 1)),
            Err(CalendarError::EndBeforeStart {
                start: d(2013, 1, 2),
                end: d(2013, 1, 1)
            })
        );
        // Ten years of working days from 2004 still ends inside the data.
        assert!(
            c.add_working_days(d(2004, 1, 1), MAX_ADD_WORKING_DAYS)
                .is_ok()
        );
    }

    #[test]
    fn from_entries_validates() {
        use CalendarError::*;
        let sat = d(2030, 2, 9);
        let mon = d(2030, 2, 11);
        let ok = WorkingCalendar::from_entries(
            [2030, 2032],
            [
                entry(mon, DayKind::Holiday, "春节"),
                entry(sat, DayKind::Workday, "春节"),
            ],
        )
        .unwrap();
        assert_eq!(ok.covered_years().collect::<Vec<_>>(), vec![2030, 2032]);
        assert_eq!(ok.is_working_day(mon), Ok(false));
        assert_eq!(ok.is_working_day(sat), Ok(true));
        assert_eq!(
            ok.is_working_day(d(2031, 1, 1)),
            Err(YearNotCovered { year: 2031 })
        );
        assert_eq!(
            WorkingCalendar::from_entries(
                2030..=2030,
                [entry(d(2031, 1, 1), DayKind::Holiday, "元旦")]
            ),
            Err(EntryNotCovered {
                date: d(2031, 1, 1)
            })
        );
        assert_eq!(
            WorkingCalendar::from_entries(
                2030..=2030,
                [
                    entry(mon, DayKind::Holiday, "春节"),
                    entry(mon, DayKind::Holiday, "春节")
                ]
            ),
            Err(DuplicateDate { date: mon })
        );
        assert_eq!(
            WorkingCalendar::from_entries(2030..=2030, [entry(mon, DayKind::Workday, "春节")]),
            Err(WorkdayOnWeekday { date: mon })
        );
        assert_eq!(
            WorkingCalendar::from_entries(2030..=2030, [entry(mon, DayKind::Holiday, " ")]),
            Err(EmptyName { date: mon })
        );
        assert_eq!(
            WorkingCalendar::from_entries(
                2030..=2030,
                [entry(mon, DayKind::Holiday, &"节".repeat(33))]
            ),
            Err(NameTooLong { date: mon, max: 32 })
        );
        assert_eq!(
            WorkingCalendar::from_entries(0..=1, []),
            Err(CoveredYearOutOfRange { year: 0 })
        );
        assert!(WorkingCalendar::from_entries(BTreeSet::from([2030]), []).is_ok());
    }

    #[test]
    fn from_csv_validates() {
        use CalendarError::*;
        let load = |csv: &str| WorkingCalendar::from_csv(2030..=2030, csv);
        let good = load(
            "\u{feff}date,kind,name\r\n2030-02-09,workday,春节\r\n\r\n2030/2/11,holiday,春节\r\n",
        )
        .unwrap();
        assert_eq!(good.entries().count(), 2);
        assert_eq!(load(""), Err(CsvHeader));
        assert_eq!(load("date,name,kind\n"), Err(CsvHeader));
        assert_eq!(
            load("date,kind,name\n2030-02-11,holiday\n"),
            Err(CsvFieldCount { line: 2, found: 2 })
        );
        assert_eq!(
            load("date,kind,name\n2030-02-11,holiday,春节,x\n"),
            Err(CsvFieldCount { line: 2, found: 4 })
        );
        assert_eq!(
            load("date,kind,name\n\n2030-02-30,holiday,春节\n"),
            Err(CsvDate {
                line: 3,
                error: DateError::DayOutOfRange {
                    year: 2030,
                    month: 2,
                    day: 30
                }
            })
        );
        assert_eq!(
            load("date,kind,name\n2030-02-11,rest,春节\n"),
            Err(CsvKind { line: 2 })
        );
        assert_eq!(
            load("date,kind,name\n2030-02-11,holiday,\n"),
            Err(EmptyName {
                date: d(2030, 2, 11)
            })
        );
    }

    #[test]
    fn error_codes_are_distinct() {
        use CalendarError::*;
        let day = d(2030, 1, 1);
        let all = [
            YearNotCovered { year: 2027 },
            TooManyWorkingDays { n: 1, max: 0 },
            EndBeforeStart {
                start: day,
                end: day,
            },
            CoveredYearOutOfRange { year: 0 },
            DuplicateDate { date: day },
            EntryNotCovered { date: day },
            WorkdayOnWeekday { date: day },
            EmptyName { date: day },
            NameTooLong { date: day, max: 32 },
            CsvHeader,
            CsvFieldCount { line: 2, found: 1 },
            CsvDate {
                line: 2,
                error: DateError::Empty,
            },
            CsvKind { line: 2 },
        ];
        let codes: BTreeSet<_> = all.iter().map(CalendarError::code).collect();
        assert_eq!(codes.len(), all.len());
        assert!(codes.iter().all(|c| c.starts_with("calendar.")));
        assert_eq!(
            YearNotCovered { year: 2027 }.to_string(),
            "the working calendar does not cover year 2027"
        );
        assert_eq!(DayKind::parse("holiday"), Some(DayKind::Holiday));
        assert_eq!(DayKind::Workday.to_string(), "workday");
        assert_eq!(DayKind::parse("Holiday"), None);
    }

    fn seeded_day() -> impl Strategy<Value = NaiveDate> {
        let first = d(2004, 1, 1);
        let days = (d(2026, 12, 31) - first).num_days();
        (0..=days).prop_map(move |n| first + chrono::Duration::days(n))
    }

    proptest! {
        #[test]
        fn add_working_days_lands_on_a_working_day_and_inverts(start in seeded_day(), n in 0u32..400) {
            let c = cal();
            match c.add_working_days(start, n) {
                Ok(end) => {
                    if n > 0 {
                        prop_assert!(end > start);
                        prop_assert_eq!(c.is_working_day(end), Ok(true));
                    } else {
                        prop_assert_eq!(end, start);
                    }
                    prop_assert_eq!(c.working_days_between(start, end), Ok(n));
                    // The day before the result is still short of n.
                    if n > 0 {
                        let before = end.pred_opt().unwrap();
                        prop_assert_eq!(c.working_days_between(start, before), Ok(n - 1));
                    }
                }
                Err(e) => prop_assert_eq!(e, CalendarError::YearNotCovered { year: 2027 }),
            }
        }

        #[test]
        fn working_days_between_matches_a_day_by_day_count(start in seeded_day(), len in 0i64..800) {
            let c = cal();
            let end = start + chrono::Duration::days(len);
            let mut expected = 0u32;
            let mut day = start;
            let mut covered = true;
            while day < end {
                day = day.succ_opt().unwrap();
                match c.is_working_day(day) {
                    Ok(true) => expected += 1,
                    Ok(false) => {}
                    Err(_) => { covered = false; break; }
                }
            }
            let got = c.working_days_between(start, end);
            if covered {
                prop_assert_eq!(got, Ok(expected));
            } else {
                prop_assert_eq!(got, Err(CalendarError::YearNotCovered { year: 2027 }));
            }
        }

        #[test]
        fn csv_loader_never_panics(s in any::<String>()) {
            let _ = WorkingCalendar::from_csv(2030..=2030, &s);
            let _ = WorkingCalendar::from_csv(2030..=2030, &format!("date,kind,name\n{s}"));
        }
    }
}
