// Children: what a resource's lifecycle takes along — its child resources (a Machine
// Learning workspace's models, data stores, compute, ...) and the role assignments scoped to
// it or below — and what each transition of the parent does to them (their type's
// `on_parent_delete`, the parent's `role_assignments_on_delete`). Of() reads them for a
// transition's snapshot; the rest is pure and writes into the transition's batch, so the
// parent and its children move in one transaction.
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
  // The children of `parent` in both states, live ones first.
  Result<std::vector<ResourceRecord>> All(const ResourceRecord& parent) const;

 private:
  ResourceStore& store_;
  const PolicyCatalog& catalog_;
};

// What deleting `parent` does to `child` (a child resource or a role assignment).
ParentDelete OnParentDelete(const PolicyCatalog& catalog, const ResourceRecord& parent,
                            const ResourceRecord& child);
// Appends what deleting `parent` (soft-deleted when `soft`) does to the live ones of
// `children`: soft-deleted with it, on its schedule, or removed.
void AppendChildrenDeletion(const PolicyCatalog& catalog, const ResourceRecord& parent,
                            const std::vector<ResourceRecord>& children, bool soft,
                            Timestamp now, const Principal& caller, WriteBatch& batch);
// Appends the removal of every one of `children`.
void AppendChildrenRemoval(const PolicyCatalog& catalog,
                           const std::vector<ResourceRecord>& children, Timestamp now,
                           WriteBatch& batch);

}  // namespace reprieve::core
