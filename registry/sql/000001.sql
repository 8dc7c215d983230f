-- inbound messages, letters, acknowledgements, audit

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
    