#include "reprieve/core/service/journal.h"

#include "reprieve/base/strings.h"
#include "reprieve/core/events/lifecycle_events.h"
#include "reprieve/core/model/activity.h"
#include "reprieve/core/model/resource_id.h"

namespace reprieve::core {

namespace {

// The resource group `id` names, as it spells it ("" above group scope).
std::string GroupOf(const std::string& id, const std::string& fallback) {
  auto parsed = ResourceId::Parse(id);
  return parsed.has_value() && !parsed->resource_group().empty() ? parsed->resource_group()
                                                                 : fallback;
}

// "code: message", the statusMessage of a failed entry.
std::string ErrorText(const std::string& code, const std::string& message) {
  return code.empty() ? message : code + ": " + message;
}

// What every entry of one request repeats.
ActivityEntry EntryOf(const Invocation& invocation, const std::string& resource_id,
                      const std::string& subscription, const std::string& group_fallback,
                      const std::string& type, Timestamp now) {
  ActivityEntry entry;
  entry.operation_id = AsciiLower(invocation.id);
  entry.correlation_id = invocation.correlation_id;
  entry.subscription = subscription;
  entry.resource_id = resource_id;
  entry.resource_group = GroupOf(resource_id, group_fallback);
  entry.resource_type = type;
  entry.operation_name = invocation.action;
  entry.scope = invocation.scope.empty() ? resource_id : invocation.scope;
  entry.caller = invocation.caller.name;
  entry.caller_object_id = invocation.started_by;
  entry.http_method = invocation.http_method;
  entry.client_request_id = invocation.client_request_id;
  entry.time = now;
  entry.properties = {{"serviceRequestId", entry.operation_id}};
  return entry;
}

// Appends `entry`, the end of a mutation, with the Microsoft.Resources event reporting it.
void AppendFinal(WriteBatch& batch, ActivityEntry entry) {
  if (auto event = ResourceEventOf(entry)) batch.events.push_back(std::move(*event));
  batch.activity.push_back(std::move(entry));
}
}  // namespace

void Journal::Started(WriteBatch& batch, const Invocation& invocation, const ResourceRecord& target,
                      const OperationRecord* op, std::string_view status_text, Timestamp now) {
  const ActivityEntry entry =
      EntryOf(invocation, invocation.resource_id.empty() ? target.id : invocation.resource_id,
              target.subscription, target.resource_group, target.type, now);
  ActivityEntry started = entry;
  started.id = random_.NewUuid();
  started.status = std::string(kActivityStarted);
  batch.activity.push_back(std::move(started));

  ActivityEntry next = entry;
  next.id = random_.NewUuid();
  next.sub_status = std::string(status_text);
  next.properties.emplace_back("statusCode", std::string(status_text));
  const bool runs = op != nullptr && op->status != OperationStatus::kSucceeded;
  next.status = std::string(runs ? kActivityAccepted : kActivitySucceeded);
  if (runs) {
    batch.activity.push_back(std::move(next));
  } else {
    AppendFinal(batch, std::move(next));
  }
  if (runs && !op->running()) Ended(batch, *op, now);  // failed within the request
}

void Journal::Ended(WriteBatch& batch, const OperationRecord& ended, Timestamp now) {
  Invocation invocation;
  invocation.id = ended.id;
  invocation.caller = Principal(ended.caller, ended.caller_type);
  invocation.started_by = ended.started_by;
  invocation.action = ended.action;
  invocation.correlation_id = ended.correlation_id;
  invocation.http_method = ended.http_method;
  invocation.scope = ended.scope;
  ActivityEntry entry = EntryOf(invocation, ended.scope.empty() ? ended.target : ended.scope,
                                ended.subscription, GroupOf(ended.target, ""), ended.type, now);
  entry.id = random_.NewUuid();
  if (ended.status == OperationStatus::kSucceeded) {
    entry.status = std::string(kActivitySucceeded);
    entry.sub_status = "OK";
    entry.properties.emplace_back("statusCode", "OK");
  } else {
    entry.status = std::string(kActivityFailed);
    entry.sub_status = ended.status == OperationStatus::kCanceled ? "Canceled" : "";
    entry.properties.emplace_back("statusCode", ended.error_code);
    entry.properties.emplace_back("statusMessage",
                                  ErrorText(ended.error_code, ended.error_message));
  }
  AppendFinal(batch, std::move(entry));
}

void Journal::Refused(WriteBatch& batch, const Invocation& invocation,
                      const std::string& resource_id, const Status& error,
                      std::string_view status_text, Timestamp now) {
  const auto id = ResourceId::Parse(resource_id);
  if (!id.has_value() || id->subscription().empty()) return;
  ActivityEntry entry = EntryOf(invocation, resource_id, AsciiLower(id->subscription()), "",
                                id->IsResource() ? id->FullType() : "", now);
  ActivityEntry started = entry;
  started.id = random_.NewUuid();
  started.status = std::string(kActivityStarted);
  batch.activity.push_back(std::move(started));
  entry.id = random_.NewUuid();
  entry.status = std::string(kActivityFailed);
  entry.sub_status = std::string(status_text);
  entry.properties.emplace_back("statusCode", std::string(status_text));
  entry.properties.emplace_back("statusMessage", ErrorText(error.arm_code(), error.message()));
  AppendFinal(batch, std::move(entry));
}

}  // namespace reprieve::core
