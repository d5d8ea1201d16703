//! The register of entitled persons and the dated standards through `service` on SQLite and
//! PostgreSQL: registering with the certification, the refusals the issue names (an invalid
//! ID, a person recorded dead, a grade outside 1–10, the same entitlement twice), several
//! categories for one person in one household, the status history, jurisdiction and roles,
//! the standard's preview, and what is due for a month.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a line number"
)]

use domain::veterans::{Due, NotDue, Status};
use domain::{Fen, Month};
use service::veterans::{
    EntitlementInput, EntitlementQuery, StandardInput, StatusFilter, StatusInput,
};
use service::{Actor, Error};
use testkit::{TestDb, for_each_engine};

mod common;

use common::*;

fn disabled(id_number: &str, grade: &str, cause: &str) -> EntitlementInput {
    EntitlementInput {
        id_number: id_number.into(),
        name: "王建国".into(),
        category: "11".into(),
        grade: grade.into(),
        cause: cause.into(),
        service_years: String::new(),
        certified_on: "2012-11-20".into(),
        document_number: "残字第 0012 号".into(),
        certifying_office: "示范区民政局".into(),
        community: HEPING.into(),
        address: "和平路 9 号".into(),
        area: String::new(),
    }
}

fn in_category(id_number: &str, category: &str, years: &str) -> EntitlementInput {
    EntitlementInput {
        category: category.into(),
        grade: String::new(),
        cause: String::new(),
        service_years: years.into(),
        ..disabled(id_number, "", "")
    }
}

fn standard(category: &str, grade: &str, cause: &str, from: &str, amount: &str) -> StandardInput {
    StandardInput {
        category: category.into(),
        grade: grade.into(),
        cause: cause.into(),
        effective_from: from.into(),
        amount: amount.into(),
        per: "month".into(),
        citation: "民发〔2012〕200号".into(),
    }
}

async fn setup(db: &TestDb) -> Actor {
    demo_db(db).await;
    on(db, "2013-01-10");
    actor(db, "youfu").await
}

#[tokio::test]
async fn an_entitlement_is_registered_with_its_certification_and_listed_masked() {
    for_each_engine(async |db| {
        let youfu = setup(db).await;
        let s = &db.service;
        let wang = id("1952-04-01", 31);
        let e = s
            .register_entitlement(&youfu, &disabled(&wang, "4", "war"))
            .await
            .unwrap();
        let view = s.entitlement(&youfu, e).await.unwrap();
        assert_eq!(view.category_name, "残疾军人");
        assert_eq!(
            (view.grade, view.cause.map(|c| c.as_str())),
            (Some(4), Some("war"))
        );
        assert_eq!(view.document_number, "残字第 0012 号");
        assert_eq!(view.certifying_office, "示范区民政局");
        assert_eq!(view.status, Status::Active);
        assert_eq!(view.history.len(), 1);
        assert_ne!(view.id_number, wang, "the ID number is masked");
        assert_eq!(view.division.as_str(), HEPING);

        // A second category for the same person joins the same household.
        let second = s
            .register_entitlement(&youfu, &in_category(&wang, "51", ""))
            .await
            .unwrap();
        let second = s.entitlement(&youfu, second).await.unwrap();
        assert_eq!(second.household_id, view.household_id);

        // Search by name, by initials, by the whole ID; filter by category and status.
        let q = |text: &str, category: Option<&str>| EntitlementQuery {
            list: service::list::ListQuery {
                q: text.into(),
                ..Default::default()
            },
            category: category.map(str::to_owned),
        };
        for (text, category, n) in [
            ("王建", None, 2),
            ("wjg", None, 2),
            (wang.as_str(), None, 2),
            (&wang[..10], None, 0),
            ("", Some("51"), 1),
            ("", Some("42"), 0),
        ] {
            let page = s.entitlements(&youfu, &q(text, category)).await.unwrap();
            assert_eq!(page.total, n, "{text} {category:?}");
        }
        let exported = s.export_entitlements(&youfu, &q("", None)).await.unwrap();
        assert_eq!(exported.len(), 2);
        assert!(exported.iter().all(|e| e.id_number.contains('*')));
        assert_eq!(audit_of(db, "veterans.entitlement.register").await.len(), 2);
        assert_eq!(audit_of(db, "veterans.entitlement.export").await.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn bad_entitlements_are_refused_with_the_reason_and_nothing_is_written() {
    for_each_engine(async |db| {
        let youfu = setup(db).await;
        let s = &db.service;
        let wang = id("1952-04-01", 31);
        let wrong_check = if wang.ends_with('0') { '1' } else { '0' };
        let bad_id = format!("{}{wrong_check}", &wang[..17]);
        let refusal = refused(
            s.register_entitlement(&youfu, &disabled(&bad_id, "4", "war"))
                .await,
        );
        assert_eq!(refusal[0].1, "id_number", "{refusal:?}");

        let grade = refused(
            s.register_entitlement(&youfu, &disabled(&wang, "11", "war"))
                .await,
        );
        assert_eq!((grade[0].1, grade[0].2), ("grade", "veterans.grade"));
        let illness = refused(
            s.register_entitlement(&youfu, &disabled(&wang, "7", "illness"))
                .await,
        );
        assert_eq!(illness[0].2, "veterans.illness_grade");
        let no_cause = refused(
            s.register_entitlement(&youfu, &disabled(&wang, "3", ""))
                .await,
        );
        assert_eq!(no_cause[0].2, "veterans.disability_parts");
        let elderly = refused(
            s.register_entitlement(&youfu, &in_category(&wang, "81", ""))
                .await,
        );
        assert_eq!(elderly[0].2, "veterans.service_years_missing");
        let unknown = refused(
            s.register_entitlement(&youfu, &in_category(&wang, "99", ""))
                .await,
        );
        assert_eq!(unknown[0].2, "veterans.category");
        let blank = refused(
            s.register_entitlement(
                &youfu,
                &EntitlementInput {
                    document_number: " ".into(),
                    certified_on: "2099-01-01".into(),
                    ..disabled(&wang, "4", "war")
                },
            )
            .await,
        );
        let fields: Vec<&str> = blank.iter().map(|e| e.1).collect();
        assert_eq!(fields, ["certified_on", "document_number"]);

        // The same entitlement twice.
        s.register_entitlement(&youfu, &disabled(&wang, "4", "war"))
            .await
            .unwrap();
        let twice = refused(
            s.register_entitlement(&youfu, &disabled(&wang, "2", "duty"))
                .await,
        );
        assert_eq!((twice[0].1, twice[0].2), ("category", "veterans.duplicate"));

        // A person recorded dead.
        let dead = id("1940-01-01", 52);
        s.import_deaths(
            &actor(db, "jiuzhu").await,
            format!("id_number,name,date_of_death,source\n{dead},赵老汉,2012-12-01,公安户籍\n")
                .as_bytes(),
        )
        .await
        .unwrap();
        let refusal = refused(
            s.register_entitlement(&youfu, &in_category(&dead, "21", ""))
                .await,
        );
        assert_eq!(refusal[0].2, "veterans.dead");

        let all = s
            .entitlements(&Actor::system(), &EntitlementQuery::default())
            .await
            .unwrap();
        assert_eq!(all.total, 1, "only the one good entitlement was written");
    })
    .await;
}

#[tokio::test]
async fn roles_and_jurisdiction_decide_who_registers_and_who_sees() {
    for_each_engine(async |db| {
        let youfu = setup(db).await;
        let s = &db.service;
        let e = s
            .register_entitlement(&youfu, &in_category(&id("1950-01-01", 41), "42", ""))
            .await
            .unwrap();
        let heping = actor(db, "heping").await;
        let dongcheng = actor(db, "dongcheng").await;
        let jiuzhu = actor(db, "jiuzhu").await;
        assert!(matches!(
            s.register_entitlement(&dongcheng, &in_category(&id("1950-01-01", 42), "42", ""))
                .await,
            Err(Error::Forbidden)
        ));
        assert!(matches!(
            s.register_entitlement(&jiuzhu, &in_category(&id("1950-01-01", 42), "42", ""))
                .await,
            Err(Error::Forbidden)
        ));
        assert_eq!(s.entitlement(&heping, e).await.unwrap().id, e);
        assert_eq!(s.entitlement(&jiuzhu, e).await.unwrap().id, e);
        let xingfu = quick(db, "xingfu", "community_worker", XINGFU).await;
        assert!(matches!(
            s.entitlement(&xingfu, e).await,
            Err(Error::NotFound)
        ));
        let page = s
            .entitlements(&xingfu, &EntitlementQuery::default())
            .await
            .unwrap();
        assert_eq!(page.total, 0);
        let admin = actor(db, "admin").await;
        assert!(matches!(
            s.entitlements(&admin, &EntitlementQuery::default()).await,
            Err(Error::Forbidden)
        ));
        // A community worker exports their own community's register, masked.
        assert_eq!(
            s.export_entitlements(&heping, &EntitlementQuery::default())
                .await
                .unwrap()
                .len(),
            1
        );
    })
    .await;
}

#[tokio::test]
async fn a_status_history_suspends_and_ends_from_the_next_month() {
    for_each_engine(async |db| {
        let youfu = setup(db).await;
        let s = &db.service;
        let e = s
            .register_entitlement(&youfu, &in_category(&id("1950-01-01", 41), "42", ""))
            .await
            .unwrap();
        s.set_veteran_standard(&youfu, &standard("42", "", "", "2012-10-01", "500"))
            .await
            .unwrap();
        let v = s
            .change_entitlement_status(
                &youfu,
                e,
                &StatusInput {
                    status: "suspended".into(),
                    effective_on: "2013-01-05".into(),
                    reason: "服刑期间依法中止".into(),
                    version: 1,
                },
            )
            .await
            .unwrap();
        assert_eq!(v, 2);
        let stale = s
            .change_entitlement_status(
                &youfu,
                e,
                &StatusInput {
                    status: "ended".into(),
                    effective_on: "2013-01-06".into(),
                    reason: "过期的表单".into(),
                    version: 1,
                },
            )
            .await;
        assert!(matches!(
            stale,
            Err(Error::Conflict {
                code: "veterans.stale",
                ..
            })
        ));
        let month = |m: &str| Month::parse(m).unwrap();
        assert_eq!(
            s.entitlement_due(&youfu, e, month("2013-01"))
                .await
                .unwrap(),
            Due::Pay {
                amount: Fen::from_fen(50_000),
                standard_from: d("2012-10-01")
            }
        );
        assert_eq!(
            s.entitlement_due(&youfu, e, month("2013-02"))
                .await
                .unwrap(),
            Due::Nothing(NotDue::Suspended)
        );
        s.change_entitlement_status(
            &youfu,
            e,
            &StatusInput {
                status: "ended".into(),
                effective_on: "2013-01-20".into(),
                reason: "判处无期徒刑，取消资格".into(),
                version: 2,
            },
        )
        .await
        .unwrap();
        let again = refused(
            s.change_entitlement_status(
                &youfu,
                e,
                &StatusInput {
                    status: "active".into(),
                    effective_on: "2013-01-21".into(),
                    reason: "恢复".into(),
                    version: 3,
                },
            )
            .await,
        );
        assert_eq!(again[0].2, "veterans.status_move");
        let view = s.entitlement(&youfu, e).await.unwrap();
        let statuses: Vec<Status> = view.history.iter().map(|h| h.status).collect();
        assert_eq!(statuses, [Status::Active, Status::Suspended, Status::Ended]);
        let ended = s
            .entitlements(
                &youfu,
                &EntitlementQuery {
                    list: service::list::ListQuery {
                        status: Some(StatusFilter(Status::Ended)),
                        ..Default::default()
                    },
                    category: None,
                },
            )
            .await
            .unwrap();
        assert_eq!(ended.total, 1);
    })
    .await;
}

#[tokio::test]
async fn a_standard_preview_shows_who_changes_and_the_month_before_saving() {
    for_each_engine(async |db| {
        let youfu = setup(db).await;
        let s = &db.service;
        for (seq, grade) in [(61, "1"), (62, "1"), (63, "2")] {
            s.register_entitlement(&youfu, &disabled(&id("1950-01-01", seq), grade, "war"))
                .await
                .unwrap();
        }
        s.register_entitlement(&youfu, &in_category(&id("1953-06-01", 64), "81", "3"))
            .await
            .unwrap();
        s.set_veteran_standard(&youfu, &standard("11", "1", "war", "2012-10-01", "5000"))
            .await
            .unwrap();
        let raise = standard("11", "1", "war", "2013-01-01", "5500");
        let preview = s.preview_veteran_standard(&youfu, &raise).await.unwrap();
        assert_eq!(preview.month, Month::parse("2013-01").unwrap());
        assert_eq!(
            preview.rows.len(),
            2,
            "the two grade-1 war cases, not the grade 2"
        );
        assert_eq!(preview.total_before, Fen::from_fen(1_000_000));
        assert_eq!(preview.total_after, Fen::from_fen(1_100_000));
        assert_eq!(preview.paid, 2);
        // Nothing was written by the preview.
        assert_eq!(s.veteran_standards(&youfu).await.unwrap().len(), 1);
        s.set_veteran_standard(&youfu, &raise).await.unwrap();
        assert_eq!(s.veteran_standards(&youfu).await.unwrap().len(), 2);

        // The elderly allowance: 35 yuan per year of service, from the month of 60.
        s.set_veteran_standard(&youfu, &standard("81", "", "", "2012-01-01", "35"))
            .await
            .unwrap();
        let e81 = s
            .entitlements(
                &youfu,
                &EntitlementQuery {
                    category: Some("81".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .items[0]
            .id;
        let month = |m: &str| Month::parse(m).unwrap();
        assert_eq!(
            s.entitlement_due(&youfu, e81, month("2013-05"))
                .await
                .unwrap(),
            Due::Nothing(NotDue::UnderAge)
        );
        // Born 1953-06-01: 60 in June 2013, three years of service.
        assert_eq!(
            s.entitlement_due(&youfu, e81, month("2013-06"))
                .await
                .unwrap(),
            Due::Pay {
                amount: Fen::from_fen(10_500),
                standard_from: d("2012-01-01")
            }
        );

        let bad = refused(
            s.preview_veteran_standard(&youfu, &standard("11", "12", "war", "2013-01-01", "-1"))
                .await,
        );
        let fields: Vec<&str> = bad.iter().map(|e| e.1).collect();
        assert_eq!(fields, ["grade", "amount"]);
        let heping = actor(db, "heping").await;
        assert!(matches!(
            s.set_veteran_standard(&heping, &raise).await,
            Err(Error::Forbidden)
        ));
    })
    .await;
}
