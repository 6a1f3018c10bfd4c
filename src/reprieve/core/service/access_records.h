// AccessRecords: where the directory (applications, service principals and their
// credentials' hashes) and Azure RBAC (role assignments, custom role definitions) are kept:
// records in the resource store, beside the resources they govern, so that a lifecycle
// change and what it does to assignments commit in one batch.
//
// Bodies are opaque JSON text written by the edge (as resources' are); what core needs of
// an assignment for a lifecycle rule it reads from the key, which embeds the scope:
//   /reprieve/rbac{lower-case scope}/providers/microsoft.authorization/roleassignments/{guid}
//   /reprieve/rbac/providers/microsoft.authorization/roledefinitions/{guid}
//   /reprieve/directory/applications/{object id}, /reprieve/directory/serviceprincipals/{id}
// and the other ARM extension resources core keeps for the edge: Event Grid's event
// subscriptions, /reprieve/eventgrid{lower-case scope}/providers/microsoft.eventgrid/...
//
// Every write bumps generation(), which readers compare to know when a snapshot they built
// (the authorization evaluator, the directory index) is stale. Safe for concurrent use.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "reprieve/base/result.h"
#include "reprieve/core/authz/role.h"
#include "reprieve/base/clock.h"
#include "reprieve/core/ports/resource_store.h"
#include "reprieve/core/service/journal.h"

namespace reprieve::core {

// Key prefix of every RBAC record; with a resource's key appended, of the assignments at or
// below that resource.
inline constexpr std::string_view kRbacKeyPrefix = "/reprieve/rbac";

// The key of the assignment `guid` at `scope` ("/" or an ARM id).
std::string RoleAssignmentKey(std::string_view scope, std::string_view guid);
// The key of the custom role definition `guid`.
std::string RoleDefinitionKey(std::string_view guid);
// The key of the directory object `object_id` of `type` (kApplicationType or
// kServicePrincipalType).
std::string DirectoryKey(std::string_view type, std::string_view object_id);
// The prefix of every assignment at or below the resource whose key is `resource_key`.
std::string AssignmentsUnder(std::string_view resource_key);

class AccessRecords {
 public:
  // With `clock` and `journal`, writes given an Invocation record their activity-log
  // entries in their own batch (role assignments and definitions are ARM resources).
  explicit AccessRecords(ResourceStore& store, const Clock* clock = nullptr,
                         Journal* journal = nullptr);

  // Creates `record` (version 1). kAlreadyExists (`conflict_code`) if its key is taken.
  Status Create(ResourceRecord record, std::string_view conflict_code,
                const Invocation* invocation = nullptr);
  // Replaces the record with its key, which must be active at `expected_version`.
  // kAborted if it moved (the caller re-reads); kNotFound if it is gone.
  Status Replace(ResourceRecord record, int64_t expected_version,
                 const Invocation* invocation = nullptr);
  // The active record with this key. kNotFound otherwise.
  Result<ResourceRecord> Get(std::string_view key);
  // Removes the record with this key. Returns false if there was none.
  Result<bool> Erase(std::string_view key, const Invocation* invocation = nullptr);
  // Active records of `type` whose keys start with `prefix`, ascending by key.
  Result<Page> List(std::string_view type, std::string_view prefix, const std::string& after,
                    int limit);

  // Increases on every write made here or reported through Changed(); never equal between
  // two instances, so a snapshot built from one is never mistaken for another's.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  // Called by other writers (lifecycle transitions) after they commit RBAC records.
  void Changed() { generation_.fetch_add(1, std::memory_order_acq_rel); }

 private:
  // Appends `invocation`'s entries on `record` to `batch`, when there is a journal.
  void Record(WriteBatch& batch, const Invocation* invocation, const ResourceRecord& record,
              std::string_view status_text) const;

  ResourceStore& store_;
  const Clock* clock_;
  Journal* journal_;
  std::atomic<uint64_t> generation_;
};

}  // namespace reprieve::core
