#include "quality/input_limits.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <memory>
#include <optional>
#include <string_view>

#include "common/strings.h"

namespace weft::quality {

namespace fs = std::filesystem;

namespace {

constexpr size_t kBufferBytes = 1 << 16;
constexpr size_t kMaxHeaderName = 256;  // longer column names are not quoted back in messages

// "8 MB", "3.1 GB", "512 bytes" (units of 1000, as weft.yaml's sizes).
std::string FormatBytes(double n) {
  static constexpr std::array<const char*, 5> kUnits = {"bytes", "KB", "MB", "GB", "TB"};
  size_t unit = 0;
  while (n >= 1000 && unit + 1 < kUnits.size()) {
    n /= 1000;
    ++unit;
  }
  if (unit == 0) return fmt::format("{} bytes", static_cast<int64_t>(n));
  return std::fabs(n - std::round(n)) < 0.05 ? fmt::format("{:.0f} {}", n, kUnits[unit])
                                             : fmt::format("{:.1f} {}", n, kUnits[unit]);
}

std::string RaiseHint(const char* setting) {
  return fmt::format("; nothing was published. If the file is genuine, raise publish.{} in weft.yaml", setting);
}

// Reads a text input (CSV or NDJSON) as it streams by, across buffers, and
// stops at the first of: a CSV field (the dialect weft reads: '"' quotes, a
// doubled '"' escapes) or JSON string longer than maxFieldBytes, a record
// (CSV) or line (JSON) longer than MaxRecordBytes, a byte that is not UTF-8,
// a CSV record with another number of fields than the header, a quote never
// closed. Problem() says which and where, quoting none of the data.
class TextScan {
 public:
  TextScan(bool csv, char delimiter, const InputLimits& limits) : csv_(csv), delimiter_(delimiter), limits_(limits) {}

  // False at the first problem.
  bool Feed(std::string_view bytes) {
    for (char c : bytes) {
      if (!Utf8(static_cast<unsigned char>(c))) return Fail(EncodingProblem());
      if (!(csv_ ? Csv(c) : Json(c))) return false;
      if (c == '\n') {
        ++line_;
        column_ = 0;
        if (!quoted_) {
          record_length_ = 0;
          record_line_ = line_;
        }
        continue;
      }
      if (++record_length_ > limits_.MaxRecordBytes()) {
        return Fail(fmt::format(
            "the {} starting at line {} is longer than {} (4 times publish.maxFieldBytes){}", csv_ ? "record" : "line",
            record_line_, FormatBytes(static_cast<double>(limits_.MaxRecordBytes())), RaiseHint("maxFieldBytes")));
      }
      ++column_;
    }
    return true;
  }

  // False when the input ends inside a UTF-8 character, a CSV quote or a
  // CSV record that does not match the header.
  bool Finish() {
    if (need_ > 0) return Fail(EncodingProblem());
    if (!csv_) return true;
    if (quoted_) {
      return Fail(
          fmt::format("{} opens a quote that is never closed (a '\"' is missing); nothing was published", Where()));
    }
    return EndRecord();
  }

  const std::string& Problem() const { return problem_; }

 private:
  bool Fail(std::string problem) {
    problem_ = std::move(problem);
    return false;
  }

  // Names the byte that starts the broken character (0xe9, Latin-1's "é",
  // starts a 3-byte UTF-8 character that its next byte does not continue).
  std::string EncodingProblem() const {
    return fmt::format(
        "line {}, column {} is not valid UTF-8 (the byte {:#04x}); weft reads text input as UTF-8: convert the "
        "file (e.g. iconv -f latin1 -t utf-8); nothing was published",
        lead_line_, lead_column_ + 1, lead_);
  }

  // UTF-8 by its definition (RFC 3629): no overlong forms, no surrogates,
  // nothing past U+10FFFF. `lo_`..`hi_` is what the next continuation byte
  // may be.
  bool Utf8(unsigned char b) {
    if (need_ > 0) {
      if (b < lo_ || b > hi_) return false;
      lo_ = 0x80;
      hi_ = 0xBF;
      --need_;
      return true;
    }
    if (b < 0x80) return true;
    lead_ = b;
    lead_line_ = line_;
    lead_column_ = column_;
    lo_ = 0x80;
    hi_ = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
      need_ = 1;
    } else if (b >= 0xE0 && b <= 0xEF) {
      need_ = 2;
      if (b == 0xE0) lo_ = 0xA0;
      if (b == 0xED) hi_ = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      need_ = 3;
      if (b == 0xF0) lo_ = 0x90;
      if (b == 0xF4) hi_ = 0x8F;
    } else {
      return false;
    }
    return true;
  }

  std::string Where() const {
    if (!csv_) return fmt::format("a string starting at line {}", field_line_);
    if (record_ == 1) return fmt::format("field {} of the header (line {})", field_, field_line_);
    const std::string name =
        field_ <= static_cast<int64_t>(header_.size()) ? " ('" + header_[field_ - 1] + "')" : std::string();
    return fmt::format("field {}{} of the record starting at line {}", field_, name, field_line_);
  }

  bool FieldTooLong() {
    return Fail(fmt::format("{} is longer than publish.maxFieldBytes ({}){}", Where(),
                            FormatBytes(static_cast<double>(limits_.max_field_bytes)), RaiseHint("maxFieldBytes")));
  }

  // At the end of a CSV record: false when its number of fields is not the
  // header's. A blank line is no record (DuckDB skips it).
  bool EndRecord() {
    const bool blank = field_ == 1 && (length_ == 0 || (length_ == 1 && last_ == '\r'));
    if (record_ == 1) {
      header_fields_ = field_;
      return true;
    }
    if (blank || field_ == header_fields_) return true;
    return Fail(
        fmt::format("the record starting at line {} has {} field{}, the header has {}; a value holding "
                    "'{}' or a line break must be \"-quoted; nothing was published",
                    record_line_, field_, field_ == 1 ? "" : "s", header_fields_,
                    delimiter_ == '\t' ? std::string("\\t") : std::string(1, delimiter_)));
  }

  // False at a field too long or a record that does not match the header.
  bool Csv(char c) {
    if (c == '"') {
      quoted_ = !quoted_;
    } else if (!quoted_ && (c == delimiter_ || c == '\n')) {
      if (c == '\n' && !EndRecord()) return false;
      if (record_ == 1) header_.push_back(name_);
      name_.clear();
      length_ = 0;
      field_line_ = c == '\n' ? line_ + 1 : line_;
      if (c == '\n') {
        ++record_;
        field_ = 1;
      } else if (++field_ > InputLimits::kMaxColumns && record_ == 1) {
        return Fail(
            fmt::format("the header has more than {} columns, which weft does not read (DuckDB's reader needs "
                        "memory per column); publish the contract's columns only; nothing was published",
                        InputLimits::kMaxColumns));
      }
      return true;
    } else if (record_ == 1 && c != '\r' && name_.size() < kMaxHeaderName) {
      name_ += c;
    }
    last_ = c;
    return ++length_ <= limits_.max_field_bytes || FieldTooLong();
  }

  // False when the string grew past the limit.
  bool Json(char c) {
    if (!quoted_) {
      if (c == '"') {
        quoted_ = true;
        length_ = 0;
        field_line_ = line_;
      }
      return true;
    }
    if (escaped_) {
      escaped_ = false;
    } else if (c == '\\') {
      escaped_ = true;
    } else if (c == '"') {
      quoted_ = false;
      return true;
    }
    return ++length_ <= limits_.max_field_bytes || FieldTooLong();
  }

  // Constant after construction.
  const bool csv_;
  const char delimiter_;
  const InputLimits limits_;

  std::string problem_;
  int64_t line_ = 1;
  int64_t column_ = 0;      // bytes before the current one on its line
  int need_ = 0;            // UTF-8 continuation bytes still expected
  unsigned char lead_ = 0;  // the first byte of the current non-ASCII character, and where it is
  int64_t lead_line_ = 1, lead_column_ = 0;
  unsigned char lo_ = 0x80, hi_ = 0xBF;
  bool quoted_ = false;              // inside quotes (CSV) or a string (JSON)
  bool escaped_ = false;             // JSON: after a backslash
  int64_t length_ = 0;               // of the current field or string
  int64_t field_line_ = 1;           // where the current field or string starts
  int64_t field_ = 1;                // CSV: the current field's number in its record
  int64_t record_ = 1;               // CSV: the current record's number (1: the header)
  int64_t header_fields_ = 0;        // CSV: how many fields the header has
  char last_ = 0;                    // CSV: the last byte of the current field
  int64_t record_length_ = 0;        // bytes of the current record (CSV) or line (JSON) so far
  int64_t record_line_ = 1;          // where it starts
  std::vector<std::string> header_;  // CSV: the header's column names
  std::string name_;                 // CSV: the header field being read
};

// The first four bytes of `file` (fewer when it is shorter).
std::string Magic(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string magic(4, '\0');
  in.read(magic.data(), static_cast<std::streamsize>(magic.size()));
  magic.resize(static_cast<size_t>(std::max<std::streamsize>(in.gcount(), 0)));
  return magic;
}

Status CheckFile(const fs::path& file, const std::string& format, char delimiter, const InputLimits& limits) {
  std::error_code ec;
  const auto size = static_cast<int64_t>(fs::file_size(file, ec));
  if (ec) return Status::IoError("cannot read the size of " + file.string() + ": " + ec.message());
  if (size > limits.max_input_bytes) {
    return Status::InvalidArgument(fmt::format("input file {} is {}, more than publish.maxInputBytes ({}){}",
                                               file.string(), FormatBytes(static_cast<double>(size)),
                                               FormatBytes(static_cast<double>(limits.max_input_bytes)),
                                               RaiseHint("maxInputBytes")));
  }
  // An empty file has no header to match, and the reader's complaint about
  // it ("no column ..., found column0") would not say so.
  if (size == 0) {
    return Status::InvalidArgument("input file " + file.string() +
                                   " is empty (not even a header row); nothing was published");
  }
  if (format == "parquet") return Status::Ok();  // compressed inside, read a row group at a time
  if (Magic(file) == std::string("\x28\xb5\x2f\xfd", 4)) {
    return Status::InvalidArgument("input file " + file.string() +
                                   " is zstd-compressed, which weft cannot read within a bounded size; compress it "
                                   "with gzip or publish it uncompressed (nothing was published)");
  }

  std::unique_ptr<gzFile_s, decltype(&gzclose)> in(gzopen(file.c_str(), "rb"), &gzclose);
  if (!in) return Status::IoError("cannot open " + file.string());
  gzbuffer(in.get(), kBufferBytes);
  // DuckDB decompresses by the name: a .gz that is not gzip fails there, late
  // and archived; a gzip file by another name would be read as text.
  const bool named_gz = ToLower(file.extension().string()) == ".gz";
  if (named_gz != !gzdirect(in.get())) {
    return Status::InvalidArgument(
        "input file " + file.string() +
        (named_gz ? " is named .gz but is not gzip-compressed" : " is gzip-compressed but not named .gz") +
        ": rename it to match its content; nothing was published");
  }
  TextScan text(format == "csv", delimiter, limits);
  std::optional<int64_t> expanded_limit;  // gzip: the smaller of maxExpansion x size and maxInputBytes
  int64_t total = 0;
  std::string buffer(kBufferBytes, '\0');
  while (true) {
    const int n = gzread(in.get(), buffer.data(), static_cast<unsigned>(buffer.size()));
    // A truncated file ends with the bytes read so far, then 0 and the error.
    int code = Z_OK;
    const char* message = gzerror(in.get(), &code);
    if (n < 0 || code != Z_OK) {
      return Status::InvalidArgument(fmt::format("input file {} is not valid gzip ({}); nothing was published",
                                                 file.string(), message && *message ? message : "unreadable"));
    }
    if (n == 0) break;
    if (!expanded_limit && !gzdirect(in.get())) {
      expanded_limit = std::min<double>(limits.max_expansion * static_cast<double>(size),
                                        static_cast<double>(limits.max_input_bytes));
    }
    total += n;
    if (expanded_limit && total > *expanded_limit) {
      const bool by_ratio =
          limits.max_expansion * static_cast<double>(size) < static_cast<double>(limits.max_input_bytes);
      return Status::InvalidArgument(
          fmt::format("input file {} expands to more than {} when decompressed ({}){}", file.string(),
                      FormatBytes(static_cast<double>(*expanded_limit)),
                      by_ratio ? fmt::format("publish.maxExpansion: {:g} times its compressed {}", limits.max_expansion,
                                             FormatBytes(static_cast<double>(size)))
                               : std::string("publish.maxInputBytes"),
                      RaiseHint(by_ratio ? "maxExpansion" : "maxInputBytes")));
    }
    if (!text.Feed(std::string_view(buffer.data(), static_cast<size_t>(n)))) break;
  }
  if (!text.Problem().empty() || !text.Finish())
    return Status::InvalidArgument("input file " + file.string() + ": " + text.Problem());
  return Status::Ok();
}

}  // namespace

InputLimits WorkspaceInputLimits(const spec::WorkspaceSpec& ws) {
  InputLimits l;
  l.max_input_bytes = ws.publish_max_input_bytes.value_or(l.max_input_bytes);
  l.max_expansion = ws.publish_max_expansion.value_or(l.max_expansion);
  l.max_field_bytes = ws.publish_max_field_bytes.value_or(l.max_field_bytes);
  return l;
}

Status CheckInputLimits(const std::vector<fs::path>& files, const std::string& format, char delimiter,
                        const InputLimits& limits) {
  for (const auto& f : files) RETURN_IF_ERROR(CheckFile(f, format, delimiter, limits));
  return Status::Ok();
}

}  // namespace weft::quality
