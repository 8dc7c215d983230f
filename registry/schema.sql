-- The register's schema and functions as the migrations in registry/sql/ leave them: read
-- today's rules here, change them with a new migration. Written by `npm run schema:dump`
-- (pg_dump --schema-only --no-owner --no-privileges, without its version and session lines);
-- test/integration/schema.test.ts fails when it is not what the migrations make.

--
-- Name: pg_trgm; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

--
-- Name: EXTENSION pg_trgm; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION pg_trgm IS 'text similarity measurement and index searching based on trigrams';

--
-- Name: assignment_keys(integer, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.assignment_keys(unit_id integer, officer_id integer) RETURNS TABLE(kind text, key_id integer)
    LANGUAGE sql STABLE
    AS $$
  SELECT 'o', officer_id WHERE officer_id IS NOT NULL
  UNION ALL SELECT 'u', unit_id WHERE officer_id IS NULL AND unit_id IS NOT NULL
  UNION ALL SELECT 't', above.id FROM unit_and_above(unit_id) above WHERE unit_id IS NOT NULL
$$;

--
-- Name: audit_append(timestamp with time zone, text, text, uuid, bigint, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.audit_append(p_at timestamp with time zone, p_actor text, p_action text, p_inbound uuid, p_letter bigint, p_detail jsonb) RETURNS bigint
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: audit_canonical_json(jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.audit_canonical_json(v jsonb) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT
    AS $$
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

--
-- Name: audit_event_append_only(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.audit_event_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
-- The audit trail is evidence: what was written stays as it was. (An administrator can still
-- disable the trigger; `saraban audit verify` then finds what was changed.)
BEGIN
  RAISE EXCEPTION 'audit_event is append-only: % is refused', TG_OP
    USING HINT = 'Audit events are never changed or removed; record a correction as a new event with audit_append().';
END $$;

--
-- Name: audit_hash(bigint, timestamp with time zone, text, text, uuid, bigint, jsonb, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.audit_hash(p_seq bigint, p_at timestamp with time zone, p_actor text, p_action text, p_inbound uuid, p_letter bigint, p_detail jsonb, p_prev_hash text) RETURNS text
    LANGUAGE sql STABLE
    AS $$
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

--
-- Name: compact_view_counts(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.compact_view_counts() RETURNS void
    LANGUAGE sql
    AS $$
  WITH gone AS (DELETE FROM view_count RETURNING kind, key_id, state, restricted, n)
  INSERT INTO view_count (kind, key_id, state, restricted, n)
  SELECT kind, key_id, state, restricted, sum(n) FROM gone GROUP BY kind, key_id, state, restricted HAVING sum(n) <> 0;
  WITH gone AS (DELETE FROM view_overlap RETURNING officer_id, unit_id, state, restricted, n)
  INSERT INTO view_overlap (officer_id, unit_id, state, restricted, n)
  SELECT officer_id, unit_id, state, restricted, sum(n) FROM gone GROUP BY officer_id, unit_id, state, restricted HAVING sum(n) <> 0;
$$;

--
-- Name: letter_key_assigned(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.letter_key_assigned() RETURNS trigger
    LANGUAGE plpgsql
    AS $_$
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
END $_$;

--
-- Name: letter_key_moved(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.letter_key_moved() RETURNS trigger
    LANGUAGE plpgsql
    AS $_$
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
END $_$;

--
-- Name: letter_key_read_committed(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.letter_key_read_committed() RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'the desk''s letter keys are kept only by READ COMMITTED transactions, not %', current_setting('transaction_isolation');
  END IF;
END $$;

--
-- Name: letter_key_rebuild_trees(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.letter_key_rebuild_trees() RETURNS void
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: letter_key_unit_moved(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.letter_key_unit_moved() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM letter_key_rebuild_trees();
  RETURN NULL;
END $$;

--
-- Name: letter_search_text(text, text, text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.letter_search_text(reference text, title text, subject text, agency text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT translate(lower(concat_ws(' ', reference, coalesce(title, subject), agency)), '๐๑๒๓๔๕๖๗๘๙', '0123456789') $$;

--
-- Name: letter_words_keep(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.letter_words_keep() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: letter_work_restricted(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.letter_work_restricted() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  UPDATE letter_work SET restricted = NEW.restricted WHERE letter_id = NEW.id;
  RETURN NULL;
END $$;

--
-- Name: letter_work_said(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.letter_work_said() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  UPDATE letter_work SET agency = NEW.agency, book = NEW.book WHERE letter_id = NEW.id;
  RETURN NULL;
END $$;

--
-- Name: letter_work_start(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.letter_work_start() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  INSERT INTO letter_work (letter_id, urgency_rank, received_at, updated_at, restricted, agency, book)
  VALUES (NEW.id,
          CASE NEW.urgency WHEN 'ด่วนที่สุด' THEN 4 WHEN 'ด่วนมาก' THEN 3 WHEN 'ด่วนภายใน' THEN 2 WHEN 'ด่วน' THEN 1 ELSE 0 END,
          NEW.registered_at, NEW.registered_at, NEW.restricted, NEW.agency, NEW.book)
  ON CONFLICT (letter_id) DO NOTHING;
  RETURN NULL;
END $$;

--
-- Name: open_words_keep(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.open_words_keep() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: plan_digest(text, timestamp with time zone, integer, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.plan_digest(p_recipient text, p_at timestamp with time zone, p_every_minutes integer, p_host text) RETURNS bigint
    LANGUAGE plpgsql
    AS $$
DECLARE
  v_recipient constant text := lower(p_recipient);
  v_address text;
  v_id bigint;
BEGIN
  INSERT INTO reply_tally AS t (scope, window_start, replies) VALUES ('sender:' || v_recipient, date_trunc('hour', p_at, 'UTC'), 0)
  ON CONFLICT (scope, window_start) DO UPDATE SET replies = t.replies;
  IF EXISTS (SELECT 1 FROM reply WHERE lower(recipient) = v_recipient AND kind = 'digest'
                AND created_at > p_at - make_interval(mins => p_every_minutes)) THEN
    RETURN NULL;
  END IF;
  -- To the address as the sender's latest message gave it.
  SELECT recipient INTO v_address FROM reply
   WHERE lower(recipient) = v_recipient AND status = 'held' AND digest_id IS NULL ORDER BY id DESC LIMIT 1;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  INSERT INTO reply (kind, recipient, message_id, status, created_at)
  VALUES ('digest', v_address, '<digest.' || gen_random_uuid() || '@' || p_host || '>', 'pending', p_at)
  RETURNING id INTO v_id;
  UPDATE reply SET digest_id = v_id WHERE lower(recipient) = v_recipient AND status = 'held' AND digest_id IS NULL;
  RETURN v_id;
END $$;

--
-- Name: plan_reply(uuid, bigint, jsonb, jsonb, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.plan_reply(p_inbound uuid, p_letter bigint, p_plan jsonb, p_limits jsonb, p_at timestamp with time zone) RETURNS bigint
    LANGUAGE plpgsql
    AS $$
DECLARE
  v_recipient constant text := lower(p_plan->>'recipient');
  v_tier constant text := p_plan->>'tier';
  v_subject constant text := p_plan->>'subjectKey';
  v_body constant text := p_plan->>'bodyHash';
  v_letter constant text := p_plan->>'letterKey';
  -- In UTC: a session's TimeZone with a part-hour offset must not move the hour.
  v_hour constant timestamptz := date_trunc('hour', p_at, 'UTC');
  v_repeats constant integer := (p_limits->'loop'->>'repeats')::integer;
  v_within constant interval := make_interval(mins => (p_limits->'loop'->>'withinMinutes')::integer);
  v_stop constant interval := make_interval(mins => (p_limits->'loop'->>'stopMinutes')::integer);
  v_this_hour integer;
  v_to_all integer;
  v_status text := 'pending';
  v_withheld text := p_plan->>'suppress';
  v_same_subject integer;
  v_same_body integer;
  v_stopped integer;
  v_window jsonb;
  v_counted integer;
  v_id bigint;
BEGIN
  -- The sender's row first: replies to one sender are planned one at a time, each counting
  -- what the one before it committed.
  INSERT INTO reply_tally AS t (scope, window_start, replies) VALUES ('sender:' || v_recipient, v_hour, 0)
  ON CONFLICT (scope, window_start) DO UPDATE SET replies = t.replies
  RETURNING t.replies INTO v_this_hour;

  IF v_withheld IS NOT NULL THEN
    v_status := 'suppressed';
  END IF;

  -- A loop: the same subject or the same text from this sender, bringing no new letter (the
  -- same reference or files, or none), v_repeats times within the loop's time, this one
  -- included; or a shape already stopped as a loop, within stopMinutes: it stays stopped.
  IF v_status = 'pending' AND v_tier IS NOT NULL AND (v_subject IS NOT NULL OR v_body IS NOT NULL) THEN
    SELECT count(*) FILTER (WHERE r.created_at > p_at - v_within), count(*) FILTER (WHERE r.withheld LIKE 'loop:%')
      INTO v_same_subject, v_stopped
      FROM reply r
     WHERE lower(r.recipient) = v_recipient AND r.subject_key = v_subject AND coalesce(r.letter_key, '') = coalesce(v_letter, '')
       AND r.created_at > p_at - greatest(v_within, v_stop);
    SELECT count(*) FILTER (WHERE r.created_at > p_at - v_within), v_stopped + count(*) FILTER (WHERE r.withheld LIKE 'loop:%')
      INTO v_same_body, v_stopped
      FROM reply r
     WHERE lower(r.recipient) = v_recipient AND r.body_hash = v_body AND coalesce(r.letter_key, '') = coalesce(v_letter, '')
       AND r.created_at > p_at - greatest(v_within, v_stop);
    IF v_same_subject + 1 >= v_repeats THEN
      v_withheld := format('loop: the same subject %s times in %s minutes, no new letter', v_same_subject + 1, p_limits->'loop'->>'withinMinutes');
    ELSIF v_same_body + 1 >= v_repeats THEN
      v_withheld := format('loop: the same text %s times in %s minutes, no new letter', v_same_body + 1, p_limits->'loop'->>'withinMinutes');
    ELSIF v_stopped > 0 THEN
      v_withheld := 'loop: the same subject or text was stopped as a loop before';
    END IF;
    IF v_withheld IS NOT NULL THEN
      v_status := 'suppressed';
    END IF;
  END IF;

  -- The sender's windows, sliding: replies to be sent to it in the last `minutes`, counted up
  -- to the window's size (no further: the count is all the rule needs).
  IF v_status = 'pending' AND v_tier IS NOT NULL THEN
    FOR v_window IN SELECT w FROM jsonb_array_elements(p_limits->v_tier->'windows') AS w LOOP
      SELECT count(*) INTO v_counted FROM (
        SELECT 1 FROM reply r
         WHERE lower(r.recipient) = v_recipient AND r.status IN ('pending', 'sent', 'failed') AND r.kind <> 'digest'
           AND r.created_at > p_at - make_interval(mins => (v_window->>'minutes')::integer)
         LIMIT (v_window->>'replies')::integer) AS counted;
      IF v_counted >= (v_window->>'replies')::integer THEN
        v_status := 'held';
        v_withheld := format('window: %s replies in %s minutes to a sender %s', v_window->>'replies', v_window->>'minutes',
                             CASE v_tier WHEN 'trusted' THEN 'trusted' WHEN 'authenticated' THEN 'authenticated, not trusted' ELSE 'unverified' END);
        EXIT;
      END IF;
    END LOOP;
  END IF;

  -- Then everyone's row: the office's replies in the hour, each sender counting at most its
  -- tier's hourlyShare, so that one sender, however busy, cannot use up everyone's share.
  IF v_status = 'pending' THEN
    INSERT INTO reply_tally AS t (scope, window_start, replies) VALUES ('all', v_hour, 0)
    ON CONFLICT (scope, window_start) DO UPDATE SET replies = t.replies
    RETURNING t.replies INTO v_to_all;
    IF v_tier IS NOT NULL AND v_to_all >= (p_limits->>'allSendersPerHour')::integer THEN
      v_status := 'held';
      v_withheld := format('all senders: %s replies this hour', p_limits->>'allSendersPerHour');
    ELSE
      UPDATE reply_tally SET replies = replies + 1 WHERE scope = 'sender:' || v_recipient AND window_start = v_hour;
      IF v_this_hour < coalesce((p_limits->coalesce(v_tier, 'unverified')->>'hourlyShare')::integer, 0) THEN
        UPDATE reply_tally SET replies = replies + 1 WHERE scope = 'all' AND window_start = v_hour;
      END IF;
    END IF;
  END IF;

  INSERT INTO reply (inbound_id, letter_id, kind, reason, recipient, message_id, status, withheld, tier, subject_key, body_hash,
                     letter_key, created_at)
  VALUES (p_inbound, p_letter, p_plan->>'kind', p_plan->>'reason', p_plan->>'recipient', p_plan->>'messageId', v_status, v_withheld,
          v_tier, v_subject, v_body, v_letter, p_at)
  RETURNING id INTO v_id;
  RETURN CASE WHEN v_status = 'pending' THEN v_id END;
END $$;

--
-- Name: register_letter(uuid, text, integer, timestamp with time zone, jsonb, jsonb, jsonb, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.register_letter(p_inbound uuid, p_book text, p_year integer, p_at timestamp with time zone, p_letter jsonb, p_reply jsonb, p_duplicate jsonb, p_limits jsonb) RETURNS jsonb
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: unit_and_above(integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.unit_and_above(start integer) RETURNS TABLE(id integer)
    LANGUAGE sql STABLE
    AS $$
  WITH RECURSIVE up (id, parent_id) AS (
    SELECT u.id, u.parent_id FROM unit u WHERE u.id = start
    UNION
    SELECT u.id, u.parent_id FROM unit u JOIN up ON u.id = up.parent_id
  )
  SELECT up.id FROM up
$$;

--
-- Name: view_count_registered(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.view_count_registered() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  INSERT INTO view_count (kind, key_id, state, restricted, n) VALUES ('a', 0, NEW.state, NEW.restricted, 1);
  RETURN NULL;
END $$;

--
-- Name: reply; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.reply (
    id bigint NOT NULL,
    letter_id bigint,
    recipient text NOT NULL,
    message_id text NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    last_error text,
    sent_at timestamp with time zone,
    inbound_id uuid,
    kind text DEFAULT 'acknowledgement'::text NOT NULL,
    reason text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    detail jsonb,
    tier text,
    subject_key text,
    body_hash text,
    letter_key text,
    withheld text,
    digest_id bigint,
    released_at timestamp with time zone,
    CONSTRAINT reply_digest_answers_no_message CHECK (((kind = 'digest'::text) = (inbound_id IS NULL))),
    CONSTRAINT reply_kind_check CHECK ((kind = ANY (ARRAY['acknowledgement'::text, 'notice'::text, 'digest'::text]))),
    CONSTRAINT reply_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'sent'::text, 'failed'::text, 'suppressed'::text, 'held'::text]))),
    CONSTRAINT reply_tier_check CHECK ((tier = ANY (ARRAY['trusted'::text, 'authenticated'::text, 'unverified'::text])))
);

--
-- Name: acknowledgement_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.acknowledgement_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: acknowledgement_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.acknowledgement_id_seq OWNED BY public.reply.id;

--
-- Name: api_token; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.api_token (
    id integer NOT NULL,
    officer_id integer NOT NULL,
    token_hash bytea NOT NULL,
    label text,
    created_at timestamp with time zone NOT NULL,
    last_used_at timestamp with time zone,
    revoked_at timestamp with time zone
);

--
-- Name: api_token_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.api_token_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: api_token_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.api_token_id_seq OWNED BY public.api_token.id;

--
-- Name: assignment; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.assignment (
    id bigint NOT NULL,
    letter_id bigint NOT NULL,
    unit_id integer,
    officer_id integer,
    purpose text NOT NULL,
    source text NOT NULL,
    rule text,
    assigned_by integer,
    note text,
    created_at timestamp with time zone NOT NULL,
    ended_at timestamp with time zone,
    ended_how text,
    ended_by integer,
    CONSTRAINT assignment_check CHECK (((unit_id IS NOT NULL) OR (officer_id IS NOT NULL))),
    CONSTRAINT assignment_check1 CHECK (((ended_at IS NULL) = (ended_how IS NULL))),
    CONSTRAINT assignment_check2 CHECK (((source = 'officer'::text) = (assigned_by IS NOT NULL))),
    CONSTRAINT assignment_check3 CHECK (((source = 'routing'::text) OR (rule IS NULL))),
    CONSTRAINT assignment_ended_how_check CHECK ((ended_how = ANY (ARRAY['taken'::text, 'forwarded'::text, 'done'::text, 'returned'::text, 'annulled'::text, 'acknowledged'::text]))),
    CONSTRAINT assignment_purpose_check CHECK ((purpose = ANY (ARRAY['act'::text, 'know'::text]))),
    CONSTRAINT assignment_source_check CHECK ((source = ANY (ARRAY['routing'::text, 'officer'::text])))
);

--
-- Name: assignment_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.assignment_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: assignment_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.assignment_id_seq OWNED BY public.assignment.id;

--
-- Name: audit_event; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_event (
    id bigint NOT NULL,
    at timestamp with time zone NOT NULL,
    actor text NOT NULL,
    action text NOT NULL,
    inbound_id uuid,
    letter_id bigint,
    detail jsonb DEFAULT '{}'::jsonb NOT NULL,
    seq bigint NOT NULL,
    prev_hash text NOT NULL,
    hash text NOT NULL
);

--
-- Name: TABLE audit_event; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.audit_event IS 'Append-only (trigger audit_event_append_only), written by audit_append() alone, hash-chained: seq 1, 2, 3 ... with no gap; prev_hash the hash of the event before (64 zeros for the first); hash = audit_hash() of the event. Checked by `saraban audit verify`.';

--
-- Name: audit_event_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.audit_event_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: audit_event_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.audit_event_id_seq OWNED BY public.audit_event.id;

--
-- Name: book_counter; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.book_counter (
    book text NOT NULL,
    year integer NOT NULL,
    last_number integer NOT NULL,
    last_registered_at timestamp with time zone
);

--
-- Name: desk_session; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.desk_session (
    id_hash bytea NOT NULL,
    officer_id integer NOT NULL,
    csrf_secret text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL
);

--
-- Name: imap_message_failure; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.imap_message_failure (
    mailbox text NOT NULL,
    uidvalidity bigint NOT NULL,
    uid bigint NOT NULL,
    attempts integer NOT NULL,
    last_error text NOT NULL,
    first_failed_at timestamp with time zone DEFAULT now() NOT NULL,
    last_failed_at timestamp with time zone DEFAULT now() NOT NULL,
    message_id text,
    from_address text,
    subject text,
    given_up_at timestamp with time zone,
    flagged boolean
);

--
-- Name: imap_status; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.imap_status (
    mailbox text NOT NULL,
    connected boolean NOT NULL,
    last_sync_at timestamp with time zone,
    uidvalidity bigint,
    last_uid bigint,
    backlog integer DEFAULT 0 NOT NULL,
    last_error text,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: imap_watermark; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.imap_watermark (
    mailbox text NOT NULL,
    uidvalidity bigint NOT NULL,
    last_uid bigint NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: inbound; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.inbound (
    id uuid NOT NULL,
    received_at timestamp with time zone NOT NULL,
    edge text NOT NULL,
    client_ip text,
    helo text,
    mail_from text,
    rcpt_to text[] NOT NULL,
    book text NOT NULL,
    size bigint NOT NULL,
    sha256 text NOT NULL,
    processed_at timestamp with time zone,
    outcome text,
    source_key text,
    decision jsonb,
    duplicate_of bigint,
    about_letter_id integer,
    CONSTRAINT inbound_edge_check CHECK ((edge = ANY (ARRAY['smtp'::text, 'imap'::text]))),
    CONSTRAINT inbound_outcome_check CHECK ((outcome = ANY (ARRAY['registered'::text, 'automatic'::text, 'duplicate'::text, 'held'::text, 'refused'::text, 'correspondence'::text])))
);

--
-- Name: COLUMN inbound.about_letter_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.inbound.about_letter_id IS 'For outcome correspondence: the letter our reply, which this message answers, was about.';

--
-- Name: inbound_arriving; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.inbound_arriving (
    inbound_id uuid NOT NULL,
    last_piece_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: inbound_chunk; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.inbound_chunk (
    inbound_id uuid NOT NULL,
    seq integer NOT NULL,
    data bytea NOT NULL
);
ALTER TABLE ONLY public.inbound_chunk ALTER COLUMN data SET STORAGE EXTERNAL;

--
-- Name: letter; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.letter (
    id bigint NOT NULL,
    inbound_id uuid NOT NULL,
    book text NOT NULL,
    year integer NOT NULL,
    number integer NOT NULL,
    registered_at timestamp with time zone NOT NULL,
    message_id text,
    from_address text,
    from_name text,
    subject text NOT NULL,
    attachments jsonb DEFAULT '[]'::jsonb NOT NULL,
    reference text,
    reference_normalised text,
    circular boolean DEFAULT false NOT NULL,
    letter_date_written text,
    letter_date date,
    title text,
    title_guessed boolean DEFAULT false NOT NULL,
    addressee text,
    urgency text,
    urgency_deadline text,
    secrecy text,
    agency text,
    agency_source text,
    authenticity jsonb,
    suspect boolean DEFAULT false NOT NULL,
    restricted boolean DEFAULT false NOT NULL,
    flags jsonb DEFAULT '[]'::jsonb NOT NULL,
    forwarded_by jsonb,
    CONSTRAINT letter_number_check CHECK ((number > 0))
);

--
-- Name: letter_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.letter_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: letter_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.letter_id_seq OWNED BY public.letter.id;

--
-- Name: letter_key; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.letter_key (
    kind text NOT NULL,
    key_id integer NOT NULL,
    letter_id bigint NOT NULL,
    state text NOT NULL,
    restricted boolean NOT NULL,
    urgency_rank smallint NOT NULL,
    deadline timestamp with time zone,
    received_at timestamp with time zone NOT NULL,
    CONSTRAINT letter_key_kind_check CHECK ((kind = ANY (ARRAY['o'::text, 'u'::text, 't'::text])))
);

--
-- Name: letter_stamp; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.letter_stamp (
    letter_id bigint NOT NULL,
    state text NOT NULL,
    reason text,
    detail text,
    attachment integer,
    source_sha256 text,
    pdf bytea,
    sha256 text,
    stamped_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT letter_stamp_attachment_check CHECK ((attachment > 0)),
    CONSTRAINT letter_stamp_copy CHECK (((state = 'stamped'::text) = ((pdf IS NOT NULL) AND (sha256 IS NOT NULL) AND (attachment IS NOT NULL)))),
    CONSTRAINT letter_stamp_reason CHECK (((state = 'stamped'::text) = (reason IS NULL))),
    CONSTRAINT letter_stamp_state_check CHECK ((state = ANY (ARRAY['stamped'::text, 'failed'::text, 'skipped'::text])))
);
ALTER TABLE ONLY public.letter_stamp ALTER COLUMN pdf SET STORAGE EXTERNAL;

--
-- Name: letter_words; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.letter_words (
    letter_id bigint NOT NULL,
    text text NOT NULL
);

--
-- Name: letter_work; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.letter_work (
    letter_id bigint NOT NULL,
    state text DEFAULT 'registered'::text NOT NULL,
    wait_until date,
    deadline timestamp with time zone,
    urgency_rank smallint NOT NULL,
    received_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    restricted boolean DEFAULT false NOT NULL,
    agency text,
    book text NOT NULL,
    CONSTRAINT letter_work_check CHECK (((state = 'waiting'::text) = (wait_until IS NOT NULL))),
    CONSTRAINT letter_work_state_check CHECK ((state = ANY (ARRAY['registered'::text, 'assigned'::text, 'in_progress'::text, 'waiting'::text, 'done'::text, 'returned'::text, 'annulled'::text])))
);

--
-- Name: officer; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.officer (
    id integer NOT NULL,
    username text NOT NULL,
    name text NOT NULL,
    "position" text,
    phone text,
    role text NOT NULL,
    unit_id integer,
    secret_clearance boolean DEFAULT false NOT NULL,
    on_duty boolean DEFAULT true NOT NULL,
    disabled_at timestamp with time zone,
    password_hash text,
    failed_logins integer DEFAULT 0 NOT NULL,
    locked_until timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    email text,
    checks_mailbox boolean DEFAULT false NOT NULL,
    CONSTRAINT officer_name_check CHECK ((name <> ''::text)),
    CONSTRAINT officer_role_check CHECK ((role = ANY (ARRAY['officer'::text, 'supervisor'::text, 'admin'::text]))),
    CONSTRAINT officer_username_check CHECK ((username ~ '^[a-z0-9_.-]{1,64}$'::text))
);

--
-- Name: officer_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.officer_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: officer_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.officer_id_seq OWNED BY public.officer.id;

--
-- Name: open_words; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.open_words (
    letter_id bigint NOT NULL,
    text text NOT NULL,
    state text NOT NULL,
    wait_until date,
    deadline timestamp with time zone,
    urgency_rank smallint NOT NULL,
    received_at timestamp with time zone NOT NULL,
    restricted boolean NOT NULL,
    agency text,
    book text NOT NULL
);

--
-- Name: reminder; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.reminder (
    id bigint NOT NULL,
    slot text NOT NULL,
    slot_at timestamp with time zone NOT NULL,
    officer_id integer NOT NULL,
    recipient text NOT NULL,
    letters jsonb NOT NULL,
    message_id text NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    last_error text,
    created_at timestamp with time zone NOT NULL,
    sent_at timestamp with time zone,
    CONSTRAINT reminder_letters_check CHECK (((jsonb_typeof(letters) = 'array'::text) AND (jsonb_array_length(letters) > 0))),
    CONSTRAINT reminder_slot_check CHECK ((slot ~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$'::text)),
    CONSTRAINT reminder_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'sent'::text, 'failed'::text])))
);

--
-- Name: reminder_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.reminder_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: reminder_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.reminder_id_seq OWNED BY public.reminder.id;

--
-- Name: reply_tally; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.reply_tally (
    scope text NOT NULL,
    window_start timestamp with time zone NOT NULL,
    replies integer NOT NULL
);

--
-- Name: schema_migration; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_migration (
    version integer NOT NULL,
    name text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: unit; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.unit (
    id integer NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    parent_id integer,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT unit_code_check CHECK ((code ~ '^[A-Za-z0-9_.-]{1,32}$'::text)),
    CONSTRAINT unit_name_check CHECK ((name <> ''::text))
);

--
-- Name: unit_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.unit_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: unit_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.unit_id_seq OWNED BY public.unit.id;

--
-- Name: unit_turn; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.unit_turn (
    unit_id integer NOT NULL,
    last_officer_id integer,
    updated_at timestamp with time zone NOT NULL
);

--
-- Name: view_count; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.view_count (
    kind text NOT NULL,
    key_id integer NOT NULL,
    state text NOT NULL,
    restricted boolean NOT NULL,
    n integer NOT NULL,
    CONSTRAINT view_count_kind_check CHECK ((kind = ANY (ARRAY['a'::text, 'o'::text, 'u'::text, 't'::text])))
);

--
-- Name: view_overlap; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.view_overlap (
    officer_id integer NOT NULL,
    unit_id integer NOT NULL,
    state text NOT NULL,
    restricted boolean NOT NULL,
    n integer NOT NULL
);

--
-- Name: api_token id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_token ALTER COLUMN id SET DEFAULT nextval('public.api_token_id_seq'::regclass);

--
-- Name: assignment id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.assignment ALTER COLUMN id SET DEFAULT nextval('public.assignment_id_seq'::regclass);

--
-- Name: audit_event id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_event ALTER COLUMN id SET DEFAULT nextval('public.audit_event_id_seq'::regclass);

--
-- Name: letter id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.letter ALTER COLUMN id SET DEFAULT nextval('public.letter_id_seq'::regclass);

--
-- Name: officer id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.officer ALTER COLUMN id SET DEFAULT nextval('public.officer_id_seq'::regclass);

--
-- Name: reminder id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reminder ALTER COLUMN id SET DEFAULT nextval('public.reminder_id_seq'::regclass);

--
-- Name: reply id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reply ALTER COLUMN id SET DEFAULT nextval('public.acknowledgement_id_seq'::regclass);

--
-- Name: unit id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.unit ALTER COLUMN id SET DEFAULT nextval('public.unit_id_seq'::regclass);

--
-- Name: reply acknowledgement_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reply
    ADD CONSTRAINT acknowledgement_pkey PRIMARY KEY (id);

--
-- Name: api_token api_token_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_token
    ADD CONSTRAINT api_token_pkey PRIMARY KEY (id);

--
-- Name: api_token api_token_token_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_token
    ADD CONSTRAINT api_token_token_hash_key UNIQUE (token_hash);

--
-- Name: assignment assignment_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.assignment
    ADD CONSTRAINT assignment_pkey PRIMARY KEY (id);

--
-- Name: audit_event audit_event_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_event
    ADD CONSTRAINT audit_event_pkey PRIMARY KEY (id);

--
-- Name: audit_event audit_event_seq_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_event
    ADD CONSTRAINT audit_event_seq_key UNIQUE (seq);

--
-- Name: book_counter book_counter_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.book_counter
    ADD CONSTRAINT book_counter_pkey PRIMARY KEY (book, year);

--
-- Name: desk_session desk_session_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.desk_session
    ADD CONSTRAINT desk_session_pkey PRIMARY KEY (id_hash);

--
-- Name: imap_message_failure imap_message_failure_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.imap_message_failure
    ADD CONSTRAINT imap_message_failure_pkey PRIMARY KEY (mailbox, uidvalidity, uid);

--
-- Name: imap_status imap_status_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.imap_status
    ADD CONSTRAINT imap_status_pkey PRIMARY KEY (mailbox);

--
-- Name: imap_watermark imap_watermark_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.imap_watermark
    ADD CONSTRAINT imap_watermark_pkey PRIMARY KEY (mailbox, uidvalidity);

--
-- Name: inbound_arriving inbound_arriving_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.inbound_arriving
    ADD CONSTRAINT inbound_arriving_pkey PRIMARY KEY (inbound_id);

--
-- Name: inbound_chunk inbound_chunk_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.inbound_chunk
    ADD CONSTRAINT inbound_chunk_pkey PRIMARY KEY (inbound_id, seq);

--
-- Name: inbound inbound_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.inbound
    ADD CONSTRAINT inbound_pkey PRIMARY KEY (id);

--
-- Name: inbound inbound_source_key_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.inbound
    ADD CONSTRAINT inbound_source_key_key UNIQUE (source_key);

--
-- Name: letter letter_book_year_number_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.letter
    ADD CONSTRAINT letter_book_year_number_key UNIQUE (book, year, number);

--
-- Name: letter letter_inbound_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.letter
    ADD CONSTRAINT letter_inbound_id_key UNIQUE (inbound_id);

--
-- Name: letter_key letter_key_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.letter_key
    ADD CONSTRAINT letter_key_pkey PRIMARY KEY (kind, key_id, letter_id);

--
-- Name: letter letter_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.letter
    ADD CONSTRAINT letter_pkey PRIMARY KEY (id);

--
-- Name: letter_stamp letter_stamp_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.letter_stamp
    ADD CONSTRAINT letter_stamp_pkey PRIMARY KEY (letter_id);

--
-- Name: letter_words letter_words_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.letter_words
    ADD CONSTRAINT letter_words_pkey PRIMARY KEY (letter_id);

--
-- Name: letter_work letter_work_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.letter_work
    ADD CONSTRAINT letter_work_pkey PRIMARY KEY (letter_id);

--
-- Name: officer officer_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.officer
    ADD CONSTRAINT officer_pkey PRIMARY KEY (id);

--
-- Name: open_words open_words_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.open_words
    ADD CONSTRAINT open_words_pkey PRIMARY KEY (letter_id);

--
-- Name: reminder reminder_message_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reminder
    ADD CONSTRAINT reminder_message_id_key UNIQUE (message_id);

--
-- Name: reminder reminder_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reminder
    ADD CONSTRAINT reminder_pkey PRIMARY KEY (id);

--
-- Name: reminder reminder_slot_officer_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reminder
    ADD CONSTRAINT reminder_slot_officer_id_key UNIQUE (slot, officer_id);

--
-- Name: reply_tally reply_tally_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reply_tally
    ADD CONSTRAINT reply_tally_pkey PRIMARY KEY (scope, window_start);

--
-- Name: schema_migration schema_migration_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_migration
    ADD CONSTRAINT schema_migration_pkey PRIMARY KEY (version);

--
-- Name: unit unit_code_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.unit
    ADD CONSTRAINT unit_code_key UNIQUE (code);

--
-- Name: unit unit_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.unit
    ADD CONSTRAINT unit_pkey PRIMARY KEY (id);

--
-- Name: unit_turn unit_turn_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.unit_turn
    ADD CONSTRAINT unit_turn_pkey PRIMARY KEY (unit_id);

--
-- Name: api_token_officer; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX api_token_officer ON public.api_token USING btree (officer_id);

--
-- Name: assignment_holders; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX assignment_holders ON public.assignment USING btree (letter_id) INCLUDE (officer_id, unit_id);

--
-- Name: assignment_letter; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX assignment_letter ON public.assignment USING btree (letter_id, id);

--
-- Name: assignment_officer; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX assignment_officer ON public.assignment USING btree (officer_id, letter_id) WHERE (officer_id IS NOT NULL);

--
-- Name: assignment_open_act; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX assignment_open_act ON public.assignment USING btree (letter_id) WHERE ((purpose = 'act'::text) AND (ended_at IS NULL));

--
-- Name: assignment_unit; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX assignment_unit ON public.assignment USING btree (unit_id, letter_id);

--
-- Name: assignment_unit_whole; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX assignment_unit_whole ON public.assignment USING btree (unit_id, letter_id) WHERE (officer_id IS NULL);

--
-- Name: audit_event_letter; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_event_letter ON public.audit_event USING btree (letter_id, seq) WHERE (letter_id IS NOT NULL);

--
-- Name: desk_session_expiry; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX desk_session_expiry ON public.desk_session USING btree (expires_at);

--
-- Name: desk_session_officer; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX desk_session_officer ON public.desk_session USING btree (officer_id);

--
-- Name: imap_message_failure_given_up; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX imap_message_failure_given_up ON public.imap_message_failure USING btree (mailbox, given_up_at) WHERE (given_up_at IS NOT NULL);

--
-- Name: inbound_about_letter; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX inbound_about_letter ON public.inbound USING btree (about_letter_id) WHERE (about_letter_id IS NOT NULL);

--
-- Name: inbound_held; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX inbound_held ON public.inbound USING btree (received_at) WHERE (outcome = 'held'::text);

--
-- Name: inbound_unprocessed; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX inbound_unprocessed ON public.inbound USING btree (received_at) WHERE (processed_at IS NULL);

--
-- Name: letter_agency; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX letter_agency ON public.letter USING btree (agency, id);

--
-- Name: letter_attachments; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX letter_attachments ON public.letter USING gin (attachments jsonb_path_ops);

--
-- Name: letter_book_year; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX letter_book_year ON public.letter USING btree (book, year, id);

--
-- Name: letter_key_letter; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX letter_key_letter ON public.letter_key USING btree (letter_id, kind, key_id);

--
-- Name: letter_key_state; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX letter_key_state ON public.letter_key USING btree (kind, key_id, state, letter_id) INCLUDE (restricted, urgency_rank, deadline, received_at);

--
-- Name: letter_message_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX letter_message_id ON public.letter USING btree (message_id, book, id);

--
-- Name: letter_reference; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX letter_reference ON public.letter USING btree (reference_normalised, book, id);

--
-- Name: letter_registered_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX letter_registered_at ON public.letter USING btree (registered_at);

--
-- Name: letter_suspect; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX letter_suspect ON public.letter USING btree (registered_at) WHERE suspect;

--
-- Name: letter_urgency; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX letter_urgency ON public.letter USING btree (urgency, id) WHERE (urgency IS NOT NULL);

--
-- Name: letter_words_text; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX letter_words_text ON public.letter_words USING gin (text public.gin_trgm_ops);

--
-- Name: letter_work_agency; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX letter_work_agency ON public.letter_work USING btree (agency, state, received_at) INCLUDE (restricted, letter_id);

--
-- Name: letter_work_book; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX letter_work_book ON public.letter_work USING btree (book, state, received_at) INCLUDE (restricted, letter_id);

--
-- Name: letter_work_letter_state; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX letter_work_letter_state ON public.letter_work USING btree (letter_id) INCLUDE (state, restricted);

--
-- Name: letter_work_queue; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX letter_work_queue ON public.letter_work USING btree (urgency_rank DESC, deadline, received_at, letter_id) WHERE (state = ANY (ARRAY['registered'::text, 'assigned'::text, 'in_progress'::text, 'waiting'::text]));

--
-- Name: letter_work_received; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX letter_work_received ON public.letter_work USING btree (received_at) INCLUDE (state, restricted);

--
-- Name: letter_work_state; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX letter_work_state ON public.letter_work USING btree (state, restricted);

--
-- Name: letter_work_state_received; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX letter_work_state_received ON public.letter_work USING btree (state, received_at) INCLUDE (restricted);

--
-- Name: letter_work_urgency; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX letter_work_urgency ON public.letter_work USING btree (urgency_rank, state) INCLUDE (restricted);

--
-- Name: officer_unit; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX officer_unit ON public.officer USING btree (unit_id) WHERE (disabled_at IS NULL);

--
-- Name: officer_username; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX officer_username ON public.officer USING btree (username);

--
-- Name: open_words_text; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX open_words_text ON public.open_words USING gin (text public.gin_trgm_ops);

--
-- Name: reminder_pending; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX reminder_pending ON public.reminder USING btree (id) WHERE (status = 'pending'::text);

--
-- Name: reply_body_from_sender; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX reply_body_from_sender ON public.reply USING btree (lower(recipient), body_hash, COALESCE(letter_key, ''::text), created_at) WHERE (body_hash IS NOT NULL);

--
-- Name: reply_digest_to_sender; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX reply_digest_to_sender ON public.reply USING btree (lower(recipient), created_at) WHERE (kind = 'digest'::text);

--
-- Name: reply_held; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX reply_held ON public.reply USING btree (lower(recipient), id) WHERE ((status = 'held'::text) AND (digest_id IS NULL));

--
-- Name: reply_in_digest; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX reply_in_digest ON public.reply USING btree (digest_id) WHERE (digest_id IS NOT NULL);

--
-- Name: reply_inbound; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX reply_inbound ON public.reply USING btree (inbound_id);

--
-- Name: reply_inbound_id_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX reply_inbound_id_key ON public.reply USING btree (inbound_id) WHERE (reason IS DISTINCT FROM 'returned'::text);

--
-- Name: reply_message_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX reply_message_id ON public.reply USING btree (message_id);

--
-- Name: reply_pending; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX reply_pending ON public.reply USING btree (id) WHERE (status = 'pending'::text);

--
-- Name: reply_subject_from_sender; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX reply_subject_from_sender ON public.reply USING btree (lower(recipient), subject_key, COALESCE(letter_key, ''::text), created_at) WHERE (subject_key IS NOT NULL);

--
-- Name: reply_to_sender; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX reply_to_sender ON public.reply USING btree (lower(recipient), created_at) WHERE ((status = ANY (ARRAY['pending'::text, 'sent'::text, 'failed'::text])) AND (kind <> 'digest'::text));

--
-- Name: unit_parent; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX unit_parent ON public.unit USING btree (parent_id);

--
-- Name: view_count_key; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX view_count_key ON public.view_count USING btree (kind, key_id);

--
-- Name: view_overlap_pair; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX view_overlap_pair ON public.view_overlap USING btree (officer_id, unit_id);

--
-- Name: audit_event audit_event_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audit_event_append_only BEFORE DELETE OR UPDATE OR TRUNCATE ON public.audit_event FOR EACH STATEMENT EXECUTE FUNCTION public.audit_event_append_only();

--
-- Name: assignment letter_key_assigned; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER letter_key_assigned AFTER INSERT ON public.assignment FOR EACH ROW EXECUTE FUNCTION public.letter_key_assigned();

--
-- Name: letter_work letter_key_moved; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER letter_key_moved AFTER UPDATE OF state, restricted, urgency_rank, deadline, received_at ON public.letter_work FOR EACH ROW WHEN ((((((old.state IS DISTINCT FROM new.state) OR (old.restricted IS DISTINCT FROM new.restricted)) OR (old.urgency_rank IS DISTINCT FROM new.urgency_rank)) OR (old.deadline IS DISTINCT FROM new.deadline)) OR (old.received_at IS DISTINCT FROM new.received_at))) EXECUTE FUNCTION public.letter_key_moved();

--
-- Name: unit letter_key_unit_moved; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER letter_key_unit_moved AFTER UPDATE OF parent_id ON public.unit FOR EACH ROW WHEN ((old.parent_id IS DISTINCT FROM new.parent_id)) EXECUTE FUNCTION public.letter_key_unit_moved();

--
-- Name: letter letter_words_changed; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER letter_words_changed AFTER UPDATE OF reference_normalised, title, subject, agency ON public.letter FOR EACH ROW WHEN (((((old.reference_normalised IS DISTINCT FROM new.reference_normalised) OR (old.title IS DISTINCT FROM new.title)) OR (old.subject IS DISTINCT FROM new.subject)) OR (old.agency IS DISTINCT FROM new.agency))) EXECUTE FUNCTION public.letter_words_keep();

--
-- Name: letter letter_words_registered; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER letter_words_registered AFTER INSERT ON public.letter FOR EACH ROW EXECUTE FUNCTION public.letter_words_keep();

--
-- Name: letter letter_work_restricted; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER letter_work_restricted AFTER UPDATE OF restricted ON public.letter FOR EACH ROW WHEN ((old.restricted IS DISTINCT FROM new.restricted)) EXECUTE FUNCTION public.letter_work_restricted();

--
-- Name: letter letter_work_said; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER letter_work_said AFTER UPDATE OF agency, book ON public.letter FOR EACH ROW WHEN (((old.agency IS DISTINCT FROM new.agency) OR (old.book IS DISTINCT FROM new.book))) EXECUTE FUNCTION public.letter_work_said();

--
-- Name: letter letter_work_start; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER letter_work_start AFTER INSERT ON public.letter FOR EACH ROW EXECUTE FUNCTION public.letter_work_start();

--
-- Name: letter_work open_words_moved; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER open_words_moved AFTER UPDATE OF state, wait_until, deadline, urgency_rank, received_at, restricted, agency, book ON public.letter_work FOR EACH ROW WHEN (((((((((old.state IS DISTINCT FROM new.state) OR (old.wait_until IS DISTINCT FROM new.wait_until)) OR (old.deadline IS DISTINCT FROM new.deadline)) OR (old.urgency_rank IS DISTINCT FROM new.urgency_rank)) OR (old.received_at IS DISTINCT FROM new.received_at)) OR (old.restricted IS DISTINCT FROM new.restricted)) OR (old.agency IS DISTINCT FROM new.agency)) OR (old.book IS DISTINCT FROM new.book))) EXECUTE FUNCTION public.open_words_keep();

--
-- Name: letter_work open_words_opened; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER open_words_opened AFTER INSERT ON public.letter_work FOR EACH ROW EXECUTE FUNCTION public.open_words_keep();

--
-- Name: letter_work view_count_registered; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER view_count_registered AFTER INSERT ON public.letter_work FOR EACH ROW EXECUTE FUNCTION public.view_count_registered();

--
-- Name: reply acknowledgement_letter_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reply
    ADD CONSTRAINT acknowledgement_letter_id_fkey FOREIGN KEY (letter_id) REFERENCES public.letter(id);

--
-- Name: api_token api_token_officer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_token
    ADD CONSTRAINT api_token_officer_id_fkey FOREIGN KEY (officer_id) REFERENCES public.officer(id) ON DELETE CASCADE;

--
-- Name: assignment assignment_assigned_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.assignment
    ADD CONSTRAINT assignment_assigned_by_fkey FOREIGN KEY (assigned_by) REFERENCES public.officer(id);

--
-- Name: assignment assignment_ended_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.assignment
    ADD CONSTRAINT assignment_ended_by_fkey FOREIGN KEY (ended_by) REFERENCES public.officer(id);

--
-- Name: assignment assignment_letter_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.assignment
    ADD CONSTRAINT assignment_letter_id_fkey FOREIGN KEY (letter_id) REFERENCES public.letter(id);

--
-- Name: assignment assignment_officer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.assignment
    ADD CONSTRAINT assignment_officer_id_fkey FOREIGN KEY (officer_id) REFERENCES public.officer(id);

--
-- Name: assignment assignment_unit_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.assignment
    ADD CONSTRAINT assignment_unit_id_fkey FOREIGN KEY (unit_id) REFERENCES public.unit(id);

--
-- Name: audit_event audit_event_letter_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_event
    ADD CONSTRAINT audit_event_letter_id_fkey FOREIGN KEY (letter_id) REFERENCES public.letter(id);

--
-- Name: desk_session desk_session_officer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.desk_session
    ADD CONSTRAINT desk_session_officer_id_fkey FOREIGN KEY (officer_id) REFERENCES public.officer(id) ON DELETE CASCADE;

--
-- Name: inbound inbound_about_letter_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.inbound
    ADD CONSTRAINT inbound_about_letter_id_fkey FOREIGN KEY (about_letter_id) REFERENCES public.letter(id);

--
-- Name: inbound inbound_duplicate_of_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.inbound
    ADD CONSTRAINT inbound_duplicate_of_fkey FOREIGN KEY (duplicate_of) REFERENCES public.letter(id);

--
-- Name: letter letter_inbound_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.letter
    ADD CONSTRAINT letter_inbound_id_fkey FOREIGN KEY (inbound_id) REFERENCES public.inbound(id);

--
-- Name: letter_key letter_key_letter_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.letter_key
    ADD CONSTRAINT letter_key_letter_id_fkey FOREIGN KEY (letter_id) REFERENCES public.letter(id);

--
-- Name: letter_stamp letter_stamp_letter_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.letter_stamp
    ADD CONSTRAINT letter_stamp_letter_id_fkey FOREIGN KEY (letter_id) REFERENCES public.letter(id);

--
-- Name: letter_words letter_words_letter_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.letter_words
    ADD CONSTRAINT letter_words_letter_id_fkey FOREIGN KEY (letter_id) REFERENCES public.letter(id);

--
-- Name: letter_work letter_work_letter_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.letter_work
    ADD CONSTRAINT letter_work_letter_id_fkey FOREIGN KEY (letter_id) REFERENCES public.letter(id);

--
-- Name: officer officer_unit_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.officer
    ADD CONSTRAINT officer_unit_id_fkey FOREIGN KEY (unit_id) REFERENCES public.unit(id);

--
-- Name: reminder reminder_officer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reminder
    ADD CONSTRAINT reminder_officer_id_fkey FOREIGN KEY (officer_id) REFERENCES public.officer(id);

--
-- Name: reply reply_digest_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reply
    ADD CONSTRAINT reply_digest_id_fkey FOREIGN KEY (digest_id) REFERENCES public.reply(id);

--
-- Name: reply reply_inbound_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reply
    ADD CONSTRAINT reply_inbound_id_fkey FOREIGN KEY (inbound_id) REFERENCES public.inbound(id);

--
-- Name: unit unit_parent_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.unit
    ADD CONSTRAINT unit_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES public.unit(id);

--
-- Name: unit_turn unit_turn_last_officer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.unit_turn
    ADD CONSTRAINT unit_turn_last_officer_id_fkey FOREIGN KEY (last_officer_id) REFERENCES public.officer(id);

--
-- Name: unit_turn unit_turn_unit_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.unit_turn
    ADD CONSTRAINT unit_turn_unit_id_fkey FOREIGN KEY (unit_id) REFERENCES public.unit(id);
