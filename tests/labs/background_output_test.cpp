#include "labs/background_output.hpp"

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include "tests/support/catch.hpp"

TEST_CASE("background output: every piece written, in order, and the caller never waits for a slow writer") {
  std::string written;
  {
    lab::labs::BackgroundOutput output([&](std::string_view text) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a slow terminal
      written += text;
    });
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 10; ++i) output.write(std::to_string(i));
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(100));  // 10 x 20 ms were not waited
    output.finish();
  }
  CHECK(written == "0123456789");
}

TEST_CASE("background output: a failed write is reported by finish(), and later writes are dropped") {
  lab::labs::BackgroundOutput output([](std::string_view) { throw std::runtime_error("cannot write the output"); });
  output.write("a");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  output.write("b");  // returns: the output is gone
  CHECK_THROWS_WITH(output.finish(), "cannot write the output");
}
