-- 1 for events of sessions the engine took for bots (sessions.botMax*): stored, never learned from;
-- 0 for events stored before this.
ALTER TABLE {{db}}.events ADD COLUMN bot UInt8 DEFAULT 0 AFTER late
