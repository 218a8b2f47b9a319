#pragma once
// Catch2 v3 (Debian 13, Ubuntu 24.04) and v2 (Debian 12) have different headers; tests include this one. Names
// that v3 moved into namespace Catch (Approx) are brought back so that the same test source builds with both.
#if __has_include(<catch2/catch_test_macros.hpp>)
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/generators/catch_generators_range.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
using Catch::Approx;
#else
#include <catch2/catch.hpp>
#endif
