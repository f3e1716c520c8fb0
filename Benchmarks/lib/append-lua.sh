# Sourced by the benchmarks that append events (appends.sh through demo-gateway.sh,
# gateway-bench.sh): `write_append_lua FILE literals|variables` writes the wrk script.
write_append_lua() { # FILE literals|variables
  # Stream names unique to this run and thread (wrk's Lua is not seeded: a `math.random` prefix
  # is the same in every thread and every run, so appends met earlier streams and answered
  # CONFLICT). Every answer is checked: `done` reports answers that are not a new version.
  printf 'local form = "%s"\nlocal nonce = "%s"\n' "$2" "$(date +%s%N)-$$-$RANDOM" > "$1"
  cat >> "$1" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Tenant"] = "globex"
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
-- Globals, so that `done` can read them from each thread.
failed, sample = 0, nil
local counter, prefix = 0, nil
-- The file's nonce, the second the run started, wrk's first script argument (`-- NAME`) and
-- the thread: no two runs of one file meet on a stream either.
function init(args) prefix = "bench-" .. nonce .. "-" .. os.time() .. "-" .. (args[1] or "") .. "-" .. tostring(tid) end
local literal, json = {}, {}
for i = 1, 100 do
  literal[i] = '{type: \\"Bench\\", data: \\"{\\\\\\"i\\\\\\": ' .. i .. '}\\"}'
  json[i] = '{"type": "Bench", "data": "{\\"i\\": ' .. i .. '}"}'
end
local literals, variables = table.concat(literal, ", "), table.concat(json, ", ")
request = function()
  counter = counter + 1
  local stream = prefix .. "-" .. counter
  local body
  if form == "literals" then
    body = '{"query":"mutation { appendEvents(streamId: \\"' .. stream .. '\\", expectedVersion: 0, events: [' .. literals .. ']) { toVersion } }"}'
  else
    body = '{"query":"mutation Append($s: String!, $e: [NewEvent!]!) { appendEvents(streamId: $s, expectedVersion: 0, events: $e) { toVersion } }","variables":{"s":"' .. stream .. '","e":[' .. variables .. ']}}'
  end
  return wrk.format(nil, nil, nil, body)
end
response = function(status, headers, body)
  if not string.find(body, '"toVersion":100', 1, true) then
    failed = failed + 1
    sample = sample or body
  end
end
done = function(summary, latency, requests)
  local n, first = 0, nil
  for _, t in ipairs(threads) do
    n = n + (t:get("failed") or 0)
    first = first or t:get("sample")
  end
  io.write(string.format("appends not answered toVersion 100: %d\n", n))
  if first then io.write("first such answer: " .. string.sub(first, 1, 300) .. "\n") end
end
LUA
}
