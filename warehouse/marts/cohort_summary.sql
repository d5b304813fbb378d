-- cohort_summary: one row per cohort: what its current snapshot holds and what was held back.
CREATE OR REPLACE VIEW cohort_summary AS
SELECT
    c.cohort,
    c.institution,
    (SELECT count(*) FROM patients AS p WHERE p.cohort = c.cohort) AS n_patients,
    (SELECT count(*) FROM studies AS s WHERE s.cohort = c.cohort) AS n_studies,
    (SELECT count(*) FROM series AS s WHERE s.cohort = c.cohort AND s.status = 'ingested') AS n_series_ingested,
    (SELECT count(*) FROM series AS s WHERE s.cohort = c.cohort AND s.status = 'quarantined') AS n_series_quarantined,
    (SELECT count(*) FROM series AS s WHERE s.cohort = c.cohort AND s.status = 'skipped') AS n_series_skipped,
    (SELECT count(*) FROM reports AS r WHERE r.cohort = c.cohort) AS n_reports,
    (SELECT count(*) FROM reports AS r WHERE r.cohort = c.cohort AND r.match_status <> 'matched') AS n_reports_unmatched,
    (SELECT count(*) FROM files AS f WHERE f.cohort = c.cohort) AS n_files_discovered,
    (SELECT count(*) FROM files AS f WHERE f.cohort = c.cohort AND f.disposition = 'ingested') AS n_files_ingested,
    (SELECT count(*) FROM files AS f WHERE f.cohort = c.cohort AND f.disposition = 'quarantined') AS n_files_quarantined,
    (SELECT count(*) FROM files AS f WHERE f.cohort = c.cohort AND f.disposition = 'skipped') AS n_files_skipped
FROM cohorts AS c
ORDER BY c.cohort;
