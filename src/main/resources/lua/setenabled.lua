-- Enable or disable a token in the pool and, when assigned, in its owner's hash.
-- KEYS[1] token; ARGV[1] '1' or '0'. Returns the owner or ''.
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
redis.call('HSET', KEYS[1], 'on', ARGV[1])
return redis.call('HGET', KEYS[1], 'owner') or ''
