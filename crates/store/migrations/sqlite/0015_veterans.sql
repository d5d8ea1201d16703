-- Veterans' preferential treatment (双拥优抚安置, issue 7; domain::veterans) and condolence
-- campaigns (走访慰问, module campaigns). Conventions as in 0001 (ISO text dates, BIGINT fen,
-- 0/1 flags).
--
-- veteran_categories: the configurable list of categories with their codes; basis says what
-- the amount depends on (domain::veterans::Basis). Seeded by Service::prepare, not here, so
-- that a migrated database stays empty as a target for `copy`.
--
-- veteran_entitlements: one person's entitlement in one category, linked to a registry
-- household (whose division decides jurisdiction and whose payee account is paid). A person
-- may hold several categories but never one twice (veteran_entitlements_person_category).
-- grade and cause only for disabilities; service_years required for the elderly allowance.
-- status is the latest row of veteran_status_events (kept in the same transaction), version
-- counts changes for optimistic locking.
--
-- veteran_status_events: the append-only status history, numbered 1.. per entitlement; the
-- first row is the certification ('active').
--
-- veteran_standards: dated standards per category, grade and cause (0 and '' where the
-- category has none), per month or per year.
CREATE TABLE veteran_categories (
    id       INTEGER PRIMARY KEY,
    code     TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 10),
    name     TEXT NOT NULL CHECK (length(name) > 0),
    basis    TEXT NOT NULL CHECK (basis IN ('flat', 'disability', 'service_years')),
    position INTEGER NOT NULL
);
CREATE UNIQUE INDEX veteran_categories_code ON veteran_categories (code);

CREATE TABLE veteran_entitlements (
    id                INTEGER PRIMARY KEY,
    person_id         INTEGER NOT NULL REFERENCES persons (id),
    household_id      INTEGER NOT NULL REFERENCES households (id),
    category_code     TEXT NOT NULL REFERENCES veteran_categories (code),
    grade             INTEGER CHECK (grade IS NULL OR grade BETWEEN 1 AND 10),
    cause             TEXT CHECK (cause IS NULL OR cause IN ('war', 'duty', 'illness')),
    service_years     INTEGER CHECK (service_years IS NULL OR service_years BETWEEN 1 AND 60),
    certified_on      TEXT NOT NULL,
    document_number   TEXT NOT NULL CHECK (length(document_number) > 0),
    certifying_office TEXT NOT NULL CHECK (length(certifying_office) > 0),
    status            TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'ended')),
    version           INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    by_user           TEXT NOT NULL,
    at                TEXT NOT NULL,
    CHECK ((grade IS NULL) = (cause IS NULL))
);
CREATE UNIQUE INDEX veteran_entitlements_person_category
    ON veteran_entitlements (person_id, category_code);
CREATE INDEX veteran_entitlements_household ON veteran_entitlements (household_id);

CREATE TABLE veteran_status_events (
    id             INTEGER PRIMARY KEY,
    entitlement_id INTEGER NOT NULL REFERENCES veteran_entitlements (id),
    seq            INTEGER NOT NULL CHECK (seq >= 1),
    status         TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'ended')),
    effective_on   TEXT NOT NULL,
    reason         TEXT NOT NULL,
    by_user        TEXT NOT NULL,
    at             TEXT NOT NULL,
    CHECK (seq = 1 OR length(reason) > 0)
);
CREATE UNIQUE INDEX veteran_status_events_seq ON veteran_status_events (entitlement_id, seq);

CREATE TRIGGER veteran_status_events_no_update BEFORE UPDATE ON veteran_status_events
BEGIN
    SELECT RAISE(ABORT, 'veteran_status_events is append-only');
END;
CREATE TRIGGER veteran_status_events_no_delete BEFORE DELETE ON veteran_status_events
BEGIN
    SELECT RAISE(ABORT, 'veteran_status_events is append-only');
END;

CREATE TABLE veteran_standards (
    id             INTEGER PRIMARY KEY,
    category_code  TEXT NOT NULL REFERENCES veteran_categories (code),
    grade          INTEGER NOT NULL CHECK (grade BETWEEN 0 AND 10),
    cause          TEXT NOT NULL CHECK (cause IN ('', 'war', 'duty', 'illness')),
    effective_from TEXT NOT NULL,
    amount_fen     INTEGER NOT NULL CHECK (amount_fen >= 0),
    per            TEXT NOT NULL CHECK (per IN ('month', 'year')),
    citation       TEXT NOT NULL CHECK (length(citation) > 0),
    by_user        TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    CHECK ((grade = 0) = (cause = ''))
);
CREATE UNIQUE INDEX veteran_standards_key
    ON veteran_standards (category_code, grade, cause, effective_from);

-- Condolence campaigns (走访慰问): a campaign, its delegations (with the number of
-- participants), and the visits: to an assistance household or an entitled person (both by
-- registry household: campaign_visits_household_once keeps one payment per household per
-- campaign), a troop unit or an elderly-home resident (free-text units for now). Money and
-- goods (valued) with their funding source; in-kind items counted per campaign.
-- Visits are append-only.
CREATE TABLE campaigns (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL CHECK (length(name) > 0),
    starts_on TEXT NOT NULL,
    ends_on   TEXT NOT NULL,
    by_user   TEXT NOT NULL,
    at        TEXT NOT NULL,
    CHECK (ends_on >= starts_on)
);
CREATE UNIQUE INDEX campaigns_name ON campaigns (name);

CREATE TABLE campaign_delegations (
    id           INTEGER PRIMARY KEY,
    campaign_id  INTEGER NOT NULL REFERENCES campaigns (id),
    name         TEXT NOT NULL CHECK (length(name) > 0),
    leader       TEXT NOT NULL CHECK (length(leader) > 0),
    participants INTEGER NOT NULL CHECK (participants >= 1),
    by_user      TEXT NOT NULL,
    at           TEXT NOT NULL
);
CREATE UNIQUE INDEX campaign_delegations_name ON campaign_delegations (campaign_id, name);

CREATE TABLE campaign_visits (
    id             INTEGER PRIMARY KEY,
    campaign_id    INTEGER NOT NULL REFERENCES campaigns (id),
    delegation_id  INTEGER REFERENCES campaign_delegations (id),
    beneficiary    TEXT NOT NULL CHECK (beneficiary IN
                   ('assistance_household', 'entitled_person', 'troop_unit', 'elderly_home')),
    household_id   INTEGER REFERENCES households (id),
    entitlement_id INTEGER REFERENCES veteran_entitlements (id),
    unit_name      TEXT,
    division_code  TEXT NOT NULL REFERENCES divisions (code),
    money_fen      INTEGER NOT NULL CHECK (money_fen >= 0),
    goods_fen      INTEGER NOT NULL CHECK (goods_fen >= 0),
    goods          TEXT NOT NULL,
    funding_source TEXT NOT NULL CHECK (funding_source IN ('budget', 'donation')),
    visited_on     TEXT NOT NULL,
    by_user        TEXT NOT NULL,
    at             TEXT NOT NULL,
    CHECK (money_fen + goods_fen > 0),
    CHECK ((beneficiary IN ('assistance_household', 'entitled_person')) = (household_id IS NOT NULL)),
    CHECK ((beneficiary = 'entitled_person') = (entitlement_id IS NOT NULL)),
    CHECK (household_id IS NOT NULL OR length(unit_name) > 0)
);
CREATE UNIQUE INDEX campaign_visits_household_once
    ON campaign_visits (campaign_id, household_id) WHERE household_id IS NOT NULL;
CREATE INDEX campaign_visits_campaign ON campaign_visits (campaign_id);

CREATE TABLE campaign_items (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    item        TEXT NOT NULL CHECK (item IN ('letter', 'calendar', 'couplet')),
    quantity    INTEGER NOT NULL CHECK (quantity >= 1),
    by_user     TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX campaign_items_campaign ON campaign_items (campaign_id);

CREATE TRIGGER campaign_visits_no_update BEFORE UPDATE ON campaign_visits
BEGIN
    SELECT RAISE(ABORT, 'campaign_visits is append-only');
END;
CREATE TRIGGER campaign_visits_no_delete BEFORE DELETE ON campaign_visits
BEGIN
    SELECT RAISE(ABORT, 'campaign_visits is append-only');
END;

-- Discharged-soldier reception (退役士兵接收): intake batches with their report-in deadline,
-- and one reception per person (receptions_person_once) with the placement and the training
-- chosen; a report after the deadline carries its reason.
CREATE TABLE reception_batches (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL CHECK (length(name) > 0),
    discharged_on TEXT NOT NULL,
    report_by     TEXT NOT NULL,
    by_user       TEXT NOT NULL,
    at            TEXT NOT NULL,
    CHECK (report_by >= discharged_on)
);
CREATE UNIQUE INDEX reception_batches_name ON reception_batches (name);

CREATE TABLE receptions (
    id            INTEGER PRIMARY KEY,
    batch_id      INTEGER NOT NULL REFERENCES reception_batches (id),
    person_id     INTEGER NOT NULL REFERENCES persons (id),
    division_code TEXT NOT NULL REFERENCES divisions (code),
    placement     TEXT NOT NULL CHECK (placement IN
                  ('self_employed', 'assigned_job', 'retirement', 'state_support')),
    training      TEXT NOT NULL CHECK (training IN ('secondary', 'higher', 'none')),
    reported_on   TEXT NOT NULL,
    late_reason   TEXT,
    by_user       TEXT NOT NULL,
    at            TEXT NOT NULL,
    CHECK (late_reason IS NULL OR length(late_reason) > 0)
);
CREATE UNIQUE INDEX receptions_person_once ON receptions (person_id);
CREATE INDEX receptions_batch ON receptions (batch_id);

-- Veterans' hardship grants (复退军人"六难"经费): one row per approved grant to an
-- entitlement's holder, append-only; division_code is the household's on the day.
CREATE TABLE hardship_grants (
    id             INTEGER PRIMARY KEY,
    entitlement_id INTEGER NOT NULL REFERENCES veteran_entitlements (id),
    division_code  TEXT NOT NULL REFERENCES divisions (code),
    kind           TEXT NOT NULL CHECK (kind IN
                   ('housing', 'medical', 'schooling', 'living', 'employment', 'other')),
    amount_fen     INTEGER NOT NULL CHECK (amount_fen > 0),
    reason         TEXT NOT NULL CHECK (length(reason) > 0),
    approved_on    TEXT NOT NULL,
    by_user        TEXT NOT NULL,
    at             TEXT NOT NULL
);
CREATE INDEX hardship_grants_entitlement ON hardship_grants (entitlement_id);

CREATE TRIGGER hardship_grants_no_update BEFORE UPDATE ON hardship_grants
BEGIN
    SELECT RAISE(ABORT, 'hardship_grants is append-only');
END;
CREATE TRIGGER hardship_grants_no_delete BEFORE DELETE ON hardship_grants
BEGIN
    SELECT RAISE(ABORT, 'hardship_grants is append-only');
END;
