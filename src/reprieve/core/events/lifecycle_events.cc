#include "reprieve/core/events/lifecycle_events.h"

#include <algorithm>

#include "reprieve/base/strings.h"

namespace reprieve::core {
namespace {

// The cancel key of the warning of `record`'s current deletion.
std::string WarningKey(const ResourceRecord& record) { return "purge-warning|" + record.key; }

std::string_view FamilyOf(std::string_view method) {
  if (method == "PUT" || method == "PATCH") return "Write";
  if (method == "DELETE") return "Delete";
  if (method == "POST") return "Action";
  return "";
}

}  // namespace

std::optional<LifecycleEvent> ResourceEventOf(const ActivityEntry& entry) {
  const std::string_view family = FamilyOf(entry.http_method);
  const bool succeeded = entry.status == kActivitySucceeded;
  if (family.empty() || entry.subscription.empty() ||
      (!succeeded && entry.status != kActivityFailed)) {
    return std::nullopt;
  }
  const std::string_view outcome =
      succeeded ? "Success" : (entry.sub_status == "Canceled" ? "Cancel" : "Failure");
  LifecycleEvent event;
  // One event an entry, whatever replays the batch.
  event.id = StableUuid("Microsoft.Resources|" + entry.id);
  event.event_type = "Microsoft.Resources.Resource" + std::string(family) + std::string(outcome);
  event.subscription = entry.subscription;
  event.subject = entry.resource_id;
  event.data_version = "2";
  event.time = entry.time;
  event.due = entry.time;
  event.data = {
      {"authorization.scope", entry.scope},
      {"authorization.action", entry.operation_name},
      {"claims.http://schemas.microsoft.com/identity/claims/objectidentifier",
       entry.caller_object_id},
      {"claims.name", entry.caller},
      {"correlationId", entry.correlation_id},
      {"httpRequest.clientRequestId", entry.client_request_id},
      {"httpRequest.method", entry.http_method},
      {"resourceProvider", ProviderOf(entry.resource_type)},
      {"resourceUri", entry.resource_id},
      {"resourceGroup", entry.resource_group},
      {"operationName", entry.operation_name},
      {"status", succeeded ? "Succeeded" : "Failed"},
      {"subscriptionId", entry.subscription},
  };
  return event;
}

LifecycleEvent LifecycleEvents::EventOf(std::string_view type, const ResourceRecord& record,
                                        std::string_view caller, Timestamp time) {
  LifecycleEvent event;
  event.id = random_ != nullptr
                 ? random_->NewUuid()
                 : StableUuid(std::string(type) + "|" + record.key + "|" +
                              std::to_string(record.deleted_at.value_or(time)
                                                 .time_since_epoch()
                                                 .count()));
  event.event_type = std::string(type);
  event.subscription = record.subscription;
  event.subject = record.id;
  event.data_version = "1";
  event.time = time;
  event.due = time;
  event.data = {{"resourceId", record.id},
                {"resourceType", record.type},
                {"location", record.location},
                {"caller", std::string(caller)}};
  if (record.deleted_at) event.data.emplace_back("deletionDate", FormatRfc3339(*record.deleted_at));
  if (record.scheduled_purge_at) {
    event.data.emplace_back("scheduledPurgeDate", FormatRfc3339(*record.scheduled_purge_at));
  }
  return event;
}

void LifecycleEvents::SoftDeleted(WriteBatch& batch, const ResourceRecord& deleted,
                                  std::string_view caller) {
  const Timestamp now = *deleted.deleted_at;
  batch.events.push_back(EventOf(kSoftDeletedEvent, deleted, caller, now));
  const Timestamp warn = std::max(now, *deleted.scheduled_purge_at - purge_warning_);
  LifecycleEvent warning = EventOf(kPurgeScheduledEvent, deleted, caller, warn);
  warning.cancel_key = WarningKey(deleted);
  batch.events.push_back(std::move(warning));
}

void LifecycleEvents::Recovered(WriteBatch& batch, const ResourceRecord& record,
                                std::string_view caller, Timestamp now) {
  batch.cancel_events.push_back(WarningKey(record));
  batch.events.push_back(EventOf(kRecoveredEvent, record, caller, now));
}

void LifecycleEvents::Purged(WriteBatch& batch, const ResourceRecord& record,
                             std::string_view caller, std::string_view reason, Timestamp now) {
  if (reason != kPurgedAtExpiry) batch.cancel_events.push_back(WarningKey(record));
  LifecycleEvent event = EventOf(kPurgedEvent, record, caller, now);
  event.data.emplace_back("reason", std::string(reason));
  batch.events.push_back(std::move(event));
}

void LifecycleEvents::Replaced(WriteBatch& batch, const ResourceRecord& record) {
  batch.cancel_events.push_back(WarningKey(record));
}

}  // namespace reprieve::core
