//! The demo district (issue 6 item 6, issue 5 "done when"): built through the real services,
//! its January–June 2013 report shows exactly the seed figures A1, A2, A3, A7 and A8 of
//! `seed-figures.md`, computed from the records, and its six monthly payrolls are approved
//! by a second person, exported to the bank and reconciled with the bank's result files;
//! the veterans are paid through the same payroll and the Spring Festival holiday payment
//! gives V2.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a line number"
)]

mod common;

use common::*;
use testkit::{TestDb, for_each_engine};

#[tokio::test]
async fn the_demo_district_reproduces_the_seed_figures_from_its_records() {
    for_each_engine(async |db: &TestDb| {
        #[allow(
            clippy::disallowed_methods,
            reason = "timing the build, not business time"
        )]
        let started = std::time::Instant::now();
        testkit::demo::build_full(&db.service, &db.clock)
            .await
            .unwrap();
        eprintln!(
            "demo built on {} in {:.1} s",
            db.backend().as_str(),
            started.elapsed().as_secs_f64()
        );
        assert_eq!(db.service.now(), testkit::default_time());
        let s = &db.service;
        let leader = actor(db, "leader").await;
        let report = s
            .generate_report(&leader, "2013-01-01", "2013-06-30", None)
            .await
            .unwrap();
        let fig = |code: &str| report.figure(code).unwrap().value;
        let engine = db.backend().as_str();
        let seed = [
            // A1
            ("dibao.households", 5088),
            ("dibao.persons", 14_023),
            // A2: 1117.5178万元
            ("dibao.paid", 1_117_517_800),
            // A3
            ("dibao.standard_urban", 38_500),
            ("dibao.standard_rural", 38_500),
            // A7: 554.82万元
            ("tekun_rural.persons", 1300),
            ("tekun_rural.paid", 554_820_000),
            ("tekun_rural.standard", 70_000),
            // A8: 17.28万元
            ("tekun_urban.persons", 26),
            ("tekun_urban.paid", 17_280_000),
            ("tekun_urban.standard", 120_000),
        ];
        for (code, value) in seed {
            assert_eq!(fig(code), value, "{code} on {engine}");
        }
        // V9: the source gives no numbers; the figures are what the demo recorded.
        for (code, value) in testkit::veterans::liaison::FIGURES {
            assert_eq!(fig(code), *value, "{code} on {engine}");
        }
        assert_eq!(report.figure("dibao.paid").unwrap().text(), "1117.5178");
        let text = report.narrative().join("");
        assert!(
            text.contains(
                "截止6月份,我区纳入低保救济的对象有5088户14023人,上半年共发放低保金1117.5178万元"
            ),
            "{text}"
        );

        // The money is the ledger's: the same sums over the entries themselves.
        let ledger = s.store().ledger_all().await.unwrap();
        let sum = |program: &[&str]| -> i64 {
            ledger
                .iter()
                .filter(|e| program.contains(&e.program.as_str()))
                .map(|e| e.amount_fen)
                .sum()
        };
        assert_eq!(sum(&["dibao"]), 1_117_517_800);
        assert_eq!(
            sum(&["tekun_dispersed", "tekun_centralized"]),
            554_820_000 + 17_280_000
        );

        // Six months × three programmes, each prepared by jiuzhu, approved by jiuzhu2,
        // exported once and reconciled with the bank's file.
        let runs = s.payroll_runs(&leader, None).await.unwrap();
        let (veterans, runs): (Vec<_>, Vec<_>) = runs
            .into_iter()
            .partition(|r| r.program.starts_with("veterans"));
        assert_eq!(runs.len(), 18, "{engine}");
        for r in &runs {
            assert_eq!(r.state, "reconciled", "{} {}", r.month, r.program);
            assert_eq!(r.prepared_by, "jiuzhu");
            assert_eq!(r.approved_by.as_deref(), Some("jiuzhu2"));
            let files = s.bank_files(&leader, r.id).await.unwrap();
            assert_eq!(files.len(), 1, "{} {}", r.month, r.program);
            assert_eq!(files[0].total_fen, r.total_fen, "{} {}", r.month, r.program);
        }

        // V2: the veterans' six regular runs and the Spring Festival holiday run, prepared by
        // youfu and approved by youfu2; 615 households, 462.465万元, coverage 100 %.
        assert_eq!(veterans.len(), 7, "{engine}");
        for r in &veterans {
            assert_eq!(
                (
                    r.prepared_by.as_str(),
                    r.approved_by.as_deref(),
                    r.state.as_str()
                ),
                ("youfu", Some("youfu2"), "approved")
            );
        }
        assert_eq!(fig("veterans.holiday_households"), 615, "{engine}");
        assert_eq!(fig("veterans.holiday_paid"), 462_465_000, "{engine}");
        assert_eq!(
            report.figure("veterans.holiday_paid").unwrap().text(),
            "462.4650"
        );
        assert_eq!(sum(&["veterans_holiday"]), 462_465_000);
        // The rows the report reads are those of the records: the imported roster, the
        // applications approved, the changes, every payroll and correction.
        assert_eq!(
            db.store().report_caseload_drift().await.unwrap(),
            0,
            "{engine}"
        );
        assert_eq!(
            db.store().ledger_totals_drift().await.unwrap(),
            0,
            "{engine}"
        );
        let youfu = actor(db, "youfu").await;
        let holidays = s.holidays(&youfu).await.unwrap();
        assert_eq!(holidays.len(), 1);
        let h = &holidays[0];
        assert_eq!(
            (h.entitled, h.paid, h.paid_fen, h.coverage()),
            (615, 615, 462_465_000, "100%".to_owned()),
            "{engine}"
        );

        // Applications went through the workflow and changes through the change service.
        assert!(audit_of(db, "assistance.import").await.len() == 1);
        let steps = audit_of(db, "assistance.step").await;
        assert!(steps.len() >= 100, "{} workflow steps", steps.len());
        let changes = audit_of(db, "assistance.change").await;
        assert!(changes.len() >= 100, "{} changes", changes.len());
    })
    .await;
}
