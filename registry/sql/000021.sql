-- how many letters an officer's two keys share, kept as the view counts are

-- An officer sees the letters naming them (key o) and those given to their unit as a whole (key
-- u, migration 19), and their queue's counts were the two views' kept counts less the letters
-- in both, which were counted on every request: a join of the two keys' letters, 2,000-16,000 of
-- them on the bench's register for a clerk whose unit's letters they take in hand (2-9 ms). The
-- letters in both are kept here instead, per officer and unit (the officer's unit when asked:
-- one who moves to another unit reads that pair), as rows of +1 and -1 that the same triggers
-- append and compact_view_counts() folds.
-- No key is made or moved by the triggers as they were between here and this commit: the
-- pairs copied below would miss it. An assignment or a move already under way holds its table
-- (assignment, letter_work) until it commits: waited for here, its keys are then copied.
LOCK TABLE assignment, letter_work, letter_key IN SHARE MODE;

CREATE TABLE view_overlap (
  officer_id integer NOT NULL,
  unit_id    integer NOT NULL,
  state      text NOT NULL,
  restricted boolean NOT NULL,
  n          integer NOT NULL
);
CREATE INDEX view_overlap_pair ON view_overlap (officer_id, unit_id);

-- An assignment adds at most one key of kind o or u (assignment_keys): with it, the pairs it
-- makes with the letter's keys of the other kind. The work row's lock (taken first, as before)
-- orders this after any other assignment or move of the letter, so the keys read are all there.
CREATE OR REPLACE FUNCTION letter_key_assigned() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  work record;
  added_o integer;
  added_u integer;
BEGIN
  PERFORM letter_key_read_committed();
  -- The state is read under the work row's lock, so no move of the letter's state can pass
  -- between reading it here and the key being there for that move's trigger to find.
  SELECT state, restricted INTO work FROM letter_work WHERE letter_id = NEW.letter_id FOR NO KEY UPDATE;
  WITH added AS (
    INSERT INTO letter_key (kind, key_id, letter_id, state, restricted)
    SELECT k.kind, k.key_id, NEW.letter_id, work.state, work.restricted FROM assignment_keys(NEW.unit_id, NEW.officer_id) k
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

CREATE OR REPLACE FUNCTION letter_key_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM letter_key_read_committed();
  WITH moved AS (
    UPDATE letter_key SET state = NEW.state, restricted = NEW.restricted WHERE letter_id = NEW.letter_id RETURNING kind, key_id
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

-- Folds the overlaps' rows too, the same way.
CREATE OR REPLACE FUNCTION compact_view_counts() RETURNS void LANGUAGE sql AS $$
  WITH gone AS (DELETE FROM view_count RETURNING kind, key_id, state, restricted, n)
  INSERT INTO view_count (kind, key_id, state, restricted, n)
  SELECT kind, key_id, state, restricted, sum(n) FROM gone GROUP BY kind, key_id, state, restricted HAVING sum(n) <> 0;
  WITH gone AS (DELETE FROM view_overlap RETURNING officer_id, unit_id, state, restricted, n)
  INSERT INTO view_overlap (officer_id, unit_id, state, restricted, n)
  SELECT officer_id, unit_id, state, restricted, sum(n) FROM gone GROUP BY officer_id, unit_id, state, restricted HAVING sum(n) <> 0;
$$;

-- The letters already registered.
INSERT INTO view_overlap (officer_id, unit_id, state, restricted, n)
SELECT o.key_id, u.key_id, o.state, o.restricted, count(*)
  FROM letter_key o JOIN letter_key u ON u.letter_id = o.letter_id AND u.kind = 'u'
 WHERE o.kind = 'o'
 GROUP BY o.key_id, u.key_id, o.state, o.restricted;

ANALYZE view_overlap;
