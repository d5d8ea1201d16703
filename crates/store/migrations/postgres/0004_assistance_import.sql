-- The legacy roster import (issue 4 item 6, service::assistance::import).
--
-- * households.legacy_id and members.legacy_id keep the previous system's household_id and
--   person_id, under unique indexes: re-importing the same roster finds them and changes
--   nothing (idempotent), and the database refuses a second row for the same legacy key.
-- * case_actions gains the step 'import': an imported case's log starts with it (who
--   imported, when, from which legacy household), and the status derived from a log that
--   starts with 'import' is approved, from the enrolment date.

ALTER TABLE households ADD COLUMN legacy_id TEXT;
CREATE UNIQUE INDEX households_legacy_id ON households (legacy_id) WHERE legacy_id IS NOT NULL;

ALTER TABLE members ADD COLUMN legacy_id TEXT;
CREATE UNIQUE INDEX members_legacy_id ON members (legacy_id) WHERE legacy_id IS NOT NULL;

ALTER TABLE case_actions DROP CONSTRAINT case_actions_step_check;
ALTER TABLE case_actions ADD CONSTRAINT case_actions_step_check CHECK (step IN ('apply',
    'check_means', 'visit_home', 'review_in_community', 'post_notice', 'approve', 'refuse',
    'withdraw', 'import'));
