#include "reprieve/core/model/resource_id.h"

#include <gtest/gtest.h>

#include "testutil/testutil.h"

namespace reprieve::core {
namespace {

TEST(ResourceIdTest, ParsesResourceIdsCaseInsensitivelyAndKeepsNameCasing) {
  auto id = ResourceId::Parse(
      "/SUBSCRIPTIONS/sub1/resourcegroups/MyRg/PROVIDERS/Microsoft.CognitiveServices/accounts/Acct");
  ASSERT_OK(id);
  EXPECT_EQ(id->subscription(), "sub1");
  EXPECT_EQ(id->resource_group(), "MyRg");
  EXPECT_EQ(id->name(), "Acct");
  EXPECT_EQ(id->FullType(), "Microsoft.CognitiveServices/accounts");
  EXPECT_EQ(id->ToString(),
            "/subscriptions/sub1/resourceGroups/MyRg/providers/Microsoft.CognitiveServices/"
            "accounts/Acct");
  EXPECT_EQ(id->Key(),
            "/subscriptions/sub1/resourcegroups/myrg/providers/microsoft.cognitiveservices/"
            "accounts/acct");
  EXPECT_EQ(id->GroupKey(), "/subscriptions/sub1/resourcegroups/myrg");
}

TEST(ResourceIdTest, ParsesGroupAndSubscriptionIds) {
  auto group = ResourceId::Parse("/subscriptions/s/resourceGroups/rg");
  ASSERT_OK(group);
  EXPECT_TRUE(group->IsResourceGroup());
  EXPECT_EQ(group->FullType(), "Microsoft.Resources/resourceGroups");
  auto subscription = ResourceId::Parse("/subscriptions/s");
  ASSERT_OK(subscription);
  EXPECT_TRUE(subscription->IsSubscription());
}

TEST(ResourceIdTest, RefusesMalformedIds) {
  for (const char* bad : {"", "subscriptions/s", "/tenants/t", "/subscriptions", "/subscriptions//x",
                          "/subscriptions/s/resourceGroups", "/subscriptions/s/rg/x",
                          "/subscriptions/s/resourceGroups/rg/providers/ns/type"}) {
    EXPECT_THAT(ResourceId::Parse(bad),
                testutil::StatusIs(StatusCode::kInvalidArgument, "LinkedInvalidPropertyId"))
        << bad;
  }
}

}  // namespace
}  // namespace reprieve::core
