#include "reprieve/core/lifecycle/transitions.h"

#include "reprieve/base/strings.h"

namespace reprieve::core {

std::string NameKey(std::string_view type, std::string_view name) {
  return "/reprieve/names/" + AsciiLower(type) + "/" + AsciiLower(name);
}

ResourceRecord NameRecordFor(const ResourceRecord& owner, Timestamp now) {
  ResourceRecord name;
  name.key = NameKey(owner.type, owner.name);
  name.id = owner.id;  // the owner, with its casing
  name.subscription = owner.subscription;
  name.resource_group = owner.resource_group;
  name.type = std::string(kNameType);
  name.name = owner.name;
  name.location = owner.location;
  name.body = "{}";
  name.version = 1;
  name.created_at = now;
  name.changed_at = now;
  return name;
}

Duration RetentionOf(const ResourceRecord& record, const TypePolicy& policy) {
  return record.retention.value_or(policy.retention);
}

ResourceRecord SoftDeletedAt(ResourceRecord record, const TypePolicy& policy, Timestamp now,
                             const Principal& caller) {
  record.state = LifecycleState::kSoftDeleted;
  record.version += 1;
  record.changed_at = now;
  record.changed_by = caller.name;
  record.changed_by_type = caller.type;
  record.deleted_at = now;
  record.scheduled_purge_at = now + RetentionOf(record, policy);
  record.pending_operation.clear();  // whatever was running on it ends with the delete
  return record;
}

ResourceRecord RecoveredAt(ResourceRecord record, Timestamp now, const Principal& caller) {
  record.state = LifecycleState::kActive;
  record.version += 1;
  record.deleted_at.reset();
  record.scheduled_purge_at.reset();
  record.changed_at = now;
  record.changed_by = caller.name;
  record.changed_by_type = caller.type;
  record.pending_operation.clear();
  return record;
}

void AppendRemoval(const ResourceRecord& record, const TypePolicy* policy, Timestamp now,
                   WriteBatch& batch) {
  batch.erase.push_back(record.key);
  if (policy == nullptr || policy->name_scope != NameScope::kGlobal) return;
  if (policy->name_reservation <= Duration::zero()) {
    batch.erase.push_back(NameKey(record.type, record.name));
    return;
  }
  ResourceRecord reserved = NameRecordFor(record, now);
  reserved.state = LifecycleState::kSoftDeleted;
  reserved.deleted_at = now;
  reserved.scheduled_purge_at = now + policy->name_reservation;
  batch.put.push_back(std::move(reserved));
}

}  // namespace reprieve::core
