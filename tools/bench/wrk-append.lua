-- wrk: POST one info-changed event per request, each with its own event id, round-robin over $STREAMS.
local streams, counter, prefix = {}, 0, ""
for stream in string.gmatch(os.getenv("STREAMS"), "[^,]+") do streams[#streams + 1] = stream end
local token, day, run = os.getenv("TOKEN"), os.getenv("DAY"), os.getenv("RUN")
setup = function(thread) thread:set("tag", tostring(math.random(1, 1000000000))) end
init = function() prefix = run .. "-" .. tag end
request = function()
  counter = counter + 1
  local stream = streams[counter % #streams + 1]
  local body = string.format('{"type":"info-changed","effectiveOn":"%s","eventId":"bench-%s-%d","payload":{"changes":{"address":"沈阳市和平区创新路%d号"}}}',
    day, prefix, counter, counter)
  return wrk.format("POST", "/api/v1/streams/" .. stream .. "/events",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end
