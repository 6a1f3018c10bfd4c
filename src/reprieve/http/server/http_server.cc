#include "reprieve/http/server/http_server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "reprieve/base/log.h"
#include "reprieve/base/strings.h"

namespace reprieve::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;

HttpRequest ToRequest(const bhttp::request<bhttp::string_body>& in, bool secure,
                      bool from_loopback, std::chrono::steady_clock::time_point received) {
  HttpRequest out;
  out.received = received;
  out.method = std::string(in.method_string());
  out.target = std::string(in.target());
  out.headers.reserve(16);
  for (const auto& field : in) {
    out.headers.emplace_back(AsciiLower(field.name_string()), std::string(field.value()));
  }
  out.body = in.body();
  out.secure = secure;
  out.from_loopback = from_loopback;
  return out;
}

// The response on the wire: status line, headers and body in one buffer, so that a response
// leaves in one write (one TLS record for small bodies). Header values come from the handler;
// the ones echoed from a request were checked by the request parser (no CR or LF).
std::string Serialize(HttpResponse in, unsigned version, bool keep_alive, bool head) {
  const bool has_length = in.status != 204 && in.status != 304 && in.status >= 200;
  std::string out;
  out.reserve(256 + in.headers.size() * 48 + (head ? 0 : in.body.size()));
  out += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  out += std::to_string(in.status);
  out += ' ';
  out += bhttp::obsolete_reason(static_cast<bhttp::status>(in.status));
  out += "\r\nServer: reprieved\r\n";
  for (const auto& [name, value] : in.headers) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  if (!keep_alive && version >= 11) out += "Connection: close\r\n";
  if (keep_alive && version == 10) out += "Connection: keep-alive\r\n";
  if (has_length) {
    out += "Content-Length: ";
    out += std::to_string(in.body.size());
    out += "\r\n";
  }
  out += "\r\n";
  if (!head && has_length) out += in.body;
  return out;
}

// How long a drain keeps an idle connection open for a request already on its way.
constexpr std::chrono::milliseconds kDrainLinger{250};

class BeastServer final : public HttpServer {
 public:
  explicit BeastServer(HttpServerOptions options)
      : options_(std::move(options)),
        telemetry_(core::TelemetryOrNone(options_.telemetry)),
        contexts_(MakeContexts(options_.io_threads)),
        tls_(ssl::context::tls_server),
        acceptor_(*contexts_.front()),
        workers_(static_cast<size_t>(options_.worker_threads)) {}

  ~BeastServer() override { Stop(); }

  Status Listen() {
    try {
      if (options_.tls) {
        tls_.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                         ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
        tls_.use_certificate_chain_file(options_.cert_file);
        tls_.use_private_key_file(options_.key_file, ssl::context::pem);
      }
      const tcp::endpoint endpoint(asio::ip::make_address(options_.host), options_.port);
      acceptor_.open(endpoint.protocol());
      acceptor_.set_option(asio::socket_base::reuse_address(true));
      acceptor_.bind(endpoint);
      acceptor_.listen(asio::socket_base::max_listen_connections);
      port_ = acceptor_.local_endpoint().port();
    } catch (const std::exception& e) {
      return UnavailableError("cannot serve on " + options_.host + ":" +
                              std::to_string(options_.port) + ": " + e.what());
    }
    asio::co_spawn(*contexts_.front(), Accept(), asio::detached);
    for (auto& context : contexts_) {
      // A context without connections yet has no work: keep its thread in run() until Stop().
      threads_.emplace_back([&io = *context] {
        auto work = asio::make_work_guard(io);
        io.run();
      });
    }
    return OkStatus();
  }

  uint16_t port() const override { return port_; }

  bool Drain(std::chrono::milliseconds grace) override {
    const auto deadline = std::chrono::steady_clock::now() + grace;
    linger_ = std::min(kDrainLinger, grace / 2);
    draining_.store(true);
    // The acceptor lives on the first context: cancel its wait there, so that Accept()
    // takes what is queued and closes it.
    asio::post(*contexts_.front(), [this] {
      boost::system::error_code ec;
      acceptor_.cancel(ec);
    });
    bool drained;
    {
      std::unique_lock lock(connections_mu_);
      for (Connection* connection : idle_) {
        // Runs on the connection's own thread; wakes it only if it is still idle there (a
        // connection leaves idle_ on that thread before it can end).
        asio::post(connection->executor, [this, connection] {
          std::lock_guard idle_lock(connections_mu_);
          if (idle_.count(connection) != 0) connection->wake();
        });
      }
      drained = connections_cv_.wait_until(lock, deadline, [this] {
        return open_connections_ == 0 && !accepting_;
      });
    }
    Stop();
    return drained;
  }

  void Stop() override {
    if (stopped_.exchange(true)) return;
    for (auto& context : contexts_) context->stop();
    for (auto& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
    workers_.join();
  }

 private:
  // One io_context per I/O thread: a connection lives on one thread, so its coroutine needs
  // no strand, and the threads share nothing but the acceptor's round-robin.
  static std::vector<std::unique_ptr<asio::io_context>> MakeContexts(int threads) {
    std::vector<std::unique_ptr<asio::io_context>> contexts;
    for (int i = 0; i < std::max(threads, 1); ++i) {
      contexts.push_back(std::make_unique<asio::io_context>(1));
    }
    return contexts;
  }

  awaitable<void> Accept() {
    size_t next = 0;
    for (;; ++next) {
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor_.async_accept(*contexts_[next % contexts_.size()],
                                                           asio::redirect_error(use_awaitable, ec));
      if (ec) {
        if (ec == asio::error::operation_aborted) break;
        continue;  // e.g. EMFILE: keep serving the connections we have
      }
      Spawn(std::move(socket));
    }
    if (!draining_.load()) co_return;  // Stop(): nothing is served any more
    // Draining: serve the connections the kernel already completed, then stop listening.
    boost::system::error_code ec;
    acceptor_.non_blocking(true, ec);
    while (!ec) {
      tcp::socket socket(*contexts_[next++ % contexts_.size()]);
      acceptor_.accept(socket, ec);
      if (!ec) Spawn(std::move(socket));
    }
    acceptor_.close(ec);
    std::lock_guard lock(connections_mu_);
    accepting_ = false;
    connections_cv_.notify_all();
  }

  void Spawn(tcp::socket socket) {
    boost::system::error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    auto executor = socket.get_executor();
    {
      std::lock_guard lock(connections_mu_);
      ++open_connections_;
    }
    if (options_.tls) {
      asio::co_spawn(executor, ServeTls(beast::tcp_stream(std::move(socket))), asio::detached);
    } else {
      asio::co_spawn(executor, Serve(beast::tcp_stream(std::move(socket)), false),
                     asio::detached);
    }
  }

  // Counts a connection closed (its coroutine frame ends, also when Stop() destroys it).
  struct Closing {
    explicit Closing(BeastServer* owner) : server(owner) {}
    Closing(const Closing&) = delete;
    Closing& operator=(const Closing&) = delete;
    BeastServer* server;
    ~Closing() {
      std::lock_guard lock(server->connections_mu_);
      --server->open_connections_;
      server->connections_cv_.notify_all();
    }
  };

  awaitable<void> ServeTls(beast::tcp_stream tcp_stream) {
    Closing closing(this);
    beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp_stream), tls_);
    boost::system::error_code ec;
    beast::get_lowest_layer(stream).expires_after(options_.read_timeout);
    co_await stream.async_handshake(ssl::stream_base::server,
                                    asio::redirect_error(use_awaitable, ec));
    telemetry_.TlsHandshake(!ec);
    if (ec) co_return;
    co_await Serve(std::move(stream), true, /*counted=*/true);
  }

  template <typename Stream>
  awaitable<void> Serve(Stream stream, bool secure, bool counted = false) {
    std::optional<Closing> closing;
    if (!counted) closing.emplace(this);
    try {
      co_await ServeRequests(stream, secure);
    } catch (const std::exception& e) {
      LogWarning(std::string("connection closed after an error: ") + e.what());
    }
    boost::system::error_code ec;
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    } else {
      beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
      co_await stream.async_shutdown(asio::redirect_error(use_awaitable, ec));
    }
  }

  template <typename Stream>
  awaitable<void> ServeRequests(Stream& stream, bool secure) {
    beast::flat_buffer buffer;
    boost::system::error_code peer_ec;
    const auto peer = beast::get_lowest_layer(stream).socket().remote_endpoint(peer_ec);
    const auto address = peer.address();
    const bool from_loopback =
        !peer_ec && (address.is_loopback() ||
                     (address.is_v6() && address.to_v6().is_v4_mapped() &&
                      address.to_v6().to_v4().is_loopback()));
    // While the connection waits for its next request, a drain may cut the wait short.
    // (A new expiry does not apply to a read already waiting, so the drain cancels the wait
    // and the loop below waits again, for the linger only.)
    Connection self{co_await asio::this_coro::executor,
                    [&stream] { beast::get_lowest_layer(stream).cancel(); }};
    while (true) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.body_limit(options_.max_body_bytes);
      parser.header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
      boost::system::error_code ec;
      // An idle keep-alive connection may wait longer for its next request than a request
      // may take to arrive once its first byte is in: wait for that byte first.
      if (buffer.size() == 0) {
        size_t n = 0;
        for (bool lingering = false;; lingering = true) {
          Idle idle(*this, self);
          const bool draining = draining_.load();
          beast::get_lowest_layer(stream).expires_after(draining ? linger_
                                                                 : options_.idle_timeout);
          n = co_await stream.async_read_some(buffer.prepare(16 * 1024),
                                              asio::redirect_error(use_awaitable, ec));
          if (ec != asio::error::operation_aborted || lingering || !draining_.load()) break;
          ec = {};  // woken by the drain: wait once more, for the linger
        }
        buffer.commit(n);
        if (ec) co_return;
      }
      const auto received = std::chrono::steady_clock::now();
      beast::get_lowest_layer(stream).expires_after(options_.read_timeout);
      co_await bhttp::async_read_header(stream, buffer, parser,
                                        asio::redirect_error(use_awaitable, ec));
      if (!ec) {
        co_await bhttp::async_read(stream, buffer, parser,
                                   asio::redirect_error(use_awaitable, ec));
      }
      if (ec) {
        if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
            ec == asio::error::eof || ec == asio::error::connection_reset ||
            ec == asio::ssl::error::stream_truncated) {
          co_return;
        }
        co_await Reject(stream, ec);
        co_return;
      }
      bhttp::request<bhttp::string_body> request = parser.release();
      const bool head = request.method() == bhttp::verb::head;
      const unsigned version = request.version();
      HttpRequest ours = ToRequest(request, secure, from_loopback, received);
      HttpResponse response;
      if (options_.runs_inline && options_.runs_inline(ours)) {
        response = options_.handler(ours);
      } else {
        response = co_await asio::co_spawn(
            workers_,
            [this, &ours]() -> awaitable<HttpResponse> { co_return options_.handler(ours); },
            use_awaitable);
      }
      // Decided once the answer is ready: a drain that began meanwhile closes after it.
      const bool keep_alive = request.keep_alive() && !draining_.load();
      const std::string wire = Serialize(std::move(response), version, keep_alive, head);
      beast::get_lowest_layer(stream).expires_after(options_.read_timeout);
      co_await asio::async_write(stream, asio::buffer(wire),
                                 asio::redirect_error(use_awaitable, ec));
      if (ec || !keep_alive) co_return;
    }
  }

  template <typename Stream>
  awaitable<void> Reject(Stream& stream, const boost::system::error_code& ec) {
    Status status;
    if (ec == bhttp::error::body_limit) {
      status = InvalidArgumentError("The request body exceeds the limit of " +
                                    std::to_string(options_.max_body_bytes) + " bytes.")
                   .WithArmCode("RequestEntityTooLarge");
    } else if (ec == bhttp::error::header_limit) {
      status = InvalidArgumentError("The request headers exceed the limit of " +
                                    std::to_string(options_.max_header_bytes) + " bytes.")
                   .WithArmCode("RequestHeaderFieldsTooLarge");
    } else {
      status = InvalidArgumentError("The request is not valid HTTP/1.1: " + ec.message() + ".")
                   .WithArmCode("InvalidRequest");
    }
    const std::string wire =
        Serialize(options_.reject(status), 11, /*keep_alive=*/false, /*head=*/false);
    boost::system::error_code write_ec;
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
    co_await asio::async_write(stream, asio::buffer(wire),
                               asio::redirect_error(use_awaitable, write_ec));
    if (write_ec) co_return;
    // A client still sending (an oversize body) would get a reset if we closed with unread
    // input, and could lose the answer: half-close, then read and drop what is in flight,
    // bounded in time and size.
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      stream.socket().shutdown(tcp::socket::shutdown_send, write_ec);
    }
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
    std::array<char, 64 * 1024> sink;
    for (size_t drained = 0; drained < 64u * 1024 * 1024;) {
      boost::system::error_code read_ec;
      drained += co_await stream.async_read_some(asio::buffer(sink),
                                                 asio::redirect_error(use_awaitable, read_ec));
      if (read_ec) break;
    }
  }

  // A connection as a drain sees it: where it runs, and how to cut its idle wait short.
  struct Connection {
    asio::any_io_executor executor;
    std::function<void()> wake;
  };
  // Marks a connection idle (waiting for its next request) for its scope.
  class Idle {
   public:
    Idle(BeastServer& server, Connection& connection) : server_(server), connection_(connection) {
      std::lock_guard lock(server_.connections_mu_);
      server_.idle_.insert(&connection_);
    }
    ~Idle() {
      std::lock_guard lock(server_.connections_mu_);
      server_.idle_.erase(&connection_);
    }
    Idle(const Idle&) = delete;
    Idle& operator=(const Idle&) = delete;

   private:
    BeastServer& server_;
    Connection& connection_;
  };

  HttpServerOptions options_;
  core::Telemetry& telemetry_;
  // Declared before the contexts: destroying them ends the coroutines, which update these.
  std::mutex connections_mu_;
  std::condition_variable connections_cv_;
  int open_connections_ = 0;                   // guarded by connections_mu_
  bool accepting_ = true;                      // guarded by connections_mu_
  std::unordered_set<Connection*> idle_;       // guarded by connections_mu_
  std::atomic<bool> draining_{false};
  std::chrono::milliseconds linger_{kDrainLinger};  // set before draining_ turns true
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  ssl::context tls_;
  tcp::acceptor acceptor_;
  asio::thread_pool workers_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
  std::atomic<bool> stopped_{false};
};

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Start(HttpServerOptions options) {
  auto server = std::make_unique<BeastServer>(std::move(options));
  if (Status listening = server->Listen(); !listening.ok()) return listening;
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace reprieve::http
