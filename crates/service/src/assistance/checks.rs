//! Cross-checks (数据比对, issue 4 item 8): nightly and on demand, over the current members of
//! every household in the actor's jurisdiction —
//!
//! * the same ID number (compared normalised: `domain::assistance::checks::normalised_id`)
//!   in more than one household (`duplicate_household`), in more than one active case
//!   (`duplicate_case`, i.e. in two programmes or two 低保 files at once), or twice in one
//!   household (`duplicate_in_household`). The database refuses most of these for numbers
//!   stored alike; imported and historical data, and a number stored once as `…x` and once
//!   as `…X` or in its 15-digit form, get past it;
//! * a stored number that fails GB 11643 (`invalid_id`), or whose stored birth date or sex
//!   disagrees with it (`id_mismatch`);
//! * a member matched by a death record (`death`). The records come from an uploaded death
//!   file ([`Service::import_deaths`]) until the funeral module feeds them. A match is also
//!   recorded as the member's death in the change log (`changes`, kind `death`), so their
//!   share stops from the next benefit month (the last member's death ends the case).
//!
//! Each finding becomes a task (待办) for the street or town over the household, under a
//! deterministic key (kind, normalised number, household or member): a re-run makes no
//! second open task, and a dismissed finding is not raised again. A resolved one is, if the
//! problem is still there. Tasks are closed once, as resolved or dismissed, with a note.
//!
//! Who: running the checks and importing deaths is the district section's (`Approve`, as it
//! records deaths in any case of its jurisdiction; the console and the nightly run act as
//! `system`); tasks are read by assistance readers and closed by those who record changes
//! (`Write`), each within their jurisdiction. Lists mask ID numbers. Runs, death imports
//! and closings are audited.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use domain::assistance::checks::{IdProblem, id_problem, nightly_due, normalised_id};
use domain::{Action, DivisionCode, DivisionLevel, Line, ResidentId};

use store::{
    CheckMember, CheckTask, DeathRecord, NewCheckRun, NewDeathRecord, NewFinding, StoreError,
};

use super::{ChangeInput, ChangeKind, MAX_NAME_CHARS, check_reason, field};
use crate::divisions::{MAX_REPORTED_ERRORS, decode_text};
use crate::list::{self, Code, ListQuery, Page};
use crate::{Actor, Error, FieldError, Service};

/// The most rows one death file may hold.
pub const MAX_DEATH_ROWS: usize = 200_000;
/// The longest source text kept with a death record.
pub const MAX_SOURCE_CHARS: usize = 50;
/// The default time of the nightly run, Beijing time.
pub const DEFAULT_NIGHTLY_AT: (u32, u32) = (2, 0);

/// Accepted headers of a death file per column, the English name first.
pub const DEATH_COLUMNS: [&[&str]; 4] = [
    &["id_number", "公民身份号码", "身份证号码", "身份证号"],
    &["name", "姓名"],
    &["date_of_death", "死亡日期"],
    &["source", "来源", "数据来源"],
];

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FindingKind {
    DuplicateHousehold,
    DuplicateCase,
    DuplicateInHousehold,
    InvalidId,
    IdMismatch,
    Death,
}

impl Code for FindingKind {
    const ALL: &'static [Self] = &[
        Self::DuplicateHousehold,
        Self::DuplicateCase,
        Self::DuplicateInHousehold,
        Self::InvalidId,
        Self::IdMismatch,
        Self::Death,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Self::DuplicateHousehold => "duplicate_household",
            Self::DuplicateCase => "duplicate_case",
            Self::DuplicateInHousehold => "duplicate_in_household",
            Self::InvalidId => "invalid_id",
            Self::IdMismatch => "id_mismatch",
            Self::Death => "death",
        }
    }
}

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskStatus {
    Open,
    Resolved,
    Dismissed,
}

impl Code for TaskStatus {
    const ALL: &'static [Self] = &[Self::Open, Self::Resolved, Self::Dismissed];

    fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Resolved => "resolved",
            Self::Dismissed => "dismissed",
        }
    }
}

/// How the task list may be sorted (default: newest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskSort {
    Created,
    Kind,
    Division,
    Name,
}

impl Code for TaskSort {
    const ALL: &'static [Self] = &[Self::Created, Self::Kind, Self::Division, Self::Name];

    fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Kind => "kind",
            Self::Division => "division",
            Self::Name => "name",
        }
    }
}

/// What started a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Someone pressed the button, or ran `minzheng check assistance`.
    Manual,
    /// The server's daily run.
    Nightly,
    /// A death file was imported.
    Deaths,
}

impl Code for Origin {
    const ALL: &'static [Self] = &[Self::Manual, Self::Nightly, Self::Deaths];

    fn as_str(self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::Nightly => "nightly",
            Self::Deaths => "deaths",
        }
    }
}

/// What a run found and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSummary {
    pub run_id: i64,
    pub origin: Origin,
    pub by: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    /// Findings of the three duplicate kinds.
    pub duplicates: i64,
    /// Findings of `invalid_id` and `id_mismatch`.
    pub invalid_ids: i64,
    /// Members matched by a death record.
    pub deaths: i64,
    /// Of those, deaths recorded in the change log by this run.
    pub deaths_recorded: i64,
    /// New tasks (findings with an open or dismissed task make none).
    pub tasks_created: i64,
}

/// One task as lists show it: the ID number masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskView {
    pub id: i64,
    pub kind: FindingKind,
    pub status: TaskStatus,
    pub street: DivisionCode,
    pub street_name: String,
    pub division: DivisionCode,
    pub division_name: String,
    pub household_id: i64,
    pub case_id: Option<i64>,
    pub person_name: String,
    pub id_masked: String,
    /// What was found, as `key=value` pairs (other households, the rule broken, the death).
    pub detail: String,
    pub created_at: DateTime<Utc>,
    pub closed_by: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
}

/// The task list's query: the common list query and the kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskQuery {
    pub list: ListQuery<TaskSort, TaskStatus>,
    pub kind: Option<FindingKind>,
}

impl TaskQuery {
    pub fn describe(&self) -> String {
        let mut text = self.list.describe();
        if let Some(k) = self.kind {
            text.push_str(&format!(" kind={}", k.as_str()));
        }
        text.trim().to_owned()
    }
}

/// What a death-file import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeathImport {
    /// Data rows read.
    pub rows: usize,
    /// New records stored.
    pub stored: usize,
    /// Records already stored (a re-import), left as they were.
    pub known: usize,
    /// The run that matched them, when anything new was stored.
    pub run: Option<RunSummary>,
}

/// A stored number masked for a list: a valid one as `ResidentId::masked`, anything else
/// with all but its first 4 and last 4 characters hidden (at least half of it).
fn masked(id_number: &str) -> String {
    match ResidentId::parse(id_number) {
        Ok(id) => id.masked(),
        Err(_) => {
            let chars: Vec<char> = id_number.trim().chars().collect();
            let n = chars.len();
            let keep = if n >= 16 { 4 } else { n / 4 };
            chars
                .iter()
                .enumerate()
                .map(|(i, c)| if i < keep || i + keep >= n { *c } else { '*' })
                .collect()
        }
    }
}

/// The street or town responsible for a household's community or village.
fn street_of(code: &DivisionCode) -> DivisionCode {
    match code.level() {
        DivisionLevel::Community | DivisionLevel::Village => {
            code.parent().unwrap_or_else(|| code.clone())
        }
        _ => code.clone(),
    }
}

fn finding(kind: FindingKind, key: String, m: &CheckMember, detail: String) -> NewFinding {
    NewFinding {
        key,
        kind: kind.as_str().to_owned(),
        street_code: street_of(&m.division_code),
        division_code: m.division_code.clone(),
        household_id: m.household_id,
        case_id: m.case_id,
        member_id: m.member_id,
        id_number: m.id_number.clone(),
        person_name: m.name.clone(),
        detail,
    }
}

fn joined(ids: impl IntoIterator<Item = i64>) -> String {
    ids.into_iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// The duplicate findings among `members` (see the module documentation).
fn duplicates(members: &[CheckMember]) -> Vec<NewFinding> {
    let mut groups: BTreeMap<String, Vec<&CheckMember>> = BTreeMap::new();
    for m in members {
        groups
            .entry(normalised_id(&m.id_number))
            .or_default()
            .push(m);
    }
    let mut out = Vec::new();
    for (number, group) in groups.iter().filter(|(_, g)| g.len() > 1) {
        let households: BTreeMap<i64, Vec<&CheckMember>> =
            group.iter().fold(BTreeMap::new(), |mut acc, m| {
                acc.entry(m.household_id).or_default().push(*m);
                acc
            });
        let cases: HashSet<i64> = group.iter().filter_map(|m| m.case_id).collect();
        if households.len() > 1 {
            for (household, in_it) in &households {
                let m = in_it[0];
                let kind = if cases.len() > 1 && m.case_id.is_some() {
                    FindingKind::DuplicateCase
                } else {
                    FindingKind::DuplicateHousehold
                };
                let others = joined(households.keys().copied().filter(|h| h != household));
                let mut detail = format!("households={others}");
                if kind == FindingKind::DuplicateCase {
                    let other_cases =
                        joined(cases.iter().copied().filter(|c| Some(*c) != m.case_id));
                    detail.push_str(&format!(" cases={other_cases}"));
                }
                let key = format!("{}:{number}:{household}", kind.as_str());
                out.push(finding(kind, key, m, detail));
            }
        }
        for (household, in_it) in households.iter().filter(|(_, v)| v.len() > 1) {
            let kind = FindingKind::DuplicateInHousehold;
            let key = format!("{}:{number}:{household}", kind.as_str());
            let detail = format!("members={}", joined(in_it.iter().map(|m| m.member_id)));
            out.push(finding(kind, key, in_it[0], detail));
        }
    }
    out
}

/// The invalid and mismatching numbers among `members`.
fn invalid_ids(members: &[CheckMember]) -> Vec<NewFinding> {
    members
        .iter()
        .filter_map(|m| {
            let (kind, detail) = match id_problem(&m.id_number, &m.birth_date, &m.sex)? {
                IdProblem::Invalid(code) => (FindingKind::InvalidId, format!("rule={code}")),
                IdProblem::Mismatch(column, expected) => (
                    FindingKind::IdMismatch,
                    format!("column={column} expected={expected}"),
                ),
            };
            // The stored number is in the key: a corrected number that is still wrong is a
            // new finding.
            let key = format!("{}:{}:{}", kind.as_str(), m.member_id, m.id_number.trim());
            Some(finding(kind, key, m, detail))
        })
        .collect()
}

fn header_error(detail: String) -> Vec<FieldError> {
    vec![FieldError::new("header", "checks.header", detail).at_row(1)]
}

/// Reads and checks a death file (CSV, UTF-8 or GBK, English or Chinese headers: see
/// [`DEATH_COLUMNS`]). Every problem names the row (the header is row 1) and the column;
/// any problem and nothing is returned.
pub fn parse_death_file(
    bytes: &[u8],
    today: NaiveDate,
) -> Result<Vec<NewDeathRecord>, Vec<FieldError>> {
    let text = decode_text(bytes).map_err(|e| vec![e])?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| {
            vec![FieldError::new("file", "import.malformed_row", e.to_string()).at_row(1)]
        })?
        .clone();
    let at = |names: &[&str]| headers.iter().position(|h| names.contains(&h.trim()));
    let [id_at, name_at, died_at, source_at] = DEATH_COLUMNS.map(at);
    let (Some(id_at), Some(name_at), Some(died_at)) = (id_at, name_at, died_at) else {
        let missing: Vec<&str> = [(id_at, 0), (name_at, 1), (died_at, 2)]
            .iter()
            .filter(|(found, _)| found.is_none())
            .map(|(_, i)| DEATH_COLUMNS[*i][1])
            .collect();
        return Err(header_error(missing.join("、")));
    };
    let mut errors = Vec::new();
    let mut records = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 2;
        if errors.len() >= MAX_REPORTED_ERRORS {
            break;
        }
        if row - 1 > MAX_DEATH_ROWS {
            errors.push(
                FieldError::new("file", "import.too_many_rows", MAX_DEATH_ROWS.to_string())
                    .at_row(row),
            );
            break;
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(
                    FieldError::new("file", "import.malformed_row", e.to_string()).at_row(row),
                );
                continue;
            }
        };
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let cell = |at: usize| record.get(at).unwrap_or("").trim();
        let raw_id = cell(id_at);
        let parsed = if raw_id.chars().count() == 15 {
            ResidentId::from_15(raw_id)
        } else {
            ResidentId::parse(raw_id)
        };
        let id = match parsed.and_then(|id| id.check_not_born_after(today).map(|()| id)) {
            Ok(id) => Some(id),
            Err(e) => {
                errors.push(FieldError::new("id_number", e.code(), raw_id).at_row(row));
                None
            }
        };
        let name = cell(name_at);
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
            errors.push(
                FieldError::new("name", "checks.name", MAX_NAME_CHARS.to_string()).at_row(row),
            );
        }
        let died_text = cell(died_at);
        let died = match domain::parse_date(died_text) {
            Err(e) => {
                errors.push(FieldError::new("date_of_death", e.code(), died_text).at_row(row));
                None
            }
            Ok(d) if d > today => {
                errors.push(
                    FieldError::new("date_of_death", "checks.death_in_future", died_text)
                        .at_row(row),
                );
                None
            }
            Ok(d) => match &id {
                Some(id) if d < id.birth_date() => {
                    errors.push(
                        FieldError::new(
                            "date_of_death",
                            "checks.death_before_birth",
                            id.birth_date().to_string(),
                        )
                        .at_row(row),
                    );
                    None
                }
                _ => Some(d),
            },
        };
        let source = source_at.map(cell).unwrap_or_default();
        if source.chars().count() > MAX_SOURCE_CHARS {
            errors.push(
                FieldError::new("source", "checks.source_long", MAX_SOURCE_CHARS.to_string())
                    .at_row(row),
            );
        }
        if let Some(id) = &id {
            if let Some(first) = seen.get(id.as_str()) {
                errors.push(
                    FieldError::new("id_number", "checks.duplicate_in_file", first.to_string())
                        .at_row(row),
                );
            } else {
                seen.insert(id.as_str().to_owned(), row);
            }
        }
        if let (Some(id), Some(died_on), true) = (id, died, errors.is_empty()) {
            records.push(NewDeathRecord {
                id_number: id.as_str().to_owned(),
                name: name.to_owned(),
                died_on,
                source: source.to_owned(),
            });
        }
    }
    if errors.is_empty() {
        Ok(records)
    } else {
        Err(errors)
    }
}

fn summary_of(run: &store::CheckRun) -> Result<RunSummary, Error> {
    Ok(RunSummary {
        run_id: run.id,
        origin: Origin::parse(&run.run.origin).ok_or_else(|| {
            Error::Internal(StoreError::Corrupt {
                what: format!("check run origin {:?}", run.run.origin),
            })
        })?,
        by: run.run.by_user.clone(),
        started_at: run.run.started_at,
        finished_at: run.run.finished_at,
        duplicates: run.run.duplicates,
        invalid_ids: run.run.invalid_ids,
        deaths: run.run.deaths,
        deaths_recorded: run.run.deaths_recorded,
        tasks_created: run.tasks_created,
    })
}

fn view(t: CheckTask) -> Result<TaskView, Error> {
    let corrupt = |what: String| Error::Internal(StoreError::Corrupt { what });
    Ok(TaskView {
        id: t.id,
        kind: FindingKind::parse(&t.finding.kind)
            .ok_or_else(|| corrupt(format!("task kind {:?}", t.finding.kind)))?,
        status: TaskStatus::parse(&t.status)
            .ok_or_else(|| corrupt(format!("task status {:?}", t.status)))?,
        street: t.finding.street_code,
        street_name: t.street_name,
        division: t.finding.division_code,
        division_name: t.division_name,
        household_id: t.finding.household_id,
        case_id: t.finding.case_id,
        person_name: t.finding.person_name,
        id_masked: masked(&t.finding.id_number),
        detail: t.finding.detail,
        created_at: t.created_at,
        closed_by: t.closed_by,
        closed_at: t.closed_at,
        note: t.note,
    })
}

impl Service {
    /// Runs every check over the actor's jurisdiction (the whole database for the console)
    /// and records the run; the district section's (`Approve`).
    pub async fn run_checks(&self, actor: &Actor, origin: Origin) -> Result<RunSummary, Error> {
        self.authorize(actor, Line::Assistance, Action::Approve)?;
        if actor.jurisdiction.is_none() && !actor.is_system() {
            return Err(Error::Forbidden);
        }
        let started = self.now();
        let root = actor.jurisdiction.clone();
        let members = self.store().check_members(root.as_ref()).await?;
        let deaths = self.store().death_records().await?;
        let dead: HashMap<&str, &DeathRecord> = deaths
            .iter()
            .map(|d| (d.record.id_number.as_str(), d))
            .collect();
        let mut findings = Vec::new();
        let (mut died, mut recorded) = (0i64, 0i64);
        for m in &members {
            let number = normalised_id(&m.id_number);
            let Some(d) = dead.get(number.as_str()) else {
                continue;
            };
            died += 1;
            let (done, outcome) = self.record_death(actor, m, d).await?;
            recorded += i64::from(done);
            let detail = format!(
                "died_on={} source={} {outcome}",
                d.record.died_on,
                if d.record.source.is_empty() {
                    "-"
                } else {
                    &d.record.source
                }
            );
            let key = format!("death:{}:{}", d.id, m.member_id);
            findings.push(finding(FindingKind::Death, key, m, detail));
        }
        // The dead have left their households now; the other checks see the rest.
        let members = if recorded > 0 {
            self.store().check_members(root.as_ref()).await?
        } else {
            members
        };
        let dups = duplicates(&members);
        let invalid = invalid_ids(&members);
        let run = NewCheckRun {
            origin: origin.as_str().to_owned(),
            by_user: actor.username.clone(),
            scope: root.clone(),
            started_at: started,
            finished_at: self.now(),
            duplicates: i64::try_from(dups.len()).unwrap_or(i64::MAX),
            invalid_ids: i64::try_from(invalid.len()).unwrap_or(i64::MAX),
            deaths: died,
            deaths_recorded: recorded,
        };
        findings.extend(dups);
        findings.extend(invalid);
        let audit = self.audit(
            actor,
            "assistance.checks.run",
            "check_run",
            "",
            format!(
                "origin={} scope={} duplicates={} invalid_ids={} deaths={} deaths_recorded={}",
                run.origin,
                root.as_ref().map_or("all", DivisionCode::as_str),
                run.duplicates,
                run.invalid_ids,
                run.deaths,
                run.deaths_recorded
            ),
        );
        let (run_id, created) = self
            .store()
            .record_check_run(&run, &findings, &audit)
            .await?;
        Ok(RunSummary {
            run_id,
            origin,
            by: run.by_user,
            started_at: run.started_at,
            finished_at: run.finished_at,
            duplicates: run.duplicates,
            invalid_ids: run.invalid_ids,
            deaths: run.deaths,
            deaths_recorded: run.deaths_recorded,
            tasks_created: created,
        })
    }

    /// Records member `m`'s death in their case's change log from the next month; returns
    /// whether it was recorded and, as `key=value`, from which month or why not.
    async fn record_death(
        &self,
        actor: &Actor,
        m: &CheckMember,
        d: &DeathRecord,
    ) -> Result<(bool, String), Error> {
        let Some(case_id) = m.case_id else {
            return Ok((false, "not_recorded=no_case".into()));
        };
        let file = self.store().case_file(case_id).await?;
        if file.case.benefit_start.is_none() {
            return Ok((false, "not_recorded=not_paying".into()));
        }
        let source: String = d.record.source.chars().take(MAX_SOURCE_CHARS).collect();
        let reason = format!("数据比对:死亡记录 {} {source}", d.record.died_on);
        let input = ChangeInput {
            kind: ChangeKind::Death {
                member_id: m.member_id,
            },
            effective: None,
            reason: reason.trim().to_owned(),
        };
        match self
            .record_change(actor, case_id, file.case.version, input)
            .await
        {
            Ok(_) => {
                let from = domain::Month::of(self.today())
                    .next()
                    .map_or_else(String::new, |m| m.to_string());
                Ok((true, format!("stopped_from={from}")))
            }
            // Refused (e.g. a later change is already recorded) or changed meanwhile: the
            // task asks the street to record it by hand.
            Err(Error::Invalid(e)) => Ok((
                false,
                format!("not_recorded={}", e.first().map_or("invalid", |f| f.code)),
            )),
            Err(Error::Conflict { code, .. }) => Ok((false, format!("not_recorded={code}"))),
            Err(e) => Err(e),
        }
    }

    /// Imports a death file: every row checked first (any error and nothing is stored),
    /// then the records not stored yet are stored with one audit entry and the checks run
    /// (origin `deaths`), recording the deaths of matched members. The same file again
    /// stores nothing and runs nothing.
    pub async fn import_deaths(&self, actor: &Actor, bytes: &[u8]) -> Result<DeathImport, Error> {
        self.authorize(actor, Line::Assistance, Action::Approve)?;
        self.authorize(actor, Line::Assistance, Action::Write)?;
        let records = parse_death_file(bytes, self.today()).map_err(Error::Invalid)?;
        let known: HashSet<String> = self
            .store()
            .death_records()
            .await?
            .into_iter()
            .map(|d| d.record.id_number)
            .collect();
        let rows = records.len();
        let new: Vec<NewDeathRecord> = records
            .into_iter()
            .filter(|r| !known.contains(&r.id_number))
            .collect();
        if new.is_empty() {
            return Ok(DeathImport {
                rows,
                stored: 0,
                known: rows,
                run: None,
            });
        }
        let sha = domain::sha256_hex(bytes);
        let audit = self.audit(
            actor,
            "assistance.checks.deaths_import",
            "death_records",
            "",
            format!("rows={rows} stored={} sha256={sha}", new.len()),
        );
        match self
            .store()
            .insert_death_records(&new, &actor.username, &audit)
            .await
        {
            Ok(()) => {}
            Err(StoreError::Conflict {
                constraint: Some(c),
                ..
            }) if c == store::DEATH_ID_NUMBER => {
                return Err(Error::Conflict {
                    code: "assistance.deaths_changed",
                    detail: String::new(),
                });
            }
            Err(e) => return Err(e.into()),
        }
        let run = self.run_checks(actor, Origin::Deaths).await?;
        Ok(DeathImport {
            rows,
            stored: new.len(),
            known: rows - new.len(),
            run: Some(run),
        })
    }

    /// Runs the checks as `system` when the nightly run is due at the service clock's now
    /// (`at`, Beijing time; see `domain::assistance::checks::nightly_due`). `serve` asks
    /// every minute.
    pub async fn run_nightly_if_due(&self, at: NaiveTime) -> Result<Option<RunSummary>, Error> {
        let last = self
            .store()
            .check_runs(Some(Origin::Nightly.as_str()), 1)
            .await?
            .first()
            .map(|r| r.run.started_at);
        if !nightly_due(self.now(), at, last) {
            return Ok(None);
        }
        self.run_checks(&Actor::system(), Origin::Nightly)
            .await
            .map(Some)
    }

    /// The latest runs, newest first (`Read`).
    pub async fn check_runs(&self, actor: &Actor, limit: i64) -> Result<Vec<RunSummary>, Error> {
        self.authorize(actor, Line::Assistance, Action::Read)?;
        self.store()
            .check_runs(None, limit)
            .await?
            .iter()
            .map(summary_of)
            .collect()
    }

    /// The tasks in the actor's jurisdiction, each with its stored number in the form a
    /// search compares.
    async fn tasks_in_scope(&self, actor: &Actor) -> Result<Vec<(TaskView, String)>, Error> {
        let root = match (&actor.jurisdiction, actor.is_system()) {
            (Some(root), _) => Some(root),
            (None, true) => None,
            (None, false) => return Ok(Vec::new()),
        };
        self.store()
            .check_tasks(root)
            .await?
            .into_iter()
            .map(|t| {
                let number = normalised_id(&t.finding.id_number);
                view(t).map(|v| (v, number))
            })
            .collect()
    }

    /// A page of the tasks in the actor's jurisdiction (`Read`): filtered by division,
    /// status and kind, searched by name (or pinyin initials) or a whole ID number, sorted.
    pub async fn check_tasks(
        &self,
        actor: &Actor,
        query: &TaskQuery,
    ) -> Result<Page<TaskView>, Error> {
        self.authorize(actor, Line::Assistance, Action::Read)?;
        let search = query.list.search();
        let mut rows: Vec<TaskView> = self
            .tasks_in_scope(actor)
            .await?
            .into_iter()
            .filter(|(t, _)| {
                query
                    .list
                    .division
                    .as_ref()
                    .is_none_or(|d| t.division.is_within(d))
            })
            .filter(|(t, _)| query.list.status.is_none_or(|s| t.status == s))
            .filter(|(t, _)| query.kind.is_none_or(|k| t.kind == k))
            .filter(|(t, number)| {
                search.as_ref().is_none_or(|search| {
                    search.matches_name(&t.person_name)
                        || ResidentId::parse(number).is_ok_and(|id| search.matches_resident_id(&id))
                })
            })
            .map(|(t, _)| t)
            .collect();
        let descending = query.list.descending;
        match query.list.sort {
            None | Some(TaskSort::Created) => {
                rows.sort_by(|a, b| list::directed(b.id.cmp(&a.id), descending));
            }
            Some(TaskSort::Kind) => rows.sort_by(|a, b| {
                list::directed(a.kind.cmp(&b.kind).then(b.id.cmp(&a.id)), descending)
            }),
            Some(TaskSort::Division) => rows.sort_by(|a, b| {
                list::directed(
                    a.division.cmp(&b.division).then(b.id.cmp(&a.id)),
                    descending,
                )
            }),
            Some(TaskSort::Name) => rows.sort_by(|a, b| {
                list::directed(
                    list::name_order_key(&a.person_name)
                        .cmp(&list::name_order_key(&b.person_name))
                        .then(b.id.cmp(&a.id)),
                    descending,
                )
            }),
        }
        Ok(Page::cut(rows, query.list.page, query.list.page_size()))
    }

    /// Every task matching the query, for a download (`Export`, at most
    /// [`list::MAX_EXPORT_ROWS`]); audited with the row count and the query.
    pub async fn export_check_tasks(
        &self,
        actor: &Actor,
        query: &TaskQuery,
    ) -> Result<Vec<TaskView>, Error> {
        self.authorize(actor, Line::Assistance, Action::Export)?;
        let all = list::every_row(|page, per_page| {
            let mut q = query.clone();
            q.list.page = page;
            q.list.per_page = per_page;
            async move { self.check_tasks(actor, &q).await }
        })
        .await?;
        let audit = self.audit(
            actor,
            "assistance.checks.export",
            "check_tasks",
            "",
            format!("rows={} {}", all.len(), query.describe())
                .trim_end()
                .to_owned(),
        );
        self.store().record_audit(&audit).await?;
        Ok(all)
    }

    /// One task in the actor's jurisdiction (`Read`).
    pub async fn check_task(&self, actor: &Actor, id: i64) -> Result<TaskView, Error> {
        self.authorize(actor, Line::Assistance, Action::Read)?;
        let task = self.store().check_task(id).await?;
        self.within(actor, &task.finding.division_code)?;
        view(task)
    }

    /// Closes an open task as resolved or dismissed, with a note (`Write`, within the
    /// jurisdiction); audited.
    pub async fn close_check_task(
        &self,
        actor: &Actor,
        id: i64,
        status: TaskStatus,
        note: &str,
    ) -> Result<(), Error> {
        self.authorize(actor, Line::Assistance, Action::Write)?;
        let task = self.store().check_task(id).await?;
        self.within(actor, &task.finding.division_code)?;
        let mut errors = Vec::new();
        if status == TaskStatus::Open {
            errors.push(field("status", "checks.close_status", status.as_str()));
        }
        let note = match check_reason(note) {
            Ok(n) => n,
            Err(Error::Invalid(e)) => {
                errors.extend(e.into_iter().map(|mut f| {
                    f.field = "note";
                    f
                }));
                String::new()
            }
            Err(e) => return Err(e),
        };
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let audit = self.audit(
            actor,
            "assistance.checks.task_close",
            format!("check_task:{id}"),
            &note,
            format!("status={} kind={}", status.as_str(), task.finding.kind),
        );
        match self
            .store()
            .close_check_task(id, status.as_str(), &note, &audit)
            .await
        {
            Ok(()) => Ok(()),
            Err(StoreError::Conflict { .. }) => {
                let now = self.store().check_task(id).await?;
                Err(Error::Conflict {
                    code: "assistance.task_closed",
                    detail: now.closed_by.unwrap_or_default(),
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// How many open tasks lie in the actor's jurisdiction, for the home page.
    pub async fn open_check_task_count(&self, actor: &Actor) -> Result<usize, Error> {
        self.authorize(actor, Line::Assistance, Action::Read)?;
        let root = match (&actor.jurisdiction, actor.is_system()) {
            (Some(root), _) => Some(root),
            (None, true) => None,
            (None, false) => return Ok(0),
        };
        let count = self.store().open_check_task_count(root).await?;
        Ok(usize::try_from(count).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_hides_most_of_any_stored_number() {
        assert_eq!(masked("11010519491231002X"), "1101**********002X");
        assert_eq!(masked("110105194912310021"), "1101**********0021");
        assert_eq!(masked("12345678"), "12****78");
        assert_eq!(masked(""), "");
        assert_eq!(masked("号码"), "**");
    }

    #[test]
    fn the_street_is_the_community_s_parent() {
        let c: DivisionCode = "990101001001".parse().unwrap();
        assert_eq!(street_of(&c).as_str(), "990101001000");
        let s: DivisionCode = "990101001000".parse().unwrap();
        assert_eq!(street_of(&s).as_str(), "990101001000");
    }
}
