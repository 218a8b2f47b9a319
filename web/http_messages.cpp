#include "web/http_messages.hpp"

#include "web/http_ping.hpp"

namespace lab::web {

namespace {

std::string json_error(std::string_view why) {
  std::string body = "{\"error\":\"";
  for (char c : why) {  // our own words only, but a quote or backslash would still break the JSON
    if (c == '"' || c == '\\') body += '\\';
    body += c;
  }
  return body + "\"}\n";
}

}  // namespace

const char* product_token() { return "lab/" LAB_WEB_VERSION; }

const char* reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Content Too Large";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    default: return "Unknown";
  }
}

HttpAnswer answer_for(const lab::decode::HttpHead& request) {
  HttpAnswer answer;
  answer.closes = !request.persistent();
  const bool head = request.method == "HEAD";
  if (request.method != "GET" && !head) {
    answer.status = 405;
    answer.allow = "GET, HEAD";
    answer.body = json_error("only GET and HEAD are served here");
    return answer;
  }
  answer.head_only = head;
  // The path, without a query ("/ping?x=1" is still /ping).
  const std::string_view path = request.target.substr(0, request.target.find('?'));
  if (path != ping_path) {
    answer.status = 404;
    answer.body = json_error("nothing here: try GET /ping");
    return answer;
  }
  answer.body = pong_body;
  return answer;
}

HttpAnswer refusal(int status, std::string_view why) {
  HttpAnswer answer;
  answer.status = status;
  answer.body = json_error(why);
  answer.closes = true;
  return answer;
}

std::string response_bytes(const HttpAnswer& answer, std::string_view server_name) {
  std::string out = "HTTP/1.1 " + std::to_string(answer.status) + " " + reason_phrase(answer.status) + "\r\n";
  out += "Server: " + (server_name.empty() ? std::string(product_token()) : std::string(server_name)) + "\r\n";
  out += "Content-Type: " + answer.content_type + "\r\n";
  // Always sent, HEAD included (the length a GET would have): how the client knows where the body ends,
  // so that the connection can carry the next response.
  out += "Content-Length: " + std::to_string(answer.body.size()) + "\r\n";
  if (!answer.allow.empty()) out += "Allow: " + answer.allow + "\r\n";
  if (answer.closes) out += "Connection: close\r\n";
  out += "\r\n";
  if (!answer.head_only) out += answer.body;
  return out;
}

std::string get_request_bytes(std::string_view target, std::string_view host_field, std::string_view user_agent,
                              bool closes) {
  std::string out = "GET " + std::string(target) + " HTTP/1.1\r\n";
  out += "Host: " + std::string(host_field) + "\r\n";
  out += "User-Agent: " + (user_agent.empty() ? std::string(product_token()) : std::string(user_agent)) + "\r\n";
  out += "Accept: */*\r\n";
  if (closes) out += "Connection: close\r\n";
  out += "\r\n";
  return out;
}

}  // namespace lab::web
