-- A drill-down page in the ledger's id order (issue 6 item 8: the report's speed).
--
-- A page of a money figure lists the entries of one programme after the last id shown.
-- Without this index the engine found them by (program, paid_in) and sorted them all
-- (4.6 million at a million households) to show fifty; with it, it reads the programme's
-- ids in order from the last one shown and stops after the page. The payment month and
-- the recording time ride along, so entries outside the period or recorded after the
-- cut-off are passed over in the index without reading their rows. Entries are appended
-- in id order, so each programme's part of the index grows at its end.
CREATE INDEX reports_ledger_program_id ON payroll_ledger (program, id, paid_in, recorded_at);
