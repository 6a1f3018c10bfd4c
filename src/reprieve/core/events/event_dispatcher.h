// EventDispatcher: event delivery's step. RunOnce() validates new event subscriptions,
// fans the outbox's due events out to the subscriptions they match, and delivers the due
// deliveries, all on the injected clock:
//  - a subscription becomes Succeeded when its endpoint answers the handshake; one that
//    asks for manual validation waits AwaitingManualAction; one that does not answer by
//    its validation deadline becomes Failed;
//  - a delivery succeeds on 200-204; otherwise it is retried on Event Grid's schedule
//    (DeliveryBackoff) until the subscription's maxDeliveryAttempts or event TTL is spent,
//    at once dead-lettered on 400, 401, 403 and 413; dead letters stay in the store.
// Delivery is at least once: a delivery is removed only after its endpoint accepted it, so
// a crash in between sends it again, with the same event id.
//
// No thread of its own: app's loop calls RunOnce() periodically. Not safe to run
// concurrently with itself.
#pragma once

#include <cstdint>

#include "reprieve/base/clock.h"
#include "reprieve/base/result.h"
#include "reprieve/core/model/event.h"
#include "reprieve/core/ports/event_transport.h"
#include "reprieve/core/ports/resource_store.h"

namespace reprieve::core {

// How long after its `attempts`-th failed attempt a delivery is tried again: 10 s, 30 s,
// 1 min, 5 min, 10 min, 30 min, 1 h, then hourly.
Duration DeliveryBackoff(int attempts);

// How long an endpoint has to answer the handshake (Event Grid: 30 s for the synchronous
// answer; manual validation: 5 min).
inline constexpr Duration kValidationWindow = std::chrono::seconds(30);
inline constexpr Duration kManualValidationWindow = std::chrono::minutes(5);
// Between handshake attempts of an endpoint that did not answer.
inline constexpr Duration kValidationRetry = std::chrono::seconds(5);

struct DispatchReport {
  int64_t validated = 0;      // subscriptions that became Succeeded
  int64_t failed = 0;         // subscriptions that became Failed
  int64_t fanned_out = 0;     // outbox events fanned out (matching a subscription or not)
  int64_t delivered = 0;      // deliveries accepted by their endpoint
  int64_t retried = 0;        // deliveries that failed and wait for their next attempt
  int64_t dead_lettered = 0;  // deliveries that spent their budget
};

// The event subscription `record` keeps (its secrets hold the typed form); nullopt if the
// record is not one.
std::optional<EventSubscription> EventSubscriptionOf(const ResourceRecord& record);

class EventDispatcher {
 public:
  struct Options {
    int batch_size = 500;  // events fanned out / deliveries tried per RunOnce
  };
  EventDispatcher(ResourceStore& store, const Clock& clock, EventTransport& transport,
                  Options options);

  Result<DispatchReport> RunOnce();

 private:
  Status Validate(DispatchReport& report, Timestamp now);
  Status FanOut(DispatchReport& report, Timestamp now);
  Status Deliver(DispatchReport& report, Timestamp now);

  ResourceStore& store_;
  const Clock& clock_;
  EventTransport& transport_;
  Options options_;
};

}  // namespace reprieve::core
