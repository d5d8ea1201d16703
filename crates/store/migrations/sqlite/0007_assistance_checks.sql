-- Cross-checks (数据比对, issue 4 item 8; service::assistance::checks): death records, check
-- runs, and the tasks (待办) each finding becomes.
--
-- death_records: one row per deceased person's ID number (normalised to 18 characters),
-- from an uploaded death file (later: the funeral module). The unique index makes a second
-- upload of the same file add nothing. died_on is the date of death, source where the record
-- came from (e.g. 市殡仪馆), by_user/at who stored it and when.
--
-- check_runs: one row per run (origin manual | nightly | deaths), over scope (a division
-- subtree, NULL for the whole database), with what it found per kind and what it did.
--
-- check_tasks: one row per finding for the street (or town) responsible for the household
-- (street_code; division_code is the household's community). finding_key is deterministic
-- (kind, the normalised ID number and the household or member), so a re-run finds the
-- task it made before: at most one open task per key (unique index), and a dismissed key is
-- not raised again (service). status open → resolved | dismissed, once, with a note and who
-- and when. id_number is the number as stored (it may be the invalid one); lists mask it.
CREATE TABLE death_records (
    id        INTEGER PRIMARY KEY,
    id_number TEXT NOT NULL CHECK (length(id_number) = 18),
    name      TEXT NOT NULL CHECK (length(name) > 0),
    died_on   TEXT NOT NULL,
    source    TEXT NOT NULL DEFAULT '',
    by_user   TEXT NOT NULL,
    at        TEXT NOT NULL
);
CREATE UNIQUE INDEX death_records_id_number ON death_records (id_number);

CREATE TABLE check_runs (
    id              INTEGER PRIMARY KEY,
    origin          TEXT NOT NULL CHECK (origin IN ('manual', 'nightly', 'deaths')),
    by_user         TEXT NOT NULL,
    scope           TEXT,
    started_at      TEXT NOT NULL,
    finished_at     TEXT NOT NULL,
    duplicates      INTEGER NOT NULL CHECK (duplicates >= 0),
    invalid_ids     INTEGER NOT NULL CHECK (invalid_ids >= 0),
    deaths          INTEGER NOT NULL CHECK (deaths >= 0),
    deaths_recorded INTEGER NOT NULL CHECK (deaths_recorded >= 0),
    tasks_created   INTEGER NOT NULL CHECK (tasks_created >= 0)
);
CREATE INDEX check_runs_started ON check_runs (origin, started_at);

CREATE TABLE check_tasks (
    id            INTEGER PRIMARY KEY,
    finding_key   TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('duplicate_household', 'duplicate_case',
                  'duplicate_in_household', 'invalid_id', 'id_mismatch', 'death')),
    street_code   TEXT NOT NULL REFERENCES divisions (code),
    division_code TEXT NOT NULL REFERENCES divisions (code),
    household_id  INTEGER NOT NULL REFERENCES households (id),
    case_id       INTEGER REFERENCES cases (id),
    member_id     INTEGER NOT NULL REFERENCES members (id),
    id_number     TEXT NOT NULL,
    person_name   TEXT NOT NULL,
    detail        TEXT NOT NULL DEFAULT '',
    run_id        INTEGER NOT NULL REFERENCES check_runs (id),
    created_at    TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'dismissed')),
    closed_by     TEXT,
    closed_at     TEXT,
    note          TEXT,
    CHECK (status = 'open' OR (closed_by IS NOT NULL AND closed_at IS NOT NULL
           AND note IS NOT NULL AND length(note) > 0))
);
CREATE UNIQUE INDEX check_tasks_open_key ON check_tasks (finding_key) WHERE status = 'open';
CREATE INDEX check_tasks_key ON check_tasks (finding_key);
CREATE INDEX check_tasks_division ON check_tasks (division_code, status);
