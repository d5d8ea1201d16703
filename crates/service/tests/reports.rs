//! Reports on both engines, over the full demo district (roster imported, six months of
//! payroll approved): every indicator's drill-down adds up to its figure, the figures
//! agree with the ledger and with their street breakdown, a stored report is reproduced
//! with the same hash after new data, and bad input is refused.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a line number"
)]

mod common;

use chrono::Duration;
use common::*;
use domain::reports::{INDICATORS, Kind};
use service::Error;
use service::assistance::{ChangeInput, ChangeKind};
use testkit::{TestDb, for_each_engine};

fn invalid_code(result: Result<impl std::fmt::Debug, Error>) -> &'static str {
    match result {
        Err(Error::Invalid(errors)) => errors[0].code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn full(db: &TestDb) {
    testkit::demo::build_full(&db.service, &db.clock)
        .await
        .unwrap();
    db.clock.advance(Duration::minutes(5));
}

#[tokio::test]
async fn every_figure_is_the_sum_of_its_records_and_of_its_streets() {
    for_each_engine(async |db: &TestDb| {
        full(db).await;
        let s = &db.service;
        let leader = actor(db, "leader").await;
        let report = s
            .generate_report(&leader, "2013-01-01", "2013-06-30", None)
            .await
            .unwrap();
        let fig = |code: &str| report.figure(code).unwrap().value;
        assert!(fig("dibao.households") > 100, "{}", report.content);
        assert!(fig("dibao.persons") > fig("dibao.households"));
        assert!(fig("tekun_rural.persons") > 0 && fig("tekun_urban.persons") > 0);
        assert_eq!(fig("dibao.standard_urban"), 38_500);
        assert_eq!(fig("dibao.standard_rural"), 38_500);
        assert_eq!(fig("tekun_rural.standard"), 70_000);
        assert_eq!(fig("tekun_urban.standard"), 120_000);
        for (code, value) in testkit::veterans::FIGURES
            .iter()
            .chain(testkit::veterans::liaison::FIGURES)
        {
            assert_eq!(fig(code), *value, "{code}");
        }

        // The money figures against the ledger itself, summed here independently.
        let ledger = s.store().ledger_all().await.unwrap();
        let paid = |programs: &[&str]| -> i64 {
            ledger
                .iter()
                .filter(|e| programs.contains(&e.program.as_str()))
                .filter(|e| ("2013-01".."2013-07").contains(&e.paid_in.as_str()))
                .map(|e| e.amount_fen)
                .sum()
        };
        assert!(fig("dibao.paid") > 0);
        assert_eq!(fig("dibao.paid"), paid(&["dibao"]));
        assert_eq!(
            fig("tekun_rural.paid") + fig("tekun_urban.paid"),
            paid(&["tekun_dispersed", "tekun_centralized"])
        );

        for ind in INDICATORS {
            let figure = report.figure(ind.code).unwrap();
            let (rows, shown) = all_records(db, &leader, report.id, ind.code, 1000).await;
            let count = rows.len() as i64;
            let expected = testkit::drilled_value(ind, &rows);
            assert_eq!(
                figure.value,
                expected,
                "{} on {}",
                ind.code,
                db.backend().as_str()
            );
            assert_eq!(shown, figure.value, "{} as stored", ind.code);
            assert!(count > 0, "{} has no records", ind.code);
            if !figure.by_street.is_empty() && ind.kind != Kind::Rate {
                let streets: i64 = figure.by_street.iter().map(|(_, _, v)| v).sum();
                assert_eq!(streets, figure.value, "{} by street", ind.code);
                assert!(figure.by_street.iter().all(|(_, name, _)| !name.is_empty()));
            }
            // Personal data leaves masked.
            assert!(
                rows.iter()
                    .all(|r| r.id_number.is_empty() || r.id_number.contains("**********"))
            );
        }

        // The export is every record, not a page (5088 households, masked), audited once.
        let exported = s
            .export_report_records(&leader, report.id, "dibao.households")
            .await
            .unwrap();
        assert_eq!(exported.records.len() as i64, fig("dibao.households"));
        assert!(exported.next.is_none());
        assert_eq!(audit_of(db, "reports.records.export").await.len(), 1);

        // Small pages cut households of several members in two: page after page, they
        // give the same records in the same order as one page.
        for code in ["dibao.persons", "dibao.households", "dibao.paid"] {
            let (mut pages, mut after) = (Vec::new(), String::new());
            for _ in 0..3 {
                let page = s
                    .report_records(&leader, report.id, code, 7, &after)
                    .await
                    .unwrap();
                assert_eq!(page.records.len(), 7, "{code}");
                pages.extend(page.records);
                after = page.next.unwrap();
            }
            let one = s
                .report_records(&leader, report.id, code, 21, "")
                .await
                .unwrap();
            assert_eq!(pages, one.records, "{code}");
        }
        assert_eq!(
            invalid_code(
                s.report_records(&leader, report.id, "dibao.paid", 10, "12x")
                    .await
            ),
            "reports.bad_after"
        );

        // The charts' months add up to the flows and end on the stocks.
        let june = report.months.last().unwrap();
        assert_eq!(report.months.len(), 6);
        assert_eq!(june.dibao_households, fig("dibao.households"));
        assert_eq!(june.dibao_persons, fig("dibao.persons"));
        assert_eq!(
            report
                .months
                .iter()
                .map(|m| m.dibao_paid.as_fen())
                .sum::<i64>(),
            fig("dibao.paid")
        );

        let text = report.narrative().join("");
        assert!(
            text.contains(&format!(
                "截止6月份,我区纳入低保救济的对象有{}户{}人,上半年共发放低保金{}万元",
                fig("dibao.households"),
                fig("dibao.persons"),
                domain::Fen::from_fen(fig("dibao.paid")).wan()
            )),
            "{text}"
        );
        assert!(text.contains("每人每月385元"), "{text}");
        assert!(
            text.contains("兑现优待了烈军属等优抚对象615户,兑现优待金462.4650万元,优待面达100%"),
            "{text}"
        );
        assert!(text.contains("提高了6项优抚对象抚恤补助标准"), "{text}");

        // A street officer's report is the street's column of the district's.
        let street = quick(db, "jiedao", "street_officer", "990101001000").await;
        let own = s
            .generate_report(&street, "2013-01-01", "2013-06-30", None)
            .await
            .unwrap();
        let column = report
            .figure("dibao.households")
            .unwrap()
            .by_street
            .iter()
            .find(|(code, _, _)| code == "990101001")
            .map_or(0, |(_, _, v)| *v);
        assert_eq!(own.figure("dibao.households").unwrap().value, column);

        // Generating and reading records is audited.
        assert!(!audit_of(db, "reports.generate").await.is_empty());
        assert!(!audit_of(db, "reports.records.read").await.is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_stored_report_is_reproduced_after_new_data() {
    for_each_engine(async |db: &TestDb| {
        full(db).await;
        let s = &db.service;
        let leader = actor(db, "leader").await;
        let first = s
            .generate_report(&leader, "2013-01-01", "2013-06-30", Some("990101001000"))
            .await
            .unwrap();
        assert_eq!(first.hash.len(), 64);
        let stored = s.stored_report(&leader, first.id).await.unwrap();
        assert_eq!(stored.content_hash, first.hash);
        assert_eq!(stored.content, first.content);

        // New data after the cut-off: July's payroll, a correction paid in June, a
        // household moving out of the street.
        db.clock.advance(Duration::hours(1));
        let jiuzhu = actor(db, "jiuzhu").await;
        let checker = actor(db, testkit::demo::CHECKER.username).await;
        s.prepare_payroll(&jiuzhu, "2013-07", None, &mut |_| {})
            .await
            .unwrap();
        db.clock.advance(Duration::minutes(5));
        s.approve_payroll_month(&checker, "2013-07").await.unwrap();
        let (entries, _) = all_records(db, &leader, first.id, "dibao.paid", 1000).await;
        let june = entries
            .iter()
            .rev()
            .find(|e| e.paid_in == "2013-06" && e.kind == "regular")
            .unwrap();
        db.clock.advance(Duration::minutes(5));
        s.correct_ledger_entry(&checker, june.id, "2013-06", None, "重复发放,冲正本月金额")
            .await
            .unwrap();
        let households = s
            .report_records(&leader, first.id, "dibao.households", 1, "")
            .await
            .unwrap();
        let case = s
            .store()
            .case_file(households.records[0].case_id)
            .await
            .unwrap();
        s.record_change(
            &jiuzhu,
            case.case.id,
            case.case.version,
            ChangeInput {
                kind: ChangeKind::Move {
                    community: "990101002001".into(),
                    address: "西城街道1号".into(),
                },
                effective: None,
                reason: "户籍迁至西城街道居住".into(),
            },
        )
        .await
        .unwrap();
        db.clock.advance(Duration::minutes(5));

        let again = s.reproduce_report(&leader, first.id).await.unwrap();
        assert_eq!(again.content, first.content);
        assert_eq!(again.hash, first.hash);
        for ind in INDICATORS {
            let (rows, _) = all_records(db, &leader, first.id, ind.code, 1000).await;
            let value = first.figure(ind.code).unwrap().value;
            assert_eq!(value, testkit::drilled_value(ind, &rows), "{}", ind.code);
        }

        // A new report sees the new data: the test could fail.
        let now = s
            .generate_report(&leader, "2013-01-01", "2013-06-30", Some("990101001000"))
            .await
            .unwrap();
        assert_ne!(now.hash, first.hash);
        assert_eq!(
            now.figure("dibao.paid").unwrap().value,
            first.figure("dibao.paid").unwrap().value - june.amount_fen
        );
    })
    .await;
}

#[tokio::test]
async fn bad_input_is_refused_with_a_reason() {
    for_each_engine(async |db: &TestDb| {
        demo_db(db).await;
        let s = &db.service;
        let leader = actor(db, "leader").await;
        assert_eq!(
            invalid_code(
                s.generate_report(&leader, "2013-06-30", "2013-01-01", None)
                    .await
            ),
            "reports.period_reversed"
        );
        assert_eq!(
            invalid_code(
                s.generate_report(&leader, "2013-13-01", "2013-06-30", None)
                    .await
            ),
            domain::parse_date("2013-13-01").unwrap_err().code()
        );
        assert_eq!(
            invalid_code(
                s.generate_report(&leader, "2013-01-01", "2013-06-30", Some("990101099000"))
                    .await
            ),
            "reports.unknown_division"
        );
        let street = quick(db, "jiedao", "street_officer", "990101001000").await;
        assert_eq!(
            invalid_code(
                s.generate_report(&street, "2013-01-01", "2013-06-30", Some("990101002000"))
                    .await
            ),
            "reports.division_outside"
        );
        let report = s
            .generate_report(&street, "2013-01-01", "2013-06-30", None)
            .await
            .unwrap();
        assert_eq!(report.figure("dibao.households").unwrap().value, 0);
        assert_eq!(
            invalid_code(
                s.report_records(&street, report.id, "dibao.nothing", 10, "")
                    .await
            ),
            "reports.unknown_indicator"
        );
        // Someone else's report stays hidden; a role without reports is refused.
        let other = quick(db, "xicheng", "street_officer", "990101002000").await;
        assert!(matches!(
            s.reproduce_report(&other, report.id).await,
            Err(Error::NotFound)
        ));
        let admin = actor(db, "admin").await;
        assert!(matches!(
            s.generate_report(&admin, "2013-01-01", "2013-06-30", None)
                .await,
            Err(Error::Forbidden)
        ));
    })
    .await;
}

#[tokio::test]
async fn a_dashboard_agrees_with_the_report_and_counts_what_is_due() {
    for_each_engine(async |db: &TestDb| {
        full(db).await;
        let s = &db.service;
        let leader = actor(db, "leader").await;
        // The test clock stands on 2013-07-01: the current year, up to today.
        let d = s
            .dashboard(&leader, "assistance", None, None)
            .await
            .unwrap();
        assert_eq!(d.year, 2013);
        assert_eq!(d.years, vec![2013]);
        assert_eq!(d.period.from().to_string(), "2013-01-01");
        assert_eq!(d.period.to().to_string(), "2013-07-01");
        let report = s
            .generate_report(&leader, "2013-01-01", "2013-07-01", None)
            .await
            .unwrap();
        assert!(!d.figures.is_empty());
        for f in &d.figures {
            let r = report.figure(f.indicator.code).unwrap();
            assert_eq!(f.value, r.value, "{}", f.indicator.code);
            assert_eq!(f.by_street, r.by_street, "{}", f.indicator.code);
        }
        // Flows add up month by month; stocks end on the figure; July has no payments yet.
        for series in &d.series {
            let figure = d.figure(series.indicator.code).unwrap().value;
            assert_eq!(series.points.len(), 7, "{}", series.indicator.code);
            if series.indicator.unit.is_money() {
                assert_eq!(
                    series.points.iter().map(|(_, v)| v).sum::<i64>(),
                    figure,
                    "{}",
                    series.indicator.code
                );
                assert!(series.points[0].1 > 0);
                assert_eq!(series.points[6].1, 0);
            } else {
                assert_eq!(series.points[6].1, figure, "{}", series.indicator.code);
            }
        }
        // June's stock is what the half-year report counts at the end of June.
        let half = s
            .generate_report(&leader, "2013-01-01", "2013-06-30", None)
            .await
            .unwrap();
        let households = d
            .series
            .iter()
            .find(|x| x.indicator.code == "dibao.households")
            .unwrap();
        assert_eq!(
            households.points[5].1,
            half.figure("dibao.households").unwrap().value
        );

        // What is due: the leader reads payroll, so the run states and July are counted.
        let due = |d: &service::reports::dashboard::Dashboard, key: &str| {
            d.due.iter().find(|i| i.key == key).map(|i| i.count)
        };
        let runs = s.store().payroll_runs(None, None).await.unwrap();
        let approved = runs.iter().filter(|r| r.state == "approved").count() as i64;
        assert_eq!(due(&d, "runs-approved"), Some(approved));
        let unprepared = due(&d, "month-unprepared").unwrap();
        assert!(unprepared > 0, "July is due and not prepared");
        let staff = actor(db, "jiuzhu").await;
        let ids = s
            .prepare_payroll(&staff, "2013-07", None, &mut |_| {})
            .await
            .unwrap();
        let after = s
            .dashboard(&leader, "assistance", None, None)
            .await
            .unwrap();
        assert_eq!(due(&after, "month-unprepared"), Some(0));
        assert_eq!(due(&after, "runs-checked"), Some(ids.len() as i64));
        assert_eq!(ids.len() as i64, unprepared);

        // A street officer's dashboard is the street's column; other streets are refused.
        let street = quick(db, "jiedao", "street_officer", "990101001000").await;
        let own = s
            .dashboard(&street, "assistance", None, None)
            .await
            .unwrap();
        let column = d
            .figure("dibao.households")
            .unwrap()
            .by_street
            .iter()
            .find(|(code, _, _)| code == "990101001")
            .map_or(0, |(_, _, v)| *v);
        assert_eq!(own.figure("dibao.households").unwrap().value, column);
        assert_eq!(
            invalid_code(
                s.dashboard(&street, "assistance", None, Some("990101002000"))
                    .await
            ),
            "reports.division_outside"
        );
        // A year before any payment: empty figures, not an error.
        let old = s
            .dashboard(&leader, "assistance", Some("2012"), None)
            .await
            .unwrap();
        assert_eq!(old.period.to().to_string(), "2012-12-31");
        assert_eq!(old.figure("dibao.paid").unwrap().value, 0);
        // Bad input.
        for bad in ["13", "20x3", "2099", ""] {
            let r = s.dashboard(&leader, "assistance", Some(bad), None).await;
            if bad.is_empty() {
                assert!(r.is_ok());
            } else {
                assert_eq!(invalid_code(r), "reports.bad_year", "{bad}");
            }
        }
        assert!(matches!(
            s.dashboard(&leader, "audit", None, None).await,
            Err(Error::NotFound)
        ));
        let admin = actor(db, "admin").await;
        assert!(matches!(
            s.dashboard(&admin, "assistance", None, None).await,
            Err(Error::Forbidden)
        ));
    })
    .await;
}
