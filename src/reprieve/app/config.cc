#include "reprieve/app/config.h"

#include <algorithm>
#include <charconv>

#include "reprieve/base/status_macros.h"

namespace reprieve::app {
namespace {

Status BadFlag(const std::string& flag, const std::string& why) {
  return InvalidArgumentError("flag " + flag + ": " + why + " (see --help)");
}

Status ParseHostPort(const std::string& flag, const std::string& value, std::string& host,
                     uint16_t& port) {
  const size_t colon = value.rfind(':');
  if (colon == std::string::npos || colon == 0) return BadFlag(flag, "expected HOST:PORT");
  host = value.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  unsigned parsed = 0;
  const std::string digits = value.substr(colon + 1);
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), parsed);
  if (ec != std::errc() || end != digits.data() + digits.size() || parsed > 65535) {
    return BadFlag(flag, "'" + digits + "' is not a port number (0-65535)");
  }
  port = static_cast<uint16_t>(parsed);
  return OkStatus();
}

// "VALUE" (every kind) or "KIND=VALUE,KIND=VALUE...", each value read by `parse`.
template <typename T, typename Parse>
Status ParsePerKind(const std::string& flag, const std::string& text, const Parse& parse,
                    std::vector<std::pair<core::OperationKind, T>>& out) {
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    start = comma + 1;
    const size_t eq = item.find('=');
    const std::string value = eq == std::string::npos ? item : item.substr(eq + 1);
    const std::optional<T> parsed = parse(value);
    if (!parsed) return BadFlag(flag, "'" + value + "' is not a valid value");
    if (eq == std::string::npos) {
      for (int i = 0; i < core::kOperationKinds; ++i) {
        out.emplace_back(static_cast<core::OperationKind>(i), *parsed);
      }
      continue;
    }
    const auto kind = core::ParseOperationKind(item.substr(0, eq));
    if (!kind) {
      return BadFlag(flag, "unknown operation kind '" + item.substr(0, eq) +
                               "' (create, delete, recover or purge)");
    }
    out.emplace_back(*kind, *parsed);
  }
  return OkStatus();
}

}  // namespace

std::string Usage() {
  return R"(reprieved - an Azure Resource Manager compatible control plane with the soft-delete lifecycle

Usage: reprieved [flags]

  --listen HOST:PORT        HTTPS address to serve (default 127.0.0.1:8443; port 0 picks a
                            free port, printed on the first line of output)
  --data-dir DIR            state directory (default ./data): the SQLite database and the
                            generated TLS files under DIR/tls/
  --store URL               sqlite:PATH (default sqlite:DIR/reprieve.db) or memory: (nothing
                            is kept)
  --tls-cert FILE           serve this PEM certificate chain instead of the generated one
  --tls-key FILE            the private key of --tls-cert
  --auth dev|strict         dev (default): a token Reprieve did not sign is the developer
                            principal, Owner of everything (loopback addresses only);
                            strict: only tokens Reprieve's token service signed, checked by
                            RBAC. Tokens Reprieve signed are checked by RBAC in both modes.
  --managed-identity on|off whether /reprieve/msi/token issues the managed identity's
                            tokens (Owner at root) to callers on this machine (default on)
  --clock system|manual     system: the wall clock (default); manual: time stands still and
                            moves only through POST /reprieve/admin/clock
  --clock-start INSTANT     with --clock manual, the first instant (RFC 3339; default now)
  --plain-listen HOST:PORT  also serve plain HTTP here (loopback only; for benchmarks; SDKs
                            refuse bearer tokens over plain HTTP)
  --sweep-interval-ms N     how often the purge sweeper looks for due purges (default 250)
  --name-reservation DUR    how long an API Management name stays reserved for its
                            subscription after a purge (ISO-8601 duration; default P7D)
  --operation-duration D    how long long-running operations take on the server's clock:
                            one ISO-8601 duration for every kind (PT2M), or per kind
                            (recover=PT2M,purge=PT30S,delete=PT10S,create=PT1M); default
                            PT0S, every operation finishes within its request
  --operation-failure-rate R  the share of operations that fail (InternalServerError): 0.1
                            for every kind, or per kind (purge=0.5,recover=0.1)
  --retry-after-s N         the Retry-After of operation answers and polls (default 1)
  --purge-warning DUR       how long before a scheduled purge the
                            Reprieve.Lifecycle.PurgeScheduled event is sent (ISO-8601
                            duration; default PT24H)
  --io-threads N            network threads (default 2)
  --read-timeout-s N        a request must arrive within N seconds once begun; slower
                            senders are disconnected (default 30)
  --idle-timeout-s N        kept-alive connections idle longer are closed (default 120)
  --log-format text|json    log lines as text (default) or one JSON object a line
  --request-log on|off      a log line per answered request (default on)
  --shutdown-grace DUR      on SIGTERM, how long requests in flight may take to finish
                            (ISO-8601 duration, or seconds; default PT10S)
  --verbose                 log debug detail
  --version                 print the version and exit
  --help                    print this help and exit
)";
}

Result<Config> ParseFlags(const std::vector<std::string>& args) {
  Config config;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::string value;
    bool has_value = false;
    if (const size_t eq = flag.find('='); eq != std::string::npos && flag.rfind("--", 0) == 0) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
      has_value = true;
    }
    const auto next = [&]() -> Result<std::string> {
      if (has_value) return value;
      if (i + 1 >= args.size()) return BadFlag(flag, "needs a value");
      return args[++i];
    };
    const auto number = [&](int min, int max) -> Result<int> {
      auto text = next();
      if (!text.has_value()) return text.status();
      int parsed = 0;
      const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), parsed);
      if (ec != std::errc() || end != text->data() + text->size() || parsed < min ||
          parsed > max) {
        return BadFlag(flag, "expected a number from " + std::to_string(min) + " to " +
                                 std::to_string(max));
      }
      return parsed;
    };
    if (flag == "--help" || flag == "-h") {
      config.help = true;
    } else if (flag == "--version") {
      config.version = true;
    } else if (flag == "--verbose") {
      config.verbose = true;
    } else if (flag == "--listen") {
      auto v = next();
      if (!v) return v.status();
      if (Status s = ParseHostPort(flag, *v, config.listen_host, config.listen_port); !s.ok()) {
        return s;
      }
    } else if (flag == "--plain-listen") {
      auto v = next();
      if (!v) return v.status();
      std::string host;
      uint16_t port = 0;
      if (Status s = ParseHostPort(flag, *v, host, port); !s.ok()) return s;
      if (host != "127.0.0.1" && host != "::1" && host != "localhost") {
        return BadFlag(flag, "plain HTTP is served on loopback only");
      }
      config.plain_listen = *v;
    } else if (flag == "--data-dir") {
      auto v = next();
      if (!v) return v.status();
      if (v->empty()) return BadFlag(flag, "must not be empty");
      config.data_dir = *v;
    } else if (flag == "--store") {
      auto v = next();
      if (!v) return v.status();
      config.store = *v;
    } else if (flag == "--tls-cert") {
      auto v = next();
      if (!v) return v.status();
      config.tls_cert = *v;
    } else if (flag == "--tls-key") {
      auto v = next();
      if (!v) return v.status();
      config.tls_key = *v;
    } else if (flag == "--clock") {
      auto v = next();
      if (!v) return v.status();
      if (*v != "manual" && *v != "system") return BadFlag(flag, "expected system or manual");
      config.manual_clock = *v == "manual";  // the last --clock given wins
    } else if (flag == "--auth") {
      auto v = next();
      if (!v) return v.status();
      if (*v != "dev" && *v != "strict") return BadFlag(flag, "expected dev or strict");
      config.strict_auth = *v == "strict";
    } else if (flag == "--managed-identity") {
      auto v = next();
      if (!v) return v.status();
      if (*v != "on" && *v != "off") return BadFlag(flag, "expected on or off");
      config.managed_identity = *v == "on";
    } else if (flag == "--clock-start") {
      auto v = next();
      if (!v) return v.status();
      config.clock_start = ParseRfc3339(*v);
      if (!config.clock_start) return BadFlag(flag, "expected an RFC 3339 instant");
    } else if (flag == "--sweep-interval-ms") {
      auto v = number(1, 60000);
      if (!v) return v.status();
      config.sweep_interval = std::chrono::milliseconds(*v);
    } else if (flag == "--name-reservation") {
      auto v = next();
      if (!v) return v.status();
      config.name_reservation = ParseIsoDuration(*v);
      if (!config.name_reservation) {
        return BadFlag(flag, "expected an ISO-8601 duration such as P7D or PT12H");
      }
    } else if (flag == "--log-format") {
      auto v = next();
      if (!v) return v.status();
      if (*v != "text" && *v != "json") return BadFlag(flag, "expected text or json");
      config.json_logs = *v == "json";
    } else if (flag == "--request-log") {
      auto v = next();
      if (!v) return v.status();
      if (*v != "on" && *v != "off") return BadFlag(flag, "expected on or off");
      config.request_log = *v == "on";
    } else if (flag == "--shutdown-grace") {
      auto v = next();
      if (!v) return v.status();
      std::optional<Duration> grace = ParseIsoDuration(*v);
      if (!grace && !v->empty() && v->find_first_not_of("0123456789") == std::string::npos &&
          v->size() <= 6) {
        grace = std::chrono::seconds(std::stoi(*v));
      }
      if (!grace || *grace > std::chrono::hours(1)) {
        return BadFlag(flag, "expected a duration of at most an hour, such as PT10S or 10");
      }
      config.shutdown_grace = std::chrono::duration_cast<std::chrono::milliseconds>(*grace);
    } else if (flag == "--purge-warning") {
      auto v = next();
      if (!v) return v.status();
      const std::optional<Duration> lead = ParseIsoDuration(*v);
      if (!lead) return BadFlag(flag, "expected an ISO-8601 duration such as PT24H or P2D");
      config.purge_warning = *lead;
    } else if (flag == "--read-timeout-s") {
      auto v = number(1, 3600);
      if (!v) return v.status();
      config.read_timeout = std::chrono::seconds(*v);
    } else if (flag == "--idle-timeout-s") {
      auto v = number(1, 86400);
      if (!v) return v.status();
      config.idle_timeout = std::chrono::seconds(*v);
    } else if (flag == "--operation-duration") {
      auto v = next();
      if (!v) return v.status();
      REPRIEVE_RETURN_IF_ERROR(ParsePerKind<Duration>(
          flag, *v, [](const std::string& text) { return ParseIsoDuration(text); },
          config.operation_durations));
    } else if (flag == "--operation-failure-rate") {
      auto v = next();
      if (!v) return v.status();
      REPRIEVE_RETURN_IF_ERROR(ParsePerKind<double>(
          flag, *v,
          [](const std::string& text) -> std::optional<double> {
            double rate = 0;
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), rate);
            if (ec != std::errc() || end != text.data() + text.size() || !(rate >= 0) ||
                rate > 1) {
              return std::nullopt;
            }
            return rate;
          },
          config.operation_failure_rates));
    } else if (flag == "--retry-after-s") {
      auto v = number(1, 3600);
      if (!v) return v.status();
      config.retry_after_seconds = *v;
    } else if (flag == "--io-threads") {
      auto v = number(1, 64);
      if (!v) return v.status();
      config.io_threads = *v;
    } else {
      return BadFlag(flag, "unknown flag");
    }
  }
  if (config.tls_cert.empty() != config.tls_key.empty()) {
    return BadFlag("--tls-cert/--tls-key", "give both or neither");
  }
  if (config.clock_start && !config.manual_clock) {
    return BadFlag("--clock-start", "only meaningful with --clock manual");
  }
  if (config.store.empty()) config.store = "sqlite:" + config.data_dir + "/reprieve.db";
  return config;
}

}  // namespace reprieve::app
