// FetchStatus: one GET of a running daemon's /status document over HTTP (Boost.Beast), parsed as
// JSON. Blocking, bounded by the timeouts given; safe to call from any thread (each call owns its
// connection). Errors name the document's URL and say what went wrong:
//   Unavailable      "cannot reach ebb at http://127.0.0.1:9180/status: Connection refused"
//                    (also a timeout, a reset, a name that does not resolve)
//   FailedPrecondition  the daemon answered, but not 200 ("... answered HTTP 404")
//   InvalidArgument  the body is not JSON
// The document's fields are not checked here: the screen shows whatever part of it makes sense.
#pragma once

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "tools/top/daemon_url.h"

namespace ebb::top {

struct FetchTimeouts {
  double connect_s = 2;
  double read_s = 3;
};

core::Result<nlohmann::json> FetchStatus(const DaemonUrl& url, const FetchTimeouts& timeouts = {});

}  // namespace ebb::top
