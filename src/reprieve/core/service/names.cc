#include "reprieve/core/service/names.h"

#include "reprieve/base/strings.h"
#include "reprieve/core/lifecycle/transitions.h"

namespace reprieve::core {

using Kind = Expectation::Kind;

Status ClaimName(const TypePolicy& policy, const ResourceRecord& record,
                 const std::optional<ResourceRecord>& name,
                 const std::optional<ResourceRecord>& owner, WriteBatch& batch) {
  if (policy.name_scope != NameScope::kGlobal) return OkStatus();
  const std::string key = NameKey(policy.type, record.name);
  if (!name.has_value()) {
    batch.expect.push_back({key, Kind::kAbsent, 0});
    batch.put.push_back(NameRecordFor(record, record.created_at));
    return OkStatus();
  }
  if (name->state == LifecycleState::kActive) {
    if (AsciiLower(name->id) == record.key) return OkStatus();  // ours already
    if (owner.has_value() && owner->state == LifecycleState::kSoftDeleted) {
      if (policy.name_held_while_deleted) {
        return policy.name_held.Render(owner->id, owner->name, policy.type);
      }
      // The deleted resource does not hold its name: the new one takes it, and the deleted
      // one can no longer be restored.
      batch.expect.push_back({key, Kind::kActive, name->version});
      batch.expect.push_back({owner->key, Kind::kSoftDeleted, owner->version});
      batch.put.push_back(NameRecordFor(record, record.created_at));
      return OkStatus();
    }
    return policy.name_taken.Render(name->id, record.name, policy.type);
  }
  // Reserved after a purge: free for the subscription that owned it, refused elsewhere
  // until the reservation ends.
  const bool expired = name->scheduled_purge_at && *name->scheduled_purge_at <= record.created_at;
  if (name->subscription != record.subscription && !expired) {
    Status reserved = policy.name_reserved.Render(record.id, record.name, policy.type);
    std::string message = reserved.message();
    const std::string until = FormatRfc3339(*name->scheduled_purge_at);
    for (size_t pos = message.find("{until}"); pos != std::string::npos;
         pos = message.find("{until}")) {
      message.replace(pos, 7, until);
    }
    return Status(reserved.code(), message).WithArmCode(reserved.arm_code());
  }
  batch.expect.push_back({key, Kind::kSoftDeleted, name->version});
  batch.put.push_back(NameRecordFor(record, record.created_at));
  return OkStatus();
}

Status KeepName(const TypePolicy& policy, const ResourceRecord& deleted,
                const std::optional<ResourceRecord>& name, WriteBatch& batch) {
  if (policy.name_scope != NameScope::kGlobal) return OkStatus();
  // A type whose deleted resources do not hold their names may have lost it meanwhile.
  const std::string name_key = NameKey(policy.type, deleted.name);
  if (!name.has_value() || name->state != LifecycleState::kActive ||
      AsciiLower(name->id) != deleted.key) {
    return policy.name_taken.Render(name.has_value() ? name->id : deleted.id, deleted.name,
                                    policy.type);
  }
  batch.expect.push_back({name_key, Kind::kActive, name->version});
  return OkStatus();
}

}  // namespace reprieve::core
