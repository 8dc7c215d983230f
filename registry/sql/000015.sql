-- IMAP messages that fail to be taken in, counted per UID, and those passed over for a clerk

-- One message a server will not hand over (a FETCH answered NO every time, a message that
-- breaks the connection or cannot be kept) would otherwise stop its mailbox at its UID for
-- good. Its failures are counted here, so that a restart does not start the count again; at
-- imap[].maxAttemptsPerMessage it is given up: flagged $SarabanFailed in the mailbox for a clerk,
-- given_up_at set, and the mailbox goes on with the UIDs after it. The row stays: it is what
-- `saraban imap failed` lists. A message that succeeds on a later try loses its row.
CREATE TABLE imap_message_failure (
  mailbox         text NOT NULL,
  uidvalidity     bigint NOT NULL,
  uid             bigint NOT NULL,
  attempts        integer NOT NULL,
  last_error      text NOT NULL,
  first_failed_at timestamptz NOT NULL DEFAULT now(),
  last_failed_at  timestamptz NOT NULL DEFAULT now(),
  -- What the server told of the message before it failed, for the clerk to find it (may be null).
  message_id      text,
  from_address    text,
  subject         text,
  given_up_at     timestamptz,
  -- Whether the $SarabanFailed flag could be set when it was given up.
  flagged         boolean,
  PRIMARY KEY (mailbox, uidvalidity, uid)
);
CREATE INDEX imap_message_failure_given_up ON imap_message_failure (mailbox, given_up_at) WHERE given_up_at IS NOT NULL;
