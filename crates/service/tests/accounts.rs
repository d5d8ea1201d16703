//! Accounts administration through `service`: the list (search, filters, sorting, pages,
//! jurisdiction), detail reads, changes, password resets, reveals and exports, with their
//! audit entries, on SQLite and PostgreSQL alike.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a line number"
)]

use service::list::MAX_PER_PAGE;
use service::sessions::Client;
use service::users::{
    AccountChange, AccountInput, AccountQuery, AccountSort, AccountStatus, PhoneChange,
};
use service::{Actor, Error};
use store::{AuditEntry, AuditFilter, NewUser};
use testkit::{TestDb, demo, for_each_engine};

const DONGCHENG: &str = "990101001000";
const XICHENG: &str = "990101002000";

async fn actor(db: &TestDb, username: &str) -> Actor {
    Actor::user(
        &db.store().user_by_username(username).await.unwrap(),
        "10.0.0.9",
    )
}

/// An account stored directly (no Argon2, which is slow and beside the point here).
async fn quick(db: &TestDb, username: &str, name: &str, role: &str, jurisdiction: &str) -> i64 {
    let user = NewUser {
        username: username.into(),
        display_name: name.into(),
        password_hash: "x".into(),
        role: role.into(),
        jurisdiction: jurisdiction.parse().unwrap(),
        phone: Some("13912345678".into()),
        must_change_password: false,
    };
    let audit = AuditEntry {
        at: db.service.now(),
        actor: "test".into(),
        address: "test".into(),
        action: "accounts.create".into(),
        object: format!("user:{username}"),
        reason: String::new(),
        detail: String::new(),
    };
    db.store().insert_user(&user, &audit).await.unwrap()
}

fn query(q: &str) -> AccountQuery {
    AccountQuery {
        q: q.into(),
        ..AccountQuery::default()
    }
}

fn usernames(page: &service::list::Page<service::users::Account>) -> Vec<&str> {
    page.items.iter().map(|a| a.username.as_str()).collect()
}

async fn audit_of(db: &TestDb, action: &str) -> Vec<AuditEntry> {
    let filter = AuditFilter {
        action_prefix: Some(action.into()),
        ..AuditFilter::default()
    };
    let (records, _) = db.store().audit_entries(&filter, 0, 100).await.unwrap();
    records.into_iter().map(|r| r.entry).collect()
}

fn refused_fields(
    result: Result<impl std::fmt::Debug, Error>,
) -> Vec<(&'static str, &'static str)> {
    match result {
        Err(Error::Invalid(errors)) => errors.iter().map(|e| (e.field, e.code)).collect(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn search_finds_names_pinyin_initials_and_usernames() {
    for_each_engine(async |db| {
        demo::build(&db.service).await.unwrap();
        let admin = actor(db, "admin").await;
        let list = |q: &'static str| {
            let admin = admin.clone();
            async move { db.service.account_list(&admin, &query(q)).await.unwrap() }
        };
        assert_eq!(list("").await.total, demo::ACCOUNTS.len());
        assert_eq!(usernames(&list("张干事").await), ["dongcheng"]);
        assert_eq!(usernames(&list("zgs").await), ["dongcheng"]);
        assert_eq!(usernames(&list("ZGS").await), ["dongcheng"]);
        assert_eq!(usernames(&list("cjz").await), ["leader"], "陈局长");
        assert_eq!(usernames(&list("JIUZ").await), ["jiuzhu"]);
        let p = list("科员").await;
        assert_eq!((usernames(&p), p.total), (vec!["jiuzhu", "youfu"], 2));
        assert_eq!(list("nobody-here").await.total, 0);
    })
    .await;
}

#[tokio::test]
async fn filters_sorting_and_pages() {
    for_each_engine(async |db| {
        demo::build(&db.service).await.unwrap();
        let admin = actor(db, "admin").await;
        // 60 community workers under 西城街道, named so that pinyin order is checkable.
        for i in 0..60 {
            quick(
                db,
                &format!("xc{i:02}"),
                &format!("西城社工{i:02}"),
                "community_worker",
                &format!("990101002{:03}", i % 7 + 1),
            )
            .await;
        }
        let total = demo::ACCOUNTS.len() + 60;
        let all = db
            .service
            .account_list(&admin, &AccountQuery::default())
            .await
            .unwrap();
        assert_eq!(
            (
                all.total,
                all.items.len(),
                all.page,
                all.per_page,
                all.pages()
            ),
            (total, 50, 1, 50, 2)
        );
        let second = db
            .service
            .account_list(
                &admin,
                &AccountQuery {
                    page: 2,
                    ..AccountQuery::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(second.items.len(), total - 50);
        let beyond = db
            .service
            .account_list(
                &admin,
                &AccountQuery {
                    page: 99,
                    ..AccountQuery::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(beyond.page, 2, "a page past the end is the last page");
        let huge = db
            .service
            .account_list(
                &admin,
                &AccountQuery {
                    per_page: 100_000,
                    ..AccountQuery::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(huge.per_page, MAX_PER_PAGE);

        // Division filter: the street's subtree.
        let west = AccountQuery {
            division: Some(XICHENG.parse().unwrap()),
            ..AccountQuery::default()
        };
        assert_eq!(
            db.service.account_list(&admin, &west).await.unwrap().total,
            60
        );
        let east = AccountQuery {
            division: Some(DONGCHENG.parse().unwrap()),
            ..AccountQuery::default()
        };
        let p = db.service.account_list(&admin, &east).await.unwrap();
        assert_eq!(usernames(&p), ["dongcheng", "heping"]);

        // Sorting: by username both ways, by role (administrators first), by jurisdiction.
        let sorted = |sort, descending| AccountQuery {
            sort: Some(sort),
            descending,
            per_page: 200,
            ..AccountQuery::default()
        };
        let desc = db
            .service
            .account_list(&admin, &sorted(AccountSort::Username, true))
            .await
            .unwrap();
        assert_eq!(desc.items[0].username, "youfu");
        let by_role = db
            .service
            .account_list(&admin, &sorted(AccountSort::Role, false))
            .await
            .unwrap();
        assert_eq!(by_role.items[0].username, "admin");
        assert_eq!(by_role.items.last().unwrap().username, "auditor");
        let by_place = db
            .service
            .account_list(&admin, &sorted(AccountSort::Jurisdiction, true))
            .await
            .unwrap();
        assert!(
            by_place
                .items
                .windows(2)
                .all(|w| w[0].jurisdiction >= w[1].jurisdiction)
        );
        // By name in pinyin order: 东 (dong) 和 (he) 救 (jiu) 局 (ju) 审 (shen) 西/系 (xi) 优 (you).
        let by_name = db
            .service
            .account_list(&admin, &sorted(AccountSort::Name, false))
            .await
            .unwrap();
        let keys: Vec<String> = by_name
            .items
            .iter()
            .map(|a| service::list::name_order_key(&a.display_name))
            .collect();
        assert!(keys.windows(2).all(|w| w[0] <= w[1]), "{keys:?}");
        assert_eq!(by_name.items[0].display_name, "东城街道民政办 张干事");

        // Status filters.
        let id = db.store().user_by_username("youfu").await.unwrap().id;
        db.service
            .update_account(
                &admin,
                id,
                AccountChange {
                    display_name: "优抚科 李科员".into(),
                    role: "veterans_staff".into(),
                    jurisdiction: demo::COUNTY.into(),
                    phone: PhoneChange::Keep,
                    disabled: true,
                },
            )
            .await
            .unwrap();
        let status = |s| AccountQuery {
            status: Some(s),
            ..AccountQuery::default()
        };
        let p = db
            .service
            .account_list(&admin, &status(AccountStatus::Disabled))
            .await
            .unwrap();
        assert_eq!(usernames(&p), ["youfu"]);
        assert_eq!(p.items[0].status, AccountStatus::Disabled);
        let leader = db.store().user_by_username("leader").await.unwrap().id;
        let audit = db.service.audit(&admin, "test.lock", "user:leader", "", "");
        db.store()
            .record_failed_sign_in(
                leader,
                1,
                db.service.now() + chrono::Duration::minutes(15),
                &audit,
            )
            .await
            .unwrap();
        let p = db
            .service
            .account_list(&admin, &status(AccountStatus::Locked))
            .await
            .unwrap();
        assert_eq!(usernames(&p), ["leader"]);
        assert_eq!(
            db.service
                .account_list(&admin, &status(AccountStatus::MustChangePassword))
                .await
                .unwrap()
                .total,
            0
        );
        assert_eq!(
            db.service
                .account_list(&admin, &status(AccountStatus::Active))
                .await
                .unwrap()
                .total,
            total - 2
        );
    })
    .await;
}

#[tokio::test]
async fn nothing_outside_the_jurisdiction_is_seen_or_counted() {
    for_each_engine(async |db| {
        demo::build(&db.service).await.unwrap();
        for i in 0..5 {
            quick(
                db,
                &format!("xc{i}"),
                "西城 社工",
                "community_worker",
                "990101002001",
            )
            .await;
        }
        // Only district-wide roles hold Accounts Read, so a street-level reader is an
        // account whose stored jurisdiction is a street (as a future street administrator
        // would be); the service must confine it by jurisdiction alone.
        let mut street = actor(db, "admin").await;
        street.jurisdiction = Some(DONGCHENG.parse().unwrap());
        let all = db
            .service
            .account_list(&street, &AccountQuery::default())
            .await
            .unwrap();
        assert_eq!(
            (usernames(&all), all.total),
            (vec!["dongcheng", "heping"], 2)
        );
        assert_eq!(
            db.service
                .account_list(&street, &query("admin"))
                .await
                .unwrap()
                .total,
            0
        );
        assert_eq!(
            db.service
                .account_list(&street, &query("社工"))
                .await
                .unwrap()
                .total,
            1,
            "赵社工 only"
        );
        let elsewhere = AccountQuery {
            division: Some(XICHENG.parse().unwrap()),
            ..AccountQuery::default()
        };
        assert_eq!(
            db.service
                .account_list(&street, &elsewhere)
                .await
                .unwrap()
                .total,
            0
        );
        let exported = db
            .service
            .export_accounts(&street, &AccountQuery::default())
            .await
            .unwrap();
        assert_eq!(exported.len(), 2);
        let outside = db.store().user_by_username("jiuzhu").await.unwrap().id;
        assert!(matches!(
            db.service.account(&street, outside).await,
            Err(Error::NotFound)
        ));
        assert!(matches!(
            db.service.account(&street, 999_999).await,
            Err(Error::NotFound)
        ));
        assert!(matches!(
            db.service
                .reveal_phone(&street, outside, "核实身份信息")
                .await,
            Err(Error::NotFound)
        ));
        assert!(matches!(
            db.service
                .reset_password(&street, outside, "long-enough-pass")
                .await,
            Err(Error::NotFound)
        ));

        // Roles without Accounts Read are refused outright; section staff read but do not
        // export or reveal.
        let officer = actor(db, "dongcheng").await;
        assert!(matches!(
            db.service
                .account_list(&officer, &AccountQuery::default())
                .await,
            Err(Error::Forbidden)
        ));
        let staff = actor(db, "jiuzhu").await;
        assert_eq!(
            db.service
                .account_list(&staff, &AccountQuery::default())
                .await
                .unwrap()
                .total,
            demo::ACCOUNTS.len() + 5
        );
        assert!(matches!(
            db.service
                .export_accounts(&staff, &AccountQuery::default())
                .await,
            Err(Error::Forbidden)
        ));
        assert!(matches!(
            db.service
                .reveal_phone(&staff, outside, "核实身份信息")
                .await,
            Err(Error::Forbidden)
        ));
    })
    .await;
}

#[tokio::test]
async fn phones_are_checked_masked_revealed_with_a_reason_and_audited() {
    for_each_engine(async |db| {
        demo::build(&db.service).await.unwrap();
        let admin = actor(db, "admin").await;
        let input = |username: &str, phone: &str| AccountInput {
            username: username.into(),
            display_name: "南湖街道 孙干事".into(),
            role: "street_officer".into(),
            jurisdiction: "990101003000".into(),
            password: "a-long-first-password".into(),
            phone: Some(phone.into()),
            must_change_password: true,
        };
        for bad in [
            "12345",
            "138001380001",
            "0755--1234567",
            "phone",
            "1380013800a",
        ] {
            assert_eq!(
                refused_fields(db.service.add_account(&admin, input("nanhu", bad)).await),
                [("phone", "account.phone_format")],
                "{bad}"
            );
        }
        let id = db
            .service
            .add_account(&admin, input("nanhu", "138 0013 8000"))
            .await
            .unwrap();
        db.service
            .add_account(&admin, input("nanhu2", "0755-12345678"))
            .await
            .unwrap();
        db.service
            .add_account(&admin, input("nanhu3", ""))
            .await
            .unwrap();

        let account = db.service.account(&admin, id).await.unwrap();
        assert_eq!(account.phone.as_deref(), Some("138****8000"));
        assert_eq!(account.status, AccountStatus::MustChangePassword);
        assert_eq!(account.jurisdiction_name, "南湖街道");
        let reads = audit_of(db, "accounts.read").await;
        // Newest first.
        assert_eq!(reads[0].object, "user:nanhu");
        assert_eq!(reads[0].address, "10.0.0.9");
        let listed = db
            .service
            .account_list(&admin, &query("nanhu"))
            .await
            .unwrap();
        let phones: Vec<Option<&str>> = listed.items.iter().map(|a| a.phone.as_deref()).collect();
        assert_eq!(phones, [Some("138****8000"), Some("075******5678"), None]);

        // Revealing needs the permission and a reason.
        let leader = actor(db, "leader").await;
        assert!(matches!(
            db.service.reveal_phone(&leader, id, "核实身份信息").await,
            Err(Error::Forbidden)
        ));
        for reason in ["", "   ", "看看"] {
            assert_eq!(
                refused_fields(db.service.reveal_phone(&admin, id, reason).await),
                [("reason", "account.reason_short")]
            );
        }
        assert!(
            audit_of(db, "accounts.reveal").await.is_empty(),
            "a refused reveal reveals nothing"
        );
        let full = db
            .service
            .reveal_phone(&admin, id, "通知本人密码已重置")
            .await
            .unwrap();
        assert_eq!(full.as_deref(), Some("13800138000"));
        let auditor = actor(db, "auditor").await;
        assert!(
            db.service
                .reveal_phone(&auditor, id, "抽查账号登记信息")
                .await
                .unwrap()
                .is_some()
        );
        let reveals = audit_of(db, "accounts.reveal").await;
        assert_eq!(reveals.len(), 2);
        let by_admin = reveals.iter().find(|e| e.actor == "admin").unwrap();
        assert_eq!(
            (
                by_admin.object.as_str(),
                by_admin.reason.as_str(),
                by_admin.address.as_str()
            ),
            ("user:nanhu", "通知本人密码已重置", "10.0.0.9")
        );
    })
    .await;
}

#[tokio::test]
async fn changes_are_validated_and_nobody_locks_themselves_out() {
    for_each_engine(async |db| {
        demo::build(&db.service).await.unwrap();
        let admin = actor(db, "admin").await;
        let own = admin.user_id.unwrap();
        let change = |role: &str, jurisdiction: &str, disabled| AccountChange {
            display_name: "系统管理员".into(),
            role: role.into(),
            jurisdiction: jurisdiction.into(),
            phone: PhoneChange::Keep,
            disabled,
        };
        assert_eq!(
            refused_fields(
                db.service
                    .update_account(&admin, own, change("leader", demo::COUNTY, false))
                    .await
            ),
            [("role", "account.own_role")]
        );
        assert_eq!(
            refused_fields(
                db.service
                    .update_account(&admin, own, change("admin", demo::COUNTY, true))
                    .await
            ),
            [("disabled", "account.disable_self")]
        );
        let heping = db.store().user_by_username("heping").await.unwrap().id;
        let to_street = AccountChange {
            display_name: " ".into(),
            role: "community_worker".into(),
            jurisdiction: DONGCHENG.into(),
            phone: PhoneChange::Set("12".into()),
            disabled: false,
        };
        assert_eq!(
            refused_fields(db.service.update_account(&admin, heping, to_street).await),
            [
                ("display_name", "account.display_name"),
                ("phone", "account.phone_format"),
                ("jurisdiction", "account.jurisdiction_level")
            ]
        );
        let promote = AccountChange {
            display_name: "东城街道民政办 赵干事".into(),
            role: "street_officer".into(),
            jurisdiction: DONGCHENG.into(),
            phone: PhoneChange::Set("13700137000".into()),
            disabled: false,
        };
        db.service
            .update_account(&admin, heping, promote)
            .await
            .unwrap();
        let stored = db.store().user(heping).await.unwrap();
        assert_eq!(
            (
                stored.role.as_str(),
                stored.jurisdiction.as_str(),
                stored.phone.as_deref()
            ),
            ("street_officer", DONGCHENG, Some("13700137000"))
        );
        let updates = audit_of(db, "accounts.update").await;
        assert_eq!(updates.len(), 1);
        assert!(
            updates[0]
                .detail
                .contains("role=community_worker→street_officer"),
            "{}",
            updates[0].detail
        );
        assert!(
            !updates[0].detail.contains("13700137000"),
            "no number in the log"
        );
        let clear = AccountChange {
            phone: PhoneChange::Clear,
            ..change("street_officer", DONGCHENG, false)
        };
        db.service
            .update_account(&admin, heping, clear)
            .await
            .unwrap();
        assert_eq!(db.store().user(heping).await.unwrap().phone, None);
        let leader = actor(db, "leader").await;
        assert!(matches!(
            db.service
                .update_account(&leader, heping, change("street_officer", DONGCHENG, false))
                .await,
            Err(Error::Forbidden)
        ));
    })
    .await;
}

#[tokio::test]
async fn a_reset_password_must_be_changed_and_ends_every_session() {
    for_each_engine(async |db| {
        demo::build(&db.service).await.unwrap();
        let admin = actor(db, "admin").await;
        let client = Client {
            address: "10.0.0.7".into(),
            user_agent: "test".into(),
        };
        let signed = db
            .service
            .sign_in("jiuzhu", "demo-jiuzhu-2013", &client)
            .await
            .unwrap()
            .unwrap();
        assert!(
            db.service
                .session(&signed.token, &client)
                .await
                .unwrap()
                .is_some()
        );
        let id = db.store().user_by_username("jiuzhu").await.unwrap().id;
        assert_eq!(
            refused_fields(db.service.reset_password(&admin, id, "short").await),
            [("password", "account.password_short")]
        );
        assert_eq!(
            refused_fields(
                db.service
                    .reset_password(&admin, admin.user_id.unwrap(), "a-long-new-password")
                    .await
            ),
            [("password", "account.reset_self")]
        );
        db.service
            .reset_password(&admin, id, "temporary-2013-07")
            .await
            .unwrap();
        assert!(
            db.service
                .session(&signed.token, &client)
                .await
                .unwrap()
                .is_none(),
            "signed out"
        );
        let user = db.store().user(id).await.unwrap();
        assert!(user.must_change_password);
        assert!(service::users::verify_password(
            "temporary-2013-07",
            &user.password_hash
        ));
        let resets = audit_of(db, "accounts.password_reset").await;
        assert_eq!(
            (resets.len(), resets[0].object.as_str()),
            (1, "user:jiuzhu")
        );
        assert!(
            !resets[0].detail.contains("temporary"),
            "no password in the log"
        );
    })
    .await;
}

#[tokio::test]
async fn exports_hold_every_matching_row_masked_and_are_audited() {
    for_each_engine(async |db| {
        demo::build(&db.service).await.unwrap();
        for i in 0..55 {
            quick(
                db,
                &format!("xc{i:02}"),
                "西城 社工",
                "community_worker",
                "990101002001",
            )
            .await;
        }
        let leader = actor(db, "leader").await;
        let q = AccountQuery {
            q: "社工".into(),
            sort: Some(AccountSort::Username),
            descending: true,
            ..AccountQuery::default()
        };
        let rows = db.service.export_accounts(&leader, &q).await.unwrap();
        assert_eq!(rows.len(), 56, "every page, not just the first");
        assert_eq!(rows[0].username, "xc54");
        assert!(
            rows.iter()
                .filter_map(|a| a.phone.as_deref())
                .all(|p| p == "139****5678")
        );
        let exports = audit_of(db, "accounts.export").await;
        assert_eq!(exports.len(), 1);
        assert_eq!(exports[0].actor, "leader");
        assert_eq!(exports[0].detail, "rows=56 q=\"社工\" sort=username desc");
    })
    .await;
}
