// Test seams of the PostgreSQL endpoint: a transport over bytes in memory
// (the session tests and the fuzz target drive a real Session with it),
// frontend messages as a client writes them, and backend messages read back.
#pragma once

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "pgwire/messages.h"
#include "pgwire/transport.h"

namespace weft::pgwire::testing {

// Reads from `input` until it runs out (then the "client" has closed);
// everything written is appended to `output`.
class MemoryTransport : public Transport {
 public:
  explicit MemoryTransport(std::string input = "") : input_(std::move(input)) {}

  Status ReadExact(char* buf, size_t n, Clock::time_point) override {
    if (n > input_.size() - at_) {
      at_ = input_.size();
      return Status::IoError("the client closed the connection");
    }
    std::memcpy(buf, input_.data() + at_, n);
    at_ += n;
    return Status::Ok();
  }
  Status Write(std::string_view data) override {
    output_.append(data);
    return Status::Ok();
  }
  bool PeerGone() override { return false; }

  std::string& output() { return output_; }

 private:
  std::string input_;
  size_t at_ = 0;
  std::string output_;
};

inline std::string Int32Bytes(int32_t v) {
  std::string s;
  for (int i = 3; i >= 0; --i) s.push_back(static_cast<char>((static_cast<uint32_t>(v) >> (8 * i)) & 0xff));
  return s;
}
inline std::string Int16Bytes(int16_t v) {
  return {static_cast<char>((static_cast<uint16_t>(v) >> 8) & 0xff),
          static_cast<char>(static_cast<uint16_t>(v) & 0xff)};
}
inline std::string CStr(const std::string& s) {
  return s + std::string(1, '\0');
}

// A frontend message: type byte, length, body.
inline std::string Message(char type, const std::string& body) {
  return std::string(1, type) + Int32Bytes(static_cast<int32_t>(body.size() + 4)) + body;
}
inline Frame FrameOf(char type, std::string body) {
  return {type, std::move(body)};
}
inline Frame QueryFrame(const std::string& sql) {
  return {'Q', CStr(sql)};
}
inline Frame ParseFrame(const std::string& name, const std::string& sql, const std::vector<int32_t>& types = {}) {
  std::string body = CStr(name) + CStr(sql) + Int16Bytes(static_cast<int16_t>(types.size()));
  for (int32_t t : types) body += Int32Bytes(t);
  return {'P', body};
}
inline Frame BindFrame(const std::string& portal, const std::string& statement,
                       const std::vector<std::optional<std::string>>& params,
                       const std::vector<int16_t>& param_formats = {},
                       const std::vector<int16_t>& result_formats = {}) {
  std::string body = CStr(portal) + CStr(statement) + Int16Bytes(static_cast<int16_t>(param_formats.size()));
  for (int16_t f : param_formats) body += Int16Bytes(f);
  body += Int16Bytes(static_cast<int16_t>(params.size()));
  for (const auto& p : params) body += p ? Int32Bytes(static_cast<int32_t>(p->size())) + *p : Int32Bytes(-1);
  body += Int16Bytes(static_cast<int16_t>(result_formats.size()));
  for (int16_t f : result_formats) body += Int16Bytes(f);
  return {'B', body};
}
inline Frame DescribeFrame(char kind, const std::string& name) {
  return {'D', std::string(1, kind) + CStr(name)};
}
inline Frame ExecuteFrame(const std::string& portal, int32_t max_rows = 0) {
  return {'E', CStr(portal) + Int32Bytes(max_rows)};
}
inline Frame CloseFrame(char kind, const std::string& name) {
  return {'C', std::string(1, kind) + CStr(name)};
}
inline Frame SyncFrame() {
  return {'S', ""};
}

// The backend messages in `bytes`, in order.
inline std::vector<Frame> BackendMessages(const std::string& bytes) {
  std::vector<Frame> out;
  size_t at = 0;
  while (at + 5 <= bytes.size()) {
    uint32_t len = 0;
    for (int i = 1; i <= 4; ++i) len = (len << 8) | static_cast<uint8_t>(bytes[at + i]);
    if (len < 4 || at + 1 + len > bytes.size()) break;
    out.push_back({bytes[at], bytes.substr(at + 5, len - 4)});
    at += 1 + len;
  }
  return out;
}

// The types of `messages` as a string ("TDDCZ"), for compact expectations.
inline std::string Types(const std::vector<Frame>& messages) {
  std::string s;
  for (const auto& m : messages) s += m.type;
  return s;
}

// The fields of a DataRow (nullopt for NULL).
inline std::vector<std::optional<std::string>> DataRowValues(const Frame& f) {
  std::vector<std::optional<std::string>> out;
  if (f.body.size() < 2) return out;
  size_t n = (static_cast<uint8_t>(f.body[0]) << 8) | static_cast<uint8_t>(f.body[1]);
  size_t at = 2;
  for (size_t i = 0; i < n && at + 4 <= f.body.size(); ++i) {
    int32_t len = 0;
    for (int k = 0; k < 4; ++k)
      len = static_cast<int32_t>((static_cast<uint32_t>(len) << 8) | static_cast<uint8_t>(f.body[at + k]));
    at += 4;
    if (len < 0) {
      out.emplace_back(std::nullopt);
      continue;
    }
    out.emplace_back(f.body.substr(at, static_cast<size_t>(len)));
    at += static_cast<size_t>(len);
  }
  return out;
}

// An ErrorResponse's field `code` ('C' SQLSTATE, 'M' message, 'S' severity).
inline std::string ErrorField(const Frame& f, char code) {
  size_t at = 0;
  while (at < f.body.size() && f.body[at] != '\0') {
    char c = f.body[at];
    size_t end = f.body.find('\0', at + 1);
    if (end == std::string::npos) break;
    if (c == code) return f.body.substr(at + 1, end - at - 1);
    at = end + 1;
  }
  return "";
}

// The column names of a RowDescription.
inline std::vector<std::string> ColumnNames(const Frame& f) {
  std::vector<std::string> out;
  if (f.body.size() < 2) return out;
  size_t n = (static_cast<uint8_t>(f.body[0]) << 8) | static_cast<uint8_t>(f.body[1]);
  size_t at = 2;
  for (size_t i = 0; i < n; ++i) {
    size_t end = f.body.find('\0', at);
    if (end == std::string::npos) break;
    out.push_back(f.body.substr(at, end - at));
    at = end + 1 + 18;
  }
  return out;
}

}  // namespace weft::pgwire::testing
