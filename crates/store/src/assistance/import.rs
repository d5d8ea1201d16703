//! The legacy roster import's writes (issue 4 item 6; the rules are in
//! `service::assistance::import`).
//!
//! A whole roster goes in as one transaction of multi-row INSERTs: every household with its
//! members, persons (new ID numbers only), its case and the case's one `import` action, the
//! standards that are not stored yet, and one audit entry. Ids are reserved up front (SQLite
//! holds the write lock from `BEGIN IMMEDIATE`; PostgreSQL takes the range from each
//! table's identity sequence and moves the sequence past it), so no row needs a `RETURNING`
//! round trip. Statements stay under [`MAX_PARAMS`] bound values, below SQLite's 32 766 and
//! PostgreSQL's 65 535.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use sqlx::any::AnyArguments;
use sqlx::{AnyConnection, Row};

use super::{NewPerson, StandardRow, date_text, named};
use crate::audit::{self, AuditEntry};
use crate::{Backend, Store, StoreError, dynamic, timestamp};

/// Most bound values in one statement.
pub const MAX_PARAMS: usize = 32_000;
/// Most rows in one INSERT, whatever the column count: bigger statements stop paying off.
pub(crate) const MAX_ROWS_PER_STATEMENT: usize = 2_000;

/// The index that keeps one household per legacy household id.
pub const HOUSEHOLD_LEGACY_ID: &str = "households_legacy_id";
/// The index that keeps one member row per legacy person id.
pub const MEMBER_LEGACY_ID: &str = "members_legacy_id";

/// A person known to the database by ID number, and the household it is a current member
/// of (with that household's legacy id, if it was imported).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownPerson {
    pub person_id: i64,
    pub current_household: Option<i64>,
    pub current_legacy_household: Option<String>,
}

/// What the database already holds that an import is checked against.
#[derive(Debug, Clone, Default)]
pub struct RosterSnapshot {
    /// Legacy household ids already imported.
    pub households: HashSet<String>,
    /// Legacy person ids already imported, with their legacy household id.
    pub members: HashMap<String, String>,
    /// Every stored person by ID number.
    pub persons: HashMap<String, KnownPerson>,
    pub standards: Vec<StandardRow>,
}

/// A member of an imported household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportMember {
    pub legacy_id: String,
    /// The stored person with this ID number, as the snapshot found it; `None` for a new
    /// person (one stored meanwhile makes the write fail on the unique ID number).
    pub known_person_id: Option<i64>,
    pub person: NewPerson,
    pub relation: String,
    pub disability_grade: i64,
    pub severe_illness: bool,
    pub employment: String,
}

/// A household to import with its case: approved, benefit from `enrolled_on` to `exited_on`.
/// A `closed` household (exited before the import) has an inactive case and its members
/// left it on `exited_on`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportHousehold {
    pub legacy_id: String,
    pub division_code: String,
    pub address: String,
    pub area: String,
    pub program: String,
    pub income_fen: Option<i64>,
    pub enrolled_on: NaiveDate,
    pub exited_on: Option<NaiveDate>,
    pub closed: bool,
    pub members: Vec<ImportMember>,
}

/// Everything one import writes.
#[derive(Debug, Clone)]
pub struct RosterWrite {
    pub households: Vec<ImportHousehold>,
    /// Standards to add (those not stored yet).
    pub standards: Vec<StandardRow>,
    /// Who recorded the `import` actions, and the note they carry before the legacy id.
    pub by_user: String,
    pub note: String,
}

/// How far a write has come, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportProgress {
    pub table: &'static str,
    pub rows_done: u64,
    pub rows_total: u64,
}

/// What a write created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RosterCounts {
    pub households: u64,
    pub members: u64,
    pub new_persons: u64,
    pub standards: u64,
}

type AnyQuery = sqlx::query::Query<'static, sqlx::Any, AnyArguments>;

/// The `n`th (1-based) placeholder. On SQLite an anonymous `?`: with numbered `$n`, sqlx looks
/// up every parameter's name, which SQLite finds by a linear scan, and a statement of
/// thousands of parameters spends its time there (measured: 90 % of an import).
pub(crate) fn placeholder(sql: &mut String, backend: Backend, n: usize) {
    match backend {
        Backend::Sqlite => sql.push('?'),
        Backend::Postgres => {
            sql.push('$');
            sql.push_str(&n.to_string());
        }
    }
}

/// Inserts `rows` into `table` in multi-row statements.
async fn insert_rows<R>(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &'static str,
    columns: &[&str],
    rows: &[R],
    bind: impl Fn(AnyQuery, &R) -> AnyQuery,
    progress: &mut (dyn FnMut(ImportProgress) + Send),
) -> Result<(), StoreError> {
    let per = (MAX_PARAMS / columns.len()).clamp(1, MAX_ROWS_PER_STATEMENT);
    let head = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let statement = |n: usize| {
        let mut sql = String::with_capacity(head.len() + n * columns.len() * 7);
        sql.push_str(&head);
        let mut p = 0;
        for r in 0..n {
            if r > 0 {
                sql.push(',');
            }
            sql.push('(');
            for c in 0..columns.len() {
                if c > 0 {
                    sql.push(',');
                }
                p += 1;
                placeholder(&mut sql, backend, p);
            }
            sql.push(')');
        }
        sql
    };
    let full = statement(per);
    let total = rows.len() as u64;
    let mut done = 0u64;
    for chunk in rows.chunks(per) {
        let sql = if chunk.len() == per {
            full.clone()
        } else {
            statement(chunk.len())
        };
        let mut query = sqlx::query(dynamic(sql));
        for row in chunk {
            query = bind(query, row);
        }
        query
            .execute(&mut *conn)
            .await
            .map_err(|e| named(e.into()))
            .map_err(legacy_named)?;
        done += chunk.len() as u64;
        progress(ImportProgress {
            table,
            rows_done: done,
            rows_total: total,
        });
    }
    Ok(())
}

/// SQLite names the columns of a violated unique index; the import's indexes by name.
fn legacy_named(e: StoreError) -> StoreError {
    match e {
        StoreError::Conflict {
            what,
            constraint: Some(c),
        } => StoreError::Conflict {
            what,
            constraint: Some(match c.as_str() {
                "households.legacy_id" => HOUSEHOLD_LEGACY_ID.to_owned(),
                "members.legacy_id" => MEMBER_LEGACY_ID.to_owned(),
                _ => c,
            }),
        },
        other => other,
    }
}

/// Reserves `n` consecutive ids of `table` and returns the first.
async fn reserve_ids(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &'static str,
    n: u64,
) -> Result<i64, StoreError> {
    let max: i64 = sqlx::query_scalar(dynamic(format!(
        "SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM {table}"
    )))
    .fetch_one(&mut *conn)
    .await?;
    match backend {
        Backend::Sqlite => Ok(max + 1),
        Backend::Postgres => {
            let seq = format!("pg_get_serial_sequence('{table}', 'id')");
            let next: i64 = sqlx::query_scalar(dynamic(format!("SELECT nextval({seq})")))
                .fetch_one(&mut *conn)
                .await?;
            let first = next.max(max + 1);
            let n = i64::try_from(n).map_err(|_| StoreError::Corrupt {
                what: "row count".into(),
            })?;
            // is_called = true: the next nextval() returns first + n.
            sqlx::query(dynamic(format!("SELECT setval({seq}, $1, true)")))
                .bind(first + n.max(1) - 1)
                .execute(&mut *conn)
                .await?;
            Ok(first)
        }
    }
}

struct PersonRow<'a> {
    id: i64,
    person: &'a NewPerson,
}

struct HouseholdRow<'a> {
    id: i64,
    h: &'a ImportHousehold,
}

struct MemberRow<'a> {
    id: i64,
    household_id: i64,
    person_id: i64,
    m: &'a ImportMember,
    joined_on: String,
    left_on: Option<String>,
}

impl Store {
    /// What an import is checked against: the legacy ids already imported, every person by
    /// ID number with the household it currently belongs to, and the standards.
    pub async fn roster_snapshot(&self) -> Result<RosterSnapshot, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let mut snapshot = RosterSnapshot::default();
        let rows = sqlx::query("SELECT legacy_id FROM households WHERE legacy_id IS NOT NULL")
            .fetch_all(&mut *conn)
            .await?;
        for row in rows {
            snapshot.households.insert(row.try_get("legacy_id")?);
        }
        let rows = sqlx::query(
            "SELECT m.legacy_id, h.legacy_id AS household FROM members m \
             JOIN households h ON h.id = m.household_id WHERE m.legacy_id IS NOT NULL",
        )
        .fetch_all(&mut *conn)
        .await?;
        for row in rows {
            let household: Option<String> = row.try_get("household")?;
            snapshot
                .members
                .insert(row.try_get("legacy_id")?, household.unwrap_or_default());
        }
        let rows = sqlx::query(
            "SELECT p.id, p.id_number, m.household_id, h.legacy_id FROM persons p \
             LEFT JOIN members m ON m.person_id = p.id AND m.left_on IS NULL \
             LEFT JOIN households h ON h.id = m.household_id",
        )
        .fetch_all(&mut *conn)
        .await?;
        for row in rows {
            snapshot.persons.insert(
                row.try_get("id_number")?,
                KnownPerson {
                    person_id: row.try_get("id")?,
                    current_household: row.try_get("household_id")?,
                    current_legacy_household: row.try_get("legacy_id")?,
                },
            );
        }
        drop(conn);
        snapshot.standards = self.standards().await?;
        Ok(snapshot)
    }

    /// Writes a checked roster in one transaction with its one audit entry. A household
    /// whose legacy id is stored meanwhile, or a person who became a current member
    /// elsewhere, is a [`StoreError::Conflict`] and nothing is written.
    pub async fn import_roster(
        &self,
        roster: &RosterWrite,
        audit: &AuditEntry,
        progress: &mut (dyn FnMut(ImportProgress) + Send),
    ) -> Result<RosterCounts, StoreError> {
        let at = timestamp(audit.at);
        let mut tx = self.write().await?;
        if self.backend == Backend::Sqlite {
            // The unique indexes (persons.id_number, the legacy ids) take keys in random
            // order; with SQLite's default 2 MiB page cache most inserts would spill and
            // re-read pages. 256 MiB for this connection; the setting stays with the pooled
            // connection, which is harmless: the cache only grows as far as it is used.
            sqlx::query("PRAGMA cache_size = -262144")
                .execute(&mut *tx)
                .await?;
        }
        if self.backend == Backend::Postgres {
            // Other writers wait until the roster is in (readers do not), so nobody takes an
            // id in the reserved ranges or a person between the check and the write.
            sqlx::query(
                "LOCK TABLE persons, households, members, cases, case_actions \
                 IN EXCLUSIVE MODE",
            )
            .execute(&mut *tx)
            .await?;
        }

        // Persons: the stored ones by the snapshot's ids, new ones once each. No look-up
        // here: a person stored since the snapshot fails the unique ID number below, and
        // the whole import is refused as a conflict.
        let mut person_ids: HashMap<&str, i64> = HashMap::new();
        for h in &roster.households {
            for m in &h.members {
                if let Some(id) = m.known_person_id {
                    person_ids.insert(m.person.id_number.as_str(), id);
                }
            }
        }
        let mut new_persons: Vec<PersonRow> = Vec::new();
        let mut seen: HashSet<&str> = HashSet::new();
        for h in &roster.households {
            for m in &h.members {
                let n = m.person.id_number.as_str();
                if !person_ids.contains_key(n) && seen.insert(n) {
                    new_persons.push(PersonRow {
                        id: 0,
                        person: &m.person,
                    });
                }
            }
        }
        let first = reserve_ids(&mut tx, self.backend, "persons", new_persons.len() as u64).await?;
        for (i, p) in (first..).zip(new_persons.iter_mut()) {
            p.id = i;
            person_ids.insert(p.person.id_number.as_str(), i);
        }

        let n_households = roster.households.len() as u64;
        let n_members: u64 = roster
            .households
            .iter()
            .map(|h| h.members.len() as u64)
            .sum();
        let first_household =
            reserve_ids(&mut tx, self.backend, "households", n_households).await?;
        let first_member = reserve_ids(&mut tx, self.backend, "members", n_members).await?;
        let first_case = reserve_ids(&mut tx, self.backend, "cases", n_households).await?;
        let first_action = reserve_ids(&mut tx, self.backend, "case_actions", n_households).await?;

        let households: Vec<HouseholdRow> = (first_household..)
            .zip(&roster.households)
            .map(|(id, h)| HouseholdRow { id, h })
            .collect();
        let mut members: Vec<MemberRow> = Vec::with_capacity(roster.households.len() * 3);
        let mut member_id = first_member;
        for hh in &households {
            let joined_on = date_text(hh.h.enrolled_on);
            let left_on = if hh.h.closed {
                hh.h.exited_on.map(date_text)
            } else {
                None
            };
            for m in &hh.h.members {
                members.push(MemberRow {
                    id: member_id,
                    household_id: hh.id,
                    person_id: person_ids[m.person.id_number.as_str()],
                    m,
                    joined_on: joined_on.clone(),
                    left_on: left_on.clone(),
                });
                member_id += 1;
            }
        }

        insert_rows(
            &mut tx,
            self.backend,
            "persons",
            &[
                "id",
                "id_number",
                "name",
                "name_initials",
                "name_pinyin",
                "birth_date",
                "sex",
                "created_at",
            ],
            &new_persons,
            |q, r| {
                q.bind(r.id)
                    .bind(r.person.id_number.clone())
                    .bind(r.person.name.clone())
                    .bind(r.person.name_initials.clone())
                    .bind(r.person.name_pinyin.clone())
                    .bind(date_text(r.person.birth_date))
                    .bind(r.person.sex.clone())
                    .bind(at.clone())
            },
            progress,
        )
        .await?;
        insert_rows(
            &mut tx,
            self.backend,
            "households",
            &[
                "id",
                "division_code",
                "address",
                "area",
                "created_at",
                "legacy_id",
            ],
            &households,
            |q, r| {
                q.bind(r.id)
                    .bind(r.h.division_code.clone())
                    .bind(r.h.address.clone())
                    .bind(r.h.area.clone())
                    .bind(at.clone())
                    .bind(r.h.legacy_id.clone())
            },
            progress,
        )
        .await?;
        insert_rows(
            &mut tx,
            self.backend,
            "members",
            &[
                "id",
                "household_id",
                "person_id",
                "relation",
                "disability_grade",
                "severe_illness",
                "employment",
                "joined_on",
                "left_on",
                "legacy_id",
            ],
            &members,
            |q, r| {
                q.bind(r.id)
                    .bind(r.household_id)
                    .bind(r.person_id)
                    .bind(r.m.relation.clone())
                    .bind(r.m.disability_grade)
                    .bind(i64::from(r.m.severe_illness))
                    .bind(r.m.employment.clone())
                    .bind(r.joined_on.clone())
                    .bind(r.left_on.clone())
                    .bind(r.m.legacy_id.clone())
            },
            progress,
        )
        .await?;
        insert_rows(
            &mut tx,
            self.backend,
            "cases",
            &[
                "id",
                "household_id",
                "program",
                "income_per_capita_fen",
                "benefit_start",
                "benefit_end",
                "active",
                "version",
                "created_at",
            ],
            &households,
            |q, r| {
                q.bind(r.id - first_household + first_case)
                    .bind(r.id)
                    .bind(r.h.program.clone())
                    .bind(r.h.income_fen)
                    .bind(date_text(r.h.enrolled_on))
                    .bind(r.h.exited_on.map(date_text))
                    .bind(i64::from(!r.h.closed))
                    .bind(1_i64)
                    .bind(at.clone())
            },
            progress,
        )
        .await?;
        insert_rows(
            &mut tx,
            self.backend,
            "case_actions",
            &[
                "id",
                "case_id",
                "seq",
                "step",
                "on_date",
                "by_user",
                "at",
                "income_fen",
                "note",
            ],
            &households,
            |q, r| {
                q.bind(r.id - first_household + first_action)
                    .bind(r.id - first_household + first_case)
                    .bind(1_i64)
                    .bind("import")
                    .bind(date_text(r.h.enrolled_on))
                    .bind(roster.by_user.clone())
                    .bind(at.clone())
                    .bind(r.h.income_fen)
                    .bind(format!("{}{}", roster.note, r.h.legacy_id))
            },
            progress,
        )
        .await?;
        insert_rows(
            &mut tx,
            self.backend,
            "standards",
            &[
                "program",
                "area",
                "effective_from",
                "amount_fen",
                "citation",
                "updated_at",
            ],
            &roster.standards,
            |q, s| {
                q.bind(s.program.clone())
                    .bind(s.area.clone())
                    .bind(date_text(s.effective_from))
                    .bind(s.amount_fen)
                    .bind(s.citation.clone())
                    .bind(at.clone())
            },
            progress,
        )
        .await?;
        // The cases reserved above are the last ids: nobody else writes meanwhile. Read
        // back in SQL (about 7 s at a million households); writing the rows from the
        // roster's values as multi-row VALUES took 10.5 s in the same run.
        crate::reports::keep_caseload(&mut tx, "c.id >= $1", first_case).await?;
        audit::append(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(RosterCounts {
            households: n_households,
            members: n_members,
            new_persons: new_persons.len() as u64,
            standards: roster.standards.len() as u64,
        })
    }
}
