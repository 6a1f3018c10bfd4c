// ActivityEntry: one event of the activity log (Azure's Administrative category), written
// in the same transaction as the change it records, so that the log holds exactly what
// committed: Started, then Accepted for an operation that runs on, then Succeeded or Failed.
// A mutation refused before it changed anything is recorded Started + Failed on its own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reprieve/base/time.h"

namespace reprieve::core {

inline constexpr std::string_view kActivityStarted = "Started";
inline constexpr std::string_view kActivityAccepted = "Accepted";
inline constexpr std::string_view kActivitySucceeded = "Succeeded";
inline constexpr std::string_view kActivityFailed = "Failed";

// The caller of the changes Reprieve makes by itself (the purge at the end of a retention):
// a documented extension, Azure logs nothing for them.
inline constexpr std::string_view kReprieveCaller = "Reprieve";

struct ActivityEntry {
  std::string id;              // eventDataId: a uuid
  std::string operation_id;    // shared by the entries of one operation
  std::string correlation_id;  // shared by the entries of one request
  std::string subscription;    // lower-case
  std::string resource_group;  // as the resource id spells it; "" above group scope
  std::string resource_id;     // the resource acted on, as the request spelled it
  std::string resource_type;   // "Microsoft.CognitiveServices/accounts"
  std::string operation_name;  // the authorization action
  std::string scope;           // where it was authorized
  std::string status;          // kActivityStarted ... kActivityFailed
  std::string sub_status;      // the HTTP status text: "Created", "Accepted", "Conflict", ...
  std::string caller;          // the principal's name (UPN or app id), or kReprieveCaller
  std::string caller_object_id;
  std::string http_method;  // "" for Reprieve's own changes
  std::string client_request_id;
  Timestamp time{};
  // String-only properties (statusCode, statusMessage, reason, ...).
  std::vector<std::pair<std::string, std::string>> properties;
  // Set by the store: the order entries were committed in (0 before), which orders the
  // entries of one instant (a request's Started before its Succeeded).
  int64_t sequence = 0;

  bool operator==(const ActivityEntry&) const = default;
};

// The provider namespace of `resource_type`: "Microsoft.CognitiveServices".
std::string ProviderOf(std::string_view resource_type);

// A uuid-shaped id that is a function of `seed` (FNV-1a; not secret, only stable): the
// ids of entries that must come out the same however often they are made.
std::string StableUuid(std::string_view seed);

// A text form of every field, for stores that keep the entry whole (one line a field,
// values escaped), and its inverse. DecodeActivity of text it did not make gives nullopt.
std::string EncodeActivity(const ActivityEntry& entry);
std::optional<ActivityEntry> DecodeActivity(std::string_view text);

}  // namespace reprieve::core
