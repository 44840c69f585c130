-- Next login runs NEW_PIN on every token of the user, and the user's portal sessions end (their session count moves
-- on). KEYS[1] user. Returns 0 when no such user.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[1], 'sg', 1)
for s in string.gmatch(redis.call('HGET', KEYS[1], 'tokens') or '', '[^,]+') do
  redis.call('HDEL', KEYS[1], 't:' .. s .. ':pin')
end
return 1
