-- quarantine: One row per item held back from the dataset, with a reason code. Files are named by content hash; their paths stay in secrets/.
-- Current snapshot: rows of each cohort's latest completed run that wrote quarantine.
CREATE OR REPLACE VIEW quarantine AS
SELECT t.*
FROM raw.quarantine AS t
SEMI JOIN current_table_runs AS r
    ON r.table_name = 'quarantine' AND r.cohort = t.cohort AND r.run_id = t.run_id;
