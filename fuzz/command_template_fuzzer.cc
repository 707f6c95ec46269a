// Fuzzes the power drivers' command templates: SplitCommandLine, QuoteArgv and
// CommandTemplate::ParseString/Expand. The input up to its first NUL byte is the command line;
// the NUL-separated parts after it are the node's name, host, mac and bmc (a hostile default with
// spaces, quotes and shell operators for a part that is missing or empty). A line that splits is
// quoted by QuoteArgv into one that splits back to the same argv. A template that parses has as
// many words as the split line, and expanding it for any node, hostile or plain, gives exactly
// that many arguments, which quote and split back to themselves too; a node without values
// expands only a template without placeholders.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/node.h"
#include "fuzz/fuzz_check.h"
#include "power/command_template.h"

namespace {

using ebb::core::NodeSpec;
using ebb::power::CommandTemplate;

// QuoteArgv(argv) must split back to argv.
void CheckQuoteRoundTrip(const std::vector<std::string>& argv) {
  const std::string quoted = ebb::power::QuoteArgv(argv);
  ebb::core::Result<std::vector<std::string>> again = ebb::power::SplitCommandLine(quoted);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == argv);
}

std::string Field(const std::vector<std::string_view>& parts, std::size_t i,
                  std::string_view hostile) {
  return std::string(i < parts.size() && !parts[i].empty() ? parts[i] : hostile);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = input.find('\0');
  const std::string_view line = input.substr(0, nul);
  std::vector<std::string_view> parts;
  if (nul != std::string_view::npos) {
    std::string_view rest = input.substr(nul + 1);
    while (true) {
      const std::size_t next = rest.find('\0');
      parts.push_back(rest.substr(0, next));
      if (next == std::string_view::npos) break;
      rest.remove_prefix(next + 1);
    }
  }

  ebb::core::Result<std::vector<std::string>> argv = ebb::power::SplitCommandLine(line);
  ebb::core::Result<CommandTemplate> parsed = CommandTemplate::ParseString("power.on", line);
  if (!argv.ok()) {
    FUZZ_CHECK(!argv.status().message().empty());
    FUZZ_CHECK(!parsed.ok());
    return 0;
  }
  FUZZ_CHECK(!argv->empty());
  CheckQuoteRoundTrip(*argv);
  // The single-string form is the argv form after splitting.
  ebb::core::Result<CommandTemplate> from_argv = CommandTemplate::Parse("power.on", *argv);
  FUZZ_CHECK(parsed.ok() == from_argv.ok());
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.status().message().starts_with("power.on: "));
    return 0;
  }
  const CommandTemplate& t = *parsed;
  FUZZ_CHECK(t.placeholders() == from_argv->placeholders());
  FUZZ_CHECK(t.program() == argv->front());
  FUZZ_CHECK(t.text() == line);

  const NodeSpec hostile{.name = Field(parts, 0, "web 1; rm -rf / #"),
                         .host = Field(parts, 1, "10.0.0.1 'x' \"y\" $(reboot) `id` | tee"),
                         .port = 8080,
                         .mac = Field(parts, 2, "aa:bb ; {host} \\ \n"),
                         .bmc = Field(parts, 3, "{{bmc}} '' \"\" && echo")};
  const NodeSpec plain{.name = "n", .host = "h", .port = 1, .mac = "m", .bmc = "b"};
  for (const NodeSpec& node : {hostile, plain}) {
    FUZZ_CHECK(t.CheckNode(node).ok());
    ebb::core::Result<std::vector<std::string>> expanded = t.Expand(node);
    FUZZ_CHECK(expanded.ok());
    FUZZ_CHECK(expanded->size() == argv->size());
    CheckQuoteRoundTrip(*expanded);
  }
  const NodeSpec empty{};
  FUZZ_CHECK(t.Expand(empty).ok() == t.placeholders().empty());
  return 0;
}
