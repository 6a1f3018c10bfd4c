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

// Deletes look for children only under types that can have them.
TEST(PolicyCatalogTest, KnowsWhichTypesHaveChildTypes) {
  const PolicyCatalog& catalog = PolicyCatalog::Builtin();
  EXPECT_TRUE(catalog.HasChildTypes("Microsoft.MachineLearningServices/workspaces"));
  EXPECT_FALSE(catalog.HasChildTypes("Microsoft.CognitiveServices/accounts"));
  EXPECT_FALSE(catalog.HasChildTypes("Microsoft.KeyVault/vaults"));
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

namespace reprieve::core {
namespace {

TEST(TypePolicyTest, ApiManagementSoftDeletesFrom2020_06_01_PreviewOn) {
  const TypePolicy& apim = *PolicyCatalog::Builtin().Find("Microsoft.ApiManagement/service");
  EXPECT_FALSE(apim.SoftDeletesAt("2019-12-01"));
  EXPECT_TRUE(apim.SoftDeletesAt("2020-06-01-preview"));
  EXPECT_TRUE(apim.SoftDeletesAt("2020-12-01"));
  EXPECT_TRUE(apim.SoftDeletesAt("2024-05-01"));
  EXPECT_FALSE(apim.SoftDeletesAt(""));
}

TEST(TypePolicyTest, TypesWithoutAMinimumSoftDeleteAtAnyVersion) {
  EXPECT_TRUE(Accounts().SoftDeletesAt("2017-04-18"));
}

TEST(TypePolicyTest, EveryBuiltinSoftDeleteTypeIsCompleteData) {
  for (const TypePolicy& policy : PolicyCatalog::Builtin().policies()) {
    if (!policy.soft_delete) continue;
    EXPECT_GT(policy.retention, Duration::zero()) << policy.type;
    EXPECT_FALSE(policy.deleted_collection.empty()) << policy.type;
    EXPECT_NE(policy.deleted_scope, DeletedRouteScope::kNone) << policy.type;
    EXPECT_FALSE(policy.nothing_to_restore.arm_code.empty()) << policy.type;
    if (policy.name_held_while_deleted) {
      EXPECT_FALSE(policy.name_held.arm_code.empty()) << policy.type;
    }
    if (policy.name_scope == NameScope::kGlobal) {
      EXPECT_FALSE(policy.name_taken.arm_code.empty()) << policy.type;
    }
    if (policy.deleted_scope == DeletedRouteScope::kLocation) {
      // Such routes name no group: only a global name finds the resource.
      EXPECT_EQ(policy.name_scope, NameScope::kGlobal) << policy.type;
    }
    if (policy.name_reservation > Duration::zero()) {
      EXPECT_NE(policy.name_reserved.message.find("{until}"), std::string::npos) << policy.type;
    }
    if (!policy.retention_rule.path.empty()) {
      EXPECT_LE(policy.retention_rule.min_days, policy.retention_rule.default_days) << policy.type;
      EXPECT_LE(policy.retention_rule.default_days, policy.retention_rule.max_days) << policy.type;
    }
  }
}

}  // namespace
}  // namespace reprieve::core
