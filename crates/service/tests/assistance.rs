//! Social assistance through `service` on SQLite and PostgreSQL: an application taken by a
//! community worker, investigated by the street, approved by the district after the notice;
//! permissions, jurisdiction, the one-active-case rule, field errors by row, optimistic
//! locking, standards and their impact, the printable notice, reveals and the audit log.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a line number"
)]

use chrono::{TimeZone, Utc};
use domain::assistance::workflow::{Status, Step, StepKind};
use domain::assistance::{
    ClassifiedPolicy, Condition, HouseholdFacts, IncrementRule, MemberFacts, PolicyTable, Program,
    Standard, StandardTable, monthly_benefit,
};
use domain::{Area, Fen, Month, ResidentId};
use service::Error;
use service::assistance::{
    ApprovingLevel, AssistanceSettings, CaseQuery, CaseStatus, StandardInput,
};
use service::attention::Attention;
use testkit::{demo, for_each_engine};

mod common;

use common::*;

#[tokio::test]
async fn an_application_runs_from_the_community_to_the_district_and_pays_next_month() {
    for_each_engine(async |db| {
        demo_db(db).await;
        let s = &db.service;
        let (case, v) = through_notice(db).await;
        assert_eq!(v, 4);
        let dongcheng = actor(db, "dongcheng").await;
        let jiuzhu = actor(db, "jiuzhu").await;

        // While the notice runs, nobody decides; the street may not decide at all.
        on(db, "2013-07-10");
        assert_eq!(
            refused(
                s.record_step(&jiuzhu, case, v, step(Step::Approve, "2013-07-10"))
                    .await
            ),
            [(
                None,
                "step",
                "workflow.notice_running",
                "the notice runs until 2013-07-10; a decision can be recorded from the next day"
                    .into()
            )]
        );
        on(db, "2013-07-11");
        assert!(matches!(
            s.record_step(&dongcheng, case, v, step(Step::Approve, "2013-07-11"))
                .await,
            Err(Error::Forbidden)
        ));
        let page = s.case(&dongcheng, case).await.unwrap();
        assert_eq!(
            page.allowed_next,
            [StepKind::Withdraw],
            "no decision buttons for the street"
        );
        let page = s.case(&jiuzhu, case).await.unwrap();
        assert_eq!(
            page.allowed_next,
            [StepKind::Approve, StepKind::Refuse, StepKind::Withdraw]
        );

        let v = s
            .record_step(&jiuzhu, case, v, step(Step::Approve, "2013-07-11"))
            .await
            .unwrap();
        assert_eq!(v, 5);

        on(db, "2013-08-05");
        let page = s.case(&jiuzhu, case).await.unwrap();
        assert_eq!(
            page.status,
            Status::Approved {
                on: d("2013-07-11")
            }
        );
        assert_eq!(page.benefit_start, Some(d("2013-08-01")));
        assert!(page.active && !page.overdue && page.allowed_next.is_empty());
        assert_eq!(page.household.division_name, "和平社区");
        assert_eq!(page.household.area, Area::Urban);
        // Who recorded each step, and when.
        let who: Vec<(&str, &str)> = page
            .actions
            .iter()
            .map(|a| (a.by.as_str(), a.by_name.as_str()))
            .collect();
        assert_eq!(
            who,
            [
                ("heping", "和平社区 赵社工"),
                ("dongcheng", "东城街道民政办 张干事"),
                ("dongcheng", "东城街道民政办 张干事"),
                ("dongcheng", "东城街道民政办 张干事"),
                ("jiuzhu", "救助科 王科员"),
            ]
        );
        assert_eq!(page.actions[0].step, Step::Apply { on_behalf: true });
        assert_eq!(page.actions[2].note, "入户核实:三口人,住房 40 平方米");
        assert_eq!(
            page.actions[4].at,
            Utc.with_ymd_and_hms(2013, 7, 11, 1, 0, 0).unwrap()
        );
        // ID numbers are masked; the age replaces the birth date.
        assert_eq!(
            page.members[0].id_number,
            ResidentId::parse(&id("1950-03-01", 11)).unwrap().masked()
        );
        assert!(
            page.members
                .iter()
                .all(|m| m.id_number.contains("**********"))
        );
        assert_eq!(page.members[0].age, 63);

        // The benefit is the domain function's, with the demo standards and policy.
        let standards = StandardTable::new(vec![Standard {
            program: Program::Dibao,
            area: Area::Urban,
            effective_from: d("2013-01-01"),
            amount: Fen::from_fen(38_500),
            citation: String::new(),
        }])
        .unwrap();
        let policies = PolicyTable::new(vec![ClassifiedPolicy::default_2013()]).unwrap();
        let facts = HouseholdFacts {
            program: Program::Dibao,
            area: Area::Urban,
            income_per_capita: Fen::from_fen(20_000),
            members: [("1950-03-01", 0), ("1955-06-01", 0), ("1990-09-09", 2)]
                .into_iter()
                .map(|(b, g)| MemberFacts {
                    birth_date: d(b),
                    disability_grade: g,
                    severe_illness: false,
                    self_care: None,
                })
                .collect(),
        };
        let expected = monthly_benefit(
            &facts,
            Month::parse("2013-08").unwrap(),
            &standards,
            &policies,
            &[],
        )
        .unwrap();
        let benefit = page.benefit.unwrap();
        assert_eq!(benefit, expected);
        // (385 − 200) × 3 = 555, plus 10 % of 385 for the head (63) and 20 % for the son.
        assert_eq!(benefit.total, Fen::from_fen(55_500 + 3_850 + 7_700));

        // Every step is in the audit log, with the case as its object.
        let steps = audit_of(db, "assistance.step.").await;
        let actions: Vec<(&str, &str, &str)> = steps
            .iter()
            .map(|e| (e.action.as_str(), e.actor.as_str(), e.object.as_str()))
            .collect();
        let object = format!("case:{case}");
        assert_eq!(
            actions,
            [
                ("assistance.step.check_means", "dongcheng", object.as_str()),
                ("assistance.step.visit_home", "dongcheng", object.as_str()),
                ("assistance.step.post_notice", "dongcheng", object.as_str()),
                ("assistance.step.approve", "jiuzhu", object.as_str()),
            ]
        );
        assert!(steps[3].detail.contains("benefit_start=2013-08-01"));
        let applied = audit_of(db, "assistance.apply").await;
        assert_eq!(
            (
                applied.len(),
                applied[0].actor.as_str(),
                applied[0].object.as_str()
            ),
            (1, "heping", object.as_str())
        );
        assert!(!audit_of(db, "assistance.read").await.is_empty());
    })
    .await;
}

#[tokio::test]
async fn the_approving_level_can_be_delegated_to_the_street() {
    for_each_engine(async |db| {
        demo_db(db).await;
        let s = &db.service;
        let (case, v) = through_notice(db).await;
        let dongcheng = actor(db, "dongcheng").await;
        let jiuzhu = actor(db, "jiuzhu").await;
        let delegated = AssistanceSettings {
            approving_level: ApprovingLevel::Street,
            ..AssistanceSettings::default()
        };
        // Only the district sets it.
        assert!(matches!(
            s.set_assistance_settings(&dongcheng, &delegated).await,
            Err(Error::Forbidden)
        ));
        s.set_assistance_settings(&jiuzhu, &delegated)
            .await
            .unwrap();
        assert_eq!(s.assistance_settings(&dongcheng).await.unwrap(), delegated);
        on(db, "2013-07-11");
        s.record_step(&dongcheng, case, v, step(Step::Approve, "2013-07-11"))
            .await
            .unwrap();
        let setting = audit_of(db, "assistance.setting").await;
        assert_eq!(setting[0].detail, "district→street");
    })
    .await;
}

#[tokio::test]
async fn cases_outside_the_jurisdiction_are_not_found_and_not_counted() {
    for_each_engine(async |db| {
        demo_db(db).await;
        let s = &db.service;
        let (case, _) = through_notice(db).await;
        let xicheng = quick(db, "xicheng", "street_officer", "990101002000").await;
        let xingfu = quick(db, "xingfu", "community_worker", XINGFU).await;
        for outsider in [&xicheng, &xingfu] {
            assert!(matches!(s.case(outsider, case).await, Err(Error::NotFound)));
            assert!(matches!(
                s.notice(outsider, case).await,
                Err(Error::NotFound)
            ));
            assert!(matches!(
                s.reveal_id_number(outsider, case, 1, "核对身份信息").await,
                Err(Error::NotFound)
            ));
            assert!(matches!(
                s.record_step(
                    outsider,
                    case,
                    4,
                    step(
                        Step::Withdraw {
                            reason: "本人撤回".into()
                        },
                        "2013-07-04"
                    )
                )
                .await,
                Err(Error::NotFound)
            ));
            let page = s
                .cases(outsider, &CaseQuery::default(), None)
                .await
                .unwrap();
            assert_eq!((page.total, page.items.len()), (0, 0));
            // Not even a whole ID number finds it.
            let q = CaseQuery {
                q: id("1950-03-01", 11),
                ..CaseQuery::default()
            };
            assert_eq!(s.cases(outsider, &q, None).await.unwrap().total, 0);
        }
        // An application into a community outside the jurisdiction is refused by field.
        assert_eq!(
            refused(
                s.register_application(&xingfu, application(HEPING, zhang()))
                    .await
            )[0]
            .2,
            "assistance.community_unknown"
        );
        // The overdue count leaves the case out too.
        on(db, "2013-09-30");
        assert_eq!(s.overdue_case_count(&xicheng).await.unwrap(), 0);
        assert_eq!(
            s.overdue_case_count(&actor(db, "dongcheng").await)
                .await
                .unwrap(),
            1
        );
        let items = s.attention(&actor(db, "jiuzhu").await).await.unwrap();
        assert!(
            items.contains(&Attention::CasesOverdue { count: 1 }),
            "{items:?}"
        );
        assert!(
            !s.attention(&xicheng)
                .await
                .unwrap()
                .iter()
                .any(|i| matches!(i, Attention::CasesOverdue { .. }))
        );
        let overdue = CaseQuery {
            status: Some(CaseStatus::Overdue),
            ..CaseQuery::default()
        };
        let page = s
            .cases(&actor(db, "jiuzhu").await, &overdue, None)
            .await
            .unwrap();
        assert_eq!(page.total, 1);
        assert!(page.items[0].overdue);
        let detail = s.case(&actor(db, "jiuzhu").await, case).await.unwrap();
        assert!(detail.overdue);
        assert!(detail.decision_due.unwrap() < d("2013-09-30"));
    })
    .await;
}

#[tokio::test]
async fn a_person_in_another_active_case_is_refused_with_the_case_named() {
    for_each_engine(async |db| {
        demo_db(db).await;
        let s = &db.service;
        let heping = actor(db, "heping").await;
        let dongcheng = actor(db, "dongcheng").await;
        let first = s
            .register_application(&heping, application(HEPING, zhang()))
            .await
            .unwrap();
        // The son applies for 特困 on his own in another community of the street.
        let mut alone = application(XINGFU, vec![zhang().remove(2)]);
        alone.members[0].relation = "head".into();
        alone.program = "tekun_dispersed".into();
        let errors = refused(s.register_application(&dongcheng, alone.clone()).await);
        assert_eq!(
            errors,
            [(
                Some(1),
                "id_number",
                "assistance.in_other_case",
                format!("{first} dibao 和平社区")
            )]
        );
        // Once the first case is withdrawn, the person is free.
        s.record_step(
            &heping,
            first,
            1,
            step(
                Step::Withdraw {
                    reason: "申请人撤回".into(),
                },
                "2013-07-01",
            ),
        )
        .await
        .unwrap();
        let second = s.register_application(&dongcheng, alone).await.unwrap();
        let page = s.case(&dongcheng, first).await.unwrap();
        assert!(!page.active);
        assert!(
            page.members
                .iter()
                .all(|m| m.left_on == Some(d("2013-07-01")))
        );
        assert_eq!(
            s.case(&dongcheng, second).await.unwrap().program,
            Program::TekunDispersed
        );
    })
    .await;
}

#[tokio::test]
async fn bad_fields_are_refused_by_row_and_nothing_is_written() {
    for_each_engine(async |db| {
        demo_db(db).await;
        let s = &db.service;
        let heping = actor(db, "heping").await;
        let mut members = zhang();
        // A mistyped check character, a second head, an unknown relation, grade 5, twice
        // the same person.
        let good = members[1].id_number.clone();
        let mut bad = members[2].id_number.clone();
        let last = bad.pop().unwrap();
        bad.push(if last == '0' { '1' } else { '0' });
        members[2].id_number = bad;
        members[2].disability_grade = 5;
        members[1].relation = "head".into();
        members.push(member("王五", &good, "cousin"));
        let mut input = application(HEPING, members);
        input.address = "  ".into();
        input.program = "wubao".into();
        let errors = refused(s.register_application(&heping, input).await);
        let short: Vec<(Option<usize>, &str, &str)> =
            errors.iter().map(|(r, f, c, _)| (*r, *f, *c)).collect();
        assert_eq!(
            short,
            [
                (None, "address", "assistance.address"),
                (None, "program", "assistance.unknown_program"),
                (None, "relation", "assistance.head_count"),
                (Some(3), "id_number", "resident_id.check_char_mismatch"),
                (Some(3), "disability_grade", "assistance.disability_grade"),
                (Some(4), "id_number", "assistance.duplicate_member"),
                (Some(4), "relation", "assistance.relation_unknown"),
            ]
        );
        let page = s.cases(&heping, &CaseQuery::default(), None).await.unwrap();
        assert_eq!(page.total, 0, "nothing written");
        assert!(audit_of(db, "assistance.apply").await.is_empty());
        // A future date and a street as the community (the street officer sees the street;
        // for the community worker it would be unknown).
        let mut input = application("990101001000", zhang());
        input.applied_on = d("2013-07-02");
        let dongcheng = actor(db, "dongcheng").await;
        let codes: Vec<&str> = refused(s.register_application(&dongcheng, input).await)
            .into_iter()
            .map(|e| e.2)
            .collect();
        assert_eq!(
            codes,
            ["assistance.community_level", "assistance.future_date"]
        );
    })
    .await;
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_naming_who_changed_the_case() {
    for_each_engine(async |db| {
        demo_db(db).await;
        let s = &db.service;
        let heping = actor(db, "heping").await;
        let dongcheng = actor(db, "dongcheng").await;
        let case = s
            .register_application(&heping, application(HEPING, zhang()))
            .await
            .unwrap();
        on(db, "2013-07-02");
        let means = step(
            Step::CheckMeans {
                income_per_capita: Fen::from_fen(20_000),
            },
            "2013-07-02",
        );
        s.record_step(&dongcheng, case, 1, means.clone())
            .await
            .unwrap();
        // The community worker's page still shows version 1.
        match s.record_step(&heping, case, 1, means).await {
            Err(Error::Conflict { code, detail }) => {
                assert_eq!(code, "assistance.case_changed");
                assert_eq!(detail, "dongcheng at 2013-07-02 09:00+08:00");
            }
            other => panic!("expected a conflict, got {other:?}"),
        }
        // Out-of-order and back-dated steps come back as field errors.
        let codes = refused(
            s.record_step(
                &dongcheng,
                case,
                2,
                step(Step::ReviewInCommunity, "2013-07-02"),
            )
            .await,
        );
        assert_eq!(codes[0].2, "workflow.out_of_order");
        let codes = refused(
            s.record_step(&dongcheng, case, 2, step(Step::VisitHome, "2013-07-01"))
                .await,
        );
        assert_eq!((codes[0].1, codes[0].2), ("on", "workflow.back_dated"));
        let codes = refused(
            s.record_step(
                &dongcheng,
                case,
                2,
                step(Step::Refuse { reason: " ".into() }, "2013-07-02"),
            )
            .await,
        );
        assert_eq!(
            (codes[0].1, codes[0].2),
            ("reason", "workflow.reason_required")
        );
        assert_eq!(audit_of(db, "assistance.step.").await.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn the_notice_masks_names_and_shows_the_amount() {
    for_each_engine(async |db| {
        demo_db(db).await;
        let s = &db.service;
        let heping = actor(db, "heping").await;
        let case = s
            .register_application(&heping, application(HEPING, zhang()))
            .await
            .unwrap();
        assert!(matches!(
            s.notice(&heping, case).await,
            Err(Error::Conflict {
                code: "assistance.notice_not_posted",
                ..
            })
        ));
        let (case, _) = {
            // A second household through the notice (the first one holds the Zhangs).
            s.record_step(
                &heping,
                case,
                1,
                step(
                    Step::Withdraw {
                        reason: "重新申请".into(),
                    },
                    "2013-07-01",
                ),
            )
            .await
            .unwrap();
            through_notice(db).await
        };
        let sheet = s.notice(&heping, case).await.unwrap();
        assert_eq!(sheet.head, "张*明");
        let names: Vec<&str> = sheet.members.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["张*明", "李*英", "张*"]);
        assert_eq!(sheet.persons, 3);
        assert_eq!(sheet.division_name, "和平社区");
        assert_eq!(
            (sheet.notice_from, sheet.notice_until),
            (d("2013-07-04"), d("2013-07-10"))
        );
        assert_eq!(sheet.month, Some(Month::parse("2013-08").unwrap()));
        assert_eq!(sheet.standard, Some(Fen::from_fen(38_500)));
        assert_eq!(sheet.amount, Some(Fen::from_fen(67_050)));
        assert_eq!(audit_of(db, "assistance.notice").await.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn revealing_an_id_number_needs_a_reason_and_is_audited() {
    for_each_engine(async |db| {
        demo_db(db).await;
        let s = &db.service;
        let heping = actor(db, "heping").await;
        let case = s
            .register_application(&heping, application(HEPING, zhang()))
            .await
            .unwrap();
        let member = s.case(&heping, case).await.unwrap().members[0].id;
        assert_eq!(
            refused(s.reveal_id_number(&heping, case, member, "看看").await)[0].2,
            "assistance.reason_short"
        );
        assert!(audit_of(db, "assistance.reveal").await.is_empty());
        let full = s
            .reveal_id_number(&heping, case, member, "核对户口本信息")
            .await
            .unwrap();
        assert_eq!(full, id("1950-03-01", 11));
        let entries = audit_of(db, "assistance.reveal").await;
        assert_eq!(entries.len(), 1);
        assert_eq!(
            (
                entries[0].actor.as_str(),
                entries[0].reason.as_str(),
                entries[0].object.clone()
            ),
            ("heping", "核对户口本信息", format!("case:{case}"))
        );
        // An administrator may not reveal (nor read) cases at all.
        let admin = actor(db, "admin").await;
        assert!(matches!(
            s.reveal_id_number(&admin, case, member, "核对户口本信息")
                .await,
            Err(Error::Forbidden)
        ));
        assert!(matches!(s.case(&admin, case).await, Err(Error::Forbidden)));
        // A member of another case is not found through this one.
        assert!(matches!(
            s.reveal_id_number(&heping, case, member + 100, "核对户口本信息")
                .await,
            Err(Error::NotFound)
        ));
    })
    .await;
}

#[tokio::test]
async fn the_case_list_searches_filters_and_pages_in_sql() {
    for_each_engine(async |db| {
        demo_db(db).await;
        let s = &db.service;
        let heping = actor(db, "heping").await;
        let dongcheng = actor(db, "dongcheng").await;
        let zhang_case = s
            .register_application(&heping, application(HEPING, zhang()))
            .await
            .unwrap();
        let mut other = application(
            XINGFU,
            vec![member("曾小三", &id("1948-01-01", 31), "head")],
        );
        other.program = "tekun_dispersed".into();
        let zeng_case = s.register_application(&dongcheng, other).await.unwrap();
        let ids = |page: &service::list::Page<service::assistance::CaseListItem>| {
            page.items.iter().map(|c| c.id).collect::<Vec<_>>()
        };
        let q = |text: &str| CaseQuery {
            q: text.into(),
            ..CaseQuery::default()
        };
        assert_eq!(
            ids(&s.cases(&dongcheng, &q("张小"), None).await.unwrap()),
            [zhang_case]
        );
        assert_eq!(
            ids(&s.cases(&dongcheng, &q("zxm"), None).await.unwrap()),
            [zhang_case]
        );
        // Polyphonic 曾: zeng and ceng both find it.
        assert_eq!(
            ids(&s.cases(&dongcheng, &q("cxs"), None).await.unwrap()),
            [zeng_case]
        );
        assert_eq!(
            ids(&s.cases(&dongcheng, &q("ZXS"), None).await.unwrap()),
            [zeng_case]
        );
        // Any member's whole ID number finds the case; a part does not.
        let son = id("1990-09-09", 13);
        assert_eq!(
            ids(&s.cases(&dongcheng, &q(&son), None).await.unwrap()),
            [zhang_case]
        );
        assert_eq!(
            s.cases(&dongcheng, &q(&son[..10]), None)
                .await
                .unwrap()
                .total,
            0
        );
        // Filters: programme, division, status.
        let all = CaseQuery::default();
        assert_eq!(
            ids(&s
                .cases(&dongcheng, &all, Some(Program::TekunDispersed))
                .await
                .unwrap()),
            [zeng_case]
        );
        let in_heping = CaseQuery {
            division: Some(HEPING.parse().unwrap()),
            ..CaseQuery::default()
        };
        assert_eq!(
            ids(&s.cases(&dongcheng, &in_heping, None).await.unwrap()),
            [zhang_case]
        );
        // The community worker sees only her community.
        assert_eq!(
            ids(&s.cases(&heping, &all, None).await.unwrap()),
            [zhang_case]
        );
        let status = |st| CaseQuery {
            status: Some(st),
            ..CaseQuery::default()
        };
        assert_eq!(
            s.cases(&dongcheng, &status(CaseStatus::Applied), None)
                .await
                .unwrap()
                .total,
            2
        );
        assert_eq!(
            s.cases(&dongcheng, &status(CaseStatus::Pending), None)
                .await
                .unwrap()
                .total,
            2
        );
        assert_eq!(
            s.cases(&dongcheng, &status(CaseStatus::Approved), None)
                .await
                .unwrap()
                .total,
            0
        );
        // Sorting and paging.
        let by_name = CaseQuery {
            sort: Some(service::assistance::CaseSort::Name),
            per_page: 1,
            page: 2,
            ..CaseQuery::default()
        };
        let page = s.cases(&dongcheng, &by_name, None).await.unwrap();
        assert_eq!(
            (page.total, page.page, ids(&page)),
            (2, 2, vec![zhang_case])
        );
        let past_end = CaseQuery { page: 9, ..by_name };
        assert_eq!(s.cases(&dongcheng, &past_end, None).await.unwrap().page, 2);
        let row = &s.cases(&heping, &all, None).await.unwrap().items[0];
        assert_eq!(
            (row.head_name.as_str(), row.members, row.status),
            ("张小明", 3, CaseStatus::Applied)
        );
        assert!(row.head_id_number.contains("**********"));
        assert_eq!(row.division_name, "和平社区");
    })
    .await;
}

#[tokio::test]
async fn a_standard_change_shows_its_impact_before_it_is_saved() {
    for_each_engine(async |db| {
        demo_db(db).await;
        let s = &db.service;
        let (case, v) = through_notice(db).await;
        let jiuzhu = actor(db, "jiuzhu").await;
        on(db, "2013-07-11");
        s.record_step(&jiuzhu, case, v, step(Step::Approve, "2013-07-11"))
            .await
            .unwrap();
        let raise = StandardInput {
            program: "dibao".into(),
            area: "urban".into(),
            effective_from: d("2013-09-01"),
            amount: Fen::from_fen(40_000),
            citation: "示范区民政局 2013 年第 5 号".into(),
        };
        let impact = s.standard_impact(&jiuzhu, &raise).await.unwrap();
        // (400 − 385) × 3 = 45 more, and the increments grow with S: 40 − 38.50 and 80 − 77.
        assert_eq!(impact.month, Month::parse("2013-09").unwrap());
        assert_eq!(
            (impact.households, impact.persons, impact.monthly_change_fen),
            (1, 3, 4_950)
        );
        // Rural standards do not touch an urban household; nothing is saved by asking.
        let rural = StandardInput {
            area: "rural".into(),
            ..raise.clone()
        };
        assert_eq!(
            s.standard_impact(&jiuzhu, &rural).await.unwrap().households,
            0
        );
        assert_eq!(
            s.standards(&jiuzhu).await.unwrap().len(),
            demo::STANDARDS.len()
        );

        // Only the district section saves standards.
        let dongcheng = actor(db, "dongcheng").await;
        assert!(matches!(
            s.set_standard(&dongcheng, &raise).await,
            Err(Error::Forbidden)
        ));
        let bad = StandardInput {
            amount: Fen::from_fen(-1),
            citation: " ".into(),
            ..raise.clone()
        };
        let codes: Vec<&str> = refused(s.set_standard(&jiuzhu, &bad).await)
            .into_iter()
            .map(|e| e.2)
            .collect();
        assert_eq!(codes, ["assistance.negative_amount", "assistance.citation"]);
        s.set_standard(&jiuzhu, &raise).await.unwrap();
        let stored = s.standards(&jiuzhu).await.unwrap();
        assert!(
            stored
                .iter()
                .any(|r| r.effective_from == d("2013-09-01") && r.amount == Fen::from_fen(40_000))
        );
        let entry = audit_of(db, "assistance.standard").await.pop().unwrap();
        assert_eq!(entry.object, "standard:dibao:urban:2013-09-01");
        assert!(
            entry.detail.starts_with("amount=400.00 previous=none"),
            "{}",
            entry.detail
        );
        // Once saved, the same change has no further impact.
        assert_eq!(
            s.standard_impact(&jiuzhu, &raise).await.unwrap().households,
            0
        );
        on(db, "2013-09-02");
        let page = s.case(&jiuzhu, case).await.unwrap();
        assert_eq!(page.benefit.unwrap().total, Fen::from_fen(67_050 + 4_950));
        assert_eq!(
            s.policies(&jiuzhu).await.unwrap(),
            [ClassifiedPolicy::default_2013()]
        );
    })
    .await;
}

#[tokio::test]
async fn exports_are_masked_audited_and_for_exporters_and_an_approval_shows_the_first_benefit() {
    for_each_engine(async |db| {
        demo_db(db).await;
        let s = &db.service;
        let (case, v) = through_notice(db).await;
        let jiuzhu = actor(db, "jiuzhu").await;
        let leader = actor(db, "leader").await;
        let admin = actor(db, "admin").await;
        let query = CaseQuery::default();
        let rows = s.export_cases(&leader, &query, None).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert!(rows[0].head_id_number.contains("**"));
        let page = s.cases(&leader, &query, None).await.unwrap();
        assert_eq!(rows, page.items);
        assert!(matches!(
            s.export_cases(&admin, &query, None).await,
            Err(Error::Forbidden)
        ));
        let entry = audit_of(db, "assistance.export").await.pop().unwrap();
        assert!(entry.detail.starts_with("rows=1"), "{}", entry.detail);
        // Approved on 07-11, paid from August: the page shows August's amount in July.
        on(db, "2013-07-11");
        s.record_step(&jiuzhu, case, v, step(Step::Approve, "2013-07-11"))
            .await
            .unwrap();
        let detail = s.case(&jiuzhu, case).await.unwrap();
        assert_eq!(detail.benefit_start, Some(d("2013-08-01")));
        assert_eq!(detail.benefit.unwrap().month.to_string(), "2013-08");
        let divisions = s
            .assistance_divisions(&actor(db, "heping").await)
            .await
            .unwrap();
        assert_eq!(divisions.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_policy_change_shows_its_impact_before_it_is_saved() {
    for_each_engine(async |db| {
        demo_db(db).await;
        let s = &db.service;
        let (case, v) = through_notice(db).await;
        let jiuzhu = actor(db, "jiuzhu").await;
        on(db, "2013-07-11");
        s.record_step(&jiuzhu, case, v, step(Step::Approve, "2013-07-11"))
            .await
            .unwrap();
        let before = s.case(&jiuzhu, case).await.unwrap().benefit.unwrap().total;
        // Disability grades 1–2 rise from 20 % to 30 % from a mid-month date: the first month
        // it applies to is the next one.
        let policy = ClassifiedPolicy {
            effective_from: d("2013-08-15"),
            rules: vec![
                IncrementRule {
                    condition: Condition::DisabilityGrade { min: 1, max: 2 },
                    pct: 30,
                },
                IncrementRule {
                    condition: Condition::SevereIllness,
                    pct: 15,
                },
                IncrementRule {
                    condition: Condition::AgeAtLeast { years: 60 },
                    pct: 10,
                },
            ],
            citation: "示范区分类施保办法(修订)".into(),
        };
        let impact = s.policy_impact(&jiuzhu, &policy).await.unwrap();
        assert_eq!(impact.month, Month::parse("2013-09").unwrap());
        // 30 % − 20 % of 385.00 for the one disabled member.
        assert_eq!(
            (impact.households, impact.persons, impact.monthly_change_fen),
            (1, 3, 3_850)
        );
        // Asking saves nothing; a bad rule is refused by row, like saving.
        assert_eq!(
            s.policies(&jiuzhu).await.unwrap(),
            [ClassifiedPolicy::default_2013()]
        );
        let mut bad = policy.clone();
        bad.rules[1].pct = 101;
        let refused = refused(s.policy_impact(&jiuzhu, &bad).await);
        assert_eq!(refused.len(), 1);
        assert_eq!(
            (refused[0].0, refused[0].2),
            (Some(2), "assistance.percent_too_large")
        );
        s.set_policy(&jiuzhu, &policy).await.unwrap();
        assert_eq!(
            s.policy_impact(&jiuzhu, &policy).await.unwrap().households,
            0
        );
        on(db, "2013-08-20");
        assert_eq!(
            s.case(&jiuzhu, case).await.unwrap().benefit.unwrap().total,
            before
        );
        on(db, "2013-09-02");
        assert_eq!(
            s.case(&jiuzhu, case).await.unwrap().benefit.unwrap().total,
            Fen::from_fen(before.as_fen() + 3_850)
        );
    })
    .await;
}
