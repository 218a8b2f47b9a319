#pragma once
// SAY(note, "format {}", args...): appends one sentence to an explanation, with a space before it. FMT_COMPILE
// turns each sentence's format into code at compile time: the annotator runs for every packet, and parsing
// formats at run time was a fifth of its cost. (Internal to annotate/.)
#include <fmt/compile.h>
#include <fmt/format.h>

#include <iterator>
#include <string>
#include <utility>

namespace lab::annotate {

#define SAY(note, format, ...) ::lab::annotate::say_compiled(note, FMT_COMPILE(format) __VA_OPT__(, ) __VA_ARGS__)
template <typename Format, typename... Args>
void say_compiled(std::string& note, const Format& format, Args&&... args) {
  if (!note.empty() && note.back() != ' ') note += ' ';
  fmt::format_to(std::back_inserter(note), format, std::forward<Args>(args)...);
}

}  // namespace lab::annotate
