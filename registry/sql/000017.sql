-- the desk's queue over years of letters: what its view and counts read, on the work row

-- A letter's secrecy (ลับ, ลับมาก) is copied to its work row, as its urgency and registration
-- time already are (migration 9): the queue's view (registry/visibility.ts) and its counts per
-- state then read letter_work and the assignments alone, not the register's wide rows, unless a
-- filter asks what the letter says. Kept in step by triggers; nothing changes it today.
ALTER TABLE letter_work ADD COLUMN restricted boolean NOT NULL DEFAULT false;
UPDATE letter_work w SET restricted = true FROM letter l WHERE l.id = w.letter_id AND l.restricted;

CREATE OR REPLACE FUNCTION letter_work_start() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO letter_work (letter_id, urgency_rank, received_at, updated_at, restricted)
  VALUES (NEW.id,
          CASE NEW.urgency WHEN 'ด่วนที่สุด' THEN 4 WHEN 'ด่วนมาก' THEN 3 WHEN 'ด่วนภายใน' THEN 2 WHEN 'ด่วน' THEN 1 ELSE 0 END,
          NEW.registered_at, NEW.registered_at, NEW.restricted)
  ON CONFLICT (letter_id) DO NOTHING;
  RETURN NULL;
END $$;

CREATE FUNCTION letter_work_restricted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE letter_work SET restricted = NEW.restricted WHERE letter_id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER letter_work_restricted AFTER UPDATE OF restricted ON letter
  FOR EACH ROW WHEN (OLD.restricted IS DISTINCT FROM NEW.restricted) EXECUTE FUNCTION letter_work_restricted();

-- Counts per state of everything an admin sees, read from the index alone.
DROP INDEX letter_work_state;
CREATE INDEX letter_work_state ON letter_work (state, restricted);
-- The states of the letters of a list made first (an officer's), read from the index alone.
CREATE INDEX letter_work_letter_state ON letter_work (letter_id) INCLUDE (state, restricted);
-- The dates received, filtered on the work row's copy of the registration time.
CREATE INDEX letter_work_received ON letter_work (received_at) INCLUDE (state, restricted);

-- An officer's letters given to their unit as a whole (visibleTo: officer_id IS NULL AND
-- unit_id = theirs): the few of them, not every letter the unit has had.
CREATE INDEX assignment_unit_whole ON assignment (unit_id, letter_id) WHERE officer_id IS NULL;
-- Whether a letter is in a supervisor's view, asked of one letter after another as their queue
-- is walked in its order: answered from the index alone.
CREATE INDEX assignment_holders ON assignment (letter_id) INCLUDE (officer_id, unit_id);

-- The filters on what a letter says, with its id: counting the letters of an agency, a book or
-- a year, or of an urgency, reads these indexes alone (the register's rows are wide: a page holds
-- about seven), and joins the work rows by id.
CREATE INDEX letter_agency ON letter (agency, id);
CREATE INDEX letter_book_year ON letter (book, year, id);
CREATE INDEX letter_urgency ON letter (urgency, id) WHERE urgency IS NOT NULL;
