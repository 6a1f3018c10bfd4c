// Names: how a globally named type (API Management, Key Vault, Storage: the name is a host
// name) holds its names. A name record (transitions.h) is held by the live or soft-deleted
// owner and becomes a reservation for the owner's subscription after a purge; a create must
// claim the name and a recover must still hold it, both as expectations in the transition's
// own batch, so the database — not a check made first — keeps names unique. Pure: the
// runner loads the name record (and its owner) into the transition's snapshot.
#pragma once

#include <optional>

#include "reprieve/base/status.h"
#include "reprieve/core/model/resource.h"
#include "reprieve/core/policy/type_policy.h"
#include "reprieve/core/ports/resource_store.h"

namespace reprieve::core {

// Appends the checks and writes that give the create of `record` its name, given the name
// record `name` and, when it names another resource, that `owner`: free, reserved for its
// subscription, or held by a deleted owner that does not keep it. The type's name_held /
// name_taken / name_reserved error otherwise. Types without global names: ok.
Status ClaimName(const TypePolicy& policy, const ResourceRecord& record,
                 const std::optional<ResourceRecord>& name,
                 const std::optional<ResourceRecord>& owner, WriteBatch& batch);
// Appends the expectation that `deleted`, about to be recovered, still holds its name
// (record `name`); the type's name_taken error if another resource took it meanwhile.
Status KeepName(const TypePolicy& policy, const ResourceRecord& deleted,
                const std::optional<ResourceRecord>& name, WriteBatch& batch);

}  // namespace reprieve::core
