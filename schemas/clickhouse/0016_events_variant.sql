-- The A/B arm (experiment.variants, sticky by session or user hash) of each event's shopper, so
-- attributed clicks and purchases carry the arm without a join; '' for events stored before this.
ALTER TABLE {{db}}.events ADD COLUMN variant String DEFAULT '' AFTER tenant
