#include "pgwire/messages.h"

#include <fmt/format.h>

#include <cstring>

namespace weft::pgwire {

namespace {

// Reads a message body front to back; every read is bounds-checked.
class BodyReader {
 public:
  BodyReader(std::string_view body, const char* message) : body_(body), message_(message) {}

  Result<int16_t> Int16() {
    ASSIGN_OR_RETURN(std::string_view b, Bytes(2));
    return static_cast<int16_t>((static_cast<uint8_t>(b[0]) << 8) | static_cast<uint8_t>(b[1]));
  }
  Result<int32_t> Int32() {
    ASSIGN_OR_RETURN(std::string_view b, Bytes(4));
    uint32_t v = 0;
    for (char c : b) v = (v << 8) | static_cast<uint8_t>(c);
    return static_cast<int32_t>(v);
  }
  Result<char> Byte() {
    ASSIGN_OR_RETURN(std::string_view b, Bytes(1));
    return b[0];
  }
  // A NUL-terminated string.
  Result<std::string> CString() {
    size_t end = body_.find('\0', at_);
    if (end == std::string_view::npos) return Truncated();
    std::string s(body_.substr(at_, end - at_));
    at_ = end + 1;
    return s;
  }
  Result<std::string_view> Bytes(size_t n) {
    if (n > body_.size() - at_) return Truncated();
    std::string_view b = body_.substr(at_, n);
    at_ += n;
    return b;
  }
  // A count that prefixes a list of items at least `item_size` bytes each:
  // negative, or more than the rest of the body could hold, is refused
  // before anything is allocated for it.
  Result<size_t> Count(size_t item_size) {
    ASSIGN_OR_RETURN(int16_t n, Int16());
    if (n < 0 || static_cast<size_t>(n) * item_size > body_.size() - at_)
      return Status::InvalidArgument(fmt::format("{} message has an impossible count of {}", message_, n));
    return static_cast<size_t>(n);
  }
  Status Done() const {
    if (at_ != body_.size())
      return Status::InvalidArgument(
          fmt::format("{} message has {} bytes after its end", message_, body_.size() - at_));
    return Status::Ok();
  }

 private:
  Status Truncated() const { return Status::InvalidArgument(fmt::format("{} message is truncated", message_)); }

  std::string_view body_;
  size_t at_ = 0;
  const char* message_;
};

Result<std::vector<int16_t>> FormatCodes(BodyReader& r) {
  ASSIGN_OR_RETURN(size_t n, r.Count(2));
  std::vector<int16_t> codes;
  codes.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    ASSIGN_OR_RETURN(int16_t c, r.Int16());
    if (c != 0 && c != 1)
      return Status::InvalidArgument(fmt::format("format code {} is neither 0 (text) nor 1 (binary)", c));
    codes.push_back(c);
  }
  return codes;
}

// Describe and Close share a layout: 'S' or 'P', then a name.
Result<DescribeMessage> DecodeTarget(std::string_view body, const char* message) {
  BodyReader r(body, message);
  DescribeMessage m;
  ASSIGN_OR_RETURN(m.kind, r.Byte());
  if (m.kind != 'S' && m.kind != 'P')
    return Status::InvalidArgument(
        fmt::format("{} message names neither a statement ('S') nor a portal ('P')", message));
  ASSIGN_OR_RETURN(m.name, r.CString());
  RETURN_IF_ERROR(r.Done());
  return m;
}

}  // namespace

Result<StartupPacket> DecodeStartup(std::string_view body) {
  BodyReader r(body, "the startup");
  StartupPacket p;
  ASSIGN_OR_RETURN(p.protocol, r.Int32());
  switch (p.protocol) {
    case kSslRequestCode:
      p.kind = StartupPacket::Kind::kSslRequest;
      RETURN_IF_ERROR(r.Done());
      return p;
    case kGssEncRequestCode:
      p.kind = StartupPacket::Kind::kGssEncRequest;
      RETURN_IF_ERROR(r.Done());
      return p;
    case kCancelRequestCode: {
      p.kind = StartupPacket::Kind::kCancel;
      ASSIGN_OR_RETURN(p.cancel_pid, r.Int32());
      ASSIGN_OR_RETURN(p.cancel_secret, r.Int32());
      RETURN_IF_ERROR(r.Done());
      return p;
    }
    default:
      break;
  }
  // Only 3.0 is spoken; a 3.x client is told the same by the session
  // (NegotiateProtocolVersion is not needed while no option is asked for).
  if (p.protocol >> 16 != 3)
    return Status::InvalidArgument(
        fmt::format("unsupported frontend protocol {}.{}: weft speaks 3.0", p.protocol >> 16, p.protocol & 0xffff));
  // name\0value\0 pairs, ended by one more \0.
  for (;;) {
    ASSIGN_OR_RETURN(std::string name, r.CString());
    if (name.empty()) break;
    ASSIGN_OR_RETURN(std::string value, r.CString());
    p.parameters[name] = std::move(value);
  }
  RETURN_IF_ERROR(r.Done());
  return p;
}

Result<std::string> DecodeQuery(std::string_view body) {
  BodyReader r(body, "a Query");
  ASSIGN_OR_RETURN(std::string q, r.CString());
  RETURN_IF_ERROR(r.Done());
  return q;
}

Result<std::string> DecodePassword(std::string_view body) {
  BodyReader r(body, "a PasswordMessage");
  ASSIGN_OR_RETURN(std::string p, r.CString());
  RETURN_IF_ERROR(r.Done());
  return p;
}

Result<ParseMessage> DecodeParse(std::string_view body) {
  BodyReader r(body, "a Parse");
  ParseMessage m;
  ASSIGN_OR_RETURN(m.statement, r.CString());
  ASSIGN_OR_RETURN(m.query, r.CString());
  ASSIGN_OR_RETURN(size_t n, r.Count(4));
  m.parameter_types.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    ASSIGN_OR_RETURN(int32_t oid, r.Int32());
    m.parameter_types.push_back(oid);
  }
  RETURN_IF_ERROR(r.Done());
  return m;
}

Result<BindMessage> DecodeBind(std::string_view body) {
  BodyReader r(body, "a Bind");
  BindMessage m;
  ASSIGN_OR_RETURN(m.portal, r.CString());
  ASSIGN_OR_RETURN(m.statement, r.CString());
  ASSIGN_OR_RETURN(m.parameter_formats, FormatCodes(r));
  ASSIGN_OR_RETURN(size_t n, r.Count(4));
  if (m.parameter_formats.size() > 1 && m.parameter_formats.size() != n)
    return Status::InvalidArgument(
        fmt::format("a Bind message has {} parameter format codes for {} parameters", m.parameter_formats.size(), n));
  m.parameters.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    ASSIGN_OR_RETURN(int32_t len, r.Int32());
    if (len == -1) {
      m.parameters.emplace_back(std::nullopt);
      continue;
    }
    if (len < 0) return Status::InvalidArgument(fmt::format("a Bind message has a parameter of length {}", len));
    ASSIGN_OR_RETURN(std::string_view v, r.Bytes(static_cast<size_t>(len)));
    m.parameters.emplace_back(std::string(v));
  }
  ASSIGN_OR_RETURN(m.result_formats, FormatCodes(r));
  RETURN_IF_ERROR(r.Done());
  return m;
}

Result<DescribeMessage> DecodeDescribe(std::string_view body) {
  return DecodeTarget(body, "a Describe");
}
Result<CloseMessage> DecodeClose(std::string_view body) {
  return DecodeTarget(body, "a Close");
}

Result<ExecuteMessage> DecodeExecute(std::string_view body) {
  BodyReader r(body, "an Execute");
  ExecuteMessage m;
  ASSIGN_OR_RETURN(m.portal, r.CString());
  ASSIGN_OR_RETURN(m.max_rows, r.Int32());
  if (m.max_rows < 0) m.max_rows = 0;  // PostgreSQL reads any non-positive limit as "all"
  RETURN_IF_ERROR(r.Done());
  return m;
}

int16_t FormatAt(const std::vector<int16_t>& formats, size_t i) {
  if (formats.empty()) return 0;
  if (formats.size() == 1) return formats[0];
  return i < formats.size() ? formats[i] : 0;
}

// --- Encoder -------------------------------------------------------------------------------

size_t Encoder::Begin(char type) {
  out_.push_back(type);
  size_t start = out_.size();
  out_.append(4, '\0');
  return start;
}

void Encoder::End(size_t start) {
  uint32_t len = static_cast<uint32_t>(out_.size() - start);
  for (int i = 0; i < 4; ++i) out_[start + i] = static_cast<char>((len >> (24 - 8 * i)) & 0xff);
}

void Encoder::Int16(int16_t v) {
  uint16_t u = static_cast<uint16_t>(v);
  out_.push_back(static_cast<char>(u >> 8));
  out_.push_back(static_cast<char>(u & 0xff));
}

void Encoder::Int32(int32_t v) {
  uint32_t u = static_cast<uint32_t>(v);
  for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>((u >> (24 - 8 * i)) & 0xff));
}

// A C string cannot hold a NUL: one inside (a column alias can have any
// character) would end the field early and garble the message, so it is dropped.
void Encoder::CString(std::string_view s) {
  for (char c : s)
    if (c != '\0') out_.push_back(c);
  out_.push_back('\0');
}

void Encoder::AuthenticationOk() {
  size_t m = Begin('R');
  Int32(0);
  End(m);
}

void Encoder::AuthenticationCleartextPassword() {
  size_t m = Begin('R');
  Int32(3);
  End(m);
}

void Encoder::ParameterStatus(std::string_view name, std::string_view value) {
  size_t m = Begin('S');
  CString(name);
  CString(value);
  End(m);
}

void Encoder::BackendKeyData(int32_t pid, int32_t secret) {
  size_t m = Begin('K');
  Int32(pid);
  Int32(secret);
  End(m);
}

void Encoder::ReadyForQuery(char transaction_status) {
  size_t m = Begin('Z');
  out_.push_back(transaction_status);
  End(m);
}

void Encoder::RowDescription(const std::vector<FieldDescription>& fields) {
  size_t m = Begin('T');
  Int16(static_cast<int16_t>(fields.size()));
  for (const auto& f : fields) {
    CString(f.name);
    Int32(0);  // no table OID: a product is not a PostgreSQL table
    Int16(0);
    Int32(f.type_oid);
    Int16(f.type_size);
    Int32(f.type_modifier);
    Int16(f.format);
  }
  End(m);
}

void Encoder::ParameterDescription(const std::vector<int32_t>& type_oids) {
  size_t m = Begin('t');
  Int16(static_cast<int16_t>(type_oids.size()));
  for (int32_t oid : type_oids) Int32(oid);
  End(m);
}

void Encoder::NoData() {
  End(Begin('n'));
}

void Encoder::DataRow(const std::vector<std::optional<std::string>>& values) {
  size_t m = Begin('D');
  Int16(static_cast<int16_t>(values.size()));
  for (const auto& v : values) {
    if (!v) {
      Int32(-1);
      continue;
    }
    Int32(static_cast<int32_t>(v->size()));
    out_.append(*v);
  }
  End(m);
}

void Encoder::CommandComplete(std::string_view tag) {
  size_t m = Begin('C');
  CString(tag);
  End(m);
}

void Encoder::EmptyQueryResponse() {
  End(Begin('I'));
}
void Encoder::ParseComplete() {
  End(Begin('1'));
}
void Encoder::BindComplete() {
  End(Begin('2'));
}
void Encoder::CloseComplete() {
  End(Begin('3'));
}
void Encoder::PortalSuspended() {
  End(Begin('s'));
}

void Encoder::Fields(char type, const ErrorFields& e) {
  size_t m = Begin(type);
  auto field = [this](char code, std::string_view value) {
    if (value.empty()) return;
    out_.push_back(code);
    CString(value);
  };
  field('S', e.severity);
  field('V', e.severity);  // the untranslated severity (protocol 3.0, PostgreSQL 9.6+)
  field('C', e.sqlstate);
  field('M', e.message);
  field('D', e.detail);
  field('H', e.hint);
  out_.push_back('\0');
  End(m);
}

void Encoder::Error(const ErrorFields& e) {
  Fields('E', e);
}
void Encoder::Notice(const ErrorFields& e) {
  Fields('N', e);
}
void Encoder::Byte(char c) {
  out_.push_back(c);
}

}  // namespace weft::pgwire
