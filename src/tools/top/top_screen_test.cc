// RenderTop on whole, partial, malformed and oversized documents, at sizes from wide to absurdly
// narrow: what the screen says, in which order, and that it always fits.
#include "tools/top/top_screen.h"

#include <ctime>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tools/top/sample_status.h"

namespace ebb::top {
namespace {

using nlohmann::json;

json Sample() { return json::parse(samples::kSampleStatus); }

std::vector<std::string> Lines(const std::string& screen) {
  std::vector<std::string> lines;
  std::istringstream in(screen);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string StripSgr(const std::string& text) {
  static const std::regex kSgr("\x1b\\[[0-9;]*m");
  return std::regex_replace(text, kSgr, "");
}

int CodePoints(const std::string& text) {
  int count = 0;
  for (char c : text) count += (static_cast<unsigned char>(c) & 0xC0) == 0x80 ? 0 : 1;
  return count;
}

std::size_t Find(const std::string& screen, const std::string& what) {
  const std::size_t at = screen.find(what);
  EXPECT_NE(at, std::string::npos) << "no \"" << what << "\" in\n" << screen;
  return at;
}

std::string LocalClock(double unix_s) {
  const auto seconds = static_cast<std::time_t>(unix_s);
  std::tm local{};
  localtime_r(&seconds, &local);
  return fmt::format("{:02}:{:02}:{:02}", local.tm_hour, local.tm_min, local.tm_sec);
}

void ExpectFits(const std::string& screen, const TopLayout& layout) {
  const std::vector<std::string> lines = Lines(screen);
  if (layout.rows > 0) {
    EXPECT_LE(lines.size(), static_cast<std::size_t>(layout.rows));
  }
  for (const std::string& line : lines) {
    EXPECT_LE(CodePoints(StripSgr(line)), layout.columns) << "\"" << line << "\"";
    if (layout.colour == ColourMode::kPlain) {
      EXPECT_EQ(line.find('\x1b'), std::string::npos) << line;
    }
  }
}

TEST(TopScreenTest, FullDocumentShowsEverySection) {
  const TopLayout layout{.columns = 160, .rows = 40, .source = "http://127.0.0.1:9180"};
  const std::string screen = RenderTop(Sample(), layout);
  ExpectFits(screen, layout);
  const std::vector<std::string> lines = Lines(screen);
  ASSERT_GE(lines.size(), 8u);

  // The header.
  EXPECT_EQ(lines[0].rfind("ebb top  http://127.0.0.1:9180", 0), 0u) << lines[0];
  for (const char* part : {"v0.1.0", "policy regression", "every 1s", "up 16m40s", "DRY-RUN",
                           "backend web", "haproxy 1/1 ok", "config /etc/ebb/ebb.toml"}) {
    EXPECT_NE(lines[0].find(part), std::string::npos) << part << " in " << lines[0];
  }
  // Load, energy, states, counters.
  for (const char* part : {"load 42.5 rps",
                           "forecast 50.1",
                           "target 4",
                           "serving 4",
                           "powered 5",
                           "booting 1",
                           "queue 0",
                           "data age 0.4s",
                           "power 512 W",
                           "energy 0.31 kWh",
                           "always-on 0.55 kWh",
                           "saving 43.6%",
                           "cost 9.0",
                           "mean 8.2",
                           "total 8200",
                           "nodes 5 [#=+~.]",
                           "BUSY 1",
                           "ONLINE 1",
                           "BOOTING 1",
                           "DRAINING 1",
                           "DOWN 1",
                           "ticks 1000",
                           "command 2"}) {
    Find(screen, part);
  }
  EXPECT_EQ(screen.find("document:"), std::string::npos) << "unknown keys are no problem";

  // Serving first, then transitional, then off; web10 after web1 by number, not by letter.
  const std::size_t web1 = Find(screen, "\nweb1 ");
  const std::size_t web10 = Find(screen, "\nweb10 ");
  const std::size_t web3 = Find(screen, "\nweb3 ");
  const std::size_t web4 = Find(screen, "\nweb4 ");
  const std::size_t web2 = Find(screen, "\nweb2 ");
  EXPECT_LT(web1, web10);
  EXPECT_LT(web10, web3);
  EXPECT_LT(web3, web4);
  EXPECT_LT(web4, web2);
  Find(screen, "web1  BUSY           8m20s     3     2    0 ready web1 (boot done)");
  Find(screen, "boot web3 (forecast 52 rps) (deadline in 1m50s)");
  Find(screen, "drain web4 (fewest sessions) (deadline in 54s)");

  // Decisions, newest first, with local times, the target change and the actions.
  const std::size_t newest =
      Find(screen, LocalClock(1764599990.0) +
                       "  40.0/52.0 rps  3 -> 4  boot web3  forecast 52 rps needs 4 nodes of 16 "
                       "rps [regression]");
  const std::size_t middle = Find(screen, "3 -> 2 (policy 1)  drain web4");
  const std::size_t oldest = Find(screen, "2 -> 3  no action  oldest decision kept");
  EXPECT_LT(newest, middle);
  EXPECT_LT(middle, oldest);
}

TEST(TopScreenTest, ColourAddsOnlyEscapeSequences) {
  TopLayout layout{.columns = 120, .rows = 40, .source = "http://h:1"};
  const std::string plain = RenderTop(Sample(), layout);
  layout.colour = ColourMode::kAnsi;
  const std::string coloured = RenderTop(Sample(), layout);
  EXPECT_NE(coloured.find("\x1b[1;32mBUSY"), std::string::npos);
  EXPECT_EQ(StripSgr(coloured), plain);
  ExpectFits(coloured, layout);
}

TEST(TopScreenTest, PartialDocumentShowsDashesAndNoProblem) {
  const json status = json::parse(R"({
    "now": 1000, "policy": "threshold",
    "load": {"have_rate": false},
    "nodes": [{"name": "web1", "state": "BUSY", "since": 400, "deadline": null},
              {"name": "web2", "state": "SOMETHING_NEW"}]
  })");
  const TopLayout layout{.columns = 100, .rows = 30};
  const std::string screen = RenderTop(status, layout);
  ExpectFits(screen, layout);
  EXPECT_EQ(screen.find("document:"), std::string::npos) << screen;
  Find(screen, "policy threshold");
  Find(screen, "up -");
  Find(screen, "haproxy -");
  Find(screen, "load - rps (no rate yet)");
  Find(screen, "forecast -");
  Find(screen, "power -");
  Find(screen, "ticks -");
  // for_s is missing: derived from now - since.
  Find(screen, "web1 BUSY          10m00s     -     -    - -");
  Find(screen, "web2 SOMETHING_N~");
  Find(screen, "OTHER 1");
  Find(screen, "(none yet)");
}

TEST(TopScreenTest, WrongTypesAreNamedAndNeverFatal) {
  json status = Sample();
  status["load"]["rate_rps"] = "fast";
  status["dry_run"] = "yes";
  status["nodes"][0]["sessions"] = json::array({1});
  status["nodes"].push_back(7);
  status["decisions"][0]["actions"] = json::array({1, "boot web9"});
  status["haproxy"] = "socket";
  status["energy"] = 3;
  const TopLayout layout{.columns = 200, .rows = 50};
  const std::string screen = RenderTop(status, layout);
  ExpectFits(screen, layout);
  const std::vector<std::string> lines = Lines(screen);
  ASSERT_GE(lines.size(), 2u);
  // The first problem in reading order, and how many more.
  EXPECT_EQ(lines[1], "document: 'dry_run' is a string, expected a boolean (+6 more)");
  Find(screen, "load - rps");
  Find(screen, "haproxy -");
  Find(screen, "power -");
  Find(screen, "\nweb1 ");
  Find(screen, "  boot web9  ");
}

TEST(TopScreenTest, DocumentsThatAreNotObjects) {
  for (const char* text : {"[1, 2]", "\"status\"", "42", "{\"nodes\": {\"web1\": 1}}"}) {
    SCOPED_TRACE(text);
    const TopLayout layout{.columns = 80, .rows = 24};
    const std::string screen = RenderTop(json::parse(text), layout);
    ExpectFits(screen, layout);
    Find(screen, "document: ");
  }
  const std::string screen = RenderTop(json::parse("[1]"), {.columns = 80, .rows = 24});
  Find(screen, "document: the document is an array, expected an object");
}

TEST(TopScreenTest, NoDocumentYetShowsTheError) {
  const TopLayout layout{.columns = 80,
                         .rows = 24,
                         .source = "http://127.0.0.1:9180",
                         .error =
                             "cannot reach ebb at http://127.0.0.1:9180/status: "
                             "Connection refused"};
  const std::string screen = RenderTop(json(), layout);
  ExpectFits(screen, layout);
  const std::vector<std::string> lines = Lines(screen);
  ASSERT_EQ(lines.size(), 3u) << screen;
  EXPECT_EQ(lines[1], "! cannot reach ebb at http://127.0.0.1:9180/status: Connection refused");
  EXPECT_EQ(lines[2], "waiting for the first status document");
}

TEST(TopScreenTest, ManyNodesAreCutToFitWithACount) {
  json status = Sample();
  status["nodes"] = json::array();
  for (int i = 0; i < 100; ++i) {
    status["nodes"].push_back({{"name", fmt::format("node{}", i)},
                               {"state", i < 30 ? "BUSY" : "DOWN"},
                               {"for_s", i},
                               {"why", "x"}});
  }
  const TopLayout layout{.columns = 100, .rows = 30};
  const std::string screen = RenderTop(status, layout);
  ExpectFits(screen, layout);
  const std::vector<std::string> lines = Lines(screen);
  EXPECT_EQ(lines.size(), 30u) << screen;

  int shown = 0;
  static const std::regex kNodeLine("^node[0-9]+ .*");
  for (const std::string& line : lines) shown += std::regex_match(line, kNodeLine) ? 1 : 0;
  const std::string more = fmt::format("... {} more (", 100 - shown);
  Find(screen, more);
  Find(screen, "70 DOWN)");
  EXPECT_GT(shown, 10);
  // The decisions keep a few lines however many nodes there are.
  Find(screen, "LAST DECISIONS (3 kept, newest first)");
  Find(screen, "forecast 52 rps needs 4 nodes");
  Find(screen, "oldest decision kept");
  // Natural order within a state: node0, node1, node2 ... not node0, node1, node10.
  Find(screen, "\nnode1 ");
  EXPECT_LT(screen.find("\nnode2 "), screen.find("\nnode10 "));

  // Without a row limit (--once to a pipe): every node.
  const std::string all = RenderTop(status, {.columns = 100, .rows = 0});
  EXPECT_EQ(all.find("... "), std::string::npos);
  Find(all, "\nnode99 ");
}

TEST(TopScreenTest, SpareRowsGoToDecisions) {
  json status = Sample();
  for (int i = 0; i < 50; ++i) {
    status["decisions"].push_back({{"at", 1764599000.0 - i}, {"reason", fmt::format("r{}", i)}});
  }
  const std::string screen = RenderTop(status, {.columns = 100, .rows = 40});
  EXPECT_EQ(Lines(screen).size(), 40u);
  Find(screen, "LAST DECISIONS (53 kept");
  Find(screen, " r0");
  EXPECT_EQ(screen.find(" r49"), std::string::npos);
}

TEST(TopScreenTest, EveryLineFitsAnyWidthAndHeight) {
  json hostile = Sample();
  hostile["nodes"][0]["name"] = "a-very-long-node-name-that-goes-on-and-on.example.org";
  hostile["nodes"][1]["why"] = "naïve ünïcödé reason — with a long tail of text";
  hostile["decisions"][0]["reason"] = std::string(500, 'x');
  for (const json& status : {Sample(), hostile}) {
    for (int columns = 1; columns <= 90; ++columns) {
      for (int rows : {1, 2, 3, 5, 8, 12, 24}) {
        for (ColourMode colour : {ColourMode::kPlain, ColourMode::kAnsi}) {
          const TopLayout layout{.columns = columns,
                                 .rows = rows,
                                 .colour = colour,
                                 .source = "http://127.0.0.1:9180",
                                 .error = "cannot reach ebb"};
          SCOPED_TRACE(fmt::format("{}x{}", columns, rows));
          ExpectFits(RenderTop(status, layout), layout);
        }
      }
    }
  }
  const std::string cut = RenderTop(hostile, {.columns = 120, .rows = 40});
  Find(cut, "a-very-long-node-name-t~ DOWN");
}

TEST(TopScreenTest, ControlCharactersInTheDocumentCannotReachTheTerminal) {
  json status = Sample();
  status["nodes"][0]["why"] = "evil \x1b[2J\x1b]0;title\x07 done";
  status["decisions"][0]["reason"] =
      "c1 \xc2\x9b"
      "31m csi";
  status["policy"] = "line\nbreak";
  const TopLayout layout{.columns = 200, .rows = 40};
  const std::string screen = RenderTop(status, layout);
  EXPECT_EQ(screen.find('\x1b'), std::string::npos);
  EXPECT_EQ(screen.find('\x07'), std::string::npos);
  EXPECT_EQ(screen.find("\xc2\x9b"), std::string::npos);
  Find(screen, "evil ?[2J?]0;title? done");
  Find(screen, "c1 ?31m csi");
  Find(screen, "policy line?break");
}

}  // namespace
}  // namespace ebb::top
