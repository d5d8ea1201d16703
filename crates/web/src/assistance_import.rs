//! The legacy roster import's words, shared by the upload page and `minzheng import
//! assistance`: a row error in the user's language, and the downloadable error report.

use service::assistance::import::{FileKind, RowError};

use crate::Tr;
use crate::export::{Table, csv};

/// Fluent id of a row error's reason: `import.*` codes are the import's own
/// (`assistance-import-err-*` in assistance.ftl); others are domain codes (`err-*`).
pub fn reason(tr: &Tr<'_>, e: &RowError) -> String {
    match e.code.strip_prefix("import.") {
        Some(own) => tr.get(&format!("assistance-import-err-{}", own.replace('_', "-"))),
        None => tr.error_code(e.code, &e.value),
    }
}

/// The file's name as the user knows it.
pub fn file_name(tr: &Tr<'_>, file: FileKind) -> String {
    tr.get(&format!("assistance-import-file-{}", file.as_str()))
}

/// One error as a line: file, row, column, value, reason.
pub fn line(tr: &Tr<'_>, e: &RowError) -> String {
    tr.with(
        "assistance-import-error-line",
        &[
            ("file", &file_name(tr, e.file)),
            ("row", &e.row.to_string()),
            ("column", e.column),
            ("value", &e.value),
            ("reason", &reason(tr, e)),
        ],
    )
}

/// The error report: CSV with a BOM, columns file, row, column, value, reason.
pub fn report_csv(tr: &Tr<'_>, errors: &[RowError]) -> Vec<u8> {
    let header = ["file", "row", "column", "value", "reason"]
        .iter()
        .map(|c| tr.get(&format!("assistance-import-report-{c}")))
        .collect();
    let rows = errors
        .iter()
        .map(|e| {
            vec![
                file_name(tr, e.file),
                e.row.to_string(),
                e.column.to_owned(),
                e.value.clone(),
                reason(tr, e),
            ]
        })
        .collect();
    csv(&Table::new(header, rows))
}
