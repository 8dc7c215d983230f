-- desk people and access: units, officers, sessions, API tokens

-- Units as the office is drawn: กอง > ฝ่าย > งาน. A unit's parent must exist first, so the
-- tree has no cycles.
CREATE TABLE unit (
  id         serial PRIMARY KEY,
  code       text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9_.-]{1,32}$'),
  name       text NOT NULL CHECK (name <> ''),
  parent_id  integer REFERENCES unit (id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX unit_parent ON unit (parent_id);

-- The people who work the desk (เจ้าหน้าที่สารบรรณ, หัวหน้า, ผู้ดูแลระบบ).
CREATE TABLE officer (
  id               serial PRIMARY KEY,
  username         text NOT NULL CHECK (username ~ '^[a-z0-9_.-]{1,64}$'),
  name             text NOT NULL CHECK (name <> ''),    -- ชื่อ สกุล
  position         text,                                -- ตำแหน่ง
  phone            text,
  role             text NOT NULL CHECK (role IN ('officer', 'supervisor', 'admin')),
  unit_id          integer REFERENCES unit (id),
  -- Named for secret mail: sees letters marked ลับ and ลับมาก.
  secret_clearance boolean NOT NULL DEFAULT false,
  -- Off while on leave: routing passes them by.
  on_duty          boolean NOT NULL DEFAULT true,
  disabled_at      timestamptz,
  -- scrypt, in the form $scrypt$ln=..,r=..,p=..$salt$hash; NULL: no password login (tokens only).
  password_hash    text,
  failed_logins    integer NOT NULL DEFAULT 0,
  locked_until     timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX officer_username ON officer (username);
CREATE INDEX officer_unit ON officer (unit_id) WHERE disabled_at IS NULL;

-- A signed-in browser. Only a hash of the session id is kept, so a copy of this table
-- signs no one in; the CSRF secret belongs to the session and dies with it.
CREATE TABLE desk_session (
  id_hash     bytea PRIMARY KEY,
  officer_id  integer NOT NULL REFERENCES officer (id) ON DELETE CASCADE,
  csrf_secret text NOT NULL,
  created_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL
);
CREATE INDEX desk_session_officer ON desk_session (officer_id);
CREATE INDEX desk_session_expiry ON desk_session (expires_at);

-- API tokens for scripts (Authorization: Bearer). Only a hash is kept; a revoked token
-- stays listed, so who had which token remains on record.
CREATE TABLE api_token (
  id           serial PRIMARY KEY,
  officer_id   integer NOT NULL REFERENCES officer (id) ON DELETE CASCADE,
  token_hash   bytea NOT NULL UNIQUE,
  label        text,
  created_at   timestamptz NOT NULL,
  last_used_at timestamptz,
  revoked_at   timestamptz
);
CREATE INDEX api_token_officer ON api_token (officer_id);
