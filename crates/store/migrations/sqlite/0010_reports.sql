-- Reports (统计与总结, issue 6): generated reports, stored so they can be reproduced.
--
-- A report is its parameters (period, division subtree), its data cut-off (the moment it
-- was generated: only ledger entries recorded, cases decided and changes recorded up to
-- then count) and its figures as canonical text (one key=value per line), with the SHA-256
-- of that text. Regenerating with the same parameters and cut-off must give the same text
-- and hash (service::reports). The service never changes or removes a row.
CREATE TABLE reports (
    id            INTEGER PRIMARY KEY,
    from_date     TEXT NOT NULL CHECK (length(from_date) = 10),
    to_date       TEXT NOT NULL CHECK (length(to_date) = 10),
    division_code TEXT NOT NULL CHECK (length(division_code) = 12),
    cutoff        TEXT NOT NULL,
    generated_by  TEXT NOT NULL,
    content       TEXT NOT NULL,
    content_hash  TEXT NOT NULL CHECK (length(content_hash) = 64),
    CHECK (to_date >= from_date)
);
CREATE INDEX reports_division ON reports (division_code, to_date);

-- The flow figures sum the ledger by programme and payment month within a subtree; this
-- index answers them from the index alone (speed target: a half year over 6M entries).
CREATE INDEX reports_ledger_paid
    ON payroll_ledger (program, paid_in, division_code, recorded_at, amount_fen);
-- The stock figures read a programme's cases that had started by a date.
CREATE INDEX reports_cases_started ON cases (program, benefit_start);
-- A member joined after the cut-off is left out: looked up per member.
CREATE INDEX reports_changes_member ON case_changes (member_id);
