-- Veterans' category combinations, leader–veteran liaison pairings (联系户) and petition
-- cases (信访) (issue 7 items 1 and 8). Conventions as in 0001 (ISO text dates, 0/1 flags).
--
-- veteran_category_exclusions: pairs of categories one person may not hold together, with
-- the reason shown when refused; one row per pair in code order. Seeded by
-- Service::prepare (like the categories) so that the section can change them as data.
--
-- liaison_pairings: a leader (name, post, unit) paired with an entitled household, from a
-- date. Append-only: a re-assignment is a new row naming the row it replaces (why: a
-- leader's change or another reason), so the history is the chain; the replaced row ends
-- on the day the new one starts. One chain per household (liaison_pairings_first) and a
-- row is replaced once (liaison_pairings_replaced_once), so the chain never forks.
-- division_code is the household's on the day.
--
-- petition_risk_levels: the configurable risk levels with the visit interval each implies.
-- petition_cases: a petitioner (an entitlement's holder or a free-text veteran), the
-- subject, the community; everything else is petition_followups, append-only and numbered
-- per case: the first is the screening that opened it (with its risk level), then
-- contacts, home visits, further screenings, and at most one close (its `what` is the
-- outcome). A case's state (open or closed, its risk, the next visit due) is derived from
-- its latest follow-ups.
CREATE TABLE veteran_category_exclusions (
    id            INTEGER PRIMARY KEY,
    category_code TEXT NOT NULL REFERENCES veteran_categories (code),
    excludes_code TEXT NOT NULL REFERENCES veteran_categories (code),
    reason        TEXT NOT NULL CHECK (length(reason) > 0),
    CHECK (category_code < excludes_code)
);
CREATE UNIQUE INDEX veteran_category_exclusions_pair
    ON veteran_category_exclusions (category_code, excludes_code);

CREATE TABLE liaison_pairings (
    id             INTEGER PRIMARY KEY,
    household_id   INTEGER NOT NULL REFERENCES households (id),
    entitlement_id INTEGER NOT NULL REFERENCES veteran_entitlements (id),
    division_code  TEXT NOT NULL REFERENCES divisions (code),
    leader_name    TEXT NOT NULL CHECK (length(leader_name) > 0),
    leader_post    TEXT NOT NULL CHECK (length(leader_post) > 0),
    leader_unit    TEXT NOT NULL CHECK (length(leader_unit) > 0),
    starts_on      TEXT NOT NULL,
    reason         TEXT NOT NULL CHECK (reason IN ('new', 'leader_change', 'other')),
    note           TEXT NOT NULL,
    replaces_id    INTEGER REFERENCES liaison_pairings (id),
    by_user        TEXT NOT NULL,
    at             TEXT NOT NULL,
    CHECK ((reason = 'new') = (replaces_id IS NULL))
);
CREATE UNIQUE INDEX liaison_pairings_first
    ON liaison_pairings (household_id) WHERE replaces_id IS NULL;
CREATE UNIQUE INDEX liaison_pairings_replaced_once
    ON liaison_pairings (replaces_id) WHERE replaces_id IS NOT NULL;

CREATE TRIGGER liaison_pairings_no_update BEFORE UPDATE ON liaison_pairings
BEGIN
    SELECT RAISE(ABORT, 'liaison_pairings is append-only');
END;
CREATE TRIGGER liaison_pairings_no_delete BEFORE DELETE ON liaison_pairings
BEGIN
    SELECT RAISE(ABORT, 'liaison_pairings is append-only');
END;

CREATE TABLE petition_risk_levels (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 10),
    name       TEXT NOT NULL CHECK (length(name) > 0),
    visit_days INTEGER NOT NULL CHECK (visit_days BETWEEN 1 AND 366),
    position   INTEGER NOT NULL
);
CREATE UNIQUE INDEX petition_risk_levels_code ON petition_risk_levels (code);

CREATE TABLE petition_cases (
    id             INTEGER PRIMARY KEY,
    entitlement_id INTEGER REFERENCES veteran_entitlements (id),
    petitioner     TEXT NOT NULL CHECK (length(petitioner) > 0),
    division_code  TEXT NOT NULL REFERENCES divisions (code),
    subject        TEXT NOT NULL CHECK (length(subject) > 0),
    opened_on      TEXT NOT NULL,
    by_user        TEXT NOT NULL,
    at             TEXT NOT NULL
);
CREATE INDEX petition_cases_division ON petition_cases (division_code);

CREATE TABLE petition_followups (
    id        INTEGER PRIMARY KEY,
    case_id   INTEGER NOT NULL REFERENCES petition_cases (id),
    seq       INTEGER NOT NULL CHECK (seq >= 1),
    kind      TEXT NOT NULL CHECK (kind IN ('screening', 'contact', 'home_visit', 'close')),
    on_date   TEXT NOT NULL,
    risk_code TEXT REFERENCES petition_risk_levels (code),
    who       TEXT NOT NULL CHECK (length(who) > 0),
    what      TEXT NOT NULL CHECK (length(what) > 0),
    next_due  TEXT,
    by_user   TEXT NOT NULL,
    at        TEXT NOT NULL,
    CHECK ((kind = 'screening') = (risk_code IS NOT NULL)),
    CHECK ((kind = 'close') = (next_due IS NULL)),
    CHECK (seq > 1 OR kind = 'screening')
);
CREATE UNIQUE INDEX petition_followups_seq ON petition_followups (case_id, seq);
CREATE UNIQUE INDEX petition_followups_closed_once
    ON petition_followups (case_id) WHERE kind = 'close';

CREATE TRIGGER petition_followups_no_update BEFORE UPDATE ON petition_followups
BEGIN
    SELECT RAISE(ABORT, 'petition_followups is append-only');
END;
CREATE TRIGGER petition_followups_no_delete BEFORE DELETE ON petition_followups
BEGIN
    SELECT RAISE(ABORT, 'petition_followups is append-only');
END;
