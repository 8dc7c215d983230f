-- the queue's order on the letter keys: an officer's page read from their keys alone

-- An officer's queue is the letters naming them and those given to their unit as a whole: their
-- keys (letter_key, kinds o and u, migration 19), 100-700 open letters each on the bench's
-- register. Its page is the first 50 of them in the queue's order (most urgent, nearest deadline,
-- longest waiting), which the keys did not hold: every one of the officer's letters was looked up
-- on its work row to be ordered, 1,200-2,800 index pages read for each page shown. Each key now
-- keeps its letter's place in that order, as it keeps its state, and the page is sorted from the
-- keys' index; only the 50 shown are read further.
-- No key is made or moved meanwhile (see migration 21): the copies below are then complete. The
-- keys are locked whole from the start (the ALTER needs it), not raised to it from a weaker lock
-- while an action waits on them. Their index is made again after the copies, not kept through them.
LOCK TABLE assignment, letter_work IN SHARE MODE;
LOCK TABLE letter_key IN ACCESS EXCLUSIVE MODE;

DROP INDEX letter_key_state;
ALTER TABLE letter_key ADD COLUMN urgency_rank smallint, ADD COLUMN deadline timestamptz, ADD COLUMN received_at timestamptz;
UPDATE letter_key k SET urgency_rank = w.urgency_rank, deadline = w.deadline, received_at = w.received_at
  FROM letter_work w WHERE w.letter_id = k.letter_id;
ALTER TABLE letter_key ALTER COLUMN urgency_rank SET NOT NULL, ALTER COLUMN received_at SET NOT NULL;

CREATE INDEX letter_key_state ON letter_key (kind, key_id, state, letter_id) INCLUDE (restricted, urgency_rank, deadline, received_at);

-- A key is made with its letter's state, secrecy and place in the queue, read under the work
-- row's lock (as before).
CREATE OR REPLACE FUNCTION letter_key_assigned() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  work record;
  added_o integer;
  added_u integer;
BEGIN
  PERFORM letter_key_read_committed();
  -- The state is read under the work row's lock, so no move of the letter's state can pass
  -- between reading it here and the key being there for that move's trigger to find.
  SELECT state, restricted, urgency_rank, deadline, received_at INTO work FROM letter_work WHERE letter_id = NEW.letter_id FOR NO KEY UPDATE;
  WITH added AS (
    INSERT INTO letter_key (kind, key_id, letter_id, state, restricted, urgency_rank, deadline, received_at)
    SELECT k.kind, k.key_id, NEW.letter_id, work.state, work.restricted, work.urgency_rank, work.deadline, work.received_at
      FROM assignment_keys(NEW.unit_id, NEW.officer_id) k
    ON CONFLICT DO NOTHING
    RETURNING kind, key_id, state, restricted
  ), counted AS (
    INSERT INTO view_count (kind, key_id, state, restricted, n) SELECT kind, key_id, state, restricted, 1 FROM added
    RETURNING kind, key_id
  )
  SELECT max(key_id) FILTER (WHERE kind = 'o'), max(key_id) FILTER (WHERE kind = 'u') INTO added_o, added_u FROM counted;
  -- Planned at each call (EXECUTE), not once: a plan kept from when letter_key was small would
  -- read the whole table for every assignment of a long load (the bench's fill, a migration).
  IF added_o IS NOT NULL THEN
    EXECUTE 'INSERT INTO view_overlap (officer_id, unit_id, state, restricted, n)
             SELECT $1, u.key_id, $2, $3, 1 FROM letter_key u WHERE u.letter_id = $4 AND u.kind = ''u'''
      USING added_o, work.state, work.restricted, NEW.letter_id;
  END IF;
  IF added_u IS NOT NULL THEN
    EXECUTE 'INSERT INTO view_overlap (officer_id, unit_id, state, restricted, n)
             SELECT o.key_id, $1, $2, $3, 1 FROM letter_key o WHERE o.letter_id = $4 AND o.kind = ''o'''
      USING added_u, work.state, work.restricted, NEW.letter_id;
  END IF;
  RETURN NULL;
END $$;

-- A letter's keys follow its work row: its state and secrecy (counted), and its place in the
-- queue (a deadline set when it is forwarded or waits), in one update of its keys.
CREATE OR REPLACE FUNCTION letter_key_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM letter_key_read_committed();
  IF (OLD.state, OLD.restricted) IS NOT DISTINCT FROM (NEW.state, NEW.restricted) THEN
    UPDATE letter_key SET urgency_rank = NEW.urgency_rank, deadline = NEW.deadline, received_at = NEW.received_at
     WHERE letter_id = NEW.letter_id;
    RETURN NULL;
  END IF;
  WITH moved AS (
    UPDATE letter_key
       SET state = NEW.state, restricted = NEW.restricted, urgency_rank = NEW.urgency_rank, deadline = NEW.deadline, received_at = NEW.received_at
     WHERE letter_id = NEW.letter_id RETURNING kind, key_id
  )
  INSERT INTO view_count (kind, key_id, state, restricted, n)
  SELECT k.kind, k.key_id, c.state, c.restricted, c.n
    FROM (SELECT kind, key_id FROM moved UNION ALL SELECT 'a', 0) k
   CROSS JOIN (VALUES (OLD.state, OLD.restricted, -1), (NEW.state, NEW.restricted, 1)) c (state, restricted, n);
  EXECUTE 'INSERT INTO view_overlap (officer_id, unit_id, state, restricted, n)
           SELECT o.key_id, u.key_id, c.state, c.restricted, c.n
             FROM letter_key o JOIN letter_key u ON u.letter_id = o.letter_id AND u.kind = ''u''
            CROSS JOIN (VALUES ($1, $2, -1), ($3, $4, 1)) c (state, restricted, n)
            WHERE o.letter_id = $5 AND o.kind = ''o'''
    USING OLD.state, OLD.restricted, NEW.state, NEW.restricted, NEW.letter_id;
  RETURN NULL;
END $$;

DROP TRIGGER letter_key_moved ON letter_work;
CREATE TRIGGER letter_key_moved AFTER UPDATE OF state, restricted, urgency_rank, deadline, received_at ON letter_work
  FOR EACH ROW
  WHEN ((OLD.state, OLD.restricted, OLD.urgency_rank, OLD.deadline, OLD.received_at)
        IS DISTINCT FROM (NEW.state, NEW.restricted, NEW.urgency_rank, NEW.deadline, NEW.received_at))
  EXECUTE FUNCTION letter_key_moved();

CREATE OR REPLACE FUNCTION letter_key_rebuild_trees() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  -- No assignment and no move of a letter meanwhile (reading goes on).
  LOCK TABLE letter_key, view_count IN EXCLUSIVE MODE;
  DELETE FROM letter_key WHERE kind = 't';
  DELETE FROM view_count WHERE kind = 't';
  INSERT INTO letter_key (kind, key_id, letter_id, state, restricted, urgency_rank, deadline, received_at)
  SELECT DISTINCT k.kind, k.key_id, a.letter_id, w.state, w.restricted, w.urgency_rank, w.deadline, w.received_at
    FROM assignment a JOIN letter_work w ON w.letter_id = a.letter_id
   CROSS JOIN LATERAL assignment_keys(a.unit_id, a.officer_id) k
   WHERE k.kind = 't';
  INSERT INTO view_count (kind, key_id, state, restricted, n)
  SELECT kind, key_id, state, restricted, count(*) FROM letter_key WHERE kind = 't' GROUP BY kind, key_id, state, restricted;
END $$;

-- (Every key was rewritten: until autovacuum has been by, reading the keys' index alone also
-- reads the table.)
ANALYZE letter_key;
