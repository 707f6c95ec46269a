// TestServer in process, on loopback: keep-alive, pipelining, /health, the queue, scripted
// statuses, the drain. Each test starts its server on a free port and stops it before returning.
#include "tools/testserver/test_server.h"

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tools/testserver/blocking_http_client.h"

namespace ebb::testserver {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
constexpr milliseconds kTimeout{5000};

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

workload::ServiceTimeOptions Deterministic(double mean_s) {
  return {.kind = workload::ServiceTimeKind::kDeterministic, .mean_s = mean_s};
}

// A server running on its own thread; the destructor drains it.
class Running {
 public:
  explicit Running(const TestServerOptions& options) {
    auto created = TestServer::Create(options);
    EBB_CHECK(created.ok());
    server_ = std::move(created).value();
    thread_ = std::thread([this] { result_ = server_->Run(); });
  }
  ~Running() { (void)Stop(); }

  core::Status Stop() {
    if (thread_.joinable()) {
      server_->Shutdown();
      thread_.join();
    }
    return result_;
  }
  TestServer& server() { return *server_; }
  BlockingHttpClient Connect() {
    auto client = BlockingHttpClient::Connect("127.0.0.1", server_->port(), kTimeout);
    EBB_CHECK(client.ok());
    return std::move(client).value();
  }

 private:
  std::unique_ptr<TestServer> server_;
  std::thread thread_;
  core::Status result_;
};

TEST(TestServerTest, ServesKeepAliveRequestsAndHealth) {
  Running running({.service_time = Deterministic(0.01), .workers = 2});
  BlockingHttpClient client = running.Connect();
  for (int i = 1; i <= 3; ++i) {
    auto response = client.Get("/page?id=" + std::to_string(i), kTimeout);
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->Header("connection"), "keep-alive");
    EXPECT_EQ(response->Header("x-request-number"), std::to_string(i));
    EXPECT_EQ(response->Header("x-server"), running.server().endpoint());
    EXPECT_EQ(response->Header("x-service-time"), "0.010000");
    EXPECT_NE(response->body.find("GET /page?id=" + std::to_string(i)), std::string::npos)
        << response->body;
  }
  auto health = client.Get("/health", kTimeout);
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, "ok\n");

  ASSERT_TRUE(client.Send("HEAD / HTTP/1.1\r\n\r\n").ok());
  auto head = client.Read(kTimeout, /*head_request=*/true);
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
  EXPECT_NE(head->Header("content-length"), "0");
  auto after_head = client.Get("/", kTimeout);  // nothing of a HEAD body is left on the wire
  ASSERT_TRUE(after_head.ok()) << after_head.status().ToString();
  EXPECT_EQ(after_head->status, 200);

  ASSERT_TRUE(running.Stop().ok());
  EXPECT_EQ(running.server().counters().served, 5u);
  EXPECT_EQ(running.server().counters().health, 1u);
  EXPECT_EQ(running.server().counters().connections, 1u);
}

TEST(TestServerTest, AnswersPipelinedRequestsInOrder) {
  Running running({.service_time = Deterministic(0.01), .workers = 4});
  BlockingHttpClient client = running.Connect();
  ASSERT_TRUE(client
                  .Send(GetRequest("/a") + GetRequest("/health") + GetRequest("/c") +
                        GetRequest("/d", "Connection: close\r\n"))
                  .ok());
  for (const char* target : {"/a", "/health", "/c", "/d"}) {
    auto response = client.Read(kTimeout);
    ASSERT_TRUE(response.ok()) << target << ": " << response.status().ToString();
    EXPECT_EQ(response->status, 200);
    if (std::string(target) != "/health") {
      EXPECT_NE(response->body.find(std::string("GET ") + target + " "), std::string::npos)
          << response->body;
    }
  }
  EXPECT_TRUE(client.WaitForClose(kTimeout));  // after "Connection: close"
}

TEST(TestServerTest, HealthIsAnsweredAtOnceWhileEveryWorkerIsBusy) {
  Running running({.service_time = Deterministic(0.8), .workers = 1, .queue = 4});
  BlockingHttpClient busy = running.Connect();
  ASSERT_TRUE(busy.Send(GetRequest("/slow")).ok());
  std::this_thread::sleep_for(milliseconds(50));
  BlockingHttpClient checker = running.Connect();
  const Clock::time_point start = Clock::now();
  auto health = checker.Get("/health", kTimeout);
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->status, 200);
  EXPECT_LT(SecondsSince(start), 0.4);
  auto slow = busy.Read(kTimeout);
  ASSERT_TRUE(slow.ok());
  EXPECT_EQ(slow->status, 200);
}

TEST(TestServerTest, AFullQueueAnswers503AtOnce) {
  Running running({.service_time = Deterministic(0.4), .workers = 1, .queue = 1});
  BlockingHttpClient first = running.Connect();
  BlockingHttpClient second = running.Connect();
  BlockingHttpClient third = running.Connect();
  ASSERT_TRUE(first.Send(GetRequest("/1")).ok());
  std::this_thread::sleep_for(milliseconds(30));
  ASSERT_TRUE(second.Send(GetRequest("/2")).ok());
  std::this_thread::sleep_for(milliseconds(30));
  const Clock::time_point start = Clock::now();
  auto rejected = third.Get("/3", kTimeout);
  ASSERT_TRUE(rejected.ok());
  EXPECT_EQ(rejected->status, 503);
  EXPECT_LT(SecondsSince(start), 0.3);
  EXPECT_EQ(rejected->Header("connection"), "keep-alive");
  auto served = first.Read(kTimeout);
  ASSERT_TRUE(served.ok());
  EXPECT_EQ(served->status, 200);
  auto queued = second.Read(kTimeout);
  ASSERT_TRUE(queued.ok());
  EXPECT_EQ(queued->status, 200);
  EXPECT_GT(std::stod(queued->Header("x-queue-time")), 0.3);
  ASSERT_TRUE(running.Stop().ok());
  EXPECT_EQ(running.server().counters().rejected, 1u);
  EXPECT_EQ(running.server().counters().served, 2u);
  EXPECT_EQ(running.server().counters().max_queued, 1u);
}

TEST(TestServerTest, StatusAfterFailsTheScriptedRequests) {
  TestServerOptions options{.service_time = Deterministic(0.001)};
  options.status_after = {*ParseStatusAfter("2:500:app")};
  Running running(options);
  BlockingHttpClient client = running.Connect();
  for (int expected : {200, 200, 500, 500}) {
    auto response = client.Get("/", kTimeout);
    ASSERT_TRUE(response.ok());
    EXPECT_EQ(response->status, expected);
  }
  auto health = client.Get("/health", kTimeout);
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->status, 200);
  ASSERT_TRUE(running.Stop().ok());
  EXPECT_EQ(running.server().counters().scripted, 2u);
}

TEST(TestServerTest, MalformedRequestIsAnsweredThenClosed) {
  Running running({.service_time = Deterministic(0.001)});
  BlockingHttpClient client = running.Connect();
  ASSERT_TRUE(client.Send("NOT A REQUEST\r\n\r\n").ok());
  auto response = client.Read(kTimeout);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_TRUE(client.WaitForClose(kTimeout));
}

TEST(TestServerTest, CapacityIsKOverTheMeanInCpuMode) {
  Running running({.service_time = Deterministic(0.15), .workers = 2, .mode = WorkMode::kCpu});
  std::vector<BlockingHttpClient> clients;
  for (int i = 0; i < 4; ++i) clients.push_back(running.Connect());
  const Clock::time_point start = Clock::now();
  for (auto& client : clients) ASSERT_TRUE(client.Send(GetRequest("/")).ok());
  for (auto& client : clients) {
    auto response = client.Read(kTimeout);
    ASSERT_TRUE(response.ok());
    EXPECT_EQ(response->status, 200);
  }
  const double elapsed = SecondsSince(start);
  EXPECT_GE(elapsed, 0.29);  // two rounds of 0.15 s on two workers
  EXPECT_LT(elapsed, 0.9);
}

TEST(TestServerTest, ShutdownFinishesQueuedRequestsAndClosesIdleConnections) {
  Running running({.service_time = Deterministic(0.2), .workers = 1, .queue = 4});
  BlockingHttpClient idle = running.Connect();
  std::vector<BlockingHttpClient> clients;
  for (int i = 0; i < 3; ++i) clients.push_back(running.Connect());
  for (auto& client : clients) ASSERT_TRUE(client.Send(GetRequest("/")).ok());
  std::this_thread::sleep_for(milliseconds(50));
  running.server().Shutdown();
  EXPECT_TRUE(idle.WaitForClose(kTimeout));
  for (auto& client : clients) {
    auto response = client.Read(kTimeout);
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->Header("connection"), "close");
  }
  const core::Status result = running.Stop();
  EXPECT_TRUE(result.ok()) << result.ToString();
  EXPECT_EQ(running.server().counters().served, 3u);
  EXPECT_EQ(running.server().counters().abandoned, 0u);
}

TEST(TestServerTest, TheGracePeriodBoundsTheDrain) {
  Running running({.service_time = Deterministic(5), .workers = 1, .grace_s = 0.2});
  BlockingHttpClient client = running.Connect();
  ASSERT_TRUE(client.Send(GetRequest("/")).ok());
  std::this_thread::sleep_for(milliseconds(50));
  const Clock::time_point start = Clock::now();
  const core::Status result = running.Stop();
  EXPECT_EQ(result.code(), core::StatusCode::kDeadlineExceeded) << result.ToString();
  EXPECT_LT(SecondsSince(start), 2.0);
  EXPECT_EQ(running.server().counters().abandoned, 1u);
}

TEST(TestServerTest, CreateReportsBadAddressesAndBusyPorts) {
  auto bad = TestServer::Create({.bind = "localhost"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), core::StatusCode::kInvalidArgument);
  Running running({});
  auto busy = TestServer::Create({.port = running.server().port()});
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.status().code(), core::StatusCode::kUnavailable);
  EXPECT_NE(busy.status().message().find(running.server().endpoint()), std::string::npos)
      << busy.status().message();
}

}  // namespace
}  // namespace ebb::testserver
