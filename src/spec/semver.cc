#include "spec/semver.h"

#include <charconv>
#include <vector>

#include "common/strings.h"

namespace weft::spec {

namespace {

bool ParseNumber(std::string_view s, uint64_t& out) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return false;  // no leading zeros
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool ValidIdentifiers(std::string_view s, bool numeric_no_leading_zero) {
  if (s.empty()) return false;
  for (const auto& part : Split(s, '.')) {
    if (part.empty()) return false;
    bool all_digits = true;
    for (char c : part) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-')) return false;
      if (!std::isdigit(static_cast<unsigned char>(c))) all_digits = false;
    }
    if (numeric_no_leading_zero && all_digits && part.size() > 1 && part[0] == '0') return false;
  }
  return true;
}

}  // namespace

Result<SemVer> SemVer::Parse(std::string_view text) {
  auto fail = [&] {
    return Status::InvalidArgument("'" + std::string(text) +
                                   "' is not a semantic version (MAJOR.MINOR.PATCH, e.g. 1.2.0)");
  };
  SemVer v;
  std::string_view core = text;
  if (auto plus = core.find('+'); plus != std::string_view::npos) {
    v.build = std::string(core.substr(plus + 1));
    if (!ValidIdentifiers(v.build, false)) return fail();
    core = core.substr(0, plus);
  }
  if (auto dash = core.find('-'); dash != std::string_view::npos) {
    v.prerelease = std::string(core.substr(dash + 1));
    if (!ValidIdentifiers(v.prerelease, true)) return fail();
    core = core.substr(0, dash);
  }
  auto parts = Split(core, '.');
  if (parts.size() != 3 || !ParseNumber(parts[0], v.major) || !ParseNumber(parts[1], v.minor) ||
      !ParseNumber(parts[2], v.patch)) {
    return fail();
  }
  return v;
}

std::string SemVer::ToString() const {
  std::string s = std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
  if (!prerelease.empty()) s += "-" + prerelease;
  if (!build.empty()) s += "+" + build;
  return s;
}

int SemVer::Compare(const SemVer& o) const {
  if (major != o.major) return major < o.major ? -1 : 1;
  if (minor != o.minor) return minor < o.minor ? -1 : 1;
  if (patch != o.patch) return patch < o.patch ? -1 : 1;
  if (prerelease == o.prerelease) return 0;
  if (prerelease.empty()) return 1;  // a release ranks above its pre-releases
  if (o.prerelease.empty()) return -1;
  auto a = Split(prerelease, '.'), b = Split(o.prerelease, '.');
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    uint64_t x = 0, y = 0;
    bool xn = ParseNumber(a[i], x) || a[i] == "0", yn = ParseNumber(b[i], y) || b[i] == "0";
    if (xn && yn) {
      if (x != y) return x < y ? -1 : 1;
    } else if (xn != yn) {
      return xn ? -1 : 1;  // numeric identifiers rank below alphanumeric ones
    } else if (a[i] != b[i]) {
      return a[i] < b[i] ? -1 : 1;
    }
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

const char* BumpKindName(BumpKind b) {
  switch (b) {
    case BumpKind::kBackwards: return "backwards";
    case BumpKind::kNone: return "none";
    case BumpKind::kPatch: return "patch";
    case BumpKind::kMinor: return "minor";
    case BumpKind::kMajor: return "major";
  }
  return "?";
}

BumpKind ClassifyBump(const SemVer& from, const SemVer& to) {
  int c = from.Compare(to);
  if (c > 0) return BumpKind::kBackwards;
  if (c == 0) return BumpKind::kNone;
  if (to.major != from.major) return BumpKind::kMajor;
  if (to.minor != from.minor) return BumpKind::kMinor;
  return BumpKind::kPatch;  // includes pre-release -> release of the same triple
}

BumpKind RequiredBump(ChangeLevel level) {
  switch (level) {
    case ChangeLevel::kNone: return BumpKind::kNone;
    case ChangeLevel::kInfo: return BumpKind::kPatch;
    case ChangeLevel::kAddition: return BumpKind::kMinor;
    case ChangeLevel::kBreaking: return BumpKind::kMajor;
  }
  return BumpKind::kMajor;
}

bool BumpIsEnough(const SemVer& from, const SemVer& to, ChangeLevel level) {
  BumpKind have = ClassifyBump(from, to);
  if (have == BumpKind::kBackwards) return false;
  return static_cast<int>(have) >= static_cast<int>(RequiredBump(level));
}

}  // namespace weft::spec
