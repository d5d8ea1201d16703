//! Files to download: a table as CSV or as an Excel workbook, and the response that
//! carries it.
//!
//! Exports are opened in spreadsheets and hold what strangers typed (a failed sign-in's
//! user name, a reason, a division name from an import file), so nothing may run as a
//! formula: in CSV a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is
//! prefixed with an apostrophe (CSV injection); in XLSX every text is a string cell. Exports
//! carry personal data, so browsers and proxies must not keep them.

use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::{AppState, Lang, PageError};

pub const CSV: &str = "text/csv; charset=utf-8";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// What an export holds: a header row and rows of text, in the user's language.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Columns whose cells go to XLSX as numbers when they parse as one, so that a
    /// spreadsheet sorts them as numbers; everything else is text.
    pub numeric: Vec<usize>,
}

impl Table {
    pub fn new(header: Vec<String>, rows: Vec<Vec<String>>) -> Self {
        Self {
            header,
            rows,
            numeric: Vec::new(),
        }
    }

    pub fn numeric(mut self, columns: &[usize]) -> Self {
        self.numeric = columns.to_vec();
        self
    }
}

/// One CSV cell: quoted, with a formula's first character neutralised.
fn csv_cell(text: &str) -> String {
    let safe = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    format!("\"{}\"", safe.replace('"', "\"\""))
}

/// The table as CSV (RFC 4180, CRLF), UTF-8 with a BOM: Excel on Chinese Windows reads a
/// file without one as GBK.
pub fn csv(table: &Table) -> Vec<u8> {
    let mut body = String::from("\u{feff}");
    for line in std::iter::once(&table.header).chain(&table.rows) {
        let cells: Vec<String> = line.iter().map(|c| csv_cell(c)).collect();
        body.push_str(&cells.join(","));
        body.push_str("\r\n");
    }
    body.into_bytes()
}

/// Column width in characters: CJK characters take two.
fn width(text: &str) -> usize {
    text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// The table as one worksheet named `sheet`: a bold header row that stays in view while
/// scrolling, and columns as wide as their longest text (at most 60 characters).
pub fn xlsx(sheet: &str, table: &Table) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let ws = book.add_worksheet();
    ws.set_name(sheet)?;
    let mut widths: Vec<usize> = table.header.iter().map(|h| width(h)).collect();
    for (col, text) in (0u16..).zip(&table.header) {
        ws.write_string_with_format(0, col, text, &bold)?;
    }
    for (r, cells) in (1u32..).zip(&table.rows) {
        for (i, text) in cells.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(width(text));
            }
            let col = u16::try_from(i).unwrap_or(u16::MAX);
            let number = table
                .numeric
                .contains(&i)
                .then(|| text.parse::<f64>().ok())
                .flatten();
            match number {
                Some(n) => ws.write_number(r, col, n)?,
                // Strings, never formulas, whatever the text starts with.
                None => ws.write_string(r, col, text)?,
            };
        }
    }
    for (col, w) in (0u16..).zip(&widths) {
        let chars = u16::try_from((w + 2).min(60)).unwrap_or(60);
        ws.set_column_width(col, f64::from(chars))?;
    }
    ws.set_freeze_panes(1, 0)?;
    book.save_to_buffer()
}

/// A file download: `filename` (ASCII, chosen by us, never typed by a user) as an
/// attachment, not cached.
pub fn download(content_type: &'static str, filename: &str, body: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{filename}\"");
    crate::no_store(
        (
            [
                (header::CONTENT_TYPE, content_type.to_owned()),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            body,
        )
            .into_response(),
    )
}

/// The table as a CSV download.
pub fn csv_download(filename: &str, table: &Table) -> Response {
    download(CSV, filename, csv(table))
}

/// The table as an Excel download, or the error page if the workbook could not be built.
pub fn xlsx_download(
    state: &AppState,
    lang: Lang,
    signed: &crate::auth::Signed,
    sheet: &str,
    filename: &str,
    table: &Table,
) -> Response {
    match xlsx(sheet, table) {
        Ok(bytes) => download(XLSX, filename, bytes),
        Err(e) => {
            tracing::error!(error = %e, "XLSX export failed");
            let e = service::Error::Unavailable {
                what: "xlsx".into(),
            };
            PageError::for_user(state, lang, signed, e).into_response()
        }
    }
}

/// Which file a list export produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

/// The answer to a list page's export link: the file named `{name}.csv` or `{name}.xlsx`
/// (the sheet named by the Fluent id `sheet_id`), or the error page when the use case refused.
pub fn respond(
    state: &AppState,
    lang: Lang,
    signed: &crate::auth::Signed,
    format: Format,
    sheet_id: &str,
    exported: Result<(Table, String), service::Error>,
) -> Response {
    match (exported, format) {
        (Ok((table, name)), Format::Csv) => csv_download(&format!("{name}.csv"), &table),
        (Ok((table, name)), Format::Xlsx) => {
            let sheet = state.i18n.tr(lang).get(sheet_id);
            xlsx_download(state, lang, signed, &sheet, &format!("{name}.xlsx"), &table)
        }
        (Err(e), _) => PageError::for_user(state, lang, signed, e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_cells_and_neutralises_formulas() {
        let table = Table::new(
            vec!["名称".into(), "b".into()],
            vec![
                vec!["=1+1".into(), "a \"q\", b".into()],
                vec!["-2".into(), "@x".into()],
            ],
        );
        let text = String::from_utf8(csv(&table)).unwrap();
        assert_eq!(
            text,
            "\u{feff}\"名称\",\"b\"\r\n\"'=1+1\",\"a \"\"q\"\", b\"\r\n\"'-2\",\"'@x\"\r\n"
        );
    }

    #[test]
    fn widths_count_cjk_characters_double() {
        assert_eq!(width("abc"), 3);
        assert_eq!(width("东城"), 4);
    }
}
