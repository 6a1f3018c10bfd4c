// HttpServer: binds a request handler to the network with Boost.Beast on Asio: HTTPS
// (TLS 1.2+) or plain HTTP, HTTP/1.1 keep-alive, bounded header and body sizes, and timeouts
// against slow or idle peers. The only code that includes the HTTP library.
//
// Requests that may block (durable writes) run on a worker pool so that the I/O threads
// keep serving; `runs_inline` picks the ones cheap enough to answer on an I/O thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "reprieve/base/result.h"
#include "reprieve/base/status.h"
#include "reprieve/core/ports/telemetry.h"
#include "reprieve/http/http_message.h"

namespace reprieve::http {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8443;           // 0: pick a free port (see HttpServer::port())
  bool tls = true;
  std::string cert_file;          // PEM chain; required with tls
  std::string key_file;           // PEM private key; required with tls
  int io_threads = 2;
  int worker_threads = 64;        // bounds concurrent blocking requests (and group commits)
  size_t max_body_bytes = 8 * 1024 * 1024;  // ARM's request limit
  size_t max_header_bytes = 16 * 1024;
  std::chrono::seconds read_timeout{30};    // per request, from its first byte to its last
  std::chrono::seconds idle_timeout{120};   // between requests on a kept-alive connection

  std::function<HttpResponse(const HttpRequest&)> handler;
  std::function<bool(const HttpRequest&)> runs_inline;  // may be empty: nothing inline
  // Answers requests refused before they reach the handler (too large, malformed).
  std::function<HttpResponse(const Status&)> reject;
  // Hears of TLS handshakes. Not owned; null: none.
  core::Telemetry* telemetry = nullptr;
};

class HttpServer {
 public:
  // Binds and starts serving. kUnavailable if the address cannot be bound or the
  // certificate / key cannot be loaded.
  static Result<std::unique_ptr<HttpServer>> Start(HttpServerOptions options);

  virtual ~HttpServer() = default;
  // The bound port (useful with port 0).
  virtual uint16_t port() const = 0;
  // Stops accepting, closes connections and joins the threads. Idempotent.
  virtual void Stop() = 0;

  // A graceful stop: stops accepting (the connections the kernel had already queued are
  // taken and served), lets every request in flight finish and answers it with
  // "Connection: close", closes idle connections (one that sends a request within a short
  // linger still gets its answer), then Stop(). Waits at most `grace`; returns false if
  // connections were still open then (they are closed by Stop()). Call it once, from any
  // thread but an I/O thread.
  virtual bool Drain(std::chrono::milliseconds grace) = 0;
};

}  // namespace reprieve::http
