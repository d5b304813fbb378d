-- release_members: the studies, volumes and splits frozen in each release.
CREATE OR REPLACE VIEW release_members AS
SELECT t.*
FROM raw.release_members AS t
SEMI JOIN raw.runs AS r ON r.run_id = t.run_id AND r.status = 'completed';
