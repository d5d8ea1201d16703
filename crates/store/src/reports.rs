//! Reports (统计与总结): the one query per [`Measure`] that defines an indicator, used both
//! for the figure (grouped by street or by payment month) and for its drill-down list, so
//! the list always adds up to the figure; and the stored reports (migration 0010).
//!
//! Every query reads the records as they stood at a data cut-off: a case counts only if it
//! was decided (approved or imported) by then, a change recorded after it is undone (the
//! benefit end, the division and area before a move, a member's leaving or joining), and
//! only ledger entries recorded by then count. The current rows (cases, households,
//! members) are read as they are otherwise; the change log says what they were before.
//!
//! The queries are set-based (one statement per figure, correlated look-ups on the
//! indexed change log), so they scale with the ledger's index, not with round trips. The
//! report's money and caseload figures read the rows kept as the records are written
//! (migration 0021: `ledger_totals`, `report_caseload`, [`keep_caseload`]) where they stand
//! for the records; the per-measure queries stay the definition and the drill-down.

use chrono::{DateTime, NaiveDate, Utc};
use domain::DivisionCode;
use domain::reports::Measure;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{self, AuditEntry};
use crate::divisions::subtree_prefix;
use crate::{MAX_PAGE_ROWS, Store, StoreError, dynamic, parse_timestamp, timestamp};

/// What one figure is counted over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportScope {
    /// Programme codes, from the indicator registry.
    pub programs: Vec<&'static str>,
    /// `urban` or `rural`, or `None` for both.
    pub area: Option<&'static str>,
    /// The subtree; `None` for every division.
    pub root: Option<DivisionCode>,
    /// The day stocks are counted on (the period's end).
    pub on: NaiveDate,
    /// The payment months flows sum, `YYYY-MM`, inclusive.
    pub from_month: String,
    pub to_month: String,
    /// Records entered after this moment do not count.
    pub cutoff: DateTime<Utc>,
}

/// How figures are broken down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breakdown {
    /// By street or town (the first nine digits of the division code).
    Street,
    /// By payment month (flows only; stocks give one group).
    PaidIn,
    /// By street and payment month at once, the key `STREET|YYYY-MM` (flows): a figure's
    /// streets and its months from one pass.
    StreetAndMonth,
    /// [`Breakdown::StreetAndMonth`] for both areas in one pass, the key
    /// `AREA|STREET|YYYY-MM`; the scope's area is ignored. The urban and the rural
    /// figure of the same programmes read the ledger once.
    AreaStreetAndMonth,
}

/// One group of a figure: its key (a nine-digit street prefix, a month, or empty), the
/// number of records and the sum of their amounts in fen (0 for counts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FigureGroup {
    pub key: String,
    pub count: i64,
    pub sum_fen: i64,
    /// The records with an amount above zero: a rate's numerator (`Indicator::value`).
    pub paid: i64,
}

/// One record behind a figure. Which fields are filled depends on the measure: a case
/// (households), a member (persons: name and ID number), a ledger entry (paid: months,
/// kind, amount) or a standard (month = effective from, amount).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportRecord {
    pub id: i64,
    pub case_id: i64,
    pub household_id: i64,
    pub program: String,
    pub division_code: String,
    pub division_name: String,
    pub name: String,
    pub id_number: String,
    pub month: String,
    pub paid_in: String,
    pub kind: String,
    pub amount_fen: i64,
}

/// Where a drill-down page starts: after the record with this key in its measure's order
/// (`Store::report_records`). Measures keyed by one id leave the second part 0. Ids start
/// at 1, so the default key (0, 0) comes before every record: the first page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordKey(pub i64, pub i64);

impl std::fmt::Display for RecordKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.0, self.1)
    }
}

impl std::str::FromStr for RecordKey {
    type Err = ();

    /// `FIRST.SECOND`, two non-negative integers, as [`RecordKey`]'s `Display` writes it.
    fn from_str(text: &str) -> Result<Self, ()> {
        let (first, second) = text.split_once('.').ok_or(())?;
        let part = |t: &str| t.parse::<i64>().ok().filter(|n| *n >= 0).ok_or(());
        Ok(RecordKey(part(first)?, part(second)?))
    }
}

/// The rows after the key `$7` (and `$8`) in the order of the key's columns. The first
/// column alone bounds the scan, so the engine seeks in its index rather than filtering.
fn after_key(key: &[&str]) -> String {
    match key {
        [first, second, ..] => {
            format!(" AND {first} >= $7 AND ({first} > $7 OR {second} > $8)")
        }
        [first] => format!(" AND {first} > $7"),
        // No key: every row, `$7` still named since it is bound.
        [] => " AND $7 >= 0".to_owned(),
    }
}

/// The caseload of one day in one street or town, programme and area: what
/// [`Store::report_stocks`] counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockGroup {
    /// Index into the days asked for.
    pub day: usize,
    /// The nine-digit street or town prefix.
    pub street: String,
    pub program: String,
    pub area: String,
    pub households: i64,
    pub persons: i64,
}

/// A generated report as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReport {
    pub id: i64,
    pub from_date: NaiveDate,
    pub to_date: NaiveDate,
    pub division_code: String,
    pub cutoff: DateTime<Utc>,
    pub generated_by: String,
    pub content: String,
    pub content_hash: String,
}

/// The programme list as SQL text. The codes come from the registry's constants; anything
/// else is refused rather than spliced.
fn program_list(programs: &[&str]) -> Result<String, StoreError> {
    if programs.is_empty()
        || programs.iter().any(|p| {
            p.is_empty()
                || !p
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
    {
        return Err(StoreError::NotSupported {
            what: "programme codes other than [a-z0-9_]+",
        });
    }
    Ok(programs
        .iter()
        .map(|p| format!("'{p}'"))
        .collect::<Vec<_>>()
        .join(", "))
}

/// Where [`covered_cases_on`] counts: the day and cut-off expressions, the tables the cases
/// come from (`c` and `h` must be among them) and what else it selects and requires.
struct On<'a> {
    day: &'a str,
    cutoff: &'a str,
    from: &'a str,
    select: &'a str,
    narrow: &'a str,
}

/// The cases of every household with a change recorded on any of its cases, ever: the
/// others' rows are as they stood at any cut-off they were decided by (a member's joining
/// or leaving, a move, an end are all recorded as changes).
const CHANGED_CASES: &str = "SELECT c2.id FROM case_changes x \
     JOIN cases c1 ON c1.id = x.case_id JOIN cases c2 ON c2.household_id = c1.household_id";

/// The figures' and drill-downs' [`On`]: the day is `$1`, the cut-off `$2`, every case.
const ON_SCOPE: On<'static> = On {
    day: "$1",
    cutoff: "$2",
    from: "cases c JOIN households h ON h.id = c.household_id",
    select: "",
    narrow: "",
};

/// The cases whose benefit covers `$1` (the day) as known at `$2` (the cut-off), with the
/// division and area they had on that day. Parameters: $1 day, $2 cut-off.
fn covered_cases(programs: &str) -> String {
    covered_cases_on(programs, &ON_SCOPE)
}

/// [`covered_cases`] on any day and cut-off expressions, over the cases `on` names.
fn covered_cases_on(programs: &str, on: &On<'_>) -> String {
    let (day, cutoff) = (on.day, on.cutoff);
    // The first move not yet in force on the day (or not yet recorded at the cut-off)
    // holds the division and area before it.
    let before_move = |column: &str| {
        format!(
            "(SELECT x.{column} FROM case_changes x WHERE x.case_id = c.id AND x.kind = 'move' \
             AND (x.at > {cutoff} OR x.effective_from > {day}) ORDER BY x.seq LIMIT 1)"
        )
    };
    format!(
        "SELECT c.id AS case_id, c.household_id, c.program, \
         COALESCE({div}, h.division_code) AS division_code, \
         COALESCE({area}, h.area) AS area{select} \
         FROM {from} \
         WHERE c.program IN ({programs}) AND c.benefit_start IS NOT NULL \
         AND c.benefit_start <= {day}{narrow} \
         AND EXISTS (SELECT 1 FROM case_actions a WHERE a.case_id = c.id \
             AND a.step IN ('approve', 'import') AND a.at <= {cutoff}) \
         AND COALESCE(CASE WHEN EXISTS (SELECT 1 FROM case_changes x WHERE x.case_id = c.id \
                 AND x.end_date IS NOT NULL AND x.at > {cutoff}) \
             THEN (SELECT x.end_date FROM case_changes x WHERE x.case_id = c.id \
                 AND x.end_date IS NOT NULL AND x.at <= {cutoff} ORDER BY x.seq DESC LIMIT 1) \
             ELSE c.benefit_end END, '9999-12-31') >= {day} \
         AND COALESCE((SELECT x.kind FROM case_changes x WHERE x.case_id = c.id \
             AND x.kind IN ('suspend', 'resume') AND x.effective_from <= {day} AND x.at <= {cutoff} \
             ORDER BY x.seq DESC LIMIT 1), '') <> 'suspend'",
        div = before_move("division_before"),
        area = before_move("area_before"),
        select = on.select,
        from = on.from,
        narrow = on.narrow,
    )
}

/// The members `m` of the households of covered cases `s` current on the day as known at
/// the cut-off: a leaving recorded later is undone, a joining recorded later left out.
fn current_member(s: &str, day: &str, cutoff: &str) -> String {
    format!(
        "m.household_id = {s}.household_id AND m.joined_on <= {day} \
         AND COALESCE(CASE WHEN m.left_on IS NOT NULL AND EXISTS (SELECT 1 FROM case_changes x \
             WHERE x.case_id = {s}.case_id AND x.at > {cutoff} \
             AND (x.member_id = m.id OR x.end_date IS NOT NULL)) THEN NULL ELSE m.left_on END, \
             '9999-12-31') >= {day} \
         AND NOT EXISTS (SELECT 1 FROM case_changes x WHERE x.member_id = m.id \
             AND x.kind = 'member_join' AND x.at > {cutoff})"
    )
}

/// Ledger entries of the programmes paid in months $3..$4, recorded by $2, each with the
/// division and area its line was computed with (the area whose standard it was paid at).
/// Parameters as in [`covered_cases`], then the months. [`ledger_totals`] sums the same
/// entries.
fn paid_entries(programs: &str) -> String {
    format!(
        "SELECT e.id, CAST(COALESCE(e.case_id, 0) AS BIGINT) AS case_id, e.household_id, \
         e.program, e.division_code, e.benefit_month, \
         e.paid_in, e.kind, e.amount_fen, e.area \
         FROM payroll_ledger e WHERE e.program IN ({programs}) \
         AND e.paid_in >= $3 AND e.paid_in <= $4 AND e.recorded_at <= $2 AND $1 <> ''"
    )
}

/// [`paid_entries`] summed: the ledger's totals (migration 0021, kept by
/// `payroll::add_to_totals` as entries are appended) by division, area and payment month,
/// recorded by $2. A money figure reads these few rows instead of the entries.
fn ledger_totals(programs: &str) -> String {
    format!(
        "SELECT t.paid_in, t.division_code, t.area, t.entries, t.amount_fen, t.positive \
         FROM ledger_totals t WHERE t.program IN ({programs}) \
         AND t.paid_in >= $3 AND t.paid_in <= $4 AND t.recorded_at <= $2 AND $1 <> ''"
    )
}

/// The rows of a measure as a subquery `s` with at least division_code and area, plus the
/// grouping/amount expressions. Parameters: $1 day, $2 cut-off, $3 and $4 months, $5 subtree
/// pattern, $6 area ('' for both).
fn measure_rows(measure: Measure, programs: &str) -> String {
    match measure {
        Measure::Households => format!(
            "SELECT s.*, CAST(0 AS BIGINT) AS amount_fen, '' AS paid_in FROM ({}) s \
             WHERE $3 <= $4",
            covered_cases(programs)
        ),
        Measure::Persons => format!(
            "SELECT s.case_id, s.household_id, s.program, s.division_code, s.area, \
             m.id AS member_id, m.person_id, CAST(0 AS BIGINT) AS amount_fen, '' AS paid_in \
             FROM ({}) s JOIN members m ON {} WHERE $3 <= $4",
            covered_cases(programs),
            current_member("s", "$1", "$2")
        ),
        Measure::Paid | Measure::Standard => paid_entries(programs),
        Measure::Entitled => entitled_rows(programs),
        Measure::Visited => visited_rows(programs),
        Measure::Received => received_rows(programs),
        Measure::Hardship => hardship_rows(programs),
        Measure::Liaison => liaison_rows(programs),
        Measure::Followups => followup_rows(programs),
        Measure::StandardsRaised => STANDARDS_RAISED_ROWS.to_owned(),
        Measure::HolidayEntitled => HOLIDAY_ENTITLED_ROWS.to_owned(),
        Measure::HolidayPaid => {
            format!("SELECT q.* FROM ({HOLIDAY_ENTITLED_ROWS}) q WHERE q.amount_fen > 0")
        }
    }
}

/// Veterans' standards raised with effect in months $3..$4 (by $1): a key (category, grade,
/// cause) with no standard before, or a yearly amount above the one in force before; the
/// record's kind is `grade|cause|per`. The
/// standards are district-wide, so each row carries the scope's root division ($5). The
/// cut-off ($2) is not applied: standards are read as stored (a corrected amount keeps its
/// row, and the table keeps no time of first entry), as [`Measure::Standard`] reads them.
const STANDARDS_RAISED_ROWS: &str = "SELECT s.id, CAST(0 AS BIGINT) AS case_id, \
     CAST(0 AS BIGINT) AS household_id, s.category_code AS program, \
     (SELECT MIN(d.code) FROM divisions d WHERE d.code LIKE $5) AS division_code, '' AS area, \
     s.amount_fen, substr(s.effective_from, 1, 7) AS paid_in, c.name AS name, '' AS id_number, \
     s.effective_from AS benefit_month, \
     CAST(s.grade AS TEXT) || '|' || s.cause || '|' || s.per AS kind \
     FROM veteran_standards s JOIN veteran_categories c ON c.code = s.category_code \
     WHERE s.effective_from <= $1 AND $2 <> '' \
     AND substr(s.effective_from, 1, 7) >= $3 AND substr(s.effective_from, 1, 7) <= $4 \
     AND s.amount_fen * (CASE WHEN s.per = 'month' THEN 12 ELSE 1 END) > COALESCE( \
         (SELECT b.amount_fen * (CASE WHEN b.per = 'month' THEN 12 ELSE 1 END) \
          FROM veteran_standards b WHERE b.category_code = s.category_code \
          AND b.grade = s.grade AND b.cause = s.cause AND b.effective_from < s.effective_from \
          ORDER BY b.effective_from DESC LIMIT 1), 0)";

/// Every household entitled to a holiday payment (优待金) payable in months $3..$4 (its
/// month), defined by $2: an entitlement of a category the holiday pays, certified by its
/// day, registered by $2 and active on the day as known at $2 (what the holiday run pays).
/// One row per holiday and household (keyed by both; `kind` is the holiday, `name` the
/// household's first entitled person: a veterans' household may have no members on
/// record) with what the ledger entries recorded by $2 paid it for the holiday's month,
/// net: the run's one-off, its reversal and a correction's replacement all keep that
/// benefit month, and a month holds one holiday run. Above zero is paid. $1 (the day) is not needed: the months bound
/// the holidays, and a holiday's day may fall after a period that ends mid-month.
const HOLIDAY_ENTITLED_ROWS: &str = "SELECT t.household_id AS id, \
     CAST(0 AS BIGINT) AS case_id, t.household_id, 'veterans_holiday' AS program, \
     h.division_code, h.area, \
     CAST(COALESCE((SELECT SUM(e.amount_fen) FROM payroll_ledger e \
         WHERE e.program = 'veterans_holiday' AND e.household_id = t.household_id \
         AND e.benefit_month = t.month AND e.recorded_at <= $2), 0) AS BIGINT) AS amount_fen, \
     t.month AS paid_in, \
     (SELECT p.name FROM veteran_entitlements n JOIN persons p ON p.id = n.person_id \
      WHERE n.household_id = t.household_id ORDER BY n.id LIMIT 1) AS name, \
     '' AS id_number, t.entitled_on AS benefit_month, t.name AS kind, t.holiday_id \
     FROM (SELECT DISTINCT v.id AS holiday_id, v.name, v.month, v.entitled_on, e.household_id \
         FROM veteran_holidays v JOIN veteran_holiday_amounts a ON a.holiday_id = v.id \
         JOIN veteran_entitlements e ON e.category_code = a.category_code \
         WHERE v.at <= $2 AND $1 <> '' AND v.month >= $3 AND v.month <= $4 \
         AND e.certified_on <= v.entitled_on AND e.at <= $2 \
         AND COALESCE((SELECT x.status FROM veteran_status_events x \
             WHERE x.entitlement_id = e.id AND x.effective_on <= v.entitled_on AND x.at <= $2 \
             ORDER BY x.effective_on DESC, x.seq DESC LIMIT 1), 'active') = 'active') t \
     JOIN households h ON h.id = t.household_id";

/// Liaison pairings started for the reasons in months $3..$4 (by $1) and recorded by $2,
/// with the household's division on the day of pairing; the leader is the record's kind.
fn liaison_rows(reasons: &str) -> String {
    format!(
        "SELECT l.id, CAST(0 AS BIGINT) AS case_id, l.household_id, l.reason AS program, \
         l.division_code, dv.area, CAST(0 AS BIGINT) AS amount_fen, \
         substr(l.starts_on, 1, 7) AS paid_in, p.name AS name, '' AS id_number, \
         l.starts_on AS benefit_month, l.leader_name AS kind \
         FROM liaison_pairings l JOIN veteran_entitlements e ON e.id = l.entitlement_id \
         JOIN persons p ON p.id = e.person_id JOIN divisions dv ON dv.code = l.division_code \
         WHERE l.reason IN ({reasons}) AND l.starts_on <= $1 AND l.at <= $2 \
         AND substr(l.starts_on, 1, 7) >= $3 AND substr(l.starts_on, 1, 7) <= $4"
    )
}

/// Petition follow-ups of the kinds made in months $3..$4 (by $1) and recorded by $2, with
/// the case's division; who followed up is the record's kind.
fn followup_rows(kinds: &str) -> String {
    format!(
        "SELECT f.id, CAST(0 AS BIGINT) AS case_id, CAST(0 AS BIGINT) AS household_id, \
         f.kind AS program, c.division_code, dv.area, CAST(0 AS BIGINT) AS amount_fen, \
         substr(f.on_date, 1, 7) AS paid_in, c.petitioner AS name, '' AS id_number, \
         f.on_date AS benefit_month, f.who AS kind \
         FROM petition_followups f JOIN petition_cases c ON c.id = f.case_id \
         JOIN divisions dv ON dv.code = c.division_code \
         WHERE f.kind IN ({kinds}) AND f.on_date <= $1 AND f.at <= $2 \
         AND substr(f.on_date, 1, 7) >= $3 AND substr(f.on_date, 1, 7) <= $4"
    )
}

/// Soldiers received with the training choices, reported in months $3..$4 (by $1) and
/// recorded by $2.
fn received_rows(trainings: &str) -> String {
    format!(
        "SELECT r.id, CAST(0 AS BIGINT) AS case_id, CAST(0 AS BIGINT) AS household_id, \
         r.training AS program, r.division_code, dv.area, CAST(0 AS BIGINT) AS amount_fen, \
         substr(r.reported_on, 1, 7) AS paid_in, p.name AS name, p.id_number AS id_number, \
         r.reported_on AS benefit_month, r.placement AS kind \
         FROM receptions r JOIN persons p ON p.id = r.person_id \
         JOIN divisions dv ON dv.code = r.division_code \
         WHERE r.training IN ({trainings}) AND r.reported_on <= $1 AND r.at <= $2 \
         AND substr(r.reported_on, 1, 7) >= $3 AND substr(r.reported_on, 1, 7) <= $4"
    )
}

/// Hardship grants of the kinds approved in months $3..$4 (by $1) and recorded by $2.
fn hardship_rows(kinds: &str) -> String {
    format!(
        "SELECT g.id, CAST(0 AS BIGINT) AS case_id, e.household_id, g.kind AS program, \
         g.division_code, dv.area, g.amount_fen, substr(g.approved_on, 1, 7) AS paid_in, \
         p.name AS name, '' AS id_number, g.approved_on AS benefit_month, g.kind AS kind \
         FROM hardship_grants g JOIN veteran_entitlements e ON e.id = g.entitlement_id \
         JOIN persons p ON p.id = e.person_id JOIN divisions dv ON dv.code = g.division_code \
         WHERE g.kind IN ({kinds}) AND g.approved_on <= $1 AND g.at <= $2 \
         AND substr(g.approved_on, 1, 7) >= $3 AND substr(g.approved_on, 1, 7) <= $4"
    )
}

/// Veterans' entitlements of the categories, certified by $1 and recorded by $2, whose
/// status on $1 (as known at $2) is active; with the household's division and area.
fn entitled_rows(categories: &str) -> String {
    format!(
        "SELECT e.id, CAST(0 AS BIGINT) AS case_id, e.household_id,          e.category_code AS program, h.division_code, h.area,          CAST(0 AS BIGINT) AS amount_fen, '' AS paid_in, p.name AS name,          p.id_number AS id_number, e.certified_on AS benefit_month, e.category_code AS kind          FROM veteran_entitlements e JOIN households h ON h.id = e.household_id          JOIN persons p ON p.id = e.person_id          WHERE e.category_code IN ({categories}) AND e.certified_on <= $1 AND e.at <= $2          AND $3 <= $4          AND COALESCE((SELECT x.status FROM veteran_status_events x              WHERE x.entitlement_id = e.id AND x.effective_on <= $1 AND x.at <= $2              ORDER BY x.effective_on DESC, x.seq DESC LIMIT 1), 'active') = 'active'"
    )
}

/// Campaign visits to the beneficiary kinds made in months $3..$4 (by $1) and recorded by
/// $2: money and valued goods, with the visit's division and its area.
fn visited_rows(kinds: &str) -> String {
    format!(
        "SELECT v.id, CAST(0 AS BIGINT) AS case_id,          CAST(COALESCE(v.household_id, 0) AS BIGINT) AS household_id,          v.beneficiary AS program, v.division_code, dv.area,          CAST(v.money_fen + v.goods_fen AS BIGINT) AS amount_fen,          substr(v.visited_on, 1, 7) AS paid_in,          COALESCE(v.unit_name, (SELECT p.name FROM veteran_entitlements e              JOIN persons p ON p.id = e.person_id WHERE e.id = v.entitlement_id), '') AS name,          '' AS id_number, v.visited_on AS benefit_month, v.funding_source AS kind          FROM campaign_visits v JOIN divisions dv ON dv.code = v.division_code          WHERE v.beneficiary IN ({kinds}) AND v.visited_on <= $1 AND v.at <= $2          AND substr(v.visited_on, 1, 7) >= $3 AND substr(v.visited_on, 1, 7) <= $4"
    )
}

fn bind_scope<'q>(
    sql: String,
    scope: &ReportScope,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    let prefix = scope
        .root
        .as_ref()
        .map_or_else(|| "%".to_owned(), |r| format!("{}%", subtree_prefix(r)));
    sqlx::query(dynamic(sql))
        .bind(scope.on.format("%Y-%m-%d").to_string())
        .bind(timestamp(scope.cutoff))
        .bind(scope.from_month.clone())
        .bind(scope.to_month.clone())
        .bind(prefix)
        .bind(scope.area.unwrap_or("").to_owned())
}

const SCOPE_FILTER: &str = "r.division_code LIKE $5 AND ($6 = '' OR r.area = $6)";

/// [`SCOPE_FILTER`] for `scope`: without an area it leaves the area out (`$6` is '' then),
/// so a query that needs no area does not look up a case's area on the day.
fn scope_filter(scope: &ReportScope) -> &'static str {
    if scope.area.is_some() {
        SCOPE_FILTER
    } else {
        "r.division_code LIKE $5 AND $6 = ''"
    }
}

impl Store {
    /// A measure's figure over `scope`, in groups. Standards are one group (the standard
    /// of the first programme and the area, in force on the day).
    pub async fn report_figure(
        &self,
        measure: Measure,
        scope: &ReportScope,
        breakdown: Breakdown,
    ) -> Result<Vec<FigureGroup>, StoreError> {
        if measure == Measure::Standard {
            let rows = self.standard_rows(scope).await?;
            return Ok(rows
                .into_iter()
                .map(|r| FigureGroup {
                    key: String::new(),
                    count: 1,
                    sum_fen: r.amount_fen,
                    paid: i64::from(r.amount_fen > 0),
                })
                .collect());
        }
        let programs = program_list(&scope.programs)?;
        let filter = scope_filter(scope);
        // What a group counts, sums and counts above zero: a money figure from the
        // ledger's totals, every other from its records.
        let (rows, count, sum, paid) = if measure == Measure::Paid {
            (
                ledger_totals(&programs),
                "SUM(r.entries)",
                "SUM(r.amount_fen)",
                "SUM(r.positive)",
            )
        } else {
            (
                measure_rows(measure, &programs),
                "COUNT(*)",
                "SUM(r.amount_fen)",
                "SUM(CASE WHEN r.amount_fen > 0 THEN 1 ELSE 0 END)",
            )
        };
        let key = match breakdown {
            Breakdown::Street => "substr(r.division_code, 1, 9)",
            Breakdown::PaidIn => "r.paid_in",
            Breakdown::StreetAndMonth | Breakdown::AreaStreetAndMonth => {
                // Grouped by the columns themselves, months first, and the divisions
                // folded into streets here: the engine groups a few thousand kept totals
                // (or a measure's rows) instead of sorting by an expression.
                let by_area = breakdown == Breakdown::AreaStreetAndMonth;
                let (area, filter) = if by_area {
                    // Both areas: `$6` (bound from the scope) named, not filtered on.
                    (
                        ", COALESCE(r.area, '')",
                        "r.division_code LIKE $5 AND ($6 = '' OR $6 <> '')",
                    )
                } else {
                    ("", filter)
                };
                let sql = format!(
                    "SELECT r.paid_in AS m, r.division_code AS d{area}{alias}, \
                     CAST(COALESCE({count}, 0) AS BIGINT) AS n, \
                     CAST(COALESCE({sum}, 0) AS BIGINT) AS s, \
                     CAST(COALESCE({paid}, 0) AS BIGINT) AS p \
                     FROM ({rows}) r WHERE {filter} GROUP BY r.paid_in, r.division_code{area}",
                    alias = if by_area { " AS a" } else { "" },
                );
                let mut groups = std::collections::BTreeMap::<String, (i64, i64, i64)>::new();
                for r in bind_scope(sql, scope).fetch_all(&self.pool).await? {
                    let (month, division): (String, String) = (r.try_get("m")?, r.try_get("d")?);
                    let street = division.get(..9).unwrap_or(&division);
                    let key = if by_area {
                        format!("{}|{street}|{month}", r.try_get::<String, _>("a")?)
                    } else {
                        format!("{street}|{month}")
                    };
                    let g = groups.entry(key).or_default();
                    g.0 += r.try_get::<i64, _>("n")?;
                    g.1 += r.try_get::<i64, _>("s")?;
                    g.2 += r.try_get::<i64, _>("p")?;
                }
                return Ok(groups
                    .into_iter()
                    .map(|(key, (count, sum_fen, paid))| FigureGroup {
                        key,
                        count,
                        sum_fen,
                        paid,
                    })
                    .collect());
            }
        };
        let sql = format!(
            "SELECT {key} AS k, CAST(COALESCE({count}, 0) AS BIGINT) AS n, \
             CAST(COALESCE({sum}, 0) AS BIGINT) AS s, \
             CAST(COALESCE({paid}, 0) AS BIGINT) AS p \
             FROM ({rows}) r WHERE {filter} GROUP BY {key} ORDER BY {key}"
        );
        let rows = bind_scope(sql, scope).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(FigureGroup {
                    key: r.try_get("k")?,
                    count: r.try_get("n")?,
                    sum_fen: r.try_get("s")?,
                    paid: r.try_get("p")?,
                })
            })
            .collect()
    }

    /// The households and persons the [`Measure::Households`] and [`Measure::Persons`]
    /// queries count, on each of `days` at once, by street, programme and area, within
    /// `root`'s subtree, as known at `cutoff`: the same definition, from two sources.
    /// The simple cases of households with no change ever recorded (nearly all) are
    /// counted from their `report_caseload` rows (migration 0021, kept by
    /// [`keep_caseload`]), which stand for their rows as decided; every other case goes
    /// through the full definition, per day, driven from the change log; the three passes
    /// read one snapshot.
    pub async fn report_stocks(
        &self,
        programs: &[&str],
        days: &[NaiveDate],
        root: Option<&DivisionCode>,
        cutoff: DateTime<Utc>,
    ) -> Result<Vec<StockGroup>, StoreError> {
        let (Some(first), Some(last)) = (days.iter().min(), days.iter().max()) else {
            return Ok(Vec::new());
        };
        let programs = program_list(programs)?;
        let prefix = root.map_or_else(|| "%".to_owned(), |r| format!("{}%", subtree_prefix(r)));
        // $1 cut-off, $2 subtree pattern, $3 first day, $4 last day, then the days.
        let day = |i: usize| format!("${}", i + 5);
        let bind = |sql: String, with_days: bool| {
            let mut q = sqlx::query(dynamic(sql))
                .bind(timestamp(cutoff))
                .bind(prefix.clone())
                .bind(first.format("%Y-%m-%d").to_string())
                .bind(last.format("%Y-%m-%d").to_string());
            if with_days {
                for d in days {
                    q = q.bind(d.format("%Y-%m-%d").to_string());
                }
            }
            q
        };
        let kept = format!(
            "FROM report_caseload r WHERE r.program IN ({programs}) AND r.simple = 1 \
             AND r.decided_at <= $1 AND r.division_code LIKE $2 \
             AND r.benefit_start <= $4 AND COALESCE(r.benefit_end, '9999-12-31') >= $3 \
             AND r.case_id NOT IN ({CHANGED_CASES})"
        );
        let steady = "r.benefit_start <= $3 AND COALESCE(r.benefit_end, '9999-12-31') >= $4";
        // Covered on the first and the last day, so on every day between: one count. The
        // groups are in the index's order, so the engine sums them as it reads.
        let whole = format!(
            "SELECT r.division_code AS d, r.program, r.area, CAST(COUNT(*) AS BIGINT) AS h, \
             CAST(SUM(r.persons) AS BIGINT) AS p {kept} AND {steady} \
             GROUP BY r.division_code, r.program, r.area"
        );
        // Started or ended within the days (a few): day by day.
        let mut per_day = String::new();
        for i in 0..days.len() {
            let c = format!(
                "r.benefit_start <= {d} AND COALESCE(r.benefit_end, '9999-12-31') >= {d}",
                d = day(i)
            );
            per_day.push_str(&format!(
                ", CAST(SUM(CASE WHEN {c} THEN 1 ELSE 0 END) AS BIGINT) AS h{i}, \
                 CAST(SUM(CASE WHEN {c} THEN r.persons ELSE 0 END) AS BIGINT) AS p{i}"
            ));
        }
        let partly = format!(
            "SELECT r.division_code AS d, r.program, r.area{per_day} {kept} AND NOT ({steady}) \
             GROUP BY r.division_code, r.program, r.area"
        );
        // The other cases, each day a row of `days`: driven from the change log and the
        // cases that are not simple, so the pass is as long as those, not the caseload.
        let values = (0..days.len())
            .map(|i| format!("(CAST({i} AS BIGINT), CAST({} AS TEXT))", day(i)))
            .collect::<Vec<_>>()
            .join(", ");
        let covered = covered_cases_on(
            &programs,
            &On {
                day: "dd.d",
                cutoff: "$1",
                from: &format!(
                    "(SELECT changed.id FROM ({CHANGED_CASES}) changed \
                     UNION SELECT k.case_id FROM report_caseload k WHERE k.simple = 0) chg \
                     CROSS JOIN days dd CROSS JOIN cases c \
                     JOIN households h ON h.id = c.household_id"
                ),
                select: ", dd.i AS day_i, dd.d AS day_d",
                narrow: " AND c.id = chg.id AND $3 <= $4",
            },
        );
        let changed = format!(
            "WITH days (i, d) AS (VALUES {values}) \
             SELECT r.day_i, r.division_code AS d, r.program, r.area, \
             CAST(COUNT(*) AS BIGINT) AS households, \
             CAST(COALESCE(SUM((SELECT COUNT(*) FROM members m WHERE {member})), 0) AS BIGINT) \
             AS persons FROM ({covered}) r WHERE r.division_code LIKE $2 \
             GROUP BY r.day_i, r.division_code, r.program, r.area",
            member = current_member("r", "r.day_d", "$1"),
        );
        // The three passes in one snapshot: which cases are simple and unchanged is the
        // database's current state, so a change committed between two passes on their own
        // connections would count a case twice, or not at all.
        let mut tx = self.snapshot().await?;
        let whole = bind(whole, false).fetch_all(&mut *tx).await?;
        let partly = bind(partly, true).fetch_all(&mut *tx).await?;
        let changed = bind(changed, true).fetch_all(&mut *tx).await?;
        tx.rollback().await?;
        // (day, street, programme, area) → (households, persons), divisions folded into
        // their streets.
        let mut groups =
            std::collections::BTreeMap::<(usize, String, String, String), (i64, i64)>::new();
        let mut add = |day: usize, row: &AnyRow, households: i64, persons: i64| {
            if households == 0 && persons == 0 {
                return Ok::<(), StoreError>(());
            }
            let division: String = row.try_get("d")?;
            let street = division.get(..9).unwrap_or(&division).to_owned();
            let g = groups
                .entry((day, street, row.try_get("program")?, row.try_get("area")?))
                .or_default();
            g.0 += households;
            g.1 += persons;
            Ok(())
        };
        for row in &whole {
            let (households, persons): (i64, i64) = (row.try_get("h")?, row.try_get("p")?);
            for i in 0..days.len() {
                add(i, row, households, persons)?;
            }
        }
        for row in &partly {
            for i in 0..days.len() {
                add(
                    i,
                    row,
                    row.try_get(format!("h{i}").as_str())?,
                    row.try_get(format!("p{i}").as_str())?,
                )?;
            }
        }
        for row in &changed {
            let i: i64 = row.try_get("day_i")?;
            add(
                usize::try_from(i).unwrap_or(usize::MAX),
                row,
                row.try_get("households")?,
                row.try_get("persons")?,
            )?;
        }
        Ok(groups
            .into_iter()
            .map(
                |((day, street, program, area), (households, persons))| StockGroup {
                    day,
                    street,
                    program,
                    area,
                    households,
                    persons,
                },
            )
            .collect())
    }

    /// A page of the records a measure counts over `scope`, in the measure's key order
    /// (case, member or entry id: an index order, so a page stops after `limit` rows
    /// however large the figure), starting after the record keyed `after`; and the key to
    /// start the next page after, when more records follow. Every record, page by page,
    /// adds up to the figure.
    pub async fn report_records(
        &self,
        measure: Measure,
        scope: &ReportScope,
        limit: i64,
        after: Option<RecordKey>,
    ) -> Result<(Vec<ReportRecord>, Option<RecordKey>), StoreError> {
        if measure == Measure::Standard {
            return Ok((self.standard_rows(scope).await?, None));
        }
        let head = "(SELECT p.name FROM members hm JOIN persons p ON p.id = hm.person_id \
             WHERE hm.household_id = r.household_id AND hm.relation = 'head' \
             ORDER BY hm.id LIMIT 1)";
        // The key: one or two id columns, the measure's rows in their index order.
        let (columns, key): (String, &[&str]) = match measure {
            Measure::Entitled
            | Measure::Visited
            | Measure::Received
            | Measure::Hardship
            | Measure::Liaison
            | Measure::Followups
            | Measure::StandardsRaised => (
                "r.id AS id, r.name AS name, r.id_number AS id_number, \
                 r.benefit_month AS month, r.kind AS kind"
                    .to_owned(),
                &["r.id"],
            ),
            // One row per holiday and household: the holiday breaks the tie.
            Measure::HolidayEntitled | Measure::HolidayPaid => (
                "r.id AS id, r.name AS name, r.id_number AS id_number, \
                 r.benefit_month AS month, r.kind AS kind"
                    .to_owned(),
                &["r.id", "r.holiday_id"],
            ),
            Measure::Households => (
                format!(
                    "r.case_id AS id, {head} AS name, '' AS id_number, '' AS month, \
                     '' AS kind"
                ),
                &["r.case_id"],
            ),
            Measure::Persons => (
                "r.member_id AS id, (SELECT p.name FROM persons p WHERE p.id = r.person_id) \
                 AS name, (SELECT p.id_number FROM persons p WHERE p.id = r.person_id) \
                 AS id_number, '' AS month, '' AS kind"
                    .to_owned(),
                &["r.case_id", "r.member_id"],
            ),
            _ => (
                format!(
                    "r.id AS id, {head} AS name, '' AS id_number, r.benefit_month AS month, \
                     r.kind AS kind"
                ),
                &["r.id"],
            ),
        };
        let limit = limit.clamp(1, MAX_PAGE_ROWS);
        // One query per programme, each in its (programme, id) index order and stopping
        // after the page, merged here: with several programmes in one IN list the engines
        // sort every record of the figure to show one page.
        let mut page = Vec::new();
        for program in &scope.programs {
            let rows = measure_rows(measure, &program_list(&[program])?);
            let sql = format!(
                "SELECT {columns}, r.case_id, r.household_id, r.program, r.division_code, \
                 r.paid_in, r.amount_fen, \
                 (SELECT d.name FROM divisions d WHERE d.code = r.division_code) \
                 AS division_name, \
                 CAST({k1} AS BIGINT) AS key1, CAST({k2} AS BIGINT) AS key2 \
                 FROM ({rows}) r WHERE {filter}{after} ORDER BY {order} LIMIT {fetch}",
                filter = scope_filter(scope),
                k1 = key[0],
                k2 = key.get(1).copied().unwrap_or("0"),
                // On the first page too (after key 0: ids start at 1), or SQLite reads the
                // figure through another index and sorts it.
                after = after_key(key),
                order = key.join(", "),
                // One more than the page: whether a next page exists, without counting.
                fetch = limit + 1,
            );
            let RecordKey(first, second) = after.unwrap_or_default();
            let mut query = bind_scope(sql, scope).bind(first);
            if key.len() > 1 {
                query = query.bind(second);
            }
            for row in query.fetch_all(&self.pool).await? {
                let k = RecordKey(row.try_get("key1")?, row.try_get("key2")?);
                page.push((k, row));
            }
        }
        page.sort_by_key(|(k, _)| (k.0, k.1));
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let next = if page.len() > limit {
            page.get(limit - 1).map(|(k, _)| *k)
        } else {
            None
        };
        let records = page
            .iter()
            .take(limit)
            .map(|(_, row)| read_record(row))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((records, next))
    }

    /// The standard of the scope's first programme and area in force on the day; none when
    /// the scope has no area or no standard was set by then. Standards are read as stored:
    /// the table keeps no history of corrections to a row.
    async fn standard_rows(&self, scope: &ReportScope) -> Result<Vec<ReportRecord>, StoreError> {
        let (Some(program), Some(area)) = (scope.programs.first(), scope.area) else {
            return Ok(Vec::new());
        };
        let rows = sqlx::query(
            "SELECT id, program, effective_from, amount_fen, citation FROM standards \
             WHERE program = $1 AND area = $2 AND effective_from <= $3 \
             ORDER BY effective_from DESC LIMIT 1",
        )
        .bind(*program)
        .bind(area)
        .bind(scope.on.format("%Y-%m-%d").to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ReportRecord {
                    id: r.try_get("id")?,
                    program: r.try_get("program")?,
                    month: r.try_get("effective_from")?,
                    name: r.try_get("citation")?,
                    kind: area.to_owned(),
                    amount_fen: r.try_get("amount_fen")?,
                    ..ReportRecord::default()
                })
            })
            .collect()
    }

    /// Stores a generated report with its audit entry; returns its id.
    pub async fn insert_report(
        &self,
        report: &StoredReport,
        entry: &AuditEntry,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO reports (from_date, to_date, division_code, cutoff, generated_by, \
             content, content_hash) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(report.from_date.format("%Y-%m-%d").to_string())
        .bind(report.to_date.format("%Y-%m-%d").to_string())
        .bind(&report.division_code)
        .bind(timestamp(report.cutoff))
        .bind(&report.generated_by)
        .bind(&report.content)
        .bind(&report.content_hash)
        .fetch_one(&mut *tx)
        .await?;
        audit::append(&mut tx, self.backend, entry).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The calendar years in which the ledger paid anything, oldest first (a dashboard's
    /// year picker): from the kept totals, a few rows per month, not the entries.
    pub async fn ledger_years(&self) -> Result<Vec<i32>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT DISTINCT substr(paid_in, 1, 4) AS y FROM ledger_totals ORDER BY y",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(y,)| {
                y.parse::<i32>().map_err(|_| StoreError::Corrupt {
                    what: format!("ledger paid_in year {y:?}"),
                })
            })
            .collect()
    }

    pub async fn stored_report(&self, id: i64) -> Result<StoredReport, StoreError> {
        let row = sqlx::query(
            "SELECT id, from_date, to_date, division_code, cutoff, generated_by, content, \
             content_hash FROM reports WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        let from: String = row.try_get("from_date")?;
        let to: String = row.try_get("to_date")?;
        let cutoff: String = row.try_get("cutoff")?;
        Ok(StoredReport {
            id: row.try_get("id")?,
            from_date: crate::assistance::date(&from)?,
            to_date: crate::assistance::date(&to)?,
            division_code: row.try_get("division_code")?,
            cutoff: parse_timestamp(&cutoff)?,
            generated_by: row.try_get("generated_by")?,
            content: row.try_get("content")?,
            content_hash: row.try_get("content_hash")?,
        })
    }
}

fn read_record(row: &AnyRow) -> Result<ReportRecord, StoreError> {
    let name: Option<String> = row.try_get("name")?;
    let division_name: Option<String> = row.try_get("division_name")?;
    Ok(ReportRecord {
        id: row.try_get("id")?,
        case_id: row.try_get("case_id")?,
        household_id: row.try_get("household_id")?,
        program: row.try_get("program")?,
        division_code: row.try_get("division_code")?,
        division_name: division_name.unwrap_or_default(),
        name: name.unwrap_or_default(),
        id_number: row.try_get("id_number")?,
        month: row.try_get("month")?,
        paid_in: row.try_get("paid_in")?,
        kind: row.try_get("kind")?,
        amount_fen: row.try_get("amount_fen")?,
    })
}

/// Writes the `report_caseload` row (migration 0021) of each decided case matching
/// `condition` (on the case `c`, binding `$1` to `key`) from its rows as they now stand,
/// replacing the one it had. Every store call that decides a case or changes a decided
/// case's rows without recording a change calls this in its transaction (the approval and
/// the other case actions, the roster import), so a row always stands for its case while
/// its household has no recorded change; from the first change on, the stock figures read
/// the case itself. The first decision's moment stays the row's `decided_at`, as the
/// figures' cut-off looks for any decision by then.
pub(crate) async fn keep_caseload(
    conn: &mut sqlx::AnyConnection,
    condition: &str,
    key: i64,
) -> Result<(), StoreError> {
    sqlx::query(dynamic(format!(
        "INSERT INTO report_caseload (case_id, program, division_code, area, benefit_start, \
         benefit_end, decided_at, persons, simple) {} \
         ON CONFLICT (case_id) DO UPDATE SET program = excluded.program, \
         division_code = excluded.division_code, area = excluded.area, \
         benefit_start = excluded.benefit_start, benefit_end = excluded.benefit_end, \
         decided_at = excluded.decided_at, persons = excluded.persons, simple = excluded.simple",
        caseload_rows(condition)
    )))
    .bind(key)
    .execute(conn)
    .await?;
    Ok(())
}

/// The `report_caseload` row of each decided case matching `condition` (on `c`), from its
/// rows as they stand: what [`keep_caseload`] writes.
fn caseload_rows(condition: &str) -> String {
    format!(
        "SELECT c.id, c.program, h.division_code, h.area, c.benefit_start, c.benefit_end, \
         (SELECT MIN(a.at) FROM case_actions a WHERE a.case_id = c.id \
          AND a.step IN ('approve', 'import')) AS decided_at, \
         CAST((SELECT COUNT(*) FROM members m WHERE m.household_id = c.household_id) AS BIGINT) \
         AS persons, \
         CAST(CASE WHEN EXISTS (SELECT 1 FROM members m WHERE m.household_id = c.household_id \
             AND (m.joined_on > c.benefit_start \
                  OR COALESCE(m.left_on, '9999-12-31') < COALESCE(c.benefit_end, '9999-12-31'))) \
         THEN 0 ELSE 1 END AS BIGINT) AS simple \
         FROM cases c JOIN households h ON h.id = c.household_id \
         WHERE {condition} AND c.benefit_start IS NOT NULL \
         AND EXISTS (SELECT 1 FROM case_actions a WHERE a.case_id = c.id \
             AND a.step IN ('approve', 'import'))"
    )
}

impl Store {
    /// The caseload rows the stock figures read (those of households without a recorded
    /// change) that differ from what [`keep_caseload`] would write now, or that one of the
    /// two lacks: 0 when every kept row stands for its case.
    pub async fn report_caseload_drift(&self) -> Result<i64, StoreError> {
        let unchanged = format!("c.id NOT IN ({CHANGED_CASES})");
        let now = caseload_rows(&unchanged);
        let kept = format!(
            "SELECT r.case_id, r.program, r.division_code, r.area, r.benefit_start, \
             r.benefit_end, r.decided_at, r.persons, r.simple FROM report_caseload r \
             WHERE r.case_id NOT IN ({CHANGED_CASES})"
        );
        self.rows_differing(&now, &kept).await
    }

    /// How many rows one of the two queries gives and the other does not (both ways): the
    /// check of a kept table against the records it stands for.
    pub(crate) async fn rows_differing(&self, a: &str, b: &str) -> Result<i64, StoreError> {
        let n: i64 = sqlx::query_scalar(dynamic(format!(
            "SELECT CAST((SELECT COUNT(*) FROM (SELECT * FROM ({a}) a1 \
               EXCEPT SELECT * FROM ({b}) b1) x) \
             + (SELECT COUNT(*) FROM (SELECT * FROM ({b}) b2 \
               EXCEPT SELECT * FROM ({a}) a2) y) AS BIGINT)"
        )))
        .fetch_one(&self.pool)
        .await?;
        Ok(n)
    }
}
