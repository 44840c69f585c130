-- Unassign, second half (or undo of a claim): back in the pool without PIN, keeping its replay position.
-- KEYS[1] token; ARGV: 1 username that held it, then field/value pairs of its state
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end
redis.call('HDEL', KEYS[1], 'owner', 'pin')
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1
