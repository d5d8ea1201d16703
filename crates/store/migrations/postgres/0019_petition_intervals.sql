-- A follow-up's next visit either given or by its risk level's interval (issue 7 item 8,
-- the section editing the risk levels). A follow-up stored the date it worked out, so a
-- level's new interval did not move the visits already planned by the old one; now the
-- follow-up says which it was (by_interval = 1: the level's interval after on_date), and a
-- case's next visit is worked out from the level as it is now. next_due keeps the date of
-- the day the follow-up was recorded (the history), and the date given when one was.
--
-- Existing rows: a next visit equal to the interval of the level in force then (the
-- levels could not be edited before) was by the interval; the append-only trigger is
-- disabled for this one update and enabled again.
ALTER TABLE petition_followups
    ADD COLUMN by_interval INTEGER NOT NULL DEFAULT 0 CHECK (by_interval IN (0, 1));

ALTER TABLE petition_followups DISABLE TRIGGER petition_followups_no_update;
UPDATE petition_followups f SET by_interval = 1
WHERE f.kind <> 'close'
  AND f.next_due = to_char(f.on_date::date + (
      SELECT r.visit_days FROM petition_followups s
      JOIN petition_risk_levels r ON r.code = s.risk_code
      WHERE s.case_id = f.case_id AND s.kind = 'screening' AND s.seq <= f.seq
      ORDER BY s.seq DESC LIMIT 1)::integer, 'YYYY-MM-DD');
ALTER TABLE petition_followups ENABLE TRIGGER petition_followups_no_update;
