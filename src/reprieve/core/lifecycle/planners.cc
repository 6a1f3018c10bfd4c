#include "reprieve/core/lifecycle/planners.h"

#include <algorithm>

#include "reprieve/base/status_macros.h"
#include "reprieve/base/strings.h"
#include "reprieve/core/lifecycle/transitions.h"
#include "reprieve/core/model/location.h"
#include "reprieve/core/service/access_keys.h"
#include "reprieve/core/service/names.h"

namespace reprieve::core {
namespace {

using Kind = Expectation::Kind;

// Marks `record` as changed by `op` while it runs.
void MarkPending(ResourceRecord& record, const OperationRecord& op) {
  if (!op.running()) return;
  record.pending_operation = op.id;
  record.pending_kind = op.kind;
}

// The operation of `kind` that `invocation` (if any) starts on `record` at `now`, with
// `record` marked while it runs.
std::optional<OperationRecord> StartOn(const Invocation* invocation, OperationKind kind,
                                       ResourceRecord& record, Timestamp now) {
  if (invocation == nullptr) return std::nullopt;
  OperationRecord op = NewOperation(*invocation, kind, record, now);
  MarkPending(record, op);
  return op;
}

// The facts a write states replace those of the record; a retention or purge protection the
// write leaves out keeps its value.
void ApplyFacts(const ResourceFacts& facts, ResourceRecord& record) {
  if (facts.retention) record.retention = facts.retention;
  if (facts.purge_protected) record.purge_protected = *facts.purge_protected;
  record.customer_managed_key = facts.customer_managed_key;
  record.transient = facts.transient;
  record.dependencies = facts.dependencies;
}

// The activity log's entry of a purge the retention's end made: a documented Reprieve
// extension (Azure logs nothing for these), its id derived from the record and its
// deletion, so the same purge always has the same entry.
ActivityEntry ExpiryEntry(const ResourceRecord& record, const TypePolicy& policy, Timestamp now) {
  const std::string seed =
      record.key + "|" + std::to_string(record.deleted_at.value_or(now).time_since_epoch().count());
  ActivityEntry entry;
  entry.id = StableUuid(seed + "|entry");
  entry.operation_id = StableUuid(seed + "|operation");
  entry.correlation_id = entry.operation_id;
  entry.subscription = record.subscription;
  entry.resource_id = record.id;
  if (auto id = ResourceId::Parse(record.id)) entry.resource_group = id->resource_group();
  entry.resource_type = record.type;
  entry.operation_name = policy.PurgeAction();
  entry.scope = record.id;
  entry.status = std::string(kActivitySucceeded);
  entry.sub_status = "OK";
  entry.caller = std::string(kReprieveCaller);
  entry.time = now;
  entry.properties = {{"statusCode", "OK"},
                      {"reason", std::string(kPurgedAtExpiry)},
                      {"scheduledPurgeDate",
                       FormatRfc3339(record.scheduled_purge_at.value_or(now))},
                      {"serviceRequestId", entry.operation_id}};
  return entry;
}

}  // namespace

OperationRecord NewOperation(const Invocation& start, OperationKind kind,
                             const ResourceRecord& target, Timestamp now) {
  OperationRecord op;
  op.id = AsciiLower(start.id);
  op.subscription = target.subscription;
  op.kind = kind;
  op.target = target.id;
  op.target_key = target.key;
  op.type = target.type;
  op.location = std::string(NormalizeLocation(target.location));
  op.created_at = now;
  op.ends_at = now + std::max(start.plan.duration, Duration::zero());
  op.started_by = start.started_by;
  op.caller = start.caller.name;
  op.caller_type = start.caller.type;
  op.error_code = start.plan.error_code;
  op.error_message = start.plan.error_message;
  op.correlation_id = start.correlation_id;
  op.action = start.action;
  op.scope = start.scope;
  op.http_method = start.http_method;
  if (start.plan.duration > Duration::zero()) {
    op.status = OperationStatus::kInProgress;
  } else {
    op.status = start.plan.fails() ? OperationStatus::kFailed : OperationStatus::kSucceeded;
    op.finished_at = now;
  }
  return op;
}

OperationRecord Ended(OperationRecord op, OperationStatus status, const Status& error,
                      Timestamp now) {
  op.status = status;
  op.finished_at = now;
  if (status == OperationStatus::kSucceeded) {
    op.error_code.clear();
    op.error_message.clear();
  } else {
    op.error_code = error.arm_code().empty() ? "OperationFailed" : error.arm_code();
    op.error_message = error.message();
  }
  return op;
}

WriteBatch PlanBegin(const OperationRecord& op, const ResourceRecord& record,
                     Expectation::Kind expected, const Invocation& invocation, Journal& journal) {
  WriteBatch batch;
  journal.Started(batch, invocation, record, &op, "Accepted", op.created_at);
  if (op.running()) {
    ResourceRecord marked = record;
    marked.version += 1;
    MarkPending(marked, op);
    batch.expect.push_back({record.key, expected, record.version});
    batch.put.push_back(std::move(marked));
  }
  batch.operations.push_back(op);
  return batch;
}

Status RefusePurgeWhileProtected(const ResourceRecord& record, Timestamp now) {
  if (!record.purge_protected || !record.scheduled_purge_at || *record.scheduled_purge_at <= now) {
    return OkStatus();
  }
  return FailedPreconditionError("The resource '" + record.id +
                                 "' has purge protection enabled: it cannot be purged before "
                                 "its retention ends at " +
                                 FormatRfc3339(*record.scheduled_purge_at) +
                                 ". Recover it, or wait for the scheduled purge.")
      .WithArmCode("PurgeProtected");
}

std::string RestoreReference(const ResourceRecord& record) {
  return record.name + "|" + (record.deleted_at ? FormatRfc3339(*record.deleted_at) : "");
}

std::string Planner::NewEtag() { return "\"" + random_.NewHex(8) + "\""; }

std::string Planner::NewSecrets(const TypePolicy& policy) { return NewAccessKeys(policy, random_); }

WriteBatch Planner::WithOperation(WriteBatch batch, const std::optional<OperationRecord>& op,
                                  const Actor& actor, const ResourceRecord& target,
                                  std::string_view status_text) {
  if (op && !op->error_code.empty()) {
    // Set to fail: nothing of the transition is written, only the operation and its entries.
    batch = WriteBatch{};
  }
  if (op) batch.operations.push_back(*op);
  if (actor.invocation != nullptr) {
    journal_.Started(batch, *actor.invocation, target, op ? &*op : nullptr, status_text,
                     actor.now);
  }
  return batch;
}

Status Planner::RequireDependencies(const ResourceRecord& record, const Snapshot& snapshot) {
  for (const std::string& ref : record.dependencies) {
    const auto found = std::find_if(snapshot.dependencies.begin(), snapshot.dependencies.end(),
                                    [&](const Dependency& d) { return d.ref == ref; });
    const Dependency dependency =
        found != snapshot.dependencies.end() ? *found : Dependency{ref, ref, std::nullopt};
    if (dependency.state == LifecycleState::kActive) continue;
    const bool soft_deleted = dependency.state.has_value();
    const std::string& shown = dependency.shown;
    return FailedPreconditionError(
               "The resource '" + record.id + "' cannot be recovered: it depends on '" + shown +
               "', which " + (soft_deleted ? "is soft-deleted" : "does not exist") +
               ". Restore '" + shown + "' first (a customer-managed key vault or storage "
               "account must be recovered before the resources that use it), then retry.")
        .WithArmCode(soft_deleted ? "DependencySoftDeleted" : "DependencyNotFound");
  }
  return OkStatus();
}

Status Planner::ValidateFacts(const TypePolicy& policy, const ResourceFacts& facts,
                              const ResourceRecord* existing) {
  const RetentionRule& rule = policy.retention_rule;
  if (facts.retention && !rule.path.empty()) {
    const auto days = std::chrono::duration_cast<std::chrono::hours>(*facts.retention).count() / 24;
    if (days < rule.min_days || days > rule.max_days ||
        *facts.retention != std::chrono::hours(24 * days)) {
      return InvalidArgumentError("The property '" + rule.path + "' must be a whole number of days from " +
                                  std::to_string(rule.min_days) + " to " +
                                  std::to_string(rule.max_days) + "; got " + std::to_string(days) +
                                  ".")
          .WithArmCode("InvalidSoftDeleteRetention")
          .WithTarget(rule.path);
    }
    if (rule.immutable && existing != nullptr && existing->retention &&
        *existing->retention != *facts.retention) {
      return InvalidArgumentError("The property \"" + rule.path +
                                  "\" has been set already and it can't be modified.")
          .WithArmCode("BadRequest")
          .WithTarget(rule.path);
    }
  }
  if (existing != nullptr && existing->purge_protected && facts.purge_protected &&
      !*facts.purge_protected) {
    return InvalidArgumentError("The property \"" + policy.purge_protection_path +
                                "\" cannot be set to false: once enabled, purge protection "
                                "cannot be turned off.")
        .WithArmCode("BadRequest")
        .WithTarget(policy.purge_protection_path);
  }
  return OkStatus();
}

bool Planner::SoftDeletes(const TypePolicy& policy, const ResourceRecord& record,
                          const DeleteRequest& request, const Snapshot& snapshot) {
  if (!policy.soft_delete || !policy.SoftDeletesAt(request.api_version)) return false;
  if (!policy.force_purge_parameter.empty() && request.force_purge) return false;
  if (policy.customer_managed_key_hard_delete && record.customer_managed_key) return false;
  return policy.soft_delete_feature.empty() || snapshot.soft_delete_enrolled;
}

// ---------------------------------------------------------------- PUT

Result<Planned<PutOutcome>> Planner::Put(const TypePolicy& policy, const PutRequest& request,
                                         const Snapshot& snapshot, const Actor& actor) {
  if (request.restore) return Recover(policy, request, snapshot, actor);
  const std::optional<ResourceRecord>& existing = snapshot.record;
  const bool deleted = existing.has_value() && existing->state == LifecycleState::kSoftDeleted;
  if (deleted && policy.name_held_while_deleted) {
    return policy.name_held.Render(existing->id, existing->name, policy.type);
  }
  // Children are proxy resources: they live where their parent does.
  const std::string& location = snapshot.parent ? snapshot.parent->location : request.location;
  const std::string key = request.id.Key();
  const Timestamp now = actor.now;
  Planned<PutOutcome> planned;
  WriteBatch& batch = planned.batch;

  if (existing.has_value() && !deleted) {
    ResourceRecord record = *existing;
    if (NormalizeLocation(record.location) != NormalizeLocation(location)) {
      return AlreadyExistsError("The resource '" + record.id + "' already exists in location '" +
                                record.location + "' in resource group '" +
                                request.id.resource_group() +
                                "'. A resource with the same name cannot be created in location '" +
                                location + "'. Please select a new resource name.")
          .WithArmCode("InvalidResourceLocation")
          .WithTarget("location");
    }
    REPRIEVE_RETURN_IF_ERROR(ValidateFacts(policy, request.facts, &record));
    batch.expect.push_back({key, Kind::kActive, record.version});
    record.body = request.body;
    ApplyFacts(request.facts, record);
    record.version += 1;
    record.etag = NewEtag();
    record.changed_at = now;
    record.changed_by = request.caller.name;
    record.changed_by_type = request.caller.type;
    batch.put.push_back(record);
    if (actor.invocation != nullptr) {
      journal_.Started(batch, *actor.invocation, record, nullptr, "OK", now);
    }
    planned.outcome = PutOutcome{std::move(record), PutOutcome::Kind::kUpdated};
    return planned;
  }

  REPRIEVE_RETURN_IF_ERROR(ValidateFacts(policy, request.facts, nullptr));
  ResourceRecord record;
  record.key = key;
  record.id = request.id.ToString();
  record.subscription = AsciiLower(request.id.subscription());
  record.resource_group = AsciiLower(request.id.resource_group());
  record.type = policy.type;
  record.name = request.id.name();
  record.location = location;
  record.body = request.body;
  record.secrets = NewSecrets(policy);
  record.state = LifecycleState::kActive;
  record.version = 1;
  record.etag = NewEtag();
  record.created_at = now;
  record.changed_at = now;
  record.created_by = request.caller.name;
  record.created_by_type = request.caller.type;
  record.changed_by = request.caller.name;
  record.changed_by_type = request.caller.type;
  if (!policy.retention_rule.path.empty()) {
    record.retention = request.facts.retention.value_or(
        std::chrono::hours(24 * policy.retention_rule.default_days));
  }
  ApplyFacts(request.facts, record);
  if (deleted) {
    // The type does not hold deleted names: the new resource replaces the deleted one,
    // which can then no longer be recovered.
    batch.expect.push_back({key, Kind::kSoftDeleted, existing->version});
    LifecycleEvents::Replaced(batch, *existing);
  } else {
    batch.expect.push_back({key, Kind::kAbsent, 0});
  }
  REPRIEVE_RETURN_IF_ERROR(ClaimName(policy, record, snapshot.name, snapshot.name_owner, batch));
  batch.expect.push_back({snapshot.group.key, Kind::kActive, 0});
  batch.touch.push_back(snapshot.group.key);
  if (snapshot.parent) {
    // Touching the parent makes a racing delete of it retry and see this child.
    batch.expect.push_back({snapshot.parent->key, Kind::kActive, 0});
    batch.touch.push_back(snapshot.parent->key);
  }
  const std::optional<OperationRecord> op =
      StartOn(actor.invocation, OperationKind::kCreate, record, now);
  batch.put.push_back(record);
  planned.batch = WithOperation(std::move(batch), op, actor, record, "Created");
  planned.outcome = PutOutcome{std::move(record), PutOutcome::Kind::kCreated, {}, {}, {}, op};
  return planned;
}

Result<Planned<PutOutcome>> Planner::Recover(const TypePolicy& policy, const PutRequest& request,
                                             const Snapshot& snapshot, const Actor& actor) {
  const std::optional<ResourceRecord>& existing = snapshot.record;
  const std::string id_text = request.id.ToString();
  if (!existing.has_value() || existing->state != LifecycleState::kSoftDeleted) {
    return policy.nothing_to_restore.Render(id_text, request.id.name(), policy.type);
  }
  if (policy.recover == RecoverMechanism::kRestoreReference &&
      request.restore_reference != RestoreReference(*existing)) {
    return InvalidArgumentError("The restore reference '" + request.restore_reference +
                                "' does not name the deleted account; its reference is '" +
                                RestoreReference(*existing) + "'.")
        .WithArmCode("InvalidRestoreReference")
        .WithTarget(policy.restore_reference_path);
  }
  REPRIEVE_RETURN_IF_ERROR(RequireDependencies(*existing, snapshot));
  const Timestamp now = actor.now;
  Planned<PutOutcome> planned;
  WriteBatch& batch = planned.batch;
  REPRIEVE_RETURN_IF_ERROR(KeepName(policy, *existing, snapshot.name, batch));
  // Recover: the deleted record's body comes back whole; the request only says "restore".
  batch.expect.push_back({existing->key, Kind::kSoftDeleted, existing->version});
  batch.expect.push_back({snapshot.group.key, Kind::kActive, 0});
  batch.touch.push_back(snapshot.group.key);
  ResourceRecord record = RecoveredAt(*existing, now, request.caller);
  const std::optional<OperationRecord> op =
      StartOn(actor.invocation, OperationKind::kRecover, record, now);
  events_.Recovered(batch, *existing, request.caller.name, now);
  batch.put.push_back(record);
  PutOutcome outcome{record, PutOutcome::Kind::kRestored, {}, {}, {}, op};
  // Children soft-deleted with it come back; those re-created on recover come back when
  // what they depend on is there, and are reported otherwise.
  for (ResourceRecord child : snapshot.children) {
    if (child.state != LifecycleState::kSoftDeleted) continue;
    const TypePolicy* child_policy = catalog_.Find(child.type);
    batch.expect.push_back({child.key, Kind::kSoftDeleted, child.version});
    const bool recreate = OnParentDelete(catalog_, *existing, child) == ParentDelete::kRecreate;
    if (recreate) {
      if (Status usable = RequireDependencies(child, snapshot); !usable.ok()) {
        AppendRemoval(child, child_policy, now, batch);
        outcome.not_recreated_children.emplace_back(child.id, usable.message());
        continue;
      }
    }
    (recreate ? outcome.recreated_children : outcome.restored_children).push_back(child.id);
    batch.put.push_back(RecoveredAt(std::move(child), now, request.caller));
  }
  planned.batch = WithOperation(std::move(batch), op, actor, record, "Created");
  planned.outcome = std::move(outcome);
  return planned;
}

// ---------------------------------------------------------------- PATCH

Result<Planned<ResourceRecord>> Planner::Update(const ResourceRecord& current,
                                                const BodyChange& change, const Actor& actor) {
  ResourceRecord record = current;
  if (change.facts) {
    const TypePolicy* policy = catalog_.Find(current.type);
    REPRIEVE_CHECK(policy != nullptr) << "no policy for " << current.type;
    REPRIEVE_RETURN_IF_ERROR(ValidateFacts(*policy, *change.facts, &current));
    ApplyFacts(*change.facts, record);
  }
  record.body = change.body;
  record.version += 1;
  record.etag = NewEtag();
  record.changed_at = actor.now;
  record.changed_by = actor.caller.name;
  record.changed_by_type = actor.caller.type;
  Planned<ResourceRecord> planned;
  planned.batch.expect.push_back({record.key, Kind::kActive, current.version});
  planned.batch.put.push_back(record);
  if (actor.invocation != nullptr) {
    journal_.Started(planned.batch, *actor.invocation, record, nullptr, "OK", actor.now);
  }
  planned.outcome = std::move(record);
  return planned;
}

// ---------------------------------------------------------------- DELETE

Result<Planned<DeleteOutcome>> Planner::Delete(const TypePolicy& policy,
                                               const DeleteRequest& request,
                                               const Snapshot& snapshot, const Actor& actor) {
  Planned<DeleteOutcome> planned;
  if (!snapshot.record.has_value()) return planned;  // nothing live: 204
  const ResourceRecord& existing = *snapshot.record;
  const OperationRecord* finishing = actor.finishing;
  const Timestamp now = actor.now;
  WriteBatch batch;
  DeleteOutcome& outcome = planned.outcome;
  // Who the transition is by: the caller, or whoever started the delete it finishes.
  const std::string& caller_name = finishing != nullptr ? finishing->caller : request.caller.name;
  // A running delete marks the resource now and takes effect when it ends; one set to fail
  // changes nothing.
  const bool starts = request.operation && finishing == nullptr && request.operation->deferred();
  const auto begin = [&](Kind expected) -> Result<Planned<DeleteOutcome>> {
    OperationRecord op = NewOperation(*request.operation, OperationKind::kDelete, existing, now);
    op.api_version = request.api_version;
    op.force_purge = request.force_purge;
    op.delete_dependents = request.delete_dependents;
    planned.batch = PlanBegin(op, existing, expected, *request.operation, journal_);
    outcome.existed = true;
    outcome.record = existing;
    outcome.operation = std::move(op);
    return std::move(planned);
  };
  // The transition's batch with the operation it ends or finishes at once.
  // Types whose DELETE answers 202 keep an operation record even when it finishes at once.
  const bool tracked = request.operation && (policy.async_delete || request.operation->deferred());
  const auto finish = [&](WriteBatch transition) {
    if (finishing != nullptr) {
      outcome.operation = Ended(*finishing, OperationStatus::kSucceeded, OkStatus(), now);
      transition.expect_running.push_back(finishing->id);
      journal_.Ended(transition, *outcome.operation, now);
    } else if (request.operation) {
      if (tracked) {
        outcome.operation = NewOperation(*request.operation, OperationKind::kDelete, existing, now);
      }
      journal_.Started(transition, *request.operation, existing,
                       outcome.operation ? &*outcome.operation : nullptr,
                       tracked ? "Accepted" : "OK", now);
    }
    if (outcome.operation) transition.operations.push_back(*outcome.operation);
    return transition;
  };
  if (existing.state != LifecycleState::kActive) {
    // Deleting a soft-deleted resource again purges it only when asked to.
    if (policy.force_purge_parameter.empty() || !request.force_purge) return planned;
    REPRIEVE_RETURN_IF_ERROR(RefusePurgeWhileProtected(existing, now));
    if (starts) return begin(Kind::kSoftDeleted);
    batch.expect.push_back({existing.key, Kind::kSoftDeleted, existing.version});
    AppendRemoval(existing, &policy, now, batch);
    AppendChildrenRemoval(catalog_, snapshot.children, now, batch);
    events_.Purged(batch, existing, caller_name, kPurgedByUser, now);
    planned.batch = finish(std::move(batch));
    outcome.existed = true;
    outcome.record = existing;
    return planned;
  }
  const bool soft = SoftDeletes(policy, existing, request, snapshot);
  if (request.delete_dependents && soft) {
    return InvalidArgumentError(
               "Dependent resources can only be deleted together with a permanent delete of '" +
               existing.id + "', so that the workspace stays recoverable otherwise. Add " +
               policy.force_purge_parameter + "=true, or do not delete dependent resources.")
        .WithArmCode("DependentResourcesRequirePermanentDelete")
        .WithTarget(policy.delete_dependents_parameter);
  }
  if (starts) return begin(Kind::kActive);
  batch.expect.push_back({existing.key, Kind::kActive, existing.version});
  outcome.existed = true;
  if (soft) {
    ResourceRecord record = SoftDeletedAt(existing, policy, now, request.caller);
    AppendChildrenDeletion(catalog_, record, snapshot.children, true, now, request.caller, batch);
    events_.SoftDeleted(batch, record, caller_name);
    batch.put.push_back(record);
    outcome.soft_deleted = true;
    outcome.record = std::move(record);
  } else {
    AppendRemoval(existing, &policy, now, batch);
    AppendChildrenRemoval(catalog_, snapshot.children, now, batch);
    outcome.record = existing;
  }
  planned.batch = finish(std::move(batch));
  return planned;
}

// ---------------------------------------------------------------- purge

Result<Planned<PurgeOutcome>> Planner::Purge(const TypePolicy& policy, const Snapshot& snapshot,
                                             const Actor& actor, std::string_view reason) {
  REPRIEVE_CHECK(snapshot.record.has_value()) << "a purge plans from the soft-deleted record";
  const ResourceRecord& record = *snapshot.record;
  const Timestamp now = actor.now;
  REPRIEVE_RETURN_IF_ERROR(RefusePurgeWhileProtected(record, now));
  const OperationRecord* finishing = actor.finishing;
  const Invocation* start = actor.invocation;
  Planned<PurgeOutcome> planned;
  if (finishing == nullptr && start != nullptr && start->deferred()) {
    OperationRecord op = NewOperation(*start, OperationKind::kPurge, record, now);
    planned.batch = PlanBegin(op, record, Kind::kSoftDeleted, *start, journal_);
    planned.outcome.operation = std::move(op);
    return planned;
  }
  WriteBatch& batch = planned.batch;
  batch.expect.push_back({record.key, Kind::kSoftDeleted, record.version});
  AppendRemoval(record, &policy, now, batch);
  AppendChildrenRemoval(catalog_, snapshot.children, now, batch);
  events_.Purged(batch, record,
                 finishing != nullptr ? finishing->caller : std::string(actor.caller.name), reason,
                 now);
  std::optional<OperationRecord>& op = planned.outcome.operation;
  if (finishing != nullptr) {
    op = Ended(*finishing, OperationStatus::kSucceeded, OkStatus(), now);
    batch.expect_running.push_back(finishing->id);
    journal_.Ended(batch, *op, now);
  } else if (start != nullptr) {
    op = NewOperation(*start, OperationKind::kPurge, record, now);
    journal_.Started(batch, *start, record, &*op, "Accepted", now);
  } else if (reason == kPurgedAtExpiry && policy.parent_type.empty()) {
    batch.activity.push_back(ExpiryEntry(record, policy, now));
  }
  if (op) batch.operations.push_back(*op);
  return planned;
}

}  // namespace reprieve::core
