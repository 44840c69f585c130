-- Assign, first half: take the token in the pool for a user, unless someone else owns it. While assigned, the
-- token's state lives in the user's hash only: the pool keeps just the owner.
-- KEYS[1] token; ARGV[1] username. Returns {'OK', field, value, ...} | {'SAME'} | {'OWNED'} | {'NO_TOKEN'}
if redis.call('EXISTS', KEYS[1]) == 0 then return {'NO_TOKEN'} end
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner == ARGV[1] then return {'SAME'} end
if owner then return {'OWNED'} end
local r = {'OK'}
for _, f in ipairs({'cfg', 'k', 'on', 'pin', 'last', 'drift', 'used'}) do
  local v = redis.call('HGET', KEYS[1], f)
  if v then
    r[#r + 1] = f; r[#r + 1] = v
    redis.call('HDEL', KEYS[1], f)
  end
end
redis.call('HSET', KEYS[1], 'owner', ARGV[1])
return r
