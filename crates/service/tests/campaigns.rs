//! Condolence campaigns through `service` on SQLite and PostgreSQL: a campaign with its
//! delegations, visits to every kind of beneficiary with money and goods by funding source,
//! in-kind items counted, one household never paid twice in one campaign (however it is
//! reached), and jurisdiction and roles.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a line number"
)]

use domain::Fen;
use service::campaigns::{CampaignInput, DelegationInput, VisitInput};
use service::veterans::EntitlementInput;
use service::{Actor, Error};
use testkit::{TestDb, for_each_engine};

mod common;

use common::*;

fn visit(beneficiary: &str, money: &str, source: &str) -> VisitInput {
    VisitInput {
        delegation: String::new(),
        beneficiary: beneficiary.into(),
        household: String::new(),
        entitlement: String::new(),
        unit_name: String::new(),
        division: String::new(),
        money: money.into(),
        goods_value: String::new(),
        goods: String::new(),
        funding_source: source.into(),
        visited_on: "2013-01-18".into(),
    }
}

/// The demo district, the Zhang household on notice, an entitled person in 和平社区, and
/// the 2013 Spring Festival campaign with one delegation; returns (youfu, campaign,
/// delegation, Zhang's household, the entitlement).
async fn setup(db: &TestDb) -> (Actor, i64, i64, i64, i64) {
    demo_db(db).await;
    let (case, _) = through_notice(db).await;
    on(db, "2013-01-10");
    let s = &db.service;
    let youfu = actor(db, "youfu").await;
    let household = s
        .case(&actor(db, "jiuzhu").await, case)
        .await
        .unwrap()
        .household
        .id;
    let entitlement = s
        .register_entitlement(
            &youfu,
            &EntitlementInput {
                id_number: id("1948-02-02", 71),
                name: "刘老兵".into(),
                category: "51".into(),
                certified_on: "2010-05-01".into(),
                document_number: "参战证 0001".into(),
                certifying_office: "示范区民政局".into(),
                community: HEPING.into(),
                address: "和平路 2 号".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let campaign = s
        .create_campaign(
            &youfu,
            &CampaignInput {
                name: "2013年春节走访慰问".into(),
                starts_on: "2013-01-15".into(),
                ends_on: "2013-02-15".into(),
            },
        )
        .await
        .unwrap();
    let delegation = s
        .add_delegation(
            &youfu,
            campaign,
            &DelegationInput {
                name: "第一慰问组".into(),
                leader: "区长".into(),
                participants: "6".into(),
            },
        )
        .await
        .unwrap();
    (youfu, campaign, delegation, household, entitlement)
}

#[tokio::test]
async fn a_campaign_counts_delegations_visits_money_goods_and_items_by_source() {
    for_each_engine(async |db| {
        let (youfu, campaign, delegation, household, entitlement) = setup(db).await;
        let s = &db.service;
        s.record_visit(
            &youfu,
            campaign,
            &VisitInput {
                delegation: delegation.to_string(),
                unit_name: "驻区某部".into(),
                division: "990101000000".into(),
                goods_value: "5000".into(),
                goods: "慰问品".into(),
                ..visit("troop_unit", "30000", "budget")
            },
        )
        .await
        .unwrap();
        s.record_visit(
            &youfu,
            campaign,
            &VisitInput {
                household: household.to_string(),
                ..visit("assistance_household", "500", "donation")
            },
        )
        .await
        .unwrap();
        s.record_visit(
            &youfu,
            campaign,
            &VisitInput {
                entitlement: entitlement.to_string(),
                ..visit("entitled_person", "800", "budget")
            },
        )
        .await
        .unwrap();
        s.record_visit(
            &youfu,
            campaign,
            &VisitInput {
                unit_name: "青山镇敬老院".into(),
                division: "990101101000".into(),
                ..visit("elderly_home", "2000", "donation")
            },
        )
        .await
        .unwrap();
        s.add_campaign_items(&youfu, campaign, "letter", "10000")
            .await
            .unwrap();
        s.add_campaign_items(&youfu, campaign, "couplet", "9000")
            .await
            .unwrap();
        s.add_campaign_items(&youfu, campaign, "couplet", "1000")
            .await
            .unwrap();
        let view = s.campaign(&youfu, campaign).await.unwrap();
        let t = &view.totals;
        assert_eq!(
            (t.delegations, t.participants, t.visits, t.households),
            (1, 6, 4, 2)
        );
        assert_eq!(t.money, Fen::from_fen(3_330_000));
        assert_eq!(t.goods, Fen::from_fen(500_000));
        assert_eq!(t.donated, Fen::from_fen(250_000));
        assert_eq!(t.given(), Fen::from_fen(3_830_000));
        assert_eq!(
            t.items,
            [
                ("couplet".to_owned(), 10_000),
                ("letter".to_owned(), 10_000)
            ]
        );
        assert_eq!(
            view.visits[2].visited_name.as_deref(),
            Some("刘老兵"),
            "an entitled person's visit names them"
        );

        // 和平社区's worker sees the visits in 和平社区 only, and the district's totals of
        // delegations.
        let heping = actor(db, "heping").await;
        let theirs = s.campaign(&heping, campaign).await.unwrap();
        assert_eq!(theirs.visits.len(), 2);
        assert_eq!(theirs.totals.delegations, 1);
        assert_eq!(audit_of(db, "campaigns.visit.record").await.len(), 4);
    })
    .await;
}

#[tokio::test]
async fn one_household_is_never_paid_twice_in_one_campaign() {
    for_each_engine(async |db| {
        let (youfu, campaign, _, household, entitlement) = setup(db).await;
        let s = &db.service;
        s.record_visit(
            &youfu,
            campaign,
            &VisitInput {
                entitlement: entitlement.to_string(),
                ..visit("entitled_person", "800", "budget")
            },
        )
        .await
        .unwrap();
        let again = refused(
            s.record_visit(
                &youfu,
                campaign,
                &VisitInput {
                    entitlement: entitlement.to_string(),
                    ..visit("entitled_person", "300", "donation")
                },
            )
            .await,
        );
        assert_eq!(
            (again[0].1, again[0].2),
            ("household", "campaigns.household_paid")
        );
        // The Zhang household once; then refused.
        s.record_visit(
            &youfu,
            campaign,
            &VisitInput {
                household: household.to_string(),
                ..visit("assistance_household", "500", "budget")
            },
        )
        .await
        .unwrap();
        let twice = refused(
            s.record_visit(
                &youfu,
                campaign,
                &VisitInput {
                    household: household.to_string(),
                    ..visit("assistance_household", "500", "budget")
                },
            )
            .await,
        );
        assert_eq!(twice[0].2, "campaigns.household_paid");
        // Another campaign may pay it again.
        let other = s
            .create_campaign(
                &youfu,
                &CampaignInput {
                    name: "2013年八一走访慰问".into(),
                    starts_on: "2013-01-15".into(),
                    ends_on: "2013-08-01".into(),
                },
            )
            .await
            .unwrap();
        s.record_visit(
            &youfu,
            other,
            &VisitInput {
                household: household.to_string(),
                ..visit("assistance_household", "500", "budget")
            },
        )
        .await
        .unwrap();
        let view = s.campaign(&youfu, campaign).await.unwrap();
        assert_eq!(view.totals.visits, 2, "the refusals wrote nothing");
    })
    .await;
}

#[tokio::test]
async fn bad_visits_and_roles_are_refused() {
    for_each_engine(async |db| {
        let (youfu, campaign, _, household, _) = setup(db).await;
        let s = &db.service;
        let bad = refused(
            s.record_visit(
                &youfu,
                campaign,
                &VisitInput {
                    delegation: "999".into(),
                    visited_on: "2013-03-01".into(),
                    ..visit("troop_unit", "0", "lottery")
                },
            )
            .await,
        );
        let fields: Vec<&str> = bad.iter().map(|e| e.1).collect();
        assert_eq!(
            fields,
            [
                "delegation",
                "unit_name",
                "division",
                "money",
                "funding_source",
                "visited_on"
            ],
            "{bad:?}"
        );
        let heping = actor(db, "heping").await;
        assert!(matches!(
            s.create_campaign(
                &heping,
                &CampaignInput {
                    name: "x".into(),
                    starts_on: "2013-01-01".into(),
                    ends_on: "2013-01-02".into()
                }
            )
            .await,
            Err(Error::Forbidden)
        ));
        // A community worker records a visit in their own community, not elsewhere.
        s.record_visit(
            &heping,
            campaign,
            &VisitInput {
                household: household.to_string(),
                ..visit("assistance_household", "300", "budget")
            },
        )
        .await
        .unwrap();
        let xingfu = quick(db, "xingfu", "community_worker", XINGFU).await;
        let outside = refused(
            s.record_visit(
                &xingfu,
                campaign,
                &VisitInput {
                    household: household.to_string(),
                    ..visit("assistance_household", "300", "budget")
                },
            )
            .await,
        );
        assert_eq!(outside[0].2, "campaigns.household");
        assert!(matches!(
            s.campaign(&Actor::system(), 9999).await,
            Err(Error::NotFound)
        ));
    })
    .await;
}
