// Asio's compiled part, built once for the whole program: with ASIO_SEPARATE_COMPILATION (set by the
// Asio::Asio target) every other file includes only declarations, which keeps their compile times down.
#include <asio/impl/src.hpp>
