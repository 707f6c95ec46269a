#include "config/config_file.h"

#include <filesystem>

#include <fmt/format.h>

namespace ebb::config {

using core::InvalidArgumentError;
using core::Status;

Status ApplyOverride(toml::table& root, const std::string& override_text) {
  const std::size_t eq = override_text.find('=');
  if (eq == std::string::npos || eq == 0) {
    return InvalidArgumentError("--set " + override_text + ": expected key.path=value");
  }
  const std::string key = override_text.substr(0, eq);
  const std::string value = override_text.substr(eq + 1);
  const std::string source = "--set " + override_text;
  toml::table parsed;
  try {
    parsed = toml::parse("v = " + value, source);
  } catch (const toml::parse_error&) {
    // A bare word is a string: --set policy.name=threshold. Parsed as a quoted string under the
    // same source name, so that later errors about it name the override.
    std::string quoted = "\"";
    for (const char ch : value) {
      if (ch == '"' || ch == '\\') {
        quoted += '\\';
        quoted += ch;
      } else if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) {
        quoted += fmt::format("\\u{:04x}", static_cast<unsigned char>(ch));
      } else {
        quoted += ch;
      }
    }
    quoted += '"';
    try {
      parsed = toml::parse("v = " + quoted, source);
    } catch (const toml::parse_error&) {
      parsed = toml::table{{"v", value}};
    }
  }
  // Walk to the parent table of the last key part, creating tables on the way.
  toml::table* table = &root;
  std::string_view rest = key;
  for (;;) {
    const std::size_t dot = rest.find('.');
    if (dot == std::string_view::npos) break;
    const std::string part(rest.substr(0, dot));
    rest.remove_prefix(dot + 1);
    toml::node* next = table->get(part);
    if (next == nullptr) {
      table->insert(part, toml::table{});
      next = table->get(part);
    }
    if (!next->is_table()) {
      return InvalidArgumentError(source + ": \"" + part + "\" is not a table");
    }
    table = next->as_table();
  }
  if (rest.empty()) return InvalidArgumentError(source + ": empty key");
  toml::node& v = *parsed.get("v");
  v.visit([&](auto& node) { table->insert_or_assign(std::string(rest), std::move(node)); });
  return Status::Ok();
}

core::Result<toml::table> ReadConfigFile(const std::string& path,
                                         const std::vector<std::string>& overrides) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& error) {
    const auto& where = error.source();
    if (where.begin.line == 0) {
      return core::NotFoundError(fmt::format("{}: {}", path, error.description()));
    }
    return InvalidArgumentError(
        fmt::format("{}:{}: {}", path, where.begin.line, error.description()));
  }
  for (const std::string& o : overrides) EBB_RETURN_IF_ERROR(ApplyOverride(root, o));
  return root;
}

Status ErrorsToStatus(const std::vector<std::string>& errors) {
  if (errors.empty()) return Status::Ok();
  std::string message = errors.front();
  for (std::size_t i = 1; i < errors.size(); ++i) message += "\n" + errors[i];
  return InvalidArgumentError(message);
}

std::string ResolvePath(const toml::node& node, const std::string& value,
                        const std::string& config_path) {
  std::filesystem::path resolved(value);
  const bool from_file = node.source().path && *node.source().path == config_path;
  if (resolved.is_relative() && from_file) {
    resolved = std::filesystem::path(config_path).parent_path() / resolved;
  }
  return std::filesystem::absolute(resolved).lexically_normal().string();
}

}  // namespace ebb::config
