//! The legacy roster import through `service`, on SQLite and PostgreSQL alike: good files in
//! CSV (UTF-8 and GBK) and XLSX, each validation rule with its file, row and column,
//! all-or-nothing, valid-only, idempotent re-import, and a 10 000-household roster.

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a panic in a test is a failure with a line number"
)]

use domain::ResidentId;
use domain::assistance::workflow::Status;
use service::Actor;
use service::assistance::import::{
    FileKind, ImportMode, ImportReport, RosterFile, RosterFiles, RowError,
};
use testkit::{TestDb, demo, for_each_engine};

const C1: &str = "990101001001";
const C2: &str = "990101001002";
const VILLAGE: &str = "990101101201";

fn id(day: u32, seq: u16) -> String {
    let birth = chrono::NaiveDate::from_ymd_opt(1950, 1, 1).unwrap()
        + chrono::Duration::days(i64::from(day));
    ResidentId::synthetic("990101", birth, seq)
        .unwrap()
        .as_str()
        .to_owned()
}

fn birth(day: u32) -> String {
    (chrono::NaiveDate::from_ymd_opt(1950, 1, 1).unwrap() + chrono::Duration::days(i64::from(day)))
        .to_string()
}

/// A person row: `seq` odd is male.
fn person(pid: &str, hid: &str, day: u32, seq: u16, relation: &str) -> String {
    let sex = if seq % 2 == 1 { "M" } else { "F" };
    format!(
        "{pid},{hid},{},{},{sex},{relation},0,0\n",
        id(day, seq),
        birth(day)
    )
}

const H_HEAD: &str = "household_id,community_code,program,area,enrolled_on,exited_on,income_fen\n";
const P_HEAD: &str =
    "person_id,household_id,id_number,birth_date,sex,relation,disability_grade,severe_illness\n";

fn good_households() -> String {
    format!(
        "{H_HEAD}H1,{C1},dibao,urban,2012-03-01,,12000\n\
         H2,{C2},tekun_dispersed,urban,2012-05-01,,\n\
         H3,{VILLAGE},dibao,rural,2010-01-01,2012-12-31,5000\n"
    )
}

fn good_persons() -> String {
    let mut p = String::from(P_HEAD);
    p += &person("P1", "H1", 10, 1, "head");
    p += &person("P2", "H1", 20, 2, "spouse");
    p += &person("P3", "H1", 9000, 3, "child");
    p += &person("P4", "H2", 30, 5, "head");
    p += &person("P5", "H3", 40, 7, "head");
    p
}

fn files(h: &str, p: &str, s: Option<&str>) -> RosterFiles {
    RosterFiles {
        households: RosterFile {
            name: "households.csv".into(),
            bytes: h.as_bytes().to_vec(),
        },
        persons: RosterFile {
            name: "persons.csv".into(),
            bytes: p.as_bytes().to_vec(),
        },
        standards: s.map(|s| RosterFile {
            name: "standards.csv".into(),
            bytes: s.as_bytes().to_vec(),
        }),
    }
}

async fn district(db: &TestDb) {
    db.service
        .import_divisions(&Actor::system(), demo::divisions_csv().as_bytes())
        .await
        .unwrap();
}

async fn import(db: &TestDb, f: &RosterFiles, mode: ImportMode) -> ImportReport {
    db.service
        .import_roster(&Actor::system(), f, mode)
        .await
        .unwrap()
}

fn has(errors: &[RowError], file: FileKind, row: usize, column: &str, code: &str) -> bool {
    errors
        .iter()
        .any(|e| e.file == file && e.row == row && e.column == column && e.code == code)
}

#[tokio::test]
async fn good_csv_imports_as_approved_cases_and_reimport_changes_nothing() {
    for_each_engine(async |db: &TestDb| {
        district(db).await;
        let standards = "program,area,effective_from,amount_fen\ndibao,urban,2013-01-01,38500\ndibao,urban,2014-01-01,40000\n";
        let f = files(&good_households(), &good_persons(), Some(standards));
        let report = import(db, &f, ImportMode::AllOrNothing).await;
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert_eq!((report.households, report.persons, report.standards), (3, 5, 2));
        assert_eq!(report.unchanged, 0);
        // The case page works on an imported case: approved, benefit from the enrolment.
        let case = db.service.case(&Actor::system(), 1).await.unwrap();
        assert!(matches!(case.status, Status::Approved { .. }), "{:?}", case.status);
        assert_eq!(case.actions.len(), 1);
        assert!(case.active);
        let closed = db.service.case(&Actor::system(), 3).await.unwrap();
        assert!(!closed.active, "exited before today: closed");
        let (audit, _) = db
            .store()
            .audit_entries(&store::AuditFilter { action_prefix: Some("assistance.import".into()), ..Default::default() }, 0, 10)
            .await
            .unwrap();
        assert_eq!(audit.len(), 1);
        assert!(audit[0].entry.detail.contains("households=3 persons=5"));
        // The caseload rows the import keeps are the ones the cases' rows give, closed
        // case included.
        assert_eq!(db.store().report_caseload_drift().await.unwrap(), 0);

        let before = db.store().table_summaries().await.unwrap();
        let again = import(db, &f, ImportMode::AllOrNothing).await;
        assert!(again.errors.is_empty(), "{:?}", again.errors);
        assert!(!again.written);
        assert_eq!(again.unchanged, 3 + 2);
        assert_eq!(db.store().table_summaries().await.unwrap(), before);
    })
    .await;
}

#[tokio::test]
async fn gbk_csv_with_chinese_headers_and_xlsx_import() {
    for_each_engine(async |db: &TestDb| {
        district(db).await;
        let h = format!(
            "户编号,社区代码,救助类别,城乡类型,纳入日期,退出日期,月人均收入(元)\nG1,{C1},低保,城市,2012-03-01,,120.50\n"
        );
        let p = format!(
            "人员编号,户编号,公民身份号码,出生日期,性别,与户主关系,残疾等级,重病,姓名\nQ1,G1,{},{},男,户主,1,1,张三\n",
            id(100, 11),
            birth(100)
        );
        let (gh, _, _) = encoding_rs::GBK.encode(&h);
        let (gp, _, _) = encoding_rs::GBK.encode(&p);
        let f = RosterFiles {
            households: RosterFile { name: "h.csv".into(), bytes: gh.into_owned() },
            persons: RosterFile { name: "p.csv".into(), bytes: gp.into_owned() },
            standards: None,
        };
        let report = import(db, &f, ImportMode::AllOrNothing).await;
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert_eq!((report.households, report.persons), (1, 1));
        let case = db.service.case(&Actor::system(), 1).await.unwrap();
        assert_eq!(case.members[0].name, "张三");

        // XLSX, English headers, written by rust_xlsxwriter.
        let xlsx = |rows: &[Vec<&str>]| {
            let mut book = rust_xlsxwriter::Workbook::new();
            let sheet = book.add_worksheet();
            for (r, row) in rows.iter().enumerate() {
                for (c, v) in row.iter().enumerate() {
                    sheet.write_string(u32::try_from(r).unwrap(), u16::try_from(c).unwrap(), *v).unwrap();
                }
            }
            book.save_to_buffer().unwrap()
        };
        let idn = id(200, 13);
        let b = birth(200);
        let hx = xlsx(&[
            H_HEAD.trim().split(',').collect(),
            vec!["X1", C2, "tekun_centralized", "urban", "2011-01-01", "", ""],
        ]);
        let px = xlsx(&[
            P_HEAD.trim().split(',').collect(),
            vec!["Y1", "X1", &idn, &b, "M", "head", "0", "0"],
        ]);
        let f = RosterFiles {
            households: RosterFile { name: "h.xlsx".into(), bytes: hx },
            persons: RosterFile { name: "p.xlsx".into(), bytes: px },
            standards: None,
        };
        let report = import(db, &f, ImportMode::AllOrNothing).await;
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert_eq!((report.households, report.persons), (1, 1));
    })
    .await;
}

#[tokio::test]
async fn every_rule_names_file_row_and_column_and_nothing_is_written() {
    for_each_engine(async |db: &TestDb| {
        district(db).await;
        let h = format!(
            "{H_HEAD}A1,{C1},dibao,urban,2012-01-01,,100\n\
             A2,990101999999,dibao,urban,2012-01-01,,100\n\
             A3,990101001000,dibao,urban,2012-01-01,,100\n\
             A4,{C1},wubao,city,2012-13-01,,\n\
             A5,{C1},dibao,urban,2012-05-01,2012-04-01,-3\n\
             A1,{C1},dibao,urban,2012-01-01,,100\n\
             A6,{C1},tekun_dispersed,urban,2012-01-01,,\n\
             A7,{C1},tekun_dispersed,urban,2012-01-01,,\n"
        );
        let mut bad_check = id(1, 1);
        bad_check.replace_range(17.., if bad_check.ends_with('0') { "1" } else { "0" });
        let mut p = String::from(P_HEAD);
        p += &person("B1", "A1", 1, 1, "head"); // row 2
        p += &format!("B2,A1,{bad_check},{},M,spouse,0,0\n", birth(1)); // 3 check digit
        p += &format!("B3,A1,{},{},M,child,0,0\n", id(2, 3), birth(3)); // 4 birth
        p += &format!("B4,A1,{},{},F,child,0,0\n", id(4, 5), birth(4)); // 5 sex
        p += &format!("B5,A1,{},{},M,cousin,7,2\n", id(6, 7), birth(6)); // 6 enums
        p += &person("B1", "A1", 8, 9, "child"); // 7 duplicate person_id
        p += &person("B6", "ZZ", 10, 11, "head"); // 8 unknown household
        p += &person("B7", "A6", 12, 13, "head"); // 9
        p += &person("B8", "A6", 14, 15, "head"); // 10 second head
        p += &person("B9", "A7", 12, 13, "head"); // 11 same person current twice
        let report = import(db, &files(&h, &p, None), ImportMode::AllOrNothing).await;
        let e = &report.errors;
        use FileKind::{Households as H, Persons as P};
        assert!(
            has(e, H, 3, "community_code", "import.community_unknown"),
            "{e:#?}"
        );
        assert!(
            has(e, H, 4, "community_code", "import.not_a_community"),
            "{e:#?}"
        );
        assert!(has(e, H, 5, "program", "import.program_unknown"), "{e:#?}");
        assert!(has(e, H, 5, "area", "import.area_unknown"), "{e:#?}");
        assert!(has(e, H, 5, "enrolled_on", "import.date_invalid"), "{e:#?}");
        assert!(
            has(e, H, 6, "exited_on", "import.exit_before_enrol"),
            "{e:#?}"
        );
        assert!(
            has(e, H, 6, "income_fen", "import.amount_invalid"),
            "{e:#?}"
        );
        assert!(
            has(e, H, 7, "household_id", "import.duplicate_in_file"),
            "{e:#?}"
        );
        assert!(
            has(e, P, 3, "id_number", "resident_id.checksum")
                || e.iter()
                    .any(|x| x.row == 3 && x.file == P && x.column == "id_number"),
            "{e:#?}"
        );
        assert!(
            has(e, P, 4, "birth_date", "import.birth_mismatch"),
            "{e:#?}"
        );
        assert!(has(e, P, 5, "sex", "import.sex_mismatch"), "{e:#?}");
        assert!(
            has(e, P, 6, "relation", "import.relation_unknown"),
            "{e:#?}"
        );
        assert!(
            has(e, P, 6, "disability_grade", "import.grade_invalid"),
            "{e:#?}"
        );
        assert!(
            has(e, P, 6, "severe_illness", "import.flag_invalid"),
            "{e:#?}"
        );
        assert!(
            has(e, P, 7, "person_id", "import.duplicate_in_file"),
            "{e:#?}"
        );
        assert!(
            has(e, P, 8, "household_id", "import.household_unknown"),
            "{e:#?}"
        );
        assert!(has(e, P, 10, "relation", "import.head_twice"), "{e:#?}");
        assert!(
            has(e, P, 11, "id_number", "import.person_in_two_households"),
            "{e:#?}"
        );
        assert!(!report.written);
        assert_eq!(
            db.service
                .store()
                .roster_snapshot()
                .await
                .unwrap()
                .households
                .len(),
            0
        );

        // Outside the jurisdiction, for a street-level assistance account.
        let missing_head = format!("{H_HEAD}M1,{C1},dibao,urban,2012-01-01,,100\n");
        let r = import(
            db,
            &files(&missing_head, P_HEAD, None),
            ImportMode::AllOrNothing,
        )
        .await;
        assert!(
            has(&r.errors, H, 2, "household_id", "import.head_missing"),
            "{:?}",
            r.errors
        );
        let mut street = Actor::system();
        street.user_id = Some(99);
        street.role = Some(domain::Role::AssistanceStaff);
        street.jurisdiction = Some("990101002000".parse().unwrap());
        let r = db
            .service
            .import_roster(
                &street,
                &files(&good_households(), &good_persons(), None),
                ImportMode::AllOrNothing,
            )
            .await
            .unwrap();
        assert!(
            has(
                &r.errors,
                H,
                2,
                "community_code",
                "import.outside_jurisdiction"
            ),
            "{:?}",
            r.errors
        );
    })
    .await;
}

#[tokio::test]
async fn valid_only_skips_households_with_any_bad_row_and_db_duplicates_are_caught() {
    for_each_engine(async |db: &TestDb| {
        district(db).await;
        let mut p = good_persons();
        p += &format!("P9,H2,{},{},F,child,9,0\n", id(50, 22), birth(50)); // bad grade in H2
        let report = import(
            db,
            &files(&good_households(), &p, None),
            ImportMode::ValidOnly,
        )
        .await;
        assert!(report.written);
        assert_eq!(
            (report.households, report.persons, report.skipped),
            (2, 4, 1)
        );
        assert_eq!(report.errors.len(), 1);
        // A person already current in a stored household cannot join another one.
        let h = format!("{H_HEAD}N1,{C1},dibao,urban,2012-01-01,,100\n");
        let p = format!("{P_HEAD}{}", person("N1P", "N1", 10, 1, "head"));
        let r = import(db, &files(&h, &p, None), ImportMode::AllOrNothing).await;
        assert!(
            has(
                &r.errors,
                FileKind::Persons,
                2,
                "id_number",
                "import.person_in_other_household"
            ),
            "{:?}",
            r.errors
        );
    })
    .await;
}

/// 10 000 households (27 000 persons) on each engine; the 100 000 and 1 000 000 figures are
/// in docs/benchmarks.md (`minzheng bench import-assistance`).
#[tokio::test]
async fn ten_thousand_households_import_on_each_engine() {
    for_each_engine(async |db: &TestDb| {
        district(db).await;
        let communities = [C1, C2, "990101001003", VILLAGE];
        let mut h = String::from(H_HEAD);
        let mut p = String::from(P_HEAD);
        let mut k: u32 = 0;
        for i in 0..10_000u32 {
            let c = communities[(i % 4) as usize];
            let area = if c == VILLAGE { "rural" } else { "urban" };
            h += &format!("H{i},{c},dibao,{area},2012-01-01,,{}\n", i % 30_000);
            for m in 0..[3, 2, 4, 1, 3, 3, 2, 4, 3, 2][(i % 10) as usize] {
                let day = k % 20_000;
                let seq = u16::try_from(k / 20_000).unwrap();
                p += &person(
                    &format!("P{k}"),
                    &format!("H{i}"),
                    day,
                    seq,
                    if m == 0 { "head" } else { "child" },
                );
                k += 1;
            }
        }
        let started = std::time::Instant::now();
        let report = import(db, &files(&h, &p, None), ImportMode::AllOrNothing).await;
        assert!(
            report.errors.is_empty(),
            "{:?}",
            &report.errors[..report.errors.len().min(3)]
        );
        assert_eq!((report.households, report.persons), (10_000, 27_000));
        println!(
            "{:?}: 10 000 households in {:?}",
            db.backend(),
            started.elapsed()
        );
    })
    .await;
}
