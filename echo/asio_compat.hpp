#pragma once
// The one Asio name that moved between the versions we build with: `as_tuple` is
// asio::experimental::as_tuple in Debian 12's Asio 1.22 and asio::as_tuple in later ones (Ubuntu 24.04 has
// 1.28). Everything else in echo/ spells Asio the same way on both.
#include <asio/awaitable.hpp>
#include <asio/use_awaitable.hpp>

#if __has_include(<asio/as_tuple.hpp>)  // Asio 1.28 (Ubuntu 24.04) and later
#include <asio/as_tuple.hpp>
namespace lab::echo::compat {
using asio::as_tuple;
}
#else  // Asio 1.22 (Debian 12)
#include <asio/experimental/as_tuple.hpp>
namespace lab::echo::compat {
using asio::experimental::as_tuple;
}
#endif

namespace lab::echo {

// The completion token of every Asio call in echo/: `co_await op(..., use_nothrow_awaitable)` returns
// (error, results...) instead of throwing, so a failed call is a value the code looks at, right there.
inline constexpr auto use_nothrow_awaitable = compat::as_tuple(asio::use_awaitable);

}  // namespace lab::echo
