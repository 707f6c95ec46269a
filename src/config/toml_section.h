// TomlSection: reads typed values out of one table of a TOML configuration, collecting every
// error (all of them at once, each with file:line and the dotted key) instead of stopping at the
// first, and rejecting unknown keys so that a typo never falls back to a default silently:
//   sim.toml:7: cluster.nodes: expected an integer >= 1, got "ten"
//   sim.toml:3: unknown key "cluster.nodez"
// Shared by every command that reads a configuration (simulate, run, haproxy-config, demo).
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "core/status.h"

namespace ebb::config {

// "path:line" of a node, or the path alone when the node has no position (a --set override).
std::string Where(const toml::source_region& source);
// A value as the user wrote it, for error messages: "ten", 3, a table.
std::string Describe(const toml::node& node);
// "1995-07-06 00:00:00", "1995-07-06T00:00:00Z" or a TOML date-time, as UTC Unix seconds.
std::optional<double> ParseUtc(const toml::node& node);

class TomlSection {
 public:
  // `table` may be null (the section is absent: every read keeps its default).
  TomlSection(const toml::table* table, std::string name, std::vector<std::string>* errors);

  const toml::table* table() const { return table_; }
  const std::string& name() const { return name_; }
  bool Has(std::string_view key) const { return table_ != nullptr && table_->get(key) != nullptr; }

  // Marks `key` as known and returns its node (null when absent).
  const toml::node* Get(std::string_view key);
  void Error(const toml::node& node, std::string_view key, std::string_view expected);

  void Int(std::string_view key, int& out, int min, int max = std::numeric_limits<int>::max());
  void U64(std::string_view key, std::uint64_t& out);
  // A number (integer or float) in [min, max]; `open_min` excludes min itself.
  void Number(std::string_view key, double& out, double min, bool open_min = false,
              double max = std::numeric_limits<double>::infinity());
  void OptionalNumber(std::string_view key, std::optional<double>& out, double min, bool open_min);
  bool Bool(std::string_view key, bool& out);
  bool String(std::string_view key, std::string& out);
  // An array of strings (or, with `allow_single`, one string standing for a one-element array).
  bool StringArray(std::string_view key, std::vector<std::string>& out, bool allow_single = false);

  // A string turned into an enum by `parse`; its error message is kept.
  template <typename T, typename Parse>
  void Enum(std::string_view key, T& out, Parse parse) {
    std::string text;
    if (!String(key, text)) return;
    core::Result<T> parsed = parse(text);
    if (!parsed.ok()) {
      errors_->push_back(fmt::format("{}: {}{}: {}", Where(Get(key)->source()), Prefix(), key,
                                     parsed.status().message()));
      return;
    }
    out = *parsed;
  }

  const toml::table* Table(std::string_view key);
  // A sub-section `key` of this one (absent: a section with no table).
  TomlSection Sub(std::string_view key);

  // Unknown keys are errors: a typo must not silently fall back to a default.
  void RejectUnknown();
  // Keys that are valid elsewhere but not here: an error with `why` for each one present.
  void Reject(std::string_view key, std::string_view why);

 private:
  std::string Prefix() const { return name_.empty() ? std::string() : name_ + "."; }

  const toml::table* table_;
  std::string name_;
  std::vector<std::string>* errors_;
  std::set<std::string, std::less<>> known_;
};

}  // namespace ebb::config
