#include "labs/terminal.hpp"

#include "tests/support/catch.hpp"

TEST_CASE("the text width: the terminal's, else COLUMNS, else 80; never over 100 nor under 40") {
  using lab::labs::choose_width;
  CHECK(choose_width(120, nullptr) == 100);
  CHECK(choose_width(72, "200") == 72);  // the terminal wins
  CHECK(choose_width(0, "90") == 90);
  CHECK(choose_width(0, "500") == 100);
  CHECK(choose_width(0, "20") == 40);
  CHECK(choose_width(0, "abc") == 80);
  CHECK(choose_width(0, "") == 80);
  CHECK(choose_width(0, nullptr) == 80);
}
