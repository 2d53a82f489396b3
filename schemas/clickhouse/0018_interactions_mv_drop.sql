-- A materialized view's SELECT cannot be altered on 18.16: drop it here and recreate it with the
-- variant column in 0019 (migrations run before the engine consumes, so no insert falls in between).
DROP TABLE IF EXISTS {{db}}.interactions_mv
