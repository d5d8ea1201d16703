-- Relief and medical-assistance grants (临时救助, 受灾救助, 冬春救助, 医疗救助; rules.md §3)
-- and the yearly budgets they draw on (domain::assistance::grants).
--
-- assistance_budgets: one row per (year, kind), the amount in fen and the document that set
-- it; changed in place by the section, every change audited with the amounts before and
-- after (assistance.budget.set).
--
-- assistance_grants: one row per grant, never changed or removed (triggers). household_id is
-- the registry household; division_code is where it lived on the day of the grant, which
-- decides jurisdiction and the street a report counts it in even after a move. persons is
-- the number of people the grant covers, amount_fen > 0, funding_source the budget line code
-- the money came from. override_reason is set only when the grant took its budget's drawn
-- total above the amount; budget_fen and drawn_before_fen are the budget and what had been
-- drawn just before it, as the write transaction saw them. by_user/at: who recorded and
-- approved it (the section) and when; granted_on is the decision date, whose year picks the
-- budget.
--
-- assistance_grant_cancellations: a mistaken grant is cancelled, not edited or deleted; one
-- row per cancelled grant, append-only too. A cancelled grant no longer counts as drawn.
CREATE TABLE assistance_budgets (
    id          INTEGER PRIMARY KEY,
    year        INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    kind        TEXT NOT NULL CHECK (kind IN ('temporary', 'disaster', 'winter', 'medical')),
    amount_fen  INTEGER NOT NULL CHECK (amount_fen >= 0),
    citation    TEXT NOT NULL CHECK (length(citation) > 0),
    by_user     TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE UNIQUE INDEX assistance_budgets_year_kind ON assistance_budgets (year, kind);

CREATE TABLE assistance_grants (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('temporary', 'disaster', 'winter', 'medical')),
    household_id     INTEGER NOT NULL REFERENCES households (id),
    division_code    TEXT NOT NULL REFERENCES divisions (code),
    persons          INTEGER NOT NULL CHECK (persons >= 1),
    amount_fen       INTEGER NOT NULL CHECK (amount_fen > 0),
    reason           TEXT NOT NULL CHECK (length(reason) > 0),
    funding_source   TEXT NOT NULL CHECK (length(funding_source) > 0),
    granted_on       TEXT NOT NULL,
    year             INTEGER NOT NULL,
    budget_fen       INTEGER NOT NULL,
    drawn_before_fen INTEGER NOT NULL,
    override_reason  TEXT,
    by_user          TEXT NOT NULL,
    at               TEXT NOT NULL,
    CHECK (override_reason IS NULL OR length(override_reason) > 0),
    CHECK (override_reason IS NOT NULL OR drawn_before_fen + amount_fen <= budget_fen)
);
CREATE INDEX assistance_grants_year_kind ON assistance_grants (year, kind);
CREATE INDEX assistance_grants_household ON assistance_grants (household_id);
CREATE INDEX assistance_grants_division ON assistance_grants (division_code);

CREATE TABLE assistance_grant_cancellations (
    id          INTEGER PRIMARY KEY,
    grant_id    INTEGER NOT NULL REFERENCES assistance_grants (id),
    reason      TEXT NOT NULL CHECK (length(reason) > 0),
    by_user     TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE UNIQUE INDEX assistance_grant_cancellations_grant ON assistance_grant_cancellations (grant_id);

CREATE TRIGGER assistance_grants_no_update BEFORE UPDATE ON assistance_grants
BEGIN
    SELECT RAISE(ABORT, 'assistance_grants is append-only');
END;
CREATE TRIGGER assistance_grants_no_delete BEFORE DELETE ON assistance_grants
BEGIN
    SELECT RAISE(ABORT, 'assistance_grants is append-only');
END;
CREATE TRIGGER assistance_grant_cancellations_no_update BEFORE UPDATE ON assistance_grant_cancellations
BEGIN
    SELECT RAISE(ABORT, 'assistance_grant_cancellations is append-only');
END;
CREATE TRIGGER assistance_grant_cancellations_no_delete BEFORE DELETE ON assistance_grant_cancellations
BEGIN
    SELECT RAISE(ABORT, 'assistance_grant_cancellations is append-only');
END;
