#include "lb/haproxy/haproxy_load_balancer.h"

#include <algorithm>
#include <set>
#include <utility>

#include "lb/haproxy/runtime_api_errors.h"

namespace ebb::lb::haproxy {
namespace {

// HAProxy names are single words; these characters would break a command or a CSV row.
bool IsCommandSafeName(std::string_view name) {
  return !name.empty() && name.find_first_of(" \t\r\n/,;\"") == std::string_view::npos;
}

std::string Join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string joined;
  for (const std::string& part : parts) {
    if (!joined.empty()) joined += separator;
    joined += part;
  }
  return joined;
}

}  // namespace

std::string Divergence::ToString(const std::vector<std::string>& addresses) const {
  std::string text = server + ":";
  if (admin_differs) {
    text += " admin";
    for (std::size_t i = 0; i < admin.size(); ++i) {
      text += (i == 0 ? " " : ", ") + std::string(lb::ToString(admin[i])) + " at " +
              (i < addresses.size() ? addresses[i] : "?");
    }
    text += ";";
  }
  if (health_differs) {
    text += " health";
    for (std::size_t i = 0; i < health.size(); ++i) {
      text += (i == 0 ? " " : ", ") + std::string(lb::ToString(health[i])) + " at " +
              (i < addresses.size() ? addresses[i] : "?");
    }
    text += ";";
  }
  if (!commanded) {
    if (admin_differs) text += " ebb never set its state: reported only";
  } else if (!repaired.empty()) {
    text += " re-sent " + std::string(lb::ToString(*commanded)) + " to " + Join(repaired, ", ");
  }
  if (!repair_status.ok()) text += "; repair failed: " + repair_status.ToString();
  return text;
}

core::Result<std::unique_ptr<HaproxyLoadBalancer>> HaproxyLoadBalancer::Create(
    const core::Clock& clock, HaproxyLoadBalancerOptions options) {
  if (options.addresses.empty()) {
    return core::InvalidArgumentError("haproxy: no Runtime API address (sockets) configured");
  }
  if (!IsCommandSafeName(options.backend)) {
    return core::InvalidArgumentError("haproxy: backend name '" + options.backend +
                                      "' is empty or has a space, '/' or ','");
  }
  if (options.servers.empty()) {
    return core::InvalidArgumentError("haproxy: no servers configured for backend " +
                                      options.backend);
  }
  std::set<std::string_view> unique;
  for (const std::string& server : options.servers) {
    if (!IsCommandSafeName(server)) {
      return core::InvalidArgumentError("haproxy: server name '" + server +
                                        "' is empty or has a space, '/' or ','");
    }
    if (!unique.insert(server).second) {
      return core::InvalidArgumentError("haproxy: server " + server + " is configured twice");
    }
  }
  std::vector<RuntimeApiClient> clients;
  for (const std::string& address : options.addresses) {
    EBB_ASSIGN_OR_RETURN(RuntimeApiClient client, RuntimeApiClient::Create(address, options.api));
    clients.push_back(std::move(client));
  }
  return std::unique_ptr<HaproxyLoadBalancer>(
      new HaproxyLoadBalancer(clock, std::move(options), std::move(clients)));
}

HaproxyLoadBalancer::HaproxyLoadBalancer(const core::Clock& clock,
                                         HaproxyLoadBalancerOptions options,
                                         std::vector<RuntimeApiClient> clients)
    : clock_(clock), options_(std::move(options)), clients_(std::move(clients)) {
  const std::size_t servers = options_.servers.size();
  for (std::size_t i = 0; i < servers; ++i) server_index_.emplace(options_.servers[i], i);
  commanded_.resize(servers);
  views_.resize(clients_.size());
  for (InstanceView& view : views_) {
    view.seen.resize(servers);
    view.admin.resize(servers);
    view.health.resize(servers);
    view.transitional.assign(servers, false);
    view.sessions.resize(servers);
  }
}

std::string HaproxyLoadBalancer::ShowStatCommand() const {
  // Type mask 6 = backend (2) + servers (4); -1 = every server.
  return "show stat " + options_.backend + " 6 -1";
}

core::Status HaproxyLoadBalancer::ReadInstance(std::size_t instance, InstanceView& view,
                                               std::vector<std::size_t>& missing) {
  RuntimeApiClient& client = clients_[instance];
  const std::string command = ShowStatCommand();
  EBB_ASSIGN_OR_RETURN(const std::string_view reply, client.Execute(command));
  EBB_RETURN_IF_ERROR(CheckDataReply(client.address(), command, options_.backend, reply, "# "));
  // Rows are filtered by name as well, for a HAProxy that ignores the proxy argument.
  EBB_RETURN_IF_ERROR(
      ParseShowStat(reply, table_, options_.backend).WithContext("HAProxy at " + client.address()));
  if (!table_.errors.empty()) {
    return core::InvalidArgumentError(
        "HAProxy at " + client.address() + ": '" + command + "': " + table_.errors[0].ToString() +
        (table_.errors.size() > 1
             ? " (and " + std::to_string(table_.errors.size() - 1) + " more bad rows)"
             : ""));
  }
  std::fill(view.seen.begin(), view.seen.end(), false);
  std::fill(view.admin.begin(), view.admin.end(), std::nullopt);
  view.queued = 0;
  bool backend_seen = false;
  bool admin_hidden = false;
  next_server_ = 0;
  for (const StatRow& row : table_.rows) {
    if (row.type == StatRowType::kBackend) {
      if (!row.stot || !row.qcur) {
        return core::InvalidArgumentError("HAProxy at " + client.address() + ": '" + command +
                                          "': line " + std::to_string(row.line) +
                                          ": the BACKEND row has no stot or qcur");
      }
      backend_seen = true;
      view.backend_stot = *row.stot;
      view.queued += *row.qcur;
      continue;
    }
    if (row.type != StatRowType::kServer) continue;
    view.queued += *row.qcur;  // the parser guarantees counters on server rows
    // HAProxy lists servers in configuration order, which is usually the node order too: try
    // the server after the last one found before hashing the name.
    std::size_t index = next_server_;
    if (index >= options_.servers.size() || options_.servers[index] != row.svname) {
      const auto it = server_index_.find(row.svname);
      if (it == server_index_.end()) continue;
      index = it->second;
    }
    next_server_ = index + 1;
    view.seen[index] = true;
    view.admin[index] = row.admin;
    view.health[index] = row.health;
    view.transitional[index] = row.transitional;
    view.sessions[index] = *row.scur;
    if (!row.admin) admin_hidden = true;
  }
  if (!backend_seen) {
    return core::NotFoundError("HAProxy at " + client.address() + ": '" + command +
                               "': no BACKEND row for backend " + options_.backend);
  }
  missing.clear();
  for (std::size_t i = 0; i < view.seen.size(); ++i) {
    if (!view.seen[i]) missing.push_back(i);
  }
  if (admin_hidden) EBB_RETURN_IF_ERROR(ResolveHiddenAdminStates(instance, view));
  return core::Status::Ok();
}

core::Status HaproxyLoadBalancer::ResolveHiddenAdminStates(std::size_t instance,
                                                           InstanceView& view) {
  RuntimeApiClient& client = clients_[instance];
  const std::string command = "show servers state " + options_.backend;
  EBB_ASSIGN_OR_RETURN(const std::string_view reply, client.Execute(command));
  EBB_RETURN_IF_ERROR(CheckDataReply(client.address(), command, options_.backend, reply, "1"));
  EBB_RETURN_IF_ERROR(
      ParseServersState(reply, admin_rows_).WithContext("HAProxy at " + client.address()));
  for (const ServerAdminRow& row : admin_rows_) {
    if (row.backend != options_.backend) continue;
    const auto it = server_index_.find(row.server);
    if (it == server_index_.end() || !view.seen[it->second] || view.admin[it->second]) continue;
    view.admin[it->second] = row.admin;
  }
  for (std::size_t i = 0; i < view.admin.size(); ++i) {
    if (view.seen[i] && !view.admin[i]) {
      return core::InternalError("HAProxy at " + client.address() + ": '" + command + "': server " +
                                 options_.servers[i] +
                                 " is in show stat but not in show servers state");
    }
  }
  return core::Status::Ok();
}

core::Status HaproxyLoadBalancer::Poll(BackendStats& out) {
  std::vector<std::size_t> missing;
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    EBB_RETURN_IF_ERROR(ReadInstance(i, views_[i], missing));
    if (!missing.empty()) {
      std::vector<std::string> names;
      for (const std::size_t server : missing) names.push_back(options_.servers[server]);
      return core::NotFoundError("server" + std::string(names.size() > 1 ? "s " : " ") +
                                 Join(names, ", ") + " not in HAProxy backend " + options_.backend +
                                 " at " + clients_[i].address());
    }
  }
  out.at = clock_.Now();
  out.requests_total = 0;
  std::uint64_t queued = 0;
  for (const InstanceView& view : views_) {
    out.requests_total += view.backend_stot;
    queued += view.queued;
  }
  out.queued = static_cast<int>(std::min<std::uint64_t>(queued, 1u << 30));
  out.servers.resize(options_.servers.size());
  for (std::size_t s = 0; s < options_.servers.size(); ++s) MergeServer(s, out.servers[s]);
  return core::Status::Ok();
}

void HaproxyLoadBalancer::MergeServer(std::size_t server, ServerStats& out) {
  out.name = options_.servers[server];
  std::uint64_t sessions = 0;
  bool admin_differs = false;
  bool health_differs = false;
  const AdminState first_admin = *views_[0].admin[server];
  const Health first_health = views_[0].health[server];
  AdminState least_restrictive = first_admin;
  bool any_down = false;
  bool all_up = true;
  bool settled = true;
  for (const InstanceView& view : views_) {
    sessions += view.sessions[server];
    const AdminState admin = *view.admin[server];
    admin_differs |= admin != first_admin;
    health_differs |= view.health[server] != first_health;
    least_restrictive = std::min(least_restrictive, admin);
    any_down |= view.health[server] == Health::kDown;
    all_up &= view.health[server] == Health::kUp;
    settled &= !view.transitional[server];
  }
  out.sessions = static_cast<int>(std::min<std::uint64_t>(sessions, 1u << 30));
  out.health = any_down ? Health::kDown : all_up ? Health::kUp : Health::kUnknown;
  out.health_settled = settled;
  out.admin = least_restrictive;
  if (!admin_differs && !health_differs) return;

  ++divergences_total_;
  Divergence divergence;
  divergence.server = options_.servers[server];
  divergence.admin_differs = admin_differs;
  divergence.health_differs = health_differs;
  divergence.commanded = commanded_[server];
  for (const InstanceView& view : views_) {
    divergence.admin.push_back(*view.admin[server]);
    divergence.health.push_back(view.health[server]);
  }
  if (admin_differs && commanded_[server]) {
    const AdminState target = *commanded_[server];
    bool all_repaired = true;
    for (std::size_t i = 0; i < views_.size(); ++i) {
      if (*views_[i].admin[server] == target) continue;
      ++repairs_total_;
      core::Status status = SendState(i, options_.servers[server], target);
      if (status.ok()) {
        divergence.repaired.push_back(clients_[i].address());
      } else {
        all_repaired = false;
        if (divergence.repair_status.ok()) divergence.repair_status = std::move(status);
      }
    }
    if (all_repaired) out.admin = target;
  }
  // Bounded for a daemon whose owner never takes them; the counter keeps the total.
  constexpr std::size_t kMaxKeptDivergences = 1024;
  if (divergences_.size() >= kMaxKeptDivergences) divergences_.erase(divergences_.begin());
  divergences_.push_back(std::move(divergence));
}

core::Status HaproxyLoadBalancer::SendState(std::size_t instance, std::string_view server,
                                            AdminState state) {
  RuntimeApiClient& client = clients_[instance];
  const std::string subject = options_.backend + "/" + std::string(server);
  const std::string command = "set server " + subject + " state " + std::string(ToString(state));
  EBB_ASSIGN_OR_RETURN(const std::string_view reply, client.Execute(command));
  return CheckEmptyReply(client.address(), command, subject, reply);
}

core::Status HaproxyLoadBalancer::SetAdminState(std::string_view server, AdminState state) {
  const auto it = server_index_.find(server);
  if (it == server_index_.end()) {
    return core::NotFoundError("haproxy: server " + std::string(server) +
                               " is not configured for backend " + options_.backend);
  }
  commanded_[it->second] = state;
  core::Status first_failure;
  std::size_t failures = 0;
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    core::Status status = SendState(i, server, state);
    if (status.ok()) continue;
    if (++failures == 1) first_failure = std::move(status);
  }
  if (failures > 1) {
    return core::Status(first_failure.code(),
                        first_failure.message() + " (and " + std::to_string(failures - 1) +
                            " more of " + std::to_string(clients_.size()) + " instances failed)");
  }
  return first_failure;
}

core::Status HaproxyLoadBalancer::CheckServersExist() {
  std::vector<std::string> problems;
  std::vector<std::size_t> missing;
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    const core::Status status = ReadInstance(i, views_[i], missing);
    if (status.code() == core::StatusCode::kNotFound) {
      problems.push_back(status.message());
      continue;
    }
    EBB_RETURN_IF_ERROR(status);
    for (const std::size_t server : missing) {
      problems.push_back("node " + options_.servers[server] +
                         " is in the config but not in HAProxy backend " + options_.backend +
                         " at " + clients_[i].address());
    }
  }
  if (!problems.empty()) return core::NotFoundError(Join(problems, "; "));
  return core::Status::Ok();
}

std::vector<Divergence> HaproxyLoadBalancer::TakeDivergences() {
  std::vector<Divergence> taken;
  taken.swap(divergences_);
  return taken;
}

}  // namespace ebb::lb::haproxy
