#include "reprieve/core/policy/policy_catalog.h"

#include <chrono>

#include "reprieve/base/strings.h"

namespace reprieve::core {
namespace {

using std::chrono::hours;

TypePolicy ResourceGroupPolicy() {
  TypePolicy p;
  p.type = std::string(kResourceGroupType);
  p.api_versions = {"2025-04-01", "2025-03-01", "2025-01-01", "2024-11-01", "2024-07-01",
                    "2024-03-01", "2023-07-01", "2022-12-01", "2022-09-01", "2022-01-01",
                    "2021-04-01", "2021-01-01", "2020-10-01", "2020-06-01", "2020-01-01",
                    "2019-11-01", "2019-10-01", "2019-08-01", "2019-07-01", "2019-05-01",
                    "2018-05-01", "2016-09-01", "2016-06-01", "2015-11-01", "2015-01-01"};
  // common-types ResourceGroupNameParameter; a trailing period is refused separately.
  p.name_rule = {1, 90, R"([-\w._()]+)"};
  return p;
}

TypePolicy CognitiveServicesAccountPolicy() {
  TypePolicy p;
  p.type = "Microsoft.CognitiveServices/accounts";
  p.api_versions = {"2026-05-15-preview", "2026-03-15-preview", "2026-03-01", "2025-12-01",
                    "2025-09-01", "2025-06-01", "2025-04-01-preview", "2024-10-01",
                    "2024-06-01-preview", "2023-10-01-preview", "2023-05-01", "2022-12-01",
                    "2022-10-01", "2022-03-01", "2021-10-01", "2021-04-30", "2017-04-18",
                    "2016-02-01-preview"};
  p.name_rule = {2, 64, "[a-zA-Z0-9][a-zA-Z0-9_.-]*"};
  p.soft_delete = true;
  p.retention = hours(48);
  p.recover = RecoverMechanism::kRestoreProperty;
  p.deleted_collection = "deletedAccounts";
  p.deleted_type = "Microsoft.CognitiveServices/deletedAccounts";
  p.deleted_scope = DeletedRouteScope::kLocationResourceGroup;
  p.name_held = {StatusCode::kAlreadyExists, "FlagMustBeSetForRestore",
                 "An existing resource with ID '{id}' has been soft-deleted. To restore the "
                 "resource, you must specify 'restore' to be 'true' in the property. If you don't "
                 "want to restore existing resource, please purge it first."};
  p.nothing_to_restore = {StatusCode::kNotFound, "CanNotRestoreANonExistingResource",
                          "Could not locate a resource to restore: no soft-deleted resource "
                          "'{id}' exists (it was never deleted, was purged, or its 48-hour "
                          "retention has ended)."};
  p.access_keys = {"key1", "key2"};
  p.fields = {{"kind", JsonKind::kString, true},
              {"sku", JsonKind::kObject, true},
              {"sku.name", JsonKind::kString, true},
              {"sku.capacity", JsonKind::kNumber, false},
              {"identity", JsonKind::kObject, false},
              {"properties", JsonKind::kObject, false},
              {"properties.restore", JsonKind::kBoolean, false},
              {"properties.customSubDomainName", JsonKind::kString, false},
              {"properties.encryption", JsonKind::kObject, false},
              {"properties.userOwnedStorage", JsonKind::kArray, false}};
  p.endpoint_template = "https://{name}.cognitiveservices.azure.com/";
  return p;
}

}  // namespace

const PolicyCatalog& PolicyCatalog::Builtin() {
  static const PolicyCatalog* const kCatalog =
      new PolicyCatalog({ResourceGroupPolicy(), CognitiveServicesAccountPolicy()});
  return *kCatalog;
}

PolicyCatalog::PolicyCatalog(std::vector<TypePolicy> policies) : policies_(std::move(policies)) {
  name_patterns_.reserve(policies_.size());
  for (const TypePolicy& policy : policies_) {
    name_patterns_.emplace_back(policy.name_rule.pattern, std::regex::ECMAScript);
  }
}

const TypePolicy* PolicyCatalog::Find(std::string_view type) const {
  for (const TypePolicy& policy : policies_) {
    if (EqualsIgnoreCase(policy.type, type)) return &policy;
  }
  return nullptr;
}

std::vector<const TypePolicy*> PolicyCatalog::InNamespace(
    std::string_view provider_namespace) const {
  std::vector<const TypePolicy*> out;
  for (const TypePolicy& policy : policies_) {
    if (EqualsIgnoreCase(policy.Namespace(), provider_namespace)) out.push_back(&policy);
  }
  return out;
}

std::vector<std::string> PolicyCatalog::Namespaces() const {
  std::vector<std::string> out;
  for (const TypePolicy& policy : policies_) {
    const std::string ns = policy.Namespace();
    bool seen = false;
    for (const std::string& existing : out) seen = seen || EqualsIgnoreCase(existing, ns);
    if (!seen) out.push_back(ns);
  }
  return out;
}

Status PolicyCatalog::ValidateName(const TypePolicy& policy, std::string_view name) const {
  const bool is_group = policy.type == kResourceGroupType;
  const std::string arm_code = is_group ? "InvalidResourceGroupName" : "InvalidResourceName";
  const NameRule& rule = policy.name_rule;
  const auto fail = [&](const std::string& why) {
    return InvalidArgumentError("The name '" + std::string(name) + "' is invalid for " +
                                policy.type + ": " + why + ".")
        .WithArmCode(arm_code)
        .WithTarget("name");
  };
  const auto length = static_cast<int>(name.size());
  if (length < rule.min_length || length > rule.max_length) {
    return fail("it must be " + std::to_string(rule.min_length) + " to " +
                std::to_string(rule.max_length) + " characters long");
  }
  const size_t index = static_cast<size_t>(&policy - policies_.data());
  if (!std::regex_match(name.begin(), name.end(), name_patterns_[index])) {
    return fail("it must match the pattern ^" + rule.pattern + "$");
  }
  if (is_group && name.back() == '.') return fail("it cannot end with a period");
  return OkStatus();
}

}  // namespace reprieve::core
