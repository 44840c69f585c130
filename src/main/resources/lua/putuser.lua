-- Create or update a user. KEYS[1] user; ARGV: 1 display name ('' = keep), 2 password hash ('' = keep), 3 now,
-- 4 a fresh generation id (challenges carry it, so a deleted then recreated user cannot answer the old ones).
-- Returns {1 when created else 0, the display name it had before ('' when none)}, for the search index.
local created = redis.call('EXISTS', KEYS[1]) == 0
local old = ''
if created then
  redis.call('HSET', KEYS[1], 'at', ARGV[3], 'tokens', '', 'gen', ARGV[4])
else
  old = redis.call('HGET', KEYS[1], 'dn') or ''
end
if ARGV[1] ~= '' then redis.call('HSET', KEYS[1], 'dn', ARGV[1]) end
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'pw', ARGV[2]) end
if created then return {1, old} else return {0, old} end
