//! The audit log as auditors use it: search, export (itself audited), chain verification,
//! and nobody else allowed; on SQLite and PostgreSQL alike.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a line number"
)]

use chrono::{Duration, TimeZone, Utc};
use service::audit::{MAX_EXPORT_ROWS, PAGE_SIZE};
use service::{Actor, Error};
use store::{AuditFilter, ChainCheck};
use testkit::{TestDb, demo, for_each_engine};

async fn as_user(db: &TestDb, username: &str) -> Actor {
    let user = db.store().user_by_username(username).await.unwrap();
    Actor::user(&user, "10.0.0.7")
}

fn actions(filter: &str) -> AuditFilter {
    AuditFilter {
        action_prefix: Some(filter.into()),
        ..AuditFilter::default()
    }
}

#[tokio::test]
async fn only_auditors_search_export_and_verify() {
    for_each_engine(async |db| {
        demo::build(&db.service).await.unwrap();
        let all = AuditFilter::default();
        for name in ["admin", "leader", "jiuzhu", "dongcheng", "heping"] {
            let actor = as_user(db, name).await;
            assert!(
                matches!(
                    db.service.search_audit(&actor, &all, 1).await,
                    Err(Error::Forbidden)
                ),
                "{name} searched"
            );
            assert!(
                matches!(
                    db.service.export_audit(&actor, &all).await,
                    Err(Error::Forbidden)
                ),
                "{name} exported"
            );
            assert!(
                matches!(
                    db.service.verify_audit(&actor, &mut |_| {}).await,
                    Err(Error::Forbidden)
                ),
                "{name} verified"
            );
        }
        let auditor = as_user(db, "auditor").await;
        let page = db.service.search_audit(&auditor, &all, 1).await.unwrap();
        assert!(page.total > 0);
        // A refused export wrote nothing.
        let exports = db
            .service
            .search_audit(&auditor, &actions("audit."), 1)
            .await
            .unwrap();
        assert_eq!(exports.total, 0);
    })
    .await;
}

#[tokio::test]
async fn search_pages_newest_first_and_filters() {
    for_each_engine(async |db| {
        demo::build(&db.service).await.unwrap();
        let auditor = as_user(db, "auditor").await;
        // Enough entries for three pages, a day later.
        db.clock.advance(Duration::days(1));
        for i in 0..(2 * PAGE_SIZE + 5) {
            let entry = db
                .service
                .audit(&auditor, "test.note", format!("note:{i}"), "", "");
            db.store().record_audit(&entry).await.unwrap();
        }
        let all = AuditFilter::default();
        let first = db.service.search_audit(&auditor, &all, 1).await.unwrap();
        assert_eq!(first.per_page, 50);
        assert_eq!(first.items.len(), 50);
        assert!(
            first.items.windows(2).all(|w| w[0].seq > w[1].seq),
            "newest first"
        );
        assert_eq!(first.items[0].seq, first.total);
        // Past the end clamps to the last page.
        let last = db.service.search_audit(&auditor, &all, 999).await.unwrap();
        assert_eq!(last.page, last.pages());
        assert!(!last.items.is_empty());

        let notes = db
            .service
            .search_audit(&auditor, &actions("test."), 3)
            .await
            .unwrap();
        assert_eq!(
            (notes.total, notes.page, notes.items.len()),
            (2 * PAGE_SIZE + 5, 3, 5)
        );
        let by_object = AuditFilter {
            object: Some("note:7".into()),
            ..AuditFilter::default()
        };
        assert_eq!(
            db.service
                .search_audit(&auditor, &by_object, 1)
                .await
                .unwrap()
                .total,
            1
        );
        let by_actor = AuditFilter {
            actor: Some("auditor".into()),
            ..AuditFilter::default()
        };
        assert_eq!(
            db.service
                .search_audit(&auditor, &by_actor, 1)
                .await
                .unwrap()
                .total,
            2 * PAGE_SIZE + 5
        );
        // The demo was built on the first day, the notes on the second.
        let second_day = AuditFilter {
            from: Some(testkit::default_time() + Duration::hours(12)),
            ..AuditFilter::default()
        };
        assert_eq!(
            db.service
                .search_audit(&auditor, &second_day, 1)
                .await
                .unwrap()
                .total,
            2 * PAGE_SIZE + 5
        );
        let first_day = AuditFilter {
            until: Some(Utc.with_ymd_and_hms(2013, 7, 1, 16, 0, 0).unwrap()),
            ..AuditFilter::default()
        };
        let early = db
            .service
            .search_audit(&auditor, &first_day, 1)
            .await
            .unwrap();
        assert!(early.total > 0);
        assert!(early.items.iter().all(|r| r.entry.action != "test.note"));
    })
    .await;
}

#[tokio::test]
async fn an_export_holds_every_match_and_is_itself_audited() {
    for_each_engine(async |db| {
        demo::build(&db.service).await.unwrap();
        let auditor = as_user(db, "auditor").await;
        for i in 0..1_203 {
            let entry = db
                .service
                .audit(&auditor, "test.bulk", format!("n:{i}"), "", "");
            db.store().record_audit(&entry).await.unwrap();
        }
        let filter = actions("test.bulk");
        let export = db.service.export_audit(&auditor, &filter).await.unwrap();
        assert_eq!(export.items.len(), 1_203, "more than one store batch");
        assert_eq!(export.total, 1_203);
        assert!(!export.truncated);
        assert!(export.items.windows(2).all(|w| w[0].seq > w[1].seq));
        const { assert!(MAX_EXPORT_ROWS >= 100_000) };

        let logged = db
            .service
            .search_audit(&auditor, &actions("audit.export"), 1)
            .await
            .unwrap();
        assert_eq!(logged.total, 1);
        let e = &logged.items[0].entry;
        assert_eq!(
            (e.actor.as_str(), e.address.as_str()),
            ("auditor", "10.0.0.7")
        );
        assert_eq!(e.object, "audit_log");
        assert_eq!(e.detail, "rows=1203;action=test.bulk");
        assert!(matches!(
            db.service
                .verify_audit(&auditor, &mut |_| {})
                .await
                .unwrap(),
            ChainCheck::Intact { .. }
        ));
    })
    .await;
}

#[tokio::test]
async fn verification_reports_progress_and_the_first_tampered_entry() {
    for_each_engine(async |db| {
        demo::build(&db.service).await.unwrap();
        let auditor = as_user(db, "auditor").await;
        let length = db.service.audit_length(&auditor).await.unwrap();
        let mut seen = 0;
        let check = db
            .service
            .verify_audit(&auditor, &mut |n| seen = n)
            .await
            .unwrap();
        assert_eq!(check, ChainCheck::Intact { entries: length });
        assert_eq!(seen, length);
        // The console operator may verify too.
        assert_eq!(
            db.service
                .verify_audit(&Actor::system(), &mut |_| {})
                .await
                .unwrap(),
            check
        );

        let drop_trigger = match db.backend() {
            store::Backend::Sqlite => "DROP TRIGGER audit_log_no_update",
            store::Backend::Postgres => "DROP TRIGGER audit_log_no_update ON audit_log",
        };
        db.store().execute_as_intruder(drop_trigger).await.unwrap();
        db.store()
            .execute_as_intruder("UPDATE audit_log SET actor = 'nobody' WHERE seq = 2")
            .await
            .unwrap();
        assert_eq!(
            db.service
                .verify_audit(&auditor, &mut |_| {})
                .await
                .unwrap(),
            ChainCheck::Broken {
                seq: 2,
                reason: "hash"
            }
        );
    })
    .await;
}

#[tokio::test]
async fn an_absurd_page_number_lands_on_the_last_page() {
    for_each_engine(async |db| {
        demo::build(&db.service).await.unwrap();
        let auditor = as_user(db, "auditor").await;
        let page = db
            .service
            .search_audit(&auditor, &AuditFilter::default(), i64::MAX)
            .await
            .unwrap();
        assert_eq!(page.page, 1, "a handful of entries fit on one page");
        assert!(!page.items.is_empty());
    })
    .await;
}
