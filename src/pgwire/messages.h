// The PostgreSQL frontend/backend protocol, version 3.0: decoding what a
// client sends and encoding what the server answers. The formats are
// PostgreSQL's own ("Message Formats" of its documentation); the limits and
// the subset weft speaks are in docs/sql-endpoint.md.
//
//   ASSIGN_OR_RETURN(BindMessage bind, DecodeBind(frame.body));
//   Encoder out;
//   out.DataRow({"1", std::nullopt});
//   out.CommandComplete("SELECT 1");
//   RETURN_IF_ERROR(transport.Write(out.buffer()));
//
// Decoding never trusts a length: every read is checked against what is
// left of the body, so a short, long or garbled message is an
// InvalidArgument (the session answers it with 08P01 and closes).
//
// Thread safety: values and pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace weft::pgwire {

// Largest startup packet (SSLRequest, StartupMessage, CancelRequest) and
// largest other message, length word included.
inline constexpr size_t kMaxStartupLength = 10 * 1024;
inline constexpr size_t kMaxMessageLength = 16u << 20;

inline constexpr int32_t kProtocol30 = 196608;  // 3.0
inline constexpr int32_t kSslRequestCode = 80877103;
inline constexpr int32_t kGssEncRequestCode = 80877104;
inline constexpr int32_t kCancelRequestCode = 80877102;

// One message as it came off the wire: its type byte (0 for the packets of
// the startup phase, which have none) and its body (without the length).
struct Frame {
  char type = 0;
  std::string body;
};

// The packet that opens a connection.
struct StartupPacket {
  enum class Kind { kStartup, kSslRequest, kGssEncRequest, kCancel };
  Kind kind = Kind::kStartup;
  int32_t protocol = 0;
  std::map<std::string, std::string> parameters;  // user, database, application_name, options, ...
  int32_t cancel_pid = 0, cancel_secret = 0;      // kCancel
};
Result<StartupPacket> DecodeStartup(std::string_view body);

// Frontend messages of the extended query protocol.
struct ParseMessage {
  std::string statement;  // "" is the unnamed statement
  std::string query;
  std::vector<int32_t> parameter_types;  // 0: let the server decide
};
struct BindMessage {
  std::string portal, statement;
  std::vector<int16_t> parameter_formats;              // none: all text; one: for all; else one per parameter
  std::vector<std::optional<std::string>> parameters;  // nullopt: NULL
  std::vector<int16_t> result_formats;                 // as parameter_formats, for the result columns
};
struct DescribeMessage {
  char kind = 'S';  // 'S' statement, 'P' portal
  std::string name;
};
struct ExecuteMessage {
  std::string portal;
  int32_t max_rows = 0;  // 0: all
};
using CloseMessage = DescribeMessage;

Result<std::string> DecodeQuery(std::string_view body);
Result<std::string> DecodePassword(std::string_view body);
Result<ParseMessage> DecodeParse(std::string_view body);
Result<BindMessage> DecodeBind(std::string_view body);
Result<DescribeMessage> DecodeDescribe(std::string_view body);
Result<ExecuteMessage> DecodeExecute(std::string_view body);
Result<CloseMessage> DecodeClose(std::string_view body);

// The format code of result column or parameter `i` from a Bind's list:
// none means text (0), one applies to all.
int16_t FormatAt(const std::vector<int16_t>& formats, size_t i);

// One column of a RowDescription.
struct FieldDescription {
  std::string name;
  int32_t type_oid = 25;  // text
  int16_t type_size = -1;
  int32_t type_modifier = -1;
  int16_t format = 0;  // 0 text, 1 binary
};

// The fields of an ErrorResponse or NoticeResponse.
struct ErrorFields {
  std::string severity = "ERROR";  // ERROR, FATAL, NOTICE, WARNING
  std::string sqlstate;
  std::string message;
  std::string detail;
  std::string hint;
};

// Backend messages, appended to one buffer that is written at once.
class Encoder {
 public:
  void AuthenticationOk();
  void AuthenticationCleartextPassword();
  void ParameterStatus(std::string_view name, std::string_view value);
  void BackendKeyData(int32_t pid, int32_t secret);
  void ReadyForQuery(char transaction_status);  // 'I' idle, 'T' in a block, 'E' failed block
  void RowDescription(const std::vector<FieldDescription>& fields);
  void ParameterDescription(const std::vector<int32_t>& type_oids);
  void NoData();
  // One row; each value is already in its column's format (text or binary).
  void DataRow(const std::vector<std::optional<std::string>>& values);
  void CommandComplete(std::string_view tag);
  void EmptyQueryResponse();
  void ParseComplete();
  void BindComplete();
  void CloseComplete();
  void PortalSuspended();
  void Error(const ErrorFields& e);
  void Notice(const ErrorFields& e);
  // A single byte answering SSLRequest or GSSENCRequest ('S' or 'N').
  void Byte(char c);

  const std::string& buffer() const { return out_; }
  size_t size() const { return out_.size(); }
  void Clear() { out_.clear(); }

 private:
  // Starts a message: its type byte and a length word filled in by End.
  size_t Begin(char type);
  void End(size_t start);
  void Int16(int16_t v);
  void Int32(int32_t v);
  void CString(std::string_view s);
  void Fields(char type, const ErrorFields& e);

  std::string out_;
};

}  // namespace weft::pgwire
