-- correspondence about a letter: a message that answers a reply of ours and carries no document

-- A person who answers our acknowledgement or notice by hand ("ขอบคุณครับ ได้รับแล้ว", no
-- attachment, In-Reply-To naming our reply) has written about a letter, not sent one: the
-- message is kept with the outcome 'correspondence', never numbered, never answered, and
-- linked to the letter our reply was about (about_letter_id; null when our reply was a notice
-- about a message that was never registered) so the desk shows it to the letter's officers.
ALTER TABLE inbound DROP CONSTRAINT inbound_outcome_check;
ALTER TABLE inbound ADD CONSTRAINT inbound_outcome_check
  CHECK (outcome = ANY (ARRAY['registered', 'automatic', 'duplicate', 'held', 'refused', 'correspondence']));
ALTER TABLE inbound ADD COLUMN about_letter_id integer REFERENCES letter (id);
CREATE INDEX inbound_about_letter ON inbound (about_letter_id) WHERE about_letter_id IS NOT NULL;
COMMENT ON COLUMN inbound.about_letter_id IS 'For outcome correspondence: the letter our reply, which this message answers, was about.';
