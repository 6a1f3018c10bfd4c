// The events of lifecycle transitions, appended to the batch that commits the transition
// (see core/model/event.h for the event types and why they ride in the batch).
#pragma once

#include <optional>
#include <string_view>

#include "reprieve/base/random.h"
#include "reprieve/base/time.h"
#include "reprieve/core/model/activity.h"
#include "reprieve/core/model/event.h"
#include "reprieve/core/model/resource.h"
#include "reprieve/core/ports/resource_store.h"

namespace reprieve::core {

// Why a soft-deleted resource was purged (ResourcePurged's data.reason).
inline constexpr std::string_view kPurgedByUser = "user";
inline constexpr std::string_view kPurgedAtExpiry = "retentionExpired";

// The Microsoft.Resources.* event reporting `final_entry`, the Succeeded or Failed entry of
// an ARM mutation: Write for PUT and PATCH, Delete for DELETE, Action for POST; Success,
// Failure, or Cancel for a canceled one. nullopt for entries of no ARM request (Reprieve's
// own changes: Azure raises nothing for them) and for Started / Accepted entries.
std::optional<LifecycleEvent> ResourceEventOf(const ActivityEntry& final_entry);

// Reprieve.Lifecycle.* events. `caller` is the principal's name (kReprieveCaller for the
// sweeper).
class LifecycleEvents {
 public:
  // Ids come from `random`; without one (the sweeper's) they are derived from the record,
  // its deletion and the event's type, so a replayed sweep makes the same events.
  // `purge_warning`: how long before a scheduled purge PurgeScheduled is due.
  LifecycleEvents(RandomSource* random, Duration purge_warning)
      : random_(random), purge_warning_(purge_warning) {}

  // `deleted` was soft-deleted: ResourceSoftDeleted now, and PurgeScheduled due
  // purge_warning before its scheduled purge (at once when that is sooner).
  void SoftDeleted(WriteBatch& batch, const ResourceRecord& deleted, std::string_view caller);
  // `record`, soft-deleted, is live again: ResourceRecovered; its warning is cancelled.
  void Recovered(WriteBatch& batch, const ResourceRecord& record, std::string_view caller,
                 Timestamp now);
  // `record`, soft-deleted, is gone for good: ResourcePurged with `reason`. A user's purge
  // cancels the warning not yet sent; the sweeper's does not (the warning, due before the
  // purge, still goes out first).
  void Purged(WriteBatch& batch, const ResourceRecord& record, std::string_view caller,
              std::string_view reason, Timestamp now);
  // `record`, soft-deleted, was replaced by a new resource of its name: its warning is
  // cancelled (it can no longer be purged).
  static void Replaced(WriteBatch& batch, const ResourceRecord& record);

  Duration purge_warning() const { return purge_warning_; }

 private:
  LifecycleEvent EventOf(std::string_view type, const ResourceRecord& record,
                         std::string_view caller, Timestamp time);

  RandomSource* random_;
  const Duration purge_warning_;
};

}  // namespace reprieve::core
