#include "tools/replay/http_url.h"

#include <string>

#include <gtest/gtest.h>

namespace ebb::replay {
namespace {

struct GoodCase {
  const char* text;
  const char* host;
  int port;
  const char* path;
  const char* host_header;
};

TEST(HttpUrlTest, AcceptsHttpUrls) {
  const GoodCase cases[] = {
      {"http://127.0.0.1:8080/", "127.0.0.1", 8080, "/", "127.0.0.1:8080"},
      {"http://127.0.0.1:8080", "127.0.0.1", 8080, "/", "127.0.0.1:8080"},
      {"http://localhost/index.html", "localhost", 80, "/index.html", "localhost"},
      {"HTTP://Example.org:81/a/b?x=1&y=2", "Example.org", 81, "/a/b?x=1&y=2", "Example.org:81"},
      {"http://host:9?q", "host", 9, "/?q", "host:9"},
      {"http://[::1]:8080/x", "::1", 8080, "/x", "[::1]:8080"},
      {"http://[::1]/", "::1", 80, "/", "[::1]"},
      {"http://h:65535/", "h", 65535, "/", "h:65535"},
  };
  for (const GoodCase& c : cases) {
    SCOPED_TRACE(c.text);
    auto url = ParseHttpUrl(c.text);
    ASSERT_TRUE(url.ok()) << url.status().ToString();
    EXPECT_EQ(url->host, c.host);
    EXPECT_EQ(url->port, c.port);
    EXPECT_EQ(url->path, c.path);
    EXPECT_EQ(url->HostHeader(), c.host_header);
  }
}

struct BadCase {
  const char* text;
  const char* message_part;
};

TEST(HttpUrlTest, RejectsEverythingElseWithAReason) {
  const BadCase cases[] = {
      {"", "empty"},
      {"127.0.0.1:8080/", "no scheme"},
      {"https://127.0.0.1/", "\"https\" is not supported"},
      {"ftp://127.0.0.1/", "\"ftp\" is not supported"},
      {"file:///etc/passwd", "\"file\" is not supported"},
      {"http:/127.0.0.1/", "no scheme"},
      {"http://", "no host"},
      {"http://:80/", "no host"},
      {"http://user:pw@127.0.0.1/", "user information"},
      {"http://127.0.0.1:/", "port"},
      {"http://127.0.0.1:0/", "port"},
      {"http://127.0.0.1:65536/", "port"},
      {"http://127.0.0.1:80a/", "port"},
      {"http://127.0.0.1:-1/", "port"},
      {"http://127.0.0.1:080080/", "port"},
      {"http://127.0.0.1/a b", "spaces"},
      {"http://127.0.0.1/a\tb", "spaces"},
      {"http://127.0.0.1/#frag", "fragment"},
      {"http://ho_st/", "characters outside"},
      {"http://[::1/", "unterminated"},
      {"http://[zz]/", "IPv6"},
      {"http://[::1]x/", "after ]"},
      {"http://h\xc3\xa9/", "non-ASCII"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.text);
    auto url = ParseHttpUrl(c.text);
    ASSERT_FALSE(url.ok());
    EXPECT_EQ(url.status().code(), core::StatusCode::kInvalidArgument);
    EXPECT_NE(url.status().message().find(c.message_part), std::string::npos)
        << url.status().message();
  }
}

TEST(HttpUrlTest, ResolvesNumericHosts) {
  auto url = ParseHttpUrl("http://127.0.0.1:8080/");
  ASSERT_TRUE(url.ok());
  auto address = ResolveHttpUrl(*url);
  ASSERT_TRUE(address.ok()) << address.status().ToString();
  EXPECT_EQ(address->storage.ss_family, AF_INET);
  EXPECT_EQ(ntohs(reinterpret_cast<const sockaddr_in*>(&address->storage)->sin_port), 8080);
}

}  // namespace
}  // namespace ebb::replay
