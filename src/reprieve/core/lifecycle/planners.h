// The lifecycle's transitions as pure planners: create, update, recover, delete (soft or
// hard) and purge each map a snapshot of the records they read, the type's policy and the
// actor (time, caller, the request or the running operation being finished) to the
// WriteBatch that commits the transition — guarded by the state it was planned from, with
// its activity-log entries and its events — and the outcome the caller answers with. They
// read no store and no clock: ResourceService (the runner) loads the snapshot, plans,
// commits, and plans again from a fresh snapshot when the batch lost a race; the purge
// sweeper plans its purges with the same Purge.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "reprieve/base/random.h"
#include "reprieve/base/result.h"
#include "reprieve/base/time.h"
#include "reprieve/core/events/lifecycle_events.h"
#include "reprieve/core/model/operation.h"
#include "reprieve/core/model/resource.h"
#include "reprieve/core/model/resource_id.h"
#include "reprieve/core/policy/policy_catalog.h"
#include "reprieve/core/ports/resource_store.h"
#include "reprieve/core/service/children.h"
#include "reprieve/core/service/invocation.h"
#include "reprieve/core/service/journal.h"

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

// What one of a record's dependencies resolved to when the snapshot was taken.
struct Dependency {
  std::string ref;    // as ResourceRecord::dependencies has it
  std::string shown;  // the id an error names
  std::optional<LifecycleState> state;  // nullopt: no such resource
};

// The records a transition reads, as the runner found them.
struct Snapshot {
  std::optional<ResourceRecord> record;  // the resource (either state); nullopt: none
  ResourceRecord group;                  // its live resource group
  std::optional<ResourceRecord> parent;  // its live parent, for a child type
  // Delete: the live children and role assignments. Purge: all of them, live or soft-deleted
  // (the sweeper's snapshot has none: the children share the parent's schedule and go on
  // it). Recover: the soft-deleted ones.
  std::vector<ResourceRecord> children;
  // Global names: the type's name record for the name, and the resource it names when that
  // is another one.
  std::optional<ResourceRecord> name;
  std::optional<ResourceRecord> name_owner;
  // Recover: what the record and its children depend on.
  std::vector<Dependency> dependencies;
  // Whether the subscription is enrolled in the type's soft-delete preview feature.
  bool soft_delete_enrolled = true;
};

// Who acts and when.
struct Actor {
  Timestamp now{};
  Principal caller;
  const Invocation* invocation = nullptr;      // the request, journaled when given
  const OperationRecord* finishing = nullptr;  // the running operation this transition ends
};

template <typename Outcome>
struct Planned {
  WriteBatch batch;
  Outcome outcome;
};

// The operation record `start` begins for `kind` on `target` at `now`: finished at once
// unless it runs on.
OperationRecord NewOperation(const Invocation& start, OperationKind kind,
                             const ResourceRecord& target, Timestamp now);
// `op` ended at `now` with `status` (and `error` unless it succeeded).
OperationRecord Ended(OperationRecord op, OperationStatus status, const Status& error,
                      Timestamp now);
// The batch that begins the running operation `op` (from `invocation`) on `record`, in state
// `expected`: the operation, the resource's marker, the Started and Accepted entries.
WriteBatch PlanBegin(const OperationRecord& op, const ResourceRecord& record,
                     Expectation::Kind expected, const Invocation& invocation, Journal& journal);

// kFailedPrecondition (PurgeProtected) while `record`'s purge protection holds at `now`.
Status RefusePurgeWhileProtected(const ResourceRecord& record, Timestamp now);

// The reference a soft-deleted record is restored by (RecoverMechanism::kRestoreReference):
// "{name}|{deletion time}".
std::string RestoreReference(const ResourceRecord& record);

class Planner {
 public:
  // Etags and keys come from `random`; entries and events from `journal` and `events`.
  Planner(const PolicyCatalog& catalog, RandomSource& random, Journal& journal,
          LifecycleEvents& events)
      : catalog_(catalog), random_(random), journal_(journal), events_(events) {}

  // A PUT: create (the name free, or held by a deleted resource that gives it up), update of
  // the live resource, or — with the type's recover signal — recover of the soft-deleted one.
  Result<Planned<PutOutcome>> Put(const TypePolicy& policy, const PutRequest& request,
                                  const Snapshot& snapshot, const Actor& actor);
  // A PATCH's write of `change` over the live `current`.
  Result<Planned<ResourceRecord>> Update(const ResourceRecord& current, const BodyChange& change,
                                         const Actor& actor);
  // A DELETE of the live resource: soft-deleted, or removed for good when the policy says so
  // for this request; with force purge a soft-deleted one is purged. With a deferred
  // operation and no `finishing`, only the operation begins (its end plans again).
  Result<Planned<DeleteOutcome>> Delete(const TypePolicy& policy, const DeleteRequest& request,
                                        const Snapshot& snapshot, const Actor& actor);
  // Removes the soft-deleted `snapshot.record` for good, with its children; `reason` is
  // kPurgedByUser or kPurgedAtExpiry (then Reprieve's own entry, no request).
  Result<Planned<PurgeOutcome>> Purge(const TypePolicy& policy, const Snapshot& snapshot,
                                      const Actor& actor, std::string_view reason);

  // ok if every dependency of `record` in the snapshot is active; else the error naming the
  // first that is not.
  static Status RequireDependencies(const ResourceRecord& record, const Snapshot& snapshot);
  // The facts of a write: retention within the rule (and unchanged when immutable), purge
  // protection never turned off.
  static Status ValidateFacts(const TypePolicy& policy, const ResourceFacts& facts,
                              const ResourceRecord* existing);
  // Whether deleting `record` with `request` keeps it soft-deleted.
  static bool SoftDeletes(const TypePolicy& policy, const ResourceRecord& record,
                          const DeleteRequest& request, const Snapshot& snapshot);

 private:
  Result<Planned<PutOutcome>> Recover(const TypePolicy& policy, const PutRequest& request,
                                      const Snapshot& snapshot, const Actor& actor);
  // Appends `op` to `batch` (a finished or running operation commits with the transition;
  // one set to fail replaces it), then the request's entries: the batch to commit.
  WriteBatch WithOperation(WriteBatch batch, const std::optional<OperationRecord>& op,
                           const Actor& actor, const ResourceRecord& target,
                           std::string_view status_text);
  std::string NewEtag();
  std::string NewSecrets(const TypePolicy& policy);

  const PolicyCatalog& catalog_;
  RandomSource& random_;
  Journal& journal_;
  LifecycleEvents& events_;
};

}  // namespace reprieve::core
