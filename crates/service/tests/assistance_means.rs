//! The means check from a worksheet through `service` on SQLite and PostgreSQL: income items
//! by category with exempt ones, the job-cost deduction, property findings under the
//! district's thresholds, rows named on refusal with nothing written, the worksheet kept
//! with the step and on the case page, the version check, and the audit entry.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a line number"
)]

use domain::Fen;
use domain::assistance::means::{
    AssetKind, Exemption, IncomeCategory, IncomeItem, MeansPolicy, PropertyItem, Worksheet,
};
use domain::assistance::workflow::Status;
use service::Error;
use service::assistance::MeansCheck;
use testkit::for_each_engine;

mod common;

use common::*;

fn income(
    member: Option<i64>,
    category: IncomeCategory,
    fen: i64,
    ex: Option<Exemption>,
) -> IncomeItem {
    IncomeItem {
        member,
        category,
        monthly: Fen::from_fen(fen),
        exemption: ex,
        note: String::new(),
    }
}

fn asset(kind: AssetKind, fen: i64, count: u32, exempt: bool) -> PropertyItem {
    PropertyItem {
        kind,
        value: Fen::from_fen(fen),
        count,
        exempt,
        note: "不动产登记中心查询".into(),
    }
}

#[tokio::test]
async fn a_worksheet_gives_the_per_capita_income_and_property_findings_and_is_kept() {
    for_each_engine(async |db| {
        demo_db(db).await;
        let s = &db.service;
        let heping = actor(db, "heping").await;
        let dongcheng = actor(db, "dongcheng").await;
        on(db, "2013-07-01");
        let case = s
            .register_application(&heping, application(HEPING, zhang()))
            .await
            .unwrap();
        let page = s.case(&dongcheng, case).await.unwrap();
        let son = page.members[2].id;
        on(db, "2013-07-02");
        let sheet = Worksheet {
            income: vec![
                // The son's wages: 900 − 10 % job cost.
                income(Some(son), IncomeCategory::Wage, 90_000, None),
                income(None, IncomeCategory::Transfer, 25_050, None),
                // The head's 优抚金 and the basic pension are shown, not counted.
                income(
                    Some(page.members[0].id),
                    IncomeCategory::Transfer,
                    60_000,
                    Some(Exemption::Preferential),
                ),
                income(
                    None,
                    IncomeCategory::Transfer,
                    11_000,
                    Some(Exemption::BasicPension),
                ),
            ],
            property: vec![
                asset(AssetKind::Deposits, 2_000_000, 1, false),
                asset(AssetKind::RealEstate, 0, 3, false),
                asset(AssetKind::Vehicle, 3_000_000, 1, true),
            ],
        };
        let input = MeansCheck {
            on: d("2013-07-02"),
            note: "核对中心比对结果一致".into(),
            sheet: sheet.clone(),
        };
        let v = s
            .check_means(&dongcheng, case, 1, input.clone())
            .await
            .unwrap();
        assert_eq!(v, 2);

        let page = s.case(&dongcheng, case).await.unwrap();
        // (900 + 250.50 − 90) / 3 = 353.50.
        assert_eq!(page.income_per_capita, Some(Fen::from_fen(35_350)));
        assert!(
            matches!(page.status, Status::MeansChecked),
            "{:?}",
            page.status
        );
        assert_eq!(page.means.len(), 1);
        let m = &page.means[0];
        assert_eq!(m.seq, 2);
        assert_eq!(
            (m.countable, m.exempt, m.job_cost, m.per_capita, m.members),
            (
                Fen::from_fen(115_050),
                Fen::from_fen(71_000),
                Fen::from_fen(9_000),
                Fen::from_fen(35_350),
                3
            )
        );
        assert_eq!(
            m.standard,
            Fen::from_fen(38_500),
            "the 2013 urban 低保 standard"
        );
        // 20,000 / 3 = 6,666.66 is under 24 × 385 = 9,240; three homes are over two; the
        // exempt vehicle is no finding.
        assert_eq!(
            m.findings,
            vec![("means.finding_homes".to_owned(), "3 / 2".to_owned())]
        );
        assert_eq!(m.income.len(), 4);
        assert_eq!(m.income[0].member_name.as_deref(), Some("张强"));
        assert_eq!(m.income[0].item, sheet.income[0]);
        assert_eq!(m.income[3].item.exemption, Some(Exemption::BasicPension));
        assert_eq!(m.property, sheet.property);
        assert_eq!(m.policy, MeansPolicy::default());
        let history = page.actions.last().unwrap();
        assert_eq!(history.note, "核对中心比对结果一致");
        let audit = audit_of(db, "assistance.step.check_means").await;
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].actor, "dongcheng");

        // The same worksheet again on the old version: a conflict, nothing written.
        assert!(matches!(
            s.check_means(&dongcheng, case, 1, input).await,
            Err(Error::Conflict {
                code: "assistance.case_changed",
                ..
            })
        ));
        assert_eq!(s.case(&dongcheng, case).await.unwrap().means.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn bad_rows_are_named_and_the_district_thresholds_apply() {
    for_each_engine(async |db| {
        demo_db(db).await;
        let s = &db.service;
        let heping = actor(db, "heping").await;
        let dongcheng = actor(db, "dongcheng").await;
        let jiuzhu = actor(db, "jiuzhu").await;
        on(db, "2013-07-01");
        let case = s
            .register_application(&heping, application(HEPING, zhang()))
            .await
            .unwrap();
        let check = |sheet: Worksheet| MeansCheck {
            on: d("2013-07-01"),
            note: String::new(),
            sheet,
        };

        // A member of another household, a negative amount, a zero count: each named by
        // its row; nothing is written.
        let bad = Worksheet {
            income: vec![
                income(None, IncomeCategory::Wage, 10_000, None),
                income(Some(999_999), IncomeCategory::Wage, 10_000, None),
            ],
            property: vec![],
        };
        assert_eq!(
            refused(s.check_means(&dongcheng, case, 1, check(bad)).await),
            [(
                Some(2),
                "income_member",
                "means.member_unknown",
                "999999".into()
            )]
        );
        let bad = Worksheet {
            income: vec![income(None, IncomeCategory::Wage, -1, None)],
            property: vec![],
        };
        assert_eq!(
            refused(s.check_means(&dongcheng, case, 1, check(bad)).await),
            [(
                Some(1),
                "income_amount",
                "means.income_negative",
                String::new()
            )]
        );
        let bad = Worksheet {
            income: vec![],
            property: vec![
                asset(AssetKind::Deposits, 100, 1, false),
                asset(AssetKind::RealEstate, 0, 0, false),
            ],
        };
        assert_eq!(
            refused(s.check_means(&dongcheng, case, 1, check(bad)).await),
            [(Some(2), "property_count", "means.count_zero", String::new())]
        );
        let page = s.case(&dongcheng, case).await.unwrap();
        assert_eq!((page.version, page.means.len()), (1, 0), "nothing written");

        // The district lowers the financial-assets limit to 12 months and stops flagging
        // businesses; a business and 50,000 of deposits for three persons.
        let mut settings = s.assistance_settings(&jiuzhu).await.unwrap();
        settings.means.financial_assets_months = 12;
        settings.means.business_is_finding = false;
        s.set_assistance_settings(&jiuzhu, &settings).await.unwrap();
        let mut bad_settings = settings.clone();
        bad_settings.means.job_cost_pct = 101;
        assert_eq!(
            refused(s.set_assistance_settings(&jiuzhu, &bad_settings).await),
            [(
                None,
                "means_job_cost_pct",
                "assistance.means_setting",
                "0-100".into()
            )]
        );
        let sheet = Worksheet {
            income: vec![],
            property: vec![
                asset(AssetKind::Deposits, 5_000_000, 1, false),
                asset(AssetKind::Business, 0, 1, false),
            ],
        };
        s.check_means(&dongcheng, case, 1, check(sheet))
            .await
            .unwrap();
        let m = &s.case(&dongcheng, case).await.unwrap().means[0];
        // 16,666.66 per person over 12 × 385 = 4,620.
        assert_eq!(
            m.findings,
            vec![(
                "means.finding_financial_assets".to_owned(),
                "16666.66 / 4620.00".to_owned()
            )]
        );
        assert_eq!(m.policy.financial_assets_months, 12);
        assert_eq!(m.per_capita, Fen::ZERO);

        // A worker of another community never reaches the case.
        let other = quick(db, "xingfu", "community_worker", XINGFU).await;
        assert!(matches!(
            s.check_means(&other, case, 2, check(Worksheet::default()))
                .await,
            Err(Error::NotFound)
        ));
    })
    .await;
}
