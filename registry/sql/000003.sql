-- the letter as a clerk reads it; decisions; replies (acknowledgements and notices)

      -- Every decision the letters worker can take about a message.
      ALTER TABLE inbound DROP CONSTRAINT inbound_outcome_check;
      ALTER TABLE inbound ADD CONSTRAINT inbound_outcome_check
        CHECK (outcome IN ('registered', 'automatic', 'duplicate', 'held', 'refused'));
      -- Why, and what the message said, for the notice and for the supervisor.
      ALTER TABLE inbound ADD COLUMN decision jsonb;
      -- A duplicate points at the first registration of the same letter.
      ALTER TABLE inbound ADD COLUMN duplicate_of bigint REFERENCES letter (id);

      -- The register's columns as the clerk fills them from the letter itself.
      ALTER TABLE letter
        ADD COLUMN reference            text,     -- ที่, as written
        ADD COLUMN reference_normalised text,     -- Arabic digits: search and duplicates
        ADD COLUMN circular             boolean NOT NULL DEFAULT false,
        ADD COLUMN letter_date_written  text,     -- ลงวันที่, as written
        ADD COLUMN letter_date          date,
        ADD COLUMN title                text,     -- เรื่อง
        ADD COLUMN title_guessed        boolean NOT NULL DEFAULT false,
        ADD COLUMN addressee            text,     -- ถึง (เรียน)
        ADD COLUMN urgency              text,
        ADD COLUMN urgency_deadline     text,
        ADD COLUMN secrecy              text,
        ADD COLUMN agency               text,     -- จาก
        ADD COLUMN agency_source        text,
        ADD COLUMN authenticity         jsonb,
        ADD COLUMN suspect              boolean NOT NULL DEFAULT false,  -- registered, sender shown forged
        ADD COLUMN restricted           boolean NOT NULL DEFAULT false,  -- ลับมาก / ลับ: named officers only
        ADD COLUMN flags                jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN forwarded_by         jsonb;
      CREATE INDEX letter_reference ON letter (book, reference_normalised);
      CREATE INDEX letter_message_id ON letter (book, message_id);
      CREATE INDEX letter_attachments ON letter USING gin (attachments jsonb_path_ops);

      -- Acknowledgements and notices: at most one reply per message.
      ALTER TABLE acknowledgement RENAME TO reply;
      ALTER INDEX acknowledgement_pending RENAME TO reply_pending;
      ALTER TABLE reply ADD COLUMN inbound_id uuid REFERENCES inbound (id);
      UPDATE reply r SET inbound_id = l.inbound_id FROM letter l WHERE l.id = r.letter_id;
      ALTER TABLE reply ALTER COLUMN inbound_id SET NOT NULL;
      ALTER TABLE reply ADD CONSTRAINT reply_inbound_id_key UNIQUE (inbound_id);
      ALTER TABLE reply ALTER COLUMN letter_id DROP NOT NULL;
      -- Several notices may name one letter (each duplicate of it gets its own).
      ALTER TABLE reply DROP CONSTRAINT acknowledgement_letter_id_key;
      ALTER TABLE reply ADD COLUMN kind text NOT NULL DEFAULT 'acknowledgement' CHECK (kind IN ('acknowledgement', 'notice'));
      ALTER TABLE reply ADD COLUMN reason text;
      ALTER TABLE reply ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
      ALTER TABLE reply DROP CONSTRAINT acknowledgement_status_check;
      -- suppressed: over the per-sender or global cap; never sent.
      ALTER TABLE reply ADD CONSTRAINT reply_status_check CHECK (status IN ('pending', 'sent', 'failed', 'suppressed'));
      CREATE INDEX reply_recipient_recent ON reply (recipient, created_at);
      CREATE INDEX reply_message_id ON reply (message_id);
    