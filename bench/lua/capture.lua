-- POST batches of BENCH_BATCH events to BENCH_PATH, as the posthog SDKs send them. Each event is
-- the JSON template in the file BENCH_TEMPLATE with __UUID__ replaced by a random UUID (v4 form)
-- __N__ by a per-thread counter (trace ids vary) and __U__ by
-- counter % BENCH_USERS (the distinct id); the project token is in it.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local batch = tonumber(os.getenv("BENCH_BATCH") or "100")
local users = tonumber(os.getenv("BENCH_USERS") or "50")
local path = os.getenv("BENCH_PATH") or "/batch/"
local template, head
local counter = 0

function init(args)
   local file = assert(io.open(os.getenv("BENCH_TEMPLATE")))
   head, template = file:read("*l"), file:read("*a")
   file:close()
   math.randomseed(os.time() * 100 + (id or 1))
end

local function uuid4()
   local r = math.random
   return string.format("%04x%04x-%04x-4%03x-%04x-%04x%04x%04x",
      r(0, 0xffff), r(0, 0xffff), r(0, 0xffff), r(0, 0xfff),
      0x8000 + r(0, 0x3fff), r(0, 0xffff), r(0, 0xffff), r(0, 0xffff))
end

function request()
   local events = {}
   for i = 1, batch do
      counter = counter + 1
      local n = tostring((id or 1) * 100000000 + counter)
      events[i] = template:gsub("__UUID__", uuid4()):gsub("__N__", n):gsub("__U__", tostring(counter % users))
   end
   local body = head:gsub("__BATCH__", function() return table.concat(events, ",") end)
   return wrk.format("POST", path, {["Content-Type"] = "application/json"}, body)
end
