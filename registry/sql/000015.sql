-- placeholder for migration 15, which another branch adds (replace this file with that one)

-- Nothing is made here. The runner refuses a gap in the numbers, and the stamp-job branch may
-- use only migration 16: this file keeps 15 taken until the branch that owns it is merged, and
-- is then replaced by that branch's 000015.sql. It is never to be released.
SELECT 1;
