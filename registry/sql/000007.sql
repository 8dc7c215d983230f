-- the audit trail as a hash chain with one writer; the letter written without a column list

CREATE FUNCTION audit_canonical_json(v jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
-- The canonical form of a JSON value, for hashing: objects with their keys in the order of
-- their UTF-8 bytes (code point order), no white space anywhere; strings as PostgreSQL
-- writes JSON strings (", \ and \b \f \n \r \t escaped, other characters below U+0020 as
-- \u00xx, everything else as it is); numbers as PostgreSQL prints them (jsonb keeps them as
-- numeric: 1.50 stays 1.50); true, false, null. (jsonb's own text orders keys by length
-- first, and puts spaces after , and :, so it is not used as it is.)
-- registry/audit.ts canonicalJson() computes the same from the stored detail.
BEGIN
  CASE jsonb_typeof(v)
  WHEN 'object' THEN
    RETURN '{' || coalesce((SELECT string_agg(to_json(k)::text || ':' || audit_canonical_json(e), ',' ORDER BY k COLLATE "C")
                              FROM jsonb_each(v) AS member(k, e)), '') || '}';
  WHEN 'array' THEN
    RETURN '[' || coalesce((SELECT string_agg(audit_canonical_json(e), ',' ORDER BY i)
                              FROM jsonb_array_elements(v) WITH ORDINALITY AS element(e, i)), '') || ']';
  ELSE
    RETURN v::text;
  END CASE;
END $$;

CREATE FUNCTION audit_hash(p_seq bigint, p_at timestamptz, p_actor text, p_action text, p_inbound uuid, p_letter bigint,
                           p_detail jsonb, p_prev_hash text)
RETURNS text LANGUAGE sql STABLE AS $$
  -- An event's hash: SHA-256, in lower-case hex, of the UTF-8 bytes of the JSON array
  --   [seq, "at", "actor", "action", "inbound_id" or null, letter_id or null, detail, "prev_hash"]
  -- in that order, written without white space: at in UTC with microseconds
  -- (2026-02-02T03:00:00.000000Z), inbound_id as PostgreSQL writes a uuid, detail in the form
  -- of audit_canonical_json. The row's id is not part of it: seq is the event's place in the
  -- chain. registry/audit.ts auditHash() computes the same, for `saraban audit verify`.
  SELECT encode(sha256(convert_to(
    '[' || p_seq::text
    || ',' || to_json(to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text
    || ',' || to_json(p_actor)::text
    || ',' || to_json(p_action)::text
    || ',' || coalesce(to_json(p_inbound::text)::text, 'null')
    || ',' || coalesce(p_letter::text, 'null')
    || ',' || audit_canonical_json(p_detail)
    || ',' || to_json(p_prev_hash)::text
    || ']', 'UTF8')), 'hex')
$$;

-- Each event's place in the chain (1, 2, 3 ... with no gap), the hash of the event before it
-- (64 zeros for the first) and its own. The events already written are chained in the order
-- they were written.
ALTER TABLE audit_event ADD COLUMN seq bigint, ADD COLUMN prev_hash text, ADD COLUMN hash text;
DO $$
DECLARE
  event record;
  previous text := repeat('0', 64);
  n bigint := 0;
BEGIN
  FOR event IN SELECT id FROM audit_event ORDER BY id LOOP
    n := n + 1;
    UPDATE audit_event SET seq = n, prev_hash = previous,
                           hash = audit_hash(n, at, actor, action, inbound_id, letter_id, detail, previous)
     WHERE id = event.id
    RETURNING hash INTO previous;
  END LOOP;
END $$;
ALTER TABLE audit_event
  ALTER COLUMN seq SET NOT NULL,
  ALTER COLUMN prev_hash SET NOT NULL,
  ALTER COLUMN hash SET NOT NULL,
  ADD CONSTRAINT audit_event_seq_key UNIQUE (seq);
COMMENT ON TABLE audit_event IS 'Append-only (trigger audit_event_append_only), written by audit_append() alone, hash-chained: seq 1, 2, 3 ... with no gap; prev_hash the hash of the event before (64 zeros for the first); hash = audit_hash() of the event. Checked by `saraban audit verify`.';

CREATE FUNCTION audit_append(p_at timestamptz, p_actor text, p_action text, p_inbound uuid, p_letter bigint, p_detail jsonb)
RETURNS bigint LANGUAGE plpgsql AS $$
-- The one writer of audit events (registry/audit.ts appendAudit() and register_letter call it).
-- Returns the event's seq. The lock is held until COMMIT, so the next appender reads this
-- event as the last one: the chain cannot fork, and a rollback gives its seq back. Callers
-- that also plan a reply append first: the reply caps' rows are always locked after it.
DECLARE
  last_event record;
  v_seq bigint;
  v_prev text;
  v_detail constant jsonb := coalesce(p_detail, '{}');
BEGIN
  PERFORM pg_advisory_xact_lock(7262002);
  SELECT seq, hash INTO last_event FROM audit_event ORDER BY seq DESC LIMIT 1;
  v_seq := coalesce(last_event.seq, 0) + 1;
  v_prev := coalesce(last_event.hash, repeat('0', 64));
  INSERT INTO audit_event (seq, at, actor, action, inbound_id, letter_id, detail, prev_hash, hash)
  VALUES (v_seq, p_at, p_actor, p_action, p_inbound, p_letter, v_detail, v_prev,
          audit_hash(v_seq, p_at, p_actor, p_action, p_inbound, p_letter, v_detail, v_prev));
  RETURN v_seq;
END $$;

CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
-- The audit trail is evidence: what was written stays as it was. (An administrator can still
-- disable the trigger; `saraban audit verify` then finds what was changed.)
BEGIN
  RAISE EXCEPTION 'audit_event is append-only: % is refused', TG_OP
    USING HINT = 'Audit events are never changed or removed; record a correction as a new event with audit_append().';
END $$;
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_event
  FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only();

-- Registration as migration 6 made it, but the audit events written by audit_append, and the
-- letter inserted as a whole row built from p_letter: its columns are listed nowhere in SQL,
-- so a column added to letter needs no change here (registry/letters.ts names them once).
CREATE OR REPLACE FUNCTION register_letter(p_inbound uuid, p_book text, p_year integer, p_at timestamptz,
                                           p_letter jsonb, p_reply jsonb, p_duplicate jsonb, p_limits jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  msg record;
  earlier letter;
  registered letter;
  next_number integer;
  v_at timestamptz;
  reply_id bigint;
BEGIN
  -- The book's lock first, then the message's row: nothing else takes both, so no deadlock.
  -- Every statement below sees what the lock's previous holder committed.
  PERFORM pg_advisory_xact_lock(hashtext('book:' || p_book));
  SELECT outcome, duplicate_of INTO msg FROM inbound WHERE id = p_inbound FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'inbound message % does not exist', p_inbound;
  END IF;

  -- Decided by an earlier run: the same letter again, and its reply if still to be sent.
  IF msg.outcome = 'registered' THEN
    SELECT * INTO earlier FROM letter WHERE inbound_id = p_inbound;
  ELSIF msg.outcome = 'duplicate' THEN
    SELECT * INTO earlier FROM letter WHERE id = msg.duplicate_of;
  END IF;
  IF earlier.id IS NOT NULL THEN
    RETURN jsonb_build_object('outcome', msg.outcome, 'created', false, 'letter', to_jsonb(earlier),
      'replyId', (SELECT id FROM reply WHERE inbound_id = p_inbound AND status = 'pending'));
  END IF;
  IF msg.outcome IS NOT NULL THEN
    RETURN jsonb_build_object('decided', msg.outcome);
  END IF;

  -- The first letter of the book with the same Message-ID from the same sender, or else
  -- with the same reference and one of the same files: two look-ups, each by its own index
  -- (one query for both could only be planned around the book).
  IF p_duplicate IS NOT NULL THEN
    IF p_duplicate->>'messageId' IS NOT NULL THEN
      SELECT * INTO earlier FROM letter l
       WHERE l.message_id = p_duplicate->>'messageId' AND l.book = p_book AND l.from_address = p_duplicate->>'fromAddress'
       ORDER BY l.id LIMIT 1;
    END IF;
    IF earlier.id IS NULL AND jsonb_array_length(p_duplicate->'sameFiles') > 0 THEN
      SELECT * INTO earlier FROM letter l
       WHERE l.reference_normalised = p_duplicate->>'referenceNormalised' AND l.book = p_book
         AND l.attachments @> ANY (ARRAY(SELECT jsonb_array_elements(p_duplicate->'sameFiles')))
       ORDER BY l.id LIMIT 1;
    END IF;
    IF earlier.id IS NOT NULL THEN
      UPDATE inbound SET processed_at = p_at, outcome = 'duplicate', duplicate_of = earlier.id, decision = p_duplicate->'decision'
       WHERE id = p_inbound;
      PERFORM audit_append(p_at, 'system', 'inbound.duplicate', p_inbound, earlier.id,
                           jsonb_build_object('book', earlier.book, 'year', earlier.year, 'number', earlier.number));
      IF jsonb_typeof(p_duplicate->'reply') = 'object' THEN
        reply_id := plan_reply(p_inbound, earlier.id, p_duplicate->'reply', p_limits, p_at);
      END IF;
      RETURN jsonb_build_object('outcome', 'duplicate', 'created', true, 'letter', to_jsonb(earlier), 'replyId', reply_id);
    END IF;
  END IF;

  -- The next number; the counter row stays locked until COMMIT and a rollback gives it back.
  INSERT INTO book_counter AS c (book, year, last_number, last_registered_at) VALUES (p_book, p_year, 1, p_at)
  ON CONFLICT (book, year) DO UPDATE
    SET last_number = c.last_number + 1, last_registered_at = greatest(c.last_registered_at, excluded.last_registered_at)
  RETURNING c.last_number, c.last_registered_at INTO next_number, v_at;
  -- The letter as p_letter gives it, with what registration decides put over it (a key of
  -- p_letter cannot set them), and the id the column's default would give.
  -- (In FROM, so that it is built once: `(f(...)).*` would call f, and nextval, once per column.)
  INSERT INTO letter
  SELECT d.* FROM jsonb_populate_record(NULL::letter, p_letter || jsonb_build_object(
                    'id', nextval(pg_get_serial_sequence('letter', 'id')), 'inbound_id', p_inbound, 'book', p_book,
                    'year', p_year, 'number', next_number, 'registered_at', v_at)) AS d
  RETURNING * INTO registered;
  UPDATE inbound SET processed_at = v_at, outcome = 'registered' WHERE id = p_inbound;
  PERFORM audit_append(v_at, 'system', 'letter.registered', p_inbound, registered.id,
                       jsonb_build_object('book', p_book, 'year', p_year, 'number', next_number, 'suspect', registered.suspect));
  IF p_reply IS NOT NULL THEN
    reply_id := plan_reply(p_inbound, registered.id, p_reply, p_limits, v_at);
  END IF;
  RETURN jsonb_build_object('outcome', 'registered', 'created', true, 'letter', to_jsonb(registered), 'replyId', reply_id);
END $$;
