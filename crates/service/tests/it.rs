//! Use-case tests through `service`, on SQLite and PostgreSQL alike.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a line number"
)]

use chrono::NaiveDate;
use domain::{Area, WorkingCalendar};
use service::users::{AccountInput, verify_password};
use service::{Actor, Error, FieldError};
use testkit::{demo, for_each_engine};

/// The fields and rows of an `Invalid` error, for compact assertions.
fn refused(
    result: Result<impl std::fmt::Debug, Error>,
) -> Vec<(Option<usize>, &'static str, &'static str)> {
    match result {
        Err(Error::Invalid(errors)) => errors
            .iter()
            .map(|e: &FieldError| (e.row, e.field, e.code))
            .collect(),
        other => panic!("expected the input to be refused, got {other:?}"),
    }
}

const TREE: &str = "code,name,area\n\
    990101000000,示范区,urban\n\
    990101001000,东城街道,\n\
    990101001001,和平社区,\n\
    990101101000,青山镇,\n\
    990101101201,光明村,\n";

#[tokio::test]
async fn a_division_file_is_imported_whole_with_default_areas() {
    for_each_engine(async |db| {
        let summary = db
            .service
            .import_divisions(&Actor::system(), TREE.as_bytes())
            .await
            .unwrap();
        assert_eq!((summary.rows, summary.created, summary.updated), (5, 5, 0));
        let village = db
            .service
            .division_path(&Actor::system(), &"990101101201".parse().unwrap())
            .await
            .unwrap();
        assert_eq!(
            village.division.area,
            Area::Rural,
            "villages default to rural"
        );
        let names: Vec<_> = village.ancestors.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["示范区", "青山镇"]);
        let street = db
            .service
            .division_path(&Actor::system(), &"990101001000".parse().unwrap())
            .await
            .unwrap();
        assert_eq!(street.division.area, Area::Urban);
        assert_eq!(street.children.len(), 1);

        // Importing again renames and counts updates; it never duplicates.
        let renamed = TREE.replace("和平社区", "和平里社区");
        let again = db
            .service
            .import_divisions(&Actor::system(), renamed.as_bytes())
            .await
            .unwrap();
        assert_eq!((again.created, again.updated), (0, 5));
        assert_eq!(db.store().division_total().await.unwrap(), 5);
    })
    .await;
}

#[tokio::test]
async fn chinese_headers_and_gbk_files_from_excel_are_read() {
    for_each_engine(async |db| {
        let text =
            "区划代码,名称,城乡类型\r\n990101000000,示范区,城市\r\n990101101000,青山镇,农村\r\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        assert!(
            std::str::from_utf8(&gbk).is_err(),
            "the fixture really is GBK"
        );
        db.service
            .import_divisions(&Actor::system(), &gbk)
            .await
            .unwrap();
        let town = db
            .store()
            .division(&"990101101000".parse().unwrap())
            .await
            .unwrap();
        assert_eq!((town.name.as_str(), town.area), ("青山镇", Area::Rural));
    })
    .await;
}

#[tokio::test]
async fn a_bad_file_names_every_wrong_row_and_writes_nothing() {
    for_each_engine(async |db| {
        let file = "code,name,area\n\
            990101000000,示范区,urban\n\
            99010100100,短代码,\n\
            990101001000,,\n\
            990101002000,西城街道,郊区\n\
            990101000000,示范区重复,\n";
        let errors = refused(
            db.service
                .import_divisions(&Actor::system(), file.as_bytes())
                .await,
        );
        assert_eq!(
            errors,
            [
                (Some(3), "code", "division.wrong_length"),
                (Some(4), "name", "division.name_empty"),
                (Some(5), "area", "division.area_unknown"),
                (Some(6), "code", "division.duplicate"),
            ]
        );
        assert_eq!(db.store().division_total().await.unwrap(), 0);
    })
    .await;
}

#[tokio::test]
async fn a_division_without_its_parent_is_refused_with_its_row() {
    for_each_engine(async |db| {
        let file = "code,name\n990101000000,示范区\n990101003001,南湖社区\n";
        assert_eq!(
            refused(
                db.service
                    .import_divisions(&Actor::system(), file.as_bytes())
                    .await
            ),
            [(Some(3), "code", "division.parent_missing")]
        );
        assert_eq!(db.store().division_total().await.unwrap(), 0);
        // Once the parent is stored, a later file may add only the child.
        db.service
            .import_divisions(
                &Actor::system(),
                b"code,name\n990101000000,\xe7\xa4\xba\xe8\x8c\x83\xe5\x8c\xba\n990101003000,x\n",
            )
            .await
            .unwrap();
        db.service
            .import_divisions(
                &Actor::system(),
                "code,name\n990101003001,南湖社区\n".as_bytes(),
            )
            .await
            .unwrap();
        assert_eq!(db.store().division_total().await.unwrap(), 3);
    })
    .await;
}

#[tokio::test]
async fn files_that_are_not_division_lists_are_refused_plainly() {
    for_each_engine(async |db| {
        assert_eq!(
            refused(
                db.service
                    .import_divisions(&Actor::system(), b"a,b\n1,2\n")
                    .await
            ),
            [(Some(1), "header", "import.header")]
        );
        assert_eq!(
            refused(
                db.service
                    .import_divisions(&Actor::system(), &[0xff, 0xfe, 0x00, 0x81])
                    .await
            ),
            [(None, "file", "import.encoding")]
        );
        assert_eq!(
            refused(db.service.import_divisions(&Actor::system(), b"").await),
            [(Some(1), "header", "import.header")]
        );
    })
    .await;
}

fn account(username: &str, role: &str, jurisdiction: &str, password: &str) -> AccountInput {
    AccountInput {
        username: username.into(),
        display_name: "张干事".into(),
        role: role.into(),
        jurisdiction: jurisdiction.into(),
        password: password.into(),
        phone: None,
        must_change_password: true,
    }
}

#[tokio::test]
async fn accounts_get_an_argon2id_hash_and_a_checked_jurisdiction() {
    for_each_engine(async |db| {
        demo::build(&db.service).await.unwrap();
        db.service
            .add_account(
                &Actor::system(),
                account(
                    "nanhu",
                    "street_officer",
                    "990101003000",
                    "a long passphrase",
                ),
            )
            .await
            .unwrap();
        let stored = db.store().user_by_username("nanhu").await.unwrap();
        assert!(
            stored.password_hash.starts_with("$argon2id$"),
            "{}",
            stored.password_hash
        );
        assert!(verify_password("a long passphrase", &stored.password_hash));
        assert!(!verify_password("a long passphrasE", &stored.password_hash));
        assert!(stored.must_change_password);

        let taken = db
            .service
            .add_account(
                &Actor::system(),
                account("nanhu", "leader", "990101000000", "another passphrase"),
            )
            .await;
        assert!(
            matches!(
                taken,
                Err(Error::Conflict {
                    code: "account.username_taken",
                    ..
                })
            ),
            "{taken:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_bad_account_is_refused_field_by_field() {
    for_each_engine(async |db| {
        demo::build(&db.service).await.unwrap();
        let before = db.service.accounts(&Actor::system()).await.unwrap().len();
        let errors = refused(
            db.service
                .add_account(&Actor::system(), account("X y", "boss", "12", "short"))
                .await,
        );
        assert_eq!(
            errors,
            [
                (None, "username", "account.username_format"),
                (None, "password", "account.password_short"),
                (None, "role", "role.unknown"),
                (None, "jurisdiction", "division.wrong_length"),
            ]
        );
        // A street officer must be rooted at a street or town, not at a community.
        let errors = refused(
            db.service
                .add_account(
                    &Actor::system(),
                    account(
                        "heping2",
                        "street_officer",
                        "990101001001",
                        "long enough pw",
                    ),
                )
                .await,
        );
        assert_eq!(
            errors,
            [(None, "jurisdiction", "account.jurisdiction_level")]
        );
        let errors = refused(
            db.service
                .add_account(
                    &Actor::system(),
                    account("ghost", "leader", "990101099000", "long enough pw"),
                )
                .await,
        );
        assert_eq!(
            errors,
            [(None, "jurisdiction", "account.jurisdiction_unknown")]
        );
        let errors = refused(
            db.service
                .add_account(
                    &Actor::system(),
                    account("samename", "leader", "990101000000", "SameName"),
                )
                .await,
        );
        assert_eq!(errors, [(None, "password", "account.password_short")]);
        let errors = refused(
            db.service
                .add_account(
                    &Actor::system(),
                    account("samename10", "leader", "990101000000", "SAMENAME10"),
                )
                .await,
        );
        assert_eq!(errors, [(None, "password", "account.password_is_username")]);
        assert_eq!(
            db.service.accounts(&Actor::system()).await.unwrap().len(),
            before
        );
    })
    .await;
}

#[tokio::test]
async fn the_stored_calendar_is_the_published_one_and_extends_by_year() {
    for_each_engine(async |db| {
        let stored = db.service.working_calendar().await.unwrap();
        assert_eq!(stored, WorkingCalendar::seeded());
        // Spring Festival 2013: a week off, then a Saturday and Sunday worked in exchange.
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert!(!stored.is_working_day(d("2013-02-13")).unwrap());
        assert!(stored.is_working_day(d("2013-02-16")).unwrap());
        assert_eq!(
            stored.add_working_days(d("2013-02-08"), 1).unwrap(),
            d("2013-02-16")
        );
        assert!(
            stored.is_working_day(d("2027-01-04")).is_err(),
            "2027 is not published yet"
        );

        let y2027 = "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,holiday,春节\n";
        assert_eq!(
            db.service
                .import_calendar_year(&Actor::system(), 2027, y2027.as_bytes())
                .await
                .unwrap(),
            2
        );
        let extended = db.service.working_calendar().await.unwrap();
        assert!(!extended.is_working_day(d("2027-01-01")).unwrap());
        assert!(extended.is_working_day(d("2027-01-04")).unwrap());

        // A make-up working day must fall on a weekend; the year is left as it was.
        let bad = "date,kind,name\n2027-01-05,workday,元旦\n";
        assert_eq!(
            refused(
                db.service
                    .import_calendar_year(&Actor::system(), 2027, bad.as_bytes())
                    .await
            ),
            [(None, "file", "calendar.workday_on_weekday")]
        );
        assert_eq!(db.service.working_calendar().await.unwrap(), extended);
    })
    .await;
}

#[tokio::test]
async fn preparing_again_keeps_an_edited_calendar() {
    for_each_engine(async |db| {
        db.service
            .import_calendar_year(
                &Actor::system(),
                2027,
                "date,kind,name\n2027-01-01,holiday,元旦\n".as_bytes(),
            )
            .await
            .unwrap();
        db.service.prepare().await.unwrap();
        assert!(db.service.working_calendar().await.unwrap().covers(2027));
    })
    .await;
}

#[tokio::test]
async fn the_demo_district_has_about_ten_streets_and_towns() {
    for_each_engine(async |db| {
        demo::build(&db.service).await.unwrap();
        let county = db
            .service
            .division_path(&Actor::system(), &demo::COUNTY.parse().unwrap())
            .await
            .unwrap();
        assert_eq!(county.division.name, demo::COUNTY_NAME);
        assert_eq!(county.children.len(), 10);
        assert!(county.children.iter().all(|c| c.children >= 6));
        assert_eq!(
            db.service.accounts(&Actor::system()).await.unwrap().len(),
            demo::ACCOUNTS.len()
        );
        for a in demo::ACCOUNTS {
            let stored = db.store().user_by_username(a.username).await.unwrap();
            assert!(
                verify_password(a.password, &stored.password_hash),
                "{}",
                a.username
            );
        }
    })
    .await;
}
