-- 0002: digests (64-bit FNV-1a), so a cycle can pass over an item that
-- nothing touched without loading or decoding its texts:
--   entities.canonical_digest: of the canonical value;
--   mappings.shadow_digest: of the shadow's fields (compared with what was read now);
--   mappings.synced: canonical_digest of the value this copy was last confirmed to hold.
ALTER TABLE entities ADD COLUMN canonical_digest INTEGER;
ALTER TABLE mappings ADD COLUMN shadow_digest INTEGER;
ALTER TABLE mappings ADD COLUMN synced INTEGER;
