#include "reprieve/core/service/resource_service.h"

#include <algorithm>
#include <utility>

#include "reprieve/base/status_macros.h"
#include "reprieve/base/strings.h"
#include "reprieve/core/lifecycle/transitions.h"
#include "reprieve/core/model/location.h"

namespace reprieve::core {
namespace {

// How often a transition is re-decided after losing a race before the request gives up.
// Each retry re-reads the state, so only sustained contention on one name exhausts it.
constexpr int kMaxAttempts = 16;

using Kind = Expectation::Kind;

bool IsRace(const Status& status) { return status.code() == StatusCode::kAborted; }

Status Contended(const std::string& id) {
  return Status(StatusCode::kAborted,
                "The resource '" + id +
                    "' is being changed by concurrent requests; retry the request.")
      .WithArmCode("Conflict");
}

// Runs `attempt` until it returns something other than a lost race.
template <typename Fn>
auto RetryRaces(const std::string& id, Fn attempt) -> decltype(attempt()) {
  for (int i = 0; i < kMaxAttempts; ++i) {
    auto result = attempt();
    if (!IsRace(result.status())) return result;
  }
  return Contended(id);
}

// The operation record `start` begins for `kind` on `target` at `now`: finished at once
// unless it is deferred.
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

// Marks `record` as changed by `op` while it runs.
void MarkPending(ResourceRecord& record, const OperationRecord& op) {
  if (!op.running()) return;
  record.pending_operation = op.id;
  record.pending_kind = op.kind;
}

// The operation of `kind` that `invocation` (if any) starts on `record` at `now`, with
// `record` marked while it runs.
std::optional<OperationRecord> StartOn(const std::optional<Invocation>& invocation,
                                       OperationKind kind, ResourceRecord& record,
                                       Timestamp now) {
  if (!invocation) return std::nullopt;
  OperationRecord op = NewOperation(*invocation, kind, record, now);
  MarkPending(record, op);
  return op;
}

// `op` ended at `now` with `status`.
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

// `batch` with its operation: a finished or running operation commits with the transition;
// one set to fail replaces it, so nothing else is written.
WriteBatch WithOperation(WriteBatch batch, const std::optional<OperationRecord>& op) {
  if (!op) return batch;
  if (!op->error_code.empty()) {
    WriteBatch only;
    only.operations.push_back(*op);
    only.activity = std::move(batch.activity);
    return only;
  }
  batch.operations.push_back(*op);
  return batch;
}

std::string SecretsText(const AccessKeys& keys) {
  std::string out;
  for (const auto& [name, value] : keys) out += name + "=" + value + "\n";
  return out;
}

}  // namespace

Status ResourceNotFound(const ResourceId& id) {
  std::string message = "The Resource '" + id.FullType() + "/" + id.name() + "'";
  if (!id.resource_group().empty()) {
    message += " under resource group '" + id.resource_group() + "'";
  }
  message += " was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix";
  return NotFoundError(std::move(message)).WithArmCode("ResourceNotFound");
}

Status ResourceGroupNotFound(const std::string& name) {
  return NotFoundError("Resource group '" + name + "' could not be found.")
      .WithArmCode("ResourceGroupNotFound");
}

Status SubscriptionNotFound(const std::string& subscription) {
  return NotFoundError("The subscription '" + subscription + "' could not be found.")
      .WithArmCode("SubscriptionNotFound");
}

ResourceService::ResourceService(ResourceStore& store, const Clock& clock, RandomSource& random,
                                 const PolicyCatalog& catalog, Duration purge_warning)
    : store_(store),
      clock_(clock),
      random_(random),
      catalog_(catalog),
      journal_(random),
      events_(&random, purge_warning),
      access_(store, &clock, &journal_),
      children_(store, catalog),
      names_(store) {}

std::string ResourceService::NewEtag() { return "\"" + random_.NewHex(8) + "\""; }

std::string ResourceService::NewSecrets(const TypePolicy& policy) {
  AccessKeys keys;
  for (const std::string& name : policy.access_keys) keys.emplace_back(name, random_.NewHex(16));
  return SecretsText(keys);
}

const TypePolicy& ResourceService::PolicyFor(const ResourceId& id) const {
  const TypePolicy* policy = catalog_.Find(id.FullType());
  REPRIEVE_CHECK(policy != nullptr) << "no policy for " << id.FullType();
  return *policy;
}

// ---------------------------------------------------------------- tenants, subscriptions

Result<PutOutcome> ResourceService::Upsert(
    const ResourceRecord& fresh, const std::string& body, const Principal& caller,
    const std::vector<Expectation>& also_expect,
    const std::function<Status(const ResourceRecord&)>& check, const Invocation* invocation) {
  return RetryRaces(fresh.id, [&]() -> Result<PutOutcome> {
    auto existing = store_.Get(fresh.key);
    if (!existing.has_value() && existing.status().code() != StatusCode::kNotFound) {
      return existing.status();
    }
    const Timestamp now = clock_.Now();
    WriteBatch batch;
    batch.expect = also_expect;
    ResourceRecord record = fresh;
    if (existing.has_value()) {
      if (check) REPRIEVE_RETURN_IF_ERROR(check(*existing));
      record = *existing;
      batch.expect.push_back({record.key, Kind::kActive, record.version});
    } else {
      batch.expect.push_back({record.key, Kind::kAbsent, 0});
      record.version = 0;
      record.created_at = now;
      record.created_by = caller.name;
      record.created_by_type = caller.type;
    }
    record.body = body;
    record.version += 1;
    record.changed_at = now;
    record.changed_by = caller.name;
    record.changed_by_type = caller.type;
    batch.put.push_back(record);
    if (invocation != nullptr) {
      journal_.Started(batch, *invocation, record, nullptr, existing.has_value() ? "OK" : "Created",
                   now);
    }
    REPRIEVE_RETURN_IF_ERROR(Commit(batch));
    return PutOutcome{std::move(record), existing.has_value() ? PutOutcome::Kind::kUpdated
                                                              : PutOutcome::Kind::kCreated};
  });
}

Result<PutOutcome> ResourceService::PutTenant(const std::string& tenant_id,
                                              const std::string& body) {
  ResourceRecord fresh;
  fresh.key = "/tenants/" + AsciiLower(tenant_id);
  fresh.id = "/tenants/" + tenant_id;
  fresh.type = std::string(kTenantType);
  fresh.name = tenant_id;
  return Upsert(fresh, body, "", {}, nullptr);
}

Result<PutOutcome> ResourceService::PutSubscription(const std::string& subscription_id,
                                                    const std::string& tenant_id,
                                                    const std::string& body) {
  const std::string tenant_key = "/tenants/" + AsciiLower(tenant_id);
  auto tenant = store_.Get(tenant_key);
  if (!tenant.has_value()) {
    if (tenant.status().code() != StatusCode::kNotFound) return tenant.status();
    return NotFoundError("The tenant '" + tenant_id + "' could not be found.")
        .WithArmCode("TenantNotFound")
        .WithTarget("tenantId");
  }
  const ResourceId id = ResourceId::Subscription(subscription_id);
  ResourceRecord fresh;
  fresh.key = id.Key();
  fresh.id = id.ToString();
  fresh.subscription = AsciiLower(subscription_id);
  fresh.type = std::string(kSubscriptionType);
  fresh.name = subscription_id;
  return Upsert(fresh, body, "", {{tenant_key, Kind::kActive, 0}}, nullptr);
}

Result<ResourceRecord> ResourceService::GetSubscription(const std::string& subscription_id) {
  auto record = store_.Get(ResourceId::Subscription(subscription_id).Key());
  if (!record.has_value() && record.status().code() == StatusCode::kNotFound) {
    return SubscriptionNotFound(subscription_id);
  }
  return record;
}

Status ResourceService::RequireSubscription(const std::string& subscription) {
  return GetSubscription(subscription).status();
}

Result<Page> ResourceService::ListSubscriptions(const std::string& after, int limit) {
  ListQuery query;
  query.type = std::string(kSubscriptionType);
  query.after_key = after;
  query.limit = limit;
  return store_.List(query);
}

Result<Page> ResourceService::ListTenants(const std::string& after, int limit) {
  ListQuery query;
  query.type = std::string(kTenantType);
  query.after_key = after;
  query.limit = limit;
  return store_.List(query);
}

// ---------------------------------------------------------------- resource groups

Result<PutOutcome> ResourceService::PutResourceGroup(const std::string& subscription,
                                                     const std::string& name,
                                                     const std::string& location,
                                                     const std::string& body,
                                                     const Principal& caller,
                                                     const Invocation* invocation) {
  const TypePolicy& policy = *catalog_.Find(kResourceGroupType);
  REPRIEVE_RETURN_IF_ERROR(catalog_.ValidateName(policy, name));
  REPRIEVE_RETURN_IF_ERROR(RequireSubscription(subscription));
  const ResourceId id = ResourceId::ResourceGroup(subscription, name);
  ResourceRecord fresh;
  fresh.key = id.Key();
  fresh.id = id.ToString();
  fresh.subscription = AsciiLower(subscription);
  fresh.resource_group = AsciiLower(name);
  fresh.type = policy.type;
  fresh.name = name;
  fresh.location = location;
  return Upsert(fresh, body, caller, {}, [&](const ResourceRecord& existing) {
    if (NormalizeLocation(existing.location) == NormalizeLocation(location)) return OkStatus();
    return AlreadyExistsError("Invalid resource group location '" + location +
                              "'. The Resource group already exists in location '" +
                              existing.location + "'.")
        .WithArmCode("InvalidResourceGroupLocation")
        .WithTarget("location");
  }, invocation);
}

Result<ResourceRecord> ResourceService::GetResourceGroup(const std::string& subscription,
                                                         const std::string& name) {
  REPRIEVE_RETURN_IF_ERROR(RequireSubscription(subscription));
  auto record = store_.Get(ResourceId::ResourceGroup(subscription, name).Key());
  if (!record.has_value() && record.status().code() == StatusCode::kNotFound) {
    return ResourceGroupNotFound(name);
  }
  return record;
}

Result<GroupDeleteOutcome> ResourceService::DeleteResourceGroup(
    const std::string& subscription, const std::string& name, const Principal& caller,
    std::optional<Invocation> operation) {
  REPRIEVE_RETURN_IF_ERROR(RequireSubscription(subscription));
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
    while (true) {
      REPRIEVE_ASSIGN_OR_RETURN(Page page, store_.List(query));
      for (const ResourceRecord& record : page.items) batch.erase.push_back(record.key);
      if (page.next_after.empty()) break;
      query.after_key = page.next_after;
    }
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
      bool soft = false;
      if (policy != nullptr) {
        REPRIEVE_ASSIGN_OR_RETURN(soft, SoftDeletes(*policy, child, cascade));
      }
      if (soft) {
        ResourceRecord deleted = SoftDeletedAt(std::move(child), *policy, now, caller);
        REPRIEVE_RETURN_IF_ERROR(children_.AppendDeletion(deleted, true, now, caller, batch));
        events_.SoftDeleted(batch, deleted, caller.name);
        batch.put.push_back(std::move(deleted));
        ++outcome.soft_deleted;
      } else {
        AppendRemoval(child, policy, now, batch);
        REPRIEVE_RETURN_IF_ERROR(children_.AppendRemoval(child, now, batch));
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
  REPRIEVE_RETURN_IF_ERROR(Commit(batch));
  return outcome;
}

Result<Page> ResourceService::ListResourceGroups(const std::string& subscription,
                                                 const std::string& after, int limit) {
  REPRIEVE_RETURN_IF_ERROR(RequireSubscription(subscription));
  ListQuery query;
  query.type = std::string(kResourceGroupType);
  query.subscription = AsciiLower(subscription);
  query.after_key = after;
  query.limit = limit;
  return store_.List(query);
}

// ---------------------------------------------------------------- resources

Result<ResourceRecord> ResourceService::RequireGroup(const ResourceId& id) {
  REPRIEVE_RETURN_IF_ERROR(RequireSubscription(id.subscription()));
  auto group = store_.Get(id.GroupKey());
  if (!group.has_value() && group.status().code() == StatusCode::kNotFound) {
    return ResourceGroupNotFound(id.resource_group());
  }
  return group;
}

Result<PutOutcome> ResourceService::Put(const PutRequest& request) {
  const TypePolicy& policy = PolicyFor(request.id);
  REPRIEVE_RETURN_IF_ERROR(catalog_.ValidateName(policy, request.id.name()));
  return RetryRaces(request.id.ToString(), [&] { return PutOnce(request, policy); });
}

namespace {
// The facts a write states replace those of the record; a retention or purge protection the
// write leaves out keeps its value.
void ApplyFacts(const ResourceFacts& facts, ResourceRecord& record) {
  if (facts.retention) record.retention = facts.retention;
  if (facts.purge_protected) record.purge_protected = *facts.purge_protected;
  record.customer_managed_key = facts.customer_managed_key;
  record.transient = facts.transient;
  record.dependencies = facts.dependencies;
}
}  // namespace

Status ResourceService::ValidateFacts(const TypePolicy& policy, const ResourceFacts& facts,
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

Status ResourceService::RequireDependencies(const ResourceRecord& record) {
  for (const std::string& dependency : record.dependencies) {
    std::string key;
    std::string shown = dependency;
    if (dependency.rfind("/subscriptions/", 0) == 0 || dependency.rfind("/SUBSCRIPTIONS/", 0) == 0) {
      key = AsciiLower(dependency);
    } else {
      // "{type}/{name}": a globally named resource known by name only.
      const size_t slash = dependency.rfind('/');
      auto name = store_.Get(NameKey(dependency.substr(0, slash), dependency.substr(slash + 1)));
      if (name.has_value() && name->state == LifecycleState::kActive) {
        key = AsciiLower(name->id);
        shown = name->id;
      }
    }
    auto found = key.empty() ? Result<ResourceRecord>(NotFoundError("absent")) : store_.Get(key);
    if (found.has_value() && found->state == LifecycleState::kActive) continue;
    if (!found.has_value() && found.status().code() != StatusCode::kNotFound) {
      return found.status();
    }
    const bool soft_deleted = found.has_value();
    return FailedPreconditionError(
               "The resource '" + record.id + "' cannot be recovered: it depends on '" + shown +
               "', which " + (soft_deleted ? "is soft-deleted" : "does not exist") +
               ". Restore '" + shown + "' first (a customer-managed key vault or storage "
               "account must be recovered before the resources that use it), then retry.")
        .WithArmCode(soft_deleted ? "DependencySoftDeleted" : "DependencyNotFound");
  }
  return OkStatus();
}

Status ResourceService::Commit(const WriteBatch& batch) {
  REPRIEVE_RETURN_IF_ERROR(store_.Apply(batch));
  // The authorization snapshot is built from the RBAC records: a lifecycle change that
  // moved one makes it stale.
  const auto rbac = [](const std::string& key) {
    return key.compare(0, kRbacKeyPrefix.size(), kRbacKeyPrefix) == 0;
  };
  bool touched = std::any_of(batch.erase.begin(), batch.erase.end(), rbac);
  for (const ResourceRecord& record : batch.put) touched = touched || rbac(record.key);
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

Result<PutOutcome> ResourceService::PutOnce(const PutRequest& request, const TypePolicy& policy) {
  REPRIEVE_ASSIGN_OR_RETURN(const ResourceRecord group, RequireGroup(request.id));
  std::optional<ResourceRecord> parent;
  if (request.id.IsChild()) {
    // Children live only under a live parent (a soft-deleted workspace takes no children).
    REPRIEVE_ASSIGN_OR_RETURN(parent, Get(request.id.Parent()));
  }
  // Children are proxy resources: they live where their parent does.
  const std::string& location = parent ? parent->location : request.location;
  const std::string key = request.id.Key();
  auto existing = store_.Get(key);
  if (!existing.has_value() && existing.status().code() != StatusCode::kNotFound) {
    return existing.status();
  }
  if (existing.has_value()) REPRIEVE_RETURN_IF_ERROR(RefusePending(*existing));
  const Timestamp now = clock_.Now();
  const std::string id_text = request.id.ToString();
  WriteBatch batch;
  const bool deleted = existing.has_value() && existing->state == LifecycleState::kSoftDeleted;
  if (request.restore) {
    if (!deleted) return policy.nothing_to_restore.Render(id_text, request.id.name(), policy.type);
    if (policy.recover == RecoverMechanism::kRestoreReference &&
        request.restore_reference != RestoreReference(*existing)) {
      return InvalidArgumentError("The restore reference '" + request.restore_reference +
                                  "' does not name the deleted account; its reference is '" +
                                  RestoreReference(*existing) + "'.")
          .WithArmCode("InvalidRestoreReference")
          .WithTarget(policy.restore_reference_path);
    }
    REPRIEVE_RETURN_IF_ERROR(RequireDependencies(*existing));
    REPRIEVE_RETURN_IF_ERROR(names_.Keep(policy, *existing, batch));
    // Recover: the deleted record's body comes back whole; the request only says "restore".
    batch.expect.push_back({key, Kind::kSoftDeleted, existing->version});
    batch.expect.push_back({group.key, Kind::kActive, 0});
    batch.touch.push_back(group.key);
    ResourceRecord record = RecoveredAt(*existing, now, request.caller);
    const std::optional<OperationRecord> op =
        StartOn(request.operation, OperationKind::kRecover, record, now);
    events_.Recovered(batch, *existing, request.caller.name, now);
    batch.put.push_back(record);
    PutOutcome outcome{record, PutOutcome::Kind::kRestored, {}, {}, {}, op};
    // Children soft-deleted with it come back; those re-created on recover come back when
    // what they depend on is there, and are reported otherwise.
    REPRIEVE_ASSIGN_OR_RETURN(std::vector<ResourceRecord> children, children_.Of(*existing, true));
    for (ResourceRecord& child : children) {
      const TypePolicy* child_policy = catalog_.Find(child.type);
      batch.expect.push_back({child.key, Kind::kSoftDeleted, child.version});
      const bool recreate = children_.OnParentDelete(*existing, child) == ParentDelete::kRecreate;
      if (recreate) {
        if (Status usable = RequireDependencies(child); !usable.ok()) {
          AppendRemoval(child, child_policy, now, batch);
          outcome.not_recreated_children.emplace_back(child.id, usable.message());
          continue;
        }
      }
      (recreate ? outcome.recreated_children : outcome.restored_children).push_back(child.id);
      batch.put.push_back(RecoveredAt(std::move(child), now, request.caller));
    }
    if (request.operation) {
      journal_.Started(batch, *request.operation, record, op ? &*op : nullptr, "Created", now);
    }
    REPRIEVE_RETURN_IF_ERROR(Commit(WithOperation(std::move(batch), op)));
    return outcome;
  }

  if (deleted && policy.name_held_while_deleted) {
    return policy.name_held.Render(existing->id, existing->name, policy.type);
  }

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
    if (request.operation) journal_.Started(batch, *request.operation, record, nullptr, "OK", now);
    REPRIEVE_RETURN_IF_ERROR(Commit(batch));
    return PutOutcome{std::move(record), PutOutcome::Kind::kUpdated};
  }

  REPRIEVE_RETURN_IF_ERROR(ValidateFacts(policy, request.facts, nullptr));
  ResourceRecord record;
  record.key = key;
  record.id = id_text;
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
  REPRIEVE_RETURN_IF_ERROR(names_.Claim(policy, record, batch));
  batch.expect.push_back({group.key, Kind::kActive, 0});
  batch.touch.push_back(group.key);
  if (parent) {
    // Touching the parent makes a racing delete of it retry and see this child.
    batch.expect.push_back({parent->key, Kind::kActive, 0});
    batch.touch.push_back(parent->key);
  }
  const std::optional<OperationRecord> op =
      StartOn(request.operation, OperationKind::kCreate, record, now);
  batch.put.push_back(record);
  if (request.operation) {
    journal_.Started(batch, *request.operation, record, op ? &*op : nullptr, "Created", now);
  }
  REPRIEVE_RETURN_IF_ERROR(Commit(WithOperation(std::move(batch), op)));
  return PutOutcome{std::move(record), PutOutcome::Kind::kCreated, {}, {}, {}, op};
}

Result<ResourceRecord> ResourceService::Get(const ResourceId& id) {
  auto record = Settled(store_.Get(id.Key()));
  // A live resource implies its group and subscription (a group delete takes everything in
  // it), so the common case is one lookup; only a miss needs to say which level is missing.
  if (record.has_value() && record->state == LifecycleState::kActive) return record;
  if (!record.has_value() && record.status().code() != StatusCode::kNotFound) {
    return record.status();
  }
  REPRIEVE_RETURN_IF_ERROR(RequireGroup(id).status());
  return ResourceNotFound(id);
}

Result<ResourceRecord> ResourceService::Modify(
    const ResourceId& id, const std::function<Result<BodyChange>(const ResourceRecord&)>& change,
    const Principal& caller, const Invocation* invocation) {
  return RetryRaces(id.ToString(), [&]() -> Result<ResourceRecord> {
    REPRIEVE_ASSIGN_OR_RETURN(
        const ResourceRecord current,
        id.IsResourceGroup() ? GetResourceGroup(id.subscription(), id.resource_group()) : Get(id));
    REPRIEVE_ASSIGN_OR_RETURN(const BodyChange changed, change(current));
    return Update(current, changed, caller, invocation);
  });
}

Result<ResourceRecord> ResourceService::Update(const ResourceRecord& current,
                                               const BodyChange& change, const Principal& caller,
                                               const Invocation* invocation) {
  REPRIEVE_RETURN_IF_ERROR(RefusePending(current));
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
  record.changed_at = clock_.Now();
  record.changed_by = caller.name;
  record.changed_by_type = caller.type;
  WriteBatch batch;
  batch.expect.push_back({record.key, Kind::kActive, current.version});
  batch.put.push_back(record);
  if (invocation != nullptr) {
    journal_.Started(batch, *invocation, record, nullptr, "OK", record.changed_at);
  }
  REPRIEVE_RETURN_IF_ERROR(Commit(batch));
  return record;
}

Result<DeleteOutcome> ResourceService::Delete(const DeleteRequest& request) {
  // A name no resource of the type can have is a bad request, not "nothing to delete".
  REPRIEVE_RETURN_IF_ERROR(catalog_.ValidateName(PolicyFor(request.id), request.id.name()));
  return RetryRaces(request.id.ToString(), [&] { return DeleteOnce(request); });
}

Result<bool> ResourceService::SoftDeletes(const TypePolicy& policy, const ResourceRecord& record,
                                          const DeleteRequest& request) {
  if (!policy.soft_delete || !policy.SoftDeletesAt(request.api_version)) return false;
  if (!policy.force_purge_parameter.empty() && request.force_purge) return false;
  if (policy.customer_managed_key_hard_delete && record.customer_managed_key) return false;
  if (!policy.soft_delete_feature.empty()) {
    const size_t slash = policy.soft_delete_feature.find('/');
    return FeatureRegistered(record.subscription, policy.soft_delete_feature.substr(0, slash),
                             policy.soft_delete_feature.substr(slash + 1));
  }
  return true;
}

Result<DeleteOutcome> ResourceService::DeleteOnce(const DeleteRequest& request,
                                                  const OperationRecord* finishing) {
  const ResourceId& id = request.id;
  REPRIEVE_RETURN_IF_ERROR(RequireGroup(id).status());
  const TypePolicy& policy = PolicyFor(id);
  auto existing = store_.Get(id.Key());
  if (!existing.has_value()) {
    if (existing.status().code() == StatusCode::kNotFound) return DeleteOutcome{};
    return existing.status();
  }
  if (finishing == nullptr) {
    REPRIEVE_RETURN_IF_ERROR(RefusePending(*existing));
  } else if (existing->pending_operation != finishing->id) {
    return DeleteOutcome{};  // something else (a group delete) took it meanwhile
  }
  const Timestamp now = clock_.Now();
  WriteBatch batch;
  DeleteOutcome outcome;
  // Who the transition is by: the caller, or whoever started the delete it finishes.
  const std::string& caller_name = finishing != nullptr ? finishing->caller : request.caller.name;
  // A running delete marks the resource now and takes effect when it ends; one set to fail
  // changes nothing.
  const bool starts = request.operation && finishing == nullptr && request.operation->deferred();
  const auto begin = [&](Kind expected) -> Result<DeleteOutcome> {
    OperationRecord op = NewOperation(*request.operation, OperationKind::kDelete, *existing, now);
    op.api_version = request.api_version;
    op.force_purge = request.force_purge;
    op.delete_dependents = request.delete_dependents;
    REPRIEVE_RETURN_IF_ERROR(BeginOperation(op, *existing, expected, *request.operation));
    outcome.existed = true;
    outcome.record = *existing;
    outcome.operation = std::move(op);
    return outcome;
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
        outcome.operation =
            NewOperation(*request.operation, OperationKind::kDelete, *existing, now);
      }
      journal_.Started(transition, *request.operation, *existing,
                   outcome.operation ? &*outcome.operation : nullptr, tracked ? "Accepted" : "OK",
                   now);
    }
    if (outcome.operation) transition.operations.push_back(*outcome.operation);
    return transition;
  };
  if (existing->state != LifecycleState::kActive) {
    // Deleting a soft-deleted resource again purges it only when asked to.
    if (policy.force_purge_parameter.empty() || !request.force_purge) return DeleteOutcome{};
    REPRIEVE_RETURN_IF_ERROR(RefusePurgeWhileProtected(*existing, now));
    if (starts) return begin(Kind::kSoftDeleted);
    batch.expect.push_back({existing->key, Kind::kSoftDeleted, existing->version});
    AppendRemoval(*existing, &policy, now, batch);
    events_.Purged(batch, *existing, caller_name, kPurgedByUser, now);
    REPRIEVE_RETURN_IF_ERROR(children_.AppendRemoval(*existing, now, batch));
    REPRIEVE_RETURN_IF_ERROR(Commit(finish(std::move(batch))));
    outcome.existed = true;
    outcome.record = *existing;
    return outcome;
  }
  REPRIEVE_ASSIGN_OR_RETURN(const bool soft, SoftDeletes(policy, *existing, request));
  if (request.delete_dependents && soft) {
    return InvalidArgumentError(
               "Dependent resources can only be deleted together with a permanent delete of '" +
               existing->id + "', so that the workspace stays recoverable otherwise. Add " +
               policy.force_purge_parameter + "=true, or do not delete dependent resources.")
        .WithArmCode("DependentResourcesRequirePermanentDelete")
        .WithTarget(policy.delete_dependents_parameter);
  }
  if (starts) return begin(Kind::kActive);
  batch.expect.push_back({existing->key, Kind::kActive, existing->version});
  outcome.existed = true;
  if (soft) {
    ResourceRecord record = SoftDeletedAt(*existing, policy, now, request.caller);
    REPRIEVE_RETURN_IF_ERROR(children_.AppendDeletion(record, true, now, request.caller, batch));
    events_.SoftDeleted(batch, record, caller_name);
    batch.put.push_back(record);
    outcome.soft_deleted = true;
    outcome.record = std::move(record);
  } else {
    AppendRemoval(*existing, &policy, now, batch);
    REPRIEVE_RETURN_IF_ERROR(children_.AppendRemoval(*existing, now, batch));
    outcome.record = *existing;
  }
  REPRIEVE_RETURN_IF_ERROR(Commit(finish(std::move(batch))));
  if (request.delete_dependents) {
    for (const std::string& dependency : existing->dependencies) {
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
    REPRIEVE_RETURN_IF_ERROR(RequireGroup(group).status());
    query.key_prefix = group.Key() + "/";
  } else {
    REPRIEVE_RETURN_IF_ERROR(RequireSubscription(subscription));
  }
  return store_.List(query);
}

// ---------------------------------------------------------------- soft-deleted resources

Result<Page> ResourceService::ListDeleted(const TypePolicy& policy,
                                          const std::string& subscription,
                                          const std::optional<std::string>& resource_group,
                                          const std::string& after, int limit) {
  REPRIEVE_RETURN_IF_ERROR(RequireSubscription(subscription));
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
  REPRIEVE_RETURN_IF_ERROR(RequireSubscription(ref.subscription));
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

Status ResourceService::RefusePurgeWhileProtected(const ResourceRecord& record, Timestamp now) {
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
  const Timestamp now = clock_.Now();
  REPRIEVE_RETURN_IF_ERROR(RefusePurgeWhileProtected(record, now));
  PurgeOutcome outcome;
  if (finishing == nullptr && start && start->deferred()) {
    OperationRecord op = NewOperation(*start, OperationKind::kPurge, record, now);
    REPRIEVE_RETURN_IF_ERROR(BeginOperation(op, record, Kind::kSoftDeleted, *start));
    outcome.operation = std::move(op);
    return outcome;
  }
  WriteBatch batch;
  batch.expect.push_back({record.key, Kind::kSoftDeleted, record.version});
  AppendRemoval(record, &policy, now, batch);
  REPRIEVE_RETURN_IF_ERROR(children_.AppendRemoval(record, now, batch));
  events_.Purged(batch, record,
                 finishing != nullptr ? finishing->caller : (start ? start->caller.name : ""),
                 kPurgedByUser, now);
  if (finishing != nullptr) {
    outcome.operation = Ended(*finishing, OperationStatus::kSucceeded, OkStatus(), now);
    batch.expect_running.push_back(finishing->id);
    journal_.Ended(batch, *outcome.operation, now);
  } else if (start) {
    outcome.operation = NewOperation(*start, OperationKind::kPurge, record, now);
    journal_.Started(batch, *start, record, &*outcome.operation, "Accepted", now);
  }
  if (outcome.operation) batch.operations.push_back(*outcome.operation);
  REPRIEVE_RETURN_IF_ERROR(Commit(batch));
  return outcome;
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

Status ResourceService::BeginOperation(const OperationRecord& op, const ResourceRecord& record,
                                       Expectation::Kind expected, const Invocation& invocation) {
  WriteBatch batch;
  journal_.Started(batch, invocation, record, &op, "Accepted", op.created_at);
  if (op.running()) {
    ResourceRecord marked = record;
    marked.version += 1;
    MarkPending(marked, op);
    batch.expect.push_back({record.key, expected, record.version});
    batch.put.push_back(std::move(marked));
  }
  batch.operations.push_back(op);
  return Commit(batch);
}

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
           REPRIEVE_RETURN_IF_ERROR(Commit(batch));
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

// ---------------------------------------------------------------- features

std::vector<std::string> ResourceService::KnownFeatures() const {
  std::vector<std::string> features;
  for (const TypePolicy& policy : catalog_.policies()) {
    if (!policy.soft_delete_feature.empty()) features.push_back(policy.soft_delete_feature);
  }
  return features;
}

namespace {
std::string FeatureKey(const std::string& subscription, const std::string& ns,
                       const std::string& feature) {
  return AsciiLower("/subscriptions/" + subscription + "/providers/Microsoft.Features/providers/" +
                    ns + "/features/" + feature);
}
}  // namespace

Result<bool> ResourceService::FeatureRegistered(const std::string& subscription,
                                                const std::string& provider_namespace,
                                                const std::string& feature) {
  bool known = false;
  for (const std::string& candidate : KnownFeatures()) {
    known = known || EqualsIgnoreCase(candidate, provider_namespace + "/" + feature);
  }
  if (!known) {
    return NotFoundError("The feature '" + feature + "' could not be found in namespace '" +
                         provider_namespace + "'.")
        .WithArmCode("FeatureNotFound");
  }
  auto record = store_.Get(FeatureKey(subscription, provider_namespace, feature));
  if (record.has_value()) return true;
  if (record.status().code() == StatusCode::kNotFound) return false;
  return record.status();
}

Status ResourceService::SetFeature(const std::string& subscription,
                                   const std::string& provider_namespace,
                                   const std::string& feature, bool registered,
                                   const Invocation* invocation) {
  REPRIEVE_RETURN_IF_ERROR(RequireSubscription(subscription));
  REPRIEVE_ASSIGN_OR_RETURN(const bool current,
                            FeatureRegistered(subscription, provider_namespace, feature));
  if (current == registered) return OkStatus();
  ResourceRecord record;
  record.key = FeatureKey(subscription, provider_namespace, feature);
  record.id = "/subscriptions/" + subscription + "/providers/Microsoft.Features/providers/" +
              provider_namespace + "/features/" + feature;
  record.subscription = AsciiLower(subscription);
  record.type = "Microsoft.Features/providers/features";
  record.name = provider_namespace + "/" + feature;
  record.body = "{}";
  record.version = 1;
  record.created_at = record.changed_at = clock_.Now();
  WriteBatch batch;
  if (invocation != nullptr) {
    journal_.Started(batch, *invocation, record, nullptr, "OK", record.changed_at);
  }
  if (registered) {
    batch.expect.push_back({record.key, Kind::kAbsent, 0});
    batch.put.push_back(std::move(record));
  } else {
    batch.expect.push_back({record.key, Kind::kActive, 0});
    batch.erase.push_back(record.key);
  }
  Status applied = Commit(batch);
  return applied.code() == StatusCode::kAborted ? OkStatus() : applied;  // a racer did it
}

// ---------------------------------------------------------------- access keys

Result<AccessKeys> ResourceService::KeysOf(const ResourceRecord& record) const {
  AccessKeys keys;
  for (std::string_view line : Split(record.secrets, '\n')) {
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    keys.emplace_back(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
  }
  return keys;
}

Result<AccessKeys> ResourceService::ListKeys(const ResourceId& id) {
  REPRIEVE_ASSIGN_OR_RETURN(const ResourceRecord record, Get(id));
  return KeysOf(record);
}

Result<AccessKeys> ResourceService::RegenerateKey(const ResourceId& id, const std::string& key_name,
                                                  const Principal& caller,
                                                  const Invocation* invocation) {
  const TypePolicy& policy = PolicyFor(id);
  std::string canonical;
  for (const std::string& name : policy.access_keys) {
    if (EqualsIgnoreCase(name, key_name)) canonical = name;
  }
  if (canonical.empty()) {
    std::string names;
    for (const std::string& name : policy.access_keys) names += (names.empty() ? "" : ", ") + name;
    return InvalidArgumentError("The key name '" + key_name + "' is invalid; expected one of: " +
                                names + ".")
        .WithArmCode("InvalidKeyName")
        .WithTarget("keyName");
  }
  return RetryRaces(id.ToString(), [&]() -> Result<AccessKeys> {
    REPRIEVE_ASSIGN_OR_RETURN(ResourceRecord record, Get(id));
    REPRIEVE_RETURN_IF_ERROR(RefusePending(record));
    REPRIEVE_ASSIGN_OR_RETURN(AccessKeys keys, KeysOf(record));
    for (auto& [name, value] : keys) {
      if (name == canonical) value = random_.NewHex(16);
    }
    WriteBatch batch;
    batch.expect.push_back({record.key, Kind::kActive, record.version});
    record.secrets = SecretsText(keys);
    record.version += 1;
    record.changed_at = clock_.Now();
    record.changed_by = caller.name;
    record.changed_by_type = caller.type;
    batch.put.push_back(record);
    if (invocation != nullptr) {
      journal_.Started(batch, *invocation, record, nullptr, "OK", record.changed_at);
    }
    REPRIEVE_RETURN_IF_ERROR(Commit(batch));
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
