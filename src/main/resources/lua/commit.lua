-- The atomic step of a right answer: refuse when locked or when the answered challenge is gone, then
-- compare-and-set the token's step (or burn the emergency code), then apply.
-- KEYS[1] user, KEYS[2] failures, KEYS[3] challenge to close, KEYS[4] challenge to open
-- ARGV: 1 mode (ACCEPT|CONSUME), 2 serial ('' = password), 3 step, 4 drift ('' = keep), 5 emergency hash ('' = none),
--       6 now (ms), 7 close? (1|0), 8 open? (1|0), 9 open kind, 10 open serial, 11 open step, 12 open expiry (ms),
--       13 open ttl (ms, for Redis to drop it)
local now = tonumber(ARGV[6])
local lockedUntil = redis.call('HGET', KEYS[2], 'until')
if lockedUntil and tonumber(lockedUntil) > now then return {'LOCKED', lockedUntil} end
if redis.call('EXISTS', KEYS[1]) == 0 then return {'GONE', '0'} end
local gen = redis.call('HGET', KEYS[1], 'gen') or ''
if ARGV[7] == '1' then
  local exp = redis.call('HGET', KEYS[3], 'exp')
  if not exp or tonumber(exp) <= now or redis.call('HGET', KEYS[3], 'gen') ~= gen then return {'GONE', '0'} end
end
local serial = ARGV[2]
if serial ~= '' then
  local t = 't:' .. serial
  if redis.call('HGET', KEYS[1], t .. ':on') ~= '1' then return {'GONE', '0'} end
  if ARGV[5] ~= '' then
    local e = 'e:' .. ARGV[5]
    local exp = redis.call('HGET', KEYS[1], e)
    if not exp or tonumber(exp) <= now then return {'REPLAY', '0'} end
    redis.call('HDEL', KEYS[1], e)
  else
    local last = redis.call('HGET', KEYS[1], t .. ':last')
    if last and tonumber(ARGV[3]) <= tonumber(last) then return {'REPLAY', '0'} end
    redis.call('HSET', KEYS[1], t .. ':last', ARGV[3])
  end
  if ARGV[1] == 'ACCEPT' then
    redis.call('HSET', KEYS[1], t .. ':used', ARGV[6])
    if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], t .. ':drift', ARGV[4]) end
  end
end
if ARGV[7] == '1' then redis.call('DEL', KEYS[3]) end
if ARGV[1] == 'ACCEPT' then
  redis.call('DEL', KEYS[2])
elseif ARGV[8] == '1' then
  redis.call('HSET', KEYS[4], 'kind', ARGV[9], 'serial', ARGV[10], 'step', ARGV[11], 'tries', '0', 'exp', ARGV[12],
    'gen', gen)
  redis.call('PEXPIRE', KEYS[4], ARGV[13])
end
return {'OK', '0'}
