-- The atomic step of a right answer: refuse when locked or when the answered challenge is gone, then
-- compare-and-set the token's step (or burn the emergency code), then apply. Written for few calls and few arguments:
-- it runs on every login, and Redis pays for each call and each argument.
-- An ACCEPT pushes its audit record onto the user's trail here, in the same step: an ACCEPT without it cannot exist.
-- KEYS: 1 user, 2 failures, then the challenge to close (if ARGV[7] is '1'), then the challenge to open (CONSUME) or
--       the user's audit trail (ACCEPT), if ARGV[8]
-- ARGV: 1 mode (ACCEPT|CONSUME), 2 serial ('' = password), 3 step, 4 now (ms), 5 drift ('' = keep),
--       6 emergency hash ('' = none), 7 close? (1|0); to open a challenge: 8 kind, 9 serial, 10 step, 11 expiry (ms),
--       12 ttl (ms, for Redis to drop it); to audit an ACCEPT: 8 record, 9 entries kept, 10 ttl (ms)
local now = tonumber(ARGV[4])
local f = redis.call('HMGET', KEYS[2], 'until', 'n')
if f[1] and tonumber(f[1]) > now then return {'LOCKED', f[1]} end
local serial = ARGV[2]
local t = 't:' .. serial
-- One read of the user: its generation, and the token's switch and last step (all nil when the user is gone).
local u = redis.call('HMGET', KEYS[1], 'gen', t .. ':on', t .. ':last')
local gen, on, last = u[1], u[2], u[3]
if not gen and redis.call('EXISTS', KEYS[1]) == 0 then return {'GONE', '0'} end
local close = ARGV[7] == '1'
if close then
  local c = redis.call('HMGET', KEYS[3], 'exp', 'gen')
  if not c[1] or tonumber(c[1]) <= now or c[2] ~= (gen or '') then return {'GONE', '0'} end
end
if serial ~= '' then
  if on ~= '1' then return {'GONE', '0'} end
  if ARGV[6] ~= '' then
    local e = 'e:' .. ARGV[6]
    local exp = redis.call('HGET', KEYS[1], e)
    if not exp or tonumber(exp) <= now then return {'REPLAY', '0'} end
    redis.call('HDEL', KEYS[1], e)
    if ARGV[1] == 'ACCEPT' then redis.call('HSET', KEYS[1], t .. ':used', ARGV[4]) end
  else
    if last and tonumber(ARGV[3]) <= tonumber(last) then return {'REPLAY', '0'} end
    if ARGV[1] ~= 'ACCEPT' then
      redis.call('HSET', KEYS[1], t .. ':last', ARGV[3])
    elseif ARGV[5] ~= '' then
      redis.call('HSET', KEYS[1], t .. ':last', ARGV[3], t .. ':used', ARGV[4], t .. ':drift', ARGV[5])
    else
      redis.call('HSET', KEYS[1], t .. ':last', ARGV[3], t .. ':used', ARGV[4])
    end
  end
end
if close then redis.call('DEL', KEYS[3]) end
if ARGV[1] == 'ACCEPT' then
  -- No failures to forget when there is no record of them (the record always counts them in 'n').
  if f[2] then redis.call('DEL', KEYS[2]) end
  if ARGV[8] then
    local trail = KEYS[#KEYS]
    redis.call('LPUSH', trail, ARGV[8])
    redis.call('LTRIM', trail, 0, tonumber(ARGV[9]) - 1)
    redis.call('PEXPIRE', trail, ARGV[10])
  end
elseif ARGV[8] then
  local open = KEYS[#KEYS]
  redis.call('HSET', open, 'kind', ARGV[8], 'serial', ARGV[9], 'step', ARGV[10], 'tries', '0', 'exp', ARGV[11],
    'gen', gen or '')
  redis.call('PEXPIRE', open, ARGV[12])
end
return {'OK', '0'}
