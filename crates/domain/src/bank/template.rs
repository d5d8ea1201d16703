//! The 代发 file a bank's batch-payment system imports, laid out by a [`BatchTemplate`].
//!
//! Every bank (and often every branch) wants its own layout: which columns in which order,
//! with or without a header row, CSV in GBK (what the bank's Windows client expects) or
//! UTF-8, or an Excel workbook. The template is configuration, deserialised from TOML or JSON;
//! [`BatchTemplate::default`] is a common layout of a Chinese bank's 代发 file:
//!
//! ```toml
//! format = "csv"          # csv | xlsx
//! encoding = "gbk"        # utf8 | utf8_bom | gbk (CSV only)
//! header_row = true
//! amount = "yuan"         # yuan (two decimals) | fen
//! id_number = "full"      # full | masked
//! sheet = "代发明细"      # XLSX only
//! columns = ["seq", "account", "name", "amount", "id_number", "purpose", "key"]
//! # or, with own header texts: columns = [{ field = "name", title = "户名" }, …]
//! ```
//!
//! Cells hold exactly what the bank must compare: no apostrophe guard against formulas (the
//! batch refuses texts that start like one instead), and in XLSX every cell is a text cell,
//! so a 19-digit account never turns into a rounded number.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::BankFile;
use super::batch::{PaymentBatch, PaymentLine, end_to_end_id};

/// A column of the file: which field of the line it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// 序号, 1-based.
    Seq,
    /// The ledger key.
    Key,
    /// The pain.001 end-to-end id of the key (for banks that limit the length).
    EndToEndId,
    /// 户名.
    Name,
    /// 账号 (full: the bank needs it).
    Account,
    /// 卡/折: `card` or `book`.
    AccountKind,
    /// 开户行.
    BankName,
    /// 行号 (CNAPS), empty if unknown.
    BankCode,
    /// 金额, in the unit of [`BatchTemplate::amount`].
    Amount,
    /// 用途/摘要.
    Purpose,
    /// 身份证号, full or masked per [`BatchTemplate::id_number`]; empty if none.
    IdNumber,
    /// The household or person reference.
    Reference,
}

impl Field {
    /// The default header text.
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Self::Seq => "序号",
            Self::Key => "流水号",
            Self::EndToEndId => "端到端标识",
            Self::Name => "户名",
            Self::Account => "账号",
            Self::AccountKind => "账户类型",
            Self::BankName => "开户行",
            Self::BankCode => "开户行行号",
            Self::Amount => "金额",
            Self::Purpose => "用途",
            Self::IdNumber => "身份证号",
            Self::Reference => "备注",
        }
    }
}

/// A column: a field and, optionally, its own header text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "ColumnSpec")]
pub struct Column {
    pub field: Field,
    pub title: Option<String>,
}

/// Either `"name"` or `{ field = "name", title = "户名" }`.
#[derive(Deserialize)]
#[serde(untagged)]
enum ColumnSpec {
    Field(Field),
    Titled { field: Field, title: Option<String> },
}

impl From<ColumnSpec> for Column {
    fn from(spec: ColumnSpec) -> Self {
        match spec {
            ColumnSpec::Field(field) => Column { field, title: None },
            ColumnSpec::Titled { field, title } => Column { field, title },
        }
    }
}

impl Column {
    fn title(&self) -> &str {
        self.title.as_deref().unwrap_or(self.field.title())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    #[default]
    Csv,
    Xlsx,
}

/// The text encoding of a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    Utf8,
    /// UTF-8 with a byte-order mark, which Excel needs to read UTF-8.
    Utf8Bom,
    /// GBK, what banks' Windows clients and Chinese Excel read by default.
    #[default]
    Gbk,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmountUnit {
    /// `1234.56`.
    #[default]
    Yuan,
    /// `123456`.
    Fen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdNumberStyle {
    #[default]
    Full,
    /// `1101**********002X`, for banks that only display it.
    Masked,
}

/// The layout of a 代发 file; see the module documentation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BatchTemplate {
    pub format: Format,
    pub encoding: Encoding,
    pub header_row: bool,
    pub amount: AmountUnit,
    pub id_number: IdNumberStyle,
    /// The worksheet's name (XLSX).
    pub sheet: String,
    pub columns: Vec<Column>,
}

impl Default for BatchTemplate {
    fn default() -> Self {
        let columns = [
            Field::Seq,
            Field::Account,
            Field::Name,
            Field::Amount,
            Field::IdNumber,
            Field::Purpose,
            Field::Key,
        ];
        Self {
            format: Format::Csv,
            encoding: Encoding::Gbk,
            header_row: true,
            amount: AmountUnit::Yuan,
            id_number: IdNumberStyle::Full,
            sheet: "代发明细".into(),
            columns: columns
                .into_iter()
                .map(|field| Column { field, title: None })
                .collect(),
        }
    }
}

/// Why a template or a batch could not become a file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("the template has no columns")]
    NoColumns,
    /// The sheet name is empty, longer than 31 characters or holds `[]:*?/\`.
    #[error("invalid worksheet name {found:?}")]
    SheetName { found: String },
    /// A character GBK cannot encode (a rare character in a name); `row` is the file's row.
    #[error("row {row}, column {column}: {found:?} has no GBK encoding")]
    NotEncodable {
        row: usize,
        column: String,
        found: char,
    },
    /// The XLSX writer failed.
    #[error("the workbook could not be written: {detail}")]
    Xlsx { detail: String },
}

impl TemplateError {
    /// A stable machine-readable code, used as the Fluent message id by the web layer.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoColumns => "bank_template.no_columns",
            Self::SheetName { .. } => "bank_template.sheet_name",
            Self::NotEncodable { .. } => "bank_template.not_encodable",
            Self::Xlsx { .. } => "bank_template.xlsx",
        }
    }
}

impl BatchTemplate {
    /// Checks what serde cannot: at least one column, a worksheet name Excel accepts.
    ///
    /// # Errors
    /// [`TemplateError::NoColumns`] or [`TemplateError::SheetName`].
    pub fn check(&self) -> Result<(), TemplateError> {
        if self.columns.is_empty() {
            return Err(TemplateError::NoColumns);
        }
        let n = self.sheet.chars().count();
        if self.format == Format::Xlsx
            && (n == 0 || n > 31 || self.sheet.contains(['[', ']', ':', '*', '?', '/', '\\']))
        {
            return Err(TemplateError::SheetName {
                found: self.sheet.chars().take(40).collect(),
            });
        }
        Ok(())
    }

    /// The file's rows as text: the header (if on) and one row per line.
    #[must_use]
    pub fn rows(&self, batch: &PaymentBatch) -> Vec<Vec<String>> {
        let mut rows = Vec::with_capacity(batch.len() + 1);
        if self.header_row {
            rows.push(self.columns.iter().map(|c| c.title().to_owned()).collect());
        }
        for (i, line) in batch.lines().iter().enumerate() {
            rows.push(
                self.columns
                    .iter()
                    .map(|c| self.cell(c.field, i + 1, line))
                    .collect(),
            );
        }
        rows
    }

    fn cell(&self, field: Field, seq: usize, line: &PaymentLine) -> String {
        match field {
            Field::Seq => seq.to_string(),
            Field::Key => line.key.clone(),
            Field::EndToEndId => end_to_end_id(&line.key),
            Field::Name => line.account.holder().to_owned(),
            Field::Account => line.account.number().as_str().to_owned(),
            Field::AccountKind => line.account.number().kind().as_str().to_owned(),
            Field::BankName => line.account.bank().name().to_owned(),
            Field::BankCode => line.account.bank().code().unwrap_or_default().to_owned(),
            Field::Amount => match self.amount {
                AmountUnit::Yuan => line.amount.yuan(),
                AmountUnit::Fen => line.amount.as_fen().to_string(),
            },
            Field::Purpose => line.purpose.clone(),
            Field::IdNumber => match (&line.id_number, self.id_number) {
                (None, _) => String::new(),
                (Some(id), IdNumberStyle::Full) => id.as_str().to_owned(),
                (Some(id), IdNumberStyle::Masked) => id.masked(),
            },
            Field::Reference => line.reference.clone(),
        }
    }

    /// The file for `batch`, named `{stem}.csv` or `{stem}.xlsx`.
    ///
    /// # Errors
    /// [`TemplateError`]: a bad template, a character GBK lacks, or a workbook failure.
    pub fn write(&self, batch: &PaymentBatch, stem: &str) -> Result<BankFile, TemplateError> {
        self.check()?;
        let rows = self.rows(batch);
        match self.format {
            Format::Csv => {
                let text = csv_text(&rows);
                let bytes = match self.encoding {
                    Encoding::Utf8 => text.into_bytes(),
                    Encoding::Utf8Bom => format!("\u{feff}{text}").into_bytes(),
                    Encoding::Gbk => self.gbk(&rows, &text)?,
                };
                Ok(BankFile::new(format!("{stem}.csv"), super::CSV, bytes))
            }
            Format::Xlsx => {
                let bytes = xlsx(&self.sheet, &rows).map_err(|e| TemplateError::Xlsx {
                    detail: e.to_string(),
                })?;
                Ok(BankFile::new(format!("{stem}.xlsx"), super::XLSX, bytes))
            }
        }
    }

    fn gbk(&self, rows: &[Vec<String>], text: &str) -> Result<Vec<u8>, TemplateError> {
        let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
        if !unmappable {
            return Ok(bytes.into_owned());
        }
        // encoding_rs writes an HTML reference for what GBK lacks, which a bank would pay as
        // the payee's name: find the cell and refuse instead.
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                for ch in cell.chars() {
                    let mut buf = [0u8; 4];
                    let (_, _, bad) = encoding_rs::GBK.encode(ch.encode_utf8(&mut buf));
                    if bad {
                        let column = self
                            .columns
                            .get(c)
                            .map_or_else(String::new, |col| col.title().to_owned());
                        return Err(TemplateError::NotEncodable {
                            row: r + 1,
                            column,
                            found: ch,
                        });
                    }
                }
            }
        }
        Ok(bytes.into_owned())
    }
}

/// RFC 4180 with CRLF; a cell is quoted only when it holds a comma, a quote or a line break,
/// because some banks' importers take quotes literally.
fn csv_text(rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            if cell.contains([',', '"', '\r', '\n']) {
                let _ = write!(out, "\"{}\"", cell.replace('"', "\"\""));
            } else {
                out.push_str(cell);
            }
        }
        out.push_str("\r\n");
    }
    out
}

/// Every cell a text cell (see the module documentation); a bold, frozen header row.
fn xlsx(sheet: &str, rows: &[Vec<String>]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet)?;
    let bold = Format::new().set_bold();
    for (r, row) in (0u32..).zip(rows) {
        for (c, text) in (0u16..).zip(row) {
            ws.write_string(r, c, text)?;
        }
    }
    if let Some(first) = rows.first() {
        for (c, _) in (0u16..).zip(first) {
            ws.set_column_width(c, 20)?;
        }
    }
    ws.set_row_format(0, &bold)?;
    ws.set_freeze_panes(1, 0)?;
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Fen;
    use crate::bank::batch::tests::{header, line};
    use calamine::Reader;

    fn batch() -> PaymentBatch {
        let mut rare = line(
            "dibao/3/2013-01/regular",
            "王,\"小\"明",
            "0200004509089131550",
            99_999_999,
        );
        rare.id_number = None;
        PaymentBatch::new(
            header(),
            vec![
                line("dibao/1/2013-01/regular", "张三", "6222021234567890128", 1),
                line(
                    "dibao/2/2013-01/regular",
                    "欧阳娜娜",
                    "4111111111111111",
                    123_456,
                ),
                rare,
            ],
        )
        .unwrap()
    }

    fn read_csv(text: &str) -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect()
    }

    fn expected_rows(template: &BatchTemplate) -> Vec<Vec<String>> {
        let yuan = |f: i64| match template.amount {
            AmountUnit::Yuan => Fen::from_fen(f).yuan(),
            AmountUnit::Fen => f.to_string(),
        };
        let id = match template.id_number {
            IdNumberStyle::Full => "11010519491231002X",
            IdNumberStyle::Masked => "1101**********002X",
        };
        let all = [
            ["序号", "账号", "户名", "金额", "身份证号", "用途", "流水号"].map(str::to_owned),
            [
                "1",
                "6222021234567890128",
                "张三",
                &yuan(1),
                id,
                "2013年1月低保金",
                "dibao/1/2013-01/regular",
            ]
            .map(str::to_owned),
            [
                "2",
                "4111111111111111",
                "欧阳娜娜",
                &yuan(123_456),
                id,
                "2013年1月低保金",
                "dibao/2/2013-01/regular",
            ]
            .map(str::to_owned),
            [
                "3",
                "0200004509089131550",
                "王,\"小\"明",
                &yuan(99_999_999),
                "",
                "2013年1月低保金",
                "dibao/3/2013-01/regular",
            ]
            .map(str::to_owned),
        ];
        let skip = usize::from(!template.header_row);
        all.into_iter().skip(skip).map(Vec::from).collect()
    }

    fn amount_total(rows: &[Vec<String>], unit: AmountUnit) -> Fen {
        Fen::checked_sum(rows.iter().map(|r| match unit {
            AmountUnit::Yuan => Fen::from_yuan_str(&r[3]).unwrap(),
            AmountUnit::Fen => Fen::from_fen(r[3].parse().unwrap()),
        }))
        .unwrap()
    }

    #[test]
    fn the_default_template_writes_gbk_csv_that_reads_back_cell_by_cell() {
        let t = BatchTemplate::default();
        let file = t.write(&batch(), "pr-2013-01").unwrap();
        assert_eq!(file.name, "pr-2013-01.csv");
        assert_eq!(file.sha256, crate::audit::sha256_hex(&file.bytes));
        assert!(std::str::from_utf8(&file.bytes).is_err(), "GBK, not UTF-8");
        let (text, _, bad) = encoding_rs::GBK.decode(&file.bytes);
        assert!(!bad);
        let rows = read_csv(&text);
        assert_eq!(rows, expected_rows(&t));
        assert_eq!(amount_total(&rows[1..], t.amount), batch().total());
    }

    #[test]
    fn utf8_without_header_in_fen_with_masked_ids() {
        let t = BatchTemplate {
            encoding: Encoding::Utf8Bom,
            header_row: false,
            amount: AmountUnit::Fen,
            id_number: IdNumberStyle::Masked,
            ..BatchTemplate::default()
        };
        let file = t.write(&batch(), "b").unwrap();
        let text = std::str::from_utf8(&file.bytes).unwrap();
        let text = text.strip_prefix('\u{feff}').unwrap();
        let rows = read_csv(text);
        assert_eq!(rows, expected_rows(&t));
        assert_eq!(amount_total(&rows, t.amount), batch().total());
        assert_eq!(rows[0][3], "1");
    }

    #[test]
    fn xlsx_holds_every_cell_as_text() {
        let t = BatchTemplate {
            format: Format::Xlsx,
            ..BatchTemplate::default()
        };
        let file = t.write(&batch(), "b").unwrap();
        assert_eq!(file.name, "b.xlsx");
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(file.bytes)).unwrap();
        assert_eq!(book.sheet_names(), vec!["代发明细".to_owned()]);
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        let rows: Vec<Vec<String>> = range
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        calamine::Data::String(s) => s.clone(),
                        calamine::Data::Empty => String::new(),
                        other => panic!("not a text cell: {other:?}"),
                    })
                    .collect()
            })
            .collect();
        assert_eq!(rows, expected_rows(&t));
        assert_eq!(amount_total(&rows[1..], t.amount), batch().total());
    }

    #[test]
    fn templates_deserialise_from_toml_and_json() {
        let t: BatchTemplate = toml::from_str(
            r#"
            format = "xlsx"
            header_row = false
            amount = "fen"
            sheet = "Sheet1"
            columns = ["seq", { field = "name", title = "收款人" }, "amount", "bank_code", "end_to_end_id"]
            "#,
        )
        .unwrap();
        assert_eq!(t.format, Format::Xlsx);
        assert_eq!(t.encoding, Encoding::Gbk, "defaults fill the rest");
        assert_eq!(t.columns[1].title.as_deref(), Some("收款人"));
        assert_eq!(t.columns[4].field, Field::EndToEndId);
        let j: BatchTemplate = serde_json::from_str(
            r#"{"encoding":"utf8","columns":["account","amount"],"id_number":"masked"}"#,
        )
        .unwrap();
        assert_eq!(j.encoding, Encoding::Utf8);
        assert_eq!(j.columns.len(), 2);
        assert!(
            toml::from_str::<BatchTemplate>("colums = []").is_err(),
            "typos are refused"
        );
        assert!(toml::from_str::<BatchTemplate>("columns = [\"nope\"]").is_err());
        let rows = BatchTemplate {
            header_row: true,
            ..t
        }
        .rows(&batch());
        assert_eq!(
            rows[0],
            ["序号", "收款人", "金额", "开户行行号", "端到端标识"]
        );
        assert_eq!(rows[1][3], "102100000030");
        assert_eq!(BatchTemplate::default(), toml::from_str("").unwrap());
    }

    #[test]
    fn bad_templates_and_characters_gbk_lacks_are_refused() {
        let none = BatchTemplate {
            columns: vec![],
            ..BatchTemplate::default()
        };
        assert_eq!(
            none.write(&batch(), "b").unwrap_err().code(),
            "bank_template.no_columns"
        );
        let sheet = BatchTemplate {
            format: Format::Xlsx,
            sheet: "a/b".into(),
            ..BatchTemplate::default()
        };
        assert_eq!(
            sheet.write(&batch(), "b").unwrap_err().code(),
            "bank_template.sheet_name"
        );
        let rare =
            PaymentBatch::new(header(), vec![line("k", "𠮷野", "4111111111111111", 5)]).unwrap();
        assert_eq!(
            BatchTemplate::default().write(&rare, "b").unwrap_err(),
            TemplateError::NotEncodable {
                row: 2,
                column: "户名".into(),
                found: '𠮷'
            }
        );
        let utf8 = BatchTemplate {
            encoding: Encoding::Utf8,
            ..BatchTemplate::default()
        };
        assert!(utf8.write(&rare, "b").is_ok());
    }
}
