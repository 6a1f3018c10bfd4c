// ArmApi: the Azure Resource Manager REST surface of Reprieve. Turns an HttpRequest into
// core calls and core results into an HttpResponse, following the ARM conventions in
// shared/reference/arm-contract.md §5: case-insensitive paths and query names, api-version
// validation per resource type, request/correlation ids, the ARM error envelope, absolute
// nextLinks and long-running-operation headers.
//
// Handle() is safe to call concurrently; it blocks while the store commits a change.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "reprieve/base/clock.h"
#include "reprieve/base/random.h"
#include "reprieve/base/result.h"
#include "reprieve/core/service/resource_service.h"
#include "reprieve/http/http_message.h"

namespace reprieve::http {
namespace internal {
struct RequestContext;
}  // namespace internal

struct ArmApiOptions {
  // Set under `--clock manual`: enables POST /reprieve/admin/clock. Not owned.
  ManualClock* manual_clock = nullptr;
  // Runs the purge sweeper at once and returns how many resources it purged; called after
  // the admin clock API moves the clock, so the answer reflects the sweep. May be empty.
  std::function<int64_t()> sweep_now;
  // The tenant named in tokens issued by the managed-identity endpoint
  // (/reprieve/msi/token), which lets `az login --identity` work against Reprieve.
  std::string default_tenant;
};

class ArmApi {
 public:
  // `service`, `clock` and `random` must outlive the ArmApi.
  ArmApi(core::ResourceService& service, const Clock& clock, RandomSource& random,
         ArmApiOptions options);
  ~ArmApi();

  HttpResponse Handle(const HttpRequest& request);

  // The ARM error response for a request refused before it could be parsed (too large,
  // malformed), with the standard headers.
  HttpResponse Reject(const Status& status);

  // True if the request only reads (it may run on an I/O thread without blocking on a
  // durable commit).
  static bool IsReadOnly(const HttpRequest& request);

 private:
  struct State;
  HttpResponse Finish(const internal::RequestContext& ctx, Result<HttpResponse> result);

  std::unique_ptr<State> state_;
};

}  // namespace reprieve::http
