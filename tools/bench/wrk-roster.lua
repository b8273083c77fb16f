-- wrk: GET the roster at (as-of, known-at) pairs read from $PATHS, one per line, in turn. Each of wrk's
-- threads starts at its own share of the list, so that two threads do not ask for the same pairs.
local threads = 0
function setup(thread)
  thread:set("share", threads)
  threads = threads + 1
end

local paths = {}
for line in io.lines(os.getenv("PATHS")) do paths[#paths + 1] = line end
local next_path = 0
function init(args)
  -- `share` is set by setup in this thread's own Lua state; at most two threads (serve_bench.py's -t).
  next_path = (share or 0) * math.floor(#paths / 2)
end
request = function()
  next_path = next_path % #paths + 1
  return wrk.format("GET", paths[next_path])
end
