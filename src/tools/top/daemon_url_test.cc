// ParseDaemonUrl: one row per accepted or rejected form.
#include "tools/top/daemon_url.h"

#include <string>

#include <gtest/gtest.h>

namespace ebb::top {
namespace {

struct Accepted {
  std::string text;
  std::string host;
  int port;
  std::string status_path;
  std::string status_url;
};

TEST(DaemonUrlTest, AcceptsHttpUrlsAndBareAddresses) {
  const Accepted rows[] = {
      {"http://127.0.0.1:9180", "127.0.0.1", 9180, "/status", "http://127.0.0.1:9180/status"},
      {"http://127.0.0.1:9180/", "127.0.0.1", 9180, "/status", "http://127.0.0.1:9180/status"},
      {"HTTP://Host.example", "Host.example", 80, "/status", "http://Host.example:80/status"},
      {"localhost:9999", "localhost", 9999, "/status", "http://localhost:9999/status"},
      {"localhost", "localhost", 9180, "/status", "http://localhost:9180/status"},
      {"http://h:1/ebb/", "h", 1, "/ebb/status", "http://h:1/ebb/status"},
      {"http://h:1/a/b/status", "h", 1, "/a/b/status", "http://h:1/a/b/status"},
      {"http://h:1/status", "h", 1, "/status", "http://h:1/status"},
      {"http://[::1]:9180", "::1", 9180, "/status", "http://[::1]:9180/status"},
  };
  for (const Accepted& row : rows) {
    SCOPED_TRACE(row.text);
    const core::Result<DaemonUrl> url = ParseDaemonUrl(row.text);
    ASSERT_TRUE(url.ok()) << url.status().ToString();
    EXPECT_EQ(url->host, row.host);
    EXPECT_EQ(url->port, row.port);
    EXPECT_EQ(url->StatusPath(), row.status_path);
    EXPECT_EQ(url->StatusUrl(), row.status_url);
  }
}

TEST(DaemonUrlTest, RejectsWhatIsNotPlainHttpWithAClearMessage) {
  const std::pair<std::string, std::string> rows[] = {
      {"", "empty"},
      {"https://h:1", "scheme \"https\" is not supported, only http"},
      {"ftp://h", "only http"},
      {"http://", "no host"},
      {"http://:9180", "no host"},
      {"http://h:0", "port \"0\" is not a number in 1..65535"},
      {"http://h:65536", "1..65535"},
      {"http://h:12x", "port \"12x\""},
      {"http://h:", "port \"\""},
      {"http://user@h:1", "user information"},
      {"http://h:1/status?x=1", "a query is not allowed"},
      {"http://h:1/#top", "a fragment is not allowed"},
      {"http://h_h:1", "characters outside [A-Za-z0-9.-]"},
      {"http://h:1/a b", "spaces, control and non-ASCII"},
      {"http://[::1", "unterminated [IPv6] host"},
      {"http://[zz]:1", "bad IPv6 host"},
      {"http://h:1/a//b", "empty path segment"},
  };
  for (const auto& [text, message] : rows) {
    SCOPED_TRACE(text);
    const core::Result<DaemonUrl> url = ParseDaemonUrl(text);
    ASSERT_FALSE(url.ok());
    EXPECT_EQ(url.status().code(), core::StatusCode::kInvalidArgument);
    EXPECT_NE(url.status().message().find(message), std::string::npos) << url.status().message();
    EXPECT_NE(url.status().message().find("bad daemon URL"), std::string::npos);
  }
}

}  // namespace
}  // namespace ebb::top
