#include "lb/haproxy/haproxy_config.h"

#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "testing/command.h"
#include "testing/haproxy_process.h"

namespace ebb::lb::haproxy {
namespace {

std::vector<core::NodeSpec> Inventory() {
  return {core::NodeSpec{.name = "web1", .host = "10.0.0.11", .port = 8080},
          core::NodeSpec{.name = "web2", .host = "10.0.0.12", .port = 8080},
          core::NodeSpec{.name = "web3", .host = "2001:db8::3", .port = 80}};
}

TEST(HaproxyConfigTest, ServerLines) {
  auto lines = RenderServerLines(
      Inventory(),
      ServerLineOptions{
          .check_interval_ms = 1000, .fall = 2, .rise = 3, .maxconn = 16, .slowstart_s = 30});
  ASSERT_TRUE(lines.ok()) << lines.status().ToString();
  EXPECT_EQ(*lines,
            "  server web1 10.0.0.11:8080 check inter 1000ms fall 2 rise 3 maxconn 16 slowstart "
            "30s\n"
            "  server web2 10.0.0.12:8080 check inter 1000ms fall 2 rise 3 maxconn 16 slowstart "
            "30s\n"
            "  server web3 [2001:db8::3]:80 check inter 1000ms fall 2 rise 3 maxconn 16 slowstart "
            "30s\n");
  EXPECT_EQ(lines->find("disabled"), std::string::npos);
  auto bare =
      RenderServerLines({Inventory()[0]}, ServerLineOptions{.maxconn = 0, .slowstart_s = 0});
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(*bare, "  server web1 10.0.0.11:8080 check inter 2000ms fall 3 rise 2\n");
}

TEST(HaproxyConfigTest, BackendBlock) {
  auto backend = RenderBackend(
      Inventory(),
      BackendConfigOptions{.name = "app", .balance = "roundrobin", .health_check_path = "/ping"});
  ASSERT_TRUE(backend.ok()) << backend.status().ToString();
  EXPECT_TRUE(
      backend->starts_with("backend app\n"
                           "  balance roundrobin\n"
                           "  option httpchk GET /ping\n"
                           "  http-check expect status 200\n"
                           "  server web1 10.0.0.11:8080 check inter 2000ms"))
      << *backend;
}

TEST(HaproxyConfigTest, BadInventoryIsAnError) {
  const ServerLineOptions options;
  for (const core::NodeSpec& node :
       {core::NodeSpec{.name = "", .host = "10.0.0.1", .port = 80},
        core::NodeSpec{.name = "web 1", .host = "10.0.0.1", .port = 80},
        core::NodeSpec{.name = "web/1", .host = "10.0.0.1", .port = 80},
        core::NodeSpec{.name = "web1", .host = "", .port = 80},
        core::NodeSpec{.name = "web1", .host = "10.0.0.1", .port = 0},
        core::NodeSpec{.name = "web1", .host = "10.0.0.1", .port = 70000}}) {
    EXPECT_EQ(RenderServerLines({node}, options).status().code(),
              core::StatusCode::kInvalidArgument)
        << node.name << " " << node.host << " " << node.port;
  }
  EXPECT_FALSE(RenderServerLines(Inventory(), ServerLineOptions{.fall = 0}).ok());
  EXPECT_FALSE(
      RenderBackend(Inventory(), BackendConfigOptions{.health_check_path = "health"}).ok());
}

TEST(HaproxyConfigTest, RealHaproxyAcceptsTheBackend) {
  const std::string haproxy = ebb::testing::HaproxyProcess::FindBinary();
  if (haproxy.empty()) GTEST_SKIP() << "haproxy is not installed";
  const ebb::testing::TestDir dir("ebb_haproxy_config");
  auto backend = RenderBackend(Inventory(), BackendConfigOptions{.name = "web"});
  ASSERT_TRUE(backend.ok());
  const std::string file = (dir / "haproxy.cfg").string();
  std::ofstream(file) << "global\n  maxconn 256\n"
                      << "defaults\n  mode http\n  timeout connect 2s\n  timeout client 10s\n"
                      << "  timeout server 10s\n"
                      << "frontend fe\n  bind 127.0.0.1:"
                      << ebb::testing::HaproxyProcess::FreeLoopbackPort()
                      << "\n  default_backend web\n"
                      << *backend;
  const ebb::testing::CommandResult check = ebb::testing::RunShell(haproxy + " -c -f " + file);
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err << *backend;
  EXPECT_EQ(check.err.find("WARNING"), std::string::npos) << check.err;
}

}  // namespace
}  // namespace ebb::lb::haproxy
