#include "reprieve/core/service/resource_service.h"

#include <utility>

#include "reprieve/base/status_macros.h"
#include "reprieve/base/strings.h"
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
                                 const PolicyCatalog& catalog)
    : store_(store), clock_(clock), random_(random), catalog_(catalog) {}

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

Result<PutOutcome> ResourceService::Upsert(const ResourceRecord& fresh, const std::string& body,
                                           const std::string& caller,
                                           const std::vector<Expectation>& also_expect,
                                           const std::function<Status(const ResourceRecord&)>& check) {
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
      record.created_by = caller;
    }
    record.body = body;
    record.version += 1;
    record.changed_at = now;
    record.changed_by = caller;
    batch.put.push_back(record);
    REPRIEVE_RETURN_IF_ERROR(store_.Apply(batch));
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
                                                     const std::string& caller) {
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
  });
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
    const std::string& subscription, const std::string& name, const std::string& caller,
    std::optional<OperationRecord> operation) {
  REPRIEVE_RETURN_IF_ERROR(RequireSubscription(subscription));
  const ResourceId group = ResourceId::ResourceGroup(subscription, name);
  return RetryRaces(group.Key(), [&] { return DeleteGroupOnce(group, caller, operation); });
}

Result<GroupDeleteOutcome> ResourceService::DeleteGroupOnce(
    const ResourceId& group, const std::string& caller,
    const std::optional<OperationRecord>& operation) {
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
  GroupDeleteOutcome outcome;
  ListQuery query;
  query.key_prefix = group_record->key + "/";
  query.state = LifecycleState::kActive;
  query.limit = 1000;
  while (true) {
    REPRIEVE_ASSIGN_OR_RETURN(Page page, store_.List(query));
    for (ResourceRecord& child : page.items) {
      batch.expect.push_back({child.key, Kind::kActive, child.version});
      const TypePolicy* policy = catalog_.Find(child.type);
      if (policy != nullptr && policy->soft_delete) {
        child.state = LifecycleState::kSoftDeleted;
        child.version += 1;
        child.changed_at = now;
        child.changed_by = caller;
        child.deleted_at = now;
        child.scheduled_purge_at = now + policy->retention;
        batch.put.push_back(std::move(child));
        ++outcome.soft_deleted;
      } else {
        batch.erase.push_back(child.key);
        ++outcome.deleted;
      }
    }
    if (page.next_after.empty()) break;
    query.after_key = page.next_after;
  }
  if (operation) batch.operations.push_back(*operation);
  REPRIEVE_RETURN_IF_ERROR(store_.Apply(batch));
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

Result<PutOutcome> ResourceService::PutOnce(const PutRequest& request, const TypePolicy& policy) {
  REPRIEVE_ASSIGN_OR_RETURN(const ResourceRecord group, RequireGroup(request.id));
  const std::string key = request.id.Key();
  auto existing = store_.Get(key);
  if (!existing.has_value() && existing.status().code() != StatusCode::kNotFound) {
    return existing.status();
  }
  const Timestamp now = clock_.Now();
  const std::string id_text = request.id.ToString();
  WriteBatch batch;
  if (request.operation) batch.operations.push_back(*request.operation);
  PutOutcome outcome;

  if (request.restore) {
    if (!existing.has_value() || existing->state != LifecycleState::kSoftDeleted) {
      return policy.nothing_to_restore.Render(id_text, request.id.name(), policy.type);
    }
    // Recover: the deleted record's body comes back whole; the request only says "restore".
    ResourceRecord record = *existing;
    batch.expect.push_back({key, Kind::kSoftDeleted, record.version});
    batch.expect.push_back({group.key, Kind::kActive, 0});
    batch.touch.push_back(group.key);
    record.state = LifecycleState::kActive;
    record.version += 1;
    record.deleted_at.reset();
    record.scheduled_purge_at.reset();
    record.changed_at = now;
    record.changed_by = request.caller;
    batch.put.push_back(record);
    REPRIEVE_RETURN_IF_ERROR(store_.Apply(batch));
    return PutOutcome{std::move(record), PutOutcome::Kind::kRestored};
  }

  if (existing.has_value() && existing->state == LifecycleState::kSoftDeleted) {
    return policy.name_held.Render(existing->id, existing->name, policy.type);
  }

  if (existing.has_value()) {
    ResourceRecord record = *existing;
    if (NormalizeLocation(record.location) != NormalizeLocation(request.location)) {
      return AlreadyExistsError("The resource '" + record.id + "' already exists in location '" +
                                record.location + "' in resource group '" +
                                request.id.resource_group() +
                                "'. A resource with the same name cannot be created in location '" +
                                request.location + "'. Please select a new resource name.")
          .WithArmCode("InvalidResourceLocation")
          .WithTarget("location");
    }
    batch.expect.push_back({key, Kind::kActive, record.version});
    record.body = request.body;
    record.version += 1;
    record.etag = NewEtag();
    record.changed_at = now;
    record.changed_by = request.caller;
    batch.put.push_back(record);
    REPRIEVE_RETURN_IF_ERROR(store_.Apply(batch));
    return PutOutcome{std::move(record), PutOutcome::Kind::kUpdated};
  }

  ResourceRecord record;
  record.key = key;
  record.id = id_text;
  record.subscription = AsciiLower(request.id.subscription());
  record.resource_group = AsciiLower(request.id.resource_group());
  record.type = policy.type;
  record.name = request.id.name();
  record.location = request.location;
  record.body = request.body;
  record.secrets = NewSecrets(policy);
  record.state = LifecycleState::kActive;
  record.version = 1;
  record.etag = NewEtag();
  record.created_at = now;
  record.changed_at = now;
  record.created_by = request.caller;
  record.changed_by = request.caller;
  batch.expect.push_back({key, Kind::kAbsent, 0});
  batch.expect.push_back({group.key, Kind::kActive, 0});
  batch.touch.push_back(group.key);
  batch.put.push_back(record);
  REPRIEVE_RETURN_IF_ERROR(store_.Apply(batch));
  return PutOutcome{std::move(record), PutOutcome::Kind::kCreated};
}

Result<ResourceRecord> ResourceService::Get(const ResourceId& id) {
  REPRIEVE_RETURN_IF_ERROR(RequireGroup(id).status());
  auto record = store_.Get(id.Key());
  if (!record.has_value()) {
    if (record.status().code() == StatusCode::kNotFound) return ResourceNotFound(id);
    return record.status();
  }
  if (record->state != LifecycleState::kActive) return ResourceNotFound(id);
  return record;
}

Result<ResourceRecord> ResourceService::Update(const ResourceRecord& current, std::string body,
                                               const std::string& caller) {
  ResourceRecord record = current;
  record.body = std::move(body);
  record.version += 1;
  record.etag = NewEtag();
  record.changed_at = clock_.Now();
  record.changed_by = caller;
  WriteBatch batch;
  batch.expect.push_back({record.key, Kind::kActive, current.version});
  batch.put.push_back(record);
  REPRIEVE_RETURN_IF_ERROR(store_.Apply(batch));
  return record;
}

Result<DeleteOutcome> ResourceService::Delete(const ResourceId& id, const std::string& caller,
                                              std::optional<OperationRecord> operation) {
  return RetryRaces(id.ToString(), [&] { return DeleteOnce(id, caller, operation); });
}

Result<DeleteOutcome> ResourceService::DeleteOnce(
    const ResourceId& id, const std::string& caller,
    const std::optional<OperationRecord>& operation) {
  REPRIEVE_RETURN_IF_ERROR(RequireGroup(id).status());
  auto existing = store_.Get(id.Key());
  if (!existing.has_value()) {
    if (existing.status().code() == StatusCode::kNotFound) return DeleteOutcome{};
    return existing.status();
  }
  if (existing->state != LifecycleState::kActive) return DeleteOutcome{};
  const TypePolicy& policy = PolicyFor(id);
  const Timestamp now = clock_.Now();
  WriteBatch batch;
  if (operation) batch.operations.push_back(*operation);
  batch.expect.push_back({existing->key, Kind::kActive, existing->version});
  DeleteOutcome outcome;
  outcome.existed = true;
  if (policy.soft_delete) {
    ResourceRecord record = *existing;
    record.state = LifecycleState::kSoftDeleted;
    record.version += 1;
    record.changed_at = now;
    record.changed_by = caller;
    record.deleted_at = now;
    record.scheduled_purge_at = now + policy.retention;  // fixed at delete time, never recomputed
    batch.put.push_back(record);
    outcome.soft_deleted = true;
    outcome.record = std::move(record);
  } else {
    batch.erase.push_back(existing->key);
    outcome.record = *existing;
  }
  REPRIEVE_RETURN_IF_ERROR(store_.Apply(batch));
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
                                          const std::string& after, int limit) {
  REPRIEVE_RETURN_IF_ERROR(RequireSubscription(subscription));
  ListQuery query;
  query.type = policy.type;
  query.subscription = AsciiLower(subscription);
  query.state = LifecycleState::kSoftDeleted;
  query.after_key = after;
  query.limit = limit;
  return store_.List(query);
}

Result<ResourceRecord> ResourceService::FindDeleted(const TypePolicy& policy,
                                                    const DeletedRef& ref) {
  REPRIEVE_RETURN_IF_ERROR(RequireSubscription(ref.subscription));
  const auto not_found = [&] {
    std::string message = "The deleted resource '" + policy.deleted_type + "/" + ref.name +
                          "' in location '" + ref.location + "'";
    if (!ref.resource_group.empty()) {
      message += " and resource group '" + ref.resource_group + "'";
    }
    return NotFoundError(message + " was not found: it was never deleted, was recovered, or has "
                                   "been purged.")
        .WithArmCode("ResourceNotFound");
  };
  const auto matches = [&](const ResourceRecord& record) {
    return record.state == LifecycleState::kSoftDeleted && record.type == policy.type &&
           NormalizeLocation(record.location) == NormalizeLocation(ref.location) &&
           EqualsIgnoreCase(record.name, ref.name);
  };
  if (!ref.resource_group.empty()) {
    const ResourceId id = ResourceId::Resource(ref.subscription, ref.resource_group,
                                               policy.Namespace(), policy.ResourceType(), ref.name);
    auto record = store_.Get(id.Key());
    if (!record.has_value()) {
      return record.status().code() == StatusCode::kNotFound ? not_found() : record.status();
    }
    if (!matches(*record)) return not_found();
    return record;
  }
  // Location-scoped routes name no group: find the record among the subscription's deleted
  // resources of the type.
  ListQuery query;
  query.type = policy.type;
  query.subscription = AsciiLower(ref.subscription);
  query.state = LifecycleState::kSoftDeleted;
  query.limit = 1000;
  while (true) {
    REPRIEVE_ASSIGN_OR_RETURN(Page page, store_.List(query));
    for (ResourceRecord& record : page.items) {
      if (matches(record)) return std::move(record);
    }
    if (page.next_after.empty()) return not_found();
    query.after_key = page.next_after;
  }
}

Result<ResourceRecord> ResourceService::GetDeleted(const TypePolicy& policy,
                                                   const DeletedRef& ref) {
  return FindDeleted(policy, ref);
}

Status ResourceService::Purge(const TypePolicy& policy, const DeletedRef& ref,
                              std::optional<OperationRecord> operation) {
  return RetryRaces(ref.name, [&]() -> Result<bool> {
           REPRIEVE_ASSIGN_OR_RETURN(const ResourceRecord record, FindDeleted(policy, ref));
           WriteBatch batch;
           batch.expect.push_back({record.key, Kind::kSoftDeleted, record.version});
           batch.erase.push_back(record.key);
           if (operation) batch.operations.push_back(*operation);
           REPRIEVE_RETURN_IF_ERROR(store_.Apply(batch));
           return true;
         })
      .status();
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

Result<AccessKeys> ResourceService::RegenerateKey(const ResourceId& id,
                                                  const std::string& key_name,
                                                  const std::string& caller) {
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
    REPRIEVE_ASSIGN_OR_RETURN(AccessKeys keys, KeysOf(record));
    for (auto& [name, value] : keys) {
      if (name == canonical) value = random_.NewHex(16);
    }
    WriteBatch batch;
    batch.expect.push_back({record.key, Kind::kActive, record.version});
    record.secrets = SecretsText(keys);
    record.version += 1;
    record.changed_at = clock_.Now();
    record.changed_by = caller;
    batch.put.push_back(record);
    REPRIEVE_RETURN_IF_ERROR(store_.Apply(batch));
    return keys;
  });
}

Result<OperationRecord> ResourceService::GetOperation(const std::string& id) {
  return store_.GetOperation(AsciiLower(id));
}

}  // namespace reprieve::core
