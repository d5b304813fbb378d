-- volumes: One row per stored array (image or label mask) in a Zarr group under volumes/.
-- Current snapshot: rows of each cohort's latest completed run that wrote volumes.
CREATE OR REPLACE VIEW volumes AS
SELECT t.*
FROM raw.volumes AS t
SEMI JOIN current_table_runs AS r
    ON r.table_name = 'volumes' AND r.cohort = t.cohort AND r.run_id = t.run_id;
