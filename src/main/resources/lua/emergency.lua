-- Replace the user's emergency codes. KEYS[1] user; ARGV: 1 expiry (ms), then the codes' hashes.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local fields = redis.call('HKEYS', KEYS[1])
for _, f in ipairs(fields) do
  if string.sub(f, 1, 2) == 'e:' then redis.call('HDEL', KEYS[1], f) end
end
for i = 2, #ARGV do redis.call('HSET', KEYS[1], 'e:' .. ARGV[i], ARGV[1]) end
return 1
