//! Outside-oracle test: the pain.001.001.09 files we write, validated against the official
//! ISO 20022 XSD that PyPI `sepaxml` 2.7.0 ships, by Python's `lxml` (libxml2), and their
//! counts and control sums recomputed there with `decimal` from the amounts in the file.
//!
//! Several batches: one line of 0.01 yuan, many lines with Chinese names, characters that
//! need escaping, long ledger keys (mapped end-to-end ids), banks with and without a CNAPS
//! code, and amounts up to the largest total a file can state. A deliberately broken copy of
//! a file must be rejected, so a validator that accepts everything cannot pass.
//!
//! Needs `pip install lxml==6.1.3 sepaxml==2.7.0`. Without them the test prints a note and
//! passes, except under CI (`CI=true`), where a silently skipped oracle would be a hole in
//! the suite, so it fails.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::Command;

use chrono::{DateTime, NaiveDate};
use domain::Fen;
use domain::bank::batch::MAX_TOTAL_FEN;
use domain::bank::{
    AccountKind, Bank, BankAccount, BatchHeader, PaymentBatch, PaymentLine, luhn_check_digit,
    write_pain001,
};

const SEPAXML_VERSION: &str = "2.7.0";

/// Arguments: XML files. Prints `VERSION …`, then per file `ok` or `invalid: <first error>`;
/// `NO_ORACLE <why>` if lxml or sepaxml is missing.
const SCRIPT: &str = r#"
import sys, os
from decimal import Decimal
try:
    from importlib.metadata import version
    import sepaxml
    from lxml import etree
except ImportError as e:
    print("NO_ORACLE " + str(e))
    sys.exit(0)
print("VERSION " + version("sepaxml"))
xsd = os.path.join(os.path.dirname(sepaxml.__file__), "schemas", "pain.001.001.09.xsd")
schema = etree.XMLSchema(etree.parse(xsd))
ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}
for path in sys.argv[1:]:
    doc = etree.parse(path)
    if not schema.validate(doc):
        print("invalid: " + str(schema.error_log.last_error).replace("\n", " "))
        continue
    amounts = [Decimal(a.text) for a in doc.findall(".//p:CdtTrfTxInf/p:Amt/p:InstdAmt", ns)]
    total = sum(amounts, Decimal(0))
    problems = []
    for where in ("p:GrpHdr", "p:PmtInf"):
        n = doc.find(".//%s/p:NbOfTxs" % where, ns).text
        s = Decimal(doc.find(".//%s/p:CtrlSum" % where, ns).text)
        if int(n) != len(amounts):
            problems.append("%s NbOfTxs %s != %d" % (where, n, len(amounts)))
        if s != total:
            problems.append("%s CtrlSum %s != %s" % (where, s, total))
    ccy = {a.get("Ccy") for a in doc.findall(".//p:InstdAmt", ns)}
    if ccy != {"CNY"}:
        problems.append("currencies %s" % ccy)
    print("sums: " + "; ".join(problems) if problems else "ok")
"#;

/// A small deterministic generator: the same files on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[usize::try_from(self.below(items.len() as u64)).unwrap()]
    }
}

const SURNAMES: &[&str] = &[
    "张",
    "王",
    "李",
    "赵",
    "欧阳",
    "司马",
    "钱",
    "孙",
    "O'Brien & ",
];
const GIVEN: &[&str] = &[
    "三", "小明", "娜娜", "建国", "秀英", "<强>", "\"伟\"", "淑珍",
];
const BANKS: &[(&str, &str)] = &[
    ("中国工商银行北京东城支行", "102100000030"),
    ("中国农业银行北京分行", "103100000026"),
    ("北京农商银行 & 信用社", ""),
    ("中国邮政储蓄银行东城区支行", ""),
];

fn card(rng: &mut Lcg) -> String {
    let len = 15 + rng.below(4);
    let payload: String = std::iter::once('6')
        .chain((1..len).map(|_| char::from(b'0' + u8::try_from(rng.below(10)).unwrap())))
        .collect();
    format!("{payload}{}", luhn_check_digit(&payload).unwrap())
}

fn account(rng: &mut Lcg, holder: &str) -> BankAccount {
    let (name, code) = BANKS[usize::try_from(rng.below(BANKS.len() as u64)).unwrap()];
    let bank = Bank::new(name, code).unwrap();
    if rng.below(4) == 0 {
        let len = 8 + rng.below(25);
        let number: String = (0..len)
            .map(|_| char::from(b'0' + u8::try_from(rng.below(10)).unwrap()))
            .collect();
        BankAccount::new(holder, bank, &number, AccountKind::Book).unwrap()
    } else {
        BankAccount::new(holder, bank, &card(rng), AccountKind::Card).unwrap()
    }
}

fn header(id: &str) -> BatchHeader {
    let bank = Bank::new("中国农业银行北京分行", "103100000026").unwrap();
    BatchHeader {
        message_id: id.into(),
        created_at: DateTime::parse_from_rfc3339("2013-01-25T09:30:00+08:00").unwrap(),
        execution_date: NaiveDate::from_ymd_opt(2013, 1, 28).unwrap(),
        debtor: BankAccount::new(
            "北京市东城区民政局",
            bank,
            "11010101040001234",
            AccountKind::Book,
        )
        .unwrap(),
    }
}

fn line(rng: &mut Lcg, i: usize, fen: i64) -> PaymentLine {
    let holder = format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN));
    let key = if rng.below(3) == 0 {
        // Longer than 35 characters, with characters outside the id set.
        format!("tekun_dispersed/990101001001-{i:06}/2013-01/arrears/低保")
    } else {
        format!("dibao/{i}/2013-01/regular")
    };
    PaymentLine {
        key,
        account: account(rng, &holder),
        amount: Fen::from_fen(fen),
        purpose: if rng.below(5) == 0 {
            String::new()
        } else {
            "2013年1月低保金 <补发> & 调整".into()
        },
        reference: format!("户 {i}"),
        id_number: None,
    }
}

fn batches() -> Vec<(String, PaymentBatch)> {
    let mut rng = Lcg(20_130_101);
    let mut out = Vec::new();
    let one = vec![line(&mut rng, 1, 1)];
    out.push((
        "one-fen".into(),
        PaymentBatch::new(header("PR-2013-01-ONE"), one).unwrap(),
    ));
    let many: Vec<PaymentLine> = (1..=500)
        .map(|i| {
            let fen = i64::try_from(1 + rng.below(2_000_000)).unwrap();
            line(&mut rng, i, fen)
        })
        .collect();
    out.push((
        "many".into(),
        PaymentBatch::new(header("PR-2013-01/0002"), many).unwrap(),
    ));
    // The largest total a file can state, split over three lines.
    let third = MAX_TOTAL_FEN / 3;
    let large = vec![
        line(&mut rng, 1, third),
        line(&mut rng, 2, third),
        line(&mut rng, 3, MAX_TOTAL_FEN - 2 * third),
    ];
    out.push((
        "large".into(),
        PaymentBatch::new(header("PR 2013 (large)"), large).unwrap(),
    ));
    let round = vec![
        line(&mut rng, 1, 100),
        line(&mut rng, 2, 10),
        line(&mut rng, 3, 123_456_789),
    ];
    out.push((
        "round".into(),
        PaymentBatch::new(header("a"), round).unwrap(),
    ));
    out
}

#[test]
fn generated_pain001_validates_against_the_official_xsd() {
    let dir = std::env::temp_dir().join(format!("minzheng-pain001-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut names = Vec::new();
    for (name, batch) in batches() {
        let file = write_pain001(&batch, &name);
        let path = dir.join(&file.name);
        std::fs::write(&path, &file.bytes).unwrap();
        paths.push(path);
        names.push(name);
    }
    // A broken copy: an unknown payment method. The oracle must refuse it.
    let good = std::fs::read_to_string(&paths[0]).unwrap();
    let broken = dir.join("broken.xml");
    std::fs::write(
        &broken,
        good.replace("<PmtMtd>TRF</PmtMtd>", "<PmtMtd>XXX</PmtMtd>"),
    )
    .unwrap();
    paths.push(broken);

    let output = Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .args(&paths)
        .output();
    let unavailable = |why: String| {
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the pain.001 XSD oracle cannot run ({why}): .ci/run must \
             `pip install lxml==6.1.3 sepaxml==2.7.0`"
        );
        eprintln!(
            "note: skipping the pain.001 XSD oracle ({why}); \
             run `pip install lxml==6.1.3 sepaxml==2.7.0` to enable it"
        );
    };
    let output = match output {
        Ok(o) => o,
        Err(e) => return unavailable(format!("cannot run python3: {e}")),
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the oracle script failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut lines = stdout.lines();
    match lines.next() {
        Some(l) if l.starts_with("NO_ORACLE") => return unavailable(l.to_owned()),
        Some(l) if l == format!("VERSION {SEPAXML_VERSION}") => {}
        other => {
            return unavailable(format!(
                "sepaxml {other:?} is installed, the test is written against {SEPAXML_VERSION}"
            ));
        }
    }
    let verdicts: Vec<&str> = lines.collect();
    assert_eq!(
        verdicts.len(),
        paths.len(),
        "one verdict per file: {stdout}"
    );
    for (name, verdict) in names.iter().zip(&verdicts) {
        assert_eq!(*verdict, "ok", "{name}.xml in {}", dir.display());
    }
    assert!(
        verdicts[names.len()].starts_with("invalid"),
        "the broken file passed: the oracle checks nothing"
    );
    eprintln!(
        "pain.001 XSD oracle: {} files valid against sepaxml {SEPAXML_VERSION}'s XSD, sums agree",
        names.len()
    );
    if std::env::var_os("MINZHENG_KEEP_PAIN001").is_none() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
