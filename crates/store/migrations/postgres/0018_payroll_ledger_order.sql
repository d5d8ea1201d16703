-- The ledger's indexes in the order a run appends (issue 5 item 8: the payroll's speed).
--
-- Approval appends a run's entries, all of one programme and one payment month. The
-- unique key began with (program, household_id, …), so every run inserted into every part
-- of it: at a million households a month, a random write per entry into an index of
-- millions. A unique index constrains the set of its columns whatever their order, so
-- the same key with paid_in second refuses exactly the same duplicates (a regular entry
-- once per household and month, since its paid_in is its benefit month) while a run's
-- entries land together at the end. Its prefix (program, paid_in) also serves what
-- payroll_ledger_paid_in (paid_in, program) served, which reports_ledger_paid of 0010
-- already served too: one index fewer to write per entry.
DROP INDEX payroll_ledger_key;
CREATE UNIQUE INDEX payroll_ledger_key
    ON payroll_ledger (program, paid_in, household_id, benefit_month, kind, seq);
DROP INDEX payroll_ledger_paid_in;
-- A run's bank file, payees and returns read its entries by run: appended in run order too.
CREATE INDEX payroll_ledger_run ON payroll_ledger (run_id) WHERE run_id IS NOT NULL;
