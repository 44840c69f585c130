-- Create or replace a record found by its secret's hash (a client or an operator), in one step: the replaced secret's
-- index entry goes and the new one comes with the record, so racing replacements leave exactly one secret that finds
-- it (the last one written). With a channel, the record's name is published on it in the same step, so that every
-- node drops its cached copy (a channel is not a key: it names no slot, and PUBLISH reaches every node of a Cluster).
-- KEYS: 1 the record (a hash), 2 the index (a hash: secret hash -> name); both under one hash tag
-- ARGV: 1 name, 2 new secret hash, 3 the channel to publish the name on ('' for none), then field/value pairs of the
-- record besides 'hash'
local old = redis.call('HGET', KEYS[1], 'hash')
if old then redis.call('HDEL', KEYS[2], old) end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'hash', ARGV[2], unpack(ARGV, 4))
redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
if ARGV[3] ~= '' then redis.call('PUBLISH', ARGV[3], ARGV[1]) end
return 1
