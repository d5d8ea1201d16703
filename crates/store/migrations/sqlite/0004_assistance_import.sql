-- The legacy roster import (issue 4 item 6, service::assistance::import).
--
-- * households.legacy_id and members.legacy_id keep the previous system's household_id and
--   person_id, under unique indexes: re-importing the same roster finds them and changes
--   nothing (idempotent), and the database refuses a second row for the same legacy key.
-- * case_actions gains the step 'import': an imported case's log starts with it (who
--   imported, when, from which legacy household), and the status derived from a log that
--   starts with 'import' is approved, from the enrolment date. SQLite cannot alter a CHECK,
--   so the table is rebuilt with its rows, index and append-only triggers.

ALTER TABLE households ADD COLUMN legacy_id TEXT;
CREATE UNIQUE INDEX households_legacy_id ON households (legacy_id) WHERE legacy_id IS NOT NULL;

ALTER TABLE members ADD COLUMN legacy_id TEXT;
CREATE UNIQUE INDEX members_legacy_id ON members (legacy_id) WHERE legacy_id IS NOT NULL;

CREATE TABLE case_actions_new (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases (id),
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    step        TEXT NOT NULL CHECK (step IN ('apply', 'check_means', 'visit_home',
                'review_in_community', 'post_notice', 'approve', 'refuse', 'withdraw',
                'import')),
    on_date     TEXT NOT NULL,
    by_user     TEXT NOT NULL,
    at          TEXT NOT NULL,
    on_behalf   INTEGER CHECK (on_behalf IS NULL OR on_behalf IN (0, 1)),
    income_fen  INTEGER,
    notice_from TEXT,
    reason      TEXT,
    note        TEXT NOT NULL DEFAULT '',
    CHECK (step <> 'apply' OR on_behalf IS NOT NULL),
    CHECK (step <> 'check_means' OR (income_fen IS NOT NULL AND income_fen >= 0)),
    CHECK (step <> 'post_notice' OR notice_from IS NOT NULL),
    CHECK (step NOT IN ('refuse', 'withdraw') OR (reason IS NOT NULL AND length(reason) > 0))
);
INSERT INTO case_actions_new (id, case_id, seq, step, on_date, by_user, at, on_behalf,
    income_fen, notice_from, reason, note)
    SELECT id, case_id, seq, step, on_date, by_user, at, on_behalf, income_fen, notice_from,
           reason, note FROM case_actions;
DROP TABLE case_actions;
ALTER TABLE case_actions_new RENAME TO case_actions;
CREATE UNIQUE INDEX case_actions_case_seq ON case_actions (case_id, seq);

CREATE TRIGGER case_actions_no_update BEFORE UPDATE ON case_actions
BEGIN
    SELECT RAISE(ABORT, 'case_actions is append-only');
END;
CREATE TRIGGER case_actions_no_delete BEFORE DELETE ON case_actions
BEGIN
    SELECT RAISE(ABORT, 'case_actions is append-only');
END;
