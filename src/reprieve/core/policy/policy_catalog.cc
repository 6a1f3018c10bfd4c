#include "reprieve/core/policy/policy_catalog.h"

#include <algorithm>
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
  p.customer_managed_key_path = "properties.encryption.keySource=Microsoft.KeyVault";
  p.dependencies = {
      {"properties.encryption.keyVaultProperties.keyVaultUri", DependencyRule::Kind::kKeyVaultUri},
      {"properties.userOwnedStorage.[].resourceId", DependencyRule::Kind::kArmId}};
  return p;
}

TypePolicy ApiManagementServicePolicy() {
  TypePolicy p;
  p.type = "Microsoft.ApiManagement/service";
  p.api_versions = {"2025-09-01-preview", "2025-03-01-preview", "2024-06-01-preview",
                    "2024-05-01", "2023-09-01-preview", "2023-05-01-preview",
                    "2023-03-01-preview", "2022-09-01-preview", "2022-08-01",
                    "2022-04-01-preview", "2021-12-01-preview", "2021-08-01",
                    "2021-04-01-preview", "2021-01-01-preview", "2020-12-01",
                    "2020-06-01-preview", "2019-12-01", "2019-12-01-preview", "2019-01-01",
                    "2018-06-01-preview", "2018-01-01", "2017-03-01", "2016-10-10",
                    "2016-07-07"};
  p.name_rule = {1, 50, "[a-zA-Z](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"};
  p.soft_delete = true;
  p.retention = hours(48);
  p.soft_delete_min_api_version = "2020-06-01-preview";
  p.recover = RecoverMechanism::kRestoreProperty;
  p.deleted_collection = "deletedservices";
  p.deleted_type = "Microsoft.ApiManagement/deletedservices";
  p.deleted_scope = DeletedRouteScope::kLocation;
  p.deleted_shape = DeletedShape::kServiceContract;
  p.name_held = {StatusCode::kAlreadyExists, "ServiceAlreadyExistsInSoftDeletedState",
                 "Api service {name} was soft-deleted. In order to create the new service with "
                 "the same name, you have to either undelete the service or purge it. See "
                 "https://aka.ms/apimsoftdelete."};
  p.nothing_to_restore = {StatusCode::kNotFound, "ServiceNotFound",
                          "Api service {name} is not soft-deleted, so there is nothing to "
                          "restore: it was never deleted, was purged, or its 48-hour retention "
                          "has ended."};
  p.deleted_not_found = {StatusCode::kNotFound, "ServiceNotFound",
                         "No soft-deleted Api service {name} was found in this subscription and "
                         "location."};
  p.name_scope = NameScope::kGlobal;
  p.name_taken = {StatusCode::kAlreadyExists, "ServiceNameNotAvailable",
                  "The Api service name {name} is already in use: service names are global "
                  "(https://{name}.azure-api.net). Choose another name."};
  p.name_reservation = hours(24 * 7);
  p.name_reserved = {StatusCode::kAlreadyExists, "ServiceNameReserved",
                     "The Api service name {name} belonged to a service of another subscription "
                     "that was permanently deleted. The host name {name}.azure-api.net is global, "
                     "so the name stays reserved for that subscription until {until} to prevent "
                     "subdomain takeover through dangling DNS entries. Choose another name, or "
                     "create the service in the original subscription."};
  p.fields = {{"sku", JsonKind::kObject, true},
              {"sku.name", JsonKind::kString, true},
              {"sku.capacity", JsonKind::kInteger, true},
              {"identity", JsonKind::kObject, false},
              {"properties", JsonKind::kObject, true},
              {"properties.publisherEmail", JsonKind::kString, true},
              {"properties.publisherName", JsonKind::kString, true},
              {"properties.restore", JsonKind::kBoolean, false}};
  p.async_delete = true;
  // API Management's examples: an undelete shows Created on its way to Activating, a delete
  // keeps Succeeded on its way to Deleting; both answer with Location as well.
  p.deferred_put = DeferredPut::kAsyncOperationAndLocation;
  p.creating = {"Created", "Activating"};
  p.recovering = {"Created", "Activating"};
  p.deleting = {"Succeeded", "Deleting"};
  p.endpoint_template = "https://{name}.azure-api.net";
  p.endpoint_property = "gatewayUrl";
  return p;
}

TypePolicy MachineLearningWorkspacePolicy() {
  TypePolicy p;
  p.type = "Microsoft.MachineLearningServices/workspaces";
  p.api_versions = {"2025-12-01", "2025-09-01", "2025-06-01", "2025-04-01",
                    "2025-01-01-preview", "2024-10-01", "2024-04-01", "2024-01-01-preview",
                    "2023-10-01", "2023-04-01", "2022-10-01", "2022-05-01",
                    "2022-01-01-preview", "2021-07-01", "2021-04-01", "2021-01-01",
                    "2020-06-01"};
  p.name_rule = {3, 33, "[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}"};
  p.soft_delete = true;
  p.retention = hours(24 * 14);
  p.retention_rule = {"properties.softDeleteRetentionInDays", 1, 14, 14, false};
  p.recover = RecoverMechanism::kRecoverAction;
  p.deleted_collection = "deletedWorkspaces";
  p.deleted_type = "Microsoft.MachineLearningServices/deletedWorkspaces";
  // The seed: role assignments are re-created on recovery, best effort.
  p.role_assignments_on_delete = ParentDelete::kRecreate;
  p.deleted_scope = DeletedRouteScope::kResourceGroup;
  p.name_held = {StatusCode::kInvalidArgument, "SoftDeletedWorkspaceExists",
                 "Soft-deleted workspace exists. Please purge or recover it. "
                 "https://aka.ms/wsoftdelete"};
  p.nothing_to_restore = {StatusCode::kNotFound, "WorkspaceNotSoftDeleted",
                          "No soft-deleted workspace '{id}' exists to recover: it was never "
                          "deleted, was permanently deleted, or its retention has ended."};
  p.force_purge_parameter = "forceToPurge";
  p.delete_dependents_parameter = "deleteDependentResources";
  p.customer_managed_key_hard_delete = true;
  p.customer_managed_key_path = "properties.encryption.status=Enabled";
  p.soft_delete_feature = "Microsoft.MachineLearningServices/WorkspaceSoftDelete";
  p.dependencies = {
      {"properties.encryption.keyVaultProperties.keyVaultArmId", DependencyRule::Kind::kArmId},
      {"properties.storageAccount", DependencyRule::Kind::kArmId},
      {"properties.keyVault", DependencyRule::Kind::kArmId}};
  p.fields = {{"sku", JsonKind::kObject, false},
              {"identity", JsonKind::kObject, false},
              {"properties", JsonKind::kObject, false},
              {"properties.softDeleteRetentionInDays", JsonKind::kInteger, false},
              {"properties.encryption", JsonKind::kObject, false},
              {"properties.storageAccount", JsonKind::kString, false},
              {"properties.keyVault", JsonKind::kString, false},
              {"properties.applicationInsights", JsonKind::kString, false}};
  p.create_status = 200;  // the Python SDK refuses 201 for workspaces
  p.async_delete = true;
  return p;
}

// A child of Machine Learning workspaces, named and versioned like its parent.
TypePolicy MachineLearningChildPolicy(const std::string& child, ParentDelete on_parent_delete) {
  const TypePolicy workspace = MachineLearningWorkspacePolicy();
  TypePolicy p;
  p.type = workspace.type + "/" + child;
  p.api_versions = workspace.api_versions;
  p.name_rule = {1, 255, "[a-zA-Z0-9][a-zA-Z0-9_.-]*"};
  p.parent_type = workspace.type;
  p.on_parent_delete = on_parent_delete;
  p.fields = {{"properties", JsonKind::kObject, false}};
  return p;
}

std::vector<TypePolicy> MachineLearningChildPolicies() {
  std::vector<TypePolicy> children;
  // The seed's table: kept with the workspace and back on recover...
  for (const char* child : {"models", "data", "environments", "components", "datastores",
                            "notebooks", "pipelines", "designerPipelines", "labelingJobs"}) {
    children.push_back(MachineLearningChildPolicy(child, ParentDelete::kSoftDelete));
  }
  // ...jobs too (run history, AutoML jobs), except queued or running ones...
  TypePolicy jobs = MachineLearningChildPolicy("jobs", ParentDelete::kSoftDelete);
  jobs.transient_path =
      "properties.status=NotStarted|Queued|Preparing|Provisioning|Starting|Running|Finalizing|"
      "CancelRequested";
  jobs.fields.push_back({"properties.status", JsonKind::kString, false});
  children.push_back(std::move(jobs));
  // ...deleted for good: compute, inference endpoints, internal cache...
  for (const char* child : {"computes", "onlineEndpoints", "batchEndpoints", "caches"}) {
    children.push_back(MachineLearningChildPolicy(child, ParentDelete::kHardDelete));
  }
  // ...and re-created on recover, best effort: role assignments and linked (Databricks)
  // workspaces, the latter only while what they link to is there.
  children.push_back(MachineLearningChildPolicy("roleAssignments", ParentDelete::kRecreate));
  TypePolicy linked = MachineLearningChildPolicy("linkedWorkspaces", ParentDelete::kRecreate);
  linked.dependencies = {{"properties.linkedWorkspaceResourceId", DependencyRule::Kind::kArmId}};
  linked.fields.push_back({"properties.linkedWorkspaceResourceId", JsonKind::kString, true});
  children.push_back(std::move(linked));
  return children;
}

TypePolicy KeyVaultPolicy(std::string type, std::string collection, std::string endpoint) {
  TypePolicy p;
  p.type = "Microsoft.KeyVault/" + type;
  p.api_versions = {"2026-02-01", "2025-05-01", "2024-12-01-preview", "2024-11-01",
                    "2024-04-01-preview", "2023-07-01", "2023-02-01", "2022-11-01",
                    "2022-07-01", "2022-02-01-preview", "2021-11-01-preview", "2021-10-01",
                    "2021-06-01-preview", "2021-04-01-preview", "2020-04-01-preview",
                    "2019-09-01", "2018-02-14", "2016-10-01", "2015-06-01"};
  p.name_rule = {3, 24, "[a-zA-Z0-9-]{3,24}"};
  p.soft_delete = true;
  p.retention = hours(24 * 90);
  p.retention_rule = {"properties.softDeleteRetentionInDays", 7, 90, 90, true};
  p.purge_protection_path = "properties.enablePurgeProtection";
  p.recover = RecoverMechanism::kCreateModeRecover;
  p.deleted_collection = std::move(collection);
  p.deleted_type = "Microsoft.KeyVault/" + p.deleted_collection;
  // A deleted vault's role assignments are removed and not restored by a recover.
  p.role_assignments_on_delete = ParentDelete::kHardDelete;
  p.deleted_scope = DeletedRouteScope::kLocation;
  p.deleted_shape = DeletedShape::kDeletedVault;
  p.purge_action = "purge";
  p.name_held = {StatusCode::kAlreadyExists, "ConflictError",
                 "A vault with the same name already exists in deleted state. You need to "
                 "either recover or purge existing key vault. Follow this link "
                 "https://go.microsoft.com/fwlink/?linkid=2149745 for more information on soft "
                 "delete."};
  p.nothing_to_restore = {StatusCode::kNotFound, "DeletedVaultNotFound",
                          "There is no deleted vault named '{name}' to recover."};
  p.name_scope = NameScope::kGlobal;
  p.name_taken = {StatusCode::kAlreadyExists, "VaultAlreadyExists",
                  "The vault name '{name}' is already in use. Vault names are global."};
  p.fields = {{"properties", JsonKind::kObject, true},
              {"properties.tenantId", JsonKind::kString, true},
              {"properties.sku", JsonKind::kObject, true},
              {"properties.sku.name", JsonKind::kString, true},
              {"properties.accessPolicies", JsonKind::kArray, false},
              {"properties.softDeleteRetentionInDays", JsonKind::kInteger, false},
              {"properties.enablePurgeProtection", JsonKind::kBoolean, false},
              {"properties.enableSoftDelete", JsonKind::kBoolean, false},
              {"properties.createMode", JsonKind::kString, false}};
  p.endpoint_template = std::move(endpoint);
  p.endpoint_property = "vaultUri";
  // The Python and JS SDKs call vault delete synchronously and refuse a 202.
  p.delete_synchronous_only = true;
  p.creating = {"RegisteringDns", ""};
  p.recovering = {"RegisteringDns", ""};
  return p;
}

TypePolicy StorageAccountPolicy() {
  TypePolicy p;
  p.type = "Microsoft.Storage/storageAccounts";
  p.api_versions = {"2025-06-01", "2025-01-01", "2024-01-01", "2023-05-01", "2023-04-01",
                    "2023-01-01", "2022-09-01", "2022-05-01", "2021-09-01", "2021-08-01",
                    "2021-06-01", "2021-04-01", "2021-02-01", "2021-01-01", "2019-06-01",
                    "2019-04-01"};
  p.name_rule = {3, 24, "[a-z0-9]{3,24}"};
  p.soft_delete = true;
  p.retention = hours(24 * 14);
  p.recover = RecoverMechanism::kRestoreReference;
  p.restore_reference_path = "properties.restoreReference";
  p.deleted_collection = "deletedAccounts";
  p.deleted_type = "Microsoft.Storage/deletedAccounts";
  p.deleted_scope = DeletedRouteScope::kLocation;
  p.deleted_shape = DeletedShape::kDeletedAccount;
  p.purgeable = false;
  p.name_held_while_deleted = false;
  p.nothing_to_restore = {StatusCode::kNotFound, "DeletedAccountNotFound",
                          "There is no deleted storage account named '{name}' to restore."};
  p.name_scope = NameScope::kGlobal;
  p.name_taken = {StatusCode::kAlreadyExists, "StorageAccountAlreadyTaken",
                  "The storage account named {name} is already taken."};
  p.customer_managed_key_path = "properties.encryption.keySource=Microsoft.Keyvault";
  p.dependencies = {{"properties.encryption.keyvaultproperties.keyvaulturi",
                     DependencyRule::Kind::kKeyVaultUri}};
  p.fields = {{"kind", JsonKind::kString, true},
              {"sku", JsonKind::kObject, true},
              {"sku.name", JsonKind::kString, true},
              {"properties", JsonKind::kObject, false},
              {"properties.restoreReference", JsonKind::kString, false}};
  p.create_status = 200;
  // Azure's storage create: 202 with Location, whose final answer is the account.
  p.deferred_put = DeferredPut::kAcceptedWithLocation;
  p.delete_synchronous_only = true;
  return p;
}

}  // namespace

std::vector<TypePolicy> BuiltinPolicies() {
  std::vector<TypePolicy> policies = {
      ResourceGroupPolicy(),
      CognitiveServicesAccountPolicy(),
      ApiManagementServicePolicy(),
      MachineLearningWorkspacePolicy(),
      KeyVaultPolicy("vaults", "deletedVaults", "https://{name}.vault.azure.net/"),
      KeyVaultPolicy("managedHSMs", "deletedManagedHSMs", "https://{name}.managedhsm.azure.net/"),
      StorageAccountPolicy()};
  for (TypePolicy& child : MachineLearningChildPolicies()) policies.push_back(std::move(child));
  return policies;
}

const PolicyCatalog& PolicyCatalog::Builtin() {
  static const PolicyCatalog* const kCatalog = new PolicyCatalog(BuiltinPolicies());
  return *kCatalog;
}

PolicyCatalog::PolicyCatalog(std::vector<TypePolicy> policies) : policies_(std::move(policies)) {
  name_patterns_.reserve(policies_.size());
  for (const TypePolicy& policy : policies_) {
    name_patterns_.emplace_back(policy.name_rule.pattern, std::regex::ECMAScript);
    const std::string name = policy.Namespace();
    auto ns = std::find_if(namespaces_.begin(), namespaces_.end(),
                           [&](const Namespace& n) { return EqualsIgnoreCase(n.name, name); });
    if (ns == namespaces_.end()) ns = namespaces_.insert(ns, Namespace{name, {}});
    ns->types.push_back(&policy);
  }
}

const TypePolicy* PolicyCatalog::Find(std::string_view type) const {
  for (const TypePolicy& policy : policies_) {
    if (EqualsIgnoreCase(policy.type, type)) return &policy;
  }
  return nullptr;
}

const std::vector<const TypePolicy*>& PolicyCatalog::InNamespace(
    std::string_view provider_namespace) const {
  static const std::vector<const TypePolicy*> kNone;
  for (const Namespace& ns : namespaces_) {
    if (EqualsIgnoreCase(ns.name, provider_namespace)) return ns.types;
  }
  return kNone;
}

bool PolicyCatalog::HasChildTypes(std::string_view type) const {
  for (const TypePolicy& policy : policies_) {
    if (policy.parent_type == type) return true;
  }
  return false;
}

std::vector<std::string> PolicyCatalog::Namespaces() const {
  std::vector<std::string> out;
  for (const Namespace& ns : namespaces_) out.push_back(ns.name);
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
