#include "reprieve/core/events/event_dispatcher.h"

#include <map>
#include <unordered_map>

#include "reprieve/base/status_macros.h"
#include "reprieve/core/internal/list_all.h"

namespace reprieve::core {
namespace {

// Statuses Event Grid does not retry: the event is dead-lettered at once.
bool Final(int status) { return status == 400 || status == 401 || status == 403 || status == 413; }

bool Accepted(int status) { return status >= 200 && status <= 204; }

std::string OutcomeOf(const TransportAnswer& answer) {
  if (answer.status == 0) return "no answer: " + answer.detail;
  return std::to_string(answer.status);
}

// Every event subscription record whose key starts with `prefix`.
Result<std::vector<ResourceRecord>> SubscriptionRecords(ResourceStore& store,
                                                        const std::string& prefix) {
  ListQuery query;
  query.type = std::string(kEventSubscriptionType);
  query.key_prefix = prefix;
  query.state = LifecycleState::kActive;
  query.limit = 1000;
  return internal::ListAll(store, std::move(query));
}

}  // namespace

Duration DeliveryBackoff(int attempts) {
  using std::chrono::minutes;
  using std::chrono::seconds;
  static constexpr Duration kSchedule[] = {seconds(10), seconds(30), minutes(1), minutes(5),
                                           minutes(10), minutes(30), minutes(60)};
  constexpr int kSteps = static_cast<int>(std::size(kSchedule));
  if (attempts < 1) return kSchedule[0];
  return kSchedule[std::min(attempts, kSteps) - 1];
}

std::optional<EventSubscription> EventSubscriptionOf(const ResourceRecord& record) {
  if (record.type != kEventSubscriptionType) return std::nullopt;
  return DecodeEventSubscription(record.secrets);
}

EventDispatcher::EventDispatcher(ResourceStore& store, const Clock& clock,
                                 EventTransport& transport, Options options)
    : store_(store), clock_(clock), transport_(transport), options_(options) {}

Result<DispatchReport> EventDispatcher::RunOnce() {
  const Timestamp now = clock_.Now();
  DispatchReport report;
  REPRIEVE_RETURN_IF_ERROR(Validate(report, now));
  REPRIEVE_RETURN_IF_ERROR(FanOut(report, now));
  REPRIEVE_RETURN_IF_ERROR(Deliver(report, now));
  return report;
}

Status EventDispatcher::Validate(DispatchReport& report, Timestamp now) {
  REPRIEVE_ASSIGN_OR_RETURN(std::vector<ResourceRecord> records,
                            SubscriptionRecords(store_, "/reprieve/eventgrid/"));
  for (ResourceRecord& record : records) {
    std::optional<EventSubscription> sub = EventSubscriptionOf(record);
    if (!sub || (sub->state != EventSubscriptionState::kCreating &&
                 sub->state != EventSubscriptionState::kAwaitingManualAction)) {
      continue;
    }
    const EventSubscription before = *sub;
    if (now > sub->validation_deadline) {
      sub->state = EventSubscriptionState::kFailed;
      if (sub->failure.empty()) sub->failure = "The endpoint did not validate the subscription.";
    } else if (sub->state == EventSubscriptionState::kCreating && now >= sub->next_validation) {
      const TransportAnswer answer = transport_.Validate(*sub);
      if (answer.validated) {
        sub->state = EventSubscriptionState::kSucceeded;
        sub->failure.clear();
      } else if (answer.status == 200 && sub->schema == EventSchema::kEventGrid) {
        // An answer without the code: the endpoint will GET the validation URL.
        sub->state = EventSubscriptionState::kAwaitingManualAction;
        sub->validation_deadline = now + kManualValidationWindow;
      } else {
        sub->next_validation = now + kValidationRetry;
        sub->failure = "Webhook validation handshake failed for " + sub->endpoint_url.substr(
                           0, sub->endpoint_url.find('?')) + ": " + OutcomeOf(answer);
      }
    }
    if (*sub == before) continue;
    WriteBatch batch;
    batch.expect.push_back({record.key, Expectation::Kind::kActive, record.version});
    record.secrets = EncodeEventSubscription(*sub);
    record.version += 1;
    record.changed_at = now;
    batch.put.push_back(record);
    Status status = store_.Apply(batch);
    if (status.code() == StatusCode::kAborted) continue;  // updated meanwhile: next round
    REPRIEVE_RETURN_IF_ERROR(status);
    if (sub->state == EventSubscriptionState::kSucceeded) ++report.validated;
    if (sub->state == EventSubscriptionState::kFailed) ++report.failed;
  }
  return OkStatus();
}

Status EventDispatcher::FanOut(DispatchReport& report, Timestamp now) {
  REPRIEVE_ASSIGN_OR_RETURN(std::vector<LifecycleEvent> due,
                            store_.ListEventsDue(now, options_.batch_size));
  if (due.empty()) return OkStatus();
  // The active subscriptions of each Azure subscription the events are in.
  std::map<std::string, std::vector<std::pair<std::string, EventSubscription>>> targets;
  WriteBatch batch;
  for (const LifecycleEvent& event : due) {
    auto it = targets.find(event.subscription);
    if (it == targets.end()) {
      REPRIEVE_ASSIGN_OR_RETURN(std::vector<ResourceRecord> records,
                                SubscriptionRecords(store_, EventSubscriptionsOf(event.subscription)));
      std::vector<std::pair<std::string, EventSubscription>> active;
      for (const ResourceRecord& record : records) {
        auto sub = EventSubscriptionOf(record);
        if (sub && sub->state == EventSubscriptionState::kSucceeded) {
          active.emplace_back(record.key, std::move(*sub));
        }
      }
      it = targets.emplace(event.subscription, std::move(active)).first;
    }
    for (const auto& [key, sub] : it->second) {
      if (!Matches(sub, event)) continue;
      EventDelivery delivery;
      delivery.id = DeliveryId(event.id, key);
      delivery.subscription_key = key;
      delivery.event = event;
      delivery.next_attempt = now;
      batch.deliveries.push_back(std::move(delivery));
    }
    batch.erase_events.push_back(event.id);
  }
  REPRIEVE_RETURN_IF_ERROR(store_.Apply(batch));
  report.fanned_out += static_cast<int64_t>(due.size());
  return OkStatus();
}

Status EventDispatcher::Deliver(DispatchReport& report, Timestamp now) {
  REPRIEVE_ASSIGN_OR_RETURN(std::vector<EventDelivery> due,
                            store_.ListDeliveriesDue(now, options_.batch_size));
  // By subscription, each in due order.
  std::vector<std::string> order;
  std::unordered_map<std::string, std::vector<EventDelivery>> by_subscription;
  for (EventDelivery& delivery : due) {
    auto [it, added] = by_subscription.try_emplace(delivery.subscription_key);
    if (added) order.push_back(delivery.subscription_key);
    it->second.push_back(std::move(delivery));
  }
  for (const std::string& key : order) {
    std::vector<EventDelivery>& deliveries = by_subscription[key];
    auto record = store_.Get(key);
    if (!record.has_value() && record.status().code() != StatusCode::kNotFound) {
      return record.status();
    }
    std::optional<EventSubscription> sub;
    if (record.has_value()) sub = EventSubscriptionOf(*record);
    WriteBatch batch;
    if (!sub || sub->state != EventSubscriptionState::kSucceeded) {
      // The subscription is gone (or no longer active): its deliveries go with it.
      for (const EventDelivery& delivery : deliveries) batch.erase_deliveries.push_back(delivery.id);
      REPRIEVE_RETURN_IF_ERROR(store_.Apply(batch));
      continue;
    }
    const size_t per_batch = static_cast<size_t>(std::max(1, sub->max_events_per_batch));
    for (size_t start = 0; start < deliveries.size(); start += per_batch) {
      const size_t end = std::min(deliveries.size(), start + per_batch);
      std::vector<LifecycleEvent> events;
      int attempts = 0;
      for (size_t i = start; i < end; ++i) {
        events.push_back(deliveries[i].event);
        attempts = std::max(attempts, deliveries[i].attempts);
      }
      const TransportAnswer answer = transport_.Deliver(*sub, events, attempts);
      if (Accepted(answer.status)) {
        for (size_t i = start; i < end; ++i) batch.erase_deliveries.push_back(deliveries[i].id);
        report.delivered += static_cast<int64_t>(end - start);
        continue;
      }
      for (size_t i = start; i < end; ++i) {
        EventDelivery& delivery = deliveries[i];
        delivery.attempts += 1;
        delivery.last_attempt = now;
        delivery.last_outcome = OutcomeOf(answer);
        delivery.next_attempt = now + DeliveryBackoff(delivery.attempts);
        if (Final(answer.status)) {
          delivery.dead_lettered = true;
          delivery.dead_letter_reason = "DeliveryRefused";
        } else if (delivery.attempts >= sub->max_delivery_attempts) {
          delivery.dead_lettered = true;
          delivery.dead_letter_reason = "MaxDeliveryAttemptsExceeded";
        } else if (delivery.next_attempt > delivery.event.time + sub->event_ttl) {
          delivery.dead_lettered = true;
          delivery.dead_letter_reason = "TimeToLiveExceeded";
        }
        ++(delivery.dead_lettered ? report.dead_lettered : report.retried);
        batch.deliveries.push_back(delivery);
      }
      // The endpoint is failing: the rest of its deliveries wait for the same retry, so
      // it is not called again meanwhile and the events keep their order.
      for (size_t i = end; i < deliveries.size(); ++i) {
        deliveries[i].next_attempt = now + DeliveryBackoff(deliveries[start].attempts);
        batch.deliveries.push_back(deliveries[i]);
      }
      break;
    }
    REPRIEVE_RETURN_IF_ERROR(store_.Apply(batch));
  }
  return OkStatus();
}

}  // namespace reprieve::core
