// RenderTop: the text of one `ebb top` screen, from a daemon's /status document and the size of
// the terminal. Pure: no I/O, no clock (times come from the document; decision times are shown
// in the viewer's local time zone). The document is untrusted input: missing keys are shown as
// "-", a value of the wrong type as "-" plus one "document:" line naming the field, control
// characters in strings as '?', and nothing in it can make the function fail or throw. Any
// thread; no shared state.
//
// The screen, top to bottom: a header (source, version, policy, interval, uptime, dry-run,
// HAProxy sockets), the fetch error if any, the load and energy lines, nodes by state (a bar and
// counts), the counters, a node table sorted serving first, then transitional, then off (cut to
// fit with "... N more"), then as many of the newest decisions as fit.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace ebb::top {

enum class ColourMode { kPlain, kAnsi };

struct TopLayout {
  int columns = 80;  // every line is clipped to this many columns (at least 1)
  // At most this many lines; 0 means no limit (a one-shot print to a pipe): every node and up to
  // kUnboundedDecisions decisions.
  int rows = 24;
  ColourMode colour = ColourMode::kPlain;
  std::string source;  // the daemon's address, shown in the header
  std::string error;   // why the document is missing or stale; shown under the header
};

inline constexpr int kUnboundedDecisions = 10;

// Lines, each ending in '\n'. With ColourMode::kAnsi, SGR sequences that take no columns.
std::string RenderTop(const nlohmann::json& status, const TopLayout& layout);

}  // namespace ebb::top
