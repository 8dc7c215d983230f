-- registration in one round trip; reply caps kept as running tallies

      -- The last registration time of each book and year: the time is read before the book's
      -- lock is taken, so a letter that waited for the lock takes the later of the two times,
      -- and a later number never carries an earlier time.
      ALTER TABLE book_counter ADD COLUMN last_registered_at timestamptz;
      UPDATE book_counter c SET last_registered_at = (SELECT max(registered_at) FROM letter l WHERE l.book = c.book AND l.year = c.year);

      -- Replies planned, per sender and Bangkok day and in all per hour: the caps read and
      -- bump one row each, where they used to count the day's replies at every registration
      -- (a cost that grew with the day's mail once an office raised the caps).
      CREATE TABLE reply_tally (
        scope        text NOT NULL,          -- 'sender:<address in lower case>', or 'all'
        window_start timestamptz NOT NULL,   -- the start of the Bangkok day, or of the hour (UTC)
        replies      integer NOT NULL,
        PRIMARY KEY (scope, window_start)
      );
      INSERT INTO reply_tally (scope, window_start, replies)
        SELECT 'sender:' || lower(recipient), date_trunc('day', created_at, 'Asia/Bangkok'), count(*) FROM reply
         WHERE status <> 'suppressed' AND created_at >= date_trunc('day', now(), 'Asia/Bangkok') GROUP BY 1, 2
        UNION ALL
        SELECT 'all', date_trunc('hour', created_at, 'UTC'), count(*) FROM reply
         WHERE status <> 'suppressed' AND created_at >= date_trunc('hour', now(), 'UTC') GROUP BY 2;
      -- The counts these served are gone.
      DROP INDEX reply_recipient_recent;
      DROP INDEX reply_created_at;

      -- The reply a message calls for; over a cap it is recorded as suppressed. Returns its id
      -- when it is to be sent. Rows are locked sender first, then 'all', in every caller, and
      -- held until COMMIT: callers call this last, just before committing, because every
      -- reply of the office waits for the 'all' row.
      CREATE FUNCTION plan_reply(p_inbound uuid, p_letter bigint, p_plan jsonb, p_limits jsonb, p_at timestamptz)
      RETURNS bigint LANGUAGE plpgsql AS $$
      DECLARE
        sender_scope constant text := 'sender:' || lower(p_plan->>'recipient');
        day_start constant timestamptz := date_trunc('day', p_at, 'Asia/Bangkok');
        -- In UTC: a session's TimeZone with a part-hour offset must not move the window.
        hour_start constant timestamptz := date_trunc('hour', p_at, 'UTC');
        to_sender integer;
        to_all integer;
        suppressed text;
        reply_id bigint;
      BEGIN
        -- Both counts, each row locked until COMMIT so that racing replies cannot both take the last place.
        WITH tally AS (
          INSERT INTO reply_tally AS t (scope, window_start, replies) VALUES (sender_scope, day_start, 0), ('all', hour_start, 0)
          ON CONFLICT (scope, window_start) DO UPDATE SET replies = t.replies
          RETURNING t.scope, t.replies)
        SELECT max(replies) FILTER (WHERE scope = sender_scope), max(replies) FILTER (WHERE scope = 'all')
          INTO to_sender, to_all FROM tally;
        IF to_sender >= (p_limits->>'perSenderPerDay')::integer THEN
          suppressed := 'per-sender cap';
        ELSIF to_all >= (p_limits->>'globalPerHour')::integer THEN
          suppressed := 'global cap';
        ELSE
          UPDATE reply_tally SET replies = replies + 1
           WHERE (scope = sender_scope AND window_start = day_start) OR (scope = 'all' AND window_start = hour_start);
        END IF;
        INSERT INTO reply (inbound_id, letter_id, kind, reason, recipient, message_id, status, last_error, created_at)
        VALUES (p_inbound, p_letter, p_plan->>'kind', p_plan->>'reason', p_plan->>'recipient', p_plan->>'messageId',
                CASE WHEN suppressed IS NULL THEN 'pending' ELSE 'suppressed' END, suppressed, p_at)
        RETURNING id INTO reply_id;
        RETURN CASE WHEN suppressed IS NULL THEN reply_id END;
      END $$;

      -- Registration (registry/letters.ts registerLetter), as one call so that the book's lock is
      -- held for server time only, not for round trips to a busy worker. Returns
      -- {outcome, created, letter, replyId}, or {decided} when another run held or refused it.
      CREATE FUNCTION register_letter(p_inbound uuid, p_book text, p_year integer, p_at timestamptz,
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
        -- with the same reference and one of the same files.
        IF p_duplicate IS NOT NULL THEN
          SELECT * INTO earlier FROM letter l
           WHERE l.book = p_book
             AND ((l.message_id = p_duplicate->>'messageId' AND l.from_address = p_duplicate->>'fromAddress')
               OR (l.reference_normalised = p_duplicate->>'referenceNormalised'
                   AND l.attachments @> ANY (ARRAY(SELECT jsonb_array_elements(p_duplicate->'sameFiles')))))
           ORDER BY coalesce(l.message_id = p_duplicate->>'messageId' AND l.from_address = p_duplicate->>'fromAddress', false) DESC, l.id
           LIMIT 1;
          IF earlier.id IS NOT NULL THEN
            UPDATE inbound SET processed_at = p_at, outcome = 'duplicate', duplicate_of = earlier.id, decision = p_duplicate->'decision'
             WHERE id = p_inbound;
            INSERT INTO audit_event (at, actor, action, inbound_id, letter_id, detail)
            VALUES (p_at, 'system', 'inbound.duplicate', p_inbound, earlier.id,
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
        INSERT INTO letter (inbound_id, book, year, number, registered_at, message_id, from_address, from_name, subject, attachments,
                            reference, reference_normalised, circular, letter_date_written, letter_date, title, title_guessed,
                            addressee, urgency, urgency_deadline, secrecy, agency, agency_source, authenticity, suspect, restricted,
                            flags, forwarded_by)
        SELECT p_inbound, p_book, p_year, next_number, v_at, d.message_id, d.from_address, d.from_name, d.subject, d.attachments,
               d.reference, d.reference_normalised, d.circular, d.letter_date_written, d.letter_date, d.title, d.title_guessed,
               d.addressee, d.urgency, d.urgency_deadline, d.secrecy, d.agency, d.agency_source, d.authenticity, d.suspect, d.restricted,
               d.flags, d.forwarded_by
          FROM jsonb_populate_record(NULL::letter, p_letter) AS d
        RETURNING * INTO registered;
        UPDATE inbound SET processed_at = v_at, outcome = 'registered' WHERE id = p_inbound;
        INSERT INTO audit_event (at, actor, action, inbound_id, letter_id, detail)
        VALUES (v_at, 'system', 'letter.registered', p_inbound, registered.id,
                jsonb_build_object('book', p_book, 'year', p_year, 'number', next_number, 'suspect', registered.suspect));
        IF p_reply IS NOT NULL THEN
          reply_id := plan_reply(p_inbound, registered.id, p_reply, p_limits, v_at);
        END IF;
        RETURN jsonb_build_object('outcome', 'registered', 'created', true, 'letter', to_jsonb(registered), 'replyId', reply_id);
      END $$;
    