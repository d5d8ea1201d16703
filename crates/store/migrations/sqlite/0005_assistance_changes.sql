-- Dynamic management (动态管理, rules.md §1.7, §2.5): every change to an approved case is a
-- row of case_changes, numbered 1.. per case, never changed or removed (triggers). The case's
-- current facts stay in the case rows (cases.income_per_capita_fen, benefit_end, active;
-- households.division_code, address, area; members.joined_on, left_on) and are updated in
-- the same transaction as the change row, which keeps the values before and after, so the
-- history shows both and a month before a change is computed with the old facts
-- (service::assistance::changes).
--
-- kind: member_join, member_leave, death, income, move, suspend, resume, terminate,
-- gradual_exit, review. effective_from is the first day of the first benefit month the
-- change applies to (the month after it is recorded unless stated); recorded_on the day it
-- was recorded, by_user/at who and when. member_id names the member who joined, left or
-- died. end_date is the new benefit_end (termination, gradual exit, the death of the last
-- member), end_reason the termination reason code; suspended_from is the first suspended
-- month on a resume; outcome is unchanged | changed | terminate on a review.
CREATE TABLE case_changes (
    id              INTEGER PRIMARY KEY,
    case_id         INTEGER NOT NULL REFERENCES cases (id),
    seq             INTEGER NOT NULL CHECK (seq >= 1),
    kind            TEXT NOT NULL CHECK (kind IN ('member_join', 'member_leave', 'death',
                    'income', 'move', 'suspend', 'resume', 'terminate', 'gradual_exit',
                    'review')),
    effective_from  TEXT NOT NULL,
    recorded_on     TEXT NOT NULL,
    by_user         TEXT NOT NULL,
    at              TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    member_id       INTEGER REFERENCES members (id),
    income_before   INTEGER,
    income_after    INTEGER CHECK (income_after IS NULL OR income_after >= 0),
    division_before TEXT,
    division_after  TEXT,
    address_before  TEXT,
    address_after   TEXT,
    area_before     TEXT CHECK (area_before IS NULL OR area_before IN ('urban', 'rural')),
    area_after      TEXT CHECK (area_after IS NULL OR area_after IN ('urban', 'rural')),
    suspended_from  TEXT,
    end_date        TEXT,
    end_reason      TEXT,
    outcome         TEXT CHECK (outcome IS NULL OR outcome IN ('unchanged', 'changed', 'terminate')),
    CHECK (kind NOT IN ('member_join', 'member_leave', 'death') OR member_id IS NOT NULL),
    CHECK (kind <> 'terminate' OR (end_date IS NOT NULL AND end_reason IS NOT NULL)),
    CHECK (kind <> 'review' OR outcome IS NOT NULL)
);
CREATE UNIQUE INDEX case_changes_case_seq ON case_changes (case_id, seq);

CREATE TRIGGER case_changes_no_update BEFORE UPDATE ON case_changes
BEGIN
    SELECT RAISE(ABORT, 'case_changes is append-only');
END;
CREATE TRIGGER case_changes_no_delete BEFORE DELETE ON case_changes
BEGIN
    SELECT RAISE(ABORT, 'case_changes is append-only');
END;
