-- GET (or BENCH_METHOD) round-robin over the paths in the file BENCH_PATHS, one per line:
-- "path" or "path<TAB>etag" (then sent as If-None-Match). Authorization: Bearer BENCH_KEY when set.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local method = os.getenv("BENCH_METHOD") or "GET"
local key = os.getenv("BENCH_KEY") or ""
local paths, etags = {}, {}
local index = 0

function init(args)
   for line in io.lines(os.getenv("BENCH_PATHS")) do
      local path, etag = line:match("^([^\t]+)\t?(.*)$")
      if path then
         table.insert(paths, path)
         table.insert(etags, etag)
      end
   end
   -- Threads start at different points of the list.
   index = ((id or 1) - 1) * math.floor(#paths / 2)
end

function request()
   index = index % #paths + 1
   local headers = {}
   if key ~= "" then
      headers["Authorization"] = "Bearer " .. key
   end
   if etags[index] ~= "" then
      headers["If-None-Match"] = etags[index]
   end
   return wrk.format(method, paths[index], headers, nil)
end
