-- One line of a bulk load, user side: create or update the user and attach the token created for it (if any).
-- Nothing is written when the user already holds the maximum of tokens.
-- KEYS[1] user; ARGV: 1 display name ('' = keep), 2 password hash ('' = keep), 3 now, 4 generation id,
--   5 max tokens, 6 serial ('' = no token), 7 token config, 8 on, 9 PIN hash ('' = none), 10 last step,
--   11 encrypted seed
-- Returns {'CREATED' | 'UPDATED' | 'TOO_MANY', the display name it had before ('' when none)}, for the search index.
local created = redis.call('EXISTS', KEYS[1]) == 0
local list = ''
local old = ''
if not created then
  local was = redis.call('HMGET', KEYS[1], 'tokens', 'dn')
  list = was[1] or ''
  old = was[2] or ''
end
if ARGV[6] ~= '' then
  local n = 0
  for _ in string.gmatch(list, '[^,]+') do n = n + 1 end
  if n >= tonumber(ARGV[5]) then return {'TOO_MANY', old} end
end
if created then redis.call('HSET', KEYS[1], 'at', ARGV[3], 'gen', ARGV[4]) end
if ARGV[1] ~= '' then redis.call('HSET', KEYS[1], 'dn', ARGV[1]) end
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'pw', ARGV[2]) end
if ARGV[6] ~= '' then
  local t = 't:' .. ARGV[6]
  redis.call('HSET', KEYS[1], t, ARGV[7], t .. ':k', ARGV[11], t .. ':on', ARGV[8], t .. ':last', ARGV[10])
  if ARGV[9] ~= '' then redis.call('HSET', KEYS[1], t .. ':pin', ARGV[9]) end
  if list == '' then list = ARGV[6] else list = list .. ',' .. ARGV[6] end
end
redis.call('HSET', KEYS[1], 'tokens', list)
if created then return {'CREATED', old} else return {'UPDATED', old} end
