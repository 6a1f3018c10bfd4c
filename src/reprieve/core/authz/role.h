// Azure RBAC's vocabulary as core sees it: role definitions (what a role permits) and role
// assignments (who holds a role, at which scope). Plain values; the decision over them is
// access_evaluator.h's.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "reprieve/base/time.h"

namespace reprieve::core {

// One permission block of a role definition, as ARM spells it.
struct Permission {
  std::vector<std::string> actions;
  std::vector<std::string> not_actions;
  std::vector<std::string> data_actions;
  std::vector<std::string> not_data_actions;

  bool operator==(const Permission&) const = default;
};

struct RoleDefinition {
  std::string id;         // lower-case GUID: the definition's name
  std::string role_name;  // "Contributor"
  std::string description;
  bool built_in = true;   // BuiltInRole; false: CustomRole
  std::vector<Permission> permissions;
  std::vector<std::string> assignable_scopes;  // "/" for the built-ins

  bool operator==(const RoleDefinition&) const = default;
};

// What kind of directory object a principal is (the assignment's principalType).
enum class PrincipalKind { kUser, kServicePrincipal, kGroup };

struct RoleAssignment {
  std::string id;                  // lower-case GUID: the assignment's name
  std::string scope;               // ARM scope with the caller's casing: "/", "/subscriptions/..."
  std::string role_definition_id;  // lower-case GUID of the definition
  std::string principal_id;        // lower-case GUID: the principal's object id
  PrincipalKind principal_kind = PrincipalKind::kServicePrincipal;
  std::string description;
  Timestamp created_at{};
  Timestamp updated_at{};
  std::string created_by;  // object id of the principal that wrote it
  std::string updated_by;

  bool operator==(const RoleAssignment&) const = default;
};

// The record types the directory and RBAC are stored as (see service/access_records.h).
inline constexpr std::string_view kRoleAssignmentType = "Microsoft.Authorization/roleAssignments";
inline constexpr std::string_view kRoleDefinitionType = "Microsoft.Authorization/roleDefinitions";
inline constexpr std::string_view kApplicationType = "Microsoft.Graph/applications";
inline constexpr std::string_view kServicePrincipalType = "Microsoft.Graph/servicePrincipals";

// The built-in roles Reprieve knows, with Azure's GUIDs and permissions.
const std::vector<RoleDefinition>& BuiltinRoles();

// The GUIDs of the built-ins that core's rules refer to.
inline constexpr char kOwnerRoleId[] = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
inline constexpr char kContributorRoleId[] = "b24988ac-6180-42a0-ab88-20f7382dd24c";
inline constexpr char kReaderRoleId[] = "acdd72a7-3385-48ef-bd42-f606fba81ae7";

}  // namespace reprieve::core
