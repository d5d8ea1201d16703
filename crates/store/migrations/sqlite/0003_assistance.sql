-- Social assistance (社会救助), first slice: the household registry, the application
-- workflow as an append-only log, and the dated standards and policies the benefit is
-- computed from (domain::assistance). Conventions as in 0001 (ISO text dates, BIGINT fen,
-- 0/1 flags). Codes are the data codes of docs/glossary.md.
--
-- Two rules are kept by the database as well as by `service`:
--   * a person is a current member of at most one household (members_one_current_household);
--   * a household has at most one active case (cases_one_active_per_household).
-- A household is created with its case and its members leave it (left_on) when the case is
-- closed without a benefit (refused, withdrawn; later: terminated), in the same transaction.
-- Together: a person is in at most one active case, so never in 低保 and 特困 at once.

-- One human, across households and programmes. Birth date and sex come from the ID number
-- and are stored for queries. The pinyin columns serve the list's search and sort in SQL:
-- name_initials holds every reading's initials separated by spaces (see service::list),
-- name_pinyin the sort key.
CREATE TABLE persons (
    id            INTEGER PRIMARY KEY,
    id_number     TEXT NOT NULL CHECK (length(id_number) = 18),
    name          TEXT NOT NULL CHECK (length(name) > 0),
    name_initials TEXT NOT NULL,
    name_pinyin   TEXT NOT NULL,
    birth_date    TEXT NOT NULL,
    sex           TEXT NOT NULL CHECK (sex IN ('M', 'F')),
    created_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX persons_id_number ON persons (id_number);

-- The unit a benefit is assessed and paid for, living in one community or village (the
-- last three digits of the code are not 000). area selects the standard (城市/农村).
CREATE TABLE households (
    id            INTEGER PRIMARY KEY,
    division_code TEXT NOT NULL REFERENCES divisions (code)
                  CHECK (length(division_code) = 12 AND substr(division_code, 10, 3) <> '000'),
    address       TEXT NOT NULL CHECK (length(address) > 0),
    area          TEXT NOT NULL CHECK (area IN ('urban', 'rural')),
    created_at    TEXT NOT NULL
);
CREATE INDEX households_division ON households (division_code);

-- A person counted in a household, from joined_on; left_on is NULL while a member.
-- disability_grade 0 is none, 1 the most severe; self_care is assessed for 特困 only.
CREATE TABLE members (
    id               INTEGER PRIMARY KEY,
    household_id     INTEGER NOT NULL REFERENCES households (id),
    person_id        INTEGER NOT NULL REFERENCES persons (id),
    relation         TEXT NOT NULL CHECK (relation IN
                     ('head', 'spouse', 'child', 'parent', 'grandchild', 'sibling', 'other')),
    disability_grade INTEGER NOT NULL DEFAULT 0 CHECK (disability_grade BETWEEN 0 AND 4),
    severe_illness   INTEGER NOT NULL DEFAULT 0 CHECK (severe_illness IN (0, 1)),
    employment       TEXT NOT NULL CHECK (employment IN
                     ('employed', 'unemployed', 'student', 'retired', 'unable', 'preschool')),
    self_care        TEXT CHECK (self_care IS NULL OR self_care IN
                     ('capable', 'partly_unable', 'fully_unable')),
    joined_on        TEXT NOT NULL,
    left_on          TEXT,
    CHECK (left_on IS NULL OR left_on >= joined_on)
);
CREATE INDEX members_household ON members (household_id);
CREATE UNIQUE INDEX members_one_current_household ON members (person_id) WHERE left_on IS NULL;

-- One household's file in one programme. The status is derived from case_actions and never
-- stored; `active` only says whether the case still holds its household (1 from the
-- application while it is pending or its benefit runs, 0 once refused or withdrawn), so the
-- unique index can keep one active case per household. benefit_start is set on approval (the
-- first day of the next month); version counts changes, for optimistic locking.
CREATE TABLE cases (
    id                    INTEGER PRIMARY KEY,
    household_id          INTEGER NOT NULL REFERENCES households (id),
    program               TEXT NOT NULL CHECK (program IN
                          ('dibao', 'dibao_margin', 'tekun_dispersed', 'tekun_centralized')),
    income_per_capita_fen INTEGER CHECK (income_per_capita_fen IS NULL OR income_per_capita_fen >= 0),
    benefit_start         TEXT,
    benefit_end           TEXT,
    active                INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    version               INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at            TEXT NOT NULL
);
CREATE UNIQUE INDEX cases_one_active_per_household ON cases (household_id) WHERE active = 1;
CREATE INDEX cases_program ON cases (program, active);

-- The case's log: one row per recorded step, numbered 1.. per case, never changed or
-- removed (the triggers refuse it). The columns rebuild domain::assistance::workflow::Action:
-- on_behalf for 'apply', income_fen for 'check_means', notice_from for 'post_notice', reason
-- for 'refuse' and 'withdraw'. by_user is the username (or 'system'), at the time recorded,
-- on_date the day the step took place; note is free text (e.g. the home-visit record).
CREATE TABLE case_actions (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases (id),
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    step        TEXT NOT NULL CHECK (step IN ('apply', 'check_means', 'visit_home',
                'review_in_community', 'post_notice', 'approve', 'refuse', 'withdraw')),
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
CREATE UNIQUE INDEX case_actions_case_seq ON case_actions (case_id, seq);

CREATE TRIGGER case_actions_no_update BEFORE UPDATE ON case_actions
BEGIN
    SELECT RAISE(ABORT, 'case_actions is append-only');
END;
CREATE TRIGGER case_actions_no_delete BEFORE DELETE ON case_actions
BEGIN
    SELECT RAISE(ABORT, 'case_actions is append-only');
END;

-- Dated standards (保障标准): amount per person per month for a programme and area, in force
-- from effective_from until a later row; citation names the document that set it.
CREATE TABLE standards (
    id             INTEGER PRIMARY KEY,
    program        TEXT NOT NULL CHECK (program IN
                   ('dibao', 'dibao_margin', 'tekun_dispersed', 'tekun_centralized')),
    area           TEXT NOT NULL CHECK (area IN ('urban', 'rural')),
    effective_from TEXT NOT NULL,
    amount_fen     INTEGER NOT NULL CHECK (amount_fen >= 0),
    citation       TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    UNIQUE (program, area, effective_from)
);

-- The classified-assistance policy (分类施保) in force from a date, and its rules: kind
-- 'disability_grade' (grades min_value..max_value), 'severe_illness', or 'age_at_least'
-- (min_value years); pct of the standard. A policy is replaced whole.
CREATE TABLE classified_policies (
    id             INTEGER PRIMARY KEY,
    effective_from TEXT NOT NULL UNIQUE,
    citation       TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE TABLE policy_rules (
    id        INTEGER PRIMARY KEY,
    policy_id INTEGER NOT NULL REFERENCES classified_policies (id),
    kind      TEXT NOT NULL CHECK (kind IN ('disability_grade', 'severe_illness', 'age_at_least')),
    min_value INTEGER,
    max_value INTEGER,
    pct       INTEGER NOT NULL CHECK (pct BETWEEN 0 AND 100)
);
CREATE INDEX policy_rules_policy ON policy_rules (policy_id);

-- Care standards (护理标准) for 特困 persons by area and self-care level, dated.
CREATE TABLE care_standards (
    id             INTEGER PRIMARY KEY,
    area           TEXT NOT NULL CHECK (area IN ('urban', 'rural')),
    level          TEXT NOT NULL CHECK (level IN ('capable', 'partly_unable', 'fully_unable')),
    effective_from TEXT NOT NULL,
    amount_fen     INTEGER NOT NULL CHECK (amount_fen >= 0),
    citation       TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    UNIQUE (area, level, effective_from)
);

-- Deployment settings that are local policy (rules.md §0, §1.5), as key/value text, e.g.
-- assistance.approving_level = district | street. A missing key means the documented default.
-- (A numeric key like every table's, so `copy` never depends on an engine's text collation.)
CREATE TABLE settings (
    id         INTEGER PRIMARY KEY,
    key        TEXT NOT NULL UNIQUE,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
