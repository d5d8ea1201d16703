//! Moments as staff read them: Beijing time, on pages to the minute, in exports to the
//! second. Every conversion to or from local time is here, so that no page shows UTC by
//! mistake and no two pages disagree on the format.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};

/// China Standard Time. A fixed offset: China has no daylight saving time.
pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset")
}

/// To the minute, for pages: `2013-07-01 09:00`.
pub fn minutes(at: DateTime<Utc>) -> String {
    at.with_timezone(&beijing())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// To the second, for exports, where entries of one minute must still be told apart.
pub fn seconds(at: DateTime<Utc>) -> String {
    at.with_timezone(&beijing())
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// The local day as `20130701`, for file names.
pub fn day_stamp(at: DateTime<Utc>) -> String {
    at.with_timezone(&beijing()).format("%Y%m%d").to_string()
}

/// The first moment of `date` in Beijing, as UTC.
pub fn beijing_midnight(date: NaiveDate) -> Option<DateTime<Utc>> {
    beijing()
        .from_local_datetime(&date.and_hms_opt(0, 0, 0)?)
        .single()
        .map(|t| t.with_timezone(&Utc))
}
