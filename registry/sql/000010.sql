-- reply windows by trust tier, loops known by their shape, held replies and their digests

-- What plan_reply weighs for each reply (letter/trust.ts, letter/loop.ts), and why one was not
-- sent when it was planned: 'held' (a window; it waits for the digest or an operator) or
-- 'suppressed' (a loop, or the sender asked for none). digest_id: the digest that listed a
-- held reply; released_at: when an operator let it go (`saraban replies release`).
ALTER TABLE reply
  ADD COLUMN tier text CHECK (tier IN ('trusted', 'authenticated', 'unverified')),
  ADD COLUMN subject_key text,
  ADD COLUMN body_hash text,
  ADD COLUMN letter_key text,
  ADD COLUMN withheld text,
  ADD COLUMN digest_id bigint REFERENCES reply (id),
  ADD COLUMN released_at timestamptz;
-- Why the caps of migration 5 suppressed a reply is in last_error; withheld says it too now.
UPDATE reply SET withheld = last_error WHERE status = 'suppressed';

ALTER TABLE reply DROP CONSTRAINT reply_status_check;
ALTER TABLE reply ADD CONSTRAINT reply_status_check CHECK (status IN ('pending', 'sent', 'failed', 'suppressed', 'held'));
-- A digest answers no one message: it stands for the held replies whose digest_id names it.
ALTER TABLE reply DROP CONSTRAINT reply_kind_check;
ALTER TABLE reply ADD CONSTRAINT reply_kind_check CHECK (kind IN ('acknowledgement', 'notice', 'digest'));
ALTER TABLE reply ALTER COLUMN inbound_id DROP NOT NULL;
ALTER TABLE reply ADD CONSTRAINT reply_digest_answers_no_message CHECK ((kind = 'digest') = (inbound_id IS NULL));

-- The windows count a sender's replies to be sent (a digest is not counted); the loop check
-- looks for the same subject or text from one sender; the digest for a sender's held replies.
CREATE INDEX reply_to_sender ON reply (lower(recipient), created_at) WHERE status IN ('pending', 'sent', 'failed') AND kind <> 'digest';
-- (The letter key is in them: a ministry's thousand letters of a day, with one covering text
-- and each its own reference, are a thousand shapes, not one to read through for every reply.)
CREATE INDEX reply_subject_from_sender ON reply (lower(recipient), subject_key, coalesce(letter_key, ''), created_at) WHERE subject_key IS NOT NULL;
CREATE INDEX reply_body_from_sender ON reply (lower(recipient), body_hash, coalesce(letter_key, ''), created_at) WHERE body_hash IS NOT NULL;
CREATE INDEX reply_held ON reply (lower(recipient), id) WHERE status = 'held' AND digest_id IS NULL;
CREATE INDEX reply_digest_to_sender ON reply (lower(recipient), created_at) WHERE kind = 'digest';
CREATE INDEX reply_in_digest ON reply (digest_id) WHERE digest_id IS NOT NULL;

-- From here a sender's tally row is per clock hour (UTC), like everyone's: the replies planned
-- to be sent to that sender in the hour, which is what its share of the hour's total is
-- measured by. Its lock orders the replies to one sender, as before; the windows count the
-- reply rows themselves. (A row of a Bangkok day left by migration 5 starts at 17:00 UTC:
-- for that one hour it can only make the sender count less towards everyone's total. The reconciler
-- drops it after two days.)

-- The reply a message calls for. Returns its id when it is to be sent now; otherwise it is
-- recorded held or suppressed, with why in withheld. p_plan: kind, reason, recipient,
-- messageId; for an automatic reply also tier, subjectKey, bodyHash, letterKey (each may be
-- null) and suppress (a reason to record instead of sending: the sender asked for none).
-- A plan without a tier is not automatic (a notice an officer sends from the desk): no
-- window or loop check holds it back. p_limits: the settings `replies` (config/schema.ts).
--
-- Rows are locked sender first, then 'all', in every caller, and held until COMMIT: callers
-- call this last, just before committing, because every reply of the office waits for the
-- 'all' row. (A reply held back or suppressed takes only the sender's row.)
CREATE OR REPLACE FUNCTION plan_reply(p_inbound uuid, p_letter bigint, p_plan jsonb, p_limits jsonb, p_at timestamptz)
RETURNS bigint LANGUAGE plpgsql AS $$
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

-- The digest receipt for one sender (worker/digests.ts, at the reconciler's tick): when the
-- sender has held replies that no digest listed yet, and no digest went to it within
-- p_every_minutes, one digest reply, pending, listing all of them (their digest_id). Returns
-- its id, or null when none is due. Takes the sender's tally row first, as plan_reply does,
-- so two workers' ticks cannot both make one; a held reply gets a digest_id once.
CREATE FUNCTION plan_digest(p_recipient text, p_at timestamptz, p_every_minutes integer, p_host text)
RETURNS bigint LANGUAGE plpgsql AS $$
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
