// OperationRecord: one long-running ARM operation (create, delete, recover, purge), as a
// typed record written in the same transaction as the transition it describes.
//
// An operation that runs for a while is committed InProgress with the time it ends; the
// resource it acts on carries its id (ResourceRecord::pending_operation) until it finishes.
// Finishing is one more transaction: the transition's effect and the terminal status
// together, so after a crash an operation is either still due or finished, never half-done.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "reprieve/base/time.h"
#include "reprieve/core/model/principal.h"

namespace reprieve::core {

// The kinds an operation duration or failure can be set for. Values are stored.
enum class OperationKind {
  kCreate = 0,
  kDelete = 1,
  kRecover = 2,
  kPurge = 3,
};
inline constexpr int kOperationKinds = 4;

// ARM's status values. Values are stored.
enum class OperationStatus {
  kInProgress = 0,
  kSucceeded = 1,
  kFailed = 2,
  kCanceled = 3,
};

// "create", "delete", "recover", "purge": the names flags and the admin API use.
std::string_view OperationKindName(OperationKind kind);
std::optional<OperationKind> ParseOperationKind(std::string_view name);
// "InProgress", "Succeeded", "Failed", "Canceled": the wire's status values.
std::string_view OperationStatusName(OperationStatus status);

struct OperationRecord {
  std::string id;            // lower-case uuid
  std::string subscription;  // lower-case
  OperationKind kind = OperationKind::kCreate;
  OperationStatus status = OperationStatus::kSucceeded;
  std::string target;      // ARM id of the resource it acts on, as the caller spelled it
  std::string target_key;  // store key of the record it changes
  std::string type;        // the target's canonical type
  std::string location;    // where its status URLs live
  Timestamp created_at{};  // when it started
  Timestamp ends_at{};     // when it finishes (== created_at for one finished in the request)
  std::optional<Timestamp> finished_at;  // set iff status is terminal
  std::string started_by;                // object id of the principal that started it ("" unknown)
  std::string caller;                    // that principal's display name
  PrincipalType caller_type = PrincipalType::kUser;
  // Failed / Canceled: why. While in progress, non-empty means the operation was set to end
  // with this error (an injected failure).
  std::string error_code;
  std::string error_message;
  // What the activity-log entry of its end repeats of the request that started it.
  std::string correlation_id;
  std::string action;  // the authorization action
  std::string scope;
  std::string http_method;
  // What finishing a delete needs of the request that started it.
  std::string api_version;
  bool force_purge = false;
  bool delete_dependents = false;

  bool running() const { return status == OperationStatus::kInProgress; }
  bool operator==(const OperationRecord&) const = default;
};

}  // namespace reprieve::core
