-- the open letters' work rows by id, and the agency and book filters with the dates received

-- A search of the queue finds its letters by their words (letter_words_open, migration 20), then
-- reads each one's work row for its state, secrecy and place in the queue: 851 open letters hold
-- "0201" on the bench's register, and each was looked up in letter_work's primary key (four index
-- and table pages each, 3,400 in all). The open letters' rows alone, by id with those columns,
-- are 7,100 entries in 130 pages: read whole and joined to the matches, or looked up in two
-- pages each, from the index alone. (A search of the closed states still reads the primary key.)
CREATE INDEX letter_work_open ON letter_work (letter_id) INCLUDE (state, restricted, wait_until, urgency_rank, deadline, received_at)
  WHERE state = ANY (ARRAY['registered', 'assigned', 'in_progress', 'waiting']);

-- An agency's or a book's letters of some weeks (a supervisor's "from this ministry, this
-- quarter"): the agency or book and the state, then the dates received, in one range of the index,
-- with the letter's id to check it against the officer's keys without reading the table. They
-- were found by the dates alone and each row read for its agency (2,200 pages for 235 letters).
DROP INDEX letter_work_agency;
CREATE INDEX letter_work_agency ON letter_work (agency, state, received_at) INCLUDE (restricted, letter_id);
DROP INDEX letter_work_book;
CREATE INDEX letter_work_book ON letter_work (book, state, received_at) INCLUDE (restricted, letter_id);

ANALYZE letter_work;
