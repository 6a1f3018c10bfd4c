// ResourceService: ARM semantics for PUT / GET / PATCH / DELETE / LIST / recover / purge of
// resources, resource groups, subscriptions and tenants, over the ResourceStore port.
//
// Every lifecycle transition is one store transaction guarded by the state it starts from
// (see ports/resource_store.h); when a guard fails because another request won the race, the
// service re-reads and decides again, so a request either takes effect completely or is
// answered with the error its loser's view implies (never half-applied).
//
// Safe for concurrent use. Holds references: the store, clock, random source and catalog
// must outlive it.
#pragma once

#include <functional>
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
#include "reprieve/core/service/access_records.h"
#include "reprieve/core/service/children.h"
#include "reprieve/core/service/invocation.h"
#include "reprieve/core/service/journal.h"
#include "reprieve/core/service/names.h"

namespace reprieve::core {

// Lifecycle facts the edge read from a request body, where the type's policy points.
struct ResourceFacts {
  std::optional<Duration> retention;    // the retention property, when given
  std::optional<bool> purge_protected;  // the purge protection property, when given
  bool customer_managed_key = false;
  bool transient = false;
  std::vector<std::string> dependencies;  // see ResourceRecord::dependencies
};

struct PutRequest {
  ResourceId id;
  std::string location;
  std::string body;      // JSON object text: the caller-owned envelope to store
  bool restore = false;  // the type's recover signal was set (properties.restore / createMode)
  std::string restore_reference;  // kRestoreReference: the reference the caller named
  Principal caller;
  // Creates and recovers are operations (an update of a live resource is not).
  std::optional<Invocation> operation;
  ResourceFacts facts;
};

// What a PATCH makes of the current record: its new body, and for a resource the facts the
// policy reads from it.
struct BodyChange {
  std::string body;
  std::optional<ResourceFacts> facts;
};

struct DeleteRequest {
  ResourceId id;
  Principal caller;
  std::optional<Invocation> operation;
  std::string api_version;         // types that soft-delete only from some version on
  bool force_purge = false;        // the type's force-purge parameter was true
  bool delete_dependents = false;  // the type's delete-dependents parameter was true
};

struct PutOutcome {
  enum class Kind { kCreated, kUpdated, kRestored };
  ResourceRecord record;
  Kind kind = Kind::kCreated;
  // A restore: the children that came back, those re-created, and those that could not be
  // (id, why).
  std::vector<std::string> restored_children = {};
  std::vector<std::string> recreated_children = {};
  std::vector<std::pair<std::string, std::string>> not_recreated_children = {};
  // The operation committed with it (a create or recover that was given one).
  std::optional<OperationRecord> operation = std::nullopt;
};

struct DeleteOutcome {
  bool existed = false;       // false: nothing live had this id (ARM answers 204)
  bool soft_deleted = false;  // true: the record is now soft-deleted, not gone
  std::optional<ResourceRecord> record;
  std::vector<std::string> dependents_deleted;  // ids deleted with it (delete_dependents)
  std::optional<OperationRecord> operation;     // committed with it, when one was given
};

struct PurgeOutcome {
  std::optional<OperationRecord> operation;  // committed with it, when one was given
};

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

using AccessKeys = std::vector<std::pair<std::string, std::string>>;  // (name, value)

class ResourceService {
 public:
  // `purge_warning`: how long before a scheduled purge its PurgeScheduled event is due.
  ResourceService(ResourceStore& store, const Clock& clock, RandomSource& random,
                  const PolicyCatalog& catalog,
                  Duration purge_warning = std::chrono::hours(24));

  const PolicyCatalog& catalog() const { return catalog_; }
  ResourceStore& store() const { return store_; }
  // The directory and RBAC records, kept in the same store (lifecycle transitions move the
  // role assignments of what they change).
  AccessRecords& access() { return access_; }
  const Clock& clock() const { return clock_; }

  // ---- tenants and subscriptions ----
  // Creates or replaces a tenant / subscription record. `body` is the wire document.
  // PutSubscription: kNotFound (TenantNotFound) if the tenant does not exist.
  Result<PutOutcome> PutTenant(const std::string& tenant_id, const std::string& body);
  Result<PutOutcome> PutSubscription(const std::string& subscription_id,
                                     const std::string& tenant_id, const std::string& body);
  // kNotFound (SubscriptionNotFound) if absent.
  Result<ResourceRecord> GetSubscription(const std::string& subscription_id);
  Result<Page> ListSubscriptions(const std::string& after, int limit);
  Result<Page> ListTenants(const std::string& after, int limit);

  // ---- resource groups ----
  Result<PutOutcome> PutResourceGroup(const std::string& subscription, const std::string& name,
                                      const std::string& location, const std::string& body,
                                      const Principal& caller,
                                      const Invocation* invocation = nullptr);
  // kNotFound (ResourceGroupNotFound).
  Result<ResourceRecord> GetResourceGroup(const std::string& subscription,
                                          const std::string& name);
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
  Result<Page> ListResourceGroups(const std::string& subscription, const std::string& after,
                                  int limit);

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
  // Removes the soft-deleted resource for good. kNotFound if there is none;
  // kFailedPrecondition while purge protection holds it.
  // kConflict while the resource's delete is still running.
  Result<PurgeOutcome> Purge(const TypePolicy& policy, const DeletedRef& ref,
                             std::optional<Invocation> operation);

  // ---- preview features (Microsoft.Features) ----
  // Enrols / withdraws the subscription. kNotFound (FeatureNotFound) for a feature no type
  // of the catalog has.
  Status SetFeature(const std::string& subscription, const std::string& provider_namespace,
                    const std::string& feature, bool registered,
                    const Invocation* invocation = nullptr);
  // Whether the subscription is enrolled. kNotFound (FeatureNotFound) as above.
  Result<bool> FeatureRegistered(const std::string& subscription,
                                 const std::string& provider_namespace,
                                 const std::string& feature);
  // "Namespace/feature" of every feature the catalog's types use.
  std::vector<std::string> KnownFeatures() const;

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
  // Writes `change` over `current`, guarded by its version (kAborted if it moved).
  Result<ResourceRecord> Update(const ResourceRecord& current, const BodyChange& change,
                                const Principal& caller, const Invocation* invocation);
  // Creates `fresh` (version 1) or replaces the body of the active record with its key,
  // guarded by `also_expect`; `check`, if set, may refuse the update of an existing record.
  Result<PutOutcome> Upsert(const ResourceRecord& fresh, const std::string& body,
                            const Principal& caller, const std::vector<Expectation>& also_expect,
                            const std::function<Status(const ResourceRecord&)>& check,
                            const Invocation* invocation = nullptr);
  Status RequireSubscription(const std::string& subscription);
  Result<ResourceRecord> RequireGroup(const ResourceId& id);
  Result<PutOutcome> PutOnce(const PutRequest& request, const TypePolicy& policy);
  // `finishing`: the running delete operation this call ends (its marker is expected).
  Result<DeleteOutcome> DeleteOnce(const DeleteRequest& request,
                                   const OperationRecord* finishing = nullptr);
  Result<PurgeOutcome> PurgeOnce(const TypePolicy& policy, const ResourceRecord& record,
                                 const std::optional<Invocation>& start,
                                 const OperationRecord* finishing);
  // Commits `op` (deferred) and, while it runs, its marker on `record` (in state `expected`).
  Status BeginOperation(const OperationRecord& op, const ResourceRecord& record,
                        Expectation::Kind expected, const Invocation& invocation);
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
  // Whether deleting `record` now keeps it soft-deleted.
  Result<bool> SoftDeletes(const TypePolicy& policy, const ResourceRecord& record,
                           const DeleteRequest& request);
  // ok if every dependency of `record` is active; else the error naming the first that is not.
  Status RequireDependencies(const ResourceRecord& record);
  Status ValidateFacts(const TypePolicy& policy, const ResourceFacts& facts,
                       const ResourceRecord* existing);
  // Applies `batch` and, when it moved RBAC records, tells access() they changed.
  Status Commit(const WriteBatch& batch);
  // kFailedPrecondition (PurgeProtected) while `record`'s purge protection holds at `now`.
  static Status RefusePurgeWhileProtected(const ResourceRecord& record, Timestamp now);
  Result<GroupDeleteOutcome> DeleteGroupOnce(const ResourceId& group, const Principal& caller,
                                             const std::optional<Invocation>& operation);
  Result<AccessKeys> KeysOf(const ResourceRecord& record) const;
  std::string NewEtag();
  std::string NewSecrets(const TypePolicy& policy);

  ResourceStore& store_;
  const Clock& clock_;
  RandomSource& random_;
  const PolicyCatalog& catalog_;
  Journal journal_;  // before access_, which records through it
  LifecycleEvents events_;
  AccessRecords access_;
  Children children_;
  Names names_;
};

// The reference a soft-deleted record is restored by (RecoverMechanism::kRestoreReference):
// "{name}|{deletion time}".
std::string RestoreReference(const ResourceRecord& record);

// Status messages ARM uses, shared with the HTTP layer's tests.
Status ResourceNotFound(const ResourceId& id);
Status ResourceGroupNotFound(const std::string& name);
Status SubscriptionNotFound(const std::string& subscription);

}  // namespace reprieve::core
