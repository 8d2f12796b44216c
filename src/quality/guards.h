// Publish guards: the last look before a checked input becomes the current
// snapshot. The contract's rules judge rows one by one; a guard judges the
// publish as a whole, against the product's own history, so that a file in
// which 90% of rows failed, or a 100-row test file replacing a 100,000-row
// product, cannot silently become what every consumer reads.
//
//   GuardSettings s = GuardSettingsFor(workspace_defaults, product, contract);
//   std::vector<GuardResult> g = EvaluateGuards(s, {.mode = "replace", .rows_in = 20000, ...});
//   if (AnyFailed(g)) ...  // refuse, unless forced with a reason
//
// The guards (docs/quality.md):
//   quarantinedShare  rows quarantined / rows in  >  maxQuarantinedShare (default 0.05)
//   shrink            replace/run: 1 - new rows / current rows  >  maxShrink (default 0.5)
//   volume            rows this publish adds, a low outlier against the
//                     publishes of the same mode before it (anomaly.h),
//                     once there are minHistory of them
//
// Settings, most specific first: the contract's customProperties, the
// product's, the workspace's `publish:` section, the defaults. The keys are
// weft.maxQuarantinedShare, weft.maxShrink, weft.volumeSensitivity (0 turns
// the volume guard off) and weft.minHistory.
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "quality/anomaly.h"
#include "spec/model.h"

namespace weft::quality {

struct GuardSettings {
  double max_quarantined_share = 0.05;
  double max_shrink = 0.5;
  double volume_sensitivity = 3.5;
  int min_history = 5;

  // No guard refuses: for tests whose tiny fixtures are about something else.
  static GuardSettings Off() { return {.max_quarantined_share = 1, .max_shrink = 1, .volume_sensitivity = 0}; }
};

struct GuardInput {
  std::string mode;  // replace | append | run
  int64_t rows_in = 0;
  int64_t rows_quarantined = 0;
  int64_t rows_added = 0;                // rows this publish adds (replace/run: the whole new snapshot)
  std::optional<int64_t> current_rows;  // the current snapshot's rows, if there is one
  int64_t at_ms = 0;
  std::vector<SeriesPoint> history;  // rows added by earlier published publishes of this mode
};

struct GuardResult {
  std::string name;  // quarantinedShare | shrink | volume
  bool passed = true;
  bool judged = true;   // false: not enough to say (no history, no current snapshot)
  std::string detail;   // the figures, for the refusal message
  double value = 0, limit = 0;
};

std::vector<GuardResult> EvaluateGuards(const GuardSettings& s, const GuardInput& in);
bool AnyFailed(const std::vector<GuardResult>& results);
// "guard:quarantinedShare: 18409 of 20000 rows (92.0%) were quarantined, more than 5.0% allowed; ..."
std::string RefusalMessage(const std::vector<GuardResult>& results);

// The workspace's `publish:` settings over the guards' defaults.
GuardSettings WorkspaceGuards(const spec::WorkspaceSpec& ws);

// The workspace's defaults overridden by the product's, then the contract's,
// customProperties; a value that is not a number in range is an error naming
// where it is.
Result<GuardSettings> GuardSettingsFor(GuardSettings workspace, const spec::DataProduct* product,
                                       const spec::DataContract* contract);

}  // namespace weft::quality
