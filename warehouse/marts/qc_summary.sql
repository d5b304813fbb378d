-- qc_summary: what was held back, by cohort, disposition, stage and reason code: files from the files
-- table, with the stage of the quarantine item that holds them (read, group, geometry, pixels, qc, deid,
-- match); skipped files have stage 'discover'; a quarantined file without a quarantine item has stage
-- NULL. Quarantine items that hold no file (e.g. reports held back at match or deid) count as items.
CREATE OR REPLACE VIEW qc_summary AS
WITH quarantined_files AS (
    SELECT cohort, item_id, stage, reason_code, unnest(file_hashes) AS file_hash
    FROM quarantine
),
held_files AS (
    SELECT
        f.cohort,
        f.disposition,
        CASE WHEN f.disposition = 'skipped' THEN 'discover' ELSE q.stage END AS stage,
        coalesce(f.reason_code, q.reason_code) AS reason_code,
        f.file_hash,
        q.item_id
    FROM files AS f
    LEFT JOIN quarantined_files AS q ON q.cohort = f.cohort AND q.file_hash = f.file_hash
    WHERE f.disposition <> 'ingested'
),
fileless_items AS (
    SELECT cohort, 'quarantined' AS disposition, stage, reason_code, NULL AS file_hash, item_id
    FROM quarantine
    WHERE len(file_hashes) = 0
)
SELECT
    cohort,
    disposition,
    stage,
    reason_code,
    count(DISTINCT file_hash) AS n_files,
    count(DISTINCT item_id) AS n_items
FROM (SELECT * FROM held_files UNION ALL SELECT * FROM fileless_items)
GROUP BY cohort, disposition, stage, reason_code
ORDER BY cohort, disposition, n_files DESC, reason_code;
