//! What the assistance test files share: the demo district, the actors, a household's
//! application and the steps that take it to the notice.

#![allow(
    dead_code,
    unused_imports,
    clippy::unwrap_used,
    reason = "each test file uses a different part; a panic in a test is a failure with a line number"
)]

use chrono::{NaiveDate, TimeZone, Utc};
use domain::assistance::Program;
use domain::assistance::workflow::{Status, Step, StepKind};
use domain::{Area, Fen, Month, ResidentId};
use service::assistance::{ApplicationInput, AssistanceSettings, MemberInput, StepInput};
use service::{Actor, Error};
use store::{AuditEntry, AuditFilter, NewUser};
use testkit::{TestDb, demo, for_each_engine};

pub const HEPING: &str = "990101001001";
pub const XINGFU: &str = "990101001002";

pub fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub fn id(birth: &str, seq: u16) -> String {
    ResidentId::synthetic("990101", d(birth), seq)
        .unwrap()
        .as_str()
        .to_owned()
}

/// Sets the clock to 09:00 Beijing time on `day`.
pub fn on(db: &TestDb, day: &str) {
    let date = d(day);
    db.clock
        .set(Utc.from_utc_datetime(&date.and_hms_opt(1, 0, 0).unwrap()));
}

pub async fn actor(db: &TestDb, username: &str) -> Actor {
    Actor::user(
        &db.store().user_by_username(username).await.unwrap(),
        "10.0.0.9",
    )
}

/// An account stored directly (no Argon2).
pub async fn quick(db: &TestDb, username: &str, role: &str, jurisdiction: &str) -> Actor {
    let user = NewUser {
        username: username.into(),
        display_name: format!("{username} 同志"),
        password_hash: "x".into(),
        role: role.into(),
        jurisdiction: jurisdiction.parse().unwrap(),
        phone: None,
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
    db.store().insert_user(&user, &audit).await.unwrap();
    actor(db, username).await
}

pub fn member(name: &str, id_number: &str, relation: &str) -> MemberInput {
    MemberInput {
        name: name.into(),
        id_number: id_number.into(),
        relation: relation.into(),
        disability_grade: 0,
        severe_illness: false,
        employment: "unemployed".into(),
        self_care: None,
    }
}

/// The Zhang household: head aged 63, spouse, a son with a grade-2 disability.
pub fn zhang() -> Vec<MemberInput> {
    vec![
        member("张小明", &id("1950-03-01", 11), "head"),
        member("李秀英", &id("1955-06-01", 22), "spouse"),
        MemberInput {
            disability_grade: 2,
            employment: "unable".into(),
            ..member("张强", &id("1990-09-09", 13), "child")
        },
    ]
}

pub fn application(community: &str, members: Vec<MemberInput>) -> ApplicationInput {
    ApplicationInput {
        community: community.into(),
        address: "和平路 1 号 3 单元 201".into(),
        program: "dibao".into(),
        area: None,
        members,
        on_behalf: true,
        applied_on: d("2013-07-01"),
        note: "社区代为申请".into(),
    }
}

pub fn step(step: Step, day: &str) -> StepInput {
    StepInput {
        step,
        on: d(day),
        note: String::new(),
    }
}

pub fn refused(
    result: Result<impl std::fmt::Debug, Error>,
) -> Vec<(Option<usize>, &'static str, &'static str, String)> {
    match result {
        Err(Error::Invalid(errors)) => errors
            .into_iter()
            .map(|e| (e.row, e.field, e.code, e.detail))
            .collect(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

pub async fn audit_of(db: &TestDb, prefix: &str) -> Vec<AuditEntry> {
    let filter = AuditFilter {
        action_prefix: Some(prefix.into()),
        ..AuditFilter::default()
    };
    let (records, _) = db.store().audit_entries(&filter, 0, 200).await.unwrap();
    records.into_iter().rev().map(|r| r.entry).collect()
}

/// Takes the Zhang application in 和平社区 and brings it through the notice (posted
/// 2013-07-04 to 07-10); returns the case id and its version.
pub async fn through_notice(db: &TestDb) -> (i64, i64) {
    let s = &db.service;
    let heping = actor(db, "heping").await;
    let dongcheng = actor(db, "dongcheng").await;
    on(db, "2013-07-01");
    let case = s
        .register_application(&heping, application(HEPING, zhang()))
        .await
        .unwrap();
    on(db, "2013-07-02");
    let mut v = s
        .record_step(
            &dongcheng,
            case,
            1,
            step(
                Step::CheckMeans {
                    income_per_capita: Fen::from_fen(20_000),
                },
                "2013-07-02",
            ),
        )
        .await
        .unwrap();
    on(db, "2013-07-03");
    v = s
        .record_step(
            &dongcheng,
            case,
            v,
            StepInput {
                note: "入户核实:三口人,住房 40 平方米".into(),
                ..step(Step::VisitHome, "2013-07-03")
            },
        )
        .await
        .unwrap();
    on(db, "2013-07-04");
    v = s
        .record_step(
            &dongcheng,
            case,
            v,
            step(
                Step::PostNotice {
                    from: d("2013-07-04"),
                },
                "2013-07-04",
            ),
        )
        .await
        .unwrap();
    (case, v)
}

pub async fn demo_db(db: &TestDb) {
    demo::build(&db.service).await.unwrap();
}

/// An entitlement for `id_number` in `category` in 和平社区: a grade and cause for a
/// disabled soldier (11), years of service for the elderly allowance (81).
pub fn in_category(id_number: &str, category: &str) -> service::veterans::EntitlementInput {
    service::veterans::EntitlementInput {
        id_number: id_number.into(),
        name: "王建国".into(),
        category: category.into(),
        grade: if category == "11" { "6" } else { "" }.into(),
        cause: if category == "11" { "duty" } else { "" }.into(),
        service_years: if category == "81" { "3" } else { "" }.into(),
        certified_on: "2012-11-20".into(),
        document_number: "示优字 0012 号".into(),
        certifying_office: "示范区民政局".into(),
        community: HEPING.into(),
        address: "和平路 9 号".into(),
        area: String::new(),
    }
}

/// The demo district on 2013-07-01 (a Monday: the week runs to 2013-07-07) and its
/// veterans section (`youfu`).
pub async fn veterans_section(db: &TestDb) -> Actor {
    demo_db(db).await;
    on(db, "2013-07-01");
    actor(db, "youfu").await
}

/// Every record behind indicator `code` of report `id`, page after page of `per_page`
/// (each after the previous one's last key), and the figure the pages show: what the
/// tests hold against the report's figure, since a page shows the stored one.
pub async fn all_records(
    db: &TestDb,
    actor: &Actor,
    id: i64,
    code: &str,
    per_page: i64,
) -> (Vec<store::ReportRecord>, i64) {
    let (mut rows, mut after) = (Vec::new(), String::new());
    loop {
        let page = db
            .service
            .report_records(actor, id, code, per_page, &after)
            .await
            .unwrap();
        assert!(page.records.len() as i64 <= per_page, "{code}");
        rows.extend(page.records);
        match page.next {
            Some(next) => {
                assert_ne!(
                    next, after,
                    "{code}: the next page starts where this one did"
                );
                after = next;
            }
            None => return (rows, page.value),
        }
    }
}
