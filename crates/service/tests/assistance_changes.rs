//! Dynamic management through `service` on SQLite and PostgreSQL: every change kind with
//! the month boundary (recorded in March, applied from April), the death of the last member,
//! reviews due by household class and frequency, suspension and resumption, gradual exit,
//! optimistic locking, jurisdiction, permissions, and the history with before and after.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a line number"
)]

use domain::assistance::Program;
use domain::assistance::workflow::Step;
use domain::{Fen, Month};
use service::Error;
use service::assistance::{
    ApplicationInput, AssistanceSettings, ChangeInput, ChangeKind, HouseholdClass, MemberInput,
    MonthBenefit, ReviewMonths, ReviewOutcome, TerminationReason, household_class,
};
use service::attention::Attention;
use testkit::{TestDb, for_each_engine};

mod common;

use common::*;

/// The Zhang case approved on 2013-07-11, paying from 2013-08; returns (case, version).
async fn approved(db: &TestDb) -> (i64, i64) {
    let (case, v) = through_notice(db).await;
    let jiuzhu = actor(db, "jiuzhu").await;
    on(db, "2013-07-11");
    let v = db
        .service
        .record_step(&jiuzhu, case, v, step(Step::Approve, "2013-07-11"))
        .await
        .unwrap();
    (case, v)
}

fn change(kind: ChangeKind) -> ChangeInput {
    ChangeInput {
        kind,
        effective: None,
        reason: "住户申报,社区核实".into(),
    }
}

fn month(m: &str) -> Month {
    Month::parse(m).unwrap()
}

async fn total(db: &TestDb, case: i64, m: &str) -> i64 {
    let jiuzhu = actor(db, "jiuzhu").await;
    match db
        .service
        .benefit_for_month(&jiuzhu, case, month(m))
        .await
        .unwrap()
    {
        MonthBenefit::Due(b) => b.total.as_fen(),
        MonthBenefit::Suspended => -1,
        MonthBenefit::NotCovered => -2,
    }
}

#[tokio::test]
async fn an_income_change_in_march_applies_from_april_and_keeps_the_old_value_visible() {
    for_each_engine(async |db| {
        demo_db(db).await;
        let s = &db.service;
        let (case, v) = approved(db).await;
        let dongcheng = actor(db, "dongcheng").await;
        on(db, "2014-03-10");
        let before = total(db, case, "2014-03").await;
        assert_eq!(before, 55_500 + 3_850 + 7_700);
        let v2 = s
            .record_change(
                &dongcheng,
                case,
                v,
                change(ChangeKind::Income {
                    income_per_capita: Fen::from_fen(30_000),
                }),
            )
            .await
            .unwrap();
        assert_eq!(v2, v + 1);
        // March is unchanged; April uses the new income: 100 yuan less per member.
        assert_eq!(total(db, case, "2014-03").await, before);
        assert_eq!(total(db, case, "2014-04").await, before - 30_000);
        assert_eq!(
            total(db, case, "2013-07").await,
            -2,
            "before the benefit starts"
        );
        let page = s.case(&dongcheng, case).await.unwrap();
        assert_eq!(page.benefit.unwrap().total.as_fen(), before, "this month's");
        let h = &page.dynamics.changes;
        assert_eq!(h.len(), 1);
        assert_eq!(
            (
                h[0].kind.as_str(),
                h[0].effective,
                h[0].income_before,
                h[0].income_after,
                h[0].by.as_str(),
                h[0].recorded_on
            ),
            (
                "income",
                month("2014-04"),
                Some(Fen::from_fen(20_000)),
                Some(Fen::from_fen(30_000)),
                "dongcheng",
                d("2014-03-10")
            )
        );
        assert_eq!(h[0].by_name, "东城街道民政办 张干事");
        assert_eq!(h[0].reason, "住户申报,社区核实");
        let audit = audit_of(db, "assistance.change.").await;
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].action, "assistance.change.income");
        assert!(
            audit[0].detail.contains("income=200.00→300.00"),
            "{}",
            audit[0].detail
        );

        // A stale version is a conflict naming who changed it.
        match s
            .record_change(
                &dongcheng,
                case,
                v,
                change(ChangeKind::Income {
                    income_per_capita: Fen::from_fen(10_000),
                }),
            )
            .await
        {
            Err(Error::Conflict { code, detail }) => {
                assert_eq!(code, "assistance.case_changed");
                assert!(detail.starts_with("dongcheng at 2014-03-10"), "{detail}");
            }
            other => panic!("{other:?}"),
        }
        // A stated month before the next one is refused; so is one before the last change.
        let mut early = change(ChangeKind::Income {
            income_per_capita: Fen::from_fen(10_000),
        });
        early.effective = Some(month("2014-03"));
        assert_eq!(
            refused(s.record_change(&dongcheng, case, v2, early).await)[0].2,
            "assistance.effective_month"
        );
        // A short reason is refused.
        let mut short = change(ChangeKind::Suspend);
        short.reason = "短".into();
        let jiuzhu = actor(db, "jiuzhu").await;
        assert_eq!(
            refused(s.record_change(&jiuzhu, case, v2, short).await)[0].2,
            "assistance.reason_short"
        );
    })
    .await;
}

#[tokio::test]
async fn members_join_and_leave_from_the_next_month() {
    for_each_engine(async |db| {
        demo_db(db).await;
        let s = &db.service;
        let (case, v) = approved(db).await;
        let dongcheng = actor(db, "dongcheng").await;
        on(db, "2014-03-10");
        let page = s.case(&dongcheng, case).await.unwrap();
        let son = page.members[2].id;
        let march = total(db, case, "2014-03").await;
        let v = s
            .record_change(
                &dongcheng,
                case,
                v,
                change(ChangeKind::MemberLeaves { member_id: son }),
            )
            .await
            .unwrap();
        // The son's share (185 difference + 20 % of 385) ends from April.
        assert_eq!(total(db, case, "2014-03").await, march);
        assert_eq!(total(db, case, "2014-04").await, march - 18_500 - 7_700);
        let page = s.case(&dongcheng, case).await.unwrap();
        assert_eq!(page.members[2].left_on, Some(d("2014-03-31")));
        assert_eq!(
            page.dynamics.changes[0].member_name.as_deref(),
            Some("张强")
        );
        // Leaving twice is refused.
        assert_eq!(
            refused(
                s.record_change(
                    &dongcheng,
                    case,
                    v,
                    change(ChangeKind::MemberLeaves { member_id: son })
                )
                .await
            )[0]
            .2,
            "assistance.member_unknown"
        );
        // A grandchild joins from April too (a bad ID is refused by field).
        let bad = MemberInput {
            id_number: "110101".into(),
            ..member("张小宝", &id("2014-01-05", 31), "grandchild")
        };
        assert_eq!(
            refused(
                s.record_change(&dongcheng, case, v, change(ChangeKind::MemberJoins(bad)))
                    .await
            )[0]
            .1,
            "id_number"
        );
        let v = s
            .record_change(
                &dongcheng,
                case,
                v,
                change(ChangeKind::MemberJoins(MemberInput {
                    employment: "preschool".into(),
                    ..member("张小宝", &id("2014-01-05", 31), "grandchild")
                })),
            )
            .await
            .unwrap();
        assert_eq!(total(db, case, "2014-03").await, march);
        assert_eq!(total(db, case, "2014-04").await, march - 7_700);
        let page = s.case(&dongcheng, case).await.unwrap();
        assert_eq!(page.members.len(), 4);
        assert_eq!(page.members[3].joined_on, d("2014-04-01"));
        assert_eq!(page.dynamics.changes[1].kind, "member_join");
        assert_eq!(
            page.dynamics.changes[1].member_name.as_deref(),
            Some("张小宝")
        );
        // A person in another active case may not join.
        let other = s
            .register_application(
                &dongcheng,
                ApplicationInput {
                    applied_on: d("2014-03-10"),
                    ..application(
                        "990101001002",
                        vec![member("王五", &id("1960-01-01", 41), "head")],
                    )
                },
            )
            .await
            .unwrap();
        let errors = refused(
            s.record_change(
                &dongcheng,
                case,
                v,
                change(ChangeKind::MemberJoins(member(
                    "王五",
                    &id("1960-01-01", 41),
                    "other",
                ))),
            )
            .await,
        );
        assert_eq!(errors[0].2, "assistance.in_other_case");
        assert!(errors[0].3.starts_with(&other.to_string()));
    })
    .await;
}

#[tokio::test]
async fn the_death_of_the_last_member_ends_the_case() {
    for_each_engine(async |db| {
        demo_db(db).await;
        let s = &db.service;
        let heping = actor(db, "heping").await;
        let jiuzhu = actor(db, "jiuzhu").await;
        on(db, "2013-07-01");
        let case = s
            .register_application(
                &heping,
                application(HEPING, vec![member("孤老", &id("1940-01-01", 51), "head")]),
            )
            .await
            .unwrap();
        let mut v = 1;
        for (st, day) in [
            (
                Step::CheckMeans {
                    income_per_capita: Fen::ZERO,
                },
                "2013-07-02",
            ),
            (Step::VisitHome, "2013-07-03"),
            (
                Step::PostNotice {
                    from: d("2013-07-04"),
                },
                "2013-07-04",
            ),
            (Step::Approve, "2013-07-11"),
        ] {
            on(db, day);
            v = s
                .record_step(&jiuzhu, case, v, step(st, day))
                .await
                .unwrap();
        }
        on(db, "2014-03-20");
        let page = s.case(&heping, case).await.unwrap();
        let only = page.members[0].id;
        v = s
            .record_change(
                &heping,
                case,
                v,
                change(ChangeKind::Death { member_id: only }),
            )
            .await
            .unwrap();
        assert!(total(db, case, "2014-03").await > 0);
        assert_eq!(total(db, case, "2014-04").await, -2);
        let page = s.case(&heping, case).await.unwrap();
        assert!(!page.active);
        assert_eq!(page.benefit_end, Some(d("2014-03-31")));
        let c = &page.dynamics.changes[0];
        assert_eq!(
            (c.kind.as_str(), c.end_date, c.end_reason),
            (
                "death",
                Some(d("2014-03-31")),
                Some(TerminationReason::Death)
            )
        );
        // Nothing more can be recorded.
        assert_eq!(
            refused(
                s.record_change(&jiuzhu, case, v, change(ChangeKind::Suspend))
                    .await
            )[0]
            .2,
            "assistance.not_paying"
        );
    })
    .await;
}

#[tokio::test]
async fn suspension_resumption_termination_and_moves() {
    for_each_engine(async |db| {
        demo_db(db).await;
        let s = &db.service;
        let (case, v) = approved(db).await;
        let dongcheng = actor(db, "dongcheng").await;
        let heping = actor(db, "heping").await;
        let jiuzhu = actor(db, "jiuzhu").await;
        on(db, "2014-03-10");
        // The front line may not suspend (a decision), but may report a move.
        assert!(matches!(
            s.record_change(&heping, case, v, change(ChangeKind::Suspend))
                .await,
            Err(Error::Forbidden)
        ));
        let v = s
            .record_change(&jiuzhu, case, v, change(ChangeKind::Suspend))
            .await
            .unwrap();
        assert_eq!(total(db, case, "2014-03").await, 55_500 + 3_850 + 7_700);
        assert_eq!(total(db, case, "2014-04").await, -1);
        assert_eq!(
            refused(
                s.record_change(&jiuzhu, case, v, change(ChangeKind::Suspend))
                    .await
            )[0]
            .2,
            "assistance.already_suspended"
        );
        on(db, "2014-05-03");
        let v = s
            .record_change(&jiuzhu, case, v, change(ChangeKind::Resume))
            .await
            .unwrap();
        assert_eq!(total(db, case, "2014-05").await, -1);
        assert_eq!(total(db, case, "2014-06").await, 55_500 + 3_850 + 7_700);
        let page = s.case(&jiuzhu, case).await.unwrap();
        assert_eq!(
            page.dynamics.changes[1].suspended_from,
            Some(month("2014-04"))
        );
        assert!(!page.dynamics.suspended);

        // A move to 幸福社区 within the street; the old place stays in the history.
        let v = s
            .record_change(
                &dongcheng,
                case,
                v,
                change(ChangeKind::Move {
                    community: XINGFU.into(),
                    address: "幸福路 8 号".into(),
                }),
            )
            .await
            .unwrap();
        let page = s.case(&dongcheng, case).await.unwrap();
        assert_eq!(page.household.division_name, "幸福社区");
        let c = &page.dynamics.changes[2];
        assert_eq!(
            (
                c.division_before.clone().unwrap().1,
                c.division_after.clone().unwrap().1
            ),
            ("和平社区".to_owned(), "幸福社区".to_owned())
        );
        assert_eq!(c.address_before.as_deref(), Some("和平路 1 号 3 单元 201"));
        // 和平社区's worker no longer sees the case.
        assert!(matches!(s.case(&heping, case).await, Err(Error::NotFound)));
        assert!(matches!(
            s.record_change(
                &heping,
                case,
                v,
                change(ChangeKind::Income {
                    income_per_capita: Fen::ZERO
                })
            )
            .await,
            Err(Error::NotFound)
        ));
        // A street officer elsewhere: not found either.
        let xicheng = quick(db, "xicheng", "street_officer", "990101002000").await;
        assert!(matches!(
            s.benefit_for_month(&xicheng, case, month("2014-05")).await,
            Err(Error::NotFound)
        ));

        // Termination ends the benefit with the month and lets go of the household.
        let v = s
            .record_change(
                &jiuzhu,
                case,
                v,
                change(ChangeKind::Terminate {
                    reason: TerminationReason::Means,
                }),
            )
            .await
            .unwrap();
        let page = s.case(&jiuzhu, case).await.unwrap();
        assert_eq!(page.benefit_end, Some(d("2014-05-31")));
        assert!(!page.active);
        assert!(
            page.members
                .iter()
                .all(|m| m.left_on == Some(d("2014-05-31")))
        );
        assert_eq!(total(db, case, "2014-06").await, -2);
        assert_eq!(page.dynamics.changes.len(), 4);
        let _ = v;
    })
    .await;
}

#[tokio::test]
async fn a_tekun_termination_waits_for_the_notice_and_spares_minors() {
    for_each_engine(async |db| {
        demo_db(db).await;
        let s = &db.service;
        let heping = actor(db, "heping").await;
        let jiuzhu = actor(db, "jiuzhu").await;
        on(db, "2013-07-01");
        let case = s
            .register_application(
                &heping,
                ApplicationInput {
                    program: "tekun_dispersed".into(),
                    ..application(
                        HEPING,
                        vec![MemberInput {
                            employment: "student".into(),
                            ..member("孤儿", &id("2000-02-02", 61), "head")
                        }],
                    )
                },
            )
            .await
            .unwrap();
        let mut v = 1;
        for (st, day) in [
            (
                Step::CheckMeans {
                    income_per_capita: Fen::ZERO,
                },
                "2013-07-02",
            ),
            (Step::VisitHome, "2013-07-03"),
            (
                Step::PostNotice {
                    from: d("2013-07-04"),
                },
                "2013-07-04",
            ),
            (Step::Approve, "2013-07-11"),
        ] {
            on(db, day);
            v = s
                .record_step(&jiuzhu, case, v, step(st, day))
                .await
                .unwrap();
        }
        on(db, "2014-03-28");
        assert_eq!(
            refused(
                s.record_change(
                    &jiuzhu,
                    case,
                    v,
                    change(ChangeKind::Terminate {
                        reason: TerminationReason::WorkAbility
                    })
                )
                .await
            )[0]
            .2,
            "assistance.minor_keeps_support"
        );
        // Recorded on 28 March, the 7-day notice ends in April: the end is 30 April.
        s.record_change(
            &jiuzhu,
            case,
            v,
            change(ChangeKind::Terminate {
                reason: TerminationReason::Imprisoned,
            }),
        )
        .await
        .unwrap();
        let page = s.case(&jiuzhu, case).await.unwrap();
        assert_eq!(page.benefit_end, Some(d("2014-04-30")));
        assert!(total(db, case, "2014-04").await > 0);
    })
    .await;
}

#[tokio::test]
async fn gradual_exit_only_where_policy_allows() {
    for_each_engine(async |db| {
        demo_db(db).await;
        let s = &db.service;
        let (case, v) = approved(db).await;
        let jiuzhu = actor(db, "jiuzhu").await;
        on(db, "2014-03-10");
        let exit = || {
            change(ChangeKind::GradualExit {
                income_per_capita: Fen::from_fen(50_000),
            })
        };
        assert_eq!(
            refused(s.record_change(&jiuzhu, case, v, exit()).await)[0].2,
            "assistance.gradual_exit_not_allowed"
        );
        let settings = AssistanceSettings {
            gradual_exit_months: 3,
            ..s.assistance_settings(&jiuzhu).await.unwrap()
        };
        s.set_assistance_settings(&jiuzhu, &settings).await.unwrap();
        let v = s.record_change(&jiuzhu, case, v, exit()).await.unwrap();
        // April to June at the old amount, nothing from July.
        let amount = 55_500 + 3_850 + 7_700;
        assert_eq!(total(db, case, "2014-06").await, amount);
        assert_eq!(total(db, case, "2014-07").await, -2);
        let page = s.case(&jiuzhu, case).await.unwrap();
        assert_eq!(page.benefit_end, Some(d("2014-06-30")));
        assert!(page.active && !page.dynamics.open);
        assert_eq!(
            page.dynamics.changes[0].income_after,
            Some(Fen::from_fen(50_000))
        );
        // While phasing out only a termination is accepted.
        assert_eq!(
            refused(
                s.record_change(&jiuzhu, case, v, change(ChangeKind::Suspend))
                    .await
            )[0]
            .2,
            "assistance.exiting"
        );
    })
    .await;
}

#[tokio::test]
async fn reviews_fall_due_by_household_class_and_frequency() {
    for_each_engine(async |db| {
        demo_db(db).await;
        let s = &db.service;
        let (case, v) = approved(db).await;
        let dongcheng = actor(db, "dongcheng").await;
        let jiuzhu = actor(db, "jiuzhu").await;
        // The spouse (58, unemployed) can work: reviewed every six months from the approval.
        on(db, "2014-01-05");
        let page = s.case(&dongcheng, case).await.unwrap();
        assert_eq!(page.dynamics.class, Some(HouseholdClass::WorkCapable));
        assert_eq!(page.dynamics.next_review, Some(d("2014-01-11")));
        assert!(
            s.reviews_due(&dongcheng, d("2014-01-10"), None)
                .await
                .unwrap()
                .is_empty()
        );
        let due = s
            .reviews_due(&dongcheng, d("2014-01-11"), None)
            .await
            .unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!((due[0].case_id, due[0].due), (case, d("2014-01-11")));
        assert_eq!(due[0].head_name, "张小明");
        // Filtered by another street: none; out of jurisdiction: none.
        let xicheng_code = "990101002000".parse().unwrap();
        assert!(
            s.reviews_due(&jiuzhu, d("2014-02-01"), Some(&xicheng_code))
                .await
                .unwrap()
                .is_empty()
        );
        let xicheng = quick(db, "xicheng", "street_officer", "990101002000").await;
        assert!(
            s.reviews_due(&xicheng, d("2014-02-01"), None)
                .await
                .unwrap()
                .is_empty()
        );
        // The home page counts them for those who act.
        on(db, "2014-01-12");
        assert!(
            s.attention(&dongcheng)
                .await
                .unwrap()
                .contains(&Attention::ReviewsDue { count: 1 })
        );
        // A review with nothing changed restarts the clock.
        let v = s
            .record_review(&dongcheng, case, v, ReviewOutcome::Unchanged, "")
            .await
            .unwrap();
        assert!(
            s.reviews_due(&dongcheng, d("2014-07-11"), None)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            s.reviews_due(&dongcheng, d("2014-07-12"), None)
                .await
                .unwrap()
                .len(),
            1
        );
        // Quarterly, as older rules say, once configured.
        let settings = AssistanceSettings {
            review_months: ReviewMonths {
                work_capable: 3,
                ..ReviewMonths::default()
            },
            ..s.assistance_settings(&jiuzhu).await.unwrap()
        };
        s.set_assistance_settings(&jiuzhu, &settings).await.unwrap();
        assert_eq!(
            s.reviews_due(&dongcheng, d("2014-04-12"), None)
                .await
                .unwrap()
                .len(),
            1
        );
        // A review that finds more income changes it from next month.
        let v = s
            .record_review(
                &dongcheng,
                case,
                v,
                ReviewOutcome::Changed {
                    income_per_capita: Fen::from_fen(25_000),
                },
                "复核:配偶打零工",
            )
            .await
            .unwrap();
        assert_eq!(total(db, case, "2014-01").await, 55_500 + 3_850 + 7_700);
        assert_eq!(
            total(db, case, "2014-02").await,
            55_500 - 15_000 + 3_850 + 7_700
        );
        // Terminating on review is a decision.
        assert!(matches!(
            s.record_review(
                &dongcheng,
                case,
                v,
                ReviewOutcome::Terminate {
                    reason: TerminationReason::Means
                },
                "复核:收入超标"
            )
            .await,
            Err(Error::Forbidden)
        ));
        let page = s.case(&dongcheng, case).await.unwrap();
        let outcomes: Vec<_> = page
            .dynamics
            .changes
            .iter()
            .map(|c| (c.kind.as_str(), c.outcome.as_deref()))
            .collect();
        assert_eq!(
            outcomes,
            [("review", Some("unchanged")), ("review", Some("changed"))]
        );
    })
    .await;
}

#[test]
fn the_household_class_follows_the_members() {
    let on = d("2014-01-01");
    let m = |birth: &str, grade: i64, ill: bool, employment: &str| {
        (d(birth), grade, ill, employment.to_owned())
    };
    assert_eq!(
        household_class(Program::Dibao, &[m("1940-01-01", 0, false, "retired")], on),
        HouseholdClass::Stable
    );
    assert_eq!(
        household_class(Program::Dibao, &[m("1940-01-01", 0, true, "retired")], on),
        HouseholdClass::IllOrDisabled
    );
    assert_eq!(
        household_class(
            Program::Dibao,
            &[
                m("1940-01-01", 0, true, "retired"),
                m("1980-01-01", 0, false, "employed")
            ],
            on
        ),
        HouseholdClass::WorkCapable
    );
    assert_eq!(
        household_class(
            Program::Dibao,
            &[m("1980-01-01", 2, false, "unemployed")],
            on
        ),
        HouseholdClass::IllOrDisabled,
        "a grade-2 disability is not able to work"
    );
    assert_eq!(
        household_class(
            Program::TekunDispersed,
            &[m("1980-01-01", 0, false, "employed")],
            on
        ),
        HouseholdClass::Stable
    );
}
