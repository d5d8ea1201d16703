//! The store conformance suite: every test runs on SQLite and, when `MINZHENG_TEST_PG` is
//! set (always in CI), on PostgreSQL, through `testkit::for_each_engine`.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a line number"
)]

use chrono::NaiveDate;
use domain::{Area, DivisionCode};
use store::{
    AuditEntry, CalendarDay, CareStandardRow, CaseUpdate, ChainCheck, Division, NewAction,
    NewApplication, NewMember, NewPerson, NewUser, PolicyRow, PolicyRuleRow, StandardRow, Store,
    StoreError,
};
use testkit::{Setup, TestDb, default_time, for_each_engine};

fn code(text: &str) -> DivisionCode {
    text.parse().unwrap()
}

fn division(c: &str, name: &str, area: Area) -> Division {
    Division {
        code: code(c),
        name: name.into(),
        area,
    }
}

fn small_tree() -> Vec<Division> {
    vec![
        division("990101000000", "示范区", Area::Urban),
        division("990101001000", "东城街道", Area::Urban),
        division("990101001001", "和平社区", Area::Urban),
        division("990101001002", "幸福社区", Area::Urban),
        division("990101101000", "青山镇", Area::Rural),
        division("990101101201", "光明村", Area::Rural),
    ]
}

async fn with_tree(db: &TestDb) {
    db.store()
        .upsert_divisions(&small_tree(), &audit("divisions.import"))
        .await
        .unwrap();
}

fn audit(action: &str) -> AuditEntry {
    AuditEntry {
        at: default_time(),
        actor: "system".into(),
        address: "cli".into(),
        action: action.into(),
        object: "test".into(),
        reason: String::new(),
        detail: String::new(),
    }
}

fn user(name: &str) -> NewUser {
    NewUser {
        username: name.into(),
        display_name: format!("{name} 同志"),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA".into(),
        role: "street_officer".into(),
        jurisdiction: code("990101001000"),
        phone: Some("13800138000".into()),
        must_change_password: true,
    }
}

#[test]
fn both_engines_have_the_same_migration_files() {
    let names = |engine: &str| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(engine);
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    assert!(!names("sqlite").is_empty());
    assert_eq!(names("sqlite"), names("postgres"));
}

#[tokio::test]
async fn the_copy_list_names_every_table_of_the_schema() {
    for_each_engine(async |db| {
        let mut listed: Vec<String> = Store::copied_tables()
            .into_iter()
            .map(String::from)
            .collect();
        listed.sort();
        assert_eq!(
            db.store().schema_tables().await.unwrap(),
            listed,
            "{:?}",
            db.backend()
        );
    })
    .await;
}

#[tokio::test]
async fn migrating_twice_changes_nothing() {
    for_each_engine(async |db| {
        let before = db.store().applied_migrations().await.unwrap();
        db.store().migrate().await.unwrap();
        assert_eq!(db.store().applied_migrations().await.unwrap(), before);
    })
    .await;
}

#[tokio::test]
async fn divisions_are_stored_and_browsed_as_a_tree() {
    for_each_engine(async |db| {
        with_tree(db).await;
        let store = db.store();
        let roots = store.child_divisions(None).await.unwrap();
        assert_eq!(roots.len(), 1);
        assert_eq!(roots[0].division.name, "示范区");
        assert_eq!(roots[0].children, 2);

        let street = store
            .child_divisions(Some(&code("990101001000")))
            .await
            .unwrap();
        let names: Vec<&str> = street.iter().map(|c| c.division.name.as_str()).collect();
        assert_eq!(names, ["和平社区", "幸福社区"]);
        assert!(street.iter().all(|c| c.children == 0));

        let town = store.divisions_within(&code("990101101000")).await.unwrap();
        assert_eq!(
            town.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(),
            ["990101101000", "990101101201"]
        );
        assert_eq!(
            store
                .divisions_within(&code("990101000000"))
                .await
                .unwrap()
                .len(),
            6
        );
        assert_eq!(
            store.division(&code("990101101201")).await.unwrap().area,
            Area::Rural
        );
        assert!(matches!(
            store.division(&code("990101009000")).await,
            Err(StoreError::NotFound)
        ));
    })
    .await;
}

#[tokio::test]
async fn upserting_renames_without_duplicating() {
    for_each_engine(async |db| {
        with_tree(db).await;
        let renamed = [division("990101001001", "和平里社区", Area::Urban)];
        db.store()
            .upsert_divisions(&renamed, &audit("divisions.import"))
            .await
            .unwrap();
        assert_eq!(db.store().division_total().await.unwrap(), 6);
        assert_eq!(
            db.store()
                .division(&code("990101001001"))
                .await
                .unwrap()
                .name,
            "和平里社区"
        );
    })
    .await;
}

#[tokio::test]
async fn an_orphan_is_refused_and_its_whole_batch_rolled_back() {
    for_each_engine(async |db| {
        let batch = [
            division("990101000000", "示范区", Area::Urban),
            // Its street 990101002000 is missing: the foreign key refuses the row.
            division("990101002001", "孤儿社区", Area::Urban),
        ];
        let result = db
            .store()
            .upsert_divisions(&batch, &audit("divisions.import"))
            .await;
        assert!(
            matches!(result, Err(StoreError::Conflict { .. })),
            "{:?}: {result:?}",
            db.backend()
        );
        assert_eq!(
            db.store().division_total().await.unwrap(),
            0,
            "nothing half-written"
        );
    })
    .await;
}

#[tokio::test]
async fn accounts_are_unique_by_username() {
    for_each_engine(async |db| {
        with_tree(db).await;
        let id = db
            .store()
            .insert_user(&user("zhang"), &audit("accounts.create"))
            .await
            .unwrap();
        let stored = db.store().user_by_username("zhang").await.unwrap();
        assert_eq!(stored.id, id);
        assert_eq!(stored.jurisdiction, code("990101001000"));
        assert!(stored.must_change_password && !stored.disabled);
        assert_eq!(stored.created_at, default_time());
        let again = db
            .store()
            .insert_user(&user("zhang"), &audit("accounts.create"))
            .await;
        assert!(matches!(again, Err(StoreError::Conflict { .. })));
        assert!(matches!(
            db.store().user_by_username("li").await,
            Err(StoreError::NotFound)
        ));
    })
    .await;
}

#[tokio::test]
async fn an_account_needs_an_existing_jurisdiction() {
    for_each_engine(async |db| {
        let result = db
            .store()
            .insert_user(&user("wang"), &audit("accounts.create"))
            .await;
        assert!(matches!(result, Err(StoreError::Conflict { .. })));
    })
    .await;
}

#[tokio::test]
async fn a_calendar_year_is_replaced_whole() {
    for_each_engine(async |db| {
        let day = |d: &str, kind: &str, name: &str| CalendarDay {
            day: d.parse::<NaiveDate>().unwrap(),
            kind: kind.into(),
            name: name.into(),
        };
        let store = db.store();
        store
            .replace_calendar_years(
                &[2027],
                &[
                    day("2027-01-01", "holiday", "元旦"),
                    day("2027-02-06", "workday", "春节"),
                ],
                &audit("calendar.import"),
            )
            .await
            .unwrap();
        store
            .replace_calendar_years(
                &[2027],
                &[day("2027-01-01", "holiday", "元旦")],
                &audit("calendar.import"),
            )
            .await
            .unwrap();
        let days: Vec<_> = store
            .calendar_days()
            .await
            .unwrap()
            .into_iter()
            .filter(|d| d.day.format("%Y").to_string() == "2027")
            .collect();
        assert_eq!(days, [day("2027-01-01", "holiday", "元旦")]);
        assert!(store.calendar_years().await.unwrap().contains(&2027));
    })
    .await;
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn person(id_number: &str, name: &str) -> NewPerson {
    NewPerson {
        id_number: id_number.into(),
        name: name.into(),
        name_initials: "zs".into(),
        name_pinyin: "zhang san".into(),
        birth_date: day("1950-03-01"),
        sex: "M".into(),
    }
}

fn action(step: &str, on: &str) -> NewAction {
    NewAction {
        step: step.into(),
        on_date: day(on),
        by_user: "zhang".into(),
        at: default_time(),
        on_behalf: (step == "apply").then_some(true),
        income_fen: (step == "check_means").then_some(20_000),
        notice_from: None,
        reason: matches!(step, "refuse" | "withdraw").then(|| "本人撤回".to_owned()),
        note: String::new(),
    }
}

/// A household in `community` of the given persons (the first is the head), with its case.
fn application(community: &str, persons: &[(&str, &str)]) -> NewApplication {
    NewApplication {
        division_code: code(community),
        address: "和平路 1 号".into(),
        area: Area::Urban,
        program: "dibao".into(),
        members: persons
            .iter()
            .enumerate()
            .map(|(i, (id, name))| NewMember {
                person: person(id, name),
                relation: if i == 0 { "head" } else { "child" }.into(),
                disability_grade: 0,
                severe_illness: false,
                employment: "unemployed".into(),
                self_care: None,
            })
            .collect(),
        first_action: action("apply", "2013-07-01"),
    }
}

const HEAD: &str = "990101195003010011";
const CHILD: &str = "990101199009090013";

/// Fills a database with one of everything, the way a bureau's would look.
async fn populated(db: &TestDb) {
    with_tree(db).await;
    let store = db.store();
    store
        .insert_user(&user("zhang"), &audit("accounts.create"))
        .await
        .unwrap();
    store
        .insert_user(&user("li"), &audit("accounts.create"))
        .await
        .unwrap();
    let case = store
        .insert_application(
            &application("990101001001", &[(HEAD, "张三"), (CHILD, "张小三")]),
            &audit("assistance.apply"),
        )
        .await
        .unwrap();
    store
        .append_case_action(
            case,
            1,
            &action("check_means", "2013-07-02"),
            CaseUpdate {
                income_per_capita_fen: Some(20_000),
                ..CaseUpdate::default()
            },
            &audit("assistance.step.check_means"),
        )
        .await
        .unwrap();
    store
        .upsert_standard(
            &StandardRow {
                program: "dibao".into(),
                area: "urban".into(),
                effective_from: day("2013-01-01"),
                amount_fen: 38_500,
                citation: "示范".into(),
            },
            &audit("assistance.standard"),
        )
        .await
        .unwrap();
    store
        .replace_policy(
            &PolicyRow {
                effective_from: day("2013-01-01"),
                citation: "示范".into(),
                rules: vec![PolicyRuleRow {
                    kind: "disability_grade".into(),
                    min_value: Some(1),
                    max_value: Some(2),
                    pct: 20,
                }],
            },
            &audit("assistance.policy"),
        )
        .await
        .unwrap();
    store
        .upsert_care_standard(
            &CareStandardRow {
                area: "rural".into(),
                level: "fully_unable".into(),
                effective_from: day("2013-01-01"),
                amount_fen: 30_000,
                citation: "示范".into(),
            },
            &audit("assistance.care_standard"),
        )
        .await
        .unwrap();
    store
        .set_setting(
            "assistance.approving_level",
            "district",
            &audit("assistance.setting"),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn a_person_is_in_one_current_household_and_a_household_in_one_active_case() {
    for_each_engine(async |db| {
        populated(db).await;
        let store = db.store();
        // The child in a second household: the partial unique index refuses, by name on
        // both engines, and nothing of the second application is written.
        let again = store
            .insert_application(
                &application("990101001002", &[("990101194801010031", "曾小三"), (CHILD, "张小三")]),
                &audit("assistance.apply"),
            )
            .await;
        match again {
            Err(StoreError::Conflict { constraint, .. }) => assert_eq!(
                constraint.as_deref(),
                Some(store::PERSON_IN_ONE_HOUSEHOLD),
                "{:?}",
                db.backend()
            ),
            other => panic!("{:?}: expected a conflict, got {other:?}", db.backend()),
        }
        let active = store.active_cases_of(&[CHILD.to_owned(), "990101194801010031".to_owned()]).await.unwrap();
        assert_eq!(active.len(), 1);
        assert_eq!((active[0].id_number.as_str(), active[0].division_name.as_str()), (CHILD, "和平社区"));
        // A stale version is refused; a withdrawal frees the persons.
        let stale = store
            .append_case_action(1, 1, &action("visit_home", "2013-07-03"), CaseUpdate::default(), &audit("x"))
            .await;
        assert!(matches!(stale, Err(StoreError::Conflict { constraint: Some(ref c), .. }) if c == "version"), "{stale:?}");
        store
            .append_case_action(
                1,
                2,
                &action("withdraw", "2013-07-03"),
                CaseUpdate {
                    close_on: Some(day("2013-07-03")),
                    ..CaseUpdate::default()
                },
                &audit("assistance.step.withdraw"),
            )
            .await
            .unwrap();
        let second = store
            .insert_application(
                &application("990101001002", &[("990101194801010031", "曾小三"), (CHILD, "张小三")]),
                &audit("assistance.apply"),
            )
            .await
            .unwrap();
        let file = store.case_file(second).await.unwrap();
        assert_eq!(file.members.len(), 2);
        assert_eq!(file.actions.len(), 1);
        let first = store.case_file(1).await.unwrap();
        assert!(!first.case.active && first.case.version == 3);
        assert!(first.members.iter().all(|m| m.left_on == Some(day("2013-07-03"))));
        // The household index: a second active case for the first household is refused.
        let result = store
            .execute_as_intruder(
                "INSERT INTO cases (household_id, program, active, version, created_at) \
                 VALUES (2, 'dibao', 1, 1, '2013-07-01T00:00:00Z')",
            )
            .await;
        assert!(matches!(result, Err(StoreError::Conflict { .. })), "{result:?}");
    })
    .await;
}

#[tokio::test]
async fn case_actions_are_append_only() {
    for_each_engine(async |db| {
        populated(db).await;
        for sql in [
            "UPDATE case_actions SET reason = 'x'",
            "DELETE FROM case_actions",
        ] {
            let result = db.store().execute_as_intruder(sql).await;
            assert!(result.is_err(), "{:?}: {sql} went through", db.backend());
        }
        assert_eq!(db.store().case_file(1).await.unwrap().actions.len(), 2);
    })
    .await;
}

#[tokio::test]
async fn copy_moves_everything_to_postgres_and_back_verified() {
    let Some(pg) = testkit::postgres_url() else {
        eprintln!(
            "MINZHENG_TEST_PG unset: the cross-engine copy needs PostgreSQL; skipped outside CI"
        );
        return;
    };
    let sqlite = testkit::sqlite().await;
    populated(&sqlite).await;
    let postgres = testkit::postgres_with(&pg, Setup::Empty).await;
    let back = testkit::sqlite_with(Setup::Empty).await;

    let there = sqlite
        .store()
        .copy_into(postgres.store(), &mut |_| {})
        .await
        .unwrap();
    let home = postgres
        .store()
        .copy_into(back.store(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(there, home);
    assert_eq!(there, back.store().table_summaries().await.unwrap());
    let users = there.iter().find(|s| s.table == "users").unwrap();
    assert_eq!(users.rows, 2);
    for (table, rows) in [
        ("persons", 2),
        ("households", 1),
        ("members", 2),
        ("cases", 1),
        ("case_actions", 2),
        ("standards", 1),
        ("classified_policies", 1),
        ("policy_rules", 1),
        ("care_standards", 1),
        ("settings", 1),
    ] {
        let summary = there.iter().find(|s| s.table == table).unwrap();
        assert_eq!(summary.rows, rows, "{table}");
    }
    // Identity sequences of the new tables moved too, and the copied case reads back whole.
    let file = postgres.store().case_file(1).await.unwrap();
    assert_eq!(
        (file.members.len(), file.actions.len(), file.case.version),
        (2, 2, 2)
    );

    // The identity sequence moved past the copied ids: a new account gets a fresh id.
    let id = postgres
        .store()
        .insert_user(&user("zhao"), &audit("accounts.create"))
        .await
        .unwrap();
    assert_eq!(id, 3);

    // A second copy into a target that now has rows is refused and changes nothing.
    let before = back.store().table_summaries().await.unwrap();
    let refused = sqlite.store().copy_into(back.store(), &mut |_| {}).await;
    assert!(matches!(refused, Err(StoreError::CopyRefused { .. })));
    assert_eq!(back.store().table_summaries().await.unwrap(), before);

    for db in [sqlite, postgres, back] {
        db.cleanup().await;
    }
}

#[tokio::test]
async fn copy_reports_progress_per_table() {
    let source = testkit::sqlite().await;
    populated(&source).await;
    let target = testkit::sqlite_with(Setup::Empty).await;
    let mut seen = Vec::new();
    target
        .store()
        .copy_into(source.store(), &mut |_| {})
        .await
        .unwrap_err();
    source
        .store()
        .copy_into(target.store(), &mut |p| {
            seen.push((p.table, p.rows_done, p.rows_total));
        })
        .await
        .unwrap();
    assert!(seen.contains(&("divisions", 6, 6)));
    assert!(seen.contains(&("users", 2, 2)));
}

#[tokio::test]
async fn a_backup_is_a_consistent_copy_of_a_live_database() {
    let db = testkit::sqlite().await;
    populated(&db).await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("backup.sqlite3");
    db.store()
        .backup_sqlite(dest.to_str().unwrap())
        .await
        .unwrap();
    let copy = Store::connect(&format!("sqlite://{}", dest.display()))
        .await
        .unwrap();
    assert_eq!(
        copy.table_summaries().await.unwrap(),
        db.store().table_summaries().await.unwrap()
    );
    assert_eq!(
        copy.applied_migrations().await.unwrap(),
        db.store().applied_migrations().await.unwrap()
    );
}

#[tokio::test]
async fn unknown_database_urls_are_refused_with_the_scheme() {
    let err = Store::connect("mysql://localhost/x").await.unwrap_err();
    assert!(
        matches!(&err, StoreError::UnsupportedUrl { scheme } if scheme == "mysql"),
        "{err}"
    );
}

#[tokio::test]
async fn every_change_is_chained_in_the_audit_log() {
    for_each_engine(async |db| {
        populated(db).await;
        let store = db.store();
        // Preparing seeded the calendar, the veterans' categories, their exclusions and the
        // petition risk levels (4), then the tree (1),
        // two accounts (2), an application and a step (2), a standard, a policy, a care
        // standard and a setting (4).
        assert_eq!(
            store.verify_audit_chain(&mut |_| {}).await.unwrap(),
            ChainCheck::Intact { entries: 13 }
        );
        let (entries, total) = store
            .audit_entries(&store::AuditFilter::default(), 0, 4)
            .await
            .unwrap();
        assert_eq!(total, 13);
        assert_eq!(
            entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
            [13, 12, 11, 10]
        );
        assert_eq!(entries[0].prev_hash, entries[1].hash);
        let filter = store::AuditFilter {
            action_prefix: Some("accounts.".into()),
            ..Default::default()
        };
        assert_eq!(store.audit_entries(&filter, 0, 10).await.unwrap().1, 2);
        // A refused change leaves no entry behind.
        let orphan = [division("990101002001", "孤儿社区", Area::Urban)];
        assert!(
            store
                .upsert_divisions(&orphan, &audit("divisions.import"))
                .await
                .is_err()
        );
        assert_eq!(
            store
                .audit_entries(&store::AuditFilter::default(), 0, 10)
                .await
                .unwrap()
                .1,
            13
        );
    })
    .await;
}

#[tokio::test]
async fn the_audit_log_refuses_updates_and_deletes() {
    for_each_engine(async |db| {
        populated(db).await;
        let update = db
            .store()
            .execute_as_intruder("UPDATE audit_log SET actor = 'nobody' WHERE seq = 2")
            .await;
        assert!(
            update.is_err(),
            "{:?}: an update went through",
            db.backend()
        );
        let delete = db
            .store()
            .execute_as_intruder("DELETE FROM audit_log WHERE seq = 4")
            .await;
        assert!(delete.is_err(), "{:?}: a delete went through", db.backend());
        assert_eq!(
            db.store().verify_audit_chain(&mut |_| {}).await.unwrap(),
            ChainCheck::Intact { entries: 13 }
        );
    })
    .await;
}

#[tokio::test]
async fn verification_finds_a_row_edited_behind_the_triggers() {
    for_each_engine(async |db| {
        populated(db).await;
        let drop_trigger = match db.backend() {
            store::Backend::Sqlite => "DROP TRIGGER audit_log_no_update",
            store::Backend::Postgres => "DROP TRIGGER audit_log_no_update ON audit_log",
        };
        db.store().execute_as_intruder(drop_trigger).await.unwrap();
        db.store()
            .execute_as_intruder("UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 3")
            .await
            .unwrap();
        assert_eq!(
            db.store().verify_audit_chain(&mut |_| {}).await.unwrap(),
            ChainCheck::Broken {
                seq: 3,
                reason: "hash"
            }
        );
    })
    .await;
}

#[tokio::test]
async fn concurrent_writers_never_fork_the_chain() {
    for_each_engine(async |db| {
        with_tree(db).await;
        let writers = (0..8).map(|i| {
            let store = db.store().clone();
            tokio::spawn(async move {
                for j in 0..5 {
                    store
                        .record_audit(&audit(&format!("test.write.{i}.{j}")))
                        .await
                        .unwrap();
                }
            })
        });
        for w in writers {
            w.await.unwrap();
        }
        assert_eq!(
            db.store().verify_audit_chain(&mut |_| {}).await.unwrap(),
            ChainCheck::Intact { entries: 45 }
        );
    })
    .await;
}
