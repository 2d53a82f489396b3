-- The reason type of each item (parallel to items/sources; '' where the engine gave none), so analysts
-- can compare click-through by reason: "because you viewed", "bought together", "trending in category".
ALTER TABLE {{db}}.recommendations ADD COLUMN reasons Array(String) DEFAULT emptyArrayString() AFTER sources
