-- no-transaction
-- Veterans through the payroll (issue 7 items 2–4): the payroll runs, lines and ledger of
-- 0008 learn two more programmes, `veterans` (优抚金, the regular monthly payments of the
-- entitlements, one line per household and month, the sum of its entitlements' monthly_due)
-- and `veterans_holiday` (优待金, a one-off payment per entitled household for a holiday).
-- Veterans have no assistance case, so case_id becomes optional: required for the assistance
-- programmes (a CHECK on the ledger, which carries the programme), and a veterans line is
-- keyed by household instead (payroll_lines_household_key). A line carries the reason a
-- one-off entry needs (the holiday's name), which approval copies into the ledger.
--
-- veteran_holidays: a holiday payment (e.g. 2013年春节优待金): households entitled on
-- entitled_on, paid in month by one run (run_id, set when the run is created); amounts by
-- category are data (veteran_holiday_amounts). payroll_ledger_holiday_once refuses a
-- second payment of one holiday to a household, whatever run or correction tries it.
--
-- SQLite cannot alter a CHECK, so the three tables are rebuilt (new table, copy, drop,
-- rename) with foreign keys off, every index and trigger recreated as in 0008, 0010, and the
-- foreign keys checked before the commit.
PRAGMA foreign_keys = OFF;
BEGIN;

CREATE TABLE payroll_runs_new (
    id            INTEGER PRIMARY KEY,
    month         TEXT NOT NULL CHECK (length(month) = 7),
    program       TEXT NOT NULL CHECK (program IN
                  ('dibao', 'tekun_dispersed', 'tekun_centralized', 'veterans',
                   'veterans_holiday')),
    state         TEXT NOT NULL CHECK (state IN
                  ('draft', 'checked', 'approved', 'exported', 'reconciled', 'closed')),
    cutoff        TEXT NOT NULL,
    jump_pct      INTEGER NOT NULL CHECK (jump_pct >= 0),
    prepared_by   TEXT NOT NULL,
    prepared_at   TEXT NOT NULL,
    computed_upto INTEGER NOT NULL DEFAULT 0,
    households    INTEGER NOT NULL DEFAULT 0,
    total_fen     INTEGER NOT NULL DEFAULT 0,
    approved_by   TEXT,
    approved_at   TEXT,
    CHECK (state IN ('draft', 'checked') OR approved_by IS NOT NULL),
    CHECK (approved_by IS NULL OR approved_by <> prepared_by),
    UNIQUE (month, program)
);
INSERT INTO payroll_runs_new (id, month, program, state, cutoff, jump_pct, prepared_by,
    prepared_at, computed_upto, households, total_fen, approved_by, approved_at)
SELECT id, month, program, state, cutoff, jump_pct, prepared_by, prepared_at, computed_upto,
    households, total_fen, approved_by, approved_at FROM payroll_runs;
DROP TABLE payroll_runs;
ALTER TABLE payroll_runs_new RENAME TO payroll_runs;

CREATE TABLE payroll_lines_new (
    id            INTEGER PRIMARY KEY,
    run_id        INTEGER NOT NULL REFERENCES payroll_runs (id),
    case_id       INTEGER REFERENCES cases (id),
    household_id  INTEGER NOT NULL REFERENCES households (id),
    division_code TEXT NOT NULL,
    benefit_month TEXT NOT NULL CHECK (length(benefit_month) = 7),
    kind          TEXT NOT NULL CHECK (kind IN ('regular', 'arrears', 'recovery', 'one_off')),
    amount_fen    INTEGER NOT NULL,
    members       INTEGER NOT NULL CHECK (members >= 0),
    prev_fen      INTEGER,
    flagged       INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1)),
    reason        TEXT NOT NULL DEFAULT '',
    CHECK (kind <> 'arrears' OR amount_fen > 0),
    CHECK (kind <> 'recovery' OR amount_fen < 0),
    CHECK (kind <> 'one_off' OR (amount_fen > 0 AND length(reason) > 0 AND case_id IS NULL))
);
INSERT INTO payroll_lines_new (id, run_id, case_id, household_id, division_code,
    benefit_month, kind, amount_fen, members, prev_fen, flagged)
SELECT id, run_id, case_id, household_id, division_code, benefit_month, kind, amount_fen,
    members, prev_fen, flagged FROM payroll_lines;
DROP TABLE payroll_lines;
ALTER TABLE payroll_lines_new RENAME TO payroll_lines;
CREATE UNIQUE INDEX payroll_lines_key ON payroll_lines (run_id, case_id, benefit_month, kind);
CREATE UNIQUE INDEX payroll_lines_household_key
    ON payroll_lines (run_id, household_id, benefit_month, kind) WHERE case_id IS NULL;

CREATE TABLE payroll_ledger_new (
    id            INTEGER PRIMARY KEY,
    program       TEXT NOT NULL CHECK (program IN
                  ('dibao', 'tekun_dispersed', 'tekun_centralized', 'veterans',
                   'veterans_holiday')),
    household_id  INTEGER NOT NULL REFERENCES households (id),
    case_id       INTEGER REFERENCES cases (id),
    division_code TEXT NOT NULL,
    benefit_month TEXT NOT NULL CHECK (length(benefit_month) = 7),
    kind          TEXT NOT NULL CHECK (kind IN
                  ('regular', 'arrears', 'recovery', 'reversal', 'one_off')),
    paid_in       TEXT NOT NULL CHECK (length(paid_in) = 7),
    seq           INTEGER NOT NULL DEFAULT 1 CHECK (seq >= 1),
    amount_fen    INTEGER NOT NULL,
    run_id        INTEGER REFERENCES payroll_runs (id),
    reverses      INTEGER REFERENCES payroll_ledger (id),
    reason        TEXT NOT NULL DEFAULT '',
    recorded_by   TEXT NOT NULL,
    recorded_at   TEXT NOT NULL,
    CHECK (kind <> 'regular' OR (paid_in = benefit_month AND seq = 1)),
    CHECK (kind <> 'reversal' OR (reverses IS NOT NULL AND length(reason) > 0)),
    CHECK (kind <> 'one_off' OR length(reason) > 0),
    CHECK (kind <> 'recovery' OR amount_fen < 0),
    CHECK (kind NOT IN ('regular', 'arrears', 'one_off') OR amount_fen > 0),
    CHECK (program IN ('veterans', 'veterans_holiday') OR case_id IS NOT NULL)
);
INSERT INTO payroll_ledger_new (id, program, household_id, case_id, division_code,
    benefit_month, kind, paid_in, seq, amount_fen, run_id, reverses, reason, recorded_by,
    recorded_at)
SELECT id, program, household_id, case_id, division_code, benefit_month, kind, paid_in, seq,
    amount_fen, run_id, reverses, reason, recorded_by, recorded_at FROM payroll_ledger;
DROP TABLE payroll_ledger;
ALTER TABLE payroll_ledger_new RENAME TO payroll_ledger;
CREATE UNIQUE INDEX payroll_ledger_key
    ON payroll_ledger (program, household_id, benefit_month, kind, paid_in, seq);
CREATE INDEX payroll_ledger_case ON payroll_ledger (case_id, benefit_month);
CREATE INDEX payroll_ledger_paid_in ON payroll_ledger (paid_in, program);
CREATE UNIQUE INDEX payroll_ledger_reversed_once ON payroll_ledger (reverses)
    WHERE reverses IS NOT NULL;
CREATE INDEX reports_ledger_paid
    ON payroll_ledger (program, paid_in, division_code, recorded_at, amount_fen);
CREATE UNIQUE INDEX payroll_ledger_holiday_once ON payroll_ledger (household_id, reason)
    WHERE program = 'veterans_holiday' AND kind = 'one_off';
CREATE INDEX payroll_ledger_household ON payroll_ledger (household_id, program, benefit_month);

CREATE TRIGGER payroll_ledger_no_update BEFORE UPDATE ON payroll_ledger
BEGIN
    SELECT RAISE(ABORT, 'payroll_ledger is append-only');
END;
CREATE TRIGGER payroll_ledger_no_delete BEFORE DELETE ON payroll_ledger
BEGIN
    SELECT RAISE(ABORT, 'payroll_ledger is append-only');
END;

CREATE TABLE veteran_holidays (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL CHECK (length(name) > 0),
    entitled_on TEXT NOT NULL,
    month       TEXT NOT NULL CHECK (length(month) = 7),
    run_id      INTEGER REFERENCES payroll_runs (id),
    by_user     TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE UNIQUE INDEX veteran_holidays_name ON veteran_holidays (name);
CREATE UNIQUE INDEX veteran_holidays_run ON veteran_holidays (run_id) WHERE run_id IS NOT NULL;

CREATE TABLE veteran_holiday_amounts (
    id            INTEGER PRIMARY KEY,
    holiday_id    INTEGER NOT NULL REFERENCES veteran_holidays (id),
    category_code TEXT NOT NULL REFERENCES veteran_categories (code),
    amount_fen    INTEGER NOT NULL CHECK (amount_fen > 0)
);
CREATE UNIQUE INDEX veteran_holiday_amounts_key
    ON veteran_holiday_amounts (holiday_id, category_code);

-- Refuses the commit (the CHECK fails) if the rebuild lost a reference.
CREATE TEMP TABLE payroll_rebuild_check (violations INTEGER NOT NULL CHECK (violations = 0));
INSERT INTO payroll_rebuild_check SELECT COUNT(*) FROM pragma_foreign_key_check;
DROP TABLE payroll_rebuild_check;

COMMIT;
PRAGMA foreign_keys = ON;
