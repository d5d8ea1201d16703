//! A synthetic legacy roster of the demo district for payroll tests and the payroll
//! benchmark: the shape of a real district's caseload (78 % 低保, 20 % 特困 at home, 2 % in a
//! home; about 2.7 persons per household; elderly, disabled and seriously ill members in
//! realistic shares), enrolled before 2013, with a few households joining and leaving during
//! January–June 2013 so that runs have additions and stops. Deterministic: the same `n`
//! gives the same files. The files are the roster import's CSV (`minzheng import
//! assistance`), so the data goes in through the real import.

use std::fmt::Write as _;

use chrono::{Duration, NaiveDate};
use domain::ResidentId;

/// Sizes of 低保 households, cycled (3.1 persons on average).
const DIBAO_SIZES: [usize; 10] = [3, 4, 2, 3, 4, 3, 3, 2, 4, 3];

/// Birth-date ranges (first day, length in days) of the three age groups: elderly
/// (1920–1954), working age (1955–1989), children and young people (1990–2011).
const AGE_GROUPS: [(i32, i64); 3] = [(1920, 12_784), (1955, 12_784), (1990, 8_035)];

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// The programme of household `i`: 2 % centralised, 20 % dispersed 特困, the rest 低保.
pub fn program_of(i: usize) -> &'static str {
    match i % 50 {
        0 => "tekun_centralized",
        1..=10 => "tekun_dispersed",
        _ => "dibao",
    }
}

/// Households, persons and standards CSV text of a roster of `n` households.
pub fn synthetic(n: usize) -> (String, String, String) {
    let communities: Vec<(String, String)> = crate::demo::divisions_csv()
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split(',');
            let code = f.next()?.to_owned();
            let area = f.nth(1)?.to_owned();
            (!code.ends_with("000")).then_some((code, area))
        })
        .collect();
    let mut h = String::with_capacity(n * 72);
    let mut p = String::with_capacity(n * 3 * 80);
    h.push_str("household_id,community_code,program,area,enrolled_on,exited_on,income_fen\n");
    p.push_str(
        "person_id,household_id,id_number,birth_date,sex,relation,disability_grade,severe_illness\n",
    );
    let mut counters = [0i64; 3];
    let mut k: u64 = 0;
    let enrol_base = day(2008, 1, 1);
    for i in 0..n {
        let (code, area) = &communities[i % communities.len()];
        let program = program_of(i);
        let tekun = program != "dibao";
        // Most were enrolled over the five years before 2013; every 40th joins in 2013
        // (additions in the runs), every 25th leaves during the half year (stops).
        // Every modulus below is small, so the conversions cannot fail.
        let small = |n: usize| u32::try_from(n).unwrap_or(0);
        let enrolled = if i % 40 == 7 {
            day(2013, 2 + small(i / 40 % 5), 1)
        } else {
            enrol_base + Duration::days(i64::from(small(i % 1_795)))
        };
        let exited = if i % 25 == 3 {
            day(2013, 1 + small(i / 25 % 6), 15).to_string()
        } else {
            String::new()
        };
        let income = if tekun || i.is_multiple_of(7) {
            0
        } else {
            (i as u64 * 3_701) % 30_000
        };
        let _ = writeln!(
            h,
            "H{i:07},{code},{program},{area},{enrolled},{exited},{income}"
        );
        let size = if tekun {
            1 + usize::from(i % 5 == 2)
        } else {
            DIBAO_SIZES[i % DIBAO_SIZES.len()]
        };
        for m in 0..size {
            // Age group: 特困 persons are elderly; a 低保 head is of working age (elderly in
            // every fourth household), then a spouse, children, and an elderly parent.
            let (group, relation) = match (tekun, m) {
                (true, 0) => (0, "head"),
                (true, _) => (1, "sibling"),
                (false, 0) => (usize::from(i % 4 != 0), "head"),
                (false, 1) => (1, "spouse"),
                (false, 3) => (0, "parent"),
                (false, _) => (2, "child"),
            };
            let (year, span) = AGE_GROUPS[group];
            let c = counters[group];
            counters[group] += 1;
            let birth = day(year, 1, 1) + Duration::days(c % span);
            let seq = u16::try_from((c / span) * 3 + i64::from(small(group))).unwrap_or(999);
            let Ok(id) = ResidentId::synthetic("990101", birth, seq.min(999)) else {
                continue;
            };
            let sex = if seq % 2 == 1 { "M" } else { "F" };
            // About 8 % disabled (grades 1–4), 9 % seriously ill; more among the elderly.
            let grade = if k.is_multiple_of(13) || (group == 0 && k.is_multiple_of(17)) {
                1 + k % 4
            } else {
                0
            };
            let ill = u8::from(k.is_multiple_of(11) || (group == 0 && k.is_multiple_of(19)));
            let _ = writeln!(
                p,
                "P{k:08},H{i:07},{},{birth},{sex},{relation},{grade},{ill}",
                id.as_str(),
            );
            k += 1;
        }
    }
    let mut s = String::from("program,area,effective_from,amount_fen\n");
    for (program, area, from, yuan) in crate::demo::STANDARDS {
        let _ = writeln!(s, "{program},{area},{from},{}", yuan * 100);
    }
    (h, p, s)
}
