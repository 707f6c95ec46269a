// The analyzer on the real logs and fixtures in ../shared/data/haproxy/logs (README there).
#include "tools/logstat/log_analyzer.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "tools/logstat/log_reader.h"

namespace ebb::logstat {
namespace {

const std::string kLogs = std::string(EBB_SHARED_DATA_DIR) + "/haproxy/logs/";

LogReport Analyze(const std::string& path, AnalyzerOptions options = {}) {
  LogAnalyzer analyzer(options);
  analyzer.BeginSource(path);
  const core::Status status =
      ReadLogFile(path, [&analyzer](std::string_view text) { analyzer.AddText(text); });
  EXPECT_TRUE(status.ok()) << status.ToString();
  return analyzer.Finish();
}

LogReport AnalyzeText(std::string_view text, AnalyzerOptions options = {}) {
  LogAnalyzer analyzer(options);
  analyzer.BeginSource("text");
  analyzer.AddText(text);
  return analyzer.Finish();
}

TEST(LogAnalyzerTest, GforcadaSmallCountsEveryLineAndServer) {
  const LogReport r = Analyze(kLogs + "fixtures/gforcada_small.log");
  EXPECT_EQ(r.lines, 9u);
  EXPECT_EQ(r.parsed, 9u);  // valid_lines 9, command_counter 9
  EXPECT_EQ(r.invalid, 0u);
  EXPECT_EQ(r.total.requests, 9u);
  ASSERT_EQ(r.backends.size(), 1u);
  const BackendReport& b = r.backends.at("default");
  EXPECT_EQ(b.stats.requests, 9u);
  EXPECT_EQ(b.servers.at("instance1").requests, 4u);  // counter with filter server=instance1
  EXPECT_EQ(r.total.requests - b.servers.at("instance1").requests, 5u);  // negated filter
  EXPECT_EQ(b.servers.at("instance2").requests, 3u);
  EXPECT_EQ(b.servers.at("instance3").requests, 2u);
  // Status 200 x2, 300 x4, 404 x3.
  EXPECT_EQ(r.total.status_counts[200 + 1], 2u);
  EXPECT_EQ(r.total.status_counts[300 + 1], 4u);
  EXPECT_EQ(r.total.status_counts[404 + 1], 3u);
  // Tr of the 9 lines: exact statistics.
  const TimerSummary tr = r.total.service_time.Summarize();
  EXPECT_EQ(tr.count, 9u);
  EXPECT_EQ(tr.min, 4);
  EXPECT_EQ(tr.max, 29408);
  EXPECT_DOUBLE_EQ(tr.mean, (201 + 2942 + 94 + 1293 + 20095 + 2936 + 4 + 29408 + 409) / 9.0);
  EXPECT_EQ(tr.p50, 1293);  // sorted: 4 94 201 409 1293 2936 2942 20095 29408
  // Two requests answered in more than 5 s? No: Tt is 430/437; SLA violations are none.
  EXPECT_EQ(r.total.sla_violations, 0u);
}

TEST(LogAnalyzerTest, GforcadaOneInvalidLineIsReportedWithItsNumber) {
  const std::string path = kLogs + "fixtures/gforcada_2_ok_1_invalid.log";
  const LogReport r = Analyze(path);
  EXPECT_EQ(r.lines, 3u);
  EXPECT_EQ(r.parsed, 2u);
  EXPECT_EQ(r.invalid, 1u);
  ASSERT_EQ(r.invalid_examples.size(), 1u);
  EXPECT_EQ(r.invalid_examples[0].source, path);
  EXPECT_EQ(r.invalid_examples[0].line, 2u);
  EXPECT_EQ(r.invalid_examples[0].field, "accept_date");
}

TEST(LogAnalyzerTest, FilebeatVariantsAllParse) {
  const LogReport r = Analyze(kLogs + "fixtures/filebeat_haproxy.log");
  EXPECT_EQ(r.lines, 11u);
  EXPECT_EQ(r.parsed, 11u);
  EXPECT_EQ(r.invalid, 0u);
  EXPECT_EQ(r.backends.at("app").stats.requests, 8u);
  EXPECT_EQ(r.backends.at("app").servers.at("node16").requests, 3u);
}

std::uint64_t State(const RequestStats& s, std::string_view state) {
  for (const auto& [key, n] : s.termination) {
    if (std::string_view(reinterpret_cast<const char*>(&key), 4) == state) return n;
  }
  return 0;
}

TEST(LogAnalyzerTest, No7dwRealLog) {
  const LogReport r = Analyze(kLogs + "real/no7dw_haproxy_2014-12-24.log");
  EXPECT_EQ(r.lines, 10193u);
  EXPECT_EQ(r.invalid, 0u);
  EXPECT_EQ(r.lines, r.parsed + r.other);
  EXPECT_EQ(r.total.status_counts[200 + 1], 4952u);
  EXPECT_EQ(r.total.status_counts[404 + 1], 4677u);
  EXPECT_EQ(r.total.status_counts[304 + 1], 444u);
  EXPECT_EQ(State(r.total, "----"), 10088u);
  EXPECT_EQ(State(r.total, "PR--"), 6u);
  EXPECT_EQ(State(r.total, "SH--"), 5u);
  EXPECT_GT(State(r.total, "SC--"), 0u);
  EXPECT_GT(State(r.total, "CR--"), 0u);
  EXPECT_GT(State(r.total, "CH--"), 0u);
  const BackendReport& b = r.backends.at("finance_invest_server");
  EXPECT_GT(b.servers.at("tiger_node_8003").requests, 10000u);
  // Every request is in exactly one backend and one server.
  std::uint64_t sum = 0;
  for (const auto& [name, backend] : r.backends) {
    std::uint64_t servers = 0;
    for (const auto& [server, stats] : backend.servers) servers += stats.requests;
    EXPECT_EQ(servers, backend.stats.requests) << name;
    sum += backend.stats.requests;
  }
  EXPECT_EQ(sum, r.parsed);
  const TimerSummary tr = r.total.service_time.Summarize();
  EXPECT_EQ(tr.count + r.total.service_time_missing, r.parsed);
  EXPECT_GT(r.total.service_time_missing, 0u);
}

TEST(LogAnalyzerTest, Raravena80RealLogMinusOneTimersAreCountedApart) {
  const LogReport r = Analyze(kLogs + "real/raravena80_haproxy_2012-02.log");
  EXPECT_EQ(r.lines, 17211u);
  EXPECT_EQ(r.parsed, 17211u);
  EXPECT_EQ(State(r.total, "PR--"), 7858u);
  EXPECT_EQ(State(r.total, "----"), 7176u);
  EXPECT_EQ(State(r.total, "CD--"), 2167u);
  EXPECT_EQ(State(r.total, "cD--"), 8u);
  EXPECT_EQ(State(r.total, "SH--"), 2u);
  // The PR-- lines have Tr = -1: missing, not averaged in.
  EXPECT_GE(r.total.service_time_missing, 7858u);
  EXPECT_EQ(r.total.service_time.Summarize().count + r.total.service_time_missing, r.parsed);
  EXPECT_GE(r.total.service_time.Summarize().min, 0);
  // Aborted: CD-- and cD--.
  EXPECT_EQ(r.total.aborted, 2167u + 8u);
  EXPECT_GE(r.total.sla_violations, r.total.aborted);
  const BackendReport& b = r.backends.at("ProductionDeployment");
  EXPECT_EQ(b.servers.size(), 3u);  // GW1, GW2, <NOSRV>
  EXPECT_EQ(b.servers.at("<NOSRV>").service_time.Summarize().count, 0u);
}

TEST(LogAnalyzerTest, SlaViolationsCountEachRequestOnce) {
  const std::string head = "1.2.3.4:5 [01/Jan/2020:00:00:00.000] f b/s ";
  const std::string tail = " - - ---- 1/1/1/1/0 0/0 \"GET / HTTP/1.1\"\n";
  const LogReport r = AnalyzeText(head + "0/0/0/10/6000 200 1" + tail +      // slow
                                      head + "0/0/0/10/6000 503 1" + tail +  // slow and 5xx
                                      head + "0/0/0/10/20 200 1" + tail +    // fine
                                      "1.2.3.4:5 [01/Jan/2020:00:00:01.500] f b/s 0/0/0/-1/20 "
                                      "-1 0 - - CD-- 1/1/1/1/0 0/0 \"GET / HTTP/1.1\"\n",
                                  {.sla_ms = 5000});
  EXPECT_EQ(r.parsed, 4u);
  EXPECT_EQ(r.total.slow, 2u);
  EXPECT_EQ(r.total.server_errors, 1u);
  EXPECT_EQ(r.total.aborted, 1u);
  EXPECT_EQ(r.total.sla_violations, 3u);
  EXPECT_EQ(r.total.service_time_missing, 1u);
  EXPECT_EQ(r.total.status_counts[0], 1u);  // status -1
  const nlohmann::json j = ToJson(r);
  EXPECT_EQ(j["status"]["-1"], 1);
  EXPECT_EQ(j["sla_violations"], 3);
  EXPECT_EQ(j["service_time_ms"]["missing"], 1);
}

TEST(LogAnalyzerTest, JsonHasEveryField) {
  const nlohmann::json j = ToJson(Analyze(kLogs + "fixtures/gforcada_small.log"));
  for (const char* key : {"lines", "parsed", "invalid", "other", "status", "termination",
                          "service_time_ms", "response_time_ms", "sla_violations", "backends"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  for (const char* timer : {"service_time_ms", "response_time_ms"}) {
    for (const char* key :
         {"count", "mean", "variance", "min", "max", "scv", "p50", "p95", "p99", "missing"}) {
      EXPECT_TRUE(j[timer].contains(key)) << timer << "." << key;
      EXPECT_TRUE(j["backends"]["default"][timer].contains(key)) << timer << "." << key;
      EXPECT_TRUE(j["backends"]["default"]["servers"]["instance1"][timer].contains(key));
    }
  }
  EXPECT_EQ(j["status"]["300"], 4);
  EXPECT_EQ(j["termination"]["----"], 9);
  EXPECT_EQ(j["backends"]["default"]["servers"]["instance1"]["requests"], 4);
}

TEST(LogAnalyzerTest, PerSecondCsvIsSortedAndReadable) {
  const std::string head = " f b/s 0/0/0/10/20 200 1 - - ---- 1/1/1/1/0 0/0 \"GET / HTTP/1.1\"\n";
  const LogReport r = AnalyzeText("1.2.3.4:5 [01/Jan/2020:00:00:02.100]" + head +
                                      "1.2.3.4:5 [01/Jan/2020:00:00:00.900]" + head +
                                      "1.2.3.4:5 [01/Jan/2020:00:00:02.999]" + head,
                                  {.per_second = true});
  ASSERT_EQ(r.per_second.size(), 2u);
  const std::string path =
      (std::filesystem::temp_directory_path() / ("logstat_" + std::to_string(getpid()) + ".csv"))
          .string();
  ASSERT_TRUE(WritePerSecondCsv(r, path).ok());
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  EXPECT_EQ(s.str(), "unix_time,requests\n1577836800,1\n1577836802,2\n");
  std::remove(path.c_str());
  EXPECT_FALSE(WritePerSecondCsv(r, "/nonexistent/dir/x.csv").ok());
}

TEST(LogAnalyzerTest, FormatTableNamesBackendsAndServers) {
  const std::string table = FormatTable(Analyze(kLogs + "fixtures/gforcada_small.log"));
  EXPECT_NE(table.find("default"), std::string::npos);
  EXPECT_NE(table.find("  instance1"), std::string::npos);
  EXPECT_NE(table.find("parsed 9"), std::string::npos);
}

}  // namespace
}  // namespace ebb::logstat
