-- Add a token to the pool, never overwriting one. KEYS[1] token; ARGV: field/value pairs. Returns 1 when created.
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
for i = 1, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1
