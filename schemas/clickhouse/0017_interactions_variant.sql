-- Attributed interactions keep the arm of their event (filled by the view recreated in 0018/0019).
ALTER TABLE {{db}}.interactions ADD COLUMN variant String DEFAULT '' AFTER recommendation_id
