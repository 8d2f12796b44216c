#include "service/schemas.h"

#include "service/views.h"

namespace weft::service {

namespace {

using nlohmann::json;

catalog::PublishRecord SamplePublish() {
  return {.id = "pub_1", .product_id = "sales.orders", .major = 1, .actor = "alice", .started_at = "2026-12-01T00:00:00Z",
          .finished_at = "2026-12-01T00:00:05Z", .outcome = "published", .mode = "replace", .snapshot_id = "snap_1",
          .rows_in = 10, .rows_valid = 9, .rows_quarantined = 1, .input_checksum = "ab12", .input_archive = "archive",
          .quarantine_path = "quarantine", .message = ""};
}

catalog::QualityResultRecord SampleResult() {
  return {.publish_id = "pub_1", .rule_id = "orders.amount:nullValues", .kind = "nullValues", .object = "orders",
          .column = "amount", .severity = "error", .dimension = "completeness", .failing_rows = 1, .checked_rows = 10,
          .value = 1, .threshold = "mustBe 0 rows", .passed = false, .row_level = true};
}

catalog::GrantRecord SampleGrant() {
  return {.id = 1, .product_id = "sales.orders", .major = 1, .grantee = "bob", .columns = {"id"}, .purpose = "reporting",
          .expires_at = "", .clearances = {"pii"}, .row_filter = "region = $principal.region", .granted_by = "alice",
          .granted_at = "2026-12-01T00:00:00Z", .request_id = 0, .revoked_by = "", .revoked_at = ""};
}

spec::Change SampleChange() {
  spec::Change c;
  c.severity = spec::ChangeSeverity::kBreaking;
  c.rule = "property-removed";
  c.subject = "orders.amount";
  c.message = "property 'amount' removed from 'orders'";
  return c;
}

template <typename T>
json Example(const T& view) {
  return ToJson(view);
}

}  // namespace

json SchemaOf(const json& example) {
  switch (example.type()) {
    case json::value_t::object: {
      // The samples name a map's one key "*": its keys are data (columns, domains, days).
      if (example.size() == 1 && example.contains("*")) return {{"type", "object"}, {"additionalProperties", SchemaOf(example["*"])}};
      json properties = json::object();
      for (const auto& [k, v] : example.items()) properties[k] = SchemaOf(v);
      return {{"type", "object"}, {"properties", properties}};
    }
    case json::value_t::array:
      return {{"type", "array"}, {"items", example.empty() ? json::object() : SchemaOf(example.front())}};
    case json::value_t::string: return {{"type", "string"}};
    case json::value_t::boolean: return {{"type", "boolean"}};
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return {{"type", "integer"}};
    case json::value_t::number_float: return {{"type", "number"}};
    default: return json::object();
  }
}

json ViewSchemas() {
  const catalog::DomainRecord domain{.name = "sales", .description = "Sales", .owners = {"alice"}, .storage_root = "/mesh/sales",
                                     .service_principal = "svc.sales", .monthly_budget = 100.0, .soft_limit_percent = 80.0,
                                     .currency = "USD", .cost_center = "cc-1", .spec_json = "", .digest = ""};
  const catalog::PortVersionRecord port{.product_id = "sales.orders", .port = "orders", .major = 1, .version = "1.2.0",
                                        .contract_id = "sales.orders", .status = "active", .end_of_support = "",
                                        .end_of_life = "", .storage_path = "/mesh/sales/products/orders/v1"};
  catalog::ProductRecord product{.id = "sales.orders", .domain = "sales", .name = "orders", .status = "active",
                                 .version = "1.0.0", .tier = "gold", .description = "Orders", .tags = {"sales"},
                                 .spec_json = "", .transform_sql = "", .digest = ""};
  spec::SlaProperty sla;
  sla.property = "latency";
  sla.value = 1;
  sla.unit = "d";
  ProductPage page;
  page.product = product;
  page.owners = {"alice"};
  page.team = {{"alice", "owner"}};
  page.support = {{"slack", "https://chat/sales"}};
  page.versions = {{.port = port,
                    .columns = {{.object = "orders", .name = "amount", .type = "number", .classification = "internal",
                                 .description = "Amount", .required = true, .mask = "redact",
                                 .tags = {"finance"}, .terms = {"revenue"}}},
                    .sla = {sla}}};
  page.freshness = {.snapshot = "snap_1", .last_publish = "2026-12-01T00:00:00Z", .rows = 10, .sla_seconds = 86400};
  page.viewer = {.is_owner = false, .can_read = true, .columns = {{"*", "clear"}}, .row_filter = true, .reason = "no grant"};
  page.consumers = {SampleGrant()};
  page.quality = "passing";
  json page_json = ToJson(page);
  page_json["freshness"] = FreshnessJson(page.freshness, "2026-12-01T01:00:00Z");
  const catalog::IncidentRecord incident{
      .id = 1, .product_id = "sales.orders", .major = 1, .kind = "sla", .condition = "sla:latency", .subject = "",
      .severity = "error", .title = "latency SLA breached", .status = "open", .assignee = "",
      .opened_at = "2026-12-01T00:00:00Z", .updated_at = "2026-12-01T00:00:00Z", .resolved_at = "",
      .resolution = "", .false_positive = false, .detail = "2 d old"};
  page_json["sla"] = json::array({ToJson(monitor::SlaResult{.property = "latency", .id = "", .state = monitor::SlaState::kMet,
                                                            .target = 86400.0, .actual = 3600.0, .unit = "seconds",
                                                            .detail = "1 h old"})});
  page_json["incidents"] = json::array({ToJson(incident)});

  quality::RuleResult rule;
  rule.check.id = "orders.amount:nullValues";
  rule.check.kind = "nullValues";
  rule.check.column = "amount";
  rule.failing_rows = 1;
  rule.checked_rows = 10;
  rule.sample = {{.row = 3, .reason = "amount is null"}};
  quality::PublishReport report;
  report.publish_id = "pub_1";
  report.product_id = "sales.orders";
  report.outcome = "published";
  report.checks.results = {rule};
  report.checks.rejected_by = {"orders.amount:nullValues"};
  report.warnings = {"column 'x' is not in the contract"};

  control::Plan plan;
  plan.items = {{.action = control::PlanAction::kUpdate, .object = "product:sales.orders", .detail = "description", .diff = std::nullopt}};
  plan.refusals = {{.file = "domains/sales/domain.yaml", .pos = {}, .object = "domain:sales", .rule = "not-owner", .message = "no"}};
  plan.policies.violations = {{.policy_id = "owner-required", .severity = "error", .subject = "product:sales.orders",
                               .message = "no owner", .policy_error = false, .waived = false, .waiver_id = 0}};
  plan.diagnostics = {{.severity = spec::Severity::kWarning, .file = "domains/sales/domain.yaml", .pos = {}, .message = "m", .rule = "r"}};
  PlanView plan_view{.plan = plan, .apply = true, .applied = control::ApplyResult{.changes = 1, .directories_created = 1}, .apply_status = {}};

  lineage::Edge edge{.from = "sales.orders", .to = "finance.revenue", .address = "sales.orders", .used = true,
                     .columns = {{.output = "*", .input = "amount", .kind = lineage::DerivationKind::kDirect}},
                     .filter_columns = {"status"}};
  LineageView lineage_view{.product = "sales.orders", .direction = "both",
                           .products = {{.id = "finance.revenue", .domain = "finance", .transform_state = "error", .transform_error = "e"}},
                           .edges = {{edge, "read by SQL"}}, .needs_tree = false};
  ImpactView impact{.contract = "sales.orders", .applied_version = "1.0.0", .proposed_version = "2.0.0",
                    .served_object = "orders", .addresses = {"sales.orders"}, .breaking = {SampleChange()},
                    .untraced = {SampleChange()}, .report = {}, .warnings = {"w"}, .needs_tree = false};
  impact.report.products = {{.id = "finance.revenue", .depth = 1, .certain = true, .reads = {{"sales.orders", "amount"}},
                             .outputs = {{.column = "revenue", .because = {{"sales.orders", "amount"}}}}}};

  query::QueryAnswer answer;
  answer.columns = {"id"};
  answer.column_types = {"INTEGER"};
  answer.rows = {{std::string("1")}};
  answer.warnings = {"w"};

  AccessListView access_list;
  catalog::AccessRequestRecord request{.id = 1, .product_id = "sales.orders", .major = 1, .principal = "bob", .grantee = "bob",
                                       .columns = {"id"}, .purpose = "p", .until = "", .status = "pending",
                                       .created_at = "2026-12-01T00:00:00Z", .decided_by = "", .decided_at = "", .reason = "",
                                       .grant_id = 0};
  access_list.requests = {{.request = request, .decides = true, .existing = {SampleGrant()}, .widens = "every row"}};
  access_list.grants = {{SampleGrant(), "active"}};
  catalog::TokenRecord token;
  token.id = "tok_1";
  token.principal = "bob";

  RuleHistory rules{.product = "sales.orders", .publishes = {SamplePublish()},
                    .rules = {{.rule = "r", .kind = "nullValues", .column = "amount", .severity = "error", .results = {SampleResult()}}}};
  HistoryOverview overview{.products = {{.product = "sales.orders", .last_good = SamplePublish(), .latest = SamplePublish(),
                                         .latest_rules_failed = 1}}};
  UsageView usage{.product = "sales.orders", .currency = "USD", .refused = 1,
                  .readers = {{.reader = "bob (finance)", .queries = 2, .cost = 0.5}}, .columns = {{"*", 2}},
                  .days = {{"*", 2}}};
  CostView cost{.month = "2026-12", .currency = "USD",
                .consumers = {{.name = "finance", .queries = 2, .cost = 0.5, .budget = 100.0}},
                .products = {{.name = "sales.orders", .queries = 2, .cost = 0.5, .budget = std::nullopt}},
                .storage = {{.domain = "sales", .bytes = 100, .cost = 0.1}},
                .warnings = {"w"}};
  MonthlyCostView monthly{.domain = "finance", .currency = "USD", .budget = 100.0,
                          .months = {{.month = "2026-12", .cost = 0.5, .by_domain = {{"*", 0.5}}}}, .warnings = {"w"}};
  QuarantineView quarantine{.product = "sales.orders", .publish = SamplePublish(), .columns = {"row", "rules", "reasons"},
                            .rows = {{std::string("3"), std::string("r"), std::string("amount is null")}}};
  spec::PolicySpec policy;
  policy.id = "owner-required";
  policy.severity = "error";
  policy.title = "Every product has an owner";
  catalog::SearchHit hit{.product_id = "sales.orders", .domain = "sales", .name = "orders", .status = "active", .score = 1.5,
                         .snippet = "[orders]"};
  SearchView search{.hits = {{hit, "passing", "Orders", "gold", {"alice"}, "2026-12-01T00:00:00Z"}}, .facets = {{"*", {{"*", 1}}}}};
  search.terms = {{.name = "customer", .title = "Customer", .domain = "", .definition = "A person or company that buys",
                   .score = 2.5, .snippet = "[Customer]"}};
  const catalog::GlossaryTermRecord term{.name = "customer", .title = "Customer", .domain = "", .definition = "A person or company that buys",
                                         .owners = {"stu"}, .synonyms = {"client"}, .related = {"order"}, .spec_json = "",
                                         .digest = ""};

  const json examples = {
      {"Domains", Example(std::vector<catalog::DomainRecord>{domain})},
      {"Products", Example(ProductList{.products = {product}, .ports = {port}})},
      {"Versions", Example(std::vector<catalog::PortVersionRecord>{port})},
      {"Policies", Example(std::vector<spec::PolicySpec>{policy})},
      {"Waivers", Example(std::vector<catalog::WaiverRecord>{{.id = 1, .policy_id = "p", .subject = "s", .reason = "r", .approver = "stu",
                                                               .expires_at = "2099-01-01T23:59:59.999Z", .created_at = "2026-12-01T00:00:00Z"}})},
      {"Waiver", Example(catalog::WaiverRecord{.id = 1, .policy_id = "p", .subject = "s", .reason = "r", .approver = "stu",
                                               .expires_at = "2099-01-01T23:59:59.999Z", .created_at = "2026-12-01T00:00:00Z"})},
      {"AuditEvents", Example(std::vector<catalog::AuditEvent>{{.id = 1, .time = "t", .actor = "a", .action = "apply.create",
                                                                 .object = "product:sales.orders", .before_digest = "",
                                                                 .after_digest = "d", .detail = ""}})},
      {"Search", Example(search)},
      {"Glossary", Example(GlossaryView{.terms = {{.term = term, .columns = 2, .products = 1}}})},
      {"GlossaryTerm", Example(TermPage{.term = term, .related = {{"order", "Order"}}, .unresolved = {},
                                        .related_by = {{"order", "Order"}},
                                        .columns = {{.term = "customer", .product_id = "sales.orders", .port = "orders",
                                                     .major = 1, .contract_id = "sales.orders", .contract_version = "1.2.0",
                                                     .object = "orders", .column = "customer_id", .via = "weft.term"}}})},
      {"Changelog", Example(Changelog{.product = "sales.orders",
                                      .entries = {{.version = {.contract_id = "sales.orders", .version = "1.0.0", .major = 1,
                                                               .product_id = "sales.orders", .port = "orders",
                                                               .applied_at = "2026-12-01T00:00:00Z"},
                                                   .previous = "", .diff = std::nullopt}}})},
      {"VersionDiff", Example(VersionDiff{.product = "sales.orders", .from = "1.0.0", .to = "2.0.0",
                                          .documents = {spec::DocumentDiff{.id = "sales.orders", .old_version = "1.0.0",
                                                                           .new_version = "2.0.0", .changes = {SampleChange()}}}})},
      {"Profile", Example(ProfileView{.product = "sales.orders", .snapshot = "snap_1", .computed_at = "2026-12-01T00:00:05Z",
                                      .columns = {{.name = "amount", .type = "DECIMAL(12,2)", .access = "clear", .withheld = "",
                                                   .stats = {{"rows", 10}, {"nulls", 0}, {"distinct", 9}, {"min", "1.00"},
                                                             {"max", "9.00"}, {"top", {"1.00"}}}}}})},
      {"ProductPage", page_json},
      {"HistoryOverview", Example(overview)},
      {"RuleHistory", Example(rules)},
      {"PublishReport", Example(report)},
      {"Quarantine", Example(quarantine)},
      {"Plan", Example(plan_view)},
      {"Violations", Example(ViolationsView{plan.policies})},
      {"Lineage", Example(lineage_view)},
      {"Impact", Example(impact)},
      {"Sample", Example(answer)},
      {"QueryDone", DoneJson(answer)},
      {"QuerySchema", Example(QuerySchema{.relations = {{.address = "sales.orders_v1", .product = "sales.orders", .major = 1,
                                                         .newest = true, .status = "active", .row_filter = true,
                                                         .columns = {{"amount", "DECIMAL(12,2)", "clear"},
                                                                     {"email", "VARCHAR", "hash"}}}}})},
      {"AccessList", Example(access_list)},
      {"AccessRequest", Example(RequestView{.id = 1, .approvers = {"alice"}})},
      {"Me", [] {
         access::Principal bob{.name = "bob", .kind = "user", .attributes = {{"*", "EU"}}, .roles = {{"team:finance", {"member"}}},
                               .domain = "finance"};
         json me = ToJson(MeView{.principal = bob, .roles = {"consumer"}, .domains = {"finance"}});
         me["token"] = "tok_1";  // the server adds the token's id
         return me;
       }()},
      {"Principals", Example(std::vector<PrincipalView>{{.name = "bob", .kind = "user", .groups = {"team:finance"}, .attributes = {{"*", "EU"}}}})},
      {"Principal", Example(PrincipalView{.name = "bob", .kind = "user", .groups = {"team:finance"}, .attributes = {{"*", "EU"}}})},
      {"Tokens", Example(TokensView{.tokens = {token}, .now = "2026-12-01T00:00:00Z"})},
      {"IssuedToken", Example(access::IssuedToken{.record = token, .text = "weft_..."})},
      {"Usage", Example(usage)},
      {"Cost", Example(cost)},
      {"MonthlyCost", Example(monthly)},
  };
  json schemas = json::object();
  for (const auto& [name, example] : examples.items()) {
    json schema = SchemaOf(example);
    schema["examples"] = json::array({example});
    schemas[name] = std::move(schema);
  }
  return schemas;
}

}  // namespace weft::service
