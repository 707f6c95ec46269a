// BlockingHttpClient: a small HTTP/1.1 client over one blocking TCP connection, with a deadline
// on every call. For tests and tools that drive `ebb testserver` (and what sits in front of it)
// without an event loop: send raw bytes, read one Content-Length response at a time, so
// keep-alive and pipelining are visible. Not thread-safe; one connection per object.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/status.h"

namespace ebb::testserver {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;

  // The header's value, or "" when absent. `name` in lower case.
  std::string Header(const std::string& name) const;
};

class BlockingHttpClient {
 public:
  // Connects to an IPv4 or IPv6 literal address.
  static core::Result<BlockingHttpClient> Connect(const std::string& address, std::uint16_t port,
                                                  std::chrono::milliseconds timeout);
  BlockingHttpClient(BlockingHttpClient&& other) noexcept;
  BlockingHttpClient& operator=(BlockingHttpClient&& other) noexcept;
  BlockingHttpClient(const BlockingHttpClient&) = delete;
  BlockingHttpClient& operator=(const BlockingHttpClient&) = delete;
  ~BlockingHttpClient();

  core::Status Send(std::string_view bytes);
  // Reads one response (a HEAD response has no body whatever its Content-Length says).
  core::Result<HttpResponse> Read(std::chrono::milliseconds timeout, bool head_request = false);
  // Sends "GET target HTTP/1.1" with keep-alive and reads the response.
  core::Result<HttpResponse> Get(std::string_view target, std::chrono::milliseconds timeout);
  // True when the server closed the connection (EOF or reset) within `timeout`, with no more
  // response bytes before it.
  bool WaitForClose(std::chrono::milliseconds timeout);
  void Close();

 private:
  explicit BlockingHttpClient(int fd) : fd_(fd) {}
  // Appends what arrives before the deadline; Unavailable on EOF, DeadlineExceeded on time.
  core::Status Fill(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  std::string buffer_;
};

// The request line and headers of a keep-alive GET, ready to Send (several make a pipeline).
std::string GetRequest(std::string_view target, std::string_view extra_headers = "");

}  // namespace ebb::testserver
