-- Logout: ends every portal session of the user by moving its session count on (a session carries the mark
-- 'gen.count' it was issued under), but only while the session logging out is still current: a revoked session
-- cannot end the newer ones. KEYS[1] user; ARGV[1] the session's mark. Returns 1 when ended, 0 when the mark is
-- stale or the user gone (nothing is written then).
local u = redis.call('HMGET', KEYS[1], 'gen', 'sg')
if not u[1] or (u[1] .. '.' .. (u[2] or '0')) ~= ARGV[1] then return 0 end
redis.call('HINCRBY', KEYS[1], 'sg', 1)
return 1
