// PolicyCatalog: the resource types Reprieve serves, looked up case-insensitively by their
// "Namespace/type" name. Immutable after construction; safe to share across threads.
#pragma once

#include <memory>
#include <regex>
#include <string_view>
#include <vector>

#include "reprieve/base/status.h"
#include "reprieve/core/policy/type_policy.h"

namespace reprieve::core {

inline constexpr std::string_view kResourceGroupType = "Microsoft.Resources/resourceGroups";
inline constexpr std::string_view kSubscriptionType = "Microsoft.Resources/subscriptions";
inline constexpr std::string_view kTenantType = "Microsoft.Resources/tenants";

// The built-in types: resource groups, Cognitive Services accounts, API Management
// services, Machine Learning workspaces, Key Vault vaults and managed HSMs, Storage accounts.
std::vector<TypePolicy> BuiltinPolicies();

class PolicyCatalog {
 public:
  // A catalog of BuiltinPolicies().
  static const PolicyCatalog& Builtin();

  explicit PolicyCatalog(std::vector<TypePolicy> policies);
  // The namespace index points into the policies: moving keeps them in place, copying
  // would not.
  PolicyCatalog(const PolicyCatalog&) = delete;
  PolicyCatalog& operator=(const PolicyCatalog&) = delete;
  PolicyCatalog(PolicyCatalog&&) = default;
  PolicyCatalog& operator=(PolicyCatalog&&) = default;

  // nullptr if the type is unknown.
  const TypePolicy* Find(std::string_view type) const;
  // The types of one namespace (case-insensitive); empty if none. Runs on every request:
  // answered from an index built once.
  const std::vector<const TypePolicy*>& InNamespace(std::string_view provider_namespace) const;
  // Whether some type of the catalog is a child type of `type` (canonical name).
  bool HasChildTypes(std::string_view type) const;
  // Every namespace, in catalog order, without duplicates.
  std::vector<std::string> Namespaces() const;
  const std::vector<TypePolicy>& policies() const { return policies_; }

  // ok if `name` satisfies the type's name rule; else kInvalidArgument with ARM code
  // InvalidResourceName (or InvalidResourceGroupName) saying which rule it breaks.
  Status ValidateName(const TypePolicy& policy, std::string_view name) const;

 private:
  struct Namespace {
    std::string name;                      // as the first of its types spells it
    std::vector<const TypePolicy*> types;  // in catalog order
  };

  std::vector<TypePolicy> policies_;
  std::vector<std::regex> name_patterns_;  // parallel to policies_
  std::vector<Namespace> namespaces_;      // in catalog order
};

}  // namespace reprieve::core
