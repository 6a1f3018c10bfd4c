// The HTTP binding over a real loopback socket: keep-alive, HEAD, and requests refused
// before they reach the handler (too large, malformed) answered with ARM errors.
#include "reprieve/http/server/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <future>
#include <string>
#include <thread>

#include "reprieve/http/arm_error.h"
#include "testutil/testutil.h"

namespace reprieve::http {
namespace {

class HttpServerTest : public ::testing::Test {
 protected:
  explicit HttpServerTest(int io_threads = 1) : io_threads_(io_threads) {}

  void SetUp() override {
    HttpServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.tls = false;
    options.io_threads = io_threads_;
    options.worker_threads = 2;
    options.max_body_bytes = 1024;
    options.max_header_bytes = 2048;
    options.handler = [this](const HttpRequest& request) {
      ++handled_;
      if (request.target == "/slow") {
        entered_.set_value();
        release_.get_future().wait();
      }
      HttpResponse response;
      response.status = 200;
      response.body = request.method + " " + request.target + " " + request.body;
      response.SetHeader("Content-Type", "text/plain");
      return response;
    };
    // GETs answer on the I/O thread, everything else on the worker pool.
    options.runs_inline = [](const HttpRequest& request) { return request.method == "GET"; };
    options.reject = [](const Status& status) {
      HttpResponse response;
      response.status = MapStatus(status).http_status;
      response.body = ArmErrorBody(status, "test");
      return response;
    };
    auto server = HttpServer::Start(options);
    ASSERT_OK(server);
    server_ = std::move(server).value();
  }
  void TearDown() override { server_->Stop(); }

  // A socket connect()ed to the server; `result` gets connect's return value.
  int TryConnect(int& result) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(server_->port());
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    result = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    return fd;
  }

  int Connect() {
    int result = 0;
    const int fd = TryConnect(result);
    EXPECT_EQ(result, 0);
    timeval timeout{10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    return fd;
  }

  static void Send(int fd, const std::string& data) {
    ASSERT_EQ(send(fd, data.data(), data.size(), MSG_NOSIGNAL), static_cast<ssize_t>(data.size()));
  }

  // Reads one response (headers + Content-Length body).
  static std::string ReadResponse(int fd) {
    std::string data;
    char buffer[4096];
    while (true) {
      const size_t header_end = data.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        size_t length = 0;
        const size_t at = data.find("Content-Length: ");
        if (at != std::string::npos && at < header_end) length = std::stoul(data.substr(at + 16));
        if (data.size() >= header_end + 4 + length) return data.substr(0, header_end + 4 + length);
      }
      const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
      if (n <= 0) return data;
      data.append(buffer, static_cast<size_t>(n));
    }
  }

  const int io_threads_;
  std::unique_ptr<HttpServer> server_;
  std::atomic<int> handled_{0};
  std::promise<void> entered_;  // "/slow" has begun
  std::promise<void> release_;  // "/slow" may answer
};

class HttpServerTwoThreadsTest : public HttpServerTest {
 protected:
  HttpServerTwoThreadsTest() : HttpServerTest(2) {}
};

TEST_F(HttpServerTest, ServesSeveralRequestsOnOneKeptAliveConnection) {
  const int fd = Connect();
  Send(fd, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(ReadResponse(fd).find("GET /a"), std::string::npos);
  Send(fd, "PUT /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
  const std::string second = ReadResponse(fd);
  EXPECT_NE(second.find("HTTP/1.1 200"), std::string::npos);
  EXPECT_NE(second.find("PUT /b hello"), std::string::npos);
  close(fd);
  EXPECT_EQ(handled_, 2);
}

TEST_F(HttpServerTest, HeadAnswersWithoutABody) {
  const int fd = Connect();
  Send(fd, "HEAD /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string head = ReadResponse(fd);
  EXPECT_NE(head.find("HTTP/1.1 200"), std::string::npos);
  // The next response follows directly: no body bytes were sent for HEAD.
  const std::string rest = head.substr(head.find("\r\n\r\n") + 4);
  EXPECT_TRUE(rest.empty() || rest.rfind("HTTP/1.1", 0) == 0) << rest;
  close(fd);
}

TEST_F(HttpServerTest, RefusesOversizeBodiesWith413AndAnArmError) {
  const int fd = Connect();
  Send(fd, "PUT /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + std::string(100, 'x'));
  const std::string response = ReadResponse(fd);
  EXPECT_NE(response.find("HTTP/1.1 413"), std::string::npos) << response;
  EXPECT_NE(response.find("\"code\":\"RequestEntityTooLarge\""), std::string::npos);
  close(fd);
  EXPECT_EQ(handled_, 0);
}

TEST_F(HttpServerTest, RefusesOversizeHeadersWith431) {
  const int fd = Connect();
  Send(fd, "GET /a HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4000, 'y') + "\r\n\r\n");
  const std::string response = ReadResponse(fd);
  EXPECT_NE(response.find("HTTP/1.1 431"), std::string::npos) << response;
  EXPECT_NE(response.find("RequestHeaderFieldsTooLarge"), std::string::npos);
  close(fd);
}

TEST_F(HttpServerTest, RefusesMalformedRequestsWith400) {
  const int fd = Connect();
  Send(fd, "THIS IS NOT HTTP\r\n\r\n");
  const std::string response = ReadResponse(fd);
  EXPECT_NE(response.find("HTTP/1.1 400"), std::string::npos) << response;
  EXPECT_NE(response.find("InvalidRequest"), std::string::npos);
  close(fd);
  // The server keeps serving others.
  const int other = Connect();
  Send(other, "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(ReadResponse(other).find("GET /ok"), std::string::npos);
  close(other);
}

TEST_F(HttpServerTest, ClosesWhenTheClientAsksTo) {
  const int fd = Connect();
  Send(fd, "GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(ReadResponse(fd).find("GET /a"), std::string::npos);
  char byte;
  EXPECT_EQ(recv(fd, &byte, 1, 0), 0);  // orderly close
  close(fd);
}

TEST_F(HttpServerTest, AnswersHttp10AndClosesUnlessAskedToKeepAlive) {
  const int fd = Connect();
  Send(fd, "GET /a HTTP/1.0\r\n\r\n");
  const std::string response = ReadResponse(fd);
  EXPECT_EQ(response.rfind("HTTP/1.0 200 OK\r\n", 0), 0u) << response;
  EXPECT_NE(response.find("Content-Length: 7\r\n"), std::string::npos) << response;
  char byte;
  EXPECT_EQ(recv(fd, &byte, 1, 0), 0);
  close(fd);
}

// Connections are spread over the I/O threads; each thread serves its own, inline and
// through the worker pool alike.
TEST_F(HttpServerTwoThreadsTest, ServesConnectionsOnEveryIoThread) {
  int fds[4];
  for (int& fd : fds) fd = Connect();
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 4; ++i) {
      Send(fds[i], "GET /g" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n");
      EXPECT_NE(ReadResponse(fds[i]).find("GET /g" + std::to_string(i)), std::string::npos);
      Send(fds[i], "PUT /p HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n" +
                       std::to_string(i));
      EXPECT_NE(ReadResponse(fds[i]).find("PUT /p " + std::to_string(i)), std::string::npos);
    }
  }
  for (int fd : fds) close(fd);
  EXPECT_EQ(handled_, 16);
}

// A rolling restart: the request in flight gets its answer, an idle kept-alive connection is
// closed, and once drained nothing more is accepted.
TEST_F(HttpServerTest, DrainAnswersTheRequestInFlightAndClosesIdleConnections) {
  const int busy = Connect();
  const int idle = Connect();
  Send(idle, "GET /warm HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(ReadResponse(idle).find("HTTP/1.1 200"), std::string::npos);
  Send(busy, "PUT /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx");
  entered_.get_future().wait();

  std::atomic<bool> drained{false};
  std::thread drainer([&] { drained = server_->Drain(std::chrono::seconds(30)); });
  // The idle connection is closed (recv sees the end) while the slow request still runs.
  EXPECT_EQ(ReadResponse(idle), "");
  release_.set_value();
  const std::string answer = ReadResponse(busy);
  EXPECT_NE(answer.find("HTTP/1.1 200"), std::string::npos) << answer;
  EXPECT_NE(answer.find("PUT /slow x"), std::string::npos);
  EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
  drainer.join();
  EXPECT_TRUE(drained);
  close(busy);
  close(idle);

  int refused = 0;
  const int late = TryConnect(refused);
  EXPECT_NE(refused, 0);
  EXPECT_EQ(errno, ECONNREFUSED);
  close(late);
}

}  // namespace
}  // namespace reprieve::http
