-- wrk driver for bench/soak.sh: valid and hostile inference requests, mixed, at a paced rate.
-- SOAK_RATE (requests/s over all of wrk's SOAK_THREADS threads; 0: closed loop, as fast as answers
-- come) is kept by a schedule of send times per thread: each request takes the next slot and its
-- connection waits until then, so the rate holds whatever the latency, as long as enough connections
-- are open. Every status is counted; done() prints them as one JSON line prefixed "STATUSES ".

local ffi = require("ffi")
ffi.cdef[[
  typedef struct { long tv_sec; long tv_usec; } soak_timeval;
  int gettimeofday(soak_timeval *tv, void *tz);
]]
local tv = ffi.new("soak_timeval")
local function now_ms()
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) * 1000 + tonumber(tv.tv_usec) / 1000
end

local rate = tonumber(os.getenv("SOAK_RATE") or "0")
local threads_count = tonumber(os.getenv("SOAK_THREADS") or "2")
local interval_ms = rate > 0 and (1000 * threads_count / rate) or 0
local next_slot = nil
local hostile_percent = tonumber(os.getenv("SOAK_HOSTILE_PERCENT") or "20")
local model = os.getenv("SOAK_MODEL") or "iris"
local path = "/v2/models/" .. model .. "/infer"
local json = { ["Content-Type"] = "application/json" }

local valid = '{"inputs":[{"name":"features","shape":[1,4],"datatype":"FP32","data":[5.1,3.5,1.4,0.2]}]}'

local function huge_declared_shapes(n)
  local parts = {}
  for i = 0, n - 1 do
    parts[#parts + 1] = '{"name":"x' .. i .. '","datatype":"FP64","shape":[1048576],"data":[]}'
  end
  return '{"inputs":[' .. table.concat(parts, ",") .. ']}'
end

local function empty_bytes(n)
  local parts = {}
  for i = 1, n do parts[i] = '""' end
  return '{"inputs":[{"name":"features","shape":[' .. n .. '],"datatype":"BYTES","data":[' .. table.concat(parts, ",") .. ']}]}'
end

local hostile = {
  huge_declared_shapes(300),                                    -- the 20 KB request
  '{"inputs":[{"name":"features","shape":[262144,4],"datatype":"FP32","data":[1,2,3,4]}]}', -- huge shape, little data
  '{"inputs":[{"name":"features","shape":[1,4],"datatype":"FP32","data":' .. string.rep("[", 5000) .. '1' .. string.rep("]", 5000) .. '}]}', -- deep JSON
  empty_bytes(20000),                                           -- BYTES of empty elements (wrong datatype for iris)
  '{"inputs":[{"name":"features","shape":[1,4],"datatype":"FP32","data":[1,2,',  -- truncated
  '{"inputs":[{"name":"nope","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}', -- unknown input
  '{"inputs":[{"name":"features","shape":[1,4],"datatype":"INT8","data":[1,2,3,999]}]}', -- wrong type, out of range
  '{"inputs":[{"name":"features","shape":[1,4],"datatype":"FP32","data":["NaN","Infinity",3,4]}]}', -- non-finite (valid)
}

local requests = {}
local counter = 0

function init(args)
  requests.valid = wrk.format("POST", path, json, valid)
  requests.hostile = {}
  for i, body in ipairs(hostile) do
    requests.hostile[i] = wrk.format("POST", path, json, body)
  end
  statuses = {}
end

function delay()
  if interval_ms == 0 then
    return 0
  end
  local now = now_ms()
  if next_slot == nil or next_slot < now - 1000 then
    -- first request, or more than a second behind: start the schedule again from now
    next_slot = now
  end
  next_slot = next_slot + interval_ms
  local wait = next_slot - now
  return wait > 0 and math.floor(wait) or 0
end

function request()
  counter = counter + 1
  if (counter % 100) < hostile_percent then
    return requests.hostile[(counter % #requests.hostile) + 1]
  end
  return requests.valid
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
end

function done(summary, latency, requests_done)
  local total = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for status, n in pairs(s) do
      total[status] = (total[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(total) do
    parts[#parts + 1] = '"' .. status .. '":' .. n
  end
  io.write(string.format('STATUSES {%s}\n', table.concat(parts, ",")))
  io.write(string.format('SUMMARY {"requests":%d,"duration_us":%d,"connect_errors":%d,"read_errors":%d,'
    .. '"write_errors":%d,"status_errors":%d,"timeouts":%d,"p50_ms":%.3f,"p99_ms":%.3f}\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
