-- the queue's filters and search, read on the work row and the search row: each match's state at hand

-- A filtered queue (an agency, a book, an urgency, the dates received, words searched) shows the
-- open letters that match, most urgent first, and how many there are in each state. Read through
-- the register, a filter found every letter it matched in five years (20,000-45,000 for a
-- common agency or book) and looked up each one's state on its work row. The desk now counts the
-- open states of a filter exactly and a closed state only when asked, up to a bound
-- (registry/queue.ts); what it filters on is kept where the state is, so that both are answered
-- by one index: the agency and book copied to the work row (as its urgency, registration time and
-- secrecy already are, migrations 9 and 17), and whether the letter is open copied to its search row.
ALTER TABLE letter_work ADD COLUMN agency text, ADD COLUMN book text;
ALTER TABLE letter_words ADD COLUMN open boolean NOT NULL DEFAULT true;

CREATE OR REPLACE FUNCTION letter_work_start() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO letter_work (letter_id, urgency_rank, received_at, updated_at, restricted, agency, book)
  VALUES (NEW.id,
          CASE NEW.urgency WHEN 'ด่วนที่สุด' THEN 4 WHEN 'ด่วนมาก' THEN 3 WHEN 'ด่วนภายใน' THEN 2 WHEN 'ด่วน' THEN 1 ELSE 0 END,
          NEW.registered_at, NEW.registered_at, NEW.restricted, NEW.agency, NEW.book)
  ON CONFLICT (letter_id) DO NOTHING;
  RETURN NULL;
END $$;

-- A clerk completing an entry may write its agency (registry/work.ts completeEntry).
CREATE FUNCTION letter_work_said() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE letter_work SET agency = NEW.agency, book = NEW.book WHERE letter_id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER letter_work_said AFTER UPDATE OF agency, book ON letter
  FOR EACH ROW WHEN ((OLD.agency, OLD.book) IS DISTINCT FROM (NEW.agency, NEW.book)) EXECUTE FUNCTION letter_work_said();

-- Open as the queue's index has it (letter_work_queue): registered, assigned, in progress, waiting.
CREATE FUNCTION letter_words_opened() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE letter_words SET open = NEW.state = ANY (ARRAY['registered', 'assigned', 'in_progress', 'waiting'])
   WHERE letter_id = NEW.letter_id;
  RETURN NULL;
END $$;
CREATE TRIGGER letter_words_opened AFTER UPDATE OF state ON letter_work
  FOR EACH ROW
  WHEN ((OLD.state = ANY (ARRAY['registered', 'assigned', 'in_progress', 'waiting']))
        IS DISTINCT FROM (NEW.state = ANY (ARRAY['registered', 'assigned', 'in_progress', 'waiting'])))
  EXECUTE FUNCTION letter_words_opened();

-- The letters already registered. (This migration's writes lock the tables until it commits, so
-- nothing changes between these copies and the triggers above.)
UPDATE letter_work w SET agency = l.agency, book = l.book FROM letter l WHERE l.id = w.letter_id;
ALTER TABLE letter_work ALTER COLUMN book SET NOT NULL;
UPDATE letter_words s SET open = false
  FROM letter_work w
 WHERE w.letter_id = s.letter_id AND NOT w.state = ANY (ARRAY['registered', 'assigned', 'in_progress', 'waiting']);

-- A filter's letters in a state, and its open ones counted per state, from the index alone. The
-- urgency is the work row's urgency_rank (a letter's urgency never changes).
CREATE INDEX letter_work_agency ON letter_work (agency, state) INCLUDE (restricted);
CREATE INDEX letter_work_book ON letter_work (book, state) INCLUDE (restricted);
CREATE INDEX letter_work_urgency ON letter_work (urgency_rank, state) INCLUDE (restricted);
CREATE INDEX letter_work_state_received ON letter_work (state, received_at) INCLUDE (restricted);
-- The open letters' words: a search of the queue compares the few open candidates, not every
-- letter of five years that holds the word. (letter_words_text still serves a closed state asked.)
CREATE INDEX letter_words_open ON letter_words USING gin (text gin_trgm_ops) WHERE open;

ANALYZE letter_work, letter_words;
