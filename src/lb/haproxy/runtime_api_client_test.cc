// The Runtime API client: address forms, a real haproxy over its UNIX socket, and a scripted TCP
// peer for what haproxy will not do on request (stay silent, answer too much, IPv6).
#include "lb/haproxy/runtime_api_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "lb/haproxy/runtime_api_errors.h"
#include "testing/haproxy_process.h"

namespace ebb::lb::haproxy {
namespace {

using std::chrono::milliseconds;

// Accepts one connection on loopback, reads the command line, then answers `reply` and closes,
// or with `silent`, holds the connection until the test ends.
class ScriptedPeer {
 public:
  ScriptedPeer(int family, std::string reply, bool silent = false)
      : reply_(std::move(reply)), silent_(silent) {
    fd_ = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_storage address{};
    socklen_t length = 0;
    if (family == AF_INET6) {
      auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
      v6->sin6_family = AF_INET6;
      v6->sin6_addr = in6addr_loopback;
      length = sizeof(sockaddr_in6);
    } else {
      auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
      v4->sin_family = AF_INET;
      v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      length = sizeof(sockaddr_in);
    }
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(fd_, 4) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      return;
    }
    port_ = ntohs(family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&address)->sin6_port
                                     : reinterpret_cast<sockaddr_in*>(&address)->sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~ScriptedPeer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) ::close(fd_);
  }
  std::uint16_t port() const { return port_; }
  const std::string& received() const { return received_; }

 private:
  void Serve() {
    pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
    if (::poll(&p, 1, 10000) <= 0) return;
    const int connection = ::accept(fd_, nullptr, nullptr);
    if (connection < 0) return;
    char chunk[256];
    while (received_.find('\n') == std::string::npos) {
      const ssize_t n = ::read(connection, chunk, sizeof(chunk));
      if (n <= 0) break;
      received_.append(chunk, static_cast<std::size_t>(n));
    }
    if (!silent_) {
      std::size_t sent = 0;
      while (sent < reply_.size()) {
        const ssize_t n =
            ::send(connection, reply_.data() + sent, reply_.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
      }
    } else {
      while (!stop_) std::this_thread::sleep_for(milliseconds(10));
    }
    ::close(connection);
  }

  std::string reply_;
  bool silent_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::string received_;
  std::thread thread_;
};

TEST(RuntimeApiClientTest, AddressForms) {
  EXPECT_TRUE(RuntimeApiClient::Create("/run/haproxy/admin.sock").ok());
  EXPECT_TRUE(RuntimeApiClient::Create("admin.sock").ok());
  EXPECT_TRUE(RuntimeApiClient::Create("127.0.0.1:9999").ok());
  EXPECT_TRUE(RuntimeApiClient::Create("[::1]:9999").ok());
  for (const char* bad : {"", "localhost:9999", "[::1]:0", "10.0.0.1:70000"}) {
    EXPECT_EQ(RuntimeApiClient::Create(bad).status().code(), core::StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_FALSE(RuntimeApiClient::Create("/" + std::string(200, 'a')).ok());
}

TEST(RuntimeApiClientTest, MissingSocketAndRefusedPortAreUnavailableNamingTheAddress) {
  auto missing = RuntimeApiClient::Create("/nonexistent/ebb/admin.sock");
  ASSERT_TRUE(missing.ok());
  auto reply = missing->Execute("show info");
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), core::StatusCode::kUnavailable);
  EXPECT_NE(reply.status().message().find("/nonexistent/ebb/admin.sock"), std::string::npos);

  const std::uint16_t closed = ebb::testing::HaproxyProcess::FreeLoopbackPort();
  auto refused = RuntimeApiClient::Create("127.0.0.1:" + std::to_string(closed));
  ASSERT_TRUE(refused.ok());
  reply = refused->Execute("show info");
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), core::StatusCode::kUnavailable);
  EXPECT_NE(reply.status().message().find("127.0.0.1:" + std::to_string(closed)),
            std::string::npos);
  EXPECT_FALSE(refused->Execute("two\nlines").ok());
}

TEST(RuntimeApiClientTest, TcpPeersOverIpv4AndIpv6) {
  ScriptedPeer v4(AF_INET, "Name: HAProxy\nVersion: 9\n\n");
  ASSERT_NE(v4.port(), 0);
  auto client = RuntimeApiClient::Create("127.0.0.1:" + std::to_string(v4.port()));
  ASSERT_TRUE(client.ok());
  auto reply = client->Execute("show info");
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(*reply, "Name: HAProxy\nVersion: 9\n\n");

  ScriptedPeer v6(AF_INET6, "v6\n");
  if (v6.port() == 0) GTEST_SKIP() << "no IPv6 loopback";
  auto client6 = RuntimeApiClient::Create("[::1]:" + std::to_string(v6.port()));
  ASSERT_TRUE(client6.ok());
  auto reply6 = client6->Execute("show stat");
  ASSERT_TRUE(reply6.ok()) << reply6.status().ToString();
  EXPECT_EQ(*reply6, "v6\n");
  EXPECT_EQ(v6.received(), "show stat\n");
}

TEST(RuntimeApiClientTest, SilentPeerTimesOutAndOversizedReplyIsRefused) {
  ScriptedPeer silent(AF_INET, "", /*silent=*/true);
  ASSERT_NE(silent.port(), 0);
  auto client = RuntimeApiClient::Create("127.0.0.1:" + std::to_string(silent.port()),
                                         RuntimeApiOptions{.read_timeout = milliseconds(300)});
  ASSERT_TRUE(client.ok());
  const auto start = std::chrono::steady_clock::now();
  auto reply = client->Execute("show stat");
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), core::StatusCode::kUnavailable);
  EXPECT_NE(reply.status().message().find("300 ms"), std::string::npos)
      << reply.status().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));

  ScriptedPeer large(AF_INET, std::string(300000, 'x'));
  auto bounded = RuntimeApiClient::Create("127.0.0.1:" + std::to_string(large.port()),
                                          RuntimeApiOptions{.max_reply_bytes = 100000});
  ASSERT_TRUE(bounded.ok());
  reply = bounded->Execute("show stat");
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), core::StatusCode::kFailedPrecondition);

  ScriptedPeer exact(AF_INET, std::string(100000, 'y'));
  auto at_bound = RuntimeApiClient::Create("127.0.0.1:" + std::to_string(exact.port()),
                                           RuntimeApiOptions{.max_reply_bytes = 100000});
  ASSERT_TRUE(at_bound.ok());
  reply = at_bound->Execute("show stat");
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->size(), 100000u);
}

class RuntimeApiHaproxyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (ebb::testing::HaproxyProcess::FindBinary().empty()) GTEST_SKIP() << "no haproxy";
    auto process = ebb::testing::HaproxyProcess::Start(
        {.servers = {{.name = "s1"}, {.name = "s2", .check = false}}});
    ASSERT_TRUE(process.ok()) << process.status().ToString();
    haproxy_ = std::move(process).value();
  }
  std::unique_ptr<ebb::testing::HaproxyProcess> haproxy_;
};

TEST_F(RuntimeApiHaproxyTest, RealRepliesAndTheirErrors) {
  auto client = RuntimeApiClient::Create(haproxy_->admin_socket());
  ASSERT_TRUE(client.ok());
  for (int i = 0; i < 3; ++i) {  // a new connection per command
    auto info = client->Execute("show info");
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    EXPECT_TRUE(info->starts_with("Name: HAProxy\nVersion: 2.")) << *info;
  }
  auto stat = client->Execute("show stat web 6 -1");
  ASSERT_TRUE(stat.ok());
  EXPECT_TRUE(stat->starts_with("# pxname,svname,"));

  const std::string address = haproxy_->admin_socket();
  struct Case {
    std::string command;
    core::StatusCode code;
    std::string words;
  };
  for (const Case& c :
       {Case{"set server web/nope state drain", core::StatusCode::kNotFound, "no such server"},
        Case{"set server nope/s1 state drain", core::StatusCode::kNotFound, "no such backend"},
        Case{"frobnicate", core::StatusCode::kInvalidArgument, "unknown command"},
        Case{"set server web/s1 state sideways", core::StatusCode::kInternal, "expects 'ready'"}}) {
    auto reply = client->Execute(c.command);
    ASSERT_TRUE(reply.ok());
    const core::Status status = CheckEmptyReply(address, c.command, "web/x", *reply);
    EXPECT_EQ(status.code(), c.code) << status.ToString();
    EXPECT_NE(status.message().find(c.words), std::string::npos) << status.ToString();
    EXPECT_NE(status.message().find(address), std::string::npos);
    EXPECT_NE(status.message().find(c.command), std::string::npos);
  }
  auto ok = client->Execute("set server web/s1 state drain");
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(CheckEmptyReply(address, "set server", "web/s1", *ok).ok()) << *ok;
  auto no_proxy = client->Execute("show stat nope 6 -1");
  ASSERT_TRUE(no_proxy.ok());
  EXPECT_EQ(CheckDataReply(address, "show stat nope 6 -1", "nope", *no_proxy, "# ").code(),
            core::StatusCode::kNotFound);
  EXPECT_EQ(CheckDataReply(address, "show stat", "", "", "# ").code(),
            core::StatusCode::kUnavailable);

  auto user = RuntimeApiClient::Create(haproxy_->user_socket());
  ASSERT_TRUE(user.ok());
  auto denied = user->Execute("set server web/s1 state ready");
  ASSERT_TRUE(denied.ok());
  const core::Status status =
      CheckEmptyReply(haproxy_->user_socket(), "set server", "web/s1", *denied);
  EXPECT_EQ(status.code(), core::StatusCode::kFailedPrecondition) << status.ToString();
  EXPECT_NE(status.message().find("permission denied"), std::string::npos);
}

TEST_F(RuntimeApiHaproxyTest, VanishedSocketIsUnavailableUntilRestored) {
  auto client = RuntimeApiClient::Create(haproxy_->admin_socket());
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE(haproxy_->HideAdminSocket().ok());
  auto reply = client->Execute("show info");
  EXPECT_EQ(reply.status().code(), core::StatusCode::kUnavailable);
  ASSERT_TRUE(haproxy_->RestoreAdminSocket().ok());
  EXPECT_TRUE(client->Execute("show info").ok());
}

}  // namespace
}  // namespace ebb::lb::haproxy
