#include "labs/http_lab.hpp"

#include <fmt/format.h>

namespace lab::labs {

std::string http_next_lesson(const EchoLabOptions& o) {
  std::string text;
  if (o.keep_alive)
    text = fmt::format("With keep-alive the {} shared one connection, and the client closes it after the last "
                       "response: its FIN comes first (see the FINs above). Without --keep-alive each request asks "
                       "\"Connection: close\" on a connection of its own, and the server closes first.",
                       o.requests == 1 ? "request" : fmt::format("{} requests", o.requests));
  else
    text = fmt::format("Each request asked \"Connection: close\"{}, so the server closes after answering: its FIN "
                       "comes first (see the FINs above). With --keep-alive the requests share one connection and the "
                       "client closes it.",
                       o.requests == 1 ? "" : " on a connection of its own");
  // Each command on a line of its own, so that no wrapping cuts one in two.
  return text + "\nNext: call the same server yourself, in one terminal:\n  lab server http\nand in another:\n"
                "  curl -i http://127.0.0.1:8080/ping";
}

}  // namespace lab::labs
