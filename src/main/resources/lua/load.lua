-- Everything one login reads, in one round trip.
-- KEYS[1] user hash, KEYS[2] failure hash, KEYS[3] challenge hash (may not exist)
return {redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2]), redis.call('HGETALL', KEYS[3])}
