-- officers who check the central mailbox (the Ministry's circular มท ๐๒๐๑.๒/ว ๕๙๕๑)

-- Named to check what arrives at the central address (ที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลาง): the
-- agency publishes their name, position and telephone (GET /contact) and reports them to DGA
-- and the Ministry (saraban report central-address). A standing nomination: leave (on_duty)
-- does not change it; disabling the officer ends it.
ALTER TABLE officer ADD COLUMN checks_mailbox boolean NOT NULL DEFAULT false;
