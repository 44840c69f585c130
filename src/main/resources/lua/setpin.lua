-- Answer to NEW_PIN: close it, set the PIN, open NEXT_PASSCODE; nothing if the challenge is gone. A PIN already set
-- (through another NEW_PIN state of the same token) is never replaced: the state is closed and nothing else done.
-- KEYS[1] user, KEYS[2] NEW_PIN challenge, KEYS[3] NEXT_PASSCODE challenge
-- ARGV: 1 serial, 2 PIN hash, 3 now (ms), 4 open kind, 5 open step, 6 open expiry (ms), 7 open ttl (ms)
local exp = redis.call('HGET', KEYS[2], 'exp')
local gen = redis.call('HGET', KEYS[1], 'gen') or ''
if not exp or tonumber(exp) <= tonumber(ARGV[3]) or redis.call('HGET', KEYS[2], 'gen') ~= gen then return 0 end
if redis.call('HEXISTS', KEYS[1], 't:' .. ARGV[1]) == 0 then return 0 end
redis.call('DEL', KEYS[2])
if redis.call('HEXISTS', KEYS[1], 't:' .. ARGV[1] .. ':pin') == 1 then return 0 end
redis.call('HSET', KEYS[1], 't:' .. ARGV[1] .. ':pin', ARGV[2])
redis.call('HSET', KEYS[3], 'kind', ARGV[4], 'serial', ARGV[1], 'step', ARGV[5], 'tries', '0', 'exp', ARGV[6], 'gen', gen)
redis.call('PEXPIRE', KEYS[3], ARGV[7])
return 1
