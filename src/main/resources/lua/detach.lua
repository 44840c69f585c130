-- Unassign, first half: take the token's state out of the user. KEYS[1] user; ARGV[1] serial.
-- Returns {} when the user does not hold it, else field/value pairs to put back in the pool (PIN excepted).
local t = 't:' .. ARGV[1]
local cfg = redis.call('HGET', KEYS[1], t)
if not cfg then return {} end
local r = {'cfg', cfg}
for _, f in ipairs({'k', 'on', 'last', 'drift', 'used'}) do
  local v = redis.call('HGET', KEYS[1], t .. ':' .. f)
  if v then r[#r + 1] = f; r[#r + 1] = v end
  redis.call('HDEL', KEYS[1], t .. ':' .. f)
end
redis.call('HDEL', KEYS[1], t, t .. ':pin')
local kept = {}
for s in string.gmatch(redis.call('HGET', KEYS[1], 'tokens') or '', '[^,]+') do
  if s ~= ARGV[1] then kept[#kept + 1] = s end
end
redis.call('HSET', KEYS[1], 'tokens', table.concat(kept, ','))
return r
