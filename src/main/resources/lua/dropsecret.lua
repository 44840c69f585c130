-- Delete a record found by its secret's hash, with its index entry, in one step. Returns 0 when there is no record.
-- KEYS: 1 the record (a hash), 2 the index (a hash: secret hash -> name); both under one hash tag
local old = redis.call('HGET', KEYS[1], 'hash')
if not old then return 0 end
redis.call('HDEL', KEYS[2], old)
redis.call('DEL', KEYS[1])
return 1
