// Lifecycle events and the event subscriptions they are delivered to, the way Event Grid
// delivers Azure subscriptions' system events.
//
// An event is appended to the outbox in the same batch as the transition it reports, so an
// event exists exactly when its transition committed. The dispatcher (core/events) fans a
// due event out to the subscriptions whose filters it passes, one EventDelivery each, and
// delivers those at least once, with the event's one id, retrying on Event Grid's schedule
// until the subscription's budget is spent; then the delivery is dead-lettered.
//
// Two families:
//  - Azure's own, made from the activity log's final entry of every ARM mutation:
//    Microsoft.Resources.Resource{Write,Delete,Action}{Success,Failure,Cancel};
//  - Reprieve's lifecycle extension: Reprieve.Lifecycle.ResourceSoftDeleted,
//    ResourceRecovered, ResourcePurged (reason "user" or "retentionExpired") and
//    PurgeScheduled, the warning due a lead time before a soft-deleted resource's scheduled
//    purge (a recover or a user's purge cancels a warning not yet sent).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reprieve/base/time.h"

namespace reprieve::core {

inline constexpr std::string_view kSoftDeletedEvent = "Reprieve.Lifecycle.ResourceSoftDeleted";
inline constexpr std::string_view kRecoveredEvent = "Reprieve.Lifecycle.ResourceRecovered";
inline constexpr std::string_view kPurgedEvent = "Reprieve.Lifecycle.ResourcePurged";
inline constexpr std::string_view kPurgeScheduledEvent = "Reprieve.Lifecycle.PurgeScheduled";

// The type of event subscription records (keys: EventSubscriptionKey).
inline constexpr std::string_view kEventSubscriptionType = "Microsoft.EventGrid/eventSubscriptions";

struct LifecycleEvent {
  std::string id;              // a uuid, the same in every delivery of the event
  std::string event_type;      // "Microsoft.Resources.ResourceDeleteSuccess", ...
  std::string subscription;    // lower-case: the topic is "/subscriptions/{subscription}"
  std::string subject;         // the resource id
  std::string data_version;    // "2" for Microsoft.Resources.*, "1" for Reprieve.Lifecycle.*
  Timestamp time{};            // eventTime
  Timestamp due{};             // not fanned out before (== time but for PurgeScheduled)
  // Set on an event a later transition may cancel before it is fanned out.
  std::string cancel_key;
  // `data`, flat: "name" is a string member, "object.name" a string member of a nested
  // object (split at the first '.': "claims.http://schemas..." is one claim).
  std::vector<std::pair<std::string, std::string>> data;
  int64_t sequence = 0;  // set by the store: the order events were committed in

  bool operator==(const LifecycleEvent&) const = default;
};

// Delivery schemas (eventDeliverySchema).
enum class EventSchema { kEventGrid = 0, kCloudEvents = 1 };

// provisioningState of an event subscription.
enum class EventSubscriptionState {
  kCreating = 0,  // the validation handshake has not passed yet
  kAwaitingManualAction = 1,  // the endpoint asked for manual validation
  kSucceeded = 2,
  kFailed = 3,
};
std::string_view EventSubscriptionStateName(EventSubscriptionState state);

// What the dispatcher needs of one event subscription (the edge keeps the wire document).
struct EventSubscription {
  std::string id;     // its ARM id, as the caller spelled it
  std::string name;
  std::string scope;  // lower-case: "/subscriptions/{s}" or ".../resourcegroups/{g}"
  std::string endpoint_url;  // write-only on the wire
  EventSchema schema = EventSchema::kEventGrid;
  std::vector<std::string> included_event_types;  // empty: every type
  std::string subject_begins_with;
  std::string subject_ends_with;
  bool subject_case_sensitive = false;
  int max_events_per_batch = 1;
  int max_delivery_attempts = 30;
  Duration event_ttl = std::chrono::minutes(1440);
  EventSubscriptionState state = EventSubscriptionState::kCreating;
  std::string validation_code;  // what the endpoint must answer (or GET) to validate
  Timestamp validation_deadline{};  // Failed when not validated by then
  Timestamp next_validation{};      // when the handshake is tried (again)
  std::string failure;          // why it is Failed

  bool operator==(const EventSubscription&) const = default;
};

// Whether `event` is one `subscription` receives: in its scope, of an included type, and
// its subject passes the subject filters.
bool Matches(const EventSubscription& subscription, const LifecycleEvent& event);

// One event on its way to one subscription.
struct EventDelivery {
  std::string id;                // DeliveryId(event id, subscription key)
  std::string subscription_key;  // the event subscription's record key
  LifecycleEvent event;
  int attempts = 0;        // deliveries tried so far
  Timestamp next_attempt{};
  std::optional<Timestamp> last_attempt;
  std::string last_outcome;  // "200", "503", "no answer: ...", ...
  bool dead_lettered = false;
  std::string dead_letter_reason;  // MaxDeliveryAttemptsExceeded, TimeToLiveExceeded, ...
  int64_t sequence = 0;            // set by the store

  bool operator==(const EventDelivery&) const = default;
};

std::string DeliveryId(std::string_view event_id, std::string_view subscription_key);

// The record key of the event subscription `name` at `scope` (any casing).
std::string EventSubscriptionKey(std::string_view scope, std::string_view name);
// The prefix of the keys of every event subscription of `subscription` (lower-case).
std::string EventSubscriptionsOf(std::string_view subscription);

// Text forms, for stores that keep these whole; the Decode functions give nullopt for text
// the Encode functions did not make.
std::string EncodeEvent(const LifecycleEvent& event);
std::optional<LifecycleEvent> DecodeEvent(std::string_view text);
std::string EncodeDelivery(const EventDelivery& delivery);
std::optional<EventDelivery> DecodeDelivery(std::string_view text);
std::string EncodeEventSubscription(const EventSubscription& subscription);
std::optional<EventSubscription> DecodeEventSubscription(std::string_view text);

}  // namespace reprieve::core
