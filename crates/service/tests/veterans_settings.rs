//! The veterans section's settings and the petition export through `service` on SQLite and
//! PostgreSQL (issue 7 items 1 and 8): the petition risk levels renamed, re-timed, added and
//! removed, with the due list following a new interval; the categories not held together
//! added and removed, refused while persons hold both, and read by registration at once;
//! the petition list exported with its filters, masked and audited. Only the district's
//! veterans section may change the settings; every refusal names field, row and reason.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a line number"
)]

use domain::veterans::petitions::VisitDue;
use service::veterans::combinations::ExclusionInput;
use service::veterans::petitions::{FollowupInput, OpenInput, PetitionQuery, RiskLevelInput};
use service::{Actor, Error};
use testkit::{TestDb, for_each_engine};

mod common;

use common::*;

fn level(code: &str, name: &str, days: &str) -> RiskLevelInput {
    RiskLevelInput {
        code: code.into(),
        name: name.into(),
        visit_days: days.into(),
    }
}

fn opening(entitlement: &str, on: &str, risk: &str, next_due: &str) -> OpenInput {
    OpenInput {
        entitlement: entitlement.into(),
        petitioner: if entitlement.is_empty() {
            "周老兵"
        } else {
            ""
        }
        .into(),
        community: if entitlement.is_empty() { HEPING } else { "" }.into(),
        subject: "要求提高补助标准".into(),
        opened_on: on.into(),
        risk: risk.into(),
        who: "和平社区 李主任".into(),
        what: "排查登记".into(),
        next_due: next_due.into(),
    }
}

async fn due(db: &TestDb, actor: &Actor, due: VisitDue) -> usize {
    db.service.petitions_due_count(actor, due).await.unwrap()
}

#[tokio::test]
async fn the_section_edits_the_risk_levels_and_the_due_list_follows_the_interval() {
    for_each_engine(async |db| {
        let youfu = veterans_section(db).await;
        let s = &db.service;
        let heping = actor(db, "heping").await;
        let e = s
            .register_entitlement(&youfu, &in_category(&id("1950-04-01", 31), "51"))
            .await
            .unwrap();
        // By the interval (high: 7 days → 07-04), a date given (07-04), medium (→ 07-20).
        let by_interval = s
            .open_petition(&heping, &opening(&e.to_string(), "2013-06-27", "high", ""))
            .await
            .unwrap();
        let given = s
            .open_petition(&heping, &opening("", "2013-06-27", "high", "2013-07-04"))
            .await
            .unwrap();
        s.open_petition(&heping, &opening("", "2013-06-20", "medium", ""))
            .await
            .unwrap();
        assert_eq!(due(db, &youfu, VisitDue::ThisWeek).await, 2);
        assert_eq!(due(db, &youfu, VisitDue::Overdue).await, 0);

        let uses = s.petition_risk_level_uses(&youfu).await.unwrap();
        let codes: Vec<_> = uses
            .iter()
            .map(|u| (u.level.code.as_str(), u.open_cases, u.cases))
            .collect();
        assert_eq!(
            codes,
            [("high", 2, 2), ("medium", 1, 1), ("low", 0, 0)],
            "{uses:?}"
        );
        // Readers see the counts of their own jurisdiction.
        let xicheng = quick(db, "xicheng", "street_officer", "990101002000").await;
        let theirs = s.petition_risk_level_uses(&xicheng).await.unwrap();
        assert!(theirs.iter().all(|u| u.open_cases == 0), "{theirs:?}");

        // Only the district's veterans section changes the levels.
        let rows = [level("high", "高", "3")];
        for who in [
            &heping,
            &actor(db, "leader").await,
            &actor(db, "jiuzhu").await,
        ] {
            assert!(matches!(
                s.edit_petition_risk_levels(who, &rows).await,
                Err(Error::Forbidden)
            ));
        }
        let street_section = quick(db, "youfu_street", "veterans_staff", "990101001000").await;
        assert!(matches!(
            s.edit_petition_risk_levels(&street_section, &rows).await,
            Err(Error::Forbidden)
        ));
        assert!(matches!(
            s.add_petition_risk_level(&street_section, &level("x", "x", "1"))
                .await,
            Err(Error::Forbidden)
        ));
        assert!(matches!(
            s.remove_petition_risk_level(&street_section, "low").await,
            Err(Error::Forbidden)
        ));

        // Every wrong row named; nothing written.
        let refusal = refused(
            s.edit_petition_risk_levels(
                &youfu,
                &[
                    level("high", "高", "3"),
                    level("medium", "", "0"),
                    level("severe", "重", "5"),
                ],
            )
            .await,
        );
        let named: Vec<_> = refusal.iter().map(|r| (r.0, r.1, r.2)).collect();
        assert_eq!(
            named,
            [
                (Some(2), "risk_name", "veterans.risk_name"),
                (Some(2), "visit_days", "veterans.visit_days"),
                (Some(3), "risk_code", "veterans.risk"),
            ]
        );
        let refusal = refused(
            s.edit_petition_risk_levels(&youfu, &[level("high", "中", "7")])
                .await,
        );
        assert_eq!(
            (refusal[0].0, refusal[0].2),
            (Some(1), "veterans.risk_name_taken")
        );
        // A form that changes nothing writes nothing.
        assert_eq!(
            s.edit_petition_risk_levels(&youfu, &[level("low", "低", "90")])
                .await
                .unwrap(),
            0,
            "nothing changed, nothing written"
        );
        assert_eq!(
            s.petition(&youfu, by_interval).await.unwrap().risk_name,
            "高"
        );
        assert!(
            audit_of(db, "veterans.petition.risk_level")
                .await
                .is_empty()
        );

        // High is now every 3 days: the visit left to the interval is overdue (06-30),
        // the date given stays.
        let changed = s
            .edit_petition_risk_levels(
                &youfu,
                &[level("high", "高风险", "3"), level("medium", "中", "30")],
            )
            .await
            .unwrap();
        assert_eq!(changed, 1);
        let a = s.petition(&youfu, by_interval).await.unwrap();
        assert_eq!(
            (a.next_due, a.risk_name.as_str()),
            (Some(d("2013-06-30")), "高风险")
        );
        // The follow-up's history keeps the date worked out the day it was recorded.
        assert_eq!(a.followups[0].next_due, Some(d("2013-07-04")));
        let b = s.petition(&youfu, given).await.unwrap();
        assert_eq!(b.next_due, Some(d("2013-07-04")));
        assert_eq!(due(db, &youfu, VisitDue::Overdue).await, 1);
        assert_eq!(due(db, &youfu, VisitDue::ThisWeek).await, 1);
        let entries = audit_of(db, "veterans.petition.risk_level").await;
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].object, "petition_risk_level:high");
        assert_eq!(entries[0].detail, "name=高→高风险 visit_days=7→3");
        // A follow-up recorded now plans by the new interval.
        s.record_followup(
            &heping,
            by_interval,
            &FollowupInput {
                kind: "home_visit".into(),
                on_date: "2013-07-01".into(),
                who: "和平社区 李主任".into(),
                what: "上门了解情况".into(),
                ..FollowupInput::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            s.petition(&youfu, by_interval).await.unwrap().next_due,
            Some(d("2013-07-04"))
        );

        // Adding a level: the code is checked, unique, and so is the name.
        let refusal = refused(
            s.add_petition_risk_level(&youfu, &level("高危", "中", "400"))
                .await,
        );
        let codes: Vec<_> = refusal.iter().map(|r| (r.1, r.2)).collect();
        assert_eq!(
            codes,
            [
                ("risk_code", "veterans.risk_code"),
                ("visit_days", "veterans.visit_days"),
            ]
        );
        let refusal = refused(
            s.add_petition_risk_level(&youfu, &level("high", "极高", "2"))
                .await,
        );
        assert_eq!(refusal[0].2, "veterans.risk_code_taken");
        let refusal = refused(
            s.add_petition_risk_level(&youfu, &level("top", "中", "2"))
                .await,
        );
        assert_eq!(refusal[0].2, "veterans.risk_name_taken");
        s.add_petition_risk_level(&youfu, &level("critical", "极高", "2"))
            .await
            .unwrap();
        let levels = s.petition_risk_levels(&heping).await.unwrap();
        assert_eq!(levels.len(), 4);
        assert_eq!(
            (levels[3].code.as_str(), levels[3].visit_days),
            ("critical", 2)
        );
        let c = s
            .open_petition(&heping, &opening("", "2013-07-01", "critical", ""))
            .await
            .unwrap();
        assert_eq!(
            s.petition(&youfu, c).await.unwrap().next_due,
            Some(d("2013-07-03"))
        );

        // A level a case used stays, with the count named at its row; an unused one goes.
        let refusal = refused(s.remove_petition_risk_level(&youfu, "high").await);
        assert_eq!(
            refusal,
            [(Some(1), "risk_code", "veterans.risk_in_use", "2".to_owned())]
        );
        assert_eq!(s.petition_risk_levels(&youfu).await.unwrap().len(), 4);
        s.remove_petition_risk_level(&youfu, "low").await.unwrap();
        let left: Vec<_> = s
            .petition_risk_levels(&youfu)
            .await
            .unwrap()
            .into_iter()
            .map(|l| l.code)
            .collect();
        assert_eq!(left, ["high", "medium", "critical"]);
        assert_eq!(
            refused(s.remove_petition_risk_level(&youfu, "low").await)[0].2,
            "veterans.risk"
        );
        assert_eq!(audit_of(db, "veterans.petition.risk_add").await.len(), 1);
        let removed = audit_of(db, "veterans.petition.risk_remove").await;
        assert_eq!(removed.len(), 1);
        assert_eq!(removed[0].object, "petition_risk_level:low");
    })
    .await;
}

fn pair(a: &str, b: &str, reason: &str) -> ExclusionInput {
    ExclusionInput {
        a: a.into(),
        b: b.into(),
        reason: reason.into(),
    }
}

#[tokio::test]
async fn the_section_edits_the_exclusions_and_registration_reads_them() {
    for_each_engine(async |db| {
        let youfu = veterans_section(db).await;
        let s = &db.service;
        let listed = s
            .veteran_exclusions(&actor(db, "heping").await)
            .await
            .unwrap();
        assert_eq!(listed.len(), 6);
        assert_eq!(
            (listed[0].a_name.as_str(), listed[0].b_name.as_str()),
            ("残疾军人", "带病回乡退伍军人")
        );

        // Someone holds 51 and 61 today: that pair cannot be made, and he is named masked.
        let wang = id("1950-04-01", 31);
        s.register_entitlement(&youfu, &in_category(&wang, "51"))
            .await
            .unwrap();
        s.register_entitlement(&youfu, &in_category(&wang, "61"))
            .await
            .unwrap();
        let refusal = refused(
            s.add_veteran_exclusion(&youfu, &pair("61", "51", "同一人不应重复享受"))
                .await,
        );
        assert_eq!(
            (refusal[0].1, refusal[0].2),
            ("category_b", "veterans.exclusion_held")
        );
        let detail = &refusal[0].3;
        assert!(detail.starts_with("1: "), "{detail}");
        assert!(detail.contains("**") && !detail.contains(&wang), "{detail}");
        assert!(detail.ends_with(&wang[wang.len() - 4..]), "{detail}");
        assert_eq!(s.veteran_exclusions(&youfu).await.unwrap().len(), 6);
        assert!(audit_of(db, "veterans.exclusion.add").await.is_empty());

        // Bad pairs are refused by field, nothing written.
        let codes = |r: Result<(), Error>| {
            refused(r)
                .into_iter()
                .map(|e| (e.1, e.2))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            codes(
                s.add_veteran_exclusion(&youfu, &pair("99", "51", "理由足够长"))
                    .await
            ),
            [("category_a", "veterans.category")]
        );
        assert_eq!(
            codes(
                s.add_veteran_exclusion(&youfu, &pair("51", "51", "理由足够长"))
                    .await
            ),
            [("category_b", "veterans.exclusion_same")]
        );
        assert_eq!(
            codes(
                s.add_veteran_exclusion(&youfu, &pair("42", "11", "理由"))
                    .await
            ),
            [
                ("category_b", "veterans.exclusion_listed"),
                ("exclusion_reason", "veterans.exclusion_reason"),
            ]
        );

        // Only the district's section: not streets, not leaders, not a section account
        // below the district.
        let street_section = quick(db, "youfu_street", "veterans_staff", "990101001000").await;
        for who in [
            &actor(db, "heping").await,
            &actor(db, "leader").await,
            &street_section,
        ] {
            assert!(matches!(
                s.add_veteran_exclusion(who, &pair("51", "71", "理由足够长"))
                    .await,
                Err(Error::Forbidden)
            ));
            assert!(matches!(
                s.remove_veteran_exclusion(who, &pair("11", "42", "理由足够长"))
                    .await,
                Err(Error::Forbidden)
            ));
        }

        // 71 beside 51 made a pair (typed in either order): registering it is refused.
        s.add_veteran_exclusion(&youfu, &pair("71", "51", "测试：家属待遇与参战补助不兼得"))
            .await
            .unwrap();
        let listed = s.veteran_exclusions(&youfu).await.unwrap();
        assert!(
            listed
                .iter()
                .any(|x| x.a == "51" && x.b == "71" && x.reason.starts_with("测试")),
            "{listed:?}"
        );
        let qian = id("1946-05-20", 32);
        s.register_entitlement(&youfu, &in_category(&qian, "51"))
            .await
            .unwrap();
        let refusal = refused(
            s.register_entitlement(&youfu, &in_category(&qian, "71"))
                .await,
        );
        assert_eq!(refusal[0].2, "veterans.combination");
        assert!(refusal[0].3.contains("测试：家属待遇"), "{refusal:?}");

        // Removing needs its reason and a listed pair; then the registration goes through.
        assert_eq!(
            codes(
                s.remove_veteran_exclusion(&youfu, &pair("51", "71", ""))
                    .await
            ),
            [("removal_reason", "veterans.exclusion_reason")]
        );
        assert_eq!(
            codes(
                s.remove_veteran_exclusion(&youfu, &pair("21", "22", "理由足够长"))
                    .await
            ),
            [("category_b", "veterans.exclusion_unlisted")]
        );
        s.remove_veteran_exclusion(&youfu, &pair("71", "51", "政策调整，允许兼得"))
            .await
            .unwrap();
        assert_eq!(s.veteran_exclusions(&youfu).await.unwrap().len(), 6);
        let held = s
            .register_entitlement(&youfu, &in_category(&qian, "71"))
            .await
            .unwrap();

        // A pair committed after the service's check and before the write (another
        // clerk's, at that moment): the writing transaction checks again and refuses,
        // nothing written. Played here by writing through the store past the service.
        let record = db.store().entitlement(held).await.unwrap();
        let audit = s.audit(&Actor::system(), "veterans.exclusion.add", "", "", "");
        db.store()
            .insert_veteran_exclusions(
                &[store::ExclusionRow {
                    category_code: "21".into(),
                    excludes_code: "71".into(),
                    reason: "测试：并发加入的组合".into(),
                }],
                &audit,
            )
            .await
            .unwrap();
        let person = store::NewPerson {
            id_number: qian.clone(),
            name: "钱".into(),
            name_initials: "q".into(),
            name_pinyin: "qian".into(),
            birth_date: chrono::NaiveDate::from_ymd_opt(1946, 5, 20).unwrap(),
            sex: "M".into(),
        };
        let raced = db
            .store()
            .insert_entitlement(
                &store::NewEntitlement {
                    person,
                    household: store::HouseholdChoice::Existing(record.household_id),
                    category_code: "21".into(),
                    grade: None,
                    cause: None,
                    service_years: None,
                    certified_on: chrono::NaiveDate::from_ymd_opt(2013, 1, 5).unwrap(),
                    document_number: "测试-并发".into(),
                    certifying_office: "区民政局".into(),
                },
                "youfu",
                &audit,
            )
            .await;
        assert!(
            matches!(&raced, Err(store::StoreError::Conflict { constraint: Some(c), .. })
                if c == store::EXCLUDED),
            "{raced:?}"
        );
        assert_eq!(
            db.store().categories_held(&qian).await.unwrap(),
            vec!["51".to_owned(), "71".to_owned()]
        );

        let added = audit_of(db, "veterans.exclusion.add").await;
        assert_eq!(added.len(), 2, "the service's and the store's own");
        assert_eq!(added[0].object, "veteran_category_exclusion:51-71");
        let removed = audit_of(db, "veterans.exclusion.remove").await;
        assert_eq!(removed.len(), 1);
        assert_eq!(removed[0].reason, "政策调整，允许兼得");
        assert!(removed[0].detail.contains("测试：家属待遇"), "{removed:?}");
    })
    .await;
}

#[tokio::test]
async fn the_petition_list_is_exported_with_its_filters_masked_and_audited() {
    for_each_engine(async |db| {
        let youfu = veterans_section(db).await;
        let s = &db.service;
        let heping = actor(db, "heping").await;
        let wang = id("1950-04-01", 31);
        let e = s
            .register_entitlement(&youfu, &in_category(&wang, "51"))
            .await
            .unwrap();
        let a = s
            .open_petition(&heping, &opening(&e.to_string(), "2013-06-27", "high", ""))
            .await
            .unwrap();
        s.open_petition(&heping, &opening("", "2013-06-20", "medium", ""))
            .await
            .unwrap();

        let all = s
            .export_petitions(&youfu, &PetitionQuery::default())
            .await
            .unwrap();
        assert_eq!(all.len(), 2);
        let high = s
            .export_petitions(
                &youfu,
                &PetitionQuery {
                    risk: Some("high".into()),
                    ..PetitionQuery::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(high.len(), 1);
        assert_eq!(high[0].id, a);
        let masked = high[0].id_number.clone().unwrap();
        assert!(masked.contains("**") && masked != wang, "{masked}");
        assert_eq!(&masked[masked.len() - 4..], &wang[wang.len() - 4..]);
        // The same masking on the case's page; the free-text petitioner has no number.
        assert_eq!(
            s.petition(&heping, a).await.unwrap().id_number,
            Some(masked)
        );
        assert!(all.iter().any(|c| c.id_number.is_none()));
        let week = s
            .export_petitions(
                &youfu,
                &PetitionQuery {
                    due: Some(VisitDue::ThisWeek),
                    ..PetitionQuery::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(week.len(), 1, "only the high case is due this week");

        // Readers of the line export their jurisdiction; the administrator may not.
        assert_eq!(
            s.export_petitions(
                &quick(db, "xicheng", "street_officer", "990101002000").await,
                &PetitionQuery::default()
            )
            .await
            .unwrap()
            .len(),
            0
        );
        assert_eq!(
            s.export_petitions(&actor(db, "leader").await, &PetitionQuery::default())
                .await
                .unwrap()
                .len(),
            2
        );
        assert!(matches!(
            s.export_petitions(&actor(db, "admin").await, &PetitionQuery::default())
                .await,
            Err(Error::Forbidden)
        ));
        let entries = audit_of(db, "veterans.petition.export").await;
        assert_eq!(entries.len(), 5);
        assert!(
            entries
                .iter()
                .any(|x| x.detail.contains("risk=high") && x.detail.ends_with("rows=1")),
            "{entries:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn the_last_risk_level_is_kept() {
    for_each_engine(async |db| {
        let youfu = veterans_section(db).await;
        let s = &db.service;
        s.remove_petition_risk_level(&youfu, "low").await.unwrap();
        s.remove_petition_risk_level(&youfu, "medium")
            .await
            .unwrap();
        assert_eq!(
            refused(s.remove_petition_risk_level(&youfu, "high").await),
            [(None, "risk_code", "veterans.risk_last", "高".to_owned())]
        );
        assert_eq!(s.petition_risk_levels(&youfu).await.unwrap().len(), 1);
        assert_eq!(audit_of(db, "veterans.petition.risk_remove").await.len(), 2);
    })
    .await;
}
