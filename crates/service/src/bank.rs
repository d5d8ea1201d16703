//! Paying through banks (社会化发放, issue 5 items 3–4): each household's payee account, and
//! the bank file (代发文件) exported for an approved run.
//!
//! A payee is one current account per household; a change adds a row (the old ones stay as
//! history) with its audit entry, and a change, unlike the first account, needs a reason.
//! Accounts are validated by [`domain::bank::BankAccount`] (the Luhn check for cards), and
//! shown masked.
//!
//! An export sums the run's ledger entries per household and pays the households that have
//! a payee and a positive net amount; the others are returned as not exportable (no
//! account: record one, and they are paid by a later run or a one-off). The file is written
//! with the configured template ([`SETTING_TEMPLATE`], JSON of
//! [`domain::bank::BatchTemplate`]; a GBK CSV by default) or as pain.001, from the bureau's
//! own account ([`SETTING_DEBTOR`]); it is recorded with its SHA-256, and a run's second
//! file needs a reason, so a bank is never handed the same payments twice unexplained.
//! Both settings are edited through [`Service::set_bank_settings`], checked and audited.
//!
//! The bank's result file, what became of each payment, and re-issuing the failed ones are
//! in [`reissue`].

use chrono::FixedOffset;
use domain::bank::{
    AccountKind, Bank, BankAccount, BankAccountError, BankFile, BatchError, BatchHeader,
    BatchTemplate, PaymentBatch, PaymentLine, Reconciliation, ReturnStatus, parse_returns,
    reconcile, template::Format,
};
use domain::{Action, Fen, Line};
use serde::Deserialize;
use store::{
    BANK_FILE_AGAIN, BankFileRecord, NewBankFile, NewPayee, NewReturn, PayeeRecord, RunPayment,
    StoreError,
};

use crate::assistance::{check_reason, field};
use crate::{Actor, Error, FieldError, Service};

pub mod reissue;

/// The bank-file template, JSON of [`BatchTemplate`]; the default GBK CSV when unset.
pub const SETTING_TEMPLATE: &str = "payroll.bank_template";
/// The bureau's paying account, JSON `{"holder", "bank", "bank_code", "account", "kind"}`.
pub const SETTING_DEBTOR: &str = "payroll.debtor";

/// A payee account as a form or the API gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct PayeeInput {
    pub holder: String,
    pub bank_name: String,
    pub bank_code: String,
    pub account_number: String,
    /// `card` or `book` (or 银行卡/存折); guessed from the number when empty.
    pub account_kind: String,
    /// Required when the household already has an account.
    pub reason: String,
}

/// A household's payee: the current account first, then the earlier ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayeeView {
    pub case_id: i64,
    pub household_id: i64,
    pub history: Vec<PayeeRecord>,
}

impl PayeeView {
    #[must_use]
    pub fn current(&self) -> Option<&PayeeRecord> {
        self.history.first()
    }
}

/// The account number of a stored payee, masked for display.
#[must_use]
pub fn masked(p: &PayeeRecord) -> String {
    let kind = AccountKind::parse(&p.account_kind).unwrap_or(AccountKind::Book);
    domain::bank::AccountNumber::parse(&p.account_number, kind)
        .map_or_else(|_| domain::mask::phone(&p.account_number), |n| n.masked())
}

/// The field a refusal of [`BankAccount`] belongs to.
fn account_field(e: &BankAccountError) -> FieldError {
    let (name, value) = match e {
        BankAccountError::HolderEmpty => ("holder", String::new()),
        BankAccountError::BankEmpty => ("bank_name", String::new()),
        BankAccountError::BankCode { found } => ("bank_code", found.clone()),
        BankAccountError::NameTooLong { max, .. } => ("holder", max.to_string()),
        BankAccountError::NameInvalidChar { found } => ("holder", format!("{found:?}")),
        BankAccountError::InvalidChar { position, found } => {
            ("account_number", format!("{position}: {found:?}"))
        }
        BankAccountError::WrongLength { found, .. } => ("account_number", found.to_string()),
        BankAccountError::Empty | BankAccountError::LuhnMismatch { .. } => {
            ("account_number", String::new())
        }
    };
    field(name, e.code(), value)
}

/// Checks a form's account; the field errors name the form's fields.
pub fn check_payee(input: &PayeeInput) -> Result<BankAccount, Error> {
    let kind = if input.account_kind.trim().is_empty() {
        AccountKind::guess(&input.account_number)
    } else {
        AccountKind::parse(&input.account_kind).ok_or_else(|| {
            Error::invalid(field(
                "account_kind",
                "bank_account.kind",
                input.account_kind.chars().take(20).collect::<String>(),
            ))
        })?
    };
    let bank = Bank::new(&input.bank_name, &input.bank_code)
        .map_err(|e| Error::invalid(account_field(&e)))?;
    BankAccount::new(&input.holder, bank, &input.account_number, kind)
        .map_err(|e| Error::invalid(account_field(&e)))
}

/// A stored payee back as a [`BankAccount`]; it was checked when recorded.
fn stored_account(p: &PayeeRecord) -> Result<BankAccount, Error> {
    let bad = || crate::assistance::corrupt(format!("payee {}", p.id));
    let kind = AccountKind::parse(&p.account_kind).ok_or_else(bad)?;
    let bank = Bank::new(&p.bank_name, p.bank_code.as_deref().unwrap_or("")).map_err(|_| bad())?;
    BankAccount::new(&p.holder, bank, &p.account_number, kind).map_err(|_| bad())
}

/// The format a bank file is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BankFormat {
    /// The configured template, as CSV.
    Csv,
    /// The configured template, as XLSX.
    Xlsx,
    /// ISO 20022 `pain.001.001.09`.
    Pain001,
}

impl BankFormat {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
            Self::Pain001 => "pain001",
        }
    }

    /// `csv`, `xlsx` or `pain001` (also `xml`).
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "csv" => Some(Self::Csv),
            "xlsx" => Some(Self::Xlsx),
            "pain001" | "pain.001" | "xml" => Some(Self::Pain001),
            _ => None,
        }
    }
}

/// An exported bank file with its record, and the households it could not pay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankExport {
    pub file: BankFile,
    pub record: BankFileRecord,
    /// Households with no payee account, or a net amount of zero or less.
    pub not_exportable: Vec<RunPayment>,
}

#[derive(Debug, Deserialize)]
struct Debtor {
    holder: String,
    bank: String,
    #[serde(default)]
    bank_code: String,
    account: String,
    #[serde(default)]
    kind: String,
}

fn conflict(code: &'static str, detail: impl Into<String>) -> Error {
    Error::Conflict {
        code,
        detail: detail.into(),
    }
}

fn program_words(program: &str) -> Result<&'static str, Error> {
    Ok(crate::payroll::stored_program(program)?.words())
}

impl Service {
    /// The payee accounts of case `case_id`'s household, current first.
    pub async fn case_payee(&self, actor: &Actor, case_id: i64) -> Result<PayeeView, Error> {
        if !actor.may(Line::Payroll, Action::Read) {
            self.authorize(actor, Line::Assistance, Action::Read)?;
        }
        let file = self.store().case_file(case_id).await?;
        self.within(actor, &file.case.division_code)?;
        let household_id = file.case.household_id;
        Ok(PayeeView {
            case_id,
            household_id,
            history: self.store().payee_history(household_id).await?,
        })
    }

    /// Records `input` as the current account of case `case_id`'s household, with its
    /// audit entry; a change of an existing account needs a reason.
    pub async fn set_payee(
        &self,
        actor: &Actor,
        case_id: i64,
        input: &PayeeInput,
    ) -> Result<PayeeView, Error> {
        self.authorize(actor, Line::Payroll, Action::Write)?;
        let view = self.case_payee(actor, case_id).await?;
        self.add_household_payee(actor, view.household_id, &format!("case={case_id}"), input)
            .await?;
        self.case_payee(actor, case_id).await
    }

    /// Records `input` as household `household_id`'s current account with its audit entry
    /// (`what` names the record it was reached from); a change of an existing account
    /// needs a reason. Callers authorize and check the jurisdiction.
    pub(crate) async fn add_household_payee(
        &self,
        actor: &Actor,
        household_id: i64,
        what: &str,
        input: &PayeeInput,
    ) -> Result<(), Error> {
        let history = self.store().payee_history(household_id).await?;
        let account = check_payee(input)?;
        let reason = match history.first() {
            Some(_) => check_reason(&input.reason)?,
            None => input.reason.trim().chars().take(200).collect(),
        };
        let payee = NewPayee {
            household_id,
            holder: account.holder().to_owned(),
            bank_name: account.bank().name().to_owned(),
            bank_code: account.bank().code().map(str::to_owned),
            account_number: account.number().as_str().to_owned(),
            account_kind: account.number().kind().as_str().to_owned(),
            reason: reason.clone(),
        };
        let audit = self.audit(
            actor,
            "payroll.payee.set",
            format!("household:{household_id}"),
            &reason,
            format!(
                "{what} bank={} account={} kind={} previous={}",
                payee.bank_name,
                account.number().masked(),
                payee.account_kind,
                history.first().map_or_else(|| "none".into(), masked)
            ),
        );
        self.store().add_payee(&payee, &audit).await?;
        Ok(())
    }

    async fn template(&self) -> Result<BatchTemplate, Error> {
        match self.store().setting(SETTING_TEMPLATE).await? {
            None => Ok(BatchTemplate::default()),
            Some(v) => serde_json::from_str::<BatchTemplate>(&v)
                .ok()
                .filter(|t| t.check().is_ok())
                .ok_or_else(|| crate::assistance::corrupt(format!("{SETTING_TEMPLATE} {v:?}"))),
        }
    }

    async fn debtor(&self) -> Result<BankAccount, Error> {
        let Some(v) = self.store().setting(SETTING_DEBTOR).await? else {
            return Err(conflict("payroll.no_debtor", SETTING_DEBTOR));
        };
        let bad = || conflict("payroll.no_debtor", SETTING_DEBTOR);
        let d: Debtor = serde_json::from_str(&v).map_err(|_| bad())?;
        let kind = AccountKind::parse(&d.kind).unwrap_or_else(|| AccountKind::guess(&d.account));
        let bank = Bank::new(&d.bank, &d.bank_code).map_err(|_| bad())?;
        BankAccount::new(&d.holder, bank, &d.account, kind).map_err(|_| bad())
    }

    /// `batch` as a file in `format`: pain.001, or the configured template as CSV or XLSX.
    async fn write_batch(
        &self,
        batch: &PaymentBatch,
        format: BankFormat,
        stem: &str,
    ) -> Result<BankFile, Error> {
        Ok(match format {
            BankFormat::Pain001 => domain::bank::write_pain001(batch, stem),
            BankFormat::Csv | BankFormat::Xlsx => {
                let mut template = self.template().await?;
                template.format = if format == BankFormat::Xlsx {
                    Format::Xlsx
                } else {
                    Format::Csv
                };
                template
                    .write(batch, stem)
                    .map_err(|e| crate::assistance::corrupt(format!("{stem}: {e}")))?
            }
        })
    }

    /// The bank file's header: the bureau's account, now in China Standard Time.
    async fn batch_header(&self, message_id: String) -> Result<BatchHeader, Error> {
        let debtor = self.debtor().await?;
        let at = self.now();
        // China Standard Time, UTC+8, as the bank's clerks read the file's time.
        let created_at = FixedOffset::east_opt(8 * 3600)
            .map_or_else(|| at.fixed_offset(), |tz| at.with_timezone(&tz));
        Ok(BatchHeader {
            message_id,
            created_at,
            execution_date: self.today(),
            debtor,
        })
    }

    /// Exports approved run `run_id` as a bank file in `format`: the households with a payee
    /// and a positive net amount, recorded with the file's SHA-256; the run becomes
    /// `exported`. A run that already has a file needs `reason`.
    pub async fn export_bank_file(
        &self,
        actor: &Actor,
        run_id: i64,
        format: BankFormat,
        reason: &str,
    ) -> Result<BankExport, Error> {
        // Not `Export`: a bank file carries full account numbers and moves the run on, so
        // it is the paying section's act, like approval (leaders and auditors only read).
        self.authorize(actor, Line::Payroll, Action::Approve)?;
        let run = self.store().payroll_run(run_id).await?;
        self.authorize_run(actor, &run, Action::Approve)?;
        let what = format!("{} {}", run.month, run.program);
        if matches!(run.state.as_str(), "draft" | "checked") {
            return Err(conflict("payroll.not_approved", what));
        }
        let earlier = self.store().bank_files(run_id).await?;
        let reason = if earlier.is_empty() {
            reason.trim().chars().take(200).collect()
        } else if reason.trim().is_empty() {
            return Err(conflict(
                "payroll.export_again",
                format!("{what} ({})", earlier.len()),
            ));
        } else {
            check_reason(reason)?
        };
        let month = domain::Month::parse(&run.month)
            .map_err(|_| crate::assistance::corrupt(format!("month {:?}", run.month)))?;
        let purpose = format!(
            "{}年{}月{}",
            month.year(),
            month.month(),
            program_words(&run.program)?
        );
        let (lines, not_exportable) = self.payment_lines(run_id, &purpose).await?;
        let header = self
            .batch_header(format!("MZ{run_id}-{}", earlier.len() + 1))
            .await?;
        let batch = PaymentBatch::new(header, lines).map_err(|e| match e {
            BatchError::Empty => conflict("payroll.nothing_to_export", what.clone()),
            other => crate::assistance::corrupt(format!("run {run_id}: {other}")),
        })?;
        let stem = format!("payroll-{}-{}-{run_id}", run.month, run.program);
        let file = self.write_batch(&batch, format, &stem).await?;
        let lines = i64::try_from(batch.lines().len()).unwrap_or(i64::MAX);
        let total_fen = batch.total().as_fen();
        let new = NewBankFile {
            run_id,
            format: format.as_str().into(),
            file_name: file.name.clone(),
            sha256: file.sha256.clone(),
            lines,
            total_fen,
            reason: reason.clone(),
        };
        let audit = self.audit(
            actor,
            "payroll.bank_file.export",
            format!("payroll_run:{run_id}"),
            &reason,
            format!(
                "format={} file={} sha256={} lines={lines} total={} not_exportable={}",
                new.format,
                new.file_name,
                new.sha256,
                Fen::from_fen(total_fen).yuan(),
                not_exportable.len()
            ),
        );
        let id = match self.store().record_bank_file(&new, &audit).await {
            Ok(id) => id,
            Err(StoreError::Conflict {
                constraint: Some(c),
                what: w,
            }) if c == BANK_FILE_AGAIN => return Err(conflict("payroll.export_again", w)),
            Err(StoreError::Conflict {
                constraint: Some(c),
                what: w,
            }) if c == "state" => return Err(conflict("payroll.not_approved", w)),
            Err(e) => return Err(e.into()),
        };
        let record = self
            .store()
            .bank_files(run_id)
            .await?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or(Error::NotFound)?;
        Ok(BankExport {
            file,
            record,
            not_exportable,
        })
    }

    /// The lines a bank file of run `run_id` pays, and the households it cannot pay. The
    /// key of a line (`R{run}H{household}`) is what the bank's result file names.
    async fn payment_lines(
        &self,
        run_id: i64,
        purpose: &str,
    ) -> Result<(Vec<PaymentLine>, Vec<RunPayment>), Error> {
        let mut lines = Vec::new();
        let mut not_exportable = Vec::new();
        for p in self.store().run_payments(run_id).await? {
            match (&p.payee, p.amount_fen > 0) {
                (Some(payee), true) => lines.push(PaymentLine {
                    key: format!("R{run_id}H{}", p.household_id),
                    account: stored_account(payee)?,
                    amount: Fen::from_fen(p.amount_fen),
                    purpose: purpose.to_owned(),
                    reference: format!("H{}", p.household_id),
                    id_number: None,
                }),
                _ => not_exportable.push(p),
            }
        }
        Ok((lines, not_exportable))
    }

    /// Imports the bank's result file (回盘文件) for run `run_id`'s latest bank file and
    /// reconciles it. A file that cannot be read, names payments the run does not have, or
    /// disagrees on an amount or account is refused, every problem with its row and field
    /// (`Error::Invalid`), and nothing is stored; so is any file once a failure of the run
    /// has been re-issued (`payroll.returns_reissued`); otherwise its
    /// lines are stored with the audit entry, and the run becomes `reconciled` when every
    /// payment is reported paid. Failed payments (with the bank's reason) and outstanding
    /// ones are in the returned reconciliation, for correcting the account and paying again.
    pub async fn import_returns(
        &self,
        actor: &Actor,
        run_id: i64,
        bytes: &[u8],
    ) -> Result<Reconciliation, Error> {
        self.authorize(actor, Line::Payroll, Action::Approve)?;
        let run = self.store().payroll_run(run_id).await?;
        self.authorize_run(actor, &run, Action::Approve)?;
        let what = format!("{} {}", run.month, run.program);
        let Some(file) = self.store().bank_files(run_id).await?.pop() else {
            return Err(conflict("payroll.not_exported", what));
        };
        // Once a failure has been re-issued, the run's own result stands: a new one could
        // turn that failure into a payment made, and the household would be paid twice.
        if !self.store().run_reissues(run_id).await?.is_empty() {
            return Err(conflict("payroll.returns_reissued", what));
        }
        let returns =
            parse_returns(bytes).map_err(|e| Error::Invalid(reissue::file_refusals(&e)))?;
        // The accounts the file paid into, not today's: a payee corrected since the export
        // must not make the bank's answer look like another account.
        let mut paid_into: std::collections::HashMap<i64, PayeeRecord> = self
            .store()
            .run_payees_as_of(run_id, file.exported_at)
            .await?
            .into_iter()
            .map(|p| (p.household_id, p))
            .collect();
        let mut lines = Vec::new();
        for p in self.store().run_payments(run_id).await? {
            if let (Some(payee), true) = (paid_into.remove(&p.household_id), p.amount_fen > 0) {
                lines.push(PaymentLine {
                    key: format!("R{run_id}H{}", p.household_id),
                    account: stored_account(&payee)?,
                    amount: Fen::from_fen(p.amount_fen),
                    purpose: String::new(),
                    reference: String::new(),
                    id_number: None,
                });
            }
        }
        let r = reconcile(&lines, &returns);
        if !r.is_clean() {
            return Err(Error::Invalid(reissue::refusals(&r)));
        }
        let clean = r.failed.is_empty() && r.outstanding.is_empty();
        let stored: Vec<NewReturn> = returns
            .iter()
            .map(|l| NewReturn {
                row_no: i64::try_from(l.row).unwrap_or(i64::MAX),
                payment_key: l.key.clone(),
                amount_fen: l.amount.as_fen(),
                status: match l.status {
                    ReturnStatus::Paid => "paid".into(),
                    ReturnStatus::Failed => "failed".into(),
                },
                reason: l.reason.clone(),
            })
            .collect();
        let audit = self.audit(
            actor,
            "payroll.returns.import",
            format!("payroll_run:{run_id}"),
            "",
            format!(
                "file={} expected={} paid={} failed={} outstanding={}",
                file.file_name,
                r.expected.count,
                r.paid_tally.count,
                r.failed_tally.count,
                r.outstanding_tally.count
            ),
        );
        self.store()
            .record_returns(run_id, file.id, &stored, clean, &audit)
            .await?;
        Ok(r)
    }

    /// The bank files exported for run `run_id`, oldest first.
    pub async fn bank_files(
        &self,
        actor: &Actor,
        run_id: i64,
    ) -> Result<Vec<BankFileRecord>, Error> {
        self.authorize(actor, Line::Payroll, Action::Read)?;
        self.store().payroll_run(run_id).await?;
        Ok(self.store().bank_files(run_id).await?)
    }
}

/// The bank settings as their form edits them: the bureau's paying account (for every
/// bank file, pain.001's debtor) and the layout of the template file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct BankSettingsInput {
    pub debtor_holder: String,
    pub debtor_bank: String,
    /// 12 digits, or empty.
    pub debtor_bank_code: String,
    pub debtor_account: String,
    /// `card` or `book`; guessed from the number when empty.
    pub debtor_kind: String,
    /// `csv` or `xlsx`: what a "template" bank file is by default.
    pub format: String,
    /// `gbk`, `utf8` or `utf8_bom`.
    pub encoding: String,
    pub header_row: bool,
    /// `yuan` or `fen`.
    pub amount: String,
    /// The columns in order, by name (`seq`, `account`, `name`, `amount`, `key`, …),
    /// separated by commas.
    pub columns: String,
}

/// A template choice read by its serde name, as the stored JSON spells it.
fn named<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(text.trim().to_owned())).ok()
}

fn name_of<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The debtor form's field a refusal of [`BankAccount`] belongs to.
fn debtor_field(e: &BankAccountError) -> FieldError {
    let f = account_field(e);
    let name = match f.field {
        "holder" => "debtor_holder",
        "bank_name" => "debtor_bank",
        "bank_code" => "debtor_bank_code",
        _ => "debtor_account",
    };
    FieldError { field: name, ..f }
}

impl Service {
    /// The bank settings as their form shows them (the defaults where none are stored).
    pub async fn bank_settings(&self, actor: &Actor) -> Result<BankSettingsInput, Error> {
        self.authorize(actor, Line::Payroll, Action::Read)?;
        let template = self.template().await?;
        let debtor = match self.store().setting(SETTING_DEBTOR).await? {
            Some(v) => serde_json::from_str::<Debtor>(&v).ok(),
            None => None,
        };
        let d = debtor.unwrap_or(Debtor {
            holder: String::new(),
            bank: String::new(),
            bank_code: String::new(),
            account: String::new(),
            kind: String::new(),
        });
        Ok(BankSettingsInput {
            debtor_holder: d.holder,
            debtor_bank: d.bank,
            debtor_bank_code: d.bank_code,
            debtor_account: d.account,
            debtor_kind: d.kind,
            format: name_of(&template.format),
            encoding: name_of(&template.encoding),
            header_row: template.header_row,
            amount: name_of(&template.amount),
            columns: template
                .columns
                .iter()
                .map(|c| name_of(&c.field))
                .collect::<Vec<_>>()
                .join(","),
        })
    }

    /// Checks and stores the bank settings, each changed setting with its audit entry
    /// (the old and new values; account numbers masked). Every wrong field is named; a
    /// refused form stores nothing. The paying section's act (`payroll` `approve`).
    pub async fn set_bank_settings(
        &self,
        actor: &Actor,
        input: &BankSettingsInput,
    ) -> Result<(), Error> {
        self.authorize(actor, Line::Payroll, Action::Approve)?;
        let mut errors = Vec::new();
        let kind = if input.debtor_kind.trim().is_empty() {
            Some(AccountKind::guess(&input.debtor_account))
        } else {
            let k = AccountKind::parse(&input.debtor_kind);
            if k.is_none() {
                errors.push(field(
                    "debtor_kind",
                    "bank_account.kind",
                    input.debtor_kind.chars().take(20).collect::<String>(),
                ));
            }
            k
        };
        let account = match Bank::new(&input.debtor_bank, &input.debtor_bank_code) {
            Err(e) => {
                errors.push(debtor_field(&e));
                None
            }
            Ok(bank) => kind.and_then(|kind| {
                BankAccount::new(&input.debtor_holder, bank, &input.debtor_account, kind)
                    .map_err(|e| errors.push(debtor_field(&e)))
                    .ok()
            }),
        };
        let mut template = self.template().await?;
        let choice = |name: &'static str, text: &str, errors: &mut Vec<FieldError>| {
            errors.push(field(
                name,
                "payroll.bank_setting",
                text.chars().take(40).collect::<String>(),
            ));
        };
        match named(&input.format) {
            Some(f) => template.format = f,
            None => choice("format", &input.format, &mut errors),
        }
        match named(&input.encoding) {
            Some(e) => template.encoding = e,
            None => choice("encoding", &input.encoding, &mut errors),
        }
        match named(&input.amount) {
            Some(a) => template.amount = a,
            None => choice("amount", &input.amount, &mut errors),
        }
        template.header_row = input.header_row;
        let mut columns = Vec::new();
        for name in input
            .columns
            .split([',', ',', ' '])
            .filter(|n| !n.trim().is_empty())
        {
            match named(name) {
                Some(field) => columns.push(domain::bank::Column { field, title: None }),
                None => choice("columns", name, &mut errors),
            }
        }
        template.columns = columns;
        if let Err(e) = template.check() {
            errors.push(field("columns", e.code(), e.to_string()));
        }
        let Some(account) = account.filter(|_| errors.is_empty()) else {
            return Err(Error::Invalid(errors));
        };
        let debtor = serde_json::json!({
            "holder": account.holder(),
            "bank": account.bank().name(),
            "bank_code": account.bank().code().unwrap_or(""),
            "account": account.number().as_str(),
            "kind": account.number().kind().as_str(),
        })
        .to_string();
        let template_json = serde_json::to_string(&template)
            .map_err(|e| crate::assistance::corrupt(format!("{SETTING_TEMPLATE}: {e}")))?;
        let old_debtor = self.store().setting(SETTING_DEBTOR).await?;
        let old_template = self.store().setting(SETTING_TEMPLATE).await?;
        if old_debtor.as_deref() != Some(debtor.as_str()) {
            let before = self.debtor().await.map_or_else(
                |_| "none".to_owned(),
                |d| format!("{} {}", d.bank().name(), d.number().masked()),
            );
            let audit = self.audit(
                actor,
                "payroll.setting",
                SETTING_DEBTOR,
                "",
                format!(
                    "{before}→{} {} {}",
                    account.holder(),
                    account.bank().name(),
                    account.number().masked()
                ),
            );
            self.store()
                .set_setting(SETTING_DEBTOR, &debtor, &audit)
                .await?;
        }
        if old_template.as_deref() != Some(template_json.as_str()) {
            let audit = self.audit(
                actor,
                "payroll.setting",
                SETTING_TEMPLATE,
                "",
                format!(
                    "{}→{template_json}",
                    old_template.unwrap_or_else(|| "default".into())
                ),
            );
            self.store()
                .set_setting(SETTING_TEMPLATE, &template_json, &audit)
                .await?;
        }
        Ok(())
    }
}
