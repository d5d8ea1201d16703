//! Payroll on both engines: maker–checker, no second run of a paid month, the append-only
//! ledger, arrears after a back-dated standard, a recovery after a late death, the
//! difference from last month with its reasons, the cut-off, refusals that change nothing,
//! and the benchmark's baselines. The bulk computation is checked against the per-case
//! `benefit_for_month`.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a line number"
)]

mod common;

use std::collections::HashMap;

use chrono::Duration;
use common::*;
use domain::{Fen, Month};
use service::assistance::import::{ImportMode, RosterFile, RosterFiles};
use service::assistance::{ChangeInput, ChangeKind, MonthBenefit, StandardInput};
use service::payroll::RunProgress;
use service::{Actor, Error};
use store::{LineSelection, NewRun};
use testkit::{TestDb, for_each_engine};

const HOUSEHOLDS: usize = 120;

fn month(m: &str) -> Month {
    Month::parse(m).unwrap()
}

/// The demo district with the synthetic roster imported on 2013-07-01 and a second
/// assistance account, `fuhe`, to approve.
async fn district(db: &TestDb) -> (Actor, Actor) {
    demo_db(db).await;
    on(db, "2013-07-01");
    let (h, p, s) = testkit::roster::synthetic(HOUSEHOLDS);
    let files = RosterFiles {
        households: RosterFile {
            name: "h.csv".into(),
            bytes: h.into_bytes(),
        },
        persons: RosterFile {
            name: "p.csv".into(),
            bytes: p.into_bytes(),
        },
        standards: Some(RosterFile {
            name: "s.csv".into(),
            bytes: s.into_bytes(),
        }),
    };
    let report = db
        .service
        .import_roster(&Actor::system(), &files, ImportMode::AllOrNothing)
        .await
        .unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let fuhe = quick(db, "fuhe", "assistance_staff", testkit::demo::COUNTY).await;
    (actor(db, "jiuzhu").await, fuhe)
}

fn tick(db: &TestDb) {
    db.clock.advance(Duration::minutes(5));
}

async fn prepare(db: &TestDb, who: &Actor, m: &str) -> Result<Vec<i64>, Error> {
    tick(db);
    db.service
        .prepare_payroll_chunked(who, m, None, 17, &mut |_: RunProgress| {})
        .await
}

async fn pay(db: &TestDb, preparer: &Actor, approver: &Actor, m: &str) {
    prepare(db, preparer, m).await.unwrap();
    tick(db);
    db.service.approve_payroll_month(approver, m).await.unwrap();
}

async fn ledger(db: &TestDb) -> Vec<store::LedgerEntry> {
    db.store().ledger_all().await.unwrap()
}

/// benefit month → case → the ledger's sum.
fn paid(entries: &[store::LedgerEntry]) -> HashMap<(String, i64), i64> {
    let mut out = HashMap::new();
    for e in entries {
        *out.entry((e.benefit_month.clone(), e.case_id.unwrap()))
            .or_insert(0) += e.amount_fen;
    }
    out
}

async fn case_ids(db: &TestDb) -> Vec<i64> {
    let mut ids = Vec::new();
    for p in ["dibao", "tekun_dispersed", "tekun_centralized"] {
        for c in db.store().payroll_cases(p, 0, 100_000).await.unwrap() {
            ids.push(c.file.case.id);
        }
    }
    ids
}

async fn due(db: &TestDb, who: &Actor, case: i64, m: &str) -> i64 {
    match db
        .service
        .benefit_for_month(who, case, month(m))
        .await
        .unwrap()
    {
        MonthBenefit::Due(b) => b.total.as_fen(),
        _ => 0,
    }
}

/// Every case's ledger sum for `m` equals its benefit under today's records.
async fn ledger_matches_records(db: &TestDb, who: &Actor, m: &str) {
    let paid = paid(&ledger(db).await);
    for case in case_ids(db).await {
        let want = due(db, who, case, m).await;
        let got = paid.get(&(m.to_owned(), case)).copied().unwrap_or(0);
        assert_eq!(got, want, "case {case} month {m} on {:?}", db.backend());
    }
}

fn conflict<T: std::fmt::Debug>(r: Result<T, Error>) -> &'static str {
    match r {
        Err(Error::Conflict { code, .. }) => code,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

#[tokio::test]
async fn a_month_is_prepared_then_approved_by_a_second_person_only() {
    for_each_engine(async |db| {
        let (jiuzhu, fuhe) = district(db).await;
        let s = &db.service;
        let ids = prepare(db, &jiuzhu, "2013-01").await.unwrap();
        assert_eq!(ids.len(), 3, "低保, 特困分散, 特困集中 are due");
        for id in &ids {
            let v = s.payroll_run(&jiuzhu, *id).await.unwrap();
            assert_eq!(v.run.state, "checked");
            assert_eq!(v.run.prepared_by, "jiuzhu");
            assert!(!v.may_approve, "the preparer may not approve");
            assert!(v.summary.households > 0);
            assert_eq!(v.summary.total_fen, v.run.total_fen);
        }
        // Maker–checker: the preparer and the console are refused, nothing is written.
        assert_eq!(
            conflict(s.approve_payroll_month(&jiuzhu, "2013-01").await),
            "payroll.maker_checker"
        );
        assert_eq!(
            conflict(s.approve_payroll_run(&Actor::system(), ids[0]).await),
            "payroll.approver_account"
        );
        let leader = actor(db, "leader").await;
        assert!(matches!(
            s.approve_payroll_month(&leader, "2013-01").await,
            Err(Error::Forbidden)
        ));
        assert!(ledger(db).await.is_empty());
        assert!(s.payroll_run(&fuhe, ids[0]).await.unwrap().may_approve);

        let approved = s.approve_payroll_month(&fuhe, "2013-01").await.unwrap();
        let entries: u64 = approved.iter().map(|(_, n)| n).sum();
        let all = ledger(db).await;
        assert_eq!(usize::try_from(entries).unwrap(), all.len());
        assert!(
            all.iter()
                .all(|e| e.kind == "regular" && e.paid_in == "2013-01")
        );
        let mut total = 0;
        for id in &ids {
            let v = s.payroll_run(&fuhe, *id).await.unwrap();
            assert_eq!(v.run.state, "approved");
            assert_eq!(v.run.approved_by.as_deref(), Some("fuhe"));
            total += v.run.total_fen;
        }
        assert_eq!(total, all.iter().map(|e| e.amount_fen).sum::<i64>());
        // The bulk pass pays exactly what the case page computes, case by case.
        ledger_matches_records(db, &fuhe, "2013-01").await;

        // Never twice: the month cannot be prepared or approved again.
        assert_eq!(
            conflict(prepare(db, &jiuzhu, "2013-01").await),
            "payroll.already_approved"
        );
        assert_eq!(
            conflict(s.approve_payroll_month(&fuhe, "2013-01").await),
            "payroll.already_approved"
        );
        assert_eq!(ledger(db).await, all);
        // Reports count the approved month.
        let figures = s
            .paid_by_month(&leader, month("2013-01"), month("2013-06"), None)
            .await
            .unwrap();
        assert_eq!(figures.iter().map(|f| f.amount_fen).sum::<i64>(), total);
        let audit = audit_of(db, "payroll.run.approve").await;
        assert_eq!(audit.len(), 3);
        assert!(audit.iter().all(|a| a.actor == "fuhe"));
    })
    .await;
}

#[tokio::test]
async fn bad_input_is_refused_with_a_reason_and_changes_nothing() {
    for_each_engine(async |db| {
        let (jiuzhu, fuhe) = district(db).await;
        let s = &db.service;
        let none = |_: RunProgress| {};
        let codes =
            |r: Result<Vec<i64>, Error>| refused(r).into_iter().map(|e| e.2).collect::<Vec<_>>();
        assert_eq!(
            codes(
                s.prepare_payroll(&jiuzhu, "2013-01", Some("wubao"), &mut none.clone())
                    .await
            ),
            ["assistance.unknown_program"]
        );
        assert_eq!(
            codes(
                s.prepare_payroll(&jiuzhu, "2013-01", Some("dibao_margin"), &mut none.clone())
                    .await
            ),
            ["assistance.no_monthly_cash"]
        );
        assert_eq!(
            codes(
                s.prepare_payroll(&jiuzhu, "2013-13", None, &mut none.clone())
                    .await
            ),
            ["month.month_out_of_range"]
        );
        assert_eq!(
            codes(
                s.prepare_payroll(&jiuzhu, "1990-01", None, &mut none.clone())
                    .await
            ),
            ["payroll.nothing_due"]
        );
        let leader = actor(db, "leader").await;
        assert!(matches!(
            s.prepare_payroll(&leader, "2013-01", None, &mut none.clone())
                .await,
            Err(Error::Forbidden)
        ));
        assert!(s.payroll_runs(&jiuzhu, None).await.unwrap().is_empty());
        assert_eq!(
            refused(s.approve_payroll_month(&fuhe, "2013-01").await)[0].2,
            "payroll.no_run"
        );

        let ids = prepare(db, &jiuzhu, "2013-01").await.unwrap();
        let runs = s.payroll_runs(&jiuzhu, None).await.unwrap();
        let lines = db.store().ledger_all().await.unwrap();
        // Preparing a checked month again returns the same runs and writes nothing.
        assert_eq!(prepare(db, &jiuzhu, "2013-01").await.unwrap(), ids);
        assert_eq!(s.payroll_runs(&jiuzhu, None).await.unwrap(), runs);
        assert_eq!(db.store().ledger_all().await.unwrap(), lines);
        // February waits for January's approval; December 2012 comes before it.
        assert_eq!(
            conflict(prepare(db, &jiuzhu, "2013-02").await),
            "payroll.earlier_open"
        );
        assert_eq!(
            conflict(prepare(db, &jiuzhu, "2012-12").await),
            "payroll.later_open"
        );
        s.approve_payroll_month(&fuhe, "2013-01").await.unwrap();
        assert_eq!(
            conflict(prepare(db, &jiuzhu, "2012-12").await),
            "payroll.before_paid"
        );
        pay(db, &jiuzhu, &fuhe, "2013-02").await;
        let again = s.payroll_runs(&jiuzhu, Some("2013-01")).await.unwrap();
        assert_eq!(again.len(), runs.len());
        assert!(again.iter().all(|r| r.state == "approved"));
    })
    .await;
}

#[tokio::test]
async fn ledger_rows_cannot_be_updated_or_deleted() {
    for_each_engine(async |db| {
        let (jiuzhu, fuhe) = district(db).await;
        pay(db, &jiuzhu, &fuhe, "2013-01").await;
        let before = ledger(db).await;
        let (update, delete) = db.store().try_tamper_ledger(before[0].id).await;
        assert!(update.is_err(), "UPDATE of a ledger row must fail");
        assert!(delete.is_err(), "DELETE of a ledger row must fail");
        assert_eq!(ledger(db).await, before);

        // A correction is a reversal pointing at the original plus a one-off, with a reason.
        let e = &before[0];
        let ids = db
            .service
            .correct_ledger_entry(
                &fuhe,
                e.id,
                "2013-02",
                Some(Fen::from_fen(e.amount_fen + 100)),
                "户主账户核对后更正金额",
            )
            .await
            .unwrap();
        assert_eq!(ids.len(), 2);
        let after = ledger(db).await;
        let reversal = after.iter().find(|x| x.id == ids[0]).unwrap();
        assert_eq!(
            (
                reversal.kind.as_str(),
                reversal.amount_fen,
                reversal.reverses
            ),
            ("reversal", -e.amount_fen, Some(e.id))
        );
        let one_off = after.iter().find(|x| x.id == ids[1]).unwrap();
        assert_eq!(
            (one_off.kind.as_str(), one_off.amount_fen),
            ("one_off", e.amount_fen + 100)
        );
        // An entry is reversed once; a short reason is refused.
        assert_eq!(
            conflict(
                db.service
                    .correct_ledger_entry(&fuhe, e.id, "2013-02", None, "再次冲正此笔款项")
                    .await
            ),
            "payroll.reversed"
        );
        assert!(matches!(
            db.service
                .correct_ledger_entry(&fuhe, before[1].id, "2013-02", None, "x")
                .await,
            Err(Error::Invalid(_))
        ));
        assert_eq!(ledger(db).await.len(), before.len() + 2);
        // The money figures' totals are the ledger's own, corrections included.
        assert_eq!(db.store().ledger_totals_drift().await.unwrap(), 0);
    })
    .await;
}

#[tokio::test]
async fn a_back_dated_standard_raise_is_paid_as_arrears_next_month() {
    for_each_engine(async |db| {
        let (jiuzhu, fuhe) = district(db).await;
        pay(db, &jiuzhu, &fuhe, "2013-01").await;
        pay(db, &jiuzhu, &fuhe, "2013-02").await;
        tick(db);
        for area in ["urban", "rural"] {
            db.service
                .set_standard(
                    &jiuzhu,
                    &StandardInput {
                        program: "dibao".into(),
                        area: area.into(),
                        effective_from: d("2013-02-01"),
                        amount: Fen::from_fen(40_000),
                        citation: "示范区提标通知(追溯至二月)".into(),
                    },
                )
                .await
                .unwrap();
        }
        let ids = prepare(db, &jiuzhu, "2013-03").await.unwrap();
        let dibao = db.service.payroll_run(&jiuzhu, ids[0]).await.unwrap();
        assert_eq!(dibao.run.program, "dibao");
        assert!(dibao.summary.arrears_fen > 0);
        let (lines, n) = db
            .service
            .payroll_run_lines(&jiuzhu, ids[0], LineSelection::Corrections, 1000, 0)
            .await
            .unwrap();
        assert!(n > 0);
        assert!(
            lines
                .iter()
                .all(|l| l.kind == "arrears" && l.benefit_month == "2013-02"),
            "January was before the raise: {lines:?}"
        );
        db.service
            .approve_payroll_month(&fuhe, "2013-03")
            .await
            .unwrap();
        for m in ["2013-01", "2013-02", "2013-03"] {
            ledger_matches_records(db, &fuhe, m).await;
        }
        let arrears: Vec<_> = ledger(db)
            .await
            .into_iter()
            .filter(|e| e.kind == "arrears")
            .collect();
        assert!(
            arrears
                .iter()
                .all(|e| e.paid_in == "2013-03" && e.benefit_month == "2013-02")
        );
        // 特困 standards did not change: nothing owed there.
        for id in &ids[1..] {
            let v = db.service.payroll_run(&jiuzhu, *id).await.unwrap();
            assert_eq!((v.summary.arrears_fen, v.summary.recovery_fen), (0, 0));
        }
    })
    .await;
}

#[tokio::test]
async fn a_death_recorded_late_becomes_a_recovery_and_the_diff_names_it() {
    for_each_engine(async |db| {
        let (jiuzhu, fuhe) = district(db).await;
        for m in ["2013-01", "2013-02", "2013-03"] {
            pay(db, &jiuzhu, &fuhe, m).await;
        }
        // A one-person 特困 household paid for January to March; its member died in January.
        let entries = ledger(db).await;
        let case = db
            .store()
            .payroll_cases("tekun_dispersed", 0, 100_000)
            .await
            .unwrap()
            .into_iter()
            .find(|c| {
                c.file.members.len() == 1
                    && c.file.case.benefit_end.is_none()
                    && c.file.case.benefit_start < Some(d("2013-01-01"))
                    && entries
                        .iter()
                        .any(|e| e.case_id == Some(c.file.case.id) && e.benefit_month == "2013-03")
            })
            .unwrap();
        let case_id = case.file.case.id;
        let paid_before = paid(&entries);
        tick(db);
        db.service
            .record_change(
                &jiuzhu,
                case_id,
                case.file.case.version,
                ChangeInput {
                    kind: ChangeKind::Death {
                        member_id: case.file.members[0].id,
                    },
                    effective: Some(month("2013-02")),
                    reason: "家属四月报告:一月病故".into(),
                },
            )
            .await
            .unwrap();
        prepare(db, &jiuzhu, "2013-04").await.unwrap();
        let run = db
            .service
            .payroll_runs(&jiuzhu, Some("2013-04"))
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.program == "tekun_dispersed")
            .unwrap()
            .id;
        let (lines, _) = db
            .service
            .payroll_run_lines(&jiuzhu, run, LineSelection::All, 1000, 0)
            .await
            .unwrap();
        let mine: Vec<_> = lines
            .iter()
            .filter(|l| l.case_id == Some(case_id))
            .collect();
        let recovery = |m: &str| {
            mine.iter()
                .find(|l| l.kind == "recovery" && l.benefit_month == m)
                .map(|l| l.amount_fen)
        };
        for m in ["2013-02", "2013-03"] {
            assert_eq!(
                recovery(m),
                Some(-paid_before[&(m.to_owned(), case_id)]),
                "{m}"
            );
        }
        assert_eq!(recovery("2013-01"), None, "January was due");
        let stop = mine.iter().find(|l| l.kind == "regular").unwrap();
        assert_eq!(stop.amount_fen, 0);
        assert!(stop.prev_fen.is_some());
        let (stopped, _) = db
            .service
            .payroll_run_lines(&jiuzhu, run, LineSelection::Stopped, 1000, 0)
            .await
            .unwrap();
        assert!(stopped.iter().any(|l| l.case_id == Some(case_id)));
        db.service
            .approve_payroll_month(&fuhe, "2013-04")
            .await
            .unwrap();
        let after = paid(&ledger(db).await);
        for m in ["2013-02", "2013-03", "2013-04"] {
            assert_eq!(after.get(&(m.to_owned(), case_id)).copied().unwrap_or(0), 0);
        }
        assert!(after[&("2013-01".to_owned(), case_id)] > 0);
    })
    .await;
}

#[tokio::test]
async fn the_difference_from_last_month_gives_each_reason_and_flags_jumps() {
    for_each_engine(async |db| {
        let (jiuzhu, fuhe) = district(db).await;
        pay(db, &jiuzhu, &fuhe, "2013-01").await;
        // A 低保 household whose income falls to nothing from February: a big jump.
        let case = db
            .store()
            .payroll_cases("dibao", 0, 100_000)
            .await
            .unwrap()
            .into_iter()
            .find(|c| {
                c.file.case.benefit_end.is_none()
                    && c.file.case.income_per_capita_fen.unwrap_or(0) > 25_000
            })
            .unwrap();
        let case_id = case.file.case.id;
        on(db, "2013-07-01");
        tick(db);
        db.service
            .record_change(
                &jiuzhu,
                case_id,
                case.file.case.version,
                ChangeInput {
                    kind: ChangeKind::Income {
                        income_per_capita: Fen::ZERO,
                    },
                    effective: Some(month("2013-08")),
                    reason: "户主失业,收入为零".into(),
                },
            )
            .await
            .unwrap();
        // The change applies from August; pay up to August to see it.
        for m in [
            "2013-02", "2013-03", "2013-04", "2013-05", "2013-06", "2013-07",
        ] {
            pay(db, &jiuzhu, &fuhe, m).await;
        }
        let ids = prepare(db, &jiuzhu, "2013-08").await.unwrap();
        let (changed, _) = db
            .service
            .payroll_run_lines(&jiuzhu, ids[0], LineSelection::Changed, 1000, 0)
            .await
            .unwrap();
        let line = changed.iter().find(|l| l.case_id == Some(case_id)).unwrap();
        assert_eq!(line.change_kind.as_deref(), Some("income"));
        assert_eq!(line.change_reason.as_deref(), Some("户主失业,收入为零"));
        assert!(line.flagged && line.amount_fen > line.prev_fen.unwrap());
        let (flagged, _) = db
            .service
            .payroll_run_lines(&jiuzhu, ids[0], LineSelection::Flagged, 1000, 0)
            .await
            .unwrap();
        assert!(flagged.iter().any(|l| l.case_id == Some(case_id)));
        // Additions carry the step that started the benefit; exits show as stops.
        let mar = db
            .service
            .payroll_runs(&jiuzhu, Some("2013-03"))
            .await
            .unwrap();
        let dibao_mar = mar.iter().find(|r| r.program == "dibao").unwrap().id;
        let (added, n) = db
            .service
            .payroll_run_lines(&jiuzhu, dibao_mar, LineSelection::Added, 1000, 0)
            .await
            .unwrap();
        assert!(n > 0);
        assert!(
            added
                .iter()
                .all(|l| l.start_step.as_deref() == Some("import"))
        );
        let v = db.service.payroll_run(&jiuzhu, dibao_mar).await.unwrap();
        assert_eq!(v.summary.added, n);
        assert!(v.summary.stopped > 0);
        let feb_regular: i64 = ledger(db)
            .await
            .iter()
            .filter(|e| e.program == "dibao" && e.benefit_month == "2013-02" && e.kind == "regular")
            .map(|e| e.amount_fen)
            .sum();
        assert_eq!(v.summary.prev_fen, feb_regular);
        // Each regular line's last month is the case's February entry, whichever path
        // (the set-based statement or the per-case pass) computed the line.
        let feb: HashMap<i64, i64> = ledger(db)
            .await
            .into_iter()
            .filter(|e| e.program == "dibao" && e.benefit_month == "2013-02" && e.kind == "regular")
            .map(|e| (e.case_id.unwrap(), e.amount_fen))
            .collect();
        let (lines, _) = db
            .service
            .payroll_run_lines(&jiuzhu, dibao_mar, LineSelection::All, 1000, 0)
            .await
            .unwrap();
        let regular: Vec<_> = lines.iter().filter(|l| l.kind == "regular").collect();
        assert!(regular.len() >= feb.len());
        for l in regular {
            let case = l.case_id.unwrap();
            assert_eq!(l.prev_fen, feb.get(&case).copied(), "case {case}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_run_reads_the_records_as_they_stood_at_its_cut_off() {
    for_each_engine(async |db| {
        let (jiuzhu, fuhe) = district(db).await;
        pay(db, &jiuzhu, &fuhe, "2013-01").await;
        // A draft created (cut-off) before an income change, computed after it: the change
        // recorded after the cut-off is not in this run.
        let case = db
            .store()
            .payroll_cases("dibao", 0, 100_000)
            .await
            .unwrap()
            .into_iter()
            .find(|c| {
                c.file.case.benefit_end.is_none()
                    && c.file.case.benefit_start < Some(d("2013-01-01"))
            })
            .unwrap();
        let case_id = case.file.case.id;
        tick(db);
        let cutoff = db.service.now();
        let audit = db
            .service
            .audit(&jiuzhu, "payroll.run.create", "payroll_run", "", "");
        let run = db
            .store()
            .create_run(
                &NewRun {
                    month: "2013-02".into(),
                    program: "dibao".into(),
                    cutoff,
                    jump_pct: 30,
                    prepared_by: "jiuzhu".into(),
                },
                &audit,
            )
            .await
            .unwrap();
        let before = due(db, &jiuzhu, case_id, "2013-02").await;
        tick(db);
        db.service
            .record_change(
                &jiuzhu,
                case_id,
                case.file.case.version,
                ChangeInput {
                    kind: ChangeKind::Death {
                        member_id: case.file.members[0].id,
                    },
                    effective: Some(month("2013-02")),
                    reason: "一月下旬去世,二月报告".into(),
                },
            )
            .await
            .unwrap();
        assert_ne!(due(db, &jiuzhu, case_id, "2013-02").await, before);
        let ids = db
            .service
            .prepare_payroll(&jiuzhu, "2013-02", Some("dibao"), &mut |_| {})
            .await
            .unwrap();
        assert_eq!(ids, [run]);
        let (lines, _) = db
            .service
            .payroll_run_lines(&jiuzhu, run, LineSelection::All, 1000, 0)
            .await
            .unwrap();
        let line = lines
            .iter()
            .find(|l| l.case_id == Some(case_id) && l.kind == "regular")
            .unwrap();
        assert_eq!(line.amount_fen, before);
        // The other programmes' February runs; the next run corrects February from the
        // records as they are now.
        assert_eq!(prepare(db, &jiuzhu, "2013-02").await.unwrap().len(), 3);
        db.service
            .approve_payroll_month(&fuhe, "2013-02")
            .await
            .unwrap();
        pay(db, &jiuzhu, &fuhe, "2013-03").await;
        ledger_matches_records(db, &fuhe, "2013-02").await;
    })
    .await;
}

#[tokio::test]
async fn the_demo_district_has_six_reconciled_months_prepared_and_approved_by_two_people() {
    for_each_engine(async |db| {
        testkit::demo::build_full(&db.service, &db.clock)
            .await
            .unwrap();
        let leader = actor(db, "leader").await;
        let runs = db.service.payroll_runs(&leader, None).await.unwrap();
        let months: std::collections::BTreeSet<_> = runs.iter().map(|r| r.month.clone()).collect();
        assert_eq!(
            months.into_iter().collect::<Vec<_>>(),
            [
                "2013-01", "2013-02", "2013-03", "2013-04", "2013-05", "2013-06"
            ]
        );
        // Approved, then exported to the bank and reconciled with its result file (the
        // veterans' runs, their section's, are approved only).
        let (veterans, runs): (Vec<_>, Vec<_>) = runs
            .into_iter()
            .partition(|r| r.program.starts_with("veterans"));
        assert_eq!(veterans.len(), 7);
        assert!(runs.iter().all(|r| r.state == "reconciled"
            && r.prepared_by == "jiuzhu"
            && r.approved_by.as_deref() == Some("jiuzhu2")));
        let paid = db
            .service
            .paid_by_month(&leader, month("2013-01"), month("2013-06"), None)
            .await
            .unwrap();
        let paid: Vec<_> = paid
            .into_iter()
            .filter(|p| !p.program.starts_with("veterans"))
            .collect();
        assert_eq!(paid.len(), 18, "three programmes in each of six months");
        assert!(paid.iter().all(|p| p.amount_fen > 0));
    })
    .await;
}

/// The benchmark's two baselines (docs/benchmarks.md) write the same payments: the bare
/// statement's (case, month, amount) and the floor's ledger rows agree in count and sum,
/// and the floor's key refuses a month written twice, as the ledger's does.
#[tokio::test]
async fn the_benchmark_baselines_write_the_same_payments() {
    for_each_engine(async |db| {
        let (jiuzhu, _) = district(db).await;
        for m in ["2013-01", "2013-02"] {
            for baseline in [store::Baseline::Bare, store::Baseline::Floor] {
                let rows = db
                    .service
                    .bench_baseline_payroll(&jiuzhu, baseline, m)
                    .await
                    .unwrap();
                assert!(
                    rows >= HOUSEHOLDS as u64 / 2,
                    "{baseline:?} {m}: {rows} rows"
                );
            }
        }
        let bare = db
            .store()
            .bench_totals(store::Baseline::Bare)
            .await
            .unwrap();
        let floor = db
            .store()
            .bench_totals(store::Baseline::Floor)
            .await
            .unwrap();
        assert!(bare.1 > 0);
        assert_eq!(bare, floor, "on {:?}", db.backend());
        let again = db
            .service
            .bench_baseline_payroll(&jiuzhu, store::Baseline::Floor, "2013-01")
            .await;
        assert!(
            again.is_err(),
            "a month written twice on {:?}",
            db.backend()
        );
        assert_eq!(
            db.store()
                .bench_totals(store::Baseline::Floor)
                .await
                .unwrap(),
            floor,
            "nothing written by the refused statement"
        );
    })
    .await;
}
