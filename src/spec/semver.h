// Semantic versions (semver.org 2.0.0) for contracts and products, and the
// rule weft enforces on every change: a breaking change needs a major bump,
// an addition at least a minor one.
//
//   ASSIGN_OR_RETURN(SemVer v, SemVer::Parse("1.4.0"));
//   BumpKind b = ClassifyBump(old_v, new_v);   // kMajor, kMinor, kPatch, kNone, kBackwards
//
// Thread safety: values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace weft::spec {

struct SemVer {
  uint64_t major = 0;
  uint64_t minor = 0;
  uint64_t patch = 0;
  std::string prerelease;  // without the '-'
  std::string build;       // without the '+'; ignored in comparisons

  static Result<SemVer> Parse(std::string_view text);
  std::string ToString() const;
  // Precedence as in semver 2.0.0 section 11: <0, 0, >0.
  int Compare(const SemVer& other) const;
};

enum class BumpKind { kBackwards, kNone, kPatch, kMinor, kMajor };
const char* BumpKindName(BumpKind b);

BumpKind ClassifyBump(const SemVer& from, const SemVer& to);

// What a change needs, given the most severe difference found by diff.
enum class ChangeLevel { kNone, kInfo, kAddition, kBreaking };
// The smallest bump that is enough for `level`. Strict even before 1.0.0:
// consumers of a 0.x contract break just the same.
BumpKind RequiredBump(ChangeLevel level);
bool BumpIsEnough(const SemVer& from, const SemVer& to, ChangeLevel level);

}  // namespace weft::spec
