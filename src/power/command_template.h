// Command templates: the argv a power driver runs for a node, written in the configuration as a
// TOML array (["ssh", "{host}", "sudo", "poweroff"]) or as one string ("ssh {host} sudo poweroff")
// that is split into words first. Splitting follows the shell's quoting (single quotes, double
// quotes, backslash escapes) and nothing else: no variables, no globbing, no operators. A shell
// operator or expansion character outside quotes (| & ; < > ( ) $ `), or $ and ` between double
// quotes, is an error, because a user who writes one expects a shell that will not run;
// ["sh", "-c", "..."] is the way to get one. Glob characters and ~ stay literal.
// Each word is then scanned for placeholders: {node} (name), {host}, {mac}, {bmc}, {port};
// {{ and }} are literal braces. Substitution happens inside one argv element, so a value can never
// add arguments ("a b; rm -rf /" stays one element). Errors are InvalidArgument and name the
// template's key ("power.on: unknown placeholder {hots} in ..."). Pure functions; any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/node.h"
#include "core/status.h"

namespace ebb::power {

// Shell-like word splitting without expansion. Errors: unbalanced quote, trailing backslash,
// unquoted shell operator, empty command line.
core::Result<std::vector<std::string>> SplitCommandLine(std::string_view line);

// Joins argv into one line that SplitCommandLine() splits back into the same argv: words with
// anything but [A-Za-z0-9_@%+=:,./{}-] are single-quoted. For logs and dry runs.
std::string QuoteArgv(std::span<const std::string> argv);

enum class Placeholder : std::uint8_t { kNode, kHost, kMac, kBmc, kPort };

std::string_view ToString(Placeholder placeholder);  // "{node}"

class CommandTemplate {
 public:
  // `key` names the template in errors ("power.on"); `argv` holds one element per argument.
  static core::Result<CommandTemplate> Parse(std::string_view key,
                                             std::span<const std::string> argv);
  // The single-string form: SplitCommandLine(), then Parse().
  static core::Result<CommandTemplate> ParseString(std::string_view key, std::string_view line);

  // OK when `node` has a value for every placeholder the template uses (a non-empty name, host,
  // mac, bmc; a port > 0). Run at config validation for every node.
  core::Status CheckNode(const core::NodeSpec& node) const;
  // The argv for `node`; CheckNode()'s error when a value is missing.
  core::Result<std::vector<std::string>> Expand(const core::NodeSpec& node) const;

  const std::string& key() const { return key_; }
  // The template as written, quoted as one line: for messages.
  const std::string& text() const { return text_; }
  // The program (argv[0]) as written, placeholders included: for messages.
  const std::string& program() const { return program_; }
  const std::vector<Placeholder>& placeholders() const { return used_; }

 private:
  struct Piece {
    bool is_placeholder = false;
    Placeholder placeholder = Placeholder::kNode;
    std::string literal;
  };
  using Word = std::vector<Piece>;

  std::string key_;
  std::string text_;
  std::string program_;
  std::vector<Word> words_;
  std::vector<Placeholder> used_;  // each once, in order of first use
};

}  // namespace ebb::power
