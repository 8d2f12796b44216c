// weft waiver add POLICY SUBJECT --reason R --approver A --expires DATE
// weft waiver remove ID
#include <ostream>

#include "access/principals.h"
#include "cli/commands.h"
#include "cli/workspace_context.h"
#include "service/authorizer.h"

namespace weft::cli {

namespace {

// Accepts YYYY-MM-DD (end of that day, UTC) or a full ISO 8601 UTC time.
std::optional<std::string> NormalizeExpiry(const std::string& s) {
  auto digits = [&](size_t from, size_t n) {
    for (size_t i = from; i < from + n; ++i)
      if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    return true;
  };
  if (!(digits(0, 4) && s.size() >= 10 && s[4] == '-' && digits(5, 2) && s[7] == '-' && digits(8, 2))) return std::nullopt;
  if (s.size() == 10) return s + "T23:59:59.999Z";
  if (s[10] != 'T' || s.back() != 'Z') return std::nullopt;
  return s;
}

// Waivers are a governance decision: stewards and admins (service::Authorizer).
bool MayWaive(CommandContext& ctx, OpenWorkspace& opened, const char* verb) {
  auto actor = access::LoadPrincipal(*opened.store, Actor(ctx));
  Status s = actor.ok() ? service::Authorizer::Check(*actor, service::Action::kWaive, service::Resource::Workspace())
                        : actor.status();
  if (s.ok()) return true;
  ctx.err << "weft waiver " << verb << ": " << s.message() << "\n";
  ctx.exit_code = s.code() == StatusCode::kPermissionDenied ? kExitDenied : kExitFindings;
  return false;
}

}  // namespace

void AddWaiverCommand(CLI::App& app, CommandContext& ctx) {
  auto* waiver = app.add_subcommand("waiver", "Waive a policy for one subject until a date");
  waiver->require_subcommand(1);
  {
    auto* cmd = waiver->add_subcommand("add", "Add a waiver");
    auto w = std::make_shared<catalog::WaiverRecord>();
    cmd->add_option("policy", w->policy_id, "Policy id")->required();
    cmd->add_option("subject", w->subject, "The subject the policy reported, exactly")->required();
    cmd->add_option("--reason", w->reason, "Why the policy does not apply")->required();
    cmd->add_option("--approver", w->approver, "Who approved the waiver")->required();
    cmd->add_option("--expires", w->expires_at, "Expiry date (YYYY-MM-DD or ISO 8601 UTC)")->required();
    cmd->callback([&ctx, w] {
      auto expiry = NormalizeExpiry(w->expires_at);
      if (!expiry) {
        ctx.err << "weft waiver add: --expires '" << w->expires_at << "' is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ\n";
        ctx.exit_code = kExitUsage;
        return;
      }
      auto opened = OpenWorkspaceOrReport(ctx);
      if (!opened) return;
      if (!MayWaive(ctx, *opened, "add")) return;
      catalog::WaiverRecord rec = *w;
      rec.expires_at = *expiry;
      auto txn = opened->store->BeginWrite();
      Result<int64_t> id = txn.ok() ? (*txn)->AddWaiver(rec) : Result<int64_t>(txn.status());
      Status s = id.ok() ? (*txn)->AppendAudit({0, "", Actor(ctx), "waiver.add", "policy:" + rec.policy_id, "",
                                                 rec.subject, rec.reason + " (approved by " + rec.approver + ")"})
                         : id.status();
      if (s.ok()) s = (*txn)->Commit();
      if (!s.ok()) {
        ctx.err << "weft waiver add: " << s.message() << "\n";
        ctx.exit_code = kExitFindings;
        return;
      }
      ctx.out << "Waiver " << *id << ": " << rec.policy_id << " does not apply to " << rec.subject << " until "
              << rec.expires_at << "\n";
    });
  }
  {
    auto* cmd = waiver->add_subcommand("remove", "Remove a waiver");
    auto id = std::make_shared<int64_t>(0);
    cmd->add_option("id", *id, "Waiver id (weft get waivers)")->required();
    cmd->callback([&ctx, id] {
      auto opened = OpenWorkspaceOrReport(ctx);
      if (!opened) return;
      if (!MayWaive(ctx, *opened, "remove")) return;
      auto txn = opened->store->BeginWrite();
      Status s = txn.ok() ? (*txn)->DeleteWaiver(*id) : txn.status();
      if (s.ok()) s = (*txn)->AppendAudit({0, "", Actor(ctx), "waiver.remove", "waiver:" + std::to_string(*id), "", "", ""});
      if (s.ok()) s = (*txn)->Commit();
      if (!s.ok()) {
        ctx.err << "weft waiver remove: " << s.message() << "\n";
        ctx.exit_code = kExitFindings;
        return;
      }
      ctx.out << "Waiver " << *id << " removed\n";
    });
  }
}

}  // namespace weft::cli
