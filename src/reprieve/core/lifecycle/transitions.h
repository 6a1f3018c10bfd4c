// The writes of each lifecycle transition, as pure functions of the record, its type's
// policy and the time, shared by ResourceService and PurgeSweeper so that a purge is the
// same whether a user or the sweeper does it.
#pragma once

#include <string>
#include <string_view>

#include "reprieve/base/time.h"
#include "reprieve/core/model/resource.h"
#include "reprieve/core/policy/type_policy.h"
#include "reprieve/core/ports/resource_store.h"

namespace reprieve::core {

// Records of this type hold globally unique names (NameScope::kGlobal): active while a
// resource owns the name (live or soft-deleted), soft-deleted while it is reserved after
// the owner was purged, until the reservation ends (the sweeper then frees it).
inline constexpr std::string_view kNameType = "Reprieve/names";

// The key of the name record of `name` for `type`.
std::string NameKey(std::string_view type, std::string_view name);

// The active name record `owner` holds.
ResourceRecord NameRecordFor(const ResourceRecord& owner, Timestamp now);

// The retention in force for `record`: its own (per-resource rule) or the policy's.
Duration RetentionOf(const ResourceRecord& record, const TypePolicy& policy);

// `record` soft-deleted at `now`: dates fixed now, never recomputed. Both transitions clear
// the record's pending operation; the caller marks a new one if the transition is running.
ResourceRecord SoftDeletedAt(ResourceRecord record, const TypePolicy& policy, Timestamp now,
                             const Principal& caller);

// `record` live again at `now` (a recover): its deletion dates are gone.
ResourceRecord RecoveredAt(ResourceRecord record, Timestamp now, const Principal& caller);

// Appends to `batch` the writes that remove `record` for good at `now`: the record, and for
// a globally named type its name (reserved for the owner's subscription for the policy's
// reservation period, else freed). `policy` may be null (records of no served type).
void AppendRemoval(const ResourceRecord& record, const TypePolicy* policy, Timestamp now,
                   WriteBatch& batch);

}  // namespace reprieve::core
