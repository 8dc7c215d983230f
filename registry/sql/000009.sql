-- the desk's work on letters: state, assignments, round robin, returned notices, search

-- Where each registered letter stands at the desk (letter/transitions.ts), beside the register
-- and not in it: the register says what the letter is, this what the office is doing with it.
-- urgency_rank and received_at are copies of the letter's own facts, which never change, so
-- that the queue's order is one index.
CREATE TABLE letter_work (
  letter_id    bigint PRIMARY KEY REFERENCES letter (id),
  state        text NOT NULL DEFAULT 'registered'
               CHECK (state IN ('registered', 'assigned', 'in_progress', 'waiting', 'done', 'returned', 'annulled')),
  wait_until   date,                       -- รอ: until this date (CE)
  deadline     timestamptz,                -- ด่วนภายใน: the date or time the letter must be dealt with by
  urgency_rank smallint NOT NULL,          -- ด่วนที่สุด 4, ด่วนมาก 3, ด่วนภายใน 2, ด่วน 1, none 0
  received_at  timestamptz NOT NULL,       -- the letter's registration time
  updated_at   timestamptz NOT NULL,
  CHECK ((state = 'waiting') = (wait_until IS NOT NULL))
);
-- The queue: open letters, most urgent first, then the nearest deadline, then the oldest.
CREATE INDEX letter_work_queue ON letter_work (urgency_rank DESC, deadline ASC NULLS LAST, received_at, letter_id)
  WHERE state IN ('registered', 'assigned', 'in_progress', 'waiting');
CREATE INDEX letter_work_state ON letter_work (state);

-- Every letter has its work row from the moment it is registered, in the registration's own
-- transaction, whatever registers it: a letter that routing has not reached yet is still on
-- record as registered (ลงรับแล้ว). Nothing here can fail on what a letter says.
CREATE FUNCTION letter_work_start() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO letter_work (letter_id, urgency_rank, received_at, updated_at)
  VALUES (NEW.id,
          CASE NEW.urgency WHEN 'ด่วนที่สุด' THEN 4 WHEN 'ด่วนมาก' THEN 3 WHEN 'ด่วนภายใน' THEN 2 WHEN 'ด่วน' THEN 1 ELSE 0 END,
          NEW.registered_at, NEW.registered_at)
  ON CONFLICT (letter_id) DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER letter_work_start AFTER INSERT ON letter FOR EACH ROW EXECUTE FUNCTION letter_work_start();

-- Letters registered before the desk existed: on record as registered, routed to nobody (an
-- admin sees them and can pass them on).
INSERT INTO letter_work (letter_id, urgency_rank, received_at, updated_at)
SELECT id, CASE urgency WHEN 'ด่วนที่สุด' THEN 4 WHEN 'ด่วนมาก' THEN 3 WHEN 'ด่วนภายใน' THEN 2 WHEN 'ด่วน' THEN 1 ELSE 0 END,
       registered_at, registered_at
  FROM letter;

-- A letter's assignments (การมอบหมาย), each to a unit or to one officer, to act (เพื่อดำเนินการ)
-- or to know (เพื่อทราบ). Rows are never deleted: an assignment that ends says how and when, so
-- the table is also who has had the letter. An assignment to an officer keeps the unit they
-- were in, which is what their supervisors see it by.
CREATE TABLE assignment (
  id          bigserial PRIMARY KEY,
  letter_id   bigint NOT NULL REFERENCES letter (id),
  unit_id     integer REFERENCES unit (id),
  officer_id  integer REFERENCES officer (id),         -- NULL: the unit as a whole
  purpose     text NOT NULL CHECK (purpose IN ('act', 'know')),
  -- Who made it: routing (rule: the routing rule that matched; NULL when none did and the
  -- central unit took it) or an officer (assigned_by).
  source      text NOT NULL CHECK (source IN ('routing', 'officer')),
  rule        text,
  assigned_by integer REFERENCES officer (id),
  note        text,
  created_at  timestamptz NOT NULL,
  ended_at    timestamptz,
  ended_how   text CHECK (ended_how IN ('taken', 'forwarded', 'done', 'returned', 'annulled', 'acknowledged')),
  ended_by    integer REFERENCES officer (id),
  CHECK (unit_id IS NOT NULL OR officer_id IS NOT NULL),
  CHECK ((ended_at IS NULL) = (ended_how IS NULL)),
  CHECK ((source = 'officer') = (assigned_by IS NOT NULL)),
  CHECK (source = 'routing' OR rule IS NULL)
);
-- One act assignment open at a time: the one that works the letter to done.
CREATE UNIQUE INDEX assignment_open_act ON assignment (letter_id) WHERE purpose = 'act' AND ended_at IS NULL;
CREATE INDEX assignment_letter ON assignment (letter_id, id);
-- Visibility: the letters of an officer, of a unit as a whole, of a supervisor's units.
CREATE INDEX assignment_officer ON assignment (officer_id, letter_id) WHERE officer_id IS NOT NULL;
CREATE INDEX assignment_unit ON assignment (unit_id, letter_id);

-- Round robin (เวียน) within a unit: the officer the unit's last letter went to. Its row is
-- locked while a letter is routed to the unit, so two letters routed at once take two turns.
CREATE TABLE unit_turn (
  unit_id         integer PRIMARY KEY REFERENCES unit (id),
  last_officer_id integer REFERENCES officer (id),
  updated_at      timestamptz NOT NULL
);

-- A returned letter (ส่งคืน) mails its sender a notice with the officer's reason, after the
-- acknowledgement the same message already had: automatic replies stay one per message, a
-- returned notice is one per return. detail: what the notice says beyond its reason code.
ALTER TABLE reply DROP CONSTRAINT reply_inbound_id_key;
CREATE UNIQUE INDEX reply_inbound_id_key ON reply (inbound_id) WHERE reason IS DISTINCT FROM 'returned';
CREATE INDEX reply_inbound ON reply (inbound_id);
ALTER TABLE reply ADD COLUMN detail jsonb;

-- A letter's history is its audit events.
CREATE INDEX audit_event_letter ON audit_event (letter_id, seq) WHERE letter_id IS NOT NULL;

-- Search (ค้นหา) over reference, title and agency. Thai is written without spaces between
-- words, so a word is found as a substring by trigrams (pg_trgm), and Thai digits are read as
-- Arabic ones so that ๐๒๐๑ finds 0201. Queries compare with this same function.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE FUNCTION letter_search_text(reference text, title text, subject text, agency text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT translate(lower(concat_ws(' ', reference, coalesce(title, subject), agency)), '๐๑๒๓๔๕๖๗๘๙', '0123456789') $$;
CREATE INDEX letter_search ON letter USING gin (letter_search_text(reference_normalised, title, subject, agency) gin_trgm_ops);
-- Filters of the queue.
CREATE INDEX letter_registered_at ON letter (registered_at);
CREATE INDEX inbound_held ON inbound (received_at) WHERE outcome = 'held';
CREATE INDEX letter_suspect ON letter (registered_at) WHERE suspect;
