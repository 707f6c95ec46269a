#include "power/command_template.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

namespace ebb::power {
namespace {

constexpr std::string_view kShellOperators = "|&;<>()$`";

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool IsSafeUnquoted(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("_@%+=:,./{}-").find(c) != std::string_view::npos;
}

struct PlaceholderName {
  std::string_view name;
  Placeholder placeholder;
};
constexpr std::array<PlaceholderName, 5> kPlaceholders = {{
    {"node", Placeholder::kNode},
    {"host", Placeholder::kHost},
    {"mac", Placeholder::kMac},
    {"bmc", Placeholder::kBmc},
    {"port", Placeholder::kPort},
}};

std::string KnownPlaceholders() {
  std::string known;
  for (const PlaceholderName& p : kPlaceholders) {
    if (!known.empty()) known += ", ";
    known += "{" + std::string(p.name) + "}";
  }
  return known;
}

// The node's value for a placeholder; empty when the node has none.
std::string ValueOf(const core::NodeSpec& node, Placeholder placeholder) {
  switch (placeholder) {
    case Placeholder::kNode:
      return node.name;
    case Placeholder::kHost:
      return node.host;
    case Placeholder::kMac:
      return node.mac;
    case Placeholder::kBmc:
      return node.bmc;
    case Placeholder::kPort:
      return node.port > 0 && node.port <= 65535 ? std::to_string(node.port) : std::string();
  }
  return {};
}

}  // namespace

core::Result<std::vector<std::string>> SplitCommandLine(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;  // distinguishes '' (an empty argument) from no argument
  std::size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    const std::size_t column = i + 1;
    if (IsBlank(c)) {
      if (in_word) words.push_back(std::exchange(word, {}));
      in_word = false;
      ++i;
    } else if (c == '\\') {
      if (i + 1 >= line.size()) {
        return core::InvalidArgumentError(fmt::format("trailing backslash at column {}", column));
      }
      // Backslash-newline continues the line, as in a shell.
      if (line[i + 1] != '\n') {
        word += line[i + 1];
        in_word = true;
      }
      i += 2;
    } else if (c == '\'') {
      const std::size_t end = line.find('\'', i + 1);
      if (end == std::string_view::npos) {
        return core::InvalidArgumentError(
            fmt::format("unbalanced single quote at column {}", column));
      }
      word.append(line.substr(i + 1, end - i - 1));
      in_word = true;
      i = end + 1;
    } else if (c == '"') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        const char d = line[i];
        if (d == '"') {
          closed = true;
          ++i;
          break;
        }
        if (d == '\\' && i + 1 < line.size() &&
            std::string_view("\"\\$`\n").find(line[i + 1]) != std::string_view::npos) {
          if (line[i + 1] != '\n') word += line[i + 1];
          i += 2;
          continue;
        }
        if (d == '$' || d == '`') {
          // A shell expands these even between double quotes.
          return core::InvalidArgumentError(fmt::format(
              "unescaped '{}' at column {}: commands run without a shell (use single quotes, "
              "or write [\"sh\", \"-c\", \"...\"])",
              d, i + 1));
        }
        word += d;
        ++i;
      }
      if (!closed) {
        return core::InvalidArgumentError(
            fmt::format("unbalanced double quote at column {}", column));
      }
      in_word = true;
    } else if (kShellOperators.find(c) != std::string_view::npos) {
      return core::InvalidArgumentError(fmt::format(
          "unquoted '{}' at column {}: commands run without a shell (quote it, or write "
          "[\"sh\", \"-c\", \"...\"])",
          c, column));
    } else {
      word += c;
      in_word = true;
      ++i;
    }
  }
  if (in_word) words.push_back(std::move(word));
  if (words.empty()) return core::InvalidArgumentError("empty command");
  return words;
}

std::string QuoteArgv(std::span<const std::string> argv) {
  std::string line;
  for (const std::string& arg : argv) {
    if (!line.empty()) line += ' ';
    if (!arg.empty() && std::all_of(arg.begin(), arg.end(), IsSafeUnquoted)) {
      line += arg;
      continue;
    }
    line += '\'';
    for (char c : arg) {
      if (c == '\'') {
        line += "'\\''";
      } else {
        line += c;
      }
    }
    line += '\'';
  }
  return line;
}

std::string_view ToString(Placeholder placeholder) {
  switch (placeholder) {
    case Placeholder::kNode:
      return "{node}";
    case Placeholder::kHost:
      return "{host}";
    case Placeholder::kMac:
      return "{mac}";
    case Placeholder::kBmc:
      return "{bmc}";
    case Placeholder::kPort:
      return "{port}";
  }
  return "{?}";
}

core::Result<CommandTemplate> CommandTemplate::Parse(std::string_view key,
                                                     std::span<const std::string> argv) {
  CommandTemplate t;
  t.key_ = std::string(key);
  t.text_ = QuoteArgv(argv);
  auto fail = [&](const std::string& what, std::string_view hint = "") {
    return core::InvalidArgumentError(fmt::format("{}: {} in \"{}\"{}", key, what, t.text_, hint));
  };
  if (argv.empty()) return core::InvalidArgumentError(fmt::format("{}: empty command", key));
  if (argv[0].empty()) return fail("empty program name");
  t.program_ = argv[0];

  for (std::size_t a = 0; a < argv.size(); ++a) {
    const std::string& arg = argv[a];
    Word word;
    std::string literal;
    std::size_t i = 0;
    while (i < arg.size()) {
      const char c = arg[i];
      if (c == '{' && i + 1 < arg.size() && arg[i + 1] == '{') {
        literal += '{';
        i += 2;
      } else if (c == '}' && i + 1 < arg.size() && arg[i + 1] == '}') {
        literal += '}';
        i += 2;
      } else if (c == '}') {
        return fail(fmt::format("single '}}' in argument {} (write }}}} for a literal brace)", a));
      } else if (c == '{') {
        const std::size_t end = arg.find('}', i + 1);
        if (end == std::string::npos) {
          return fail(
              fmt::format("unterminated placeholder '{}' in argument {}", arg.substr(i), a));
        }
        const std::string_view name = std::string_view(arg).substr(i + 1, end - i - 1);
        const auto known = std::find_if(kPlaceholders.begin(), kPlaceholders.end(),
                                        [&](const PlaceholderName& p) { return p.name == name; });
        if (known == kPlaceholders.end()) {
          return fail(
              fmt::format("unknown placeholder {{{}}}", name),
              fmt::format(" (known: {}; {{{{ and }}}} are literal braces)", KnownPlaceholders()));
        }
        if (!literal.empty()) word.push_back({.literal = std::exchange(literal, {})});
        word.push_back({.is_placeholder = true, .placeholder = known->placeholder});
        if (std::find(t.used_.begin(), t.used_.end(), known->placeholder) == t.used_.end()) {
          t.used_.push_back(known->placeholder);
        }
        i = end + 1;
      } else {
        literal += c;
        ++i;
      }
    }
    if (!literal.empty() || word.empty()) word.push_back({.literal = std::move(literal)});
    t.words_.push_back(std::move(word));
  }
  return t;
}

core::Result<CommandTemplate> CommandTemplate::ParseString(std::string_view key,
                                                           std::string_view line) {
  core::Result<std::vector<std::string>> argv = SplitCommandLine(line);
  if (!argv.ok()) {
    return core::InvalidArgumentError(
        fmt::format("{}: {} in \"{}\"", key, argv.status().message(), line));
  }
  core::Result<CommandTemplate> t = Parse(key, *argv);
  if (t.ok()) t->text_ = std::string(line);
  return t;
}

core::Status CommandTemplate::CheckNode(const core::NodeSpec& node) const {
  for (Placeholder p : used_) {
    if (!ValueOf(node, p).empty()) continue;
    const std::string who = node.name.empty() ? "a node without a name" : "node " + node.name;
    std::string what;
    switch (p) {
      case Placeholder::kNode:
        what = "a name";
        break;
      case Placeholder::kHost:
        what = "host";
        break;
      case Placeholder::kMac:
        what = "mac";
        break;
      case Placeholder::kBmc:
        what = "bmc";
        break;
      case Placeholder::kPort:
        what = "port (1-65535)";
        break;
    }
    return core::InvalidArgumentError(fmt::format("{}: {} has no {}, needed by {} in \"{}\"", key_,
                                                  who, what, ToString(p), text_));
  }
  return core::Status::Ok();
}

core::Result<std::vector<std::string>> CommandTemplate::Expand(const core::NodeSpec& node) const {
  EBB_RETURN_IF_ERROR(CheckNode(node));
  std::vector<std::string> argv;
  argv.reserve(words_.size());
  for (const Word& word : words_) {
    std::string arg;
    for (const Piece& piece : word) {
      arg += piece.is_placeholder ? ValueOf(node, piece.placeholder) : piece.literal;
    }
    argv.push_back(std::move(arg));
  }
  return argv;
}

}  // namespace ebb::power
