-- findings: One row per abnormality mention in a report sentence, with its assertion and attributes.
-- Current snapshot: rows of each cohort's latest completed run that wrote findings.
CREATE OR REPLACE VIEW findings AS
SELECT t.*
FROM raw.findings AS t
SEMI JOIN current_table_runs AS r
    ON r.table_name = 'findings' AND r.cohort = t.cohort AND r.run_id = t.run_id;
