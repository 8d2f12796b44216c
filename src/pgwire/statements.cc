#include "pgwire/statements.h"

#include <algorithm>
#include <cctype>

#include "common/strings.h"

namespace weft::pgwire {

namespace {

bool IsIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' || static_cast<unsigned char>(c) >= 0x80;
}

// The end of the quoted, dollar-quoted or commented run starting at `i`,
// or `i` itself when none starts there. Unterminated runs end the text.
size_t SkipOpaque(std::string_view s, size_t i) {
  const size_t n = s.size();
  char c = s[i];
  if (c == '-' && i + 1 < n && s[i + 1] == '-') {
    size_t end = s.find('\n', i);
    return end == std::string_view::npos ? n : end + 1;
  }
  if (c == '/' && i + 1 < n && s[i + 1] == '*') {  // PostgreSQL's block comments nest
    int depth = 0;
    for (size_t j = i; j < n; ++j) {
      if (s[j] == '/' && j + 1 < n && s[j + 1] == '*') {
        ++depth;
        ++j;
      } else if (s[j] == '*' && j + 1 < n && s[j + 1] == '/') {
        ++j;
        if (--depth == 0) return j + 1;
      }
    }
    return n;
  }
  if (c == '\'' || c == '"') {
    // E'...' strings take backslash escapes.
    bool escapes = c == '\'' && i > 0 && (s[i - 1] == 'E' || s[i - 1] == 'e') && (i < 2 || !IsIdentChar(s[i - 2]));
    for (size_t j = i + 1; j < n; ++j) {
      if (escapes && s[j] == '\\') {
        ++j;
        continue;
      }
      if (s[j] == c) {
        if (j + 1 < n && s[j + 1] == c) {  // a doubled quote
          ++j;
          continue;
        }
        return j + 1;
      }
    }
    return n;
  }
  if (c == '$' && (i == 0 || !IsIdentChar(s[i - 1]))) {  // $tag$ ... $tag$, not $1
    size_t j = i + 1;
    while (j < n && s[j] != '$' &&
           (std::isalpha(static_cast<unsigned char>(s[j])) || s[j] == '_' ||
            (j > i + 1 && std::isdigit(static_cast<unsigned char>(s[j])))))
      ++j;
    if (j < n && s[j] == '$') {
      std::string_view tag = s.substr(i, j - i + 1);
      size_t end = s.find(tag, j + 1);
      return end == std::string_view::npos ? n : end + tag.size();
    }
  }
  return i;
}

// The statement's words and literals, with comments and whitespace gone:
// enough to read the leading keywords of a session statement.
struct Token {
  enum class Kind { kWord, kString, kIdent, kSymbol } kind;
  std::string text;  // words lower-cased; strings and identifiers unquoted
};

std::vector<Token> Tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    size_t end = SkipOpaque(s, i);
    if (end != i) {
      if (c == '\'' || c == '"') {
        bool closed = end - i >= 2 && s[end - 1] == c;
        std::string_view inner = s.substr(i + 1, end - i - (closed ? 2 : 1));
        std::string text;
        for (size_t j = 0; j < inner.size(); ++j) {
          text += inner[j];
          if (inner[j] == c && j + 1 < inner.size() && inner[j + 1] == c) ++j;  // a doubled quote is one
        }
        out.push_back({c == '"' ? Token::Kind::kIdent : Token::Kind::kString, text});
      } else if (c == '$') {
        out.push_back({Token::Kind::kString, std::string(s.substr(i, end - i))});
      }
      i = end;
      continue;
    }
    if ((c == 'E' || c == 'e') && i + 1 < s.size() && s[i + 1] == '\'') {  // the E of E'...'
      ++i;
      continue;
    }
    if (IsIdentChar(c) || c == '.' || c == '-' || c == '+') {
      size_t j = i + 1;
      while (j < s.size() && (IsIdentChar(s[j]) || s[j] == '.')) ++j;
      out.push_back({Token::Kind::kWord, ToLower(s.substr(i, j - i))});
      i = j;
      continue;
    }
    out.push_back({Token::Kind::kSymbol, std::string(1, c)});
    ++i;
  }
  return out;
}

bool IsWord(const std::vector<Token>& t, size_t i, std::string_view word) {
  return i < t.size() && t[i].kind == Token::Kind::kWord && t[i].text == word;
}

// The tokens from `i` on as a setting's value: strings unquoted, a list
// joined by ", ", words as written (lower-cased) — as PostgreSQL stores them.
Result<std::string> ValueFrom(const std::vector<Token>& t, size_t i, const std::string& name) {
  if (i >= t.size()) return Status::InvalidArgument("SET " + name + " needs a value");
  std::string value;
  for (; i < t.size(); ++i) {
    if (t[i].kind == Token::Kind::kSymbol) {
      if (t[i].text != ",") return Status::InvalidArgument("SET " + name + ": unexpected '" + t[i].text + "'");
      value += ", ";
      continue;
    }
    value += t[i].text;
  }
  return value;
}

using Kind = SessionStatement::Kind;

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s == "TEMPORARY" ? "TEMP" : s;
}

Result<SessionStatement> ClassifySet(const std::vector<Token>& t) {
  size_t i = 1;
  if (IsWord(t, i, "session") && IsWord(t, i + 1, "characteristics"))
    return SessionStatement{Kind::kSetIgnored, "", "", "SET"};
  if (IsWord(t, i, "session") || IsWord(t, i, "local")) ++i;
  if (IsWord(t, i, "transaction")) return SessionStatement{Kind::kSetIgnored, "", "", "SET"};
  if (IsWord(t, i, "time") && IsWord(t, i + 1, "zone")) {
    ASSIGN_OR_RETURN(std::string v, ValueFrom(t, i + 2, "TIME ZONE"));
    return SessionStatement{Kind::kSet, "timezone", v, "SET"};
  }
  if (i >= t.size() || (t[i].kind != Token::Kind::kWord && t[i].kind != Token::Kind::kIdent))
    return Status::InvalidArgument("SET needs a parameter name");
  std::string name = ToLower(t[i].text);
  ++i;
  if (!(IsWord(t, i, "to") || (i < t.size() && t[i].kind == Token::Kind::kSymbol && t[i].text == "=")))
    return Status::InvalidArgument("SET " + name + " needs TO or = and a value");
  if (IsWord(t, i + 1, "default") && i + 2 == t.size()) return SessionStatement{Kind::kReset, name, "", "SET"};
  ASSIGN_OR_RETURN(std::string v, ValueFrom(t, i + 1, name));
  return SessionStatement{Kind::kSet, name, v, "SET"};
}

}  // namespace

std::vector<std::string> SplitStatements(std::string_view sql) {
  std::vector<std::string> out;
  size_t start = 0, i = 0;
  auto flush = [&](size_t end) {
    std::string_view piece = sql.substr(start, end - start);
    if (!Tokenize(piece).empty()) out.emplace_back(Trim(piece));
  };
  while (i < sql.size()) {
    size_t end = SkipOpaque(sql, i);
    if (end != i) {
      i = end;
      continue;
    }
    if (sql[i] == ';') {
      flush(i);
      start = i + 1;
    }
    ++i;
  }
  flush(sql.size());
  if (out.empty()) out.emplace_back();
  return out;
}

Result<SessionStatement> ClassifyStatement(std::string_view sql) {
  std::vector<Token> t = Tokenize(sql);
  if (t.empty()) return SessionStatement{Kind::kEmpty, "", "", ""};
  if (t[0].kind != Token::Kind::kWord) return SessionStatement{};
  const std::string& w = t[0].text;
  auto one_of_optional = [&](size_t i, std::initializer_list<std::string_view> words) {
    return i == t.size() ||
           (i + 1 == t.size() && std::any_of(words.begin(), words.end(), [&](auto x) { return IsWord(t, i, x); }));
  };
  if (w == "set") return ClassifySet(t);
  if (w == "reset") {
    if (t.size() != 2 || (t[1].kind != Token::Kind::kWord && t[1].kind != Token::Kind::kIdent))
      return Status::InvalidArgument("RESET needs one parameter name, or ALL");
    if (IsWord(t, 1, "all")) return SessionStatement{Kind::kResetAll, "", "", "RESET"};
    return SessionStatement{Kind::kReset, ToLower(t[1].text), "", "RESET"};
  }
  if (w == "show") {
    if (IsWord(t, 1, "all") && t.size() == 2) return SessionStatement{Kind::kShowAll, "", "", "SHOW"};
    if (IsWord(t, 1, "transaction") && IsWord(t, 2, "isolation") && IsWord(t, 3, "level") && t.size() == 4)
      return SessionStatement{Kind::kShow, "transaction_isolation", "", "SHOW"};
    if (IsWord(t, 1, "time") && IsWord(t, 2, "zone") && t.size() == 3)
      return SessionStatement{Kind::kShow, "timezone", "", "SHOW"};
    if (t.size() == 2 && (t[1].kind == Token::Kind::kWord || t[1].kind == Token::Kind::kIdent))
      return SessionStatement{Kind::kShow, ToLower(t[1].text), "", "SHOW"};
    return SessionStatement{};  // SHOW TABLES and the like: DuckDB's, refused by the gateway
  }
  if (w == "begin" || (w == "start" && IsWord(t, 1, "transaction")))
    return SessionStatement{Kind::kBegin, "", "", "BEGIN"};
  if ((w == "commit" || w == "end") && one_of_optional(1, {"work", "transaction"}))
    return SessionStatement{Kind::kCommit, "", "", "COMMIT"};
  if (w == "rollback" || w == "abort") {
    size_t i = 1;
    if (IsWord(t, i, "work") || IsWord(t, i, "transaction")) ++i;
    if (IsWord(t, i, "to")) {
      ++i;
      if (IsWord(t, i, "savepoint")) ++i;
      if (i + 1 != t.size()) return Status::InvalidArgument("ROLLBACK TO needs one savepoint name");
      return SessionStatement{Kind::kRollbackTo, t[i].text, "", "ROLLBACK"};
    }
    if (i != t.size()) return Status::InvalidArgument("ROLLBACK takes no more than WORK or TRANSACTION");
    return SessionStatement{Kind::kRollback, "", "", "ROLLBACK"};
  }
  if (w == "savepoint" && t.size() == 2) return SessionStatement{Kind::kSavepoint, t[1].text, "", "SAVEPOINT"};
  if (w == "release") {
    size_t i = IsWord(t, 1, "savepoint") ? 2 : 1;
    if (i + 1 != t.size()) return Status::InvalidArgument("RELEASE needs one savepoint name");
    return SessionStatement{Kind::kRelease, t[i].text, "", "RELEASE"};
  }
  if (w == "discard" && t.size() == 2 &&
      (IsWord(t, 1, "all") || IsWord(t, 1, "plans") || IsWord(t, 1, "sequences") || IsWord(t, 1, "temp") ||
       IsWord(t, 1, "temporary")))
    return SessionStatement{Kind::kDiscard, t[1].text, "",
                            t[1].text == "all" ? "DISCARD ALL" : "DISCARD " + Upper(t[1].text)};
  if (w == "deallocate") {
    size_t i = IsWord(t, 1, "prepare") ? 2 : 1;
    if (i + 1 != t.size()) return Status::InvalidArgument("DEALLOCATE needs one statement name, or ALL");
    if (IsWord(t, i, "all")) return SessionStatement{Kind::kDeallocate, "", "", "DEALLOCATE ALL"};
    return SessionStatement{Kind::kDeallocate, t[i].text, "", "DEALLOCATE"};
  }
  return SessionStatement{};
}

}  // namespace weft::pgwire
