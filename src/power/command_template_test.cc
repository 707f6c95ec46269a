#include "power/command_template.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ebb::power {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using Argv = std::vector<std::string>;

struct SplitRow {
  std::string name;
  std::string line;
  Argv argv;          // expected when `error` is empty
  std::string error;  // a substring of the error message
};

class SplitTest : public ::testing::TestWithParam<SplitRow> {};

TEST_P(SplitTest, Splits) {
  const SplitRow& row = GetParam();
  core::Result<Argv> argv = SplitCommandLine(row.line);
  if (row.error.empty()) {
    ASSERT_TRUE(argv.ok()) << argv.status().ToString();
    EXPECT_EQ(*argv, row.argv);
  } else {
    ASSERT_FALSE(argv.ok()) << "split into " << argv->size() << " words";
    EXPECT_EQ(argv.status().code(), core::StatusCode::kInvalidArgument);
    EXPECT_THAT(argv.status().message(), HasSubstr(row.error));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rows, SplitTest,
    ::testing::Values(
        SplitRow{"Plain", "ssh {host} sudo poweroff", {"ssh", "{host}", "sudo", "poweroff"}},
        SplitRow{"ExtraBlanks", "  a \t b\n c  ", {"a", "b", "c"}},
        SplitRow{"SingleQuotes", "a 'b c' d", {"a", "b c", "d"}},
        SplitRow{"DoubleQuotes", "a \"b c\" d", {"a", "b c", "d"}},
        SplitRow{"BackslashBlank", "a\\ b", {"a b"}},
        SplitRow{"BackslashAnything", "\\'\\\"\\\\x", {"'\"\\x"}},
        SplitRow{"EmptyArguments", "'' x \"\"", {"", "x", ""}},
        SplitRow{"AdjacentPartsJoin", "a\"b\"'c'd", {"abcd"}},
        SplitRow{"EscapedQuoteInDouble", "\"a\\\"b\"", {"a\"b"}},
        SplitRow{"OtherBackslashInDoubleStays", "\"a\\nb\"", {"a\\nb"}},
        SplitRow{"BackslashInSingleStays", "'a\\b'", {"a\\b"}},
        SplitRow{"EscapedDollarIsLiteral", "echo \\$HOME", {"echo", "$HOME"}},
        SplitRow{"SingleQuotedOperatorsAreLiteral",
                 "sh -c 'a | b; c && $d'",
                 {"sh", "-c", "a | b; c && $d"}},
        SplitRow{"GlobAndTildeAreLiteral", "ls *.txt ~/x", {"ls", "*.txt", "~/x"}},
        SplitRow{"LineContinuation", "a \\\nb", {"a", "b"}},
        SplitRow{"UnbalancedSingle", "a 'b", {}, "unbalanced single quote at column 3"},
        SplitRow{"UnbalancedDouble", "a \"b", {}, "unbalanced double quote at column 3"},
        SplitRow{"TrailingBackslash", "a\\", {}, "trailing backslash"},
        SplitRow{"Empty", "", {}, "empty command"},
        SplitRow{"OnlyBlanks", "  \t ", {}, "empty command"},
        SplitRow{"Pipe", "ipmitool power status | grep on", {}, "unquoted '|' at column 23"},
        SplitRow{"Semicolon", "a;b", {}, "unquoted ';'"},
        SplitRow{"And", "a && b", {}, "unquoted '&'"},
        SplitRow{"Redirect", "a > f", {}, "unquoted '>'"},
        SplitRow{"CommandSubstitution", "echo $(id)", {}, "unquoted '$'"},
        SplitRow{"Backtick", "echo `id`", {}, "unquoted '`'"},
        SplitRow{"VariableInDoubleQuotes", "echo \"$HOME\"", {}, "unescaped '$'"}),
    [](const ::testing::TestParamInfo<SplitRow>& row) { return row.param.name; });

TEST(SplitCommandLineTest, ReadmeTemplatesParse) {
  for (const char* line : {
           "ipmitool -I lanplus -H {bmc} -U admin -f /etc/ebb/ipmi.pass chassis power on",
           "ipmitool -I lanplus -H {bmc} -U admin -f /etc/ebb/ipmi.pass chassis power off",
           "ssh {host} sudo poweroff",
           "wakeonlan {mac}",
           "etherwake -i eth0 {mac}",
           "aws ec2 start-instances --instance-ids {node}",
           "aws ec2 stop-instances --instance-ids {node}",
           "ebb testserver --port {port}",
       }) {
    core::Result<CommandTemplate> t = CommandTemplate::ParseString("power.on", line);
    EXPECT_TRUE(t.ok()) << line << ": " << t.status().ToString();
  }
  core::Result<CommandTemplate> ipmi = CommandTemplate::ParseString(
      "power.on", "ipmitool -I lanplus -H {bmc} -U admin -f /etc/ebb/ipmi.pass chassis power on");
  ASSERT_TRUE(ipmi.ok());
  core::Result<Argv> argv = ipmi->Expand({.name = "web1", .bmc = "10.0.1.5"});
  ASSERT_TRUE(argv.ok());
  EXPECT_THAT(*argv, ElementsAre("ipmitool", "-I", "lanplus", "-H", "10.0.1.5", "-U", "admin", "-f",
                                 "/etc/ebb/ipmi.pass", "chassis", "power", "on"));
}

TEST(QuoteArgvTest, SplitsBackIntoTheSameArgv) {
  const std::vector<Argv> cases = {
      {"ssh", "web1", "sudo", "poweroff"},
      {"echo", "a b;rm -rf /", "", "it's", "$HOME", "`id`", "\"q\"", "back\\slash"},
      {"x", "{host}", "tab\there", "new\nline", "*", "~"},
  };
  for (const Argv& argv : cases) {
    const std::string line = QuoteArgv(argv);
    core::Result<Argv> back = SplitCommandLine(line);
    ASSERT_TRUE(back.ok()) << line << ": " << back.status().ToString();
    EXPECT_EQ(*back, argv) << line;
  }
  EXPECT_EQ(QuoteArgv(Argv{"ssh", "web-1.lan", "a b"}), "ssh web-1.lan 'a b'");
}

struct TemplateRow {
  std::string name;
  Argv argv;
  Argv expanded;      // for kNode below, when `error` is empty
  std::string error;  // a substring of the parse error
};

const core::NodeSpec kNode = {.name = "web1",
                              .host = "10.0.0.5",
                              .port = 8080,
                              .mac = "aa:bb:cc:dd:ee:ff",
                              .bmc = "10.0.1.5"};

class TemplateTest : public ::testing::TestWithParam<TemplateRow> {};

TEST_P(TemplateTest, ParsesAndExpands) {
  const TemplateRow& row = GetParam();
  core::Result<CommandTemplate> t = CommandTemplate::Parse("power.on", row.argv);
  if (!row.error.empty()) {
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.status().code(), core::StatusCode::kInvalidArgument);
    EXPECT_THAT(t.status().message(), HasSubstr("power.on: "));
    EXPECT_THAT(t.status().message(), HasSubstr(row.error));
    return;
  }
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  core::Result<Argv> argv = t->Expand(kNode);
  ASSERT_TRUE(argv.ok()) << argv.status().ToString();
  EXPECT_EQ(*argv, row.expanded);
}

INSTANTIATE_TEST_SUITE_P(
    Rows, TemplateTest,
    ::testing::Values(
        TemplateRow{"Literal", {"/bin/true"}, {"/bin/true"}},
        TemplateRow{"EveryPlaceholder",
                    {"x", "{node}", "{host}", "{mac}", "{bmc}", "{port}"},
                    {"x", "web1", "10.0.0.5", "aa:bb:cc:dd:ee:ff", "10.0.1.5", "8080"}},
        TemplateRow{"InsideAWord",
                    {"curl", "http://{host}:{port}/quit?n={node}"},
                    {"curl", "http://10.0.0.5:8080/quit?n=web1"}},
        TemplateRow{"LiteralBraces",
                    {"echo", "{{node}}", "}}{{", "{{{host}}}"},
                    {"echo", "{node}", "}{", "{10.0.0.5}"}},
        TemplateRow{"EmptyArgumentKept", {"x", ""}, {"x", ""}},
        TemplateRow{"UnknownPlaceholder",
                    {"ssh", "{hots}", "poweroff"},
                    {},
                    "unknown placeholder {hots} in \"ssh {hots} poweroff\""},
        TemplateRow{"EmptyPlaceholder", {"x", "{}"}, {}, "unknown placeholder {}"},
        TemplateRow{"SpacedPlaceholder", {"x", "{ host }"}, {}, "unknown placeholder { host }"},
        TemplateRow{"CaseMatters", {"x", "{HOST}"}, {}, "unknown placeholder {HOST}"},
        TemplateRow{"Unterminated", {"x", "a{host"}, {}, "unterminated placeholder '{host'"},
        TemplateRow{"SingleClosingBrace", {"x", "a}b"}, {}, "single '}'"},
        TemplateRow{"EmptyCommand", {}, {}, "empty command"},
        TemplateRow{"EmptyProgram", {"", "x"}, {}, "empty program name"}),
    [](const ::testing::TestParamInfo<TemplateRow>& row) { return row.param.name; });

TEST(CommandTemplateTest, ParseStringNamesTheKeyAndTheTemplate) {
  core::Result<CommandTemplate> t =
      CommandTemplate::ParseString("power.off", "ssh {hots} poweroff");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(), HasSubstr("power.off: unknown placeholder {hots}"));
  EXPECT_THAT(t.status().message(), HasSubstr("known: {node}, {host}, {mac}, {bmc}, {port}"));

  core::Result<CommandTemplate> quote = CommandTemplate::ParseString("power.status", "a 'b");
  ASSERT_FALSE(quote.ok());
  EXPECT_THAT(quote.status().message(),
              HasSubstr("power.status: unbalanced single quote at column 3 in \"a 'b\""));
}

TEST(CommandTemplateTest, ValuesNeverAddArguments) {
  core::Result<CommandTemplate> t =
      CommandTemplate::ParseString("power.off", "ssh {host} poweroff");
  ASSERT_TRUE(t.ok());
  core::NodeSpec node = kNode;
  for (const std::string host : {"a b; rm -rf /", "'quoted'", "x\ny", "$(id)", "{node}", ""}) {
    node.host = host;
    core::Result<Argv> argv = t->Expand(node);
    if (host.empty()) {
      EXPECT_FALSE(argv.ok());
      continue;
    }
    ASSERT_TRUE(argv.ok());
    EXPECT_THAT(*argv, ElementsAre("ssh", host, "poweroff"));
  }
}

TEST(CommandTemplateTest, CheckNodeNamesTheMissingValue) {
  core::Result<CommandTemplate> t = CommandTemplate::ParseString("power.on", "wakeonlan {mac}");
  ASSERT_TRUE(t.ok());
  EXPECT_THAT(t->placeholders(), ElementsAre(Placeholder::kMac));
  EXPECT_TRUE(t->CheckNode(kNode).ok());
  core::Status missing = t->CheckNode({.name = "web2", .host = "10.0.0.6"});
  EXPECT_EQ(missing.code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(missing.message(),
            "power.on: node web2 has no mac, needed by {mac} in \"wakeonlan {mac}\"");
  EXPECT_FALSE(t->Expand({.name = "web2"}).ok());

  core::Result<CommandTemplate> port = CommandTemplate::Parse("power.on", Argv{"srv", "{port}"});
  ASSERT_TRUE(port.ok());
  EXPECT_THAT(port->CheckNode({.name = "web3", .port = 0}).message(),
              HasSubstr("node web3 has no port (1-65535), needed by {port}"));
  EXPECT_FALSE(port->CheckNode({.name = "web3", .port = 70000}).ok());
  core::Result<CommandTemplate> plain = CommandTemplate::Parse("power.on", Argv{"/bin/true"});
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->CheckNode({}).ok());
}

}  // namespace
}  // namespace ebb::power
