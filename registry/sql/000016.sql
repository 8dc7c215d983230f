-- placeholder for another branch's migration 16 (imap-holes branch only: the lead removes it)
SELECT 1;
