#include "reprieve/core/model/event.h"

#include <algorithm>

#include "reprieve/base/strings.h"
#include "reprieve/core/internal/text_codec.h"

namespace reprieve::core {
namespace {

using internal::LineReader;
using internal::LineWriter;

bool EndsWithIgnoreCase(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         EqualsIgnoreCase(text.substr(text.size() - suffix.size()), suffix);
}

void WriteEvent(const LifecycleEvent& e, LineWriter& out) {
  out.Add(e.id).Add(e.event_type).Add(e.subscription).Add(e.subject).Add(e.data_version);
  out.Add(e.time).Add(e.due).Add(e.cancel_key);
  out.Add(static_cast<int64_t>(e.data.size()));
  for (const auto& [name, value] : e.data) out.Add(name).Add(value);
}

LifecycleEvent ReadEvent(LineReader& in) {
  LifecycleEvent e;
  e.id = in.Text();
  e.event_type = in.Text();
  e.subscription = in.Text();
  e.subject = in.Text();
  e.data_version = in.Text();
  e.time = in.Time();
  e.due = in.Time();
  e.cancel_key = in.Text();
  const int64_t fields = in.Int();
  for (int64_t i = 0; in.ok() && i < fields; ++i) {
    std::string name = in.Text();
    std::string value = in.Text();
    e.data.emplace_back(std::move(name), std::move(value));
  }
  return e;
}

}  // namespace

std::string_view EventSubscriptionStateName(EventSubscriptionState state) {
  switch (state) {
    case EventSubscriptionState::kCreating: return "Creating";
    case EventSubscriptionState::kAwaitingManualAction: return "AwaitingManualAction";
    case EventSubscriptionState::kSucceeded: return "Succeeded";
    case EventSubscriptionState::kFailed: return "Failed";
  }
  return "Failed";
}

bool Matches(const EventSubscription& subscription, const LifecycleEvent& event) {
  // The subject is a resource id: the subscription's scope must be a path prefix of it.
  const std::string_view subject = event.subject;
  if (!StartsWithIgnoreCase(subject, subscription.scope) ||
      (subject.size() > subscription.scope.size() && subject[subscription.scope.size()] != '/')) {
    return false;
  }
  if (!subscription.included_event_types.empty() &&
      std::none_of(subscription.included_event_types.begin(),
                   subscription.included_event_types.end(),
                   [&](const std::string& type) { return EqualsIgnoreCase(type, event.event_type); })) {
    return false;
  }
  const std::string_view begins = subscription.subject_begins_with;
  const std::string_view ends = subscription.subject_ends_with;
  if (subscription.subject_case_sensitive) {
    return subject.substr(0, begins.size()) == begins &&
           (subject.size() >= ends.size() && subject.substr(subject.size() - ends.size()) == ends);
  }
  return StartsWithIgnoreCase(subject, begins) && EndsWithIgnoreCase(subject, ends);
}

std::string DeliveryId(std::string_view event_id, std::string_view subscription_key) {
  return std::string(event_id) + "|" + std::string(subscription_key);
}

std::string EventSubscriptionKey(std::string_view scope, std::string_view name) {
  return "/reprieve/eventgrid" + AsciiLower(scope) +
         "/providers/microsoft.eventgrid/eventsubscriptions/" + AsciiLower(name);
}

std::string EventSubscriptionsOf(std::string_view subscription) {
  return "/reprieve/eventgrid/subscriptions/" + AsciiLower(subscription) + "/";
}

std::string EncodeEvent(const LifecycleEvent& event) {
  LineWriter out("e1");
  WriteEvent(event, out);
  return out.Take();
}

std::optional<LifecycleEvent> DecodeEvent(std::string_view text) {
  LineReader in(text, "e1");
  LifecycleEvent event = ReadEvent(in);
  if (!in.ok() || !in.done()) return std::nullopt;
  return event;
}

std::string EncodeDelivery(const EventDelivery& d) {
  LineWriter out("d1");
  out.Add(d.id).Add(d.subscription_key).Add(d.attempts).Add(d.next_attempt).Add(d.last_attempt);
  out.Add(d.last_outcome).Add(d.dead_lettered ? 1 : 0).Add(d.dead_letter_reason);
  WriteEvent(d.event, out);
  return out.Take();
}

std::optional<EventDelivery> DecodeDelivery(std::string_view text) {
  LineReader in(text, "d1");
  EventDelivery d;
  d.id = in.Text();
  d.subscription_key = in.Text();
  d.attempts = static_cast<int>(in.Int());
  d.next_attempt = in.Time();
  d.last_attempt = in.OptionalTime();
  d.last_outcome = in.Text();
  d.dead_lettered = in.Int() != 0;
  d.dead_letter_reason = in.Text();
  d.event = ReadEvent(in);
  if (!in.ok() || !in.done()) return std::nullopt;
  return d;
}

std::string EncodeEventSubscription(const EventSubscription& s) {
  LineWriter out("s1");
  out.Add(s.id).Add(s.name).Add(s.scope).Add(s.endpoint_url).Add(static_cast<int64_t>(s.schema));
  out.AddList(s.included_event_types).Add(s.subject_begins_with).Add(s.subject_ends_with);
  out.Add(s.subject_case_sensitive ? 1 : 0).Add(s.max_events_per_batch);
  out.Add(s.max_delivery_attempts).Add(s.event_ttl.count());
  out.Add(static_cast<int64_t>(s.state)).Add(s.validation_code).Add(s.validation_deadline);
  out.Add(s.next_validation).Add(s.failure);
  return out.Take();
}

std::optional<EventSubscription> DecodeEventSubscription(std::string_view text) {
  LineReader in(text, "s1");
  EventSubscription s;
  s.id = in.Text();
  s.name = in.Text();
  s.scope = in.Text();
  s.endpoint_url = in.Text();
  const int64_t schema = in.Int();
  s.included_event_types = in.List();
  s.subject_begins_with = in.Text();
  s.subject_ends_with = in.Text();
  s.subject_case_sensitive = in.Int() != 0;
  s.max_events_per_batch = static_cast<int>(in.Int());
  s.max_delivery_attempts = static_cast<int>(in.Int());
  s.event_ttl = Duration(in.Int());
  const int64_t state = in.Int();
  s.validation_code = in.Text();
  s.validation_deadline = in.Time();
  s.next_validation = in.Time();
  s.failure = in.Text();
  if (!in.ok() || !in.done() || schema < 0 || schema > 1 || state < 0 || state > 3) {
    return std::nullopt;
  }
  s.schema = static_cast<EventSchema>(schema);
  s.state = static_cast<EventSubscriptionState>(state);
  return s;
}

}  // namespace reprieve::core
