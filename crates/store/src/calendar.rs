//! The working calendar's data: statutory holidays, make-up working days, covered years.

use sqlx::Row;

use crate::audit::{self, AuditEntry};
use crate::{Store, StoreError};

/// One explicit day of the calendar as stored; `kind` is `holiday` or `workday`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarDay {
    pub day: chrono::NaiveDate,
    pub kind: String,
    pub name: String,
}

impl Store {
    pub async fn calendar_years(&self) -> Result<Vec<i32>, StoreError> {
        let rows: Vec<(i64,)> = sqlx::query_as("SELECT year FROM calendar_years ORDER BY year")
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter()
            .map(|(y,)| {
                i32::try_from(y).map_err(|_| StoreError::Corrupt {
                    what: format!("year {y}"),
                })
            })
            .collect()
    }

    pub async fn calendar_days(&self) -> Result<Vec<CalendarDay>, StoreError> {
        let rows = sqlx::query("SELECT day, kind, name FROM calendar_days ORDER BY day")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let day: String = row.try_get("day")?;
                Ok(CalendarDay {
                    day: day.parse().map_err(|_| StoreError::Corrupt {
                        what: format!("calendar day {day:?}"),
                    })?,
                    kind: row.try_get("kind")?,
                    name: row.try_get("name")?,
                })
            })
            .collect()
    }

    /// Declares `years` covered and replaces their explicit days with `days`, in one
    /// transaction. Used both to seed the published years and by an administrator entering
    /// a new year. Every day must lie in one of `years`.
    pub async fn replace_calendar_years(
        &self,
        years: &[i32],
        days: &[CalendarDay],
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        for year in years {
            sqlx::query("DELETE FROM calendar_days WHERE substr(day, 1, 4) = $1")
                .bind(format!("{year:04}"))
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO calendar_years (year) VALUES ($1) ON CONFLICT (year) DO NOTHING",
            )
            .bind(i64::from(*year))
            .execute(&mut *tx)
            .await?;
        }
        for d in days {
            sqlx::query("INSERT INTO calendar_days (day, kind, name) VALUES ($1, $2, $3)")
                .bind(d.day.format("%Y-%m-%d").to_string())
                .bind(&d.kind)
                .bind(&d.name)
                .execute(&mut *tx)
                .await?;
        }
        audit::append(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(())
    }
}
