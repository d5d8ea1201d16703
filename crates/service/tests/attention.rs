//! The home page's attention items, computed from the records, per role.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a line number"
)]

use chrono::{TimeZone, Utc};
use service::attention::Attention;
use service::sessions::Client;
use service::users::AccountInput;
use service::{Actor, Service};
use testkit::{demo, for_each_engine};

async fn actor(service: &Service, username: &str) -> Actor {
    let user = service.store().user_by_username(username).await.unwrap();
    Actor::user(&user, "127.0.0.1")
}

#[tokio::test]
async fn administrators_see_locked_accounts_and_pending_first_passwords() {
    for_each_engine(async |db| {
        demo::build(&db.service).await.unwrap();
        let admin = actor(&db.service, "admin").await;
        assert_eq!(db.service.attention(&admin).await.unwrap(), []);

        db.service
            .add_account(
                &Actor::system(),
                AccountInput {
                    username: "xinren".into(),
                    display_name: "新人".into(),
                    role: "community_worker".into(),
                    jurisdiction: "990101001002".into(),
                    password: "initial password".into(),
                    phone: None,
                    must_change_password: true,
                },
            )
            .await
            .unwrap();
        let client = Client {
            address: "10.0.0.9".into(),
            user_agent: "test".into(),
        };
        for _ in 0..service::sessions::MAX_FAILED_SIGN_INS {
            db.service
                .sign_in("heping", "wrong password", &client)
                .await
                .unwrap()
                .unwrap_err();
        }
        assert_eq!(
            db.service.attention(&admin).await.unwrap(),
            [
                Attention::LockedAccounts { count: 1 },
                Attention::FirstPasswordPending { count: 1 }
            ]
        );

        // The auditor sees the failed sign-ins instead; a leader sees nothing of either.
        let auditor = actor(&db.service, "auditor").await;
        assert_eq!(
            db.service.attention(&auditor).await.unwrap(),
            [Attention::FailedSignIns { count: 5 }]
        );
        let leader = actor(&db.service, "leader").await;
        assert_eq!(db.service.attention(&leader).await.unwrap(), []);

        // A day later the failures have aged out, and the lock-out has long expired.
        db.clock.advance(chrono::Duration::hours(25));
        assert_eq!(db.service.attention(&auditor).await.unwrap(), []);
        assert_eq!(
            db.service.attention(&admin).await.unwrap(),
            [Attention::FirstPasswordPending { count: 1 }]
        );
    })
    .await;
}

#[tokio::test]
async fn a_coming_year_without_holidays_is_flagged_for_the_administrator() {
    for_each_engine(async |db| {
        demo::build(&db.service).await.unwrap();
        let admin = actor(&db.service, "admin").await;
        // The seeded calendar ends with 2026; in December 2026 the next year is 31 days away.
        db.clock
            .set(Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0).unwrap());
        assert!(
            db.service
                .attention(&admin)
                .await
                .unwrap()
                .contains(&Attention::CalendarYearMissing { year: 2027 })
        );
        db.service
            .import_calendar_year(
                &Actor::system(),
                2027,
                "date,kind,name\n2027-01-01,holiday,元旦\n".as_bytes(),
            )
            .await
            .unwrap();
        assert_eq!(db.service.attention(&admin).await.unwrap(), []);
    })
    .await;
}

#[tokio::test]
async fn counts_stay_inside_the_jurisdiction() {
    for_each_engine(async |db| {
        demo::build(&db.service).await.unwrap();
        let street = actor(&db.service, "dongcheng").await;
        let county = actor(&db.service, "leader").await;
        let in_street = db.service.division_count(&street).await.unwrap();
        assert_eq!(in_street, 9, "东城街道 and its eight communities");
        assert!(db.service.division_count(&county).await.unwrap() > in_street);
    })
    .await;
}
