//! ISO 20022 `pain.001.001.09` (CustomerCreditTransferInitiationV09): the XML credit-transfer
//! order banks accept from corporate clients.
//!
//! One message holds one payment instruction (`PmtInf`) for the whole batch, debiting the
//! bureau's account on the requested execution date, with one `CdtTrfTxInf` per line.
//! Choices made where the standard leaves room:
//!
//! - `MsgId` and `PmtInfId` are both the batch's id (one instruction per message).
//! - Accounts are domestic, not IBANs: `DbtrAcct`/`CdtrAcct` carry `Id/Othr/Id` with the
//!   digits.
//! - Banks are named (`FinInstnId/Nm`) and, where the 12-digit CNAPS code is known,
//!   identified by it (`ClrSysMmbId` with clearing system code `CNAPS`).
//! - `EndToEndId` is [`end_to_end_id`] of the ledger key (the key itself when it fits 35
//!   characters), so the bank's report names the ledger entry.
//! - Amounts and control sums are written from integer fen (`1234.56`), never through a
//!   float; `Ccy` is `CNY`.
//! - `CreDtTm` is the batch's creation time with its offset (`2013-01-25T09:30:00+08:00`).
//!
//! Text goes through quick-xml's escaping; [`super::PaymentBatch::new`] has already refused
//! the control characters XML 1.0 cannot carry at all.

use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::account::{Bank, BankAccount};
use super::batch::{PaymentBatch, end_to_end_id};
use super::{BankFile, XML};

/// The message's namespace, which names its version.
pub const NAMESPACE: &str = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09";

/// The batch as a pain.001.001.09 document, UTF-8, named `{stem}.xml`.
#[must_use]
pub fn write_pain001(batch: &PaymentBatch, stem: &str) -> BankFile {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing into a Vec cannot fail; an error here would be a bug in quick-xml.
    let written = document(&mut w, batch);
    debug_assert!(written.is_ok());
    let mut bytes = w.into_inner();
    bytes.push(b'\n');
    BankFile::new(format!("{stem}.xml"), XML, bytes)
}

type W = Writer<Vec<u8>>;

fn text(w: &mut W, name: &str, value: &str) -> io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(value))?;
    Ok(())
}

fn document(w: &mut W, batch: &PaymentBatch) -> io::Result<()> {
    let h = batch.header();
    let count = batch.len().to_string();
    let total = batch.total().yuan();
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("Document")
        .with_attribute(("xmlns", NAMESPACE))
        .write_inner_content(|w| {
            w.create_element("CstmrCdtTrfInitn")
                .write_inner_content(|w| {
                    w.create_element("GrpHdr").write_inner_content(|w| {
                        text(w, "MsgId", &h.message_id)?;
                        let created = h.created_at.format("%Y-%m-%dT%H:%M:%S%:z").to_string();
                        text(w, "CreDtTm", &created)?;
                        text(w, "NbOfTxs", &count)?;
                        text(w, "CtrlSum", &total)?;
                        party(w, "InitgPty", h.debtor.holder())
                    })?;
                    w.create_element("PmtInf").write_inner_content(|w| {
                        text(w, "PmtInfId", &h.message_id)?;
                        text(w, "PmtMtd", "TRF")?;
                        text(w, "NbOfTxs", &count)?;
                        text(w, "CtrlSum", &total)?;
                        w.create_element("ReqdExctnDt").write_inner_content(|w| {
                            text(w, "Dt", &h.execution_date.format("%Y-%m-%d").to_string())
                        })?;
                        party(w, "Dbtr", h.debtor.holder())?;
                        account(w, "DbtrAcct", &h.debtor)?;
                        agent(w, "DbtrAgt", h.debtor.bank())?;
                        for line in batch.lines() {
                            w.create_element("CdtTrfTxInf").write_inner_content(|w| {
                                w.create_element("PmtId").write_inner_content(|w| {
                                    text(w, "EndToEndId", &end_to_end_id(&line.key))
                                })?;
                                w.create_element("Amt").write_inner_content(|w| {
                                    w.create_element("InstdAmt")
                                        .with_attribute(("Ccy", "CNY"))
                                        .write_text_content(BytesText::new(&line.amount.yuan()))?;
                                    Ok(())
                                })?;
                                agent(w, "CdtrAgt", line.account.bank())?;
                                party(w, "Cdtr", line.account.holder())?;
                                account(w, "CdtrAcct", &line.account)?;
                                if !line.purpose.is_empty() {
                                    w.create_element("RmtInf")
                                        .write_inner_content(|w| text(w, "Ustrd", &line.purpose))?;
                                }
                                Ok(())
                            })?;
                        }
                        Ok(())
                    })?;
                    Ok(())
                })?;
            Ok(())
        })?;
    Ok(())
}

fn party(w: &mut W, name: &str, holder: &str) -> io::Result<()> {
    w.create_element(name)
        .write_inner_content(|w| text(w, "Nm", holder))?;
    Ok(())
}

fn account(w: &mut W, name: &str, account: &BankAccount) -> io::Result<()> {
    w.create_element(name).write_inner_content(|w| {
        w.create_element("Id").write_inner_content(|w| {
            w.create_element("Othr")
                .write_inner_content(|w| text(w, "Id", account.number().as_str()))?;
            Ok(())
        })?;
        Ok(())
    })?;
    Ok(())
}

fn agent(w: &mut W, name: &str, bank: &Bank) -> io::Result<()> {
    w.create_element(name).write_inner_content(|w| {
        w.create_element("FinInstnId").write_inner_content(|w| {
            if let Some(code) = bank.code() {
                w.create_element("ClrSysMmbId").write_inner_content(|w| {
                    w.create_element("ClrSysId")
                        .write_inner_content(|w| text(w, "Cd", "CNAPS"))?;
                    text(w, "MmbId", code)
                })?;
            }
            text(w, "Nm", bank.name())
        })?;
        Ok(())
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Fen;
    use crate::bank::batch::tests::{header, line};
    use quick_xml::Reader;

    /// Every (element path, text) pair of a document, read back with quick-xml.
    fn texts(xml: &[u8]) -> Vec<(String, String)> {
        let xml = std::str::from_utf8(xml).unwrap();
        let mut reader = Reader::from_str(xml);
        let mut path: Vec<String> = Vec::new();
        let mut out: Vec<(String, String)> = Vec::new();
        let push = |path: &[String], text: &str, out: &mut Vec<(String, String)>| {
            let at = path.join("/");
            match out.last_mut() {
                Some((p, s)) if *p == at => s.push_str(text),
                _ => out.push((at, text.to_owned())),
            }
        };
        loop {
            match reader.read_event().unwrap() {
                Event::Start(e) => path.push(e.name().as_ref().to_owned()),
                Event::End(_) => {
                    path.pop();
                }
                Event::Text(t) => {
                    push(&path, &t.xml10_content(), &mut out);
                }
                // `&amp;` and friends arrive as references of their own.
                Event::GeneralRef(r) => {
                    let ch = match r.as_ref() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        other => panic!("unexpected reference {other}"),
                    };
                    push(&path, ch, &mut out);
                }
                Event::Eof => break,
                _ => {}
            }
        }
        // Indentation between elements is not content.
        out.retain(|(_, text)| !text.trim().is_empty());
        out
    }

    fn values<'a>(texts: &'a [(String, String)], suffix: &str) -> Vec<&'a str> {
        texts
            .iter()
            .filter(|(p, _)| p.ends_with(suffix))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    #[test]
    fn control_sums_read_back_exactly() {
        let batch = PaymentBatch::new(
            header(),
            vec![
                line("dibao/1/2013-01/regular", "张三", "6222021234567890128", 1),
                line(
                    "dibao/2/2013-01/regular",
                    "李四 & <Sons>",
                    "4111111111111111",
                    123_456,
                ),
                line(
                    &"k".repeat(60),
                    "王五",
                    "0200004509089131550",
                    10_000_000_000_000,
                ),
            ],
        )
        .unwrap();
        let file = write_pain001(&batch, "pr");
        assert_eq!(file.name, "pr.xml");
        let t = texts(&file.bytes);
        let sums = values(&t, "CtrlSum");
        assert_eq!(sums, ["100000001234.57", "100000001234.57"]);
        let amounts: Vec<Fen> = values(&t, "InstdAmt")
            .iter()
            .map(|a| Fen::from_yuan_str(a).unwrap())
            .collect();
        assert_eq!(
            Fen::checked_sum(amounts.iter().copied()),
            Some(batch.total())
        );
        assert_eq!(Fen::from_yuan_str(sums[0]).unwrap(), batch.total());
        assert_eq!(values(&t, "GrpHdr/NbOfTxs"), ["3"]);
        assert_eq!(values(&t, "Cdtr/Nm")[1], "李四 & <Sons>");
        assert_eq!(values(&t, "EndToEndId")[0], "dibao/1/2013-01/regular");
        assert_eq!(values(&t, "EndToEndId")[2], end_to_end_id(&"k".repeat(60)));
        assert_eq!(values(&t, "CreDtTm"), ["2013-01-25T09:30:00+08:00"]);
        assert_eq!(values(&t, "ReqdExctnDt/Dt"), ["2013-01-28"]);
        assert_eq!(values(&t, "DbtrAcct/Id/Othr/Id"), ["11010101040001234"]);
        assert_eq!(
            values(&t, "DbtrAgt/FinInstnId/ClrSysMmbId/MmbId"),
            ["103100000026"]
        );
        let xml = String::from_utf8(file.bytes).unwrap();
        assert!(xml.contains("李四 &amp; &lt;Sons&gt;"), "escaped");
        assert!(xml.contains("<InstdAmt Ccy=\"CNY\">0.01</InstdAmt>"));
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    }
}
