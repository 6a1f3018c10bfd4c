// Children: what a resource's lifecycle takes along — its child resources (a Machine
// Learning workspace's models, data stores, compute, ...) and the role assignments scoped to
// it or below — and what each transition of the parent does to them (their type's
// `on_parent_delete`, the parent's `role_assignments_on_delete`). Reads through the store;
// writes into the caller's batch, so the parent and its children move in one transaction.
#pragma once

#include <vector>

#include "reprieve/base/result.h"
#include "reprieve/core/model/resource.h"
#include "reprieve/core/policy/policy_catalog.h"
#include "reprieve/core/ports/resource_store.h"

namespace reprieve::core {

class Children {
 public:
  // `store` and `catalog` must outlive it.
  Children(ResourceStore& store, const PolicyCatalog& catalog) : store_(store), catalog_(catalog) {}

  // The live children of `parent` (every child type, and the role assignments at its scope or
  // below), or with `deleted` the soft-deleted ones.
  Result<std::vector<ResourceRecord>> Of(const ResourceRecord& parent, bool deleted) const;
  // What deleting `parent` does to `child` (a child resource or a role assignment).
  ParentDelete OnParentDelete(const ResourceRecord& parent, const ResourceRecord& child) const;
  // Appends what deleting `parent` (soft-deleted when `soft`) does to its live children:
  // soft-deleted with it, on its schedule, or removed.
  Status AppendDeletion(const ResourceRecord& parent, bool soft, Timestamp now,
                        const Principal& caller, WriteBatch& batch) const;
  // Appends the removal of every child of `parent`, live or soft-deleted.
  Status AppendRemoval(const ResourceRecord& parent, Timestamp now, WriteBatch& batch) const;

 private:
  ResourceStore& store_;
  const PolicyCatalog& catalog_;
};

}  // namespace reprieve::core
