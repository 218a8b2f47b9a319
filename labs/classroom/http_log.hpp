#pragma once
// What `lab server http` and `lab client http` print: one line per connection event (with the kernel's TCP state)
// and per request answered or response received, then a one-line summary. --format json gives the same facts as
// one JSON object per line. Bytes from the network are escaped.
#include <cstddef>
#include <cstdio>
#include <map>
#include <string>

#include "echo/echo_event.hpp"
#include "labs/echo_lab.hpp"
#include "web/http_ping.hpp"

namespace lab::labs {

class HttpLog {
 public:
  HttpLog(lab::echo::Actor actor, OutputFormat format, std::FILE* out);

  void operator()(const lab::echo::EchoEvent& event);       // a socket call
  void served(const lab::web::HttpServed& served);           // server: a request answered
  void response(const lab::web::HttpResponseSummary& response);  // client: a response read whole
  // The last line: what was done, and why it ended ("stopped by Ctrl-C", or the error). Prints nothing twice.
  void summary(const std::string& ending);

 private:
  void print(const std::string& line);

  lab::echo::Actor actor_;
  OutputFormat format_;
  std::FILE* out_;
  std::size_t connections_ = 0;
  std::size_t requests_ = 0;  // answered (server) or responses read (client)
  std::map<int, std::size_t> statuses_;  // how many of each status code
  bool summarised_ = false;
};

}  // namespace lab::labs
