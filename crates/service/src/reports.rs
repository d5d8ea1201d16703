//! Reports (统计与总结, issue 6): the half-year report computed from the records, its
//! drill-down to the records behind each figure, and its reproduction.
//!
//! A report is generated for a period and a division subtree within the actor's
//! jurisdiction, with the data cut-off at the moment of generation: the store counts only
//! what was recorded by then ([`store::ReportScope`]). The figures are written as canonical
//! text (parameters, then every figure and breakdown in registry order) and stored with
//! the text's SHA-256; [`Service::reproduce_report`] computes them again at the stored
//! cut-off, which gives the same text and hash however much data has arrived since.
//!
//! Stocks are counted on the period's last day; flows sum the ledger by payment month
//! (`paid_in`) over the period's months (`domain::reports` explains the choice).

pub mod dashboard;

use chrono::{DateTime, NaiveDate, Utc};
use domain::reports::{INDICATORS, Indicator, Kind, Measure, Period, content_hash, indicator};
use domain::{Action, DivisionCode, Fen, Line, Month, ResidentId};
use store::{Breakdown, FigureGroup, ReportRecord, ReportScope, StockGroup, StoredReport};

use crate::assistance::field;
use crate::{Actor, Error, Service};

/// One indicator's figure: the value (a count, or fen), and per street or town.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    pub indicator: &'static Indicator,
    pub value: i64,
    /// (street or town code, name, value), streets without records left out.
    pub by_street: Vec<(String, String, i64)>,
}

impl Figure {
    /// The value as the document writes it, without the unit.
    pub fn text(&self) -> String {
        self.indicator.unit.format(self.value)
    }
}

/// One month of the charts: caseload at the month's end (or the period's end), and what
/// was paid in it, per programme group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthFigures {
    pub month: Month,
    pub dibao_households: i64,
    pub dibao_persons: i64,
    pub tekun_persons: i64,
    pub dibao_paid: Fen,
    pub tekun_paid: Fen,
}

/// A generated report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The stored report's id.
    pub id: i64,
    pub period: Period,
    pub division: DivisionCode,
    pub division_name: String,
    pub cutoff: DateTime<Utc>,
    pub figures: Vec<Figure>,
    pub months: Vec<MonthFigures>,
    /// The canonical text the hash is taken over.
    pub content: String,
    /// SHA-256 of `content`, hex.
    pub hash: String,
}

impl Report {
    pub fn figure(&self, code: &str) -> Option<&Figure> {
        self.figures.iter().find(|f| f.indicator.code == code)
    }

    /// The narrative draft: the statistical sentences of the source document with this
    /// report's figures, in its phrasing.
    pub fn narrative(&self) -> Vec<String> {
        let v = |code: &str| self.figure(code).map(Figure::text).unwrap_or_default();
        let month = self.period.to().format("%-m");
        let half = if self.period.first_month().to_string().ends_with("-01")
            && self.period.last_month().to_string().ends_with("-06")
        {
            "上半年".to_owned()
        } else {
            format!("{}至{}", self.period.from(), self.period.to())
        };
        let mut sentences = vec![
            format!(
                "截止{month}月份,我区纳入低保救济的对象有{}户{}人,{half}共发放低保金{}万元。",
                v("dibao.households"),
                v("dibao.persons"),
                v("dibao.paid"),
            ),
            format!(
                "目前我区城乡居民最低生活保障线标准为每人每月{}元。",
                v("dibao.standard_urban"),
            ),
            format!(
                "我区五保户供养标准为{}元/人/月,截止{month}月份,我区有农村五保户{}人,\
                 {half}支出五保供养经费{}万元(不含临时医疗救济费);",
                v("tekun_rural.standard"),
                v("tekun_rural.persons"),
                v("tekun_rural.paid"),
            ),
            format!(
                "城镇“三无”人员有{}人,供养标准为{}元/人/月,{half}支出“三无”人员供养经费{}万元\
                 (不含临时医疗救济费)。",
                v("tekun_urban.persons"),
                v("tekun_urban.standard"),
                v("tekun_urban.paid"),
            ),
        ];
        // The veterans' sentences, each where its figures are not all zero (a district
        // without the section's records gets no empty claims).
        let any = |codes: &[&str]| {
            codes
                .iter()
                .any(|c| self.figure(c).is_some_and(|f| f.value != 0))
        };
        let veterans = [
            (
                &["veterans.standards_raised"][..],
                format!(
                    "{half}我区提高了{}项优抚对象抚恤补助标准。",
                    v("veterans.standards_raised")
                ),
            ),
            (
                &["veterans.holiday_households"][..],
                format!(
                    "我区按照国家和省、市的优待政策,兑现优待了烈军属等优抚对象{}户,\
                     兑现优待金{}万元,优待面达{}%。",
                    v("veterans.holiday_households"),
                    v("veterans.holiday_paid"),
                    v("veterans.holiday_coverage"),
                ),
            ),
            (
                &["veterans.elderly_rural", "veterans.combat"][..],
                format!(
                    "目前,我区已认定60岁以上符合发放老年生活补助的农村籍退伍军人{}人;\
                     认定参战、涉核退役人员共计{}人。",
                    v("veterans.elderly_rural"),
                    v("veterans.combat"),
                ),
            ),
            (
                &["veterans.received"][..],
                format!(
                    "我区共接收{}名退役士兵,{}名愿意参加中等职业技术技能培训,\
                     {}名愿意参加高等职业技术技能培训。",
                    v("veterans.received"),
                    v("veterans.training_secondary"),
                    v("veterans.training_higher"),
                ),
            ),
            (
                &["campaigns.troops", "campaigns.entitled"][..],
                format!(
                    "走访慰问驻地部队,共向部队赠送慰问金{}万元;对重点优抚对象的慰问,\
                     共发放慰问金和慰问品{}万元。",
                    v("campaigns.troops"),
                    v("campaigns.entitled"),
                ),
            ),
            (
                &["veterans.hardship"][..],
                format!(
                    "{half}我区发放复退军人解“六难”经费共计{}万元。",
                    v("veterans.hardship")
                ),
            ),
        ];
        sentences.extend(
            veterans
                .into_iter()
                .filter(|(codes, _)| any(codes))
                .map(|(_, text)| text),
        );
        sentences
    }
}

/// The parsed parameters of a report.
struct Params {
    period: Period,
    root: DivisionCode,
}

fn parse_day(name: &'static str, text: &str) -> Result<NaiveDate, Error> {
    domain::parse_date(text.trim()).map_err(|e| Error::invalid(field(name, e.code(), text)))
}

/// The figures in a fixed order, as `key=value` lines.
fn canonical(
    params: &Params,
    cutoff: DateTime<Utc>,
    figures: &[Figure],
    months: &[MonthFigures],
) -> Vec<(String, String)> {
    let mut lines = vec![
        ("from".to_owned(), params.period.from().to_string()),
        ("to".to_owned(), params.period.to().to_string()),
        ("division".to_owned(), params.root.to_string()),
        (
            "cutoff".to_owned(),
            cutoff.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        ),
    ];
    for f in figures {
        lines.push((f.indicator.code.to_owned(), f.value.to_string()));
        for (code, _, value) in &f.by_street {
            lines.push((format!("{}@{code}", f.indicator.code), value.to_string()));
        }
    }
    for m in months {
        lines.push((
            format!("month@{}", m.month),
            format!(
                "{},{},{},{},{}",
                m.dibao_households,
                m.dibao_persons,
                m.tekun_persons,
                m.dibao_paid.as_fen(),
                m.tekun_paid.as_fen()
            ),
        ));
    }
    lines
}

impl Service {
    async fn report_params(
        &self,
        actor: &Actor,
        from: &str,
        to: &str,
        division: Option<&str>,
    ) -> Result<Params, Error> {
        let from = parse_day("from", from)?;
        let to = parse_day("to", to)?;
        let period = Period::new(from, to)
            .map_err(|e| Error::invalid(field("to", e.code(), format!("{from}..{to}"))))?;
        let root = match division.map(str::trim).filter(|d| !d.is_empty()) {
            Some(text) => {
                let code = text
                    .parse::<DivisionCode>()
                    .map_err(|e| Error::invalid(field("division", e.code(), text)))?;
                if !actor.sees(&code) {
                    // Named, not hidden: the user typed the code and needs to know why.
                    return Err(Error::invalid(field(
                        "division",
                        "reports.division_outside",
                        text,
                    )));
                }
                if matches!(
                    self.store().division(&code).await,
                    Err(store::StoreError::NotFound)
                ) {
                    return Err(Error::invalid(field(
                        "division",
                        "reports.unknown_division",
                        text,
                    )));
                }
                code
            }
            None => match &actor.jurisdiction {
                Some(own) => own.clone(),
                // The console operator sees everything: the tree's one root, if it has one.
                None => match self.store().child_divisions(None).await?.as_slice() {
                    [only] => only.division.code.clone(),
                    _ => {
                        return Err(Error::invalid(field(
                            "division",
                            "reports.division_required",
                            "",
                        )));
                    }
                },
            },
        };
        Ok(Params { period, root })
    }

    /// The caseload stocks of `indicators` (those counting households or persons) on each
    /// of `days`, counted together by [`store::Store::report_stocks`].
    async fn stocks(
        &self,
        params: &Params,
        cutoff: DateTime<Utc>,
        indicators: &[&'static Indicator],
        days: Vec<NaiveDate>,
    ) -> Result<Stocks, Error> {
        let mut programs: Vec<&str> = indicators
            .iter()
            .filter(|i| Stocks::counts(i))
            .flat_map(|i| i.programs.iter().copied())
            .collect();
        programs.sort_unstable();
        programs.dedup();
        let groups = if programs.is_empty() {
            Vec::new()
        } else {
            self.store()
                .report_stocks(&programs, &days, Some(&params.root), cutoff)
                .await?
        };
        Ok(Stocks { days, groups })
    }

    /// The flow indicators among `indicators` by street and payment month, one pass each.
    async fn flows(
        &self,
        params: &Params,
        cutoff: DateTime<Utc>,
        indicators: &[&'static Indicator],
    ) -> Result<Flows, Error> {
        let mut groups = Vec::new();
        // An urban and a rural figure of the same measure and programmes (五保 and 三无
        // money) come from one pass over both areas.
        let mut both_areas: Vec<(Measure, &[&str], Vec<FigureGroup>)> = Vec::new();
        for ind in indicators.iter().copied().filter(|i| Flows::counts(i)) {
            let scope = self.scope(params, ind, params.period.to(), cutoff);
            let Some(area) = ind.area else {
                let g = self
                    .store()
                    .report_figure(ind.measure, &scope, Breakdown::StreetAndMonth)
                    .await?;
                groups.push((ind.code, g));
                continue;
            };
            let same = |(m, p, _): &&(Measure, &[&str], Vec<FigureGroup>)| {
                *m == ind.measure && *p == ind.programs
            };
            if !both_areas.iter().any(|x| same(&x)) {
                let scope = ReportScope {
                    area: None,
                    ..scope
                };
                let g = self
                    .store()
                    .report_figure(ind.measure, &scope, Breakdown::AreaStreetAndMonth)
                    .await?;
                both_areas.push((ind.measure, ind.programs, g));
            }
            let prefix = format!("{area}|");
            let g = both_areas
                .iter()
                .find(same)
                .map(|(_, _, g)| {
                    g.iter()
                        .filter_map(|g| {
                            Some(FigureGroup {
                                key: g.key.strip_prefix(&prefix)?.to_owned(),
                                ..g.clone()
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            groups.push((ind.code, g));
        }
        Ok(Flows { groups })
    }

    /// [`Service::stocks`] and [`Service::flows`] at once, on two connections: the two
    /// long passes of a report run side by side.
    async fn stocks_and_flows(
        &self,
        params: &Params,
        cutoff: DateTime<Utc>,
        indicators: &[&'static Indicator],
    ) -> Result<(Stocks, Flows), Error> {
        tokio::try_join!(
            self.stocks(params, cutoff, indicators, params.period.month_ends()),
            self.flows(params, cutoff, indicators)
        )
    }

    fn scope(
        &self,
        params: &Params,
        ind: &Indicator,
        on: NaiveDate,
        cutoff: DateTime<Utc>,
    ) -> ReportScope {
        ReportScope {
            programs: ind.programs.to_vec(),
            area: ind.area,
            root: Some(params.root.clone()),
            on,
            from_month: params.period.first_month().to_string(),
            to_month: params.period.last_month().to_string(),
            cutoff,
        }
    }

    /// The figures of `indicators` for `params` at `cutoff`, with the root division's name.
    /// The stock indicators' groups come from `stocks`, which must count the period's end,
    /// and the flows' from `flows`.
    async fn figures(
        &self,
        params: &Params,
        cutoff: DateTime<Utc>,
        indicators: &[&'static Indicator],
        (stocks, flows): &(Stocks, Flows),
    ) -> Result<(Vec<Figure>, String), Error> {
        let root = self.store().division(&params.root).await?;
        let mut names: Vec<(String, String)> = self
            .store()
            .child_divisions(Some(&params.root))
            .await?
            .into_iter()
            .map(|c| (c.division.code.as_str()[..9].to_owned(), c.division.name))
            .collect();
        names.push((params.root.as_str()[..9].to_owned(), root.name.clone()));
        let name_of = |key: &str| {
            names
                .iter()
                .find(|(k, _)| k == key)
                .map_or_else(String::new, |(_, n)| n.clone())
        };
        let mut figures = Vec::with_capacity(indicators.len());
        for ind in indicators.iter().copied() {
            let groups = match stocks
                .groups(ind, params.period.to())
                .or_else(|| flows.by(ind, Part::Street))
            {
                Some(groups) => groups,
                None => {
                    let scope = self.scope(params, ind, params.period.to(), cutoff);
                    self.store()
                        .report_figure(ind.measure, &scope, Breakdown::Street)
                        .await?
                }
            };
            figures.push(Figure {
                indicator: ind,
                value: value_of(ind, &groups),
                by_street: if ind.kind == Kind::Fact {
                    Vec::new()
                } else {
                    groups
                        .iter()
                        .map(|g| {
                            (
                                g.key.clone(),
                                name_of(&g.key),
                                value_of(ind, std::slice::from_ref(g)),
                            )
                        })
                        .collect()
                },
            });
        }
        Ok((figures, root.name))
    }

    /// Computes every figure of the report for `params` at `cutoff`.
    async fn compute(
        &self,
        params: &Params,
        cutoff: DateTime<Utc>,
    ) -> Result<(Vec<Figure>, Vec<MonthFigures>, String), Error> {
        let all: Vec<&'static Indicator> = INDICATORS.iter().collect();
        let passes = self.stocks_and_flows(params, cutoff, &all).await?;
        let (figures, name) = self.figures(params, cutoff, &all, &passes).await?;
        let (stocks, flows) = &passes;
        let mut months = Vec::new();
        let paid = |code: &'static str| {
            let ind = indicator(code).ok_or(Error::NotFound)?;
            flows.by(ind, Part::Month).ok_or(Error::NotFound)
        };
        let dibao_paid = paid("dibao.paid")?;
        let mut tekun_paid = paid("tekun_rural.paid")?;
        tekun_paid.extend(paid("tekun_urban.paid")?);
        for month in params.period.months() {
            let on = month.last_day().min(params.period.to());
            let count = |code: &'static str| {
                let ind = indicator(code).ok_or(Error::NotFound)?;
                let groups = stocks.groups(ind, on).ok_or(Error::NotFound)?;
                Ok::<_, Error>(groups.iter().map(|g| g.count).sum::<i64>())
            };
            let key = month.to_string();
            let sum = |groups: &[FigureGroup]| {
                Fen::from_fen(
                    groups
                        .iter()
                        .filter(|g| g.key == key)
                        .map(|g| g.sum_fen)
                        .sum(),
                )
            };
            months.push(MonthFigures {
                month,
                dibao_households: count("dibao.households")?,
                dibao_persons: count("dibao.persons")?,
                tekun_persons: count("tekun_rural.persons")? + count("tekun_urban.persons")?,
                dibao_paid: sum(&dibao_paid),
                tekun_paid: sum(&tekun_paid),
            });
        }
        Ok((figures, months, name))
    }

    fn assemble(
        &self,
        id: i64,
        params: Params,
        cutoff: DateTime<Utc>,
        computed: (Vec<Figure>, Vec<MonthFigures>, String),
    ) -> Report {
        let (figures, months, division_name) = computed;
        let lines = canonical(&params, cutoff, &figures, &months);
        let hash = content_hash(lines.iter().map(|(k, v)| (k.as_str(), v.clone())));
        let content = lines
            .iter()
            .map(|(k, v)| format!("{k}={v}\n"))
            .collect::<String>();
        Report {
            id,
            period: params.period,
            division: params.root,
            division_name,
            cutoff,
            figures,
            months,
            content,
            hash,
        }
    }

    /// Generates the report for `from`..`to` (dates, both included) over `division`'s subtree
    /// (the actor's jurisdiction when `None`), with the data cut-off now, and stores it.
    pub async fn generate_report(
        &self,
        actor: &Actor,
        from: &str,
        to: &str,
        division: Option<&str>,
    ) -> Result<Report, Error> {
        self.authorize(actor, Line::Reports, Action::Read)?;
        let params = self.report_params(actor, from, to, division).await?;
        let cutoff = self.now();
        let computed = self.compute(&params, cutoff).await?;
        let mut report = self.assemble(0, params, cutoff, computed);
        let stored = StoredReport {
            id: 0,
            from_date: report.period.from(),
            to_date: report.period.to(),
            division_code: report.division.to_string(),
            cutoff,
            generated_by: actor.username.clone(),
            content: report.content.clone(),
            content_hash: report.hash.clone(),
        };
        let audit = self.audit(
            actor,
            "reports.generate",
            "reports",
            "",
            format!(
                "period={} division={} hash={}",
                report.period, report.division, report.hash
            ),
        );
        report.id = self.store().insert_report(&stored, &audit).await?;
        Ok(report)
    }

    /// The stored report `id` computed again at its cut-off: the same figures and hash as
    /// when it was generated, whatever has been recorded since.
    pub async fn reproduce_report(&self, actor: &Actor, id: i64) -> Result<Report, Error> {
        self.authorize(actor, Line::Reports, Action::Read)?;
        let stored = self.store().stored_report(id).await?;
        let root = stored
            .division_code
            .parse::<DivisionCode>()
            .map_err(|_| Error::NotFound)?;
        self.within(actor, &root)?;
        let params = Params {
            period: Period::new(stored.from_date, stored.to_date).map_err(|_| Error::NotFound)?,
            root,
        };
        let computed = self.compute(&params, stored.cutoff).await?;
        Ok(self.assemble(id, params, stored.cutoff, computed))
    }

    /// The stored text and hash of report `id`, as generated.
    pub async fn stored_report(&self, actor: &Actor, id: i64) -> Result<StoredReport, Error> {
        self.authorize(actor, Line::Reports, Action::Read)?;
        let stored = self.store().stored_report(id).await?;
        let root = stored
            .division_code
            .parse::<DivisionCode>()
            .map_err(|_| Error::NotFound)?;
        self.within(actor, &root)?;
        Ok(stored)
    }

    /// A page of the records behind indicator `code` of report `id`, as they stood on the
    /// report's date and cut-off, starting after the key `after` (empty: the first page),
    /// with the figure as the report stored it. ID numbers are masked. The read is
    /// audited: it shows personal records.
    pub async fn report_records(
        &self,
        actor: &Actor,
        id: i64,
        code: &str,
        limit: i64,
        after: &str,
    ) -> Result<RecordsPage, Error> {
        let after = match after.trim() {
            "" => None,
            text => Some(
                text.parse::<store::RecordKey>()
                    .map_err(|()| Error::invalid(field("after", "reports.bad_after", text)))?,
            ),
        };
        self.records_of(actor, id, code, limit, after, Some("reports.records.read"))
            .await
    }

    /// Every record behind indicator `code` of report `id` for an export, masked, with the
    /// export audited once: page after page in key order, refused past
    /// [`MAX_EXPORT_RECORDS`] (a street's or a community's report exports its part).
    pub async fn export_report_records(
        &self,
        actor: &Actor,
        id: i64,
        code: &str,
    ) -> Result<RecordsPage, Error> {
        self.authorize(actor, Line::Reports, Action::Export)?;
        let mut all = self
            .records_of(actor, id, code, store::MAX_PAGE_ROWS, None, None)
            .await?;
        while let Some(next) = all.next.take() {
            if all.records.len() >= MAX_EXPORT_RECORDS {
                return Err(Error::invalid(field(
                    "indicator",
                    "reports.export_too_large",
                    MAX_EXPORT_RECORDS.to_string(),
                )));
            }
            let after = next
                .parse::<store::RecordKey>()
                .map_err(|()| Error::NotFound)?;
            let page = self
                .records_of(actor, id, code, store::MAX_PAGE_ROWS, Some(after), None)
                .await?;
            all.records.extend(page.records);
            all.next = page.next;
        }
        let audit = self.audit(
            actor,
            "reports.records.export",
            format!("report:{id}"),
            "",
            format!("indicator={code} rows={}", all.records.len()),
        );
        self.store().record_audit(&audit).await?;
        Ok(all)
    }

    async fn records_of(
        &self,
        actor: &Actor,
        id: i64,
        code: &str,
        limit: i64,
        after: Option<store::RecordKey>,
        action: Option<&str>,
    ) -> Result<RecordsPage, Error> {
        self.authorize(actor, Line::Reports, Action::Read)?;
        let ind = indicator(code)
            .ok_or_else(|| Error::invalid(field("indicator", "reports.unknown_indicator", code)))?;
        let stored = self.stored_report(actor, id).await?;
        let params = Params {
            period: Period::new(stored.from_date, stored.to_date).map_err(|_| Error::NotFound)?,
            root: stored
                .division_code
                .parse::<DivisionCode>()
                .map_err(|_| Error::NotFound)?,
        };
        let scope = self.scope(&params, ind, params.period.to(), stored.cutoff);
        // The figure as stored: counting it again would cost as much as the whole list.
        // A report stored before the indicator existed has no line for it.
        let value = match stored_value(&stored.content, ind.code) {
            Some(value) => value,
            None => {
                let groups = self
                    .store()
                    .report_figure(ind.measure, &scope, Breakdown::Street)
                    .await?;
                value_of(ind, &groups)
            }
        };
        let (mut records, next) = self
            .store()
            .report_records(ind.measure, &scope, limit, after)
            .await?;
        for r in &mut records {
            if !r.id_number.is_empty() {
                r.id_number =
                    ResidentId::parse(&r.id_number).map_or_else(|_| "*".repeat(18), |n| n.masked());
            }
        }
        // A page read is audited here; an export once for all its pages by its caller.
        if let Some(action) = action {
            let audit = self.audit(
                actor,
                action,
                format!("report:{id}"),
                "",
                format!(
                    "indicator={code} after={} rows={}",
                    after.map(|k| k.to_string()).unwrap_or_default(),
                    records.len()
                ),
            );
            self.store().record_audit(&audit).await?;
        }
        Ok(RecordsPage {
            records,
            value,
            next: next.map(|k| k.to_string()),
        })
    }
}

/// The most records one drill-down export holds: a district's whole caseload of persons,
/// well inside a worksheet (1 048 576 rows); a larger figure is exported street by street.
pub const MAX_EXPORT_RECORDS: usize = 100_000;

/// A page of the records behind one figure of a stored report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordsPage {
    pub records: Vec<ReportRecord>,
    /// The figure as the report stored it, in its unit's base (a count or fen).
    pub value: i64,
    /// The `after` of the next page, when more records follow.
    pub next: Option<String>,
}

/// The value of indicator `code` in a stored report's canonical text (its `code=value`
/// line, written by [`canonical`]).
fn stored_value(content: &str, code: &str) -> Option<i64> {
    content
        .lines()
        .filter_map(|line| line.split_once('='))
        .find(|(key, _)| *key == code)
        .and_then(|(_, value)| value.parse().ok())
}

/// Caseload stocks on several days, counted in one go (the report's monthly chart and its
/// figures at the period's end, a dashboard's months).
pub(crate) struct Stocks {
    days: Vec<NaiveDate>,
    groups: Vec<StockGroup>,
}

impl Stocks {
    /// Whether `ind` is a stock these count: households or persons of cases.
    fn counts(ind: &Indicator) -> bool {
        matches!(ind.measure, Measure::Households | Measure::Persons)
    }

    /// `ind`'s groups by street on `day`, as [`store::Store::report_figure`] gives them
    /// (streets with nothing counted left out, in code order); `None` when `ind` is not a
    /// stock these count or `day` was not counted.
    fn groups(&self, ind: &Indicator, day: NaiveDate) -> Option<Vec<FigureGroup>> {
        if !Stocks::counts(ind) {
            return None;
        }
        let i = self.days.iter().position(|d| *d == day)?;
        let mut by_street = std::collections::BTreeMap::<&str, i64>::new();
        for g in self.groups.iter().filter(|g| {
            g.day == i
                && ind.programs.contains(&g.program.as_str())
                && ind.area.is_none_or(|a| a == g.area)
        }) {
            *by_street.entry(g.street.as_str()).or_default() += match ind.measure {
                Measure::Households => g.households,
                _ => g.persons,
            };
        }
        Some(
            by_street
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .map(|(street, count)| FigureGroup {
                    key: street.to_owned(),
                    count,
                    sum_fen: 0,
                    paid: 0,
                })
                .collect(),
        )
    }
}

/// Which part of a `STREET|YYYY-MM` key [`Flows::by`] groups by.
#[derive(Clone, Copy)]
enum Part {
    Street,
    Month,
}

/// Flow indicators' groups by street and payment month ([`Breakdown::StreetAndMonth`]).
pub(crate) struct Flows {
    groups: Vec<(&'static str, Vec<FigureGroup>)>,
}

impl Flows {
    /// Whether `ind` is a flow these sum: anything over a period but the standards.
    fn counts(ind: &Indicator) -> bool {
        ind.kind == Kind::Flow && ind.measure != Measure::Standard
    }

    /// `ind`'s groups by street or by month, in key order, as [`store::Store::report_figure`]
    /// gives them for that breakdown; `None` when `ind` was not summed.
    fn by(&self, ind: &Indicator, part: Part) -> Option<Vec<FigureGroup>> {
        let (_, groups) = self.groups.iter().find(|(code, _)| *code == ind.code)?;
        let mut by = std::collections::BTreeMap::<&str, (i64, i64, i64)>::new();
        for g in groups {
            let (street, month) = g.key.split_once('|').unwrap_or((g.key.as_str(), ""));
            let key = match part {
                Part::Street => street,
                Part::Month => month,
            };
            let e = by.entry(key).or_default();
            e.0 += g.count;
            e.1 += g.sum_fen;
            e.2 += g.paid;
        }
        Some(
            by.into_iter()
                .map(|(key, (count, sum_fen, paid))| FigureGroup {
                    key: key.to_owned(),
                    count,
                    sum_fen,
                    paid,
                })
                .collect(),
        )
    }
}

/// A figure's value from its groups ([`Indicator::value`] over their totals): a rate of
/// the groups together is not the sum of the groups' rates.
fn value_of(ind: &Indicator, groups: &[FigureGroup]) -> i64 {
    let total = |f: fn(&FigureGroup) -> i64| groups.iter().map(f).sum::<i64>();
    ind.value(total(|g| g.count), total(|g| g.sum_fen), total(|g| g.paid))
}

/// The unknown format's error, for the callers that write files.
pub fn unknown_format(found: &str) -> Error {
    Error::invalid(field("format", "reports.unknown_format", found))
}
