// EventTransport: the port event delivery needs, implemented by the HTTP layer (webhooks).
// Calls block the delivery loop's thread, never a request's, and are bounded by the
// adapter's timeouts.
#pragma once

#include <string>
#include <vector>

#include "reprieve/core/model/event.h"

namespace reprieve::core {

struct TransportAnswer {
  int status = 0;          // the endpoint's HTTP status; 0: no answer (refused, timed out, TLS)
  std::string detail;      // what went wrong, when something did
  bool validated = false;  // Validate: the endpoint answered the handshake correctly
};

class EventTransport {
 public:
  virtual ~EventTransport() = default;
  // Runs `subscription`'s validation handshake with its endpoint: the validation event
  // carrying its code (Event Grid schema) or the abuse-protection OPTIONS (CloudEvents).
  virtual TransportAnswer Validate(const EventSubscription& subscription) = 0;
  // POSTs `events` to `subscription`'s endpoint as one batch, in its schema; `delivery_count`
  // is how many times this batch was tried before.
  virtual TransportAnswer Deliver(const EventSubscription& subscription,
                                  const std::vector<LifecycleEvent>& events,
                                  int delivery_count) = 0;
};

}  // namespace reprieve::core
