// Monitoring from the command line (service/monitor.h, docs/monitoring.md):
//   weft sla status [DOMAIN.PRODUCT] [--history N] [-o table|json]
//   weft incidents list [--product P] [--status S] [-o table|json]
//   weft incidents show|ack|resolve|assign|note ID ...
//   weft monitor --once [--now ISO]
//   weft subscribe DOMAIN.PRODUCT|'*' [--off] | weft subscribe --list
//   weft webhooks add URL [--events a,b] | list | remove ID | test ID
#include <fmt/format.h>

#include <charconv>
#include <ostream>

#include "cli/call.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "common/strings.h"
#include "common/time.h"
#include "service/monitor.h"

namespace weft::cli {

namespace {

using nlohmann::json;
using service::Caller;
using service::Mesh;
using service::MonitorService;

std::string Figure(const json& v, const json& unit) {
  if (!v.is_number()) return "-";
  const double x = v.get<double>();
  if (Text(unit) == "seconds") return monitor::DurationText(x);
  return fmt::format("{:.1f}%", x);
}

void PrintSla(std::ostream& out, const json& view) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : view["products"])
    for (const auto& r : p["sla"])
      rows.push_back({Text(p["product"]), Text(r["property"]), Text(r["state"]), Figure(r["target"], r["unit"]),
                      Figure(r["actual"], r["unit"]), Text(r["detail"])});
  if (rows.empty()) {
    out << "No product declares an SLA weft can measure (latency, frequency, availability, retention, "
           "timeOfAvailability, qualityPassRate).\n";
    return;
  }
  out << "SLAs as of " << Text(view["at"]) << ":\n";
  PrintTable(out, {"PRODUCT", "SLA", "STATE", "TARGET", "ACTUAL", "DETAIL"}, rows);
  std::vector<std::vector<std::string>> changes;
  for (const auto& p : view["products"])
    for (const auto& h : p["history"])
      changes.push_back({Text(h["at"]), Text(p["product"]), Text(h["sla"]), Text(h["state"]), Text(h["detail"])});
  if (changes.empty()) return;
  out << "\nChanges of state (newest first):\n";
  PrintTable(out, {"AT", "PRODUCT", "SLA", "STATE", "DETAIL"}, changes);
}

void PrintIncidents(std::ostream& out, const json& incidents) {
  if (incidents.empty()) {
    out << "No incidents.\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& i : incidents)
    rows.push_back({Text(i["id"]), Text(i["status"]), Text(i["severity"]), Text(i["product"]), Text(i["title"]),
                    Text(i["openedAt"]), Dash(i["assignee"])});
  PrintTable(out, {"ID", "STATUS", "SEVERITY", "PRODUCT", "TITLE", "OPENED", "ASSIGNEE"}, rows);
}

void PrintIncident(std::ostream& out, const json& i) {
  out << "Incident " << Text(i["id"]) << " on " << Text(i["product"]) << " (major " << Text(i["major"])
      << "): " << Text(i["title"]) << "\n"
      << "  status     " << Text(i["status"])
      << (Text(i["resolution"]).empty() ? "" : " (" + Text(i["resolution"]) + ")") << "\n"
      << "  severity   " << Text(i["severity"]) << "\n"
      << "  condition  " << Text(i["condition"]) << (Text(i["subject"]).empty() ? "" : " " + Text(i["subject"]))
      << "\n"
      << "  assignee   " << Dash(i["assignee"]) << "\n"
      << "  detail     " << Text(i["detail"]) << "\n"
      << "Timeline:\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : i["timeline"]) rows.push_back({Text(e["at"]), Text(e["actor"]), Text(e["kind"]), Text(e["message"])});
  PrintTable(out, {"AT", "BY", "WHAT", "NOTE"}, rows);
}

Result<int64_t> IncidentId(const std::string& text) {
  int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0)
    return Status::InvalidArgument("'" + text + "' is not an incident id (weft incidents list)");
  return id;
}

struct Args {
  std::string product, status, output = "table", note, assignee, now, url, events, id;
  int history = 20;
  bool once = false, false_positive = false, off = false, list = false;
};

void AddSla(CLI::App& app, CommandContext& ctx, std::shared_ptr<Args> a) {
  auto* sla = app.add_subcommand("sla", "SLA monitoring: each product's slaProperties judged now");
  sla->require_subcommand(1);
  auto* status = sla->add_subcommand("status", "Every product's SLAs (or one's), with the changes of state the monitor recorded");
  status->add_option("product", a->product, "DOMAIN.PRODUCT (default: every product)");
  status->add_option("--history", a->history, "Changes of state shown per product")->check(CLI::NonNegativeNumber);
  status->add_option("-o,--output", a->output, "table or json")->check(CLI::IsMember({"table", "json"}));
  status->callback([&ctx, a] {
    Answer r = Call(ctx, {.path = "/api/v1/sla", .query = {{"product", a->product}, {"history", std::to_string(a->history)}}},
                    [&](Mesh& m, const Caller& c) { return Of(MonitorService(m).SlaStatus(c, a->product, a->history)); });
    if (!Report(ctx, "sla status", r.status)) return;
    if (a->output == "json") return PrintStructured(ctx.out, "json", r.body);
    PrintSla(ctx.out, r.body);
  });
}

void AddIncidents(CLI::App& app, CommandContext& ctx, std::shared_ptr<Args> a) {
  auto* incidents = app.add_subcommand("incidents", "Incidents: list, show, ack, assign, resolve, note");
  incidents->require_subcommand(1);
  {
    auto* cmd = incidents->add_subcommand("list", "Incidents, newest first");
    cmd->add_option("--product", a->product, "Only this product");
    cmd->add_option("--status", a->status, "open, acknowledged, resolved or unresolved");
    cmd->add_option("-o,--output", a->output, "table or json")->check(CLI::IsMember({"table", "json"}));
    cmd->callback([&ctx, a] {
      Answer r = Call(ctx, {.path = "/api/v1/incidents", .query = {{"product", a->product}, {"status", a->status}}},
                      [&](Mesh& m, const Caller& c) -> Answer {
                        auto list = MonitorService(m).Incidents(c, {.product_id = a->product, .status = a->status});
                        if (!list.ok()) return {list.status(), nullptr};
                        json out = json::array();
                        for (const auto& i : *list) out.push_back(service::ToJson(i));
                        return {Status::Ok(), {{"incidents", out}}};
                      });
      if (!Report(ctx, "incidents list", r.status)) return;
      if (a->output == "json") return PrintStructured(ctx.out, "json", r.body["incidents"]);
      PrintIncidents(ctx.out, r.body["incidents"]);
    });
  }
  {
    auto* cmd = incidents->add_subcommand("show", "One incident with its timeline");
    cmd->add_option("id", a->id, "The incident's id")->required();
    cmd->add_option("-o,--output", a->output, "table or json")->check(CLI::IsMember({"table", "json"}));
    cmd->callback([&ctx, a] {
      Answer r = Call(ctx, {.path = "/api/v1/incidents/" + a->id}, [&](Mesh& m, const Caller& c) -> Answer {
        auto id = IncidentId(a->id);
        if (!id.ok()) return {id.status(), nullptr};
        return Of(MonitorService(m).Incident(c, *id));
      });
      if (!Report(ctx, "incidents show", r.status)) return;
      if (a->output == "json") return PrintStructured(ctx.out, "json", r.body);
      PrintIncident(ctx.out, r.body);
    });
  }
  using Kind = service::IncidentChange::Kind;
  struct Verb {
    const char* name;
    const char* help;
    Kind kind;
  };
  for (const Verb& v : {Verb{"ack", "Acknowledge: someone is on it", Kind::kAcknowledge},
                        Verb{"assign", "Assign to a principal", Kind::kAssign},
                        Verb{"resolve", "Resolve (it reopens if its condition still holds at the next pass)", Kind::kResolve},
                        Verb{"note", "Add a note to the timeline", Kind::kNote}}) {
    auto* cmd = incidents->add_subcommand(v.name, v.help);
    cmd->add_option("id", a->id, "The incident's id")->required();
    if (v.kind == Kind::kAssign) cmd->add_option("assignee", a->assignee, "The principal")->required();
    cmd->add_option("--note", a->note, v.kind == Kind::kNote ? "The note" : "Why (on the timeline)")
        ->required(v.kind == Kind::kNote);
    if (v.kind == Kind::kResolve)
      cmd->add_flag("--false-positive", a->false_positive,
                    "An anomaly that was not one: its point leaves the detector's history");
    const std::string verb = v.name;
    const Kind kind = v.kind;
    cmd->callback([&ctx, a, verb, kind] {
      json body = {{"note", a->note}, {"assignee", a->assignee}, {"falsePositive", a->false_positive}};
      Answer r = Call(ctx, {.method = "POST", .path = "/api/v1/incidents/" + a->id + "/" + verb, .body = body.dump()},
                      [&](Mesh& m, const Caller& c) -> Answer {
                        auto id = IncidentId(a->id);
                        if (!id.ok()) return {id.status(), nullptr};
                        return Of(MonitorService(m).Change(
                            c, *id, {.kind = kind, .assignee = a->assignee, .note = a->note,
                                     .false_positive = a->false_positive}));
                      });
      if (!Report(ctx, "incidents " + verb, r.status)) return;
      ctx.out << "Incident " << Text(r.body["id"]) << " is " << Text(r.body["status"])
              << (Text(r.body["assignee"]).empty() ? "" : ", assigned to " + Text(r.body["assignee"])) << ".\n";
    });
  }
}

void AddMonitor(CLI::App& app, CommandContext& ctx, std::shared_ptr<Args> a) {
  auto* cmd = app.add_subcommand("monitor", "Run the monitor: SLAs, incidents, notifications (weft serve runs it continuously)");
  cmd->add_flag("--once", a->once, "One pass, then deliver the notifications due (for cron)");
  cmd->add_option("--now", a->now, "Judge as of this ISO 8601 time (default: now)");
  cmd->add_option("-o,--output", a->output, "table or json")->check(CLI::IsMember({"table", "json"}));
  cmd->callback([&ctx, a] {
    if (!a->once) {
      Report(ctx, "monitor",
             Status::InvalidArgument("say --once: weft serve runs the monitor continuously; weft monitor --once "
                                     "runs one pass (for cron)"));
      return;
    }
    Answer r = Call(ctx, {.method = "POST", .path = "/api/v1/monitor/run", .query = {{"now", a->now}}},
                    [&](Mesh& m, const Caller& c) -> Answer {
                      int64_t now = SystemClock().NowMillis();
                      if (!a->now.empty()) {
                        auto at = ParseIsoMillis(a->now);
                        if (!at)
                          return {Status::InvalidArgument("--now must be an ISO 8601 time such as 2026-12-05T10:00:00Z"),
                                  nullptr};
                        now = *at;
                      }
                      return Of(MonitorService(m).Pass(c, now));
                    });
    if (!Report(ctx, "monitor", r.status)) return;
    if (a->output == "json") return PrintStructured(ctx.out, "json", r.body);
    const json& v = r.body;
    ctx.out << "Monitor pass at " << Text(v["at"]) << ": " << Text(v["products"]) << " products, "
            << v["opened"].size() << " incidents opened, " << v["resolved"].size() << " resolved, "
            << Text(v["slaChanges"]) << " SLA changes; deliveries: " << Text(v["deliveries"]["delivered"])
            << " delivered, " << Text(v["deliveries"]["retrying"]) << " to retry, " << Text(v["deliveries"]["failed"])
            << " given up.\n";
    for (const auto& i : v["opened"])
      ctx.out << "  opened   #" << Text(i["id"]) << " " << Text(i["product"]) << ": " << Text(i["title"]) << "\n";
    for (const auto& i : v["resolved"])
      ctx.out << "  resolved #" << Text(i["id"]) << " " << Text(i["product"]) << ": " << Text(i["title"]) << "\n";
    for (const auto& run : v["runs"])
      ctx.out << "  ran      " << Text(run["product"]) << " (" << Text(run["reason"]) << "): " << Text(run["outcome"])
              << (Text(run["detail"]).empty() ? "" : " " + Text(run["detail"])) << "\n";
  });
}

void AddSubscribe(CLI::App& app, CommandContext& ctx, std::shared_ptr<Args> a) {
  auto* cmd = app.add_subcommand("subscribe", "Hear of a product's events through your webhooks (grantees and owners hear anyway)");
  cmd->add_option("product", a->product, "DOMAIN.PRODUCT, or '*' for every product");
  cmd->add_flag("--off", a->off, "Unsubscribe");
  cmd->add_flag("--list", a->list, "Show your subscriptions");
  cmd->callback([&ctx, a] {
    if (a->product.empty() && !a->list) {
      Report(ctx, "subscribe", Status::InvalidArgument("name a product (DOMAIN.PRODUCT or '*'), or say --list"));
      return;
    }
    Rest rest{.path = "/api/v1/subscriptions"};
    if (!a->list) {
      rest.method = a->off ? "DELETE" : "POST";
      if (a->off) rest.path += "/" + a->product;
      else rest.body = json{{"product", a->product}}.dump();
    }
    Answer r = Call(ctx, rest, [&](Mesh& m, const Caller& c) -> Answer {
      auto list = a->list ? MonitorService(m).Subscriptions(c) : MonitorService(m).Subscribe(c, a->product, !a->off);
      if (!list.ok()) return {list.status(), nullptr};
      json out = json::array();
      for (const auto& s : *list) out.push_back(service::ToJson(s));
      return {Status::Ok(), {{"subscriptions", out}}};
    });
    if (!Report(ctx, "subscribe", r.status)) return;
    if (!a->list) ctx.out << (a->off ? "Unsubscribed from " : "Subscribed to ") << a->product << ".\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& s : r.body["subscriptions"]) rows.push_back({Text(s["product"]), Text(s["createdAt"])});
    if (a->list || !rows.empty()) PrintTable(ctx.out, {"PRODUCT", "SINCE"}, rows);
  });
}

void AddWebhooks(CLI::App& app, CommandContext& ctx, std::shared_ptr<Args> a) {
  auto* hooks = app.add_subcommand("webhooks", "Webhooks: where your notifications go (signed CloudEvents)");
  hooks->require_subcommand(1);
  {
    auto* cmd = hooks->add_subcommand("add", "Add a webhook; its signing secret is shown once");
    cmd->add_option("url", a->url, "http(s) URL the events are POSTed to")->required();
    cmd->add_option("--events", a->events, "Event types, comma-separated (default: all)");
    cmd->callback([&ctx, a] {
      std::vector<std::string> events;
      for (const auto& e : Split(a->events, ','))
        if (!Trim(e).empty()) events.emplace_back(Trim(e));
      Answer r = Call(ctx, {.method = "POST", .path = "/api/v1/webhooks", .body = json{{"url", a->url}, {"events", events}}.dump()},
                      [&](Mesh& m, const Caller& c) { return Of(MonitorService(m).AddWebhook(c, a->url, events)); });
      if (!Report(ctx, "webhooks add", r.status)) return;
      ctx.out << "Webhook " << Text(r.body["id"]) << " -> " << Text(r.body["url"]) << " ("
              << (r.body["events"].empty() ? "every event" : Join(Texts(r.body["events"]), ", ")) << ").\n"
              << "Verify the Weft-Signature header with this secret; it is shown only now:\n"
              << Text(r.body["secret"]) << "\n";
    });
  }
  {
    auto* cmd = hooks->add_subcommand("list", "Your webhooks (everyone's, for admins) with their latest deliveries");
    cmd->add_option("-o,--output", a->output, "table or json")->check(CLI::IsMember({"table", "json"}));
    cmd->callback([&ctx, a] {
      Answer r = Call(ctx, {.path = "/api/v1/webhooks"}, [&](Mesh& m, const Caller& c) -> Answer {
        auto list = MonitorService(m).Webhooks(c);
        if (!list.ok()) return {list.status(), nullptr};
        json out = json::array();
        for (const auto& h : *list) out.push_back(service::ToJson(h));
        return {Status::Ok(), {{"webhooks", out}}};
      });
      if (!Report(ctx, "webhooks list", r.status)) return;
      if (a->output == "json") return PrintStructured(ctx.out, "json", r.body["webhooks"]);
      std::vector<std::vector<std::string>> rows;
      for (const auto& h : r.body["webhooks"]) {
        int delivered = 0, pending = 0, failed = 0;
        std::string last_error;
        for (const auto& d : h["deliveries"]) {
          const std::string s = Text(d["status"]);
          delivered += s == "delivered";
          pending += s == "pending";
          failed += s == "failed";
          if (last_error.empty()) last_error = Text(d["error"]);
        }
        rows.push_back({Text(h["id"]), Text(h["principal"]), Text(h["url"]),
                        h["events"].empty() ? "all" : Join(Texts(h["events"]), ","),
                        fmt::format("{} delivered, {} pending, {} failed", delivered, pending, failed),
                        last_error.empty() ? "-" : last_error});
      }
      PrintTable(ctx.out, {"ID", "PRINCIPAL", "URL", "EVENTS", "RECENT DELIVERIES", "LAST ERROR"}, rows);
    });
  }
  {
    auto* cmd = hooks->add_subcommand("remove", "Remove a webhook");
    cmd->add_option("id", a->id, "The webhook's id")->required();
    cmd->callback([&ctx, a] {
      Answer r = Call(ctx, {.method = "DELETE", .path = "/api/v1/webhooks/" + a->id}, [&](Mesh& m, const Caller& c) -> Answer {
        return {MonitorService(m).RemoveWebhook(c, a->id), nullptr};
      });
      if (!Report(ctx, "webhooks remove", r.status)) return;
      ctx.out << "Webhook " << a->id << " removed.\n";
    });
  }
  {
    auto* cmd = hooks->add_subcommand("test", "Send a webhook.test event now and show what the receiver answered");
    cmd->add_option("id", a->id, "The webhook's id")->required();
    cmd->callback([&ctx, a] {
      Answer r = Call(ctx, {.method = "POST", .path = "/api/v1/webhooks/" + a->id + "/test"},
                      [&](Mesh& m, const Caller& c) { return Of(MonitorService(m).TestWebhook(c, a->id)); });
      if (!Report(ctx, "webhooks test", r.status)) return;
      const json& d = r.body["deliveries"].empty() ? json::object() : r.body["deliveries"][0];
      if (Text(d["status"]) == "delivered") {
        ctx.out << "Delivered to " << Text(r.body["url"]) << ": HTTP " << Text(d["httpStatus"]) << ".\n";
        return;
      }
      Report(ctx, "webhooks test",
             Status::IoError("not delivered to " + Text(r.body["url"]) + ": " + Text(d["error"]) +
                                 " (weft retries it with backoff; see weft webhooks list)"));
    });
  }
}

}  // namespace

void AddMonitorCommands(CLI::App& app, CommandContext& ctx) {
  auto a = std::make_shared<Args>();
  AddSla(app, ctx, a);
  AddIncidents(app, ctx, a);
  AddMonitor(app, ctx, a);
  AddSubscribe(app, ctx, a);
  AddWebhooks(app, ctx, a);
}

}  // namespace weft::cli
