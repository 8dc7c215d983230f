// The register's schema, in order. A migration, once released, is never edited: add one.
export const migrations: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'inbound messages, letters, acknowledgements, audit',
    sql: `
      -- Every message as it arrived: the evidence, kept unchanged (การเก็บรักษา).
      CREATE TABLE inbound (
        id           uuid PRIMARY KEY,
        received_at  timestamptz NOT NULL,
        edge         text NOT NULL CHECK (edge IN ('smtp', 'imap')),
        client_ip    text,
        helo         text,
        mail_from    text,                -- NULL: the null reverse-path <>
        rcpt_to      text[] NOT NULL,
        book         text NOT NULL,
        size         bigint NOT NULL,
        sha256       text NOT NULL,
        processed_at timestamptz,         -- NULL until the letters worker has decided
        outcome      text CHECK (outcome IN ('registered', 'automatic'))
      );
      CREATE INDEX inbound_unprocessed ON inbound (received_at) WHERE processed_at IS NULL;

      -- The raw message in pieces, so intake streams it without holding it whole.
      CREATE TABLE inbound_chunk (
        inbound_id uuid NOT NULL REFERENCES inbound (id) DEFERRABLE INITIALLY DEFERRED,
        seq        integer NOT NULL,
        data       bytea NOT NULL,
        PRIMARY KEY (inbound_id, seq)
      );

      -- Last number given per book and Buddhist-era year; its row lock makes numbers gapless.
      CREATE TABLE book_counter (
        book        text NOT NULL,
        year        integer NOT NULL,
        last_number integer NOT NULL,
        PRIMARY KEY (book, year)
      );

      -- The incoming register (ทะเบียนหนังสือรับ).
      CREATE TABLE letter (
        id            bigserial PRIMARY KEY,
        inbound_id    uuid NOT NULL UNIQUE REFERENCES inbound (id),
        book          text NOT NULL,
        year          integer NOT NULL,
        number        integer NOT NULL CHECK (number > 0),
        registered_at timestamptz NOT NULL,
        message_id    text,
        from_address  text,
        from_name     text,
        subject       text NOT NULL,
        attachments   jsonb NOT NULL DEFAULT '[]',
        UNIQUE (book, year, number)
      );

      CREATE TABLE acknowledgement (
        id          bigserial PRIMARY KEY,
        letter_id   bigint NOT NULL UNIQUE REFERENCES letter (id),
        recipient   text NOT NULL,
        message_id  text NOT NULL,
        status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
        attempts    integer NOT NULL DEFAULT 0,
        last_error  text,
        sent_at     timestamptz
      );
      CREATE INDEX acknowledgement_pending ON acknowledgement (id) WHERE status = 'pending';

      CREATE TABLE audit_event (
        id         bigserial PRIMARY KEY,
        at         timestamptz NOT NULL,
        actor      text NOT NULL,
        action     text NOT NULL,
        inbound_id uuid,
        letter_id  bigint REFERENCES letter (id),
        detail     jsonb NOT NULL DEFAULT '{}'
      );
    `,
  },
  {
    version: 2,
    name: 'IMAP intake: message identity per source, watermarks, mailbox status',
    sql: `
      -- Where the message came from and its content hash ("imap:<mailbox>:<sha256>"):
      -- fetching the same message again (a crash, a UIDVALIDITY reset) finds it kept.
      ALTER TABLE inbound ADD COLUMN source_key text UNIQUE;

      -- Progress per mailbox and UIDVALIDITY: every UID up to last_uid is kept and handled.
      CREATE TABLE imap_watermark (
        mailbox     text NOT NULL,
        uidvalidity bigint NOT NULL,
        last_uid    bigint NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (mailbox, uidvalidity)
      );

      -- What the operator sees on /healthz and /metrics, whichever process fetches.
      CREATE TABLE imap_status (
        mailbox      text PRIMARY KEY,
        connected    boolean NOT NULL,
        last_sync_at timestamptz,
        uidvalidity  bigint,
        last_uid     bigint,
        backlog      integer NOT NULL DEFAULT 0,
        last_error   text,
        updated_at   timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    version: 3,
    name: 'the letter as a clerk reads it; decisions; replies (acknowledgements and notices)',
    sql: `
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
    `,
  },
  {
    version: 4,
    name: 'cheaper storage of raw messages; index for the reply caps',
    sql: `
      -- Attachments (PDF, images, ZIP) are compressed already: do not spend CPU compressing
      -- the raw message again (measured: about 3.4 ms of server time per 140 KB letter).
      ALTER TABLE inbound_chunk ALTER COLUMN data SET STORAGE EXTERNAL;
      -- The caps count the last day's replies at every registration.
      CREATE INDEX reply_created_at ON reply (created_at);
    `,
  },
];
