//! Discharged-soldier reception and veterans' hardship grants through `service` on SQLite
//! and PostgreSQL: a batch with its report-in deadline, receptions with their training
//! choice counted, a late report without reason and a second reception refused, hardship
//! grants with their total, jurisdiction and roles; and the demo builder's figures in the
//! half-year report.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a line number"
)]

use domain::Fen;
use domain::veterans::Training;
use service::Error;
use service::veterans::EntitlementInput;
use service::veterans::hardship::HardshipInput;
use service::veterans::reception::{BatchInput, ReceptionInput};
use testkit::{TestDb, for_each_engine};

mod common;

use common::*;

fn soldier(id_number: String, training: &str, reported_on: &str) -> ReceptionInput {
    ReceptionInput {
        id_number,
        name: "赵新兵".into(),
        community: HEPING.into(),
        placement: "self_employed".into(),
        training: training.into(),
        reported_on: reported_on.into(),
        late_reason: String::new(),
    }
}

async fn batch(db: &TestDb) -> i64 {
    demo_db(db).await;
    on(db, "2013-02-01");
    db.service
        .create_reception_batch(
            &actor(db, "youfu").await,
            &BatchInput {
                name: "2012年冬季退役士兵".into(),
                discharged_on: "2012-12-20".into(),
                report_by: String::new(),
            },
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn soldiers_are_received_once_with_their_training_and_late_reports_need_a_reason() {
    for_each_engine(async |db| {
        let b = batch(db).await;
        let s = &db.service;
        let youfu = actor(db, "youfu").await;
        let batches = s.reception_batches(&youfu).await.unwrap();
        assert_eq!(batches[0].report_by, d("2013-01-19"), "30 days by default");
        for (seq, training) in [(81, "secondary"), (82, "secondary"), (83, "higher")] {
            s.receive_soldier(
                &youfu,
                b,
                &soldier(id("1992-01-01", seq), training, "2013-01-10"),
            )
            .await
            .unwrap();
        }
        let late = refused(
            s.receive_soldier(
                &youfu,
                b,
                &soldier(id("1992-01-01", 84), "none", "2013-01-25"),
            )
            .await,
        );
        assert_eq!((late[0].1, late[0].2), ("late_reason", "veterans.late"));
        s.receive_soldier(
            &youfu,
            b,
            &ReceptionInput {
                late_reason: "住院治疗，持医院证明".into(),
                ..soldier(id("1992-01-01", 84), "none", "2013-01-25")
            },
        )
        .await
        .unwrap();
        let twice = refused(
            s.receive_soldier(
                &youfu,
                b,
                &soldier(id("1992-01-01", 81), "none", "2013-01-12"),
            )
            .await,
        );
        assert_eq!(twice[0].2, "veterans.received_twice");
        let bad = refused(
            s.receive_soldier(
                &youfu,
                b,
                &ReceptionInput {
                    placement: "abroad".into(),
                    training: "college".into(),
                    community: "990101001000".into(),
                    ..soldier(id("1992-01-01", 85), "", "2012-12-01")
                },
            )
            .await,
        );
        let fields: Vec<&str> = bad.iter().map(|e| e.1).collect();
        assert_eq!(
            fields,
            ["community", "placement", "training", "reported_on"]
        );

        let view = s.reception_batch(&youfu, b).await.unwrap();
        assert_eq!(view.receptions.len(), 4);
        assert_eq!(
            view.by_training,
            [
                (Training::Secondary, 2),
                (Training::Higher, 1),
                (Training::None, 1)
            ]
        );
        assert!(view.receptions.iter().all(|r| r.id_number.contains('*')));
        let xingfu = quick(db, "xingfu", "community_worker", XINGFU).await;
        assert!(
            s.reception_batch(&xingfu, b)
                .await
                .unwrap()
                .receptions
                .is_empty()
        );
        let heping = actor(db, "heping").await;
        assert!(matches!(
            s.receive_soldier(
                &heping,
                b,
                &soldier(id("1992-01-01", 86), "none", "2013-01-10")
            )
            .await,
            Err(Error::Forbidden)
        ));
        assert_eq!(audit_of(db, "veterans.reception.record").await.len(), 4);
    })
    .await;
}

#[tokio::test]
async fn hardship_grants_are_recorded_for_entitlements_in_the_jurisdiction() {
    for_each_engine(async |db| {
        demo_db(db).await;
        on(db, "2013-03-15");
        let s = &db.service;
        let youfu = actor(db, "youfu").await;
        let e = s
            .register_entitlement(
                &youfu,
                &EntitlementInput {
                    id_number: id("1946-05-20", 91),
                    name: "钱卫国".into(),
                    category: "51".into(),
                    certified_on: "2010-01-01".into(),
                    document_number: "参战证 9".into(),
                    certifying_office: "示范区民政局".into(),
                    community: HEPING.into(),
                    address: "和平路 9 号".into(),
                    ..EntitlementInput::default()
                },
            )
            .await
            .unwrap();
        let grant = |amount: &str, kind: &str| HardshipInput {
            entitlement: e.to_string(),
            kind: kind.into(),
            amount: amount.into(),
            reason: "生活困难，经审核给予补助".into(),
            approved_on: "2013-03-10".into(),
        };
        s.record_hardship_grant(&youfu, &grant("3000", "living"))
            .await
            .unwrap();
        s.record_hardship_grant(&youfu, &grant("1500.50", "medical"))
            .await
            .unwrap();
        let bad = refused(s.record_hardship_grant(&youfu, &grant("0", "luck")).await);
        let fields: Vec<&str> = bad.iter().map(|e| e.1).collect();
        assert_eq!(fields, ["kind", "amount"]);
        let list = s.hardship_grants(&youfu, 2013).await.unwrap();
        assert_eq!(list.grants.len(), 2);
        assert_eq!(list.total, Fen::from_fen(450_050));
        assert!(
            s.hardship_grants(&youfu, 2012)
                .await
                .unwrap()
                .grants
                .is_empty()
        );
        let xingfu = quick(db, "xingfu", "community_worker", XINGFU).await;
        assert!(
            s.hardship_grants(&xingfu, 2013)
                .await
                .unwrap()
                .grants
                .is_empty()
        );
        assert!(matches!(
            s.record_hardship_grant(&actor(db, "leader").await, &grant("10", "living"))
                .await,
            Err(Error::Forbidden)
        ));
    })
    .await;
}

#[tokio::test]
async fn the_demo_builder_gives_its_figures_in_the_half_year_report() {
    for_each_engine(async |db| {
        demo_db(db).await;
        testkit::veterans::build_veterans(&db.service)
            .await
            .unwrap();
        db.clock.advance(chrono::Duration::minutes(5));
        let leader = actor(db, "leader").await;
        let report = db
            .service
            .generate_report(&leader, "2013-01-01", "2013-06-30", None)
            .await
            .unwrap();
        for (code, value) in testkit::veterans::FIGURES {
            assert_eq!(report.figure(code).unwrap().value, *value, "{code}");
            let (rows, _) = all_records(db, &leader, report.id, code, 1000).await;
            let ind = domain::reports::indicator(code).unwrap();
            assert_eq!(
                testkit::drilled_value(ind, &rows),
                *value,
                "{code} drill-down"
            );
        }
        // A street's report counts only its own: 东城街道 has the two 51s' community.
        let street = db
            .service
            .generate_report(&leader, "2013-01-01", "2013-06-30", Some("990101001000"))
            .await
            .unwrap();
        assert_eq!(street.figure("veterans.combat").unwrap().value, 2);
        assert_eq!(street.figure("veterans.elderly_rural").unwrap().value, 0);
        assert_eq!(street.figure("campaigns.troops").unwrap().value, 0);
    })
    .await;
}
