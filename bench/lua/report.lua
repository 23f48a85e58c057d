-- Shared by every benchmark script: numbers each wrk thread, counts response statuses per thread
-- and, when the run ends, prints one line "BENCH_RESULT {json}" for bench/wrk.py to parse.
-- (A response() hook makes wrk parse every response; acceptable at this server's rates.)

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("id", #threads)
end

statuses = {}

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
end

local function encode(value)
   if type(value) == "table" then
      local parts = {}
      for k, v in pairs(value) do
         table.insert(parts, string.format("%q:%s", tostring(k), encode(v)))
      end
      return "{" .. table.concat(parts, ",") .. "}"
   end
   return tostring(value)
end

function done(summary, latency, requests)
   local counts = {}
   for _, thread in ipairs(threads) do
      for status, n in pairs(thread:get("statuses")) do
         counts[tostring(status)] = (counts[tostring(status)] or 0) + n
      end
   end
   local result = {
      requests = summary.requests,
      duration_us = summary.duration,
      bytes = summary.bytes,
      errors = summary.errors,
      statuses = counts,
      latency_us = {
         mean = latency.mean,
         max = latency.max,
         p50 = latency:percentile(50),
         p90 = latency:percentile(90),
         p99 = latency:percentile(99),
      },
   }
   io.write("BENCH_RESULT ", encode(result), "\n")
end
