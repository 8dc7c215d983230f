-- IMAP intake: message identity per source, watermarks, mailbox status

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
    