//! The veterans' programmes through the one payroll, on SQLite and PostgreSQL: 优抚金 runs
//! computed with `monthly_due` (one line per household, the sum of its entitlements),
//! maker–checker approval by the veterans section only, the bank file, the result file and
//! reconciliation; arrears from a standard raised with an earlier effective date, to the
//! fen; a missing standard stopping the run with its reason; and the holiday payment
//! (优待金): entitled households on a day, amounts by category, coverage, never twice.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a line number"
)]

use chrono::Duration;
use service::bank::{BankFormat, PayeeInput, SETTING_DEBTOR};
use service::veterans::payroll::HolidayInput;
use service::veterans::{EntitlementInput, StandardInput, StatusInput};
use service::{Actor, Error};
use testkit::{TestDb, for_each_engine};

mod common;

use common::*;

fn card(payload: &str) -> String {
    format!(
        "{payload}{}",
        domain::bank::luhn_check_digit(payload).unwrap()
    )
}

fn account(holder: &str, number: &str) -> PayeeInput {
    PayeeInput {
        holder: holder.into(),
        bank_name: "中国农业银行和平支行".into(),
        bank_code: "103100000026".into(),
        account_number: number.into(),
        account_kind: String::new(),
        reason: String::new(),
    }
}

fn entitlement(name: &str, id_number: &str, category: &str, certified: &str) -> EntitlementInput {
    EntitlementInput {
        id_number: id_number.into(),
        name: name.into(),
        category: category.into(),
        grade: String::new(),
        cause: String::new(),
        service_years: String::new(),
        certified_on: certified.into(),
        document_number: format!("优字 {category} 号"),
        certifying_office: "示范区民政局".into(),
        community: HEPING.into(),
        address: "和平路 9 号".into(),
        area: String::new(),
    }
}

fn standard(
    category: &str,
    grade: &str,
    cause: &str,
    from: &str,
    amount: &str,
    per: &str,
) -> StandardInput {
    StandardInput {
        category: category.into(),
        grade: grade.into(),
        cause: cause.into(),
        effective_from: from.into(),
        amount: amount.into(),
        per: per.into(),
        citation: "民发〔2012〕200号".into(),
    }
}

fn conflict<T: std::fmt::Debug>(r: Result<T, Error>) -> &'static str {
    match r {
        Err(Error::Conflict { code, .. }) => code,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

fn invalid<T: std::fmt::Debug>(r: Result<T, Error>) -> (&'static str, &'static str, String) {
    match r {
        Err(Error::Invalid(e)) => (e[0].field, e[0].code, e[0].detail.clone()),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

/// The demo district's accounts, a second veterans account to approve, the bureau's
/// account for bank files, and the standards in force before 2013.
async fn section(db: &TestDb) -> (Actor, Actor, Actor) {
    demo_db(db).await;
    on(db, "2012-12-01");
    let youfu = actor(db, "youfu").await;
    let checker = quick(db, "youfu2", "veterans_staff", testkit::demo::COUNTY).await;
    let s = &db.service;
    for st in [
        standard("51", "", "", "2012-10-01", "380", "month"),
        standard("11", "4", "war", "2012-10-01", "24000", "year"),
    ] {
        s.set_veteran_standard(&youfu, &st).await.unwrap();
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
    (youfu, checker, actor(db, "jiuzhu").await)
}

/// Prepares `month`'s veterans run as `maker` and approves it as `checker`.
async fn pay(db: &TestDb, maker: &Actor, checker: &Actor, month: &str) -> i64 {
    let run = db
        .service
        .prepare_payroll(maker, month, Some("veterans"), &mut |_| {})
        .await
        .unwrap()[0];
    db.clock.advance(Duration::minutes(5));
    db.service.approve_payroll_run(checker, run).await.unwrap();
    run
}

/// Exports run `run` as a CSV bank file and imports a result file reporting every payment
/// made; returns the payments (key, fen) the file carried.
async fn export_and_reconcile(db: &TestDb, checker: &Actor, run: i64) -> Vec<(String, i64)> {
    let s = &db.service;
    let export = s
        .export_bank_file(checker, run, BankFormat::Csv, "")
        .await
        .unwrap();
    let text = domain::text::decode_utf8_or_gbk(&export.file.bytes).unwrap();
    let paid: Vec<(String, i64)> = db
        .store()
        .run_payments(run)
        .await
        .unwrap()
        .iter()
        .filter(|p| p.payee.is_some() && p.amount_fen > 0)
        .map(|p| (format!("R{run}H{}", p.household_id), p.amount_fen))
        .collect();
    for (key, _) in &paid {
        assert!(text.contains(key.as_str()), "{key} in {text}");
    }
    assert_eq!(export.record.lines, i64::try_from(paid.len()).unwrap());
    let mut returns = String::from("流水号,金额(分),状态,失败原因\n");
    for (key, fen) in &paid {
        returns.push_str(&format!("{key},{fen},成功,\n"));
    }
    let rec = s
        .import_returns(checker, run, returns.as_bytes())
        .await
        .unwrap();
    assert!(rec.failed.is_empty() && rec.outstanding.is_empty());
    assert_eq!(
        db.store().payroll_run(run).await.unwrap().state,
        "reconciled"
    );
    paid
}

#[tokio::test]
async fn veterans_are_paid_through_the_payroll_and_a_back_dated_standard_pays_arrears() {
    for_each_engine(async |db| {
        let (youfu, checker, jiuzhu) = section(db).await;
        let s = &db.service;
        // 钱卫国 holds two categories in one household; 孙建军 one.
        let qian = id("1946-05-20", 511);
        let a = s
            .register_entitlement(&youfu, &entitlement("钱卫国", &qian, "51", "2012-11-20"))
            .await
            .unwrap();
        s.register_entitlement(
            &youfu,
            &EntitlementInput {
                grade: "4".into(),
                cause: "war".into(),
                ..entitlement("钱卫国", &qian, "11", "2012-11-20")
            },
        )
        .await
        .unwrap();
        let b = s
            .register_entitlement(
                &youfu,
                &entitlement("孙建军", &id("1947-11-02", 512), "51", "2012-12-01"),
            )
            .await
            .unwrap();
        for (e, payload) in [(a, "622848001000000001"), (b, "622848001000000002")] {
            s.set_entitlement_payee(&youfu, e, &account("户主", &card(payload)))
                .await
                .unwrap();
        }
        let qian_household = db.store().entitlement(a).await.unwrap().household_id;

        // The assistance section may neither prepare nor approve the veterans' runs.
        on(db, "2013-01-10");
        let r = s
            .prepare_payroll(&jiuzhu, "2013-01", Some("veterans"), &mut |_| {})
            .await;
        assert!(matches!(r, Err(Error::Forbidden)), "{r:?}");
        // Every programme due, as the assistance section: the veterans' are not its own.
        let r = s
            .prepare_payroll(&jiuzhu, "2013-01", None, &mut |_| {})
            .await;
        assert!(r.is_err() || r.as_ref().unwrap().is_empty(), "{r:?}");
        let jan = s
            .prepare_payroll(&youfu, "2013-01", None, &mut |_| {})
            .await
            .unwrap();
        assert_eq!(jan.len(), 1);
        let jan = jan[0];
        let view = s.payroll_run(&youfu, jan).await.unwrap();
        assert_eq!(view.program.as_str(), "veterans");
        // 380 + 24000 / 12 for 钱卫国, 380 for 孙建军.
        assert_eq!(view.summary.households, 2);
        assert_eq!(view.summary.total_fen, 238_000 + 38_000);
        let (lines, _) = s
            .payroll_run_lines(&youfu, jan, store::LineSelection::All, 100, 0)
            .await
            .unwrap();
        let qian_line = lines
            .iter()
            .find(|l| l.household_id == qian_household)
            .unwrap();
        assert_eq!(
            (qian_line.case_id, qian_line.amount_fen, qian_line.members),
            (None, 238_000, 2)
        );
        assert_eq!(qian_line.head_name, "钱卫国");
        db.clock.advance(Duration::minutes(5));
        assert!(matches!(
            s.approve_payroll_run(&jiuzhu, jan).await,
            Err(Error::Forbidden)
        ));
        assert_eq!(
            conflict(s.approve_payroll_run(&youfu, jan).await),
            "payroll.maker_checker"
        );
        assert!(!s.payroll_run(&jiuzhu, jan).await.unwrap().may_approve);
        assert!(s.payroll_run(&checker, jan).await.unwrap().may_approve);
        assert_eq!(s.approve_payroll_run(&checker, jan).await.unwrap(), 2);
        // Nor may the assistance section export the veterans' bank file.
        assert!(matches!(
            s.export_bank_file(&jiuzhu, jan, BankFormat::Csv, "").await,
            Err(Error::Forbidden)
        ));
        let paid = export_and_reconcile(db, &checker, jan).await;
        assert_eq!(paid.iter().map(|(_, f)| f).sum::<i64>(), 276_000);
        // pain.001 of the same run, with its reason: every payment once, the same total.
        let xml = s
            .export_bank_file(&checker, jan, BankFormat::Pain001, "另报人民银行格式")
            .await
            .unwrap();
        let xml = String::from_utf8(xml.file.bytes).unwrap();
        assert_eq!(xml.matches("<EndToEndId>").count(), 2);
        assert!(xml.contains("<CtrlSum>2760.00</CtrlSum>"), "{xml}");

        on(db, "2013-02-10");
        pay(db, &youfu, &checker, "2013-02").await;
        on(db, "2013-03-10");
        pay(db, &youfu, &checker, "2013-03").await;

        // Raised in March, effective 2013-01-01: 420 a month and 26400 a year.
        on(db, "2013-03-25");
        for st in [
            standard("51", "", "", "2013-01-01", "420", "month"),
            standard("11", "4", "war", "2013-01-01", "26400", "year"),
        ] {
            s.set_veteran_standard(&youfu, &st).await.unwrap();
        }
        on(db, "2013-04-10");
        let apr = pay(db, &youfu, &checker, "2013-04").await;
        let (lines, _) = s
            .payroll_run_lines(&youfu, apr, store::LineSelection::All, 100, 0)
            .await
            .unwrap();
        let of = |household: i64, kind: &str| -> Vec<(String, i64)> {
            lines
                .iter()
                .filter(|l| l.household_id == household && l.kind == kind)
                .map(|l| (l.benefit_month.clone(), l.amount_fen))
                .collect()
        };
        assert_eq!(of(qian_household, "regular"), [("2013-04".into(), 262_000)]);
        // (420 − 380) + (26400 − 24000) / 12 = 240 yuan for each of January to March.
        assert_eq!(
            of(qian_household, "arrears"),
            [
                ("2013-01".to_owned(), 24_000),
                ("2013-02".to_owned(), 24_000),
                ("2013-03".to_owned(), 24_000)
            ]
        );
        let sun = db.store().entitlement(b).await.unwrap().household_id;
        assert_eq!(of(sun, "arrears").len(), 3);
        assert!(of(sun, "arrears").iter().all(|(_, f)| *f == 4_000));
        let (entries, _, sum) = s
            .ledger(
                &checker,
                store::LedgerFilter {
                    program: Some("veterans".into()),
                    paid_in: Some("2013-04".into()),
                    kind: Some("arrears".into()),
                    ..store::LedgerFilter::default()
                },
                100,
                0,
            )
            .await
            .unwrap();
        assert_eq!((entries.len(), sum.as_fen()), (6, 3 * 28_000));
        // May pays no arrears again: nothing changed since April's cut-off.
        on(db, "2013-05-10");
        let may = pay(db, &youfu, &checker, "2013-05").await;
        let v = s.payroll_run(&youfu, may).await.unwrap();
        assert_eq!(
            (v.summary.arrears_fen, v.summary.total_fen),
            (0, 262_000 + 42_000)
        );

        // A category without a standard stops the run with its name; nothing is paid.
        on(db, "2013-05-20");
        s.register_entitlement(
            &youfu,
            &entitlement("冯秀兰", &id("1940-08-08", 524), "21", "2013-05-15"),
        )
        .await
        .unwrap();
        on(db, "2013-06-10");
        let r = s
            .prepare_payroll(&youfu, "2013-06", Some("veterans"), &mut |_| {})
            .await;
        let (field, code, detail) = invalid(r);
        assert_eq!((field, code), ("standard", "payroll.veterans_no_standard"));
        assert!(
            detail.contains("烈士遗属") && detail.contains("21"),
            "{detail}"
        );
        let june = db
            .store()
            .payroll_runs(Some("2013-06"), Some("veterans"))
            .await
            .unwrap();
        assert_eq!((june.len(), june[0].state.as_str()), (1, "draft"));
        // Once the standard is entered the same run resumes and pays it from May.
        s.set_veteran_standard(
            &youfu,
            &standard("21", "", "", "2013-01-01", "1200", "month"),
        )
        .await
        .unwrap();
        let ids = s
            .prepare_payroll(&youfu, "2013-06", Some("veterans"), &mut |_| {})
            .await
            .unwrap();
        assert_eq!(ids, [june[0].id]);
        let v = s.payroll_run(&youfu, june[0].id).await.unwrap();
        assert_eq!(v.summary.regular_fen, 262_000 + 42_000 + 120_000);
        // May was approved before the entitlement was registered: its month is owed.
        assert_eq!(v.summary.arrears_fen, 120_000);

        // The ledger is still append-only after the rebuild of migration 0016.
        let (entries, _, _) = s
            .ledger(&checker, store::LedgerFilter::default(), 1, 0)
            .await
            .unwrap();
        let (update, delete) = db.store().try_tamper_ledger(entries[0].id).await;
        assert!(update.is_err() && delete.is_err());
    })
    .await;
}

#[tokio::test]
async fn the_holiday_payment_pays_each_entitled_household_once_and_shows_its_coverage() {
    for_each_engine(async |db| {
        let (youfu, checker, jiuzhu) = section(db).await;
        let s = &db.service;
        let qian = id("1946-05-20", 511);
        let a = s
            .register_entitlement(&youfu, &entitlement("钱卫国", &qian, "51", "2012-11-20"))
            .await
            .unwrap();
        s.register_entitlement(
            &youfu,
            &EntitlementInput {
                grade: "4".into(),
                cause: "war".into(),
                ..entitlement("钱卫国", &qian, "11", "2012-11-20")
            },
        )
        .await
        .unwrap();
        let b = s
            .register_entitlement(
                &youfu,
                &entitlement("孙建军", &id("1947-11-02", 512), "51", "2012-12-01"),
            )
            .await
            .unwrap();
        // Suspended before the day: not entitled (nor, below, one certified after it).
        let c = s
            .register_entitlement(
                &youfu,
                &entitlement("吴有福", &id("1949-01-30", 513), "51", "2012-11-20"),
            )
            .await
            .unwrap();
        on(db, "2013-01-05");
        s.change_entitlement_status(
            &youfu,
            c,
            &StatusInput {
                status: "suspended".into(),
                effective_on: "2013-01-15".into(),
                reason: "服刑期间中止".into(),
                version: 1,
            },
        )
        .await
        .unwrap();
        s.set_entitlement_payee(&youfu, a, &account("钱卫国", &card("622848001000000011")))
            .await
            .unwrap();
        s.set_entitlement_payee(&youfu, b, &account("孙建军", &card("622848001000000012")))
            .await
            .unwrap();

        let input = HolidayInput {
            name: "2013年春节优待金".into(),
            entitled_on: "2013-02-01".into(),
            month: "2013-02".into(),
            amounts: vec![
                ("51".into(), "800".into()),
                ("11".into(), "1000".into()),
                ("81".into(), "300".into()),
                ("21".into(), String::new()),
            ],
        };
        // Refusals: the assistance section; an unknown category; a bad amount.
        assert!(matches!(
            s.define_holiday(&jiuzhu, &input).await,
            Err(Error::Forbidden)
        ));
        let mut bad = input.clone();
        bad.amounts.push(("99".into(), "100".into()));
        assert_eq!(
            invalid(s.define_holiday(&youfu, &bad).await).1,
            "veterans.category"
        );
        let mut bad = input.clone();
        bad.amounts[0].1 = "八百".into();
        let (field, _, _) = invalid(s.define_holiday(&youfu, &bad).await);
        assert_eq!(field, "amount");
        assert!(s.holidays(&youfu).await.unwrap().is_empty());
        let holiday = s.define_holiday(&youfu, &input).await.unwrap();
        assert_eq!(
            invalid(s.define_holiday(&youfu, &input).await).1,
            "veterans.holiday_name_taken"
        );
        let before = s.holiday(&youfu, holiday).await.unwrap();
        assert_eq!(
            (before.entitled, before.paid, before.coverage()),
            (2, 0, "0%".into())
        );
        // The report's coverage (V2) counts the same households as of its cut-off.
        let leader = actor(db, "leader").await;
        let coverage = async || {
            let r = s
                .generate_report(&leader, "2013-01-01", "2013-06-30", None)
                .await
                .unwrap();
            let (rows, shown) =
                all_records(db, &leader, r.id, "veterans.holiday_coverage", 1).await;
            let figure = r.figure("veterans.holiday_coverage").unwrap();
            assert_eq!(shown, figure.value);
            let paid = rows.iter().filter(|r| r.amount_fen > 0).count();
            (figure.text(), rows.len() as i64, paid)
        };
        assert_eq!(coverage().await, ("0".into(), 2, 0));
        let early = s
            .generate_report(&leader, "2013-01-01", "2013-06-30", None)
            .await
            .unwrap();
        db.clock.advance(Duration::minutes(1));

        on(db, "2013-02-04");
        assert!(matches!(
            s.prepare_holiday_run(&jiuzhu, holiday).await,
            Err(Error::Forbidden)
        ));
        let run = s.prepare_holiday_run(&youfu, holiday).await.unwrap();
        let v = s.payroll_run(&youfu, run).await.unwrap();
        assert_eq!(v.program.as_str(), "veterans_holiday");
        // The larger of 钱卫国's two categories (1000), and 800.
        assert_eq!((v.summary.households, v.summary.total_fen), (2, 180_000));
        assert_eq!(
            conflict(s.prepare_holiday_run(&youfu, holiday).await),
            "veterans.holiday_run_exists"
        );
        db.clock.advance(Duration::minutes(5));
        assert!(matches!(
            s.approve_payroll_run(&jiuzhu, run).await,
            Err(Error::Forbidden)
        ));
        assert_eq!(s.approve_payroll_run(&checker, run).await.unwrap(), 2);
        let (entries, _, _) = s
            .ledger(
                &checker,
                store::LedgerFilter {
                    program: Some("veterans_holiday".into()),
                    ..store::LedgerFilter::default()
                },
                100,
                0,
            )
            .await
            .unwrap();
        assert!(
            entries.iter().all(|e| e.kind == "one_off"
                && e.reason == "2013年春节优待金"
                && e.case_id.is_none())
        );
        on(db, "2013-02-06");
        s.register_entitlement(
            &youfu,
            &entitlement("李核平", &id("1944-02-14", 514), "51", "2013-02-05"),
        )
        .await
        .unwrap();
        let after = s.holiday(&youfu, holiday).await.unwrap();
        assert_eq!(
            (after.entitled, after.paid, after.paid_fen, after.coverage()),
            (2, 2, 180_000, "100%".into())
        );
        // Within a jurisdiction without veterans: nobody entitled, nothing paid.
        let street = quick(db, "xicheng", "street_officer", "990101002000").await;
        let theirs = s.holiday(&street, holiday).await.unwrap();
        assert_eq!((theirs.entitled, theirs.paid), (0, 0));

        export_and_reconcile(db, &checker, run).await;

        // The database refuses a second payment of the holiday to a household, even as a
        // correction entry carrying the holiday's reason; nothing is written.
        let r = s
            .correct_ledger_entry(
                &checker,
                entries[0].id,
                "2013-03",
                Some(domain::Fen::from_fen(90_000)),
                "2013年春节优待金",
            )
            .await;
        assert!(r.is_err(), "{r:?}");
        let (again, _, _) = s
            .ledger(&checker, store::LedgerFilter::default(), 100, 0)
            .await
            .unwrap();
        assert_eq!(again.len(), entries.len());
        assert_eq!(coverage().await, ("100".into(), 2, 2));

        // A payment reversed (the money came back) leaves its household unpaid: 1 of 2.
        s.correct_ledger_entry(&checker, entries[0].id, "2013-03", None, "账户销户退回")
            .await
            .unwrap();
        assert_eq!(coverage().await, ("50".into(), 2, 1));
        assert_eq!(s.holiday(&youfu, holiday).await.unwrap().coverage(), "50%");
        // A correction to a new amount (a reversal and a replacement with the correction's
        // reason) still pays its household; the households paid count households, not
        // entries.
        s.correct_ledger_entry(
            &checker,
            entries[1].id,
            "2013-03",
            Some(domain::Fen::from_fen(90_000)),
            "金额更正",
        )
        .await
        .unwrap();
        assert_eq!(coverage().await, ("50".into(), 2, 1));
        let now = s
            .generate_report(&leader, "2013-01-01", "2013-06-30", None)
            .await
            .unwrap();
        let fig = |code: &str| now.figure(code).unwrap().value;
        assert_eq!(fig("veterans.holiday_households"), 1);
        let page = s.holiday(&youfu, holiday).await.unwrap();
        assert_eq!((page.paid, page.coverage()), (1, "50%".into()));
        // The report made before the run is reproduced as it was: nothing paid then.
        let again = s.reproduce_report(&leader, early.id).await.unwrap();
        assert_eq!((&again.hash, &again.content), (&early.hash, &early.content));
        assert_eq!(again.figure("veterans.holiday_coverage").unwrap().value, 0);
        // A street with no entitled household: no record, a rate of 0, no division.
        let west = s
            .generate_report(&leader, "2013-01-01", "2013-06-30", Some("990101002000"))
            .await
            .unwrap();
        let (rows, shown) = all_records(db, &leader, west.id, "veterans.holiday_coverage", 1).await;
        assert_eq!((rows.len(), shown), (0, 0));
        assert!(
            now.figure("veterans.holiday_coverage")
                .unwrap()
                .by_street
                .iter()
                .all(|(code, name, _)| code != "990101002" && !name.is_empty())
        );
    })
    .await;
}
