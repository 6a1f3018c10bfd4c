#include "reprieve/core/service/tenancy.h"

#include "reprieve/base/status_macros.h"
#include "reprieve/base/strings.h"
#include "reprieve/core/internal/retry.h"
#include "reprieve/core/model/location.h"

namespace reprieve::core {

using internal::RetryRaces;
using Kind = Expectation::Kind;

Status ResourceGroupNotFound(const std::string& name) {
  return NotFoundError("Resource group '" + name + "' could not be found.")
      .WithArmCode("ResourceGroupNotFound");
}

Status SubscriptionNotFound(const std::string& subscription) {
  return NotFoundError("The subscription '" + subscription + "' could not be found.")
      .WithArmCode("SubscriptionNotFound");
}

Result<PutOutcome> Tenancy::Upsert(
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
    REPRIEVE_RETURN_IF_ERROR(store_.Apply(batch));
    return PutOutcome{std::move(record), existing.has_value() ? PutOutcome::Kind::kUpdated
                                                              : PutOutcome::Kind::kCreated};
  });
}

Result<PutOutcome> Tenancy::PutTenant(const std::string& tenant_id,
                                              const std::string& body) {
  ResourceRecord fresh;
  fresh.key = "/tenants/" + AsciiLower(tenant_id);
  fresh.id = "/tenants/" + tenant_id;
  fresh.type = std::string(kTenantType);
  fresh.name = tenant_id;
  return Upsert(fresh, body, "", {}, nullptr);
}

Result<PutOutcome> Tenancy::PutSubscription(const std::string& subscription_id,
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

Result<ResourceRecord> Tenancy::GetSubscription(const std::string& subscription_id) {
  auto record = store_.Get(ResourceId::Subscription(subscription_id).Key());
  if (!record.has_value() && record.status().code() == StatusCode::kNotFound) {
    return SubscriptionNotFound(subscription_id);
  }
  return record;
}

Status Tenancy::RequireSubscription(const std::string& subscription) {
  return GetSubscription(subscription).status();
}

Result<Page> Tenancy::ListSubscriptions(const std::string& after, int limit) {
  ListQuery query;
  query.type = std::string(kSubscriptionType);
  query.after_key = after;
  query.limit = limit;
  return store_.List(query);
}

Result<Page> Tenancy::ListTenants(const std::string& after, int limit) {
  ListQuery query;
  query.type = std::string(kTenantType);
  query.after_key = after;
  query.limit = limit;
  return store_.List(query);
}

Result<PutOutcome> Tenancy::PutResourceGroup(const std::string& subscription,
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

Result<ResourceRecord> Tenancy::GetResourceGroup(const std::string& subscription,
                                                         const std::string& name) {
  REPRIEVE_RETURN_IF_ERROR(RequireSubscription(subscription));
  auto record = store_.Get(ResourceId::ResourceGroup(subscription, name).Key());
  if (!record.has_value() && record.status().code() == StatusCode::kNotFound) {
    return ResourceGroupNotFound(name);
  }
  return record;
}

Result<Page> Tenancy::ListResourceGroups(const std::string& subscription,
                                                 const std::string& after, int limit) {
  REPRIEVE_RETURN_IF_ERROR(RequireSubscription(subscription));
  ListQuery query;
  query.type = std::string(kResourceGroupType);
  query.subscription = AsciiLower(subscription);
  query.after_key = after;
  query.limit = limit;
  return store_.List(query);
}

Result<ResourceRecord> Tenancy::RequireGroup(const ResourceId& id) {
  REPRIEVE_RETURN_IF_ERROR(RequireSubscription(id.subscription()));
  auto group = store_.Get(id.GroupKey());
  if (!group.has_value() && group.status().code() == StatusCode::kNotFound) {
    return ResourceGroupNotFound(id.resource_group());
  }
  return group;
}

std::vector<std::string> Tenancy::KnownFeatures() const {
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

Result<bool> Tenancy::FeatureRegistered(const std::string& subscription,
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

Status Tenancy::SetFeature(const std::string& subscription,
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
  Status applied = store_.Apply(batch);
  return applied.code() == StatusCode::kAborted ? OkStatus() : applied;  // a racer did it
}

Result<bool> Tenancy::SoftDeleteEnrolled(const TypePolicy& policy,
                                          const std::string& subscription) {
  if (policy.soft_delete_feature.empty()) return true;
  const size_t slash = policy.soft_delete_feature.find('/');
  return FeatureRegistered(subscription, policy.soft_delete_feature.substr(0, slash),
                           policy.soft_delete_feature.substr(slash + 1));
}

}  // namespace reprieve::core
