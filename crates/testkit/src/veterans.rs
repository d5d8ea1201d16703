//! The demo district's veterans and condolence campaign (issue 7), built through the real
//! services as the veterans section (`youfu`) would enter them: dated standards raised from
//! 2013-01-01, a small register of entitlements, and the 2013 Spring Festival campaign.
//! Run after [`crate::demo::build`] (it needs the divisions and the `youfu` account).
//!
//! The figures it gives for the first half of 2013 over the whole district ([`FIGURES`]):
//! V1 = 6 standards raised from 2013-01-01 (two above their 2012 amounts, four new; the
//! conscripts' families' standard of 0 is not a raise), V3 = 3 rural veterans aged 60+ certified (a fourth is suspended from 2013-03-01), V4 = 3
//! veterans of wars or nuclear tests (one of them also a disabled soldier), A11 = 6.23万元
//! given in the campaign, of which V6 = 5.5万元 to troops and V7 = 0.28万元 to entitled
//! persons; 3 delegations with 15 participants; 100 letters, calendars and couplets each;
//! V5 = 5 soldiers of the winter 2012 batch received, 4 in secondary and 1 in higher
//! vocational training; V8 = 0.5万元 of hardship grants.
//!
//! It also pays them through the payroll as the section would: the regular 优抚金 runs of
//! January to June 2013 (prepared by `youfu`, approved by [`CHECKER`]) and the 2013 Spring
//! Festival holiday payment (优待金) over the households entitled on 2013-02-01, which gives
//! V2: 615 households, 462.465万元, coverage 100 %. Most of them are the families of
//! conscripts serving now (category 71, paid 7 630 yuan once a year at the Spring Festival,
//! so their monthly standard is 0), registered in bulk; the amounts per category are the
//! holiday's data ([`HOLIDAY_AMOUNTS`]).

use domain::ResidentId;
use service::campaigns::{CampaignInput, DelegationInput, VisitInput};
use service::users::AccountInput;
use service::veterans::hardship::HardshipInput;
use service::veterans::payroll::HolidayInput;
use service::veterans::reception::{BatchInput, ReceptionInput};
use service::veterans::{EntitlementInput, StandardInput, StatusInput};
use service::{Actor, Error, Service};

/// (indicator code, value over the whole district for 2013-01-01..2013-06-30): counts, or
/// fen for money.
pub const FIGURES: &[(&str, i64)] = &[
    ("veterans.standards_raised", 6),
    ("veterans.elderly_rural", 3),
    ("veterans.combat", 3),
    ("campaigns.given", 6_230_000),
    ("campaigns.troops", 5_500_000),
    ("campaigns.entitled", 280_000),
    ("veterans.received", 5),
    ("veterans.training_secondary", 4),
    ("veterans.training_higher", 1),
    ("veterans.hardship", 500_000),
    ("veterans.holiday_households", 615),
    ("veterans.holiday_paid", 462_465_000),
    ("veterans.holiday_coverage", 10_000),
];

/// The veterans section's second account, which approves the runs `youfu` prepares.
pub const CHECKER: crate::demo::DemoAccount = crate::demo::DemoAccount {
    username: "youfu2",
    password: "demo-youfu2-2013",
    display_name: "优抚科 孙复核",
    role: "veterans_staff",
    jurisdiction: COUNTY,
};

/// The Spring Festival holiday payment: its name (the ledger's reason), the day households
/// must be entitled on, and the month it is paid in.
pub const HOLIDAY: (&str, &str, &str) = ("2013年春节优待金", "2013-02-01", "2013-02");
/// Its amount per category, in yuan.
pub const HOLIDAY_AMOUNTS: &[(&str, &str)] = &[
    ("71", "7630"),
    ("11", "1000"),
    ("21", "1000"),
    ("41", "1450"),
    ("51", "800"),
    ("61", "800"),
    ("81", "500"),
];
/// The conscripts' families (category 71) and the demobilised soldiers (41) registered in
/// bulk: with the eight households above, 615 entitled on the holiday's day.
const CONSCRIPT_FAMILIES: usize = 605;
const DEMOBILISED: usize = 2;
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
];
const GIVEN: &[&str] = &[
    "建华", "秀英", "国强", "桂兰", "志明", "玉珍", "德胜", "淑芬", "春生", "凤英", "永福", "丽华",
];

pub mod liaison;

const COUNTY: &str = "990101000000";
/// A village of 青山镇 and a community of 东城街道.
const VILLAGE: &str = "990101101201";
const COMMUNITY: &str = "990101001001";

fn id_number(birth: &str, seq: u16) -> Result<String, Error> {
    let birth = birth
        .parse()
        .map_err(|_| Error::invalid(service::FieldError::new("birth", "demo.birth", birth)))?;
    ResidentId::synthetic("990101", birth, seq)
        .map(|id| id.as_str().to_owned())
        .map_err(|e| Error::invalid(service::FieldError::new("id_number", e.code(), "")))
}

/// Builds the veterans' part of the demo district (see the module notes for its figures).
pub async fn build_veterans(service: &Service) -> Result<(), Error> {
    let youfu = Actor::user(&service.store().user_by_username("youfu").await?, "demo");
    let standard =
        |category: &str, grade: &str, cause: &str, from: &str, amount: &str, per: &str| {
            StandardInput {
                category: category.into(),
                grade: grade.into(),
                cause: cause.into(),
                effective_from: from.into(),
                amount: amount.into(),
                per: per.into(),
                citation: "民政部 财政部 2012 年调整优抚对象抚恤补助标准".into(),
            }
        };
    for s in [
        standard("11", "4", "war", "2012-10-01", "24000", "year"),
        standard("11", "4", "war", "2013-01-01", "26400", "year"),
        standard("21", "", "", "2013-01-01", "1200", "month"),
        standard("51", "", "", "2012-10-01", "380", "month"),
        standard("51", "", "", "2013-01-01", "420", "month"),
        standard("61", "", "", "2013-01-01", "420", "month"),
        standard("81", "", "", "2013-01-01", "20", "month"),
        standard("41", "", "", "2013-01-01", "400", "month"),
        // Conscripts' families are paid once a year, by the holiday payment.
        standard("71", "", "", "2013-01-01", "0", "year"),
    ] {
        service.set_veteran_standard(&youfu, &s).await?;
    }

    let person =
        |name: &str, id: String, category: &str, years: &str, village: bool| EntitlementInput {
            id_number: id,
            name: name.into(),
            category: category.into(),
            grade: String::new(),
            cause: String::new(),
            service_years: years.into(),
            certified_on: "2012-11-20".into(),
            document_number: format!("示优字〔2012〕{category}号"),
            certifying_office: "示范区民政局".into(),
            community: if village { VILLAGE } else { COMMUNITY }.into(),
            address: if village {
                "青山镇一组 8 号"
            } else {
                "和平路 18 号"
            }
            .into(),
            area: String::new(),
        };
    let mut elderly = Vec::new();
    for (i, (name, birth, years)) in [
        ("陈守田", "1948-03-05", "3"),
        ("周长林", "1950-07-12", "5"),
        ("吴有福", "1952-01-30", "2"),
        ("郑满仓", "1949-09-09", "4"),
    ]
    .into_iter()
    .enumerate()
    {
        let seq = 501 + u16::try_from(i).unwrap_or(0);
        let e = service
            .register_entitlement(
                &youfu,
                &person(name, id_number(birth, seq)?, "81", years, true),
            )
            .await?;
        elderly.push(e);
    }
    if let Some(&last) = elderly.last() {
        service
            .change_entitlement_status(
                &youfu,
                last,
                &StatusInput {
                    status: "suspended".into(),
                    effective_on: "2013-03-01".into(),
                    reason: "外出务工，年度确认未到场".into(),
                    version: 1,
                },
            )
            .await?;
    }
    let combat_id = id_number("1946-05-20", 511)?;
    let combat = service
        .register_entitlement(
            &youfu,
            &person("钱卫国", combat_id.clone(), "51", "", false),
        )
        .await?;
    service
        .register_entitlement(
            &youfu,
            &EntitlementInput {
                grade: "4".into(),
                cause: "war".into(),
                ..person("钱卫国", combat_id, "11", "", false)
            },
        )
        .await?;
    let second = service
        .register_entitlement(
            &youfu,
            &person("孙建军", id_number("1947-11-02", 512)?, "51", "", false),
        )
        .await?;
    service
        .register_entitlement(
            &youfu,
            &person("李核平", id_number("1944-02-14", 513)?, "61", "", true),
        )
        .await?;
    let survivor = service
        .register_entitlement(
            &youfu,
            &person("冯秀兰", id_number("1940-08-08", 524)?, "21", "", false),
        )
        .await?;

    register_in_bulk(service, &youfu).await?;
    pay(service, &youfu).await?;

    let campaign = service
        .create_campaign(
            &youfu,
            &CampaignInput {
                name: "2013年春节走访慰问".into(),
                starts_on: "2013-01-15".into(),
                ends_on: "2013-02-15".into(),
            },
        )
        .await?;
    let mut delegations = Vec::new();
    for (name, leader, participants) in [
        ("区四套班子第一组", "区委书记", "6"),
        ("区四套班子第二组", "区长", "5"),
        ("民政局慰问组", "民政局局长", "4"),
    ] {
        delegations.push(
            service
                .add_delegation(
                    &youfu,
                    campaign,
                    &DelegationInput {
                        name: name.into(),
                        leader: leader.into(),
                        participants: participants.into(),
                    },
                )
                .await?,
        );
    }
    let visit = |delegation: i64, beneficiary: &str, money: &str, source: &str| VisitInput {
        delegation: delegation.to_string(),
        beneficiary: beneficiary.into(),
        household: String::new(),
        entitlement: String::new(),
        unit_name: String::new(),
        division: String::new(),
        money: money.into(),
        goods_value: String::new(),
        goods: String::new(),
        funding_source: source.into(),
        visited_on: "2013-01-18".into(),
    };
    let (first, second_delegation, bureau) = match delegations.as_slice() {
        [a, b, c] => (*a, *b, *c),
        _ => return Err(Error::NotFound),
    };
    let visits = [
        VisitInput {
            unit_name: "驻区某部一营".into(),
            division: COUNTY.into(),
            goods_value: "5000".into(),
            goods: "慰问品（米、油）".into(),
            ..visit(first, "troop_unit", "30000", "budget")
        },
        VisitInput {
            unit_name: "驻区武警中队".into(),
            division: COUNTY.into(),
            ..visit(second_delegation, "troop_unit", "20000", "donation")
        },
        VisitInput {
            entitlement: combat.to_string(),
            ..visit(bureau, "entitled_person", "800", "budget")
        },
        VisitInput {
            entitlement: second.to_string(),
            ..visit(bureau, "entitled_person", "800", "budget")
        },
        VisitInput {
            entitlement: survivor.to_string(),
            goods_value: "200".into(),
            goods: "棉被".into(),
            visited_on: "2013-01-25".into(),
            ..visit(bureau, "entitled_person", "1000", "budget")
        },
        VisitInput {
            unit_name: "青山镇敬老院".into(),
            division: "990101101000".into(),
            ..visit(bureau, "elderly_home", "4500", "donation")
        },
    ];
    for v in &visits {
        service.record_visit(&youfu, campaign, v).await?;
    }
    for item in ["letter", "calendar", "couplet"] {
        service
            .add_campaign_items(&youfu, campaign, item, "100")
            .await?;
    }

    let batch = service
        .create_reception_batch(
            &youfu,
            &BatchInput {
                name: "2012年冬季退役士兵".into(),
                discharged_on: "2012-12-20".into(),
                report_by: String::new(),
            },
        )
        .await?;
    for (i, (name, training, village)) in [
        ("赵新兵", "secondary", true),
        ("钱小勇", "secondary", false),
        ("孙立功", "secondary", true),
        ("李卫东", "secondary", false),
        ("周建业", "higher", false),
    ]
    .into_iter()
    .enumerate()
    {
        let seq = 601 + u16::try_from(i).unwrap_or(0);
        service
            .receive_soldier(
                &youfu,
                batch,
                &ReceptionInput {
                    id_number: id_number("1992-06-15", seq)?,
                    name: name.into(),
                    community: if village { VILLAGE } else { COMMUNITY }.into(),
                    placement: "self_employed".into(),
                    training: training.into(),
                    reported_on: format!("2013-01-{:02}", 8 + i),
                    late_reason: String::new(),
                },
            )
            .await?;
    }
    for (entitlement, kind, amount) in [(combat, "living", "3000"), (survivor, "medical", "2000")] {
        service
            .record_hardship_grant(
                &youfu,
                &HardshipInput {
                    entitlement: entitlement.to_string(),
                    kind: kind.into(),
                    amount: amount.into(),
                    reason: "年老体弱，生活困难，经审核给予补助".into(),
                    approved_on: "2013-03-10".into(),
                },
            )
            .await?;
    }
    Ok(())
}

/// The conscripts' families and demobilised soldiers of the holiday payment, spread over
/// the six streets' first six communities.
async fn register_in_bulk(service: &Service, youfu: &Actor) -> Result<(), Error> {
    let first_birth = chrono::NaiveDate::from_ymd_opt(1955, 3, 1).ok_or(Error::NotFound)?;
    for i in 0..CONSCRIPT_FAMILIES + DEMOBILISED {
        let (category, certified) = if i < CONSCRIPT_FAMILIES {
            ("71", "2012-12-10")
        } else {
            ("41", "2012-06-15")
        };
        let days = i64::try_from(i).unwrap_or(0) * 11;
        let birth = first_birth + chrono::Duration::days(days);
        let seq = 700 + u16::try_from(i % 100).unwrap_or(0);
        let id = ResidentId::synthetic("990101", birth, seq)
            .map(|id| id.as_str().to_owned())
            .map_err(|e| Error::invalid(service::FieldError::new("id_number", e.code(), "")))?;
        let community = format!("99010100{}00{}", i % 6 + 1, (i / 6) % 6 + 1);
        service
            .register_entitlement(
                youfu,
                &EntitlementInput {
                    id_number: id,
                    name: format!(
                        "{}{}",
                        SURNAMES[i % SURNAMES.len()],
                        GIVEN[(i / SURNAMES.len()) % GIVEN.len()]
                    ),
                    category: category.into(),
                    grade: String::new(),
                    cause: String::new(),
                    service_years: String::new(),
                    certified_on: certified.into(),
                    document_number: format!("示优字〔2012〕{category}-{i:03}号"),
                    certifying_office: "示范区人民武装部".into(),
                    community,
                    address: format!("{}号", i + 1),
                    area: String::new(),
                },
            )
            .await?;
    }
    Ok(())
}

/// The regular runs of January to June and the Spring Festival holiday run, each prepared
/// by `youfu` and approved by [`CHECKER`].
async fn pay(service: &Service, youfu: &Actor) -> Result<(), Error> {
    let operator = Actor::system();
    service
        .add_account(
            &operator,
            AccountInput {
                username: CHECKER.username.into(),
                display_name: CHECKER.display_name.into(),
                role: CHECKER.role.into(),
                jurisdiction: CHECKER.jurisdiction.into(),
                password: CHECKER.password.into(),
                phone: None,
                must_change_password: false,
            },
        )
        .await?;
    let checker = Actor::user(
        &service.store().user_by_username(CHECKER.username).await?,
        "demo",
    );
    for month in 1..=6 {
        for run in service
            .prepare_payroll(
                youfu,
                &format!("2013-{month:02}"),
                Some("veterans"),
                &mut |_| {},
            )
            .await?
        {
            service.approve_payroll_run(&checker, run).await?;
        }
    }
    let (name, entitled_on, month) = HOLIDAY;
    let holiday = service
        .define_holiday(
            youfu,
            &HolidayInput {
                name: name.into(),
                entitled_on: entitled_on.into(),
                month: month.into(),
                amounts: HOLIDAY_AMOUNTS
                    .iter()
                    .map(|(c, a)| ((*c).to_owned(), (*a).to_owned()))
                    .collect(),
            },
        )
        .await?;
    let run = service.prepare_holiday_run(youfu, holiday).await?;
    service.approve_payroll_run(&checker, run).await?;
    Ok(())
}
