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
];
