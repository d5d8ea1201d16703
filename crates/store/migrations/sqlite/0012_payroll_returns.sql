-- Bank returns (回盘, issue 5 item 5): what the bank says happened to each payment of a
-- run's latest bank file, one row per line of its result file, as imported. Append-only
-- (triggers refuse UPDATE and DELETE): a corrected result file is imported again, and the
-- latest import of a file is what the reconciliation reads.

CREATE TABLE bank_returns (
    id           INTEGER PRIMARY KEY,
    run_id       INTEGER NOT NULL REFERENCES payroll_runs (id),
    file_id      INTEGER NOT NULL REFERENCES bank_files (id),
    import_no    INTEGER NOT NULL CHECK (import_no >= 1),
    row_no       INTEGER NOT NULL CHECK (row_no >= 1),
    payment_key  TEXT NOT NULL,
    amount_fen   INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('paid', 'failed')),
    reason       TEXT NOT NULL DEFAULT '',
    imported_by  TEXT NOT NULL,
    imported_at  TEXT NOT NULL
);
CREATE INDEX bank_returns_run ON bank_returns (run_id, import_no);

CREATE TRIGGER bank_returns_no_update BEFORE UPDATE ON bank_returns
BEGIN
    SELECT RAISE(ABORT, 'bank_returns is append-only');
END;
CREATE TRIGGER bank_returns_no_delete BEFORE DELETE ON bank_returns
BEGIN
    SELECT RAISE(ABORT, 'bank_returns is append-only');
END;
