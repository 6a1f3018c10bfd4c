-- wrk: every request carries a bearer token, as ARM clients send.
wrk.headers["Authorization"] = "Bearer bench"
