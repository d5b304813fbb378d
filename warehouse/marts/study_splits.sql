-- study_splits: one row per released study: its split and fold in the most recent release that holds it
-- (splits are patient-level and inherited within a release family, so one study has one split there).
CREATE OR REPLACE VIEW study_splits AS
SELECT
    m.study_id,
    arg_max(m.release_name, r.created_at) AS release_name,
    arg_max(m.split, r.created_at) AS split,
    arg_max(m.fold, r.created_at) AS fold
FROM release_members AS m
JOIN releases AS r USING (release_name)
GROUP BY m.study_id;
