// `ebb plan reserves` end to end: the study's reference values through the binary, the JSON keys,
// the optimum against the heuristic, and the error messages.
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "testing/command.h"

namespace {

using ebb::testing::CommandResult;

CommandResult Ebb(const std::string& args) {
  return ebb::testing::RunShell(std::string(EBB_BINARY) + " " + args);
}

// The value of a `key value` line of the plain output; empty when there is none.
std::string Value(const std::string& out, const std::string& key) {
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string first, value;
    if (words >> first >> value && first == key) return value;
  }
  return "";
}

struct Reference {
  std::string args;                   // N, nu, c1, c2, m, D, U, lambda, mu
  double cost, jobs, p_reserves_off;  // p_reserves_off < 0: not published
};

// From the original study's code (issue 7).
const std::vector<Reference> kReferences = {
    {"--servers 6 --setup-rate 0.2 --c1 1 --c2 1 --reserves 3 --down 2 --up 6 --arrival-rate 3 "
     "--service-rate 1",
     9.8051484314, 5.3778319731, 0.5242278472},
    {"--servers 8 --setup-rate 0.2 --c1 1 --c2 1 --reserves 3 --down 4 --up 4 --arrival-rate 3 "
     "--service-rate 1",
     8.9164942943, 3.2482294522, 0.7772450526},
    {"--servers 10 --setup-rate 0.016666666666666666 --c1 1.2 --c2 1 --reserves 4 --down 0 --up "
     "10 --arrival-rate 5.5 --service-rate 1",
     20.3426146700, 8.9312284694, 0.0937148733},
    {"--servers 34 --setup-rate 0.016666666666666666 --c1 1.2 --c2 1 --reserves 0 --down 0 --up "
     "0 --arrival-rate 27.435 --service-rate 4.35",
     41.5682758621, 6.3068965517, -1},
};

TEST(PlanCliTest, ReferenceValuesAsJson) {
  for (const Reference& ref : kReferences) {
    const CommandResult run = Ebb("plan reserves --json " + ref.args);
    ASSERT_EQ(run.exit_code, 0) << ref.args << "\n" << run.err;
    const auto j = nlohmann::json::parse(run.out);
    EXPECT_NEAR(j["cost"].get<double>(), ref.cost, 1e-6) << ref.args;
    EXPECT_NEAR(j["jobs"].get<double>(), ref.jobs, 1e-6) << ref.args;
    if (ref.p_reserves_off >= 0) {
      EXPECT_NEAR(j["p_reserves_off"].get<double>(), ref.p_reserves_off, 1e-6) << ref.args;
    }
    EXPECT_EQ(j["optimal"], false);
    EXPECT_FALSE(j.contains("heuristic"));
    for (const char* key : {"powered", "reserves", "down", "up"}) {
      EXPECT_TRUE(j.contains(key)) << key;
    }
  }
}

TEST(PlanCliTest, PlainOutputIsAlignedKeyValueLines) {
  const CommandResult run = Ebb("plan reserves " + kReferences[0].args);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("cost                     9.8051484314\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("p_reserves_off           0.5242278472\n"), std::string::npos);
  EXPECT_NE(run.out.find("reserves                 3\n"), std::string::npos);
  EXPECT_NE(run.out.find("down                     2\n"), std::string::npos);
  EXPECT_NE(run.out.find("up                       6\n"), std::string::npos);
  EXPECT_EQ(run.out.find("heuristic"), std::string::npos);
}

TEST(PlanCliTest, OptimumIsNoWorseThanTheHeuristicNorTheStudysThresholds) {
  const CommandResult run =
      Ebb("plan reserves --json --servers 10 --setup-rate 0.016666666666666666 --c1 1.2 --c2 1 "
          "--arrival-rate 5.5 --service-rate 1");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto j = nlohmann::json::parse(run.out);
  EXPECT_EQ(j["optimal"], true);
  ASSERT_TRUE(j.contains("heuristic"));
  for (const char* key : {"cost", "jobs", "powered", "p_reserves_off", "reserves", "down", "up"}) {
    EXPECT_TRUE(j.contains(key)) << key;
    EXPECT_TRUE(j["heuristic"].contains(key)) << key;
  }
  EXPECT_LE(j["cost"].get<double>(), j["heuristic"]["cost"].get<double>());
  EXPECT_LE(j["cost"].get<double>(), kReferences[2].cost);
  // The printed thresholds are the ones costed: evaluating them gives the same numbers.
  const CommandResult again =
      Ebb("plan reserves --json --servers 10 --setup-rate 0.016666666666666666 --c1 1.2 --c2 1 "
          "--arrival-rate 5.5 --service-rate 1 --reserves " +
          j["reserves"].dump() + " --down " + j["down"].dump() + " --up " + j["up"].dump());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NEAR(nlohmann::json::parse(again.out)["cost"].get<double>(), j["cost"].get<double>(),
              1e-12);

  const CommandResult plain =
      Ebb("plan reserves --servers 10 --setup-rate 0.016666666666666666 --c1 1.2 --c2 1 "
          "--arrival-rate 5.5 --service-rate 1");
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(Value(plain.out, "heuristic_up"), "10") << plain.out;  // U = N
  EXPECT_EQ(Value(plain.out, "up"), j["up"].dump()) << plain.out;
  EXPECT_LE(std::stod(Value(plain.out, "cost")), std::stod(Value(plain.out, "heuristic_cost")));
}

TEST(PlanCliTest, ErrorsNameTheFlag) {
  const std::string base = "plan reserves --servers 6 --setup-rate 0.2 --c1 1 --c2 1 ";
  struct Row {
    std::string args, message;
  };
  const std::vector<Row> rows = {
      {"--arrival-rate 6 --service-rate 1", "--arrival-rate (6) must be below"},
      {"--arrival-rate 3 --service-rate 1 --reserves 3 --down 5 --up 4",
       "--down (5) must not exceed --up (4)"},
      {"--arrival-rate 3 --service-rate 1 --reserves 7 --down 2 --up 6", "--reserves must be in"},
      {"--arrival-rate 3 --service-rate 1 --reserves 3", "give all of --reserves, --down and --up"},
      {"--arrival-rate 3 --service-rate 1 --down 2 --up 6", "give all of --reserves"},
      {"--arrival-rate 3 --service-rate -1", "--service-rate must be a finite number > 0"},
      {"--arrival-rate inf --service-rate 1", "--arrival-rate must be a finite number"},
  };
  for (const Row& row : rows) {
    const CommandResult run = Ebb(base + row.args);
    EXPECT_EQ(run.exit_code, 2) << row.args << "\n" << run.out << run.err;
    EXPECT_NE(run.err.find(row.message), std::string::npos) << row.args << "\n" << run.err;
    EXPECT_TRUE(run.out.empty()) << run.out;
  }
  const CommandResult missing = Ebb("plan reserves --servers 6");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("--setup-rate"), std::string::npos) << missing.err;
}

}  // namespace
