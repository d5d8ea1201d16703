-- The half-year report's figures kept as the records are written (issue 6 item 8: the
-- report over a million households in under 2 s). ARCHITECTURE.md, "Reports: figures
-- kept as the records are written", says why and what stays recounted.
--
-- 1. A payment's area (城市/农村) is the one its line was computed with, stored on the
--    line and the ledger entry like its division: the area whose standard it was paid
--    at. 五保 (rural) and 三无 (urban) money are then the entries of each area, read
--    from the entry itself instead of the household's area on the period's end. Rows
--    written before this migration get the area as the code now writes it: a line the
--    household's area at its run's cut-off (the first move recorded after it holds it,
--    else the current row); a run's entry its line's; a reversal its original's, a
--    replacement the one of the entry its correction reversed (three levels of
--    corrections of corrections; anything left, the household's area when recorded).
--    This fills a new derived column; no amount, key or existing value of the ledger
--    changes, and the append-only triggers are back before the migration ends.
ALTER TABLE payroll_lines ADD COLUMN area TEXT NOT NULL DEFAULT '';
UPDATE payroll_lines SET area = COALESCE(
    (SELECT x.area_before FROM case_changes x JOIN payroll_runs r ON r.id = payroll_lines.run_id
     WHERE x.case_id = payroll_lines.case_id AND x.kind = 'move' AND x.at > r.cutoff
     ORDER BY x.seq LIMIT 1),
    (SELECT h.area FROM households h WHERE h.id = payroll_lines.household_id), '');

ALTER TABLE payroll_ledger ADD COLUMN area TEXT NOT NULL DEFAULT '';
ALTER TABLE payroll_ledger DISABLE TRIGGER payroll_ledger_no_update;
-- A run's entries by their line's key (payroll_lines_key, payroll_lines_household_key).
UPDATE payroll_ledger SET area = COALESCE(
    (SELECT l.area FROM payroll_lines l WHERE l.run_id = payroll_ledger.run_id
     AND l.case_id = payroll_ledger.case_id
     AND l.benefit_month = payroll_ledger.benefit_month AND l.kind = payroll_ledger.kind), '')
WHERE run_id IS NOT NULL AND case_id IS NOT NULL;
UPDATE payroll_ledger SET area = COALESCE(
    (SELECT l.area FROM payroll_lines l WHERE l.run_id = payroll_ledger.run_id
     AND l.case_id IS NULL AND l.household_id = payroll_ledger.household_id
     AND l.benefit_month = payroll_ledger.benefit_month AND l.kind = payroll_ledger.kind), '')
WHERE run_id IS NOT NULL AND case_id IS NULL;
-- Corrections, one level of correction of a correction per statement.
UPDATE payroll_ledger SET area = COALESCE(
    (SELECT o.area FROM payroll_ledger o WHERE o.id = payroll_ledger.reverses),
    (SELECT o.area FROM payroll_ledger v JOIN payroll_ledger o ON o.id = v.reverses
     WHERE payroll_ledger.run_id IS NULL AND payroll_ledger.kind = 'one_off'
     AND v.run_id IS NULL AND v.kind = 'reversal' AND v.program = payroll_ledger.program
     AND v.paid_in = payroll_ledger.paid_in AND v.household_id = payroll_ledger.household_id
     AND v.benefit_month = payroll_ledger.benefit_month
     AND v.recorded_at = payroll_ledger.recorded_at ORDER BY v.id LIMIT 1), '')
WHERE area = '' AND run_id IS NULL;
UPDATE payroll_ledger SET area = COALESCE(
    (SELECT o.area FROM payroll_ledger o WHERE o.id = payroll_ledger.reverses),
    (SELECT o.area FROM payroll_ledger v JOIN payroll_ledger o ON o.id = v.reverses
     WHERE payroll_ledger.run_id IS NULL AND payroll_ledger.kind = 'one_off'
     AND v.run_id IS NULL AND v.kind = 'reversal' AND v.program = payroll_ledger.program
     AND v.paid_in = payroll_ledger.paid_in AND v.household_id = payroll_ledger.household_id
     AND v.benefit_month = payroll_ledger.benefit_month
     AND v.recorded_at = payroll_ledger.recorded_at ORDER BY v.id LIMIT 1), '')
WHERE area = '' AND run_id IS NULL;
UPDATE payroll_ledger SET area = COALESCE(
    (SELECT o.area FROM payroll_ledger o WHERE o.id = payroll_ledger.reverses),
    (SELECT o.area FROM payroll_ledger v JOIN payroll_ledger o ON o.id = v.reverses
     WHERE payroll_ledger.run_id IS NULL AND payroll_ledger.kind = 'one_off'
     AND v.run_id IS NULL AND v.kind = 'reversal' AND v.program = payroll_ledger.program
     AND v.paid_in = payroll_ledger.paid_in AND v.household_id = payroll_ledger.household_id
     AND v.benefit_month = payroll_ledger.benefit_month
     AND v.recorded_at = payroll_ledger.recorded_at ORDER BY v.id LIMIT 1), '')
WHERE area = '' AND run_id IS NULL;
-- Anything left: the household's area when the entry was recorded.
UPDATE payroll_ledger SET area = COALESCE(
    (SELECT x.area_before FROM case_changes x
     WHERE x.case_id = payroll_ledger.case_id AND x.kind = 'move'
     AND x.at > payroll_ledger.recorded_at ORDER BY x.seq LIMIT 1),
    (SELECT h.area FROM households h WHERE h.id = payroll_ledger.household_id), '')
WHERE area = '';
ALTER TABLE payroll_ledger ENABLE TRIGGER payroll_ledger_no_update;

-- 2. The ledger's totals by programme, payment month, division, area and recording
--    moment, added to in the transaction that appends the entries (store::payroll). A
--    money figure at a cut-off sums the totals recorded by then: a few thousand rows
--    instead of millions of entries. The entries stay the records a figure opens on.
CREATE TABLE ledger_totals (
    id            BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    program       TEXT NOT NULL,
    paid_in       TEXT NOT NULL,
    division_code TEXT NOT NULL,
    area          TEXT NOT NULL,
    recorded_at   TEXT NOT NULL,
    entries       BIGINT NOT NULL,
    amount_fen    BIGINT NOT NULL,
    -- Entries above zero (a rate's numerator, as the figures count it).
    positive      BIGINT NOT NULL,
    UNIQUE (program, paid_in, division_code, area, recorded_at)
);
INSERT INTO ledger_totals (program, paid_in, division_code, area, recorded_at, entries,
    amount_fen, positive)
SELECT program, paid_in, division_code, area, recorded_at, COUNT(*), SUM(amount_fen),
    SUM(CASE WHEN amount_fen > 0 THEN 1 ELSE 0 END)
FROM payroll_ledger GROUP BY program, paid_in, division_code, area, recorded_at;

-- 3. Each decided case's caseload facts in one narrow row, written when the case is
--    decided (approved or imported) from its rows as they then stand: its division and
--    area, benefit period, the moment of its first decision, and its members. A case is
--    `simple` when every member was in the household for its whole benefit period, so its
--    persons are the same on every day it covers. The stock figures count the simple
--    cases of households without any recorded change from these rows alone; every other
--    case goes through the full definition (store::reports).
CREATE TABLE report_caseload (
    case_id       BIGINT PRIMARY KEY REFERENCES cases (id),
    program       TEXT NOT NULL,
    division_code TEXT NOT NULL,
    area          TEXT NOT NULL,
    benefit_start TEXT NOT NULL,
    benefit_end   TEXT,
    decided_at    TEXT NOT NULL,
    persons       BIGINT NOT NULL,
    simple        BIGINT NOT NULL
);
INSERT INTO report_caseload (case_id, program, division_code, area, benefit_start,
    benefit_end, decided_at, persons, simple)
SELECT c.id, c.program, h.division_code, h.area, c.benefit_start, c.benefit_end,
    (SELECT MIN(a.at) FROM case_actions a WHERE a.case_id = c.id
     AND a.step IN ('approve', 'import')),
    (SELECT COUNT(*) FROM members m WHERE m.household_id = c.household_id),
    CASE WHEN EXISTS (SELECT 1 FROM members m WHERE m.household_id = c.household_id
        AND (m.joined_on > c.benefit_start
             OR COALESCE(m.left_on, '9999-12-31') < COALESCE(c.benefit_end, '9999-12-31')))
    THEN 0 ELSE 1 END
FROM cases c JOIN households h ON h.id = c.household_id
WHERE c.benefit_start IS NOT NULL AND EXISTS (SELECT 1 FROM case_actions a
    WHERE a.case_id = c.id AND a.step IN ('approve', 'import'));
-- In the order the stock figures group by, with every column they read.
CREATE INDEX report_caseload_stock ON report_caseload
    (division_code, program, area, benefit_start, benefit_end, decided_at, persons, simple);
CREATE INDEX report_caseload_not_simple ON report_caseload (case_id) WHERE simple = 0;
