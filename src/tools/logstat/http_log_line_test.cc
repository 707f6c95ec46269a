#include "tools/logstat/http_log_line.h"

#include <deque>
#include <string>

#include <gtest/gtest.h>

namespace ebb::logstat {
namespace {

constexpr char kSyslog[] = "Dec  9 13:01:26 localhost haproxy[28029]: ";
constexpr char kPayload[] =
    "127.0.0.1:2345 [09/Dec/2013:12:59:46.633] loadbalancer default/instance8 "
    "0/51536/1/48082/99627 200 83285 - - ---- 87/89/98/1/20 2/67 {77.24.148.74} "
    "\"GET /path/to/image HTTP/1.1\"";

// The parsed views point into the line, so the lines outlive the test.
HttpLogLine MustParse(std::string text) {
  static std::deque<std::string> lines;
  const std::string& line = lines.emplace_back(std::move(text));
  HttpLogLine out;
  const ParseResult r = ParseHttpLogLine(line, out);
  EXPECT_EQ(r.kind, LineKind::kHttp) << r.error_field << ": " << line;
  return out;
}

// gforcada/haproxy_log_analysis conftest DEFAULT_DATA (see gforcada_expected.json).
TEST(HttpLogLineTest, DefaultDataLineHasEveryField) {
  const HttpLogLine l = MustParse(std::string(kSyslog) + kPayload);
  EXPECT_EQ(l.client_ip, "127.0.0.1");
  EXPECT_EQ(l.client_port, 2345);
  EXPECT_EQ(l.accept_date, "09/Dec/2013:12:59:46.633");
  EXPECT_EQ(l.frontend, "loadbalancer");
  EXPECT_EQ(l.backend, "default");
  EXPECT_EQ(l.server, "instance8");
  EXPECT_EQ(l.tq, 0);
  EXPECT_EQ(l.tw, 51536);
  EXPECT_EQ(l.tc, 1);
  EXPECT_EQ(l.tr, 48082);
  EXPECT_EQ(l.tt, 99627);
  EXPECT_EQ(l.status, 200);
  EXPECT_EQ(l.bytes_read, 83285);
  EXPECT_EQ(l.termination_state, "----");
  EXPECT_EQ(l.actconn, 87);
  EXPECT_EQ(l.feconn, 89);
  EXPECT_EQ(l.beconn, 98);
  EXPECT_EQ(l.srv_conn, 1);
  EXPECT_EQ(l.retries, 20);
  EXPECT_EQ(l.srv_queue, 2);
  EXPECT_EQ(l.backend_queue, 67);
  EXPECT_EQ(l.captured_request_headers, "77.24.148.74");
  EXPECT_EQ(l.captured_response_headers, "");
  EXPECT_EQ(l.http_request, "GET /path/to/image HTTP/1.1");
  const HttpRequestParts parts = SplitHttpRequest(l.http_request);
  EXPECT_EQ(parts.method, "GET");
  EXPECT_EQ(parts.path, "/path/to/image");
  EXPECT_EQ(parts.protocol, "HTTP/1.1");
  // 2013-12-09 12:59:46.633 UTC.
  EXPECT_EQ(l.accept_unix_ms, 1386593986633);
}

TEST(HttpLogLineTest, SameFieldsWithoutSyslogHeader) {
  const HttpLogLine l = MustParse(kPayload);
  EXPECT_EQ(l.client_ip, "127.0.0.1");
  EXPECT_EQ(l.tr, 48082);
  EXPECT_EQ(l.backend_server, "default/instance8");
}

TEST(HttpLogLineTest, Rfc3339SyslogHeaderAndTrailingTlsFields) {
  const HttpLogLine l = MustParse(
      "2021-12-15T16:55:18+01:00 host.example.com haproxy[20560]: 1.2.3.4:27368 "
      "[15/Dec/2021:16:55:17.995] frontendname~ backendname/server1 24/0/0/3/27 304 453 - - ---- "
      "27/1/1/0/0 0/0 {|Mozilla/5.0 (Windows NT 10.0; Win64; x64)} \"GET /image.png HTTP/1.1\" "
      "TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 R-<someID>");
  EXPECT_EQ(l.frontend, "frontendname~");
  EXPECT_EQ(l.captured_request_headers, "|Mozilla/5.0 (Windows NT 10.0; Win64; x64)");
  EXPECT_EQ(l.http_request, "GET /image.png HTTP/1.1");
  EXPECT_EQ(l.tt, 27);
}

TEST(HttpLogLineTest, Ipv6Client) {
  const HttpLogLine l = MustParse(
      "2001:db8::8a2e:370:7334:51234 [09/Dec/2013:12:59:46.633] fe be/s1 0/0/1/2/3 200 10 - - "
      "---- 1/1/1/1/0 0/0 \"GET / HTTP/1.1\"");
  EXPECT_EQ(l.client_ip, "2001:db8::8a2e:370:7334");
  EXPECT_EQ(l.client_port, 51234);
  const HttpLogLine loopback = MustParse(std::string(kSyslog) +
                                         "::1:80 [09/Dec/2013:12:59:46.633] fe be/s1 0/0/1/2/3 "
                                         "200 10 - - ---- 1/1/1/1/0 0/0 \"GET / HTTP/1.1\"");
  EXPECT_EQ(loopback.client_ip, "::1");
  EXPECT_EQ(loopback.client_port, 80);
}

TEST(HttpLogLineTest, TwoCapturedHeaderBlocks) {
  const HttpLogLine l = MustParse(
      "1.128.3.4:38862 [30/Jul/2018:09:03:52.726] incoming~ docs/docs 0/0/1/0/2 304 168 - - ---- "
      "6/6/0/0/0 0/0 {docs.example.internal||} {|||} \"GET /a.js HTTP/1.1\"");
  EXPECT_EQ(l.captured_request_headers, "docs.example.internal||");
  EXPECT_EQ(l.captured_response_headers, "|||");
}

TEST(HttpLogLineTest, Haproxy14And15TimersUseTheSamePositions) {
  // 1.4: Tq/Tw/Tc/Tr/Tt; 1.5+: TR/Tw/Tc/Tr/Ta. The service time is the 4th field, the
  // response time the 5th, in both.
  for (const char* timers : {"10/0/1/20/31", "10/0/1/20/31"}) {
    const HttpLogLine l = MustParse(std::string("1.2.3.4:5 [01/Jan/2020:00:00:00.000] f b/s ") +
                                    timers + " 200 1 - - ---- 1/1/1/1/0 0/0 \"GET / HTTP/1.1\"");
    EXPECT_EQ(l.tq, 10);
    EXPECT_EQ(l.tr, 20);
    EXPECT_EQ(l.tt, 31);
  }
}

TEST(HttpLogLineTest, MinusOneTimersAndNoServer) {
  const HttpLogLine l = MustParse(
      "Dec 24 01:09:17 localhost haproxy[42949]: 113.142.18.121:55274 [24/Dec/2014:01:09:17.440] "
      "node_server_in node_server_in/<NOSRV> -1/-1/-1/-1/0 400 187 - - PR-- 0/0/0/0/0 0/0 "
      "\"<BADREQ>\"");
  EXPECT_EQ(l.tq, -1);
  EXPECT_EQ(l.tr, -1);
  EXPECT_EQ(l.tt, 0);
  EXPECT_EQ(l.server, "<NOSRV>");
  EXPECT_EQ(l.termination_state, "PR--");
  EXPECT_EQ(l.http_request, "<BADREQ>");
}

TEST(HttpLogLineTest, LogasapPlusSignsAndRedispatch) {
  const HttpLogLine l = MustParse(
      "1.2.3.4:5 [01/Jan/2020:00:00:00.000] f b/s 0/0/1/20/+31 200 +1000 - - ---- 1/1/1/1/+1 0/0 "
      "\"GET / HTTP/1.1\"");
  EXPECT_EQ(l.tt, 31);
  EXPECT_TRUE(l.tt_logasap);
  EXPECT_EQ(l.bytes_read, 1000);
  EXPECT_EQ(l.retries, 1);
  EXPECT_TRUE(l.redispatched);
}

TEST(HttpLogLineTest, StatusMinusOneAndTruncatedRequest) {
  const HttpLogLine l = MustParse(
      "1.2.3.4:5 [01/Jan/2020:00:00:00.000] f b/s 0/0/1/-1/31 -1 0 - - CD-- 1/1/1/1/0 0/0 "
      "\"GET /very/long/path");
  EXPECT_EQ(l.status, -1);
  EXPECT_EQ(l.http_request, "GET /very/long/path");
}

TEST(HttpLogLineTest, ExtraCustomFieldBeforeTimersAndDashClient) {
  const HttpLogLine l = MustParse(
      "May 22 02:22:22 server1 haproxy[5089]: -:22222 [22/May/2021:02:22:22.222] www-https~ "
      "myapp/node2 site.domain.com 0/0/0/18/18 200 200 - - ---- 222/222/2/0/0 0/0 "
      "\"OPTIONS /api/v2/app/ HTTP/1.1\"");
  EXPECT_EQ(l.client_ip, "-");
  EXPECT_EQ(l.server, "node2");
  EXPECT_EQ(l.tr, 18);
}

TEST(HttpLogLineTest, CrlfLineEnd) {
  const HttpLogLine l = MustParse(std::string(kPayload) + "\r");
  EXPECT_EQ(l.http_request, "GET /path/to/image HTTP/1.1");
}

TEST(HttpLogLineTest, NonHttpSyslogLinesAreOther) {
  HttpLogLine l;
  for (const char* line :
       {"Dec 24 03:02:22 localhost haproxy[42949]: Connect from 141.212.121.33:43288 to "
        "14.17.96.17:443 (https-in/HTTP)",
        "Dec 24 14:18:27 localhost haproxy[42949]: backend finance_koala_server has no server "
        "available!",
        "<134>Dec 24 14:18:27 localhost haproxy: Proxy fe started.", "", "   "}) {
    EXPECT_EQ(ParseHttpLogLine(line, l).kind, LineKind::kOther) << line;
  }
}

TEST(HttpLogLineTest, InvalidLinesNameTheField) {
  struct Case {
    std::string line;
    std::string_view field;
  };
  const std::string date = "1.2.3.4:5 [01/Jan/2020:00:00:00.000] ";
  const std::string tail = " 200 1 - - ---- 1/1/1/1/0 0/0 \"GET / HTTP/1.1\"";
  const Case cases[] = {
      {"hello world", "accept_date"},
      {"Dec  9 13:01:26 localhost haproxy[28029]: 127.0.0.1:38401 [] lb default/i6 0/0/0/155/156 "
       "302 15987 - - ---- 18/18/18/0/0 0/0 \"GET / HTTP/1.1\"",
       "accept_date"},
      {"1.2.3.4:5 [01/Foo/2020:00:00:00.000] f b/s 0/0/1/2/3" + tail, "accept_date"},
      {"1.2.3.4 [01/Jan/2020:00:00:00.000] f b/s 0/0/1/2/3" + tail, "client"},
      {date + "f bs 0/0/1/2/3" + tail, "backend/server"},
      {date + "f b/s 0/0/1/2" + tail, "timers"},
      {date + "f b/s 0/0/x/2/3" + tail, "timers"},
      {date + "f b/s 0/0/1/-2/3" + tail, "timers"},
      {date + "f b/s 0/0/1/2/3 2OO 1 - - ---- 1/1/1/1/0 0/0 \"GET / HTTP/1.1\"", "status"},
      {date + "f b/s 0/0/1/2/3 200 1 - - --- 1/1/1/1/0 0/0 \"GET / HTTP/1.1\"",
       "termination_state"},
      {date + "f b/s 0/0/1/2/3 200 1 - - ---- 1/1/1/0 0/0 \"GET / HTTP/1.1\"", "connections"},
      // Too large for a 32-bit count: invalid, not silently cut to 1.
      {date + "f b/s 0/0/1/2/3 200 1 - - ---- 4294967297/1/1/0/0 0/0 \"GET / HTTP/1.1\"",
       "connections"},
      {date + "f b/s 0/0/1/2/3 200 1 - - ---- 1/1/1/0/0 0/4294967297 \"GET / HTTP/1.1\"", "queues"},
      {date + "f b/s 0/0/1/2/3 200 1 - - ---- 1/1/1/1/0 0/0 {abc \"GET / HTTP/1.1\"",
       "captured_headers"},
      {date + "f b/s 0/0/1/2/3 200 1 - - ---- 1/1/1/1/0 0/0", "http_request"},
  };
  for (const Case& c : cases) {
    HttpLogLine l;
    const ParseResult r = ParseHttpLogLine(c.line, l);
    EXPECT_EQ(r.kind, LineKind::kInvalid) << c.line;
    EXPECT_EQ(r.error_field, c.field) << c.line;
  }
}

TEST(AcceptDateTest, ReadsUtcWithAndWithoutMilliseconds) {
  std::int64_t ms = 0;
  ASSERT_TRUE(ParseAcceptDate("01/Jan/1970:00:00:00.000", ms));
  EXPECT_EQ(ms, 0);
  ASSERT_TRUE(ParseAcceptDate("29/Feb/2024:23:59:59.999", ms));
  EXPECT_EQ(ms, 1709251199999);
  ASSERT_TRUE(ParseAcceptDate("29/Feb/2024:23:59:59", ms));
  EXPECT_EQ(ms, 1709251199000);
  EXPECT_FALSE(ParseAcceptDate("", ms));
  EXPECT_FALSE(ParseAcceptDate("32/Jan/2020:00:00:00.000", ms));
  EXPECT_FALSE(ParseAcceptDate("01/Jan/2020:24:00:00.000", ms));
  EXPECT_FALSE(ParseAcceptDate("01/Jan/2020 00:00:00.000", ms));
}

}  // namespace
}  // namespace ebb::logstat
