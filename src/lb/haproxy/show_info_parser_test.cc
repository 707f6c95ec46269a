#include "lb/haproxy/show_info_parser.h"

#include <string>

#include <gtest/gtest.h>

#include "lb/haproxy/servers_state_parser.h"
#include "testing/command.h"

namespace ebb::lb::haproxy {
namespace {

std::string Capture(const std::string& name) {
  return ebb::testing::ReadFile(std::string(EBB_SHARED_DATA_DIR) + "/haproxy/info/" + name);
}

TEST(ShowInfoParserTest, Haproxy15Capture) {
  auto info = ParseShowInfo(Capture("observing_haproxy_1.5-dev18_show_info.txt"));
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->name, "HAProxy");
  EXPECT_EQ(info->version, "1.5-dev18");
  EXPECT_EQ(info->pid, 53812u);
  EXPECT_EQ(info->uptime_sec, 490u);
  EXPECT_EQ(info->curr_conns, 28u);
  EXPECT_EQ(info->maxconn, 32768u);
  EXPECT_FALSE(info->cum_req.has_value());  // not in 1.5
  EXPECT_EQ(info->Find("Uptime"), "0d 0h08m10s");
  EXPECT_EQ(info->Find("description"), "");
  EXPECT_EQ(info->fields.size(), 28u);
}

TEST(ShowInfoParserTest, Haproxy27Capture) {
  auto info = ParseShowInfo(Capture("otel_haproxy_2.7.1_show_info.txt"));
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->version, "2.7.1-3e4af0e");
  EXPECT_EQ(info->pid, 10u);
  EXPECT_EQ(info->uptime_sec, 168u);
  EXPECT_EQ(info->curr_conns, 0u);
  EXPECT_EQ(info->maxconn, 524268u);
  EXPECT_EQ(info->cum_req, 141u);
  EXPECT_EQ(info->Find("Unstoppable Jobs"), "1");
  EXPECT_EQ(info->Find("Build info"), "2.7.1-3e4af0e");
  EXPECT_FALSE(info->Find("Nope").has_value());
}

TEST(ShowInfoParserTest, BadLinesAndBadNumbersNameTheLine) {
  auto no_colon = ParseShowInfo("Name: HAProxy\nVersion: 2.6\ngarbage\n");
  ASSERT_FALSE(no_colon.ok());
  EXPECT_NE(no_colon.status().message().find("line 3"), std::string::npos);
  auto bad_number = ParseShowInfo("Name: HAProxy\nVersion: 2.6\nUptime_sec: 12s\n");
  ASSERT_FALSE(bad_number.ok());
  EXPECT_NE(bad_number.status().message().find("line 3: field 'Uptime_sec'"), std::string::npos)
      << bad_number.status().ToString();
  EXPECT_FALSE(ParseShowInfo("Permission denied\n\n").ok());
  EXPECT_FALSE(ParseShowInfo("").ok());
}

// `show servers state` as HAProxy 2.6 prints it (captured from the test instance).
TEST(ServersStateParserTest, AdminFlags) {
  const std::string reply =
      "1\n"
      "# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight "
      "srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health "
      "srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord "
      "srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n"
      "3 web 1 up1 127.0.0.1 0 1 1 1 19 12 2 0 14 0 0 0 - 19998 - 0 0 - - 0\n"
      "3 web 2 dn1 127.0.0.1 0 8 1 1 13 8 2 0 6 0 0 0 - 1 - 0 0 - - 0\n"
      "3 web 3 nc1 127.0.0.1 2 0 1 1 13 1 0 1 0 0 0 0 - 2 - 0 0 - - 0\n"
      "3 web 4 dis 127.0.0.1 0 5 1 1 20 1 0 0 14 0 0 0 - 3 - 0 0 - - 0\n";
  std::vector<ServerAdminRow> rows;
  ASSERT_TRUE(ParseServersState(reply, rows).ok());
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].server, "up1");
  EXPECT_EQ(rows[0].admin, AdminState::kMaint);
  EXPECT_EQ(rows[1].admin, AdminState::kDrain);
  EXPECT_EQ(rows[2].admin, AdminState::kReady);
  EXPECT_EQ(rows[3].admin, AdminState::kMaint);  // configured `disabled`
  EXPECT_EQ(rows[3].backend, "web");
  EXPECT_EQ(AdminStateFromFlags(0x10), AdminState::kDrain);
  EXPECT_EQ(AdminStateFromFlags(0x20 | 0x08), AdminState::kMaint);
  EXPECT_EQ(AdminStateFromFlags(0x40), AdminState::kReady);

  std::string bad = reply;
  bad.replace(bad.find("0 8 1 1"), 7, "0 x 1 1");
  const core::Status status = ParseServersState(bad, rows);
  EXPECT_EQ(status.code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("line 4: field 'srv_admin_state'"), std::string::npos)
      << status.ToString();
  EXPECT_FALSE(ParseServersState("Permission denied\n", rows).ok());
}

}  // namespace
}  // namespace ebb::lb::haproxy
