//! Upgrading a database that already holds payroll data to migration 0016 (the veterans in
//! the payroll): on SQLite the migration rebuilds payroll_runs, payroll_lines and
//! payroll_ledger with foreign keys off, so it is tried on rows that reference them (lines,
//! ledger entries, a bank file) through the real migrator, with foreign keys on as every
//! connection has them: the rows survive, the references hold, the ledger is still
//! append-only and the new programmes are accepted. And petition follow-ups upgraded to
//! 0019, which marks the next visits that were left to the risk level's interval.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a line number"
)]

use sqlx::Executor;
use sqlx::any::AnyPoolOptions;
use store::Store;

/// A new SQLite database in `dir` migrated up to, not including, migration `below`, and a
/// one-connection pool to it with foreign keys on, as every connection has them.
async fn old_database(dir: &tempfile::TempDir, below: i64) -> (String, sqlx::AnyPool) {
    sqlx::any::install_default_drivers();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("old.sqlite3").display()
    );
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute("PRAGMA foreign_keys = ON;").await?;
                Ok(())
            })
        })
        .connect(&url)
        .await
        .unwrap();
    let mut before = sqlx::migrate!("migrations/sqlite");
    before.migrations = before
        .migrations
        .iter()
        .filter(|m| m.version < below)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    before.run(&pool).await.unwrap();
    (url, pool)
}

#[tokio::test]
async fn a_sqlite_database_with_payroll_rows_upgrades_through_0016() {
    let dir = tempfile::tempdir().unwrap();
    let (url, pool) = old_database(&dir, 16).await;
    pool.execute(
        "INSERT INTO divisions (code, name, parent_code, area, updated_at) VALUES \
         ('990101000000', '示范区', NULL, 'urban', '2013-02-01T01:00:00.000000Z'), \
         ('990101001001', '和平社区', '990101000000', 'urban', '2013-02-01T01:00:00.000000Z'); \
         INSERT INTO households (id, division_code, address, area, created_at) \
         VALUES (1, '990101001001', '和平路 1 号', 'urban', '2013-02-01T01:00:00.000000Z'); \
         INSERT INTO cases (id, household_id, program, benefit_start, created_at) \
         VALUES (1, 1, 'dibao', '2013-01-01', '2013-02-01T01:00:00.000000Z'); \
         INSERT INTO payroll_runs (id, month, program, state, cutoff, jump_pct, prepared_by, \
         prepared_at, approved_by, approved_at) \
         VALUES (1, '2013-01', 'dibao', 'approved', '2013-02-01T01:00:00.000000Z', 30, 'jiuzhu', '2013-02-01T01:00:00.000000Z', 'jiuzhu2', '2013-02-01T01:00:00.000000Z'); \
         INSERT INTO payroll_lines (run_id, case_id, household_id, division_code, \
         benefit_month, kind, amount_fen, members) \
         VALUES (1, 1, 1, '990101001001', '2013-01', 'regular', 38500, 1); \
         INSERT INTO payroll_ledger (id, program, household_id, case_id, division_code, \
         benefit_month, kind, paid_in, amount_fen, run_id, recorded_by, recorded_at) \
         VALUES (1, 'dibao', 1, 1, '990101001001', '2013-01', 'regular', '2013-01', 38500, 1, \
         'jiuzhu2', '2013-02-01T01:00:00.000000Z'); \
         INSERT INTO bank_files (run_id, format, file_name, sha256, lines, total_fen, \
         exported_by, exported_at) VALUES (1, 'csv', 'f.csv', \
         '0000000000000000000000000000000000000000000000000000000000000000', 1, 38500, \
         'jiuzhu2', '2013-02-01T01:00:00.000000Z');",
    )
    .await
    .unwrap();
    pool.close().await;

    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    // 0016 and every later migration (0018 re-creates the ledger key 0016 rebuilt).
    let applied = store.applied_migrations().await.unwrap();
    assert!(
        applied.contains(&16) && applied.contains(&18),
        "{applied:?}"
    );
    let entries = store.ledger_all().await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(
        (entries[0].case_id, entries[0].amount_fen, entries[0].run_id),
        (Some(1), 38500, Some(1))
    );
    assert_eq!(store.bank_files(1).await.unwrap().len(), 1);
    assert_eq!(store.payroll_run(1).await.unwrap().state, "approved");
    let (update, delete) = store.try_tamper_ledger(1).await;
    assert!(update.is_err() && delete.is_err());
    store.close().await;

    // The references still hold, and the new programme is accepted, without a case.
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute("PRAGMA foreign_keys = ON;").await?;
                Ok(())
            })
        })
        .connect(&url)
        .await
        .unwrap();
    let violations: Vec<sqlx::any::AnyRow> = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert!(violations.is_empty());
    assert!(
        pool.execute("DELETE FROM payroll_runs WHERE id = 1")
            .await
            .is_err(),
        "a run its lines name cannot go"
    );
    pool.execute(
        "INSERT INTO payroll_runs (id, month, program, state, cutoff, jump_pct, prepared_by, \
         prepared_at) VALUES (2, '2013-01', 'veterans', 'draft', '2013-02-01T01:00:00.000000Z', 30, 'youfu', '2013-02-01T01:00:00.000000Z'); \
         INSERT INTO payroll_lines (run_id, case_id, household_id, division_code, \
         benefit_month, kind, amount_fen, members) \
         VALUES (2, NULL, 1, '990101001001', '2013-01', 'regular', 42000, 1);",
    )
    .await
    .unwrap();
    assert!(
        pool.execute(
            "INSERT INTO payroll_ledger (program, household_id, case_id, division_code, \
             benefit_month, kind, paid_in, amount_fen, recorded_by, recorded_at) VALUES \
             ('dibao', 1, NULL, '990101001001', '2013-02', 'regular', '2013-02', 1, 'x', '2013-02-01T01:00:00.000000Z')"
        )
        .await
        .is_err(),
        "an assistance entry needs its case"
    );
    pool.close().await;
}

/// Upgrading petition follow-ups to 0019 on SQLite: a next visit equal to the level's
/// interval after the follow-up is marked as by the interval, one given is not, the table
/// is append-only again, and a case's next visit then follows a new interval.
#[tokio::test]
async fn petition_followups_upgrade_through_0019_and_follow_the_interval() {
    let dir = tempfile::tempdir().unwrap();
    let (url, pool) = old_database(&dir, 19).await;
    let at = "2013-06-01T01:00:00.000000Z";
    pool.execute(sqlx::AssertSqlSafe(format!(
        "INSERT INTO divisions (code, name, parent_code, area, updated_at) VALUES \
         ('990101000000', '示范区', NULL, 'urban', '{at}'), \
         ('990101001001', '和平社区', '990101000000', 'urban', '{at}'); \
         INSERT INTO petition_risk_levels (code, name, visit_days, position) \
         VALUES ('high', '高', 7, 1), ('medium', '中', 30, 2); \
         INSERT INTO petition_cases (id, petitioner, division_code, subject, opened_on, \
         by_user, at) VALUES (1, '周老兵', '990101001001', '补助', '2013-06-03', 'u', '{at}'), \
         (2, '李老兵', '990101001001', '补助', '2013-06-01', 'u', '{at}'); \
         INSERT INTO petition_followups (case_id, seq, kind, on_date, risk_code, who, what, \
         next_due, by_user, at) VALUES \
         (1, 1, 'screening', '2013-06-03', 'high', 'w', '排查', '2013-06-10', 'u', '{at}'), \
         (1, 2, 'contact', '2013-06-05', NULL, 'w', '联系', '2013-06-20', 'u', '{at}'), \
         (2, 1, 'screening', '2013-06-01', 'medium', 'w', '排查', '2013-07-01', 'u', '{at}');"
    )))
    .await
    .unwrap();
    pool.close().await;

    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    assert!(store.applied_migrations().await.unwrap().contains(&19));
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .unwrap();
    let flags: Vec<(i64, i64, i64)> =
        sqlx::query_as("SELECT case_id, seq, by_interval FROM petition_followups ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(flags, [(1, 1, 1), (1, 2, 0), (2, 1, 1)]);
    assert!(
        pool.execute("UPDATE petition_followups SET what = 'x' WHERE id = 1")
            .await
            .is_err(),
        "append-only again"
    );
    pool.close().await;

    let audit = store::AuditEntry {
        at: chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2013, 7, 1, 1, 0, 0).unwrap(),
        actor: "test".into(),
        address: "test".into(),
        action: "veterans.petition.risk_level".into(),
        object: "petition_risk_level:medium".into(),
        reason: String::new(),
        detail: String::new(),
    };
    let medium = store::RiskLevelRow {
        code: "medium".into(),
        name: "中".into(),
        visit_days: 10,
        position: 2,
    };
    store
        .update_petition_risk_levels(&[(medium, audit)])
        .await
        .unwrap();
    let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    assert_eq!(
        store.petition_case(2).await.unwrap().next_due,
        Some(day("2013-06-11")),
        "by the interval: follows it"
    );
    assert_eq!(
        store.petition_case(1).await.unwrap().next_due,
        Some(day("2013-06-20")),
        "given: stays"
    );
    store.close().await;
}

/// Upgrading payments and decided cases to 0021 on SQLite: each line gets the area its
/// household had at its run's cut-off, each run entry its line's and a correction the
/// corrected entry's (a move recorded later does not move them), the ledger's totals are
/// its own sums, each decided case gets its caseload row (simple only when every member
/// was there for the whole benefit), the ledger is append-only again, and the figures
/// read from the kept rows are those of the records.
#[tokio::test]
async fn payments_and_cases_upgrade_through_0021_to_the_kept_figures() {
    use chrono::{NaiveDate, TimeZone, Utc};
    use domain::reports::Measure;
    use store::{Breakdown, ReportScope};

    let dir = tempfile::tempdir().unwrap();
    let (url, pool) = old_database(&dir, 21).await;
    let (t0, t1, t2, t3, t4) = (
        "2013-01-05T01:00:00.000000Z",
        "2013-01-20T01:00:00.000000Z",
        "2013-01-25T01:00:00.000000Z",
        "2013-01-28T01:00:00.000000Z",
        "2013-02-10T01:00:00.000000Z",
    );
    // Household 1 lived in the village (rural) at January's cut-off (t1); its move into
    // the community (urban) was recorded (t2) before the run was approved (t3), and its
    // January payment corrected afterwards (t4). Household 2 is rural, a member joined it
    // in March; case 3 was only applied for.
    pool.execute(sqlx::AssertSqlSafe(format!(
        "INSERT INTO divisions (code, name, parent_code, area, updated_at) VALUES \
         ('990101000000', '示范区', NULL, 'urban', '{t0}'), \
         ('990101001000', '和平街道', '990101000000', 'urban', '{t0}'), \
         ('990101001001', '和平社区', '990101001000', 'urban', '{t0}'), \
         ('990101001201', '东村', '990101001000', 'rural', '{t0}'); \
         INSERT INTO persons (id, id_number, name, name_initials, name_pinyin, birth_date, sex, \
         created_at) VALUES (1, '990101194001010011', '甲', 'j', 'jia', '1940-01-01', 'M', '{t0}'), \
         (2, '990101194001010022', '乙', 'y', 'yi', '1940-01-01', 'F', '{t0}'), \
         (3, '990101201001010033', '丙', 'b', 'bing', '2010-01-01', 'F', '{t0}'), \
         (4, '990101194001010044', '丁', 'd', 'ding', '1940-01-01', 'M', '{t0}'); \
         INSERT INTO households (id, division_code, address, area, created_at) VALUES \
         (1, '990101001001', '和平路 1 号', 'urban', '{t0}'), \
         (2, '990101001201', '东村 2 号', 'rural', '{t0}'), \
         (3, '990101001001', '和平路 3 号', 'urban', '{t0}'); \
         INSERT INTO members (id, household_id, person_id, relation, employment, joined_on) \
         VALUES (1, 1, 1, 'head', 'retired', '2012-12-01'), \
         (2, 2, 2, 'head', 'retired', '2012-12-01'), \
         (3, 2, 3, 'child', 'preschool', '2013-03-01'), \
         (4, 3, 4, 'head', 'retired', '2013-01-02'); \
         INSERT INTO cases (id, household_id, program, benefit_start, created_at) VALUES \
         (1, 1, 'tekun_dispersed', '2013-01-01', '{t0}'), \
         (2, 2, 'tekun_dispersed', '2013-01-01', '{t0}'), \
         (3, 3, 'tekun_dispersed', NULL, '{t0}'); \
         INSERT INTO case_actions (case_id, seq, step, on_date, by_user, at, on_behalf) VALUES \
         (1, 1, 'approve', '2013-01-05', 'u', '{t0}', NULL), \
         (2, 1, 'approve', '2013-01-05', 'u', '{t0}', NULL), \
         (3, 1, 'apply', '2013-01-05', 'u', '{t0}', 0); \
         INSERT INTO case_changes (case_id, seq, kind, effective_from, recorded_on, by_user, at, \
         division_before, division_after, address_before, address_after, area_before, \
         area_after) VALUES (1, 1, 'move', '2013-02-01', '2013-01-25', 'u', '{t2}', \
         '990101001201', '990101001001', '东村 1 号', '和平路 1 号', 'rural', 'urban'); \
         INSERT INTO payroll_runs (id, month, program, state, cutoff, jump_pct, prepared_by, \
         prepared_at, approved_by, approved_at) VALUES (1, '2013-01', 'tekun_dispersed', \
         'approved', '{t1}', 30, 'a', '{t1}', 'b', '{t3}'); \
         INSERT INTO payroll_lines (run_id, case_id, household_id, division_code, \
         benefit_month, kind, amount_fen, members) VALUES \
         (1, 1, 1, '990101001201', '2013-01', 'regular', 70000, 1), \
         (1, 2, 2, '990101001201', '2013-01', 'regular', 70000, 1); \
         INSERT INTO payroll_ledger (id, program, household_id, case_id, division_code, \
         benefit_month, kind, paid_in, amount_fen, run_id, recorded_by, recorded_at) VALUES \
         (1, 'tekun_dispersed', 1, 1, '990101001201', '2013-01', 'regular', '2013-01', 70000, 1, \
         'b', '{t3}'), \
         (2, 'tekun_dispersed', 2, 2, '990101001201', '2013-01', 'regular', '2013-01', 70000, 1, \
         'b', '{t3}'); \
         INSERT INTO payroll_ledger (id, program, household_id, case_id, division_code, \
         benefit_month, kind, paid_in, amount_fen, run_id, reverses, reason, recorded_by, \
         recorded_at) VALUES \
         (3, 'tekun_dispersed', 1, 1, '990101001201', '2013-01', 'reversal', '2013-02', -70000, \
         NULL, 1, '更正', 'b', '{t4}'), \
         (4, 'tekun_dispersed', 1, 1, '990101001201', '2013-01', 'one_off', '2013-02', 75000, \
         NULL, NULL, '更正', 'b', '{t4}');"
    )))
    .await
    .unwrap();
    pool.close().await;

    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    assert!(store.applied_migrations().await.unwrap().contains(&21));
    let (update, delete) = store.try_tamper_ledger(1).await;
    assert!(update.is_err() && delete.is_err(), "append-only again");

    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .unwrap();
    let areas: Vec<(String,)> = sqlx::query_as("SELECT area FROM payroll_ledger ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    // Each as its line was computed: the run's entries from their lines, the correction
    // from the entry it corrects, though the household was urban when both were recorded.
    assert_eq!(areas, vec![("rural".to_owned(),); 4]);
    let line_areas: Vec<(String,)> = sqlx::query_as("SELECT area FROM payroll_lines ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(line_areas, vec![("rural".to_owned(),); 2]);
    let totals: Vec<(String, String, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT paid_in, division_code, area, entries, amount_fen, positive FROM ledger_totals \
         ORDER BY paid_in",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let village = || "990101001201".to_owned();
    assert_eq!(
        totals,
        [
            (
                "2013-01".to_owned(),
                village(),
                "rural".to_owned(),
                2,
                140_000,
                2
            ),
            (
                "2013-02".to_owned(),
                village(),
                "rural".to_owned(),
                2,
                5_000,
                1
            ),
        ]
    );
    let kept: Vec<(i64, String, i64, i64, String)> = sqlx::query_as(
        "SELECT case_id, area, persons, simple, decided_at FROM report_caseload ORDER BY case_id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        kept,
        [
            (1, "urban".to_owned(), 1, 1, t0.to_owned()),
            (2, "rural".to_owned(), 2, 0, t0.to_owned()),
        ]
    );
    pool.close().await;

    // The figures: January's money and its correction stay rural after the move; on 31 March household 1
    // counts in the community (its change log), household 2 with both members.
    let cutoff = Utc.with_ymd_and_hms(2013, 4, 1, 0, 0, 0).unwrap();
    let scope = |area| ReportScope {
        programs: vec!["tekun_dispersed"],
        area,
        root: None,
        on: NaiveDate::from_ymd_opt(2013, 3, 31).unwrap(),
        from_month: "2013-01".into(),
        to_month: "2013-03".into(),
        cutoff,
    };
    for (area, fen) in [(Some("rural"), 145_000), (Some("urban"), 0)] {
        let groups = store
            .report_figure(Measure::Paid, &scope(area), Breakdown::Street)
            .await
            .unwrap();
        assert_eq!(
            groups.iter().map(|g| g.sum_fen).sum::<i64>(),
            fen,
            "{area:?}"
        );
    }
    let days = [
        NaiveDate::from_ymd_opt(2013, 1, 31).unwrap(),
        NaiveDate::from_ymd_opt(2013, 3, 31).unwrap(),
    ];
    let mut stocks = store
        .report_stocks(&["tekun_dispersed"], &days, None, cutoff)
        .await
        .unwrap()
        .into_iter()
        .map(|g| (g.day, g.area, g.households, g.persons))
        .collect::<Vec<_>>();
    stocks.sort();
    assert_eq!(
        stocks,
        [
            (0, "rural".to_owned(), 2, 2),
            (1, "rural".to_owned(), 1, 2),
            (1, "urban".to_owned(), 1, 1),
        ]
    );
    store.close().await;
}
