#include "daemon/http_server.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

namespace ebb::daemon {
namespace {

using ::testing::HasSubstr;

HttpServer::Handler Pages() {
  return [](std::string_view path) -> HttpResponse {
    if (path == "/status") return {.content_type = "application/json", .body = "{\"ok\":true}"};
    return {.status = 404, .body = "not found\n"};
  };
}

TEST(HttpServerTest, AnswersGetHeadAndKeepAlive) {
  auto server = HttpServer::Start("127.0.0.1", 0, Pages());
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  ASSERT_GT((*server)->port(), 0);
  httplib::Client client("127.0.0.1", (*server)->port());
  client.set_keep_alive(true);
  client.set_read_timeout(5, 0);
  for (int i = 0; i < 3; ++i) {  // one connection, three requests
    auto res = client.Get("/status?x=1");
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, "{\"ok\":true}");
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  }
  auto head = client.Head("/status");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
  auto missing = client.Get("/nothing");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  auto post = client.Post("/status", "x", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
}

TEST(HttpServerTest, ABusyPortIsUnavailableAndABadHostInvalid) {
  auto first = HttpServer::Start("127.0.0.1", 0, Pages());
  ASSERT_TRUE(first.ok());
  auto second = HttpServer::Start("127.0.0.1", (*first)->port(), Pages());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), core::StatusCode::kUnavailable);
  EXPECT_THAT(second.status().message(),
              HasSubstr("cannot listen on 127.0.0.1:" + std::to_string((*first)->port())));
  auto named = HttpServer::Start("localhost", 0, Pages());
  ASSERT_FALSE(named.ok());
  EXPECT_EQ(named.status().code(), core::StatusCode::kInvalidArgument);
}

TEST(HttpServerTest, StopsWithClientsStillConnected) {
  auto server = HttpServer::Start("127.0.0.1", 0, Pages());
  ASSERT_TRUE(server.ok());
  httplib::Client client("127.0.0.1", (*server)->port());
  client.set_keep_alive(true);
  ASSERT_TRUE(client.Get("/status"));
  server->reset();  // joins its thread although the connection is open
  SUCCEED();
}

}  // namespace
}  // namespace ebb::daemon
