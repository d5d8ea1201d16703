//! Reports (统计与总结): generate the half-year report for a period and a division, read it
//! as a printable page with server-drawn SVG charts, download it as XLSX, JSON or the
//! narrative draft, and open the records behind any figure (paged, exportable, masked).
//!
//! The renderers ([`xlsx`], [`json`], [`print_html`], [`narrative_text`], [`docx`]) are
//! public: `minzheng report` writes the same files. A report page shows the stored report
//! computed again at its cut-off, so what the reader sees is what was generated.

pub mod dashboard;

use askama::Template;
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::reports::{INDICATORS, Kind, Unit};
use domain::{Fen, reports::indicator};
use serde::Deserialize;
use service::reports::{Figure, Report};
use store::ReportRecord;

use crate::auth::{ApiCaller, Signed};
use crate::export::{self, Table};
use crate::reject::{ApiQuery, Form, Json as ApiJson, Query};
use crate::{ApiError, AppState, Lang, Me, PageError, Tr};

/// Records a drill-down page shows.
pub const PAGE_ROWS: i64 = 50;
/// The report's print style, served as a file (the CSP allows no inline style) and
/// embedded in the file `minzheng report --format html` writes.
pub const PRINT_CSS: &str = include_str!("../static/reports.css");

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(dashboard::routes())
        .route("/reports", get(form_page).post(generate))
        .route("/reports/{id}", get(report_page))
        .route("/reports/{id}/report.xlsx", get(report_xlsx))
        .route("/reports/{id}/narrative.docx", get(report_docx))
        .route("/reports/{id}/records/{code}", get(records_page))
        .route(
            "/reports/{id}/records/{code}/export.xlsx",
            get(records_xlsx),
        )
        .route("/api/v1/reports", post(api_generate))
        .route("/api/v1/reports/{id}", get(api_report))
        .route("/api/v1/reports/{id}/records/{code}", get(api_records))
}

// ---------------------------------------------------------------------------------------
// Renderers, shared with the CLI

/// The report as JSON: parameters, cut-off, hash, every figure (value in its unit's base:
/// a count, fen, or hundredths of a percent for a rate, and as displayed), the street breakdown, the months and the narrative.
pub fn json(report: &Report) -> serde_json::Value {
    let figures: Vec<serde_json::Value> = report
        .figures
        .iter()
        .map(|f| {
            serde_json::json!({
                "code": f.indicator.code,
                "label_zh": f.indicator.zh,
                "label_en": f.indicator.en,
                "kind": f.indicator.kind.as_str(),
                "unit": f.indicator.unit.zh(),
                "value": f.value,
                "display": f.text(),
                "by_street": f.by_street.iter().map(|(code, name, v)| serde_json::json!({
                    "code": format!("{code}000"), "name": name, "value": v,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let months: Vec<serde_json::Value> = report
        .months
        .iter()
        .map(|m| {
            serde_json::json!({
                "month": m.month.to_string(),
                "dibao_households": m.dibao_households,
                "dibao_persons": m.dibao_persons,
                "tekun_persons": m.tekun_persons,
                "dibao_paid_fen": m.dibao_paid.as_fen(),
                "tekun_paid_fen": m.tekun_paid.as_fen(),
            })
        })
        .collect();
    serde_json::json!({
        "id": report.id,
        "from": report.period.from().to_string(),
        "to": report.period.to().to_string(),
        "division": report.division.as_str(),
        "division_name": report.division_name,
        "cutoff": report.cutoff.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "sha256": report.hash,
        "figures": figures,
        "months": months,
        "narrative": report.narrative(),
    })
}

/// The narrative draft as plain text, one sentence group a paragraph.
pub fn narrative_text(report: &Report) -> String {
    let mut text = report.narrative().join("\n");
    text.push('\n');
    text
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The narrative draft as a minimal Word document (WordprocessingML in a zip): one
/// paragraph per sentence group, in the reader's default Chinese font.
pub fn docx(report: &Report) -> Result<Vec<u8>, std::io::Error> {
    use std::io::Write as _;
    let title = format!(
        "{}{}至{}统计数据",
        report.division_name,
        report.period.from(),
        report.period.to()
    );
    let paragraphs: String = std::iter::once(&title)
        .chain(report.narrative().iter())
        .map(|p| {
            format!(
                "<w:p><w:r><w:rPr><w:rFonts w:eastAsia=\"SimSun\"/></w:rPr>\
                 <w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
                xml_escape(p)
            )
        })
        .collect();
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
         <w:body>{paragraphs}<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/></w:sectPr>\
         </w:body></w:document>"
    );
    let parts: [(&str, String); 3] = [
        (
            "[Content_Types].xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
             <Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
             <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
             <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
             <Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
             </Types>"
                .to_owned(),
        ),
        (
            "_rels/.rels",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
             <Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
             <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
             </Relationships>"
                .to_owned(),
        ),
        ("word/document.xml", document),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, body) in parts {
        zip.start_file(name, options)
            .map_err(std::io::Error::other)?;
        zip.write_all(body.as_bytes())?;
    }
    Ok(zip.finish().map_err(std::io::Error::other)?.into_inner())
}

/// Fen as yuan for a spreadsheet number: exact to the fen, so columns add up.
fn yuan_number(fen: i64) -> String {
    Fen::from_fen(fen).yuan()
}

/// The report as a workbook: 指标 (every figure), 分街道 (the street breakdown with a
/// total row), 月度 (the months, with a total row for the money), 文稿 (the narrative).
/// Money is in yuan to the fen, so a sheet's total is the sum of its rows exactly.
pub fn xlsx(t: &Tr<'_>, report: &Report) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    let whole = Format::new().set_num_format("#,##0");
    let header = |ws: &mut rust_xlsxwriter::Worksheet, cols: &[String]| {
        for (c, h) in (0u16..).zip(cols) {
            ws.write_string_with_format(0, c, h, &bold)?;
            ws.set_column_width(c, 16)?;
        }
        ws.set_freeze_panes(1, 0)?;
        Ok::<_, rust_xlsxwriter::XlsxError>(())
    };

    let ws = book.add_worksheet();
    ws.set_name(t.get("reports-sheet-figures"))?;
    header(
        ws,
        &[
            t.get("reports-col-code"),
            t.get("reports-col-indicator"),
            t.get("reports-col-kind"),
            t.get("reports-col-value"),
            t.get("reports-col-unit"),
        ],
    )?;
    for (r, f) in (1u32..).zip(&report.figures) {
        ws.write_string(r, 0, f.indicator.code)?;
        ws.write_string(r, 1, label(t, f.indicator))?;
        ws.write_string(
            r,
            2,
            t.get(&format!("reports-kind-{}", f.indicator.kind.as_str())),
        )?;
        ws.write_number(r, 3, f.text().parse::<f64>().unwrap_or(0.0))?;
        ws.write_string(r, 4, f.indicator.unit.zh())?;
    }

    // Streets: one column per figure that breaks down; money in yuan.
    let broken: Vec<&Figure> = report
        .figures
        .iter()
        .filter(|f| f.indicator.kind != Kind::Fact)
        .collect();
    let mut streets: Vec<(String, String)> = Vec::new();
    for f in &broken {
        for (code, name, _) in &f.by_street {
            if !streets.iter().any(|(c, _)| c == code) {
                streets.push((code.clone(), name.clone()));
            }
        }
    }
    streets.sort();
    let ws = book.add_worksheet();
    ws.set_name(t.get("reports-sheet-streets"))?;
    let mut cols = vec![
        t.get("reports-col-division-code"),
        t.get("reports-col-division"),
    ];
    cols.extend(broken.iter().map(|f| {
        if f.indicator.unit.is_money() {
            format!("{}({})", label(t, f.indicator), t.get("reports-unit-yuan"))
        } else if f.indicator.unit == Unit::Percent {
            format!("{}(%)", label(t, f.indicator))
        } else {
            label(t, f.indicator)
        }
    }));
    header(ws, &cols)?;
    let cell = |f: &Figure, v: i64| -> f64 {
        if f.indicator.unit.is_money() {
            yuan_number(v).parse().unwrap_or(0.0)
        } else if f.indicator.unit == Unit::Percent {
            Unit::Percent.format(v).parse().unwrap_or(0.0)
        } else {
            v as f64
        }
    };
    let percent = Format::new().set_num_format("0.00");
    // A rate's total row is the district's rate (its figure), not the streets' sum.
    let format_of = |f: &Figure| {
        if f.indicator.unit.is_money() {
            &money
        } else if f.indicator.unit == Unit::Percent {
            &percent
        } else {
            &whole
        }
    };
    for (r, (code, name)) in (1u32..).zip(&streets) {
        ws.write_string(r, 0, format!("{code}000"))?;
        ws.write_string(r, 1, name)?;
        for (c, f) in (2u16..).zip(&broken) {
            let v = f
                .by_street
                .iter()
                .find(|(k, _, _)| k == code)
                .map_or(0, |(_, _, v)| *v);
            ws.write_number_with_format(r, c, cell(f, v), format_of(f))?;
        }
    }
    let total_row = u32::try_from(streets.len()).unwrap_or(u32::MAX - 1) + 1;
    ws.write_string_with_format(total_row, 1, t.get("reports-total"), &bold)?;
    for (c, f) in (2u16..).zip(&broken) {
        ws.write_number_with_format(total_row, c, cell(f, f.value), format_of(f))?;
    }

    let ws = book.add_worksheet();
    ws.set_name(t.get("reports-sheet-months"))?;
    header(
        ws,
        &[
            t.get("reports-col-month"),
            t.get("reports-col-dibao-households"),
            t.get("reports-col-dibao-persons"),
            t.get("reports-col-tekun-persons"),
            t.get("reports-col-dibao-paid"),
            t.get("reports-col-tekun-paid"),
        ],
    )?;
    for (r, m) in (1u32..).zip(&report.months) {
        ws.write_string(r, 0, m.month.to_string())?;
        ws.write_number(r, 1, m.dibao_households as f64)?;
        ws.write_number(r, 2, m.dibao_persons as f64)?;
        ws.write_number(r, 3, m.tekun_persons as f64)?;
        ws.write_number_with_format(r, 4, cell_yuan(m.dibao_paid), &money)?;
        ws.write_number_with_format(r, 5, cell_yuan(m.tekun_paid), &money)?;
    }
    let total_row = u32::try_from(report.months.len()).unwrap_or(u32::MAX - 1) + 1;
    ws.write_string_with_format(total_row, 0, t.get("reports-total"), &bold)?;
    let sum = |f: fn(&service::reports::MonthFigures) -> Fen| {
        Fen::from_fen(report.months.iter().map(|m| f(m).as_fen()).sum())
    };
    ws.write_number_with_format(total_row, 4, cell_yuan(sum(|m| m.dibao_paid)), &money)?;
    ws.write_number_with_format(total_row, 5, cell_yuan(sum(|m| m.tekun_paid)), &money)?;

    let ws = book.add_worksheet();
    ws.set_name(t.get("reports-sheet-narrative"))?;
    ws.set_column_width(0, 120)?;
    for (r, p) in (0u32..).zip(report.narrative()) {
        ws.write_string(r, 0, p)?;
    }
    let r = u32::try_from(report.narrative().len()).unwrap_or(0) + 1;
    ws.write_string(r, 0, format!("SHA-256 {}", report.hash))?;
    book.save_to_buffer()
}

fn cell_yuan(f: Fen) -> f64 {
    f.yuan().parse().unwrap_or(0.0)
}

/// The indicator's label in the reader's language.
fn label(t: &Tr<'_>, ind: &domain::reports::Indicator) -> String {
    if t.is_en() {
        ind.en.to_owned()
    } else {
        ind.zh.to_owned()
    }
}

/// A bar chart as SVG: one bar per month, scaled to the largest, with its value on top.
/// Presentation attributes only (the CSP forbids inline style).
fn bar_chart(title: &str, bars: &[(String, i64)], format: impl Fn(i64) -> String) -> String {
    const W: i64 = 640;
    const H: i64 = 220;
    const TOP: i64 = 30;
    const BOTTOM: i64 = 30;
    let n = i64::try_from(bars.len().max(1)).unwrap_or(1);
    let max = bars.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let slot = (W - 40) / n;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" width=\"{W}\" \
         height=\"{H}\" role=\"img\" aria-label=\"{t}\" class=\"chart\">\
         <text x=\"20\" y=\"18\" font-size=\"14\" fill=\"#222\">{t}</text>\
         <line x1=\"20\" y1=\"{base}\" x2=\"{x2}\" y2=\"{base}\" stroke=\"#888\"/>",
        t = xml_escape(title),
        base = H - BOTTOM,
        x2 = W - 20,
    );
    for (i, (label, v)) in (0i64..).zip(bars) {
        let h = (H - TOP - BOTTOM).saturating_mul((*v).max(0)) / max;
        let x = 20 + i * slot + slot / 6;
        let w = slot * 2 / 3;
        let y = H - BOTTOM - h;
        svg.push_str(&format!(
            "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" fill=\"#3b6ea5\"/>\
             <text x=\"{cx}\" y=\"{ty}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#222\">{val}</text>\
             <text x=\"{cx}\" y=\"{ly}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#444\">{label}</text>",
            cx = x + w / 2,
            ty = (y - 4).max(TOP - 2),
            ly = H - BOTTOM + 16,
            val = xml_escape(&format(*v)),
            label = xml_escape(label),
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// The by-street table of `figures` (stocks and flows; standards have no breakdown): the
/// column labels, and a row per street or town with the total last.
fn street_table(t: &Tr<'_>, figures: &[Figure]) -> (Vec<String>, Vec<StreetRow>) {
    let broken: Vec<&Figure> = figures
        .iter()
        .filter(|f| f.indicator.kind != Kind::Fact)
        .collect();
    let mut codes: Vec<(String, String)> = broken
        .iter()
        .flat_map(|f| f.by_street.iter().map(|(c, n, _)| (c.clone(), n.clone())))
        .collect();
    codes.sort();
    codes.dedup();
    let mut streets: Vec<StreetRow> = codes
        .iter()
        .map(|(code, name)| StreetRow {
            name: name.clone(),
            cells: broken
                .iter()
                .map(|f| {
                    let v = f
                        .by_street
                        .iter()
                        .find(|(k, _, _)| k == code)
                        .map_or(0, |(_, _, v)| *v);
                    f.indicator.unit.format(v)
                })
                .collect(),
        })
        .collect();
    streets.push(StreetRow {
        name: t.get("reports-total"),
        cells: broken.iter().map(|f| f.text()).collect(),
    });
    (
        broken.iter().map(|f| label(t, f.indicator)).collect(),
        streets,
    )
}

/// One figure as the page shows it, with the link to its records.
struct FigureRow {
    code: &'static str,
    label: String,
    kind: String,
    value: String,
    unit: &'static str,
    href: String,
}

struct StreetRow {
    name: String,
    cells: Vec<String>,
}

/// What the report page and the printable file show.
struct ReportView {
    title: String,
    period: String,
    cutoff: String,
    hash: String,
    figures: Vec<FigureRow>,
    street_header: Vec<String>,
    streets: Vec<StreetRow>,
    charts: Vec<String>,
    narrative: Vec<String>,
    id: i64,
}

fn view(t: &Tr<'_>, report: &Report) -> ReportView {
    let figures = report
        .figures
        .iter()
        .map(|f| FigureRow {
            code: f.indicator.code,
            label: label(t, f.indicator),
            kind: t.get(&format!("reports-kind-{}", f.indicator.kind.as_str())),
            value: f.text(),
            unit: f.indicator.unit.zh(),
            href: format!("/reports/{}/records/{}", report.id, f.indicator.code),
        })
        .collect();
    let (street_header, streets) = street_table(t, &report.figures);
    let month_label = |m: &domain::Month| m.to_string();
    let charts = vec![
        bar_chart(
            &t.get("reports-chart-caseload"),
            &report
                .months
                .iter()
                .map(|m| (month_label(&m.month), m.dibao_households))
                .collect::<Vec<_>>(),
            |v| v.to_string(),
        ),
        bar_chart(
            &t.get("reports-chart-payments"),
            &report
                .months
                .iter()
                .map(|m| {
                    (
                        month_label(&m.month),
                        m.dibao_paid.as_fen().saturating_add(m.tekun_paid.as_fen()),
                    )
                })
                .collect::<Vec<_>>(),
            |v| Fen::from_fen(v).wan(),
        ),
    ];
    ReportView {
        title: t.with(
            "reports-report-title",
            &[("division", &report.division_name)],
        ),
        period: format!("{} — {}", report.period.from(), report.period.to()),
        cutoff: crate::time::minutes(report.cutoff),
        hash: report.hash.clone(),
        figures,
        street_header,
        streets,
        charts,
        narrative: report.narrative(),
        id: report.id,
    }
}

#[derive(Template)]
#[template(path = "reports_print.html")]
struct PrintFile<'a> {
    t: Tr<'a>,
    r: ReportView,
    css: &'static str,
}

/// The report as one self-contained printable HTML file (A4, the system's Chinese fonts).
pub fn print_html(t: Tr<'_>, report: &Report) -> Result<String, askama::Error> {
    PrintFile {
        r: view(&t, report),
        t,
        css: PRINT_CSS,
    }
    .render()
}

// ---------------------------------------------------------------------------------------
// Pages

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    division: String,
}

#[derive(Template)]
#[template(path = "reports.html")]
struct FormPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    csrf: String,
    from: String,
    to: String,
    division: String,
    errors: Vec<String>,
}

fn form_view<'a>(
    state: &'a AppState,
    lang: Lang,
    signed: &Signed,
    form: ReportForm,
    errors: Vec<String>,
) -> FormPage<'a> {
    FormPage {
        t: state.i18n.tr(lang),
        path: "/reports".into(),
        me: Some(Me::of(state, lang, signed)),
        csrf: signed.0.csrf_token.clone(),
        from: if form.from.is_empty() {
            "2013-01-01".into()
        } else {
            form.from
        },
        to: if form.to.is_empty() {
            "2013-06-30".into()
        } else {
            form.to
        },
        division: form.division,
        errors,
    }
}

async fn form_page(State(state): State<AppState>, lang: Lang, signed: Signed) -> Response {
    if let Err(e) =
        state
            .service
            .authorize(signed.actor(), domain::Line::Reports, domain::Action::Read)
    {
        return PageError::for_user(&state, lang, &signed, e).into_response();
    }
    crate::render(
        &state,
        lang,
        &form_view(&state, lang, &signed, ReportForm::default(), Vec::new()),
    )
}

async fn generate(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Form(form): Form<ReportForm>,
) -> Response {
    if let Err(e) = signed.check_csrf(&form.csrf) {
        return PageError::for_user(&state, lang, &signed, e).into_response();
    }
    let division = Some(form.division.as_str()).filter(|d| !d.trim().is_empty());
    let result = state
        .service
        .generate_report(signed.actor(), &form.from, &form.to, division)
        .await;
    match result {
        Ok(report) => Redirect::to(&format!("/reports/{}", report.id)).into_response(),
        Err(service::Error::Invalid(errors)) => {
            let t = state.i18n.tr(lang);
            let messages = errors.iter().map(|e| t.field_error(e)).collect();
            let mut page = crate::render(
                &state,
                lang,
                &form_view(&state, lang, &signed, form, messages),
            );
            *page.status_mut() = axum::http::StatusCode::BAD_REQUEST;
            page
        }
        Err(e) => PageError::for_user(&state, lang, &signed, e).into_response(),
    }
}

fn report_id(text: &str) -> Result<i64, service::Error> {
    text.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(service::Error::NotFound)
}

#[derive(Template)]
#[template(path = "reports_report.html")]
struct ReportPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    r: ReportView,
}

async fn report_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let id = report_id(&id)?;
        state.service.reproduce_report(signed.actor(), id).await
    }
    .await;
    match result {
        Ok(report) => {
            let t = state.i18n.tr(lang);
            crate::render(
                &state,
                lang,
                &ReportPage {
                    t,
                    path: "/reports".into(),
                    me: Some(Me::of(&state, lang, &signed)),
                    r: view(&t, &report),
                },
            )
        }
        Err(e) => PageError::for_user(&state, lang, &signed, e).into_response(),
    }
}

async fn report_xlsx(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let id = report_id(&id)?;
        state.service.reproduce_report(signed.actor(), id).await
    }
    .await;
    let t = state.i18n.tr(lang);
    match result.and_then(|r| {
        xlsx(&t, &r)
            .map(|b| (r.id, b))
            .map_err(|e| service::Error::Unavailable {
                what: e.to_string(),
            })
    }) {
        Ok((id, bytes)) => export::download(export::XLSX, &format!("report-{id}.xlsx"), bytes),
        Err(e) => PageError::for_user(&state, lang, &signed, e).into_response(),
    }
}

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

async fn report_docx(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let id = report_id(&id)?;
        state.service.reproduce_report(signed.actor(), id).await
    }
    .await;
    match result.and_then(|r| {
        docx(&r)
            .map(|b| (r.id, b))
            .map_err(|e| service::Error::Unavailable {
                what: e.to_string(),
            })
    }) {
        Ok((id, bytes)) => export::download(DOCX, &format!("report-{id}.docx"), bytes),
        Err(e) => PageError::for_user(&state, lang, &signed, e).into_response(),
    }
}

/// A drill-down page: the records after the key `after` (empty: the first page).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    after: String,
}

struct RecordRow {
    cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "reports_records.html")]
struct RecordsPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    id: i64,
    code: String,
    title: String,
    summary: String,
    header: Vec<String>,
    rows: Vec<RecordRow>,
    first: Option<String>,
    next: Option<String>,
}

/// The records as a table: columns depend on what the figure counts.
fn record_table(t: &Tr<'_>, code: &str, records: &[ReportRecord]) -> Table {
    let measure = indicator(code).map(|i| i.measure);
    use domain::reports::Measure;
    let col = |id: &str| t.get(&format!("reports-rec-{id}"));
    let (header, numeric) = match measure {
        Some(Measure::Persons) => (
            vec![col("division"), col("case"), col("name"), col("id-number")],
            vec![1],
        ),
        Some(Measure::Paid) => (
            vec![
                col("division"),
                col("case"),
                col("head"),
                col("benefit-month"),
                col("paid-in"),
                col("entry-kind"),
                col("amount"),
            ],
            vec![1, 6],
        ),
        Some(Measure::Standard) => (
            vec![
                col("effective-from"),
                col("area"),
                col("amount"),
                col("citation"),
            ],
            vec![2],
        ),
        Some(Measure::Entitled | Measure::Received) => (
            vec![
                col("division"),
                col("name"),
                col("id-number"),
                col("category"),
                col("certified-on"),
            ],
            vec![],
        ),
        Some(Measure::Visited) => (
            vec![
                col("division"),
                col("visited"),
                col("visited-on"),
                col("beneficiary"),
                col("source"),
                col("amount"),
            ],
            vec![5],
        ),
        Some(Measure::Hardship) => (
            vec![
                col("division"),
                col("name"),
                col("approved-on"),
                col("entry-kind"),
                col("amount"),
            ],
            vec![4],
        ),
        Some(Measure::Liaison) => (
            vec![
                col("division"),
                col("name"),
                col("starts-on"),
                col("reason"),
                col("leader"),
            ],
            vec![],
        ),
        Some(Measure::Followups) => (
            vec![
                col("division"),
                col("petitioner"),
                col("followed-on"),
                col("entry-kind"),
                col("who"),
            ],
            vec![],
        ),
        Some(Measure::StandardsRaised) => (
            vec![
                col("category"),
                col("grade"),
                col("effective-from"),
                col("amount"),
            ],
            vec![3],
        ),
        Some(Measure::HolidayEntitled | Measure::HolidayPaid) => (
            vec![
                col("division"),
                col("name"),
                col("holiday"),
                col("entitled-on"),
                col("amount"),
            ],
            vec![4],
        ),
        _ => (vec![col("division"), col("case"), col("head")], vec![1]),
    };
    let rows = records
        .iter()
        .map(|r| {
            let division = format!("{} {}", r.division_code, r.division_name);
            match measure {
                Some(Measure::Persons) => vec![
                    division,
                    r.case_id.to_string(),
                    domain::mask::person_name(&r.name),
                    r.id_number.clone(),
                ],
                Some(Measure::Paid) => vec![
                    division,
                    r.case_id.to_string(),
                    domain::mask::person_name(&r.name),
                    r.month.clone(),
                    r.paid_in.clone(),
                    r.kind.clone(),
                    Fen::from_fen(r.amount_fen).yuan(),
                ],
                Some(Measure::Standard) => vec![
                    r.month.clone(),
                    r.kind.clone(),
                    Fen::from_fen(r.amount_fen).yuan(),
                    r.name.clone(),
                ],
                Some(Measure::Entitled | Measure::Received) => vec![
                    division,
                    domain::mask::person_name(&r.name),
                    r.id_number.clone(),
                    r.kind.clone(),
                    r.month.clone(),
                ],
                Some(Measure::Visited) => vec![
                    division,
                    r.name.clone(),
                    r.month.clone(),
                    t.get(&format!(
                        "campaigns-beneficiary-{}",
                        r.program.replace('_', "-")
                    )),
                    t.get(&format!("campaigns-source-{}", r.kind)),
                    Fen::from_fen(r.amount_fen).yuan(),
                ],
                Some(Measure::Hardship) => vec![
                    division,
                    domain::mask::person_name(&r.name),
                    r.month.clone(),
                    t.get(&format!("veterans-hardship-{}", r.kind)),
                    Fen::from_fen(r.amount_fen).yuan(),
                ],
                Some(Measure::Liaison) => vec![
                    division,
                    domain::mask::person_name(&r.name),
                    r.month.clone(),
                    t.get(&format!("veterans-liaison-reason-{}", r.program)),
                    r.kind.clone(),
                ],
                Some(Measure::Followups) => vec![
                    division,
                    domain::mask::person_name(&r.name),
                    r.month.clone(),
                    t.get(&format!("veterans-petitions-kind-{}", r.program)),
                    r.kind.clone(),
                ],
                Some(Measure::StandardsRaised) => vec![
                    r.name.clone(),
                    standard_key(t, &r.kind),
                    r.month.clone(),
                    Fen::from_fen(r.amount_fen).yuan(),
                ],
                Some(Measure::HolidayEntitled | Measure::HolidayPaid) => vec![
                    division,
                    domain::mask::person_name(&r.name),
                    r.kind.clone(),
                    r.month.clone(),
                    Fen::from_fen(r.amount_fen).yuan(),
                ],
                _ => vec![
                    division,
                    r.case_id.to_string(),
                    domain::mask::person_name(&r.name),
                ],
            }
        })
        .collect();
    Table::new(header, rows).numeric(&numeric)
}

/// A veterans' standard's `grade|cause|per` as the standards page writes it (`4 级 · 因战
/// 每年`, or `每月` without a grade).
fn standard_key(t: &Tr<'_>, key: &str) -> String {
    let mut parts = key.split('|');
    let (grade, cause, per) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let per = t.get(&format!("veterans-per-{per}"));
    if cause.is_empty() {
        per
    } else {
        let cause = t.get(&format!("veterans-cause-{cause}"));
        let key = t.with(
            "veterans-grade-cause",
            &[("grade", grade), ("cause", &cause)],
        );
        format!("{key} {per}")
    }
}

async fn records_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path((id, code)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
) -> Response {
    let result = async {
        let id = report_id(&id)?;
        state
            .service
            .report_records(signed.actor(), id, &code, PAGE_ROWS, &q.after)
            .await
            .map(|r| (id, r))
    }
    .await;
    match result {
        Ok((id, page)) => {
            let t = state.i18n.tr(lang);
            let ind = indicator(&code);
            let table = record_table(&t, &code, &page.records);
            let base = format!("/reports/{id}/records/{code}");
            let title = ind.map_or_else(String::new, |i| {
                if t.is_en() {
                    i.en.to_owned()
                } else {
                    i.zh.to_owned()
                }
            });
            let summary = ind.map_or_else(String::new, |i| {
                t.with(
                    "reports-records-summary",
                    &[("value", &i.unit.format(page.value)), ("unit", i.unit.zh())],
                )
            });
            crate::render(
                &state,
                lang,
                &RecordsPage {
                    t,
                    path: "/reports".into(),
                    me: Some(Me::of(&state, lang, &signed)),
                    id,
                    code: code.clone(),
                    title,
                    summary,
                    header: table.header,
                    rows: table
                        .rows
                        .into_iter()
                        .map(|cells| RecordRow { cells })
                        .collect(),
                    first: (!q.after.trim().is_empty()).then(|| base.clone()),
                    next: page.next.map(|key| format!("{base}?after={key}")),
                },
            )
        }
        Err(e) => PageError::for_user(&state, lang, &signed, e).into_response(),
    }
}

async fn records_xlsx(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path((id, code)): Path<(String, String)>,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        let id = report_id(&id)?;
        let page = state
            .service
            .export_report_records(signed.actor(), id, &code)
            .await?;
        Ok::<_, service::Error>((
            record_table(&t, &code, &page.records),
            format!("report-{id}-{code}"),
        ))
    }
    .await;
    export::respond(
        &state,
        lang,
        &signed,
        export::Format::Xlsx,
        "reports-sheet-records",
        result,
    )
}

// ---------------------------------------------------------------------------------------
// API

#[derive(Debug, Clone, Default, Deserialize)]
pub struct GenerateBody {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    division: Option<String>,
}

async fn api_generate(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    ApiJson(body): ApiJson<GenerateBody>,
) -> Response {
    match state
        .service
        .generate_report(&actor, &body.from, &body.to, body.division.as_deref())
        .await
    {
        Ok(report) => Json(json(&report)).into_response(),
        Err(e) => ApiError::from_service(&state.i18n.tr(lang), e).into_response(),
    }
}

async fn api_report(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let id = report_id(&id)?;
        state.service.reproduce_report(&actor, id).await
    }
    .await;
    match result {
        Ok(report) => Json(json(&report)).into_response(),
        Err(e) => ApiError::from_service(&state.i18n.tr(lang), e).into_response(),
    }
}

async fn api_records(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path((id, code)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Response {
    let result = async {
        let id = report_id(&id)?;
        state
            .service
            .report_records(&actor, id, &code, PAGE_ROWS, &q.after)
            .await
    }
    .await;
    match result {
        Ok(page) => {
            let rows: Vec<serde_json::Value> = page
                .records
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id, "case_id": r.case_id, "household_id": r.household_id,
                        "program": r.program, "division_code": r.division_code,
                        "division_name": r.division_name,
                        "name": domain::mask::person_name(&r.name),
                        "id_number": r.id_number, "month": r.month, "paid_in": r.paid_in,
                        "kind": r.kind, "amount_fen": r.amount_fen,
                    })
                })
                .collect();
            Json(serde_json::json!({
                "indicator": code, "value": page.value, "next": page.next,
                "per_page": PAGE_ROWS, "records": rows,
            }))
            .into_response()
        }
        Err(e) => ApiError::from_service(&state.i18n.tr(lang), e).into_response(),
    }
}

/// Every indicator code, for the CLI's help and its check of `--indicator`.
pub fn indicator_codes() -> Vec<&'static str> {
    INDICATORS.iter().map(|i| i.code).collect()
}
