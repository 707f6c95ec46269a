// The `show stat` parser on real captures (HAProxy 1.5-dev18, 2.7.1, the demo.haproxy.org page,
// datadog's edge cases), on corrupted rows, and the status words table.
#include "lb/haproxy/show_stat_parser.h"

#include <string>

#include <gtest/gtest.h>

#include "testing/command.h"

namespace ebb::lb::haproxy {
namespace {

std::string Capture(const std::string& name) {
  const std::string text =
      ebb::testing::ReadFile(std::string(EBB_SHARED_DATA_DIR) + "/haproxy/stats/" + name);
  EXPECT_FALSE(text.empty()) << name;
  return text;
}

const StatRow* FindRow(const ShowStatTable& table, std::string_view px, std::string_view sv) {
  for (const StatRow& row : table.rows) {
    if (row.pxname == px && row.svname == sv) return &row;
  }
  return nullptr;
}

TEST(ShowStatParserTest, Haproxy15Capture) {
  const std::string reply = Capture("observing_haproxy_1.5-dev18_show_stat.csv");
  ShowStatTable table;
  ASSERT_TRUE(ParseShowStat(reply, table).ok());
  EXPECT_TRUE(table.errors.empty());
  ASSERT_EQ(table.rows.size(), 3u);
  const StatRow* node = FindRow(table, "realtime", "node1");
  ASSERT_NE(node, nullptr);
  EXPECT_EQ(node->type, StatRowType::kServer);
  EXPECT_EQ(node->line, 3u);
  EXPECT_EQ(node->status, "no check");
  EXPECT_EQ(node->scur, 25u);
  EXPECT_EQ(node->stot, 21992u);
  EXPECT_EQ(node->qcur, 0u);
  EXPECT_EQ(node->admin, AdminState::kReady);
  EXPECT_EQ(node->health, Health::kUp);
  const StatRow* backend = FindRow(table, "realtime", "BACKEND");
  ASSERT_NE(backend, nullptr);
  EXPECT_EQ(backend->type, StatRowType::kBackend);
  EXPECT_EQ(backend->stot, 21992u);
  const StatRow* frontend = FindRow(table, "public", "FRONTEND");
  ASSERT_NE(frontend, nullptr);
  EXPECT_EQ(frontend->type, StatRowType::kFrontend);
  EXPECT_FALSE(frontend->qcur.has_value());  // blank for frontends
  EXPECT_EQ(frontend->scur, 27u);
}

TEST(ShowStatParserTest, Haproxy27CaptureWithoutFinalNewline) {
  const std::string reply = Capture("otel_haproxy_2.7.1_show_stat.csv");
  ASSERT_NE(reply.back(), '\n');
  ShowStatTable table;
  ASSERT_TRUE(ParseShowStat(reply, table).ok());
  EXPECT_TRUE(table.errors.empty()) << table.errors[0].ToString();
  ASSERT_EQ(table.rows.size(), 6u);
  const StatRow* s1 = FindRow(table, "webservers", "s1");
  ASSERT_NE(s1, nullptr);
  EXPECT_EQ(s1->stot, 45u);
  EXPECT_EQ(s1->status, "UP");
  EXPECT_EQ(s1->check_status, "L4OK");
  const StatRow* backend = FindRow(table, "webservers", "BACKEND");
  ASSERT_NE(backend, nullptr);
  EXPECT_EQ(backend->stot, 134u);
  EXPECT_EQ(backend->line, 7u);

  ASSERT_TRUE(ParseShowStat(reply, table, "webservers").ok());
  EXPECT_EQ(table.rows.size(), 4u);
  for (const StatRow& row : table.rows) EXPECT_EQ(row.pxname, "webservers");
}

TEST(ShowStatParserTest, DemoHaproxyOrgCaptureWithLeadingBlankLine) {
  const std::string reply = Capture("telegraf_demo_haproxy_org_show_stat.csv");
  ShowStatTable table;
  ASSERT_TRUE(ParseShowStat(reply, table).ok());
  EXPECT_TRUE(table.errors.empty());
  ASSERT_EQ(table.rows.size(), 13u);
  const StatRow* www = FindRow(table, "www", "www");
  ASSERT_NE(www, nullptr);
  EXPECT_EQ(www->line, 9u);
  EXPECT_EQ(www->stot, 1719698u);
  EXPECT_EQ(www->check_status, "L7OK");
  const StatRow* listener = FindRow(table, "http-in", "IPv4-direct");
  ASSERT_NE(listener, nullptr);
  EXPECT_EQ(listener->type, StatRowType::kListener);
  const StatRow* demo = FindRow(table, "demo", "BACKEND");
  ASSERT_NE(demo, nullptr);
  EXPECT_EQ(demo->scur, 1u);
  EXPECT_EQ(demo->stot, 24063u);
}

TEST(ShowStatParserTest, EdgeCasesCaptureStatusWordsAndQuotedField) {
  const std::string reply = Capture("datadog_mock_data_edge_cases.csv");
  ShowStatTable table;
  ASSERT_TRUE(ParseShowStat(reply, table).ok());
  EXPECT_TRUE(table.errors.empty()) << table.errors[0].ToString();
  ASSERT_EQ(table.rows.size(), 17u);
  EXPECT_EQ(FindRow(table, "b", "i-1")->status, "UP 1/2");
  EXPECT_EQ(FindRow(table, "b", "i-1")->health, Health::kUp);
  EXPECT_TRUE(FindRow(table, "b", "i-1")->transitional);  // up, but its checks are failing
  EXPECT_EQ(FindRow(table, "b", "i-4")->health, Health::kDown);
  EXPECT_EQ(FindRow(table, "b", "i-4")->transitional,
            FindRow(table, "b", "i-4")->status.find('/') != std::string_view::npos);
  EXPECT_FALSE(FindRow(table, "b", "i-5")->transitional);  // MAINT
  EXPECT_FALSE(FindRow(table, "b", "i-4")->admin.has_value());
  EXPECT_EQ(FindRow(table, "b", "i-5")->admin, AdminState::kMaint);
  EXPECT_EQ(FindRow(table, "b", "i-5")->health, Health::kUnknown);
  EXPECT_EQ(FindRow(table, "be_edge_http_sre-production_elk-kibana", "i-2")->health, Health::kDown);
  EXPECT_EQ(FindRow(table, "be_edge_http_sre-production_elk-kibana", "i-3")->health, Health::kUp);
  // The BACKEND row of b has a quoted field with a comma; its columns stay in place.
  const StatRow* b = FindRow(table, "b", "BACKEND");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->stot, 421u);
  EXPECT_EQ(b->check_status, "");
}

// The 2.7.1 capture with one row damaged at a time: the damaged row is an error naming its line
// and field, the others still parse.
TEST(ShowStatParserTest, CorruptedRowsAreErrorsWithLineAndField) {
  const std::string reply = Capture("otel_haproxy_2.7.1_show_stat.csv");
  const std::size_t s1 = reply.find("webservers,s1,");
  const std::size_t s2 = reply.find("webservers,s2,");
  const std::size_t s3 = reply.find("webservers,s3,");
  ASSERT_NE(s3, std::string::npos);
  struct Case {
    std::string name;
    std::string reply;
    std::size_t line;
    std::string field;
  };
  std::string truncated = reply;
  truncated.erase(s2 + 40, s3 - (s2 + 40) - 1);  // s2 cut after 40 bytes
  std::string letters = reply;
  letters.replace(s1 + std::string("webservers,s1,0,0,").size(), 1, "x1");  // scur
  std::string dropped = reply;
  dropped.erase(s3 + std::string("webservers,s3,").size(), 2);  // qcur gone: one field short
  std::string extra = reply;
  extra.insert(s1 + std::string("webservers,s1,").size(), "0,");
  std::string status = reply;
  status.replace(status.find(",UP,", s2), 4, ",SIDEWAYS,");
  for (const Case& c :
       {Case{"truncated", truncated, 5, "stot"}, Case{"letters in scur", letters, 4, "scur"},
        Case{"a column dropped", dropped, 6, "(after h1_spliced_bytes_out)"},
        Case{"a column added", extra, 4, "(beyond the header)"},
        Case{"unknown status", status, 5, "status"}}) {
    SCOPED_TRACE(c.name);
    ShowStatTable table;
    ASSERT_TRUE(ParseShowStat(c.reply, table).ok());
    ASSERT_EQ(table.errors.size(), 1u);
    EXPECT_EQ(table.errors[0].line, c.line) << table.errors[0].ToString();
    if (c.name != "truncated") {
      EXPECT_EQ(table.errors[0].field, c.field);
    }
    EXPECT_EQ(table.rows.size(), 5u);
    for (const StatRow& row : table.rows) EXPECT_NE(row.line, c.line);
  }
  // Truncation names the first missing column.
  ShowStatTable table;
  ASSERT_TRUE(ParseShowStat(truncated, table).ok());
  ASSERT_EQ(table.errors.size(), 1u);
  EXPECT_NE(table.errors[0].message.find("cut short"), std::string::npos);
  EXPECT_EQ(table.errors[0].ToString().find("line 5: field '"), 0u) << table.errors[0].ToString();
}

TEST(ShowStatParserTest, ANumberTooLargeIsAnErrorNotZero) {
  const std::string reply =
      "# pxname,svname,qcur,scur,stot,status,\n"
      "web,s1,0,1,99999999999999999999999,UP,\n"
      "web,s2,0,-1,5,UP,\n"
      "web,s3,0,2,7,UP,\n";
  ShowStatTable table;
  ASSERT_TRUE(ParseShowStat(reply, table).ok());
  ASSERT_EQ(table.errors.size(), 2u);
  EXPECT_EQ(table.errors[0].ToString(),
            "line 2: field 'stot': number out of range: '99999999999999999999999'");
  EXPECT_EQ(table.errors[1].field, "scur");
  ASSERT_EQ(table.rows.size(), 1u);
  EXPECT_EQ(table.rows[0].svname, "s3");
  EXPECT_EQ(table.rows[0].type, StatRowType::kServer);  // no type column: derived
}

TEST(ShowStatParserTest, ReplyWithoutHeaderOrRequiredColumnIsAnError) {
  ShowStatTable table;
  EXPECT_EQ(ParseShowStat("No such proxy.\n\n", table).code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseShowStat("", table).code(), core::StatusCode::kInvalidArgument);
  const core::Status no_scur = ParseShowStat("# pxname,svname,qcur,stot,status\n", table);
  EXPECT_EQ(no_scur.code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(no_scur.message().find("'scur'"), std::string::npos) << no_scur.ToString();
}

TEST(ShowStatParserTest, QuotedFieldsMayHoldCommasNewlinesAndBadQuotesAreRowErrors) {
  const std::string reply =
      "# pxname,svname,qcur,scur,stot,status,check_desc\r\n"
      "web,s1,0,1,2,UP,\"a, b\nc\"\r\n"
      "web,s2,0,1,2,\"DOWN 1/2\",x\n"
      "web,s3,0,1,2,UP,\"open\n";
  ShowStatTable table;
  ASSERT_TRUE(ParseShowStat(reply, table).ok());
  ASSERT_EQ(table.rows.size(), 2u);
  EXPECT_EQ(table.rows[0].svname, "s1");
  EXPECT_EQ(table.rows[1].line, 4u);  // the quoted newline counts
  EXPECT_EQ(table.rows[1].status, "DOWN 1/2");
  EXPECT_EQ(table.rows[1].health, Health::kDown);
  ASSERT_EQ(table.errors.size(), 1u);
  EXPECT_EQ(table.errors[0].line, 5u);
}

// Found by fuzz/haproxy_show_stat_fuzzer: a lone '\r' after a closing quote ended the record and
// swallowed the next byte, so the rest of the line became a row of its own ("eb,s2,...") and
// later lines were numbered one too far.
TEST(ShowStatParserTest, ALoneCarriageReturnAfterAClosingQuoteIsABadQuoteNotALineEnd) {
  const std::string reply =
      "# pxname,svname,qcur,scur,stot,status\n"
      "web,s1,0,1,2,\"UP\"\rweb,s2,0,1,2,UP\n"
      "web,s3,0,1,2,\"UP\"\r\n";
  ShowStatTable table;
  ASSERT_TRUE(ParseShowStat(reply, table).ok());
  ASSERT_EQ(table.errors.size(), 1u);
  EXPECT_EQ(table.errors[0].ToString(), "line 2: field 'status': unbalanced quote");
  ASSERT_EQ(table.rows.size(), 1u);
  EXPECT_EQ(table.rows[0].svname, "s3");
  EXPECT_EQ(table.rows[0].line, 3u);
  EXPECT_EQ(table.rows[0].status, "UP");
}

TEST(ShowStatParserTest, StatusWordsTable) {
  struct Row {
    std::string_view status;
    std::optional<AdminState> admin;
    Health health;
  };
  for (const Row& row : {
           Row{"UP", AdminState::kReady, Health::kUp},
           Row{"UP 1/3", AdminState::kReady, Health::kUp},
           Row{"DRAIN", AdminState::kDrain, Health::kUp},
           Row{"DRAIN 1/3", AdminState::kDrain, Health::kUp},
           Row{"DRAIN (agent)", AdminState::kDrain, Health::kUp},
           Row{"NOLB", std::nullopt, Health::kUp},
           Row{"NOLB 1/3", std::nullopt, Health::kUp},
           Row{"no check", AdminState::kReady, Health::kUp},
           Row{"NO CHECK", AdminState::kReady, Health::kUp},
           Row{"DOWN", std::nullopt, Health::kDown},
           Row{"DOWN 1/2", std::nullopt, Health::kDown},
           Row{"DOWN (agent)", std::nullopt, Health::kDown},
           Row{"MAINT", AdminState::kMaint, Health::kUnknown},
           Row{"MAINT (via web/s1)", AdminState::kMaint, Health::kUnknown},
           Row{"MAINT (resolution)", AdminState::kMaint, Health::kUnknown},
       }) {
    SCOPED_TRACE(row.status);
    const ServerStatusWords words = InterpretServerStatus(row.status);
    EXPECT_TRUE(words.recognised);
    EXPECT_EQ(words.admin, row.admin);
    EXPECT_EQ(words.health, row.health);
  }
  EXPECT_FALSE(InterpretServerStatus("").recognised);
  EXPECT_FALSE(InterpretServerStatus("OPEN").recognised);
  EXPECT_FALSE(InterpretServerStatus("UPPER").recognised);
}

}  // namespace
}  // namespace ebb::lb::haproxy
