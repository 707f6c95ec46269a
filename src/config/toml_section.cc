#include "config/toml_section.h"

#include <cmath>
#include <ctime>
#include <iomanip>
#include <sstream>

namespace ebb::config {

std::string Where(const toml::source_region& source) {
  const std::string path = source.path ? std::string(*source.path) : std::string("<config>");
  if (source.begin.line == 0) return path;
  return fmt::format("{}:{}", path, source.begin.line);
}

std::string Describe(const toml::node& node) {
  std::ostringstream out;
  switch (node.type()) {
    case toml::node_type::string:
      return "\"" + std::string(*node.value<std::string>()) + "\"";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    default:
      if (node.is_integer())
        out << node.as_integer()->get();
      else if (node.is_floating_point())
        out << node.as_floating_point()->get();
      else if (node.is_boolean())
        out << (node.as_boolean()->get() ? "true" : "false");
      else
        out << "a date/time";
      return out.str();
  }
}

std::optional<double> ParseUtc(const toml::node& node) {
  std::tm tm{};
  if (node.is_date_time()) {
    const toml::date_time dt = node.as_date_time()->get();
    tm.tm_year = dt.date.year - 1900;
    tm.tm_mon = dt.date.month - 1;
    tm.tm_mday = dt.date.day;
    tm.tm_hour = dt.time.hour;
    tm.tm_min = dt.time.minute;
    tm.tm_sec = dt.time.second;
    const double fraction = dt.time.nanosecond / 1e9;
    const double offset = dt.offset ? dt.offset->minutes * 60.0 : 0.0;
    return static_cast<double>(timegm(&tm)) + fraction - offset;
  }
  const auto text = node.value_exact<std::string>();
  if (!text) return std::nullopt;
  std::string s = *text;
  if (!s.empty() && s.back() == 'Z') s.pop_back();
  for (char& c : s) {
    if (c == 'T') c = ' ';
  }
  std::istringstream in(s);
  in >> std::get_time(&tm, "%Y-%m-%d %H:%M:%S");
  if (in.fail()) return std::nullopt;
  in >> std::ws;
  if (!in.eof()) return std::nullopt;
  return static_cast<double>(timegm(&tm));
}

TomlSection::TomlSection(const toml::table* table, std::string name,
                         std::vector<std::string>* errors)
    : table_(table), name_(std::move(name)), errors_(errors) {}

const toml::node* TomlSection::Get(std::string_view key) {
  known_.insert(std::string(key));
  return table_ == nullptr ? nullptr : table_->get(key);
}

void TomlSection::Error(const toml::node& node, std::string_view key, std::string_view expected) {
  errors_->push_back(fmt::format("{}: {}{}: expected {}, got {}", Where(node.source()), Prefix(),
                                 key, expected, Describe(node)));
}

void TomlSection::Int(std::string_view key, int& out, int min, int max) {
  const toml::node* node = Get(key);
  if (node == nullptr) return;
  const auto v = node->value_exact<std::int64_t>();
  if (!v || *v < min || *v > max) {
    Error(*node, key,
          max == std::numeric_limits<int>::max() ? fmt::format("an integer >= {}", min)
                                                 : fmt::format("an integer in [{}, {}]", min, max));
    return;
  }
  out = static_cast<int>(*v);
}

void TomlSection::U64(std::string_view key, std::uint64_t& out) {
  const toml::node* node = Get(key);
  if (node == nullptr) return;
  const auto v = node->value_exact<std::int64_t>();
  if (!v || *v < 0) {
    Error(*node, key, "an integer >= 0");
    return;
  }
  out = static_cast<std::uint64_t>(*v);
}

void TomlSection::Number(std::string_view key, double& out, double min, bool open_min, double max) {
  const toml::node* node = Get(key);
  if (node == nullptr) return;
  std::optional<double> v;
  if (node->is_integer()) v = static_cast<double>(node->as_integer()->get());
  if (node->is_floating_point()) v = node->as_floating_point()->get();
  if (!v || !std::isfinite(*v) || (open_min ? *v <= min : *v < min) || *v > max) {
    std::string expected =
        open_min ? fmt::format("a number > {}", min) : fmt::format("a number >= {}", min);
    if (std::isfinite(max)) expected += fmt::format(" and <= {}", max);
    Error(*node, key, expected);
    return;
  }
  out = *v;
}

void TomlSection::OptionalNumber(std::string_view key, std::optional<double>& out, double min,
                                 bool open_min) {
  if (!Has(key)) {
    known_.insert(std::string(key));
    return;
  }
  double v = 0;
  const std::size_t before = errors_->size();
  Number(key, v, min, open_min);
  if (errors_->size() == before) out = v;
}

bool TomlSection::Bool(std::string_view key, bool& out) {
  const toml::node* node = Get(key);
  if (node == nullptr) return false;
  const auto v = node->value_exact<bool>();
  if (!v) {
    Error(*node, key, "true or false");
    return false;
  }
  out = *v;
  return true;
}

bool TomlSection::String(std::string_view key, std::string& out) {
  const toml::node* node = Get(key);
  if (node == nullptr) return false;
  const auto v = node->value_exact<std::string>();
  if (!v) {
    Error(*node, key, "a string");
    return false;
  }
  out = *v;
  return true;
}

bool TomlSection::StringArray(std::string_view key, std::vector<std::string>& out,
                              bool allow_single) {
  const toml::node* node = Get(key);
  if (node == nullptr) return false;
  if (allow_single && node->is_string()) {
    out = {std::string(*node->value_exact<std::string>())};
    return true;
  }
  const toml::array* array = node->as_array();
  std::vector<std::string> values;
  bool ok = array != nullptr;
  if (ok) {
    for (const toml::node& element : *array) {
      const auto v = element.value_exact<std::string>();
      if (!v) {
        ok = false;
        break;
      }
      values.push_back(*v);
    }
  }
  if (!ok) {
    Error(*node, key, allow_single ? "a string or an array of strings" : "an array of strings");
    return false;
  }
  out = std::move(values);
  return true;
}

const toml::table* TomlSection::Table(std::string_view key) {
  const toml::node* node = Get(key);
  if (node == nullptr) return nullptr;
  if (!node->is_table()) {
    Error(*node, key, "a table");
    return nullptr;
  }
  return node->as_table();
}

TomlSection TomlSection::Sub(std::string_view key) {
  return TomlSection(Table(key), Prefix() + std::string(key), errors_);
}

void TomlSection::RejectUnknown() {
  if (table_ == nullptr) return;
  for (const auto& [key, value] : *table_) {
    if (!known_.contains(key.str())) {
      errors_->push_back(
          fmt::format("{}: unknown key \"{}{}\"", Where(value.source()), Prefix(), key.str()));
    }
  }
}

void TomlSection::Reject(std::string_view key, std::string_view why) {
  known_.insert(std::string(key));
  if (table_ == nullptr) return;
  if (const toml::node* node = table_->get(key)) {
    errors_->push_back(fmt::format("{}: {}{}: {}", Where(node->source()), Prefix(), key, why));
  }
}

}  // namespace ebb::config
