-- the desk's search on a narrow row of its own: the text it reads of each letter, kept by triggers

-- What a search (ค้นหา) reads of a letter: letter_search_text() of its reference, title and
-- agency (migration 9, still the one definition), computed once and kept beside the letter. The
-- trigram index only finds candidates, and each is read again and compared: a common Thai word
-- matches thousands of letters, and read from the register each was a row of 1.15 KB and the
-- function computed again. Not on letter_work: the work row is rewritten at every action and
-- read by the queue's counts, which the text would only widen.
CREATE TABLE letter_words (
  letter_id bigint PRIMARY KEY REFERENCES letter (id),
  text      text NOT NULL
);

-- Kept in step with the letter whatever writes it: its registration, and a clerk completing its
-- entry (ที่ and เรื่อง, registry/work.ts completeEntry). One upsert for both, so that a letter
-- without its row yet gets one rather than an error.
CREATE FUNCTION letter_words_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO letter_words (letter_id, text)
  VALUES (NEW.id, letter_search_text(NEW.reference_normalised, NEW.title, NEW.subject, NEW.agency))
  ON CONFLICT (letter_id) DO UPDATE SET text = EXCLUDED.text;
  RETURN NULL;
END $$;
CREATE TRIGGER letter_words_registered AFTER INSERT ON letter FOR EACH ROW EXECUTE FUNCTION letter_words_keep();
CREATE TRIGGER letter_words_changed AFTER UPDATE OF reference_normalised, title, subject, agency ON letter
  FOR EACH ROW
  WHEN ((OLD.reference_normalised, OLD.title, OLD.subject, OLD.agency) IS DISTINCT FROM (NEW.reference_normalised, NEW.title, NEW.subject, NEW.agency))
  EXECUTE FUNCTION letter_words_keep();

-- The letters already registered. After the triggers: making them locked out new letters until
-- this commits, so none is registered between this copy and the trigger that would have seen it.
INSERT INTO letter_words (letter_id, text)
SELECT id, letter_search_text(reference_normalised, title, subject, agency) FROM letter;
-- Built once over the copied rows rather than grown row by row.
CREATE INDEX letter_words_text ON letter_words USING gin (text gin_trgm_ops);

-- The search's index on the register's rows: no longer read, and every registration grew it.
DROP INDEX letter_search;
