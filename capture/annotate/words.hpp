#pragma once
// Small helpers for writing explanations: durations, counts, byte ranges.
#include <cstdint>
#include <string>

namespace lab::annotate {

// "45 µs", "1.25 ms", "2.003 s": the unit a person would pick.
std::string duration_words(std::int64_t ns);
// "1 byte", "6 bytes"; "1 packet", "3 packets".
std::string count_words(std::uint64_t n, const char* singular, const char* plural);
// A name with its first letter capitalised ("client" -> "Client").
std::string capitalized(const char* word);

}  // namespace lab::annotate
