-- Foundation schema: the division tree, the working calendar, and accounts.
-- Conventions shared with migrations/postgres (same file names, same tables and columns):
--   * dates and timestamps are ISO-8601 TEXT (timestamps UTC with a 'Z'), so one code path
--     reads both engines and text order is time order;
--   * integers are 64-bit (SQLite INTEGER, PostgreSQL BIGINT), so both read back as i64;
--     money is fen; flags are 0/1;
--   * surrogate keys are 64-bit integers (SQLite rowid alias, PostgreSQL identity).

-- One node of the 12-digit statistical division tree (county, street/town, community/village).
-- Level and parent are derived from the code; parent_code is stored for the foreign key and
-- for cheap child lookups.
CREATE TABLE divisions (
    code        TEXT PRIMARY KEY CHECK (length(code) = 12),
    name        TEXT NOT NULL CHECK (length(name) > 0),
    parent_code TEXT REFERENCES divisions (code),
    area        TEXT NOT NULL CHECK (area IN ('urban', 'rural')),
    updated_at  TEXT NOT NULL
);
CREATE INDEX divisions_parent ON divisions (parent_code);

-- Statutory holidays and make-up working days (调休). Seeded from the domain crate's data,
-- edited by an administrator when the State Council publishes a new year.
CREATE TABLE calendar_days (
    day  TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name TEXT NOT NULL
);
-- The years whose holidays are known; a deadline in any other year is an error, not a guess.
CREATE TABLE calendar_years (
    year INTEGER PRIMARY KEY
);

-- Staff accounts. The role is a data code (see docs/glossary.md); the jurisdiction is the
-- root of the division subtree the account may see (the county for district-wide roles).
CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    password_hash        TEXT NOT NULL,
    role                 TEXT NOT NULL,
    jurisdiction         TEXT NOT NULL REFERENCES divisions (code),
    must_change_password INTEGER NOT NULL DEFAULT 1,
    disabled             INTEGER NOT NULL DEFAULT 0,
    created_at           TEXT NOT NULL
);
