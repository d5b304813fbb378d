-- qc_summary: what was held back, by cohort, stage and reason code.
CREATE OR REPLACE VIEW qc_summary AS
SELECT
    cohort,
    disposition,
    reason_code,
    count(*) AS n_files
FROM files
WHERE disposition <> 'ingested'
GROUP BY cohort, disposition, reason_code
ORDER BY cohort, disposition, n_files DESC;
