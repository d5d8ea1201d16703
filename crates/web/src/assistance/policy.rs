//! 分类施保 and the procedure's local rules on the web: the classified-assistance policies
//! with the impact of a change shown before it is saved (`/assistance/policy`), and the
//! settings — approving level, notice and time limit, community review, review months,
//! gradual exit (`/assistance/settings`). Every rule is in `service::assistance`.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::assistance::means::MeansPolicy;
use domain::assistance::{ClassifiedPolicy, Condition, IncrementRule};
use domain::{Action, DivisionLevel, Fen, Line};
use serde::Deserialize;
use service::assistance::{ApprovingLevel, AssistanceSettings, HouseholdClass};
use service::list::Code;
use service::{Actor, FieldError};

use super::{DoneParams, dashed, may_edit_standards};
use crate::auth::Signed;
use crate::list::{Choice, FieldErrors};
use crate::reject::{Form, Query};
use crate::{AppState, Lang, Me, PageError, Tr};

/// Rule rows the policy form shows; blank rows are ignored.
pub const RULE_ROWS: usize = 6;

const CONDITIONS: &[&str] = &["disability_grade", "severe_illness", "age_at_least"];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assistance/policy", get(policy_page).post(save_policy))
        .route("/assistance/policy/preview", post(preview_policy))
        .route(
            "/assistance/settings",
            get(settings_page).post(save_settings),
        )
}

/// Whether the actor may change the settings: the section's `Approve`, at district level
/// (what `set_assistance_settings` enforces).
pub(super) fn may_edit_settings(actor: &Actor) -> bool {
    actor.may(Line::Assistance, Action::Approve)
        && actor
            .jurisdiction
            .as_ref()
            .is_some_and(|j| j.level() == DivisionLevel::County)
}

fn whole_number<T: std::str::FromStr>(t: &Tr<'_>, text: &str) -> Result<T, String> {
    text.trim()
        .parse()
        .map_err(|_| t.error_code("assistance.whole_number", text))
}

// ---------------------------------------------------------------------------------------
// 分类施保

/// The policy form as typed: `r{n}_kind`, `r{n}_min`, `r{n}_max`, `r{n}_years`, `r{n}_pct`.
#[derive(Debug, Clone, Default, Deserialize)]
struct PolicyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    effective_from: String,
    #[serde(default)]
    citation: String,
    #[serde(flatten)]
    rest: std::collections::BTreeMap<String, String>,
}

const POLICY_FIELDS: &[&str] = &["effective_from", "citation"];

/// One rule row of the form: its values and its messages.
#[derive(Debug, Clone, Default)]
struct RuleRow {
    n: usize,
    kind: String,
    min: String,
    max: String,
    years: String,
    pct: String,
    errors: Vec<(&'static str, String)>,
}

impl RuleRow {
    fn error(&self, field: &str) -> Option<String> {
        let list: Vec<&str> = self
            .errors
            .iter()
            .filter(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
            .collect();
        (!list.is_empty()).then(|| list.join(";"))
    }

    fn is_blank(&self) -> bool {
        [&self.kind, &self.min, &self.max, &self.years, &self.pct]
            .iter()
            .all(|v| v.trim().is_empty())
    }

    /// The rule, or the messages on this row.
    fn rule(&mut self, t: &Tr<'_>) -> Option<IncrementRule> {
        let condition = match self.kind.as_str() {
            "disability_grade" => match (
                whole_number::<u8>(t, &self.min),
                whole_number::<u8>(t, &self.max),
            ) {
                (Ok(min), Ok(max)) => Some(Condition::DisabilityGrade { min, max }),
                (a, b) => {
                    for e in [a.err(), b.err()].into_iter().flatten() {
                        self.errors.push(("condition", e));
                    }
                    None
                }
            },
            "severe_illness" => Some(Condition::SevereIllness),
            "age_at_least" => match whole_number::<u32>(t, &self.years) {
                Ok(years) => Some(Condition::AgeAtLeast { years }),
                Err(e) => {
                    self.errors.push(("condition", e));
                    None
                }
            },
            other => {
                self.errors.push((
                    "condition",
                    t.error_code("assistance.condition_required", other),
                ));
                None
            }
        };
        let pct = whole_number::<u32>(t, &self.pct)
            .map_err(|e| self.errors.push(("pct", e)))
            .ok();
        Some(IncrementRule {
            condition: condition?,
            pct: pct?,
        })
    }
}

impl PolicyForm {
    fn rows(&self) -> Vec<RuleRow> {
        (1..=RULE_ROWS)
            .map(|n| {
                let get = |f: &str| {
                    self.rest
                        .get(&format!("r{n}_{f}"))
                        .cloned()
                        .unwrap_or_default()
                };
                RuleRow {
                    n,
                    kind: get("kind"),
                    min: get("min"),
                    max: get("max"),
                    years: get("years"),
                    pct: get("pct"),
                    errors: Vec::new(),
                }
            })
            .collect()
    }

    /// The typed policy with the form row of each rule, or `None` with the messages placed
    /// on `rows` and `errors`.
    fn policy(
        &self,
        t: &Tr<'_>,
        rows: &mut [RuleRow],
        errors: &mut FieldErrors,
    ) -> Option<(ClassifiedPolicy, Vec<usize>)> {
        let from = domain::parse_date(&self.effective_from)
            .map_err(|e| {
                errors.add(
                    "effective_from",
                    t.error_code(e.code(), &self.effective_from),
                );
            })
            .ok();
        let mut rules = Vec::new();
        let mut at = Vec::new();
        let mut ok = true;
        for (i, row) in rows.iter_mut().enumerate() {
            if row.is_blank() {
                continue;
            }
            match row.rule(t) {
                Some(rule) => {
                    rules.push(rule);
                    at.push(i);
                }
                None => ok = false,
            }
        }
        let effective_from = from.filter(|_| ok)?;
        Some((
            ClassifiedPolicy {
                effective_from,
                rules,
                citation: self.citation.clone(),
            },
            at,
        ))
    }
}

/// The service's refusals, each next to its field or rule row.
fn place(t: &Tr<'_>, refused: &[FieldError], rows: &mut [RuleRow], at: &[usize]) -> FieldErrors {
    let mut rest = Vec::new();
    for e in refused {
        let row = e
            .row
            .and_then(|r| r.checked_sub(1))
            .and_then(|r| at.get(r))
            .and_then(|i| rows.get_mut(*i));
        match (row, e.field) {
            (Some(row), field @ ("pct" | "condition")) => {
                row.errors.push((field, t.error_code(e.code, &e.detail)));
            }
            _ => rest.push(e.clone()),
        }
    }
    FieldErrors::new(t, &rest, POLICY_FIELDS)
}

struct PolicyLine {
    from: String,
    rules: Vec<String>,
    citation: String,
    in_force: bool,
}

struct ConditionChoice {
    value: &'static str,
    label: String,
}

#[derive(Template)]
#[template(path = "assistance_policy.html")]
struct PolicyPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    lines: Vec<PolicyLine>,
    can_edit: bool,
    form: PolicyForm,
    rows: Vec<RuleRow>,
    conditions: Vec<ConditionChoice>,
    impact: Option<String>,
    errors: FieldErrors,
    notice: Option<String>,
}

fn rule_text(t: &Tr<'_>, rule: &IncrementRule) -> String {
    let pct = rule.pct.to_string();
    match rule.condition {
        Condition::DisabilityGrade { min, max } => t.with(
            "assistance-policy-rule-disability",
            &[
                ("min", &min.to_string()),
                ("max", &max.to_string()),
                ("pct", &pct),
            ],
        ),
        Condition::SevereIllness => t.with("assistance-policy-rule-illness", &[("pct", &pct)]),
        Condition::AgeAtLeast { years } => t.with(
            "assistance-policy-rule-age",
            &[("years", &years.to_string()), ("pct", &pct)],
        ),
    }
}

/// What the policy page shows besides the list.
struct PolicyState {
    form: PolicyForm,
    rows: Vec<RuleRow>,
    impact: Option<String>,
    errors: FieldErrors,
    notice: Option<String>,
}

async fn policy_view(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    shown: PolicyState,
) -> Result<Response, service::Error> {
    let actor = signed.actor();
    let policies = state.service.policies(actor).await?;
    let today = state.service.today();
    let current = policies
        .iter()
        .filter(|p| p.effective_from <= today)
        .map(|p| p.effective_from)
        .max();
    let t = state.i18n.tr(lang);
    let has_errors = !shown.errors.is_empty() || shown.rows.iter().any(|r| !r.errors.is_empty());
    let page = PolicyPage {
        t,
        path: "/assistance/policy".into(),
        me: Some(Me::of(state, lang, signed)),
        lines: policies
            .iter()
            .rev()
            .map(|p| PolicyLine {
                from: p.effective_from.to_string(),
                rules: p.rules.iter().map(|r| rule_text(&t, r)).collect(),
                citation: p.citation.clone(),
                in_force: Some(p.effective_from) == current,
            })
            .collect(),
        can_edit: may_edit_standards(actor),
        form: shown.form,
        rows: shown.rows,
        conditions: CONDITIONS
            .iter()
            .map(|c| ConditionChoice {
                value: c,
                label: t.get(&format!("assistance-policy-condition-{}", dashed(c))),
            })
            .collect(),
        impact: shown.impact,
        errors: shown.errors,
        notice: shown.notice,
    };
    let mut response = crate::render(state, lang, &page);
    if has_errors {
        *response.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(response)
}

async fn policy_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(q): Query<DoneParams>,
) -> Response {
    let t = state.i18n.tr(lang);
    let notice = (q.done.as_deref() == Some("saved")).then(|| t.get("assistance-policy-saved"));
    let form = PolicyForm::default();
    let shown = PolicyState {
        rows: form.rows(),
        form,
        impact: None,
        errors: FieldErrors::default(),
        notice,
    };
    policy_view(&state, lang, &signed, shown)
        .await
        .unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

/// The first step: the impact of the typed policy, with a button that saves it.
async fn preview_policy(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Form(form): Form<PolicyForm>,
) -> Response {
    submit_policy(state, lang, signed, form, false).await
}

/// The second step: saves the policy whose impact was shown.
async fn save_policy(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Form(form): Form<PolicyForm>,
) -> Response {
    submit_policy(state, lang, signed, form, true).await
}

async fn submit_policy(
    state: AppState,
    lang: Lang,
    signed: Signed,
    form: PolicyForm,
    save: bool,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        signed.check_csrf(&form.csrf)?;
        if !may_edit_standards(signed.actor()) {
            return Err(service::Error::Forbidden);
        }
        let mut rows = form.rows();
        let mut errors = FieldErrors::default();
        let Some((policy, at)) = form.policy(&t, &mut rows, &mut errors) else {
            let shown = PolicyState {
                form: form.clone(),
                rows,
                impact: None,
                errors,
                notice: None,
            };
            return policy_view(&state, lang, &signed, shown).await;
        };
        let actor = signed.actor();
        let outcome = if save {
            state
                .service
                .set_policy(actor, &policy)
                .await
                .map(|()| None)
        } else {
            state.service.policy_impact(actor, &policy).await.map(Some)
        };
        let (impact, errors) = match outcome {
            Ok(None) => return Ok(Redirect::to("/assistance/policy?done=saved").into_response()),
            Ok(Some(i)) => {
                let text = t.with(
                    "assistance-impact",
                    &[
                        ("month", &i.month.to_string()),
                        ("households", &i.households.to_string()),
                        ("persons", &i.persons.to_string()),
                        ("change", &Fen::from_fen(i.monthly_change_fen).yuan()),
                    ],
                );
                (Some(text), errors)
            }
            Err(service::Error::Invalid(refused)) => (None, place(&t, &refused, &mut rows, &at)),
            Err(e) => return Err(e),
        };
        let shown = PolicyState {
            form: form.clone(),
            rows,
            impact,
            errors,
            notice: None,
        };
        policy_view(&state, lang, &signed, shown).await
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}

// ---------------------------------------------------------------------------------------
// Settings

/// The settings form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
struct SettingsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    approving_level: String,
    #[serde(default)]
    notice_days: String,
    #[serde(default)]
    decision_working_days: String,
    /// A checkbox: present when ticked.
    #[serde(default)]
    community_review_required: Option<String>,
    #[serde(default)]
    review_stable: String,
    #[serde(default)]
    review_ill_or_disabled: String,
    #[serde(default)]
    review_work_capable: String,
    #[serde(default)]
    gradual_exit_months: String,
    #[serde(default)]
    means_job_cost_pct: String,
    #[serde(default)]
    means_financial_assets_months: String,
    #[serde(default)]
    means_max_homes: String,
    /// Checkboxes: present when ticked.
    #[serde(default)]
    means_vehicle_is_finding: Option<String>,
    #[serde(default)]
    means_business_is_finding: Option<String>,
    #[serde(default)]
    means_machinery_is_finding: Option<String>,
}

const SETTINGS_FIELDS: &[&str] = &[
    "means_job_cost_pct",
    "means_financial_assets_months",
    "means_max_homes",
    "approving_level",
    "notice_days",
    "decision_working_days",
    "review_stable",
    "review_ill_or_disabled",
    "review_work_capable",
    "gradual_exit_months",
];

fn review_field(class: HouseholdClass) -> &'static str {
    match class {
        HouseholdClass::Stable => "review_stable",
        HouseholdClass::IllOrDisabled => "review_ill_or_disabled",
        HouseholdClass::WorkCapable => "review_work_capable",
    }
}

impl SettingsForm {
    fn of(s: &AssistanceSettings) -> Self {
        Self {
            csrf: String::new(),
            approving_level: s.approving_level.as_str().to_owned(),
            notice_days: s.workflow.notice_days.to_string(),
            decision_working_days: s.workflow.decision_working_days.to_string(),
            community_review_required: s.workflow.community_review_required.then(|| "1".into()),
            review_stable: s.review_months.stable.to_string(),
            review_ill_or_disabled: s.review_months.ill_or_disabled.to_string(),
            review_work_capable: s.review_months.work_capable.to_string(),
            gradual_exit_months: s.gradual_exit_months.to_string(),
            means_job_cost_pct: s.means.job_cost_pct.to_string(),
            means_financial_assets_months: s.means.financial_assets_months.to_string(),
            means_max_homes: s.means.max_homes.to_string(),
            means_vehicle_is_finding: s.means.vehicle_is_finding.then(|| "1".into()),
            means_business_is_finding: s.means.business_is_finding.then(|| "1".into()),
            means_machinery_is_finding: s.means.machinery_is_finding.then(|| "1".into()),
        }
    }

    fn review(&self, class: HouseholdClass) -> &str {
        match class {
            HouseholdClass::Stable => &self.review_stable,
            HouseholdClass::IllOrDisabled => &self.review_ill_or_disabled,
            HouseholdClass::WorkCapable => &self.review_work_capable,
        }
    }

    /// The typed settings, or the fields that could not be read.
    fn settings(&self, t: &Tr<'_>, errors: &mut FieldErrors) -> Option<AssistanceSettings> {
        let mut number = |field: &'static str, text: &str| {
            whole_number::<u32>(t, text)
                .map_err(|e| errors.add(field, e))
                .ok()
        };
        let notice_days = number("notice_days", &self.notice_days);
        let decision = number("decision_working_days", &self.decision_working_days);
        let stable = number("review_stable", &self.review_stable);
        let ill = number("review_ill_or_disabled", &self.review_ill_or_disabled);
        let work = number("review_work_capable", &self.review_work_capable);
        let gradual = number("gradual_exit_months", &self.gradual_exit_months);
        let job_cost = number("means_job_cost_pct", &self.means_job_cost_pct);
        let assets = number(
            "means_financial_assets_months",
            &self.means_financial_assets_months,
        );
        let homes = number("means_max_homes", &self.means_max_homes);
        let level = ApprovingLevel::ALL
            .iter()
            .copied()
            .find(|l| l.as_str() == self.approving_level);
        if level.is_none() {
            errors.add(
                "approving_level",
                t.error_code("assistance.approving_level", &self.approving_level),
            );
        }
        let mut s = AssistanceSettings {
            approving_level: level?,
            gradual_exit_months: gradual?,
            ..AssistanceSettings::default()
        };
        s.workflow.notice_days = notice_days?;
        s.workflow.decision_working_days = decision?;
        s.workflow.community_review_required = self.community_review_required.is_some();
        s.review_months.stable = stable?;
        s.review_months.ill_or_disabled = ill?;
        s.review_months.work_capable = work?;
        s.means = MeansPolicy {
            job_cost_pct: job_cost?,
            financial_assets_months: assets?,
            max_homes: homes?,
            vehicle_is_finding: self.means_vehicle_is_finding.is_some(),
            business_is_finding: self.means_business_is_finding.is_some(),
            machinery_is_finding: self.means_machinery_is_finding.is_some(),
        };
        Some(s)
    }
}

struct ReviewField {
    name: &'static str,
    label: String,
    value: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "assistance_settings.html")]
struct SettingsPage<'a> {
    t: Tr<'a>,
    path: String,
    me: Option<Me>,
    can_edit: bool,
    form: SettingsForm,
    levels: Vec<Choice>,
    reviews: Vec<ReviewField>,
    errors: FieldErrors,
    notice: Option<String>,
}

fn settings_view(
    state: &AppState,
    lang: Lang,
    signed: &Signed,
    form: SettingsForm,
    errors: FieldErrors,
    notice: Option<String>,
) -> Response {
    let t = state.i18n.tr(lang);
    let has_errors = !errors.is_empty();
    let reviews = HouseholdClass::ALL
        .iter()
        .map(|c| ReviewField {
            name: review_field(*c),
            label: t.get(&format!("assistance-class-{}", dashed(c.as_str()))),
            value: form.review(*c).to_owned(),
            error: errors.get(review_field(*c)),
        })
        .collect();
    let page = SettingsPage {
        t,
        path: "/assistance/settings".into(),
        me: Some(Me::of(state, lang, signed)),
        can_edit: may_edit_settings(signed.actor()),
        levels: ApprovingLevel::ALL
            .iter()
            .map(|l| {
                Choice::new(
                    l.as_str(),
                    t.get(&format!("assistance-settings-level-{}", l.as_str())),
                    &form.approving_level,
                )
            })
            .collect(),
        reviews,
        form,
        errors,
        notice,
    };
    let mut response = crate::render(state, lang, &page);
    if has_errors {
        *response.status_mut() = StatusCode::BAD_REQUEST;
    }
    response
}

async fn settings_page(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Query(q): Query<DoneParams>,
) -> Response {
    match state.service.assistance_settings(signed.actor()).await {
        Ok(s) => {
            let t = state.i18n.tr(lang);
            let notice =
                (q.done.as_deref() == Some("saved")).then(|| t.get("assistance-settings-saved"));
            settings_view(
                &state,
                lang,
                &signed,
                SettingsForm::of(&s),
                FieldErrors::default(),
                notice,
            )
        }
        Err(e) => PageError::for_user(&state, lang, &signed, e).into_response(),
    }
}

async fn save_settings(
    State(state): State<AppState>,
    lang: Lang,
    signed: Signed,
    Form(form): Form<SettingsForm>,
) -> Response {
    let t = state.i18n.tr(lang);
    let result = async {
        signed.check_csrf(&form.csrf)?;
        if !may_edit_settings(signed.actor()) {
            return Err(service::Error::Forbidden);
        }
        let mut errors = FieldErrors::default();
        let Some(settings) = form.settings(&t, &mut errors) else {
            return Ok(settings_view(
                &state,
                lang,
                &signed,
                form.clone(),
                errors,
                None,
            ));
        };
        match state
            .service
            .set_assistance_settings(signed.actor(), &settings)
            .await
        {
            Ok(()) => Ok(Redirect::to("/assistance/settings?done=saved").into_response()),
            Err(service::Error::Invalid(refused)) => {
                // Review months are refused per class: each goes next to its own field.
                let refused: Vec<FieldError> = refused
                    .into_iter()
                    .map(|mut e| {
                        if e.field == "review_months"
                            && let Some(c) =
                                HouseholdClass::ALL.iter().find(|c| c.as_str() == e.detail)
                        {
                            e.field = review_field(*c);
                        }
                        e
                    })
                    .collect();
                let errors = FieldErrors::new(&t, &refused, SETTINGS_FIELDS);
                Ok(settings_view(
                    &state,
                    lang,
                    &signed,
                    form.clone(),
                    errors,
                    None,
                ))
            }
            Err(e) => Err(e),
        }
    }
    .await;
    result.unwrap_or_else(|e| PageError::for_user(&state, lang, &signed, e).into_response())
}
