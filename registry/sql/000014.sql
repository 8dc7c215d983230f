-- a large message's pieces kept as they arrive, each by its own statement

-- A message over 512 KiB is kept piece by piece, each piece committed on its own, and its
-- inbound row is written with its last piece: no transaction, and so no pool connection, waits
-- for a sender to send more. Until then its pieces have no inbound row: the key cannot be
-- checked (nor deferred: there is no transaction to defer it to).
ALTER TABLE inbound_chunk DROP CONSTRAINT inbound_chunk_inbound_id_fkey;

-- The messages whose pieces are being written: made with the first piece, touched by each
-- piece after it, deleted by the statement that writes the inbound row. A message whose sender
-- has sent no piece for reconciler.unfinishedMessageMinutes is given up: the reconciler
-- deletes this row and the pieces together. A piece is written, and the inbound row made, only
-- while this row is there (locked by that statement), so no message is ever kept with a piece
-- missing: one whose sender comes back after the sweep is refused (451) and sent again.
CREATE TABLE inbound_arriving (
  inbound_id    uuid PRIMARY KEY,
  last_piece_at timestamptz NOT NULL DEFAULT now()
);
