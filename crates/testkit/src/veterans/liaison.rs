//! The demo district's liaison pairings and petition cases (issue 7 item 8, seed figure V9),
//! entered by the veterans section (`youfu`) after [`super::build_veterans`]. The source
//! gives no numbers for V9 ("随着区领导的调整…及时调整…联系户的挂钩", "多次…排查…并对相关人员进行
//! 家访"), so these are the demo's own, and [`FIGURES`] states what they give for the first
//! half of 2013: 3 pairings re-assigned (two for a leader's change, one for another
//! reason), 5 risk screenings and 4 home visits over 3 cases (one closed). On the demo's
//! "today" (2013-07-01, a Monday) one open case's visit is overdue (due 2013-04-27) and one
//! is due this week (2013-07-05): [`DUE`].

use service::list::ListQuery;
use service::veterans::EntitlementQuery;
use service::veterans::liaison::{PairingInput, ReassignInput};
use service::veterans::petitions::{CloseInput, FollowupInput, OpenInput};
use service::{Actor, Error, Service};

/// (indicator code, value over the whole district for 2013-01-01..2013-06-30).
pub const FIGURES: &[(&str, i64)] = &[
    ("veterans.liaison_reassigned", 3),
    ("veterans.petitions_screened", 5),
    ("veterans.home_visits", 4),
];

/// Open cases whose next visit is (overdue, due this week) on 2013-07-01.
pub const DUE: (usize, usize) = (1, 1);

/// 青山镇's village, where the one free-text petitioner lives.
const VILLAGE: &str = "990101101201";

async fn entitlement(service: &Service, youfu: &Actor, name: &str) -> Result<i64, Error> {
    let page = service
        .entitlements(
            youfu,
            &EntitlementQuery {
                list: ListQuery {
                    q: name.into(),
                    ..ListQuery::default()
                },
                category: None,
            },
        )
        .await?;
    page.items.iter().map(|e| e.id).min().ok_or(Error::NotFound)
}

fn followup(kind: &str, on: &str, risk: &str, who: &str, what: &str) -> FollowupInput {
    FollowupInput {
        kind: kind.into(),
        on_date: on.into(),
        risk: risk.into(),
        who: who.into(),
        what: what.into(),
        next_due: String::new(),
        last_seq: None,
    }
}

/// Builds the pairings and petition cases (see the module notes for their figures).
pub async fn build_liaison(service: &Service) -> Result<(), Error> {
    let youfu = Actor::user(&service.store().user_by_username("youfu").await?, "demo");
    let combat = entitlement(service, &youfu, "钱卫国").await?;
    let second = entitlement(service, &youfu, "孙建军").await?;
    let tested = entitlement(service, &youfu, "李核平").await?;
    let survivor = entitlement(service, &youfu, "冯秀兰").await?;

    let pair = |entitlement: i64, name: &str, post: &str, unit: &str, on: &str| PairingInput {
        entitlement: entitlement.to_string(),
        leader_name: name.into(),
        leader_post: post.into(),
        leader_unit: unit.into(),
        starts_on: on.into(),
        note: String::new(),
    };
    let reassign =
        |name: &str, post: &str, unit: &str, on: &str, reason: &str, note: &str| ReassignInput {
            leader_name: name.into(),
            leader_post: post.into(),
            leader_unit: unit.into(),
            starts_on: on.into(),
            reason: reason.into(),
            note: note.into(),
        };
    let first = service
        .pair_leader(
            &youfu,
            &pair(
                combat,
                "张建国",
                "区委副书记",
                "中共示范区委员会",
                "2012-12-01",
            ),
        )
        .await?;
    service
        .reassign_pairing(
            &youfu,
            first,
            &reassign(
                "王立新",
                "区委副书记",
                "中共示范区委员会",
                "2013-03-15",
                "leader_change",
                "张建国同志调任市里工作",
            ),
        )
        .await?;
    let first = service
        .pair_leader(
            &youfu,
            &pair(second, "李红", "副区长", "示范区人民政府", "2012-12-01"),
        )
        .await?;
    service
        .reassign_pairing(
            &youfu,
            first,
            &reassign(
                "陈明",
                "副区长",
                "示范区人民政府",
                "2013-04-01",
                "leader_change",
                "",
            ),
        )
        .await?;
    service
        .pair_leader(
            &youfu,
            &pair(tested, "刘强", "党委书记", "青山镇党委", "2013-02-01"),
        )
        .await?;
    let first = service
        .pair_leader(
            &youfu,
            &pair(survivor, "赵敏", "局长", "示范区民政局", "2012-12-01"),
        )
        .await?;
    service
        .reassign_pairing(
            &youfu,
            first,
            &reassign(
                "黄伟",
                "副局长",
                "示范区民政局",
                "2013-05-10",
                "other",
                "赵敏同志赴外地挂职学习一年",
            ),
        )
        .await?;

    // Case 1: a combat veteran, screened high in January and medium during the 两会; his
    // next visit (30 days after the March visit) was missed.
    let case = service
        .open_petition(
            &youfu,
            &OpenInput {
                entitlement: combat.to_string(),
                subject: "要求提高参战退役人员生活补助标准".into(),
                opened_on: "2013-01-10".into(),
                risk: "high".into(),
                who: "东城街道 王干事".into(),
                what: "春节前排查，情绪激动，有联名上访意向".into(),
                ..OpenInput::default()
            },
        )
        .await?;
    for f in [
        followup(
            "home_visit",
            "2013-01-17",
            "",
            "东城街道 王干事",
            "家访，宣讲新标准，情绪缓和",
        ),
        followup(
            "screening",
            "2013-03-01",
            "medium",
            "区民政局 优抚股",
            "两会期间再次排查",
        ),
        followup(
            "home_visit",
            "2013-03-28",
            "",
            "王立新",
            "联系领导家访，了解生活困难",
        ),
    ] {
        service.record_followup(&youfu, case, &f).await?;
    }
    // Case 2: a veteran not on the register, closed in April.
    let case = service
        .open_petition(
            &youfu,
            &OpenInput {
                petitioner: "周老兵".into(),
                community: VILLAGE.into(),
                subject: "反映医疗费用报销困难".into(),
                opened_on: "2013-02-20".into(),
                risk: "medium".into(),
                who: "青山镇 民政办".into(),
                what: "来访登记，评估为中风险".into(),
                ..OpenInput::default()
            },
        )
        .await?;
    for f in [
        followup(
            "contact",
            "2013-03-05",
            "",
            "青山镇 民政办",
            "电话联系，告知报销流程",
        ),
        followup(
            "home_visit",
            "2013-03-20",
            "",
            "青山镇 民政办",
            "家访，协助整理票据",
        ),
    ] {
        service.record_followup(&youfu, case, &f).await?;
    }
    service
        .close_petition(
            &youfu,
            case,
            &CloseInput {
                on_date: "2013-04-15".into(),
                who: "青山镇 民政办".into(),
                outcome: "协调医保报销到位，当事人表示满意".into(),
                last_seq: None,
            },
        )
        .await?;
    // Case 3: screened low in May, high before the 省党代会; visited, next visit this week.
    let case = service
        .open_petition(
            &youfu,
            &OpenInput {
                entitlement: second.to_string(),
                subject: "要求解决子女就业".into(),
                opened_on: "2013-05-06".into(),
                risk: "low".into(),
                who: "东城街道 王干事".into(),
                what: "日常排查，诉求明确".into(),
                ..OpenInput::default()
            },
        )
        .await?;
    for f in [
        followup(
            "screening",
            "2013-06-25",
            "high",
            "区民政局 优抚股",
            "省党代会前排查，有进京意向",
        ),
        FollowupInput {
            next_due: "2013-07-05".into(),
            ..followup(
                "home_visit",
                "2013-06-28",
                "",
                "陈明",
                "联系领导家访，稳控到位",
            )
        },
    ] {
        service.record_followup(&youfu, case, &f).await?;
    }
    Ok(())
}
