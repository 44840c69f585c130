-- One failed attempt of a username (known or not). Not counted while locked, nor when it repeats the last
-- wrong value. Past the threshold every counted failure re-arms the lock and ends the user's portal sessions (their
-- session count moves on), only when the user exists: an unknown username leaves no user hash behind.
-- KEYS[1] failures, KEYS[2] challenge answered wrongly (may not exist), KEYS[3] user (may not exist)
-- ARGV: 1 fingerprint, 2 now (ms), 3 lockout threshold, 4 locked-until if this locks (ms), 5 ttl (ms),
--       6 challenge? (1|0), 7 max tries of a challenge
local now = tonumber(ARGV[2])
local n = redis.call('HGET', KEYS[1], 'n') or '0'
local lockedUntil = redis.call('HGET', KEYS[1], 'until') or '0'
if tonumber(lockedUntil) > now then return {'LOCKED', n, lockedUntil} end
if ARGV[1] ~= '' and redis.call('HGET', KEYS[1], 'bad') == ARGV[1] then return {'REPEATED', n, lockedUntil} end
local count = redis.call('HINCRBY', KEYS[1], 'n', 1)
redis.call('HSET', KEYS[1], 'bad', ARGV[1])
if count >= tonumber(ARGV[3]) then
  lockedUntil = ARGV[4]
  redis.call('HSET', KEYS[1], 'until', lockedUntil)
  if redis.call('EXISTS', KEYS[3]) == 1 then redis.call('HINCRBY', KEYS[3], 'sg', 1) end
end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
if ARGV[6] == '1' and redis.call('EXISTS', KEYS[2]) == 1 then
  if redis.call('HINCRBY', KEYS[2], 'tries', 1) >= tonumber(ARGV[7]) then redis.call('DEL', KEYS[2]) end
end
return {'COUNTED', tostring(count), lockedUntil}
