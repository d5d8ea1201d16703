//! Cross-checks (数据比对) through `service` on SQLite and PostgreSQL: every finding kind with
//! the street it goes to, no second task on a re-run, dismissed and resolved findings, a
//! death record that stops the share from the next month (and the month's benefit drops),
//! the same death file twice, a bad death file refused by row and column with nothing
//! written, the nightly decision on the service clock, permissions and jurisdiction.
//!
//! The database refuses the inconsistent data the checks look for when it is entered
//! through the services, so these tests plant it with SQL, as an old import would have.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a line number"
)]

use chrono::{Duration, NaiveTime};
use domain::assistance::workflow::Step;
use domain::{Month, ResidentId};
use service::Error;
use service::assistance::MonthBenefit;
use service::assistance::checks::{
    FindingKind, Origin, TaskQuery, TaskStatus, TaskView, parse_death_file,
};
use service::attention::Attention;
use service::list::{Code, ListQuery};
use testkit::{TestDb, for_each_engine};

mod common;

use common::*;

const XICHENG: &str = "990101002001";

/// A synthetic number whose check character is `X` (the form that is sometimes stored as a
/// lower-case `x`).
fn id_with_x(birth: &str) -> String {
    (0..1000)
        .map(|seq| ResidentId::synthetic("990101", d(birth), seq).unwrap())
        .find(|id| id.as_str().ends_with('X'))
        .unwrap()
        .as_str()
        .to_owned()
}

/// Runs SQL on the test database directly, as a legacy import would have written it.
async fn sql(db: &TestDb, statements: &[String]) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    for s in statements {
        sqlx::query(sqlx::AssertSqlSafe(s.clone()))
            .execute(&pool)
            .await
            .unwrap();
    }
    pool.close().await;
}

async fn scalar(db: &TestDb, query: &str) -> i64 {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    let v: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(query.to_owned()))
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    v
}

/// The Zhang case approved on 2013-07-11, paying from 2013-08.
async fn approved(db: &TestDb) -> i64 {
    let (case, v) = through_notice(db).await;
    let jiuzhu = actor(db, "jiuzhu").await;
    on(db, "2013-07-11");
    db.service
        .record_step(&jiuzhu, case, v, step(Step::Approve, "2013-07-11"))
        .await
        .unwrap();
    case
}

async fn total(db: &TestDb, case: i64, m: &str) -> i64 {
    let jiuzhu = actor(db, "jiuzhu").await;
    match db
        .service
        .benefit_for_month(&jiuzhu, case, Month::parse(m).unwrap())
        .await
        .unwrap()
    {
        MonthBenefit::Due(b) => b.total.as_fen(),
        MonthBenefit::Suspended => -1,
        MonthBenefit::NotCovered => -2,
    }
}

async fn tasks(db: &TestDb, username: &str) -> Vec<TaskView> {
    let who = actor(db, username).await;
    let query = TaskQuery {
        list: ListQuery {
            per_page: 200,
            ..ListQuery::default()
        },
        kind: None,
    };
    db.service.check_tasks(&who, &query).await.unwrap().items
}

fn kinds(tasks: &[TaskView]) -> Vec<(&'static str, &str, TaskStatus)> {
    let mut out: Vec<_> = tasks
        .iter()
        .map(|t| (t.kind.as_str(), t.street.as_str(), t.status))
        .collect();
    out.sort_by_key(|(k, s, _)| (*k, s.to_string()));
    out
}

fn deaths_csv(rows: &[(&str, &str, &str, &str)]) -> Vec<u8> {
    let mut text = String::from("公民身份号码,姓名,死亡日期,来源\n");
    for (id, name, died, source) in rows {
        text.push_str(&format!("{id},{name},{died},{source}\n"));
    }
    text.into_bytes()
}

#[tokio::test]
async fn a_death_record_stops_the_share_from_next_month_and_the_same_file_twice_changes_nothing() {
    for_each_engine(async |db| {
        demo_db(db).await;
        let s = &db.service;
        let case = approved(db).await;
        let jiuzhu = actor(db, "jiuzhu").await;
        on(db, "2014-03-10");
        // 3 members at (385 − 200) yuan, +10 % of the standard for the head over 60 and
        // +20 % for the son's grade-2 disability.
        assert_eq!(total(db, case, "2014-03").await, 55_500 + 3_850 + 7_700);
        assert_eq!(total(db, case, "2014-04").await, 55_500 + 3_850 + 7_700);
        // The spouse died on 5 March; the file is GBK with Chinese headers, as Excel saves it.
        let spouse = id("1955-06-01", 22);
        let file = deaths_csv(&[(&spouse, "李秀英", "2014-03-05", "市殡仪馆")]);
        let (gbk, _, _) = encoding_rs::GBK.encode(std::str::from_utf8(&file).unwrap());
        let report = s.import_deaths(&jiuzhu, &gbk).await.unwrap();
        assert_eq!((report.rows, report.stored, report.known), (1, 1, 0));
        let run = report.run.unwrap();
        assert_eq!(run.origin, Origin::Deaths);
        assert_eq!(
            (run.deaths, run.deaths_recorded, run.tasks_created),
            (1, 1, 1)
        );
        // March is paid as it was; from April two members are counted.
        assert_eq!(total(db, case, "2014-03").await, 55_500 + 3_850 + 7_700);
        assert_eq!(total(db, case, "2014-04").await, 37_000 + 3_850 + 7_700);
        let changes = s.case(&jiuzhu, case).await.unwrap();
        let death = changes.dynamics.changes.last().unwrap();
        assert_eq!(death.kind, "death");
        assert_eq!(death.effective, Month::parse("2014-04").unwrap());
        assert_eq!(death.member_name.as_deref(), Some("李秀英"));
        // The task goes to 东城街道, the street over 和平社区, with the number masked.
        let all = tasks(db, "jiuzhu").await;
        assert_eq!(
            kinds(&all),
            vec![("death", "990101001000", TaskStatus::Open)]
        );
        assert_eq!(all[0].person_name, "李秀英");
        assert!(
            all[0].id_masked.contains("**********"),
            "{}",
            all[0].id_masked
        );
        assert!(
            all[0].detail.contains("stopped_from=2014-04"),
            "{}",
            all[0].detail
        );
        let audits = audit_of(db, "assistance.").await.len();

        // The same file again: nothing stored, no run, no change, no task, no audit entry.
        let again = s.import_deaths(&jiuzhu, &gbk).await.unwrap();
        assert_eq!((again.rows, again.stored, again.known), (1, 0, 1));
        assert!(again.run.is_none());
        assert_eq!(audit_of(db, "assistance.").await.len(), audits);
        assert_eq!(scalar(db, "SELECT COUNT(*) FROM death_records").await, 1);
        assert_eq!(scalar(db, "SELECT COUNT(*) FROM case_changes").await, 1);
        // A later run finds nobody to stop any more (she has left the household).
        let rerun = s.run_checks(&jiuzhu, Origin::Manual).await.unwrap();
        assert_eq!(
            (rerun.deaths, rerun.deaths_recorded, rerun.tasks_created),
            (0, 0, 0)
        );
        assert_eq!(tasks(db, "jiuzhu").await.len(), 1);
        assert_eq!(total(db, case, "2014-04").await, 37_000 + 3_850 + 7_700);
    })
    .await;
}

#[tokio::test]
async fn a_death_in_a_case_not_paying_yet_is_only_a_task() {
    for_each_engine(async |db| {
        demo_db(db).await;
        let s = &db.service;
        let heping = actor(db, "heping").await;
        let jiuzhu = actor(db, "jiuzhu").await;
        // A one-person household, pending (no benefit yet).
        on(db, "2013-07-01");
        let alone = id("1940-01-01", 31);
        let case = s
            .register_application(
                &heping,
                application(HEPING, vec![member("王独居", &alone, "head")]),
            )
            .await
            .unwrap();
        on(db, "2013-07-20");
        let file = deaths_csv(&[(&alone, "王独居", "2013-07-15", "")]);
        let run = s.import_deaths(&jiuzhu, &file).await.unwrap().run.unwrap();
        assert_eq!(
            (run.deaths, run.deaths_recorded, run.tasks_created),
            (1, 0, 1)
        );
        let all = tasks(db, "jiuzhu").await;
        assert!(
            all[0].detail.contains("not_recorded=not_paying"),
            "{}",
            all[0].detail
        );
        assert_eq!(all[0].case_id, Some(case));
    })
    .await;
}

#[tokio::test]
async fn duplicates_and_bad_numbers_become_one_task_each_for_the_household_s_street() {
    for_each_engine(async |db| {
        demo_db(db).await;
        let s = &db.service;
        let heping = actor(db, "heping").await;
        let jiuzhu = actor(db, "jiuzhu").await;
        on(db, "2013-07-01");
        // Household A (和平社区, 东城街道): the Zhang family; household B (西城街道): 刘芳,
        // whose number ends in X.
        let a = s
            .register_application(&heping, application(HEPING, zhang()))
            .await
            .unwrap();
        let liu = id_with_x("1960-02-02");
        let b = s
            .register_application(
                &jiuzhu,
                application(XICHENG, vec![member("刘芳", &liu, "head")]),
            )
            .await
            .unwrap();
        let qian = id_with_x("1975-05-05");
        let c = s
            .register_application(
                &jiuzhu,
                application(XICHENG, vec![member("钱多", &qian, "head")]),
            )
            .await
            .unwrap();
        let household = |case: i64| format!("(SELECT household_id FROM cases WHERE id = {case})");
        let lower = |n: &str| n.replace('X', "x");
        sql(
            db,
            &[
                // 刘芳 stored again with a lower-case x, as a member of household A too.
                format!(
                    "INSERT INTO persons (id_number, name, name_initials, name_pinyin, \
                     birth_date, sex, created_at) VALUES ('{}', '刘芳', 'lf', 'liufang', \
                     '1960-02-02', '{}', '2013-07-01T00:00:00.000000Z')",
                    lower(&liu),
                    ResidentId::parse(&liu)
                        .map(|i| if i.sex() == domain::Sex::Male {
                            "M"
                        } else {
                            "F"
                        })
                        .unwrap()
                ),
                format!(
                    "INSERT INTO members (household_id, person_id, relation, employment, \
                     joined_on) VALUES ({}, (SELECT id FROM persons WHERE id_number = '{}'), \
                     'other', 'unemployed', '2013-07-01')",
                    household(a),
                    lower(&liu)
                ),
                // 钱多 twice in household C.
                format!(
                    "INSERT INTO persons (id_number, name, name_initials, name_pinyin, \
                     birth_date, sex, created_at) VALUES ('{}', '钱多', 'qd', 'qianduo', \
                     '1975-05-05', '{}', '2013-07-01T00:00:00.000000Z')",
                    lower(&qian),
                    ResidentId::parse(&qian)
                        .map(|i| if i.sex() == domain::Sex::Male {
                            "M"
                        } else {
                            "F"
                        })
                        .unwrap()
                ),
                format!(
                    "INSERT INTO members (household_id, person_id, relation, employment, \
                     joined_on) VALUES ({}, (SELECT id FROM persons WHERE id_number = '{}'), \
                     'other', 'unemployed', '2013-07-01')",
                    household(c),
                    lower(&qian)
                ),
                // 张强's number with a wrong check digit; 张小明 stored as female.
                format!(
                    "UPDATE persons SET id_number = '{}' WHERE name = '张强'",
                    {
                        let n = id("1990-09-09", 13);
                        let last = if n.ends_with('0') { '1' } else { '0' };
                        format!("{}{last}", &n[..17])
                    }
                ),
                "UPDATE persons SET sex = 'F' WHERE name = '张小明'".to_owned(),
            ],
        )
        .await;
        on(db, "2013-07-02");
        let run = s.run_checks(&jiuzhu, Origin::Manual).await.unwrap();
        assert_eq!((run.duplicates, run.invalid_ids, run.deaths), (3, 2, 0));
        assert_eq!(run.tasks_created, 5);
        let all = tasks(db, "jiuzhu").await;
        assert_eq!(
            kinds(&all),
            vec![
                ("duplicate_case", "990101001000", TaskStatus::Open),
                ("duplicate_case", "990101002000", TaskStatus::Open),
                ("duplicate_in_household", "990101002000", TaskStatus::Open),
                ("id_mismatch", "990101001000", TaskStatus::Open),
                ("invalid_id", "990101001000", TaskStatus::Open),
            ]
        );
        let dup_a = all
            .iter()
            .find(|t| t.kind == FindingKind::DuplicateCase && t.case_id == Some(a))
            .unwrap();
        assert!(
            dup_a.detail.contains(&format!("cases={b}")),
            "{}",
            dup_a.detail
        );
        let mismatch = all
            .iter()
            .find(|t| t.kind == FindingKind::IdMismatch)
            .unwrap();
        assert_eq!(mismatch.detail, "column=sex expected=M");
        let invalid = all
            .iter()
            .find(|t| t.kind == FindingKind::InvalidId)
            .unwrap();
        assert_eq!(invalid.detail, "rule=resident_id.check_char_mismatch");
        assert!(all.iter().all(|t| t.id_masked.contains("**********")));

        // A re-run finds the same and makes no second task.
        let again = s.run_checks(&jiuzhu, Origin::Manual).await.unwrap();
        assert_eq!(
            (again.duplicates, again.invalid_ids, again.tasks_created),
            (3, 2, 0)
        );
        assert_eq!(tasks(db, "jiuzhu").await.len(), 5);

        // The street officer of 东城街道 sees and closes its own three only; 西城's are as
        // unknown to it as a task that does not exist.
        let dongcheng = actor(db, "dongcheng").await;
        let mine = tasks(db, "dongcheng").await;
        assert_eq!(mine.len(), 3);
        assert!(mine.iter().all(|t| t.street.as_str() == "990101001000"));
        let xicheng_task = all
            .iter()
            .find(|t| t.street.as_str() == "990101002000")
            .unwrap();
        assert!(matches!(
            s.close_check_task(
                &dongcheng,
                xicheng_task.id,
                TaskStatus::Resolved,
                "已核实处理"
            )
            .await,
            Err(Error::NotFound)
        ));
        assert!(matches!(
            s.check_task(&dongcheng, xicheng_task.id).await,
            Err(Error::NotFound)
        ));
        assert!(
            s.attention(&dongcheng)
                .await
                .unwrap()
                .contains(&Attention::CheckTasksOpen { count: 3 })
        );
        // The community worker of 和平社区 sees the three of household A too.
        assert_eq!(tasks(db, "heping").await.len(), 3);
        // A note is required; the street officer closes one as resolved without fixing the
        // data and dismisses another as a false alarm.
        assert_eq!(
            refused(
                s.close_check_task(&dongcheng, mismatch.id, TaskStatus::Dismissed, "否")
                    .await
            ),
            vec![(None, "note", "assistance.reason_short", "4".into())]
        );
        s.close_check_task(
            &dongcheng,
            mismatch.id,
            TaskStatus::Dismissed,
            "性别登记无误,已排除",
        )
        .await
        .unwrap();
        s.close_check_task(
            &dongcheng,
            invalid.id,
            TaskStatus::Resolved,
            "已通知社区更正号码",
        )
        .await
        .unwrap();
        assert!(matches!(
            s.close_check_task(
                &dongcheng,
                invalid.id,
                TaskStatus::Dismissed,
                "再次办结试试"
            )
            .await,
            Err(Error::Conflict {
                code: "assistance.task_closed",
                ..
            })
        ));
        let closed = s.check_task(&dongcheng, mismatch.id).await.unwrap();
        assert_eq!(closed.status, TaskStatus::Dismissed);
        assert_eq!(closed.closed_by.as_deref(), Some("dongcheng"));
        assert_eq!(closed.note.as_deref(), Some("性别登记无误,已排除"));
        assert_eq!(audit_of(db, "assistance.checks.task_close").await.len(), 2);
        // The next run: the dismissed finding stays dismissed; the "resolved" one is still
        // there and becomes a new task.
        let third = s.run_checks(&jiuzhu, Origin::Manual).await.unwrap();
        assert_eq!(third.tasks_created, 1);
        let now = tasks(db, "dongcheng").await;
        let open: Vec<_> = now
            .iter()
            .filter(|t| t.status == TaskStatus::Open)
            .collect();
        assert_eq!(open.len(), 2);
        assert!(open.iter().any(|t| t.kind == FindingKind::InvalidId));
        // Filters: by kind, by status, by a whole ID number.
        let by_kind = s
            .check_tasks(
                &jiuzhu,
                &TaskQuery {
                    kind: Some(FindingKind::DuplicateCase),
                    ..TaskQuery::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(by_kind.total, 2);
        let by_status = s
            .check_tasks(
                &jiuzhu,
                &TaskQuery {
                    list: ListQuery {
                        status: Some(TaskStatus::Dismissed),
                        ..ListQuery::default()
                    },
                    kind: None,
                },
            )
            .await
            .unwrap();
        assert_eq!(by_status.total, 1);
        let by_number = s
            .check_tasks(
                &jiuzhu,
                &TaskQuery {
                    list: ListQuery {
                        q: liu.clone(),
                        ..ListQuery::default()
                    },
                    kind: None,
                },
            )
            .await
            .unwrap();
        assert_eq!(by_number.total, 2);
        // Three runs, each audited.
        assert_eq!(audit_of(db, "assistance.checks.run").await.len(), 3);
    })
    .await;
}

#[tokio::test]
async fn a_number_current_in_a_household_without_a_case_is_a_duplicate_household() {
    for_each_engine(async |db| {
        demo_db(db).await;
        let s = &db.service;
        let heping = actor(db, "heping").await;
        let jiuzhu = actor(db, "jiuzhu").await;
        on(db, "2013-07-01");
        let zhou = id_with_x("1948-08-08");
        let case = s
            .register_application(
                &heping,
                application(HEPING, vec![member("周老", &zhou, "head")]),
            )
            .await
            .unwrap();
        let sex = if ResidentId::parse(&zhou).unwrap().sex() == domain::Sex::Male {
            "M"
        } else {
            "F"
        };
        // An old household in 西城街道 without any case, still listing him (as `…x`).
        sql(
            db,
            &[
                format!(
                    "INSERT INTO households (division_code, address, area, created_at) \
                     VALUES ('{XICHENG}', '旧址 1 号', 'urban', '2010-01-01T00:00:00.000000Z')"
                ),
                format!(
                    "INSERT INTO persons (id_number, name, name_initials, name_pinyin, \
                     birth_date, sex, created_at) VALUES ('{}', '周老', 'zl', 'zhoulao', \
                     '1948-08-08', '{sex}', '2010-01-01T00:00:00.000000Z')",
                    zhou.replace('X', "x")
                ),
                format!(
                    "INSERT INTO members (household_id, person_id, relation, employment, \
                     joined_on) VALUES ((SELECT MAX(id) FROM households), \
                     (SELECT id FROM persons WHERE id_number = '{}'), 'head', 'retired', \
                     '2010-01-01')",
                    zhou.replace('X', "x")
                ),
            ],
        )
        .await;
        let run = s.run_checks(&jiuzhu, Origin::Manual).await.unwrap();
        assert_eq!(
            (run.duplicates, run.invalid_ids, run.tasks_created),
            (2, 0, 2)
        );
        let all = tasks(db, "jiuzhu").await;
        assert_eq!(
            kinds(&all),
            vec![
                ("duplicate_household", "990101001000", TaskStatus::Open),
                ("duplicate_household", "990101002000", TaskStatus::Open),
            ]
        );
        let with_case = all.iter().find(|t| t.case_id == Some(case)).unwrap();
        assert!(
            with_case.detail.starts_with("households="),
            "{}",
            with_case.detail
        );
        assert!(all.iter().any(|t| t.case_id.is_none()));
    })
    .await;
}

#[tokio::test]
async fn who_may_run_import_read_and_close() {
    for_each_engine(async |db| {
        demo_db(db).await;
        let s = &db.service;
        for name in ["dongcheng", "heping", "leader", "admin"] {
            let who = actor(db, name).await;
            assert!(
                matches!(
                    s.run_checks(&who, Origin::Manual).await,
                    Err(Error::Forbidden)
                ),
                "{name}"
            );
            assert!(
                matches!(s.import_deaths(&who, b"x").await, Err(Error::Forbidden)),
                "{name}"
            );
        }
        let leader = actor(db, "leader").await;
        assert!(s.check_tasks(&leader, &TaskQuery::default()).await.is_ok());
        assert!(matches!(
            s.close_check_task(&leader, 1, TaskStatus::Resolved, "领导办结试试")
                .await,
            Err(Error::Forbidden)
        ));
        let admin = actor(db, "admin").await;
        assert!(matches!(
            s.check_tasks(&admin, &TaskQuery::default()).await,
            Err(Error::Forbidden)
        ));
    })
    .await;
}

#[tokio::test]
async fn a_bad_death_file_names_row_and_column_and_writes_nothing() {
    for_each_engine(async |db| {
        demo_db(db).await;
        let s = &db.service;
        let _case = approved(db).await;
        let jiuzhu = actor(db, "jiuzhu").await;
        on(db, "2014-03-10");
        let good = id("1955-06-01", 22);
        let bad_check = format!("{}0", &good[..17]);
        let bad_check = if bad_check == good {
            format!("{}1", &good[..17])
        } else {
            bad_check
        };
        let file = deaths_csv(&[
            (&good, "李秀英", "2014-03-05", "市殡仪馆"),
            (&bad_check, "某甲", "2014-03-01", ""),
            (&id("1950-01-01", 41), "某乙", "2014-02-30", ""),
            (&id("1950-01-01", 43), "某丙", "2014-03-11", ""),
            (&good, "李秀英", "2014-03-05", ""),
            (&id("1950-01-01", 45), "", "2014-03-01", ""),
            (&id("1950-01-01", 47), "某丁", "1949-12-31", ""),
        ]);
        let errors = refused(s.import_deaths(&jiuzhu, &file).await);
        let mut found: Vec<(Option<usize>, &str, &str)> =
            errors.iter().map(|(r, f, c, _)| (*r, *f, *c)).collect();
        found.sort();
        assert_eq!(
            found,
            vec![
                (Some(3), "id_number", "resident_id.check_char_mismatch"),
                (Some(4), "date_of_death", "date.day_out_of_range"),
                (Some(5), "date_of_death", "checks.death_in_future"),
                (Some(6), "id_number", "checks.duplicate_in_file"),
                (Some(7), "name", "checks.name"),
                (Some(8), "date_of_death", "checks.death_before_birth"),
            ]
        );
        // Nothing stored, nothing run, nothing changed, nothing audited.
        assert_eq!(scalar(db, "SELECT COUNT(*) FROM death_records").await, 0);
        assert_eq!(scalar(db, "SELECT COUNT(*) FROM check_runs").await, 0);
        assert_eq!(scalar(db, "SELECT COUNT(*) FROM case_changes").await, 0);
        assert!(audit_of(db, "assistance.checks").await.is_empty());

        // A header without the needed columns is one error on row 1.
        let no_header = refused(s.import_deaths(&jiuzhu, b"id,name\n1,2\n").await);
        assert_eq!(no_header[0].0, Some(1));
        assert_eq!(no_header[0].1, "header");
        assert_eq!(no_header[0].2, "checks.header");
        assert!(
            no_header[0].3.contains("公民身份号码"),
            "{}",
            no_header[0].3
        );
        // English headers are accepted, and an empty file has nothing to import.
        let english = format!("id_number,name,date_of_death,source\n{good},李秀英,2014-03-05,x\n");
        assert_eq!(
            parse_death_file(english.as_bytes(), d("2014-03-10"))
                .unwrap()
                .len(),
            1
        );
        assert!(parse_death_file(b"", d("2014-03-10")).is_err());
        // A first-generation 15-digit number is stored in its 18-character form.
        let old = "id_number,name,date_of_death\n110105491231002,张三,2014-03-01\n";
        let parsed = parse_death_file(old.as_bytes(), d("2014-03-10")).unwrap();
        assert_eq!(parsed[0].id_number, "11010519491231002X");
    })
    .await;
}

#[test]
fn no_death_file_makes_the_parser_panic() {
    // A small deterministic generator: bytes of every kind, commas, quotes and newlines.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let alphabet: &[u8] = b"0123456789Xx,\"\n\r -\xe4\xb8\xad\xff";
    for _ in 0..2000 {
        let len = usize::try_from(next() % 120).unwrap();
        let mut bytes: Vec<u8> = b"id_number,name,date_of_death\n".to_vec();
        for _ in 0..len {
            let i = usize::try_from(next() % alphabet.len() as u64).unwrap();
            bytes.push(alphabet[i]);
        }
        let _ = parse_death_file(&bytes, d("2014-03-10"));
    }
}

#[tokio::test]
async fn the_nightly_run_happens_once_a_day_after_its_time_on_the_service_clock() {
    for_each_engine(async |db| {
        demo_db(db).await;
        let s = &db.service;
        let two = NaiveTime::from_hms_opt(2, 0, 0).unwrap();
        // 09:00 Beijing: past 02:00 and no nightly run yet — it runs, once.
        on(db, "2014-03-10");
        let run = s.run_nightly_if_due(two).await.unwrap().unwrap();
        assert_eq!(run.origin, Origin::Nightly);
        assert_eq!(run.by, "system");
        assert!(s.run_nightly_if_due(two).await.unwrap().is_none());
        // 01:59 the next day: not yet; 02:00: due again.
        db.clock.advance(Duration::hours(17) - Duration::minutes(1));
        assert!(s.run_nightly_if_due(two).await.unwrap().is_none());
        db.clock.advance(Duration::minutes(1));
        assert!(s.run_nightly_if_due(two).await.unwrap().is_some());
        assert!(s.run_nightly_if_due(two).await.unwrap().is_none());
        // A manual run does not count as the night's.
        let jiuzhu = actor(db, "jiuzhu").await;
        s.run_checks(&jiuzhu, Origin::Manual).await.unwrap();
        let runs = s.check_runs(&jiuzhu, 10).await.unwrap();
        assert_eq!(
            runs.iter().map(|r| r.origin).collect::<Vec<_>>(),
            vec![Origin::Manual, Origin::Nightly, Origin::Nightly]
        );
    })
    .await;
}
