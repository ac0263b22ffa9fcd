-- wrk script: every write carries 16 pipelined GETs; wrk counts each response.
init = function(args)
  local requests = {}
  for i = 1, 16 do
    requests[i] = wrk.format(nil, "/")
  end
  pipelined = table.concat(requests)
end

request = function()
  return pipelined
end
