-- 0002: two digests per mapping (64-bit FNV-1a), so a cycle can pass over
-- an item that nothing touched without decoding its shadow:
--   shadow_digest: of the shadow's fields (compared with what was read now);
--   synced: of the canonical value this copy was last confirmed to hold.
ALTER TABLE mappings ADD COLUMN shadow_digest INTEGER;
ALTER TABLE mappings ADD COLUMN synced INTEGER;
