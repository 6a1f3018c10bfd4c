#include "reprieve/http/internal/access_control.h"

#include "reprieve/base/status_macros.h"
#include "reprieve/base/strings.h"
#include "reprieve/core/model/resource.h"
#include "reprieve/http/internal/wire.h"

namespace reprieve::http::internal {
namespace json = boost::json;
namespace {

json::object ParseBody(const core::ResourceRecord& record) {
  std::error_code ec;
  json::value value = json::parse(record.body, ec);
  return !ec && value.is_object() ? std::move(value.as_object()) : json::object();
}

std::vector<std::string> Strings(const json::value* array) {
  std::vector<std::string> out;
  if (array == nullptr || !array->is_array()) return out;
  for (const json::value& item : array->as_array()) {
    if (item.is_string()) out.emplace_back(item.as_string());
  }
  return out;
}

// Every active record of `type`, through all pages.
Result<std::vector<core::ResourceRecord>> All(core::AccessRecords& records,
                                              std::string_view type, std::string_view prefix) {
  std::vector<core::ResourceRecord> out;
  std::string after;
  while (true) {
    REPRIEVE_ASSIGN_OR_RETURN(core::Page page, records.List(type, prefix, after, 1000));
    for (core::ResourceRecord& record : page.items) out.push_back(std::move(record));
    if (page.next_after.empty()) return out;
    after = page.next_after;
  }
}

}  // namespace

Status RequireLinkedScopes(const AccessSnapshot& snapshot, std::string_view client,
                           std::string_view principal, const std::string& action,
                           const std::string& scope,
                           const std::vector<std::string>& linked_scopes) {
  for (const std::string& linked : linked_scopes) {
    if (snapshot.evaluator.Evaluate(principal, action, linked).allowed) continue;
    return PermissionDeniedError(
               "The client '" + std::string(client) + "' with object id '" +
               std::string(principal) + "' has permission to perform action '" + action +
               "' on scope '" + scope + "'; however, it does not have permission to perform "
               "action(s) '" + action + "' on the linked scope(s) '" + linked +
               "' (respectively) or the linked scope(s) are invalid.")
        .WithArmCode("LinkedAuthorizationFailed");
  }
  return OkStatus();
}

std::string RoleGuid(std::string_view role_definition_id) {
  const size_t slash = role_definition_id.rfind('/');
  return AsciiLower(slash == std::string_view::npos ? role_definition_id
                                                    : role_definition_id.substr(slash + 1));
}

core::RoleAssignment AssignmentFromRecord(const core::ResourceRecord& record) {
  const json::object body = ParseBody(record);
  core::RoleAssignment assignment;
  assignment.id = AsciiLower(record.name);
  assignment.scope = TextOf(body, "scope");
  assignment.role_definition_id = RoleGuid(TextOf(body, "roleDefinitionId"));
  assignment.principal_id = AsciiLower(TextOf(body, "principalId"));
  const std::string type = TextOf(body, "principalType");
  assignment.principal_kind = type == "User"    ? core::PrincipalKind::kUser
                              : type == "Group" ? core::PrincipalKind::kGroup
                                                : core::PrincipalKind::kServicePrincipal;
  return assignment;
}

core::RoleDefinition DefinitionFromRecord(const core::ResourceRecord& record) {
  const json::object body = ParseBody(record);
  core::RoleDefinition role;
  role.id = AsciiLower(record.name);
  role.role_name = TextOf(body, "roleName");
  role.description = TextOf(body, "description");
  role.built_in = false;
  if (const json::value* permissions = body.if_contains("permissions");
      permissions && permissions->is_array()) {
    for (const json::value& block : permissions->as_array()) {
      if (!block.is_object()) continue;
      const json::object& b = block.as_object();
      role.permissions.push_back(core::Permission{
          Strings(b.if_contains("actions")), Strings(b.if_contains("notActions")),
          Strings(b.if_contains("dataActions")), Strings(b.if_contains("notDataActions"))});
    }
  }
  role.assignable_scopes = Strings(body.if_contains("assignableScopes"));
  return role;
}

AccessControl::AccessControl(core::AccessRecords& records, bool developer_is_owner)
    : records_(records), developer_is_owner_(developer_is_owner) {}

Result<std::shared_ptr<const AccessSnapshot>> AccessControl::Current() {
  const uint64_t generation = records_.generation();
  // Each thread keeps the snapshot it last used: every request asks, and the answer
  // changes only when an access record does.
  struct Held {
    const AccessControl* owner = nullptr;
    std::shared_ptr<const AccessSnapshot> snapshot;
  };
  thread_local Held held;
  if (held.owner == this && held.snapshot && held.snapshot->generation == generation) {
    return held.snapshot;
  }
  auto fresh = CurrentLocked(generation);
  if (fresh.has_value()) held = Held{this, *fresh};
  return fresh;
}

Result<std::shared_ptr<const AccessSnapshot>> AccessControl::CurrentLocked(uint64_t generation) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (current_ && current_->generation == generation) return current_;
  }
  REPRIEVE_ASSIGN_OR_RETURN(std::shared_ptr<const AccessSnapshot> built, Build(generation));
  std::lock_guard<std::mutex> lock(mu_);
  if (!current_ || current_->generation < built->generation) current_ = built;
  return current_;
}

Result<std::shared_ptr<const AccessSnapshot>> AccessControl::Build(uint64_t generation) {
  std::vector<core::RoleDefinition> definitions = core::BuiltinRoles();
  REPRIEVE_ASSIGN_OR_RETURN(const auto custom_roles,
                            All(records_, core::kRoleDefinitionType, core::kRbacKeyPrefix));
  for (const core::ResourceRecord& record : custom_roles) {
    definitions.push_back(DefinitionFromRecord(record));
  }
  std::vector<core::RoleAssignment> assignments;
  REPRIEVE_ASSIGN_OR_RETURN(const auto assignment_records,
                            All(records_, core::kRoleAssignmentType, core::kRbacKeyPrefix));
  for (const core::ResourceRecord& record : assignment_records) {
    assignments.push_back(AssignmentFromRecord(record));
  }
  if (developer_is_owner_) {
    core::RoleAssignment developer;
    developer.id = "developer";
    developer.scope = "/";
    developer.role_definition_id = core::kOwnerRoleId;
    developer.principal_id = kDeveloperObjectId;
    developer.principal_kind = core::PrincipalKind::kUser;
    assignments.push_back(std::move(developer));
  }
  DirectorySnapshot directory;
  REPRIEVE_ASSIGN_OR_RETURN(const auto apps,
                            All(records_, core::kApplicationType, "/reprieve/directory/"));
  for (const core::ResourceRecord& record : apps) {
    json::object body = ParseBody(record);
    const std::string id = AsciiLower(TextOf(body, "id"));
    directory.application_by_app_id[AsciiLower(TextOf(body, "appId"))] = id;
    std::error_code ec;
    const json::value secrets = json::parse(record.secrets.empty() ? "{}" : record.secrets, ec);
    auto& hashes = directory.secrets[id];
    if (!ec && secrets.is_object()) {
      for (const auto& member : secrets.as_object()) {
        if (member.value().is_string()) {
          hashes[std::string(member.key())] = std::string(member.value().as_string());
        }
      }
    }
    directory.applications.emplace(id, std::move(body));
  }
  REPRIEVE_ASSIGN_OR_RETURN(const auto sps,
                            All(records_, core::kServicePrincipalType, "/reprieve/directory/"));
  for (const core::ResourceRecord& record : sps) {
    json::object body = ParseBody(record);
    const std::string id = AsciiLower(TextOf(body, "id"));
    directory.service_principal_by_app_id[AsciiLower(TextOf(body, "appId"))] = id;
    directory.service_principals.emplace(id, std::move(body));
  }
  return std::make_shared<const AccessSnapshot>(
      AccessSnapshot{core::AccessEvaluator(std::move(definitions), std::move(assignments)),
                     std::move(directory), assignment_records, custom_roles, generation});
}

Status EnsureManagedIdentity(core::AccessRecords& records, const std::string& tenant,
                             Timestamp now) {
  const std::string sp_key = core::DirectoryKey(core::kServicePrincipalType, kManagedIdentityObjectId);
  auto existing = records.Get(sp_key);
  if (!existing.has_value() && existing.status().code() != StatusCode::kNotFound) {
    return existing.status();
  }
  const std::string stamp = FormatRfc3339(now);
  if (!existing.has_value()) {
    core::ResourceRecord sp;
    sp.key = sp_key;
    sp.id = sp_key;
    sp.type = std::string(core::kServicePrincipalType);
    sp.name = kManagedIdentityObjectId;
    sp.created_at = sp.changed_at = now;
    sp.body = json::serialize(json::object{
        {"id", kManagedIdentityObjectId},
        {"appId", kManagedIdentityAppId},
        {"displayName", "Reprieve managed identity"},
        {"servicePrincipalType", "ManagedIdentity"},
        {"servicePrincipalNames", json::array{kManagedIdentityAppId}},
        {"accountEnabled", true},
        {"appOwnerOrganizationId", tenant},
        {"createdDateTime", stamp}});
    const Status created = records.Create(std::move(sp), "Conflict");
    if (!created.ok() && created.code() != StatusCode::kAlreadyExists) return created;
  }
  const std::string assignment_key = core::RoleAssignmentKey("/", kManagedIdentityAssignmentId);
  auto assignment = records.Get(assignment_key);
  if (assignment.has_value()) return OkStatus();
  if (assignment.status().code() != StatusCode::kNotFound) return assignment.status();
  core::ResourceRecord record;
  record.key = assignment_key;
  record.id = std::string("/providers/Microsoft.Authorization/roleAssignments/") +
              kManagedIdentityAssignmentId;
  record.type = std::string(core::kRoleAssignmentType);
  record.name = kManagedIdentityAssignmentId;
  record.created_at = record.changed_at = now;
  record.body = json::serialize(json::object{
      {"scope", "/"},
      {"roleDefinitionId",
       std::string("/providers/Microsoft.Authorization/roleDefinitions/") + core::kOwnerRoleId},
      {"principalId", kManagedIdentityObjectId},
      {"principalType", "ServicePrincipal"},
      {"description", "The bootstrap administrator: Owner at root scope."},
      {"createdOn", stamp},
      {"updatedOn", stamp},
      {"createdBy", nullptr},
      {"updatedBy", nullptr}});
  const Status created = records.Create(std::move(record), "RoleAssignmentExists");
  return created.code() == StatusCode::kAlreadyExists ? OkStatus() : created;
}

}  // namespace reprieve::http::internal
