-- Who sees a letter, kept beside it, and how many letters each view holds in each state

-- The desk's queue shows, on every request, how many letters of the officer's view are in each
-- state (its tabs). Counted from the assignments, that read every letter the view ever held:
-- 127,000 for the head of a division of a provincial office after five years, 200,000 for the
-- admin (docs/PERFORMANCE.md, "Desk (issue 15)"). The views are kept here instead, as the
-- assignments make them, with the letter's state and secrecy copied beside each key; and the
-- counts of the large views as rows that add up.
--
-- A letter's keys (the rule of letter/access.ts maySee and registry/visibility.ts, as keys):
--   o, officer id: an assignment names the officer;
--   u, unit id:    an assignment gives it to the unit as a whole (no officer named);
--   t, unit id:    an assignment's unit is this unit or one below it (the unit's tree: what its
--                  supervisor sees).
-- An officer sees o(themself) and u(their unit); a supervisor o(themself) and t(their unit); an
-- admin every letter (the view counts' key a, 0). Assignments are never deleted, so a letter's
-- keys only grow, but for t when the tree of units changes: then they are made again.
CREATE TABLE letter_key (
  kind       text NOT NULL CHECK (kind IN ('o', 'u', 't')),
  key_id     integer NOT NULL,
  letter_id  bigint NOT NULL REFERENCES letter (id),
  state      text NOT NULL,
  restricted boolean NOT NULL,
  PRIMARY KEY (kind, key_id, letter_id)
);

-- How many letters each view holds in each state, with and without the secret ones: rows that
-- add up (sum(n) per kind, key_id, state, restricted). A change appends a row of -1 and one of +1
-- rather than updating one row per count, which every letter's move would otherwise queue on
-- (all of them change the admin's counts); compact_view_counts(), run by the reconciler, folds
-- them into one row each.
CREATE TABLE view_count (
  kind       text NOT NULL CHECK (kind IN ('a', 'o', 'u', 't')),
  key_id     integer NOT NULL,
  state      text NOT NULL,
  restricted boolean NOT NULL,
  n          integer NOT NULL
);
CREATE INDEX view_count_key ON view_count (kind, key_id);

-- The unit and every unit above it.
CREATE FUNCTION unit_and_above(start integer) RETURNS TABLE (id integer) LANGUAGE sql STABLE AS $$
  WITH RECURSIVE up (id, parent_id) AS (
    SELECT u.id, u.parent_id FROM unit u WHERE u.id = start
    UNION
    SELECT u.id, u.parent_id FROM unit u JOIN up ON u.id = up.parent_id
  )
  SELECT up.id FROM up
$$;

-- The keys an assignment gives its letter.
CREATE FUNCTION assignment_keys(unit_id integer, officer_id integer) RETURNS TABLE (kind text, key_id integer)
LANGUAGE sql STABLE AS $$
  SELECT 'o', officer_id WHERE officer_id IS NOT NULL
  UNION ALL SELECT 'u', unit_id WHERE officer_id IS NULL AND unit_id IS NOT NULL
  UNION ALL SELECT 't', above.id FROM unit_and_above(unit_id) above WHERE unit_id IS NOT NULL
$$;

-- The triggers below keep the keys' states right because each of their statements sees what
-- was committed while it waited for a lock (READ COMMITTED, PostgreSQL's default and the
-- gateway's). Under REPEATABLE READ a trigger could miss a key another transaction just made
-- and the counts would drift without a word: such a writer is refused instead.
CREATE FUNCTION letter_key_read_committed() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'the desk''s letter keys are kept only by READ COMMITTED transactions, not %', current_setting('transaction_isolation');
  END IF;
END $$;

CREATE FUNCTION letter_key_assigned() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  work record;
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
  )
  INSERT INTO view_count (kind, key_id, state, restricted, n) SELECT kind, key_id, state, restricted, 1 FROM added;
  RETURN NULL;
END $$;
CREATE TRIGGER letter_key_assigned AFTER INSERT ON assignment FOR EACH ROW EXECUTE FUNCTION letter_key_assigned();

CREATE FUNCTION view_count_registered() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO view_count (kind, key_id, state, restricted, n) VALUES ('a', 0, NEW.state, NEW.restricted, 1);
  RETURN NULL;
END $$;
CREATE TRIGGER view_count_registered AFTER INSERT ON letter_work FOR EACH ROW EXECUTE FUNCTION view_count_registered();

CREATE FUNCTION letter_key_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM letter_key_read_committed();
  WITH moved AS (
    UPDATE letter_key SET state = NEW.state, restricted = NEW.restricted WHERE letter_id = NEW.letter_id RETURNING kind, key_id
  )
  INSERT INTO view_count (kind, key_id, state, restricted, n)
  SELECT k.kind, k.key_id, c.state, c.restricted, c.n
    FROM (SELECT kind, key_id FROM moved UNION ALL SELECT 'a', 0) k
   CROSS JOIN (VALUES (OLD.state, OLD.restricted, -1), (NEW.state, NEW.restricted, 1)) c (state, restricted, n);
  RETURN NULL;
END $$;
CREATE TRIGGER letter_key_moved AFTER UPDATE OF state, restricted ON letter_work
  FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.restricted IS DISTINCT FROM NEW.restricted)
  EXECUTE FUNCTION letter_key_moved();

-- The trees' keys and counts made again from the assignments: a unit moved under another
-- changes which supervisors see its letters. Rare (an office's structure), and done whole.
CREATE FUNCTION letter_key_rebuild_trees() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  -- No assignment and no move of a letter meanwhile (reading goes on).
  LOCK TABLE letter_key, view_count IN EXCLUSIVE MODE;
  DELETE FROM letter_key WHERE kind = 't';
  DELETE FROM view_count WHERE kind = 't';
  INSERT INTO letter_key (kind, key_id, letter_id, state, restricted)
  SELECT DISTINCT k.kind, k.key_id, a.letter_id, w.state, w.restricted
    FROM assignment a JOIN letter_work w ON w.letter_id = a.letter_id
   CROSS JOIN LATERAL assignment_keys(a.unit_id, a.officer_id) k
   WHERE k.kind = 't';
  INSERT INTO view_count (kind, key_id, state, restricted, n)
  SELECT kind, key_id, state, restricted, count(*) FROM letter_key WHERE kind = 't' GROUP BY kind, key_id, state, restricted;
END $$;

CREATE FUNCTION letter_key_unit_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM letter_key_rebuild_trees();
  RETURN NULL;
END $$;
-- For each row (a statement's transition tables cannot go with a column list): an UPDATE that
-- moves several units rebuilds once for each. A unit added or removed has no assignments, so
-- no keys to change.
CREATE TRIGGER letter_key_unit_moved AFTER UPDATE OF parent_id ON unit
  FOR EACH ROW WHEN (OLD.parent_id IS DISTINCT FROM NEW.parent_id) EXECUTE FUNCTION letter_key_unit_moved();

-- Folds each count's rows into one. Rows appended meanwhile are not in this statement's view
-- and stay for the next time; two at once cannot count a row twice (the second finds it deleted).
CREATE FUNCTION compact_view_counts() RETURNS void LANGUAGE sql AS $$
  WITH gone AS (DELETE FROM view_count RETURNING kind, key_id, state, restricted, n)
  INSERT INTO view_count (kind, key_id, state, restricted, n)
  SELECT kind, key_id, state, restricted, sum(n) FROM gone GROUP BY kind, key_id, state, restricted HAVING sum(n) <> 0
$$;

-- The letters already registered: their keys and counts as the triggers would have made them.
-- (The tables this migration reads are locked against writes until it commits, so no letter
-- moves between the copy and its triggers. The keys' other indexes are built after the copy.)
INSERT INTO letter_key (kind, key_id, letter_id, state, restricted)
SELECT DISTINCT k.kind, k.key_id, a.letter_id, w.state, w.restricted
  FROM assignment a JOIN letter_work w ON w.letter_id = a.letter_id
 CROSS JOIN LATERAL assignment_keys(a.unit_id, a.officer_id) k;
INSERT INTO view_count (kind, key_id, state, restricted, n)
SELECT kind, key_id, state, restricted, count(*) FROM letter_key GROUP BY kind, key_id, state, restricted;
INSERT INTO view_count (kind, key_id, state, restricted, n)
SELECT 'a', 0, state, restricted, count(*) FROM letter_work GROUP BY state, restricted;
-- A view's letters in a state (an officer's open letters, a view's count by state), from the index alone.
CREATE INDEX letter_key_state ON letter_key (kind, key_id, state, letter_id) INCLUDE (restricted);
-- A letter's keys: when its state or secrecy changes, and whether a letter a filter found is in
-- a view (any of its keys, read from the index alone).
CREATE INDEX letter_key_letter ON letter_key (letter_id, kind, key_id);

-- Their statistics now, so the desk's first queries are planned on them, not on an empty table's.
ANALYZE letter_key, view_count;
