// WebhookTransport: core's EventTransport over webhooks, the way Event Grid calls them
// (operations-events.md §3.2-§3.6): a JSON array of events in the subscription's schema
// (Event Grid's or CloudEvents 1.0), the aeg-* headers, and the validation handshake (the
// SubscriptionValidationEvent with its code and a validationUrl, or CloudEvents'
// abuse-protection OPTIONS).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "reprieve/base/clock.h"
#include "reprieve/base/random.h"
#include "reprieve/core/ports/event_transport.h"
#include "reprieve/core/service/resource_service.h"
#include "reprieve/http/outbound.h"

namespace reprieve::http {

struct WebhookOptions {
  // "https://host:port" of this server: where the validationUrl points.
  std::string public_url;
  std::chrono::milliseconds timeout{30000};  // Event Grid waits 30 s for an answer
  // The tenant of an Azure subscription (lower-case id), for data.tenantId.
  std::function<std::string(const std::string& subscription)> tenant_of;
};

class WebhookTransport final : public core::EventTransport {
 public:
  WebhookTransport(OutboundSender send, const Clock& clock, RandomSource& random,
                   WebhookOptions options);

  core::TransportAnswer Validate(const core::EventSubscription& subscription) override;
  core::TransportAnswer Deliver(const core::EventSubscription& subscription,
                                const std::vector<core::LifecycleEvent>& events,
                                int delivery_count) override;

 private:
  OutboundSender send_;
  const Clock& clock_;
  RandomSource& random_;
  WebhookOptions options_;
};

// WebhookOptions::tenant_of reading the subscription records of `service`.
std::function<std::string(const std::string&)> TenantLookup(core::ResourceService& service);

// The JSON array a delivery of `events` carries in `schema`; `tenant` fills the
// Microsoft.Resources events' data.tenantId.
std::string RenderEvents(const std::vector<core::LifecycleEvent>& events,
                         core::EventSchema schema, const std::string& tenant);

}  // namespace reprieve::http
