-- Set a token field in a user hash only while the user holds the token. KEYS[1] user; ARGV: serial, field, value
if redis.call('HEXISTS', KEYS[1], 't:' .. ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 't:' .. ARGV[1] .. ':' .. ARGV[2], ARGV[3])
return 1
