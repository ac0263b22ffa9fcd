-- wrk connects to the proxy; every request names the origin in absolute form:
-- `wrk ... http://127.0.0.1:PROXY/ -s absolute-form.lua -- 127.0.0.1:ORIGIN`
function init(args)
  wrk.path = "http://" .. args[1] .. "/"
  wrk.headers["Host"] = args[1]
end
