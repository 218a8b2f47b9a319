#include "echo/echo_event.hpp"

#include <string>

#include "tests/support/catch.hpp"

using namespace lab::echo;

TEST_CASE("echo events: actor and kind names") {
  CHECK(std::string(actor_name(Actor::client)) == "client");
  CHECK(std::string(actor_name(Actor::server)) == "server");
  CHECK(std::string(event_kind_name(EventKind::listen)) == "listen");
  CHECK(std::string(event_kind_name(EventKind::connect)) == "connect");
  CHECK(std::string(event_kind_name(EventKind::connected)) == "connected");
  CHECK(std::string(event_kind_name(EventKind::accept)) == "accept");
  CHECK(std::string(event_kind_name(EventKind::send)) == "send");
  CHECK(std::string(event_kind_name(EventKind::recv)) == "recv");
  CHECK(std::string(event_kind_name(EventKind::eof)) == "eof");
  CHECK(std::string(event_kind_name(EventKind::shutdown)) == "shutdown");
  CHECK(std::string(event_kind_name(EventKind::close)) == "close");
  CHECK(std::string(event_kind_name(EventKind::timeout)) == "timeout");
  CHECK(std::string(event_kind_name(EventKind::error)) == "error");
}
