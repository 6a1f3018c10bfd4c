// The built-in role definitions, transcribed from Azure's published definitions
// (learn.microsoft.com, "Azure built-in roles"). Only the permissions that bear on what
// Reprieve serves change a decision here, but each list is kept as Azure publishes it so
// that `az role definition list` shows what users expect.
#include "reprieve/core/authz/role.h"

namespace reprieve::core {
namespace {

RoleDefinition BuiltIn(std::string id, std::string name, std::string description,
                       std::vector<std::string> actions,
                       std::vector<std::string> not_actions = {},
                       std::vector<std::string> data_actions = {},
                       std::vector<std::string> not_data_actions = {}) {
  RoleDefinition role;
  role.id = std::move(id);
  role.role_name = std::move(name);
  role.description = std::move(description);
  role.built_in = true;
  role.permissions.push_back(Permission{std::move(actions), std::move(not_actions),
                                        std::move(data_actions), std::move(not_data_actions)});
  role.assignable_scopes = {"/"};
  return role;
}

std::vector<RoleDefinition> MakeBuiltins() {
  std::vector<RoleDefinition> roles;
  roles.push_back(BuiltIn(kOwnerRoleId, "Owner",
                          "Grants full access to manage all resources, including the ability "
                          "to assign roles in Azure RBAC.",
                          {"*"}));
  roles.push_back(BuiltIn(kContributorRoleId, "Contributor",
                          "Grants full access to manage all resources, but does not allow you "
                          "to assign roles in Azure RBAC, manage assignments in Azure Blueprints, "
                          "or share image galleries.",
                          {"*"},
                          {"Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write",
                           "Microsoft.Authorization/elevateAccess/Action",
                           "Microsoft.Blueprint/blueprintAssignments/write",
                           "Microsoft.Blueprint/blueprintAssignments/delete",
                           "Microsoft.Compute/galleries/share/action",
                           "Microsoft.Purview/consents/write",
                           "Microsoft.Purview/consents/delete",
                           "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
                           "Microsoft.Subscription/cancel/action",
                           "Microsoft.Subscription/enable/action"}));
  roles.push_back(BuiltIn(kReaderRoleId, "Reader",
                          "View all resources, but does not allow you to make any changes.",
                          {"*/read"}));
  roles.push_back(BuiltIn("18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", "User Access Administrator",
                          "Lets you manage user access to Azure resources.",
                          {"*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"}));
  roles.push_back(BuiltIn("25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68",
                          "Cognitive Services Contributor",
                          "Lets you create, read, update, delete and manage keys of Cognitive "
                          "Services.",
                          {"Microsoft.Authorization/*/read", "Microsoft.CognitiveServices/*",
                           "Microsoft.Features/features/read",
                           "Microsoft.Features/providers/features/read",
                           "Microsoft.Features/providers/features/register/action",
                           "Microsoft.Insights/alertRules/*", "Microsoft.Insights/diagnosticSettings/*",
                           "Microsoft.Insights/logDefinitions/read",
                           "Microsoft.Insights/metricdefinitions/read",
                           "Microsoft.Insights/metrics/read",
                           "Microsoft.ResourceHealth/availabilityStatuses/read",
                           "Microsoft.Resources/deployments/*",
                           "Microsoft.Resources/deployments/operations/read",
                           "Microsoft.Resources/subscriptions/operationresults/read",
                           "Microsoft.Resources/subscriptions/read",
                           "Microsoft.Resources/subscriptions/resourceGroups/read",
                           "Microsoft.Resources/subscriptions/resourceGroups/deployments/*",
                           "Microsoft.Support/*"}));
  roles.push_back(BuiltIn("a97b65f3-24c7-4388-baec-2e87135dc908", "Cognitive Services User",
                          "Lets you read and list keys of Cognitive Services.",
                          {"Microsoft.CognitiveServices/*/read",
                           "Microsoft.CognitiveServices/accounts/listkeys/action",
                           "Microsoft.Insights/alertRules/read",
                           "Microsoft.Insights/diagnosticSettings/read",
                           "Microsoft.Insights/logDefinitions/read",
                           "Microsoft.Insights/metricdefinitions/read",
                           "Microsoft.Insights/metrics/read",
                           "Microsoft.ResourceHealth/availabilityStatuses/read",
                           "Microsoft.Resources/deployments/operations/read",
                           "Microsoft.Resources/subscriptions/operationresults/read",
                           "Microsoft.Resources/subscriptions/read",
                           "Microsoft.Resources/subscriptions/resourceGroups/read",
                           "Microsoft.Support/*"},
                          {}, {"Microsoft.CognitiveServices/*"}));
  roles.push_back(BuiltIn("312a565d-c81f-4fd8-895a-4e21e48d571c",
                          "API Management Service Contributor",
                          "Can manage service and the APIs",
                          {"Microsoft.ApiManagement/service/*",
                           "Microsoft.Authorization/*/read",
                           "Microsoft.Insights/alertRules/*",
                           "Microsoft.ResourceHealth/availabilityStatuses/read",
                           "Microsoft.Resources/deployments/*",
                           "Microsoft.Resources/subscriptions/resourceGroups/read",
                           "Microsoft.Support/*"}));
  roles.push_back(BuiltIn("f25e0fa2-a7c8-4377-a976-54943a77a395", "Key Vault Contributor",
                          "Lets you manage key vaults, but not access to them.",
                          {"Microsoft.Authorization/*/read", "Microsoft.Insights/alertRules/*",
                           "Microsoft.KeyVault/*",
                           "Microsoft.ResourceHealth/availabilityStatuses/read",
                           "Microsoft.Resources/deployments/*",
                           "Microsoft.Resources/subscriptions/resourceGroups/read",
                           "Microsoft.Support/*"},
                          {"Microsoft.KeyVault/locations/deletedVaults/purge/action",
                           "Microsoft.KeyVault/hsmPools/*", "Microsoft.KeyVault/managedHsms/*"}));
  roles.push_back(BuiltIn("a68e7c17-0ab2-4c09-9a58-125dae29748c", "Key Vault Purge Operator",
                          "Allows permanent deletion of soft-deleted vaults.",
                          {"Microsoft.Authorization/*/read",
                           "Microsoft.KeyVault/locations/deletedVaults/purge/action",
                           "Microsoft.KeyVault/deletedVaults/read",
                           "Microsoft.KeyVault/locations/deletedVaults/read",
                           "Microsoft.KeyVault/locations/operationResults/read",
                           "Microsoft.Resources/subscriptions/resourceGroups/read"}));
  roles.push_back(BuiltIn("f6c7c914-8db3-469d-8ca1-694a8f32e121", "AzureML Data Scientist",
                          "Can perform all actions within an Azure Machine Learning workspace, "
                          "except for creating or deleting compute resources and modifying the "
                          "workspace itself.",
                          {"Microsoft.MachineLearningServices/workspaces/*/read",
                           "Microsoft.MachineLearningServices/workspaces/*/action",
                           "Microsoft.MachineLearningServices/workspaces/*/delete",
                           "Microsoft.MachineLearningServices/workspaces/*/write"},
                          {"Microsoft.MachineLearningServices/workspaces/delete",
                           "Microsoft.MachineLearningServices/workspaces/write",
                           "Microsoft.MachineLearningServices/workspaces/computes/*/write",
                           "Microsoft.MachineLearningServices/workspaces/computes/*/delete",
                           "Microsoft.Authorization/*/write",
                           "Microsoft.MachineLearningServices/workspaces/computes/listKeys/action",
                           "Microsoft.MachineLearningServices/workspaces/listKeys/action",
                           "Microsoft.MachineLearningServices/workspaces/hubs/write",
                           "Microsoft.MachineLearningServices/workspaces/hubs/delete",
                           "Microsoft.MachineLearningServices/workspaces/featurestores/write",
                           "Microsoft.MachineLearningServices/workspaces/featurestores/delete"}));
  roles.push_back(BuiltIn("17d1049b-9a84-46fb-8f53-869881c3d3ab", "Storage Account Contributor",
                          "Permits management of storage accounts. Provides access to the "
                          "account key, which can be used to access data via Shared Key "
                          "authorization.",
                          {"Microsoft.Authorization/*/read", "Microsoft.Insights/alertRules/*",
                           "Microsoft.Insights/diagnosticSettings/*",
                           "Microsoft.Network/virtualNetworks/subnets/joinViaServiceEndpoint/action",
                           "Microsoft.ResourceHealth/availabilityStatuses/read",
                           "Microsoft.Resources/deployments/*",
                           "Microsoft.Resources/subscriptions/resourceGroups/read",
                           "Microsoft.Storage/storageAccounts/*", "Microsoft.Support/*"}));
  return roles;
}

}  // namespace

const std::vector<RoleDefinition>& BuiltinRoles() {
  static const std::vector<RoleDefinition> kRoles = MakeBuiltins();
  return kRoles;
}

}  // namespace reprieve::core
