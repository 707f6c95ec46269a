#include "tools/top/status_fetcher.h"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/system/error_code.hpp>

namespace ebb::top {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;

// A /status document is a few KiB per node; anything near this is not the daemon.
constexpr std::uint64_t kMaxBodyBytes = std::uint64_t{64} << 20;
constexpr std::uint32_t kMaxHeaderBytes = 64 << 10;

std::chrono::milliseconds Bounded(double seconds) {
  return std::chrono::milliseconds(
      static_cast<std::int64_t>(std::clamp(seconds, 0.001, 3600.0) * 1e3 + 0.5));
}

// beast::tcp_stream enforces expires_after only on asynchronous operations, so each step is
// started asynchronously and the private io_context runs until it completes (or times out).
template <typename Start>
ErrorCode RunToCompletion(asio::io_context& context, Start start) {
  ErrorCode result = asio::error::would_block;
  start([&result](ErrorCode ec, auto&&...) { result = ec; });
  context.restart();
  context.run();
  return result;
}

std::string DescribeConnectError(const ErrorCode& ec) {
  // As strerror(ETIMEDOUT) says it, like a kernel connect timeout.
  if (ec == beast::error::timeout) return "Connection timed out";
  return ec.message();
}

std::string DescribeReadError(const ErrorCode& ec, double read_s) {
  if (ec == beast::error::timeout) {
    return "no complete answer within " + std::to_string(Bounded(read_s).count()) + " ms";
  }
  return "no complete answer (" + ec.message() + ")";
}

core::Result<nlohmann::json> Fetch(const DaemonUrl& url, const FetchTimeouts& timeouts) {
  const std::string where = "ebb at " + url.StatusUrl();
  auto unreachable = [&where](std::string_view why) {
    return core::UnavailableError("cannot reach " + where + ": " + std::string(why));
  };

  asio::io_context context(1);
  beast::tcp_stream stream(context);

  // A literal address needs no resolver (and no getaddrinfo); a name may give several addresses,
  // tried in order within the one connect timeout.
  ErrorCode ec;
  const asio::ip::address literal = asio::ip::make_address(url.host, ec);
  stream.expires_after(Bounded(timeouts.connect_s));
  if (!ec) {
    const tcp::endpoint endpoint(literal, url.port);
    ec = RunToCompletion(context, [&](auto handler) { stream.async_connect(endpoint, handler); });
  } else {
    tcp::resolver resolver(context);
    const tcp::resolver::results_type endpoints =
        resolver.resolve(url.host, std::to_string(url.port), tcp::resolver::numeric_service, ec);
    if (ec) return unreachable("cannot resolve host \"" + url.host + "\": " + ec.message());
    ec = RunToCompletion(context, [&](auto handler) { stream.async_connect(endpoints, handler); });
  }
  if (ec) return unreachable(DescribeConnectError(ec));

  http::request<http::empty_body> request(http::verb::get, url.StatusPath(), 11);
  // Origin() is "http://host:port", with brackets around IPv6, as Host wants it.
  request.set(http::field::host, url.Origin().substr(std::string_view("http://").size()));
  request.set(http::field::user_agent, "ebb-top");
  request.set(http::field::accept, "application/json");
  request.keep_alive(false);

  stream.expires_after(Bounded(timeouts.read_s));
  ec = RunToCompletion(context, [&](auto handler) { http::async_write(stream, request, handler); });
  if (ec) return unreachable("request could not be sent (" + ec.message() + ")");

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxBodyBytes);
  parser.header_limit(kMaxHeaderBytes);
  const std::string too_large =
      where + ": the answer is larger than " + std::to_string(kMaxBodyBytes >> 20) + " MiB";
  // One deadline for the whole answer. The header is read on its own: Beast 1.74's eager parser
  // (async_read) drops the body_limit error of a Content-Length when body bytes arrived with the
  // header, so the length is checked here, before any of the body is read.
  stream.expires_after(Bounded(timeouts.read_s));
  ec = RunToCompletion(
      context, [&](auto handler) { http::async_read_header(stream, buffer, parser, handler); });
  if (ec && ec != http::error::body_limit) {
    return unreachable(DescribeReadError(ec, timeouts.read_s));
  }
  // The header is complete: a refusal needs no body.
  const unsigned status = parser.get().result_int();
  if (status != 200) {
    return core::FailedPreconditionError(where + " answered HTTP " + std::to_string(status));
  }
  if (ec == http::error::body_limit || parser.content_length().value_or(0) > kMaxBodyBytes) {
    return core::InvalidArgumentError(too_large);
  }
  if (!parser.is_done()) {
    ec = RunToCompletion(context,
                         [&](auto handler) { http::async_read(stream, buffer, parser, handler); });
    if (ec == http::error::body_limit) return core::InvalidArgumentError(too_large);
    if (ec) return unreachable(DescribeReadError(ec, timeouts.read_s));
  }

  ErrorCode ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);

  const http::response<http::string_body>& response = parser.get();
  nlohmann::json document = nlohmann::json::parse(response.body(), nullptr,
                                                  /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    return core::InvalidArgumentError(where + ": the answer is not JSON (" +
                                      std::to_string(response.body().size()) + " bytes)");
  }
  return document;
}

}  // namespace

core::Result<nlohmann::json> FetchStatus(const DaemonUrl& url, const FetchTimeouts& timeouts) {
  // Asio reports failures as error codes here; what may still throw is the system refusing a
  // resource (an io_context, memory), which is as transient as a refused connection.
  try {
    return Fetch(url, timeouts);
  } catch (const std::exception& e) {
    return core::UnavailableError("cannot reach ebb at " + url.StatusUrl() + ": " + e.what());
  }
}

}  // namespace ebb::top
