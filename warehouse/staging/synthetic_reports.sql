-- synthetic_reports: One row per generated report text (harmonized house style or an institution's style), with how it was made and verified.
-- Current snapshot: rows of each cohort's latest completed run that wrote synthetic_reports.
CREATE OR REPLACE VIEW synthetic_reports AS
SELECT t.*
FROM raw.synthetic_reports AS t
SEMI JOIN current_table_runs AS r
    ON r.table_name = 'synthetic_reports' AND r.cohort = t.cohort AND r.run_id = t.run_id;
