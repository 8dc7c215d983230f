-- the receipt stamp: a stamped copy of each registered letter's first PDF, or why there is none

-- One row per letter once its stamp job has run (worker/stamps.ts), written once and never
-- changed: 'stamped' with the copy, the letter's first PDF with the ตรารับหนังสือ drawn on page 1
-- (registry/receipt-stamp.ts); 'failed' with why (an encrypted or damaged PDF, a bound of time or
-- memory hit, the file not found in the message); 'skipped' when there is nothing to stamp (no
-- PDF). A letter without a row still has its job to come, and the reconciler queues it again.
-- The PDF as it came is not here: it stays in the kept message (inbound_chunk), unchanged.
CREATE TABLE letter_stamp (
  letter_id     bigint PRIMARY KEY REFERENCES letter (id),
  state         text NOT NULL CHECK (state IN ('stamped', 'failed', 'skipped')),
  -- Why it is not stamped, as a code (letter/stamp.ts words it in Thai for the desk).
  reason        text,
  -- What went wrong, in English, for the operator.
  detail        text,
  -- The file stamped (or that could not be): its place in letter.attachments, from 1, and its SHA-256.
  attachment    integer CHECK (attachment > 0),
  source_sha256 text,
  pdf           bytea,
  sha256        text,
  -- When the job recorded the row.
  stamped_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT letter_stamp_copy CHECK ((state = 'stamped') = (pdf IS NOT NULL AND sha256 IS NOT NULL AND attachment IS NOT NULL)),
  CONSTRAINT letter_stamp_reason CHECK ((state = 'stamped') = (reason IS NULL))
);
-- A PDF is compressed already, as the kept messages' pieces are (000004.sql): not again.
ALTER TABLE letter_stamp ALTER COLUMN pdf SET STORAGE EXTERNAL;

-- Letters registered before stamping existed are not stamped: without a row each, the first
-- reconciler after the upgrade would queue the whole register to be stamped at once.
INSERT INTO letter_stamp (letter_id, state, reason) SELECT id, 'skipped', 'registered-before-stamping' FROM letter;
