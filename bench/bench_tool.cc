// reprieve_bench: the measuring side of `make bench` (bench/run.sh drives it).
//
//   anchor-asio PORT BODY_BYTES          bare Asio HTTP server: a fixed response per request
//   anchor-beast-tls PORT CERT KEY BODY  bare Beast HTTPS server answering a same-sized body
//   fsync DIR SECONDS                    single-flush rate of the disk: write + fdatasync loop
//   sqlite-commit DIR SECONDS ROWS       SQLite's own group-commit ceiling on this disk: WAL,
//                                        synchronous=FULL, ROWS upserts of a resource-sized
//                                        row per transaction, one writer
//   load URL MODE CONNECTIONS SECONDS    drive reprieved; MODE: get PATH | lifecycle | recover
//                                        | list PATH; prints requests/s and latency percentiles
//   populate DB_PATH COUNT IN_SUB PURGE_AT_RFC3339
//                                        writes COUNT soft-deleted accounts straight into a
//                                        SQLite store (IN_SUB of them in the default
//                                        subscription), all due at PURGE_AT
//
// Not part of the product: plain blocking code, one thread per connection.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <iostream>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url.hpp>
#include <sqlite3.h>

#include "reprieve/base/clock.h"
#include "reprieve/base/random.h"
#include "reprieve/core/policy/policy_catalog.h"
#include "reprieve/core/service/resource_service.h"
#include "reprieve/store/store_factory.h"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr char kSub[] = "00000000-0000-0000-0000-00000000b001";

// ------------------------------------------------------------------ anchors

asio::awaitable<void> AsioSession(tcp::socket socket, std::string response) {
  std::string buffer;
  try {
    while (true) {
      const size_t n = co_await asio::async_read_until(socket, asio::dynamic_buffer(buffer),
                                                       "\r\n\r\n", asio::use_awaitable);
      buffer.erase(0, n);
      co_await asio::async_write(socket, asio::buffer(response), asio::use_awaitable);
    }
  } catch (const std::exception&) {
  }
}

template <typename Session>
int Serve(unsigned short port, int threads, Session session) {
  asio::io_context io(threads);
  tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), port});
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    while (true) {
      tcp::socket socket = co_await acceptor.async_accept(asio::make_strand(io), asio::use_awaitable);
      socket.set_option(tcp::no_delay(true));
      auto executor = socket.get_executor();
      asio::co_spawn(executor, session(std::move(socket)), asio::detached);
    }
  }, asio::detached);
  std::printf("anchor listening on %u\n", acceptor.local_endpoint().port());
  std::fflush(stdout);
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&] { io.run(); });
  io.run();
  return 0;
}

int AnchorAsio(unsigned short port, size_t body) {
  const std::string response = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                               std::to_string(body) + "\r\n\r\n" + std::string(body, 'x');
  return Serve(port, 2, [&](tcp::socket s) { return AsioSession(std::move(s), response); });
}

int AnchorBeastTls(unsigned short port, const std::string& cert, const std::string& key,
                   size_t body) {
  static ssl::context tls(ssl::context::tls_server);
  tls.use_certificate_chain_file(cert);
  tls.use_private_key_file(key, ssl::context::pem);
  const std::string payload(body, 'x');
  return Serve(port, 2, [&](tcp::socket s) -> asio::awaitable<void> {
    beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(s)), tls);
    try {
      co_await stream.async_handshake(ssl::stream_base::server, asio::use_awaitable);
      beast::flat_buffer buffer;
      while (true) {
        bhttp::request<bhttp::string_body> request;
        co_await bhttp::async_read(stream, buffer, request, asio::use_awaitable);
        bhttp::response<bhttp::string_body> response{bhttp::status::ok, request.version()};
        response.set(bhttp::field::content_type, "application/json; charset=utf-8");
        response.body() = payload;
        response.keep_alive(request.keep_alive());
        response.prepare_payload();
        co_await bhttp::async_write(stream, response, asio::use_awaitable);
      }
    } catch (const std::exception&) {
    }
  });
}

int Fsync(const std::string& dir, double seconds) {
  const std::string path = dir + "/fsync-anchor.tmp";
  const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
  if (fd < 0) return 1;
  char block[4096] = {};
  const auto start = Clock::now();
  long count = 0;
  while (std::chrono::duration<double>(Clock::now() - start).count() < seconds) {
    if (::pwrite(fd, block, sizeof(block), (count % 256) * 4096) < 0 || ::fdatasync(fd) != 0) {
      return 1;
    }
    ++count;
  }
  ::close(fd);
  ::unlink(path.c_str());
  std::printf("fsyncs_per_s %.1f\n", count / std::chrono::duration<double>(Clock::now() - start).count());
  return 0;
}

// What the store's engine itself commits on this disk with the store's settings: one
// writer, ROWS single-row upserts per transaction (the group a burst of concurrent
// mutations forms), random keys, a 700-byte body.
int SqliteCommit(const std::string& dir, double seconds, int rows) {
  const std::string path = dir + "/sqlite-anchor.db";
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) return 1;
  const auto exec = [&](const char* sql) {
    return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
  };
  if (!exec("PRAGMA journal_mode = WAL") || !exec("PRAGMA synchronous = FULL") ||
      !exec("CREATE TABLE IF NOT EXISTS t (key TEXT PRIMARY KEY, body TEXT NOT NULL)")) {
    return 1;
  }
  sqlite3_stmt* upsert = nullptr;
  sqlite3_stmt* begin = nullptr;
  sqlite3_stmt* commit = nullptr;
  sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO t (key, body) VALUES (?1, ?2)", -1, &upsert,
                     nullptr);
  sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, nullptr);
  sqlite3_prepare_v2(db, "COMMIT", -1, &commit, nullptr);
  const std::string body(700, 'x');
  std::mt19937_64 random(42);
  const auto start = Clock::now();
  long written = 0;
  while (std::chrono::duration<double>(Clock::now() - start).count() < seconds) {
    sqlite3_step(begin);
    sqlite3_reset(begin);
    for (int i = 0; i < rows; ++i) {
      const std::string key = "/subscriptions/s/resourcegroups/g/providers/p/t/" +
                              std::to_string(random() % 100000);
      sqlite3_bind_text(upsert, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
      sqlite3_bind_text(upsert, 2, body.data(), static_cast<int>(body.size()), SQLITE_STATIC);
      if (sqlite3_step(upsert) != SQLITE_DONE) return 1;
      sqlite3_reset(upsert);
    }
    if (sqlite3_step(commit) != SQLITE_DONE) return 1;
    sqlite3_reset(commit);
    written += rows;
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  for (sqlite3_stmt* stmt : {upsert, begin, commit}) sqlite3_finalize(stmt);
  sqlite3_close(db);
  for (const char* suffix : {"", "-wal", "-shm"}) ::unlink((path + suffix).c_str());
  std::printf("rows_per_s %.1f\ncommits_per_s %.1f\n", written / elapsed, written / elapsed / rows);
  return 0;
}

// ------------------------------------------------------------------ load

struct Target {
  bool tls;
  std::string host;
  std::string port;
};

// What requests carry: BENCH_TOKEN from run.sh (a JWT the size clients send), or a short
// opaque token.
const std::string& BearerToken() {
  static const std::string token = [] {
    const char* env = std::getenv("BENCH_TOKEN");
    return std::string("Bearer ") + (env != nullptr ? env : "bench");
  }();
  return token;
}

// One kept-alive client connection, plain or TLS (certificates not verified: loopback).
class Connection {
 public:
  Connection(const Target& target, asio::io_context& io, ssl::context& tls)
      : target_(target), plain_(io), secure_(io, tls) {
    tcp::resolver resolver(io);
    auto endpoints = resolver.resolve(target.host, target.port);
    if (target.tls) {
      asio::connect(secure_.next_layer(), endpoints);
      secure_.next_layer().set_option(tcp::no_delay(true));
      secure_.handshake(ssl::stream_base::client);
    } else {
      asio::connect(plain_, endpoints);
      plain_.set_option(tcp::no_delay(true));
    }
  }

  int Send(bhttp::verb method, const std::string& target, const std::string& body) {
    bhttp::request<bhttp::string_body> request{method, target, 11};
    request.set(bhttp::field::host, target_.host + ":" + target_.port);
    request.set(bhttp::field::authorization, BearerToken());
    if (!body.empty()) request.set(bhttp::field::content_type, "application/json");
    request.body() = body;
    request.prepare_payload();
    bhttp::response<bhttp::string_body> response;
    if (target_.tls) {
      bhttp::write(secure_, request);
      bhttp::read(secure_, buffer_, response);
    } else {
      bhttp::write(plain_, request);
      bhttp::read(plain_, buffer_, response);
    }
    last_body_ = std::move(response.body());
    return static_cast<int>(response.result_int());
  }
  const std::string& last_body() const { return last_body_; }

 private:
  Target target_;
  tcp::socket plain_;
  ssl::stream<tcp::socket> secure_;
  beast::flat_buffer buffer_;
  std::string last_body_;
};

struct Stats {
  std::mutex mu;
  std::vector<double> latencies_ms;
  long errors = 0;
  void Add(const std::vector<double>& mine, long errs) {
    std::lock_guard lock(mu);
    latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    errors += errs;
  }
};

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

int Load(const std::string& url, const std::string& mode, const std::string& arg, int connections,
         double seconds) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return 2;
  Target target{parsed->scheme() == "https", std::string(parsed->host()),
                std::string(parsed->port())};
  Stats stats;
  std::atomic<long> counted{0};
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                          std::chrono::duration<double>(seconds));
  const std::string group = std::string("/subscriptions/") + kSub + "/resourceGroups/bench";
  {
    asio::io_context io;
    ssl::context tls(ssl::context::tls_client);
    Connection setup(target, io, tls);
    setup.Send(bhttp::verb::put, std::string("/subscriptions/") + kSub +
                                     "/resourcegroups/bench?api-version=2025-04-01",
               R"({"location":"eastus"})");
  }
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] {
      asio::io_context io;
      ssl::context tls(ssl::context::tls_client);
      Connection conn(target, io, tls);
      std::vector<double> mine;
      long errors = 0;
      const auto timed = [&](bhttp::verb verb, const std::string& path, const std::string& body,
                             bool record) {
        const auto t0 = Clock::now();
        const int status = conn.Send(verb, path, body);
        if (record) mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        if (status >= 400) ++errors;
        return status;
      };
      const std::string api = "?api-version=2025-09-01";
      const std::string create = R"({"location":"eastus","kind":"Face","sku":{"name":"S0"}})";
      const std::string restore = R"({"location":"eastus","properties":{"restore":true}})";
      for (long i = 0; Clock::now() < deadline; ++i) {
        if (mode == "get" || mode == "list") {
          timed(bhttp::verb::get, arg, "", true);
          counted++;
        } else if (mode == "lifecycle") {
          const std::string name = "c" + std::to_string(c) + "n" + std::to_string(i);
          const std::string live = group + "/providers/Microsoft.CognitiveServices/accounts/" + name + api;
          const std::string deleted = std::string("/subscriptions/") + kSub +
              "/providers/Microsoft.CognitiveServices/locations/eastus/resourceGroups/bench/deletedAccounts/" + name + api;
          timed(bhttp::verb::put, live, create, true);
          timed(bhttp::verb::delete_, live, "", true);
          timed(bhttp::verb::put, live, restore, true);
          timed(bhttp::verb::delete_, live, "", true);
          timed(bhttp::verb::delete_, deleted, "", true);
          counted += 5;
        } else if (mode == "recover") {
          const std::string live = group + "/providers/Microsoft.CognitiveServices/accounts/r" +
                                   std::to_string(c) + api;
          if (i == 0) timed(bhttp::verb::put, live, create, false);
          timed(bhttp::verb::delete_, live, "", false);
          timed(bhttp::verb::put, live, restore, true);
          counted++;
        }
      }
      stats.Add(mine, errors);
    });
  }
  for (auto& thread : threads) thread.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("requests %ld\nrequests_per_s %.1f\np50_ms %.3f\np99_ms %.3f\nerrors %ld\n",
              counted.load(), counted.load() / elapsed, Percentile(stats.latencies_ms, 0.50),
              Percentile(stats.latencies_ms, 0.99), stats.errors);
  return 0;
}

// ------------------------------------------------------------------ populate

int Populate(const std::string& db, long count, long in_sub, const std::string& purge_at) {
  auto store = reprieve::store::OpenStore("sqlite:" + db);
  if (!store.has_value()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  const auto purge = reprieve::ParseRfc3339(purge_at);
  if (!purge) return 2;
  reprieve::SystemClock clock;
  auto random = reprieve::NewSystemRandom();
  reprieve::core::ResourceService service(**store, clock, *random,
                                          reprieve::core::PolicyCatalog::Builtin());
  const char* other = "00000000-0000-0000-0000-00000000b002";
  (void)service.tenancy().PutTenant("00000000-0000-0000-0000-00000000a001", R"({"displayName":"Reprieve"})");
  for (const char* sub : {kSub, other}) {
    (void)service.tenancy().PutSubscription(sub, "00000000-0000-0000-0000-00000000a001",
                                  std::string(R"({"tenantId":"00000000-0000-0000-0000-00000000a001","displayName":")") + sub + R"(","state":"Enabled"})");
  }
  const std::string body = R"({"kind":"TextAnalytics","sku":{"name":"S0"},"tags":{"bench":"1"},"properties":{"customSubDomainName":"bench"}})";
  constexpr long kPerCommit = 5000;
  for (long first = 0; first < count; first += kPerCommit) {
    std::vector<reprieve::core::WriteBatch> batches(1);
    for (long i = first; i < std::min(count, first + kPerCommit); ++i) {
      const std::string sub = i < in_sub ? kSub : other;
      char name[32];
      std::snprintf(name, sizeof(name), "acct%08ld", i);
      const auto id = reprieve::core::ResourceId::Resource(sub, "bench", "Microsoft.CognitiveServices", "accounts", name);
      reprieve::core::ResourceRecord r;
      r.key = id.Key();
      r.id = id.ToString();
      r.subscription = sub;
      r.resource_group = "bench";
      r.type = "Microsoft.CognitiveServices/accounts";
      r.name = name;
      r.location = "eastus";
      r.body = body;
      r.state = reprieve::core::LifecycleState::kSoftDeleted;
      r.version = 2;
      r.etag = "\"bench\"";
      r.created_at = r.changed_at = *purge - std::chrono::hours(72);
      r.created_by = r.changed_by = "bench";
      r.deleted_at = *purge - std::chrono::hours(48);
      r.scheduled_purge_at = *purge;
      batches[0].put.push_back(std::move(r));
    }
    const auto results = (*store)->ApplyEach(batches);
    if (!results[0].ok()) {
      std::fprintf(stderr, "%s\n", results[0].ToString().c_str());
      return 1;
    }
  }
  std::printf("populated %ld\n", count);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.size() == 3 && args[0] == "anchor-asio") {
      return AnchorAsio(static_cast<unsigned short>(std::stoi(args[1])), std::stoul(args[2]));
    }
    if (args.size() == 5 && args[0] == "anchor-beast-tls") {
      return AnchorBeastTls(static_cast<unsigned short>(std::stoi(args[1])), args[2], args[3],
                            std::stoul(args[4]));
    }
    if (args.size() == 3 && args[0] == "fsync") return Fsync(args[1], std::stod(args[2]));
    if (args.size() == 4 && args[0] == "sqlite-commit") {
      return SqliteCommit(args[1], std::stod(args[2]), std::stoi(args[3]));
    }
    if (args.size() == 6 && args[0] == "load") {
      return Load(args[1], args[2], args[3], std::stoi(args[4]), std::stod(args[5]));
    }
    if (args.size() == 5 && args[0] == "load") {
      return Load(args[1], args[2], "", std::stoi(args[3]), std::stod(args[4]));
    }
    if (args.size() == 5 && args[0] == "populate") {
      return Populate(args[1], std::stol(args[2]), std::stol(args[3]), args[4]);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "reprieve_bench: %s\n", e.what());
    return 1;
  }
  std::fprintf(stderr, "usage: see the comment at the top of bench/bench_tool.cc\n");
  return 2;
}
