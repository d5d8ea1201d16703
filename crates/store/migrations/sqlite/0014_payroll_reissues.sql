-- Re-issuing failed payments (补发, issue 5 item 5). A payment the bank reported failed was
-- never paid: the ledger entry stays as it is (the entitlement), and once the household's
-- account has been corrected the payment is sent again as a re-issue of that ledger
-- money, never as a new ledger entry.
--
-- reissue_batches: a one-off re-issue batch (补发批次) and the bank file made for it, like
-- bank_files for a run (SHA-256, totals, who, when, why).
--
-- payment_reissues: one row per re-issued payment: the run and household whose payment
-- failed, the attempt (1 for the first re-issue, 2 when that one failed too, …), the key
-- the bank sees, the account paid into (a payee row recorded after the failure) and the
-- failure it answers: a row of bank_returns (the run's own file) or of reissue_returns (an
-- earlier re-issue). Each failure is answered at most once (UNIQUE on both), and a
-- payment's attempts are numbered without gaps or repeats (UNIQUE run, household,
-- attempt), so a failed payment is re-issued at most once per failure and never twice.
--
-- reissue_returns: the bank's result lines for a re-issue batch, as imported (numbered
-- imports, the latest counts), like bank_returns for a run.
--
-- All three are append-only (triggers refuse UPDATE and DELETE).

CREATE TABLE reissue_batches (
    id           INTEGER PRIMARY KEY,
    format       TEXT NOT NULL CHECK (format IN ('csv', 'xlsx', 'pain001')),
    file_name    TEXT NOT NULL,
    sha256       TEXT NOT NULL CHECK (length(sha256) = 64),
    lines        INTEGER NOT NULL CHECK (lines >= 1),
    total_fen    INTEGER NOT NULL CHECK (total_fen > 0),
    reason       TEXT NOT NULL CHECK (length(reason) > 0),
    exported_by  TEXT NOT NULL,
    exported_at  TEXT NOT NULL
);

CREATE TABLE reissue_returns (
    id           INTEGER PRIMARY KEY,
    batch_id     INTEGER NOT NULL REFERENCES reissue_batches (id),
    reissue_id   INTEGER NOT NULL, -- payment_reissues (id), which itself points here
    import_no    INTEGER NOT NULL CHECK (import_no >= 1),
    row_no       INTEGER NOT NULL CHECK (row_no >= 1),
    amount_fen   INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('paid', 'failed')),
    reason       TEXT NOT NULL DEFAULT '',
    imported_by  TEXT NOT NULL,
    imported_at  TEXT NOT NULL
);
CREATE INDEX reissue_returns_batch ON reissue_returns (batch_id, import_no);

CREATE TABLE payment_reissues (
    id                 INTEGER PRIMARY KEY,
    batch_id           INTEGER NOT NULL REFERENCES reissue_batches (id),
    run_id             INTEGER NOT NULL REFERENCES payroll_runs (id),
    household_id       INTEGER NOT NULL REFERENCES households (id),
    attempt            INTEGER NOT NULL CHECK (attempt >= 1),
    payment_key        TEXT NOT NULL UNIQUE,
    amount_fen         INTEGER NOT NULL CHECK (amount_fen > 0),
    payee_id           INTEGER NOT NULL REFERENCES payees (id),
    failed_return_id   INTEGER UNIQUE REFERENCES bank_returns (id),
    failed_reissue_return_id INTEGER UNIQUE REFERENCES reissue_returns (id),
    reissued_by        TEXT NOT NULL,
    reissued_at        TEXT NOT NULL,
    CHECK ((failed_return_id IS NULL) <> (failed_reissue_return_id IS NULL)),
    CHECK ((attempt = 1) = (failed_return_id IS NOT NULL)),
    UNIQUE (run_id, household_id, attempt)
);
CREATE INDEX payment_reissues_batch ON payment_reissues (batch_id, id);

CREATE TRIGGER reissue_batches_no_update BEFORE UPDATE ON reissue_batches
BEGIN
    SELECT RAISE(ABORT, 'reissue_batches is append-only');
END;
CREATE TRIGGER reissue_batches_no_delete BEFORE DELETE ON reissue_batches
BEGIN
    SELECT RAISE(ABORT, 'reissue_batches is append-only');
END;
CREATE TRIGGER payment_reissues_no_update BEFORE UPDATE ON payment_reissues
BEGIN
    SELECT RAISE(ABORT, 'payment_reissues is append-only');
END;
CREATE TRIGGER payment_reissues_no_delete BEFORE DELETE ON payment_reissues
BEGIN
    SELECT RAISE(ABORT, 'payment_reissues is append-only');
END;
CREATE TRIGGER reissue_returns_no_update BEFORE UPDATE ON reissue_returns
BEGIN
    SELECT RAISE(ABORT, 'reissue_returns is append-only');
END;
CREATE TRIGGER reissue_returns_no_delete BEFORE DELETE ON reissue_returns
BEGIN
    SELECT RAISE(ABORT, 'reissue_returns is append-only');
END;
