#include "power/process_power_driver.h"

#include <signal.h>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <charconv>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string_view>
#include <thread>
#include <utility>

namespace ebb::power {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::move(bytes).str();
}

std::vector<std::string> SplitNul(std::string_view bytes) {
  std::vector<std::string> parts;
  while (!bytes.empty()) {
    const std::size_t end = bytes.find('\0');
    parts.emplace_back(bytes.substr(0, end));
    if (end == std::string_view::npos) break;
    bytes.remove_prefix(end + 1);
  }
  return parts;
}

// Field 22 of /proc/PID/stat: the start time in clock ticks since boot. With the pid it names one
// process for the machine's uptime.
std::optional<std::uint64_t> ReadStartTicks(pid_t pid) {
  const std::optional<std::string> stat = ReadWholeFile(fmt::format("/proc/{}/stat", pid));
  if (!stat) return std::nullopt;
  // The command name (field 2) is in parentheses and may hold spaces and ')'.
  const std::size_t close = stat->rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::string_view rest = std::string_view(*stat).substr(close + 1);
  for (int field = 3; field <= 22; ++field) {
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    const std::size_t end = rest.find(' ');
    const std::string_view value = rest.substr(0, end);
    if (field == 22) {
      std::uint64_t ticks = 0;
      const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), ticks);
      if (ec != std::errc() || ptr != value.data() + value.size()) return std::nullopt;
      return ticks;
    }
    if (end == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(end);
  }
  return std::nullopt;
}

std::string Basename(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// The kernel runs a #! script as "interpreter [arg] /path/to/script args...": the recorded argv
// then appears with the interpreter in front and the script's resolved path as its argv[0].
bool CmdlineMatches(const std::vector<std::string>& actual,
                    const std::vector<std::string>& expected) {
  if (actual == expected) return true;
  if (expected.empty() || actual.size() <= expected.size()) return false;
  const std::size_t offset = actual.size() - expected.size();
  if (Basename(actual[offset]) != Basename(expected[0])) return false;
  return std::equal(expected.begin() + 1, expected.end(), actual.begin() + offset + 1);
}

bool IsSameProcess(pid_t pid, std::uint64_t start_ticks, const std::vector<std::string>& argv) {
  if (pid <= 0) return false;
  const std::optional<std::uint64_t> ticks = ReadStartTicks(pid);
  if (!ticks || *ticks != start_ticks) return false;
  // A zombie's cmdline is empty, so a dead but unreaped process does not match either.
  const std::optional<std::string> cmdline = ReadWholeFile(fmt::format("/proc/{}/cmdline", pid));
  return cmdline && CmdlineMatches(SplitNul(*cmdline), argv);
}

struct PidRecord {
  pid_t pid = -1;
  std::uint64_t start_ticks = 0;
  std::vector<std::string> argv;
};

// "PID\nSTART_TICKS\n" then each argv element followed by a NUL, as in /proc/PID/cmdline.
std::string FormatPidRecord(const PidRecord& record) {
  std::string text = fmt::format("{}\n{}\n", record.pid, record.start_ticks);
  for (const std::string& arg : record.argv) {
    text += arg;
    text += '\0';
  }
  return text;
}

// nullopt when there is no pid file; InvalidArgument when it is not one of ours.
core::Result<std::optional<PidRecord>> ReadPidFile(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::optional<PidRecord>();
  const std::optional<std::string> text = ReadWholeFile(path);
  if (!text) return core::UnavailableError(fmt::format("{}: cannot read", path));
  std::string_view rest(*text);
  PidRecord record;
  auto number = [&](auto& out) {
    const std::size_t nl = rest.find('\n');
    if (nl == std::string_view::npos) return false;
    const auto [ptr, err] = std::from_chars(rest.data(), rest.data() + nl, out);
    const bool ok = err == std::errc() && ptr == rest.data() + nl;
    rest.remove_prefix(nl + 1);
    return ok;
  };
  if (!number(record.pid) || !number(record.start_ticks) || record.pid <= 0) {
    return core::InvalidArgumentError(fmt::format("{}: not an ebb pid file", path));
  }
  record.argv = SplitNul(rest);
  return std::optional<PidRecord>(std::move(record));
}

core::Status WritePidFile(const std::string& path, const PidRecord& record) {
  // Written beside and renamed, so a reader never sees half a file.
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << FormatPidRecord(record);
    out.close();
    if (!out) return core::UnavailableError(fmt::format("{}: cannot write", tmp));
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return core::UnavailableError(fmt::format("{}: cannot write: {}", path, ec.message()));
  return core::Status::Ok();
}

void RemoveFile(const std::string& path) {
  std::error_code ec;
  fs::remove(path, ec);
}

std::string LogTail(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return {};
  const std::streamoff size = in.tellg();
  const std::streamoff want = std::min<std::streamoff>(size, 2048);
  in.seekg(size - want);
  std::string bytes(static_cast<std::size_t>(want), '\0');
  in.read(bytes.data(), want);
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  return TailLines(bytes, 200);
}

}  // namespace

core::Status CheckProcessNodeName(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
      name.find('\0') != std::string::npos) {
    return core::InvalidArgumentError(fmt::format(
        "node '{}': the process driver names files in run_dir after the node: use a name "
        "without '/'",
        name));
  }
  return core::Status::Ok();
}

core::Result<std::unique_ptr<ProcessPowerDriver>> ProcessPowerDriver::Create(
    ProcessPowerDriverOptions options, const core::Clock& clock) {
  if (options.run_dir.empty()) {
    return core::InvalidArgumentError(
        "power.run_dir: required by the process driver (pid files and node logs)");
  }
  std::error_code ec;
  fs::create_directories(options.run_dir, ec);
  if (ec || !fs::is_directory(options.run_dir)) {
    return core::InvalidArgumentError(fmt::format("power.run_dir: cannot create {}: {}",
                                                  options.run_dir,
                                                  ec ? ec.message() : "not a directory"));
  }
  return std::unique_ptr<ProcessPowerDriver>(new ProcessPowerDriver(std::move(options), clock));
}

std::string ProcessPowerDriver::LogPath(const std::string& node_name) const {
  return (fs::path(options_.run_dir) / (node_name + ".log")).string();
}

std::string ProcessPowerDriver::PidPath(const std::string& node_name) const {
  return (fs::path(options_.run_dir) / (node_name + ".pid")).string();
}

bool ProcessPowerDriver::Alive(NodeProcess& process) {
  if (process.child) {
    if (!process.exit) process.exit = process.child->Poll();
    return !process.exit.has_value();
  }
  return IsSameProcess(process.pid, process.start_ticks, process.argv);
}

void ProcessPowerDriver::Signal(NodeProcess& process, int signal) {
  if (!Alive(process)) return;
  // The node runs in its own session, so its pid is its group's id: the group takes along what
  // it started (a shell's children).
  if (getpgid(process.pid) == process.pid && kill(-process.pid, signal) == 0) return;
  kill(process.pid, signal);
}

bool ProcessPowerDriver::Refresh(Node& node) {
  const std::string pid_path = PidPath(node.spec.name);
  if (node.process && !Alive(*node.process)) {
    RemoveFile(pid_path);
    node.process.reset();
  }
  if (node.process) return true;
  core::Result<std::optional<PidRecord>> record = ReadPidFile(pid_path);
  if (!record.ok()) return false;
  if (!record->has_value()) return true;
  PidRecord& r = **record;
  if (IsSameProcess(r.pid, r.start_ticks, r.argv)) {
    node.process = NodeProcess{.pid = r.pid, .start_ticks = r.start_ticks, .argv = r.argv};
  } else {
    RemoveFile(pid_path);
  }
  return true;
}

void ProcessPowerDriver::Complete(core::NodeId id, Node& node, core::Status status) {
  done_.push_back({.node = id, .action = node.action, .status = std::move(status)});
  node.phase = Phase::kIdle;
}

void ProcessPowerDriver::Start(core::NodeId node, const core::NodeSpec& spec, PowerAction action) {
  Node& n = nodes_[node];
  n.spec = spec;
  n.waiting.push_back(action);
  if (n.phase == Phase::kIdle) Dispatch(node, n);
}

void ProcessPowerDriver::StartProcess(core::NodeId id, Node& node) {
  const std::string context = fmt::format("node {}: power on", node.spec.name);
  core::Result<std::vector<std::string>> argv = options_.on.Expand(node.spec);
  if (!argv.ok()) return Complete(id, node, argv.status());
  core::Result<std::unique_ptr<ChildProcess>> child =
      ChildProcess::Spawn({.argv = *argv,
                           .output_path = LogPath(node.spec.name),
                           .grouping = ProcessGrouping::kNewSession,
                           .on_destroy = OnDestroy::kKill},
                          clock_);
  if (!child.ok()) return Complete(id, node, child.status().WithContext(context));
  // Read while the child cannot yet be reaped: even if it exited already, /proc still has it.
  const pid_t pid = (*child)->pid();
  const std::uint64_t start_ticks = ReadStartTicks(pid).value_or(0);
  core::Status written = WritePidFile(PidPath(node.spec.name),
                                      {.pid = pid, .start_ticks = start_ticks, .argv = *argv});
  if (!written.ok()) {
    // Without its pid file the next daemon could neither find nor stop it: do not leave it.
    return Complete(id, node, written.WithContext(context + " (node process stopped)"));
  }
  (*child)->Detach();
  node.process = NodeProcess{.pid = pid,
                             .start_ticks = start_ticks,
                             .argv = std::move(argv).value(),
                             .child = std::move(child).value()};
  node.phase = Phase::kConfirming;
  node.deadline = clock_.Now() + options_.start_confirm_s;
}

void ProcessPowerDriver::BeginStop(Node& node, bool signal_now) {
  node.phase = Phase::kStopping;
  node.signals_left = signal_now ? std::deque<int>{SIGKILL} : std::deque<int>{SIGTERM, SIGKILL};
  if (signal_now) Signal(*node.process, SIGTERM);
  node.deadline = clock_.Now() + options_.stop_timeout_s;
}

void ProcessPowerDriver::Dispatch(core::NodeId id, Node& node) {
  while (node.phase == Phase::kIdle && !node.waiting.empty()) {
    node.action = node.waiting.front();
    node.waiting.pop_front();
    const std::string context =
        fmt::format("node {}: power {}", node.spec.name, ToString(node.action));
    core::Status name_ok = CheckProcessNodeName(node.spec.name);
    if (!name_ok.ok()) {
      Complete(id, node, name_ok);
      continue;
    }
    if (!Refresh(node)) {
      Complete(id, node,
               core::UnavailableError(fmt::format("{}: {} is unreadable or not an ebb pid file",
                                                  context, PidPath(node.spec.name))));
      continue;
    }
    if (node.action == PowerAction::kOn) {
      if (node.process) {
        Complete(id, node, core::Status::Ok());
      } else {
        StartProcess(id, node);
      }
      continue;
    }
    if (options_.off) {
      core::Result<std::vector<std::string>> argv = options_.off->Expand(node.spec);
      if (!argv.ok()) {
        Complete(id, node, argv.status());
        continue;
      }
      core::Result<std::unique_ptr<ChildProcess>> command =
          ChildProcess::Spawn({.argv = std::move(argv).value(),
                               .capture_stderr = StderrCapture::kYes,
                               .timeout_s = options_.timeout_s,
                               .kill_grace_s = options_.stop_timeout_s},
                              clock_);
      if (!command.ok()) {
        Complete(id, node, command.status().WithContext(context));
        continue;
      }
      node.off_command = std::move(command).value();
      node.phase = Phase::kRunningOff;
      continue;
    }
    if (!node.process) {
      Complete(id, node, core::Status::Ok());
      continue;
    }
    BeginStop(node, /*signal_now=*/true);
  }
}

void ProcessPowerDriver::Advance(core::NodeId id, Node& node) {
  const core::Seconds now = clock_.Now();
  const std::string context =
      fmt::format("node {}: power {}", node.spec.name, ToString(node.action));
  switch (node.phase) {
    case Phase::kIdle:
      // A node process that died on its own: forget it (and reap it, if it is ours).
      if (node.process && !Alive(*node.process)) Refresh(node);
      break;
    case Phase::kConfirming: {
      if (!node.process || !Alive(*node.process)) {
        const std::string how = node.process && node.process->exit ? node.process->exit->ToString()
                                                                   : std::string("stopped");
        const std::string tail = LogTail(LogPath(node.spec.name));
        Refresh(node);
        Complete(
            id, node,
            core::UnavailableError(fmt::format(
                "{}: {} ended ({}) within {} s of its start{}{}", context, options_.on.program(),
                how, options_.start_confirm_s, tail.empty() ? "" : "; its log ends: ", tail)));
      } else if (now >= node.deadline) {
        Complete(id, node, core::Status::Ok());
      }
      break;
    }
    case Phase::kRunningOff: {
      const std::optional<ExitStatus> exit = node.off_command->Poll();
      if (!exit) break;
      const std::string program = node.off_command->argv()[0];
      core::Status status;
      if (node.off_command->timed_out()) {
        status = core::Status(core::StatusCode::kDeadlineExceeded,
                              fmt::format("{}: {} timed out after {} s ({})", context, program,
                                          options_.timeout_s, exit->ToString()));
      } else if (!exit->Succeeded()) {
        const std::string tail = node.off_command->StderrTail(200);
        status =
            core::UnavailableError(fmt::format("{}: {} failed with {}{}{}", context, program,
                                               exit->ToString(), tail.empty() ? "" : ": ", tail));
      }
      node.off_command.reset();
      if (!status.ok()) {
        Complete(id, node, status);
        break;
      }
      Refresh(node);
      if (node.process) {
        BeginStop(node, /*signal_now=*/false);
      } else {
        Complete(id, node, core::Status::Ok());
      }
      break;
    }
    case Phase::kStopping:
      if (!node.process || !Alive(*node.process)) {
        Refresh(node);
        Complete(id, node, core::Status::Ok());
      } else if (now >= node.deadline) {
        if (node.signals_left.empty()) {
          Complete(id, node,
                   core::Status(core::StatusCode::kDeadlineExceeded,
                                fmt::format("{}: pid {} still runs after SIGKILL", context,
                                            node.process->pid)));
          break;
        }
        Signal(*node.process, node.signals_left.front());
        node.signals_left.pop_front();
        node.deadline = now + options_.stop_timeout_s;
      }
      break;
  }
}

void ProcessPowerDriver::TakeCompletions(std::vector<PowerCompletion>& out) {
  for (auto& [id, node] : nodes_) {
    Advance(id, node);
    if (node.phase == Phase::kIdle) Dispatch(id, node);
  }
  out.insert(out.end(), std::make_move_iterator(done_.begin()),
             std::make_move_iterator(done_.end()));
  done_.clear();
}

PowerStatus ProcessPowerDriver::QueryStatus(core::NodeId node, const core::NodeSpec& spec) {
  if (!CheckProcessNodeName(spec.name).ok()) return PowerStatus::kUnknown;
  Node& n = nodes_[node];
  n.spec = spec;
  if (!Refresh(n)) return PowerStatus::kUnknown;
  return n.process ? PowerStatus::kOn : PowerStatus::kOff;
}

std::string ProcessPowerDriver::DescribeCommand(const core::NodeSpec& spec,
                                                PowerAction action) const {
  const CommandTemplate* t = action == PowerAction::kOn ? &options_.on
                             : options_.off             ? &*options_.off
                                                        : nullptr;
  if (t == nullptr) {
    return fmt::format("SIGTERM to the processes of {}, SIGKILL after {} s", spec.name,
                       options_.stop_timeout_s);
  }
  core::Result<std::vector<std::string>> argv = t->Expand(spec);
  if (!argv.ok()) return argv.status().message();
  if (action == PowerAction::kOn) return QuoteArgv(*argv) + " >> " + LogPath(spec.name);
  return QuoteArgv(*argv);
}

core::Status ProcessPowerDriver::StopAll() {
  struct Target {
    std::string name;
    NodeProcess* process = nullptr;
    Node* node = nullptr;  // null: found only through its pid file
  };
  std::vector<Target> targets;
  std::vector<std::unique_ptr<NodeProcess>> found;
  std::set<std::string> tracked;
  for (auto& [id, node] : nodes_) {
    tracked.insert(node.spec.name);
    Refresh(node);
    if (node.process) targets.push_back({node.spec.name, &*node.process, &node});
  }
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(options_.run_dir, ec)) {
    if (entry.path().extension() != ".pid") continue;
    const std::string name = entry.path().stem().string();
    if (tracked.contains(name)) continue;
    core::Result<std::optional<PidRecord>> record = ReadPidFile(entry.path().string());
    if (!record.ok() || !record->has_value()) continue;
    PidRecord& r = **record;
    if (!IsSameProcess(r.pid, r.start_ticks, r.argv)) {
      RemoveFile(entry.path().string());
      continue;
    }
    found.push_back(std::make_unique<NodeProcess>(
        NodeProcess{.pid = r.pid, .start_ticks = r.start_ticks, .argv = r.argv}));
    targets.push_back({name, found.back().get(), nullptr});
  }

  auto wait_all = [&](std::chrono::duration<double> limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (true) {
      bool any = false;
      for (Target& t : targets) any = any || Alive(*t.process);
      if (!any || std::chrono::steady_clock::now() >= until) return !any;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  };
  for (Target& t : targets) Signal(*t.process, SIGTERM);
  if (!wait_all(std::chrono::duration<double>(options_.stop_timeout_s))) {
    for (Target& t : targets) Signal(*t.process, SIGKILL);
    wait_all(std::chrono::seconds(5));
  }

  std::vector<std::string> survivors;
  for (Target& t : targets) {
    if (Alive(*t.process)) {
      survivors.push_back(fmt::format("{} (pid {})", t.name, t.process->pid));
      continue;
    }
    RemoveFile(PidPath(t.name));
    if (t.node != nullptr) t.node->process.reset();
  }
  if (!survivors.empty()) {
    return core::FailedPreconditionError(
        fmt::format("still running after SIGKILL: {}", fmt::join(survivors, ", ")));
  }
  return core::Status::Ok();
}

}  // namespace ebb::power
