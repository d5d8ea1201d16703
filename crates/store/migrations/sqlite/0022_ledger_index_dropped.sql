-- The ledger loses an index no query needs any more (issue 5 item 8: the payroll's speed).
--
-- `reports_ledger_paid` (0010) let the money figures sum the ledger from an index alone.
-- Since 0021 they read `ledger_totals`, kept as entries are appended, and a drill-down page
-- reads `reports_ledger_program_id` (0020); what else filters the ledger by programme and
-- payment month has the key's prefix (program, paid_in, …). Every approval still wrote the
-- index: a fifth of the statement that copies a run's lines into the ledger (0.82 s
-- instead of 1.02 s for 76 666 entries at 100 000 households, in `sqlite3`).
DROP INDEX reports_ledger_paid;
