-- the duplicate look-up by its own indexes

      -- Each index as its look-up reads it: the value, the book, then the earliest letter. While the
      -- register is young and unanalysed every index looks as cheap as any other, and the plan a
      -- connection keeps from then on could read the whole book through an index led by the book
      -- alone, at a cost that grows with every letter. An index that also gives the order needs
      -- no sort, so the planner takes it.
      DROP INDEX letter_message_id;
      DROP INDEX letter_reference;
      CREATE INDEX letter_message_id ON letter (message_id, book, id);
      CREATE INDEX letter_reference ON letter (reference_normalised, book, id);

      -- Registration as migration 5 made it, but for the duplicate look-up.
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
    