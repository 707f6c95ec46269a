// LoadLiveConfig on real files: every error names the file, the line and the key; all errors come
// at once; a bad file loads nothing and creates nothing; paths are resolved against the file's
// folder; defaults follow the [[node]] list and the state path.
#include "daemon/live_config.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/command.h"

namespace ebb::daemon {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// A complete, valid configuration; tests append to it or replace parts of it.
constexpr std::string_view kCluster = R"([cluster]
boot_s = 30
shutdown_s = 5
capacity_rps = 20
)";
constexpr std::string_view kHaproxy = R"([haproxy]
socket = "/run/haproxy/admin.sock"
)";
constexpr std::string_view kPower = R"([power]
driver = "command"
on = ["ipmitool", "-H", "{bmc}", "power", "on"]
off = ["ssh", "{host}", "poweroff"]
)";
constexpr std::string_view kNodes = R"([[node]]
name = "web1"
host = "10.0.0.1"
port = 8080
bmc = "10.1.0.1"
[[node]]
name = "web2"
host = "10.0.0.2"
port = 8080
bmc = "10.1.0.2"
capacity_rps = 40
)";

std::string Base() {
  return std::string(kCluster) + std::string(kHaproxy) + std::string(kPower) + std::string(kNodes);
}

// The 1-based line of the first line of `text` that contains `needle`; 0 when none does.
int LineOf(std::string_view text, std::string_view needle, int occurrence = 1) {
  int line = 1;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    if (text.substr(start, end - start).find(needle) != std::string_view::npos &&
        --occurrence == 0) {
      return line;
    }
    start = end + 1;
    ++line;
  }
  return 0;
}

class LiveConfigTest : public ::testing::Test {
 protected:
  // Writes `text` to `name` in the test's folder and returns its path.
  std::string Write(const std::string& text, const std::string& name = "ebb.toml") {
    const fs::path path = dir_ / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
    return path.string();
  }

  core::Result<LiveConfig> Load(const std::string& text,
                                const std::vector<std::string>& overrides = {}) {
    text_ = text;
    path_ = Write(text);
    return LoadLiveConfig(path_, overrides);
  }

  // The message of a load that must fail with InvalidArgument; the folder must hold only the
  // configuration afterwards (no state database, no run folder: nothing was half-started).
  std::string Error(const std::string& text, const std::vector<std::string>& overrides = {}) {
    core::Result<LiveConfig> loaded = Load(text, overrides);
    EXPECT_FALSE(loaded.ok());
    if (loaded.ok()) return "";
    EXPECT_EQ(loaded.status().code(), core::StatusCode::kInvalidArgument);
    std::vector<std::string> files;
    for (const fs::directory_entry& e : fs::directory_iterator(dir_.path())) {
      files.push_back(e.path().filename().string());
    }
    EXPECT_THAT(files, ElementsAre("ebb.toml"));
    return loaded.status().message();
  }

  // "/tmp/.../ebb.toml:7: " for the first line of the last loaded text that holds `needle`.
  std::string At(std::string_view needle, int occurrence = 1) const {
    const int line = LineOf(text_, needle, occurrence);
    EXPECT_GT(line, 0) << needle;
    return fmt::format("{}:{}: ", path_, line);
  }

  testing::TestDir dir_{"ebb_live_config"};
  std::string text_;
  std::string path_;
};

TEST_F(LiveConfigTest, ValidConfigLoadsWithItsDefaults) {
  core::Result<LiveConfig> c = Load(Base());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->source, path_);
  EXPECT_THAT(c->haproxy_sockets, ElementsAre("/run/haproxy/admin.sock"));
  EXPECT_EQ(c->backend, "web");
  EXPECT_EQ(c->http_listen, "127.0.0.1:9180");
  ASSERT_EQ(c->nodes.size(), 2u);
  EXPECT_EQ(c->nodes[0].name, "web1");
  EXPECT_EQ(c->nodes[0].host, "10.0.0.1");
  EXPECT_EQ(c->nodes[0].port, 8080);
  EXPECT_EQ(c->nodes[0].bmc, "10.1.0.1");
  EXPECT_EQ(c->nodes[0].capacity_rps, 20);  // [cluster]'s
  EXPECT_EQ(c->nodes[0].boot_s, 30);
  EXPECT_EQ(c->nodes[0].shutdown_s, 5);
  EXPECT_EQ(c->nodes[1].capacity_rps, 40);  // its own
  // max_nodes defaults to the number of [[node]] tables.
  EXPECT_EQ(c->policy.controller.guard.max_serving, 2);
  EXPECT_EQ(c->policy.controller.guard.min_serving, 1);
  // The state database beside the file, the run folder beside the database.
  EXPECT_EQ(c->state_path, (dir_ / "ebb.db").string());
  EXPECT_EQ(c->power.run_dir, c->state_path + ".run");
  EXPECT_THAT(c->power.on, ElementsAre("ipmitool", "-H", "{bmc}", "power", "on"));
  // Loading creates nothing.
  EXPECT_FALSE(fs::exists(c->state_path));
  EXPECT_FALSE(fs::exists(c->power.run_dir));
}

TEST_F(LiveConfigTest, RelativePathsAreResolvedAgainstTheConfigFolder) {
  const std::string text = Base() + R"([state]
path = "data/state.db"
)";
  const std::string path = Write(text, "sub/dir/ebb.toml");
  core::Result<LiveConfig> c = LoadLiveConfig(path);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const fs::path folder = dir_ / "sub" / "dir";
  EXPECT_EQ(c->state_path, (folder / "data" / "state.db").string());
  EXPECT_EQ(c->power.run_dir, (folder / "data" / "state.db.run").string());
  EXPECT_EQ(c->source, (folder / "ebb.toml").string());

  // power.run_dir, given, is resolved the same way and not derived from the state path.
  std::string text2 = Base();
  text2.replace(text2.find("[power]\n"), 8, "[power]\nrun_dir = \"../run\"\n");
  core::Result<LiveConfig> c2 = LoadLiveConfig(Write(text2, "sub/dir/ebb2.toml"));
  ASSERT_TRUE(c2.ok()) << c2.status().ToString();
  EXPECT_EQ(c2->power.run_dir, (dir_ / "sub" / "run").string());
  EXPECT_EQ(c2->state_path, (folder / "ebb.db").string());
}

TEST_F(LiveConfigTest, AbsoluteStatePathIsKept) {
  const std::string db = (dir_ / "elsewhere" / "x.db").string();
  core::Result<LiveConfig> c = Load(Base() + fmt::format("[state]\npath = \"{}\"\n", db));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->state_path, db);
  EXPECT_EQ(c->power.run_dir, db + ".run");
}

TEST_F(LiveConfigTest, OverriddenStatePathIsRelativeToTheWorkingFolder) {
  core::Result<LiveConfig> c = Load(Base(), {"state.path=rel.db"});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->state_path, (fs::current_path() / "rel.db").lexically_normal().string());
}

// Found by fuzz/live_config_fuzzer: `--set state.path=` made std::filesystem::absolute("") throw
// out of LoadLiveConfig, and an empty path in the file named the file's folder.
TEST_F(LiveConfigTest, EmptyStatePathIsAnError) {
  EXPECT_THAT(Error(Base(), {"state.path="}),
              HasSubstr("state.path: expected a file path, got \"\""));
  const std::string message = Error(Base() + "[state]\npath = \"\"\n");
  EXPECT_THAT(message, HasSubstr(At("path = ") + "state.path: expected a file path"));
}

TEST_F(LiveConfigTest, UnknownKeysEverywhereAreReportedAtOnce) {
  std::string text = "colour = \"blue\"\n" + Base();
  text.replace(text.find("[haproxy]\n"), 10, "[haproxy]\nsokcet = \"/tmp/x.sock\"\n");
  text += "prot = 8081\n";  // in the last [[node]]
  const std::string message = Error(text);
  EXPECT_THAT(message, HasSubstr(At("colour") + "unknown key \"colour\""));
  EXPECT_THAT(message, HasSubstr(At("sokcet") + "unknown key \"haproxy.sokcet\""));
  EXPECT_THAT(message, HasSubstr(At("prot =") + "unknown key \"node[1].prot\""));
}

TEST_F(LiveConfigTest, UnknownKeyFromAnOverrideNamesTheOverride) {
  // A TOML value and a bare word (which stands for a string) alike.
  for (const char* set : {"haproxy.sokcet=\"/tmp/x.sock\"", "haproxy.sokcet=/tmp/x.sock"}) {
    SCOPED_TRACE(set);
    const std::string message = Error(Base(), {set});
    EXPECT_THAT(message, HasSubstr("unknown key \"haproxy.sokcet\""));
    EXPECT_THAT(message, HasSubstr(std::string("--set ") + set));
  }
}

TEST_F(LiveConfigTest, SimulatorKeysAreRejectedWithTheReason) {
  std::string text = Base();
  text.replace(text.find("capacity_rps = 20\n"), 18,
               "capacity_rps = 20\nnodes = 10\nmaxconn = 4\nservice_time = \"exp:0.1\"\n");
  text += R"([workload]
trace = "nasa.csv"
[sim]
seed = 7
)";
  const std::string message = Error(text);
  for (const char* key : {"nodes", "maxconn", "service_time"}) {
    EXPECT_THAT(message, HasSubstr(At(std::string(key) + " =") + "cluster." + key +
                                   ": describes the simulator's model"))
        << key;
  }
  EXPECT_THAT(message, HasSubstr(At("[workload]") + "workload: is the simulator's workload"));
  EXPECT_THAT(message, HasSubstr(At("[sim]") + "sim: holds the simulator's settings"));
  // Rejected for what they are, not as unknown keys.
  EXPECT_THAT(message, Not(HasSubstr("unknown key")));
}

TEST_F(LiveConfigTest, NoNodeTables) {
  const std::string text = std::string(kCluster) + std::string(kHaproxy) + std::string(kPower);
  const std::string message = Error(text);
  EXPECT_THAT(message, HasSubstr(path_ + ": no [[node]] tables"));
}

TEST_F(LiveConfigTest, DuplicateNodeNames) {
  const std::string text = Base() + R"([[node]]
name = "web1"
host = "10.0.0.3"
bmc = "10.1.0.3"
)";
  const std::string message = Error(text);
  EXPECT_THAT(message, HasSubstr(path_ + ":"));
  EXPECT_THAT(message, HasSubstr("node[2].name: \"web1\" is named twice"));
  // The line of the second "web1" (its value or its table).
  const std::string at_value = At("name = \"web1\"", 2);
  const std::string at_table = At("[[node]]", 3);
  EXPECT_TRUE(message.find(at_value) != std::string::npos ||
              message.find(at_table) != std::string::npos)
      << message;
}

TEST_F(LiveConfigTest, NodeWithoutAName) {
  const std::string message = Error(Base() + "[[node]]\nhost = \"10.0.0.3\"\n");
  EXPECT_THAT(message, HasSubstr("node[2].name: every node needs the HAProxy server name"));
  EXPECT_THAT(message, HasSubstr(At("[[node]]", 3)));
}

TEST_F(LiveConfigTest, MissingHaproxySocket) {
  std::string text = Base();
  text.replace(text.find(kHaproxy), kHaproxy.size(), "[haproxy]\nbackend = \"app\"\n");
  const std::string message = Error(text);
  EXPECT_THAT(message, HasSubstr(path_));
  EXPECT_THAT(message, HasSubstr("haproxy.socket: give the Runtime API address"));
}

TEST_F(LiveConfigTest, SocketAndSocketsBoth) {
  std::string text = Base();
  text.replace(text.find(kHaproxy), kHaproxy.size(),
               "[haproxy]\nsocket = \"/a.sock\"\nsockets = [\"/b.sock\"]\n");
  const std::string message = Error(text);
  EXPECT_THAT(message, HasSubstr(At("[haproxy]") + "haproxy: give socket or sockets, not both"));
}

TEST_F(LiveConfigTest, SocketsListAndEmptySocketsList) {
  std::string text = Base();
  text.replace(text.find(kHaproxy), kHaproxy.size(),
               "[haproxy]\nsockets = [\"/a.sock\", \"127.0.0.1:9999\"]\n");
  core::Result<LiveConfig> c = Load(text);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_THAT(c->haproxy_sockets, ElementsAre("/a.sock", "127.0.0.1:9999"));

  text.replace(text.find("sockets = ["),
               text.find('\n', text.find("sockets = [")) - text.find("sockets = ["),
               "sockets = []");
  EXPECT_THAT(Error(text), HasSubstr(At("sockets =") + "haproxy.sockets: expected at least one"));
}

TEST_F(LiveConfigTest, UnknownPlaceholderInATemplate) {
  std::string text = Base();
  const std::string host = "\"{host}\", \"poweroff\"";
  text.replace(text.find(host), host.size(), "\"{hots}\", \"poweroff\"");
  const std::string message = Error(text);
  EXPECT_THAT(message, HasSubstr("power.off: unknown placeholder {hots}"));
  // Where it is written.
  EXPECT_THAT(message, HasSubstr(At("{hots}") + "power.off"));
}

TEST_F(LiveConfigTest, SingleStringTemplateIsSplitIntoArgv) {
  std::string text = Base();
  text.replace(text.find("on = ["), text.find('\n', text.find("on = [")) - text.find("on = ["),
               R"(on = "ipmitool -H {bmc} -U 'ad min' -P \"pass word\" power on")");
  core::Result<LiveConfig> c = Load(text);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_THAT(c->power.on, ElementsAre("ipmitool", "-H", "{bmc}", "-U", "ad min", "-P", "pass word",
                                       "power", "on"));
}

TEST_F(LiveConfigTest, SingleStringTemplateWithAShellOperator) {
  std::string text = Base();
  text.replace(text.find("on = ["), text.find('\n', text.find("on = [")) - text.find("on = ["),
               R"(on = "wake {host} | logger")");
  const std::string message = Error(text);
  EXPECT_THAT(message, HasSubstr(At("on = \"wake") + "power.on: "));
  EXPECT_THAT(message, HasSubstr("wake {host} | logger"));
}

TEST_F(LiveConfigTest, MacPlaceholderWithANodeLackingAMac) {
  std::string text = Base();
  text.replace(text.find("\"{bmc}\""), 7, "\"{mac}\"");
  const std::string message = Error(text);
  EXPECT_THAT(message, HasSubstr("power.on: node web1 has no mac"));
  // The template's line or the node's.
  const std::string at_template = At("{mac}");
  const std::string at_node = At("[[node]]");  // web1's table, the first
  EXPECT_TRUE(message.find(at_template) != std::string::npos ||
              message.find(at_node) != std::string::npos)
      << message;
}

TEST_F(LiveConfigTest, WolNeedsAMacOnEveryNode) {
  std::string text = Base();
  text.replace(text.find(kPower), kPower.size(),
               "[power]\ndriver = \"wol\"\noff = [\"ssh\", \"{host}\", \"poweroff\"]\n");
  const std::string message = Error(text);
  EXPECT_THAT(message, HasSubstr(path_));
  EXPECT_THAT(message, HasSubstr("web1"));
}

TEST_F(LiveConfigTest, BadHttpListen) {
  for (const char* listen : {"localhost", "127.0.0.1:http", "127.0.0.1:70000", ":9180"}) {
    SCOPED_TRACE(listen);
    const std::string message = Error(Base() + fmt::format("[http]\nlisten = \"{}\"\n", listen));
    EXPECT_THAT(message, HasSubstr(At("listen =") + "http.listen: expected \"host:port\""));
    EXPECT_THAT(message, HasSubstr(listen));
  }
}

TEST_F(LiveConfigTest, GoodHttpListen) {
  for (const char* listen : {"127.0.0.1:0", "0.0.0.0:9180", "[::1]:9180"}) {
    SCOPED_TRACE(listen);
    core::Result<LiveConfig> c = Load(Base() + fmt::format("[http]\nlisten = \"{}\"\n", listen));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->http_listen, listen);
  }
  std::string host;
  int port = -1;
  ASSERT_TRUE(ParseListenAddress("k", "[::1]:9180", host, port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 9180);
}

TEST_F(LiveConfigTest, MinNodesAboveTheNodeCount) {
  const std::string message = Error(Base() + "[policy]\nmin_nodes = 3\n");
  EXPECT_THAT(message, HasSubstr("policy.min_nodes (3) exceeds the number of [[node]] tables (2)"));
  EXPECT_THAT(message, HasSubstr(At("min_nodes") + "policy.min_nodes"));
}

TEST_F(LiveConfigTest, MaxNodesGivenIsKept) {
  core::Result<LiveConfig> c = Load(Base() + "[policy]\nmax_nodes = 1\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->policy.controller.guard.max_serving, 1);
}

TEST_F(LiveConfigTest, CapacityIsRequired) {
  std::string text = Base();
  text.replace(text.find("capacity_rps = 20\n"), 18, "");
  const std::string message = Error(text);
  EXPECT_THAT(message, HasSubstr(path_ + ": cluster.capacity_rps: give the requests/s"));
  EXPECT_THAT(message, HasSubstr("web1"));  // the first node without one

  // Every node giving its own is enough.
  text.replace(text.find("port = 8080\n"), 12, "port = 8080\ncapacity_rps = 15\n");
  core::Result<LiveConfig> c = Load(text);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->nodes[0].capacity_rps, 15);
  EXPECT_EQ(c->nodes[1].capacity_rps, 40);
}

TEST_F(LiveConfigTest, BadValuesNameLineAndKey) {
  std::string text = Base();
  text.replace(text.find("port = 8080\n"), 12, "port = \"eighty\"\n");
  text += "[cost]\nc1 = -1\n";
  const std::string message = Error(text);
  EXPECT_THAT(message, HasSubstr(At("port = \"eighty\"") + "node[0].port: expected an integer"));
  EXPECT_THAT(message, HasSubstr(At("c1 = -1") + "cost.c1: expected a number >= 0"));
}

TEST_F(LiveConfigTest, SyntaxErrorNamesTheLine) {
  const std::string message = Error(Base() + "[policy\n");
  EXPECT_THAT(message, HasSubstr(At("[policy")));
}

TEST_F(LiveConfigTest, MissingFileIsNotFound) {
  core::Result<LiveConfig> c = LoadLiveConfig((dir_ / "missing.toml").string());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), core::StatusCode::kNotFound);
  EXPECT_THAT(c.status().message(), HasSubstr("missing.toml"));
}

TEST_F(LiveConfigTest, AQueueingPolicyNeedsTheServiceTime) {
  for (const char* policy : {"sla-sizing", "lcp", "reserves"}) {
    const std::string message = Error(Base(), {fmt::format("policy.name=\"{}\"", policy)});
    EXPECT_THAT(message, HasSubstr("policy.service_time_s"));
    EXPECT_THAT(message, HasSubstr(policy));
  }
  core::Result<LiveConfig> c =
      Load(Base(), {"policy.name=\"sla-sizing\"", "policy.service_time_s=0.05"});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->policy.controller.model.service_time_s, 0.05);
  EXPECT_EQ(c->policy.controller.model.slots_per_node, c->server_lines.maxconn);
}

}  // namespace
}  // namespace ebb::daemon
