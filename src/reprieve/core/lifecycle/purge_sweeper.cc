#include "reprieve/core/lifecycle/purge_sweeper.h"

#include "reprieve/base/status_macros.h"
#include "reprieve/core/lifecycle/transitions.h"
#include "reprieve/core/authz/role.h"

namespace reprieve::core {

PurgeSweeper::PurgeSweeper(ResourceStore& store, const Clock& clock,
                           const PolicyCatalog& catalog, Options options)
    : store_(store),
      clock_(clock),
      catalog_(catalog),
      options_(options),
      random_(NewSystemRandom()),
      journal_(*random_),
      events_(nullptr, Duration::zero()),
      planner_(catalog, *random_, journal_, events_) {}

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
      const TypePolicy* policy = catalog_.Find(record.type);
      if (policy != nullptr && record.type != kNameType && record.type != kRoleAssignmentType &&
          policy->parent_type.empty()) {
        Snapshot snapshot;
        snapshot.record = record;
        const Actor actor{now, Principal(std::string(kReprieveCaller), PrincipalType::kApplication)};
        REPRIEVE_ASSIGN_OR_RETURN(Planned<PurgeOutcome> planned,
                                  planner_.Purge(*policy, snapshot, actor, kPurgedAtExpiry));
        batches.push_back(std::move(planned.batch));
        continue;
      }
      // A name reservation, a role assignment or a child: removed on the same schedule.
      WriteBatch batch;
      batch.expect.push_back({record.key, Expectation::Kind::kSoftDeleted, record.version});
      AppendRemoval(record, policy, now, batch);
      batches.push_back(std::move(batch));
    }
    const std::vector<Status> results = store_.ApplyEach(batches);
    Telemetry& telemetry = TelemetryOrNone(options_.telemetry);
    for (size_t record_idx = 0; record_idx < due.size(); ++record_idx) {
      const Status& status = results[record_idx];
      if (status.ok() && due[record_idx].type == kNameType) {
        ++report.released_names;
      } else if (status.ok() && due[record_idx].type == kRoleAssignmentType) {
        ++report.removed_assignments;
      } else if (status.ok()) {
        report.purged.push_back(due[record_idx].id);
        ReportTransitions(batches[record_idx].events, telemetry);
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
