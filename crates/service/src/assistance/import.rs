//! The legacy roster import (存量数据导入, issue 4 item 6): moving an existing district's
//! 低保 and 特困 households onto minzheng.
//!
//! Three files — households, persons and (optionally) standards — as CSV (UTF-8 or GBK) or
//! XLSX (the first sheet), with English or Chinese headers (see [`HOUSEHOLD_COLUMNS`],
//! [`PERSON_COLUMNS`], [`STANDARD_COLUMNS`]). Every row is checked in memory first; every
//! problem is reported as a [`RowError`] naming the file, the row (the header is row 1), the
//! column and the value, with a code the adapters turn into words. Then, in one
//! transaction, the households become approved cases whose log is one `import` step
//! (`domain::assistance::workflow::Step::Import`), benefit from `enrolled_on` to
//! `exited_on`, with one audit entry for the whole import (counts and the files' SHA-256).
//!
//! * [`ImportMode::AllOrNothing`]: any error, and nothing is written.
//! * [`ImportMode::ValidOnly`]: households with an error in their row or in any of their
//!   persons' rows are skipped whole; the rest are written.
//! * Idempotent: a household whose legacy `household_id` is already stored is left as it is
//!   (counted as `unchanged`), and a standard identical to a stored one is not added again;
//!   an import with nothing new writes nothing, not even an audit entry.
//!
//! Columns the legacy format lacks but the registry needs get documented defaults: the
//! address is the community's name, a person's name is [`NAME_PENDING`] (to be completed on
//! the case page), employment follows the age on the import day (under 6 `preschool`, under
//! 18 `student`, 60 or more `retired`, otherwise `unemployed`). Optional columns `address`,
//! `name` and `employment` override them.
//!
//! Who: the assistance line's `write` and `approve` permissions (an imported case is an
//! approved case), and every household's community inside the actor's jurisdiction.

use std::collections::{HashMap, HashSet};
use std::io::Cursor;

use chrono::NaiveDate;
use domain::assistance::Program;
use domain::{Action, Area, DivisionCode, DivisionLevel, Fen, Line, ResidentId, Sex};
use store::{
    ImportHousehold, ImportMember, ImportProgress, NewPerson, RosterSnapshot, RosterWrite,
    StandardRow,
};

use crate::divisions::decode_text;
use crate::list::{name_initials, name_order_key};
use crate::{Actor, Error, Service};

/// The name stored for a person the legacy file does not name: "to be completed".
pub const NAME_PENDING: &str = "待补录";
/// Beyond this many rows in one file the import is refused (a district is far smaller).
pub const MAX_ROWS: usize = 5_000_000;
/// Beyond this many errors the report stops (with a last `too_many_errors` row).
pub const MAX_ERRORS: usize = 200_000;

/// One uploaded file: its bytes and the name it came with (the extension picks XLSX).
#[derive(Debug, Clone, Default)]
pub struct RosterFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The files of one import.
#[derive(Debug, Clone, Default)]
pub struct RosterFiles {
    pub households: RosterFile,
    pub persons: RosterFile,
    pub standards: Option<RosterFile>,
}

/// Which file a row error is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileKind {
    Households,
    Persons,
    Standards,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Households => "households",
            Self::Persons => "persons",
            Self::Standards => "standards",
        }
    }
}

/// What to do when some rows are wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    /// Write nothing unless every row of every file is right.
    AllOrNothing,
    /// Write the households (and standards) without errors; skip the rest.
    ValidOnly,
}

/// One problem: where, what was there, and a code (`import.*`, or a domain code such as
/// `resident_id.checksum`). The adapters render the code as the Fluent message
/// `assistance-import-err-<code, dots as dashes>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub file: FileKind,
    /// The spreadsheet row: the header is 1, the first data row 2; 0 for the whole file.
    pub row: usize,
    /// The column's English name (or `file`).
    pub column: &'static str,
    pub value: String,
    pub code: &'static str,
}

/// What an import did (or, with errors in all-or-nothing mode, would have refused).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Households (with their cases) written.
    pub households: u64,
    /// Member rows written.
    pub persons: u64,
    /// Standards written.
    pub standards: u64,
    /// Households not written because of errors (valid-only mode), or all of them when an
    /// all-or-nothing import is refused.
    pub skipped: u64,
    /// Households and standards already stored (a re-import), left unchanged.
    pub unchanged: u64,
    pub errors: Vec<RowError>,
    /// Whether anything was written.
    pub written: bool,
}

/// Accepted headers per column: the English name first.
pub const HOUSEHOLD_COLUMNS: &[&[&str]] = &[
    &["household_id", "户编号", "家庭编号", "户号"],
    &[
        "community_code",
        "社区代码",
        "社区(村)代码",
        "区划代码",
        "所属社区代码",
    ],
    &["program", "救助类别", "保障类别", "类别"],
    &["area", "城乡类型", "城乡"],
    &["enrolled_on", "纳入日期", "保障开始日期", "享受起始日期"],
    &["exited_on", "退出日期", "保障结束日期", "享受终止日期"],
    &["income_fen", "月人均收入(分)", "月人均收入（分）"],
    &[
        "income_yuan",
        "月人均收入(元)",
        "月人均收入（元）",
        "月人均收入",
    ],
    &["address", "地址", "家庭住址"],
];
pub const PERSON_COLUMNS: &[&[&str]] = &[
    &["person_id", "人员编号", "成员编号"],
    &["household_id", "户编号", "家庭编号", "户号"],
    &["id_number", "公民身份号码", "身份证号码", "身份证号"],
    &["birth_date", "出生日期"],
    &["sex", "性别"],
    &["relation", "与户主关系", "关系"],
    &["disability_grade", "残疾等级"],
    &["severe_illness", "重病", "是否重病"],
    &["name", "姓名"],
    &["employment", "就业状况"],
];
pub const STANDARD_COLUMNS: &[&[&str]] = &[
    &["program", "救助类别", "保障类别", "类别"],
    &["area", "城乡类型", "城乡"],
    &["effective_from", "执行日期", "起始日期", "生效日期"],
    &["amount_fen", "标准(分)", "标准（分）", "保障标准(分)"],
];

/// The citation of standards that came with a legacy roster.
const STANDARD_CITATION: &str = "存量数据导入 / legacy roster import";

// ----------------------------------------------------------------------------------------
// Reading a file into rows of text
// ----------------------------------------------------------------------------------------

/// Calls `each(row number, cells)` for every non-empty data row of a CSV or XLSX file,
/// after `header(cells)`.
fn read_rows(
    file: &RosterFile,
    kind: FileKind,
    columns: &[&[&'static str]],
    required: &[usize],
    errors: &mut Vec<RowError>,
    mut each: impl FnMut(usize, &[Option<usize>], &[&str]),
) {
    let header = |cells: &[&str]| map_header(kind, cells, columns, required);
    let whole = |code: &'static str, value: String| RowError {
        file: kind,
        row: 0,
        column: "file",
        value,
        code,
    };
    let is_xlsx =
        file.bytes.starts_with(b"PK\x03\x04") || file.name.to_ascii_lowercase().ends_with(".xlsx");
    let mut count = 0usize;
    let mut on_row =
        |row: usize, map: &[Option<usize>], cells: &[&str], errors: &mut Vec<RowError>| -> bool {
            if cells.iter().all(|c| c.trim().is_empty()) {
                return true;
            }
            count += 1;
            if count > MAX_ROWS {
                errors.push(whole("import.too_many_rows", MAX_ROWS.to_string()));
                return false;
            }
            each(row, map, cells);
            true
        };
    if is_xlsx {
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> =
            match calamine::open_workbook_from_rs(Cursor::new(file.bytes.as_slice())) {
                Ok(b) => b,
                Err(e) => return errors.push(whole("import.unreadable", e.to_string())),
            };
        let Some(Ok(range)) = book.worksheet_range_at(0) else {
            return errors.push(whole("import.unreadable", "no sheet".into()));
        };
        let mut rows = range.rows();
        let Some(first) = rows.next() else {
            return errors.push(whole("import.header", String::new()));
        };
        let head: Vec<String> = first.iter().map(cell_text).collect();
        let head: Vec<&str> = head.iter().map(String::as_str).collect();
        let map = match header(&head) {
            Ok(m) => m,
            Err(e) => return errors.push(e),
        };
        for (i, r) in rows.enumerate() {
            let cells: Vec<String> = r.iter().map(cell_text).collect();
            let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
            if !on_row(i + 2, &map, &cells, errors) {
                return;
            }
        }
    } else {
        let text = match decode_text(&file.bytes) {
            Ok(t) => t,
            Err(e) => return errors.push(whole(e.code, e.detail)),
        };
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(text.as_bytes());
        let mut record = csv::StringRecord::new();
        let mut map = Vec::new();
        let mut row = 0usize;
        loop {
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    errors.push(RowError {
                        file: kind,
                        row: row + 1,
                        column: "file",
                        value: e.to_string(),
                        code: "import.malformed_row",
                    });
                    return;
                }
            }
            row += 1;
            let cells: Vec<&str> = record.iter().collect();
            if row == 1 {
                match header(&cells) {
                    Ok(m) => map = m,
                    Err(e) => return errors.push(e),
                }
                continue;
            }
            if !on_row(row, &map, &cells, errors) {
                return;
            }
        }
        if row == 0 {
            errors.push(whole("import.header", String::new()));
        }
    }
}

fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            let s = f.to_string();
            s.strip_suffix(".0").map_or(s.clone(), str::to_owned)
        }
        Data::Bool(b) => if *b { "1" } else { "0" }.into(),
        Data::DateTime(d) => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{day:02}")
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.get(..10).unwrap_or(s).to_owned(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// The position of each accepted column in a header row (`None`: absent).
fn map_header(
    kind: FileKind,
    cells: &[&str],
    columns: &[&[&'static str]],
    required: &[usize],
) -> Result<Vec<Option<usize>>, RowError> {
    let clean = |h: &str| h.trim().trim_start_matches('\u{feff}').to_lowercase();
    let found: Vec<Option<usize>> = columns
        .iter()
        .map(|names| {
            cells
                .iter()
                .position(|h| names.iter().any(|n| clean(h) == n.to_lowercase()))
        })
        .collect();
    for &r in required {
        if found[r].is_none() {
            return Err(RowError {
                file: kind,
                row: 1,
                column: columns[r][0],
                value: cells.join(","),
                code: "import.column_missing",
            });
        }
    }
    Ok(found)
}

// ----------------------------------------------------------------------------------------
// Parsing fields
// ----------------------------------------------------------------------------------------

fn parse_program(t: &str) -> Option<Program> {
    Some(match t {
        "dibao" | "低保" | "最低生活保障" => Program::Dibao,
        "tekun_dispersed" | "特困分散供养" | "分散供养" => Program::TekunDispersed,
        "tekun_centralized" | "特困集中供养" | "集中供养" => Program::TekunCentralized,
        _ => return None,
    })
}

fn parse_area(t: &str) -> Option<Area> {
    match t {
        "urban" | "城市" | "城镇" => Some(Area::Urban),
        "rural" | "农村" => Some(Area::Rural),
        _ => None,
    }
}

fn parse_relation(t: &str) -> Option<&'static str> {
    Some(match t {
        "head" | "户主" => "head",
        "spouse" | "配偶" => "spouse",
        "child" | "子女" | "子" | "女" => "child",
        "parent" | "父母" | "父亲" | "母亲" => "parent",
        "grandchild" | "孙子女" | "孙子" | "孙女" => "grandchild",
        "sibling" | "兄弟姐妹" => "sibling",
        "other" | "其他" => "other",
        _ => return None,
    })
}

fn parse_employment(t: &str) -> Option<&'static str> {
    Some(match t {
        "employed" | "在职" | "就业" => "employed",
        "unemployed" | "失业" | "无业" => "unemployed",
        "student" | "在校" | "学生" => "student",
        "retired" | "退休" => "retired",
        "unable" | "无劳动能力" => "unable",
        "preschool" | "学龄前" => "preschool",
        _ => return None,
    })
}

fn parse_date(t: &str) -> Option<NaiveDate> {
    domain::parse_date(t)
        .ok()
        .or_else(|| NaiveDate::parse_from_str(t, "%Y/%m/%d").ok())
        .or_else(|| NaiveDate::parse_from_str(t, "%Y%m%d").ok())
}

/// A whole number of fen, `0..`.
fn parse_fen(t: &str) -> Option<i64> {
    t.parse::<i64>().ok().filter(|v| *v >= 0)
}

fn default_employment(birth: NaiveDate, today: NaiveDate) -> &'static str {
    match domain::age_on(birth, today).unwrap_or(0) {
        0..=5 => "preschool",
        6..=17 => "student",
        18..=59 => "unemployed",
        _ => "retired",
    }
}

// ----------------------------------------------------------------------------------------
// Checking
// ----------------------------------------------------------------------------------------

#[derive(Debug)]
struct HouseholdIn {
    row: usize,
    legacy_id: String,
    community: Option<DivisionCode>,
    address: Option<String>,
    program: Program,
    area: Area,
    income_fen: Option<i64>,
    enrolled_on: NaiveDate,
    exited_on: Option<NaiveDate>,
    bad: bool,
    members: Vec<usize>,
}

#[derive(Debug)]
struct PersonIn {
    row: usize,
    legacy_id: String,
    household: String,
    id: ResidentId,
    relation: &'static str,
    disability_grade: i64,
    severe_illness: bool,
    name: Option<String>,
    employment: Option<&'static str>,
}

struct Checker<'a> {
    errors: Vec<RowError>,
    snapshot: &'a RosterSnapshot,
    actor: &'a Actor,
    today: NaiveDate,
}

impl Checker<'_> {
    fn error(
        &mut self,
        file: FileKind,
        row: usize,
        column: &'static str,
        value: &str,
        code: &'static str,
    ) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(RowError {
                file,
                row,
                column,
                value: value.chars().take(200).collect(),
                code,
            });
        } else if self.errors.len() == MAX_ERRORS {
            self.errors.push(RowError {
                file,
                row,
                column: "file",
                value: MAX_ERRORS.to_string(),
                code: "import.too_many_errors",
            });
        }
    }
}

fn cell<'c>(cells: &[&'c str], at: Option<usize>) -> &'c str {
    at.and_then(|i| cells.get(i)).map_or("", |c| c.trim())
}

impl Service {
    /// Imports a legacy roster; see the module documentation. Row problems come back in the
    /// report (`Ok`); `Err` is for permission, a failed write or a lost race.
    pub async fn import_roster(
        &self,
        actor: &Actor,
        files: &RosterFiles,
        mode: ImportMode,
    ) -> Result<ImportReport, Error> {
        self.import_roster_with_progress(actor, files, mode, &mut |_| {})
            .await
    }

    /// [`Service::import_roster`], reporting the write's progress table by table.
    pub async fn import_roster_with_progress(
        &self,
        actor: &Actor,
        files: &RosterFiles,
        mode: ImportMode,
        progress: &mut (dyn FnMut(ImportProgress) + Send),
    ) -> Result<ImportReport, Error> {
        self.authorize(actor, Line::Assistance, Action::Write)?;
        self.authorize(actor, Line::Assistance, Action::Approve)?;
        let snapshot = self.store().roster_snapshot().await?;
        let today = self.today();
        let mut ck = Checker {
            errors: Vec::new(),
            snapshot: &snapshot,
            actor,
            today,
        };

        // --- households -------------------------------------------------------------
        let mut households: Vec<HouseholdIn> = Vec::new();
        let mut by_legacy: HashMap<String, usize> = HashMap::new();
        let mut unchanged_households: HashSet<String> = HashSet::new();
        let mut communities: HashMap<DivisionCode, Option<(String, bool)>> = HashMap::new();
        {
            let mut raw: Vec<(usize, [String; 9])> = Vec::new();
            let mut errors = Vec::new();
            read_rows(
                &files.households,
                FileKind::Households,
                HOUSEHOLD_COLUMNS,
                &[0, 1, 2, 3, 4],
                &mut errors,
                |row, map, cells| {
                    let v: [String; 9] = std::array::from_fn(|i| cell(cells, map[i]).to_owned());
                    raw.push((row, v));
                },
            );
            ck.errors.extend(errors);
            // Community facts, one query per distinct code.
            let mut codes: HashSet<&str> = HashSet::new();
            for (_, v) in &raw {
                codes.insert(v[1].as_str());
            }
            for c in codes {
                let Ok(code) = c.parse::<DivisionCode>() else {
                    continue;
                };
                let found = match self.store().division(&code).await {
                    Ok(d) => Some((
                        d.name,
                        matches!(
                            code.level(),
                            DivisionLevel::Community | DivisionLevel::Village
                        ),
                    )),
                    Err(store::StoreError::NotFound) => None,
                    Err(e) => return Err(e.into()),
                };
                communities.insert(code, found);
            }
            for (row, v) in raw {
                if let Some(h) = check_household(&mut ck, row, &v, &communities) {
                    if let Some(&first) = by_legacy.get(&h.legacy_id) {
                        let first_row = households[first].row;
                        households[first].bad = true;
                        ck.error(
                            FileKind::Households,
                            row,
                            "household_id",
                            &h.legacy_id,
                            "import.duplicate_in_file",
                        );
                        let _ = first_row;
                        continue;
                    }
                    if ck.snapshot.households.contains(&h.legacy_id) {
                        unchanged_households.insert(h.legacy_id);
                        continue;
                    }
                    by_legacy.insert(h.legacy_id.clone(), households.len());
                    households.push(h);
                } else {
                    // Remember a broken household's id so its persons are not "unknown".
                    if !v[0].is_empty() && !by_legacy.contains_key(&v[0]) {
                        by_legacy.insert(v[0].clone(), households.len());
                        households.push(HouseholdIn {
                            row,
                            legacy_id: v[0].clone(),
                            community: None,
                            address: None,
                            program: Program::Dibao,
                            area: Area::Urban,
                            income_fen: None,
                            enrolled_on: NaiveDate::MIN,
                            exited_on: None,
                            bad: true,
                            members: Vec::new(),
                        });
                    }
                }
            }
        }

        // --- persons ----------------------------------------------------------------
        let mut persons: Vec<PersonIn> = Vec::new();
        {
            let mut errors = Vec::new();
            let mut seen_legacy: HashSet<String> = HashSet::new();
            let mut raw: Vec<(usize, [String; 10])> = Vec::new();
            read_rows(
                &files.persons,
                FileKind::Persons,
                PERSON_COLUMNS,
                &[0, 1, 2, 3, 4, 5, 6, 7],
                &mut errors,
                |row, map, cells| {
                    raw.push((row, std::array::from_fn(|i| cell(cells, map[i]).to_owned())));
                },
            );
            ck.errors.extend(errors);
            for (row, v) in raw {
                let household = &v[1];
                // Rows of an already imported household: unchanged if known, else refused.
                if unchanged_households.contains(household) {
                    match ck.snapshot.members.get(&v[0]) {
                        Some(h) if h == household => {}
                        _ => ck.error(
                            FileKind::Persons,
                            row,
                            "household_id",
                            household,
                            "import.household_already_imported",
                        ),
                    }
                    continue;
                }
                let Some(p) = check_person(&mut ck, row, &v) else {
                    if let Some(&h) = by_legacy.get(household) {
                        households[h].bad = true;
                    } else {
                        ck.error(
                            FileKind::Persons,
                            row,
                            "household_id",
                            household,
                            "import.household_unknown",
                        );
                    }
                    continue;
                };
                let Some(&h) = by_legacy.get(&p.household) else {
                    ck.error(
                        FileKind::Persons,
                        row,
                        "household_id",
                        &p.household,
                        "import.household_unknown",
                    );
                    continue;
                };
                if !seen_legacy.insert(p.legacy_id.clone()) {
                    ck.error(
                        FileKind::Persons,
                        row,
                        "person_id",
                        &p.legacy_id,
                        "import.duplicate_in_file",
                    );
                    households[h].bad = true;
                    continue;
                }
                if ck.snapshot.members.contains_key(&p.legacy_id) {
                    ck.error(
                        FileKind::Persons,
                        row,
                        "person_id",
                        &p.legacy_id,
                        "import.duplicate_in_database",
                    );
                    households[h].bad = true;
                    continue;
                }
                households[h].members.push(persons.len());
                persons.push(p);
            }
        }

        // --- per household: one head, a person once, a person current once ---------
        let mut current_of: HashMap<&str, usize> = HashMap::new();
        for (hi, h) in households.iter_mut().enumerate() {
            if h.enrolled_on == NaiveDate::MIN {
                continue;
            }
            let closed = h.exited_on.is_some_and(|e| e <= today);
            let heads: Vec<usize> = h
                .members
                .iter()
                .copied()
                .filter(|&p| persons[p].relation == "head")
                .collect();
            let mut bad = false;
            if heads.is_empty() {
                ck.error(
                    FileKind::Households,
                    h.row,
                    "household_id",
                    &h.legacy_id,
                    "import.head_missing",
                );
                bad = true;
            }
            for &p in heads.iter().skip(1) {
                ck.error(
                    FileKind::Persons,
                    persons[p].row,
                    "relation",
                    "head",
                    "import.head_twice",
                );
                bad = true;
            }
            let mut in_household: HashSet<&str> = HashSet::new();
            for &p in &h.members {
                let number = persons[p].id.as_str();
                if !in_household.insert(number) {
                    ck.error(
                        FileKind::Persons,
                        persons[p].row,
                        "id_number",
                        number,
                        "import.duplicate_in_household",
                    );
                    bad = true;
                    continue;
                }
                if closed {
                    continue;
                }
                if let Some(known) = ck.snapshot.persons.get(number)
                    && known.current_household.is_some()
                {
                    ck.error(
                        FileKind::Persons,
                        persons[p].row,
                        "id_number",
                        number,
                        "import.person_in_other_household",
                    );
                    bad = true;
                    continue;
                }
                if let Some(&other) = current_of.get(number) {
                    let _ = other;
                    ck.error(
                        FileKind::Persons,
                        persons[p].row,
                        "id_number",
                        number,
                        "import.person_in_two_households",
                    );
                    bad = true;
                    continue;
                }
                current_of.insert(number, hi);
            }
            if bad {
                h.bad = true;
            }
        }

        // --- standards --------------------------------------------------------------
        let mut standards: Vec<StandardRow> = Vec::new();
        let mut unchanged_standards = 0u64;
        if let Some(file) = &files.standards {
            let mut errors = Vec::new();
            let mut raw: Vec<(usize, [String; 4])> = Vec::new();
            read_rows(
                file,
                FileKind::Standards,
                STANDARD_COLUMNS,
                &[0, 1, 2, 3],
                &mut errors,
                |row, map, cells| {
                    raw.push((row, std::array::from_fn(|i| cell(cells, map[i]).to_owned())));
                },
            );
            ck.errors.extend(errors);
            let mut seen: HashSet<(String, String, NaiveDate)> = HashSet::new();
            for (row, v) in raw {
                let program = match v[0].as_str() {
                    "dibao_margin" | "低保边缘" => Some("dibao_margin"),
                    t => parse_program(t).map(Program::as_str),
                };
                let area = parse_area(&v[1]);
                let from = parse_date(&v[2]);
                let amount = parse_fen(&v[3]);
                if program.is_none() {
                    ck.error(
                        FileKind::Standards,
                        row,
                        "program",
                        &v[0],
                        "import.program_unknown",
                    );
                }
                if area.is_none() {
                    ck.error(
                        FileKind::Standards,
                        row,
                        "area",
                        &v[1],
                        "import.area_unknown",
                    );
                }
                if from.is_none() {
                    ck.error(
                        FileKind::Standards,
                        row,
                        "effective_from",
                        &v[2],
                        "import.date_invalid",
                    );
                }
                if amount.is_none() {
                    ck.error(
                        FileKind::Standards,
                        row,
                        "amount_fen",
                        &v[3],
                        "import.amount_invalid",
                    );
                }
                let (Some(program), Some(area), Some(from), Some(amount)) =
                    (program, area, from, amount)
                else {
                    continue;
                };
                if !seen.insert((program.to_owned(), area.as_str().to_owned(), from)) {
                    ck.error(
                        FileKind::Standards,
                        row,
                        "effective_from",
                        &v[2],
                        "import.duplicate_in_file",
                    );
                    continue;
                }
                match ck.snapshot.standards.iter().find(|s| {
                    s.program == program && s.area == area.as_str() && s.effective_from == from
                }) {
                    Some(s) if s.amount_fen == amount => unchanged_standards += 1,
                    Some(_) => ck.error(
                        FileKind::Standards,
                        row,
                        "amount_fen",
                        &v[3],
                        "import.standard_conflict",
                    ),
                    None => standards.push(StandardRow {
                        program: program.to_owned(),
                        area: area.as_str().to_owned(),
                        effective_from: from,
                        amount_fen: amount,
                        citation: STANDARD_CITATION.to_owned(),
                    }),
                }
            }
        }

        let mut errors = ck.errors;
        errors.sort_by_key(|e| (e.file, e.row));
        let bad = households.iter().filter(|h| h.bad).count() as u64;
        let mut report = ImportReport {
            unchanged: unchanged_households.len() as u64 + unchanged_standards,
            ..ImportReport::default()
        };
        if mode == ImportMode::AllOrNothing && !errors.is_empty() {
            report.skipped = households.len() as u64;
            report.errors = errors;
            return Ok(report);
        }
        report.skipped = bad;
        report.errors = errors;

        // --- write ------------------------------------------------------------------
        let write: Vec<ImportHousehold> = households
            .into_iter()
            .filter(|h| !h.bad)
            .filter_map(|h| {
                let community = h.community.clone()?;
                let closed = h.exited_on.is_some_and(|e| e <= today);
                let address = h.address.clone().unwrap_or_else(|| {
                    communities
                        .get(&community)
                        .and_then(|c| c.as_ref())
                        .map_or_else(|| community.to_string(), |c| c.0.clone())
                });
                Some(ImportHousehold {
                    legacy_id: h.legacy_id,
                    division_code: community.as_str().to_owned(),
                    address,
                    area: h.area.as_str().to_owned(),
                    program: h.program.as_str().to_owned(),
                    income_fen: h.income_fen,
                    enrolled_on: h.enrolled_on,
                    exited_on: h.exited_on,
                    closed,
                    members: h
                        .members
                        .iter()
                        .map(|&p| {
                            let known = snapshot.persons.get(persons[p].id.as_str());
                            member(&persons[p], known.map(|k| k.person_id), today)
                        })
                        .collect(),
                })
            })
            .collect();
        if write.is_empty() && standards.is_empty() {
            return Ok(report);
        }
        let detail = format!(
            "households={} persons={} standards={} skipped={} unchanged={} errors={} \
             sha256 households={} persons={} standards={}",
            write.len(),
            write.iter().map(|h| h.members.len()).sum::<usize>(),
            standards.len(),
            report.skipped,
            report.unchanged,
            report.errors.len(),
            domain::sha256_hex(&files.households.bytes),
            domain::sha256_hex(&files.persons.bytes),
            files
                .standards
                .as_ref()
                .map_or_else(|| "-".to_owned(), |f| domain::sha256_hex(&f.bytes)),
        );
        let roster = RosterWrite {
            households: write,
            standards,
            by_user: actor.username.clone(),
            note: "存量数据导入,原户编号 / legacy household_id ".into(),
        };
        let audit = self.audit(actor, "assistance.import", "roster", "", detail);
        let counts = self
            .store()
            .import_roster(&roster, &audit, progress)
            .await
            .map_err(|e| match e {
                store::StoreError::Conflict { constraint, .. } => Error::Conflict {
                    code: "import.changed_meanwhile",
                    detail: constraint.unwrap_or_default(),
                },
                other => other.into(),
            })?;
        report.households = counts.households;
        report.persons = counts.members;
        report.standards = counts.standards;
        report.written = true;
        Ok(report)
    }
}

/// `known`: the person's id if the snapshot holds the ID number already.
fn member(p: &PersonIn, known: Option<i64>, today: NaiveDate) -> ImportMember {
    let name = p.name.clone().unwrap_or_else(|| NAME_PENDING.to_owned());
    let (initials, order) = if p.name.is_some() {
        (name_initials(&name), name_order_key(&name))
    } else {
        (pending_initials().0.clone(), pending_initials().1.clone())
    };
    ImportMember {
        legacy_id: p.legacy_id.clone(),
        known_person_id: known,
        person: NewPerson {
            id_number: p.id.as_str().to_owned(),
            name,
            name_initials: initials,
            name_pinyin: order,
            birth_date: p.id.birth_date(),
            sex: match p.id.sex() {
                Sex::Male => "M",
                Sex::Female => "F",
            }
            .to_owned(),
        },
        relation: p.relation.to_owned(),
        disability_grade: p.disability_grade,
        severe_illness: p.severe_illness,
        employment: p
            .employment
            .unwrap_or_else(|| default_employment(p.id.birth_date(), today))
            .to_owned(),
    }
}

fn pending_initials() -> &'static (String, String) {
    static PENDING: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();
    PENDING.get_or_init(|| (name_initials(NAME_PENDING), name_order_key(NAME_PENDING)))
}

fn check_household(
    ck: &mut Checker<'_>,
    row: usize,
    v: &[String; 9],
    communities: &HashMap<DivisionCode, Option<(String, bool)>>,
) -> Option<HouseholdIn> {
    const F: FileKind = FileKind::Households;
    let n = ck.errors.len();
    if v[0].is_empty() {
        ck.error(F, row, "household_id", "", "import.required");
    }
    let community = match v[1].parse::<DivisionCode>() {
        Err(_) => {
            ck.error(F, row, "community_code", &v[1], "import.community_unknown");
            None
        }
        Ok(code) => match communities.get(&code) {
            Some(Some((_, true))) if ck.actor.sees(&code) => Some(code),
            Some(Some((_, true))) => {
                ck.error(
                    F,
                    row,
                    "community_code",
                    &v[1],
                    "import.outside_jurisdiction",
                );
                None
            }
            Some(Some((_, false))) => {
                ck.error(F, row, "community_code", &v[1], "import.not_a_community");
                None
            }
            _ => {
                ck.error(F, row, "community_code", &v[1], "import.community_unknown");
                None
            }
        },
    };
    let program = parse_program(&v[2]);
    if program.is_none() {
        ck.error(F, row, "program", &v[2], "import.program_unknown");
    }
    let area = parse_area(&v[3]);
    if area.is_none() {
        ck.error(F, row, "area", &v[3], "import.area_unknown");
    }
    let enrolled = parse_date(&v[4]);
    if enrolled.is_none() {
        ck.error(F, row, "enrolled_on", &v[4], "import.date_invalid");
    }
    let exited = if v[5].is_empty() {
        Some(None)
    } else {
        match parse_date(&v[5]) {
            None => {
                ck.error(F, row, "exited_on", &v[5], "import.date_invalid");
                None
            }
            Some(e) if enrolled.is_some_and(|s| e < s) => {
                ck.error(F, row, "exited_on", &v[5], "import.exit_before_enrol");
                None
            }
            Some(e) => Some(Some(e)),
        }
    };
    if enrolled.is_some_and(|e| e > ck.today) {
        ck.error(F, row, "enrolled_on", &v[4], "import.date_in_future");
    }
    let income = match (v[6].as_str(), v[7].as_str()) {
        ("", "") => {
            if program == Some(Program::Dibao) {
                ck.error(F, row, "income_fen", "", "import.required");
                None
            } else {
                Some(None)
            }
        }
        (fen, "") => match parse_fen(fen) {
            Some(f) => Some(Some(f)),
            None => {
                ck.error(F, row, "income_fen", fen, "import.amount_invalid");
                None
            }
        },
        (_, yuan) => match yuan.parse::<Fen>() {
            Ok(f) if !f.is_negative() => Some(Some(f.as_fen())),
            _ => {
                ck.error(F, row, "income_yuan", yuan, "import.amount_invalid");
                None
            }
        },
    };
    if ck.errors.len() != n {
        return None;
    }
    Some(HouseholdIn {
        row,
        legacy_id: v[0].clone(),
        community: Some(community?),
        address: Some(v[8].clone()).filter(|a| !a.is_empty()),
        program: program?,
        area: area?,
        income_fen: income?,
        enrolled_on: enrolled?,
        exited_on: exited?,
        bad: false,
        members: Vec::new(),
    })
}

fn check_person(ck: &mut Checker<'_>, row: usize, v: &[String; 10]) -> Option<PersonIn> {
    const F: FileKind = FileKind::Persons;
    let n = ck.errors.len();
    if v[0].is_empty() {
        ck.error(F, row, "person_id", "", "import.required");
    }
    if v[1].is_empty() {
        ck.error(F, row, "household_id", "", "import.required");
    }
    let id = match ResidentId::parse(&v[2]) {
        Ok(id) => Some(id),
        Err(e) => {
            ck.error(F, row, "id_number", &v[2], e.code());
            None
        }
    };
    if let Some(id) = &id
        && id.check_not_born_after(ck.today).is_err()
    {
        ck.error(F, row, "id_number", &v[2], "import.born_in_future");
    }
    match parse_date(&v[3]) {
        None => ck.error(F, row, "birth_date", &v[3], "import.date_invalid"),
        Some(b) if id.as_ref().is_some_and(|id| id.birth_date() != b) => {
            ck.error(F, row, "birth_date", &v[3], "import.birth_mismatch");
        }
        Some(_) => {}
    }
    let sex = match v[4].as_str() {
        "M" | "m" | "男" => Some(Sex::Male),
        "F" | "f" | "女" => Some(Sex::Female),
        _ => None,
    };
    match sex {
        None => ck.error(F, row, "sex", &v[4], "import.sex_unknown"),
        Some(s) if id.as_ref().is_some_and(|id| id.sex() != s) => {
            ck.error(F, row, "sex", &v[4], "import.sex_mismatch");
        }
        Some(_) => {}
    }
    let relation = parse_relation(&v[5]);
    if relation.is_none() {
        ck.error(F, row, "relation", &v[5], "import.relation_unknown");
    }
    let grade = v[6].parse::<i64>().ok().filter(|g| (0..=4).contains(g));
    if grade.is_none() {
        ck.error(F, row, "disability_grade", &v[6], "import.grade_invalid");
    }
    let ill = match v[7].as_str() {
        "0" | "否" => Some(false),
        "1" | "是" => Some(true),
        _ => None,
    };
    if ill.is_none() {
        ck.error(F, row, "severe_illness", &v[7], "import.flag_invalid");
    }
    let name = Some(v[8].clone()).filter(|n| !n.is_empty());
    if name.as_ref().is_some_and(|n| n.chars().count() > 50) {
        ck.error(F, row, "name", &v[8], "import.name_too_long");
    }
    let employment = if v[9].is_empty() {
        Some(None)
    } else if let Some(e) = parse_employment(&v[9]) {
        Some(Some(e))
    } else {
        ck.error(F, row, "employment", &v[9], "import.employment_unknown");
        None
    };
    if ck.errors.len() != n {
        return None;
    }
    Some(PersonIn {
        row,
        legacy_id: v[0].clone(),
        household: v[1].clone(),
        id: id?,
        relation: relation?,
        disability_grade: grade?,
        severe_illness: ill?,
        name,
        employment: employment?,
    })
}
