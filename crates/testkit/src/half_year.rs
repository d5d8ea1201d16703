//! The demo district's first half of 2013 (issue 6 item 6): social assistance as the bureau
//! lived it, entered through the real services, so that the January–June 2013 report shows
//! the seed figures A1, A2, A3, A7 and A8 of `seed-figures.md` from the records alone.
//!
//! # The story, and why the figures come out
//!
//! The clock walks from December 2012 to 1 July 2013 and each event happens on its day
//! (09:00 Beijing time, the next working day of the statutory calendar when the day is a
//! weekend or holiday):
//!
//! * **3 December 2012, migration.** The legacy roster (the previous system's households,
//!   all enrolled before December 2012) is imported through the roster import: 5028 低保
//!   households, 1340 rural 特困 (五保) persons of whom 146 live in the towns' homes
//!   (centralised) and 22 urban 特困 (三无) persons. A payee (bank card, Luhn-valid,
//!   synthetic) is recorded for every household through the payee service.
//! * **Every month from December to May, new applications** go through the whole workflow
//!   (application on the 3rd, means check, home visit, seven-day notice, the district's
//!   approval on the 17th; May's later, see below), so their benefit starts the month
//!   after: 20 低保 households a month (120, 294 persons), 2 五保 persons a month (12
//!   persons: 2 × (6+5+4+3+2+1) = 42 person-months), and 4 三无 persons approved in March
//!   (paid April–June: 12 person-months).
//! * **Every month from January to May, changes** are recorded through the change service
//!   on the 3rd (effective the next month): for 低保, 5 births (a member joins), 4 grown
//!   children leaving, 3 deaths of a member, 2 deaths of a household's only member (the
//!   case ends), 10 terminations (income, work, withdrawal, support, moved away) and 10
//!   income changes; for 五保, 11, 10, 10, 10 and 11 deaths in January to May (52 persons,
//!   2 of them in homes, 4 of them one of two siblings), each paid up to the month recorded:
//!   1×11 + 2×10 + 3×10 + 4×10 + 5×11 = 156 person-months.
//! * **Every month from January to June, the payroll**: prepared on the 20th by `jiuzhu`,
//!   approved on the 21st by `jiuzhu2`, exported as the bank's 代发 file on the 22nd, and
//!   the bank's result file (generated here from the exported file: every payment made)
//!   imported on the 26th, which reconciles the run.
//!
//! So at the end of June: 低保 5028 − 60 + 120 = **5088 households**, and persons by
//! construction of the legacy household sizes (adjusted so that legacy + 294 + 25 − 20 − 15
//! − the terminated households' members = **14023**); 五保 1340 − 52 + 12 = **1300
//! persons**, 144 of them in homes (A9), paid (1288 × 6 + 156 + 42) = 7926 person-months ×
//! 700 = **554.82万元**; 三无 22 + 4 = **26 persons**, paid (22 × 6 + 12) = 144
//! person-months × 1200 = **17.28万元**. The standards (A3, 385 / 700 / 1200) are
//! [`crate::demo::STANDARDS`].
//!
//! # The exact 低保 total
//!
//! 1117.5178万元 (1,117,517,800 fen) depends on every income, age and increment, so it is
//! balanced where a bureau's figure really is decided: by the May applicants' means checks.
//! Their applications are taken on 3 May like every month's, but checked on 22 May, once
//! May's payroll is approved (notice 23–29 May, approval on the 30th, benefit from June).
//! The build then adds what the ledger holds for January to May to what every case is due
//! for June (May's regular amount, or the service's own `benefit_for_month` where something
//! takes effect on 1 June: a change, a table, a birthday crossing an age rule), and gives
//! the May cohort per-capita incomes that make up the rest; the last of them lives alone,
//! so the total comes out to the fen. The legacy incomes ([`INCOME_BASE`]) are chosen so
//! that the natural May incomes need only a small adjustment; after June's payroll the
//! build checks the ledger against the figure and fails rather than show another. The
//! report knows none of this: it sums the ledger.
//!
//! Everything is deterministic: neutral names from a fixed list, ID numbers from
//! [`ResidentId::synthetic`] in region 990101 (sequence numbers 910 and up, apart from those
//! tests type in), the same households, dates and amounts every time.

use std::collections::HashMap;
use std::fmt::Write as _;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use domain::assistance::workflow::Step;
use domain::assistance::{HouseholdFacts, MemberFacts, PolicyTable, Program, StandardTable};
use domain::{Area, Fen, Month, ResidentId};
use service::assistance::import::{ImportMode, RosterFile, RosterFiles};
use service::assistance::{
    ApplicationInput, ChangeInput, ChangeKind, MemberInput, MonthBenefit, StepInput,
    TerminationReason,
};
use service::bank::{BankFormat, PayeeInput, SETTING_DEBTOR};
use service::{Actor, Error, Service};

use crate::FixedClock;

/// Seed figure A1: 低保 households and persons at the end of June 2013.
pub const DIBAO_HOUSEHOLDS: usize = 5088;
pub const DIBAO_PERSONS: usize = 14_023;
/// Seed figure A2: 低保 paid in January–June 2013, in fen (1117.5178万元).
pub const DIBAO_PAID_FEN: i64 = 1_117_517_800;

/// 低保 households approved through the workflow each month, December to May.
const COHORT: usize = 20;
/// Their sizes; the last lives alone, so May's balancing reaches the fen.
const COHORT_SIZES: [usize; COHORT] = [2, 3, 1, 4, 3, 2, 3, 2, 1, 3, 4, 2, 3, 1, 2, 3, 2, 4, 3, 1];
/// 低保 changes recorded each month, January to May.
const BIRTHS: usize = 5;
const LEAVES: usize = 4;
const MEMBER_DEATHS: usize = 3;
const LAST_DEATHS: usize = 2;
const TERMINATIONS: usize = 10;
const INCOME_CHANGES: usize = 10;
/// Legacy 低保 households: the households at the end of June, less the cohorts, plus those
/// that end during the half year.
const DIBAO_LEGACY: usize = DIBAO_HOUSEHOLDS - 6 * COHORT + 5 * (LAST_DEATHS + TERMINATIONS);
/// Legacy sizes, cycled (2.75 persons on average) before the adjustment to the persons.
const LEGACY_SIZES: [usize; 12] = [3, 2, 3, 4, 1, 3, 2, 3, 4, 2, 3, 3];
/// The legacy households' per-capita income: every tenth has none, the others
/// `INCOME_BASE + (i × 7919 mod INCOME_SPREAD)` fen.
pub const INCOME_BASE: i64 = 19_995;
const INCOME_SPREAD: i64 = 18_000;

/// 五保 (rural 特困): legacy persons, of whom some in homes, deaths per month January–May,
/// new persons approved per month December–May.
const WUBAO_LEGACY: usize = 1340;
const WUBAO_CENTRAL: usize = 146;
const WUBAO_DEATHS: [usize; 5] = [11, 10, 10, 10, 11];
const WUBAO_NEW: usize = 2;
/// 三无 (urban 特困): legacy households (two of them two siblings) and the March newcomers.
const SANWU_LEGACY_HOUSEHOLDS: usize = 20;
const SANWU_NEW: usize = 4;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡",
];
const GIVEN: &[&str] = &[
    "文", "华", "明", "国", "建", "秀", "英", "丽", "芳", "军", "平", "红", "强", "伟", "敏", "静",
    "玉", "兰", "春", "海", "林", "云", "霞", "德", "志", "永", "福", "桂", "凤", "金", "成", "安",
    "立", "新", "宏", "庆", "峰", "洪", "俊", "梅", "淑", "荣", "涛", "燕", "鹏", "琴", "辉", "娟",
];
const BANKS: &[(&str, &str)] = &[
    ("中国农业银行", "622848"),
    ("中国邮政储蓄银行", "621799"),
    ("中国工商银行", "621226"),
    ("中国建设银行", "621700"),
    ("农村信用合作社", "623066"),
];

/// Age groups, by birth-date range: the elderly (60 and over during 2013), older working
/// age with grown children, younger working age with young children, grown children, minors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Age {
    Elderly,
    Older,
    Working,
    Adult,
    Minor,
}

const AGES: [(i32, i32); 5] = [
    (1923, 1952),
    (1953, 1966),
    (1967, 1985),
    (1986, 1994),
    (1996, 2011),
];

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// Hands out birth dates and ID numbers: unique, spread over each group's years.
#[derive(Debug, Default)]
struct Ids {
    counters: [i64; 5],
}

impl Ids {
    fn next(&mut self, age: Age, male: bool) -> (NaiveDate, String) {
        let g = age as usize;
        let (from, to) = AGES[g];
        let start = day(from, 1, 1);
        let mut span = (day(to, 12, 31) - start).num_days();
        // A stride of 7 visits every day of the span once, if 7 does not divide it.
        if span % 7 == 0 {
            span -= 1;
        }
        let c = self.counters[g];
        self.counters[g] += 1;
        let birth = start + Duration::days((c * 7) % span);
        let seq = 910 + 2 * (c / span) + i64::from(male);
        Self::id(birth, seq)
    }

    /// A baby born in the month before `month`, the `j`th of that month.
    fn newborn(month: Month, j: usize, male: bool) -> (NaiveDate, String) {
        let birth = month.first_day() - Duration::days(25 - 4 * j as i64);
        Self::id(birth, 950 + i64::from(male))
    }

    fn id(birth: NaiveDate, seq: i64) -> (NaiveDate, String) {
        let seq = u16::try_from(seq).unwrap_or(999).min(999);
        let id = ResidentId::synthetic("990101", birth, seq)
            .map(|i| i.as_str().to_owned())
            .unwrap_or_default();
        (birth, id)
    }
}

fn name(surname: usize, k: usize) -> String {
    let mut n = String::from(SURNAMES[surname % SURNAMES.len()]);
    n.push_str(GIVEN[(k * 13 + 3) % GIVEN.len()]);
    if !k.is_multiple_of(3) {
        n.push_str(GIVEN[(k * 17 + 5) % GIVEN.len()]);
    }
    n
}

#[derive(Debug, Clone)]
struct Person {
    name: String,
    id: String,
    birth: NaiveDate,
    relation: &'static str,
    grade: u8,
    ill: bool,
}

#[derive(Debug, Clone)]
struct Household {
    /// The legacy household_id, or `N…` for an application.
    key: String,
    community: usize,
    program: &'static str,
    income: i64,
    members: Vec<Person>,
}

/// A change of the half year: the month recorded (1–5), the household and what happens.
#[derive(Debug, Clone)]
enum Change {
    /// A baby joins (the household's index into the legacy list).
    Birth(usize, Person),
    Leaves(usize, String),
    Dies(usize, String),
    Income(usize, i64),
    Ends(usize, TerminationReason),
}

/// The whole half year, decided before anything is written.
#[derive(Debug)]
struct Plan {
    communities: Vec<(String, String, Area)>,
    legacy: Vec<Household>,
    /// Approved in month index 0 (December 2012) to 5 (May 2013).
    cohorts: Vec<Vec<Household>>,
    /// Recorded in month 1 (January) to 5 (May).
    changes: Vec<(u32, Change)>,
}

/// A member's place in a household: relation and age group.
type Slot = (&'static str, Age);

fn shape(size: usize, i: usize) -> Vec<Slot> {
    use Age::*;
    match size {
        1 if i.is_multiple_of(3) => vec![("head", Older)],
        1 => vec![("head", Elderly)],
        2 => match i % 4 {
            0 => vec![("head", Elderly), ("spouse", Elderly)],
            1 => vec![("head", Working), ("child", Minor)],
            2 => vec![("head", Older), ("spouse", Older)],
            _ => vec![("head", Older), ("child", Adult)],
        },
        3 if i.is_multiple_of(3) => vec![("head", Older), ("spouse", Older), ("child", Adult)],
        3 => vec![("head", Working), ("spouse", Working), ("child", Minor)],
        4 if i.is_multiple_of(2) => vec![
            ("head", Working),
            ("spouse", Working),
            ("child", Minor),
            ("parent", Elderly),
        ],
        _ => {
            let mut s = vec![("head", Working), ("spouse", Working)];
            s.extend(std::iter::repeat_n(
                ("child", Minor),
                size.saturating_sub(2),
            ));
            s
        }
    }
}

/// Persons in the order of the person counter `k`: disabilities and illnesses in
/// realistic shares, more among the elderly.
fn person(
    ids: &mut Ids,
    k: &mut usize,
    surname: usize,
    relation: &'static str,
    age: Age,
    male: bool,
) -> Person {
    let (birth, id) = ids.next(age, male);
    let n = *k;
    *k += 1;
    let elderly = age == Age::Elderly;
    let grade = if n.is_multiple_of(29) || (elderly && n.is_multiple_of(17)) {
        1 + u8::try_from((n / 7) % 4).unwrap_or(0)
    } else {
        0
    };
    let ill = n.is_multiple_of(13) || (elderly && n.is_multiple_of(19));
    Person {
        name: name(surname, n),
        id,
        birth,
        relation,
        grade,
        ill,
    }
}

fn materialize(
    ids: &mut Ids,
    k: &mut usize,
    i: usize,
    shape: &[(&'static str, Age)],
) -> Vec<Person> {
    let surname = i * 7 + 1;
    let head_male = !i.is_multiple_of(3);
    shape
        .iter()
        .enumerate()
        .map(|(m, (relation, age))| {
            let (s, male) = match *relation {
                "spouse" => (surname + 11, !head_male),
                "head" => (surname, head_male),
                _ => (surname, (i + m).is_multiple_of(2)),
            };
            person(ids, k, s, relation, *age, male)
        })
        .collect()
}

impl Plan {
    fn new() -> Self {
        let communities: Vec<(String, String, Area)> = crate::demo::divisions_csv()
            .lines()
            .skip(1)
            .filter_map(|l| {
                let mut f = l.split(',');
                let code = f.next()?.to_owned();
                let name = f.next()?.to_owned();
                let area = Area::parse(f.next()?).ok()?;
                (!code.ends_with("000")).then_some((code, name, area))
            })
            .collect();
        let villages: Vec<usize> = (0..communities.len())
            .filter(|&c| communities[c].2 == Area::Rural)
            .collect();
        let towns: Vec<usize> = (0..communities.len())
            .filter(|&c| communities[c].2 == Area::Urban)
            .collect();
        let mut ids = Ids::default();
        let mut k = 0usize;

        // 低保: shapes first, then the changes, then the sizes adjusted to the persons.
        let mut shapes: Vec<Vec<(&'static str, Age)>> = (0..DIBAO_LEGACY)
            .map(|i| shape(LEGACY_SIZES[i % LEGACY_SIZES.len()], i / LEGACY_SIZES.len()))
            .collect();
        let mut used = vec![false; DIBAO_LEGACY];
        let mut pick = |start: usize, ok: &dyn Fn(&[Slot]) -> bool| -> usize {
            let mut i = start % DIBAO_LEGACY;
            loop {
                if !used[i] && ok(&shapes[i]) {
                    used[i] = true;
                    return i;
                }
                i = (i + 97) % DIBAO_LEGACY;
            }
        };
        let has =
            |s: &[(&'static str, Age)], r: &str, a: Age| s.iter().any(|&(x, y)| x == r && y == a);
        // (month, kind, household, member position)
        let mut planned: Vec<(u32, u8, usize, usize)> = Vec::new();
        for month in 1..=5u32 {
            let m = month as usize;
            for j in 0..BIRTHS {
                let i = pick(m * 1000 + j * 211, &|s| has(s, "spouse", Age::Working));
                planned.push((month, 0, i, 0));
            }
            for j in 0..LEAVES {
                let i = pick(m * 1000 + 31 + j * 223, &|s| has(s, "child", Age::Adult));
                let pos = shapes[i]
                    .iter()
                    .position(|&(_, a)| a == Age::Adult)
                    .unwrap_or(1);
                planned.push((month, 1, i, pos));
            }
            for j in 0..MEMBER_DEATHS {
                let i = pick(m * 1000 + 67 + j * 227, &|s| {
                    s.len() > 1 && s.iter().skip(1).any(|&(_, a)| a == Age::Elderly)
                });
                let pos = shapes[i]
                    .iter()
                    .skip(1)
                    .position(|&(_, a)| a == Age::Elderly)
                    .map_or(1, |p| p + 1);
                planned.push((month, 2, i, pos));
            }
            for j in 0..LAST_DEATHS {
                let i = pick(m * 1000 + 101 + j * 229, &|s| {
                    s.len() == 1 && s[0].1 == Age::Elderly
                });
                planned.push((month, 2, i, 0));
            }
            for j in 0..TERMINATIONS {
                let i = pick(m * 1000 + 137 + j * 233, &|_| true);
                planned.push((month, 3, i, j));
            }
            for j in 0..INCOME_CHANGES {
                let i = pick(m * 1000 + 173 + j * 239, &|_| true);
                planned.push((month, 4, i, j));
            }
        }
        let ended: Vec<usize> = planned
            .iter()
            .filter(|p| p.1 == 3 || (p.1 == 2 && shapes[p.2].len() == 1))
            .map(|p| p.2)
            .collect();
        let cohort_persons: usize = 6 * COHORT_SIZES.iter().sum::<usize>();
        let changes_net = 5 * BIRTHS as i64 - 5 * LEAVES as i64 - 5 * MEMBER_DEATHS as i64;
        let persons_end = |shapes: &[Vec<(&'static str, Age)>]| -> i64 {
            let legacy: usize = (0..DIBAO_LEGACY)
                .filter(|i| !ended.contains(i))
                .map(|i| shapes[i].len())
                .sum();
            (legacy + cohort_persons) as i64 + changes_net
        };
        let mut delta = DIBAO_PERSONS as i64 - persons_end(&shapes);
        let mut i = 5usize;
        let mut guard = 0;
        while delta != 0 && guard < 4 * DIBAO_LEGACY {
            guard += 1;
            i = (i + 61) % DIBAO_LEGACY;
            if used[i] {
                continue;
            }
            let s = &mut shapes[i];
            let young = s.len() >= 2 && s[1] == ("spouse", Age::Working);
            if delta > 0 && young && s.len() < 5 {
                s.push(("child", Age::Minor));
                used[i] = true;
                delta -= 1;
            } else if delta < 0 && young && s.len() >= 4 && s.last() == Some(&("child", Age::Minor))
            {
                s.pop();
                used[i] = true;
                delta += 1;
            }
        }

        let mut legacy = Vec::with_capacity(DIBAO_LEGACY + WUBAO_LEGACY + 30);
        for (i, s) in shapes.iter().enumerate() {
            let income = if i.is_multiple_of(10) {
                0
            } else {
                (INCOME_BASE + (i as i64 * 7919) % INCOME_SPREAD).min(38_000)
            };
            legacy.push(Household {
                key: format!("L{i:06}"),
                // 11 shares no factor with the 98 communities: every one has households.
                community: (i * 11) % communities.len(),
                program: "dibao",
                income,
                members: materialize(&mut ids, &mut k, i, s),
            });
        }
        let mut changes = Vec::new();
        for (month, kind, i, pos) in planned {
            let h = &legacy[i];
            let change = match kind {
                0 => {
                    let surname = i * 7 + 1;
                    let (birth, id) = Ids::newborn(
                        Month::new(2013, month).unwrap_or(Month::of(day(2013, 1, 1))),
                        changes.len() % 5,
                        i.is_multiple_of(2),
                    );
                    Change::Birth(
                        i,
                        Person {
                            name: name(surname, k + i),
                            id,
                            birth,
                            relation: "child",
                            grade: 0,
                            ill: false,
                        },
                    )
                }
                1 => Change::Leaves(i, h.members[pos].id.clone()),
                2 => Change::Dies(i, h.members[pos].id.clone()),
                3 => Change::Ends(
                    i,
                    [
                        TerminationReason::Means,
                        TerminationReason::WorkAbility,
                        TerminationReason::Withdrawal,
                        TerminationReason::Support,
                        TerminationReason::Other,
                    ][pos % 5],
                ),
                _ => {
                    let after = if h.income == 0 {
                        8_000 + (pos as i64) * 1_000
                    } else if pos.is_multiple_of(2) {
                        (h.income + 6_000).min(37_000)
                    } else {
                        (h.income - 5_000).max(0)
                    };
                    Change::Income(i, after)
                }
            };
            changes.push((month, change));
        }

        // 五保: singles and some pairs of siblings in the villages, elderly.
        let mut w = 0usize;
        let mut persons = 0usize;
        let mut wubao: Vec<Household> = Vec::new();
        while persons < WUBAO_LEGACY {
            let size = if w % 15 == 7 && persons + 2 <= WUBAO_LEGACY {
                2
            } else {
                1
            };
            let i = DIBAO_LEGACY + w;
            let mut members = vec![person(
                &mut ids,
                &mut k,
                i,
                "head",
                Age::Elderly,
                !w.is_multiple_of(3),
            )];
            if size == 2 {
                members.push(person(
                    &mut ids,
                    &mut k,
                    i,
                    "sibling",
                    Age::Elderly,
                    w.is_multiple_of(2),
                ));
            }
            wubao.push(Household {
                key: format!("W{w:05}"),
                community: villages[(w * 5) % villages.len()],
                program: "tekun_dispersed",
                income: 0,
                members,
            });
            persons += size;
            w += 1;
        }
        let mut central = 0;
        'homes: for offset in 0..7 {
            for h in wubao.iter_mut().skip(offset).step_by(7) {
                if central == WUBAO_CENTRAL {
                    break 'homes;
                }
                if h.members.len() == 1 && h.program == "tekun_dispersed" {
                    h.program = "tekun_centralized";
                    central += 1;
                }
            }
        }
        // Deaths: two in homes (February, April), four of one of two siblings, the rest
        // dispersed people living alone.
        let mut taken = vec![false; wubao.len()];
        let mut seek = |start: usize, ok: &dyn Fn(&Household) -> bool| -> usize {
            let mut x = start % wubao.len();
            loop {
                if !taken[x] && ok(&wubao[x]) {
                    taken[x] = true;
                    return x;
                }
                x = (x + 37) % wubao.len();
            }
        };
        let mut wubao_deaths: Vec<(u32, usize, usize)> = Vec::new();
        for ((m, &n), month) in WUBAO_DEATHS.iter().enumerate().zip(1u32..) {
            for j in 0..n {
                let start = m * 311 + j * 53;
                let (x, pos) = if j == 0 && (month == 2 || month == 4) {
                    (seek(start, &|h| h.program == "tekun_centralized"), 0)
                } else if j == 1 && month <= 4 {
                    (seek(start, &|h| h.members.len() == 2), 1)
                } else {
                    (
                        seek(start, &|h| {
                            h.program == "tekun_dispersed" && h.members.len() == 1
                        }),
                        0,
                    )
                };
                wubao_deaths.push((month, x, pos));
            }
        }
        let base = legacy.len();
        for (month, x, pos) in wubao_deaths {
            let id = wubao[x].members[pos].id.clone();
            changes.push((month, Change::Dies(base + x, id)));
        }
        legacy.extend(wubao);

        // 三无: urban elderly without family, three of them in the welfare home.
        for j in 0..SANWU_LEGACY_HOUSEHOLDS {
            let i = DIBAO_LEGACY + WUBAO_LEGACY + j;
            let mut members = vec![person(
                &mut ids,
                &mut k,
                i,
                "head",
                Age::Elderly,
                j % 2 == 0,
            )];
            if j == 5 || j == 13 {
                members.push(person(&mut ids, &mut k, i, "sibling", Age::Older, j == 5));
            }
            let centralised = members.len() == 1 && j % 8 == 1;
            legacy.push(Household {
                key: format!("S{j:03}"),
                community: towns[(j * 3) % towns.len()],
                program: if centralised {
                    "tekun_centralized"
                } else {
                    "tekun_dispersed"
                },
                income: 0,
                members,
            });
        }

        // The applications approved each month, December to May.
        let mut cohorts = Vec::with_capacity(6);
        for m in 0..6usize {
            let mut cohort = Vec::new();
            for (j, &size) in COHORT_SIZES.iter().enumerate() {
                let i = 20_000 + m * 100 + j;
                let s = shape(size, i);
                cohort.push(Household {
                    key: format!("N{m}{j:02}"),
                    community: (m * 37 + j * 11 + 3) % communities.len(),
                    program: "dibao",
                    income: 9_000 + ((j as i64 * 6_271 + m as i64 * 1_013) % 24_000),
                    members: materialize(&mut ids, &mut k, i, &s),
                });
            }
            for j in 0..WUBAO_NEW {
                let i = 21_000 + m * 10 + j;
                cohort.push(Household {
                    key: format!("N{m}W{j}"),
                    community: villages[(m * 13 + j * 29 + 7) % villages.len()],
                    program: "tekun_dispersed",
                    income: 0,
                    members: vec![person(&mut ids, &mut k, i, "head", Age::Elderly, j == 0)],
                });
            }
            if m == 3 {
                for j in 0..SANWU_NEW {
                    let i = 22_000 + j;
                    cohort.push(Household {
                        key: format!("N{m}S{j}"),
                        community: towns[(j * 7 + 2) % towns.len()],
                        program: "tekun_dispersed",
                        income: 0,
                        members: vec![person(&mut ids, &mut k, i, "head", Age::Elderly, j != 1)],
                    });
                }
            }
            cohorts.push(cohort);
        }
        Plan {
            communities,
            legacy,
            cohorts,
            changes,
        }
    }

    /// The legacy roster as the import's files.
    fn roster(&self) -> RosterFiles {
        let mut h = String::from(
            "household_id,community_code,program,area,enrolled_on,exited_on,income_fen,address\n",
        );
        let mut p = String::from(
            "person_id,household_id,id_number,birth_date,sex,relation,disability_grade,severe_illness,name\n",
        );
        let mut n = 0usize;
        for (i, x) in self.legacy.iter().enumerate() {
            let (code, cname, area) = &self.communities[x.community];
            // Enrolled over the five years before the migration.
            let enrolled = day(2008, 1, 1) + Duration::days(((i * 389) % 1_790) as i64);
            let _ = writeln!(
                h,
                "{},{code},{},{},{enrolled},,{},{cname}{}号",
                x.key,
                x.program,
                area.as_str(),
                x.income,
                1 + i % 120
            );
            for m in &x.members {
                let sex = match ResidentId::parse(&m.id).map(|r| r.sex()) {
                    Ok(domain::Sex::Male) => "M",
                    _ => "F",
                };
                let _ = writeln!(
                    p,
                    "P{n:07},{},{},{},{sex},{},{},{},{}",
                    x.key,
                    m.id,
                    m.birth,
                    m.relation,
                    m.grade,
                    u8::from(m.ill),
                    m.name
                );
                n += 1;
            }
        }
        RosterFiles {
            households: RosterFile {
                name: "legacy-households.csv".into(),
                bytes: h.into_bytes(),
            },
            persons: RosterFile {
                name: "legacy-persons.csv".into(),
                bytes: p.into_bytes(),
            },
            standards: None,
        }
    }
}

/// `d` of the month, or the next working day after it (the statutory calendar, with its
/// holidays and 调休 weekends).
fn workday(y: i32, m: u32, d: u32) -> NaiveDate {
    let calendar = domain::WorkingCalendar::seeded();
    let mut date = day(y, m, d);
    while !calendar
        .is_working_day(date)
        .unwrap_or_else(|_| !matches!(date.weekday(), Weekday::Sat | Weekday::Sun))
    {
        date += Duration::days(1);
    }
    date
}

/// 09:00 Beijing time on `date`.
fn morning(date: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&date.and_hms_opt(1, 0, 0).unwrap_or_default())
}

fn member_input(p: &Person, program: &str) -> MemberInput {
    let age = domain::age_on(p.birth, day(2013, 1, 1)).unwrap_or(0);
    MemberInput {
        name: p.name.clone(),
        id_number: p.id.clone(),
        relation: p.relation.into(),
        disability_grade: p.grade,
        severe_illness: p.ill,
        employment: match age {
            0..6 => "preschool",
            6..18 => "student",
            60.. => "retired",
            _ if p.grade == 1 || p.grade == 2 => "unable",
            _ => "unemployed",
        }
        .into(),
        self_care: program.starts_with("tekun").then(|| "capable".to_owned()),
    }
}

/// The service's actors of the demo, by account.
struct Staff {
    jiuzhu: Actor,
    checker: Actor,
    heping: Actor,
    dongcheng: Actor,
}

impl Staff {
    /// Who takes an application in `community`: the community itself, its street, or the
    /// district's section for the others (the demo has no accounts there).
    fn registrar(&self, community: &str) -> &Actor {
        if community == "990101001001" {
            &self.heping
        } else {
            self.investigator(community)
        }
    }

    fn investigator(&self, community: &str) -> &Actor {
        if community.starts_with("990101001") {
            &self.dongcheng
        } else {
            &self.jiuzhu
        }
    }
}

/// The bookkeeping of the build: which case each planned household became.
struct Books {
    cases: HashMap<String, i64>,
    payees: usize,
}

/// When the demo's story starts: 09:00 Beijing time on 3 December 2012.
pub fn start() -> DateTime<Utc> {
    morning(day(2012, 12, 3))
}

/// Builds the half year on top of [`crate::demo::build`] and the checker account; moves
/// `clock` from 3 December 2012 to [`crate::default_time`].
pub async fn build(service: &Service, clock: &FixedClock) -> Result<(), Error> {
    let plan = Plan::new();
    let user = async |name: &str| -> Result<Actor, Error> {
        Ok(Actor::user(
            &service.store().user_by_username(name).await?,
            "demo",
        ))
    };
    let staff = Staff {
        jiuzhu: user("jiuzhu").await?,
        checker: user(crate::demo::CHECKER.username).await?,
        heping: user("heping").await?,
        dongcheng: user("dongcheng").await?,
    };
    let mut books = Books {
        cases: HashMap::new(),
        payees: 0,
    };

    clock.set(start());
    let system = Actor::system();
    let audit = service.audit(&system, "settings.set", SETTING_DEBTOR, "", "");
    service
        .store()
        .set_setting(
            SETTING_DEBTOR,
            r#"{"holder":"示范区民政局","bank":"中国农业银行","account":"99010100040012345","kind":"book"}"#,
            &audit,
        )
        .await?;
    let report = service
        .import_roster(&system, &plan.roster(), ImportMode::AllOrNothing)
        .await?;
    if let Some(e) = report.errors.first() {
        return Err(corrupt(&format!("legacy roster: {e:?}")));
    }
    let head_ids: Vec<String> = plan
        .legacy
        .iter()
        .filter_map(|h| h.members.first().map(|m| m.id.clone()))
        .collect();
    let heads: HashMap<String, i64> = service
        .store()
        .active_cases_of(&head_ids)
        .await?
        .into_iter()
        .map(|c| (c.id_number, c.case_id))
        .collect();
    for h in &plan.legacy {
        let case = h
            .members
            .first()
            .and_then(|m| heads.get(&m.id))
            .copied()
            .ok_or_else(|| corrupt(&format!("legacy household {} not imported", h.key)))?;
        books.cases.insert(h.key.clone(), case);
        payee(service, &staff, &mut books, case, h).await?;
    }

    for m in 0..=6u32 {
        let (y, mo) = if m == 0 { (2012, 12) } else { (2013, m) };
        if (1..=5).contains(&m) {
            clock.set(morning(workday(y, mo, 3)));
            for (_, c) in plan.changes.iter().filter(|(when, _)| *when == m) {
                record(service, &staff, &plan, &books, c).await?;
            }
        }
        let mut cohort = plan.cohorts.get(m as usize).cloned().unwrap_or_default();
        let mut open = register(service, &staff, &plan, &cohort, clock, workday(y, mo, 3)).await?;
        let flow = Flow {
            service,
            staff: &staff,
            plan: &plan,
            clock,
        };
        if m <= 4 {
            for (kind, d) in [(0, 5), (1, 6), (2, 7)] {
                flow.step(&cohort, &mut open, kind, workday(y, mo, d))
                    .await?;
            }
            flow.decide(&mut books, &cohort, &open, workday(y, mo, 17))
                .await?;
        }
        if m == 0 {
            continue;
        }
        let runs = flow.pay(y, mo).await?;
        if m == 5 {
            // May's applicants are checked once May is paid: see the module documentation.
            let on = workday(y, mo, 22);
            clock.set(morning(on));
            balance(service, &staff, &plan, &mut cohort).await?;
            flow.step(&cohort, &mut open, 0, on).await?;
            flow.step(&cohort, &mut open, 1, on).await?;
        }
        let answers = flow.export(&runs, workday(y, mo, 22)).await?;
        if m == 5 {
            flow.step(&cohort, &mut open, 2, workday(y, mo, 23)).await?;
        }
        flow.settle(answers, workday(y, mo, 26)).await?;
        if m == 5 {
            flow.decide(&mut books, &cohort, &open, workday(y, mo, 30))
                .await?;
        }
    }
    // The plan holds only if the ledger says so: a demo with other figures is refused.
    let paid: i64 = service
        .paid_by_month(&staff.jiuzhu, month(2013, 1)?, month(2013, 6)?, None)
        .await?
        .iter()
        .filter(|p| p.program == "dibao")
        .map(|p| p.amount_fen)
        .sum();
    if paid != DIBAO_PAID_FEN {
        return Err(corrupt(&format!(
            "低保 paid {paid} fen instead of {DIBAO_PAID_FEN}"
        )));
    }
    Ok(())
}

async fn payee(
    service: &Service,
    staff: &Staff,
    books: &mut Books,
    case: i64,
    h: &Household,
) -> Result<(), Error> {
    let n = books.payees;
    books.payees += 1;
    let (bank, prefix) = BANKS[n % BANKS.len()];
    // 104729 is prime, so the twelve digits differ for every household.
    let payload = format!(
        "{prefix}{:012}",
        (104_729 * n as u64 + 7) % 1_000_000_000_000
    );
    let digit = domain::bank::luhn_check_digit(&payload).map_err(|e| corrupt(&e.to_string()))?;
    let input = PayeeInput {
        holder: h
            .members
            .first()
            .map(|m| m.name.clone())
            .unwrap_or_default(),
        bank_name: bank.into(),
        account_number: format!("{payload}{digit}"),
        account_kind: "card".into(),
        ..PayeeInput::default()
    };
    service.set_payee(&staff.jiuzhu, case, &input).await?;
    Ok(())
}

async fn record(
    service: &Service,
    staff: &Staff,
    plan: &Plan,
    books: &Books,
    change: &Change,
) -> Result<(), Error> {
    let (i, kind, reason) = match change {
        Change::Birth(i, p) => (
            *i,
            ChangeKind::MemberJoins(member_input(p, "dibao")),
            "新生儿随父母共同生活,申报增员",
        ),
        Change::Leaves(i, id) | Change::Dies(i, id) => {
            let case = case_of(books, &plan.legacy[*i])?;
            let file = service.store().case_file(case).await?;
            let member_id = file
                .members
                .iter()
                .find(|m| &m.id_number == id)
                .map(|m| m.id)
                .ok_or_else(|| corrupt(&format!("case {case} has no member {id}")))?;
            match change {
                Change::Leaves(..) => (
                    *i,
                    ChangeKind::MemberLeaves { member_id },
                    "子女成家后迁出,另立户口",
                ),
                _ => (
                    *i,
                    ChangeKind::Death { member_id },
                    "本人病故,家属报告并提供死亡证明",
                ),
            }
        }
        Change::Income(i, fen) => (
            *i,
            ChangeKind::Income {
                income_per_capita: Fen::from_fen(*fen),
            },
            "家庭收入发生变化,重新核定月人均收入",
        ),
        Change::Ends(i, reason) => (
            *i,
            ChangeKind::Terminate { reason: *reason },
            match reason {
                TerminationReason::Means => "家庭收入超过保障标准,停发低保金",
                TerminationReason::WorkAbility => "家庭成员实现就业,收入稳定,停发低保金",
                TerminationReason::Withdrawal => "本人申请退出低保",
                TerminationReason::Support => "赡养人收入增加,能够履行赡养义务",
                _ => "全家迁往外县居住,在迁入地重新申请",
            },
        ),
    };
    let h = &plan.legacy[i];
    let case = case_of(books, h)?;
    let version = service.store().case_file(case).await?.case.version;
    let community = &plan.communities[h.community].0;
    let actor = if kind.is_decision() {
        &staff.jiuzhu
    } else {
        staff.investigator(community)
    };
    service
        .record_change(
            actor,
            case,
            version,
            ChangeInput {
                kind,
                effective: None,
                reason: reason.into(),
            },
        )
        .await?;
    Ok(())
}

fn case_of(books: &Books, h: &Household) -> Result<i64, Error> {
    books
        .cases
        .get(&h.key)
        .copied()
        .ok_or_else(|| corrupt(&format!("household {} has no case", h.key)))
}

/// Gives the May cohort the incomes that make the half year's 低保 total exact: see the
/// module documentation. Runs once May is approved: what the ledger holds for January to
/// May, plus June for every case, which is May's regular amount unless something takes
/// effect on 1 June (a change, a table, a birthday that crosses an age rule of the policy),
/// in which case the service computes it.
async fn balance(
    service: &Service,
    staff: &Staff,
    plan: &Plan,
    cohort: &mut [Household],
) -> Result<(), Error> {
    let (may, june) = (month(2013, 5)?, month(2013, 6)?);
    let paid: i64 = service
        .paid_by_month(&staff.jiuzhu, month(2013, 1)?, may, None)
        .await?
        .iter()
        .filter(|p| p.program == "dibao")
        .map(|p| p.amount_fen)
        .sum();
    let mut regular: HashMap<i64, i64> = HashMap::new();
    for e in service.store().ledger_all().await? {
        if e.program == "dibao" && e.kind == "regular" && e.benefit_month == may.to_string() {
            *regular.entry(e.case_id.unwrap_or(0)).or_default() += e.amount_fen;
        }
    }
    let standards = service.standards(&staff.jiuzhu).await?;
    let policies = service.policies(&staff.jiuzhu).await?;
    let care = service.care_standards(&staff.jiuzhu).await?;
    let (first, next) = (may.first_day(), june.first_day());
    let anew = |d: NaiveDate| first < d && d <= next;
    let tables_change = standards.iter().any(|s| anew(s.effective_from))
        || policies.iter().any(|p| anew(p.effective_from))
        || care.iter().any(|c| anew(c.effective_from));
    let ages: Vec<u32> = policies
        .iter()
        .flat_map(|p| &p.rules)
        .filter_map(|r| match r.condition {
            domain::assistance::Condition::AgeAtLeast { years } => Some(years),
            _ => None,
        })
        .collect();
    let mut due = 0i64;
    for c in service.store().payroll_cases("dibao", 0, 1_000_000).await? {
        let id = c.file.case.id;
        let birthday = c.file.members.iter().any(|m| {
            let (before, after) = (
                domain::age_on(m.birth_date, first),
                domain::age_on(m.birth_date, next),
            );
            ages.iter()
                .any(|&y| before.is_some_and(|a| a < y) && after.is_some_and(|a| a >= y))
        });
        let changed = c.changes.iter().any(|x| x.change.effective_from >= next)
            || c.file.case.benefit_end.is_some_and(|e| e < next);
        if tables_change || birthday || changed {
            if let MonthBenefit::Due(b) = service.benefit_for_month(&staff.jiuzhu, id, june).await?
            {
                due += b.total.as_fen();
            }
        } else {
            due += regular.get(&id).copied().unwrap_or(0);
        }
    }
    let rest = DIBAO_PAID_FEN - paid - due;
    // What each household would get in June with no income; an income X per head takes
    // X × members off it.
    let standards = StandardTable::new(standards).map_err(|e| corrupt(&e.to_string()))?;
    let policies = PolicyTable::new(policies).map_err(|e| corrupt(&e.to_string()))?;
    let mut full = 0i64;
    let mut natural = 0i64;
    let dibao: Vec<usize> = (0..cohort.len())
        .filter(|&j| cohort[j].program == "dibao")
        .collect();
    for &j in &dibao {
        let h = &cohort[j];
        let facts = HouseholdFacts {
            program: Program::Dibao,
            area: plan.communities[h.community].2,
            income_per_capita: Fen::ZERO,
            members: h
                .members
                .iter()
                .map(|p| MemberFacts {
                    birth_date: p.birth,
                    disability_grade: p.grade,
                    severe_illness: p.ill,
                    self_care: None,
                })
                .collect(),
        };
        let b = domain::assistance::monthly_benefit(&facts, june, &standards, &policies, &care)
            .map_err(|e| corrupt(&e.to_string()))?;
        full += b.total.as_fen();
        natural += h.income * h.members.len() as i64;
    }
    // Σ members × income must come to `full − rest`; spread the difference over the
    // households, the last (living alone) taking what is left to the fen.
    let mut diff = full - rest - natural;
    let needed = diff;
    let mut persons: i64 = dibao.iter().map(|&j| cohort[j].members.len() as i64).sum();
    for &j in &dibao {
        let h = &mut cohort[j];
        let n = h.members.len() as i64;
        // An equal share per person; the last household (one person) takes what is left.
        let step = if Some(&j) == dibao.last() {
            diff
        } else {
            diff / persons.max(1)
        };
        let income = (h.income + step).clamp(0, 38_000);
        diff -= (income - h.income) * n;
        persons -= n;
        h.income = income;
    }
    if diff != 0 {
        return Err(corrupt(&format!(
            "the May applicants cannot balance the 低保 total: their incomes × members \
             would have to change by {needed} fen, {diff} fen beyond their range \
             (adjust half_year::INCOME_BASE)"
        )));
    }
    Ok(())
}

/// The demo's own plan failed: a defect of this module, not of the data a user entered.
fn corrupt(detail: &str) -> Error {
    Error::Conflict {
        code: "demo.plan",
        detail: detail.to_owned(),
    }
}

fn month(y: i32, m: u32) -> Result<Month, Error> {
    Month::new(y, m).map_err(|e| corrupt(&e.to_string()))
}

/// Registers a month's applications, taken on `on`; returns each case with its version.
async fn register(
    service: &Service,
    staff: &Staff,
    plan: &Plan,
    cohort: &[Household],
    clock: &FixedClock,
    on: NaiveDate,
) -> Result<Vec<(i64, i64)>, Error> {
    clock.set(morning(on));
    let mut open = Vec::with_capacity(cohort.len());
    for h in cohort {
        let (code, cname, _) = &plan.communities[h.community];
        let case = service
            .register_application(
                staff.registrar(code),
                ApplicationInput {
                    community: code.clone(),
                    address: format!("{cname}{}号", 1 + h.key.len() * 7 % 90),
                    program: h.program.into(),
                    area: None,
                    members: h
                        .members
                        .iter()
                        .map(|p| member_input(p, h.program))
                        .collect(),
                    on_behalf: true,
                    applied_on: on,
                    note: "社区代为申请".into(),
                },
            )
            .await?;
        open.push((case, 1i64));
    }
    Ok(open)
}

/// What a month's work goes through.
struct Flow<'a> {
    service: &'a Service,
    staff: &'a Staff,
    plan: &'a Plan,
    clock: &'a FixedClock,
}

impl Flow<'_> {
    /// Records one step on every application of the cohort on `on`: 0 the means check, 1
    /// the home visit, 2 the notice (posted that day for seven days).
    async fn step(
        &self,
        cohort: &[Household],
        open: &mut [(i64, i64)],
        kind: u8,
        on: NaiveDate,
    ) -> Result<(), Error> {
        self.clock.set(morning(on));
        for (h, (case, version)) in cohort.iter().zip(open.iter_mut()) {
            let (step, note) = match kind {
                0 => (
                    Step::CheckMeans {
                        income_per_capita: Fen::from_fen(h.income),
                    },
                    "家庭经济状况核对",
                ),
                1 => (Step::VisitHome, "入户调查:家庭成员、住房和收入情况属实"),
                _ => (
                    Step::PostNotice { from: on },
                    "在社区(村)公示栏张榜公示七天",
                ),
            };
            let actor = self
                .staff
                .investigator(&self.plan.communities[h.community].0);
            *version = self
                .service
                .record_step(
                    actor,
                    *case,
                    *version,
                    StepInput {
                        step,
                        on,
                        note: note.into(),
                    },
                )
                .await?;
        }
        Ok(())
    }

    /// The district's approval on `on`, and each new household's payee.
    async fn decide(
        &self,
        books: &mut Books,
        cohort: &[Household],
        open: &[(i64, i64)],
        on: NaiveDate,
    ) -> Result<(), Error> {
        self.clock.set(morning(on));
        for (h, (case, version)) in cohort.iter().zip(open.iter()) {
            self.service
                .record_step(
                    &self.staff.jiuzhu,
                    *case,
                    *version,
                    StepInput {
                        step: Step::Approve,
                        on,
                        note: "公示无异议,审核确认".into(),
                    },
                )
                .await?;
            books.cases.insert(h.key.clone(), *case);
            payee(self.service, self.staff, books, *case, h).await?;
        }
        Ok(())
    }

    /// The month's runs prepared by `jiuzhu` on the 20th and approved by `jiuzhu2` on the
    /// 21st.
    async fn pay(&self, y: i32, m: u32) -> Result<Vec<i64>, Error> {
        let label = format!("{y}-{m:02}");
        self.clock.set(morning(workday(y, m, 20)));
        let runs = self
            .service
            .prepare_payroll(&self.staff.jiuzhu, &label, None, &mut |_| {})
            .await?;
        self.clock.set(morning(workday(y, m, 21)));
        self.service
            .approve_payroll_month(&self.staff.checker, &label)
            .await?;
        Ok(runs)
    }

    /// The runs' bank files, exported on `on`, with the bank's answer to each.
    async fn export(&self, runs: &[i64], on: NaiveDate) -> Result<Vec<(i64, Vec<u8>)>, Error> {
        self.clock.set(morning(on));
        let mut answers = Vec::with_capacity(runs.len());
        for run in runs {
            let export = self
                .service
                .export_bank_file(&self.staff.checker, *run, BankFormat::Csv, "")
                .await?;
            answers.push((*run, bank_answer(&export.file.bytes)?));
        }
        Ok(answers)
    }

    /// The bank's result files imported on `on`, which reconciles the runs.
    async fn settle(&self, answers: Vec<(i64, Vec<u8>)>, on: NaiveDate) -> Result<(), Error> {
        self.clock.set(morning(on));
        for (run, answer) in answers {
            let r = self
                .service
                .import_returns(&self.staff.checker, run, &answer)
                .await?;
            if !r.failed.is_empty() || !r.outstanding.is_empty() {
                return Err(corrupt(&format!("run {run} not reconciled")));
            }
        }
        Ok(())
    }
}

/// The bank's result file for an exported 代发 file: every payment made.
fn bank_answer(exported: &[u8]) -> Result<Vec<u8>, Error> {
    let text = domain::text::decode_utf8_or_gbk(exported)
        .ok_or_else(|| corrupt("the bank file is neither UTF-8 nor GBK"))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| corrupt(&e.to_string()))?
        .clone();
    let column = |title: &str| {
        headers
            .iter()
            .position(|h| h == title)
            .ok_or_else(|| corrupt(&format!("the bank file has no column {title}")))
    };
    let (key, amount) = (column("流水号")?, column("金额")?);
    let mut out = String::from("流水号,金额,状态\n");
    for row in reader.records() {
        let row = row.map_err(|e| corrupt(&e.to_string()))?;
        let _ = writeln!(
            out,
            "{},{},成功",
            row.get(key).unwrap_or_default(),
            row.get(amount).unwrap_or_default()
        );
    }
    Ok(out.into_bytes())
}
