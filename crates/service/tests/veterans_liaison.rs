//! Category combinations, leader–veteran liaison pairings and petition cases through
//! `service` on SQLite and PostgreSQL (issue 7 items 1 and 8): a forbidden pair of
//! categories refused by name, configurable as data; pairings re-assigned with their
//! history; petition cases with dated follow-ups, the due list of visits and the close;
//! every bad input refused with its reason and nothing written; jurisdiction and audit; and
//! the demo's V9 figures in the half-year report and the veterans' dashboard.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a line number"
)]

use domain::veterans::petitions::VisitDue;
use service::list::ListQuery;
use service::veterans::StatusInput;
use service::veterans::liaison::{PairingInput, PairingQuery, ReassignInput};
use service::veterans::petitions::{
    CloseInput, FollowupInput, OpenInput, PetitionQuery, PetitionStatus,
};
use service::{Actor, Error};
use testkit::{TestDb, for_each_engine};

mod common;

use common::*;

async fn scalar(db: &TestDb, query: &str) -> i64 {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    let v: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(query.to_owned()))
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    v
}

async fn count(db: &TestDb, table: &str) -> i64 {
    scalar(db, &format!("SELECT COUNT(*) FROM {table}")).await
}

#[tokio::test]
async fn a_forbidden_pair_of_categories_is_refused_by_name_and_the_pairs_are_data() {
    for_each_engine(async |db| {
        let youfu = veterans_section(db).await;
        let s = &db.service;
        let wang = id("1950-04-01", 31);
        s.register_entitlement(&youfu, &in_category(&wang, "42"))
            .await
            .unwrap();
        let before = count(db, "veteran_entitlements").await;
        let refusal = refused(
            s.register_entitlement(&youfu, &in_category(&wang, "11"))
                .await,
        );
        assert_eq!(refusal[0].1, "category");
        assert_eq!(refusal[0].2, "veterans.combination");
        assert!(
            refusal[0].3.contains("残疾军人") && refusal[0].3.contains("带病回乡退伍军人"),
            "{refusal:?}"
        );
        assert_eq!(count(db, "veteran_entitlements").await, before);
        // The elderly allowance beside the subsidy: refused as well.
        assert_eq!(
            refused(
                s.register_entitlement(&youfu, &in_category(&wang, "81"))
                    .await
            )[0]
            .2,
            "veterans.combination"
        );
        // Allowed pairs stay allowed: a combat veteran may be a disabled soldier too.
        let qian = id("1946-05-20", 32);
        s.register_entitlement(&youfu, &in_category(&qian, "51"))
            .await
            .unwrap();
        s.register_entitlement(&youfu, &in_category(&qian, "11"))
            .await
            .unwrap();
        // Once the subsidy has ended, the disability may be registered.
        let page = s
            .entitlements(
                &youfu,
                &service::veterans::EntitlementQuery {
                    list: ListQuery {
                        q: wang.clone(),
                        ..ListQuery::default()
                    },
                    category: None,
                },
            )
            .await
            .unwrap();
        let subsidy = page.items[0].id;
        s.change_entitlement_status(
            &youfu,
            subsidy,
            &StatusInput {
                status: "ended".into(),
                effective_on: "2013-06-30".into(),
                reason: "评定伤残等级，改按残疾军人抚恤".into(),
                version: 1,
            },
        )
        .await
        .unwrap();
        s.register_entitlement(&youfu, &in_category(&wang, "11"))
            .await
            .unwrap();
        // The pairs are data: a new pair is refused from then on.
        db.store()
            .insert_veteran_exclusions(
                &[store::ExclusionRow {
                    category_code: "21".into(),
                    excludes_code: "71".into(),
                    reason: "测试规则".into(),
                }],
                &db.service.audit(&Actor::system(), "test", "", "", ""),
            )
            .await
            .unwrap();
        let li = id("1960-01-01", 33);
        s.register_entitlement(&youfu, &in_category(&li, "71"))
            .await
            .unwrap();
        let refusal = refused(
            s.register_entitlement(&youfu, &in_category(&li, "21"))
                .await,
        );
        assert!(refusal[0].3.contains("测试规则"), "{refusal:?}");
        assert_eq!(audit_of(db, "veterans.exclusion.seed").await.len(), 1);
    })
    .await;
}

fn pairing(entitlement: i64, leader: &str, on: &str) -> PairingInput {
    PairingInput {
        entitlement: entitlement.to_string(),
        leader_name: leader.into(),
        leader_post: "副区长".into(),
        leader_unit: "示范区人民政府".into(),
        starts_on: on.into(),
        note: String::new(),
    }
}

fn reassign(leader: &str, on: &str, reason: &str, note: &str) -> ReassignInput {
    ReassignInput {
        leader_name: leader.into(),
        leader_post: "副区长".into(),
        leader_unit: "示范区人民政府".into(),
        starts_on: on.into(),
        reason: reason.into(),
        note: note.into(),
    }
}

#[tokio::test]
async fn a_pairing_is_reassigned_with_its_history_and_bad_ones_write_nothing() {
    for_each_engine(async |db| {
        let youfu = veterans_section(db).await;
        let s = &db.service;
        let wang = id("1950-04-01", 31);
        let e = s
            .register_entitlement(&youfu, &in_category(&wang, "51"))
            .await
            .unwrap();
        // A second entitlement of the same person shares the household's pairing.
        let e2 = s
            .register_entitlement(&youfu, &in_category(&wang, "11"))
            .await
            .unwrap();
        let first = s
            .pair_leader(&youfu, &pairing(e, "李红", "2013-01-05"))
            .await
            .unwrap();
        let refusal = refused(
            s.pair_leader(&youfu, &pairing(e2, "陈明", "2013-02-01"))
                .await,
        );
        assert_eq!(
            (refusal[0].1, refusal[0].2),
            ("entitlement", "veterans.liaison_paired")
        );
        // Re-assigned when the leader changes: the old pairing ends the day the new starts.
        let second = s
            .reassign_pairing(
                &youfu,
                first,
                &reassign("陈明", "2013-04-01", "leader_change", ""),
            )
            .await
            .unwrap();
        let history = s.entitlement_pairings(&youfu, e2).await.unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(history[0].leader_name, "李红");
        assert_eq!(history[0].ends_on, Some(d("2013-04-01")));
        assert_eq!(history[1].id, second);
        assert_eq!(history[1].replaces_id, Some(first));
        assert_eq!(history[1].reason, "leader_change");
        assert_eq!(history[1].ends_on, None);
        assert!(history[1].id_number.contains('*'));

        let before = count(db, "liaison_pairings").await;
        let audits = audit_of(db, "veterans.liaison.").await.len();
        // The replaced pairing cannot be re-assigned again (the chain never forks).
        let refusal = refused(
            s.reassign_pairing(
                &youfu,
                first,
                &reassign("赵敏", "2013-05-01", "other", "调整分工"),
            )
            .await,
        );
        assert_eq!(refusal[0].2, "veterans.liaison_replaced");
        // Not before the pairing in force started; not the same leader; a reason is a code;
        // another reason needs a note; no future date.
        for (input, field, code) in [
            (
                reassign("赵敏", "2013-04-01", "leader_change", ""),
                "starts_on",
                "veterans.liaison_starts",
            ),
            (
                reassign("陈明", "2013-05-01", "leader_change", ""),
                "leader_name",
                "veterans.liaison_same",
            ),
            (
                reassign("赵敏", "2013-05-01", "new", ""),
                "reason",
                "veterans.pairing_reason",
            ),
            (
                reassign("赵敏", "2013-05-01", "other", ""),
                "note",
                "veterans.note",
            ),
            (
                reassign("赵敏", "2013-07-02", "leader_change", ""),
                "starts_on",
                "veterans.future_date",
            ),
        ] {
            let refusal = refused(s.reassign_pairing(&youfu, second, &input).await);
            assert_eq!((refusal[0].1, refusal[0].2), (field, code), "{refusal:?}");
        }
        // An ended entitlement is neither paired nor re-assigned.
        let li = id("1948-01-01", 34);
        let ended = s
            .register_entitlement(&youfu, &in_category(&li, "21"))
            .await
            .unwrap();
        s.change_entitlement_status(
            &youfu,
            ended,
            &StatusInput {
                status: "ended".into(),
                effective_on: "2013-06-01".into(),
                reason: "本人去世".into(),
                version: 1,
            },
        )
        .await
        .unwrap();
        let refusal = refused(
            s.pair_leader(&youfu, &pairing(ended, "赵敏", "2013-06-10"))
                .await,
        );
        assert_eq!(refusal[0].2, "veterans.liaison_ended");
        assert_eq!(count(db, "liaison_pairings").await, before);
        assert_eq!(audit_of(db, "veterans.liaison.").await.len(), audits);

        // Roles and jurisdiction: streets read but do not pair; outside is not found.
        let heping = actor(db, "heping").await;
        assert!(matches!(
            s.pair_leader(&heping, &pairing(e, "赵敏", "2013-06-10"))
                .await,
            Err(Error::Forbidden)
        ));
        let xingfu = quick(db, "xingfu", "community_worker", XINGFU).await;
        assert!(matches!(
            s.entitlement_pairings(&xingfu, e).await,
            Err(Error::NotFound)
        ));
        let street = quick(db, "qingshan", "veterans_staff", "990101101000").await;
        assert!(matches!(
            s.reassign_pairing(
                &street,
                second,
                &reassign("赵敏", "2013-05-01", "other", "调整分工")
            )
            .await,
            Err(Error::NotFound)
        ));
        let refusal = refused(
            s.pair_leader(&street, &pairing(e, "赵敏", "2013-06-10"))
                .await,
        );
        assert_eq!(
            refusal[0].2, "veterans.entitlement",
            "outside: as if unknown"
        );
        assert_eq!(
            s.pairings(&xingfu, &PairingQuery::default())
                .await
                .unwrap()
                .total,
            0
        );

        // The list finds the person or the leader, shows only pairings in force, audited.
        for (q, n) in [("", 1), ("陈明", 1), ("李红", 0), ("王建", 1), ("wjg", 1)] {
            let page = s
                .pairings(
                    &heping,
                    &PairingQuery {
                        q: q.into(),
                        ..PairingQuery::default()
                    },
                )
                .await
                .unwrap();
            assert_eq!(page.total, n, "{q}");
        }
        let exported = s
            .export_pairings(&heping, &PairingQuery::default())
            .await
            .unwrap();
        assert_eq!(exported.len(), 1);
        assert!(exported[0].id_number.contains("**********"));
        assert_eq!(audit_of(db, "veterans.liaison.pair").await.len(), 1);
        assert_eq!(audit_of(db, "veterans.liaison.reassign").await.len(), 1);
        assert!(audit_of(db, "veterans.liaison.list").await.len() >= 5);
        assert_eq!(audit_of(db, "veterans.liaison.export").await.len(), 1);
    })
    .await;
}

fn visit(kind: &str, on: &str, risk: &str) -> FollowupInput {
    FollowupInput {
        kind: kind.into(),
        on_date: on.into(),
        risk: risk.into(),
        who: "和平社区 李主任".into(),
        what: "上门了解情况".into(),
        next_due: String::new(),
        last_seq: None,
    }
}

fn close(on: &str) -> CloseInput {
    CloseInput {
        on_date: on.into(),
        who: "和平社区 李主任".into(),
        outcome: "诉求已解决，本人签字确认".into(),
        last_seq: None,
    }
}

#[tokio::test]
async fn a_petition_case_is_followed_up_listed_when_due_and_closed_once() {
    for_each_engine(async |db| {
        let youfu = veterans_section(db).await;
        let s = &db.service;
        let e = s
            .register_entitlement(&youfu, &in_category(&id("1950-04-01", 31), "51"))
            .await
            .unwrap();
        let heping = actor(db, "heping").await;
        // On the register: the petitioner is the entitlement's holder.
        let a = s
            .open_petition(
                &heping,
                &OpenInput {
                    entitlement: e.to_string(),
                    subject: "要求提高补助标准".into(),
                    opened_on: "2013-06-03".into(),
                    risk: "high".into(),
                    who: "和平社区 李主任".into(),
                    what: "排查评估为高风险".into(),
                    ..OpenInput::default()
                },
            )
            .await
            .unwrap();
        let case = s.petition(&heping, a).await.unwrap();
        assert_eq!(case.petitioner, "王建国");
        assert_eq!(case.risk_name, "高");
        assert_eq!(case.next_due, Some(d("2013-06-10")), "high: every 7 days");
        // A veteran not on the register, by name and community; next visit given.
        let b = s
            .open_petition(
                &heping,
                &OpenInput {
                    petitioner: "周老兵".into(),
                    community: HEPING.into(),
                    subject: "反映医疗费用报销困难".into(),
                    opened_on: "2013-06-20".into(),
                    risk: "low".into(),
                    who: "和平社区 李主任".into(),
                    what: "来访登记".into(),
                    next_due: "2013-07-04".into(),
                    ..OpenInput::default()
                },
            )
            .await
            .unwrap();
        // A third, due later than this week.
        s.open_petition(
            &heping,
            &OpenInput {
                petitioner: "吴老兵".into(),
                community: HEPING.into(),
                subject: "咨询优待政策".into(),
                opened_on: "2013-06-28".into(),
                risk: "low".into(),
                who: "和平社区 李主任".into(),
                what: "来电咨询".into(),
                ..OpenInput::default()
            },
        )
        .await
        .unwrap();
        // 2013-07-01 is a Monday: case a (due 06-10) is overdue, b (07-04) due this week.
        let due = |when: VisitDue| PetitionQuery {
            due: Some(when),
            ..PetitionQuery::default()
        };
        let overdue = s.petitions(&heping, &due(VisitDue::Overdue)).await.unwrap();
        assert_eq!(overdue.items.iter().map(|c| c.id).collect::<Vec<_>>(), [a]);
        let week = s
            .petitions(&heping, &due(VisitDue::ThisWeek))
            .await
            .unwrap();
        assert_eq!(week.items.iter().map(|c| c.id).collect::<Vec<_>>(), [b]);
        assert_eq!(
            s.petitions_due_count(&youfu, VisitDue::Overdue)
                .await
                .unwrap(),
            1
        );
        let board = s
            .dashboard(&youfu, "veterans", Some("2013"), None)
            .await
            .unwrap();
        let due_of = |key: &str| board.due.iter().find(|d| d.key == key).unwrap().count;
        assert_eq!(due_of("petition-visits-overdue"), 1);
        assert_eq!(due_of("petition-visits-week"), 1);

        // A home visit moves the next visit; a screening changes the risk.
        s.record_followup(&heping, a, &visit("home_visit", "2013-06-30", ""))
            .await
            .unwrap();
        s.record_followup(&heping, a, &visit("screening", "2013-07-01", "medium"))
            .await
            .unwrap();
        let case = s.petition(&heping, a).await.unwrap();
        assert_eq!(case.followups.len(), 3);
        assert_eq!(case.risk_code, "medium");
        assert_eq!(case.next_due, Some(d("2013-07-31")));
        assert_eq!(
            s.petitions(&heping, &due(VisitDue::Overdue))
                .await
                .unwrap()
                .total,
            0
        );

        let before = count(db, "petition_followups").await;
        let audits = audit_of(db, "veterans.petition.").await.len();
        for (input, field, code) in [
            (
                visit("contact", "2013-06-02", ""),
                "on_date",
                "veterans.followup_before_open",
            ),
            (
                visit("contact", "2013-07-02", ""),
                "on_date",
                "veterans.future_date",
            ),
            (
                visit("close", "2013-07-01", ""),
                "kind",
                "veterans.followup_kind",
            ),
            (
                visit("screening", "2013-07-01", "grave"),
                "risk",
                "veterans.risk",
            ),
            (
                FollowupInput {
                    next_due: "2013-06-30".into(),
                    ..visit("contact", "2013-07-01", "")
                },
                "next_due",
                "veterans.next_due",
            ),
            (
                FollowupInput {
                    last_seq: Some(1),
                    ..visit("contact", "2013-07-01", "")
                },
                "form",
                "veterans.petition_stale",
            ),
        ] {
            let refusal = refused(s.record_followup(&heping, a, &input).await);
            assert_eq!((refusal[0].1, refusal[0].2), (field, code), "{refusal:?}");
        }
        assert_eq!(count(db, "petition_followups").await, before);
        assert_eq!(audit_of(db, "veterans.petition.").await.len(), audits);

        // Closed once: a second close and a follow-up after it are refused.
        s.close_petition(&heping, b, &close("2013-07-01"))
            .await
            .unwrap();
        let before = count(db, "petition_followups").await;
        let refusal = refused(s.close_petition(&heping, b, &close("2013-07-01")).await);
        assert_eq!(refusal[0].2, "veterans.petition_closed");
        let refusal = refused(
            s.record_followup(&heping, b, &visit("home_visit", "2013-07-01", ""))
                .await,
        );
        assert_eq!(refusal[0].2, "veterans.petition_closed");
        let refusal = refused(s.close_petition(&heping, a, &close("2013-06-01")).await);
        assert_eq!(refusal[0].2, "veterans.followup_before_open");
        assert_eq!(count(db, "petition_followups").await, before);
        let closed = s
            .petitions(
                &heping,
                &PetitionQuery {
                    list: ListQuery {
                        status: Some(PetitionStatus::Closed),
                        ..ListQuery::default()
                    },
                    ..PetitionQuery::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(closed.items.iter().map(|c| c.id).collect::<Vec<_>>(), [b]);
        assert_eq!(closed.items[0].next_due, None);

        // Jurisdiction: another community sees nothing and finds nothing.
        let xingfu = quick(db, "xingfu", "community_worker", XINGFU).await;
        assert!(matches!(s.petition(&xingfu, a).await, Err(Error::NotFound)));
        assert!(matches!(
            s.record_followup(&xingfu, a, &visit("contact", "2013-07-01", ""))
                .await,
            Err(Error::NotFound)
        ));
        assert!(matches!(
            s.close_petition(&xingfu, a, &close("2013-07-01")).await,
            Err(Error::NotFound)
        ));
        assert_eq!(
            s.petitions(&xingfu, &PetitionQuery::default())
                .await
                .unwrap()
                .total,
            0
        );
        let admin = actor(db, "admin").await;
        assert!(matches!(
            s.petitions(&admin, &PetitionQuery::default()).await,
            Err(Error::Forbidden)
        ));
        let leader = actor(db, "leader").await;
        assert!(matches!(
            s.close_petition(&leader, a, &close("2013-07-01")).await,
            Err(Error::Forbidden)
        ));
        assert_eq!(s.entitlement_petitions(&youfu, e).await.unwrap().len(), 1);
        assert_eq!(audit_of(db, "veterans.petition.open").await.len(), 3);
        assert_eq!(audit_of(db, "veterans.petition.followup").await.len(), 2);
        assert_eq!(audit_of(db, "veterans.petition.close").await.len(), 1);
        assert!(!audit_of(db, "veterans.petition.list").await.is_empty());
        assert!(!audit_of(db, "veterans.petition.read").await.is_empty());
    })
    .await;
}

#[tokio::test]
async fn the_demo_gives_its_v9_figures_with_drill_downs_and_its_due_visits() {
    for_each_engine(async |db| {
        demo_db(db).await;
        testkit::veterans::build_veterans(&db.service)
            .await
            .unwrap();
        testkit::veterans::liaison::build_liaison(&db.service)
            .await
            .unwrap();
        db.clock.advance(chrono::Duration::minutes(5));
        let leader = actor(db, "leader").await;
        let report = db
            .service
            .generate_report(&leader, "2013-01-01", "2013-06-30", None)
            .await
            .unwrap();
        for (code, value) in testkit::veterans::liaison::FIGURES {
            assert_eq!(report.figure(code).unwrap().value, *value, "{code}");
            let (rows, _) = all_records(db, &leader, report.id, code, 1000).await;
            let count = rows.len() as i64;
            assert_eq!(count, *value, "{code} drill-down");
        }
        // What the demo recorded, counted independently of the report's queries.
        assert_eq!(
            scalar(
                db,
                "SELECT COUNT(*) FROM liaison_pairings WHERE replaces_id IS NOT NULL"
            )
            .await,
            3
        );
        assert_eq!(
            scalar(
                db,
                "SELECT COUNT(*) FROM petition_followups WHERE kind = 'home_visit'"
            )
            .await,
            4
        );
        // 东城街道 has two of the three cases (the third is in 青山镇's village).
        let street = db
            .service
            .generate_report(&leader, "2013-01-01", "2013-06-30", Some("990101001000"))
            .await
            .unwrap();
        assert_eq!(
            street.figure("veterans.petitions_screened").unwrap().value,
            4
        );
        assert_eq!(street.figure("veterans.home_visits").unwrap().value, 3);
        let youfu = actor(db, "youfu").await;
        let board = db
            .service
            .dashboard(&youfu, "veterans", Some("2013"), None)
            .await
            .unwrap();
        let due_of = |key: &str| board.due.iter().find(|d| d.key == key).unwrap().count;
        let (overdue, week) = testkit::veterans::liaison::DUE;
        assert_eq!(due_of("petition-visits-overdue"), overdue as i64);
        assert_eq!(due_of("petition-visits-week"), week as i64);
        assert_eq!(board.figure("veterans.home_visits").unwrap().value, 4);
        let visits: i64 = board
            .series
            .iter()
            .find(|s| s.indicator.code == "veterans.home_visits")
            .unwrap()
            .points
            .iter()
            .map(|(_, v)| v)
            .sum();
        assert_eq!(visits, 4, "the monthly series counts visits");
    })
    .await;
}
