# weft — the two commands that matter: `make run` and `make test`.
# Each target bootstraps what it needs (system packages, DuckDB) first.

JOBS      ?= $(shell nproc)
BUILD     ?= build
CMAKE_GEN := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")
WEFT      := $(BUILD)/weft

.PHONY: all build ui bootstrap test run bench sanitize fuzz soak format tidy clean

all: build

bootstrap:
	@scripts/bootstrap

# The web UI (ui/, Vite): built before the binary, which embeds ui/dist.
ui: bootstrap
	@scripts/build-ui

# Warnings are errors in every build this Makefile makes (and so in CI).
build: bootstrap ui
	@[ -f $(BUILD)/CMakeCache.txt ] || cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWEFT_WERROR=ON
	cmake --build $(BUILD) -j $(JOBS)

test: build
	@scripts/bootstrap test
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600

run: build
	@scripts/demo $(WEFT)

bench: bootstrap ui
	@scripts/bootstrap bench
	@[ -f build-release/CMakeCache.txt ] || cmake -S . -B build-release $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release -DWEFT_BUILD_TESTS=OFF
	cmake --build build-release -j $(JOBS)
	@bench/run build-release

# ASan + UBSan + LeakSanitizer over the whole suite (docs/reliability.md,
# "Sanitizers": its run time, and why CI does not run it yet). Every process a test starts
# (build-asan/weft in the end-to-end tests, weft serve under the browser and
# client tests) writes its reports to build-asan/sanitizer-logs, so a finding
# in a child process fails the target even when its test only looked at the
# exit code. Suppressions, each with its reason: tests/sanitizers/.
SAN_LOGS := $(CURDIR)/build-asan/sanitizer-logs
SAN_SUPP := $(CURDIR)/tests/sanitizers
SAN_ENV  := ASAN_OPTIONS=detect_leaks=1:log_path=$(SAN_LOGS)/asan \
            LSAN_OPTIONS=suppressions=$(SAN_SUPP)/lsan.supp:print_suppressions=0 \
            UBSAN_OPTIONS=print_stacktrace=1:log_path=$(SAN_LOGS)/ubsan:suppressions=$(SAN_SUPP)/ubsan.supp
sanitize: bootstrap ui
	@scripts/bootstrap test
	@[ -f build-asan/CMakeCache.txt ] || cmake -S . -B build-asan $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DWEFT_SANITIZE=ON -DWEFT_WERROR=ON -DWEFT_BUILD_BENCH=OFF
	cmake --build build-asan -j $(JOBS)
	@rm -rf $(SAN_LOGS) && mkdir -p $(SAN_LOGS)
	cd build-asan && $(SAN_ENV) ctest --output-on-failure -j $(JOBS) --timeout 900; rc=$$?; \
	  if [ -n "$$(ls -A $(SAN_LOGS))" ]; then \
	    echo "sanitize: sanitizer reports in $(SAN_LOGS):"; cat $(SAN_LOGS)/*; exit 1; fi; \
	  exit $$rc

# Outside `make test` and CI (docs/reliability.md): every crash test with
# CRASH_TRIALS kills (default 200), then the concurrency soak against one
# `weft serve` and the CLI for SOAK_SECONDS (default 180; 1800 for the
# 30-minute run). Both exit nonzero on any violation; the soak prints a summary.
SOAK_SECONDS ?= 180
CRASH_TRIALS ?= 200
soak: build
	cmake --build $(BUILD) -j $(JOBS) --target weft_soak
	cd $(BUILD) && WEFT_CRASH_TRIALS=$(CRASH_TRIALS) ctest --output-on-failure -R CrashTest --timeout 14400
	SOAK_SECONDS=$(SOAK_SECONDS) $(BUILD)/tests/e2e/weft_soak

# Bounded: FUZZ_SECONDS per target (default 60), one target after the
# other; FUZZ_TARGETS narrows the run (e.g. FUZZ_TARGETS="ingest http").
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= spec query pgwire ingest http import
fuzz: bootstrap
	@[ -f build-fuzz/CMakeCache.txt ] || CC=clang CXX=clang++ cmake -S . -B build-fuzz $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWEFT_FUZZ=ON -DWEFT_BUILD_TESTS=OFF -DWEFT_BUILD_BENCH=OFF
	cmake --build build-fuzz -j $(JOBS) --target $(addprefix fuzz_,$(FUZZ_TARGETS))
	@fuzz/run build-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

tidy: build
	@git ls-files 'src/*.cc' | grep -v _test.cc | xargs clang-tidy -p $(BUILD) --quiet

clean:
	rm -rf build build-release build-asan build-fuzz
