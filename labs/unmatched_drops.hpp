#pragma once
// A --drop rule whose packet never came (request:99 with one message) dropped nothing: the labs say so, in
// the closing lines and as a JSON fact, or a student would read the run as the lesson of a loss.
#include <string>
#include <vector>

#include "labs/net/fault_plan.hpp"

namespace lab::labs {

// One line per rule: "--drop request:99 never matched: the client sent only 1 request, so it dropped
// nothing.\n"; empty when every rule matched.
std::string unmatched_drops_text(const std::vector<UnmatchedDrop>& unmatched);

// The JSON member "drops_never_matched":[{"rule":"request:99","kind":"request","nth":99,"seen":1}, ...]
// ([] when every rule matched).
std::string unmatched_drops_json(const std::vector<UnmatchedDrop>& unmatched);

}  // namespace lab::labs
