//! Relief and medical-assistance grants through `service` on SQLite and PostgreSQL: the
//! budget refusal with its four figures, the override stored and logged in the same
//! transaction, concurrent grants that never overdraw, cancellation, budgets that cannot go
//! below what is drawn, jurisdiction and permissions, every bad field named, nothing
//! half-written, and the tables' append-only triggers.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a line number"
)]

use domain::Fen;
use domain::assistance::grants::GrantKind;
use service::assistance::ApplicationInput;
use service::assistance::grants::{BudgetInput, GrantInput, GrantQuery};
use service::{Actor, Error};
use testkit::{TestDb, for_each_engine};

mod common;

use common::*;

fn budget(year: &str, kind: &str, amount: &str) -> BudgetInput {
    BudgetInput {
        year: year.into(),
        kind: kind.into(),
        amount: amount.into(),
        citation: "惠区财〔2013〕12号".into(),
    }
}

fn grant(household: i64, kind: &str, amount: &str) -> GrantInput {
    GrantInput {
        kind: kind.into(),
        household: household.to_string(),
        persons: "3".into(),
        amount: amount.into(),
        reason: "住院治疗自付费用过高".into(),
        funding_source: "区财政-医疗救助".into(),
        granted_on: "2013-07-05".into(),
        override_reason: String::new(),
    }
}

/// The demo district, the Zhang household (3 members) in 和平社区 on notice, a 2013 medical
/// budget of 1000 yuan; returns (jiuzhu, the household id).
async fn setup(db: &TestDb) -> (Actor, i64) {
    demo_db(db).await;
    let (case, _) = through_notice(db).await;
    on(db, "2013-07-05");
    let jiuzhu = actor(db, "jiuzhu").await;
    let household = db.service.case(&jiuzhu, case).await.unwrap().household.id;
    db.service
        .set_budget(&jiuzhu, &budget("2013", "medical", "1000"))
        .await
        .unwrap();
    (jiuzhu, household)
}

async fn all_grants(db: &TestDb) -> Vec<service::assistance::grants::GrantView> {
    db.service
        .grants(&Actor::system(), &GrantQuery::default())
        .await
        .unwrap()
        .items
}

async fn medical_2013(db: &TestDb) -> service::assistance::grants::BudgetView {
    db.service
        .budgets(&Actor::system())
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.year == 2013 && b.kind == GrantKind::Medical)
        .unwrap()
}

#[tokio::test]
async fn a_grant_over_the_budget_is_refused_with_every_figure_and_nothing_is_written() {
    for_each_engine(async |db| {
        let (jiuzhu, household) = setup(db).await;
        let s = &db.service;
        let first = s
            .record_grant(&jiuzhu, &grant(household, "medical", "600"))
            .await
            .unwrap();
        assert!(!first.overridden);
        let before = audit_of(db, "assistance.grant").await.len();
        let refused = refused(
            s.record_grant(&jiuzhu, &grant(household, "medical", "400.01"))
                .await,
        );
        assert_eq!(
            refused,
            vec![(
                None,
                "amount",
                "grants.over_budget",
                "1000.00;600.00;400.00;400.01".to_owned()
            )]
        );
        assert_eq!(all_grants(db).await.len(), 1);
        assert_eq!(
            audit_of(db, "assistance.grant").await.len(),
            before,
            "a refusal logs nothing"
        );
        // Exactly the rest fits.
        s.record_grant(&jiuzhu, &grant(household, "medical", "400"))
            .await
            .unwrap();
        let b = medical_2013(db).await;
        assert_eq!(
            (b.drawn, b.remaining, b.permille_used, b.grants, b.overrides),
            (Fen::from_fen(100_000), Fen::ZERO, Some(1000), 2, 0)
        );
    })
    .await;
}

#[tokio::test]
async fn an_override_is_stored_with_the_grant_and_logged_in_the_same_transaction() {
    for_each_engine(async |db| {
        let (jiuzhu, household) = setup(db).await;
        let s = &db.service;
        s.record_grant(&jiuzhu, &grant(household, "medical", "900"))
            .await
            .unwrap();
        let over = GrantInput {
            override_reason: "重病住院,经局长办公会研究同意超支".into(),
            ..grant(household, "medical", "300")
        };
        let recorded = s.record_grant(&jiuzhu, &over).await.unwrap();
        assert!(recorded.overridden);
        let g = s.grant(&jiuzhu, recorded.id).await.unwrap();
        assert_eq!(
            g.override_reason.as_deref(),
            Some("重病住院,经局长办公会研究同意超支")
        );
        assert_eq!(
            (g.budget, g.drawn_before),
            (Fen::from_fen(100_000), Fen::from_fen(90_000))
        );
        assert_eq!((g.by.as_str(), g.by_name.is_empty()), ("jiuzhu", false));
        let logged = audit_of(db, "assistance.grant.override").await;
        assert_eq!(logged.len(), 1);
        let entry = &logged[0];
        assert_eq!(entry.actor, "jiuzhu");
        assert_eq!(entry.object, format!("grant:{}", recorded.id));
        assert_eq!(entry.reason, "重病住院,经局长办公会研究同意超支");
        assert!(
            entry
                .detail
                .contains("budget=1000.00 drawn=900.00 remaining=100.00 requested=300.00"),
            "{}",
            entry.detail
        );
        // Both entries of the grant carry the same time: one transaction.
        let record = audit_of(db, "assistance.grant.record").await;
        assert_eq!(record.last().unwrap().at, entry.at);
        let b = medical_2013(db).await;
        assert_eq!(b.remaining, Fen::from_fen(-20_000));
        assert_eq!((b.overrides, b.override_amount), (1, Fen::from_fen(30_000)));
        assert_eq!(b.permille_used, Some(1200));
        // An override reason on a grant that fits is not an override.
        s.set_budget(&jiuzhu, &budget("2013", "temporary", "5000"))
            .await
            .unwrap();
        let fits = GrantInput {
            override_reason: "以防万一写上理由".into(),
            ..grant(household, "temporary", "100")
        };
        let recorded = s.record_grant(&jiuzhu, &fits).await.unwrap();
        assert!(!recorded.overridden);
        assert_eq!(
            s.grant(&jiuzhu, recorded.id).await.unwrap().override_reason,
            None
        );
        assert_eq!(audit_of(db, "assistance.grant.override").await.len(), 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_grants_never_overdraw_the_budget() {
    for_each_engine(async |db| {
        let (jiuzhu, household) = setup(db).await;
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..10 {
            let service = db.service.clone();
            let actor = jiuzhu.clone();
            tasks.spawn(async move {
                service
                    .record_grant(&actor, &grant(household, "medical", "300"))
                    .await
            });
        }
        let mut recorded = 0;
        let mut over = 0;
        while let Some(result) = tasks.join_next().await {
            match result.unwrap() {
                Ok(_) => recorded += 1,
                Err(Error::Invalid(e)) if e[0].code == "grants.over_budget" => over += 1,
                Err(e) => panic!("{:?}: {e:?}", db.backend()),
            }
        }
        assert_eq!((recorded, over), (3, 7), "{:?}", db.backend());
        let b = medical_2013(db).await;
        assert_eq!(b.drawn, Fen::from_fen(90_000));
        assert_eq!(audit_of(db, "assistance.grant.record").await.len(), 3);
    })
    .await;
}

#[tokio::test]
async fn a_cancelled_grant_stops_counting_and_cannot_be_cancelled_twice() {
    for_each_engine(async |db| {
        let (jiuzhu, household) = setup(db).await;
        let s = &db.service;
        let g = s
            .record_grant(&jiuzhu, &grant(household, "medical", "800"))
            .await
            .unwrap();
        assert!(matches!(
            refused(s.cancel_grant(&jiuzhu, g.id, "错").await)[..],
            [(None, "cancel_reason", "grants.cancel_reason", _)]
        ));
        s.cancel_grant(&jiuzhu, g.id, "户编号录错,应为另一户")
            .await
            .unwrap();
        let again = s.cancel_grant(&jiuzhu, g.id, "户编号录错,应为另一户").await;
        assert!(
            matches!(
                again,
                Err(Error::Conflict {
                    code: "grants.already_cancelled",
                    ..
                })
            ),
            "{again:?}"
        );
        let view = s.grant(&jiuzhu, g.id).await.unwrap();
        assert_eq!(
            view.cancellation.map(|c| c.reason),
            Some("户编号录错,应为另一户".to_owned())
        );
        assert_eq!(medical_2013(db).await.drawn, Fen::ZERO);
        let totals = s
            .grant_totals(&jiuzhu, &GrantQuery::default())
            .await
            .unwrap();
        assert_eq!(totals.grants, 0, "a cancelled grant is not counted");
        // The money is free again.
        s.record_grant(&jiuzhu, &grant(household, "medical", "1000"))
            .await
            .unwrap();
        let cancels = audit_of(db, "assistance.grant.cancel").await;
        assert_eq!(cancels.len(), 1);
        assert_eq!(cancels[0].reason, "户编号录错,应为另一户");
    })
    .await;
}

#[tokio::test]
async fn a_budget_cannot_go_below_what_is_drawn_and_every_change_is_logged() {
    for_each_engine(async |db| {
        let (jiuzhu, household) = setup(db).await;
        let s = &db.service;
        s.record_grant(&jiuzhu, &grant(household, "medical", "700"))
            .await
            .unwrap();
        assert_eq!(
            refused(
                s.set_budget(&jiuzhu, &budget("2013", "medical", "699.99"))
                    .await
            ),
            vec![(
                None,
                "amount",
                "grants.budget_below_drawn",
                "700.00".to_owned()
            )]
        );
        assert_eq!(medical_2013(db).await.amount, Fen::from_fen(100_000));
        s.set_budget(&jiuzhu, &budget("2013", "medical", "600000"))
            .await
            .unwrap();
        // The demo's budget of 60万元, the setup's 1000 yuan, and this change, each logged
        // with the amounts before and after.
        let sets: Vec<String> = audit_of(db, "assistance.budget.set")
            .await
            .into_iter()
            .filter(|e| e.object == "budget:2013:medical")
            .map(|e| e.detail)
            .collect();
        assert_eq!(sets.len(), 3, "{sets:?}");
        assert!(sets[0].ends_with("before=- after=600000.00"), "{sets:?}");
        assert!(
            sets[1].ends_with("before=600000.00 after=1000.00"),
            "{sets:?}"
        );
        assert!(
            sets[2].ends_with("before=1000.00 after=600000.00"),
            "{sets:?}"
        );
        // A year and kind without a budget takes no grant.
        assert_eq!(
            refused(
                s.record_grant(&jiuzhu, &grant(household, "disaster", "10"))
                    .await
            ),
            vec![(None, "grant_kind", "grants.no_budget", "2013".to_owned())]
        );
        let bad = refused(
            s.set_budget(
                &jiuzhu,
                &BudgetInput {
                    year: "13".into(),
                    kind: "relief".into(),
                    amount: "-1".into(),
                    citation: " ".into(),
                },
            )
            .await,
        );
        let fields: Vec<&str> = bad.iter().map(|e| e.1).collect();
        assert_eq!(fields, ["year", "grant_kind", "amount", "citation"]);
    })
    .await;
}

#[tokio::test]
async fn only_the_section_records_and_readers_see_only_their_jurisdiction() {
    for_each_engine(async |db| {
        let (jiuzhu, household) = setup(db).await;
        let s = &db.service;
        let dongcheng = actor(db, "dongcheng").await;
        let heping = actor(db, "heping").await;
        let leader = actor(db, "leader").await;
        let admin = actor(db, "admin").await;
        // A second household in 西城街道, outside 东城街道.
        let xicheng = s
            .register_application(
                &jiuzhu,
                ApplicationInput {
                    community: "990101002001".into(),
                    ..application(HEPING, vec![member("王芳", &id("1960-01-01", 41), "head")])
                },
            )
            .await
            .unwrap();
        let other = s.case(&jiuzhu, xicheng).await.unwrap().household.id;
        let mine = s
            .record_grant(&jiuzhu, &grant(household, "medical", "100"))
            .await
            .unwrap();
        let theirs = s
            .record_grant(
                &jiuzhu,
                &GrantInput {
                    persons: "1".into(),
                    ..grant(other, "medical", "100")
                },
            )
            .await
            .unwrap();
        for (who, input) in [
            (&dongcheng, grant(household, "medical", "1")),
            (&heping, grant(household, "medical", "1")),
            (&leader, grant(household, "medical", "1")),
        ] {
            assert!(matches!(
                s.record_grant(who, &input).await,
                Err(Error::Forbidden)
            ));
            assert!(matches!(
                s.cancel_grant(who, mine.id, "不该发放的").await,
                Err(Error::Forbidden)
            ));
            assert!(matches!(
                s.set_budget(who, &budget("2013", "medical", "1")).await,
                Err(Error::Forbidden)
            ));
        }
        assert!(matches!(
            s.grants(&admin, &GrantQuery::default()).await,
            Err(Error::Forbidden)
        ));
        // The street officer sees 东城街道's grant only; the other is not found, not forbidden.
        assert!(s.grant(&dongcheng, mine.id).await.is_ok());
        assert!(matches!(
            s.grant(&dongcheng, theirs.id).await,
            Err(Error::NotFound)
        ));
        let listed = s.grants(&dongcheng, &GrantQuery::default()).await.unwrap();
        assert_eq!(
            (listed.total, listed.items[0].id),
            (1, mine.id),
            "the total never counts what lies outside"
        );
        assert_eq!(
            s.household_grants(&dongcheng, other).await.unwrap(),
            Vec::new()
        );
        let all = s.grants(&leader, &GrantQuery::default()).await.unwrap();
        assert_eq!(all.total, 2);
        // The totals a report gives, within the jurisdiction too.
        let totals = s
            .grant_totals(&leader, &GrantQuery::default())
            .await
            .unwrap();
        assert_eq!(
            (
                totals.grants,
                totals.households,
                totals.persons,
                totals.amount
            ),
            (2, 2, 4, Fen::from_fen(20_000))
        );
        let street = s
            .grant_totals(&dongcheng, &GrantQuery::default())
            .await
            .unwrap();
        assert_eq!((street.grants, street.persons), (1, 3));
        assert!(matches!(
            s.grant_totals(&admin, &GrantQuery::default()).await,
            Err(Error::Forbidden)
        ));
        // Filters: kind, year, street.
        let query = |kind, year, division: Option<&str>| GrantQuery {
            kind,
            year,
            division: division.map(|d| d.parse().unwrap()),
            ..GrantQuery::default()
        };
        for (q, total) in [
            (query(Some(GrantKind::Medical), Some(2013), None), 2),
            (query(Some(GrantKind::Temporary), None, None), 0),
            (query(None, Some(2012), None), 0),
            (query(None, None, Some("990101002000")), 1),
        ] {
            assert_eq!(s.grants(&leader, &q).await.unwrap().total, total, "{q:?}");
        }
        // The masked ID number, and the read audited.
        let g = s.grant(&leader, mine.id).await.unwrap();
        assert!(g.head_id_number.contains('*'), "{}", g.head_id_number);
        let reads = audit_of(db, "assistance.grant.read").await;
        assert!(
            reads
                .iter()
                .any(|e| e.actor == "leader" && e.object == format!("grant:{}", mine.id))
        );
        // A household outside the registry is named in the refusal like one out of reach.
        assert!(matches!(
            refused(s.record_grant(&jiuzhu, &grant(9_999, "medical", "1")).await)[..],
            [(None, "household", "grants.household_unknown", _)]
        ));
        // Exports need the permission and are audited.
        let rows = s
            .export_grants(&heping, &GrantQuery::default())
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(audit_of(db, "assistance.grant.export").await.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn every_bad_field_is_named_and_nothing_is_written() {
    for_each_engine(async |db| {
        let (jiuzhu, household) = setup(db).await;
        let s = &db.service;
        let before = audit_of(db, "assistance.grant").await.len();
        let all_wrong = GrantInput {
            kind: "relief".into(),
            household: "张三".into(),
            persons: "0".into(),
            amount: "1,00.5".into(),
            reason: "病".into(),
            funding_source: String::new(),
            granted_on: "2013-02-30".into(),
            override_reason: "超".into(),
        };
        let errors = refused(s.record_grant(&jiuzhu, &all_wrong).await);
        let named: Vec<(&str, &str)> = errors.iter().map(|e| (e.1, e.2)).collect();
        assert_eq!(
            named,
            [
                ("grant_kind", "grants.kind"),
                ("household", "grants.household_number"),
                ("persons", "grants.persons"),
                ("amount", "money.bad_grouping"),
                ("grant_reason", "grants.reason"),
                ("funding_source", "grants.funding_source"),
                ("granted_on", "date.day_out_of_range"),
                ("override_reason", "grants.override_reason"),
            ]
        );
        // More persons than the household lists, no money, a day to come, a huge amount.
        let more = GrantInput {
            persons: "4".into(),
            amount: "0".into(),
            granted_on: "2013-07-06".into(),
            ..grant(household, "medical", "0")
        };
        let named: Vec<(&str, &str, String)> = refused(s.record_grant(&jiuzhu, &more).await)
            .into_iter()
            .map(|e| (e.1, e.2, e.3))
            .collect();
        assert_eq!(
            named,
            [
                ("persons", "grants.persons", "3".to_owned()),
                ("amount", "grants.amount_positive", "0".to_owned()),
                ("granted_on", "grants.future_date", "2013-07-05".to_owned()),
            ]
        );
        assert_eq!(
            refused(
                s.record_grant(&jiuzhu, &grant(household, "medical", "100000001"))
                    .await
            )[0]
            .2,
            "grants.amount_too_large"
        );
        // Arbitrary text never panics and never writes.
        for text in [
            "",
            " ",
            "\u{0}",
            "-1",
            "9223372036854775807",
            "１２",
            "2013-13-01",
            "\n",
        ] {
            let input = GrantInput {
                kind: text.into(),
                household: text.into(),
                persons: text.into(),
                amount: text.into(),
                reason: text.into(),
                funding_source: text.into(),
                granted_on: text.into(),
                override_reason: text.into(),
            };
            assert!(matches!(
                s.record_grant(&jiuzhu, &input).await,
                Err(Error::Invalid(_))
            ));
        }
        assert_eq!(all_grants(db).await.len(), 0);
        assert_eq!(audit_of(db, "assistance.grant").await.len(), before);
    })
    .await;
}

#[tokio::test]
async fn grants_and_cancellations_are_append_only() {
    for_each_engine(async |db| {
        let (jiuzhu, household) = setup(db).await;
        let s = &db.service;
        let g = s
            .record_grant(&jiuzhu, &grant(household, "medical", "100"))
            .await
            .unwrap();
        s.cancel_grant(&jiuzhu, g.id, "录入错误,作废")
            .await
            .unwrap();
        for sql in [
            "UPDATE assistance_grants SET amount_fen = 1",
            "DELETE FROM assistance_grants",
            "UPDATE assistance_grant_cancellations SET reason = 'x'",
            "DELETE FROM assistance_grant_cancellations",
        ] {
            let result = db.store().execute_as_intruder(sql).await;
            assert!(result.is_err(), "{:?}: {sql} went through", db.backend());
        }
        let view = s.grant(&jiuzhu, g.id).await.unwrap();
        assert_eq!(view.amount, Fen::from_fen(10_000));
        assert!(view.cancellation.is_some());
    })
    .await;
}
