// The activity log's $filter and $select as the real clients send them. The inputs are the
// requests recorded in operations-events.md §4.3 (az 2.45's _build_activity_log_odata_filter
// and the documented forms of "Activity Logs - List"), not strings made by this code.
#include <gtest/gtest.h>

#include "reprieve/http/internal/activity.h"
#include "testutil/testutil.h"

namespace reprieve::http::internal {
namespace {

using testutil::ParseUtc;
using testutil::StatusIs;

const Timestamp kNow = ParseUtc("2026-12-01T20:30:00Z");

TEST(ActivityFilterTest, ReadsAzsDefaultWindowWithNaiveTimestamps) {
  ASSERT_OK_AND_ASSIGN(
      core::ActivityQuery q,
      ParseActivityFilter("eventTimestamp ge 2026-12-01T14:24:44.944052 and eventTimestamp le "
                          "2026-12-01T20:24:44.944052 and resourceGroupName eq 'rg1'",
                          kNow));
  EXPECT_EQ(q.from, ParseUtc("2026-12-01T14:24:44.944Z"));  // no zone: UTC
  EXPECT_EQ(q.to, ParseUtc("2026-12-01T20:24:44.944Z"));
  EXPECT_EQ(q.resource_group, "rg1");
}

TEST(ActivityFilterTest, ReadsZonedTimesAndTheClausesAzAppends) {
  ASSERT_OK_AND_ASSIGN(
      core::ActivityQuery q,
      ParseActivityFilter("eventTimestamp ge 2023-01-12T10:00:00+00:00 and eventTimestamp le "
                          "2023-01-13T10:00:00+00:00 and resourceProvider eq 'Microsoft.KeyVault' "
                          "and caller eq 'app-1' and status eq 'Succeeded'",
                          kNow));
  EXPECT_EQ(q.from, ParseUtc("2023-01-12T10:00:00Z"));
  EXPECT_EQ(q.resource_provider, "Microsoft.KeyVault");
  EXPECT_EQ(q.caller, "app-1");
  EXPECT_EQ(q.status, "Succeeded");
}

TEST(ActivityFilterTest, ReadsTheDocumentedQuotedFormsAndEitherResourceIdName) {
  ASSERT_OK_AND_ASSIGN(
      core::ActivityQuery uri,
      ParseActivityFilter("eventTimestamp ge '2014-07-16T04:36:37.6407898Z' and eventTimestamp "
                          "le '2014-07-20T04:36:37.6407898Z' and resourceUri eq '/subscriptions/"
                          "s/resourceGroups/rg/providers/Microsoft.Web/sites/x'",
                          kNow));
  EXPECT_EQ(uri.from, ParseUtc("2014-07-16T04:36:37.640Z"));  // 7 digits: milliseconds kept
  EXPECT_EQ(uri.resource_id, "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/x");
  ASSERT_OK_AND_ASSIGN(
      core::ActivityQuery id,
      ParseActivityFilter("eventTimestamp ge 2026-12-01T00:00:00 and resourceId eq '/x/y' and "
                          "correlationId eq 'c-1'",
                          kNow));
  EXPECT_EQ(id.resource_id, "/x/y");
  EXPECT_EQ(id.correlation_id, "c-1");
  EXPECT_EQ(id.to, kNow);  // no end: now
}

TEST(ActivityFilterTest, RefusesWhatItCannotAnswer) {
  const auto invalid = StatusIs(StatusCode::kInvalidArgument);
  EXPECT_THAT(ParseActivityFilter("resourceGroupName eq 'rg1'", kNow), invalid);  // no start
  EXPECT_THAT(ParseActivityFilter("eventTimestamp ge yesterday", kNow), invalid);
  EXPECT_THAT(ParseActivityFilter("eventTimestamp eq 2026-12-01T00:00:00", kNow), invalid);
  EXPECT_THAT(ParseActivityFilter("eventTimestamp ge 2026-12-01T00:00:00 and level eq 'x'", kNow),
              invalid);
  EXPECT_THAT(ParseActivityFilter("eventTimestamp ge 2026-12-01T00:00:00 and caller ne 'x'", kNow),
              invalid);
  EXPECT_THAT(ParseActivityFilter("eventTimestamp ge 2026-12-02T00:00:00 and eventTimestamp le "
                                  "2026-12-01T00:00:00",
                                  kNow),
              invalid);
  EXPECT_EQ(ParseActivityFilter("resourceGroupName eq 'rg1'", kNow).status().arm_code(),
            "InvalidFilter");
}

TEST(ActivitySelectTest, ReadsAzsSpacedCommaList) {
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> names,
                       ParseActivitySelect("caller , operationName , status"));
  EXPECT_EQ(names, (std::vector<std::string>{"caller", "operationName", "status"}));
  ASSERT_OK_AND_ASSIGN(names, ParseActivitySelect("eventTimestamp,resourceId"));
  EXPECT_EQ(names, (std::vector<std::string>{"eventTimestamp", "resourceId"}));
  EXPECT_THAT(ParseActivitySelect("caller , nonsense"), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace reprieve::http::internal
