#include "sim/sim_config.h"

#include <cmath>
#include <ctime>
#include <filesystem>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

namespace ebb::sim {
namespace {

using core::InvalidArgumentError;
using core::Result;
using core::Status;

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

// Reads typed values out of one table, remembering which keys were known.
class Section {
 public:
  Section(const toml::table* table, std::string name, std::vector<std::string>* errors)
      : table_(table), name_(std::move(name)), errors_(errors) {}

  const toml::node* Get(std::string_view key) {
    known_.insert(std::string(key));
    return table_ == nullptr ? nullptr : table_->get(key);
  }

  void Error(const toml::node& node, std::string_view key, std::string_view expected) {
    errors_->push_back(fmt::format("{}: {}.{}: expected {}, got {}", Where(node.source()), name_,
                                   key, expected, Describe(node)));
  }

  void Int(std::string_view key, int& out, int min, int max = std::numeric_limits<int>::max()) {
    const toml::node* node = Get(key);
    if (node == nullptr) return;
    const auto v = node->value_exact<std::int64_t>();
    if (!v || *v < min || *v > max) {
      Error(*node, key,
            max == std::numeric_limits<int>::max()
                ? fmt::format("an integer >= {}", min)
                : fmt::format("an integer in [{}, {}]", min, max));
      return;
    }
    out = static_cast<int>(*v);
  }

  void U64(std::string_view key, std::uint64_t& out) {
    const toml::node* node = Get(key);
    if (node == nullptr) return;
    const auto v = node->value_exact<std::int64_t>();
    if (!v || *v < 0) {
      Error(*node, key, "an integer >= 0");
      return;
    }
    out = static_cast<std::uint64_t>(*v);
  }

  // A number (integer or float) in [min, max]; `open_min` excludes min itself.
  void Number(std::string_view key, double& out, double min, bool open_min = false,
              double max = std::numeric_limits<double>::infinity()) {
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

  void OptionalNumber(std::string_view key, std::optional<double>& out, double min, bool open_min) {
    if (table_ == nullptr || table_->get(key) == nullptr) {
      known_.insert(std::string(key));
      return;
    }
    double v = 0;
    const std::size_t before = errors_->size();
    Number(key, v, min, open_min);
    if (errors_->size() == before) out = v;
  }

  bool String(std::string_view key, std::string& out) {
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

  // A string turned into an enum by `parse`; its error message is kept.
  template <typename T, typename Parse>
  void Enum(std::string_view key, T& out, Parse parse) {
    std::string text;
    if (!String(key, text)) return;
    Result<T> parsed = parse(text);
    if (!parsed.ok()) {
      errors_->push_back(fmt::format("{}: {}.{}: {}", Where(Get(key)->source()), name_, key,
                                     parsed.status().message()));
      return;
    }
    out = *parsed;
  }

  const toml::table* Table(std::string_view key) {
    const toml::node* node = Get(key);
    if (node == nullptr) return nullptr;
    if (!node->is_table()) {
      Error(*node, key, "a table");
      return nullptr;
    }
    return node->as_table();
  }

  // Unknown keys are errors: a typo must not silently fall back to a default.
  void RejectUnknown() {
    if (table_ == nullptr) return;
    for (const auto& [key, value] : *table_) {
      if (!known_.contains(std::string(key.str()))) {
        errors_->push_back(
            fmt::format("{}: unknown key \"{}.{}\"", Where(value.source()), name_, key.str()));
      }
    }
  }

 private:
  const toml::table* table_;
  std::string name_;
  std::vector<std::string>* errors_;
  std::set<std::string> known_;
};

// "1995-07-06 00:00:00", "1995-07-06T00:00:00Z" or a TOML date-time, as UTC Unix seconds.
std::optional<double> ParseUtc(const toml::node& node) {
  std::tm tm{};
  double fraction = 0;
  if (node.is_date_time()) {
    const toml::date_time dt = node.as_date_time()->get();
    tm.tm_year = dt.date.year - 1900;
    tm.tm_mon = dt.date.month - 1;
    tm.tm_mday = dt.date.day;
    tm.tm_hour = dt.time.hour;
    tm.tm_min = dt.time.minute;
    tm.tm_sec = dt.time.second;
    fraction = dt.time.nanosecond / 1e9;
    double offset = dt.offset ? dt.offset->minutes * 60.0 : 0.0;
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
    // A bare word is a string: --set policy.name=threshold.
    parsed = toml::table{{"v", value}};
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

}  // namespace

std::vector<core::NodeSpec> SimConfig::NodeSpecs() const {
  std::vector<core::NodeSpec> specs(static_cast<std::size_t>(nodes));
  for (int i = 0; i < nodes; ++i) {
    specs[i] = core::NodeSpec{.name = fmt::format("{}{}", name_prefix, i + 1),
                              .host = "",
                              .capacity_rps = capacity_rps,
                              .boot_s = boot_s,
                              .shutdown_s = shutdown_s};
  }
  return specs;
}

Result<SimConfig> LoadSimConfig(const std::string& path,
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

  SimConfig c;
  c.source = path;
  std::vector<std::string> errors;

  Section top(&root, "", &errors);
  auto section = [&](std::string_view name) {
    const toml::node* node = top.Get(name);
    if (node != nullptr && !node->is_table()) {
      errors.push_back(fmt::format("{}: {}: expected a table", Where(node->source()), name));
      node = nullptr;
    }
    return Section(node == nullptr ? nullptr : node->as_table(), std::string(name), &errors);
  };

  Section cluster = section("cluster");
  cluster.Int("nodes", c.nodes, 1, 1'000'000);
  cluster.Int("maxconn", c.maxconn, 1, 1'000'000);
  cluster.Number("boot_s", c.boot_s, 0);
  cluster.Number("shutdown_s", c.shutdown_s, 0);
  cluster.Number("capacity_rps", c.capacity_rps, 0, /*open_min=*/true);
  cluster.String("name_prefix", c.name_prefix);
  if (const toml::table* st = cluster.Table("service_time")) {
    Section s(st, "cluster.service_time", &errors);
    s.Enum("dist", c.service_time.kind, ParseServiceTimeKind);
    s.Number("mean_s", c.service_time.mean_s, 0, true);
    s.Number("scv", c.service_time.scv, 0, true);
    s.RejectUnknown();
  }
  if (const toml::table* pt = cluster.Table("power")) {
    Section p(pt, "cluster.power", &errors);
    bool shutdown_given = pt->get("shutdown_w") != nullptr;
    p.Number("off_w", c.power.off_w, 0);
    p.Number("boot_w", c.power.boot_w, 0);
    p.Number("idle_w", c.power.idle_w, 0);
    p.Number("busy_w", c.power.busy_w, 0);
    p.Number("shutdown_w", c.power.shutdown_w, 0);
    if (!shutdown_given) c.power.shutdown_w = c.power.idle_w;
    p.RejectUnknown();
  } else {
    c.power.shutdown_w = c.power.idle_w;
  }
  cluster.RejectUnknown();
  if (c.capacity_rps == 0) c.capacity_rps = c.maxconn / c.service_time.mean_s;
  if (!std::isfinite(c.capacity_rps)) {  // a tiny mean_s overflows the quotient
    errors.push_back(fmt::format(
        "{}: cluster.capacity_rps: maxconn / service_time.mean_s is not finite; give capacity_rps",
        path));
  }

  Section balancer = section("balancer");
  balancer.Enum("algorithm", c.algorithm, ParseAlgorithm);
  balancer.Number("queue_timeout_s", c.queue_timeout_s, 0);
  balancer.RejectUnknown();

  Section workload = section("workload");
  if (workload.String("trace", c.workload.trace) && !c.workload.trace.empty()) {
    std::filesystem::path trace(c.workload.trace);
    const toml::node* node = workload.Get("trace");
    // A trace named in the file is relative to the file; one from --set to the working folder.
    const bool from_file = node->source().path && *node->source().path == path;
    if (trace.is_relative() && from_file) {
      trace = std::filesystem::path(path).parent_path() / trace;
    }
    c.workload.trace = std::filesystem::absolute(trace).lexically_normal().string();
  }
  workload.Enum("format", c.workload.format, ParseTraceFormat);
  workload.Number("rate_rps", c.workload.rate_rps, 0);
  workload.Enum("arrivals", c.workload.arrivals, ParseArrivalMode);
  workload.Number("scale", c.workload.scale, 0);
  workload.Number("speedup", c.workload.speedup, 0, true);
  if (const toml::node* start = workload.Get("start")) {
    if (start->is_integer() || start->is_floating_point()) {
      c.workload.start = start->value<double>();
    } else if (auto t = ParseUtc(*start)) {
      c.workload.start = *t;
    } else {
      workload.Error(*start, "start", "Unix seconds or a UTC date-time \"YYYY-MM-DD HH:MM:SS\"");
    }
  }
  workload.OptionalNumber("duration_s", c.workload.duration_s, 0, true);
  workload.RejectUnknown();
  if (c.workload.trace.empty() && errors.empty() &&
      (c.workload.rate_rps <= 0 || !c.workload.duration_s)) {
    errors.push_back(fmt::format(
        "{}: workload: give workload.trace, or workload.rate_rps and workload.duration_s", path));
  }

  Section pol = section("policy");
  pol.String("name", c.policy.name);
  pol.Number("interval_s", c.controller.interval_s, 0, true);
  pol.Int("min_nodes", c.controller.guard.min_serving, 1);
  int max_nodes = c.nodes;
  pol.Int("max_nodes", max_nodes, 1);
  c.controller.guard.max_serving = max_nodes;
  pol.Number("overload", c.policy.overload, 0, true, 1);
  pol.Number("underload", c.policy.underload, 0, false, 1);
  pol.Int("underload_cycles", c.policy.underload_cycles, 1);
  pol.Number("history_s", c.policy.history_s, 0, true);
  pol.Number("mean_s", c.policy.mean_s, 0, true);
  pol.Number("epsilon_s", c.policy.epsilon_s, 0);
  pol.Number("up_cooldown_s", c.controller.guard.up_cooldown_s, 0);
  pol.Number("down_cooldown_s", c.controller.guard.down_cooldown_s, 0);
  pol.Int("max_transitions_per_tick", c.controller.guard.max_transitions_per_tick, 1);
  pol.Number("drain_timeout_s", c.controller.drain_timeout_s, 0);
  pol.RejectUnknown();
  c.controller.guard.stale_after_s = 3 * c.controller.interval_s;
  // Enough load samples for the longest window a policy reads. The controller allocates them at
  // once, so the count is bounded (and a quotient that overflows is an error, not a bad cast).
  constexpr double kMaxHistorySamples = 10'000'000;
  const double longest = std::max(c.policy.history_s, c.policy.mean_s);
  const double samples = std::ceil(longest / c.controller.interval_s) + 2;
  if (samples <= kMaxHistorySamples) {
    c.controller.history_samples = static_cast<std::size_t>(samples);
  } else {
    errors.push_back(
        fmt::format("{}: policy: history_s and mean_s of up to {} s at interval_s = {} s need "
                    "more than {} load samples",
                    path, longest, c.controller.interval_s, kMaxHistorySamples));
  }

  Section sla = section("sla");
  sla.Number("response_s", c.sla_s, 0, true);
  sla.RejectUnknown();

  Section sim = section("sim");
  sim.U64("seed", c.seed);
  sim.RejectUnknown();

  top.RejectUnknown();

  if (errors.empty()) {
    Result<std::unique_ptr<policy::Policy>> made = policy::MakePolicy(c.policy);
    if (!made.ok()) errors.push_back(fmt::format("{}: policy: {}", path, made.status().message()));
  }
  if (errors.empty() && c.controller.guard.min_serving > c.nodes) {
    errors.push_back(fmt::format("{}: policy.min_nodes ({}) exceeds cluster.nodes ({})", path,
                                 c.controller.guard.min_serving, c.nodes));
  }
  if (errors.empty()) {
    // The configuration as run, to keep beside its results: the trace path made absolute so
    // that the copy works from wherever it is read.
    if (!c.workload.trace.empty()) {
      root.get_as<toml::table>("workload")->insert_or_assign("trace", c.workload.trace);
    }
    std::ostringstream text;
    text << root;
    c.effective = text.str() + "\n";
  }
  if (!errors.empty()) {
    std::string message = errors.front();
    for (std::size_t i = 1; i < errors.size(); ++i) message += "\n" + errors[i];
    return InvalidArgumentError(message);
  }
  return c;
}

}  // namespace ebb::sim
