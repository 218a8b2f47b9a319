#pragma once
// What the capture's owner knows of the server before any packet: a lab knows whether its server listens; a file
// does not say.
#include <cstdint>

namespace lab::flow {

enum class Listener : std::uint8_t { unknown, listening, nobody };

}  // namespace lab::flow
