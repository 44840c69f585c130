-- Create or update a user. KEYS[1] user; ARGV: 1 display name ('' = keep), 2 password hash ('' = keep), 3 now,
-- 4 a fresh generation id (challenges carry it, so a deleted then recreated user cannot answer the old ones).
-- Returns 1 when created.
local created = redis.call('EXISTS', KEYS[1]) == 0
if created then redis.call('HSET', KEYS[1], 'at', ARGV[3], 'tokens', '', 'gen', ARGV[4]) end
if ARGV[1] ~= '' then redis.call('HSET', KEYS[1], 'dn', ARGV[1]) end
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'pw', ARGV[2]) end
if created then return 1 else return 0 end
