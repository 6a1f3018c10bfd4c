#include "reprieve/app/server.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <iostream>
#include <atomic>
#include <memory>
#include <thread>

#include "reprieve/app/periodic_task.h"
#include "reprieve/app/purge_loop.h"
#include "reprieve/core/events/event_dispatcher.h"
#include "reprieve/http/event_delivery.h"
#include "reprieve/http/server/http_client.h"
#include "reprieve/app/tls_files.h"
#include "reprieve/base/log.h"
#include "reprieve/base/random.h"
#include "reprieve/base/status_macros.h"
#include "reprieve/core/lifecycle/purge_sweeper.h"
#include "reprieve/core/policy/policy_catalog.h"
#include "reprieve/core/service/resource_service.h"
#include "reprieve/http/arm_api.h"
#include "reprieve/http/server/http_server.h"
#include "reprieve/store/store_factory.h"
#include "reprieve/telemetry/prometheus_metrics.h"

namespace reprieve::app {
namespace {

Status EnsureDefaultTenancy(core::ResourceService& service) {
  auto existing = service.tenancy().GetSubscription(kDefaultSubscription);
  if (existing.has_value()) return OkStatus();
  if (existing.status().code() != StatusCode::kNotFound) return existing.status();
  REPRIEVE_RETURN_IF_ERROR(
      service.tenancy().PutTenant(kDefaultTenant, R"({"displayName":"Reprieve"})").status());
  REPRIEVE_RETURN_IF_ERROR(
      service.tenancy()
          .PutSubscription(kDefaultSubscription, kDefaultTenant,
                           std::string(R"({"tenantId":")") + kDefaultTenant +
                               R"(","displayName":"Reprieve default","state":"Enabled"})")
          .status());
  // Today's Azure docs take Machine Learning soft delete for granted, so the first start
  // enrols its subscription; unregistering the feature gives back the hard delete, and a
  // later start leaves that choice alone.
  return service.tenancy().SetFeature(kDefaultSubscription, "Microsoft.MachineLearningServices",
                                      "WorkspaceSoftDelete", true);
}

void PrintBanner(const Config& config, const std::string& url, const std::string& ca,
                 const Clock& clock, const std::string& plain_url) {
  std::printf("reprieved: listening on %s\n", url.c_str());
  if (!plain_url.empty()) std::printf("reprieved: plain HTTP on %s\n", plain_url.c_str());
  std::printf("  portal:  %s/ (every soft-deleted resource; trust %s in the browser or accept "
              "the warning)\n",
              url.c_str(), ca.c_str());
  std::printf("  bin:     %s/subscriptions/%s/providers/Reprieve.Lifecycle/deletedResources"
              "?api-version=2026-12-01\n",
              url.c_str(), kDefaultSubscription);
  const char* mode = config.strict_auth
                         ? "strict (only tokens Reprieve signed; RBAC decides)"
                         : "dev (a token Reprieve did not sign is the developer, Owner of "
                           "everything; tokens Reprieve signed: RBAC decides)";
  const char* u = url.c_str();
  std::printf(
      "  state:   %s   clock: %s (now %s)\n"
      "  auth:    %s\n"
      "  tenant %s, subscription %s\n"
      "  trust:   %s\n"
      "  az:      export REQUESTS_CA_BUNDLE=%s AZURE_CORE_COLLECT_TELEMETRY=false\n"
      "           az cloud register -n Reprieve --cloud-config '{\"endpoints\":{"
      "\"resourceManager\":\"%s/\",\"management\":\"%s/\",\"activeDirectory\":\"%s/adfs\","
      "\"activeDirectoryResourceId\":\"%s/\",\"activeDirectoryGraphResourceId\":\"%s/\","
      "\"microsoftGraphResourceId\":\"%s/graph/\"}}' && az cloud set -n Reprieve\n"
      "           export MSI_ENDPOINT=%s/reprieve/msi/token; az login --identity   "
      "(or az login --service-principal -u APPID -p SECRET --tenant %s)\n"
      "  Python:  REQUESTS_CA_BUNDLE=%s; Client(cred, sub, base_url=\"%s\", "
      "credential_scopes=[\"%s/.default\"]); ClientSecretCredential(tenant, app, secret, "
      "authority=\"%s\", instance_discovery=False)\n"
      "  JS:      NODE_EXTRA_CA_CERTS=%s; new Client(cred, sub, { endpoint: \"%s\" }); "
      "new ClientSecretCredential(tenant, app, secret, { authorityHost: \"%s\", "
      "disableInstanceDiscovery: true })\n",
      config.store.c_str(), config.manual_clock ? "manual" : "system",
      FormatRfc3339(clock.Now()).c_str(), mode, kDefaultTenant, kDefaultSubscription,
      ca.c_str(), ca.c_str(), u, u, u, u, u, u, u, kDefaultTenant, ca.c_str(), u, u, u,
      ca.c_str(), u, u);
  // The operation schedule, when it is not "everything finishes within its request".
  std::string schedule;
  for (const auto& [kind, duration] : config.operation_durations) {
    schedule +=
        " " + std::string(core::OperationKindName(kind)) + "=" + FormatIsoDuration(duration);
  }
  for (const auto& [kind, rate] : config.operation_failure_rates) {
    schedule += " " + std::string(core::OperationKindName(kind)) + " fails " +
                std::to_string(static_cast<int>(rate * 100 + 0.5)) + "%";
  }
  if (!schedule.empty()) std::printf("  operations:%s\n", schedule.c_str());
  std::fflush(stdout);
}

bool IsLoopbackHost(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

// The token signing keys (PEM, current first), or "" when none were made yet.
Result<std::string> ReadSigningKeys(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::string();
  std::ifstream in(path, std::ios::binary);
  if (!in) return UnavailableError("cannot open " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Writes the keys readable by the owner only, replacing the file atomically.
Status WriteSigningKeys(const std::string& path, const std::string& pem) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return UnavailableError("cannot write " + temp);
  const bool written = ::write(fd, pem.data(), pem.size()) == static_cast<ssize_t>(pem.size()) &&
                       ::fsync(fd) == 0;
  ::close(fd);
  if (!written || std::rename(temp.c_str(), path.c_str()) != 0) {
    return UnavailableError("cannot write " + path);
  }
  return OkStatus();
}

std::string HostForUrl(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

int RunServer(const Config& config) {
  SetLogFormat(config.json_logs ? LogFormat::kJson : LogFormat::kText);
  if (!config.strict_auth && !IsLoopbackHost(config.listen_host)) {
    LogError("reprieved: --auth dev accepts any bearer token as an Owner of everything, so it "
             "serves only loopback addresses; to listen on " + config.listen_host +
             " start with --auth strict");
    return 2;
  }
  SetMinLogLevel(config.verbose ? LogLevel::kDebug : LogLevel::kInfo);
  // Signals are taken synchronously by this thread; every thread started below inherits the
  // mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  const auto fail = [](const std::string& what, const Status& status) {
    LogError(what + ": " + status.ToString());
    return 1;
  };
  Log(LogLevel::kInfo, "reprieved: starting",
      {{"store", config.store}, {"dataDir", config.data_dir}});
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) return fail("cannot create the data directory " + config.data_dir, UnavailableError(ec.message()));

  const SystemClock system_clock;
  std::unique_ptr<ManualClock> manual_clock;
  if (config.manual_clock) {
    manual_clock = std::make_unique<ManualClock>(config.clock_start.value_or(system_clock.Now()));
  }
  const Clock& clock = manual_clock ? static_cast<const Clock&>(*manual_clock) : system_clock;
  std::unique_ptr<RandomSource> random = NewSystemRandom();

  std::string cert = config.tls_cert;
  std::string key = config.tls_key;
  std::string ca = config.tls_cert;
  if (cert.empty()) {
    auto tls = EnsureTlsFiles(config.data_dir + "/tls", system_clock);
    if (!tls.has_value()) return fail("cannot create TLS files", tls.status());
    cert = tls->server_cert;
    key = tls->server_key;
    ca = tls->ca_cert;
  }

  // The listeners come up first and answer as an instance still starting (/readyz 503)
  // until the store is open and migrated; then every request goes to the ARM API.
  std::unique_ptr<core::ResourceStore> store;
  std::atomic<http::ArmApi*> ready_api{nullptr};
  std::atomic<bool> draining{false};
  const auto metrics = telemetry::NewPrometheusMetrics(
      {[&store]() -> Result<core::StoreCensus> { return store->TakeCensus(); }, &clock});

  http::HttpServerOptions server_options;
  server_options.host = config.listen_host;
  server_options.port = config.listen_port;
  server_options.cert_file = cert;
  server_options.key_file = key;
  server_options.io_threads = config.io_threads;
  server_options.read_timeout = config.read_timeout;
  server_options.idle_timeout = config.idle_timeout;
  server_options.telemetry = metrics.get();
  server_options.handler = [&ready_api, &random](const http::HttpRequest& request) {
    http::ArmApi* api = ready_api.load(std::memory_order_acquire);
    return api != nullptr ? api->Handle(request) : http::ArmApi::AnswerStarting(request, *random);
  };
  server_options.runs_inline = &http::ArmApi::IsReadOnly;
  server_options.reject = [&ready_api, &random](const Status& status) {
    http::ArmApi* api = ready_api.load(std::memory_order_acquire);
    return api != nullptr ? api->Reject(status)
                          : http::ArmApi::AnswerStarting(http::HttpRequest{}, *random);
  };
  auto server = http::HttpServer::Start(server_options);
  if (!server.has_value()) return fail("cannot start the HTTPS server", server.status());

  std::unique_ptr<http::HttpServer> plain_server;
  std::string plain_url;
  if (!config.plain_listen.empty()) {
    http::HttpServerOptions plain_options = server_options;
    plain_options.tls = false;
    const size_t colon = config.plain_listen.rfind(':');
    plain_options.host = config.plain_listen.substr(0, colon);
    if (plain_options.host == "localhost") plain_options.host = "127.0.0.1";
    plain_options.port = static_cast<uint16_t>(std::stoi(config.plain_listen.substr(colon + 1)));
    auto plain = http::HttpServer::Start(plain_options);
    if (!plain.has_value()) return fail("cannot start the plain HTTP server", plain.status());
    plain_server = std::move(plain).value();
    plain_url = "http://" + HostForUrl(plain_options.host) + ":" +
                std::to_string(plain_server->port());
  }

  auto opened = store::OpenStore(config.store, metrics.get());
  if (!opened.has_value()) return fail("cannot open the store " + config.store, opened.status());
  store = std::move(opened).value();
  Log(LogLevel::kInfo, "reprieved: store open and migrated", {{"store", config.store}});

  std::vector<core::TypePolicy> policies = core::BuiltinPolicies();
  if (config.name_reservation) {
    for (core::TypePolicy& policy : policies) {
      if (policy.name_reservation > Duration::zero()) policy.name_reservation = *config.name_reservation;
    }
  }
  const core::PolicyCatalog catalog(std::move(policies));
  core::ResourceService service(*store, clock, *random, catalog, config.purge_warning,
                                metrics.get());
  if (Status status = EnsureDefaultTenancy(service); !status.ok()) {
    return fail("cannot create the default subscription", status);
  }

  core::OperationSchedule operations;
  for (const auto& [kind, duration] : config.operation_durations) {
    operations.SetDuration(kind, duration);
  }
  for (const auto& [kind, rate] : config.operation_failure_rates) {
    operations.SetFailureRate(kind, rate);
  }
  core::PurgeSweeper::Options sweeper_options;
  sweeper_options.telemetry = metrics.get();
  core::PurgeSweeper sweeper(*store, clock, catalog, sweeper_options);
  PurgeLoop purge_loop(
      sweeper, config.sweep_interval,
      [&service](int limit) { return service.RunDueOperations(limit); }, metrics.get());
  http::ArmApiOptions api_options;
  api_options.manual_clock = manual_clock.get();
  api_options.sweep_now = [&purge_loop] { return purge_loop.RunNow(); };
  api_options.default_tenant = kDefaultTenant;
  api_options.auth = config.strict_auth ? http::AuthMode::kStrict : http::AuthMode::kDev;
  api_options.managed_identity = config.managed_identity;
  api_options.operations = &operations;
  api_options.retry_after_seconds = config.retry_after_seconds;
  api_options.telemetry = metrics.get();
  api_options.log_requests = config.request_log;
  api_options.metrics = [&metrics] { return metrics->Exposition(); };
  api_options.readiness = [&draining, &store]() -> Status {
    if (draining.load()) {
      return UnavailableError("This instance is shutting down; send requests to another.")
          .WithArmCode("ServiceUnavailable");
    }
    return store->Probe();
  };
  const std::string keys_file = config.data_dir + "/identity/signing-keys.pem";
  auto keys = ReadSigningKeys(keys_file);
  if (!keys.has_value()) return fail("cannot read the token signing keys", keys.status());
  api_options.signing_keys = *keys;
  api_options.persist_signing_keys = [keys_file](const std::string& pem) {
    return WriteSigningKeys(keys_file, pem);
  };
  auto created = http::ArmApi::Create(service, clock, *random, api_options);
  if (!created.has_value()) return fail("cannot start the ARM API", created.status());
  http::ArmApi& api = **created;

  // Event delivery: its own thread, so a slow webhook never holds up a request or a sweep.
  const http::HttpClient webhook_client(ca);  // Reprieve's CA is trusted besides the system's
  http::WebhookOptions webhook_options;
  webhook_options.public_url =
      "https://" + HostForUrl(config.listen_host) + ":" + std::to_string((*server)->port());
  webhook_options.tenant_of = http::TenantLookup(service);
  http::WebhookTransport transport(
      [&webhook_client](const http::OutboundRequest& request) {
        return webhook_client.Send(request);
      },
      clock, *random, webhook_options);
  core::EventDispatcher dispatcher(*store, clock, transport, {});
  PeriodicTask event_loop(std::chrono::milliseconds(250), [&dispatcher] {
    auto report = dispatcher.RunOnce();
    if (!report.has_value()) {
      LogError("event delivery failed: " + report.status().ToString());
    } else if (report->dead_lettered > 0) {
      LogInfo("event delivery: " + std::to_string(report->dead_lettered) +
              " delivery(ies) dead-lettered (GET /reprieve/admin/events)");
    }
  });

  purge_loop.Start();
  event_loop.Start();
  ready_api.store(&api, std::memory_order_release);
  PrintBanner(config, "https://" + HostForUrl(config.listen_host) + ":" +
                          std::to_string((*server)->port()),
              ca, clock, plain_url);

  int received = 0;
  sigwait(&signals, &received);
  const char* signal_name = received == SIGINT ? "SIGINT" : "SIGTERM";
  // Draining: /readyz answers 503 at once, the listeners stop accepting, requests in flight
  // finish within the grace. A second signal ends the process at once.
  draining.store(true);
  Log(LogLevel::kInfo, "reprieved: draining",
      {{"signal", signal_name},
       Number("graceMs", static_cast<long long>(config.shutdown_grace.count()))});
  std::atomic<bool> drained_all{true};
  std::atomic<bool> drain_done{false};
  std::thread drainer([&] {
    const auto deadline = std::chrono::steady_clock::now() + config.shutdown_grace;
    std::thread plain_drainer;
    if (plain_server) {
      plain_drainer = std::thread([&] {
        if (!plain_server->Drain(config.shutdown_grace)) drained_all.store(false);
      });
    }
    if (!(*server)->Drain(std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now()))) {
      drained_all.store(false);
    }
    if (plain_drainer.joinable()) plain_drainer.join();
    drain_done.store(true);
  });
  const timespec tick{0, 50 * 1000 * 1000};
  while (!drain_done.load()) {
    siginfo_t info;
    if (sigtimedwait(&signals, &info, &tick) > 0) {
      Log(LogLevel::kWarning, "reprieved: second signal, exiting at once",
          {{"signal", info.si_signo == SIGINT ? "SIGINT" : "SIGTERM"}});
      std::_Exit(128 + info.si_signo);
    }
  }
  drainer.join();
  if (!drained_all.load()) {
    LogWarning("reprieved: the shutdown grace ended with requests still open; they were cut");
  }
  ready_api.store(nullptr);
  event_loop.Stop();
  purge_loop.Stop();
  store.reset();
  Log(LogLevel::kInfo, "reprieved: stopped", {{"signal", signal_name}});
  return 0;
}

}  // namespace reprieve::app
