#include "labs/http_lab.hpp"

#include <fmt/format.h>

namespace lab::labs {

std::string http_next_lesson(const EchoLabOptions& o) {
  std::string text;
  if (o.keep_alive)
    text = fmt::format("With --keep-alive the {} shared one connection, and the client closed it after the last "
                       "response (the summary above says whose FIN came first). Without --keep-alive each request "
                       "asks \"Connection: close\" on a connection of its own, and the server closes it after answering.",
                       o.requests == 1 ? "request" : fmt::format("{} requests", o.requests));
  else
    text = fmt::format("Each request asked \"Connection: close\"{}, so the server closed the connection after answering (the "
                       "summary above says whose FIN came first). With --keep-alive the requests share one connection "
                       "and the client closes it.",
                       o.requests == 1 ? "" : " on a connection of its own");
  // Each command on a line of its own, so that no wrapping cuts one in two.
  return text + "\nNext: call the same server yourself, in one terminal:\n  lab server http\nand in another:\n"
                "  curl -i http://127.0.0.1:8080/ping";
}

}  // namespace lab::labs
