// Azure RBAC's evaluation rules, as Azure documents them ("Understand Azure role
// definitions": actions minus notActions, wildcards, case-insensitive; "Understand scope":
// assignments are inherited by child scopes).
#include "reprieve/core/authz/access_evaluator.h"

#include <gtest/gtest.h>

namespace reprieve::core {
namespace {

constexpr char kPrincipal[] = "11111111-1111-1111-1111-111111111111";
constexpr char kSub[] = "/subscriptions/00000000-0000-0000-0000-00000000b001";

RoleDefinition Role(std::string id, std::vector<std::string> actions,
                    std::vector<std::string> not_actions = {}) {
  RoleDefinition role;
  role.id = std::move(id);
  role.role_name = role.id;
  role.permissions.push_back({std::move(actions), std::move(not_actions), {}, {}});
  role.assignable_scopes = {"/"};
  return role;
}

RoleAssignment Assign(std::string role, std::string scope) {
  RoleAssignment a;
  a.id = "a-" + role;
  a.role_definition_id = std::move(role);
  a.scope = std::move(scope);
  a.principal_id = kPrincipal;
  return a;
}

TEST(AccessEvaluatorTest, WildcardsMatchAnySegmentsIgnoringCase) {
  EXPECT_TRUE(ActionMatches("*", "Microsoft.KeyVault/vaults/write"));
  EXPECT_TRUE(ActionMatches("*/read", "Microsoft.CognitiveServices/accounts/read"));
  EXPECT_FALSE(ActionMatches("*/read", "Microsoft.CognitiveServices/accounts/write"));
  EXPECT_TRUE(ActionMatches("Microsoft.Authorization/*/Write",
                            "microsoft.authorization/roleAssignments/write"));
  EXPECT_TRUE(ActionMatches("Microsoft.CognitiveServices/*",
                            "Microsoft.CognitiveServices/locations/resourceGroups/deletedAccounts/delete"));
  EXPECT_FALSE(ActionMatches("Microsoft.ApiManagement/service/*",
                             "Microsoft.ApiManagement/deletedservices/read"));
  EXPECT_FALSE(ActionMatches("Microsoft.KeyVault/*", "Microsoft.KeyVaultX/vaults/read"));
}

TEST(AccessEvaluatorTest, ScopesAreInheritedDownwardSegmentWise) {
  EXPECT_TRUE(ScopeCovers("/", std::string(kSub) + "/resourceGroups/rg1"));
  EXPECT_TRUE(ScopeCovers(kSub, std::string(kSub) + "/resourceGroups/RG1"));
  EXPECT_TRUE(ScopeCovers(std::string(kSub) + "/resourceGroups/rg1",
                          std::string(kSub) + "/resourcegroups/rg1/providers/X/y/z"));
  EXPECT_FALSE(ScopeCovers(std::string(kSub) + "/resourceGroups/rg1",
                           std::string(kSub) + "/resourceGroups/rg10"));
  EXPECT_FALSE(ScopeCovers(std::string(kSub) + "/resourceGroups/rg1", kSub));
}

TEST(AccessEvaluatorTest, NotActionsSubtractFromActions) {
  const AccessEvaluator rbac({Role("kvc", {"Microsoft.KeyVault/*"},
                                   {"Microsoft.KeyVault/locations/deletedVaults/purge/action"})},
                             {Assign("kvc", kSub)});
  EXPECT_TRUE(rbac.Evaluate(kPrincipal, "Microsoft.KeyVault/vaults/delete", kSub).allowed);
  EXPECT_FALSE(rbac.Evaluate(kPrincipal, "Microsoft.KeyVault/locations/deletedVaults/purge/action",
                             std::string(kSub) + "/providers/Microsoft.KeyVault/locations/eastus/"
                                                 "deletedVaults/kv1")
                   .allowed);
}

TEST(AccessEvaluatorTest, AnotherRoleMayGrantWhatOneExcludes) {
  const AccessEvaluator rbac(
      {Role("kvc", {"Microsoft.KeyVault/*"},
            {"Microsoft.KeyVault/locations/deletedVaults/purge/action"}),
       Role("purger", {"Microsoft.KeyVault/locations/deletedVaults/purge/action"})},
      {Assign("kvc", kSub), Assign("purger", "/")});
  const AccessDecision decision = rbac.Evaluate(
      kPrincipal, "Microsoft.KeyVault/locations/deletedVaults/purge/action", kSub);
  EXPECT_TRUE(decision.allowed);
  EXPECT_EQ(decision.role_name, "purger");
  EXPECT_EQ(decision.scope, "/");
}

TEST(AccessEvaluatorTest, AnAssignmentBelowTheScopeGrantsNothingAtIt) {
  const AccessEvaluator rbac({Role("owner", {"*"})},
                             {Assign("owner", std::string(kSub) + "/resourceGroups/rg1")});
  EXPECT_FALSE(rbac.Evaluate(kPrincipal, "Microsoft.Resources/subscriptions/read", kSub).allowed);
  EXPECT_TRUE(rbac.HasAnyRoleTouching(kPrincipal, kSub));
  EXPECT_FALSE(rbac.HasAnyRoleTouching(kPrincipal, "/subscriptions/other"));
  EXPECT_FALSE(rbac.Evaluate("someone-else", "Microsoft.Resources/subscriptions/read",
                             std::string(kSub) + "/resourceGroups/rg1")
                   .allowed);
}

TEST(AccessEvaluatorTest, OwnerAtRootIsHeldOnlyAtRoot) {
  const AccessEvaluator rbac(BuiltinRoles(), {Assign(kOwnerRoleId, kSub)});
  EXPECT_FALSE(rbac.HoldsRoleAt(kPrincipal, kOwnerRoleId, "/"));
  EXPECT_TRUE(rbac.HoldsRoleAt(kPrincipal, kOwnerRoleId, kSub));
}

}  // namespace
}  // namespace reprieve::core
