-- the open letters' words in a table of their own, with what the queue reads of their work rows

-- A search of the queue (the open letters) found its candidates in the open letters' trigram
-- index (letter_words_open, migration 20), then compared each on its search row and read its
-- work row for its state, secrecy and place in the queue. On the bench's register a common word
-- ("งบประมาณ") is in 1,226 open letters, whose search rows lay on 902 pages of a table of every
-- letter, and each work row cost three or four more pages: 4.6 ms a search. Here the open
-- letters' rows alone (7,200 rows, 341 pages, kept so by deleting a letter's row when it is
-- closed), each with the columns of its work row that the queue filters and orders by: the search
-- is this table's rows alone, 2.0 ms. letter_words keeps every letter's text, for a search of the
-- closed states.
-- The work rows and the search rows stay as they are until this commits (a desk still running
-- the code before it waits here): no letter moves or changes its words between the copy below
-- and the triggers that would have seen it. Taken first, before the triggers' own locks.
LOCK TABLE letter_work, letter_words IN ACCESS EXCLUSIVE MODE;

-- No foreign key: the rows are letter_work's own, made and deleted by its triggers (and a key's
-- check, planned when the table was empty, read letter_work whole for each row of a bulk load).
CREATE TABLE open_words (
  letter_id    bigint PRIMARY KEY,
  text         text NOT NULL,
  -- Copies of letter_work's, kept by open_words_keep below.
  state        text NOT NULL,
  wait_until   date,
  deadline     timestamptz,
  urgency_rank smallint NOT NULL,
  received_at  timestamptz NOT NULL,
  restricted   boolean NOT NULL,
  agency       text,
  book         text NOT NULL
);

-- A letter's row while it is open: made when it opens (registered, or reopened), its copies
-- rewritten as its work row changes, deleted when it closes (done, returned, annulled). The text
-- is the letter's as letter_words has it (one function, letter_search_text), read from the letter
-- as this transaction sees it: the desk changes a letter's words only in the transaction that
-- holds its work row (registry/work.ts performAction), so no other can be changing them meanwhile.
CREATE FUNCTION open_words_keep() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  open_states CONSTANT text[] := ARRAY['registered', 'assigned', 'in_progress', 'waiting'];
  was_open boolean := TG_OP = 'UPDATE' AND OLD.state = ANY (open_states);
BEGIN
  IF NEW.state <> ALL (open_states) THEN
    IF was_open THEN
      DELETE FROM open_words WHERE letter_id = NEW.letter_id;
    END IF;
  ELSIF was_open THEN
    UPDATE open_words
       SET state = NEW.state, wait_until = NEW.wait_until, deadline = NEW.deadline, urgency_rank = NEW.urgency_rank,
           received_at = NEW.received_at, restricted = NEW.restricted, agency = NEW.agency, book = NEW.book
     WHERE letter_id = NEW.letter_id;
  ELSE
    INSERT INTO open_words (letter_id, text, state, wait_until, deadline, urgency_rank, received_at, restricted, agency, book)
    SELECT NEW.letter_id, letter_search_text(l.reference_normalised, l.title, l.subject, l.agency), NEW.state, NEW.wait_until,
           NEW.deadline, NEW.urgency_rank, NEW.received_at, NEW.restricted, NEW.agency, NEW.book
      FROM letter l WHERE l.id = NEW.letter_id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER open_words_opened AFTER INSERT ON letter_work FOR EACH ROW EXECUTE FUNCTION open_words_keep();
CREATE TRIGGER open_words_moved AFTER UPDATE OF state, wait_until, deadline, urgency_rank, received_at, restricted, agency, book ON letter_work
  FOR EACH ROW
  WHEN ((OLD.state, OLD.wait_until, OLD.deadline, OLD.urgency_rank, OLD.received_at, OLD.restricted, OLD.agency, OLD.book)
        IS DISTINCT FROM (NEW.state, NEW.wait_until, NEW.deadline, NEW.urgency_rank, NEW.received_at, NEW.restricted, NEW.agency, NEW.book))
  EXECUTE FUNCTION open_words_keep();

-- The letter's text, as letter_words_keep (migration 18) keeps it, now into both tables.
CREATE OR REPLACE FUNCTION letter_words_keep() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  words text := letter_search_text(NEW.reference_normalised, NEW.title, NEW.subject, NEW.agency);
BEGIN
  INSERT INTO letter_words (letter_id, text) VALUES (NEW.id, words)
  ON CONFLICT (letter_id) DO UPDATE SET text = EXCLUDED.text;
  -- A new letter's open row is made with its work row, from the letter (open_words_keep).
  IF TG_OP = 'UPDATE' THEN
    UPDATE open_words SET text = words WHERE letter_id = NEW.id;
  END IF;
  RETURN NULL;
END $$;

-- The open letters now (the tables locked above).
INSERT INTO open_words (letter_id, text, state, wait_until, deadline, urgency_rank, received_at, restricted, agency, book)
SELECT w.letter_id, s.text, w.state, w.wait_until, w.deadline, w.urgency_rank, w.received_at, w.restricted, w.agency, w.book
  FROM letter_work w JOIN letter_words s ON s.letter_id = w.letter_id
 WHERE w.state = ANY (ARRAY['registered', 'assigned', 'in_progress', 'waiting']);
CREATE INDEX open_words_text ON open_words USING gin (text gin_trgm_ops);

-- What the search read before: the open flag on every letter's search row and its index, and the
-- open letters' work rows by id (migration 23), which only the search's join read.
DROP TRIGGER letter_words_opened ON letter_work;
DROP FUNCTION letter_words_opened();
DROP INDEX letter_words_open;
ALTER TABLE letter_words DROP COLUMN open;
DROP INDEX letter_work_open;

ANALYZE open_words;
