#include "reprieve/core/service/resource_service.h"

#include <algorithm>
#include <utility>

#include "reprieve/base/status_macros.h"
#include "reprieve/base/strings.h"
#include "reprieve/core/internal/list_all.h"
#include "reprieve/core/internal/retry.h"
#include "reprieve/core/lifecycle/transitions.h"
#include "reprieve/core/model/location.h"

namespace reprieve::core {

using internal::RetryRaces;
using Kind = Expectation::Kind;

Status ResourceNotFound(const ResourceId& id) {
  std::string message = "The Resource '" + id.FullType() + "/" + id.name() + "'";
  if (!id.resource_group().empty()) {
    message += " under resource group '" + id.resource_group() + "'";
  }
  message += " was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix";
  return NotFoundError(std::move(message)).WithArmCode("ResourceNotFound");
}

ResourceService::ResourceService(ResourceStore& store, const Clock& clock, RandomSource& random,
                                 const PolicyCatalog& catalog, Duration purge_warning,
                                 Telemetry* telemetry)
    : store_(store),
      clock_(clock),
      random_(random),
      catalog_(catalog),
      telemetry_(TelemetryOrNone(telemetry)),
      journal_(random),
      events_(&random, purge_warning),
      access_(store, &clock, &journal_),
      children_(store, catalog),
      tenancy_(store, clock, journal_, catalog),
      planner_(catalog, random, journal_, events_) {}

const TypePolicy& ResourceService::PolicyFor(const ResourceId& id) const {
  const TypePolicy* policy = catalog_.Find(id.FullType());
  REPRIEVE_CHECK(policy != nullptr) << "no policy for " << id.FullType();
  return *policy;
}

// ---------------------------------------------------------------- snapshots

Result<std::optional<ResourceRecord>> ResourceService::Find(const std::string& key) {
  auto record = store_.Get(key);
  if (record.has_value()) return std::optional<ResourceRecord>(std::move(*record));
  if (record.status().code() == StatusCode::kNotFound) return std::optional<ResourceRecord>();
  return record.status();
}

Status ResourceService::LoadName(const TypePolicy& policy, const std::string& name,
                                 const std::string& key, Snapshot& snapshot) {
  if (policy.name_scope != NameScope::kGlobal) return OkStatus();
  REPRIEVE_ASSIGN_OR_RETURN(snapshot.name, Find(NameKey(policy.type, name)));
  if (snapshot.name && snapshot.name->state == LifecycleState::kActive &&
      AsciiLower(snapshot.name->id) != key) {
    REPRIEVE_ASSIGN_OR_RETURN(snapshot.name_owner, Find(AsciiLower(snapshot.name->id)));
  }
  return OkStatus();
}

Status ResourceService::LoadDependencies(const ResourceRecord& record, Snapshot& snapshot) {
  for (const std::string& ref : record.dependencies) {
    Dependency dependency{ref, ref, std::nullopt};
    std::string key;
    if (ref.rfind("/subscriptions/", 0) == 0 || ref.rfind("/SUBSCRIPTIONS/", 0) == 0) {
      key = AsciiLower(ref);
    } else {
      // "{type}/{name}": a globally named resource known by name only.
      const size_t slash = ref.rfind('/');
      REPRIEVE_ASSIGN_OR_RETURN(const std::optional<ResourceRecord> name,
                                Find(NameKey(ref.substr(0, slash), ref.substr(slash + 1))));
      if (name && name->state == LifecycleState::kActive) {
        key = AsciiLower(name->id);
        dependency.shown = name->id;
      }
    }
    if (!key.empty()) {
      REPRIEVE_ASSIGN_OR_RETURN(const std::optional<ResourceRecord> found, Find(key));
      if (found) dependency.state = found->state;
    }
    snapshot.dependencies.push_back(std::move(dependency));
  }
  return OkStatus();
}

Result<bool> ResourceService::Subscribed(const std::string& subscription) {
  std::lock_guard lock(subscribed_mu_);
  const uint64_t generation = access_.generation();
  if (!subscribed_built_ || generation != subscribed_generation_) {
    ListQuery query;
    query.type = std::string(kEventSubscriptionType);
    query.state = LifecycleState::kActive;
    query.limit = 1000;
    REPRIEVE_ASSIGN_OR_RETURN(const std::vector<ResourceRecord> records,
                              internal::ListAll(store_, std::move(query)));
    subscribed_.clear();
    for (const ResourceRecord& record : records) subscribed_.insert(record.subscription);
    subscribed_generation_ = generation;
    subscribed_built_ = true;
  }
  return subscribed_.count(subscription) != 0;
}

Status ResourceService::Commit(WriteBatch batch) {
  const Timestamp now = clock_.Now();
  // What the batch does is reported from its events, those nobody hears included.
  std::vector<LifecycleEvent> unheard;
  for (auto it = batch.events.begin(); it != batch.events.end();) {
    REPRIEVE_ASSIGN_OR_RETURN(const bool wanted, Subscribed(it->subscription));
    if (wanted || it->due > now) {
      ++it;
    } else {
      unheard.push_back(std::move(*it));
      it = batch.events.erase(it);
    }
  }
  REPRIEVE_RETURN_IF_ERROR(store_.Apply(batch));
  ReportTransitions(batch.events, telemetry_);
  ReportTransitions(unheard, telemetry_);
  // The authorization snapshot is built from the RBAC records, the set above from the event
  // subscriptions: a lifecycle change that moved one makes them stale.
  const auto access_record = [](const std::string& key) {
    return key.compare(0, kRbacKeyPrefix.size(), kRbacKeyPrefix) == 0 ||
           key.rfind("/reprieve/eventgrid/", 0) == 0;
  };
  bool touched = std::any_of(batch.erase.begin(), batch.erase.end(), access_record);
  for (const ResourceRecord& record : batch.put) touched = touched || access_record(record.key);
  if (touched) access_.Changed();
  return OkStatus();
}

Result<Page> ResourceService::ListChildren(const TypePolicy& policy, const ResourceId& parent,
                                           const std::string& after, int limit) {
  REPRIEVE_RETURN_IF_ERROR(Get(parent).status());
  ListQuery query;
  query.type = policy.type;
  query.key_prefix = parent.Key() + "/";
  query.state = LifecycleState::kActive;
  query.after_key = after;
  query.limit = limit;
  return store_.List(query);
}

// ---------------------------------------------------------------- resource groups

Result<GroupDeleteOutcome> ResourceService::DeleteResourceGroup(
    const std::string& subscription, const std::string& name, const Principal& caller,
    std::optional<Invocation> operation) {
  REPRIEVE_RETURN_IF_ERROR(tenancy_.RequireSubscription(subscription));
  const ResourceId group = ResourceId::ResourceGroup(subscription, name);
  return RetryRaces(group.Key(), [&] { return DeleteGroupOnce(group, caller, operation); });
}

Result<GroupDeleteOutcome> ResourceService::DeleteGroupOnce(
    const ResourceId& group, const Principal& caller,
    const std::optional<Invocation>& operation) {
  auto group_record = store_.Get(group.Key());
  if (!group_record.has_value()) {
    if (group_record.status().code() == StatusCode::kNotFound) {
      return ResourceGroupNotFound(group.resource_group());
    }
    return group_record.status();
  }
  const Timestamp now = clock_.Now();
  WriteBatch batch;
  // Every resource created or recovered in the group touches the group record, so this
  // expectation fails if one appeared after the listing below.
  batch.expect.push_back({group_record->key, Kind::kActive, group_record->version});
  batch.erase.push_back(group_record->key);
  // Role assignments and event subscriptions at the group's own scope go with it; the
  // assignments on its resources follow their resource's policy below.
  const std::pair<std::string_view, std::string> extensions[] = {
      {kRoleAssignmentType,
       AssignmentsUnder(group_record->key) + "providers/microsoft.authorization/roleassignments/"},
      {kEventSubscriptionType, EventSubscriptionKey(group.ToString(), "")}};
  for (const auto& [type, prefix] : extensions) {
    ListQuery query;
    query.type = std::string(type);
    query.key_prefix = prefix;
    query.state = LifecycleState::kActive;
    query.limit = 1000;
    REPRIEVE_ASSIGN_OR_RETURN(const std::vector<ResourceRecord> records,
                              internal::ListAll(store_, std::move(query)));
    for (const ResourceRecord& record : records) batch.erase.push_back(record.key);
  }
  GroupDeleteOutcome outcome;
  ListQuery query;
  query.key_prefix = group_record->key + "/";
  query.state = LifecycleState::kActive;
  query.limit = 1000;
  while (true) {
    REPRIEVE_ASSIGN_OR_RETURN(Page page, store_.List(query));
    for (ResourceRecord& child : page.items) {
      const TypePolicy* policy = catalog_.Find(child.type);
      if (policy != nullptr && !policy->parent_type.empty()) continue;  // with its parent
      batch.expect.push_back({child.key, Kind::kActive, child.version});
      DeleteRequest cascade{ResourceId::Resource("", "", "", "", ""), caller, std::nullopt,
                            policy ? policy->api_versions.front() : "", false, false};
      Snapshot snapshot;
      bool soft = false;
      if (policy != nullptr) {
        REPRIEVE_ASSIGN_OR_RETURN(snapshot.soft_delete_enrolled,
                                  tenancy_.SoftDeleteEnrolled(*policy, child.subscription));
        soft = Planner::SoftDeletes(*policy, child, cascade, snapshot);
      }
      REPRIEVE_ASSIGN_OR_RETURN(const std::vector<ResourceRecord> kids, children_.All(child));
      if (soft) {
        ResourceRecord deleted = SoftDeletedAt(std::move(child), *policy, now, caller);
        AppendChildrenDeletion(catalog_, deleted, kids, true, now, caller, batch);
        events_.SoftDeleted(batch, deleted, caller.name);
        batch.put.push_back(std::move(deleted));
        ++outcome.soft_deleted;
      } else {
        AppendRemoval(child, policy, now, batch);
        AppendChildrenRemoval(catalog_, kids, now, batch);
        ++outcome.deleted;
      }
    }
    if (page.next_after.empty()) break;
    query.after_key = page.next_after;
  }
  if (operation) {
    // A group delete finishes within its request, whatever the schedule says.
    Invocation at_once = *operation;
    at_once.plan = OperationPlan{};
    at_once.plan.kind = OperationKind::kDelete;
    outcome.operation = NewOperation(at_once, OperationKind::kDelete, *group_record, now);
    batch.operations.push_back(*outcome.operation);
    journal_.Started(batch, at_once, *group_record, &*outcome.operation, "Accepted", now);
  }
  REPRIEVE_RETURN_IF_ERROR(Commit(std::move(batch)));
  return outcome;
}

// ---------------------------------------------------------------- resources

Result<PutOutcome> ResourceService::Put(const PutRequest& request) {
  const TypePolicy& policy = PolicyFor(request.id);
  REPRIEVE_RETURN_IF_ERROR(catalog_.ValidateName(policy, request.id.name()));
  return RetryRaces(request.id.ToString(), [&] { return PutOnce(request, policy); });
}

Result<PutOutcome> ResourceService::PutOnce(const PutRequest& request, const TypePolicy& policy) {
  REPRIEVE_ASSIGN_OR_RETURN(const Snapshot snapshot, PutSnapshot(request, policy));
  const Actor actor{clock_.Now(), request.caller,
                    request.operation ? &*request.operation : nullptr};
  REPRIEVE_ASSIGN_OR_RETURN(Planned<PutOutcome> planned,
                            planner_.Put(policy, request, snapshot, actor));
  REPRIEVE_RETURN_IF_ERROR(Commit(std::move(planned.batch)));
  return std::move(planned.outcome);
}

Status ResourceService::RecoverRefusal(const ResourceRecord& deleted, const Principal& caller) {
  const TypePolicy* policy = catalog_.Find(deleted.type);
  REPRIEVE_CHECK(policy != nullptr) << "no policy for " << deleted.type;
  REPRIEVE_ASSIGN_OR_RETURN(const ResourceId id, ResourceId::Parse(deleted.id));
  PutRequest request;
  request.id = id;
  request.restore = true;
  request.restore_reference = RestoreReference(deleted);
  request.caller = caller;
  REPRIEVE_ASSIGN_OR_RETURN(const Snapshot snapshot, PutSnapshot(request, *policy));
  // Planned and dropped: what a recover sent now would be answered, nothing committed.
  return planner_.Put(*policy, request, snapshot, Actor{clock_.Now(), caller, nullptr}).status();
}

Result<Snapshot> ResourceService::PutSnapshot(const PutRequest& request,
                                              const TypePolicy& policy) {
  Snapshot snapshot;
  REPRIEVE_ASSIGN_OR_RETURN(snapshot.group, tenancy_.RequireGroup(request.id));
  if (request.id.IsChild()) {
    // Children live only under a live parent (a soft-deleted workspace takes no children).
    REPRIEVE_ASSIGN_OR_RETURN(snapshot.parent, Get(request.id.Parent()));
  }
  const std::string key = request.id.Key();
  REPRIEVE_ASSIGN_OR_RETURN(snapshot.record, Find(key));
  if (snapshot.record) REPRIEVE_RETURN_IF_ERROR(RefusePending(*snapshot.record));
  REPRIEVE_RETURN_IF_ERROR(LoadName(policy, request.id.name(), key, snapshot));
  if (request.restore && snapshot.record &&
      snapshot.record->state == LifecycleState::kSoftDeleted) {
    REPRIEVE_ASSIGN_OR_RETURN(snapshot.children, children_.Of(*snapshot.record, true));
    REPRIEVE_RETURN_IF_ERROR(LoadDependencies(*snapshot.record, snapshot));
    for (const ResourceRecord& child : snapshot.children) {
      REPRIEVE_RETURN_IF_ERROR(LoadDependencies(child, snapshot));
    }
  }
  return snapshot;
}

Result<ResourceRecord> ResourceService::Get(const ResourceId& id) {
  auto record = Settled(store_.Get(id.Key()));
  // A live resource implies its group and subscription (a group delete takes everything in
  // it), so the common case is one lookup; only a miss needs to say which level is missing.
  if (record.has_value() && record->state == LifecycleState::kActive) return record;
  if (!record.has_value() && record.status().code() != StatusCode::kNotFound) {
    return record.status();
  }
  REPRIEVE_RETURN_IF_ERROR(tenancy_.RequireGroup(id).status());
  return ResourceNotFound(id);
}

Result<ResourceRecord> ResourceService::Modify(
    const ResourceId& id, const std::function<Result<BodyChange>(const ResourceRecord&)>& change,
    const Principal& caller, const Invocation* invocation) {
  return RetryRaces(id.ToString(), [&]() -> Result<ResourceRecord> {
    REPRIEVE_ASSIGN_OR_RETURN(
        const ResourceRecord current,
        id.IsResourceGroup() ? tenancy_.GetResourceGroup(id.subscription(), id.resource_group())
                             : Get(id));
    REPRIEVE_ASSIGN_OR_RETURN(const BodyChange changed, change(current));
    REPRIEVE_RETURN_IF_ERROR(RefusePending(current));
    const Actor actor{clock_.Now(), caller, invocation};
    REPRIEVE_ASSIGN_OR_RETURN(Planned<ResourceRecord> planned,
                              planner_.Update(current, changed, actor));
    REPRIEVE_RETURN_IF_ERROR(Commit(std::move(planned.batch)));
    return planned.outcome;
  });
}

Result<DeleteOutcome> ResourceService::Delete(const DeleteRequest& request) {
  // A name no resource of the type can have is a bad request, not "nothing to delete".
  REPRIEVE_RETURN_IF_ERROR(catalog_.ValidateName(PolicyFor(request.id), request.id.name()));
  return RetryRaces(request.id.ToString(), [&] { return DeleteOnce(request); });
}

Result<DeleteOutcome> ResourceService::DeleteOnce(const DeleteRequest& request,
                                                  const OperationRecord* finishing) {
  const ResourceId& id = request.id;
  Snapshot snapshot;
  REPRIEVE_ASSIGN_OR_RETURN(snapshot.group, tenancy_.RequireGroup(id));
  const TypePolicy& policy = PolicyFor(id);
  REPRIEVE_ASSIGN_OR_RETURN(snapshot.record, Find(id.Key()));
  if (!snapshot.record) return DeleteOutcome{};
  const ResourceRecord& existing = *snapshot.record;
  if (finishing == nullptr) {
    REPRIEVE_RETURN_IF_ERROR(RefusePending(existing));
  } else if (existing.pending_operation != finishing->id) {
    return DeleteOutcome{};  // something else (a group delete) took it meanwhile
  }
  REPRIEVE_ASSIGN_OR_RETURN(snapshot.children, children_.All(existing));
  REPRIEVE_ASSIGN_OR_RETURN(snapshot.soft_delete_enrolled,
                            tenancy_.SoftDeleteEnrolled(policy, existing.subscription));
  const Actor actor{clock_.Now(), request.caller,
                    request.operation ? &*request.operation : nullptr, finishing};
  REPRIEVE_ASSIGN_OR_RETURN(Planned<DeleteOutcome> planned,
                            planner_.Delete(policy, request, snapshot, actor));
  if (!planned.outcome.existed) return std::move(planned.outcome);
  REPRIEVE_RETURN_IF_ERROR(Commit(std::move(planned.batch)));
  DeleteOutcome outcome = std::move(planned.outcome);
  // A delete that runs on (or is set to fail) has only begun: its end does the rest.
  if (request.operation && finishing == nullptr && request.operation->deferred()) return outcome;
  if (request.delete_dependents) {
    for (const std::string& dependency : existing.dependencies) {
      auto dependency_id = ResourceId::Parse(dependency);
      if (!dependency_id.has_value() || !dependency_id->IsResource() ||
          catalog_.Find(dependency_id->FullType()) == nullptr) {
        continue;  // not a resource Reprieve serves
      }
      DeleteRequest dependent{*dependency_id, request.caller, std::nullopt, "", false, false};
      dependent.api_version = catalog_.Find(dependency_id->FullType())->api_versions.front();
      auto deleted = Delete(dependent);
      if (deleted.has_value() && deleted->existed) outcome.dependents_deleted.push_back(dependency);
    }
  }
  return outcome;
}

Result<Page> ResourceService::ListActive(const TypePolicy& policy, const std::string& subscription,
                                         const std::optional<std::string>& resource_group,
                                         const std::string& after, int limit) {
  ListQuery query;
  query.type = policy.type;
  query.subscription = AsciiLower(subscription);
  query.state = LifecycleState::kActive;
  query.after_key = after;
  query.limit = limit;
  if (resource_group) {
    const ResourceId group = ResourceId::ResourceGroup(subscription, *resource_group);
    REPRIEVE_RETURN_IF_ERROR(tenancy_.RequireGroup(group).status());
    query.key_prefix = group.Key() + "/";
  } else {
    REPRIEVE_RETURN_IF_ERROR(tenancy_.RequireSubscription(subscription));
  }
  return store_.List(query);
}

// ---------------------------------------------------------------- soft-deleted resources

Result<Page> ResourceService::ListDeleted(const TypePolicy& policy,
                                          const std::string& subscription,
                                          const std::optional<std::string>& resource_group,
                                          const std::string& after, int limit) {
  REPRIEVE_RETURN_IF_ERROR(tenancy_.RequireSubscription(subscription));
  ListQuery query;
  query.type = policy.type;
  query.subscription = AsciiLower(subscription);
  query.state = LifecycleState::kSoftDeleted;
  if (resource_group) {
    query.key_prefix = ResourceId::ResourceGroup(subscription, *resource_group).Key() + "/";
  }
  query.after_key = after;
  query.limit = limit;
  return store_.List(query);
}

Result<ResourceRecord> ResourceService::GetDeleted(const TypePolicy& policy,
                                                    const DeletedRef& ref) {
  REPRIEVE_RETURN_IF_ERROR(tenancy_.RequireSubscription(ref.subscription));
  const auto not_found = [&] {
    if (!policy.deleted_not_found.arm_code.empty()) {
      return policy.deleted_not_found.Render(ref.name, ref.name, policy.type);
    }
    std::string message = "The deleted resource '" + policy.deleted_type + "/" + ref.name + "'";
    if (!ref.any_location) message += " in location '" + ref.location + "'";
    if (!ref.resource_group.empty()) {
      message += " and resource group '" + ref.resource_group + "'";
    }
    return NotFoundError(message + " was not found: it was never deleted, was recovered, or has "
                                   "been purged.")
        .WithArmCode("ResourceNotFound");
  };
  const auto matches = [&](const ResourceRecord& record) {
    return record.state == LifecycleState::kSoftDeleted && record.type == policy.type &&
           record.subscription == AsciiLower(ref.subscription) &&
           (ref.any_location ||
            NormalizeLocation(record.location) == NormalizeLocation(ref.location)) &&
           EqualsIgnoreCase(record.name, ref.name);
  };
  const auto lookup = [&](const std::string& key) -> Result<ResourceRecord> {
    auto record = Settled(store_.Get(key));
    if (!record.has_value()) {
      return record.status().code() == StatusCode::kNotFound ? not_found() : record.status();
    }
    if (!matches(*record)) return not_found();
    return record;
  };
  if (!ref.resource_group.empty()) {
    return lookup(ResourceId::Resource(ref.subscription, ref.resource_group, policy.Namespace(),
                                       policy.ResourceType(), ref.name)
                      .Key());
  }
  // Location-scoped routes name no group: the name record (their names are global) knows
  // which resource holds the name.
  REPRIEVE_CHECK(policy.name_scope == NameScope::kGlobal)
      << policy.type << ": a location-scoped deleted route needs global names";
  auto name = store_.Get(NameKey(policy.type, ref.name));
  if (!name.has_value() || name->state != LifecycleState::kActive) {
    return !name.has_value() && name.status().code() != StatusCode::kNotFound ? name.status()
                                                                                : not_found();
  }
  return lookup(AsciiLower(name->id));
}

Result<PurgeOutcome> ResourceService::Purge(const TypePolicy& policy, const DeletedRef& ref,
                                            std::optional<Invocation> operation) {
  return RetryRaces(ref.name, [&]() -> Result<PurgeOutcome> {
    auto record = GetDeleted(policy, ref);
    if (!record.has_value() && record.status().code() == StatusCode::kNotFound) {
      REPRIEVE_RETURN_IF_ERROR(RefuseWhileDeleting(policy, ref));
    }
    if (!record.has_value()) return record.status();
    return PurgeOnce(policy, *record, operation, nullptr);
  });
}

Result<PurgeOutcome> ResourceService::PurgeOnce(const TypePolicy& policy,
                                                const ResourceRecord& record,
                                                const std::optional<Invocation>& start,
                                                const OperationRecord* finishing) {
  if (finishing == nullptr) {
    REPRIEVE_RETURN_IF_ERROR(RefusePending(record));
  } else if (record.pending_operation != finishing->id) {
    return PurgeOutcome{};
  }
  Snapshot snapshot;
  snapshot.record = record;
  REPRIEVE_ASSIGN_OR_RETURN(snapshot.children, children_.All(record));
  const Actor actor{clock_.Now(), start ? start->caller : Principal(), start ? &*start : nullptr,
                    finishing};
  REPRIEVE_ASSIGN_OR_RETURN(Planned<PurgeOutcome> planned,
                            planner_.Purge(policy, snapshot, actor, kPurgedByUser));
  REPRIEVE_RETURN_IF_ERROR(Commit(std::move(planned.batch)));
  return std::move(planned.outcome);
}

Status ResourceService::RefuseWhileDeleting(const TypePolicy& policy, const DeletedRef& ref) {
  std::string key;
  if (!ref.resource_group.empty()) {
    key = ResourceId::Resource(ref.subscription, ref.resource_group, policy.Namespace(),
                               policy.ResourceType(), ref.name)
              .Key();
  } else if (policy.name_scope == NameScope::kGlobal) {
    auto name = store_.Get(NameKey(policy.type, ref.name));
    if (name.has_value()) key = AsciiLower(name->id);
  }
  if (key.empty()) return OkStatus();
  auto live = store_.Get(key);
  if (!live.has_value() || live->state != LifecycleState::kActive ||
      live->pending_kind != OperationKind::kDelete) {
    return OkStatus();
  }
  return RefusePending(*live);
}

// ---------------------------------------------------------------- operations

// ---------------------------------------------------------------- operations

Status ResourceService::RefusePending(const ResourceRecord& record) {
  if (record.pending_operation.empty()) return OkStatus();
  auto op = store_.GetOperation(record.pending_operation);
  if (!op.has_value()) {
    return op.status().code() == StatusCode::kNotFound ? OkStatus() : op.status();
  }
  if (!op->running()) return OkStatus();
  if (op->ends_at > clock_.Now()) {
    return FailedPreconditionError(
               "The resource '" + record.id + "' has a " +
               std::string(OperationKindName(op->kind)) + " operation in progress (" + op->id +
               ", until " + FormatRfc3339(op->ends_at) +
               "); retry the request once that operation has finished.")
        .WithArmCode("Conflict");
  }
  REPRIEVE_RETURN_IF_ERROR(FinishOperation(*op));
  return AbortedError("the operation on " + record.key + " has just finished");
}

Result<ResourceRecord> ResourceService::Settled(Result<ResourceRecord> record) {
  if (!record.has_value() || record->pending_operation.empty()) return record;
  auto op = store_.GetOperation(record->pending_operation);
  if (!op.has_value() || !op->running() || op->ends_at > clock_.Now()) return record;
  REPRIEVE_RETURN_IF_ERROR(FinishOperation(*op));
  return store_.Get(record->key);
}

Status ResourceService::EndOperation(const OperationRecord& op, OperationStatus status,
                                     const Status& error) {
  return RetryRaces(op.id, [&]() -> Result<bool> {
           auto current = store_.GetOperation(op.id);
           if (!current.has_value()) return current.status();
           if (!current->running()) return true;  // another caller ended it
           WriteBatch batch;
           batch.expect_running.push_back(op.id);
           const Timestamp now = clock_.Now();
           batch.operations.push_back(Ended(*current, status, error, now));
           journal_.Ended(batch, batch.operations.back(), now);
           auto target = store_.Get(op.target_key);
           if (target.has_value() && target->pending_operation == op.id) {
             ResourceRecord unmarked = *target;
             unmarked.pending_operation.clear();
             unmarked.version += 1;
             batch.expect.push_back({target->key,
                                     target->state == LifecycleState::kActive ? Kind::kActive
                                                                              : Kind::kSoftDeleted,
                                     target->version});
             batch.put.push_back(std::move(unmarked));
           }
           REPRIEVE_RETURN_IF_ERROR(Commit(std::move(batch)));
           return true;
         })
      .status();
}

Status ResourceService::FinishOperation(const OperationRecord& op) {
  if (!op.running() || op.ends_at > clock_.Now()) return OkStatus();
  if (!op.error_code.empty()) {
    return EndOperation(op, OperationStatus::kFailed,
                        InternalError(op.error_message).WithArmCode(op.error_code));
  }
  auto target = store_.Get(op.target_key);
  if (!target.has_value() && target.status().code() != StatusCode::kNotFound) {
    return target.status();
  }
  if (!target.has_value() || target->pending_operation != op.id) {
    // Something else got there first: a group delete took the resource, or the sweeper
    // purged it (which is what a purge wanted).
    if (op.kind == OperationKind::kPurge && !target.has_value()) {
      return EndOperation(op, OperationStatus::kSucceeded, OkStatus());
    }
    return EndOperation(op, OperationStatus::kCanceled,
                        Status(StatusCode::kAborted,
                               "The operation was canceled: '" + op.target +
                                   "' was changed by another operation before it finished.")
                            .WithArmCode("OperationCanceled"));
  }
  const TypePolicy* policy = catalog_.Find(op.type);
  const auto id = ResourceId::Parse(op.target);
  if (policy == nullptr || !id.has_value()) {
    // Written by a server that served this type; this one does not.
    return EndOperation(op, OperationStatus::kFailed,
                        InternalError("The type '" + op.type + "' of '" + op.target +
                                      "' is no longer served.")
                            .WithArmCode("InvalidResourceType"));
  }
  Status finished;
  switch (op.kind) {
    case OperationKind::kCreate:
    case OperationKind::kRecover:
      return EndOperation(op, OperationStatus::kSucceeded, OkStatus());
    case OperationKind::kDelete: {
      const DeleteRequest request{*id, Principal(op.caller, op.caller_type), std::nullopt,
                                  op.api_version, op.force_purge, op.delete_dependents};
      finished = RetryRaces(op.target, [&] { return DeleteOnce(request, &op); }).status();
      break;
    }
    case OperationKind::kPurge: {
      finished = RetryRaces(op.target, [&]() -> Result<PurgeOutcome> {
                   REPRIEVE_ASSIGN_OR_RETURN(const ResourceRecord record,
                                             store_.Get(op.target_key));
                   return PurgeOnce(*policy, record, std::nullopt, &op);
                 }).status();
      break;
    }
  }
  if (finished.ok()) {
    // Ended with the transition, unless it found nothing left to do.
    auto now_op = store_.GetOperation(op.id);
    if (now_op.has_value() && now_op->running()) {
      return EndOperation(op, OperationStatus::kCanceled,
                          Status(StatusCode::kAborted, "The operation was canceled: '" +
                                                           op.target + "' had changed.")
                              .WithArmCode("OperationCanceled"));
    }
    return OkStatus();
  }
  if (finished.code() == StatusCode::kUnavailable) return finished;  // the executor retries
  return EndOperation(op, OperationStatus::kFailed, finished);
}

Result<OperationRecord> ResourceService::GetOperation(const std::string& id) {
  const std::string key = AsciiLower(id);
  auto op = store_.GetOperation(key);
  if (!op.has_value() || !op->running() || op->ends_at > clock_.Now()) return op;
  REPRIEVE_RETURN_IF_ERROR(FinishOperation(*op));
  return store_.GetOperation(key);
}

Result<int> ResourceService::RunDueOperations(int limit) {
  REPRIEVE_ASSIGN_OR_RETURN(const std::vector<OperationRecord> due,
                            store_.ListOperationsDue(clock_.Now(), limit));
  int finished = 0;
  for (const OperationRecord& op : due) {
    REPRIEVE_RETURN_IF_ERROR(FinishOperation(op));
    ++finished;
  }
  return finished;
}

// ---------------------------------------------------------------- access keys

Result<AccessKeys> ResourceService::ListKeys(const ResourceId& id) {
  REPRIEVE_ASSIGN_OR_RETURN(const ResourceRecord record, Get(id));
  return KeysOf(record);
}

Result<AccessKeys> ResourceService::RegenerateKey(const ResourceId& id, const std::string& key_name,
                                                  const Principal& caller,
                                                  const Invocation* invocation) {
  const TypePolicy& policy = PolicyFor(id);
  return RetryRaces(id.ToString(), [&]() -> Result<AccessKeys> {
    REPRIEVE_ASSIGN_OR_RETURN(ResourceRecord record, Get(id));
    REPRIEVE_RETURN_IF_ERROR(RefusePending(record));
    REPRIEVE_ASSIGN_OR_RETURN(AccessKeys keys, Regenerated(policy, KeysOf(record), key_name, random_));
    WriteBatch batch;
    batch.expect.push_back({record.key, Kind::kActive, record.version});
    record.secrets = AccessKeysText(keys);
    record.version += 1;
    record.changed_at = clock_.Now();
    record.changed_by = caller.name;
    record.changed_by_type = caller.type;
    batch.put.push_back(record);
    if (invocation != nullptr) {
      journal_.Started(batch, *invocation, record, nullptr, "OK", record.changed_at);
    }
    REPRIEVE_RETURN_IF_ERROR(Commit(std::move(batch)));
    return keys;
  });
}

// ---------------------------------------------------------------- the activity log

Status ResourceService::RecordRefusal(const Invocation& invocation, const std::string& resource_id,
                                      const Status& error, std::string_view status_text) {
  WriteBatch batch;
  journal_.Refused(batch, invocation, resource_id, error, status_text, clock_.Now());
  if (batch.activity.empty()) return OkStatus();  // not a subscription's resource
  return store_.Apply(batch);
}

}  // namespace reprieve::core
