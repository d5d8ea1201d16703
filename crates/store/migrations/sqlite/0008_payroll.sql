-- Payroll (月度发放, issue 5): runs, their lines, and the append-only payment ledger.
--
-- A run is one benefit month of one programme, computed from the records as they stood at
-- its cut-off. Its lines (payroll_lines) are what it would pay: per case, the regular amount
-- of the month, and arrears or recoveries for earlier paid months whose amount changed
-- under today's records; a household paid last month and due nothing now has a line of 0
-- (stopped). Lines are written in chunks, each committed with the run's cursor
-- (computed_upto, the last case id done), so a killed run resumes after the cursor; the
-- unique (run_id, case_id, benefit_month, kind) refuses a line twice.
--
-- Approval copies the non-zero lines into payroll_ledger in one statement. The ledger is
-- append-only (triggers refuse UPDATE and DELETE) and every entry has a deterministic key
-- (program, household_id, benefit_month, kind, paid_in, seq) under a unique index: paid_in
-- is the month of the run that paid it, so a regular entry exists once per household and
-- month (paid_in = benefit_month), and an arrears or recovery for month P once per paying
-- run. A correction is a reversal entry pointing at the original (reverses) with a reason,
-- plus a one_off entry with the right amount; seq numbers such entries within a month.
-- One run per (month, program), ever: a second run of an approved month is impossible.

CREATE TABLE payroll_runs (
    id            INTEGER PRIMARY KEY,
    month         TEXT NOT NULL CHECK (length(month) = 7),
    program       TEXT NOT NULL CHECK (program IN
                  ('dibao', 'tekun_dispersed', 'tekun_centralized')),
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

CREATE TABLE payroll_lines (
    id            INTEGER PRIMARY KEY,
    run_id        INTEGER NOT NULL REFERENCES payroll_runs (id),
    case_id       INTEGER NOT NULL REFERENCES cases (id),
    household_id  INTEGER NOT NULL REFERENCES households (id),
    division_code TEXT NOT NULL,
    benefit_month TEXT NOT NULL CHECK (length(benefit_month) = 7),
    kind          TEXT NOT NULL CHECK (kind IN ('regular', 'arrears', 'recovery')),
    amount_fen    INTEGER NOT NULL,
    members       INTEGER NOT NULL CHECK (members >= 0),
    prev_fen      INTEGER,
    flagged       INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1)),
    CHECK (kind <> 'arrears' OR amount_fen > 0),
    CHECK (kind <> 'recovery' OR amount_fen < 0)
);
CREATE UNIQUE INDEX payroll_lines_key ON payroll_lines (run_id, case_id, benefit_month, kind);

-- A run reads the cases of its programme in id order, a chunk at a time.
CREATE INDEX cases_program_id ON cases (program, id);

CREATE TABLE payroll_ledger (
    id            INTEGER PRIMARY KEY,
    program       TEXT NOT NULL CHECK (program IN
                  ('dibao', 'tekun_dispersed', 'tekun_centralized')),
    household_id  INTEGER NOT NULL REFERENCES households (id),
    case_id       INTEGER NOT NULL REFERENCES cases (id),
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
    CHECK (kind NOT IN ('regular', 'arrears', 'one_off') OR amount_fen > 0)
);
CREATE UNIQUE INDEX payroll_ledger_key
    ON payroll_ledger (program, household_id, benefit_month, kind, paid_in, seq);
-- A run reads the ledger by case-id range and the month before by paid_in: indexes that no
-- other index's prefix competes with, so both planners take them without statistics.
CREATE INDEX payroll_ledger_case ON payroll_ledger (case_id, benefit_month);
CREATE INDEX payroll_ledger_paid_in ON payroll_ledger (paid_in, program);
CREATE UNIQUE INDEX payroll_ledger_reversed_once ON payroll_ledger (reverses)
    WHERE reverses IS NOT NULL;

CREATE TRIGGER payroll_ledger_no_update BEFORE UPDATE ON payroll_ledger
BEGIN
    SELECT RAISE(ABORT, 'payroll_ledger is append-only');
END;
CREATE TRIGGER payroll_ledger_no_delete BEFORE DELETE ON payroll_ledger
BEGIN
    SELECT RAISE(ABORT, 'payroll_ledger is append-only');
END;
