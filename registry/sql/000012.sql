-- placeholder for migration 12, given to another branch: drop this file when merging

SELECT 1;
