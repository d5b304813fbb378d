-- studies: One row per imaging study (a visit), identified by pseudonyms only.
-- Current snapshot: rows of each cohort's latest completed run that wrote studies.
CREATE OR REPLACE VIEW studies AS
SELECT t.*
FROM raw.studies AS t
SEMI JOIN current_table_runs AS r
    ON r.table_name = 'studies' AND r.cohort = t.cohort AND r.run_id = t.run_id;
