#include "power/wol_power_driver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "power/power_test_util.h"

namespace ebb::power {
namespace {

using ::testing::HasSubstr;

struct MacRow {
  std::string text;
  bool ok;
};

TEST(ParseMacTest, AcceptsColonsOrDashes) {
  const std::vector<MacRow> rows = {
      {"aa:bb:cc:dd:ee:ff", true},  {"AA-BB-CC-DD-EE-FF", true},
      {"00:1a:2B:3c:4D:5e", true},  {"", false},
      {"aa:bb:cc:dd:ee", false},    {"aa:bb:cc:dd:ee:ff:00", false},
      {"aa:bb-cc:dd:ee:ff", false}, {"aa.bb.cc.dd.ee.ff", false},
      {"gg:bb:cc:dd:ee:ff", false}, {"aabbccddeeff", false},
      {"a:bb:cc:dd:ee:fff", false},
  };
  for (const MacRow& row : rows) {
    core::Result<MacAddress> mac = ParseMac(row.text);
    EXPECT_EQ(mac.ok(), row.ok) << row.text;
    if (!mac.ok()) {
      EXPECT_EQ(mac.status().code(), core::StatusCode::kInvalidArgument);
    }
  }
  EXPECT_EQ(*ParseMac("00:1a:2B:3c:4D:5e"), (MacAddress{0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e}));
}

TEST(MagicPacketTest, SixFfThenTheMacSixteenTimes) {
  const MacAddress mac = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06};
  const std::array<std::uint8_t, 102> packet = MagicPacket(mac);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(packet[i], 0xFF);
  for (int r = 0; r < 16; ++r) {
    for (int i = 0; i < 6; ++i) EXPECT_EQ(packet[6 + r * 6 + i], mac[i]);
  }
}

// A UDP socket on 127.0.0.1 standing in for the LAN.
class LoopbackReceiver {
 public:
  LoopbackReceiver() {
    fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~LoopbackReceiver() { close(fd_); }
  int port() const { return port_; }
  // One datagram, or empty after `limit_ms`.
  std::vector<std::uint8_t> Receive(int limit_ms = 10000) {
    pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
    if (poll(&p, 1, limit_ms) != 1) return {};
    std::vector<std::uint8_t> buffer(2048);
    const ssize_t n = recv(fd_, buffer.data(), buffer.size(), 0);
    buffer.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return buffer;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

CommandTemplate Template(const std::vector<std::string>& argv) {
  core::Result<CommandTemplate> t = CommandTemplate::Parse("power.off", argv);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? std::move(t).value() : CommandTemplate();
}

TEST(WolPowerDriverTest, SendsTheMagicPacket) {
  LoopbackReceiver receiver;
  SteadyClock clock;
  WolPowerDriver driver(
      {.address = "127.0.0.1", .port = receiver.port(), .off = Template({"/bin/true"})}, clock);
  const core::NodeSpec node = {.name = "web1", .mac = "52-54-00-AB-cd-01"};
  driver.Start(7, node, PowerAction::kOn);
  std::vector<PowerCompletion> out = WaitForCompletions(driver, 1);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].node, 7);
  EXPECT_TRUE(out[0].status.ok()) << out[0].status.ToString();

  const std::vector<std::uint8_t> packet = receiver.Receive();
  ASSERT_EQ(packet.size(), 102u);
  const MacAddress mac = {0x52, 0x54, 0x00, 0xab, 0xcd, 0x01};
  const std::array<std::uint8_t, 102> expected = MagicPacket(mac);
  EXPECT_TRUE(std::equal(packet.begin(), packet.end(), expected.begin()));
  EXPECT_EQ(driver.DescribeCommand(node, PowerAction::kOn),
            "wake-on-lan 52-54-00-AB-cd-01 via 127.0.0.1:" + std::to_string(receiver.port()));
}

TEST(WolPowerDriverTest, BadOrMissingMacFailsNamingTheNode) {
  SteadyClock clock;
  WolPowerDriver driver({.address = "127.0.0.1", .port = 9, .off = Template({"/bin/true"})}, clock);
  driver.Start(0, {.name = "web1", .mac = "zz:bb:cc:dd:ee:ff"}, PowerAction::kOn);
  driver.Start(1, {.name = "web2"}, PowerAction::kOn);
  std::vector<PowerCompletion> out;
  driver.TakeCompletions(out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].status.code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(out[0].status.message(), HasSubstr("node web1: mac: 'zz:bb:cc:dd:ee:ff'"));
  EXPECT_THAT(out[1].status.message(), HasSubstr("node web2: no mac"));
}

TEST(WolPowerDriverTest, OffRunsTheCommandAndOnWaitsForIt) {
  LoopbackReceiver receiver;
  SteadyClock clock;
  WolPowerDriver driver(
      {.address = "127.0.0.1", .port = receiver.port(), .off = Template({"/bin/sleep", "1"})},
      clock);
  const core::NodeSpec node = {.name = "web1", .mac = "aa:bb:cc:dd:ee:ff"};
  driver.Start(0, node, PowerAction::kOff);
  driver.Start(0, node, PowerAction::kOn);
  std::vector<PowerCompletion> out;
  driver.TakeCompletions(out);
  EXPECT_TRUE(out.empty()) << "the packet must wait for the running off command";
  EXPECT_TRUE(receiver.Receive(/*limit_ms=*/0).empty());
  out = WaitForCompletions(driver, 2);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].action, PowerAction::kOff);
  EXPECT_TRUE(out[0].status.ok()) << out[0].status.ToString();
  EXPECT_EQ(out[1].action, PowerAction::kOn);
  EXPECT_TRUE(out[1].status.ok()) << out[1].status.ToString();
  EXPECT_EQ(receiver.Receive().size(), 102u);
}

TEST(WolPowerDriverTest, ValidatesTheTarget) {
  EXPECT_TRUE(ValidateWolTarget("255.255.255.255", 9).ok());
  EXPECT_THAT(ValidateWolTarget("broadcast", 9).message(), HasSubstr("power.wol_address"));
  EXPECT_THAT(ValidateWolTarget("::1", 9).message(), HasSubstr("power.wol_address"));
  EXPECT_THAT(ValidateWolTarget("10.0.0.255", 0).message(), HasSubstr("power.wol_port"));
  EXPECT_THAT(ValidateWolTarget("10.0.0.255", 65536).message(), HasSubstr("power.wol_port"));
}

}  // namespace
}  // namespace ebb::power
