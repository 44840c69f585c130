-- Assign, second half: add the claimed token to the user, at most ARGV[1] tokens.
-- KEYS[1] user; ARGV: 1 max tokens, 2 serial, then field/value pairs of the token's state
if redis.call('EXISTS', KEYS[1]) == 0 then return 'NO_USER' end
local list = redis.call('HGET', KEYS[1], 'tokens') or ''
local n = 0
for _ in string.gmatch(list, '[^,]+') do n = n + 1 end
if n >= tonumber(ARGV[1]) then return 'TOO_MANY' end
local t = 't:' .. ARGV[2]
for i = 3, #ARGV, 2 do
  if ARGV[i] == 'cfg' then redis.call('HSET', KEYS[1], t, ARGV[i + 1])
  else redis.call('HSET', KEYS[1], t .. ':' .. ARGV[i], ARGV[i + 1]) end
end
if list == '' then list = ARGV[2] else list = list .. ',' .. ARGV[2] end
redis.call('HSET', KEYS[1], 'tokens', list)
return 'OK'
