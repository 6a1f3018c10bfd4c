#include "reprieve/core/service/recycle_bin.h"

#include <algorithm>

#include "reprieve/base/status_macros.h"
#include "reprieve/base/strings.h"
#include "reprieve/core/lifecycle/planners.h"

namespace reprieve::core {

bool RecycleBin::Holds(const TypePolicy& policy) {
  return policy.soft_delete && policy.parent_type.empty() &&
         policy.deleted_scope != DeletedRouteScope::kNone;
}

Status RecycleBin::PurgeRefusal(const TypePolicy& policy, const ResourceRecord& record,
                                Timestamp now) {
  if (!policy.purgeable) {
    return FailedPreconditionError("A deleted " + policy.type +
                                   " cannot be purged: it is removed for good at its scheduled "
                                   "purge date, " +
                                   FormatRfc3339(*record.scheduled_purge_at) + ".")
        .WithArmCode("NotPurgeable");
  }
  return RefusePurgeWhileProtected(record, now);
}

Result<BinPage> RecycleBin::List(const BinQuery& query, const Principal& caller) {
  REPRIEVE_RETURN_IF_ERROR(service_.tenancy().RequireSubscription(query.subscription));
  DeletedQuery scan;
  scan.subscription = query.subscription;
  if (query.resource_group) {
    scan.key_prefix = "/subscriptions/" + query.subscription + "/resourcegroups/" +
                      *query.resource_group + "/";
  }
  for (const TypePolicy& policy : service_.catalog().policies()) {
    const bool asked = query.types.empty() ||
                       std::find(query.types.begin(), query.types.end(), &policy) !=
                           query.types.end();
    if (asked && Holds(policy)) scan.types.push_back(policy.type);
  }
  BinPage page;
  if (scan.types.empty()) return page;
  if (query.after) {
    scan.after_purge_at = query.after->purge_at;
    scan.after_key = query.after->key;
  }
  // One entry past the page says whether another page follows.
  const size_t wanted = static_cast<size_t>(query.limit) + 1;
  scan.limit = std::clamp(query.limit * 2, 50, 1000);
  const std::string prefix = AsciiLower(query.name_prefix);
  bool more = false;
  while (page.entries.size() < wanted) {
    REPRIEVE_ASSIGN_OR_RETURN(std::vector<ResourceRecord> records,
                              service_.store().ListDeleted(scan));
    for (ResourceRecord& record : records) {
      scan.after_purge_at = record.scheduled_purge_at;
      scan.after_key = record.key;
      if (page.entries.size() == wanted) break;
      const TypePolicy* policy = service_.catalog().Find(record.type);
      if (policy == nullptr || AsciiLower(record.name).rfind(prefix, 0) != 0) continue;
      if (query.accept && !query.accept(record, *policy)) continue;
      page.entries.push_back(BinEntry{std::move(record), policy, OkStatus(), OkStatus()});
    }
    if (static_cast<int>(records.size()) < scan.limit) break;
  }
  if (page.entries.size() == wanted) {
    page.entries.pop_back();
    more = true;
  }
  const Timestamp now = service_.clock().Now();
  for (BinEntry& entry : page.entries) {
    entry.recover = service_.RecoverRefusal(entry.record, caller);
    // A failure to read the store is the listing's failure, not the entry's.
    if (entry.recover.code() == StatusCode::kUnavailable) return entry.recover;
    entry.purge = PurgeRefusal(*entry.policy, entry.record, now);
  }
  if (more) {
    const ResourceRecord& last = page.entries.back().record;
    page.next = BinCursor{*last.scheduled_purge_at, last.key};
  }
  return page;
}

}  // namespace reprieve::core
