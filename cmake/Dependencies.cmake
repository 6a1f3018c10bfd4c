# Third-party dependencies, all from Debian bookworm packages (see .ci/install-deps).
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(Boost 1.81.0 EXACT REQUIRED CONFIG COMPONENTS json url)
# CLI11 parses the `reprieve` command line: subcommands, environment fallbacks and help
# text without code of our own.
find_package(CLI11 2.1 REQUIRED CONFIG)
# prometheus-cpp's core library keeps the metrics and writes the text exposition; Reprieve's
# own HTTP server serves it (the library's pull/civetweb part is not used).
find_package(prometheus-cpp REQUIRED CONFIG)
if(REPRIEVE_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
