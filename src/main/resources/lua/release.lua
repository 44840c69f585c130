-- Back to the pool: after an unassign (ARGV[2] 'clear-pin': the next owner chooses a PIN; its replay position is
-- kept) or to undo a claim that could not be attached (ARGV[2] 'keep-pin': nothing else changes).
-- KEYS[1] token; ARGV: 1 username that held it, 2 'clear-pin' | 'keep-pin', then field/value pairs of its state
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end
redis.call('HDEL', KEYS[1], 'owner')
if ARGV[2] == 'clear-pin' then redis.call('HDEL', KEYS[1], 'pin') end
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1
