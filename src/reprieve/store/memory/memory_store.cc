#include "reprieve/store/memory/memory_store.h"

#include <algorithm>
#include <list>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

#include "reprieve/base/strings.h"

namespace reprieve::store {
namespace {

using core::Expectation;
using core::LifecycleState;
using core::ResourceRecord;

class MemoryStore final : public core::ResourceStore {
 public:
  Result<ResourceRecord> Get(std::string_view key) override {
    std::lock_guard lock(mu_);
    auto it = records_.find(std::string(key));
    if (it == records_.end()) return NotFoundError("no record " + std::string(key));
    return it->second;
  }

  Result<core::Page> List(const core::ListQuery& query) override {
    std::lock_guard lock(mu_);
    core::Page page;
    const std::string start = std::max(query.after_key, query.key_prefix);
    for (auto it = records_.upper_bound(start);
         it != records_.end() && it->first.compare(0, query.key_prefix.size(), query.key_prefix) == 0;
         ++it) {
      // upper_bound skips `start` itself, which is right for after_key and harmless for a
      // prefix ending in '/', which is never a key.
      const ResourceRecord& record = it->second;
      if (!query.type.empty() && record.type != query.type) continue;
      if (query.subscription && record.subscription != *query.subscription) continue;
      if (query.state && record.state != *query.state) continue;
      if (static_cast<int>(page.items.size()) == query.limit) {
        page.next_after = page.items.back().key;
        break;
      }
      page.items.push_back(record);
    }
    return page;
  }

  Result<std::vector<ResourceRecord>> ListPurgeDue(Timestamp now, int limit) override {
    std::lock_guard lock(mu_);
    std::vector<ResourceRecord> due;
    for (const auto& [key, record] : records_) {
      if (record.state == LifecycleState::kSoftDeleted && record.scheduled_purge_at &&
          *record.scheduled_purge_at <= now) {
        due.push_back(record);
      }
    }
    std::sort(due.begin(), due.end(), [](const ResourceRecord& a, const ResourceRecord& b) {
      return std::tie(*a.scheduled_purge_at, a.key) < std::tie(*b.scheduled_purge_at, b.key);
    });
    if (static_cast<int>(due.size()) > limit) due.resize(static_cast<size_t>(limit));
    return due;
  }

  Result<std::vector<ResourceRecord>> ListDeleted(const core::DeletedQuery& query) override {
    std::lock_guard lock(mu_);
    const auto order = [](const ResourceRecord& r) { return std::tie(*r.scheduled_purge_at, r.key); };
    std::vector<ResourceRecord> found;
    for (auto it = records_.lower_bound(query.key_prefix);
         it != records_.end() &&
         it->first.compare(0, query.key_prefix.size(), query.key_prefix) == 0;
         ++it) {
      const ResourceRecord& record = it->second;
      if (record.state != LifecycleState::kSoftDeleted ||
          record.subscription != query.subscription) {
        continue;
      }
      if (!query.types.empty() &&
          std::find(query.types.begin(), query.types.end(), record.type) == query.types.end()) {
        continue;
      }
      if (query.after_purge_at &&
          order(record) <= std::tie(*query.after_purge_at, query.after_key)) {
        continue;
      }
      found.push_back(record);
    }
    std::sort(found.begin(), found.end(),
              [&](const ResourceRecord& a, const ResourceRecord& b) { return order(a) < order(b); });
    if (static_cast<int>(found.size()) > query.limit) found.resize(static_cast<size_t>(query.limit));
    return found;
  }

  Status Apply(const core::WriteBatch& batch) override {
    std::lock_guard lock(mu_);
    return ApplyLocked(batch);
  }

  std::vector<Status> ApplyEach(const std::vector<core::WriteBatch>& batches) override {
    std::lock_guard lock(mu_);
    std::vector<Status> results;
    results.reserve(batches.size());
    for (const core::WriteBatch& batch : batches) results.push_back(ApplyLocked(batch));
    return results;
  }

  Result<core::OperationRecord> GetOperation(std::string_view id) override {
    std::lock_guard lock(mu_);
    auto it = operations_.find(std::string(id));
    if (it == operations_.end()) return NotFoundError("no operation " + std::string(id));
    return it->second;
  }

  Result<std::vector<std::string>> ListOperationsBefore(Timestamp cutoff, int limit) override {
    std::lock_guard lock(mu_);
    std::vector<std::pair<Timestamp, std::string>> old;
    for (const auto& [id, op] : operations_) {
      if (!op.running() && op.created_at < cutoff) old.emplace_back(op.created_at, id);
    }
    std::sort(old.begin(), old.end());
    if (static_cast<int>(old.size()) > limit) old.resize(static_cast<size_t>(limit));
    std::vector<std::string> ids;
    for (auto& [created, id] : old) ids.push_back(std::move(id));
    return ids;
  }

  Result<std::vector<core::OperationRecord>> ListOperationsDue(Timestamp now,
                                                               int limit) override {
    std::lock_guard lock(mu_);
    std::vector<core::OperationRecord> due;
    for (const auto& [id, op] : operations_) {
      if (op.running() && op.ends_at <= now) due.push_back(op);
    }
    std::sort(due.begin(), due.end(), [](const auto& a, const auto& b) {
      return std::tie(a.ends_at, a.id) < std::tie(b.ends_at, b.id);
    });
    if (static_cast<int>(due.size()) > limit) due.resize(static_cast<size_t>(limit));
    return due;
  }

  Result<core::ActivityPage> ListActivity(const core::ActivityQuery& query) override {
    std::lock_guard lock(mu_);
    const auto matches = [&](const std::string& field, const std::string& wanted) {
      return wanted.empty() || EqualsIgnoreCase(field, wanted);
    };
    std::vector<const core::ActivityEntry*> found;
    for (const core::ActivityEntry& e : activity_) {
      if (e.subscription != query.subscription || e.time < query.from || e.time > query.to) {
        continue;
      }
      if (query.before_time && std::tie(e.time, e.sequence) >= std::tie(*query.before_time,
                                                                        query.before_sequence)) {
        continue;
      }
      if (matches(e.resource_group, query.resource_group) &&
          matches(e.resource_id, query.resource_id) &&
          matches(core::ProviderOf(e.resource_type), query.resource_provider) &&
          matches(e.correlation_id, query.correlation_id) && matches(e.caller, query.caller) &&
          matches(e.status, query.status)) {
        found.push_back(&e);
      }
    }
    std::sort(found.begin(), found.end(), [](const auto* a, const auto* b) {
      return std::tie(a->time, a->sequence) > std::tie(b->time, b->sequence);
    });
    core::ActivityPage page;
    for (const core::ActivityEntry* e : found) {
      if (static_cast<int>(page.items.size()) == query.limit) {
        page.more = true;
        break;
      }
      page.items.push_back(*e);
    }
    return page;
  }

  Result<std::vector<std::string>> ListActivityBefore(Timestamp cutoff, int limit) override {
    std::lock_guard lock(mu_);
    std::vector<std::pair<Timestamp, std::string>> old;
    for (const core::ActivityEntry& e : activity_) {
      if (e.time < cutoff) old.emplace_back(e.time, std::to_string(e.sequence));
    }
    std::sort(old.begin(), old.end());
    if (static_cast<int>(old.size()) > limit) old.resize(static_cast<size_t>(limit));
    std::vector<std::string> ids;
    for (auto& [time, id] : old) ids.push_back(std::move(id));
    return ids;
  }

  Result<std::vector<core::LifecycleEvent>> ListEventsDue(Timestamp now, int limit) override {
    std::lock_guard lock(mu_);
    std::vector<core::LifecycleEvent> due;
    for (const auto& [id, event] : events_) {
      if (event.due <= now) due.push_back(event);
    }
    std::sort(due.begin(), due.end(), [](const auto& a, const auto& b) {
      return std::tie(a.due, a.sequence) < std::tie(b.due, b.sequence);
    });
    if (static_cast<int>(due.size()) > limit) due.resize(static_cast<size_t>(limit));
    return due;
  }

  Result<std::vector<core::EventDelivery>> ListDeliveriesDue(Timestamp now, int limit) override {
    std::lock_guard lock(mu_);
    std::vector<core::EventDelivery> due;
    for (const auto& [id, delivery] : deliveries_) {
      if (!delivery.dead_lettered && delivery.next_attempt <= now) due.push_back(delivery);
    }
    std::sort(due.begin(), due.end(), [](const auto& a, const auto& b) {
      return std::tie(a.next_attempt, a.sequence) < std::tie(b.next_attempt, b.sequence);
    });
    if (static_cast<int>(due.size()) > limit) due.resize(static_cast<size_t>(limit));
    return due;
  }

  Result<std::vector<core::EventDelivery>> ListDeliveries(bool dead_lettered, int limit) override {
    std::lock_guard lock(mu_);
    std::vector<core::EventDelivery> found;
    for (const auto& [id, delivery] : deliveries_) {
      if (delivery.dead_lettered == dead_lettered) found.push_back(delivery);
    }
    std::sort(found.begin(), found.end(),
              [](const auto& a, const auto& b) { return a.sequence < b.sequence; });
    if (static_cast<int>(found.size()) > limit) found.resize(static_cast<size_t>(limit));
    return found;
  }

  Result<core::StoreCensus> TakeCensus() override {
    std::lock_guard lock(mu_);
    core::StoreCensus census;
    std::map<std::pair<std::string, LifecycleState>, int64_t> counts;
    for (const auto& [key, record] : records_) {
      ++counts[{record.type, record.state}];
      if (record.state == LifecycleState::kSoftDeleted && record.scheduled_purge_at &&
          (!census.earliest_purge || *record.scheduled_purge_at < *census.earliest_purge)) {
        census.earliest_purge = record.scheduled_purge_at;
      }
    }
    for (const auto& [type_state, count] : counts) {
      census.resources.push_back({type_state.first, type_state.second, count});
    }
    for (const auto& [id, op] : operations_) census.operations_running += op.running() ? 1 : 0;
    census.outbox_events = static_cast<int64_t>(events_.size());
    for (const auto& [id, delivery] : deliveries_) {
      ++(delivery.dead_lettered ? census.deliveries_dead_lettered : census.deliveries_pending);
    }
    return census;
  }

  Status Probe() override { return OkStatus(); }

  Result<int64_t> Count(LifecycleState state) override {
    std::lock_guard lock(mu_);
    return static_cast<int64_t>(std::count_if(records_.begin(), records_.end(), [&](const auto& kv) {
      return kv.second.state == state;
    }));
  }

 private:
  Status Check(const Expectation& expectation) const {
    auto it = records_.find(expectation.key);
    const bool present = it != records_.end();
    if (expectation.HeldBy(present, present ? it->second.state : LifecycleState::kActive,
                           present ? it->second.version : 0)) {
      return OkStatus();
    }
    return AbortedError("the record " + expectation.key + " changed concurrently");
  }

  Status ApplyLocked(const core::WriteBatch& batch) {
    for (const Expectation& expectation : batch.expect) {
      Status status = Check(expectation);
      if (!status.ok()) return status;
    }
    for (const std::string& id : batch.expect_running) {
      auto it = operations_.find(id);
      if (it == operations_.end() || !it->second.running()) {
        return AbortedError("the operation " + id + " is no longer in progress");
      }
    }
    for (const std::string& key : batch.touch) {
      if (records_.find(key) == records_.end()) {
        return AbortedError("the record " + key + " to touch is gone");
      }
    }
    for (const std::string& key : batch.touch) records_[key].version += 1;
    for (const std::string& key : batch.erase) records_.erase(key);
    for (const ResourceRecord& record : batch.put) records_[record.key] = record;
    for (const core::OperationRecord& operation : batch.operations) {
      operations_[operation.id] = operation;
    }
    for (const std::string& id : batch.erase_operations) operations_.erase(id);
    for (const std::string& id : batch.erase_activity) {
      activity_.remove_if(
          [&](const core::ActivityEntry& e) { return std::to_string(e.sequence) == id; });
    }
    for (core::ActivityEntry entry : batch.activity) {
      entry.sequence = ++activity_sequence_;
      activity_.push_back(std::move(entry));
    }
    for (const std::string& id : batch.erase_events) events_.erase(id);
    for (const std::string& cancel : batch.cancel_events) {
      std::erase_if(events_, [&](const auto& kv) { return kv.second.cancel_key == cancel; });
    }
    for (core::LifecycleEvent event : batch.events) {
      if (events_.count(event.id) != 0) continue;
      event.sequence = ++outbox_sequence_;
      events_.emplace(event.id, std::move(event));
    }
    for (const std::string& id : batch.erase_deliveries) deliveries_.erase(id);
    for (core::EventDelivery delivery : batch.deliveries) {
      auto it = deliveries_.find(delivery.id);
      delivery.sequence = it != deliveries_.end() ? it->second.sequence : ++outbox_sequence_;
      deliveries_[delivery.id] = std::move(delivery);
    }
    return OkStatus();
  }

  std::mutex mu_;
  std::map<std::string, ResourceRecord> records_;  // guarded by mu_
  std::unordered_map<std::string, core::OperationRecord> operations_;  // guarded by mu_
  std::list<core::ActivityEntry> activity_;                           // guarded by mu_
  int64_t activity_sequence_ = 0;                                     // guarded by mu_
  std::unordered_map<std::string, core::LifecycleEvent> events_;      // guarded by mu_
  std::unordered_map<std::string, core::EventDelivery> deliveries_;   // guarded by mu_
  int64_t outbox_sequence_ = 0;                                       // guarded by mu_
};

}  // namespace

std::unique_ptr<core::ResourceStore> NewMemoryStore() { return std::make_unique<MemoryStore>(); }

}  // namespace reprieve::store
