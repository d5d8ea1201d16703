-- Paying through banks (issue 5, items 3–4): payees' accounts and the bank files exported.
--
-- payees: one current bank account per household. A change of account adds a row; the row
-- with the highest id for a household is its current account, earlier rows are its
-- history. Rows are never changed or removed (triggers refuse UPDATE and DELETE), so the
-- account any past file paid into can always be shown; each row is written with its audit
-- entry in one transaction. The number is stored in full (the bank needs it) and masked
-- for display.
--
-- bank_files: each file exported for a run (代发文件): its format, name, SHA-256 and totals,
-- who exported it, when and why (a second export of a run needs a reason). Append-only too.

CREATE TABLE payees (
    id             INTEGER PRIMARY KEY,
    household_id   INTEGER NOT NULL REFERENCES households (id),
    holder         TEXT NOT NULL CHECK (length(holder) > 0),
    bank_name      TEXT NOT NULL CHECK (length(bank_name) > 0),
    bank_code      TEXT CHECK (bank_code IS NULL OR length(bank_code) = 12),
    account_number TEXT NOT NULL CHECK (length(account_number) BETWEEN 8 AND 32),
    account_kind   TEXT NOT NULL CHECK (account_kind IN ('card', 'book')),
    reason         TEXT NOT NULL DEFAULT '',
    recorded_by    TEXT NOT NULL,
    recorded_at    TEXT NOT NULL
);
CREATE INDEX payees_household ON payees (household_id, id);

CREATE TABLE bank_files (
    id            INTEGER PRIMARY KEY,
    run_id        INTEGER NOT NULL REFERENCES payroll_runs (id),
    format        TEXT NOT NULL CHECK (format IN ('csv', 'xlsx', 'pain001')),
    file_name     TEXT NOT NULL,
    sha256        TEXT NOT NULL CHECK (length(sha256) = 64),
    lines         INTEGER NOT NULL CHECK (lines >= 0),
    total_fen     INTEGER NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    exported_by   TEXT NOT NULL,
    exported_at   TEXT NOT NULL
);
CREATE INDEX bank_files_run ON bank_files (run_id, id);

CREATE TRIGGER payees_no_update BEFORE UPDATE ON payees
BEGIN
    SELECT RAISE(ABORT, 'payees is append-only');
END;
CREATE TRIGGER payees_no_delete BEFORE DELETE ON payees
BEGIN
    SELECT RAISE(ABORT, 'payees is append-only');
END;
CREATE TRIGGER bank_files_no_update BEFORE UPDATE ON bank_files
BEGIN
    SELECT RAISE(ABORT, 'bank_files is append-only');
END;
CREATE TRIGGER bank_files_no_delete BEFORE DELETE ON bank_files
BEGIN
    SELECT RAISE(ABORT, 'bank_files is append-only');
END;
