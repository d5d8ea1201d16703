//! Social assistance (社会救助): persons, households and their members, cases with their
//! append-only action log, and the dated standards, classified-assistance policies and care
//! standards the benefit is computed from. Validation, permissions and the workflow rules
//! live in `service` and `domain`; here are the queries, each change one transaction with
//! its audit entry.
//!
//! The case list filters, counts and pages in SQL (a district has thousands of cases): the
//! jurisdiction as a division-code prefix, the programme, the status (derived in SQL from the
//! last action, exactly as `domain::assistance::workflow::status` derives it from a valid
//! log), and the search (the head's name or its pinyin initials, or a member's whole ID
//! number).

use chrono::{DateTime, NaiveDate, Utc};
use domain::{Area, DivisionCode};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::audit::{self, AuditEntry};
use crate::divisions::subtree_prefix;
use crate::{MAX_PAGE_ROWS, Store, StoreError, dynamic, parse_timestamp, timestamp};

pub(crate) mod changes;
pub use changes::{CHANGE_SEQ, ChangeApply, NewChange, ReviewCandidate, StoredChange};
mod means;
pub use means::{MeansItemRecord, MeansRecord};

mod grants;
pub use grants::{
    BUDGET_YEAR_KIND, BudgetRow, BudgetWrite, Cancellation, GRANT_CANCELLED_ONCE, GrantFilter,
    GrantRecord, GrantTotals, GrantWrite, NewBudget, NewGrant,
};

mod checks;
pub use checks::{
    CheckMember, CheckRun, CheckTask, DEATH_ID_NUMBER, DeathRecord, NewCheckRun, NewDeathRecord,
    NewFinding,
};

pub mod import;

/// The index that keeps a person in at most one current household.
pub const PERSON_IN_ONE_HOUSEHOLD: &str = "members_one_current_household";
/// The index that keeps a household in at most one active case.
pub const ONE_ACTIVE_CASE: &str = "cases_one_active_per_household";
/// The index that keeps one row per resident ID number.
pub const PERSON_ID_NUMBER: &str = "persons_id_number";
/// The index that numbers a case's actions without gaps or doubles.
pub const ACTION_SEQ: &str = "case_actions_case_seq";

/// SQLite names the columns of a violated unique index, not the index; the names here.
const SQLITE_COLUMNS: &[(&str, &str)] = &[
    ("members.person_id", PERSON_IN_ONE_HOUSEHOLD),
    ("cases.household_id", ONE_ACTIVE_CASE),
    ("persons.id_number", PERSON_ID_NUMBER),
    ("case_actions.case_id, case_actions.seq", ACTION_SEQ),
    ("case_changes.case_id, case_changes.seq", CHANGE_SEQ),
];

/// A conflict with its constraint named the same way on both engines.
fn named(e: StoreError) -> StoreError {
    match e {
        StoreError::Conflict {
            what,
            constraint: Some(c),
        } => {
            let constraint = SQLITE_COLUMNS
                .iter()
                .find(|(cols, _)| *cols == c)
                .map_or(c, |(_, name)| (*name).to_owned());
            StoreError::Conflict {
                what,
                constraint: Some(constraint),
            }
        }
        other => other,
    }
}

pub(crate) fn date(text: &str) -> Result<NaiveDate, StoreError> {
    text.parse().map_err(|_| StoreError::Corrupt {
        what: format!("date {text:?}"),
    })
}

pub(crate) fn opt_date(text: Option<String>) -> Result<Option<NaiveDate>, StoreError> {
    text.as_deref().map(date).transpose()
}

pub(crate) fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A person as entered: the ID number checked by `service`, birth date and sex from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPerson {
    pub id_number: String,
    pub name: String,
    /// Every reading's pinyin initials, space-separated (`service::list::name_initials`).
    pub name_initials: String,
    /// The pinyin sort key (`service::list::name_order_key`).
    pub name_pinyin: String,
    pub birth_date: NaiveDate,
    /// `M` or `F`.
    pub sex: String,
}

/// A member of a new household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMember {
    pub person: NewPerson,
    pub relation: String,
    pub disability_grade: i64,
    pub severe_illness: bool,
    pub employment: String,
    pub self_care: Option<String>,
}

/// One step to append to a case's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAction {
    pub step: String,
    pub on_date: NaiveDate,
    pub by_user: String,
    pub at: DateTime<Utc>,
    pub on_behalf: Option<bool>,
    pub income_fen: Option<i64>,
    pub notice_from: Option<NaiveDate>,
    pub reason: Option<String>,
    pub note: String,
}

/// A household, its members and its case, created together with the first action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApplication {
    pub division_code: DivisionCode,
    pub address: String,
    pub area: Area,
    pub program: String,
    pub members: Vec<NewMember>,
    pub first_action: NewAction,
}

/// What an appended step changes on the case besides its log.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CaseUpdate {
    /// A new assessed income (a means check).
    pub income_per_capita_fen: Option<i64>,
    /// The benefit starts (an approval).
    pub benefit_start: Option<NaiveDate>,
    /// The case lets go of its household: it is refused or withdrawn, and its members leave
    /// the household on this day.
    pub close_on: Option<NaiveDate>,
    /// The worksheet of a means check, stored with the action.
    pub means: Option<MeansRecord>,
}

/// One action as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAction {
    pub id: i64,
    pub seq: i64,
    pub action: NewAction,
}

/// A case with its household, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRecord {
    pub id: i64,
    pub household_id: i64,
    pub program: String,
    pub income_per_capita_fen: Option<i64>,
    pub benefit_start: Option<NaiveDate>,
    pub benefit_end: Option<NaiveDate>,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub division_code: DivisionCode,
    pub division_name: String,
    pub address: String,
    pub area: Area,
}

/// A member with the person's facts, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRecord {
    pub id: i64,
    pub person_id: i64,
    pub id_number: String,
    pub name: String,
    pub birth_date: NaiveDate,
    pub sex: String,
    pub relation: String,
    pub disability_grade: i64,
    pub severe_illness: bool,
    pub employment: String,
    pub self_care: Option<String>,
    pub joined_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
}

/// A case, its members (in entry order) and its log (in order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFile {
    pub case: CaseRecord,
    pub members: Vec<MemberRecord>,
    pub actions: Vec<StoredAction>,
}

/// The active case a person is a current member of, to name it in a refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonCase {
    pub id_number: String,
    pub case_id: i64,
    pub program: String,
    pub division_code: DivisionCode,
    pub division_name: String,
}

/// How the case list is cut: every field narrows, `None` does not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    /// The actor's jurisdiction (`None` only for the console).
    pub jurisdiction: Option<DivisionCode>,
    /// A division subtree chosen on the page.
    pub division: Option<DivisionCode>,
    pub program: Option<String>,
    /// Cases whose last step is one of these (`apply`, `check_means`, …).
    pub last_steps: Option<Vec<String>>,
    /// Only active cases (pending or paying).
    pub active: Option<bool>,
    /// Only cases applied for on or before this day (for "overdue").
    pub applied_until: Option<NaiveDate>,
    /// Lower-cased search text: the head's name contains it, or its initials do.
    pub name_like: Option<String>,
    /// Pinyin initials (ASCII letters) to look for in the head's initials.
    pub initials: Option<String>,
    /// A whole ID number of any member.
    pub id_number: Option<String>,
}

/// The columns the case list can be ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseOrder {
    /// Case number, i.e. the order applications were entered.
    Id,
    /// The day the application was taken.
    Applied,
    /// The head's name in pinyin.
    Name,
    /// Division code (tree order).
    Division,
    Program,
}

/// One row of the case list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRow {
    pub id: i64,
    pub program: String,
    pub active: bool,
    pub version: i64,
    pub last_step: String,
    pub applied_on: NaiveDate,
    pub last_on: NaiveDate,
    pub division_code: DivisionCode,
    pub division_name: String,
    pub address: String,
    pub head_name: String,
    pub head_id_number: String,
    pub members: i64,
    pub income_per_capita_fen: Option<i64>,
    pub benefit_start: Option<NaiveDate>,
}

/// A stored standard, policy rule or care standard row, in plain values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandardRow {
    pub program: String,
    pub area: String,
    pub effective_from: NaiveDate,
    pub amount_fen: i64,
    pub citation: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRuleRow {
    /// `disability_grade`, `severe_illness` or `age_at_least`.
    pub kind: String,
    pub min_value: Option<i64>,
    pub max_value: Option<i64>,
    pub pct: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRow {
    pub effective_from: NaiveDate,
    pub citation: String,
    pub rules: Vec<PolicyRuleRow>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CareStandardRow {
    pub area: String,
    pub level: String,
    pub effective_from: NaiveDate,
    pub amount_fen: i64,
    pub citation: String,
}

/// What the benefit of one active case with a benefit start depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenefitFacts {
    pub case_id: i64,
    pub program: String,
    pub area: String,
    pub income_per_capita_fen: Option<i64>,
    pub benefit_start: NaiveDate,
    pub benefit_end: Option<NaiveDate>,
    /// (birth date, disability grade, severe illness, self care) of each current member.
    pub members: Vec<(NaiveDate, i64, bool, Option<String>)>,
}

const CASE_COLUMNS: &str = "c.id, c.household_id, c.program, c.income_per_capita_fen, \
     c.benefit_start, c.benefit_end, c.active, c.version, c.created_at, h.division_code, \
     d.name AS division_name, h.address, h.area";

const MEMBER_COLUMNS: &str = "m.id, m.person_id, p.id_number, p.name, p.birth_date, p.sex, \
     m.relation, m.disability_grade, m.severe_illness, m.employment, m.self_care, m.joined_on, \
     m.left_on";

const ACTION_COLUMNS: &str = "a.id, a.seq, a.step, a.on_date, a.by_user, a.at, a.on_behalf, \
     a.income_fen, a.notice_from, a.reason, a.note";

pub(crate) fn code(text: &str) -> Result<DivisionCode, StoreError> {
    text.parse().map_err(|_| StoreError::Corrupt {
        what: format!("division code {text:?}"),
    })
}

fn read_case(row: &AnyRow) -> Result<CaseRecord, StoreError> {
    let created_at: String = row.try_get("created_at")?;
    let division: String = row.try_get("division_code")?;
    let area: String = row.try_get("area")?;
    Ok(CaseRecord {
        id: row.try_get("id")?,
        household_id: row.try_get("household_id")?,
        program: row.try_get("program")?,
        income_per_capita_fen: row.try_get("income_per_capita_fen")?,
        benefit_start: opt_date(row.try_get("benefit_start")?)?,
        benefit_end: opt_date(row.try_get("benefit_end")?)?,
        active: row.try_get::<i64, _>("active")? != 0,
        version: row.try_get("version")?,
        created_at: parse_timestamp(&created_at)?,
        division_code: code(&division)?,
        division_name: row.try_get("division_name")?,
        address: row.try_get("address")?,
        area: area.parse().map_err(|_| StoreError::Corrupt {
            what: format!("area {area:?}"),
        })?,
    })
}

fn read_member(row: &AnyRow) -> Result<MemberRecord, StoreError> {
    let birth: String = row.try_get("birth_date")?;
    let joined: String = row.try_get("joined_on")?;
    Ok(MemberRecord {
        id: row.try_get("id")?,
        person_id: row.try_get("person_id")?,
        id_number: row.try_get("id_number")?,
        name: row.try_get("name")?,
        birth_date: date(&birth)?,
        sex: row.try_get("sex")?,
        relation: row.try_get("relation")?,
        disability_grade: row.try_get("disability_grade")?,
        severe_illness: row.try_get::<i64, _>("severe_illness")? != 0,
        employment: row.try_get("employment")?,
        self_care: row.try_get("self_care")?,
        joined_on: date(&joined)?,
        left_on: opt_date(row.try_get("left_on")?)?,
    })
}

fn read_action(row: &AnyRow) -> Result<StoredAction, StoreError> {
    let on: String = row.try_get("on_date")?;
    let at: String = row.try_get("at")?;
    Ok(StoredAction {
        id: row.try_get("id")?,
        seq: row.try_get("seq")?,
        action: NewAction {
            step: row.try_get("step")?,
            on_date: date(&on)?,
            by_user: row.try_get("by_user")?,
            at: parse_timestamp(&at)?,
            on_behalf: row.try_get::<Option<i64>, _>("on_behalf")?.map(|v| v != 0),
            income_fen: row.try_get("income_fen")?,
            notice_from: opt_date(row.try_get("notice_from")?)?,
            reason: row.try_get("reason")?,
            note: row.try_get("note")?,
        },
    })
}

/// Why a versioned update of case `case_id` changed no row: the case is gone, or another
/// write moved it past `expected_version` (a conflict on the `version` constraint).
async fn version_refusal(
    conn: &mut AnyConnection,
    case_id: i64,
    expected_version: i64,
) -> StoreError {
    let found: Result<Option<i64>, sqlx::Error> =
        sqlx::query_scalar("SELECT version FROM cases WHERE id = $1")
            .bind(case_id)
            .fetch_optional(conn)
            .await;
    match found {
        Err(e) => e.into(),
        Ok(None) => StoreError::NotFound,
        Ok(Some(v)) => StoreError::Conflict {
            what: format!("case {case_id} is at version {v}, not {expected_version}"),
            constraint: Some("version".into()),
        },
    }
}

async fn insert_action(
    conn: &mut AnyConnection,
    case_id: i64,
    seq: i64,
    a: &NewAction,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO case_actions (case_id, seq, step, on_date, by_user, at, on_behalf, \
         income_fen, notice_from, reason, note) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(case_id)
    .bind(seq)
    .bind(&a.step)
    .bind(date_text(a.on_date))
    .bind(&a.by_user)
    .bind(timestamp(a.at))
    .bind(a.on_behalf.map(i64::from))
    .bind(a.income_fen)
    .bind(a.notice_from.map(date_text))
    .bind(a.reason.clone())
    .bind(&a.note)
    .execute(conn)
    .await
    .map_err(|e| named(e.into()))?;
    Ok(())
}

/// The id of the person with `p`'s ID number, inserting the person if new (a returning
/// applicant keeps one row; the name is updated to the latest entry).
pub(crate) async fn person_id(
    conn: &mut AnyConnection,
    p: &NewPerson,
    at: &str,
) -> Result<i64, StoreError> {
    let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM persons WHERE id_number = $1")
        .bind(&p.id_number)
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(id) = existing {
        sqlx::query(
            "UPDATE persons SET name = $1, name_initials = $2, name_pinyin = $3 WHERE id = $4",
        )
        .bind(&p.name)
        .bind(&p.name_initials)
        .bind(&p.name_pinyin)
        .bind(id)
        .execute(&mut *conn)
        .await?;
        return Ok(id);
    }
    sqlx::query_scalar(
        "INSERT INTO persons (id_number, name, name_initials, name_pinyin, birth_date, sex, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(&p.id_number)
    .bind(&p.name)
    .bind(&p.name_initials)
    .bind(&p.name_pinyin)
    .bind(date_text(p.birth_date))
    .bind(&p.sex)
    .bind(at)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| named(e.into()))
}

/// Escapes LIKE wildcards (`\` is the escape character).
pub(crate) fn like_escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The SQL of the last step of case `c`.
const LAST_STEP: &str =
    "(SELECT a.step FROM case_actions a WHERE a.case_id = c.id ORDER BY a.seq DESC LIMIT 1)";
const LAST_ON: &str =
    "(SELECT a.on_date FROM case_actions a WHERE a.case_id = c.id ORDER BY a.seq DESC LIMIT 1)";
const APPLIED_ON: &str =
    "(SELECT a.on_date FROM case_actions a WHERE a.case_id = c.id AND a.seq = 1)";

/// The FROM clause of the list: a case, its household, division and head (the latest member
/// entered with relation `head`).
const LIST_FROM: &str = "FROM cases c JOIN households h ON h.id = c.household_id \
     JOIN divisions d ON d.code = h.division_code \
     JOIN members hm ON hm.id = (SELECT MAX(x.id) FROM members x \
         WHERE x.household_id = h.id AND x.relation = 'head') \
     JOIN persons hp ON hp.id = hm.person_id";

impl Store {
    /// Creates the persons (or finds them by ID number), the household, its members, the
    /// case and its first action in one transaction; returns the case id. A person already a
    /// current member elsewhere is a [`StoreError::Conflict`] naming
    /// [`PERSON_IN_ONE_HOUSEHOLD`].
    pub async fn insert_application(
        &self,
        app: &NewApplication,
        audit: &AuditEntry,
    ) -> Result<i64, StoreError> {
        let at = timestamp(audit.at);
        let joined = date_text(app.first_action.on_date);
        let mut tx = self.write().await?;
        let household: i64 = sqlx::query_scalar(
            "INSERT INTO households (division_code, address, area, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(app.division_code.as_str())
        .bind(&app.address)
        .bind(app.area.as_str())
        .bind(&at)
        .fetch_one(&mut *tx)
        .await?;
        for m in &app.members {
            let person = person_id(&mut tx, &m.person, &at).await?;
            sqlx::query(
                "INSERT INTO members (household_id, person_id, relation, disability_grade, \
                 severe_illness, employment, self_care, joined_on) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(household)
            .bind(person)
            .bind(&m.relation)
            .bind(m.disability_grade)
            .bind(i64::from(m.severe_illness))
            .bind(&m.employment)
            .bind(m.self_care.clone())
            .bind(&joined)
            .execute(&mut *tx)
            .await
            .map_err(|e| named(e.into()))?;
        }
        let case_id: i64 = sqlx::query_scalar(
            "INSERT INTO cases (household_id, program, active, version, created_at) \
             VALUES ($1, $2, 1, 1, $3) RETURNING id",
        )
        .bind(household)
        .bind(&app.program)
        .bind(&at)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| named(e.into()))?;
        insert_action(&mut tx, case_id, 1, &app.first_action).await?;
        let mut audit = audit.clone();
        if audit.object.is_empty() {
            audit.object = format!("case:{case_id}");
        }
        audit::append(&mut tx, self.backend, &audit).await?;
        tx.commit().await?;
        Ok(case_id)
    }

    /// Appends `action` to case `case_id` if its version is still `expected_version`, applies
    /// `update`, and bumps the version; returns the new version. A stale version is a
    /// [`StoreError::Conflict`] with constraint `version` (nothing written).
    pub async fn append_case_action(
        &self,
        case_id: i64,
        expected_version: i64,
        action: &NewAction,
        update: CaseUpdate,
        audit: &AuditEntry,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write().await?;
        let changed = sqlx::query(
            "UPDATE cases SET version = version + 1, \
             income_per_capita_fen = COALESCE($1, income_per_capita_fen), \
             benefit_start = COALESCE($2, benefit_start), \
             active = CASE WHEN $3 = 1 THEN 0 ELSE active END \
             WHERE id = $4 AND version = $5",
        )
        .bind(update.income_per_capita_fen)
        .bind(update.benefit_start.map(date_text))
        .bind(i64::from(update.close_on.is_some()))
        .bind(case_id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(version_refusal(&mut tx, case_id, expected_version).await);
        }
        let seq: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM case_actions WHERE case_id = $1",
        )
        .bind(case_id)
        .fetch_one(&mut *tx)
        .await?;
        insert_action(&mut tx, case_id, seq, action).await?;
        if let Some(m) = &update.means {
            means::insert(&mut tx, case_id, seq, m).await?;
        }
        if let Some(on) = update.close_on {
            sqlx::query(
                "UPDATE members SET left_on = $1 WHERE left_on IS NULL AND household_id = \
                 (SELECT household_id FROM cases WHERE id = $2)",
            )
            .bind(date_text(on))
            .bind(case_id)
            .execute(&mut *tx)
            .await?;
        }
        // Every case of the household: closing one sets every member's leaving day.
        crate::reports::keep_caseload(
            &mut tx,
            "c.household_id = (SELECT x.household_id FROM cases x WHERE x.id = $1)",
            case_id,
        )
        .await?;
        audit::append(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(expected_version + 1)
    }

    /// One case with its household, members and log.
    pub async fn case_file(&self, case_id: i64) -> Result<CaseFile, StoreError> {
        let row = sqlx::query(dynamic(format!(
            "SELECT {CASE_COLUMNS} FROM cases c JOIN households h ON h.id = c.household_id \
             JOIN divisions d ON d.code = h.division_code WHERE c.id = $1"
        )))
        .bind(case_id)
        .fetch_one(&self.pool)
        .await?;
        let case = read_case(&row)?;
        let members = sqlx::query(dynamic(format!(
            "SELECT {MEMBER_COLUMNS} FROM members m JOIN persons p ON p.id = m.person_id \
             WHERE m.household_id = $1 ORDER BY m.id"
        )))
        .bind(case.household_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(read_member)
        .collect::<Result<_, _>>()?;
        let actions = sqlx::query(dynamic(format!(
            "SELECT {ACTION_COLUMNS} FROM case_actions a WHERE a.case_id = $1 ORDER BY a.seq"
        )))
        .bind(case_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(read_action)
        .collect::<Result<_, _>>()?;
        Ok(CaseFile {
            case,
            members,
            actions,
        })
    }

    /// The active cases that persons with these ID numbers are current members of.
    pub async fn active_cases_of(
        &self,
        id_numbers: &[String],
    ) -> Result<Vec<PersonCase>, StoreError> {
        let mut out = Vec::new();
        for id_number in id_numbers {
            let rows = sqlx::query(
                "SELECT c.id, c.program, h.division_code, d.name FROM persons p \
                 JOIN members m ON m.person_id = p.id AND m.left_on IS NULL \
                 JOIN households h ON h.id = m.household_id \
                 JOIN divisions d ON d.code = h.division_code \
                 JOIN cases c ON c.household_id = h.id AND c.active = 1 \
                 WHERE p.id_number = $1 ORDER BY c.id",
            )
            .bind(id_number)
            .fetch_all(&self.pool)
            .await?;
            for row in &rows {
                let division: String = row.try_get(2)?;
                out.push(PersonCase {
                    id_number: id_number.clone(),
                    case_id: row.try_get(0)?,
                    program: row.try_get(1)?,
                    division_code: code(&division)?,
                    division_name: row.try_get(3)?,
                });
            }
        }
        Ok(out)
    }

    /// One page of the cases matching `filter` in `order`, and how many match in all. The
    /// page is clamped to the last existing one; returns (rows, total, page).
    pub async fn cases_page(
        &self,
        filter: &CaseFilter,
        order: CaseOrder,
        descending: bool,
        page: i64,
        per_page: i64,
    ) -> Result<(Vec<CaseRow>, i64, i64), StoreError> {
        let mut clauses: Vec<String> = Vec::new();
        let mut binds: Vec<String> = Vec::new();
        let mut bind = |value: String| {
            binds.push(value);
            format!("${}", binds.len())
        };
        for root in [&filter.jurisdiction, &filter.division]
            .into_iter()
            .flatten()
        {
            // Codes are digits only, so the prefix holds no LIKE wildcard.
            let p = bind(format!("{}%", subtree_prefix(root)));
            clauses.push(format!("h.division_code LIKE {p}"));
        }
        if let Some(program) = &filter.program {
            let p = bind(program.clone());
            clauses.push(format!("c.program = {p}"));
        }
        if let Some(active) = filter.active {
            clauses.push(format!("c.active = {}", i64::from(active)));
        }
        if let Some(steps) = &filter.last_steps {
            if steps.is_empty() {
                clauses.push("1 = 0".into());
            } else {
                let ps: Vec<String> = steps.iter().map(|s| bind(s.clone())).collect();
                clauses.push(format!("{LAST_STEP} IN ({})", ps.join(", ")));
            }
        }
        if let Some(until) = filter.applied_until {
            let p = bind(date_text(until));
            clauses.push(format!("{APPLIED_ON} <= {p}"));
        }
        let mut search = Vec::new();
        if let Some(text) = &filter.name_like {
            let p = bind(format!("%{}%", like_escape(text)));
            search.push(format!("LOWER(hp.name) LIKE {p} ESCAPE '\\'"));
        }
        if let Some(initials) = &filter.initials {
            let p = bind(format!("%{}%", like_escape(initials)));
            search.push(format!("hp.name_initials LIKE {p} ESCAPE '\\'"));
        }
        if let Some(id) = &filter.id_number {
            let p = bind(id.clone());
            search.push(format!(
                "EXISTS (SELECT 1 FROM members sm JOIN persons sp ON sp.id = sm.person_id \
                 WHERE sm.household_id = h.id AND sp.id_number = {p})"
            ));
        }
        if !search.is_empty() {
            clauses.push(format!("({})", search.join(" OR ")));
        }
        let where_sql = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let mut count =
            sqlx::query_scalar(dynamic(format!("SELECT COUNT(*) {LIST_FROM} {where_sql}")));
        for b in &binds {
            count = count.bind(b.clone());
        }
        let total: i64 = count.fetch_one(&self.pool).await?;
        let per_page = per_page.clamp(1, MAX_PAGE_ROWS);
        let pages = ((total + per_page - 1) / per_page).max(1);
        let page = page.clamp(1, pages);
        let dir = if descending { "DESC" } else { "ASC" };
        let order_sql = match order {
            CaseOrder::Id => format!("c.id {dir}"),
            CaseOrder::Applied => format!("applied_on {dir}, c.id {dir}"),
            CaseOrder::Name => format!("hp.name_pinyin {dir}, hp.name {dir}, c.id"),
            CaseOrder::Division => format!("h.division_code {dir}, c.id"),
            CaseOrder::Program => format!("c.program {dir}, c.id"),
        };
        let sql = format!(
            "SELECT c.id, c.program, c.active, c.version, {LAST_STEP} AS last_step, \
             {APPLIED_ON} AS applied_on, {LAST_ON} AS last_on, h.division_code, \
             d.name AS division_name, h.address, hp.name AS head_name, \
             hp.id_number AS head_id_number, \
             (SELECT COUNT(*) FROM members x WHERE x.household_id = h.id \
              AND (x.left_on IS NULL OR c.active = 0)) AS member_count, \
             c.income_per_capita_fen, c.benefit_start \
             {LIST_FROM} {where_sql} ORDER BY {order_sql} LIMIT {per_page} OFFSET {}",
            (page - 1) * per_page
        );
        let mut list = sqlx::query(dynamic(sql));
        for b in &binds {
            list = list.bind(b.clone());
        }
        let rows = list.fetch_all(&self.pool).await?;
        let rows = rows
            .iter()
            .map(|row| {
                let applied: String = row.try_get("applied_on")?;
                let last: String = row.try_get("last_on")?;
                let division: String = row.try_get("division_code")?;
                Ok(CaseRow {
                    id: row.try_get("id")?,
                    program: row.try_get("program")?,
                    active: row.try_get::<i64, _>("active")? != 0,
                    version: row.try_get("version")?,
                    last_step: row.try_get("last_step")?,
                    applied_on: date(&applied)?,
                    last_on: date(&last)?,
                    division_code: code(&division)?,
                    division_name: row.try_get("division_name")?,
                    address: row.try_get("address")?,
                    head_name: row.try_get("head_name")?,
                    head_id_number: row.try_get("head_id_number")?,
                    members: row.try_get("member_count")?,
                    income_per_capita_fen: row.try_get("income_per_capita_fen")?,
                    benefit_start: opt_date(row.try_get("benefit_start")?)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok((rows, total, page))
    }

    /// Active cases with a benefit start (approved), with what their benefit depends on;
    /// narrowed to a programme and area when given.
    pub async fn benefit_facts(
        &self,
        program: Option<&str>,
        area: Option<&str>,
    ) -> Result<Vec<BenefitFacts>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.id, c.program, h.area, c.income_per_capita_fen, c.benefit_start, \
             c.benefit_end FROM cases c JOIN households h ON h.id = c.household_id \
             WHERE c.active = 1 AND c.benefit_start IS NOT NULL \
             AND ($1 = '' OR c.program = $1) AND ($2 = '' OR h.area = $2) ORDER BY c.id",
        )
        .bind(program.unwrap_or("").to_owned())
        .bind(area.unwrap_or("").to_owned())
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let start: String = row.try_get("benefit_start")?;
            out.push(BenefitFacts {
                case_id: row.try_get("id")?,
                program: row.try_get("program")?,
                area: row.try_get("area")?,
                income_per_capita_fen: row.try_get("income_per_capita_fen")?,
                benefit_start: date(&start)?,
                benefit_end: opt_date(row.try_get("benefit_end")?)?,
                members: Vec::new(),
            });
        }
        let members = sqlx::query(
            "SELECT c.id AS case_id, p.birth_date, m.disability_grade, m.severe_illness, \
             m.self_care FROM cases c JOIN members m ON m.household_id = c.household_id \
             JOIN persons p ON p.id = m.person_id \
             WHERE c.active = 1 AND c.benefit_start IS NOT NULL AND m.left_on IS NULL \
             ORDER BY c.id, m.id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut at = 0usize;
        for row in &members {
            let case_id: i64 = row.try_get("case_id")?;
            while at < out.len() && out[at].case_id < case_id {
                at += 1;
            }
            if at < out.len() && out[at].case_id == case_id {
                let birth: String = row.try_get("birth_date")?;
                out[at].members.push((
                    date(&birth)?,
                    row.try_get("disability_grade")?,
                    row.try_get::<i64, _>("severe_illness")? != 0,
                    row.try_get("self_care")?,
                ));
            }
        }
        Ok(out)
    }

    /// How many pending cases (active, without a benefit start, last step not a decision)
    /// were applied for on each day, within `root`'s subtree (all for `None`).
    pub async fn pending_cases_by_applied_day(
        &self,
        root: Option<&DivisionCode>,
    ) -> Result<Vec<(NaiveDate, i64)>, StoreError> {
        let prefix = root.map_or_else(|| "%".to_owned(), |r| format!("{}%", subtree_prefix(r)));
        let rows: Vec<(String, i64)> = sqlx::query_as(dynamic(format!(
            "SELECT applied_on, COUNT(*) FROM (SELECT {APPLIED_ON} AS applied_on FROM cases c \
             JOIN households h ON h.id = c.household_id \
             WHERE c.active = 1 AND c.benefit_start IS NULL AND h.division_code LIKE $1) t \
             GROUP BY applied_on ORDER BY applied_on"
        )))
        .bind(prefix)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(|(d, n)| Ok((date(&d)?, n))).collect()
    }

    /// Every standard, ordered by programme, area and date.
    pub async fn standards(&self) -> Result<Vec<StandardRow>, StoreError> {
        let rows: Vec<(String, String, String, i64, String)> = sqlx::query_as(
            "SELECT program, area, effective_from, amount_fen, citation FROM standards \
             ORDER BY program, area, effective_from",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(program, area, from, amount_fen, citation)| {
                Ok(StandardRow {
                    program,
                    area,
                    effective_from: date(&from)?,
                    amount_fen,
                    citation,
                })
            })
            .collect()
    }

    /// Adds a standard, or replaces the amount and citation of the one with the same
    /// programme, area and date.
    pub async fn upsert_standard(
        &self,
        row: &StandardRow,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO standards (program, area, effective_from, amount_fen, citation, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (program, area, effective_from) DO UPDATE SET \
             amount_fen = excluded.amount_fen, citation = excluded.citation, \
             updated_at = excluded.updated_at",
        )
        .bind(&row.program)
        .bind(&row.area)
        .bind(date_text(row.effective_from))
        .bind(row.amount_fen)
        .bind(&row.citation)
        .bind(timestamp(audit.at))
        .execute(&mut *tx)
        .await?;
        audit::append(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every classified-assistance policy with its rules, oldest first.
    pub async fn policies(&self) -> Result<Vec<PolicyRow>, StoreError> {
        let heads: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT id, effective_from, citation FROM classified_policies ORDER BY effective_from",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(heads.len());
        for (id, from, citation) in heads {
            let rules: Vec<(String, Option<i64>, Option<i64>, i64)> = sqlx::query_as(
                "SELECT kind, min_value, max_value, pct FROM policy_rules WHERE policy_id = $1 \
                 ORDER BY id",
            )
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
            out.push(PolicyRow {
                effective_from: date(&from)?,
                citation,
                rules: rules
                    .into_iter()
                    .map(|(kind, min_value, max_value, pct)| PolicyRuleRow {
                        kind,
                        min_value,
                        max_value,
                        pct,
                    })
                    .collect(),
            });
        }
        Ok(out)
    }

    /// Adds a policy, or replaces the one in force from the same date (rules and citation).
    pub async fn replace_policy(
        &self,
        row: &PolicyRow,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let at = timestamp(audit.at);
        let from = date_text(row.effective_from);
        let mut tx = self.write().await?;
        let existing: Option<i64> =
            sqlx::query_scalar("SELECT id FROM classified_policies WHERE effective_from = $1")
                .bind(&from)
                .fetch_optional(&mut *tx)
                .await?;
        let id = match existing {
            Some(id) => {
                sqlx::query("DELETE FROM policy_rules WHERE policy_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "UPDATE classified_policies SET citation = $1, updated_at = $2 WHERE id = $3",
                )
                .bind(&row.citation)
                .bind(&at)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                id
            }
            None => {
                sqlx::query_scalar(
                    "INSERT INTO classified_policies (effective_from, citation, updated_at) \
                     VALUES ($1, $2, $3) RETURNING id",
                )
                .bind(&from)
                .bind(&row.citation)
                .bind(&at)
                .fetch_one(&mut *tx)
                .await?
            }
        };
        for rule in &row.rules {
            sqlx::query(
                "INSERT INTO policy_rules (policy_id, kind, min_value, max_value, pct) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(&rule.kind)
            .bind(rule.min_value)
            .bind(rule.max_value)
            .bind(rule.pct)
            .execute(&mut *tx)
            .await?;
        }
        audit::append(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every care standard, ordered by area, level and date.
    pub async fn care_standards(&self) -> Result<Vec<CareStandardRow>, StoreError> {
        let rows: Vec<(String, String, String, i64, String)> = sqlx::query_as(
            "SELECT area, level, effective_from, amount_fen, citation FROM care_standards \
             ORDER BY area, level, effective_from",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(area, level, from, amount_fen, citation)| {
                Ok(CareStandardRow {
                    area,
                    level,
                    effective_from: date(&from)?,
                    amount_fen,
                    citation,
                })
            })
            .collect()
    }

    /// Adds a care standard, or replaces the one with the same area, level and date.
    pub async fn upsert_care_standard(
        &self,
        row: &CareStandardRow,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO care_standards (area, level, effective_from, amount_fen, citation, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (area, level, effective_from) DO UPDATE SET \
             amount_fen = excluded.amount_fen, citation = excluded.citation, \
             updated_at = excluded.updated_at",
        )
        .bind(&row.area)
        .bind(&row.level)
        .bind(date_text(row.effective_from))
        .bind(row.amount_fen)
        .bind(&row.citation)
        .bind(timestamp(audit.at))
        .execute(&mut *tx)
        .await?;
        audit::append(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A setting's stored value, if set.
    pub async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Sets a setting.
    pub async fn set_setting(
        &self,
        key: &str,
        value: &str,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, \
             updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(value)
        .bind(timestamp(audit.at))
        .execute(&mut *tx)
        .await?;
        audit::append(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(())
    }
}
