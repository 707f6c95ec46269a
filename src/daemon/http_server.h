// HttpServer: the daemon's /status and /metrics endpoint. HTTP/1.1 GET and HEAD (with
// keep-alive, as Prometheus scrapes) on one address, on a thread of its own (Boost.Beast over
// Asio). The handler runs on that thread, one request at a time, so it must only read what the
// event loop published for it. Slow or idle clients are cut after a timeout. Start() fails with
// Unavailable when the address cannot be bound; the destructor stops the thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace ebb::daemon {

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain";
  std::string body;
};

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(std::string_view path)>;

  // `host` is an IP address literal; port 0 picks a free port (see port()).
  static core::Result<std::unique_ptr<HttpServer>> Start(const std::string& host, int port,
                                                         Handler handler);
  virtual ~HttpServer() = default;
  virtual int port() const = 0;
};

}  // namespace ebb::daemon
