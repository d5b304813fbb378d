-- files: One row per file discovered in a cohort folder and what became of it: discovered = ingested + quarantined + skipped.
-- Current snapshot: rows of each cohort's latest completed run that wrote files.
CREATE OR REPLACE VIEW files AS
SELECT t.*
FROM raw.files AS t
SEMI JOIN current_table_runs AS r
    ON r.table_name = 'files' AND r.cohort = t.cohort AND r.run_id = t.run_id;
