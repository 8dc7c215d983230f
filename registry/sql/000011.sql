-- reminders: officers' e-mail addresses, and each reminder planned for a slot of the working day

-- Where an officer's reminders go; none: they get none.
ALTER TABLE officer ADD COLUMN email text;

-- One reminder e-mail to one officer for one slot (a check time, or a step of the ด่วนที่สุด
-- reminders): the letters it lists and why (letter/reminders.ts). Planned with INSERT ... ON
-- CONFLICT DO NOTHING before it is sent, so however many workers plan a slot, an officer gets
-- one e-mail for it; sent by the mail queue like a reply, and retried the same way.
CREATE TABLE reminder (
  id          bigserial PRIMARY KEY,
  slot        text NOT NULL,                 -- Bangkok local date and time, YYYY-MM-DDTHH:MM
  slot_at     timestamptz NOT NULL,
  officer_id  integer NOT NULL REFERENCES officer (id),
  recipient   text NOT NULL,                 -- the officer's address when it was planned
  letters     jsonb NOT NULL,                -- [{letterId, reasons: [...]}]
  message_id  text NOT NULL UNIQUE,
  status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts    integer NOT NULL DEFAULT 0,
  last_error  text,
  created_at  timestamptz NOT NULL,
  sent_at     timestamptz,
  UNIQUE (slot, officer_id),
  CHECK (slot ~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$'),
  CHECK (jsonb_typeof(letters) = 'array' AND jsonb_array_length(letters) > 0)
);
-- The reconciler queues again the reminders not yet sent whose job was lost.
CREATE INDEX reminder_pending ON reminder (id) WHERE status = 'pending';
