-- wrk: every request carries the bearer token run.sh makes, shaped like the JWTs ARM
-- clients send.
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or "bench")
