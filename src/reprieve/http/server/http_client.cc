#include "reprieve/http/server/http_client.h"

#include <memory>
#include <optional>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url.hpp>

#include "reprieve/base/strings.h"

namespace reprieve::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

OutboundResponse Failure(const std::string& what, const beast::error_code& ec) {
  OutboundResponse response;
  response.error = what + ": " + ec.message();
  return response;
}

// Runs one exchange over `stream` (a beast::tcp_stream or an ssl_stream over one).
template <typename Stream>
OutboundResponse Exchange(asio::io_context& ioc, Stream& stream,
                          bhttp::request<bhttp::string_body>& request, size_t max_body) {
  beast::error_code ec;
  bhttp::async_write(stream, request, [&](beast::error_code e, size_t) { ec = e; });
  ioc.run();
  ioc.restart();
  if (ec) return Failure("sending the request", ec);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(max_body);
  bhttp::async_read(stream, buffer, parser, [&](beast::error_code e, size_t) { ec = e; });
  ioc.run();
  ioc.restart();
  if (ec) return Failure("reading the answer", ec);
  OutboundResponse response;
  response.status = static_cast<int>(parser.get().result_int());
  response.body = parser.get().body();
  for (const auto& field : parser.get()) {
    response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  return response;
}

}  // namespace

std::string OutboundResponse::Header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

OutboundResponse HttpClient::Send(const OutboundRequest& request) const {
  auto url = boost::urls::parse_absolute_uri(request.url);
  OutboundResponse bad;
  if (!url.has_value()) {
    bad.error = "not an absolute URL";
    return bad;
  }
  const bool tls = url->scheme_id() == boost::urls::scheme::https;
  if (!tls && url->scheme_id() != boost::urls::scheme::http) {
    bad.error = "not an http or https URL";
    return bad;
  }
  const std::string host = url->host_address();
  const std::string port = url->has_port() ? std::string(url->port()) : (tls ? "443" : "80");
  std::string target = std::string(url->encoded_path());
  if (target.empty()) target = "/";
  if (url->has_query()) target += "?" + std::string(url->encoded_query());

  bhttp::request<bhttp::string_body> message{bhttp::string_to_verb(request.method), target, 11};
  message.set(bhttp::field::host, std::string(url->encoded_host_and_port()));
  message.set(bhttp::field::user_agent, request.user_agent);
  for (const auto& [name, value] : request.headers) message.set(name, value);
  message.body() = request.body;
  message.prepare_payload();

  asio::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::error_code ec;
  const auto endpoints = resolver.resolve(host, port, ec);
  if (ec) return Failure("resolving " + host, ec);
  beast::tcp_stream tcp_stream(ioc);
  tcp_stream.expires_after(request.timeout);
  tcp_stream.async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
  ioc.run();
  ioc.restart();
  if (ec) return Failure("connecting to " + host + ":" + port, ec);
  if (!tls) return Exchange(ioc, tcp_stream, message, request.max_body);

  ssl::context context(ssl::context::tls_client);
  context.set_options(ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  context.set_default_verify_paths(ec);
  if (!ca_file_.empty()) context.load_verify_file(ca_file_, ec);
  context.set_verify_mode(ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp_stream), context);
  if (!SSL_set_tlsext_host_name(stream.native_handle(), host.c_str())) {
    bad.error = "setting the TLS server name failed";
    return bad;
  }
  stream.set_verify_callback(ssl::host_name_verification(host));
  stream.async_handshake(ssl::stream_base::client, [&](beast::error_code e) { ec = e; });
  ioc.run();
  ioc.restart();
  if (ec) return Failure("TLS handshake with " + host, ec);
  OutboundResponse response = Exchange(ioc, stream, message, request.max_body);
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(1));
  stream.async_shutdown([](beast::error_code) {});
  ioc.run();
  return response;
}

}  // namespace reprieve::http
