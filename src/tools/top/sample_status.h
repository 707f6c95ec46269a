// The /status document of the daemon's contract, for the tests: five nodes in five states, three
// decisions (newest first), one HAProxy socket.
#pragma once

#include <string_view>

namespace ebb::top::samples {

inline constexpr std::string_view kSampleStatus = R"json({
  "version": "0.1.0", "now": 1764600000.5, "started_at": 1764599000.0,
  "config": "/etc/ebb/ebb.toml", "dry_run": true, "policy": "regression", "interval_s": 1,
  "backend": "web",
  "haproxy": [{"address": "/run/haproxy/admin.sock", "ok": true, "error": ""}],
  "load": {"have_rate": true, "rate_rps": 42.5, "expected_rps": 50.1, "target": 4, "serving": 4,
           "powered": 5, "booting": 1, "queued": 0, "data_age_s": 0.4},
  "nodes": [
    {"name": "web2", "state": "DOWN", "since": 1764599000.0, "for_s": 1000.5, "deadline": null,
     "sessions": 0, "boots": 1, "failures": 0, "why": "powered off web2 (idle)"},
    {"name": "web10", "state": "ONLINE", "since": 1764599900.0, "for_s": 100.5, "deadline": null,
     "sessions": 0, "boots": 1, "failures": 0, "why": "ready web10 (boot done)"},
    {"name": "web3", "state": "BOOTING", "since": 1764599990.0, "for_s": 10.5,
     "deadline": 1764600110.5, "sessions": 0, "boots": 3, "failures": 1,
     "why": "boot web3 (forecast 52 rps)"},
    {"name": "web1", "state": "BUSY", "since": 1764599500.0, "for_s": 500.5, "deadline": null,
     "sessions": 3, "boots": 2, "failures": 0, "why": "ready web1 (boot done)"},
    {"name": "web4", "state": "DRAINING", "since": 1764599995.0, "for_s": 5.5,
     "deadline": 1764600055.0, "sessions": 1, "boots": 1, "failures": 0,
     "why": "drain web4 (fewest sessions)", "extra_key": {"ignored": true}}
  ],
  "counters": {"ticks": 1000, "poll_failures": 0, "boots": 7, "power_offs": 6, "drains": 6,
               "readies": 7, "boot_failures": 0, "command_failures": 2},
  "energy": {"power_w": 512.0, "energy_kwh": 0.31, "always_on_energy_kwh": 0.55,
             "saving_ratio": 0.436},
  "cost": {"c1": 1, "c2": 1, "current": 9.0, "mean": 8.2, "total": 8200.0},
  "decisions": [
    {"at": 1764599990.0, "policy": "regression", "rate_rps": 40, "expected_rps": 52,
     "serving": 3, "booting": 0, "policy_target": 4, "target": 4, "actions": ["boot web3"],
     "reason": "forecast 52 rps needs 4 nodes of 16 rps"},
    {"at": 1764599900.0, "policy": "regression", "rate_rps": 20, "expected_rps": 22,
     "serving": 3, "booting": 0, "policy_target": 1, "target": 2,
     "actions": ["drain web4"], "reason": "forecast 22 rps needs 2 nodes of 16 rps"},
    {"at": 1764599800.0, "policy": "regression", "rate_rps": 30, "expected_rps": 31,
     "serving": 2, "booting": 0, "policy_target": 3, "target": 3,
     "actions": [], "reason": "oldest decision kept"}
  ],
  "future_section": [1, 2, 3]
})json";

}  // namespace ebb::top::samples
