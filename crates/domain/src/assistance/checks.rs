//! Cross-checks (数据比对): the pure parts. How stored ID numbers are compared (normalised, so
//! a 15-digit first-generation number, a lower-case `x` or stray spaces do not hide a
//! duplicate), what is wrong with a stored number, and when the nightly run is due.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};

use crate::{ResidentId, Sex};

/// The form two stored numbers are compared in: the 18-character number when the text is a
/// valid 18- or 15-digit number (15 converted as GB 11643 prescribes), otherwise the text
/// upper-cased without whitespace, so that two equally broken numbers still match.
pub fn normalised_id(text: &str) -> String {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let parsed = match compact.chars().count() {
        15 => ResidentId::from_15(&compact),
        _ => ResidentId::parse(&compact),
    };
    match parsed {
        Ok(id) => id.as_str().to_owned(),
        Err(_) => compact.to_uppercase(),
    }
}

/// What is wrong with a stored person's number, if anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdProblem {
    /// The number itself fails validation; the code is the [`crate::ResidentIdError`]'s.
    Invalid(&'static str),
    /// The number is valid but the stored birth date or sex disagrees with it: which
    /// (`birth_date`, `sex`), and what the number says.
    Mismatch(&'static str, String),
}

/// Checks a stored number against GB 11643 and against the birth date (`YYYY-MM-DD`) and
/// sex (`M`/`F`) stored beside it.
pub fn id_problem(id_number: &str, birth_date: &str, sex: &str) -> Option<IdProblem> {
    let id = match ResidentId::parse(id_number) {
        Ok(id) => id,
        Err(e) => return Some(IdProblem::Invalid(e.code())),
    };
    let born = id.birth_date();
    if birth_date.parse::<NaiveDate>().ok() != Some(born) {
        return Some(IdProblem::Mismatch("birth_date", born.to_string()));
    }
    let expected = match id.sex() {
        Sex::Male => "M",
        Sex::Female => "F",
    };
    if sex != expected {
        return Some(IdProblem::Mismatch("sex", expected.to_owned()));
    }
    None
}

/// Beijing time (UTC+8 all year).
fn beijing(at: DateTime<Utc>) -> chrono::NaiveDateTime {
    (at + Duration::hours(8)).naive_utc()
}

/// Whether the nightly run is due at `now`: today's run time (`at`, Beijing time) has
/// passed and no nightly run has started since it. A server that was down at the time runs
/// once when it comes back the same day, and never twice a day.
pub fn nightly_due(now: DateTime<Utc>, at: NaiveTime, last_started: Option<DateTime<Utc>>) -> bool {
    let local = beijing(now);
    let today_at = local.date().and_time(at);
    local >= today_at && last_started.is_none_or(|last| beijing(last) < today_at)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).single().unwrap()
    }

    #[test]
    fn numbers_compare_in_one_form() {
        assert_eq!(normalised_id("110105491231002"), "11010519491231002X");
        assert_eq!(normalised_id(" 11010519491231002x "), "11010519491231002X");
        assert_eq!(
            normalised_id("1101 0519 4912 3100 2X"),
            "11010519491231002X"
        );
        // Broken numbers still match each other, case-insensitively.
        assert_eq!(normalised_id("11010519491231002a"), "11010519491231002A");
        assert_eq!(normalised_id(""), "");
    }

    #[test]
    fn problems_name_the_rule_or_the_disagreeing_column() {
        assert_eq!(id_problem("11010519491231002X", "1949-12-31", "F"), None);
        assert_eq!(
            id_problem("110105194912310021", "1949-12-31", "F"),
            Some(IdProblem::Invalid("resident_id.check_char_mismatch"))
        );
        assert_eq!(
            id_problem("1101051949123100", "1949-12-31", "F"),
            Some(IdProblem::Invalid("resident_id.wrong_length"))
        );
        assert_eq!(
            id_problem("11010519491231002X", "1950-12-31", "F"),
            Some(IdProblem::Mismatch("birth_date", "1949-12-31".into()))
        );
        assert_eq!(
            id_problem("11010519491231002X", "1949-12-31", "M"),
            Some(IdProblem::Mismatch("sex", "F".into()))
        );
    }

    #[test]
    fn the_nightly_run_is_due_once_after_its_time() {
        let two = NaiveTime::from_hms_opt(2, 0, 0).unwrap();
        // 01:59 Beijing on 2013-07-02 (17:59 UTC the day before): not yet.
        assert!(!nightly_due(utc(2013, 7, 1, 17, 59), two, None));
        // 02:00 Beijing: due, with no run ever.
        assert!(nightly_due(utc(2013, 7, 1, 18, 0), two, None));
        // Yesterday's run does not count for today.
        let yesterday = utc(2013, 6, 30, 18, 0);
        assert!(nightly_due(utc(2013, 7, 1, 18, 1), two, Some(yesterday)));
        // Today's run (02:00:30 Beijing) does.
        let today = utc(2013, 7, 1, 18, 0) + Duration::seconds(30);
        assert!(!nightly_due(utc(2013, 7, 1, 23, 0), two, Some(today)));
        // A server down at 02:00 catches up at 09:00 the same day, once.
        assert!(nightly_due(utc(2013, 7, 2, 1, 0), two, Some(yesterday)));
        // Just before midnight Beijing, still today's window.
        assert!(!nightly_due(utc(2013, 7, 2, 15, 59), two, Some(today)));
        // A time late in the evening: due at 23:30 Beijing, not before.
        let late = NaiveTime::from_hms_opt(23, 30, 0).unwrap();
        assert!(!nightly_due(utc(2013, 7, 2, 15, 29), late, Some(yesterday)));
        assert!(nightly_due(utc(2013, 7, 2, 15, 30), late, Some(yesterday)));
    }
}
