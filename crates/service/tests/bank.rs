//! Paying through banks on both engines: payee accounts (validated, history kept, each
//! change audited) and the bank file of an approved run (parsed back, its SHA-256 recorded,
//! a second file only with a reason, an unapproved run refused).

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a line number"
)]

mod common;

use chrono::Duration;
use common::*;
use service::assistance::import::{ImportMode, RosterFile, RosterFiles};
use service::bank::{BankFormat, PayeeInput, SETTING_DEBTOR};
use service::{Actor, Error};
use store::AuditFilter;
use testkit::{TestDb, for_each_engine};

/// A valid card number: `payload` and its Luhn digit.
fn card(payload: &str) -> String {
    format!(
        "{payload}{}",
        domain::bank::luhn_check_digit(payload).unwrap()
    )
}

fn account(holder: &str, number: &str, reason: &str) -> PayeeInput {
    PayeeInput {
        holder: holder.into(),
        bank_name: "中国农业银行和平支行".into(),
        bank_code: "103100000026".into(),
        account_number: number.into(),
        account_kind: String::new(),
        reason: reason.into(),
    }
}

fn conflict<T: std::fmt::Debug>(r: Result<T, Error>) -> &'static str {
    match r {
        Err(Error::Conflict { code, .. }) => code,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

fn invalid<T: std::fmt::Debug>(r: Result<T, Error>) -> (&'static str, &'static str) {
    match r {
        Err(Error::Invalid(e)) => (e[0].field, e[0].code),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

/// The demo district with a small roster, and a second assistance account to approve.
async fn district(db: &TestDb) -> (Actor, Actor) {
    demo_db(db).await;
    on(db, "2013-07-01");
    let (h, p, s) = testkit::roster::synthetic(30);
    let file = |name: &str, text: String| RosterFile {
        name: name.into(),
        bytes: text.into_bytes(),
    };
    let files = RosterFiles {
        households: file("h.csv", h),
        persons: file("p.csv", p),
        standards: Some(file("s.csv", s)),
    };
    db.service
        .import_roster(&Actor::system(), &files, ImportMode::AllOrNothing)
        .await
        .unwrap();
    let fuhe = quick(db, "fuhe", "assistance_staff", testkit::demo::COUNTY).await;
    (actor(db, "jiuzhu").await, fuhe)
}

/// (case id, household id) of every 低保 case.
async fn dibao_cases(db: &TestDb) -> Vec<(i64, i64)> {
    db.store()
        .payroll_cases("dibao", 0, 100_000)
        .await
        .unwrap()
        .iter()
        .map(|c| (c.file.case.id, c.file.case.household_id))
        .collect()
}

async fn audits(db: &TestDb, action: &str) -> i64 {
    let filter = AuditFilter {
        action_prefix: Some(action.into()),
        ..AuditFilter::default()
    };
    db.store().audit_entries(&filter, 0, 1).await.unwrap().1
}

#[tokio::test]
async fn a_payee_account_is_checked_kept_with_its_history_and_audited() {
    for_each_engine(async |db| {
        let (jiuzhu, _) = district(db).await;
        let (case, _) = dibao_cases(db).await[0];
        let s = &db.service;

        // A card number with a wrong check digit: refused on its field, nothing stored.
        let good = card("622848001234567890");
        let mut bad = good.clone();
        let last = bad.pop().unwrap();
        bad.push(if last == '0' { '1' } else { '0' });
        let r = s.set_payee(&jiuzhu, case, &account("张三", &bad, "")).await;
        assert_eq!(invalid(r), ("account_number", "bank_account.luhn_mismatch"));
        let r = s.set_payee(&jiuzhu, case, &account("", &good, "")).await;
        assert_eq!(invalid(r), ("holder", "bank_account.holder_empty"));
        assert!(
            s.case_payee(&jiuzhu, case)
                .await
                .unwrap()
                .history
                .is_empty()
        );
        assert_eq!(audits(db, "payroll.payee.set").await, 0);

        let v = s
            .set_payee(&jiuzhu, case, &account("张三", &good, ""))
            .await
            .unwrap();
        assert_eq!(v.current().unwrap().account_number, good);
        assert_eq!(v.current().unwrap().account_kind, "card");

        // A change needs a reason; with one, the old account stays as history.
        let book = "12345678901234";
        let r = s.set_payee(&jiuzhu, case, &account("张三", book, "")).await;
        assert_eq!(invalid(r).0, "reason");
        let v = s
            .set_payee(
                &jiuzhu,
                case,
                &account("张三", book, "本人申请改用存折账户"),
            )
            .await
            .unwrap();
        assert_eq!(v.history.len(), 2, "{:?}", db.backend());
        assert_eq!(v.current().unwrap().account_number, book);
        assert_eq!(v.current().unwrap().account_kind, "book");
        assert_eq!(v.history[1].account_number, good);
        assert_eq!(audits(db, "payroll.payee.set").await, 2);
        assert!(!service::bank::masked(v.current().unwrap()).contains(book));

        // The history is append-only in the database itself.
        let (update, delete) = db.store().try_tamper_bank(false, v.history[1].id).await;
        assert!(
            update.is_err() && delete.is_err(),
            "payees must be append-only"
        );
        assert_eq!(
            s.case_payee(&jiuzhu, case).await.unwrap().history,
            v.history
        );

        // Leaders read payroll but record no accounts.
        let leader = actor(db, "leader").await;
        let r = s
            .set_payee(&leader, case, &account("张三", &good, "改回"))
            .await;
        assert!(matches!(r, Err(Error::Forbidden)), "{r:?}");
    })
    .await;
}

#[tokio::test]
async fn an_approved_run_becomes_a_bank_file_recorded_with_its_sha256_once_without_reason() {
    for_each_engine(async |db| {
        let (jiuzhu, fuhe) = district(db).await;
        let s = &db.service;
        let cases = dibao_cases(db).await;
        // Every 低保 household but the first gets an account.
        for (i, (case, _)) in cases.iter().enumerate().skip(1) {
            let number = card(&format!("62284800{i:010}"));
            s.set_payee(&jiuzhu, *case, &account("户主", &number, ""))
                .await
                .unwrap();
        }
        let audit = s.audit(&Actor::system(), "settings.set", SETTING_DEBTOR, "", "");
        db.store()
            .set_setting(
                SETTING_DEBTOR,
                r#"{"holder":"某区民政局","bank":"中国农业银行和平支行","bank_code":"103100000026","account":"11223344556677","kind":"book"}"#,
                &audit,
            )
            .await
            .unwrap();

        db.clock.advance(Duration::minutes(5));
        let runs = s
            .prepare_payroll(&jiuzhu, "2013-01", Some("dibao"), &mut |_| {})
            .await
            .unwrap();
        let run = runs[0];
        // Checked but not approved: no bank file.
        let r = s.export_bank_file(&fuhe, run, BankFormat::Csv, "").await;
        assert_eq!(conflict(r), "payroll.not_approved");
        db.clock.advance(Duration::minutes(5));
        s.approve_payroll_run(&fuhe, run).await.unwrap();

        let export = s
            .export_bank_file(&fuhe, run, BankFormat::Csv, "")
            .await
            .unwrap();
        assert_eq!(export.record.sha256, domain::sha256_hex(&export.file.bytes));
        assert_eq!(export.file.sha256, export.record.sha256);
        // The first 低保 household has no account: listed, not paid.
        assert!(
            export
                .not_exportable
                .iter()
                .any(|p| p.household_id == cases[0].1 && p.payee.is_none())
        );
        let (text, _, errors) = encoding_rs::GBK.decode(&export.file.bytes);
        assert!(!errors);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(i64::try_from(rows.len()).unwrap(), export.record.lines);
        assert!(export.record.lines > 0);
        let payments = db.store().run_payments(run).await.unwrap();
        let want: i64 = payments
            .iter()
            .filter(|p| p.payee.is_some() && p.amount_fen > 0)
            .map(|p| p.amount_fen)
            .sum();
        assert_eq!(export.record.total_fen, want);
        assert!(text.contains("户主"));
        assert_eq!(db.store().payroll_run(run).await.unwrap().state, "exported");

        // A second file for the same run needs a reason.
        let r = s.export_bank_file(&fuhe, run, BankFormat::Xlsx, "").await;
        assert_eq!(conflict(r), "payroll.export_again");
        assert_eq!(s.bank_files(&fuhe, run).await.unwrap().len(), 1);
        let xlsx = s
            .export_bank_file(&fuhe, run, BankFormat::Xlsx, "银行退回文件格式,按新模板重新生成")
            .await
            .unwrap();
        assert_eq!(xlsx.record.sha256, domain::sha256_hex(&xlsx.file.bytes));
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.file.bytes.clone()))
                .unwrap();
        let sheet = book.worksheet_range_at(0).unwrap().unwrap();
        assert_eq!(i64::try_from(sheet.height()).unwrap(), xlsx.record.lines + 1);

        let xml = s
            .export_bank_file(&fuhe, run, BankFormat::Pain001, "另报人民银行格式")
            .await
            .unwrap();
        let text = String::from_utf8(xml.file.bytes.clone()).unwrap();
        assert!(text.contains("pain.001.001.09"));
        assert!(text.contains(&format!("<NbOfTxs>{}</NbOfTxs>", xml.record.lines)));
        let files = s.bank_files(&fuhe, run).await.unwrap();
        assert_eq!(files.len(), 3, "{:?}", db.backend());
        assert_eq!(files[1].reason, "银行退回文件格式,按新模板重新生成");
        assert_eq!(audits(db, "payroll.bank_file.export").await, 3);

        let (update, delete) = db.store().try_tamper_bank(true, files[0].id).await;
        assert!(update.is_err() && delete.is_err(), "bank_files must be append-only");
        assert_eq!(s.bank_files(&fuhe, run).await.unwrap(), files);

        // Leaders read but make no bank files.
        let leader = actor(db, "leader").await;
        let r = s.export_bank_file(&leader, run, BankFormat::Csv, "再来").await;
        assert!(matches!(r, Err(Error::Forbidden)), "{r:?}");
    })
    .await;
}

#[tokio::test]
async fn a_result_file_is_reconciled_refused_when_it_disagrees_and_closes_a_clean_run() {
    for_each_engine(async |db| {
        let (jiuzhu, fuhe) = district(db).await;
        let s = &db.service;
        for (i, (case, _)) in dibao_cases(db).await.iter().enumerate() {
            let number = card(&format!("62284800{i:010}"));
            s.set_payee(&jiuzhu, *case, &account("户主", &number, ""))
                .await
                .unwrap();
        }
        let audit = s.audit(&Actor::system(), "settings.set", SETTING_DEBTOR, "", "");
        db.store()
            .set_setting(
                SETTING_DEBTOR,
                r#"{"holder":"某区民政局","bank":"中国农业银行","account":"11223344556677","kind":"book"}"#,
                &audit,
            )
            .await
            .unwrap();
        db.clock.advance(Duration::minutes(5));
        let run = s
            .prepare_payroll(&jiuzhu, "2013-01", Some("dibao"), &mut |_| {})
            .await
            .unwrap()[0];
        db.clock.advance(Duration::minutes(5));
        s.approve_payroll_run(&fuhe, run).await.unwrap();
        let r = s.import_returns(&fuhe, run, b"x").await;
        assert_eq!(conflict(r), "payroll.not_exported");
        s.export_bank_file(&fuhe, run, BankFormat::Csv, "")
            .await
            .unwrap();
        let paid: Vec<(String, i64)> = db
            .store()
            .run_payments(run)
            .await
            .unwrap()
            .iter()
            .filter(|p| p.payee.is_some() && p.amount_fen > 0)
            .map(|p| (format!("R{run}H{}", p.household_id), p.amount_fen))
            .collect();
        assert!(paid.len() > 1);
        let file = |rows: &[(String, i64, &str, &str)]| {
            let mut text = String::from("流水号,金额(分),状态,失败原因\n");
            for (key, fen, status, reason) in rows {
                text.push_str(&format!("{key},{fen},{status},{reason}\n"));
            }
            text.into_bytes()
        };
        let all: Vec<(String, i64, &str, &str)> = paid
            .iter()
            .map(|(k, f)| (k.clone(), *f, "成功", ""))
            .collect();

        // An unknown payment or another amount: refused, nothing stored.
        let mut unknown = all.clone();
        unknown.push(("R999H1".into(), 100, "成功", ""));
        let r = s.import_returns(&fuhe, run, &file(&unknown)).await;
        assert_eq!(invalid(r), ("key", "payroll.returns_unknown"));
        let mut wrong = all.clone();
        wrong[0].1 += 1;
        let r = s.import_returns(&fuhe, run, &file(&wrong)).await;
        assert_eq!(invalid(r), ("amount", "payroll.returns_amount"));
        let r = s.import_returns(&fuhe, run, b"\xff\xfe\x00garbage").await;
        assert!(matches!(r, Err(Error::Invalid(_))), "{r:?}");
        assert_eq!(audits(db, "payroll.returns.import").await, 0);

        // One failure: reported with the bank's reason; the run stays exported.
        let mut one_failed = all.clone();
        one_failed[0].2 = "失败";
        one_failed[0].3 = "账户已销户";
        let rec = s.import_returns(&fuhe, run, &file(&one_failed)).await.unwrap();
        assert_eq!(rec.failed.len(), 1);
        assert_eq!(rec.failed[0].reason, "账户已销户");
        assert_eq!(rec.paid.len(), paid.len() - 1);
        assert_eq!(
            rec.paid_tally.amount.as_fen() + rec.failed_tally.amount.as_fen(),
            rec.expected.amount.as_fen()
        );
        assert_eq!(db.store().payroll_run(run).await.unwrap().state, "exported");

        // Every payment made: the run is reconciled.
        let rec = s.import_returns(&fuhe, run, &file(&all)).await.unwrap();
        assert!(rec.failed.is_empty() && rec.outstanding.is_empty());
        assert_eq!(
            db.store().payroll_run(run).await.unwrap().state,
            "reconciled",
            "{:?}",
            db.backend()
        );
        assert_eq!(audits(db, "payroll.returns.import").await, 2);
    })
    .await;
}

/// A result file: (key, fen, status, reason) per row.
fn returns_file(rows: &[(String, i64, &str, &str)]) -> Vec<u8> {
    let mut text = String::from("流水号,金额(分),状态,失败原因\n");
    for (key, fen, status, reason) in rows {
        text.push_str(&format!("{key},{fen},{status},{reason}\n"));
    }
    text.into_bytes()
}

fn counts(r: &service::bank::reissue::RunReconciliation) -> [(i64, i64); 5] {
    [r.expected, r.paid, r.failed, r.reissued, r.outstanding].map(|c| (c.count, c.fen))
}

fn adds_up(r: &service::bank::reissue::RunReconciliation) {
    let parts = [r.paid, r.failed, r.reissued, r.outstanding];
    assert_eq!(parts.iter().map(|c| c.count).sum::<i64>(), r.expected.count);
    assert_eq!(parts.iter().map(|c| c.fen).sum::<i64>(), r.expected.fen);
}

#[tokio::test]
async fn a_failed_payment_is_reissued_once_per_failure_after_its_account_is_corrected() {
    use service::bank::reissue::{FailedFilter, Outcome, ReissueItem};
    for_each_engine(async |db| {
        let (jiuzhu, fuhe) = district(db).await;
        let s = &db.service;
        let cases = dibao_cases(db).await;
        for (i, (case, _)) in cases.iter().enumerate() {
            let number = card(&format!("62284800{i:010}"));
            s.set_payee(&jiuzhu, *case, &account("户主", &number, ""))
                .await
                .unwrap();
        }
        let audit = s.audit(&Actor::system(), "settings.set", SETTING_DEBTOR, "", "");
        db.store()
            .set_setting(
                SETTING_DEBTOR,
                r#"{"holder":"某区民政局","bank":"中国农业银行","account":"11223344556677","kind":"book"}"#,
                &audit,
            )
            .await
            .unwrap();
        db.clock.advance(Duration::minutes(5));
        let run = s
            .prepare_payroll(&jiuzhu, "2013-01", Some("dibao"), &mut |_| {})
            .await
            .unwrap()[0];
        db.clock.advance(Duration::minutes(5));
        s.approve_payroll_run(&fuhe, run).await.unwrap();
        // Approved, no file yet: everything outstanding.
        let r = s.run_reconciliation(&fuhe, run).await.unwrap();
        assert_eq!(r.outstanding, r.expected);
        s.export_bank_file(&fuhe, run, BankFormat::Csv, "")
            .await
            .unwrap();
        let payments: Vec<(i64, String, i64)> = db
            .store()
            .run_payments(run)
            .await
            .unwrap()
            .iter()
            .filter(|p| p.amount_fen > 0)
            .map(|p| (p.household_id, format!("R{run}H{}", p.household_id), p.amount_fen))
            .collect();
        assert!(payments.len() > 2);
        let (household, key, fen) = payments[0].clone();
        let case = cases.iter().find(|c| c.1 == household).unwrap().0;

        // A refused file names the row and the field; nothing is stored.
        let mut rows: Vec<(String, i64, &str, &str)> = payments
            .iter()
            .map(|(_, k, f)| (k.clone(), *f, "成功", ""))
            .collect();
        rows.push(("R999H1".into(), 100, "成功", ""));
        rows[1].1 += 1;
        match s.import_returns(&fuhe, run, &returns_file(&rows)).await {
            Err(Error::Invalid(errors)) => {
                let last = i64::try_from(rows.len()).unwrap() + 1;
                assert!(errors.iter().any(|e| e.field == "key"
                    && e.code == "payroll.returns_unknown"
                    && e.row == Some(usize::try_from(last).unwrap())));
                assert!(errors.iter().any(|e| e.field == "amount"
                    && e.code == "payroll.returns_amount"
                    && e.row == Some(3)));
            }
            other => panic!("expected row errors, got {other:?}"),
        }
        assert_eq!(audits(db, "payroll.returns.import").await, 0);

        // A third household changes its account after the export: the bank's file still
        // names the account the file paid into, and that is what it is held against.
        let (h2, _, _) = payments[2];
        let i2 = cases.iter().position(|c| c.1 == h2).unwrap();
        let old2 = card(&format!("62284800{i2:010}"));
        db.clock.advance(Duration::minutes(1));
        s.set_payee(
            &jiuzhu,
            cases[i2].0,
            &account("户主", &card("622848007777777777"), "开户行合并,更换账户"),
        )
        .await
        .unwrap();
        // The bank fails the first payment: the account was closed.
        rows.pop();
        rows[1].1 -= 1;
        rows[0].2 = "失败";
        rows[0].3 = "账户已销户";
        let mut text = String::from("流水号,金额(分),状态,失败原因,账号\n");
        for (j, (k, f, st, reason)) in rows.iter().enumerate() {
            let number = if j == 2 { old2.as_str() } else { "" };
            text.push_str(&format!("{k},{f},{st},{reason},{number}\n"));
        }
        s.import_returns(&fuhe, run, text.as_bytes()).await.unwrap();
        let r = s.run_reconciliation(&fuhe, run).await.unwrap();
        adds_up(&r);
        assert_eq!(r.failed.count, 1);
        assert_eq!(r.failed.fen, fen);
        assert_eq!(r.paid.count, r.expected.count - 1);
        let failed = s
            .failed_payments(&fuhe, &FailedFilter::default())
            .await
            .unwrap();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].reason, "账户已销户");
        assert!(!failed[0].corrected);

        // Not before the account is corrected.
        let item = [ReissueItem {
            run_id: run,
            household_id: household,
        }];
        let r = s
            .reissue_payments(&fuhe, &item, BankFormat::Csv, "账户更正后补发")
            .await;
        assert_eq!(conflict(r), "payroll.reissue_not_corrected");
        // A paid payment is never re-issued.
        let paid_item = [ReissueItem {
            run_id: run,
            household_id: payments[1].0,
        }];
        let r = s
            .reissue_payments(&fuhe, &paid_item, BankFormat::Csv, "账户更正后补发")
            .await;
        assert_eq!(conflict(r), "payroll.reissue_not_failed");

        db.clock.advance(Duration::minutes(5));
        let new_card = card("622848009999999999");
        s.set_payee(&jiuzhu, case, &account("户主", &new_card, "原账户已销户,更换新卡"))
            .await
            .unwrap();
        let failed = s
            .failed_payments(&fuhe, &FailedFilter::default())
            .await
            .unwrap();
        assert!(failed[0].corrected);
        let leader = actor(db, "leader").await;
        let r = s
            .reissue_payments(&leader, &item, BankFormat::Csv, "账户更正后补发")
            .await;
        assert!(matches!(r, Err(Error::Forbidden)), "{r:?}");
        let first = s
            .reissue_payments(&fuhe, &item, BankFormat::Csv, "账户更正后补发")
            .await
            .unwrap();
        assert_eq!(first.batch.sha256, domain::sha256_hex(&first.file.bytes));
        assert_eq!(first.batch.total_fen, fen);
        let (text, _, _) = encoding_rs::GBK.decode(&first.file.bytes);
        let key1 = format!("{key}X1");
        assert!(text.contains(&key1) && text.contains(&new_card), "{text}");
        // The same failure is answered once.
        let r = s
            .reissue_payments(&fuhe, &item, BankFormat::Csv, "账户更正后补发")
            .await;
        assert_eq!(conflict(r), "payroll.reissue_not_failed");
        let r = s.run_reconciliation(&fuhe, run).await.unwrap();
        adds_up(&r);
        assert_eq!(r.reissued, service::bank::reissue::Count { count: 1, fen });
        // The run's own result can no longer be replaced.
        let r = s.import_returns(&fuhe, run, &returns_file(&rows)).await;
        assert_eq!(conflict(r), "payroll.returns_reissued");
        // The ledger is untouched: a re-issue is no new entry.
        let entries = db.store().run_payments(run).await.unwrap();
        assert_eq!(
            entries.iter().find(|p| p.household_id == household).unwrap().amount_fen,
            fen
        );

        // The re-issue fails too; corrected again, it is re-issued a second time.
        let batch1 = first.batch.id;
        let r = s
            .import_reissue_returns(&fuhe, batch1, &returns_file(&[(key1.clone(), fen + 1, "成功", "")]))
            .await;
        assert!(matches!(r, Err(Error::Invalid(_))), "{r:?}");
        s.import_reissue_returns(&fuhe, batch1, &returns_file(&[(key1.clone(), fen, "失败", "户名不符")]))
            .await
            .unwrap();
        let failed = s
            .failed_payments(&fuhe, &FailedFilter::default())
            .await
            .unwrap();
        assert_eq!((failed[0].attempts, failed[0].reason.as_str()), (1, "户名不符"));
        assert!(!failed[0].corrected);
        db.clock.advance(Duration::minutes(5));
        s.set_payee(&jiuzhu, case, &account("户主本人", &new_card, "户名按身份证更正"))
            .await
            .unwrap();
        let second = s
            .reissue_payments(&fuhe, &item, BankFormat::Pain001, "户名更正后再次补发")
            .await
            .unwrap();
        let key2 = format!("{key}X2");
        assert!(String::from_utf8(second.file.bytes.clone()).unwrap().contains(&key2));
        // The first batch's result stands now.
        let r = s
            .import_reissue_returns(&fuhe, batch1, &returns_file(&[(key1, fen, "成功", "")]))
            .await;
        assert_eq!(conflict(r), "payroll.returns_reissued");
        assert_eq!(db.store().payroll_run(run).await.unwrap().state, "exported");
        s.import_reissue_returns(&fuhe, second.batch.id, &returns_file(&[(key2, fen, "成功", "")]))
            .await
            .unwrap();
        let r = s.run_reconciliation(&fuhe, run).await.unwrap();
        adds_up(&r);
        assert_eq!(r.paid, r.expected, "{:?}", counts(&r));
        assert!(r.payments.iter().all(|p| p.outcome == Outcome::Paid));
        assert_eq!(db.store().payroll_run(run).await.unwrap().state, "reconciled");
        assert!(s.failed_payments(&fuhe, &FailedFilter::default()).await.unwrap().is_empty());
        assert_eq!(audits(db, "payroll.reissue.export").await, 2);
        assert_eq!(audits(db, "payroll.reissue.returns").await, 2);
        assert_eq!(s.reissue_batches(&fuhe).await.unwrap().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn bank_settings_are_checked_field_by_field_audited_and_used_by_the_next_file() {
    use service::bank::BankSettingsInput;
    for_each_engine(async |db| {
        let (jiuzhu, fuhe) = district(db).await;
        let s = &db.service;
        let defaults = s.bank_settings(&fuhe).await.unwrap();
        assert_eq!(
            (
                defaults.format.as_str(),
                defaults.encoding.as_str(),
                defaults.header_row
            ),
            ("csv", "gbk", true)
        );
        assert!(defaults.debtor_account.is_empty());
        let good = BankSettingsInput {
            debtor_holder: "某区民政局".into(),
            debtor_bank: "中国农业银行和平支行".into(),
            debtor_bank_code: "103100000026".into(),
            debtor_account: "11223344556677".into(),
            debtor_kind: "book".into(),
            format: "csv".into(),
            encoding: "utf8".into(),
            header_row: false,
            amount: "fen".into(),
            columns: "key, name,account,amount".into(),
        };
        let bad = BankSettingsInput {
            debtor_account: card("62284800000000001").replace('0', "1"),
            debtor_kind: "card".into(),
            encoding: "big5".into(),
            columns: "key,phone".into(),
            ..good.clone()
        };
        match s.set_bank_settings(&fuhe, &bad).await {
            Err(Error::Invalid(errors)) => {
                let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
                assert!(fields.contains(&"debtor_account"), "{errors:?}");
                assert!(fields.contains(&"encoding"), "{errors:?}");
                assert!(fields.contains(&"columns"), "{errors:?}");
            }
            other => panic!("expected field errors, got {other:?}"),
        }
        let no_columns = BankSettingsInput {
            columns: " ".into(),
            ..good.clone()
        };
        assert_eq!(
            invalid(s.set_bank_settings(&fuhe, &no_columns).await),
            ("columns", "bank_template.no_columns")
        );
        assert_eq!(audits(db, "payroll.setting").await, 0);
        let leader = actor(db, "leader").await;
        let r = s.set_bank_settings(&leader, &good).await;
        assert!(matches!(r, Err(Error::Forbidden)), "{r:?}");

        s.set_bank_settings(&fuhe, &good).await.unwrap();
        assert_eq!(audits(db, "payroll.setting").await, 2);
        let read = s.bank_settings(&fuhe).await.unwrap();
        assert_eq!(read.columns, "key,name,account,amount");
        assert_eq!(
            (read.encoding.as_str(), read.amount.as_str()),
            ("utf8", "fen")
        );
        // Saving the same again changes nothing and logs nothing.
        s.set_bank_settings(&fuhe, &good).await.unwrap();
        assert_eq!(audits(db, "payroll.setting").await, 2);

        // The next bank file follows them: UTF-8, no header, fen, four columns.
        let cases = dibao_cases(db).await;
        for (i, (case, _)) in cases.iter().enumerate() {
            let number = card(&format!("62284800{i:010}"));
            s.set_payee(&jiuzhu, *case, &account("户主", &number, ""))
                .await
                .unwrap();
        }
        db.clock.advance(Duration::minutes(5));
        let run = s
            .prepare_payroll(&jiuzhu, "2013-01", Some("dibao"), &mut |_| {})
            .await
            .unwrap()[0];
        db.clock.advance(Duration::minutes(5));
        s.approve_payroll_run(&fuhe, run).await.unwrap();
        let export = s
            .export_bank_file(&fuhe, run, BankFormat::Csv, "")
            .await
            .unwrap();
        let text = String::from_utf8(export.file.bytes.clone()).unwrap();
        let first = text.lines().next().unwrap();
        let cells: Vec<&str> = first.split(',').collect();
        assert_eq!(cells.len(), 4, "{first}");
        assert!(cells[0].starts_with(&format!("R{run}H")), "{first}");
        assert!(cells[3].parse::<i64>().unwrap() > 0, "{first}");
        let xml = s
            .export_bank_file(&fuhe, run, BankFormat::Pain001, "另报人民银行格式")
            .await
            .unwrap();
        assert!(
            String::from_utf8(xml.file.bytes)
                .unwrap()
                .contains("11223344556677")
        );
    })
    .await;
}
