//! `minzheng report`: the half-year report for a period and a division, written to a file
//! as HTML (printable), XLSX, JSON, the narrative draft as .docx, or as plain text. Run as
//! the console operator, like the other commands. The file is written to a temporary name
//! beside the target and renamed into place, so a refusal or a failure leaves no partial
//! file.

use std::io::Write as _;
use std::path::Path;

use anyhow::Context;
use service::{Actor, Service};

/// The formats `--format` accepts.
pub const FORMATS: &[&str] = &["html", "xlsx", "json", "docx", "txt"];

pub async fn run(
    service: &Service,
    from: &str,
    to: &str,
    division: Option<&str>,
    format: &str,
    out: &Path,
) -> anyhow::Result<()> {
    let format = format.trim().to_ascii_lowercase();
    if !FORMATS.contains(&format.as_str()) {
        return Err(service::reports::unknown_format(&format).into());
    }
    let report = service
        .generate_report(&Actor::system(), from, to, division)
        .await?;
    let i18n = web::I18n::load();
    let t = i18n.tr(web::Lang::ZhCn);
    let bytes = match format.as_str() {
        "html" => web::reports::print_html(t, &report)
            .context("the report page did not render")?
            .into_bytes(),
        "xlsx" => web::reports::xlsx(&t, &report).context("the workbook could not be built")?,
        "json" => serde_json::to_vec_pretty(&web::reports::json(&report))?,
        "docx" => web::reports::docx(&report).context("the document could not be built")?,
        _ => web::reports::narrative_text(&report).into_bytes(),
    };
    write_atomically(out, &bytes)?;
    println!(
        "报表 {} 已写入 {} / report {} written to {} (SHA-256 {})",
        report.id,
        out.display(),
        report.id,
        out.display(),
        report.hash
    );
    Ok(())
}

/// Writes `bytes` to a temporary file in `out`'s folder, then renames it to `out`.
fn write_atomically(out: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let name = out
        .file_name()
        .with_context(|| format!("{} names no file", out.display()))?;
    let tmp = dir.join(format!(".{}.part", name.to_string_lossy()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)
            .with_context(|| format!("cannot create {}", tmp.display()))?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, out).with_context(|| format!("cannot write {}", out.display()))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
