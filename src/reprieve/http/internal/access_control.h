// AccessControl: who a request's caller is and what they may do. Keeps a snapshot of the
// directory (applications, service principals) and of RBAC (the core AccessEvaluator over
// built-in and custom roles and every active assignment), rebuilt from the store's access
// records whenever their generation moves, so a decision costs no store read and a change
// is seen by the next request. Internal to reprieve_http; safe for concurrent use.
#pragma once

#include <boost/json.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "reprieve/base/result.h"
#include "reprieve/core/authz/access_evaluator.h"
#include "reprieve/core/service/access_records.h"

namespace reprieve::http::internal {

// The built-in principals.
inline constexpr char kDeveloperObjectId[] = "0000de00-0000-4000-8000-000000000001";
inline constexpr char kDeveloperUpn[] = "developer@reprieve.local";
inline constexpr char kManagedIdentityObjectId[] = "0000a000-0000-4000-8000-000000000001";
inline constexpr char kManagedIdentityAppId[] = "0000a000-0000-4000-8000-000000000002";
inline constexpr char kManagedIdentityAssignmentId[] = "0000a000-0000-4000-8000-000000000003";

struct DirectorySnapshot {
  // Graph objects by lower-case object id, as stored (body), and the secrets' hashes of
  // applications (keyId → hash).
  std::unordered_map<std::string, boost::json::object> applications;
  std::unordered_map<std::string, boost::json::object> service_principals;
  std::unordered_map<std::string, std::unordered_map<std::string, std::string>> secrets;
  std::unordered_map<std::string, std::string> application_by_app_id;        // appId → id
  std::unordered_map<std::string, std::string> service_principal_by_app_id;  // appId → id
};

struct AccessSnapshot {
  core::AccessEvaluator evaluator;
  DirectorySnapshot directory;
  std::vector<core::ResourceRecord> assignment_records;  // every active assignment, by key
  std::vector<core::ResourceRecord> custom_roles;        // every custom role definition
  uint64_t generation = 0;
};

class AccessControl {
 public:
  // `developer_is_owner`: dev mode, where the built-in developer principal is Owner at root.
  AccessControl(core::AccessRecords& records, bool developer_is_owner);

  // The current snapshot, rebuilt first if the records changed since it was built.
  // kUnavailable if the store cannot be read.
  Result<std::shared_ptr<const AccessSnapshot>> Current();

 private:
  Result<std::shared_ptr<const AccessSnapshot>> CurrentLocked(uint64_t generation);
  Result<std::shared_ptr<const AccessSnapshot>> Build(uint64_t generation);

  core::AccessRecords& records_;
  const bool developer_is_owner_;
  std::mutex mu_;
  std::shared_ptr<const AccessSnapshot> current_;
};

// ok if `principal` holds `action` at every one of `linked_scopes` (the scopes a request
// at `scope` also reaches, such as a custom role's assignable scopes); else 403
// LinkedAuthorizationFailed, Azure's answer, naming the first it lacks.
Status RequireLinkedScopes(const AccessSnapshot& snapshot, std::string_view client,
                           std::string_view principal, const std::string& action,
                           const std::string& scope,
                           const std::vector<std::string>& linked_scopes);

// Decoding of the stored bodies.
core::RoleAssignment AssignmentFromRecord(const core::ResourceRecord& record);
core::RoleDefinition DefinitionFromRecord(const core::ResourceRecord& record);

// The GUID at the end of a role definition id ("/subscriptions/.../roleDefinitions/{guid}").
std::string RoleGuid(std::string_view role_definition_id);

// Creates, if missing, the managed identity's service principal and its Owner assignment
// at root scope.
Status EnsureManagedIdentity(core::AccessRecords& records, const std::string& tenant,
                             Timestamp now);

}  // namespace reprieve::http::internal
