// RecycleBin: one subscription's soft-deleted resources of every type, in the order they
// will be purged, each with what a recover or a purge sent now would be answered. Azure has
// a pane per service (and none for some); this is the one list across them. Recover and
// purge stay the types' own calls: the bin only says which and whether they would pass.
//
// Safe for concurrent use; holds a reference to the service.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "reprieve/base/result.h"
#include "reprieve/base/time.h"
#include "reprieve/core/model/principal.h"
#include "reprieve/core/model/resource.h"
#include "reprieve/core/policy/type_policy.h"
#include "reprieve/core/service/resource_service.h"

namespace reprieve::core {

// A position in the bin's order: after the record with this purge date and key.
struct BinCursor {
  Timestamp purge_at{};
  std::string key;
};

struct BinQuery {
  std::string subscription;                   // lower-case
  std::optional<std::string> resource_group;  // lower-case; nullopt: the whole subscription
  std::vector<const TypePolicy*> types;       // empty: every type the bin holds
  std::string name_prefix;                    // compared ignoring case; "" any name
  // The edge's own filters (what the caller may read, a kind): records it refuses are
  // skipped as if absent.
  std::function<bool(const ResourceRecord&, const TypePolicy&)> accept;
  std::optional<BinCursor> after;
  int limit = 100;  // 1..1000
};

struct BinEntry {
  ResourceRecord record;
  const TypePolicy* policy = nullptr;
  Status recover;  // ok: a recover sent now would be accepted; else its error
  Status purge;    // ok: a purge sent now would be accepted; else its error
};

struct BinPage {
  std::vector<BinEntry> entries;  // by scheduled purge date, then key
  std::optional<BinCursor> next;  // set iff more entries follow
};

class RecycleBin {
 public:
  explicit RecycleBin(ResourceService& service) : service_(service) {}

  // Whether the bin holds resources of this type: a top-level type that soft-deletes and
  // has deleted-resource routes.
  static bool Holds(const TypePolicy& policy);

  // A page of the bin. `caller` is whom the recover and purge checks are made for.
  // kNotFound (SubscriptionNotFound) if the subscription does not exist.
  Result<BinPage> List(const BinQuery& query, const Principal& caller);

  // The error a purge of `record` sent now would get: kFailedPrecondition (NotPurgeable)
  // for a type whose deleted resources only expire, PurgeProtected while protection holds.
  static Status PurgeRefusal(const TypePolicy& policy, const ResourceRecord& record,
                             Timestamp now);

 private:
  ResourceService& service_;
};

}  // namespace reprieve::core
