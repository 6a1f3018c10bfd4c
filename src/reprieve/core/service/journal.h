// Journal: the activity-log entries of lifecycle transitions, appended to the batch that
// commits the transition, so that the log records exactly what committed (see
// core/model/activity.h for the entries and their order). The entry that ends a mutation
// comes with the Microsoft.Resources event reporting it (ResourceEventOf).
#pragma once

#include <string>
#include <string_view>

#include "reprieve/base/random.h"
#include "reprieve/base/status.h"
#include "reprieve/core/model/operation.h"
#include "reprieve/core/model/resource.h"
#include "reprieve/core/ports/resource_store.h"
#include "reprieve/core/service/invocation.h"

namespace reprieve::core {

class Journal {
 public:
  explicit Journal(RandomSource& random) : random_(random) {}

  // The entries of `invocation` acting on `target`: Started, then as `op` stands
  // (Succeeded; Accepted while it runs; Accepted then Failed for one that failed within the
  // request); without `op`, Succeeded. `status_text` is the answer's HTTP status text.
  void Started(WriteBatch& batch, const Invocation& invocation, const ResourceRecord& target,
               const OperationRecord* op, std::string_view status_text, Timestamp now);
  // The entry of the end of `ended` (a terminal operation): Succeeded or Failed.
  void Ended(WriteBatch& batch, const OperationRecord& ended, Timestamp now);
  // The entries of a mutation refused before it changed anything, on `resource_id`:
  // Started, then Failed with `error`. Nothing for an id outside a subscription.
  void Refused(WriteBatch& batch, const Invocation& invocation, const std::string& resource_id,
               const Status& error, std::string_view status_text, Timestamp now);

 private:
  RandomSource& random_;
};

}  // namespace reprieve::core
