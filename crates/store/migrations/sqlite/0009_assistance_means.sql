-- The household economic-status check as a worksheet (domain::assistance::means, rules.md
-- §1.4). A `check_means` action (case_actions, seq) may carry one means_checks row with the
-- assessment as computed when it was recorded, and its means_items. The thresholds used are
-- kept with the result, so a later change of the local policy never rewrites what an
-- officer saw. Like case_actions, these rows are never changed or removed (triggers).
--
-- findings: the finding codes with their figures, one per line (`code|detail`).
CREATE TABLE means_checks (
    id                      INTEGER PRIMARY KEY,
    case_id                 INTEGER NOT NULL REFERENCES cases (id),
    seq                     INTEGER NOT NULL CHECK (seq >= 1),
    members                 INTEGER NOT NULL CHECK (members >= 1),
    standard_fen            INTEGER NOT NULL CHECK (standard_fen >= 0),
    countable_fen           INTEGER NOT NULL CHECK (countable_fen >= 0),
    exempt_fen              INTEGER NOT NULL CHECK (exempt_fen >= 0),
    job_cost_fen            INTEGER NOT NULL CHECK (job_cost_fen >= 0),
    per_capita_fen          INTEGER NOT NULL CHECK (per_capita_fen >= 0),
    financial_fen           INTEGER NOT NULL CHECK (financial_fen >= 0),
    job_cost_pct            INTEGER NOT NULL,
    financial_assets_months INTEGER NOT NULL,
    max_homes               INTEGER NOT NULL,
    findings                TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX means_checks_case_seq ON means_checks (case_id, seq);

-- item_no orders the rows as entered, 1.. per check. kind income: category, amount_fen
-- (monthly), exemption (NULL = counted), member_id (optional). kind property: asset,
-- amount_fen (value), count, exempt.
CREATE TABLE means_items (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases (id),
    seq         INTEGER NOT NULL,
    item_no     INTEGER NOT NULL CHECK (item_no >= 1),
    kind        TEXT NOT NULL CHECK (kind IN ('income', 'property')),
    category    TEXT CHECK (category IS NULL OR category IN ('wage', 'business', 'property', 'transfer')),
    exemption   TEXT CHECK (exemption IS NULL OR exemption IN
                ('preferential', 'assistance', 'basic_pension', 'designated')),
    asset       TEXT CHECK (asset IS NULL OR asset IN ('deposits', 'securities', 'insurance',
                'other_financial', 'vehicle', 'business', 'real_estate', 'machinery')),
    member_id   INTEGER REFERENCES members (id),
    amount_fen  INTEGER NOT NULL CHECK (amount_fen >= 0),
    count       INTEGER NOT NULL DEFAULT 1 CHECK (count >= 1),
    exempt      INTEGER NOT NULL DEFAULT 0 CHECK (exempt IN (0, 1)),
    note        TEXT NOT NULL DEFAULT '',
    CHECK (kind <> 'income' OR category IS NOT NULL),
    CHECK (kind <> 'property' OR asset IS NOT NULL)
);
CREATE UNIQUE INDEX means_items_check_no ON means_items (case_id, seq, kind, item_no);

CREATE TRIGGER means_checks_no_update BEFORE UPDATE ON means_checks
BEGIN
    SELECT RAISE(ABORT, 'means_checks is append-only');
END;
CREATE TRIGGER means_checks_no_delete BEFORE DELETE ON means_checks
BEGIN
    SELECT RAISE(ABORT, 'means_checks is append-only');
END;
CREATE TRIGGER means_items_no_update BEFORE UPDATE ON means_items
BEGIN
    SELECT RAISE(ABORT, 'means_items is append-only');
END;
CREATE TRIGGER means_items_no_delete BEFORE DELETE ON means_items
BEGIN
    SELECT RAISE(ABORT, 'means_items is append-only');
END;
