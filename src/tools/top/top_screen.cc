#include "tools/top/top_screen.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <ctime>
#include <optional>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace ebb::top {
namespace {

using nlohmann::json;

// ---- reading the untrusted document ----

std::string_view TypeName(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return "a number";
    default:
      return "something else";
  }
}

// Typed reads of object members. Missing and null members are simply absent (a partial document
// is normal while the daemon starts); a member of the wrong type is absent too, and noted once
// so the screen can say the document is malformed.
class Reader {
 public:
  static const json* Member(const json& object, std::string_view key) {
    if (!object.is_object()) return nullptr;
    const auto found = object.find(key);
    if (found == object.end() || found->is_null()) return nullptr;
    return &*found;
  }

  std::optional<double> Number(const json& object, std::string_view path, std::string_view key) {
    const json* value = Member(object, key);
    if (value == nullptr) return std::nullopt;
    if (!value->is_number()) return Wrong(path, key, *value, "a number");
    const double number = value->get<double>();
    if (!std::isfinite(number)) return std::nullopt;
    return number;
  }

  std::optional<std::string> String(const json& object, std::string_view path,
                                    std::string_view key) {
    const json* value = Member(object, key);
    if (value == nullptr) return std::nullopt;
    if (!value->is_string()) return Wrong(path, key, *value, "a string");
    return value->get<std::string>();
  }

  std::optional<bool> Bool(const json& object, std::string_view path, std::string_view key) {
    const json* value = Member(object, key);
    if (value == nullptr) return std::nullopt;
    if (!value->is_boolean()) return Wrong(path, key, *value, "a boolean");
    return value->get<bool>();
  }

  const json* Object(const json& object, std::string_view path, std::string_view key) {
    const json* value = Member(object, key);
    if (value == nullptr) return nullptr;
    if (value->is_object()) return value;
    Wrong(path, key, *value, "an object");
    return nullptr;
  }

  const json* Array(const json& object, std::string_view path, std::string_view key) {
    const json* value = Member(object, key);
    if (value == nullptr) return nullptr;
    if (value->is_array()) return value;
    Wrong(path, key, *value, "an array");
    return nullptr;
  }

  void Note(std::string problem) { problems_.push_back(std::move(problem)); }
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::nullopt_t Wrong(std::string_view path, std::string_view key, const json& value,
                       std::string_view expected) {
    const std::string where = path.empty() ? std::string(key) : fmt::format("{}.{}", path, key);
    problems_.push_back(fmt::format("'{}' is {}, expected {}", where, TypeName(value), expected));
    return std::nullopt;
  }

  std::vector<std::string> problems_;
};

const json& EmptyObject() {
  static const json* const kEmpty = new json(json::object());
  return *kEmpty;
}

// ---- formatting ----

constexpr std::string_view kMissing = "-";

std::string Count(std::optional<double> value) {
  if (!value) return std::string(kMissing);
  if (std::fabs(*value) < 1e15 && *value == std::floor(*value))
    return fmt::format("{:.0f}", *value);
  return fmt::format("{:.1f}", *value);
}

std::string Decimal(std::optional<double> value, int digits = 1) {
  if (!value) return std::string(kMissing);
  return fmt::format("{:.{}f}", *value, digits);
}

// 0.4s, 42s, 8m20s, 2h05m, 3d04h: short enough for a table column.
std::string Duration(std::optional<double> seconds) {
  if (!seconds || *seconds < 0) return std::string(kMissing);
  const double s = *seconds;
  if (s < 10) return fmt::format("{:.1f}s", s);
  if (s < 60) return fmt::format("{:.0f}s", std::floor(s));
  if (s >= 1e9) return ">30y";
  const auto whole = static_cast<long long>(s);
  if (s < 3600) return fmt::format("{}m{:02}s", whole / 60, whole % 60);
  if (s < 86400) return fmt::format("{}h{:02}m", whole / 3600, whole % 3600 / 60);
  return fmt::format("{}d{:02}h", whole / 86400, whole % 86400 / 3600);
}

std::string ClockTime(std::optional<double> unix_s) {
  // Beyond year ~33000 localtime_r has nothing sensible to say.
  if (!unix_s || *unix_s < 0 || *unix_s > 1e12) return "--:--:--";
  const auto seconds = static_cast<std::time_t>(std::floor(*unix_s));
  std::tm local{};
  if (localtime_r(&seconds, &local) == nullptr) return "--:--:--";
  return fmt::format("{:02}:{:02}:{:02}", local.tm_hour, local.tm_min, local.tm_sec);
}

// ---- lines with a width ----

enum class Style {
  kNone,
  kBold,
  kDim,
  kInverse,
  kRed,
  kGreen,
  kBoldGreen,
  kYellow,
  kBlue,
  kMagenta,
  kCyan
};

std::string_view Sgr(Style style) {
  switch (style) {
    case Style::kNone:
      return "";
    case Style::kBold:
      return "\x1b[1m";
    case Style::kDim:
      return "\x1b[2m";
    case Style::kInverse:
      return "\x1b[7m";
    case Style::kRed:
      return "\x1b[31m";
    case Style::kGreen:
      return "\x1b[32m";
    case Style::kBoldGreen:
      return "\x1b[1;32m";
    case Style::kYellow:
      return "\x1b[33m";
    case Style::kBlue:
      return "\x1b[34m";
    case Style::kMagenta:
      return "\x1b[35m";
    case Style::kCyan:
      return "\x1b[36m";
  }
  return "";
}

bool IsContinuationByte(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// One column per code point (wide characters are rare in node names and reasons); C0, DEL and
// C1 controls become '?' so a string in the document cannot move the cursor or change colours.
std::string Printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7f) {
      out += '?';
    } else if (byte == 0xC2 && i + 1 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
      out += '?';
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

int Columns(std::string_view text) {
  int columns = 0;
  for (char c : text) columns += IsContinuationByte(static_cast<unsigned char>(c)) ? 0 : 1;
  return columns;
}

// The longest prefix of `text` (printable already) that takes at most `columns` columns.
std::string_view Clip(std::string_view text, int columns) {
  int used = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (IsContinuationByte(static_cast<unsigned char>(text[i]))) continue;
    if (used == columns) return text.substr(0, i);
    ++used;
  }
  return text;
}

enum class Align { kLeft, kRight };

// Exactly `width` columns: padded, or cut with '~' marking the cut.
std::string Fit(std::string_view raw, int width, Align align = Align::kLeft) {
  const std::string text = Printable(raw);
  const int columns = Columns(text);
  if (columns > width) {
    if (width <= 1) return std::string(Clip(text, width));
    return std::string(Clip(text, width - 1)) + "~";
  }
  const std::string pad(static_cast<std::size_t>(width - columns), ' ');
  return align == Align::kLeft ? text + pad : pad + text;
}

class Line {
 public:
  Line(int width, ColourMode colour) : width_(width), colour_(colour) {}

  Line& Add(std::string_view raw, Style style = Style::kNone) {
    if (used_ >= width_) return *this;
    const std::string text = Printable(raw);
    const std::string_view clipped = Clip(text, width_ - used_);
    if (clipped.empty()) return *this;
    used_ += Columns(clipped);
    const bool styled = colour_ == ColourMode::kAnsi && style != Style::kNone;
    if (styled) out_ += Sgr(style);
    out_ += clipped;
    if (styled) out_ += "\x1b[0m";
    return *this;
  }
  // A separator that never starts a line.
  Line& Gap() { return used_ == 0 ? *this : Add("  "); }
  Line& Field(std::string_view label, std::string_view value, Style style = Style::kNone) {
    Gap();
    if (!label.empty()) Add(std::string(label) + " ", Style::kDim);
    return Add(value, style);
  }

  std::string Take() { return std::move(out_); }

 private:
  int width_;
  ColourMode colour_;
  int used_ = 0;
  std::string out_;
};

// ---- nodes ----

enum class Group { kServing, kTransitional, kOff, kUnknown };

struct StateInfo {
  std::string_view name;
  Group group;
  Style style;
  char glyph;  // in the bar
};

// The order of the table and of the counts: what serves, what is changing, what is off.
constexpr std::array<StateInfo, 8> kStates{{
    {"BUSY", Group::kServing, Style::kBoldGreen, '#'},
    {"ONLINE", Group::kServing, Style::kGreen, '='},
    {"BOOTING", Group::kTransitional, Style::kYellow, '+'},
    {"DRAINING", Group::kTransitional, Style::kYellow, '~'},
    {"POWERING_OFF", Group::kTransitional, Style::kMagenta, 'v'},
    {"OFFLINE", Group::kOff, Style::kCyan, '-'},
    {"DOWN", Group::kOff, Style::kDim, '.'},
    {"UNKNOWN", Group::kUnknown, Style::kRed, '?'},
}};
constexpr int kOtherState = static_cast<int>(kStates.size());

int StateRank(const std::optional<std::string>& state) {
  if (!state) return kOtherState;
  for (std::size_t i = 0; i < kStates.size(); ++i) {
    if (kStates[i].name == *state) return static_cast<int>(i);
  }
  return kOtherState;
}

Style StateStyle(int rank) { return rank < kOtherState ? kStates[rank].style : Style::kRed; }

struct NodeRow {
  std::string name;
  std::optional<std::string> state;
  int rank = kOtherState;
  std::optional<double> for_s;
  std::optional<double> deadline_in_s;
  std::optional<double> sessions;
  std::optional<double> boots;
  std::optional<double> failures;
  std::string why;
};

// web2 before web10: runs of digits compare as numbers.
bool NaturalLess(std::string_view a, std::string_view b) {
  std::size_t i = 0;
  std::size_t j = 0;
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  while (i < a.size() && j < b.size()) {
    if (is_digit(a[i]) && is_digit(b[j])) {
      std::size_t i_end = i;
      std::size_t j_end = j;
      while (i_end < a.size() && is_digit(a[i_end])) ++i_end;
      while (j_end < b.size() && is_digit(b[j_end])) ++j_end;
      std::string_view da = a.substr(i, i_end - i);
      std::string_view db = b.substr(j, j_end - j);
      while (da.size() > 1 && da.front() == '0') da.remove_prefix(1);
      while (db.size() > 1 && db.front() == '0') db.remove_prefix(1);
      if (da.size() != db.size()) return da.size() < db.size();
      if (da != db) return da < db;
      i = i_end;
      j = j_end;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

std::vector<NodeRow> ReadNodes(const json& status, std::optional<double> now, Reader& reader) {
  std::vector<NodeRow> rows;
  const json* nodes = reader.Array(status, "", "nodes");
  if (nodes == nullptr) return rows;
  rows.reserve(nodes->size());
  for (std::size_t i = 0; i < nodes->size(); ++i) {
    const json& node = (*nodes)[i];
    const std::string path = fmt::format("nodes[{}]", i);
    if (!node.is_object()) {
      reader.Note(fmt::format("'{}' is {}, expected an object", path, TypeName(node)));
      continue;
    }
    NodeRow row;
    row.name = reader.String(node, path, "name").value_or(std::string(kMissing));
    row.state = reader.String(node, path, "state");
    row.rank = StateRank(row.state);
    row.for_s = reader.Number(node, path, "for_s");
    const std::optional<double> since = reader.Number(node, path, "since");
    if (!row.for_s && since && now) row.for_s = *now - *since;
    const std::optional<double> deadline = reader.Number(node, path, "deadline");
    if (deadline && now) row.deadline_in_s = *deadline - *now;
    row.sessions = reader.Number(node, path, "sessions");
    row.boots = reader.Number(node, path, "boots");
    row.failures = reader.Number(node, path, "failures");
    row.why = reader.String(node, path, "why").value_or(std::string(kMissing));
    rows.push_back(std::move(row));
  }
  std::stable_sort(rows.begin(), rows.end(), [](const NodeRow& a, const NodeRow& b) {
    if (a.rank != b.rank) return a.rank < b.rank;
    return NaturalLess(a.name, b.name);
  });
  return rows;
}

std::array<int, kStates.size() + 1> CountByState(const std::vector<NodeRow>& nodes) {
  std::array<int, kStates.size() + 1> counts{};
  for (const NodeRow& node : nodes) ++counts[static_cast<std::size_t>(node.rank)];
  return counts;
}

// ---- the screen ----

class Screen {
 public:
  Screen(const json& status, const TopLayout& layout)
      : status_(status.is_object() ? status : EmptyObject()),
        layout_(layout),
        width_(std::max(1, layout.columns)) {
    if (!status.is_object() && !status.is_null()) {
      reader_.Note(fmt::format("the document is {}, expected an object", TypeName(status)));
    }
    now_ = reader_.Number(status_, "", "now");
  }

  std::string Render() {
    std::vector<std::string> top;
    top.push_back(HeaderLine());
    if (!layout_.error.empty())
      top.push_back(NewLine().Add("! " + layout_.error, Style::kRed).Take());
    std::vector<std::string> body;
    const bool has_data = status_.is_object() && !status_.empty();
    if (!has_data) {
      body.push_back(NewLine()
                         .Add(layout_.error.empty() ? "the status document is empty"
                                                    : "waiting for the first status document",
                              Style::kDim)
                         .Take());
    } else {
      body.push_back(LoadLine());
      body.push_back(EnergyLine());
      nodes_ = ReadNodes(status_, now_, reader_);
      body.push_back(StatesLine());
      body.push_back(CountersLine());
    }
    if (has_data) ReadDecisions();
    // Problems are known only once everything has been read; they go right under the header.
    if (!reader_.problems().empty()) top.push_back(ProblemsLine());
    top.insert(top.end(), body.begin(), body.end());
    if (has_data) AppendTables(top);

    if (layout_.rows > 0 && top.size() > static_cast<std::size_t>(layout_.rows)) {
      top.resize(static_cast<std::size_t>(layout_.rows));
    }
    std::string out;
    for (const std::string& line : top) {
      out += line;
      out += '\n';
    }
    return out;
  }

 private:
  Line NewLine() const { return Line(width_, layout_.colour); }

  // What an operator looks for first comes first: wide terminals show the rest.
  std::string HeaderLine() {
    Line line = NewLine();
    line.Add("ebb top", Style::kBold);
    if (!layout_.source.empty()) line.Gap().Add(layout_.source);
    line.Field("policy", reader_.String(status_, "", "policy").value_or(std::string(kMissing)),
               Style::kBold);
    const std::optional<double> started = reader_.Number(status_, "", "started_at");
    line.Field("up", Duration(started && now_ ? std::optional(*now_ - *started) : std::nullopt));
    if (reader_.Bool(status_, "", "dry_run").value_or(false)) {
      line.Gap().Add("DRY-RUN", Style::kYellow);
    }
    HaproxyField(line);
    const std::optional<double> interval = reader_.Number(status_, "", "interval_s");
    line.Field("every", interval ? Count(interval) + "s" : std::string(kMissing));
    if (const auto backend = reader_.String(status_, "", "backend")) {
      line.Field("backend", *backend);
    }
    if (const auto version = reader_.String(status_, "", "version")) line.Gap().Add("v" + *version);
    if (const auto config = reader_.String(status_, "", "config")) line.Field("config", *config);
    return line.Take();
  }

  void HaproxyField(Line& line) {
    const json* sockets = reader_.Array(status_, "", "haproxy");
    if (sockets == nullptr) {
      line.Field("haproxy", kMissing);
      return;
    }
    int ok = 0;
    std::string first_failure;
    for (std::size_t i = 0; i < sockets->size(); ++i) {
      const json& socket = (*sockets)[i];
      const std::string path = fmt::format("haproxy[{}]", i);
      if (reader_.Bool(socket, path, "ok").value_or(false)) {
        ++ok;
      } else if (first_failure.empty()) {
        const std::string address =
            reader_.String(socket, path, "address").value_or(std::string(kMissing));
        const std::string error = reader_.String(socket, path, "error").value_or("");
        first_failure = error.empty() ? address : address + ": " + error;
      }
    }
    const int total = static_cast<int>(sockets->size());
    const bool all_ok = ok == total;
    line.Field("haproxy", fmt::format("{}/{} ok", ok, total), all_ok ? Style::kGreen : Style::kRed);
    if (!first_failure.empty()) line.Add(" (" + first_failure + ")", Style::kRed);
  }

  std::string ProblemsLine() {
    const auto& problems = reader_.problems();
    std::string text = "document: " + problems.front();
    if (problems.size() > 1) text += fmt::format(" (+{} more)", problems.size() - 1);
    return NewLine().Add(text, Style::kRed).Take();
  }

  std::string LoadLine() {
    const json* load = reader_.Object(status_, "", "load");
    const json& l = load != nullptr ? *load : EmptyObject();
    Line line = NewLine();
    const std::optional<bool> have_rate = reader_.Bool(l, "load", "have_rate");
    const std::optional<double> rate = reader_.Number(l, "load", "rate_rps");
    if (have_rate == false) {
      line.Field("load", "- rps (no rate yet)", Style::kBold);
    } else {
      line.Field("load", Decimal(rate) + " rps", Style::kBold);
    }
    line.Field("forecast", Decimal(reader_.Number(l, "load", "expected_rps")));
    line.Field("target", Count(reader_.Number(l, "load", "target")), Style::kBold);
    line.Field("serving", Count(reader_.Number(l, "load", "serving")));
    line.Field("powered", Count(reader_.Number(l, "load", "powered")));
    const std::optional<double> booting = reader_.Number(l, "load", "booting");
    line.Field("booting", Count(booting), booting.value_or(0) > 0 ? Style::kYellow : Style::kNone);
    const std::optional<double> queued = reader_.Number(l, "load", "queued");
    line.Field("queue", Count(queued), queued.value_or(0) > 0 ? Style::kRed : Style::kNone);
    line.Field("data age", Duration(reader_.Number(l, "load", "data_age_s")));
    return line.Take();
  }

  std::string EnergyLine() {
    const json* energy = reader_.Object(status_, "", "energy");
    const json& e = energy != nullptr ? *energy : EmptyObject();
    const json* cost = reader_.Object(status_, "", "cost");
    const json& c = cost != nullptr ? *cost : EmptyObject();
    Line line = NewLine();
    const std::optional<double> power = reader_.Number(e, "energy", "power_w");
    line.Field("power", power ? Decimal(power, 0) + " W" : std::string(kMissing));
    const std::optional<double> kwh = reader_.Number(e, "energy", "energy_kwh");
    line.Field("energy", kwh ? Decimal(kwh, 2) + " kWh" : std::string(kMissing));
    const std::optional<double> always_on = reader_.Number(e, "energy", "always_on_energy_kwh");
    line.Field("always-on", always_on ? Decimal(always_on, 2) + " kWh" : std::string(kMissing));
    const std::optional<double> saving = reader_.Number(e, "energy", "saving_ratio");
    line.Field("saving", saving ? Decimal(*saving * 100) + "%" : std::string(kMissing),
               Style::kBold);
    line.Field("cost", Decimal(reader_.Number(c, "cost", "current")));
    line.Field("mean", Decimal(reader_.Number(c, "cost", "mean")));
    line.Field("total", Decimal(reader_.Number(c, "cost", "total"), 0));
    const std::optional<double> c1 = reader_.Number(c, "cost", "c1");
    const std::optional<double> c2 = reader_.Number(c, "cost", "c2");
    if (c1 || c2) line.Field("c1/c2", Count(c1) + "/" + Count(c2));
    return line.Take();
  }

  std::string StatesLine() {
    Line line = NewLine();
    line.Add(fmt::format("nodes {}", nodes_.size()), Style::kBold);
    const auto counts = CountByState(nodes_);
    if (!nodes_.empty()) {
      // One glyph per node up to kBarWidth nodes, proportional beyond (cumulative rounding keeps
      // the total exact).
      constexpr int kBarWidth = 40;
      const int total = static_cast<int>(nodes_.size());
      const int bar_width = std::min(total, kBarWidth);
      line.Add(" [");
      int done_nodes = 0;
      int done_glyphs = 0;
      for (std::size_t rank = 0; rank < counts.size(); ++rank) {
        if (counts[rank] == 0) continue;
        done_nodes += counts[rank];
        const int until =
            static_cast<int>(std::lround(static_cast<double>(done_nodes) * bar_width / total));
        const int glyphs = std::max(until - done_glyphs, 0);
        done_glyphs += glyphs;
        const char glyph = rank < kStates.size() ? kStates[rank].glyph : '?';
        line.Add(std::string(static_cast<std::size_t>(glyphs), glyph),
                 StateStyle(static_cast<int>(rank)));
      }
      line.Add("]");
    }
    for (std::size_t rank = 0; rank < counts.size(); ++rank) {
      if (counts[rank] == 0) continue;
      const std::string_view name = rank < kStates.size() ? kStates[rank].name : "OTHER";
      line.Gap()
          .Add(name, StateStyle(static_cast<int>(rank)))
          .Add(fmt::format(" {}", counts[rank]));
    }
    return line.Take();
  }

  std::string CountersLine() {
    const json* counters = reader_.Object(status_, "", "counters");
    const json& c = counters != nullptr ? *counters : EmptyObject();
    Line line = NewLine();
    const auto field = [&](std::string_view label, std::string_view key, bool bad_when_nonzero) {
      const std::optional<double> value = reader_.Number(c, "counters", key);
      line.Field(label, Count(value),
                 bad_when_nonzero && value.value_or(0) > 0 ? Style::kRed : Style::kNone);
    };
    field("ticks", "ticks", false);
    field("boots", "boots", false);
    field("readies", "readies", false);
    field("drains", "drains", false);
    field("power-offs", "power_offs", false);
    line.Gap().Add("failures:", Style::kDim);
    field("poll", "poll_failures", true);
    field("boot", "boot_failures", true);
    field("command", "command_failures", true);
    return line.Take();
  }

  void ReadDecisions() {
    const json* decisions = reader_.Array(status_, "", "decisions");
    if (decisions == nullptr) return;
    for (std::size_t i = 0; i < decisions->size(); ++i) {
      const json& decision = (*decisions)[i];
      if (!decision.is_object()) {
        reader_.Note(
            fmt::format("'decisions[{}]' is {}, expected an object", i, TypeName(decision)));
        continue;
      }
      decisions_.push_back({i, &decision});
    }
    // Rendered now, so that their malformed fields count among the problems shown above them.
    const std::size_t most = layout_.rows > 0 ? static_cast<std::size_t>(layout_.rows)
                                              : static_cast<std::size_t>(kUnboundedDecisions);
    for (std::size_t i = 0; i < decisions_.size() && i < most; ++i) {
      decision_lines_.push_back(DecisionLine(*decisions_[i].document, decisions_[i].index));
    }
  }

  std::string DecisionLine(const json& decision, std::size_t index) {
    const std::string path = fmt::format("decisions[{}]", index);
    Line line = NewLine();
    line.Add(ClockTime(reader_.Number(decision, path, "at")));
    const std::optional<double> rate = reader_.Number(decision, path, "rate_rps");
    const std::optional<double> expected = reader_.Number(decision, path, "expected_rps");
    line.Gap().Add(fmt::format("{}/{} rps", Decimal(rate), Decimal(expected)), Style::kDim);

    const std::optional<double> serving = reader_.Number(decision, path, "serving");
    const std::optional<double> booting = reader_.Number(decision, path, "booting");
    const std::optional<double> target = reader_.Number(decision, path, "target");
    const std::optional<double> policy_target = reader_.Number(decision, path, "policy_target");
    std::string change = Count(serving);
    if (booting.value_or(0) > 0) change += "+" + Count(booting);
    change += " -> " + Count(target);
    const bool grows = serving && target && *target > *serving + booting.value_or(0);
    const bool shrinks = serving && target && *target < *serving;
    line.Gap().Add(change, grows ? Style::kGreen : shrinks ? Style::kYellow : Style::kBold);
    if (policy_target && target && *policy_target != *target) {
      line.Add(" (policy " + Count(policy_target) + ")", Style::kDim);
    }

    std::string actions;
    if (const json* list = reader_.Array(decision, path, "actions")) {
      for (std::size_t i = 0; i < list->size(); ++i) {
        const json& action = (*list)[i];
        if (!action.is_string()) {
          reader_.Note(
              fmt::format("'{}.actions[{}]' is {}, expected a string", path, i, TypeName(action)));
          continue;
        }
        if (!actions.empty()) actions += ", ";
        actions += action.get<std::string>();
      }
    }
    line.Gap().Add(actions.empty() ? "no action" : actions,
                   actions.empty() ? Style::kDim : Style::kCyan);
    line.Gap().Add(reader_.String(decision, path, "reason").value_or(std::string(kMissing)));
    if (const auto policy = reader_.String(decision, path, "policy")) {
      line.Add(" [" + *policy + "]", Style::kDim);
    }
    return line.Take();
  }

  std::string NodeHeader(int name_width) const {
    Line line = NewLine();
    line.Add(fmt::format("{} {} {} {} {} {} WHY", Fit("NODE", name_width), Fit("STATE", 12),
                         Fit("FOR", 7, Align::kRight), Fit("SESS", 5, Align::kRight),
                         Fit("BOOTS", 5, Align::kRight), Fit("FAIL", 4, Align::kRight)),
             Style::kInverse);
    return line.Take();
  }

  std::string NodeLine(const NodeRow& node, int name_width) const {
    Line line = NewLine();
    line.Add(Fit(node.name, name_width)).Add(" ");
    line.Add(Fit(node.state.value_or(std::string(kMissing)), 12), StateStyle(node.rank)).Add(" ");
    line.Add(Fit(Duration(node.for_s), 7, Align::kRight)).Add(" ");
    line.Add(Fit(Count(node.sessions), 5, Align::kRight)).Add(" ");
    line.Add(Fit(Count(node.boots), 5, Align::kRight)).Add(" ");
    line.Add(Fit(Count(node.failures), 4, Align::kRight),
             node.failures.value_or(0) > 0 ? Style::kRed : Style::kNone);
    line.Add(" ").Add(node.why);
    if (node.deadline_in_s) {
      const std::string deadline =
          *node.deadline_in_s >= 0 ? "deadline in " + Duration(node.deadline_in_s)
                                   : "deadline passed " + Duration(-*node.deadline_in_s) + " ago";
      line.Add(" (" + deadline + ")", Style::kDim);
    }
    return line.Take();
  }

  std::string MoreLine(std::size_t shown) const {
    const auto hidden =
        std::vector<NodeRow>(nodes_.begin() + static_cast<long>(shown), nodes_.end());
    const auto counts = CountByState(hidden);
    std::string by_state;
    for (std::size_t rank = 0; rank < counts.size(); ++rank) {
      if (counts[rank] == 0) continue;
      if (!by_state.empty()) by_state += ", ";
      by_state +=
          fmt::format("{} {}", counts[rank], rank < kStates.size() ? kStates[rank].name : "OTHER");
    }
    return NewLine()
        .Add(fmt::format("... {} more ({})", hidden.size(), by_state), Style::kDim)
        .Take();
  }

  void AppendTables(std::vector<std::string>& lines) {
    int name_width = 4;
    for (const NodeRow& node : nodes_)
      name_width = std::max(name_width, Columns(Printable(node.name)));
    name_width = std::min(name_width, 24);

    const std::size_t node_count = nodes_.size();
    const std::size_t decision_count = decisions_.size();
    // Lines the tables want: nodes and decisions each have a blank line and a heading, and a
    // placeholder when empty.
    const std::size_t node_lines = std::max<std::size_t>(node_count, 1);
    std::size_t shown_nodes = node_count;
    bool more_line = false;
    std::size_t shown_decisions = decision_lines_.size();
    if (layout_.rows > 0) {
      const long avail = static_cast<long>(layout_.rows) - static_cast<long>(lines.size());
      // Decisions keep a few lines when there is room; the nodes get the rest first.
      long reserve =
          2 + static_cast<long>(std::min<std::size_t>(std::max<std::size_t>(decision_count, 1), 3));
      long node_room = avail - 2 - reserve;
      if (node_room < 1) {
        reserve = 0;
        node_room = avail - 2;
      }
      if (node_room < static_cast<long>(node_lines)) {
        more_line = node_count > 0;
        shown_nodes = node_room > 1 ? static_cast<std::size_t>(node_room - 1) : 0;
      }
      const long node_used =
          2 + (node_count == 0 ? 1 : static_cast<long>(shown_nodes) + (more_line ? 1 : 0));
      const long decision_room = avail - node_used - 2;
      shown_decisions = decision_room > 0 ? std::min(decision_lines_.size(),
                                                     static_cast<std::size_t>(decision_room))
                                          : 0;
    }

    lines.emplace_back();
    lines.push_back(NodeHeader(name_width));
    if (node_count == 0) lines.push_back(NewLine().Add("(no nodes)", Style::kDim).Take());
    for (std::size_t i = 0; i < shown_nodes; ++i) lines.push_back(NodeLine(nodes_[i], name_width));
    if (more_line) lines.push_back(MoreLine(shown_nodes));

    lines.emplace_back();
    lines.push_back(NewLine()
                        .Add(fmt::format("LAST DECISIONS ({} kept, newest first)", decision_count),
                             Style::kInverse)
                        .Take());
    if (decision_count == 0) lines.push_back(NewLine().Add("(none yet)", Style::kDim).Take());
    for (std::size_t i = 0; i < shown_decisions; ++i) {
      lines.push_back(decision_lines_[i]);
    }
  }

  const json& status_;
  const TopLayout& layout_;
  const int width_;
  Reader reader_;
  std::optional<double> now_;
  std::vector<NodeRow> nodes_;
  struct Decision {
    std::size_t index;  // in the document's array, for messages
    const json* document;
  };
  std::vector<Decision> decisions_;
  std::vector<std::string> decision_lines_;
};

}  // namespace

std::string RenderTop(const nlohmann::json& status, const TopLayout& layout) {
  return Screen(status, layout).Render();
}

}  // namespace ebb::top
