//! The bank's result file (回盘文件): which payments of a batch it made and which failed, and
//! why; and [`reconcile`], which holds it against the batch.
//!
//! # The file
//!
//! CSV (UTF-8 or GBK) or XLSX (the first sheet), a header row first, columns in any order,
//! named in Chinese or English (see [`COLUMNS`]; case and surrounding spaces ignored):
//! the payment's key (the ledger key or its end-to-end id, 流水号), the amount in yuan
//! (金额) or in fen (金额(分)), the status (成功/失败, success/failure, …), and optionally the
//! account (账号), the name (户名) and the failure reason (失败原因). Empty rows are skipped.
//!
//! Every row is checked, and every problem becomes a [`ReturnError`] naming the row (the
//! header is row 1), the column in Chinese and the value; a file with any problem yields no
//! lines at all, so a half-read file can never settle half a batch. Arbitrary bytes give
//! errors, never a panic.
//!
//! # Reconciling
//!
//! [`reconcile`] matches each returned line to the batch by key and sorts the batch into
//! paid, failed (with the bank's reason), mismatched (the bank names the payment but a
//! different amount or account, or names it twice) and outstanding (no word from the bank);
//! returned lines the batch does not know are `unknown`. Every expected payment is in exactly
//! one of paid, failed, mismatched and outstanding, so their tallies add up to the expected
//! tally, to the fen.

use std::collections::HashMap;
use std::fmt;
use std::io::Cursor;

use super::account::mask_digits;
use super::batch::{PaymentLine, key_index};
use crate::Fen;
use crate::text::decode_utf8_or_gbk;

/// Beyond this many data rows the file is refused.
pub const MAX_ROWS: usize = 2_000_000;
/// Beyond this many problems the report stops (with a last `too_many_errors` entry).
pub const MAX_ERRORS: usize = 1_000;
/// Longest failure reason kept; the rest is cut.
pub const MAX_REASON_CHARS: usize = 200;

/// The accepted header names of each column, the Chinese label first (used in errors).
pub const COLUMNS: [&[&str]; 7] = [
    &[
        "流水号",
        "key",
        "end_to_end_id",
        "endtoendid",
        "交易流水号",
        "业务流水号",
        "明细流水号",
        "ledger_key",
    ],
    &["账号", "account", "收款账号", "卡号", "账户", "收款人账号"],
    &["户名", "name", "姓名", "收款人", "收款户名", "收款人姓名"],
    &[
        "金额",
        "amount",
        "交易金额",
        "金额(元)",
        "金额（元）",
        "amount_yuan",
    ],
    &["金额(分)", "amount_fen", "金额（分）"],
    &[
        "状态",
        "status",
        "result",
        "处理状态",
        "交易状态",
        "处理结果",
        "结果",
    ],
    &["失败原因", "reason", "message", "原因", "备注", "错误信息"],
];
const KEY: usize = 0;
const ACCOUNT: usize = 1;
const NAME: usize = 2;
const AMOUNT: usize = 3;
const AMOUNT_FEN: usize = 4;
const STATUS: usize = 5;
const REASON: usize = 6;
/// The label of errors about the whole file.
const FILE: &str = "文件";

/// What the bank says happened to a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReturnStatus {
    Paid,
    Failed,
}

impl ReturnStatus {
    /// Parses the status words banks use.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim().to_lowercase();
        match t.as_str() {
            "成功" | "已成功" | "交易成功" | "处理成功" | "支付成功" | "success" | "succeeded"
            | "successful" | "ok" | "paid" | "s" => Some(Self::Paid),
            "失败" | "交易失败" | "处理失败" | "支付失败" | "failure" | "failed" | "fail"
            | "rejected" | "f" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// One checked row of a return file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnLine {
    /// The row in the file (the header is row 1).
    pub row: usize,
    /// As the bank gave it: the ledger key or its end-to-end id.
    pub key: String,
    /// The account's digits, if the file has the column and the cell is filled.
    pub account: Option<String>,
    /// The holder's name, if given (not checked: banks abbreviate).
    pub name: Option<String>,
    pub amount: Fen,
    pub status: ReturnStatus,
    /// The bank's reason for a failure (empty if none given); cut to [`MAX_REASON_CHARS`].
    pub reason: String,
}

/// A problem in a return file: where, what was found, and a stable code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnError {
    /// The row (header = 1); 0 for the file as a whole.
    pub row: usize,
    /// The column's Chinese label (`金额`, `状态`, …), or `文件`.
    pub column: &'static str,
    /// The offending value (cut to 200 characters), or a detail.
    pub value: String,
    pub code: &'static str,
}

impl ReturnError {
    fn new(row: usize, column: &'static str, value: &str, code: &'static str) -> Self {
        Self {
            row,
            column,
            value: value.chars().take(200).collect(),
            code,
        }
    }

    /// What the code means, in Chinese (the web layer may use Fluent instead).
    #[must_use]
    pub fn reason_zh(&self) -> &'static str {
        match self.code {
            "bank_return.unreadable" => "文件无法读取",
            "bank_return.encoding" => "文件编码无法识别,请存为 UTF-8 或 GBK",
            "bank_return.malformed_row" => "行格式错误",
            "bank_return.no_header" => "文件没有表头行",
            "bank_return.column_missing" => "表头缺少此列",
            "bank_return.too_many_rows" => "行数超过上限",
            "bank_return.too_many_errors" => "错误过多,其余未列出",
            "bank_return.key_empty" => "流水号为空",
            "bank_return.duplicate_key" => "流水号重复",
            "bank_return.bad_account" => "账号只能是数字",
            "bank_return.bad_amount" => "金额格式不对",
            "bank_return.bad_status" => "状态应为“成功”或“失败”",
            _ => "无法识别",
        }
    }
}

impl fmt::Display for ReturnError {
    /// `第 3 行「金额」:金额格式不对(12.345)`; for the whole file `文件:…`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.row == 0 {
            write!(f, "{}:{}", self.column, self.reason_zh())?;
        } else {
            write!(
                f,
                "第 {} 行「{}」:{}",
                self.row,
                self.column,
                self.reason_zh()
            )?;
        }
        if !self.value.is_empty() {
            write!(f, "({})", self.value)?;
        }
        Ok(())
    }
}

impl std::error::Error for ReturnError {}

/// Reads a return file; see the module documentation. XLSX is recognised by its zip
/// signature, anything else is read as CSV.
///
/// # Errors
/// Every problem found, each a [`ReturnError`]; then no lines are returned.
pub fn parse_returns(bytes: &[u8]) -> Result<Vec<ReturnLine>, Vec<ReturnError>> {
    let mut p = Parser::default();
    if bytes.starts_with(b"PK\x03\x04") {
        p.read_xlsx(bytes);
    } else {
        p.read_csv(bytes);
    }
    if p.errors.is_empty() {
        Ok(p.lines)
    } else {
        Err(p.errors)
    }
}

#[derive(Default)]
struct Parser {
    map: Vec<Option<usize>>,
    lines: Vec<ReturnLine>,
    errors: Vec<ReturnError>,
    seen: HashMap<String, usize>,
    header_done: bool,
    rows: usize,
}

impl Parser {
    fn error(&mut self, e: ReturnError) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(e);
        } else if self.errors.len() == MAX_ERRORS {
            let last = ReturnError::new(
                e.row,
                FILE,
                &MAX_ERRORS.to_string(),
                "bank_return.too_many_errors",
            );
            self.errors.push(last);
        }
    }

    fn read_xlsx(&mut self, bytes: &[u8]) {
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> = match calamine::open_workbook_from_rs(Cursor::new(bytes))
        {
            Ok(b) => b,
            Err(e) => {
                return self.error(ReturnError::new(
                    0,
                    FILE,
                    &e.to_string(),
                    "bank_return.unreadable",
                ));
            }
        };
        let range = match book.worksheet_range_at(0) {
            Some(Ok(r)) => r,
            Some(Err(e)) => {
                return self.error(ReturnError::new(
                    0,
                    FILE,
                    &e.to_string(),
                    "bank_return.unreadable",
                ));
            }
            None => return self.error(ReturnError::new(0, FILE, "", "bank_return.unreadable")),
        };
        // Rows are numbered as the spreadsheet shows them, even when the used range starts
        // lower down.
        let first = range.start().map_or(0, |(r, _)| r as usize);
        for (i, r) in range.rows().enumerate() {
            let cells: Vec<String> = r.iter().map(cell_text).collect();
            if !self.row(first + i + 1, &cells) {
                return;
            }
        }
        self.finish();
    }

    fn read_csv(&mut self, bytes: &[u8]) {
        let Some(text) = decode_utf8_or_gbk(bytes) else {
            return self.error(ReturnError::new(0, FILE, "", "bank_return.encoding"));
        };
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(text.as_bytes());
        let mut record = csv::StringRecord::new();
        // Rows are counted as an editor numbers lines, from the record's first byte: the
        // csv crate's own line count lags behind CRLF endings and blank lines.
        let bytes = text.as_bytes();
        let (mut counted_to, mut line) = (0usize, 1usize);
        let mut line_at = |offset: u64| -> usize {
            let mut at = usize::try_from(offset)
                .unwrap_or(usize::MAX)
                .min(bytes.len());
            while matches!(bytes.get(at), Some(b'\r' | b'\n')) {
                at += 1;
            }
            if at >= counted_to {
                line += bytes[counted_to..at]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count();
                counted_to = at;
            }
            line
        };
        loop {
            let start = reader.position().byte();
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    let row = line_at(start);
                    return self.error(ReturnError::new(
                        row,
                        FILE,
                        &e.to_string(),
                        "bank_return.malformed_row",
                    ));
                }
            }
            let row = line_at(record.position().map_or(start, csv::Position::byte));
            let cells: Vec<String> = record.iter().map(str::to_owned).collect();
            if !self.row(row, &cells) {
                return;
            }
        }
        self.finish();
    }

    fn finish(&mut self) {
        if !self.header_done {
            self.error(ReturnError::new(0, FILE, "", "bank_return.no_header"));
        }
    }

    /// One row of cells; false to stop reading.
    fn row(&mut self, row: usize, cells: &[String]) -> bool {
        if cells.iter().all(|c| c.trim().is_empty()) {
            return true;
        }
        if !self.header_done {
            self.header_done = true;
            return self.header(row, cells);
        }
        self.rows += 1;
        if self.rows > MAX_ROWS {
            self.error(ReturnError::new(
                row,
                FILE,
                &MAX_ROWS.to_string(),
                "bank_return.too_many_rows",
            ));
            return false;
        }
        self.data(row, cells);
        true
    }

    fn header(&mut self, row: usize, cells: &[String]) -> bool {
        let clean = |h: &str| {
            h.trim()
                .trim_start_matches('\u{feff}')
                .trim()
                .to_lowercase()
        };
        self.map = COLUMNS
            .iter()
            .map(|names| {
                cells
                    .iter()
                    .position(|h| names.iter().any(|n| clean(h) == n.to_lowercase()))
            })
            .collect();
        let joined: String = cells.join(",");
        let mut ok = true;
        for required in [KEY, STATUS] {
            if self.map[required].is_none() {
                self.error(ReturnError::new(
                    row,
                    COLUMNS[required][0],
                    &joined,
                    "bank_return.column_missing",
                ));
                ok = false;
            }
        }
        if self.map[AMOUNT].is_none() && self.map[AMOUNT_FEN].is_none() {
            self.error(ReturnError::new(
                row,
                COLUMNS[AMOUNT][0],
                &joined,
                "bank_return.column_missing",
            ));
            ok = false;
        }
        ok
    }

    fn data(&mut self, row: usize, cells: &[String]) {
        let cell =
            |c: usize| -> Option<&str> { self.map[c].and_then(|i| cells.get(i)).map(|s| s.trim()) };
        let mut errors = Vec::new();
        let key = cell(KEY).unwrap_or_default().to_owned();
        if key.is_empty() {
            errors.push(ReturnError::new(
                row,
                COLUMNS[KEY][0],
                "",
                "bank_return.key_empty",
            ));
        }
        let account = match cell(ACCOUNT).filter(|a| !a.is_empty()) {
            None => None,
            Some(a) => {
                let digits: String = a.chars().filter(|c| !c.is_whitespace()).collect();
                if digits.bytes().all(|b| b.is_ascii_digit()) {
                    Some(digits)
                } else {
                    errors.push(ReturnError::new(
                        row,
                        COLUMNS[ACCOUNT][0],
                        a,
                        "bank_return.bad_account",
                    ));
                    None
                }
            }
        };
        let name = cell(NAME).filter(|n| !n.is_empty()).map(str::to_owned);
        let amount = if self.map[AMOUNT].is_some() {
            let text = cell(AMOUNT).unwrap_or_default();
            Fen::from_yuan_str(text)
                .ok()
                .filter(|f| !f.is_negative())
                .ok_or_else(|| {
                    ReturnError::new(row, COLUMNS[AMOUNT][0], text, "bank_return.bad_amount")
                })
        } else {
            let text = cell(AMOUNT_FEN).unwrap_or_default();
            text.parse::<i64>()
                .ok()
                .filter(|f| *f >= 0 && text.bytes().all(|b| b.is_ascii_digit()))
                .map(Fen::from_fen)
                .ok_or_else(|| {
                    ReturnError::new(row, COLUMNS[AMOUNT_FEN][0], text, "bank_return.bad_amount")
                })
        };
        let amount = amount.map_err(|e| errors.push(e)).ok();
        let status_text = cell(STATUS).unwrap_or_default();
        let status = ReturnStatus::parse(status_text);
        if status.is_none() {
            errors.push(ReturnError::new(
                row,
                COLUMNS[STATUS][0],
                status_text,
                "bank_return.bad_status",
            ));
        }
        let reason: String = cell(REASON)
            .unwrap_or_default()
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(MAX_REASON_CHARS)
            .collect();
        if !key.is_empty() {
            if let Some(first) = self.seen.get(&key) {
                let value = format!("{key}(同第 {first} 行)");
                errors.push(ReturnError::new(
                    row,
                    COLUMNS[KEY][0],
                    &value,
                    "bank_return.duplicate_key",
                ));
            } else {
                self.seen.insert(key.clone(), row);
            }
        }
        if !errors.is_empty() {
            for e in errors {
                self.error(e);
            }
            return;
        }
        if let (Some(amount), Some(status)) = (amount, status) {
            self.lines.push(ReturnLine {
                row,
                key,
                account,
                name,
                amount,
                status,
                reason,
            });
        }
    }
}

fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        // Rust prints floats without an exponent and as short as round-trips, so an amount
        // typed as 1234.56 comes back as "1234.56".
        Data::Float(f) => {
            let s = f.to_string();
            s.strip_suffix(".0").map_or(s.clone(), str::to_owned)
        }
        Data::Bool(b) => if *b { "1" } else { "0" }.into(),
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// A count of payments and their sum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    pub count: usize,
    pub amount: Fen,
}

impl Tally {
    fn add(&mut self, amount: Fen) {
        self.count += 1;
        // Expected amounts come from one batch, whose total fits; saturate rather than
        // panic for slices that never were a batch.
        self.amount = self
            .amount
            .checked_add(amount)
            .unwrap_or(Fen::from_fen(i64::MAX));
    }
}

/// An expected payment the bank reported on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    /// The ledger key.
    pub key: String,
    /// The expected amount (equal to the returned one).
    pub amount: Fen,
    /// The row of the return file.
    pub row: usize,
    /// The bank's reason, for failures.
    pub reason: String,
}

/// A returned line that names an expected payment but does not agree with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// The bank reports another amount.
    Amount {
        row: usize,
        key: String,
        expected: Fen,
        returned: Fen,
    },
    /// The bank reports another account (both masked).
    Account {
        row: usize,
        key: String,
        expected: String,
        returned: String,
    },
    /// A second return for a payment already reported on (at `first_row`).
    Duplicate {
        row: usize,
        key: String,
        first_row: usize,
    },
}

/// The batch against the bank's returns; see the module documentation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reconciliation {
    pub expected: Tally,
    pub paid: Vec<Settlement>,
    pub failed: Vec<Settlement>,
    pub mismatches: Vec<Mismatch>,
    /// Keys of expected payments the bank did not report on.
    pub outstanding: Vec<String>,
    /// Returned lines that name no expected payment.
    pub unknown: Vec<ReturnLine>,
    pub paid_tally: Tally,
    pub failed_tally: Tally,
    /// Expected payments whose return disagrees (counted once, at the expected amount).
    pub mismatched_tally: Tally,
    pub outstanding_tally: Tally,
}

impl Reconciliation {
    /// True when the returns name only expected payments and agree with them: what the
    /// payroll requires before it records a return file.
    #[must_use]
    pub fn is_clean(&self) -> bool {
        self.unknown.is_empty() && self.mismatches.is_empty()
    }
}

/// Matches `returns` to `expected` by key (the ledger key or its end-to-end id); pure. The
/// expected lines are a batch's, so their keys are unique (a repeated key counts once).
#[must_use]
pub fn reconcile(expected: &[PaymentLine], returns: &[ReturnLine]) -> Reconciliation {
    let index = key_index(expected);
    let mut r = Reconciliation::default();
    // For each expected line: the first return row that named it, and whether it disagreed.
    let mut answered: Vec<Option<(usize, bool)>> = vec![None; expected.len()];
    let mut outcome: Vec<Option<(ReturnStatus, usize, String)>> = vec![None; expected.len()];
    for ret in returns {
        let Some(&i) = index.get(ret.key.as_str()) else {
            r.unknown.push(ret.clone());
            continue;
        };
        let line = &expected[i];
        if let Some((first_row, _)) = answered[i] {
            r.mismatches.push(Mismatch::Duplicate {
                row: ret.row,
                key: line.key.clone(),
                first_row,
            });
            answered[i] = Some((first_row, true));
            continue;
        }
        let mut bad = false;
        if ret.amount != line.amount {
            r.mismatches.push(Mismatch::Amount {
                row: ret.row,
                key: line.key.clone(),
                expected: line.amount,
                returned: ret.amount,
            });
            bad = true;
        }
        if let Some(account) = &ret.account
            && account != line.account.number().as_str()
        {
            r.mismatches.push(Mismatch::Account {
                row: ret.row,
                key: line.key.clone(),
                expected: line.account.number().masked(),
                returned: mask_digits(account),
            });
            bad = true;
        }
        answered[i] = Some((ret.row, bad));
        outcome[i] = Some((ret.status, ret.row, ret.reason.clone()));
    }
    let mut seen = std::collections::HashSet::with_capacity(expected.len());
    for (i, line) in expected.iter().enumerate() {
        if !seen.insert(line.key.as_str()) {
            continue;
        }
        r.expected.add(line.amount);
        match (answered[i], outcome[i].take()) {
            (Some((_, true)), _) => r.mismatched_tally.add(line.amount),
            (Some((_, false)), Some((status, row, reason))) => {
                let s = Settlement {
                    key: line.key.clone(),
                    amount: line.amount,
                    row,
                    reason,
                };
                match status {
                    ReturnStatus::Paid => {
                        r.paid_tally.add(line.amount);
                        r.paid.push(s);
                    }
                    ReturnStatus::Failed => {
                        r.failed_tally.add(line.amount);
                        r.failed.push(s);
                    }
                }
            }
            _ => {
                r.outstanding_tally.add(line.amount);
                r.outstanding.push(line.key.clone());
            }
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::batch::tests::line;
    use crate::bank::end_to_end_id;
    use proptest::prelude::*;

    fn lines(text: &str) -> Vec<ReturnLine> {
        parse_returns(text.as_bytes()).unwrap()
    }

    fn errors(bytes: &[u8]) -> Vec<String> {
        parse_returns(bytes)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn chinese_gbk_and_english_files_read_alike() {
        let zh = "流水号,账号,户名,金额,状态,失败原因\r\n\
                  k1,6222 0212 3456 7890 128,张三,0.01,成功,\r\n\
                  \r\n\
                  k2,4111111111111111,李四,1234.56,失败,账户已销户\r\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(zh);
        let en =
            "Status,Key,Amount,Reason\nsuccess,k1,0.01,\nFAILED,k2,\"1,234.56\",account closed\n";
        for parsed in [lines(zh), parse_returns(&gbk).unwrap()] {
            assert_eq!(parsed.len(), 2);
            assert_eq!(parsed[0].account.as_deref(), Some("6222021234567890128"));
            assert_eq!(parsed[0].amount, Fen::from_fen(1));
            assert_eq!(parsed[0].status, ReturnStatus::Paid);
            assert_eq!(parsed[1].row, 4, "rows as the file numbers them");
            assert_eq!(parsed[1].reason, "账户已销户");
            assert_eq!(parsed[1].name.as_deref(), Some("李四"));
        }
        let en = lines(en);
        assert_eq!(en[1].amount, Fen::from_fen(123_456));
        assert_eq!(en[1].status, ReturnStatus::Failed);
        assert_eq!(en[1].account, None);
        let fen = lines("流水号,金额(分),状态\nk1,123456,成功\n");
        assert_eq!(fen[0].amount, Fen::from_fen(123_456));
    }

    #[test]
    fn every_error_names_row_and_column_in_chinese() {
        let text = "流水号,账号,金额,状态\n\
                    ,62x,1.234,未知\n\
                    k1,6222,-1,成功\n\
                    k1,6222,1,成功\n";
        assert_eq!(
            errors(text.as_bytes()),
            [
                "第 2 行「流水号」:流水号为空",
                "第 2 行「账号」:账号只能是数字(62x)",
                "第 2 行「金额」:金额格式不对(1.234)",
                "第 2 行「状态」:状态应为“成功”或“失败”(未知)",
                "第 3 行「金额」:金额格式不对(-1)",
                "第 4 行「流水号」:流水号重复(k1(同第 3 行))",
            ]
        );
        let e = parse_returns(b"key,amount\n").unwrap_err();
        assert_eq!(e[0].code, "bank_return.column_missing");
        assert_eq!(e[0].to_string(), "第 1 行「状态」:表头缺少此列(key,amount)");
        assert_eq!(errors(b""), ["文件:文件没有表头行"]);
        assert_eq!(
            errors(b"\xFF\xFE\xFF"),
            ["文件:文件编码无法识别,请存为 UTF-8 或 GBK"]
        );
        assert_eq!(
            parse_returns(b"PK\x03\x04junk").unwrap_err()[0].code,
            "bank_return.unreadable"
        );
        let e = parse_returns(b"key,amount,status\n\"k1,1,ok\n").unwrap_err();
        assert!(e.iter().all(|e| e.code != "bank_return.duplicate_key"));
    }

    #[test]
    fn xlsx_returns_read_numbers_and_text() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        for (c, h) in (0u16..).zip(["交易流水号", "收款账号", "交易金额", "处理结果", "失败原因"])
        {
            ws.write_string(0, c, h).unwrap();
        }
        ws.write_string(1, 0, "k1").unwrap();
        ws.write_string(1, 1, "6222021234567890128").unwrap();
        ws.write_number(1, 2, 1234.56).unwrap();
        ws.write_string(1, 3, "成功").unwrap();
        ws.write_string(2, 0, "k2").unwrap();
        ws.write_number(2, 2, 5).unwrap();
        ws.write_string(2, 3, "失败").unwrap();
        ws.write_string(2, 4, "户名不符").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let parsed = parse_returns(&bytes).unwrap();
        assert_eq!(parsed[0].amount, Fen::from_fen(123_456));
        assert_eq!(parse_returns(&return_xlsx()).unwrap().len(), 19);
        assert_eq!(parsed[1].amount, Fen::from_fen(500));
        assert_eq!(parsed[1].reason, "户名不符");
        assert_eq!(parsed[1].row, 3);
    }

    fn expected() -> Vec<PaymentLine> {
        vec![
            line("k1", "张三", "6222021234567890128", 1),
            line("k2", "李四", "4111111111111111", 123_456),
            line(&"long-key/".repeat(6), "王五", "0200004509089131550", 500),
            line("k4", "赵六", "4111111111111111", 700),
            line("k5", "钱七", "4111111111111111", 900),
        ]
    }

    #[test]
    fn reconcile_sorts_every_payment_into_one_place() {
        let e2e = end_to_end_id(&"long-key/".repeat(6));
        let text = format!(
            "流水号,账号,金额,状态,失败原因\n\
             k1,6222021234567890128,0.01,成功,\n\
             k2,,1234.56,失败,账户已冻结\n\
             {e2e},0200004509089131550,5.00,成功,\n\
             k4,4111111111111111,7.01,成功,\n\
             zz,4111111111111111,1.00,成功,\n"
        );
        let returns = lines(&text);
        let r = reconcile(&expected(), &returns);
        assert_eq!(
            r.expected,
            Tally {
                count: 5,
                amount: Fen::from_fen(125_557)
            }
        );
        assert_eq!(
            r.paid.iter().map(|s| s.key.as_str()).collect::<Vec<_>>(),
            ["k1", &"long-key/".repeat(6)]
        );
        assert_eq!(
            r.paid_tally,
            Tally {
                count: 2,
                amount: Fen::from_fen(501)
            }
        );
        assert_eq!(r.failed[0].reason, "账户已冻结");
        assert_eq!(
            r.failed_tally,
            Tally {
                count: 1,
                amount: Fen::from_fen(123_456)
            }
        );
        assert_eq!(
            r.mismatches,
            [Mismatch::Amount {
                row: 5,
                key: "k4".into(),
                expected: Fen::from_fen(700),
                returned: Fen::from_fen(701)
            }]
        );
        assert_eq!(
            r.mismatched_tally,
            Tally {
                count: 1,
                amount: Fen::from_fen(700)
            }
        );
        assert_eq!(r.outstanding, ["k5"]);
        assert_eq!(r.unknown.len(), 1);
        assert_eq!(r.unknown[0].key, "zz");
        assert!(!r.is_clean());

        let again = lines("流水号,账号,金额,状态\nk1,4111111111111111,0.01,成功\n");
        let mut twice = again.clone();
        twice.push(ReturnLine {
            row: 9,
            ..again[0].clone()
        });
        let r = reconcile(&expected(), &twice);
        assert_eq!(r.mismatches.len(), 2);
        assert!(
            matches!(&r.mismatches[0], Mismatch::Account { expected, returned, .. }
            if expected == "***************0128" && returned == "************1111")
        );
        assert!(matches!(
            r.mismatches[1],
            Mismatch::Duplicate {
                row: 9,
                first_row: 2,
                ..
            }
        ));

        let clean = lines("流水号,金额,状态\nk1,0.01,成功\n");
        let r = reconcile(&expected(), &clean);
        assert!(r.is_clean());
        assert_eq!(r.outstanding.len(), 4);
    }

    #[test]
    fn a_bank_echoing_our_file_with_a_status_reconciles_clean() {
        use crate::bank::batch::tests::header;
        use crate::bank::{BatchTemplate, PaymentBatch};
        let batch = PaymentBatch::new(header(), expected()).unwrap();
        // What banks do: their result file is the 代发 file with status columns added.
        let mut rows = BatchTemplate::default().rows(&batch);
        for (i, row) in rows.iter_mut().enumerate() {
            let (status, reason) = match i {
                0 => ("处理结果", "失败原因"),
                2 => ("失败", "户名与账号不符"),
                _ => ("成功", ""),
            };
            row.extend([status.to_owned(), reason.to_owned()]);
        }
        let mut out = csv::Writer::from_writer(Vec::new());
        for row in &rows {
            out.write_record(row).unwrap();
        }
        let text = String::from_utf8(out.into_inner().unwrap()).unwrap();
        let (gbk, _, _) = encoding_rs::GBK.encode(&text);
        let r = reconcile(batch.lines(), &parse_returns(&gbk).unwrap());
        assert!(r.is_clean(), "{r:?}");
        assert_eq!(r.paid_tally.count, 4);
        assert_eq!(r.failed[0].key, "k2");
        assert_eq!(r.failed[0].reason, "户名与账号不符");
        assert_eq!(
            r.paid_tally.amount.checked_add(r.failed_tally.amount),
            Some(batch.total())
        );
        assert!(r.outstanding.is_empty());
    }

    fn arb_return(keys: Vec<String>) -> impl Strategy<Value = ReturnLine> {
        (
            prop::sample::select(keys),
            prop::sample::select(vec![1i64, 700, 900, 500, 123_456]),
            any::<bool>(),
            proptest::option::of(prop::sample::select(vec![
                "4111111111111111".to_owned(),
                "6222021234567890128".to_owned(),
            ])),
            1usize..50,
        )
            .prop_map(|(key, fen, paid, account, row)| ReturnLine {
                row,
                key,
                account,
                name: None,
                amount: Fen::from_fen(fen),
                status: if paid {
                    ReturnStatus::Paid
                } else {
                    ReturnStatus::Failed
                },
                reason: String::new(),
            })
    }

    fn return_xlsx() -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        for (c, h) in (0u16..).zip(["流水号", "账号", "金额", "状态", "失败原因"]) {
            ws.write_string(0, c, h).unwrap();
        }
        for r in 1..20u32 {
            ws.write_string(r, 0, format!("k{r}")).unwrap();
            ws.write_string(r, 1, "6222021234567890128").unwrap();
            ws.write_number(r, 2, [0.01, 1.5, 1234.56, 7.0][(r % 4) as usize])
                .unwrap();
            ws.write_string(r, 3, if r % 2 == 0 { "成功" } else { "失败" })
                .unwrap();
        }
        book.save_to_buffer().unwrap()
    }

    proptest! {
        #[test]
        fn damaged_workbooks_never_panic(
            hits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
            cut in any::<prop::sample::Index>(),
            truncate in any::<bool>(),
        ) {
            let mut bytes = return_xlsx();
            for (at, value) in hits {
                let i = at.index(bytes.len());
                bytes[i] = value;
            }
            if truncate {
                bytes.truncate(cut.index(bytes.len()));
            }
            let _ = parse_returns(&bytes);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400), zip in any::<bool>()) {
            let mut input = if zip { b"PK\x03\x04".to_vec() } else { Vec::new() };
            input.extend(bytes);
            let _ = parse_returns(&input);
        }

        #[test]
        fn arbitrary_text_rows_never_panic(body in "[a-z0-9成功失败,.\"\n -]{0,300}") {
            let _ = parse_returns(format!("流水号,金额,状态,账号,失败原因\n{body}").as_bytes());
        }

        #[test]
        fn tallies_always_add_up(returns in prop::collection::vec(arb_return(
            ["k1", "k2", "k4", "k5", "zz", "long-key/long-key/long-key/long-key/long-key/long-key/"]
                .map(str::to_owned).to_vec()), 0..12)) {
            let r = reconcile(&expected(), &returns);
            let parts = [r.paid_tally, r.failed_tally, r.mismatched_tally, r.outstanding_tally];
            prop_assert_eq!(parts.iter().map(|t| t.count).sum::<usize>(), r.expected.count);
            prop_assert_eq!(Fen::checked_sum(parts.iter().map(|t| t.amount)), Some(r.expected.amount));
            prop_assert_eq!(r.paid.len() + r.failed.len() + r.outstanding.len() + r.mismatched_tally.count, 5);
            prop_assert_eq!(r.unknown.len(), returns.iter().filter(|l| l.key == "zz").count());
        }
    }
}
