#include "apps/cli/logstat_command.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "tools/logstat/log_analyzer.h"
#include "tools/logstat/log_reader.h"

namespace ebb::cli {
namespace {

struct LogstatArgs {
  std::vector<std::string> files;
  bool json = false;
  std::string per_second;
  std::int64_t sla_ms = 5000;
};

constexpr char kDescription[] = R"(Statistics of HAProxy HTTP logs (option httplog).

Reads each FILE (`-` is standard input), plain or gzip (detected by its magic bytes), with or
without a syslog header, HAProxy 1.4 (Tq/Tw/Tc/Tr/Tt) or 1.5+ (TR/Tw/Tc/Tr/Ta) timers, captured
headers, IPv4 or IPv6 clients. For all requests, each backend and each server it reports counts,
service time (Tr) and response time (Tt/Ta): count, mean, population variance, min, max, squared
coefficient of variation and exact nearest-rank p50/p95/p99; status and termination-state
counts; SLA violations. Timers of -1 are counted as `missing`, never averaged in.
An aborted request has a termination state starting with C (client abort) or c (client
timeout). An SLA violation is a request with response time > --sla-ms, a 5xx status or an
abort (counted once). Lines that are not HTTP logs but carry a syslog header (TCP `Connect
from`, `Server ... is DOWN`) and blank lines count as `other`; any other unparsable line is
`invalid`, and the first 5 are printed on stderr with file:line. Accept dates
[dd/Mon/yyyy:HH:MM:SS.mmm] carry no time zone and are read as UTC.)";

int RunLogstat(const LogstatArgs& args) {
  // Check every input first so that a typo fails at once, not after a long file.
  for (const std::string& path : args.files) {
    if (path == "-") continue;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      fmt::print(stderr, "ebb logstat: {}: cannot open: {}\n", path, std::strerror(errno));
      return 2;
    }
    if (S_ISDIR(st.st_mode)) {
      fmt::print(stderr, "ebb logstat: {}: is a directory\n", path);
      return 2;
    }
  }
  logstat::LogAnalyzer analyzer({.sla_ms = args.sla_ms, .per_second = !args.per_second.empty()});
  for (const std::string& path : args.files) {
    analyzer.BeginSource(path);
    core::Status read =
        logstat::ReadLogFile(path, [&analyzer](std::string_view text) { analyzer.AddText(text); });
    if (!read.ok()) {
      fmt::print(stderr, "ebb logstat: {}\n", read.message());
      return 1;
    }
  }
  const logstat::LogReport report = analyzer.Finish();
  for (const logstat::InvalidLine& bad : report.invalid_examples) {
    fmt::print(stderr, "ebb logstat: {}:{}: invalid line (field '{}'): {}\n", bad.source, bad.line,
               bad.field, bad.text);
  }
  if (report.invalid > report.invalid_examples.size()) {
    fmt::print(stderr, "ebb logstat: ... {} invalid lines in all\n", report.invalid);
  }
  if (report.parsed == 0) fmt::print(stderr, "ebb logstat: no HTTP log line found\n");
  if (!args.per_second.empty()) {
    core::Status written = logstat::WritePerSecondCsv(report, args.per_second);
    if (!written.ok()) {
      fmt::print(stderr, "ebb logstat: {}\n", written.message());
      return 1;
    }
  }
  if (args.json) {
    fmt::print("{}\n", logstat::ToJson(report).dump());
  } else {
    fmt::print("{}", logstat::FormatTable(report));
    if (!args.per_second.empty()) {
      fmt::print("\nper-second trace  {} ({} seconds with requests)\n", args.per_second,
                 report.per_second.size());
    }
  }
  return 0;
}

}  // namespace

void AddLogstatCommand(CLI::App& app) {
  auto args = std::make_shared<LogstatArgs>();
  CLI::App* cmd = app.add_subcommand("logstat", kDescription);
  cmd->add_option("files", args->files, "HAProxy log files, plain or .gz; - reads stdin")
      ->required();
  cmd->add_flag("--json", args->json, "print the report as one JSON object");
  cmd->add_option("--per-second", args->per_second,
                  "write `unix_time,requests` (accept time as UTC; seconds without requests "
                  "omitted), the trace format `ebb simulate` reads");
  cmd->add_option("--sla-ms", args->sla_ms, "response time above which a request violates the SLA")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->callback([args] { throw CLI::RuntimeError(RunLogstat(*args)); });
}

}  // namespace ebb::cli
