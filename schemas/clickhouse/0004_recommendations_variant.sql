-- The experiment arm a list was served under (engine.variant), for A/B comparisons of CTR and conversion.
-- An ALTER runs once: the migration runner records applied files in schema_migrations.
ALTER TABLE {{db}}.recommendations ADD COLUMN variant String DEFAULT 'default' AFTER model_version
