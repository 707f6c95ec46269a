#include "tools/testserver/test_server.h"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <deque>
#include <exception>
#include <optional>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>

#include "tools/testserver/http_request_parser.h"
#include "tools/testserver/work_queue.h"
#include "workload/random.h"

namespace ebb::testserver {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

constexpr std::chrono::milliseconds kAcceptRetry{100};
// After "Connection: close" the server half-closes and reads what the client still sends for
// this long, so that a pipelined request in flight does not turn the close into a reset that
// could destroy the response before the client reads it.
constexpr std::chrono::seconds kLinger{1};

std::string_view Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 413:
      return "Content Too Large";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Status";
  }
}

bool IsQuietSocketError(const error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::operation_aborted ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe;
}

std::string Endpoint(const tcp::endpoint& endpoint) {
  const asio::ip::address address = endpoint.address();
  return address.is_v6() ? fmt::format("[{}]:{}", address.to_string(), endpoint.port())
                         : fmt::format("{}:{}", address.to_string(), endpoint.port());
}

struct Connection {
  explicit Connection(tcp::socket s) : socket(std::move(s)) {}
  tcp::socket socket;
  std::string in;   // received, not yet parsed
  std::string out;  // the response being written
  std::array<char, 8192> chunk;
  bool busy = false;  // a request was parsed and is not answered yet: do not read or parse
  bool closed = false;
  std::unique_ptr<asio::steady_timer> linger;
};
using ConnectionPtr = std::shared_ptr<Connection>;

// What a response needs from its request once the request is gone from the buffer.
struct RequestHead {
  std::string method;
  std::string target;
  bool keep_alive = true;
  bool head = false;
};

struct Job {
  ConnectionPtr connection;
  RequestHead request;
  std::uint64_t number = 0;  // 1 for the first application request
  double service_s = 0;
  Clock::time_point arrived;
  Clock::time_point started;
};

struct Reply {
  int status = 200;
  std::string body;
  std::string headers;  // extra "Name: value\r\n" lines
  bool close = false;
};

}  // namespace

class TestServer::Loop {
 public:
  explicit Loop(const TestServerOptions& options)
      : options_(options),
        acceptor_(io_),
        signals_(io_),
        grace_timer_(io_),
        retry_timer_(io_),
        random_(options.seed),
        service_time_(options.service_time),
        queue_(options.workers, options.queue) {}

  ~Loop() {
    // Worker threads may still post completions; they must be gone before the io_context.
    abort_.store(true);
    if (pool_) pool_->join();
  }

  core::Status Open() {
    if (options_.workers < 1 || options_.workers > 1024) {
      return core::InvalidArgumentError(
          fmt::format("workers must be in 1..1024, got {}", options_.workers));
    }
    error_code ec;
    const asio::ip::address address = asio::ip::make_address(options_.bind, ec);
    if (ec) {
      return core::InvalidArgumentError(
          fmt::format("bind address \"{}\" is not an IPv4 or IPv6 literal", options_.bind));
    }
    const tcp::endpoint endpoint(address, options_.port);
    const auto failed = [&](std::string_view what) {
      return core::UnavailableError(
          fmt::format("{} {}: {}", what, Endpoint(endpoint), ec.message()));
    };
    acceptor_.open(endpoint.protocol(), ec);
    if (ec) return failed("socket for");
    // Lets a restarted server bind while old connections sit in TIME_WAIT; on Linux it never
    // lets two listeners share the port.
    acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (ec) return failed("SO_REUSEADDR on");
    acceptor_.bind(endpoint, ec);
    if (ec) return failed("bind");
    acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return failed("listen on");
    const tcp::endpoint local = acceptor_.local_endpoint(ec);
    if (ec) return failed("local address of");
    port_ = local.port();
    endpoint_ = Endpoint(local);
    for (int signal : options_.stop_signals) {
      signals_.add(signal, ec);
      if (ec) return failed(fmt::format("signal {} for", signal));
    }
    if (options_.mode == WorkMode::kCpu) {
      pool_ = std::make_unique<asio::thread_pool>(static_cast<std::size_t>(options_.workers));
    }
    return core::Status::Ok();
  }

  core::Status Run() {
    start_ = Clock::now();
    try {
      Accept();
      if (!options_.stop_signals.empty()) WaitSignal();
      io_.run();
    } catch (const std::exception& e) {
      result_ = core::InternalError(fmt::format("event loop: {}", e.what()));
    }
    abort_.store(true);
    if (pool_) pool_->join();
    counters_.max_queued = queue_.counters().max_queued;
    return result_;
  }

  void Shutdown() {
    asio::post(io_, [this] { BeginDrain("shutdown requested"); });
  }

  std::uint16_t port() const { return port_; }
  const std::string& endpoint() const { return endpoint_; }
  TestServerCounters counters() const { return counters_; }

 private:
  double Elapsed() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

  void Log(std::string_view line) {
    fmt::print(stderr, "ebb testserver: {}\n", line);
    std::fflush(stderr);
  }

  void Accept() {
    acceptor_.async_accept([this](error_code ec, tcp::socket socket) {
      if (draining_ || ec == asio::error::operation_aborted) return;
      if (ec) {
        // Out of descriptors, or a connection reset before it was accepted: try again soon.
        ++counters_.socket_errors;
        Log(fmt::format("accept: {}", ec.message()));
        retry_timer_.expires_after(kAcceptRetry);
        retry_timer_.async_wait([this](error_code timer_ec) {
          if (!timer_ec && !draining_) Accept();
        });
        return;
      }
      socket.set_option(tcp::no_delay(true), ec);
      auto connection = std::make_shared<Connection>(std::move(socket));
      connections_.emplace(connection.get(), connection);
      ++counters_.connections;
      Process(connection);
      Accept();
    });
  }

  void WaitSignal() {
    signals_.async_wait([this](error_code ec, int signal) {
      if (ec) return;
      if (!draining_) {
        BeginDrain(fmt::format("signal {}", signal));
        WaitSignal();
        return;
      }
      counters_.abandoned = pending_requests_;
      Log(fmt::format("second signal {}: stopping now, {} requests abandoned", signal,
                      pending_requests_));
      result_ = core::Status(
          core::StatusCode::kDeadlineExceeded,
          fmt::format("interrupted during the drain; {} requests abandoned", pending_requests_));
      Stop();
    });
  }

  void Read(const ConnectionPtr& c) {
    c->socket.async_read_some(asio::buffer(c->chunk), [this, c](error_code ec, std::size_t n) {
      if (ec) {
        if (!IsQuietSocketError(ec)) ++counters_.socket_errors;
        Close(c);
        return;
      }
      c->in.append(c->chunk.data(), n);
      Process(c);
    });
  }

  // Takes the next request from the connection's buffer, or reads more.
  void Process(const ConnectionPtr& c) {
    if (c->busy || c->closed) return;
    ParseResult parsed = ParseHttpRequest(c->in);
    switch (parsed.state) {
      case ParseState::kNeedMore:
        if (draining_) {
          Close(c);  // idle (or half a request): nothing to finish
          return;
        }
        Read(c);
        return;
      case ParseState::kError: {
        ++counters_.bad_requests;
        Begin(c);
        RequestHead head{.keep_alive = false};
        Respond(c, head,
                Reply{.status = parsed.error_status, .body = parsed.error + "\n", .close = true});
        return;
      }
      case ParseState::kComplete:
        c->in.erase(0, parsed.consumed);
        Begin(c);
        Dispatch(c, std::move(parsed.request));
        return;
    }
  }

  void Begin(const ConnectionPtr& c) {
    c->busy = true;
    ++pending_requests_;
  }

  void Dispatch(const ConnectionPtr& c, HttpRequest request) {
    const bool is_head = request.IsHead();  // before the method is moved away
    RequestHead head{.method = std::move(request.method),
                     .target = std::move(request.target),
                     .keep_alive = request.keep_alive,
                     .head = is_head};
    const bool health = std::string_view(head.target).substr(0, head.target.find('?')) == "/health";
    if (health) {
      ++counters_.health;
      std::optional<int> scripted =
          ScriptedStatus(options_.status_after, RequestKind::kHealth, app_requests_, Elapsed());
      if (draining_) scripted = 503;  // a balancer should stop sending here
      const int status = scripted.value_or(200);
      if (status != 200 && !draining_) ++counters_.scripted;
      Respond(c, head,
              Reply{.status = status,
                    .body = status == 200 ? std::string("ok\n")
                            : draining_
                                ? std::string("draining\n")
                                : fmt::format("scripted status {} (--status-after)\n", status)});
      return;
    }
    const std::uint64_t before = app_requests_++;
    const std::optional<int> scripted =
        ScriptedStatus(options_.status_after, RequestKind::kApp, before, Elapsed());
    if (scripted && *scripted != 200) {
      ++counters_.scripted;
      Respond(c, head,
              Reply{.status = *scripted,
                    .body = fmt::format("scripted status {} (--status-after)\n", *scripted)});
      return;
    }
    Job job{.connection = c,
            .request = std::move(head),
            .number = before + 1,
            .service_s = service_time_.Sample(random_),
            .arrived = Clock::now()};
    switch (queue_.Admit(job)) {
      case Admission::kStarted:
        StartService(std::move(job));
        return;
      case Admission::kQueued:
        return;
      case Admission::kRejected:
        ++counters_.rejected;
        Respond(c, job.request,
                Reply{.status = 503,
                      .body = fmt::format("queue full: {} workers busy, {} requests queued\n",
                                          queue_.busy(), queue_.queued()),
                      .headers = "Retry-After: 1\r\n"});
        return;
    }
  }

  void StartService(Job job) {
    job.started = Clock::now();
    const auto duration =
        std::chrono::ceil<Clock::duration>(std::chrono::duration<double>(job.service_s));
    if (options_.mode == WorkMode::kSleep) {
      auto timer = std::make_shared<asio::steady_timer>(io_, duration);
      timer->async_wait([this, timer, job = std::move(job)](error_code ec) mutable {
        if (!ec) ServiceDone(std::move(job));
      });
      return;
    }
    const Clock::time_point deadline = job.started + duration;
    asio::post(*pool_, [this, deadline, job = std::move(job)]() mutable {
      // The work itself: a worker thread kept busy, as an application would on a request.
      while (Clock::now() < deadline && !abort_.load(std::memory_order_relaxed)) {
      }
      asio::post(io_, [this, job = std::move(job)]() mutable { ServiceDone(std::move(job)); });
    });
  }

  void ServiceDone(Job job) {
    ++counters_.served;
    const double queued_s = std::chrono::duration<double>(job.started - job.arrived).count();
    const double total_s = std::chrono::duration<double>(Clock::now() - job.arrived).count();
    if (std::optional<Job> next = queue_.Finish()) StartService(std::move(*next));
    Reply reply{.status = 200,
                .body = fmt::format("ebb testserver {}: {} {} request {} service_time_s {:.6f} "
                                    "queue_time_s {:.6f}\n",
                                    endpoint_, job.request.method, job.request.target, job.number,
                                    job.service_s, queued_s),
                .headers = fmt::format("X-Request-Number: {}\r\nX-Service-Time: {:.6f}\r\n"
                                       "X-Queue-Time: {:.6f}\r\nX-Response-Time: {:.6f}\r\n",
                                       job.number, job.service_s, queued_s, total_s)};
    Respond(job.connection, job.request, std::move(reply));
  }

  void Respond(const ConnectionPtr& c, const RequestHead& request, Reply reply) {
    if (c->closed) {  // the client went away; the work was done all the same
      RequestDone();
      return;
    }
    const bool close = reply.close || !request.keep_alive || draining_;
    c->out = fmt::format(
        "HTTP/1.1 {} {}\r\nServer: ebb-testserver\r\nX-Server: {}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n{}Connection: {}\r\n\r\n",
        reply.status, Reason(reply.status), endpoint_, reply.body.size(), reply.headers,
        close ? "close" : "keep-alive");
    if (!request.head) c->out += reply.body;
    asio::async_write(c->socket, asio::buffer(c->out),
                      [this, c, close](error_code ec, std::size_t) {
                        c->busy = false;
                        if (ec) {
                          if (!IsQuietSocketError(ec)) ++counters_.socket_errors;
                          Close(c);
                        } else if (close) {
                          Linger(c);
                        } else {
                          Process(c);  // a pipelined request may be waiting in the buffer
                        }
                        RequestDone();
                      });
  }

  void RequestDone() {
    --pending_requests_;
    if (draining_ && pending_requests_ == 0) {
      Log(fmt::format("drained in {:.3f} s", Elapsed() - drain_started_s_));
      Stop();
    }
  }

  void Linger(const ConnectionPtr& c) {
    error_code ec;
    c->socket.shutdown(tcp::socket::shutdown_send, ec);
    if (ec) {
      Close(c);
      return;
    }
    c->linger = std::make_unique<asio::steady_timer>(io_, kLinger);
    c->linger->async_wait([this, c](error_code timer_ec) {
      if (!timer_ec) Close(c);
    });
    Discard(c);
  }

  void Discard(const ConnectionPtr& c) {
    c->socket.async_read_some(asio::buffer(c->chunk), [this, c](error_code ec, std::size_t) {
      if (ec) {
        Close(c);
        return;
      }
      Discard(c);
    });
  }

  void Close(const ConnectionPtr& c) {
    if (c->closed) return;
    c->closed = true;
    error_code ec;
    c->socket.close(ec);
    if (c->linger) c->linger->cancel();
    connections_.erase(c.get());
  }

  void BeginDrain(const std::string& reason) {
    if (draining_ || stopped_) return;
    draining_ = true;
    drain_started_s_ = Elapsed();
    Log(fmt::format("{}: draining, {} requests in service, {} queued", reason, queue_.busy(),
                    queue_.queued()));
    error_code ec;
    acceptor_.close(ec);
    retry_timer_.cancel();
    std::vector<ConnectionPtr> idle;
    for (const auto& [key, connection] : connections_) {
      if (!connection->busy) idle.push_back(connection);
    }
    for (const ConnectionPtr& connection : idle) Close(connection);
    if (pending_requests_ == 0) {
      Stop();
      return;
    }
    grace_timer_.expires_after(
        std::chrono::ceil<Clock::duration>(std::chrono::duration<double>(options_.grace_s)));
    grace_timer_.async_wait([this](error_code timer_ec) {
      if (timer_ec) return;
      counters_.abandoned = pending_requests_;
      Log(fmt::format("grace period of {} s over: {} requests abandoned", options_.grace_s,
                      pending_requests_));
      result_ = core::Status(core::StatusCode::kDeadlineExceeded,
                             fmt::format("drain not finished within {} s; {} requests abandoned",
                                         options_.grace_s, pending_requests_));
      Stop();
    });
  }

  void Stop() {
    if (stopped_) return;
    stopped_ = true;
    error_code ec;
    acceptor_.close(ec);
    signals_.cancel(ec);
    grace_timer_.cancel();
    retry_timer_.cancel();
    std::vector<ConnectionPtr> all;
    for (const auto& [key, connection] : connections_) all.push_back(connection);
    for (const ConnectionPtr& connection : all) Close(connection);
    abort_.store(true);
    io_.stop();
  }

  TestServerOptions options_;
  // Declared first, destroyed last: everything below holds handlers or sockets of this context.
  asio::io_context io_;
  tcp::acceptor acceptor_;
  asio::signal_set signals_;
  asio::steady_timer grace_timer_;
  asio::steady_timer retry_timer_;
  std::unique_ptr<asio::thread_pool> pool_;  // kCpu: the K workers
  std::atomic<bool> abort_{false};           // tells spinning workers to give up

  workload::Random random_;
  workload::ServiceTime service_time_;
  WorkQueue<Job> queue_;
  std::unordered_map<Connection*, ConnectionPtr> connections_;
  std::uint64_t app_requests_ = 0;
  std::uint64_t pending_requests_ = 0;  // parsed and not yet answered (in service, queued, writing)
  bool draining_ = false;
  bool stopped_ = false;
  double drain_started_s_ = 0;
  Clock::time_point start_ = Clock::now();
  std::uint16_t port_ = 0;
  std::string endpoint_;
  TestServerCounters counters_;
  core::Status result_;
};

core::Result<std::unique_ptr<TestServer>> TestServer::Create(const TestServerOptions& options) {
  try {
    auto loop = std::make_unique<Loop>(options);
    EBB_RETURN_IF_ERROR(loop->Open());
    return std::unique_ptr<TestServer>(new TestServer(std::move(loop)));
  } catch (const std::exception& e) {
    return core::InternalError(fmt::format("testserver: {}", e.what()));
  }
}

TestServer::TestServer(std::unique_ptr<Loop> loop) : loop_(std::move(loop)) {}
TestServer::~TestServer() = default;
std::uint16_t TestServer::port() const { return loop_->port(); }
std::string TestServer::endpoint() const { return loop_->endpoint(); }
core::Status TestServer::Run() { return loop_->Run(); }
void TestServer::Shutdown() { loop_->Shutdown(); }
TestServerCounters TestServer::counters() const { return loop_->counters(); }

}  // namespace ebb::testserver
