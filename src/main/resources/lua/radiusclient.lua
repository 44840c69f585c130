-- Write or delete one RADIUS client, and publish its name on the channel in the same step, so that every node's RADIUS
-- intake drops or reloads its copy at once (a channel is not a key: PUBLISH reaches every node of a Cluster). Refuses
-- nothing; a deletion of a client that is not there changes nothing, publishes nothing and returns 0.
-- KEYS: 1 the RADIUS clients (a hash: name -> encoded record)
-- ARGV: 1 name, 2 the channel, 3 the encoded record to write, or '' to delete
if ARGV[3] == '' then
  if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
else
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
end
redis.call('PUBLISH', ARGV[2], ARGV[1])
return 1
