#include "reprieve/core/lifecycle/purge_sweeper.h"

#include "reprieve/base/status_macros.h"
#include "reprieve/core/events/lifecycle_events.h"
#include "reprieve/core/lifecycle/transitions.h"
#include "reprieve/core/authz/role.h"
#include "reprieve/core/model/resource_id.h"

namespace reprieve::core {
namespace {

// The activity-log entry of a purge the retention's end made: a documented Reprieve
// extension (Azure logs nothing for these), one entry per purge, its id derived from the
// record and its deletion, so the same purge always has the same entry.
ActivityEntry ExpiryEntry(const ResourceRecord& record, const TypePolicy& policy, Timestamp now) {
  const std::string seed =
      record.key + "|" + std::to_string(record.deleted_at.value_or(now).time_since_epoch().count());
  ActivityEntry entry;
  entry.id = StableUuid(seed + "|entry");
  entry.operation_id = StableUuid(seed + "|operation");
  entry.correlation_id = entry.operation_id;
  entry.subscription = record.subscription;
  entry.resource_id = record.id;
  if (auto id = ResourceId::Parse(record.id)) entry.resource_group = id->resource_group();
  entry.resource_type = record.type;
  entry.operation_name = policy.PurgeAction();
  entry.scope = record.id;
  entry.status = std::string(kActivitySucceeded);
  entry.sub_status = "OK";
  entry.caller = std::string(kReprieveCaller);
  entry.time = now;
  entry.properties = {{"statusCode", "OK"},
                      {"reason", std::string(kPurgedAtExpiry)},
                      {"scheduledPurgeDate",
                       FormatRfc3339(record.scheduled_purge_at.value_or(now))},
                      {"serviceRequestId", entry.operation_id}};
  return entry;
}

}  // namespace

PurgeSweeper::PurgeSweeper(ResourceStore& store, const Clock& clock,
                           const PolicyCatalog& catalog, Options options)
    : store_(store), clock_(clock), catalog_(catalog), options_(options) {}

Result<SweepReport> PurgeSweeper::RunOnce() {
  const Timestamp now = clock_.Now();
  SweepReport report;
  REPRIEVE_ASSIGN_OR_RETURN(
      std::vector<std::string> old_operations,
      store_.ListOperationsBefore(now - options_.operation_retention, options_.batch_size));
  if (!old_operations.empty()) {
    WriteBatch drop;
    drop.erase_operations = std::move(old_operations);
    REPRIEVE_RETURN_IF_ERROR(store_.Apply(drop));
    report.operations_dropped = static_cast<int64_t>(drop.erase_operations.size());
  }
  REPRIEVE_ASSIGN_OR_RETURN(
      std::vector<std::string> old_activity,
      store_.ListActivityBefore(now - options_.activity_retention, options_.batch_size));
  if (!old_activity.empty()) {
    WriteBatch drop;
    drop.erase_activity = std::move(old_activity);
    REPRIEVE_RETURN_IF_ERROR(store_.Apply(drop));
    report.activity_dropped = static_cast<int64_t>(drop.erase_activity.size());
  }
  for (int batch_idx = 0; batch_idx < options_.max_batches; ++batch_idx) {
    REPRIEVE_ASSIGN_OR_RETURN(std::vector<ResourceRecord> due,
                              store_.ListPurgeDue(now, options_.batch_size));
    if (due.empty()) return report;
    // One transaction per record, one durable commit for the batch: a record recovered
    // between the listing and the commit fails its own guard without failing the others.
    std::vector<WriteBatch> batches;
    batches.reserve(due.size());
    for (const ResourceRecord& record : due) {
      WriteBatch batch;
      batch.expect.push_back({record.key, Expectation::Kind::kSoftDeleted, record.version});
      const TypePolicy* policy = catalog_.Find(record.type);
      AppendRemoval(record, policy, now, batch);
      if (policy != nullptr && record.type != kNameType && record.type != kRoleAssignmentType &&
          policy->parent_type.empty()) {
        batch.activity.push_back(ExpiryEntry(record, *policy, now));
        LifecycleEvents(nullptr, Duration::zero())
            .Purged(batch, record, kReprieveCaller, kPurgedAtExpiry, now);
      }
      batches.push_back(std::move(batch));
    }
    const std::vector<Status> results = store_.ApplyEach(batches);
    for (size_t record_idx = 0; record_idx < due.size(); ++record_idx) {
      const Status& status = results[record_idx];
      if (status.ok() && due[record_idx].type == kNameType) {
        ++report.released_names;
      } else if (status.ok() && due[record_idx].type == kRoleAssignmentType) {
        ++report.removed_assignments;
      } else if (status.ok()) {
        report.purged.push_back(due[record_idx].id);
      } else if (status.code() == StatusCode::kAborted) {
        ++report.lost_races;
      } else {
        return status;
      }
    }
    if (static_cast<int>(due.size()) < options_.batch_size) return report;
  }
  report.more_due = true;
  return report;
}

}  // namespace reprieve::core
