//! The division tree: importing it from a CSV file and browsing it.
//!
//! The import file has a header row and the columns `code`, `name` and optionally `area`
//! (Chinese headers 区划代码, 名称, 城乡类型 are accepted too). It may be UTF-8 (with or
//! without a BOM) or GBK, which is what Excel saves on a Chinese Windows. The whole file is
//! checked before anything is written: if any row is wrong, every wrong row is reported and
//! nothing is imported.

use std::collections::BTreeMap;

use domain::{Action, Area, DivisionCode, DivisionLevel, Line};
use store::{Division, DivisionCount};

use crate::{Actor, Error, FieldError, Service};

/// Largest import accepted: a province's villages fit; a runaway file does not.
pub const MAX_IMPORT_ROWS: usize = 200_000;
/// Beyond this many problems a report stops helping; the first ones are enough to fix.
pub const MAX_REPORTED_ERRORS: usize = 100;
const MAX_NAME_CHARS: usize = 100;

/// A division and the path to it from the top of the tree, for a detail page.
#[derive(Debug, Clone)]
pub struct DivisionPath {
    pub division: Division,
    /// From the root down to the parent; empty for a root.
    pub ancestors: Vec<Division>,
    pub children: Vec<DivisionCount>,
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportSummary {
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
}

/// Decodes an uploaded file ([`domain::text::decode_utf8_or_gbk`]), or the field error
/// every import reports for a file in neither encoding.
pub fn decode_text(bytes: &[u8]) -> Result<String, FieldError> {
    domain::text::decode_utf8_or_gbk(bytes)
        .ok_or_else(|| FieldError::new("file", "import.encoding", "neither UTF-8 nor GBK"))
}

fn parse_area(text: &str) -> Option<Area> {
    match text.trim() {
        "urban" | "城市" | "城镇" | "城" => Some(Area::Urban),
        "rural" | "农村" | "乡村" | "乡" => Some(Area::Rural),
        _ => None,
    }
}

/// Streets and communities are urban, towns and villages rural, unless the file says.
fn default_area(level: DivisionLevel) -> Area {
    match level {
        DivisionLevel::Town | DivisionLevel::Village => Area::Rural,
        _ => Area::Urban,
    }
}

/// Parses and checks an import file. Returns the divisions with their row numbers, sorted
/// parents first, or every
/// problem found (up to [`MAX_REPORTED_ERRORS`]).
pub fn parse_csv(bytes: &[u8]) -> Result<Vec<(usize, Division)>, Vec<FieldError>> {
    let text = decode_text(bytes).map_err(|e| vec![e])?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| vec![FieldError::new("file", "import.header", e.to_string()).at_row(1)])?
        .clone();
    let column = |names: &[&str]| headers.iter().position(|h| names.contains(&h.trim()));
    let (Some(code_at), Some(name_at)) = (
        column(&["code", "区划代码", "代码"]),
        column(&["name", "名称", "区划名称"]),
    ) else {
        return Err(vec![
            FieldError::new(
                "header",
                "import.header",
                format!(
                    "columns found: {}; need code and name",
                    headers.iter().collect::<Vec<_>>().join(",")
                ),
            )
            .at_row(1),
        ]);
    };
    let area_at = column(&["area", "城乡类型", "城乡"]);

    let mut errors = Vec::new();
    let mut seen: BTreeMap<DivisionCode, usize> = BTreeMap::new();
    let mut divisions = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 2;
        if row - 1 > MAX_IMPORT_ROWS {
            errors.push(
                FieldError::new("file", "import.too_many_rows", MAX_IMPORT_ROWS.to_string())
                    .at_row(row),
            );
            break;
        }
        if errors.len() >= MAX_REPORTED_ERRORS {
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
        let code = match record.get(code_at).unwrap_or("").parse::<DivisionCode>() {
            Ok(c) => c,
            Err(e) => {
                errors.push(FieldError::new("code", e.code(), e.to_string()).at_row(row));
                continue;
            }
        };
        let name = record.get(name_at).unwrap_or("").trim().to_owned();
        if name.is_empty() {
            errors.push(FieldError::new("name", "division.name_empty", "").at_row(row));
        } else if name.chars().count() > MAX_NAME_CHARS {
            errors.push(
                FieldError::new("name", "division.name_too_long", MAX_NAME_CHARS.to_string())
                    .at_row(row),
            );
        }
        let area = match area_at.map(|a| record.get(a).unwrap_or("").trim()) {
            None | Some("") => default_area(code.level()),
            Some(text) => match parse_area(text) {
                Some(a) => a,
                None => {
                    errors.push(FieldError::new("area", "division.area_unknown", text).at_row(row));
                    continue;
                }
            },
        };
        if let Some(first) = seen.insert(code.clone(), row) {
            errors.push(
                FieldError::new(
                    "code",
                    "division.duplicate",
                    format!("{code} (row {first})"),
                )
                .at_row(row),
            );
            continue;
        }
        divisions.push((row, Division { code, name, area }));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    divisions.sort_by(|a, b| a.1.code.cmp(&b.1.code));
    Ok(divisions)
}

impl Service {
    /// Imports a division file: every row is created or renamed, all in one transaction.
    /// A division whose parent is neither in the file nor already stored is refused.
    pub async fn import_divisions(
        &self,
        actor: &Actor,
        bytes: &[u8],
    ) -> Result<ImportSummary, Error> {
        self.authorize(actor, Line::Places, Action::Write)?;
        let rows = parse_csv(bytes).map_err(Error::Invalid)?;
        // An account may only import inside its own jurisdiction.
        let outside: Vec<FieldError> = rows
            .iter()
            .filter(|(_, d)| !actor.sees(&d.code))
            .take(MAX_REPORTED_ERRORS)
            .map(|(row, d)| {
                FieldError::new("code", "division.outside_jurisdiction", d.code.as_str())
                    .at_row(*row)
            })
            .collect();
        if !outside.is_empty() {
            return Err(Error::Invalid(outside));
        }
        // What is stored already, for every county the file touches: one query per county
        // rather than one per row.
        let mut stored = std::collections::BTreeSet::new();
        let counties: std::collections::BTreeSet<DivisionCode> = rows
            .iter()
            .map(|(_, d)| d)
            .map(|d| d.code.county_code())
            .filter_map(|c| c.parse().ok())
            .collect();
        for county in &counties {
            stored.extend(
                self.store()
                    .divisions_within(county)
                    .await?
                    .into_iter()
                    .map(|d| d.code),
            );
        }
        let in_file: std::collections::BTreeSet<&DivisionCode> =
            rows.iter().map(|(_, d)| &d.code).collect();
        let updated = rows
            .iter()
            .filter(|(_, d)| stored.contains(&d.code))
            .count();
        let errors: Vec<FieldError> = rows
            .iter()
            .filter_map(|(row, d)| {
                let parent = d.parent()?;
                (!in_file.contains(&parent) && !stored.contains(&parent)).then(|| {
                    FieldError::new(
                        "code",
                        "division.parent_missing",
                        format!("{} → {parent}", d.code),
                    )
                    .at_row(*row)
                })
            })
            .take(MAX_REPORTED_ERRORS)
            .collect();
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let divisions: Vec<Division> = rows.into_iter().map(|(_, d)| d).collect();
        let object = divisions
            .first()
            .map_or_else(String::new, |d| format!("division:{}", d.code));
        let detail = format!(
            "rows={} created={} updated={updated}",
            divisions.len(),
            divisions.len() - updated
        );
        let audit = self.audit(actor, "divisions.import", object, "", detail);
        self.store().upsert_divisions(&divisions, &audit).await?;
        Ok(ImportSummary {
            rows: divisions.len(),
            created: divisions.len() - updated,
            updated,
        })
    }

    /// The top of what the actor sees: the whole tree's roots for the console operator, the
    /// jurisdiction's own division for every account; with child counts.
    pub async fn division_roots(&self, actor: &Actor) -> Result<Vec<DivisionCount>, Error> {
        self.authorize(actor, Line::Places, Action::Read)?;
        let Some(root) = &actor.jurisdiction else {
            return Ok(self.store().child_divisions(None).await?);
        };
        let division = self.store().division(root).await?;
        let children = self.store().child_divisions(Some(root)).await?.len() as i64;
        Ok(vec![DivisionCount { division, children }])
    }

    /// A division with the ancestors the actor sees and its children.
    pub async fn division_path(
        &self,
        actor: &Actor,
        code: &DivisionCode,
    ) -> Result<DivisionPath, Error> {
        self.authorize(actor, Line::Places, Action::Read)?;
        self.within(actor, code)?;
        let division = self.store().division(code).await?;
        let mut ancestors = Vec::new();
        let mut next = code.parent();
        while let Some(parent) = next {
            if !actor.sees(&parent) {
                break;
            }
            let d = self.store().division(&parent).await?;
            next = parent.parent();
            ancestors.push(d);
        }
        ancestors.reverse();
        let children = self.store().child_divisions(Some(code)).await?;
        Ok(DivisionPath {
            division,
            ancestors,
            children,
        })
    }

    /// Every division under `root`, root included, parents first (for exports).
    pub async fn divisions_within(
        &self,
        actor: &Actor,
        root: &DivisionCode,
    ) -> Result<Vec<Division>, Error> {
        self.authorize(actor, Line::Places, Action::Export)?;
        self.within(actor, root)?;
        let list = self.store().divisions_within(root).await?;
        if list.is_empty() {
            return Err(Error::NotFound);
        }
        Ok(list)
    }
}
