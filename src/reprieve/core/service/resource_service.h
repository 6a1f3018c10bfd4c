// ResourceService: ARM semantics for PUT / GET / PATCH / DELETE / LIST / recover / purge of
// resources and the delete of resource groups, over the ResourceStore port: the runner of
// the lifecycle's planners (core/lifecycle/planners.h). Each transition loads the snapshot
// its planner reads, plans, and commits the plan as one store transaction guarded by the
// state it was planned from; when a guard fails because another request won the race, it
// loads and plans again, so a request either takes effect completely or is answered with
// the error its loser's view implies (never half-applied). Tenancy (subscriptions, groups,
// features) is tenancy()'s; access keys are core/service/access_keys.
//
// Safe for concurrent use. Holds references: the store, clock, random source and catalog
// must outlive it.
#pragma once

#include <functional>
#include <mutex>
#include <set>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "reprieve/base/clock.h"
#include "reprieve/base/random.h"
#include "reprieve/base/result.h"
#include "reprieve/core/events/lifecycle_events.h"
#include "reprieve/core/model/resource.h"
#include "reprieve/core/model/operation.h"
#include "reprieve/core/model/resource_id.h"
#include "reprieve/core/operations/operation_schedule.h"
#include "reprieve/core/policy/policy_catalog.h"
#include "reprieve/core/ports/resource_store.h"
#include "reprieve/core/ports/telemetry.h"
#include "reprieve/core/service/access_records.h"
#include "reprieve/core/service/children.h"
#include "reprieve/core/service/invocation.h"
#include "reprieve/core/service/journal.h"
#include "reprieve/core/service/tenancy.h"
#include "reprieve/core/service/access_keys.h"
#include "reprieve/core/lifecycle/planners.h"

namespace reprieve::core {

struct GroupDeleteOutcome {
  int deleted = 0;       // resources removed for good
  int soft_deleted = 0;  // resources moved to the soft-deleted state
  std::optional<OperationRecord> operation;  // finished with it, when one was given
};

// Addresses a soft-deleted resource the way its deleted-resource route does.
struct DeletedRef {
  std::string subscription;
  std::string location;
  std::string resource_group;  // empty for location-scoped routes
  std::string name;
  bool any_location = false;   // kResourceGroup routes name no location
};

class ResourceService {
 public:
  // `purge_warning`: how long before a scheduled purge its PurgeScheduled event is due.
  // `telemetry` (not owned; null: none) hears of every transition committed.
  ResourceService(ResourceStore& store, const Clock& clock, RandomSource& random,
                  const PolicyCatalog& catalog,
                  Duration purge_warning = std::chrono::hours(24),
                  Telemetry* telemetry = nullptr);

  const PolicyCatalog& catalog() const { return catalog_; }
  ResourceStore& store() const { return store_; }
  // The directory and RBAC records, kept in the same store (lifecycle transitions move the
  // role assignments of what they change).
  AccessRecords& access() { return access_; }
  const Clock& clock() const { return clock_; }

  // Tenants, subscriptions, resource groups and feature enrolment.
  Tenancy& tenancy() { return tenancy_; }

  // ---- resource groups ----
  // Deletes the group and everything in it: soft-delete types become soft-deleted and stay
  // recoverable once a group of that name exists again; others are removed. Already
  // soft-deleted resources keep their schedule. kNotFound if the group does not exist.
  Result<GroupDeleteOutcome> DeleteResourceGroup(const std::string& subscription,
                                                 const std::string& name, const Principal& caller,
                                                 std::optional<Invocation> operation);

  // ---- long-running operations ----
  // The operation with this id; one in progress whose end has come is finished first, so
  // a poll sees the operation end exactly when the clock passes its end. kNotFound if unknown.
  Result<OperationRecord> GetOperation(const std::string& id);
  // Finishes the operations in progress whose end has come (at most `limit`), each in one
  // transaction with its effect; returns how many it finished.
  Result<int> RunDueOperations(int limit);

  // ---- resources ----
  // Create, update (replace) or recover. Errors: kInvalidArgument (bad name),
  // kNotFound (SubscriptionNotFound / ResourceGroupNotFound / nothing_to_restore),
  // the type's name_held error while the name is soft-deleted, kAlreadyExists
  // (InvalidResourceLocation) when an update changes the location.
  Result<PutOutcome> Put(const PutRequest& request);
  // The live resource. kNotFound (ResourceNotFound, or ResourceGroupNotFound) otherwise,
  // including while it is soft-deleted.
  Result<ResourceRecord> Get(const ResourceId& id);
  // PATCH: applies `change` to the live resource (or group) and writes the result. If another
  // write wins the race, re-reads and applies `change` again. kNotFound as Get / GetResourceGroup;
  // whatever `change` fails with.
  Result<ResourceRecord> Modify(
      const ResourceId& id, const std::function<Result<BodyChange>(const ResourceRecord&)>& change,
      const Principal& caller, const Invocation* invocation = nullptr);  // Soft-deletes the live resource, or removes it for good when the
                                 // type's policy says so
  // for this request (api-version, force purge, CMK, feature enrolment). With force purge a
  // soft-deleted resource is purged. kInvalidArgument if dependents are to be deleted
  // without a permanent delete.
  Result<DeleteOutcome> Delete(const DeleteRequest& request);
  // Live children of `parent` of a child type. kNotFound if the parent is not live.
  Result<Page> ListChildren(const TypePolicy& policy, const ResourceId& parent,
                            const std::string& after, int limit);
  // Live resources of `type` in the subscription, or in one group when `resource_group`
  // is set.
  Result<Page> ListActive(const TypePolicy& policy, const std::string& subscription,
                          const std::optional<std::string>& resource_group,
                          const std::string& after, int limit);

  // ---- soft-deleted resources ----
  // Soft-deleted resources of `type` in the subscription, or in one group (which may be
  // gone) when `resource_group` is set.
  Result<Page> ListDeleted(const TypePolicy& policy, const std::string& subscription,
                           const std::optional<std::string>& resource_group,
                           const std::string& after, int limit);
  // kNotFound if no soft-deleted resource of the type matches `ref`.
  Result<ResourceRecord> GetDeleted(const TypePolicy& policy, const DeletedRef& ref);
  // ok if a recover of the soft-deleted `deleted` by `caller` would be accepted now; else the
  // error it would be answered with (its group gone, a dependency still deleted, the name
  // taken, an operation running on it). Plans the recover and commits nothing.
  Status RecoverRefusal(const ResourceRecord& deleted, const Principal& caller);
  // Removes the soft-deleted resource for good. kNotFound if there is none;
  // kFailedPrecondition while purge protection holds it.
  // kConflict while the resource's delete is still running.
  Result<PurgeOutcome> Purge(const TypePolicy& policy, const DeletedRef& ref,
                             std::optional<Invocation> operation);

  // ---- access keys ----
  Result<AccessKeys> ListKeys(const ResourceId& id);
  // kInvalidArgument if the type has no key of that name (case-insensitive).
  Result<AccessKeys> RegenerateKey(const ResourceId& id, const std::string& key_name,
                                   const Principal& caller,
                                   const Invocation* invocation = nullptr);

  // ---- the activity log ----
  // Records a mutation refused before it changed anything (Started, then Failed with
  // `error`), on `resource_id`; `status_text` is the HTTP status it was answered with.
  Status RecordRefusal(const Invocation& invocation, const std::string& resource_id,
                       const Status& error, std::string_view status_text);

 private:
  const TypePolicy& PolicyFor(const ResourceId& id) const;
  // The record with `key`, or nullopt if there is none.
  Result<std::optional<ResourceRecord>> Find(const std::string& key);
  // The snapshot's name record (and the resource it names, when another) for `name`.
  Status LoadName(const TypePolicy& policy, const std::string& name, const std::string& key,
                  Snapshot& snapshot);
  // What each dependency of `record` resolves to now, appended to the snapshot.
  Status LoadDependencies(const ResourceRecord& record, Snapshot& snapshot);
  Result<PutOutcome> PutOnce(const PutRequest& request, const TypePolicy& policy);
  // The records a PUT of `request` reads.
  Result<Snapshot> PutSnapshot(const PutRequest& request, const TypePolicy& policy);
  // `finishing`: the running delete operation this call ends (its marker is expected).
  Result<DeleteOutcome> DeleteOnce(const DeleteRequest& request,
                                   const OperationRecord* finishing = nullptr);
  Result<PurgeOutcome> PurgeOnce(const TypePolicy& policy, const ResourceRecord& record,
                                 const std::optional<Invocation>& start,
                                 const OperationRecord* finishing);
  // kConflict while `ref` names a live resource whose delete is running.
  Status RefuseWhileDeleting(const TypePolicy& policy, const DeletedRef& ref);
  // ok if no operation is running on `record`. A running one answers kConflict; one whose end
  // has come is finished here and kAborted returned, so the caller decides again.
  Status RefusePending(const ResourceRecord& record);
  // Ends `op` (in progress, its end come): its effect and terminal status in one
  // transaction. ok if another caller ended it first.
  Status FinishOperation(const OperationRecord& op);
  // Ends `op` Failed with `error` (Canceled if `canceled`), unmarking its resource.
  Status EndOperation(const OperationRecord& op, OperationStatus status, const Status& error);
  // `record` as stored, with any operation due on it finished first.
  Result<ResourceRecord> Settled(Result<ResourceRecord> record);
  // Applies `batch` and, when it moved access records, tells access() they changed. Events
  // due now in a subscription no event subscription listens to are left out: Event Grid
  // delivers only what happens while a subscription exists, and most servers have none.
  Status Commit(WriteBatch batch);
  // Whether `subscription` (lower-case) has an event subscription, from a set rebuilt when
  // the access records (event subscriptions are some) move.
  Result<bool> Subscribed(const std::string& subscription);
  Result<GroupDeleteOutcome> DeleteGroupOnce(const ResourceId& group, const Principal& caller,
                                             const std::optional<Invocation>& operation);

  ResourceStore& store_;
  const Clock& clock_;
  RandomSource& random_;
  const PolicyCatalog& catalog_;
  Telemetry& telemetry_;
  Journal journal_;  // before access_, which records through it
  LifecycleEvents events_;
  AccessRecords access_;
  Children children_;
  Tenancy tenancy_;
  Planner planner_;
  std::mutex subscribed_mu_;
  uint64_t subscribed_generation_ = 0;     // guarded by subscribed_mu_
  bool subscribed_built_ = false;          // guarded by subscribed_mu_
  std::set<std::string> subscribed_;       // guarded by subscribed_mu_
};

// Status messages ARM uses, shared with the HTTP layer's tests.
Status ResourceNotFound(const ResourceId& id);

}  // namespace reprieve::core
