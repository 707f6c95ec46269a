// HaproxyLoadBalancer against real haproxy 2.6 processes on loopback: one instance, then an
// active-active pair. Servers point at haproxy's own `node` frontend (healthy, answers 200), at
// a closed port (DOWN), or at a listener that never answers (to hold sessions open).
#include "lb/haproxy/haproxy_load_balancer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "lb/haproxy/show_stat_parser.h"
#include "testing/haproxy_process.h"

namespace ebb::lb::haproxy {
namespace {

using ebb::testing::HaproxyProcess;
using ebb::testing::HaproxyProcessOptions;
using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

class FixedClock final : public core::Clock {
 public:
  core::Seconds Now() const override { return now; }
  core::Seconds now = 1000;
};

// A connected TCP socket to 127.0.0.1:port, or -1.
int ConnectLoopback(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// One HTTP/1.0 request through haproxy's frontend; returns the status line.
std::string Get(std::uint16_t port) {
  const int fd = ConnectLoopback(port);
  if (fd < 0) return "";
  const std::string request = "GET / HTTP/1.0\r\n\r\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) < 0) {
    ::close(fd);
    return "";
  }
  std::string reply;
  char chunk[4096];
  timeval timeout{.tv_sec = 10, .tv_usec = 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  for (ssize_t n; (n = ::read(fd, chunk, sizeof(chunk))) > 0;) {
    reply.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return reply.substr(0, reply.find("\r\n"));
}

// A listener that accepts nothing: haproxy's connections wait in its backlog, so the requests
// sent to it stay in progress (a server's scur) until the test closes them.
class BlackHole {
 public:
  BlackHole() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), length) == 0 && ::listen(fd_, 16) == 0 &&
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      port_ = ntohs(address.sin_port);
    }
  }
  ~BlackHole() { ::close(fd_); }
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

// Polls until `done` holds (bounded: 15 s); returns the last poll's status.
core::Status PollUntil(HaproxyLoadBalancer& lb, BackendStats& stats,
                       const std::function<bool(const BackendStats&)>& done) {
  core::Status status;
  const SteadyClock::time_point deadline = SteadyClock::now() + std::chrono::seconds(15);
  while (SteadyClock::now() < deadline) {
    status = lb.Poll(stats);
    if (status.ok() && done(stats)) return status;
    std::this_thread::sleep_for(milliseconds(50));
  }
  return status.ok() ? core::Status(core::StatusCode::kDeadlineExceeded, "condition never held")
                     : status;
}

const ServerStats& Server(const BackendStats& stats, std::string_view name) {
  for (const ServerStats& server : stats.servers) {
    if (server.name == name) return server;
  }
  ADD_FAILURE() << "no server " << name;
  static const ServerStats kNone;
  return kNone;
}

// status and check_status of one server, as haproxy prints them.
std::pair<std::string, std::string> RawStatus(const HaproxyProcess& haproxy,
                                              std::string_view server) {
  auto reply = haproxy.Command("show stat web 6 -1");
  if (!reply.ok()) return {};
  ShowStatTable table;
  if (!ParseShowStat(*reply, table).ok()) return {};
  for (const StatRow& row : table.rows) {
    if (row.svname == server) return {std::string(row.status), std::string(row.check_status)};
  }
  return {};
}

class HaproxyLoadBalancerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (HaproxyProcess::FindBinary().empty()) GTEST_SKIP() << "haproxy is not installed";
    closed_port_ = HaproxyProcess::FreeLoopbackPort();
  }

  std::unique_ptr<HaproxyProcess> StartHaproxy(std::vector<ebb::testing::HaproxyServerSpec> specs) {
    auto process = HaproxyProcess::Start(HaproxyProcessOptions{.servers = std::move(specs)});
    EXPECT_TRUE(process.ok()) << process.status().ToString();
    return process.ok() ? std::move(process).value() : nullptr;
  }

  std::vector<ebb::testing::HaproxyServerSpec> StandardServers() const {
    return {{.name = "web1"},
            {.name = "web2", .port = closed_port_},
            {.name = "web3", .check = false},
            {.name = "web4", .initial = AdminState::kMaint}};
  }

  std::unique_ptr<HaproxyLoadBalancer> MakeBalancer(std::vector<std::string> addresses,
                                                    std::vector<std::string> servers) {
    auto lb = HaproxyLoadBalancer::Create(
        clock_,
        HaproxyLoadBalancerOptions{
            .addresses = std::move(addresses), .backend = "web", .servers = std::move(servers)});
    EXPECT_TRUE(lb.ok()) << lb.status().ToString();
    return lb.ok() ? std::move(lb).value() : nullptr;
  }

  FixedClock clock_;
  std::uint16_t closed_port_ = 0;
};

TEST_F(HaproxyLoadBalancerTest, PollReportsServersInNodeOrderWithHealthAndRequests) {
  auto haproxy = StartHaproxy(StandardServers());
  ASSERT_NE(haproxy, nullptr);
  auto lb = MakeBalancer({haproxy->admin_socket()}, {"web3", "web1", "web4", "web2"});
  ASSERT_NE(lb, nullptr);
  ASSERT_TRUE(lb->CheckServersExist().ok());
  BackendStats stats;
  ASSERT_TRUE(PollUntil(*lb, stats,
                        [](const BackendStats& s) {
                          return Server(s, "web1").health == Health::kUp &&
                                 Server(s, "web2").health == Health::kDown;
                        })
                  .ok())
      << haproxy->Log();
  ASSERT_EQ(stats.servers.size(), 4u);
  EXPECT_EQ(stats.servers[0].name, "web3");
  EXPECT_EQ(stats.servers[1].name, "web1");
  EXPECT_EQ(stats.servers[2].name, "web4");
  EXPECT_EQ(stats.servers[3].name, "web2");
  EXPECT_EQ(stats.at, 1000);
  EXPECT_EQ(Server(stats, "web3").health, Health::kUp);  // "no check"
  EXPECT_EQ(Server(stats, "web3").admin, AdminState::kReady);
  EXPECT_EQ(Server(stats, "web4").admin, AdminState::kMaint);
  EXPECT_EQ(Server(stats, "web4").health, Health::kUnknown);
  EXPECT_EQ(Server(stats, "web2").admin, AdminState::kReady);
  EXPECT_EQ(stats.requests_total, 0u);
  EXPECT_EQ(stats.queued, 0);

  for (int i = 0; i < 7; ++i) EXPECT_EQ(Get(haproxy->frontend_port()), "HTTP/1.1 200 OK");
  clock_.now = 1005;
  ASSERT_TRUE(lb->Poll(stats).ok());
  EXPECT_EQ(stats.requests_total, 7u);
  EXPECT_EQ(stats.at, 1005);
  for (const ServerStats& server : stats.servers) EXPECT_EQ(server.sessions, 0);
  EXPECT_EQ(lb->divergences_total(), 0u);
}

TEST_F(HaproxyLoadBalancerTest, AdminStatesRoundTripThroughHaproxysStatusWords) {
  auto haproxy = StartHaproxy(StandardServers());
  ASSERT_NE(haproxy, nullptr);
  auto lb = MakeBalancer({haproxy->admin_socket()}, {"web1", "web2", "web3", "web4"});
  ASSERT_NE(lb, nullptr);
  BackendStats stats;
  ASSERT_TRUE(PollUntil(*lb, stats, [](const BackendStats& s) {
                return Server(s, "web1").health == Health::kUp &&
                       Server(s, "web2").health == Health::kDown;
              }).ok());

  // Drain: status DRAIN, still checked.
  ASSERT_TRUE(lb->SetAdminState("web1", AdminState::kDrain).ok());
  auto [status, check] = RawStatus(*haproxy, "web1");
  EXPECT_EQ(status, "DRAIN");
  EXPECT_NE(check, "");
  ASSERT_TRUE(lb->Poll(stats).ok());
  EXPECT_EQ(Server(stats, "web1").admin, AdminState::kDrain);
  EXPECT_EQ(Server(stats, "web1").health, Health::kUp);

  // Maint: status MAINT, no check result.
  ASSERT_TRUE(lb->SetAdminState("web1", AdminState::kMaint).ok());
  std::tie(status, check) = RawStatus(*haproxy, "web1");
  EXPECT_EQ(status, "MAINT");
  EXPECT_EQ(check, "");
  ASSERT_TRUE(lb->Poll(stats).ok());
  EXPECT_EQ(Server(stats, "web1").admin, AdminState::kMaint);
  EXPECT_EQ(Server(stats, "web1").health, Health::kUnknown);

  // Ready again, UP after its checks.
  ASSERT_TRUE(lb->SetAdminState("web1", AdminState::kReady).ok());
  ASSERT_TRUE(PollUntil(*lb, stats, [](const BackendStats& s) {
                return Server(s, "web1").admin == AdminState::kReady &&
                       Server(s, "web1").health == Health::kUp;
              }).ok());

  // A drained server that is DOWN: 2.6 prints "DOWN", the drain is read from `show servers
  // state`.
  ASSERT_TRUE(lb->SetAdminState("web2", AdminState::kDrain).ok());
  std::tie(status, check) = RawStatus(*haproxy, "web2");
  EXPECT_EQ(status, "DOWN");
  ASSERT_TRUE(lb->Poll(stats).ok());
  EXPECT_EQ(Server(stats, "web2").admin, AdminState::kDrain);
  EXPECT_EQ(Server(stats, "web2").health, Health::kDown);
  EXPECT_EQ(Server(stats, "web3").admin, AdminState::kReady);

  // A "no check" server drained shows DRAIN.
  ASSERT_TRUE(lb->SetAdminState("web3", AdminState::kDrain).ok());
  EXPECT_EQ(RawStatus(*haproxy, "web3").first, "DRAIN");
}

TEST_F(HaproxyLoadBalancerTest, UnknownServersBackendsAndLowLevelsAreTypedErrors) {
  auto haproxy = StartHaproxy(StandardServers());
  ASSERT_NE(haproxy, nullptr);
  auto lb = MakeBalancer({haproxy->admin_socket()}, {"web1", "web7", "web9"});
  ASSERT_NE(lb, nullptr);
  BackendStats stats;
  core::Status status = lb->Poll(stats);
  EXPECT_EQ(status.code(), core::StatusCode::kNotFound);
  EXPECT_NE(status.message().find("web7, web9"), std::string::npos) << status.ToString();
  EXPECT_NE(status.message().find(haproxy->admin_socket()), std::string::npos);
  status = lb->CheckServersExist();
  EXPECT_EQ(status.code(), core::StatusCode::kNotFound);
  EXPECT_NE(status.message().find("node web7 is in the config but not in HAProxy backend web at " +
                                  haproxy->admin_socket()),
            std::string::npos)
      << status.ToString();
  EXPECT_NE(status.message().find("node web9"), std::string::npos);
  // HAProxy's own "No such server.".
  status = lb->SetAdminState("web7", AdminState::kDrain);
  EXPECT_EQ(status.code(), core::StatusCode::kNotFound);
  EXPECT_NE(status.message().find("no such server"), std::string::npos) << status.ToString();
  EXPECT_NE(status.message().find("web/web7"), std::string::npos);
  // Not configured in ebb: refused before any command.
  EXPECT_EQ(lb->SetAdminState("web2", AdminState::kDrain).code(), core::StatusCode::kNotFound);
  EXPECT_EQ(RawStatus(*haproxy, "web2").first.find("DRAIN"), std::string::npos);

  auto no_backend = HaproxyLoadBalancer::Create(
      clock_, {.addresses = {haproxy->admin_socket()}, .backend = "api", .servers = {"web1"}});
  ASSERT_TRUE(no_backend.ok());
  EXPECT_EQ((*no_backend)->Poll(stats).code(), core::StatusCode::kNotFound);
  EXPECT_EQ((*no_backend)->CheckServersExist().code(), core::StatusCode::kNotFound);

  // A `level user` socket reads but may not set.
  auto user = MakeBalancer({haproxy->user_socket()}, {"web1", "web2"});
  ASSERT_NE(user, nullptr);
  EXPECT_TRUE(user->Poll(stats).ok());
  status = user->SetAdminState("web1", AdminState::kDrain);
  EXPECT_EQ(status.code(), core::StatusCode::kFailedPrecondition) << status.ToString();
  EXPECT_NE(status.message().find(haproxy->user_socket()), std::string::npos);

  EXPECT_EQ(HaproxyLoadBalancer::Create(clock_, {.addresses = {haproxy->admin_socket()},
                                                 .backend = "web",
                                                 .servers = {"web1", "web1"}})
                .status()
                .code(),
            core::StatusCode::kInvalidArgument);
  EXPECT_FALSE(HaproxyLoadBalancer::Create(clock_, {.backend = "web", .servers = {"a"}}).ok());
}

TEST_F(HaproxyLoadBalancerTest, MissingSocketIsUnavailableAndARestartIsSeen) {
  auto haproxy = StartHaproxy(StandardServers());
  ASSERT_NE(haproxy, nullptr);
  auto missing = MakeBalancer({(haproxy->dir() / "nope.sock").string()}, {"web1"});
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ(missing->CheckServersExist().code(), core::StatusCode::kUnavailable);

  auto lb = MakeBalancer({haproxy->admin_socket()}, {"web1", "web3"});
  ASSERT_NE(lb, nullptr);
  BackendStats stats;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Get(haproxy->frontend_port()), "HTTP/1.1 200 OK");
  ASSERT_TRUE(lb->Poll(stats).ok());
  EXPECT_EQ(stats.requests_total, 3u);
  ASSERT_TRUE(haproxy->HideAdminSocket().ok());
  const core::Status status = lb->Poll(stats);
  EXPECT_EQ(status.code(), core::StatusCode::kUnavailable);
  EXPECT_NE(status.message().find(haproxy->admin_socket()), std::string::npos);
  ASSERT_TRUE(haproxy->RestoreAdminSocket().ok());
  ASSERT_TRUE(lb->Poll(stats).ok());
  ASSERT_TRUE(haproxy->Restart().ok()) << haproxy->Log();
  ASSERT_TRUE(lb->Poll(stats).ok());
  EXPECT_EQ(stats.requests_total, 0u);  // a new process counts from zero
}

TEST_F(HaproxyLoadBalancerTest, TwoInstancesSumLoadsSetBothAndRepairDivergence) {
  BlackHole hole;
  ASSERT_NE(hole.port(), 0);
  auto specs = StandardServers();
  specs.push_back({.name = "slow", .port = hole.port(), .check = false});
  auto a = StartHaproxy(specs);
  auto b = StartHaproxy(specs);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  auto lb = MakeBalancer({a->admin_socket(), b->admin_socket()},
                         {"web1", "web2", "web3", "web4", "slow"});
  ASSERT_NE(lb, nullptr);
  ASSERT_TRUE(lb->CheckServersExist().ok());
  BackendStats stats;
  ASSERT_TRUE(PollUntil(*lb, stats, [](const BackendStats& s) {
                return Server(s, "web1").health == Health::kUp &&
                       Server(s, "web2").health == Health::kDown;
              }).ok());
  lb->TakeDivergences();  // health checks converge at their own pace

  // Requests: only web3 and slow are "no check" and web1 is checked; keep slow out for now.
  ASSERT_TRUE(lb->SetAdminState("slow", AdminState::kMaint).ok());
  for (int i = 0; i < 4; ++i) EXPECT_EQ(Get(a->frontend_port()), "HTTP/1.1 200 OK");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Get(b->frontend_port()), "HTTP/1.1 200 OK");
  ASSERT_TRUE(lb->Poll(stats).ok());
  EXPECT_EQ(stats.requests_total, 7u);

  // Sessions held open on `slow` through each instance are summed.
  for (const auto& haproxy : {a.get(), b.get()}) {
    for (const char* other : {"web1", "web3"}) {
      ASSERT_TRUE(haproxy->Command("set server web/" + std::string(other) + " state maint").ok());
    }
  }
  ASSERT_TRUE(lb->SetAdminState("slow", AdminState::kReady).ok());
  std::vector<int> clients;
  for (const auto& haproxy : {a.get(), b.get()}) {
    const int fd = ConnectLoopback(haproxy->frontend_port());
    ASSERT_GE(fd, 0);
    const std::string request = "GET / HTTP/1.0\r\n\r\n";
    ASSERT_GT(::send(fd, request.data(), request.size(), MSG_NOSIGNAL), 0);
    clients.push_back(fd);
  }
  const core::Status held =
      PollUntil(*lb, stats, [](const BackendStats& s) { return Server(s, "slow").sessions == 2; });
  for (const int fd : clients) ::close(fd);
  EXPECT_TRUE(held.ok()) << held.ToString();
  EXPECT_EQ(Server(stats, "slow").sessions, 2);
  ASSERT_TRUE(lb->SetAdminState("slow", AdminState::kMaint).ok());
  ASSERT_TRUE(lb->SetAdminState("web1", AdminState::kReady).ok());
  ASSERT_TRUE(lb->SetAdminState("web3", AdminState::kReady).ok());
  ASSERT_TRUE(PollUntil(*lb, stats, [](const BackendStats& s) {
                return Server(s, "web1").health == Health::kUp;
              }).ok());
  lb->TakeDivergences();
  const std::uint64_t divergences_before = lb->divergences_total();

  // A set goes to both.
  ASSERT_TRUE(lb->SetAdminState("web1", AdminState::kDrain).ok());
  // "DRAIN 1/2" right after maint: HAProxy restarts the health count at `rise`.
  EXPECT_TRUE(RawStatus(*a, "web1").first.starts_with("DRAIN")) << RawStatus(*a, "web1").first;
  EXPECT_TRUE(RawStatus(*b, "web1").first.starts_with("DRAIN")) << RawStatus(*b, "web1").first;

  // By hand on b only: web1 (ebb commanded drain) is repaired; web2 (never commanded by ebb) is
  // reported only.
  ASSERT_TRUE(b->Command("set server web/web1 state maint").ok());
  ASSERT_TRUE(b->Command("set server web/web2 state maint").ok());
  ASSERT_TRUE(lb->Poll(stats).ok());
  EXPECT_EQ(Server(stats, "web1").admin, AdminState::kDrain);
  EXPECT_EQ(Server(stats, "web2").admin, AdminState::kReady);  // least restrictive: a routes to it
  std::vector<Divergence> divergences = lb->TakeDivergences();
  const auto find = [&](std::string_view server) -> const Divergence* {
    for (const Divergence& d : divergences) {
      if (d.server == server && d.admin_differs) return &d;
    }
    return nullptr;
  };
  const Divergence* web1 = find("web1");
  ASSERT_NE(web1, nullptr);
  EXPECT_EQ(web1->admin, (std::vector<AdminState>{AdminState::kDrain, AdminState::kMaint}));
  EXPECT_EQ(web1->commanded, AdminState::kDrain);
  EXPECT_EQ(web1->repaired, std::vector<std::string>{b->admin_socket()});
  EXPECT_TRUE(web1->repair_status.ok());
  EXPECT_NE(web1->ToString({a->admin_socket(), b->admin_socket()}).find("re-sent drain to"),
            std::string::npos);
  const Divergence* web2 = find("web2");
  ASSERT_NE(web2, nullptr);
  EXPECT_FALSE(web2->commanded.has_value());
  EXPECT_TRUE(web2->repaired.empty());
  EXPECT_GE(lb->divergences_total(), divergences_before + 2);
  EXPECT_EQ(lb->repairs_total(), 1u);
  EXPECT_TRUE(RawStatus(*b, "web1").first.starts_with("DRAIN"));  // repaired
  EXPECT_EQ(RawStatus(*b, "web2").first, "MAINT");                // left alone
  EXPECT_EQ(RawStatus(*a, "web2").first.find("MAINT"), std::string::npos);

  // One instance down: the poll fails as a whole, the set still reaches the other.
  b->Stop();
  EXPECT_EQ(lb->Poll(stats).code(), core::StatusCode::kUnavailable);
  const core::Status set = lb->SetAdminState("web1", AdminState::kReady);
  EXPECT_EQ(set.code(), core::StatusCode::kUnavailable);
  EXPECT_NE(set.message().find(b->admin_socket()), std::string::npos) << set.ToString();
  EXPECT_EQ(RawStatus(*a, "web1").first.rfind("UP", 0), 0u) << RawStatus(*a, "web1").first;
}

// The benchmark bound: one Poll of a 1,000-server backend costs at most 1.5x what haproxy takes
// to answer a plain `show stat`.
TEST_F(HaproxyLoadBalancerTest, PollOfAThousandServersCostsAboutOneShowStat) {
  std::vector<ebb::testing::HaproxyServerSpec> specs;
  std::vector<std::string> names;
  for (int i = 0; i < 1000; ++i) {
    names.push_back("node" + std::to_string(i));
    specs.push_back({.name = names.back(), .check = false});
  }
  auto haproxy = StartHaproxy(specs);
  ASSERT_NE(haproxy, nullptr);
  auto lb = MakeBalancer({haproxy->admin_socket()}, names);
  ASSERT_NE(lb, nullptr);
  auto raw = RuntimeApiClient::Create(haproxy->admin_socket());
  ASSERT_TRUE(raw.ok());
  BackendStats stats;
  using Duration = std::chrono::duration<double, std::micro>;
  Duration best_raw = Duration::max();
  Duration best_poll = Duration::max();
  // Other work on the machine only ever slows a run down, so the best run of each is the cost;
  // runs go on (20 to 200 rounds) until the bound holds or the rounds are spent.
  for (int round = 0; round < 200; ++round) {
    auto start = SteadyClock::now();
    auto reply = raw->Execute("show stat");
    best_raw = std::min<Duration>(best_raw, SteadyClock::now() - start);
    ASSERT_TRUE(reply.ok());
    ASSERT_GT(reply->size(), 100000u);
    start = SteadyClock::now();
    ASSERT_TRUE(lb->Poll(stats).ok());
    best_poll = std::min<Duration>(best_poll, SteadyClock::now() - start);
    if (round >= 20 && best_poll.count() <= 1.5 * best_raw.count()) break;
  }
  ASSERT_EQ(stats.servers.size(), 1000u);
  EXPECT_EQ(stats.servers[999].name, "node999");
  EXPECT_EQ(stats.servers[999].health, Health::kUp);
  RecordProperty("show_stat_us", static_cast<int>(best_raw.count()));
  RecordProperty("poll_us", static_cast<int>(best_poll.count()));
  EXPECT_LE(best_poll.count(), 1.5 * best_raw.count())
      << "poll " << best_poll.count() << " us, show stat " << best_raw.count() << " us";
}

}  // namespace
}  // namespace ebb::lb::haproxy
