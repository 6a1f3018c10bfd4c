# Third-party dependencies, all from Debian bookworm packages (see .ci/install-deps).
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(Boost 1.81.0 EXACT REQUIRED CONFIG COMPONENTS json url)
if(REPRIEVE_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
