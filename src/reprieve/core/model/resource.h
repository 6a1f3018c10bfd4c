// ResourceRecord: what Reprieve stores about one ARM resource, live or soft-deleted.
//
// ARM properties stay opaque JSON text (`body`); only what the lifecycle needs is typed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "reprieve/base/time.h"
#include "reprieve/core/model/operation.h"
#include "reprieve/core/model/principal.h"

namespace reprieve::core {

enum class LifecycleState {
  kActive = 0,
  kSoftDeleted = 1,
};

struct ResourceRecord {
  std::string key;             // lower-case canonical id: the identity (ResourceId::Key())
  std::string id;              // canonical id with the caller's casing of names
  std::string subscription;    // lower-case subscription id
  std::string resource_group;  // lower-case group name; empty above group scope
  std::string type;            // canonical "Namespace/type" from the policy catalog
  std::string name;            // as first created
  std::string location;        // as given by the caller
  std::string body;            // JSON object text: the caller-owned envelope
  std::string secrets;         // JSON object text: access keys etc.; never rendered by GET
  LifecycleState state = LifecycleState::kActive;
  int64_t version = 0;         // 1 on create, +1 on every write; guards transitions
  std::string etag;
  Timestamp created_at{};
  Timestamp changed_at{};
  std::string created_by;
  std::string changed_by;
  PrincipalType created_by_type = PrincipalType::kUser;
  PrincipalType changed_by_type = PrincipalType::kUser;
  std::optional<Timestamp> deleted_at;          // set iff kSoftDeleted
  std::optional<Timestamp> scheduled_purge_at;  // set iff kSoftDeleted

  // Lifecycle facts read from the body when it was written, where the type's policy says
  // where to find them (ARM properties otherwise stay opaque).
  std::optional<Duration> retention;  // the resource's own retention; nullopt: the policy's
  bool purge_protected = false;       // purge refused until the retention has passed
  bool customer_managed_key = false;  // encrypted with a customer-managed key
  bool transient = false;             // a child in a passing state (a running job)
  // What a recover needs active first: ARM ids ("/subscriptions/...") of dependencies, or
  // "{type}/{name}" for a globally named one known only by name (a Key Vault URI).
  std::vector<std::string> dependencies;

  // The long-running operation now changing this record ("" none), and its kind: the
  // resource shows that phase's provisioningState and refuses other changes until it ends.
  std::string pending_operation;
  OperationKind pending_kind = OperationKind::kCreate;

  bool operator==(const ResourceRecord&) const = default;
};

}  // namespace reprieve::core
