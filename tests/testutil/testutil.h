// Test helpers shared by Reprieve's test executables (namespace reprieve::testutil).
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "reprieve/base/clock.h"
#include "reprieve/base/result.h"
#include "reprieve/base/status.h"
#include "reprieve/base/status_macros.h"
#include "reprieve/base/time.h"

namespace reprieve {
// Prints a Result as its Status (or "value") in gtest messages.
template <typename T>
void PrintTo(const Result<T>& result, std::ostream* os) {
  *os << (result.has_value() ? std::string("value") : result.status().ToString());
}
}  // namespace reprieve

namespace reprieve::core {
struct ResourceRecord;
// Prints the record's fields in gtest messages.
void PrintTo(const ResourceRecord& record, std::ostream* os);
}  // namespace reprieve::core

namespace reprieve::testutil {

// The simulated clock of tests: stands still until told to move.
using FakeClock = ManualClock;

// Parses an RFC 3339 instant; aborts the test binary on a typo.
Timestamp ParseUtc(const std::string& text);

// A fresh directory under the system temp dir, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline const Status& ToStatus(const Status& status) { return status; }
template <typename T>
Status ToStatus(const Result<T>& result) {
  return result.status();
}

MATCHER(IsOk, "is ok") {
  const Status status = ToStatus(arg);
  if (!status.ok()) *result_listener << status.ToString();
  return status.ok();
}

MATCHER_P(StatusIs, code, "has status code " + std::string(StatusCodeName(code))) {
  const Status status = ToStatus(arg);
  *result_listener << status.ToString();
  return status.code() == code;
}

MATCHER_P2(StatusIs, code, arm_code,
           "has status code " + std::string(StatusCodeName(code)) + " and ARM code " +
               std::string(arm_code)) {
  const Status status = ToStatus(arg);
  *result_listener << status.ToString();
  return status.code() == code && status.arm_code() == arm_code;
}

}  // namespace reprieve::testutil

#define ASSERT_OK(expr) ASSERT_THAT((expr), ::reprieve::testutil::IsOk())
#define EXPECT_OK(expr) EXPECT_THAT((expr), ::reprieve::testutil::IsOk())
#define ASSERT_OK_AND_ASSIGN(lhs, rexpr)                                        \
  auto REPRIEVE_STATUS_CONCAT(test_result_, __LINE__) = (rexpr);                \
  ASSERT_OK(REPRIEVE_STATUS_CONCAT(test_result_, __LINE__));                    \
  lhs = std::move(REPRIEVE_STATUS_CONCAT(test_result_, __LINE__)).value()
