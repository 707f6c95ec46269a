#include "tools/logstat/log_analyzer.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

namespace ebb::logstat {
namespace {

std::uint32_t PackState(std::string_view state) {
  std::uint32_t key = 0;
  std::memcpy(&key, state.data(), std::min<std::size_t>(state.size(), 4));
  return key;
}

std::string UnpackState(std::uint32_t key) {
  char text[4];
  std::memcpy(text, &key, 4);
  return std::string(text, 4);
}

bool IsAborted(std::string_view state) { return state[0] == 'C' || state[0] == 'c'; }

std::string FormatUtc(std::int64_t unix_ms) {
  const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
  return text;
}

nlohmann::json TimerJson(const TimerDistribution& timer, std::uint64_t missing) {
  const TimerSummary s = timer.Summarize();
  nlohmann::json j = {{"count", s.count}, {"missing", missing}};
  if (s.count == 0) {
    for (const char* key : {"mean", "variance", "min", "max", "scv", "p50", "p95", "p99"}) {
      j[key] = nullptr;
    }
    return j;
  }
  j["mean"] = s.mean;
  j["variance"] = s.variance;
  j["min"] = s.min;
  j["max"] = s.max;
  j["scv"] = s.scv;
  j["p50"] = s.p50;
  j["p95"] = s.p95;
  j["p99"] = s.p99;
  return j;
}

nlohmann::json StatsJson(const RequestStats& stats, std::int64_t sla_ms) {
  nlohmann::json status = nlohmann::json::object();
  for (int slot = 0; slot < RequestStats::kStatusSlots; ++slot) {
    const std::uint64_t n = stats.status_counts[slot];
    if (n != 0) status[std::to_string(slot - 1)] = n;
  }
  nlohmann::json termination = nlohmann::json::object();
  for (const auto& [key, n] : stats.termination) termination[UnpackState(key)] = n;
  return {
      {"requests", stats.requests},
      {"status", std::move(status)},
      {"termination", std::move(termination)},
      {"service_time_ms", TimerJson(stats.service_time, stats.service_time_missing)},
      {"response_time_ms", TimerJson(stats.response_time, stats.response_time_missing)},
      {"sla_violations", stats.sla_violations},
      {"sla",
       {{"threshold_ms", sla_ms},
        {"slow", stats.slow},
        {"server_errors", stats.server_errors},
        {"aborted", stats.aborted}}},
  };
}

}  // namespace

RequestStats::RequestStats() : status_counts(new std::uint64_t[kStatusSlots]()) {}

void RequestStats::Add(const HttpLogLine& line, std::int64_t sla_ms) {
  ++requests;
  ++status_counts[line.status + 1];
  const std::uint32_t state = PackState(line.termination_state);
  auto it = termination.begin();
  while (it != termination.end() && it->first != state) ++it;
  if (it == termination.end()) {
    termination.emplace_back(state, 1);
  } else {
    ++it->second;
  }
  if (line.tr >= 0) {
    service_time.Add(line.tr);
  } else {
    ++service_time_missing;
  }
  if (line.tt >= 0) {
    response_time.Add(line.tt);
  } else {
    ++response_time_missing;
  }
  const bool is_slow = line.tt > sla_ms;
  const bool is_error = line.status >= 500 && line.status <= 599;
  const bool is_aborted = IsAborted(line.termination_state);
  slow += is_slow;
  server_errors += is_error;
  aborted += is_aborted;
  sla_violations += is_slow || is_error || is_aborted;
}

void RequestStats::Merge(const RequestStats& other) {
  requests += other.requests;
  for (int i = 0; i < kStatusSlots; ++i) status_counts[i] += other.status_counts[i];
  for (const auto& [key, n] : other.termination) {
    auto it = std::find_if(termination.begin(), termination.end(),
                           [key = key](const auto& entry) { return entry.first == key; });
    if (it == termination.end()) {
      termination.emplace_back(key, n);
    } else {
      it->second += n;
    }
  }
  service_time.Merge(other.service_time);
  response_time.Merge(other.response_time);
  service_time_missing += other.service_time_missing;
  response_time_missing += other.response_time_missing;
  sla_violations += other.sla_violations;
  slow += other.slow;
  server_errors += other.server_errors;
  aborted += other.aborted;
}

LogAnalyzer::LogAnalyzer(AnalyzerOptions options) : options_(options) {
  report_.sla_ms = options.sla_ms;
}

void LogAnalyzer::BeginSource(std::string name) {
  source_ = std::move(name);
  source_line_ = 0;
}

void LogAnalyzer::AddText(std::string_view text) {
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
    const char* eol = nl != nullptr ? static_cast<const char*>(nl) : end;
    AddLine(std::string_view(p, static_cast<std::size_t>(eol - p)));
    p = eol + 1;
  }
}

void LogAnalyzer::AddLine(std::string_view line) {
  ++report_.lines;
  ++source_line_;
  HttpLogLine parsed;
  const ParseResult result = ParseHttpLogLine(line, parsed);
  if (result.kind == LineKind::kOther) {
    ++report_.other;
    return;
  }
  if (result.kind == LineKind::kInvalid) {
    ++report_.invalid;
    if (report_.invalid_examples.size() < options_.invalid_examples) {
      report_.invalid_examples.push_back({.source = source_,
                                          .line = source_line_,
                                          .field = std::string(result.error_field),
                                          .text = std::string(line.substr(0, 200))});
    }
    return;
  }
  ++report_.parsed;
  FindServer(parsed).stats.Add(parsed, options_.sla_ms);
  const std::int64_t ms = parsed.accept_unix_ms;
  if (!have_time_) {
    report_.first_accept_ms = report_.last_accept_ms = ms;
    have_time_ = true;
  } else {
    report_.first_accept_ms = std::min(report_.first_accept_ms, ms);
    report_.last_accept_ms = std::max(report_.last_accept_ms, ms);
  }
  if (options_.per_second) {
    // Floor division: dates before 1970 still land in the right second.
    CountSecond(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
  }
}

LogAnalyzer::Server& LogAnalyzer::FindServer(const HttpLogLine& line) {
  // Consecutive lines mostly name the same server: compare with the last one first.
  if (last_server_ != nullptr && line.backend_server == last_key_) return *last_server_;
  auto it = server_index_.find(line.backend_server);
  if (it == server_index_.end()) {
    auto server = std::make_unique<Server>();
    server->backend = std::string(line.backend);
    server->server = std::string(line.server);
    it = server_index_.emplace(std::string(line.backend_server), server.get()).first;
    servers_.push_back(std::move(server));
  }
  last_key_.assign(line.backend_server);
  last_server_ = it->second;
  return *last_server_;
}

void LogAnalyzer::CountSecond(std::int64_t second) {
  if (last_second_count_ == nullptr || second != last_second_) {
    // Pointers to unordered_map values stay valid across rehashing.
    last_second_count_ = &seconds_[second];
    last_second_ = second;
  }
  ++*last_second_count_;
}

LogReport LogAnalyzer::Finish() {
  for (auto& server : servers_) {
    BackendReport& backend = report_.backends[server->backend];
    backend.stats.Merge(server->stats);
    report_.total.Merge(server->stats);
    backend.servers.emplace(server->server, std::move(server->stats));
  }
  servers_.clear();
  server_index_.clear();
  last_server_ = nullptr;
  auto order = [](const auto& a, const auto& b) { return a.second > b.second; };
  std::sort(report_.total.termination.begin(), report_.total.termination.end(), order);
  for (auto& [name, backend] : report_.backends) {
    std::sort(backend.stats.termination.begin(), backend.stats.termination.end(), order);
    for (auto& [server_name, stats] : backend.servers) {
      std::sort(stats.termination.begin(), stats.termination.end(), order);
    }
  }
  report_.per_second.assign(seconds_.begin(), seconds_.end());
  std::sort(report_.per_second.begin(), report_.per_second.end());
  seconds_.clear();
  last_second_count_ = nullptr;
  return std::move(report_);
}

nlohmann::json ToJson(const LogReport& report) {
  nlohmann::json j = {
      {"lines", report.lines}, {"parsed", report.parsed}, {"invalid", report.invalid},
      {"other", report.other}, {"sla_ms", report.sla_ms},
  };
  if (report.parsed > 0) {
    j["first_accept_utc"] = FormatUtc(report.first_accept_ms);
    j["last_accept_utc"] = FormatUtc(report.last_accept_ms);
  }
  j.update(StatsJson(report.total, report.sla_ms));
  nlohmann::json backends = nlohmann::json::object();
  for (const auto& [name, backend] : report.backends) {
    nlohmann::json b = StatsJson(backend.stats, report.sla_ms);
    nlohmann::json servers = nlohmann::json::object();
    for (const auto& [server_name, stats] : backend.servers) {
      servers[server_name] = StatsJson(stats, report.sla_ms);
    }
    b["servers"] = std::move(servers);
    backends[name] = std::move(b);
  }
  j["backends"] = std::move(backends);
  return j;
}

namespace {

void AppendRow(std::string& out, std::string_view scope, const RequestStats& stats) {
  const TimerSummary tr = stats.service_time.Summarize();
  const TimerSummary tt = stats.response_time.Summarize();
  auto timer = [](const TimerSummary& s) {
    if (s.count == 0)
      return fmt::format("{:>9} {:>7} {:>7} {:>7} {:>8} {:>6}", "-", "-", "-", "-", "-", "-");
    return fmt::format("{:>9.1f} {:>7} {:>7} {:>7} {:>8} {:>6.2f}", s.mean, s.p50, s.p95, s.p99,
                       s.max, s.scv);
  };
  out += fmt::format("{:<36} {:>9} | {} | {} | {:>8}\n", scope, stats.requests, timer(tr),
                     timer(tt), stats.sla_violations);
}

}  // namespace

std::string FormatTable(const LogReport& report) {
  std::string out;
  out += fmt::format("lines {}  parsed {}  invalid {}  other {}\n", report.lines, report.parsed,
                     report.invalid, report.other);
  if (report.parsed > 0) {
    out += fmt::format("accepted {} .. {} (log time read as UTC)\n",
                       FormatUtc(report.first_accept_ms), FormatUtc(report.last_accept_ms));
  }
  const RequestStats& t = report.total;
  out += fmt::format(
      "SLA {} ms: {} violations ({} slow, {} 5xx, {} aborted); timers -1: Tr {}, Tt/Ta {}\n",
      report.sla_ms, t.sla_violations, t.slow, t.server_errors, t.aborted, t.service_time_missing,
      t.response_time_missing);
  out += "status     ";
  for (int slot = 0; slot < RequestStats::kStatusSlots; ++slot) {
    if (t.status_counts[slot] != 0) out += fmt::format(" {}:{}", slot - 1, t.status_counts[slot]);
  }
  out += "\ntermination";
  for (const auto& [key, n] : t.termination) out += fmt::format(" {}:{}", UnpackState(key), n);
  out += "\n\n";
  out += fmt::format(
      "{:<36} {:>9} | {:>9} {:>7} {:>7} {:>7} {:>8} {:>6} | {:>9} {:>7} {:>7} {:>7} "
      "{:>8} {:>6} | {:>8}\n",
      "scope", "requests", "Tr mean", "p50", "p95", "p99", "max", "scv", "Tt mean", "p50", "p95",
      "p99", "max", "scv", "SLA viol");
  AppendRow(out, "all", t);
  for (const auto& [name, backend] : report.backends) {
    AppendRow(out, name, backend.stats);
    for (const auto& [server_name, stats] : backend.servers) {
      AppendRow(out, "  " + server_name, stats);
    }
  }
  return out;
}

core::Status WritePerSecondCsv(const LogReport& report, const std::string& path) {
  const std::string temp = path + ".tmp";
  std::FILE* file = std::fopen(temp.c_str(), "w");
  if (file == nullptr) {
    return core::NotFoundError(fmt::format("{}: cannot create: {}", temp, std::strerror(errno)));
  }
  std::string text = "unix_time,requests\n";
  for (const auto& [second, n] : report.per_second) {
    text += fmt::format("{},{}\n", second, n);
    if (text.size() > (1u << 20)) {
      std::fwrite(text.data(), 1, text.size(), file);
      text.clear();
    }
  }
  std::fwrite(text.data(), 1, text.size(), file);
  const bool failed = std::ferror(file) != 0;
  if (std::fclose(file) != 0 || failed) {
    std::remove(temp.c_str());
    return core::UnavailableError(fmt::format("{}: write failed", temp));
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) {
    std::remove(temp.c_str());
    return core::UnavailableError(
        fmt::format("{}: cannot rename to {}: {}", temp, path, ec.message()));
  }
  return core::Status::Ok();
}

}  // namespace ebb::logstat
