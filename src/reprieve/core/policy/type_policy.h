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
  kRestoreReference,   // PUT with properties.restoreReference of the deleted record (Storage)
  kRecoverAction,      // POST on the deleted resource's .../recover (Machine Learning)
};

// The shape of the path of a soft-deleted resource.
enum class DeletedRouteScope {
  kNone,
  kLocation,               // /subscriptions/{s}/providers/{ns}/locations/{loc}/{collection}/{name}
  kLocationResourceGroup,  // .../providers/{ns}/locations/{loc}/resourceGroups/{rg}/{collection}/{name}
  kResourceGroup,          // /subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{collection}/{name}
};

// Where a name must be unique, and so where a soft-deleted resource holds it.
enum class NameScope {
  kResourceGroup,  // the resource id (Cognitive Services, Machine Learning)
  kGlobal,         // every subscription and tenant: the name is a host name (APIM, Key Vault)
};

// How a soft-deleted resource is shown by the deleted-resource routes.
enum class DeletedShape {
  kResource,         // the whole resource plus properties.deletionDate / scheduledPurgeDate
  kServiceContract,  // APIM DeletedServiceContract: properties.serviceId and the dates
  kDeletedVault,     // Key Vault DeletedVault: properties.vaultId, location, tags, dates
  kDeletedAccount,   // Storage DeletedAccount: properties.storageAccountResourceId, times
};

// A per-resource retention, read from the body: `path` in days, min..max, default.
struct RetentionRule {
  std::string path;  // empty: the type has a fixed retention
  int min_days = 0;
  int max_days = 0;
  int default_days = 0;
  bool immutable = false;  // once set it cannot change
};

// Something a recover needs active first, named in the body.
struct DependencyRule {
  enum class Kind {
    kArmId,        // the value is an ARM id
    kKeyVaultUri,  // the value is https://{vault}.vault.azure.net/...
  };
  std::string path;     // dotted; "[]." descends into every element of an array
  Kind kind = Kind::kArmId;
};

// A body field the type validates at the edge (ARM properties otherwise stay opaque).
enum class JsonKind { kString, kBoolean, kNumber, kInteger, kObject, kArray };

struct FieldRule {
  std::string path;  // dotted: "sku.name", "properties.restore"
  JsonKind kind = JsonKind::kString;
  bool required_on_create = false;
};

// What happens to a child resource when its parent is deleted.
enum class ParentDelete {
  kSoftDelete,  // soft-deleted with it, back on recover (models, data, datastores, ...)
  kHardDelete,  // deleted for good (compute, endpoints, queued or running jobs)
  kRecreate,    // deleted, and re-created on recover when its dependencies allow (best effort)
};

// How a create or recover PUT that runs for a while answers (operations-events.md §2.6).
enum class DeferredPut {
  kAsyncOperation,             // create_status, the resource, Azure-AsyncOperation
  kAsyncOperationAndLocation,  // the same plus Location (API Management)
  kAcceptedWithLocation,       // 202, no body, Location answering the resource (Storage)
};

// The provisioningState a resource shows while an operation runs on it, and (API
// Management) its targetProvisioningState.
struct PhaseState {
  std::string provisioning_state;
  std::string target_provisioning_state;
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
  ErrorTemplate deleted_not_found;   // get / purge of a name that is not soft-deleted

  NameScope name_scope = NameScope::kResourceGroup;
  ErrorTemplate name_taken;      // kGlobal: a live resource elsewhere has the name
  Duration name_reservation{};   // kGlobal: after a purge, other subscriptions wait this long
  ErrorTemplate name_reserved;   // {until} is replaced by the end of the reservation
  bool name_held_while_deleted = true;  // false: a same-name create replaces the deleted one

  // When DELETE removes the resource for good instead of soft-deleting it.
  std::string soft_delete_min_api_version;  // older api-versions delete permanently
  std::string force_purge_parameter;        // a true query parameter deletes permanently
  bool customer_managed_key_hard_delete = false;  // CMK-encrypted resources are never kept
  std::string soft_delete_feature;  // soft delete only in subscriptions enrolled in it
  std::string delete_dependents_parameter;  // deletes dependencies; permanent deletes only

  RetentionRule retention_rule;           // a per-resource retention instead of `retention`
  std::string purge_protection_path;      // boolean; once true it stays true
  std::string customer_managed_key_path;  // "path=value": the value that means CMK is on
  std::vector<DependencyRule> dependencies;

  DeletedShape deleted_shape = DeletedShape::kResource;
  int create_status = 201;          // 201, or 200 for types whose clients refuse 201
  bool async_delete = false;        // DELETE answers 202 with operation URLs, else 200
  // DELETE always finishes within its request, whatever operation duration is set: the
  // type's clients refuse an asynchronous answer (Key Vault) or Azure never gives one.
  bool delete_synchronous_only = false;
  DeferredPut deferred_put = DeferredPut::kAsyncOperation;
  PhaseState creating{"Creating", ""};
  PhaseState recovering{"Creating", ""};
  PhaseState deleting{"Deleting", ""};
  bool purgeable = true;            // false: only expiry removes a deleted resource
  std::string purge_action;         // non-empty: purge is POST .../{name}/{purge_action}
  std::string restore_reference_path;  // kRestoreReference: the property naming the record
  std::vector<std::string> access_keys;  // keys generated on create ("key1", "key2")

  std::vector<FieldRule> fields;  // validated on PUT/PATCH; restore requests skip required
  std::string endpoint_template;  // rendered as properties.<endpoint_property>; {name} replaced
  std::string endpoint_property = "endpoint";

  // Child types: the parent's type, and what the parent's delete does to them.
  std::string parent_type;
  ParentDelete on_parent_delete = ParentDelete::kSoftDelete;
  // What deleting a resource of this type does to the role assignments scoped to it (or
  // below): soft-deleted with it and back on recover (the default), removed for good (Key
  // Vault), or removed and re-created on recover, best effort (Machine Learning). A purge
  // always removes them.
  ParentDelete role_assignments_on_delete = ParentDelete::kSoftDelete;
  std::string transient_path;  // "path=v1|v2": children in those states are hard-deleted

  std::string Namespace() const;      // "Microsoft.CognitiveServices"
  std::string ResourceType() const;   // "accounts"; "workspaces/models" for a child
  std::string ChildSegment() const;   // the last type segment: "models"
  bool SupportsApiVersion(std::string_view version) const;
  // "v1,v2,...": the list ARM prints in InvalidApiVersionParameter.
  std::string ApiVersionList() const;
  // Whether DELETE with `api_version` may soft-delete (soft_delete_min_api_version).
  bool SoftDeletesAt(std::string_view api_version) const;
  // The authorization action of purging a deleted resource of this type (its route's).
  std::string PurgeAction() const;
};

}  // namespace reprieve::core
