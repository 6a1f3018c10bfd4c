#include "reprieve/base/time.h"

#include <gtest/gtest.h>

#include "reprieve/base/clock.h"

namespace reprieve {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;

TEST(TimeTest, FormatsAndParsesRfc3339RoundTrip) {
  const auto t = ParseRfc3339("2026-11-23T10:20:30.456Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(FormatRfc3339(*t), "2026-11-23T10:20:30.456Z");
}

TEST(TimeTest, ParsesOffsetsAndLongFractions) {
  EXPECT_EQ(ParseRfc3339("2025-10-28T14:50:02.4583939Z"),
            ParseRfc3339("2025-10-28T14:50:02.458Z"));
  EXPECT_EQ(ParseRfc3339("2026-01-01T02:00:00+02:00"), ParseRfc3339("2026-01-01T00:00:00Z"));
}

TEST(TimeTest, RefusesMalformedInstants) {
  for (const char* bad : {"", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-01-01",
                          "2026-01-01T00:00:00", "2026-01-01T24:00:00Z", "1969-12-31T00:00:00Z",
                          "2026-01-01T00:00:00Zjunk", "2026-01-01T00:00:00.Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad).has_value()) << bad;
  }
}

TEST(TimeTest, FormatsWithLeadingZerosAndWholeMilliseconds) {
  EXPECT_EQ(FormatRfc3339(Timestamp{}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("2027-02-03T04:05:06.007Z")), "2027-02-03T04:05:06.007Z");
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("9999-12-31T23:59:59.999Z")), "9999-12-31T23:59:59.999Z");
  // Outside four-digit years (reachable only by arithmetic, never parsed) still formats.
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("9999-12-31T00:00:00Z") + hours(48)),
            "10000-01-02T00:00:00.000Z");
}

TEST(TimeTest, FormatsHttpDates) {
  EXPECT_EQ(FormatHttpDate(*ParseRfc3339("2026-11-23T09:05:03Z")), "Mon, 23 Nov 2026 09:05:03 GMT");
  EXPECT_EQ(FormatHttpDate(Timestamp{}), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(FormatHttpDate(*ParseRfc3339("2027-02-07T23:59:09.999Z")),
            "Sun, 07 Feb 2027 23:59:09 GMT");
}

TEST(TimeTest, ParsesIsoDurations) {
  EXPECT_EQ(ParseIsoDuration("PT49H"), hours(49));
  EXPECT_EQ(ParseIsoDuration("P2D"), hours(48));
  EXPECT_EQ(ParseIsoDuration("P1W"), hours(24 * 7));
  EXPECT_EQ(ParseIsoDuration("P1DT2H30M"), hours(26) + minutes(30));
  EXPECT_EQ(ParseIsoDuration("PT0.5S"), milliseconds(500));
  EXPECT_EQ(ParseIsoDuration("pt1m"), minutes(1));
}

TEST(TimeTest, RefusesBadDurations) {
  for (const char* bad : {"", "P", "PT", "49H", "P1Y", "P1M", "PT-1H", "P1H", "PT1D", "PT1M1H",
                          "P1DT", "PT1.5H", "P999999999999D", "PT1HX", "P1D1D"}) {
    EXPECT_FALSE(ParseIsoDuration(bad).has_value()) << bad;
  }
}

TEST(ManualClockTest, MovesOnlyWhenToldAndNotifiesObservers) {
  ManualClock clock(*ParseRfc3339("2026-01-01T00:00:00Z"));
  int notified = 0;
  clock.OnChange([&] { ++notified; });
  EXPECT_EQ(clock.Now(), *ParseRfc3339("2026-01-01T00:00:00Z"));
  clock.Advance(hours(49));
  EXPECT_EQ(clock.Now(), *ParseRfc3339("2026-01-03T01:00:00Z"));
  clock.Set(*ParseRfc3339("2027-01-01T00:00:00Z"));
  EXPECT_EQ(clock.Now(), *ParseRfc3339("2027-01-01T00:00:00Z"));
  EXPECT_EQ(notified, 2);
}

}  // namespace
}  // namespace reprieve
