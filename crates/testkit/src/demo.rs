//! The demo district: a deterministic synthetic district with neutral names, built through
//! the real services (the division import and account creation a bureau would use).
//!
//! Its county code 990101 lies in no real province (GB/T 2260 has none numbered 99), so demo
//! data can never be mistaken for a real place. Streets use township codes 001–099 and towns
//! 100–199; communities 001–199 and villages 200–399, as the statistical code prescribes.

use chrono::NaiveDate;
use domain::Fen;
use domain::assistance::ClassifiedPolicy;
use service::assistance::StandardInput;
use service::assistance::grants::BudgetInput;
use service::users::AccountInput;
use service::{Error, Service};

/// The demo district's county code, padded to 12 digits.
pub const COUNTY: &str = "990101000000";
pub const COUNTY_NAME: &str = "示范区";

/// (township code, name, number of communities or villages)
const STREETS: &[(&str, &str, u32)] = &[
    ("001", "东城街道", 8),
    ("002", "西城街道", 7),
    ("003", "南湖街道", 9),
    ("004", "北山街道", 6),
    ("005", "河滨街道", 8),
    ("006", "新华街道", 7),
];
const TOWNS: &[(&str, &str, u32)] = &[
    ("101", "青山镇", 14),
    ("102", "白沙镇", 12),
    ("103", "石桥镇", 16),
    ("104", "杨柳镇", 11),
];
/// Neutral place words, combined deterministically into community and village names.
const WORDS: &[&str] = &[
    "和平", "幸福", "建设", "光明", "团结", "文化", "胜利", "朝阳", "长青", "友谊", "春晖", "金桥",
    "翠竹", "丰收", "新村", "东风", "红旗", "花园", "龙泉", "桂花", "松林", "荷塘", "前进", "民主",
    "太平", "永安", "兴隆", "富源", "清泉", "玉兰", "枫林", "梅岭", "杏坛", "柳岸", "竹园", "桃源",
];

/// The demo district's divisions as an import file (code,name,area), parents first.
pub fn divisions_csv() -> String {
    let mut csv = String::from("code,name,area\n");
    csv.push_str(&format!("{COUNTY},{COUNTY_NAME},urban\n"));
    let county = &COUNTY[..6];
    let mut word = 0usize;
    let mut next_word = || {
        let w = WORDS[word % WORDS.len()];
        let round = word / WORDS.len();
        word += 1;
        if round == 0 {
            w.to_owned()
        } else {
            format!("{w}{}", round + 1)
        }
    };
    for (code, name, n) in STREETS {
        csv.push_str(&format!("{county}{code}000,{name},urban\n"));
        for i in 1..=*n {
            csv.push_str(&format!("{county}{code}{i:03},{}社区,urban\n", next_word()));
        }
    }
    for (code, name, n) in TOWNS {
        csv.push_str(&format!("{county}{code}000,{name},rural\n"));
        // The town seat is a residents' committee; the rest are villages.
        csv.push_str(&format!(
            "{county}{code}001,{}社区,urban\n",
            &name[..name.len() - "镇".len()]
        ));
        for i in 1..*n {
            csv.push_str(&format!(
                "{county}{code}{:03},{}村,rural\n",
                200 + i,
                next_word()
            ));
        }
    }
    csv
}

/// A demo account: what `minzheng demo` prints so a newcomer can sign in.
#[derive(Debug, Clone, Copy)]
pub struct DemoAccount {
    pub username: &'static str,
    pub password: &'static str,
    pub display_name: &'static str,
    pub role: &'static str,
    pub jurisdiction: &'static str,
}

pub const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        username: "admin",
        password: "demo-admin-2013",
        display_name: "系统管理员",
        role: "admin",
        jurisdiction: COUNTY,
    },
    DemoAccount {
        username: "jiuzhu",
        password: "demo-jiuzhu-2013",
        display_name: "救助科 王科员",
        role: "assistance_staff",
        jurisdiction: COUNTY,
    },
    DemoAccount {
        username: "youfu",
        password: "demo-youfu-2013",
        display_name: "优抚科 李科员",
        role: "veterans_staff",
        jurisdiction: COUNTY,
    },
    DemoAccount {
        username: "dongcheng",
        password: "demo-dongcheng-2013",
        display_name: "东城街道民政办 张干事",
        role: "street_officer",
        jurisdiction: "990101001000",
    },
    DemoAccount {
        username: "heping",
        password: "demo-heping-2013",
        display_name: "和平社区 赵社工",
        role: "community_worker",
        jurisdiction: "990101001001",
    },
    DemoAccount {
        username: "leader",
        password: "demo-leader-2013",
        display_name: "局领导 陈局长",
        role: "leader",
        jurisdiction: COUNTY,
    },
    DemoAccount {
        username: "auditor",
        password: "demo-auditor-2013",
        display_name: "审计 刘审计",
        role: "auditor",
        jurisdiction: COUNTY,
    },
];

/// Builds the demo district into a prepared, empty database.
pub async fn build(service: &Service) -> Result<(), Error> {
    let operator = service::Actor::system();
    service
        .import_divisions(&operator, divisions_csv().as_bytes())
        .await?;
    for a in ACCOUNTS {
        service
            .add_account(
                &operator,
                AccountInput {
                    username: a.username.into(),
                    display_name: a.display_name.into(),
                    role: a.role.into(),
                    jurisdiction: a.jurisdiction.into(),
                    password: a.password.into(),
                    // Demo passwords are printed on the console; changing them is the user's
                    // choice, not a gate in front of a first look.
                    phone: None,
                    must_change_password: false,
                },
            )
            .await?;
    }
    for (program, area, from, yuan) in STANDARDS {
        service
            .set_standard(
                &operator,
                &StandardInput {
                    program: (*program).into(),
                    area: (*area).into(),
                    effective_from: NaiveDate::parse_from_str(from, "%Y-%m-%d")
                        .expect("a valid demo date"),
                    amount: Fen::from_fen(yuan * 100),
                    citation: "示范区民政局保障标准(演示)".into(),
                },
            )
            .await?;
    }
    service
        .set_policy(&operator, &ClassifiedPolicy::default_2013())
        .await?;
    for (year, kind, yuan, citation) in BUDGETS {
        service
            .set_budget(
                &operator,
                &BudgetInput {
                    year: (*year).into(),
                    kind: (*kind).into(),
                    amount: (*yuan).into(),
                    citation: (*citation).into(),
                },
            )
            .await?;
    }
    Ok(())
}

/// The demo district's 2013 budgets for grants (year, kind, yuan, citation), after the
/// summary: 60万元 of medical assistance arranged in the budget (seed figure A4) and some
/// 30万元 of relief funds for the winter/spring relief (A5).
pub const BUDGETS: &[(&str, &str, &str, &str)] = &[
    (
        "2013",
        "medical",
        "600000",
        "示范区财政 2013 年医疗救助金预算(演示)",
    ),
    (
        "2013",
        "winter",
        "300000",
        "示范区 2013 年救灾救济款安排(演示)",
    ),
];

/// The demo district's standards (programme, area, from, yuan per person per month): 低保
/// 350 from 2012 and 385 from 2013 in town and country; 特困 700 rural (五保) and 1200 urban
/// (三无) from 2013, dispersed or centralised alike.
pub const STANDARDS: &[(&str, &str, &str, i64)] = &[
    ("dibao", "urban", "2012-01-01", 350),
    ("dibao", "rural", "2012-01-01", 350),
    ("dibao", "urban", "2013-01-01", 385),
    ("dibao", "rural", "2013-01-01", 385),
    ("tekun_dispersed", "rural", "2013-01-01", 700),
    ("tekun_dispersed", "urban", "2013-01-01", 1200),
    ("tekun_centralized", "rural", "2013-01-01", 700),
    ("tekun_centralized", "urban", "2013-01-01", 1200),
];

/// The demo district as `minzheng demo` shows it: [`build`], the assistance section's second
/// account ([`CHECKER`]), then the first half of 2013 lived through the real services
/// ([`crate::half_year`]: the legacy roster migrated, applications approved, changes
/// recorded, six monthly payrolls prepared by `jiuzhu`, approved by `jiuzhu2`, exported and
/// reconciled with the bank's result files), so that the January–June 2013 report shows the
/// seed figures; then the veterans' register, standards, Spring Festival campaign, reception
/// and hardship grants ([`crate::veterans::build_veterans`]). `clock` is the service's clock: the build walks it from December 2012 and
/// leaves it at [`crate::default_time`]. Each later business line adds its own half year
/// here, one call each. Tests that count records use [`build`] alone.
pub async fn build_full(service: &Service, clock: &crate::FixedClock) -> Result<(), Error> {
    clock.set(crate::half_year::start());
    build(service).await?;
    let operator = service::Actor::system();
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
    crate::half_year::build(service, clock).await?;
    clock.set(crate::default_time());
    crate::veterans::build_veterans(service).await?;
    crate::veterans::liaison::build_liaison(service).await?;
    Ok(())
}

/// The assistance section's second account, which approves the payroll its colleague
/// prepares (maker–checker).
pub const CHECKER: DemoAccount = DemoAccount {
    username: "jiuzhu2",
    password: "demo-jiuzhu2-2013",
    display_name: "救助科 周复核",
    role: "assistance_staff",
    jurisdiction: COUNTY,
};
