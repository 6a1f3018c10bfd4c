// Config: how reprieved is started, from its command-line flags.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "reprieve/base/result.h"
#include "reprieve/base/time.h"
#include "reprieve/core/model/operation.h"

namespace reprieve::app {

struct Config {
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 8443;
  std::string data_dir = "./data";
  std::string store;      // store URL; default "sqlite:<data_dir>/reprieve.db"
  std::string tls_cert;   // default: generated under <data_dir>/tls/
  std::string tls_key;
  bool strict_auth = false;      // --auth strict
  bool managed_identity = true;  // --managed-identity on
  bool manual_clock = false;
  std::optional<Timestamp> clock_start;  // manual clock's first instant (default: now)
  std::string plain_listen;              // optional extra plain-HTTP listener (loopback only)
  std::chrono::milliseconds sweep_interval{250};
  // How long a purged global name (API Management) stays reserved for its subscription;
  // nullopt: the catalog's default (7 days).
  std::optional<Duration> name_reservation;
  // --operation-duration / --operation-failure-rate, in the order given (a later setting of
  // a kind wins).
  std::vector<std::pair<core::OperationKind, Duration>> operation_durations;
  std::vector<std::pair<core::OperationKind, double>> operation_failure_rates;
  int retry_after_seconds = 1;
  // How long before a scheduled purge the PurgeScheduled event is due.
  Duration purge_warning = std::chrono::hours(24);
  int io_threads = 2;
  std::chrono::seconds read_timeout{30};   // a request must arrive within this, once begun
  std::chrono::seconds idle_timeout{120};  // a kept-alive connection may idle this long
  bool verbose = false;
  bool json_logs = false;  // --log-format json
  bool request_log = true;  // --request-log on|off: a line per answered request
  // On SIGTERM/SIGINT, how long requests in flight may take to finish.
  std::chrono::milliseconds shutdown_grace{10000};
  bool help = false;
  bool version = false;
};

// Parses argv. kInvalidArgument naming the flag and what is wrong with it.
Result<Config> ParseFlags(const std::vector<std::string>& args);

// The --help text.
std::string Usage();

}  // namespace reprieve::app
