# The two commands: `make run` (serve on https://127.0.0.1:8443, state in ./data) and
# `make test` (build and run every test). Both install what is missing first.
PRESET ?= ci
JOBS ?= $(shell nproc)
ARGS ?=
CTEST_ARGS ?=

FUZZ_SECONDS ?= 60

.PHONY: run test deps deps-test build-release build-test sanitize fuzz bench torture clean

deps:
	@tools/install-deps.sh

deps-test:
	@tools/install-deps.sh --e2e

build-release: deps
	@cmake --preset release >/dev/null
	@cmake --build build/release -j $(JOBS) --target reprieved

run: build-release
	build/release/src/reprieved --listen 127.0.0.1:8443 --data-dir ./data $(ARGS)

build-test: deps-test
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build build/$(PRESET) -j $(JOBS)

test: build-test
	cd build/$(PRESET) && ctest --output-on-failure -j $(JOBS) --timeout 300 $(CTEST_ARGS)

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer (or PRESET=tsan).
# ASan keeps freed memory in a bounded quarantine, so the hostile-input test's memory bound
# is raised to cover it.
sanitize:
	@REPRIEVE_RSS_GROWTH_LIMIT_MB=512 $(MAKE) test PRESET=$(if $(filter tsan,$(SAN)),tsan,asan-ubsan)

# Each libFuzzer target for FUZZ_SECONDS, from the committed seed corpus (fuzz/corpus).
fuzz:
	@tools/install-deps.sh --fuzz
	@cmake --preset fuzz >/dev/null
	@cmake --build build/fuzz -j $(JOBS) --target resource_id_fuzzer time_fuzzer arm_api_fuzzer http_request_fuzzer
	tools/run_fuzzers.sh build/fuzz/fuzz $(FUZZ_SECONDS)

# The long torture run: 200 kill -9 cycles, then the race and hostile-input tests.
torture: build-test
	cd tests/e2e/js && REPRIEVE_CRASH_CYCLES=200 REPRIEVED_BIN=$(CURDIR)/build/$(PRESET)/src/reprieved \
	  node --test crash.test.mjs race.test.mjs hostile.test.mjs

# The benchmark table (bench/README.md); writes bench/results/<date>.md.
bench:
	@tools/install-deps.sh --bench
	bench/run.sh

clean:
	rm -rf build
