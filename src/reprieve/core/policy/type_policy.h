// TypePolicy: everything the lifecycle engine needs to know about one resource type, as
// data. Adding a type to Reprieve means adding a TypePolicy to the catalog; code is needed
// only where a rule truly differs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "reprieve/base/status.h"
#include "reprieve/base/time.h"

namespace reprieve::core {

struct NameRule {
  int min_length = 1;
  int max_length = 64;
  std::string pattern;  // ECMAScript regex the whole name must match
};

// An error a type answers with. `message` may contain the placeholders {id}, {name} and
// {type}, filled in by ErrorTemplate::Render.
struct ErrorTemplate {
  StatusCode code = StatusCode::kInvalidArgument;
  std::string arm_code;
  std::string message;

  Status Render(std::string_view id, std::string_view name, std::string_view type) const;
};

// How a soft-deleted resource is recovered on the wire.
enum class RecoverMechanism {
  kNone,               // cannot be recovered
  kRestoreProperty,    // PUT with properties.restore = true (Cognitive Services, APIM)
  kCreateModeRecover,  // PUT with properties.createMode = "recover" (Key Vault)
};

// The shape of the subscription-level path of a soft-deleted resource.
enum class DeletedRouteScope {
  kNone,
  kLocation,               // .../providers/{ns}/locations/{loc}/{collection}/{name}
  kLocationResourceGroup,  // .../providers/{ns}/locations/{loc}/resourceGroups/{rg}/{collection}/{name}
};

// A body field the type validates at the edge (ARM properties otherwise stay opaque).
enum class JsonKind { kString, kBoolean, kNumber, kObject, kArray };

struct FieldRule {
  std::string path;  // dotted: "sku.name", "properties.restore"
  JsonKind kind = JsonKind::kString;
  bool required_on_create = false;
};

struct TypePolicy {
  std::string type;                       // "Microsoft.CognitiveServices/accounts"
  std::vector<std::string> api_versions;  // every accepted version, newest first
  NameRule name_rule;

  bool soft_delete = false;  // false: DELETE removes the resource for good
  Duration retention{};      // scheduledPurgeDate = deletionDate + retention
  RecoverMechanism recover = RecoverMechanism::kNone;
  std::string deleted_collection;  // "deletedAccounts": the path segment of deleted records
  std::string deleted_type;        // the `type` rendered on deleted records
  DeletedRouteScope deleted_scope = DeletedRouteScope::kNone;

  ErrorTemplate name_held;           // create while the name is soft-deleted
  ErrorTemplate nothing_to_restore;  // recover with no soft-deleted record

  std::vector<std::string> access_keys;  // keys generated on create ("key1", "key2")

  std::vector<FieldRule> fields;  // validated on PUT/PATCH; restore requests skip required
  std::string endpoint_template;  // rendered as properties.endpoint; {name} is replaced

  std::string Namespace() const;      // "Microsoft.CognitiveServices"
  std::string ResourceType() const;   // "accounts"
  bool SupportsApiVersion(std::string_view version) const;
  // "v1,v2,...": the list ARM prints in InvalidApiVersionParameter.
  std::string ApiVersionList() const;
};

}  // namespace reprieve::core
