-- placeholder for migration 11, given to another branch: drop this file when merging

SELECT 1;
