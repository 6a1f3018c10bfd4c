#include "reprieve/core/service/children.h"

#include "reprieve/base/status_macros.h"
#include "reprieve/core/authz/role.h"
#include "reprieve/core/internal/list_all.h"
#include "reprieve/core/lifecycle/transitions.h"
#include "reprieve/core/service/access_records.h"

namespace reprieve::core {

using Kind = Expectation::Kind;

Result<std::vector<ResourceRecord>> Children::Of(const ResourceRecord& parent, bool deleted) const {
  std::vector<ResourceRecord> children;
  const auto collect = [&](ListQuery query) -> Status {
    query.state = deleted ? LifecycleState::kSoftDeleted : LifecycleState::kActive;
    query.limit = 1000;
    REPRIEVE_ASSIGN_OR_RETURN(std::vector<ResourceRecord> found,
                              internal::ListAll(store_, std::move(query)));
    for (ResourceRecord& child : found) children.push_back(std::move(child));
    return OkStatus();
  };
  // Child resources exist only under types that have child types.
  if (catalog_.HasChildTypes(parent.type)) {
    ListQuery query;
    query.key_prefix = parent.key + "/";
    REPRIEVE_RETURN_IF_ERROR(collect(std::move(query)));
  }
  // Role assignments at the resource's scope or below go the way its policy says.
  ListQuery assignments;
  assignments.type = std::string(kRoleAssignmentType);
  assignments.key_prefix = AssignmentsUnder(parent.key);
  REPRIEVE_RETURN_IF_ERROR(collect(std::move(assignments)));
  return children;
}

ParentDelete OnParentDelete(const PolicyCatalog& catalog, const ResourceRecord& parent,
                            const ResourceRecord& child) {
  if (child.type == kRoleAssignmentType) {
    const TypePolicy* parent_policy = catalog.Find(parent.type);
    return parent_policy ? parent_policy->role_assignments_on_delete : ParentDelete::kHardDelete;
  }
  const TypePolicy* policy = catalog.Find(child.type);
  return policy ? policy->on_parent_delete : ParentDelete::kHardDelete;
}

Result<std::vector<ResourceRecord>> Children::All(const ResourceRecord& parent) const {
  REPRIEVE_ASSIGN_OR_RETURN(std::vector<ResourceRecord> children, Of(parent, false));
  REPRIEVE_ASSIGN_OR_RETURN(std::vector<ResourceRecord> deleted, Of(parent, true));
  for (ResourceRecord& child : deleted) children.push_back(std::move(child));
  return children;
}

void AppendChildrenDeletion(const PolicyCatalog& catalog, const ResourceRecord& parent,
                            const std::vector<ResourceRecord>& children, bool soft,
                            Timestamp now, const Principal& caller, WriteBatch& batch) {
  for (ResourceRecord child : children) {
    if (child.state != LifecycleState::kActive) continue;
    batch.expect.push_back({child.key, Kind::kActive, child.version});
    const TypePolicy* policy = catalog.Find(child.type);
    const bool kept = soft && !child.transient &&
                      OnParentDelete(catalog, parent, child) != ParentDelete::kHardDelete;
    if (!kept) {
      core::AppendRemoval(child, policy, now, batch);
      continue;
    }
    // Soft-deleted with the parent, on the parent's schedule.
    child.state = LifecycleState::kSoftDeleted;
    child.version += 1;
    child.changed_at = now;
    child.changed_by = caller.name;
    child.changed_by_type = caller.type;
    child.deleted_at = parent.deleted_at.value_or(now);
    child.scheduled_purge_at = parent.scheduled_purge_at.value_or(now);
    batch.put.push_back(std::move(child));
  }
}

void AppendChildrenRemoval(const PolicyCatalog& catalog,
                           const std::vector<ResourceRecord>& children, Timestamp now,
                           WriteBatch& batch) {
  for (const ResourceRecord& child : children) {
    AppendRemoval(child, catalog.Find(child.type), now, batch);
  }
}

}  // namespace reprieve::core
