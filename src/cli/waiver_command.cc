// weft waiver add POLICY SUBJECT --reason R [--approver A] --expires DATE
// weft waiver remove ID
// (service/governance.h: stewards and admins)
#include <ostream>

#include "cli/call.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "service/governance.h"

namespace weft::cli {

void AddWaiverCommand(CLI::App& app, CommandContext& ctx) {
  auto* waiver = app.add_subcommand("waiver", "Waive a policy for one subject until a date");
  waiver->require_subcommand(1);
  {
    auto* cmd = waiver->add_subcommand("add", "Add a waiver");
    auto w = std::make_shared<catalog::WaiverRecord>();
    cmd->add_option("policy", w->policy_id, "Policy id")->required();
    cmd->add_option("subject", w->subject, "The subject the policy reported, exactly")->required();
    cmd->add_option("--reason", w->reason, "Why the policy does not apply")->required();
    cmd->add_option("--approver", w->approver, "Who approved the waiver (default: you)");
    cmd->add_option("--expires", w->expires_at, "Expiry date (YYYY-MM-DD or ISO 8601 UTC)")->required();
    cmd->callback([&ctx, w] {
      // On a server the approver is the token's principal; --approver is checked against it there.
      nlohmann::json body = {{"policy", w->policy_id}, {"subject", w->subject}, {"reason", w->reason},
                             {"expiresAt", w->expires_at}, {"approver", w->approver}};
      Answer a = Call(ctx, {.method = "POST", .path = "/api/v1/waivers", .body = body.dump()},
                      [&](service::Mesh& m, const service::Caller& c) { return Of(service::GovernanceService(m).AddWaiver(c, *w)); });
      if (!Report(ctx, "waiver add", a.status)) return;
      ctx.out << "Waiver " << Text(a.body["id"]) << ": " << Text(a.body["policy"]) << " does not apply to "
              << Text(a.body["subject"]) << " until " << Text(a.body["expiresAt"]) << "\n";
    });
  }
  {
    auto* cmd = waiver->add_subcommand("remove", "Remove a waiver");
    auto id = std::make_shared<int64_t>(0);
    cmd->add_option("id", *id, "Waiver id (weft get waivers)")->required();
    cmd->callback([&ctx, id] {
      Answer a = Call(ctx, {.method = "DELETE", .path = "/api/v1/waivers/" + std::to_string(*id)},
                      [&](service::Mesh& m, const service::Caller& c) -> Answer {
                        return {service::GovernanceService(m).RemoveWaiver(c, *id), nullptr};
                      });
      if (!Report(ctx, "waiver remove", a.status)) return;
      ctx.out << "Waiver " << *id << " removed\n";
    });
  }
}

}  // namespace weft::cli
