// Tenancy: tenants, subscriptions, resource groups and preview-feature enrolment — the
// containers resources live in. Writes are one transaction each, guarded by the version
// they read (a lost race is re-read and decided again); those given an Invocation record
// their activity-log entries in the same batch. Deleting a group is a lifecycle transition
// of everything in it, so it is ResourceService's.
//
// Safe for concurrent use. Holds references: the store, clock, journal and catalog must
// outlive it.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "reprieve/base/clock.h"
#include "reprieve/base/result.h"
#include "reprieve/core/lifecycle/planners.h"
#include "reprieve/core/model/resource.h"
#include "reprieve/core/model/resource_id.h"
#include "reprieve/core/policy/policy_catalog.h"
#include "reprieve/core/ports/resource_store.h"
#include "reprieve/core/service/invocation.h"
#include "reprieve/core/service/journal.h"

namespace reprieve::core {

class Tenancy {
 public:
  Tenancy(ResourceStore& store, const Clock& clock, Journal& journal, const PolicyCatalog& catalog)
      : store_(store), clock_(clock), journal_(journal), catalog_(catalog) {}

  // Creates or replaces a tenant / subscription record. `body` is the wire document.
  // PutSubscription: kNotFound (TenantNotFound) if the tenant does not exist.
  Result<PutOutcome> PutTenant(const std::string& tenant_id, const std::string& body);
  Result<PutOutcome> PutSubscription(const std::string& subscription_id,
                                     const std::string& tenant_id, const std::string& body);
  // kNotFound (SubscriptionNotFound) if absent.
  Result<ResourceRecord> GetSubscription(const std::string& subscription_id);
  Status RequireSubscription(const std::string& subscription);
  Result<Page> ListSubscriptions(const std::string& after, int limit);
  Result<Page> ListTenants(const std::string& after, int limit);

  Result<PutOutcome> PutResourceGroup(const std::string& subscription, const std::string& name,
                                      const std::string& location, const std::string& body,
                                      const Principal& caller,
                                      const Invocation* invocation = nullptr);
  // kNotFound (SubscriptionNotFound / ResourceGroupNotFound).
  Result<ResourceRecord> GetResourceGroup(const std::string& subscription,
                                          const std::string& name);
  // The live group of the resource `id`, its subscription checked first.
  Result<ResourceRecord> RequireGroup(const ResourceId& id);
  Result<Page> ListResourceGroups(const std::string& subscription, const std::string& after,
                                  int limit);

  // Enrols / withdraws the subscription. kNotFound (FeatureNotFound) for a feature no type
  // of the catalog has.
  Status SetFeature(const std::string& subscription, const std::string& provider_namespace,
                    const std::string& feature, bool registered,
                    const Invocation* invocation = nullptr);
  // Whether the subscription is enrolled. kNotFound (FeatureNotFound) as above.
  Result<bool> FeatureRegistered(const std::string& subscription,
                                 const std::string& provider_namespace,
                                 const std::string& feature);
  // Whether the subscription of `record` is enrolled in its policy's soft-delete feature
  // (true for types that have none).
  Result<bool> SoftDeleteEnrolled(const TypePolicy& policy, const std::string& subscription);
  // "Namespace/feature" of every feature the catalog's types use.
  std::vector<std::string> KnownFeatures() const;

 private:
  // Creates `fresh` (version 1) or replaces the body of the active record with its key,
  // guarded by `also_expect`; `check`, if set, may refuse the update of an existing record.
  Result<PutOutcome> Upsert(const ResourceRecord& fresh, const std::string& body,
                            const Principal& caller, const std::vector<Expectation>& also_expect,
                            const std::function<Status(const ResourceRecord&)>& check,
                            const Invocation* invocation = nullptr);

  ResourceStore& store_;
  const Clock& clock_;
  Journal& journal_;
  const PolicyCatalog& catalog_;
};

// Status messages ARM uses, shared with the HTTP layer's tests.
Status ResourceGroupNotFound(const std::string& name);
Status SubscriptionNotFound(const std::string& subscription);

}  // namespace reprieve::core
