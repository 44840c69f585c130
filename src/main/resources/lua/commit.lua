-- The atomic step of a right answer: refuse when locked or when the answered challenge is gone, then
-- compare-and-set the token's step (or burn the emergency code), then apply. Written for few calls: it runs on every
-- login.
-- KEYS[1] user, KEYS[2] failures, KEYS[3] challenge to close, KEYS[4] challenge to open
-- ARGV: 1 mode (ACCEPT|CONSUME), 2 serial ('' = password), 3 step, 4 drift ('' = keep), 5 emergency hash ('' = none),
--       6 now (ms), 7 close? (1|0), 8 open? (1|0), 9 open kind, 10 open serial, 11 open step, 12 open expiry (ms),
--       13 open ttl (ms, for Redis to drop it)
local now = tonumber(ARGV[6])
local lockedUntil = redis.call('HGET', KEYS[2], 'until')
if lockedUntil and tonumber(lockedUntil) > now then return {'LOCKED', lockedUntil} end
local serial = ARGV[2]
local t = 't:' .. serial
-- One read of the user: its generation, and the token's switch and last step (all nil when the user is gone).
local u = redis.call('HMGET', KEYS[1], 'gen', t .. ':on', t .. ':last')
local gen, on, last = u[1], u[2], u[3]
if not gen and redis.call('EXISTS', KEYS[1]) == 0 then return {'GONE', '0'} end
if ARGV[7] == '1' then
  local c = redis.call('HMGET', KEYS[3], 'exp', 'gen')
  if not c[1] or tonumber(c[1]) <= now or c[2] ~= (gen or '') then return {'GONE', '0'} end
end
if serial ~= '' then
  if on ~= '1' then return {'GONE', '0'} end
  if ARGV[5] ~= '' then
    local e = 'e:' .. ARGV[5]
    local exp = redis.call('HGET', KEYS[1], e)
    if not exp or tonumber(exp) <= now then return {'REPLAY', '0'} end
    redis.call('HDEL', KEYS[1], e)
    if ARGV[1] == 'ACCEPT' then redis.call('HSET', KEYS[1], t .. ':used', ARGV[6]) end
  else
    if last and tonumber(ARGV[3]) <= tonumber(last) then return {'REPLAY', '0'} end
    if ARGV[1] ~= 'ACCEPT' then
      redis.call('HSET', KEYS[1], t .. ':last', ARGV[3])
    elseif ARGV[4] ~= '' then
      redis.call('HSET', KEYS[1], t .. ':last', ARGV[3], t .. ':used', ARGV[6], t .. ':drift', ARGV[4])
    else
      redis.call('HSET', KEYS[1], t .. ':last', ARGV[3], t .. ':used', ARGV[6])
    end
  end
end
if ARGV[7] == '1' then redis.call('DEL', KEYS[3]) end
if ARGV[1] == 'ACCEPT' then
  redis.call('DEL', KEYS[2])
elseif ARGV[8] == '1' then
  redis.call('HSET', KEYS[4], 'kind', ARGV[9], 'serial', ARGV[10], 'step', ARGV[11], 'tries', '0', 'exp', ARGV[12],
    'gen', gen or '')
  redis.call('PEXPIRE', KEYS[4], ARGV[13])
end
return {'OK', '0'}
