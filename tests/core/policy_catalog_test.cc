#include "reprieve/core/policy/policy_catalog.h"

#include <gtest/gtest.h>

#include "testutil/testutil.h"

namespace reprieve::core {
namespace {

using testutil::StatusIs;

const TypePolicy& Accounts() {
  return *PolicyCatalog::Builtin().Find("microsoft.cognitiveservices/ACCOUNTS");
}

TEST(PolicyCatalogTest, FindsTypesCaseInsensitively) {
  ASSERT_NE(PolicyCatalog::Builtin().Find("MICROSOFT.COGNITIVESERVICES/accounts"), nullptr);
  EXPECT_EQ(PolicyCatalog::Builtin().Find("Microsoft.Nope/things"), nullptr);
}

TEST(PolicyCatalogTest, CognitiveServicesRetentionIs48HoursWithRestoreFlag) {
  EXPECT_TRUE(Accounts().soft_delete);
  EXPECT_EQ(Accounts().retention, std::chrono::hours(48));
  EXPECT_EQ(Accounts().recover, RecoverMechanism::kRestoreProperty);
  EXPECT_EQ(Accounts().name_held.arm_code, "FlagMustBeSetForRestore");
}

TEST(PolicyCatalogTest, CognitiveServicesNameRule) {
  const PolicyCatalog& catalog = PolicyCatalog::Builtin();
  EXPECT_OK(catalog.ValidateName(Accounts(), "ab"));
  EXPECT_OK(catalog.ValidateName(Accounts(), "a.b_c-d9"));
  EXPECT_OK(catalog.ValidateName(Accounts(), std::string(64, 'a')));
  for (const std::string& bad : {std::string("a"), std::string(65, 'a'), std::string("-ab"),
                                std::string("_ab"), std::string("a b"), std::string("a/b"),
                                std::string("a\xc3\xa9")}) {
    EXPECT_THAT(catalog.ValidateName(Accounts(), bad),
                StatusIs(StatusCode::kInvalidArgument, "InvalidResourceName"))
        << bad;
  }
}

TEST(PolicyCatalogTest, ResourceGroupNameRule) {
  const PolicyCatalog& catalog = PolicyCatalog::Builtin();
  const TypePolicy& groups = *catalog.Find(kResourceGroupType);
  EXPECT_OK(catalog.ValidateName(groups, "my-rg_(1).x"));
  EXPECT_THAT(catalog.ValidateName(groups, "rg."),
              StatusIs(StatusCode::kInvalidArgument, "InvalidResourceGroupName"));
  EXPECT_THAT(catalog.ValidateName(groups, std::string(91, 'a')),
              StatusIs(StatusCode::kInvalidArgument, "InvalidResourceGroupName"));
  EXPECT_THAT(catalog.ValidateName(groups, "a/b"),
              StatusIs(StatusCode::kInvalidArgument, "InvalidResourceGroupName"));
}

TEST(PolicyCatalogTest, ApiVersionsIncludeThoseRealClientsSend) {
  for (const char* version : {"2021-04-30", "2022-12-01", "2025-09-01", "2026-03-01"}) {
    EXPECT_TRUE(Accounts().SupportsApiVersion(version)) << version;
  }
  EXPECT_FALSE(Accounts().SupportsApiVersion("2099-01-01"));
}

}  // namespace
}  // namespace reprieve::core
