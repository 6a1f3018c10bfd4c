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

namespace reprieve::core {

enum class LifecycleState {
  kActive = 0,
  kSoftDeleted = 1,
};

// Who made a change, as ARM's systemData reports it (createdByType / lastModifiedByType).
enum class PrincipalType {
  kUser = 0,
  kApplication = 1,
};

struct Principal {
  std::string name;
  PrincipalType type = PrincipalType::kUser;

  Principal() = default;
  Principal(std::string principal_name, PrincipalType principal_type)
      : name(std::move(principal_name)), type(principal_type) {}
  // A user, by name: what tools and tests mostly pass.
  Principal(std::string user) : name(std::move(user)) {}  // NOLINT(google-explicit-constructor)
  Principal(const char* user) : name(user) {}             // NOLINT(google-explicit-constructor)

  bool operator==(const Principal&) const = default;
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

  bool operator==(const ResourceRecord&) const = default;
};

// A long-running-operation status record, written in the same transaction as the mutation
// it describes. `body` is the wire status document (opaque to core and stores).
struct OperationRecord {
  std::string id;  // lower-case uuid
  std::string subscription;
  std::string body;
  Timestamp created_at{};
  std::string started_by{};  // object id of the principal that started it ("" unknown)

  bool operator==(const OperationRecord&) const = default;
};

}  // namespace reprieve::core
