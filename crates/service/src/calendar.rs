//! The working calendar in use: seeded once from the published years, extended by an
//! administrator when the State Council announces a new year's holidays.

use chrono::Datelike;
use domain::{Action, CalendarEntry, DayKind, Line, WorkingCalendar};
use store::{CalendarDay, StoreError};

use crate::{Actor, Error, FieldError, Service};

fn to_day(e: &CalendarEntry) -> CalendarDay {
    CalendarDay {
        day: e.date,
        kind: e.kind.as_str().to_owned(),
        name: e.name.clone(),
    }
}

impl Service {
    /// Seeds the calendar table from the embedded data if no year is stored yet.
    pub(crate) async fn seed_calendar(&self, actor: &Actor) -> Result<(), Error> {
        if !self.store().calendar_years().await?.is_empty() {
            return Ok(());
        }
        let seeded = WorkingCalendar::seeded();
        let years: Vec<i32> = seeded.covered_years().collect();
        let days: Vec<CalendarDay> = seeded.entries().map(to_day).collect();
        let audit = self.audit(
            actor,
            "calendar.seed",
            "calendar",
            "",
            format!(
                "years={}..{} days={}",
                years.first().unwrap_or(&0),
                years.last().unwrap_or(&0),
                days.len()
            ),
        );
        self.store()
            .replace_calendar_years(&years, &days, &audit)
            .await?;
        Ok(())
    }

    /// The years whose holidays are entered.
    pub async fn calendar_years(&self) -> Result<Vec<i32>, Error> {
        Ok(self.store().calendar_years().await?)
    }

    /// The calendar as stored, for deadline arithmetic.
    pub async fn working_calendar(&self) -> Result<WorkingCalendar, Error> {
        let years = self.store().calendar_years().await?;
        let days = self.store().calendar_days().await?;
        let entries = days
            .into_iter()
            .map(|d| {
                let kind = DayKind::parse(&d.kind).ok_or_else(|| StoreError::Corrupt {
                    what: format!("calendar kind {:?} on {}", d.kind, d.day),
                })?;
                Ok(CalendarEntry {
                    date: d.day,
                    kind,
                    name: d.name,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        WorkingCalendar::from_entries(years, entries).map_err(|e| {
            Error::Internal(StoreError::Corrupt {
                what: format!("stored calendar: {e}"),
            })
        })
    }

    /// Replaces one year's holidays and make-up working days with the entries of a CSV file
    /// (`date,kind,name`), after checking them all; the year becomes covered.
    pub async fn import_calendar_year(
        &self,
        actor: &Actor,
        year: i32,
        bytes: &[u8],
    ) -> Result<usize, Error> {
        self.authorize(actor, Line::System, Action::Write)?;
        let text = crate::divisions::decode_text(bytes).map_err(Error::invalid)?;
        let calendar = WorkingCalendar::from_csv([year], &text)
            .map_err(|e| Error::invalid(FieldError::new("file", e.code(), e.to_string())))?;
        let days: Vec<CalendarDay> = calendar
            .entries()
            .filter(|e| e.date.year() == year)
            .map(to_day)
            .collect();
        let audit = self.audit(
            actor,
            "calendar.import",
            format!("calendar:{year}"),
            "",
            format!("days={}", days.len()),
        );
        self.store()
            .replace_calendar_years(&[year], &days, &audit)
            .await?;
        Ok(days.len())
    }
}
