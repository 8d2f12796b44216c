#include "quality/guards.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "common/strings.h"

namespace weft::quality {

namespace {

std::string Percent(double share) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", share * 100);
  return buf;
}

std::optional<double> NumberOf(const std::string& text) {
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::string Rows(double n) { return std::to_string(static_cast<int64_t>(std::llround(n))); }

Status Override(GuardSettings& s, const std::vector<spec::CustomProperty>& props, const std::string& where) {
  for (const auto& p : props) {
    if (p.property.rfind("weft.", 0) != 0) continue;
    const std::string key = p.property.substr(5);
    if (key != "maxQuarantinedShare" && key != "maxShrink" && key != "volumeSensitivity" && key != "minHistory") continue;
    std::optional<double> v;
    if (p.value.is_number()) v = p.value.get<double>();
    else if (p.value.is_string()) v = NumberOf(p.value.get<std::string>());
    const bool share = key == "maxQuarantinedShare" || key == "maxShrink";
    if (!v || *v < 0 || (share && *v > 1))
      return Status::InvalidArgument(where + ": customProperty " + p.property + " must be " +
                                     (share ? "a share from 0 to 1 (0.05 is 5%)" : "a number of 0 or more") +
                                     ", not " + p.value.dump());
    if (key == "maxQuarantinedShare") s.max_quarantined_share = *v;
    else if (key == "maxShrink") s.max_shrink = *v;
    else if (key == "volumeSensitivity") s.volume_sensitivity = *v;
    else s.min_history = static_cast<int>(*v);
  }
  return Status::Ok();
}

}  // namespace

std::vector<GuardResult> EvaluateGuards(const GuardSettings& s, const GuardInput& in) {
  std::vector<GuardResult> out;
  {
    GuardResult g{.name = "quarantinedShare", .limit = s.max_quarantined_share};
    g.value = in.rows_in > 0 ? static_cast<double>(in.rows_quarantined) / static_cast<double>(in.rows_in) : 0;
    g.passed = g.value <= s.max_quarantined_share;
    g.detail = std::to_string(in.rows_quarantined) + " of " + std::to_string(in.rows_in) + " rows (" + Percent(g.value) +
               ") were quarantined; at most " + Percent(s.max_quarantined_share) + " may be";
    out.push_back(g);
  }
  if (in.mode != "append") {
    GuardResult g{.name = "shrink", .limit = s.max_shrink};
    if (!in.current_rows || *in.current_rows <= 0) {
      g.judged = false;
      g.detail = "no current snapshot to compare with";
    } else {
      g.value = 1 - static_cast<double>(in.rows_added) / static_cast<double>(*in.current_rows);
      g.passed = g.value <= s.max_shrink;
      g.detail = "the new snapshot has " + std::to_string(in.rows_added) + " rows, the current one " +
                 std::to_string(*in.current_rows) + " (" + (g.value > 0 ? Percent(g.value) + " fewer" : "no fewer") +
                 "); it may shrink by at most " + Percent(s.max_shrink);
    }
    out.push_back(g);
  }
  if (s.volume_sensitivity > 0) {
    GuardResult g{.name = "volume", .limit = s.volume_sensitivity};
    AnomalySettings a{.sensitivity = s.volume_sensitivity, .min_history = s.min_history};
    AnomalyVerdict v = DetectAnomaly(in.history, {.at_ms = in.at_ms, .value = static_cast<double>(in.rows_added)}, a);
    g.judged = v.judged;
    g.value = v.score;
    if (!v.judged) {
      g.detail = std::to_string(in.history.size()) + " earlier " + in.mode + " publishes; the volume guard needs " +
                 std::to_string(s.min_history);
    } else {
      // Only too few rows is refused: a surge is worth a look, not a refusal.
      g.passed = !(v.anomalous && v.score < 0);
      g.detail = "this publish adds " + std::to_string(in.rows_added) + " rows; the last " + std::to_string(v.baseline) +
                 (v.weekday ? " publishes on this weekday" : " publishes") + " expect at least " +
                 Rows(std::max(0.0, v.low)) + " (median " + Rows(v.median) + ")";
    }
    out.push_back(g);
  }
  return out;
}

bool AnyFailed(const std::vector<GuardResult>& results) {
  for (const auto& g : results)
    if (!g.passed) return true;
  return false;
}

std::string RefusalMessage(const std::vector<GuardResult>& results) {
  std::vector<std::string> parts;
  for (const auto& g : results)
    if (!g.passed) parts.push_back("guard:" + g.name + ": " + g.detail);
  return Join(parts, "; ");
}

GuardSettings WorkspaceGuards(const spec::WorkspaceSpec& ws) {
  GuardSettings g;
  g.max_quarantined_share = ws.publish_max_quarantined_share.value_or(g.max_quarantined_share);
  g.max_shrink = ws.publish_max_shrink.value_or(g.max_shrink);
  g.volume_sensitivity = ws.publish_volume_sensitivity.value_or(g.volume_sensitivity);
  g.min_history = static_cast<int>(ws.publish_min_history.value_or(g.min_history));
  return g;
}

Result<GuardSettings> GuardSettingsFor(GuardSettings s, const spec::DataProduct* product, const spec::DataContract* contract) {
  if (product) RETURN_IF_ERROR(Override(s, product->custom_properties, "product " + product->id));
  if (contract) RETURN_IF_ERROR(Override(s, contract->custom_properties, "contract " + contract->id));
  return s;
}

}  // namespace weft::quality
