-- reports: One row per report in a cohort's reports file, de-identified, matched to its study or recorded as unmatched.
-- Current snapshot: rows of each cohort's latest completed run that wrote reports.
CREATE OR REPLACE VIEW reports AS
SELECT t.*
FROM raw.reports AS t
SEMI JOIN current_table_runs AS r
    ON r.table_name = 'reports' AND r.cohort = t.cohort AND r.run_id = t.run_id;
