//! The means-check worksheet on the web (`/assistance/{id}/means`): income items by category
//! with the exempt ones, and property items, one row each; "add a row" asks the server for
//! one more (no JavaScript). The same under `POST /api/v1/assistance/cases/{id}/means`.
//! Every rule is in `service::assistance::means`.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use domain::Fen;
use domain::assistance::means::{
    AssetKind, Exemption, IncomeCategory, IncomeItem, PropertyItem, Worksheet,
};
use serde::Deserialize;
use service::FieldError;
use service::assistance::{CaseDetail, MeansCheck};

use super::{api_error, parse_id};
use crate::auth::{ApiCaller, Signed};
use crate::list::FieldErrors;
use crate::reject::Form;
use crate::{AppState, Lang, Me, PageError, Tr, reject};

/// Rows a new worksheet shows of each list.
const INCOME_ROWS: usize = 5;
const PROPERTY_ROWS: usize = 3;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assistance/{id}/means", get(form_page).post(submit))
        .route(
            "/api/v1/assistance/cases/{id}/means",
            axum::routing::post(api_submit),
        )
}

pub(super) fn category_label(t: &Tr<'_>, c: IncomeCategory) -> String {
    t.get(&format!("means-category-{}", c.as_str().replace('_', "-")))
}

pub(super) fn exemption_label(t: &Tr<'_>, e: Exemption) -> String {
    t.get(&format!("means-exemption-{}", e.as_str().replace('_', "-")))
}

pub(super) fn asset_label(t: &Tr<'_>, k: AssetKind) -> String {
    t.get(&format!("means-asset-{}", k.as_str().replace('_', "-")))
}

/// The worksheet as typed: rows are fields `inc{n}_{field}` and `prop{n}_{field}` in `rest`.
#[derive(Debug, Clone, Default, Deserialize)]
struct SheetForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    income_rows: String,
    #[serde(default)]
    property_rows: String,
    #[serde(default)]
    add_income: Option<String>,
    #[serde(default)]
    add_property: Option<String>,
    #[serde(flatten)]
    rest: BTreeMap<String, String>,
}

/// One row as typed, with its messages.
#[derive(Debug, Clone, Default)]
struct RowInput {
    n: usize,
    /// member, category, amount, exemption, note — or kind, value, count, exempt, note.
    values: BTreeMap<&'static str, String>,
    errors: Vec<String>,
}

impl RowInput {
    fn get(&self, field: &str) -> &str {
        self.values.get(field).map_or("", String::as_str)
    }
}

const INCOME_FIELDS: [&str; 5] = ["member", "category", "amount", "exemption", "note"];
const PROPERTY_FIELDS: [&str; 5] = ["kind", "value", "count", "exempt", "note"];

impl SheetForm {
    fn rows(
        &self,
        prefix: &str,
        fields: &[&'static str],
        shown: &str,
        min: usize,
        add: bool,
    ) -> Vec<RowInput> {
        let typed = self
            .rest
            .iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .filter_map(|(k, _)| {
                k.strip_prefix(prefix)?
                    .split_once('_')?
                    .0
                    .parse::<usize>()
                    .ok()
            })
            .max()
            .unwrap_or(0);
        let count = (shown
            .trim()
            .parse::<usize>()
            .unwrap_or(0)
            .max(typed)
            .max(min)
            + usize::from(add))
        .min(domain::assistance::means::MAX_ITEMS);
        (1..=count)
            .map(|n| RowInput {
                n,
                values: fields
                    .iter()
                    .map(|f| {
                        let v = self.rest.get(&format!("{prefix}{n}_{f}")).cloned();
                        (*f, v.unwrap_or_default())
                    })
                    .collect(),
                errors: Vec::new(),
            })
            .collect()
    }

    fn income(&self) -> Vec<RowInput> {
        self.rows(
            "inc",
            &INCOME_FIELDS,
            &self.income_rows,
            INCOME_ROWS,
            self.add_income.is_some(),
        )
    }

    fn property(&self) -> Vec<RowInput> {
        self.rows(
            "prop",
            &PROPERTY_FIELDS,
            &self.property_rows,
            PROPERTY_ROWS,
            self.add_property.is_some(),
        )
    }
}

/// A row is blank when nothing but the note-free defaults were touched.
fn blank(r: &RowInput, keys: &[&str]) -> bool {
    keys.iter().all(|k| r.get(k).trim().is_empty())
}

fn row_error(row: usize, field: &'static str, code: &'static str, detail: &str) -> FieldError {
    FieldError {
        row: Some(row),
        ..FieldError::new(field, code, detail)
    }
}

fn yuan(field: &'static str, row: usize, text: &str, errors: &mut Vec<FieldError>) -> Option<Fen> {
    Fen::from_yuan_str(text.trim())
        .map_err(|e| errors.push(row_error(row, field, e.code(), text)))
        .ok()
}

/// The worksheet of the typed rows (blank ones left out), with `positions` mapping each
/// item to its form row, or the rows' errors.
#[derive(Debug)]
struct Parsed {
    sheet: Worksheet,
    income_rows: Vec<usize>,
    property_rows: Vec<usize>,
}

fn parse_rows(income: &[RowInput], property: &[RowInput]) -> Result<Parsed, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut out = Parsed {
        sheet: Worksheet::default(),
        income_rows: Vec::new(),
        property_rows: Vec::new(),
    };
    for r in income
        .iter()
        .filter(|r| !blank(r, &["category", "amount", "note"]))
    {
        let category = r.get("category").parse::<IncomeCategory>().map_err(|()| {
            errors.push(row_error(
                r.n,
                "income_category",
                "means.category_unknown",
                r.get("category"),
            ));
        });
        let exemption = match r.get("exemption").trim() {
            "" => Ok(None),
            e => e.parse::<Exemption>().map(Some).map_err(|()| {
                errors.push(row_error(
                    r.n,
                    "income_exemption",
                    "means.exemption_unknown",
                    e,
                ));
            }),
        };
        let member = match r.get("member").trim() {
            "" => Ok(None),
            m => m.parse::<i64>().map(Some).map_err(|_| {
                errors.push(row_error(r.n, "income_member", "means.member_unknown", m));
            }),
        };
        let amount = yuan("income_amount", r.n, r.get("amount"), &mut errors);
        if let (Ok(category), Ok(exemption), Ok(member), Some(monthly)) =
            (category, exemption, member, amount)
        {
            out.income_rows.push(r.n);
            out.sheet.income.push(IncomeItem {
                member,
                category,
                monthly,
                exemption,
                note: r.get("note").to_owned(),
            });
        }
    }
    for r in property
        .iter()
        .filter(|r| !blank(r, &["kind", "value", "note"]))
    {
        let kind = r.get("kind").parse::<AssetKind>().map_err(|()| {
            errors.push(row_error(
                r.n,
                "property_kind",
                "means.asset_unknown",
                r.get("kind"),
            ));
        });
        let value = match r.get("value").trim() {
            "" => Some(Fen::ZERO),
            v => yuan("property_value", r.n, v, &mut errors),
        };
        let count = match r.get("count").trim() {
            "" => Some(1),
            c => c
                .parse::<u32>()
                .map_err(|_| errors.push(row_error(r.n, "property_count", "means.count_zero", c)))
                .ok(),
        };
        if let (Ok(kind), Some(value), Some(count)) = (kind, value, count) {
            out.property_rows.push(r.n);
            out.sheet.property.push(PropertyItem {
                kind,
                value,
                count,
                exempt: !r.get("exempt").trim().is_empty(),
                note: r.get("note").to_owned(),
            });
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[derive(Template)]
#[template(path = "assistance_means.html")]
struct SheetPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    c: CaseDetail,
    form: SheetForm,
    income: Vec<RowInput>,
    property: Vec<RowInput>,
    members: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    exemptions: Vec<(String, String)>,
    assets: Vec<(String, String)>,
    max_rows: usize,
    errors: FieldErrors,
    conflict: Option<String>,
}

const SHEET_FIELDS: &[&str] = &["on", "note", "items"];

#[allow(clippy::too_many_arguments, reason = "the page's parts, each needed")]
async fn render(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    id: i64,
    form: SheetForm,
    mut income: Vec<RowInput>,
    mut property: Vec<RowInput>,
    refused: Vec<FieldError>,
    conflict: Option<String>,
) -> Result<Response, service::Error> {
    let t = state.i18n.tr(lang);
    let c = state.service.case(signed.actor(), id).await?;
    // Row messages next to their rows; every message also above the form.
    for e in &refused {
        let list = if e.field.starts_with("income_") {
            &mut income
        } else {
            &mut property
        };
        if let Some(row) = e.row.and_then(|n| list.get_mut(n.wrapping_sub(1))) {
            row.errors.push(t.field_error(e));
        }
    }
    let bad = !refused.is_empty() || conflict.is_some();
    let mut errors = FieldErrors::new(&t, &refused, SHEET_FIELDS);
    for e in refused.iter().filter(|e| e.row.is_some()) {
        errors.general.push(t.field_error(e));
    }
    let page = SheetPage {
        t,
        path: format!("/assistance/{id}/means"),
        me: Some(Me::of(state, lang, signed)),
        members: c
            .members
            .iter()
            .filter(|m| m.left_on.is_none())
            .map(|m| (m.id.to_string(), m.name.clone()))
            .collect(),
        categories: IncomeCategory::ALL
            .iter()
            .map(|c| (c.as_str().to_owned(), category_label(&t, *c)))
            .collect(),
        exemptions: Exemption::ALL
            .iter()
            .map(|e| (e.as_str().to_owned(), exemption_label(&t, *e)))
            .collect(),
        assets: AssetKind::ALL
            .iter()
            .map(|k| (k.as_str().to_owned(), asset_label(&t, *k)))
            .collect(),
        max_rows: domain::assistance::means::MAX_ITEMS,
        form: SheetForm {
            version: if form.version.is_empty() {
                c.version.to_string()
            } else {
                form.version.clone()
            },
            ..form
        },
        c,
        income,
        property,
        errors,
        conflict,
    };
    let mut response = crate::render(state, lang, &page);
    if bad {
        *response.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(response)
}

async fn form_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        super::may_record(&state, signed.actor())?;
        let id = parse_id(&id)?;
        let form = SheetForm {
            on: state.service.today().to_string(),
            ..SheetForm::default()
        };
        let (income, property) = (form.income(), form.property());
        render(
            &state,
            lang,
            &signed,
            id,
            form,
            income,
            property,
            Vec::new(),
            None,
        )
        .await
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

async fn submit(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<SheetForm>,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        signed.check_csrf(&form.csrf)?;
        super::may_record(&state, signed.actor())?;
        let id = parse_id(&id)?;
        let (income, property) = (form.income(), form.property());
        if form.add_income.is_some() || form.add_property.is_some() {
            // Only a longer worksheet: nothing is checked or saved yet.
            let form = SheetForm {
                add_income: None,
                add_property: None,
                ..form
            };
            let mut page = render(
                &state,
                lang,
                &signed,
                id,
                form,
                income,
                property,
                Vec::new(),
                None,
            )
            .await?;
            *page.status_mut() = StatusCode::OK;
            return Ok(page);
        }
        // An empty date is today, as on the step forms.
        let on = match form.on.trim() {
            "" => Ok(state.service.today()),
            text => domain::parse_date(text),
        };
        let outcome = match (parse_rows(&income, &property), on) {
            (Err(mut errors), date) => {
                if let Err(e) = date {
                    errors.push(FieldError::new("on", e.code(), form.on.clone()));
                }
                Err(service::Error::Invalid(errors))
            }
            (Ok(_), Err(e)) => Err(service::Error::invalid(FieldError::new(
                "on",
                e.code(),
                form.on.clone(),
            ))),
            (Ok(parsed), Ok(on)) => {
                let version = form.version.trim().parse::<i64>().unwrap_or(-1);
                let input = MeansCheck {
                    on,
                    note: form.note.clone(),
                    sheet: parsed.sheet,
                };
                state
                    .service
                    .check_means(signed.actor(), id, version, input)
                    .await
                    .map_err(|e| renumber(e, &parsed.income_rows, &parsed.property_rows))
            }
        };
        match outcome {
            Ok(_) => Ok(Redirect::to(&format!("/assistance/{id}?done=step")).into_response()),
            Err(service::Error::Invalid(errors)) => {
                render(
                    &state,
                    lang,
                    &signed,
                    id,
                    form.clone(),
                    income,
                    property,
                    errors,
                    None,
                )
                .await
            }
            Err(service::Error::Conflict { code, detail }) => {
                let conflict = Some(t.error_code(code, &detail));
                let mut page = render(
                    &state,
                    lang,
                    &signed,
                    id,
                    SheetForm {
                        version: String::new(),
                        ..form.clone()
                    },
                    income,
                    property,
                    Vec::new(),
                    conflict,
                )
                .await?;
                *page.status_mut() = StatusCode::CONFLICT;
                Ok(page)
            }
            Err(e) => Err(e),
        }
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

/// The service numbers items 1.. within each list; the form's rows may have blanks between.
fn renumber(e: service::Error, income: &[usize], property: &[usize]) -> service::Error {
    match e {
        service::Error::Invalid(errors) => service::Error::Invalid(
            errors
                .into_iter()
                .map(|mut f| {
                    let rows = if f.field.starts_with("income_") {
                        income
                    } else {
                        property
                    };
                    f.row = f
                        .row
                        .map(|r| rows.get(r.wrapping_sub(1)).copied().unwrap_or(r));
                    f
                })
                .collect(),
        ),
        other => other,
    }
}

/// One income item of `POST /api/v1/assistance/cases/{id}/means`.
#[derive(Debug, Deserialize)]
pub struct IncomeJson {
    /// A member id of the household, if the income is one person's.
    #[serde(default)]
    pub member_id: Option<i64>,
    /// `wage`, `business`, `property` or `transfer`.
    pub category: String,
    /// Monthly amount in yuan, e.g. `"1200.00"`.
    pub monthly: String,
    /// `preferential`, `assistance`, `basic_pension` or `designated`; absent when counted.
    #[serde(default)]
    pub exemption: Option<String>,
    #[serde(default)]
    pub note: String,
}

/// One property item.
#[derive(Debug, Deserialize)]
pub struct PropertyJson {
    /// `deposits`, `securities`, `insurance`, `other_financial`, `vehicle`, `business`,
    /// `real_estate` or `machinery`.
    pub kind: String,
    /// Value in yuan; `"0"` when not valued.
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub count: Option<u32>,
    #[serde(default)]
    pub exempt: bool,
    #[serde(default)]
    pub note: String,
}

/// The body of `POST /api/v1/assistance/cases/{id}/means`.
#[derive(Debug, Deserialize)]
pub struct SheetJson {
    pub version: i64,
    /// `YYYY-MM-DD`; today when absent.
    #[serde(default)]
    pub on: Option<String>,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub income: Vec<IncomeJson>,
    #[serde(default)]
    pub property: Vec<PropertyJson>,
}

fn rows_of(body: &SheetJson) -> (Vec<RowInput>, Vec<RowInput>) {
    let row = |n: usize, pairs: [(&'static str, String); 5]| RowInput {
        n,
        values: pairs.into_iter().collect(),
        errors: Vec::new(),
    };
    let income = body
        .income
        .iter()
        .enumerate()
        .map(|(i, x)| {
            row(
                i + 1,
                [
                    (
                        "member",
                        x.member_id.map(|m| m.to_string()).unwrap_or_default(),
                    ),
                    ("category", x.category.clone()),
                    // An empty amount in JSON is an error, not a blank row.
                    (
                        "amount",
                        if x.monthly.trim().is_empty() {
                            "-".into()
                        } else {
                            x.monthly.clone()
                        },
                    ),
                    ("exemption", x.exemption.clone().unwrap_or_default()),
                    ("note", x.note.clone()),
                ],
            )
        })
        .collect();
    let property = body
        .property
        .iter()
        .enumerate()
        .map(|(i, x)| {
            row(
                i + 1,
                [
                    (
                        "kind",
                        if x.kind.trim().is_empty() {
                            "-".into()
                        } else {
                            x.kind.clone()
                        },
                    ),
                    ("value", x.value.clone()),
                    ("count", x.count.map(|c| c.to_string()).unwrap_or_default()),
                    ("exempt", if x.exempt { "1".into() } else { String::new() }),
                    ("note", x.note.clone()),
                ],
            )
        })
        .collect();
    (income, property)
}

#[derive(serde::Serialize)]
struct VersionJson {
    version: i64,
}

async fn api_submit(
    State(state): State<AppState>,
    lang: Lang,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    reject::Json(body): reject::Json<SheetJson>,
) -> Response {
    let result = async {
        super::may_record(&state, &actor)?;
        let id = parse_id(&id)?;
        let on = match body.on.as_deref().map(str::trim) {
            None | Some("") => state.service.today(),
            Some(text) => domain::parse_date(text)
                .map_err(|e| service::Error::invalid(FieldError::new("on", e.code(), text)))?,
        };
        let (income, property) = rows_of(&body);
        let parsed = parse_rows(&income, &property).map_err(service::Error::Invalid)?;
        let input = MeansCheck {
            on,
            note: body.note.clone(),
            sheet: parsed.sheet,
        };
        state
            .service
            .check_means(&actor, id, body.version, input)
            .await
    }
    .await;
    match result {
        Ok(version) => Json(VersionJson { version }).into_response(),
        Err(e) => api_error(&state.i18n.tr(lang), e),
    }
}

/// A stored worksheet as the case page shows it, in words.
pub(super) struct MeansSection {
    pub seq: i64,
    pub summary: String,
    pub findings: Vec<String>,
    /// (member, category, monthly, exemption or "counted", note).
    pub income: Vec<[String; 5]>,
    /// (kind, value, count, exempt, note).
    pub property: Vec<[String; 5]>,
}

pub(super) fn sections(t: &Tr<'_>, views: &[service::assistance::MeansView]) -> Vec<MeansSection> {
    views
        .iter()
        .map(|v| MeansSection {
            seq: v.seq,
            summary: t.with(
                "means-summary",
                &[
                    ("countable", &v.countable.yuan()),
                    ("exempt", &v.exempt.yuan()),
                    ("jobcost", &v.job_cost.yuan()),
                    ("pct", &v.policy.job_cost_pct.to_string()),
                    ("members", &v.members.to_string()),
                    ("percapita", &v.per_capita.yuan()),
                    ("assets", &v.financial_assets.yuan()),
                ],
            ),
            findings: v
                .findings
                .iter()
                .map(|(code, detail)| t.error_code(code, detail))
                .collect(),
            income: v
                .income
                .iter()
                .map(|l| {
                    [
                        l.member_name
                            .clone()
                            .unwrap_or_else(|| t.get("means-whole-household")),
                        category_label(t, l.item.category),
                        l.item.monthly.yuan(),
                        l.item
                            .exemption
                            .map_or_else(|| t.get("means-counted"), |e| exemption_label(t, e)),
                        l.item.note.clone(),
                    ]
                })
                .collect(),
            property: v
                .property
                .iter()
                .map(|p| {
                    [
                        asset_label(t, p.kind),
                        p.value.yuan(),
                        p.count.to_string(),
                        if p.exempt {
                            t.get("assistance-yes")
                        } else {
                            "—".into()
                        },
                        p.note.clone(),
                    ]
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> SheetForm {
        SheetForm {
            rest: pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            ..SheetForm::default()
        }
    }

    #[test]
    fn blank_rows_are_skipped_and_rows_keep_their_form_numbers() {
        let f = form(&[
            ("inc2_category", "wage"),
            ("inc2_amount", "1200"),
            ("inc4_category", "transfer"),
            ("inc4_amount", "300.50"),
            ("inc4_exemption", "preferential"),
            ("prop1_kind", "real_estate"),
            ("prop1_count", "2"),
        ]);
        let parsed = parse_rows(&f.income(), &f.property()).unwrap();
        assert_eq!(parsed.income_rows, vec![2, 4]);
        assert_eq!(parsed.sheet.income[1].monthly, Fen::from_fen(30_050));
        assert_eq!(
            parsed.sheet.income[1].exemption,
            Some(Exemption::Preferential)
        );
        assert_eq!(parsed.sheet.property[0].count, 2);
        assert_eq!(parsed.sheet.property[0].value, Fen::ZERO);
    }

    #[test]
    fn bad_cells_are_named_by_row_and_field() {
        let f = form(&[
            ("inc3_category", "salary"),
            ("inc3_amount", "12OO"),
            ("prop2_kind", "boat"),
        ]);
        let errors = parse_rows(&f.income(), &f.property()).unwrap_err();
        let named: Vec<(Option<usize>, &str)> = errors.iter().map(|e| (e.row, e.field)).collect();
        assert_eq!(
            named,
            vec![
                (Some(3), "income_category"),
                (Some(3), "income_amount"),
                (Some(2), "property_kind"),
            ]
        );
    }

    #[test]
    fn add_row_grows_each_list_up_to_the_limit() {
        let mut f = form(&[("inc7_amount", "1")]);
        assert_eq!(f.income().len(), 7, "rows up to the highest typed");
        f.add_income = Some("1".into());
        assert_eq!(f.income().len(), 8);
        assert_eq!(f.property().len(), PROPERTY_ROWS);
        f.income_rows = "500".into();
        assert_eq!(f.income().len(), domain::assistance::means::MAX_ITEMS);
    }
}
