#include "spec/lint.h"
#include "spec/schedule.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <functional>
#include <set>

#include "common/files.h"
#include "common/strings.h"
#include "spec/glossary.h"
#include "spec/loader.h"
#include "spec/pattern.h"
#include "spec/references.h"
#include "spec/semver.h"
#include "spec/sla.h"
#include "spec/stream_settings.h"

namespace weft::spec {

namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------
// What lint knows about the values of fields.

const std::vector<std::string>& ContractStatuses() {
  static const std::vector<std::string> k = {"proposed", "draft", "active", "deprecated", "retired"};
  return k;
}
const std::vector<std::string>& Severities() {
  static const std::vector<std::string> k = {"error", "warning", "info"};
  return k;
}
const std::vector<std::string>& QualityTypes() {
  static const std::vector<std::string> k = {"library", "sql", "text", "custom"};
  return k;
}
const std::vector<std::string>& KnownWeftProperties() {
  static const std::vector<std::string> k = {
      "weft.mask",     "weft.tier",           "weft.transform", "weft.retention",        "weft.rowFilter",
      "weft.access",   "weft.schedule",       "weft.runOnUpstream", "weft.maxQuarantinedShare", "weft.maxShrink",
      "weft.volumeSensitivity", "weft.minHistory", "weft.term", "weft.contract", "weft.source", "weft.stream"};
  return k;
}

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Which logicalTypeOptions fit which logical types.
bool OptionFits(const std::string& option, const std::string& type) {
  static const std::map<std::string, std::set<std::string>> kFits = {
      {"minLength", {"string"}},
      {"maxLength", {"string"}},
      {"pattern", {"string"}},
      {"format", {"string", "date", "timestamp", "time", "number", "integer"}},
      {"minimum", {"number", "integer", "date", "timestamp", "time"}},
      {"maximum", {"number", "integer", "date", "timestamp", "time"}},
      {"exclusiveMinimum", {"number", "integer", "date", "timestamp", "time"}},
      {"exclusiveMaximum", {"number", "integer", "date", "timestamp", "time"}},
      {"multipleOf", {"number", "integer"}},
      {"precision", {"number"}},
      {"scale", {"number"}},
      {"minItems", {"array"}},
      {"maxItems", {"array"}},
      {"uniqueItems", {"array"}},
      {"minProperties", {"object"}},
      {"maxProperties", {"object"}},
      {"required", {"object"}},
      {"timezone", {"timestamp", "time"}},
      {"defaultTimezone", {"timestamp", "time"}},
  };
  auto it = kFits.find(option);
  return it != kFits.end() && it->second.count(type) > 0;
}

bool IsCountOption(const std::string& o) {
  return o == "minLength" || o == "maxLength" || o == "minItems" || o == "maxItems" || o == "minProperties" ||
         o == "maxProperties" || o == "precision" || o == "scale";
}

class Linter {
 public:
  Linter(const std::vector<const Document*>& docs, const LintOptions& options)
      : docs_(Refs(docs)), options_(options), refs_(docs) {}

  std::vector<Diagnostic> Run() {
    Index();
    currency_ = options_.workspace_currency;
    currency_file_ = options_.workspace_file;
    for (const Document& doc : docs_)
      if (const auto* ws = doc.workspace(); ws && currency_.empty()) {
        currency_ = ws->Currency();
        currency_file_ = doc.file;
      }
    for (const Document& doc : docs_) {
      file_ = doc.file;
      if (const auto* c = doc.contract()) LintContract(*c);
      if (const auto* p = doc.product()) LintProduct(*p);
      if (const auto* d = doc.domain()) LintDomain(*d);
      if (const auto* e = doc.reference_entity()) LintEntity(*e);
      if (const auto* pol = doc.policy()) LintPolicy(*pol);
      if (const auto* ws = doc.workspace()) LintWorkspace(*ws);
      if (const auto* t = doc.glossary_term()) LintTerm(*t);
    }
    SortDiagnostics(diags_);
    return std::move(diags_);
  }

 private:
  void Report(Severity s, Pos p, std::string msg, const char* rule) {
    diags_.push_back({s, file_, p, std::move(msg), rule});
  }
  void Error(Pos p, std::string msg, const char* rule) { Report(Severity::kError, p, std::move(msg), rule); }
  void Warn(Pos p, std::string msg, const char* rule) { Report(Severity::kWarning, p, std::move(msg), rule); }
  void Info(Pos p, std::string msg, const char* rule) { Report(Severity::kInfo, p, std::move(msg), rule); }
  // A contract a port needs that the documents do not hold: it may be in
  // another tree until plan/apply, which see the catalog too and need it.
  void Unresolved(Pos p, std::string msg, const char* rule) {
    if (options_.references_complete) Error(p, std::move(msg), rule);
    else Warn(p, msg + "; plan and apply look for it in the catalog", rule);
  }

  // -- duplicate ids across the tree (the resolver keeps the first definition) --
  void Index() {
    for (const Document& doc : docs_)
      if (const auto* t = doc.glossary_term()) {
        const GlossaryTerm* first = glossary_.Find(t->name);
        if (first && first != t) {
          file_ = doc.file;
          Error(t->At("name"), "glossary term '" + t->name + "' is already defined in " + TermFile(*first), "duplicate-id");
        }
        glossary_.Add(*t);
      }
    auto check = [this](const Document* first, const std::string& key, const Document& doc, Pos pos,
                        const char* what) {
      if (key.empty() || first == &doc) return;
      file_ = doc.file;
      Error(pos, std::string(what) + " '" + key + "' is already defined in " + first->file, "duplicate-id");
    };
    for (const Document& doc : docs_) {
      if (const auto* c = doc.contract()) {
        check(refs_.FindContract(c->id), c->id, doc, c->At("id"), "contract id");
      } else if (const auto* p = doc.product()) {
        check(refs_.FindProduct(p->id), p->id, doc, p->At("id"), "product id");
      } else if (const auto* e = doc.reference_entity()) {
        check(refs_.FindEntity(e->name), e->name, doc, e->At("name"), "reference entity");
      } else if (const auto* d = doc.domain()) {
        check(refs_.FindDomain(d->name), d->name, doc, d->At("name"), "domain");
      }
    }
  }

  // -- shared field checks ---------------------------------------------------
  void Require(const SpecNode& node, std::string_view field, const std::string& value, const std::string& what) {
    if (value.empty() && !node.Has(field))
      Error(node.pos, "missing required field '" + std::string(field) + "' in " + what, "required-field");
    else if (value.empty())
      Error(node.At(field), "'" + std::string(field) + "' in " + what + " must not be empty", "required-field");
  }

  // `error` false: ODPS leaves a product's own version free text ("v1.0.0"),
  // and weft compares only contract and port versions.
  void CheckSemver(const SpecNode& node, std::string_view field, const std::string& value, const std::string& what,
                   bool error = true) {
    if (value.empty() || SemVer::Parse(value).ok()) return;
    Report(error ? Severity::kError : Severity::kWarning, node.At(field),
           "version '" + value + "' of " + what + " is not a semantic version (MAJOR.MINOR.PATCH, e.g. 1.2.0)",
           "invalid-semver");
  }

  void CheckOneOf(const SpecNode& node, std::string_view field, const std::string& value,
                  const std::vector<std::string>& allowed, const std::string& what, bool error,
                  const char* rule) {
    if (value.empty() || Contains(allowed, value)) return;
    std::string hint = ClosestMatch(value, allowed);
    std::string msg = "'" + value + "' is not a valid " + std::string(field) + " for " + what + "; expected one of " +
                      Join(allowed, ", ") + (hint.empty() ? "" : " (did you mean '" + hint + "'?)");
    if (error) Error(node.At(field), msg, rule);
    else Warn(node.At(field), msg, rule);
  }

  // Asks the engine once per distinct text: generated trees repeat the same
  // patterns and queries across hundreds of contracts.
  template <typename F>
  const Status& Cached(std::map<std::string, Status>& cache, const std::string& key, F check) {
    auto it = cache.find(key);
    if (it == cache.end()) it = cache.emplace(key, check()).first;
    return it->second;
  }

  // A pattern is ECMA-262 (the standard's), run by RE2 (DuckDB's) in weft's
  // checks: an error only when neither reads it and it uses nothing newer
  // than std::regex knows; a warning when weft cannot enforce or check it.
  void CheckRegex(Pos pos, const std::string& pattern, const std::string& what) {
    if (!options_.sql) return;
    const Status& re2 = Cached(regex_cache_, pattern, [&] { return options_.sql->CheckRegex(pattern); });
    if (re2.ok()) return;
    if (EcmaPatternError(pattern).empty())
      Warn(pos, "pattern of " + what + " is valid ECMA-262, but RE2 (DuckDB, which runs weft's checks) cannot run it (" +
                    re2.message() + "); weft does not enforce it", "regex-unchecked");
    else if (UsesNewerEcmaSyntax(pattern))
      Warn(pos, "pattern of " + what + " uses ECMAScript syntax weft cannot compile (" + re2.message() +
                    "); it is not checked", "regex-unchecked");
    else
      Error(pos, "pattern of " + what + " does not compile: " + re2.message(), "invalid-regex");
  }

  void CheckCustomProperties(const std::vector<CustomProperty>& props, const std::string& what) {
    std::set<std::string> seen;
    for (const auto& cp : props) {
      Require(cp, "property", cp.property, "customProperties item of " + what);
      if (!cp.property.empty() && !seen.insert(cp.property).second)
        Error(cp.At("property"), "custom property '" + cp.property + "' appears twice in " + what, "duplicate-name");
      if (StartsWith(cp.property, "weft.") && !Contains(KnownWeftProperties(), cp.property)) {
        std::string hint = ClosestMatch(cp.property, KnownWeftProperties());
        Warn(cp.At("property"), "unknown weft custom property '" + cp.property + "'" +
                                    (hint.empty() ? "" : "; did you mean '" + hint + "'?"),
             "unknown-weft-property");
      }
      if (cp.property == "weft.mask") CheckMask(cp);
      if (cp.property == "weft.tier" &&
          !(cp.value.is_string() && Contains({"bronze", "silver", "gold"}, cp.value.get<std::string>())))
        Error(cp.At("value"), "weft.tier must be bronze, silver or gold", "invalid-value");
      if (cp.property == "weft.schedule") {
        auto s = cp.value.is_string() ? ParseSchedule(cp.value.get<std::string>())
                                      : Result<Schedule>(Status::InvalidArgument("it must be a string"));
        if (!s.ok()) Error(cp.At("value"), "weft.schedule of " + what + ": " + s.status().message(), "invalid-value");
      }
      if (cp.property == "weft.stream") CheckStream(cp, what);
      if (cp.property == "weft.runOnUpstream" && !cp.value.is_boolean())
        Error(cp.At("value"), "weft.runOnUpstream of " + what + " must be true or false", "invalid-value");
      const bool share = cp.property == "weft.maxQuarantinedShare" || cp.property == "weft.maxShrink";
      if ((share || cp.property == "weft.volumeSensitivity" || cp.property == "weft.minHistory") &&
          !(cp.value.is_number() && cp.value.get<double>() >= 0 && (!share || cp.value.get<double>() <= 1)))
        Error(cp.At("value"), cp.property + " of " + what + " must be " +
                                  (share ? "a share from 0 to 1 (0.05 is 5%)" : "a number of 0 or more"),
              "invalid-value");
    }
  }

  void CheckStream(const CustomProperty& cp, const std::string& what) {
    DataProduct probe;
    probe.custom_properties = {cp};
    Result<std::optional<StreamSettings>> s = StreamSettingsOf(probe);
    if (!s.ok()) Error(cp.At("value"), s.status().message() + " (" + what + ")", "invalid-value");
  }

  // weft.source: {postgres: secret:NAME, query: SQL | table: [schema.]name},
  // never a URL or password in the descriptor, and not on a derived product.
  void CheckSource(const DataProduct& p, const std::string& what) {
    for (const auto& cp : p.custom_properties) {
      if (cp.property != "weft.source") continue;
      const std::string form = "; write {postgres: secret:NAME, query: SQL} or {postgres: secret:NAME, table: NAME}";
      if (!cp.value.is_object()) {
        Error(cp.At("value"), "weft.source of " + what + " must be a mapping" + form, "invalid-value");
        continue;
      }
      for (const auto& [key, value] : cp.value.items())
        if (key != "postgres" && key != "query" && key != "table")
          Error(cp.At("value"), "weft.source of " + what + " has an unknown key '" + key + "'" + form, "invalid-value");
      const Json* db = cp.value.contains("postgres") ? &cp.value["postgres"] : nullptr;
      const std::string reference = db && db->is_string() ? db->get<std::string>() : "";
      if (reference.rfind("secret:", 0) != 0) {
        Error(cp.At("value"),
              "weft.source of " + what + " names its database by a secret of the workspace (postgres: secret:NAME, set "
                  "with `weft secret set NAME`), never by a URL or password in the descriptor" + form,
              "invalid-value");
      } else if (Status name = CheckSecretName(reference.substr(7)); !name.ok()) {
        Error(cp.At("value"), "weft.source of " + what + ": " + name.message(), "invalid-value");
      }
      const bool query = cp.value.contains("query"), table = cp.value.contains("table");
      if (query == table)
        Error(cp.At("value"), "weft.source of " + what + " takes a query or a table, one of them" + form, "invalid-value");
      for (const char* key : {"query", "table"})
        if (cp.value.contains(key) && !(cp.value[key].is_string() && !Trim(cp.value[key].get<std::string>()).empty()))
          Error(cp.At("value"), std::string("weft.source ") + key + " of " + what + " must be non-empty text", "invalid-value");
      if (!p.TransformPath().empty())
        Error(cp.At("property"), what + " has both weft.transform and weft.source: a product is derived or fed from a source, not both",
              "invalid-value");
    }
  }

  static bool IsMask(const std::string& v) {
    if (StartsWith(v, "partial:")) {
      std::string n = v.substr(8);
      return !n.empty() && n.size() < 4 && std::all_of(n.begin(), n.end(), ::isdigit);
    }
    return v == "redact" || v == "null" || v == "hash" || v == "year" || v == "none";
  }

  void CheckMask(const CustomProperty& cp) {
    std::string v = cp.value.is_string() ? cp.value.get<std::string>() : "";
    if (!IsMask(v))
      Error(cp.At("value"), "weft.mask '" + v + "' is not a masking strategy; use redact, null, hash, partial:N, year or none",
            "invalid-mask");
  }

  void LintWorkspace(const WorkspaceSpec& w) {
    Require(w, "name", w.name, "workspace");
    for (const auto& [classification, mask] : w.masking)
      if (!IsMask(mask))
        Error(w.At("masking"), "masking for '" + classification + "' is '" + mask +
                                   "', not a masking strategy; use redact, null, hash, partial:N, year or none",
              "invalid-mask");
    for (const auto& [item, price] : w.rate_card)
      if (price < 0) Error(w.At("rateCard"), "rateCard price '" + item + "' must not be negative", "invalid-value");
    CheckCurrency(w, w.currency, "the workspace");
    if (w.query_threads && *w.query_threads < 1)
      Error(w.At("query"), "query.threads must be at least 1", "invalid-value");
    for (const auto& pack : w.policy_packs) {
      if (pack == "default") continue;
      std::error_code ec;
      if (!fs::is_directory(fs::path(file_).parent_path() / pack, ec))
        Error(w.At("policyPacks"), "policy pack '" + pack + "' is not a directory next to weft.yaml", "invalid-value");
    }
  }

  void CheckTeam(const Team& team, const std::string& what) {
    std::set<std::string> seen;
    for (const auto& m : team.members) {
      Require(m, "username", m.username, "team member of " + what);
      if (!m.username.empty() && !seen.insert(m.username).second)
        Warn(m.At("username"), "team member '" + m.username + "' is listed twice in " + what, "duplicate-name");
    }
  }

  void CheckSupport(const std::vector<SupportChannel>& support, const std::string& what) {
    for (const auto& s : support) {
      Require(s, "channel", s.channel, "support channel of " + what);
      if (s.url.empty() && !s.Has("url")) Warn(s.pos, "support channel '" + s.channel + "' has no url", "support-url");
    }
  }

  // Checks ids unique within one document.
  void CheckIdUnique(std::set<std::string>& ids, const SpecNode& node, const std::string& id) {
    if (id.empty()) return;
    if (!ids.insert(id).second) Error(node.At("id"), "id '" + id + "' is used twice in this document", "duplicate-id");
  }

  // -- contracts --------------------------------------------------------------
  void LintContract(const DataContract& c) {
    const std::string what = "contract" + (c.id.empty() ? std::string() : " '" + c.id + "'");
    Require(c, "id", c.id, what);
    Require(c, "version", c.version, what);
    Require(c, "status", c.status, what);
    if (c.name.empty()) Warn(c.pos, "contract has no 'name'", "recommended-field");
    CheckSemver(c, "version", c.version, what);
    CheckOneOf(c, "status", c.status, ContractStatuses(), what, false, "invalid-status");
    if (c.schema.empty()) Warn(c.At("schema"), what + " has no schema objects", "empty-schema");
    CheckTeam(c.team, what);
    CheckSupport(c.support, what);
    CheckCustomProperties(c.custom_properties, what);
    for (const auto& role : c.roles) {
      Require(role, "role", role.role, "role of " + what);
      // ODCS documents read, write and readwrite and leaves the field free text.
      CheckOneOf(role, "access", role.access, {"read", "write", "readwrite"}, "role '" + role.role + "'", false,
                 "invalid-value");
    }

    std::set<std::string> ids, object_names;
    CheckIdUnique(ids, c, c.id);
    for (const auto& obj : c.schema) {
      Require(obj, "name", obj.name, "schema object");
      if (!obj.name.empty() && !object_names.insert(obj.name).second)
        Error(obj.At("name"), "schema object '" + obj.name + "' is defined twice", "duplicate-name");
      CheckIdUnique(ids, obj, obj.id);
      if (!obj.logical_type.empty() && obj.logical_type != "object")
        Error(obj.At("logicalType"), "schema object '" + obj.name + "' must have logicalType object, not '" +
                                         obj.logical_type + "'", "invalid-logical-type");
      LintObject(c, obj, ids);
    }
    LintSla(c);
  }

  void LintObject(const DataContract& c, const SchemaObject& obj, std::set<std::string>& ids) {
    std::set<std::string> names;
    std::vector<const Property*> pks;
    for (const auto& p : obj.properties) {
      if (!p.name.empty() && !names.insert(p.name).second)
        Error(p.At("name"), "property '" + p.name + "' is defined twice in '" + obj.name + "'", "duplicate-name");
      LintProperty(c, obj, p, obj.name + "." + p.name, ids);
      if (p.is_primary_key()) pks.push_back(&p);
      else if (HasKeyPosition(p))
        Warn(p.At("primaryKeyPosition"), "'" + p.name + "' has a primaryKeyPosition but is not a primaryKey",
             "primary-key-position");
    }
    CheckKeyPositions(obj, pks);
    for (const auto& q : obj.quality) LintQuality(obj, nullptr, q, ids);
    for (const auto& r : obj.relationships) LintRelationship(c, obj, nullptr, r);
    CheckCustomProperties(obj.custom_properties, "schema object '" + obj.name + "'");
  }

  // primaryKeyPosition -1 is ODCS's default: no position.
  static bool HasKeyPosition(const Property& p) { return p.primary_key_position && *p.primary_key_position != -1; }

  void CheckKeyPositions(const SchemaObject& obj, const std::vector<const Property*>& pks) {
    if (pks.size() < 2) return;
    std::set<int64_t> seen;
    for (const Property* p : pks) {
      // Optional in ODCS (default -1): without positions the key's order
      // is the properties' order, which is all weft needs.
      if (!HasKeyPosition(*p)) {
        if (std::any_of(pks.begin(), pks.end(), [](const Property* k) { return HasKeyPosition(*k); }))
          Warn(p->At("primaryKey"), "'" + obj.name + "' numbers its composite primary key, but not '" + p->name +
                                        "'; give it a primaryKeyPosition", "primary-key-position");
        continue;
      }
      int64_t pos = *p->primary_key_position;
      if (pos < 1 || pos > static_cast<int64_t>(pks.size()))
        Error(p->At("primaryKeyPosition"), "primaryKeyPosition " + std::to_string(pos) + " of '" + p->name +
                                               "' is outside 1.." + std::to_string(pks.size()),
              "primary-key-position");
      else if (!seen.insert(pos).second)
        Error(p->At("primaryKeyPosition"), "primaryKeyPosition " + std::to_string(pos) + " is used twice in '" +
                                               obj.name + "'", "primary-key-position");
    }
  }

  void LintProperty(const DataContract& c, const SchemaObject& obj, const Property& p, const std::string& path,
                    std::set<std::string>& ids, bool is_item = false) {
    if (!is_item) Require(p, "name", p.name, "property of '" + obj.name + "'");  // items have no name in ODCS
    CheckIdUnique(ids, p, p.id);
    const std::string what = "property '" + path + "'";
    if (p.logical_type.empty()) {
      Warn(p.pos, what + " has no logicalType; weft cannot type or check it", "missing-logical-type");
    } else if (!Contains(LogicalTypes(), p.logical_type)) {
      std::string hint = ClosestMatch(p.logical_type, LogicalTypes());
      Error(p.At("logicalType"), "unknown logicalType '" + p.logical_type + "' for " + what + "; expected one of " +
                                     Join(LogicalTypes(), ", ") + (hint.empty() ? "" : " (did you mean '" + hint + "'?)"),
            "unknown-logical-type");
    }
    LintTypeOptions(p, what);
    if (p.partition_key_position && !p.partitioned.value_or(false))
      Warn(p.At("partitionKeyPosition"), what + " has a partitionKeyPosition but is not partitioned",
           "partition-key-position");
    if (!p.properties.empty() && p.logical_type != "object" && !p.logical_type.empty())
      Error(p.At("properties"), what + " has nested properties but logicalType '" + p.logical_type + "'",
            "option-type-mismatch");
    if (!p.items.empty() && p.logical_type != "array" && !p.logical_type.empty())
      Error(p.At("items"), what + " has items but logicalType '" + p.logical_type + "'", "option-type-mismatch");
    std::set<std::string> names;
    for (const auto& child : p.properties) {
      if (!child.name.empty() && !names.insert(child.name).second)
        Error(child.At("name"), "property '" + child.name + "' is defined twice in '" + path + "'", "duplicate-name");
      LintProperty(c, obj, child, path + "." + child.name, ids);
    }
    for (const auto& item : p.items) LintProperty(c, obj, item, path + "[]", ids, /*item=*/true);
    for (const auto& q : p.quality) LintQuality(obj, &p, q, ids);
    for (const auto& r : p.relationships) LintRelationship(c, obj, &p, r);
    CheckCustomProperties(p.custom_properties, what);
    CheckTermMentions(p, what);
  }

  // -- the glossary ------------------------------------------------------------------
  // A weft.term must name a term (it says nothing else); a glossary: link
  // may point at a term another tree defines, so it only warns; a
  // businessName is free text that links when it matches.
  void CheckTermMentions(const Property& p, const std::string& what) {
    for (const TermMention& m : TermMentions(p)) {
      if (m.via == TermVia::kBusinessName || glossary_.Resolve(m)) continue;
      const bool strict = m.via == TermVia::kCustomProperty;
      std::string hint = ClosestMatch(m.name, glossary_.Names());
      std::string msg = std::string(TermViaName(m.via)) + " of " + what + " names glossary term '" + m.name +
                        "', which is not defined" + (hint.empty() ? "" : "; did you mean '" + hint + "'?");
      if (strict) Error(m.pos, msg + " (add a GlossaryTerm, or fix the name)", "term-unresolved");
      else Warn(m.pos, msg, "term-link-unresolved");
    }
  }

  std::string TermFile(const GlossaryTerm& t) const {
    for (const Document& doc : docs_)
      if (doc.glossary_term() == &t) return doc.file;
    return "";
  }

  void LintTerm(const GlossaryTerm& t) {
    const std::string what = "glossary term" + (t.name.empty() ? std::string() : " '" + t.name + "'");
    Require(t, "name", t.name, what);
    Require(t, "definition", t.definition, what);
    if (!t.name.empty() && !IsIdentifier(t.name))
      Error(t.At("name"), "glossary term name '" + t.name +
                              "' must be lower_snake_case (a-z, 0-9, _): it is the term's stable id; put how people "
                              "write it in 'title'", "invalid-name");
    if (t.owners.empty()) Warn(t.Has("owners") ? t.At("owners") : t.pos, what + " has no owners", "recommended-field");
    if (!t.domain.empty() && !refs_.FindDomain(t.domain))
      Error(t.At("domain"), what + " belongs to domain '" + t.domain +
                                "', which has no domain.yaml in the tree (leave 'domain' out for a global term)",
            "domain-unresolved");
    for (const auto& r : t.related) {
      if (glossary_.Find(r)) continue;
      std::string hint = ClosestMatch(r, glossary_.Names());
      Warn(t.At("related"), what + " is related to '" + r + "', which is not a glossary term" +
                                (hint.empty() ? "" : "; did you mean '" + hint + "'?"), "term-link-unresolved");
    }
    // A businessName that means two terms links to the first only.
    for (const auto& s : t.synonyms) {
      const GlossaryTerm* other = glossary_.Match(s);
      if (other && other != &t)
        Warn(t.At("synonyms"), "synonym '" + s + "' of " + what + " is already the name, title or a synonym of term '" +
                                   other->name + "'; a businessName '" + s + "' links to '" + other->name + "' only",
             "term-ambiguous");
    }
  }

  void LintTypeOptions(const Property& p, const std::string& what) {
    const SpecNode& on = p.options_node;
    for (const auto& [name, value] : p.options) {
      if (!p.logical_type.empty() && Contains(LogicalTypes(), p.logical_type) && !OptionFits(name, p.logical_type)) {
        Error(on.At(name), "logicalTypeOptions." + name + " does not apply to logicalType '" + p.logical_type +
                               "' (" + what + ")", "option-type-mismatch");
        continue;
      }
      if (IsCountOption(name) && !(value.is_number_integer() && value.get<int64_t>() >= 0))
        Error(on.At(name), "logicalTypeOptions." + name + " must be a non-negative integer (" + what + ")",
              "invalid-option");
      if (name == "pattern") {
        if (!value.is_string()) Error(on.At(name), "logicalTypeOptions.pattern must be a string", "invalid-option");
        else CheckRegex(on.At(name), value.get<std::string>(), what);
      }
      bool numeric_type = p.logical_type == "number" || p.logical_type == "integer";
      if (numeric_type && (name == "minimum" || name == "maximum" || name == "exclusiveMinimum" ||
                           name == "exclusiveMaximum" || name == "multipleOf") &&
          !value.is_number())
        Error(on.At(name), "logicalTypeOptions." + name + " of " + what + " must be a number", "invalid-option");
    }
    auto num = [&](const char* k) -> std::optional<double> {
      auto it = p.options.find(k);
      if (it == p.options.end() || !it->second.is_number()) return std::nullopt;
      return it->second.get<double>();
    };
    for (auto [lo, hi] : {std::pair{"minLength", "maxLength"}, std::pair{"minimum", "maximum"},
                          std::pair{"minItems", "maxItems"}, std::pair{"minProperties", "maxProperties"}}) {
      auto a = num(lo), b = num(hi);
      if (a && b && *a > *b)
        Error(on.At(lo), std::string(lo) + " is greater than " + hi + " for " + what + "; no value can pass",
              "option-range");
    }
  }

  // -- quality ------------------------------------------------------------------
  void LintQuality(const SchemaObject& obj, const Property* prop, const QualityRule& q,
                   std::set<std::string>& ids) {
    CheckIdUnique(ids, q, q.id);
    std::string what = "quality rule" + (q.id.empty() ? (q.name.empty() ? "" : " '" + q.name + "'") : " '" + q.id + "'") +
                       " on '" + obj.name + (prop ? "." + prop->name : "") + "'";
    if (q.type.empty()) {
      Error(q.pos, what + " has neither 'type' nor 'metric'", "quality-type");
      return;
    }
    if (!Contains(QualityTypes(), q.type)) {
      CheckOneOf(q, "type", q.type, QualityTypes(), what, true, "quality-type");
      return;
    }
    CheckOneOf(q, "severity", q.severity, Severities(), what, false, "invalid-severity");
    // ODCS leaves unit free text; weft reads anything but percent as a count.
    CheckOneOf(q, "unit", q.unit, {"rows", "count", "percent"}, what, false, "invalid-unit");
    CheckCustomProperties(q.custom_properties, what);
    if (q.type == "text") {
      if (q.description.empty()) Warn(q.pos, what + " is a text rule without a description", "recommended-field");
      return;
    }
    if (q.type == "custom") {
      Info(q.pos, what + " is a custom rule (" + (q.engine.empty() ? "no engine" : q.engine) +
                      "); weft keeps it but does not execute it", "quality-not-executable");
      return;
    }
    LintThresholds(q, what);
    if (q.type == "sql") {
      if (q.query.empty()) {
        Error(q.At("query"), what + " is a sql rule without a query", "required-field");
      } else if (options_.sql) {
        std::string sql = SubstitutePlaceholders(q.query, obj, prop);
        const Status& s = Cached(sql_cache_, sql, [&] { return options_.sql->CheckSingleSelect(sql); });
        if (!s.ok()) Error(q.At("query"), what + " must be one read-only SELECT: " + s.message(), "sql-not-select");
      }
      return;
    }
    // library
    if (q.metric.empty()) {
      Error(q.pos, what + " is a library rule without a 'metric'", "required-field");
      return;
    }
    if (!Contains(LibraryMetrics(), q.metric)) {
      CheckOneOf(q, "metric", q.metric, LibraryMetrics(), what, true, "unknown-metric");
      return;
    }
    const Json& args = q.arguments;
    if (q.metric == "rowCount" && prop)
      Error(q.At("metric"), what + ": rowCount applies to a schema object, not a property", "quality-scope");
    if ((q.metric == "nullValues" || q.metric == "missingValues" || q.metric == "invalidValues") && !prop)
      Error(q.At("metric"), what + ": " + q.metric + " applies to a property; put it under the property",
            "quality-scope");
    if (q.metric == "rowCount" && q.unit == "percent")
      Error(q.At("unit"), what + ": rowCount is a count; unit percent does not apply", "invalid-unit");
    if (q.metric == "invalidValues") {
      bool has_valid = args.contains("validValues"), has_pattern = args.contains("pattern");
      if (!has_valid && !has_pattern)
        Error(q.pos, what + ": invalidValues needs arguments.validValues or arguments.pattern", "quality-arguments");
      if (has_valid && !(args["validValues"].is_array() && !args["validValues"].empty()))
        Error(q.At("arguments"), what + ": arguments.validValues must be a non-empty list", "quality-arguments");
      if (has_pattern) {
        if (!args["pattern"].is_string())
          Error(q.At("arguments"), what + ": arguments.pattern must be a string", "quality-arguments");
        else CheckRegex(q.At("arguments"), args["pattern"].get<std::string>(), what);
      }
    }
    if (q.metric == "missingValues" && args.contains("missingValues") && !args["missingValues"].is_array())
      Error(q.At("arguments"), what + ": arguments.missingValues must be a list", "quality-arguments");
    if (q.metric == "duplicateValues" && !prop) {
      if (!args.contains("properties") || !args["properties"].is_array() || args["properties"].empty()) {
        Error(q.pos, what + ": duplicateValues on a schema object needs arguments.properties (the key columns)",
              "quality-arguments");
      } else {
        for (const auto& name : args["properties"]) {
          if (!name.is_string() || !obj.FindProperty(name.get<std::string>()))
            Error(q.At("arguments"), what + ": arguments.properties names '" + (name.is_string() ? name.get<std::string>() : name.dump()) +
                                         "', which is not a property of '" + obj.name + "'",
                  "quality-arguments");
        }
      }
    }
  }

  // `{object}` and `{property}` placeholders stand for the checked table and column.
  static std::string SubstitutePlaceholders(std::string sql, const SchemaObject& obj, const Property* prop) {
    auto replace_all = [&sql](const std::string& from, const std::string& to) {
      for (size_t pos = 0; (pos = sql.find(from, pos)) != std::string::npos; pos += to.size())
        sql.replace(pos, from.size(), to);
    };
    replace_all("{object}", SqlIdent(obj.name));
    replace_all("{table}", SqlIdent(obj.name));
    if (prop) replace_all("{property}", SqlIdent(prop->name));
    return sql;
  }

  void LintThresholds(const QualityRule& q, const std::string& what) {
    if (q.thresholds.empty()) {
      Error(q.pos, what + " has no operator; add one of " + Join(OperatorNames(), ", "), "quality-threshold");
      return;
    }
    if (q.thresholds.size() > 1) {
      Error(q.thresholds[1].pos, what + " has more than one operator; keep one", "quality-threshold");
    }
    const Threshold& t = q.thresholds[0];
    bool between = t.kind == OperatorKind::kMustBeBetween || t.kind == OperatorKind::kMustNotBeBetween;
    if (between) {
      if (!(t.value.is_array() && t.value.size() == 2 && t.value[0].is_number() && t.value[1].is_number())) {
        Error(t.pos, std::string(OperatorName(t.kind)) + " needs a list of two numbers [low, high] (" + what + ")",
              "quality-threshold");
        return;
      }
      if (t.value[0].get<double>() > t.value[1].get<double>())
        Error(t.pos, std::string(OperatorName(t.kind)) + " bounds are reversed (" + what + ")", "quality-threshold");
    } else if (!t.value.is_number()) {
      Error(t.pos, std::string(OperatorName(t.kind)) + " needs a number (" + what + ")", "quality-threshold");
      return;
    }
    if (q.unit == "percent") {
      auto in_range = [](const Json& v) { return v.get<double>() >= 0 && v.get<double>() <= 100; };
      bool ok = between ? in_range(t.value[0]) && in_range(t.value[1]) : in_range(t.value);
      if (!ok) Error(t.pos, "a percent threshold must be within 0..100 (" + what + ")", "quality-threshold");
    }
  }

  // -- relationships --------------------------------------------------------------
  void LintRelationship(const DataContract& c, const SchemaObject& obj, const Property* prop, const Relationship& r) {
    std::string what = "relationship on '" + obj.name + (prop ? "." + prop->name : "") + "'";
    CheckOneOf(r, "type", r.type, {"foreignKey"}, what, true, "invalid-value");
    if (r.to.empty()) {
      Error(r.pos, what + " has no 'to'", "required-field");
      return;
    }
    if (prop) {
      if (!r.from.empty())
        Warn(r.At("from"), what + ": 'from' is implied at property level and is ignored", "relationship-arity");
      if (r.to.size() != 1)
        Error(r.At("to"), what + ": a property-level relationship has one target; put composite keys on the schema object",
              "relationship-arity");
    } else {
      if (r.from.empty()) Error(r.pos, what + " at object level needs 'from'", "required-field");
      else if (r.from.size() != r.to.size())
        Error(r.At("to"), what + ": 'from' has " + std::to_string(r.from.size()) + " columns but 'to' has " +
                              std::to_string(r.to.size()), "relationship-arity");
      for (const auto& f : r.from)
        if (!ReferenceResolver::FindPath(c, f.find('.') == std::string::npos ? obj.name + "." + f : f))
          Error(r.At("from"), what + ": 'from' names '" + f + "', which is not a property of this contract",
                "relationship-unresolved");
    }
    for (const auto& to : r.to) {
      ResolvedTarget t = refs_.Resolve(c, file_, r.Target(to));
      if (t.ok()) continue;
      // A target in another contract is resolved by plan/apply against the
      // catalog; from this tree it is only a warning naming what is missing.
      if (t.elsewhere)
        Warn(r.At("to"), what + ": '" + to + "' is not in this tree (" + t.error + "); plan and apply look for it in the catalog",
             "relationship-unresolved");
      else
        Error(r.At("to"), what + ": cannot resolve '" + to + "': " + t.error, "relationship-unresolved");
    }
  }

  // -- SLAs -------------------------------------------------------------------------
  void LintSla(const DataContract& c) {
    std::set<std::string> seen;
    for (const auto& s : c.sla_properties) {
      Require(s, "property", s.property, "slaProperties item");
      if (s.property.empty()) continue;
      if (!s.element.empty() || !c.sla_default_element.empty()) {
        const std::string& el = s.element.empty() ? c.sla_default_element : s.element;
        for (const auto& part : Split(el, ',')) {
          const std::string element(Trim(part));
          if (ReferenceResolver::FindPath(c, element)) continue;
          Pos at = s.element.empty() ? c.At("slaDefaultElement") : s.At("element");
          // An element of an object this contract lacks may be another contract's.
          if (!ReferenceResolver::HasObject(c, element))
            Warn(at, "SLA element '" + element + "' is not in this contract; weft monitors only its own contract's elements",
                 "sla-element");
          else
            Error(at, "SLA element '" + element + "' is not a property of this contract", "sla-element");
        }
      }
      std::string key = s.property + "@" + s.element;
      if (!seen.insert(key).second)
        Warn(s.At("property"), "SLA property '" + s.property + "' is given twice", "duplicate-name");
      const SlaPropertyInfo* info = FindSlaProperty(s.property);
      if (!info) {
        std::vector<std::string> names;
        for (const auto& p : SlaProperties()) names.emplace_back(p.name);
        std::string hint = ClosestMatch(s.property, names);
        Warn(s.At("property"), "SLA property '" + s.property + "' is not one weft monitors" +
                                   (hint.empty() ? "" : "; did you mean '" + hint + "'?"), "sla-property");
        continue;
      }
      if (s.value.is_null()) {
        Error(s.pos, "SLA '" + s.property + "' has no value", "sla-value");
        continue;
      }
      const std::string what = "SLA '" + s.property + "'";
      switch (info->kind) {
        case SlaKind::kDuration: {
          auto q = ParseSlaQuantity(s.value, s.unit);
          if (!q || q->value <= 0)
            Error(s.At("value"), what + " needs a positive number (or a string such as \"4h\")", "sla-value");
          else if (q->dimension == SlaQuantity::Dimension::kNone)
            Error(s.pos, what + " needs a unit (e.g. d, h, m)", "sla-unit");
          else if (q->dimension != SlaQuantity::Dimension::kSeconds)
            CheckOneOf(s, "unit", s.unit, DurationUnitNames(), what, true, "sla-unit");
          break;
        }
        case SlaKind::kPercent:
          if (!SlaPercent(s)) {
            auto q = ParseSlaQuantity(s.value, s.unit);
            if (q && q->dimension != SlaQuantity::Dimension::kPercent && q->dimension != SlaQuantity::Dimension::kNone)
              Error(s.At("unit"), what + " is a percentage; unit must be percent", "sla-unit");
            else
              Error(s.At("value"), what + " needs a percentage within 0..100", "sla-value");
          }
          break;
        case SlaKind::kDate:
          if (!IsSlaDate(s.value))
            Error(s.At("value"), what + " needs a date or timestamp (YYYY-MM-DD[THH:MM:SS...])", "sla-value");
          break;
        case SlaKind::kTimeOfDay:
          if (!s.value.is_string() || !ParseTimeOfDay(s.value.get<std::string>(), SlaZone(s)))
            Error(s.At("value"), what + " needs a time of day (HH:MM, optionally with a UTC offset)", "sla-value");
          break;
        case SlaKind::kQuantity:
          break;
      }
    }
    const SlaProperty* eos = c.FindSla("endOfSupport");
    const SlaProperty* eol = c.FindSla("endOfLife");
    if (eos && eol && eos->value.is_string() && eol->value.is_string() &&
        eos->value.get<std::string>() > eol->value.get<std::string>())
      Error(eol->At("value"), "endOfLife is before endOfSupport", "sla-value");
  }

  // -- products -------------------------------------------------------------------------
  void LintProduct(const DataProduct& p) {
    const std::string what = "product" + (p.id.empty() ? std::string() : " '" + p.id + "'");
    Require(p, "id", p.id, what);
    Require(p, "status", p.status, what);
    if (p.name.empty()) Warn(p.pos, "product has no 'name'", "recommended-field");
    CheckSemver(p, "version", p.version, what, /*error=*/false);
    CheckOneOf(p, "status", p.status, ContractStatuses(), what, false, "invalid-status");
    if (!p.domain.empty() && refs_.has_domains() && !refs_.FindDomain(p.domain))
      Error(p.At("domain"), what + " belongs to domain '" + p.domain + "', which has no domain.yaml in the tree",
            "domain-unresolved");
    CheckTeam(p.team, what);
    CheckSupport(p.support, what);
    CheckCustomProperties(p.custom_properties, what);
    CheckSource(p, what);
    if (p.output_ports.empty()) Warn(p.At("outputPorts"), what + " has no output ports", "empty-ports");

    std::set<std::pair<std::string, std::string>> names;  // ODPS keys ports by name and version
    for (const auto& port : p.output_ports) {
      Require(port, "name", port.name, "output port of " + what);
      Require(port, "version", port.version, "output port '" + port.name + "'");
      CheckSemver(port, "version", port.version, "output port '" + port.name + "'");
      if (!port.name.empty() && !names.insert({port.name, port.version}).second)
        Error(port.At("name"), "output port '" + port.name + "' version " + port.version + " is defined twice",
              "duplicate-name");
      CheckCustomProperties(port.custom_properties, "output port '" + port.name + "'");
      if (port.contract_id.empty()) {
        Warn(port.pos, "output port '" + port.name + "' has no contractId; weft cannot check what it publishes",
             "output-port-contract");
        continue;
      }
      const Document* bound = refs_.FindContract(port.contract_id);
      if (!bound) {
        Unresolved(port.At("contractId"), "output port '" + port.name + "' names contract '" + port.contract_id +
                                              "', which is not in the tree", "output-port-contract");
        continue;
      }
      const DataContract& c = *bound->contract();
      if (!port.version.empty() && !c.version.empty() && port.version != c.version)
        Error(port.At("version"), "output port '" + port.name + "' has version " + port.version + " but contract '" +
                                      c.id + "' is at " + c.version, "output-port-version");
      for (const auto& ic : port.input_contracts)
        if (!refs_.FindContract(ic.id))
          Unresolved(ic.At("id"), "input contract '" + ic.id + "' is not in the tree", "input-port-unresolved");
    }
    std::set<std::pair<std::string, std::string>> inputs;
    for (const auto& in : p.input_ports) {
      Require(in, "name", in.name, "input port of " + what);
      Require(in, "contractId", in.contract_id, "input port '" + in.name + "'");
      CheckSemver(in, "version", in.version, "input port '" + in.name + "'");
      if (!in.name.empty() && !inputs.insert({in.name, in.version}).second)
        Error(in.At("name"), "input port '" + in.name + "' version " + in.version + " is defined twice",
              "duplicate-name");
      if (in.contract_id.empty()) continue;
      const Document* input = refs_.FindContract(in.contract_id);
      if (!input) {
        Unresolved(in.At("contractId"), "input port '" + in.name + "' names contract '" + in.contract_id +
                                            "', which is not in the tree", "input-port-unresolved");
        continue;
      }
      const DataContract& c = *input->contract();
      auto want = SemVer::Parse(in.version), have = SemVer::Parse(c.version);
      // A warning, not an error: an older major stays served (deprecated)
      // after a new one is applied, so consumers may migrate later; apply
      // refuses only when the wanted major is not served at all.
      if (want.ok() && have.ok() && want->major != have->major)
        Warn(in.At("version"), "input port '" + in.name + "' wants major version " + std::to_string(want->major) +
                                   " of '" + c.id + "', but the tree has " + c.version +
                                   "; it works while that major is still served — migrate before its end of life",
             "input-port-version");
    }
    for (const auto& cp : p.custom_properties) {
      if (cp.property != "weft.transform") continue;
      if (!cp.value.is_string()) {
        Error(cp.At("value"), "weft.transform must name a SQL file", "transform-missing");
        continue;
      }
      fs::path sql = fs::path(file_).parent_path() / cp.value.get<std::string>();
      std::error_code ec;
      if (!fs::is_regular_file(sql, ec)) {
        Error(cp.At("value"), "transform file '" + sql.string() + "' does not exist", "transform-missing");
      } else if (p.input_ports.empty()) {
        Error(cp.At("value"), what + " has a transform but declares no inputPorts", "input-port-unresolved");
      } else if (options_.sql) {
        auto text = ReadFileToString(sql);
        Status s = text.ok() ? options_.sql->CheckSingleSelect(*text) : text.status();
        if (!s.ok())
          Error(cp.At("value"), "transform " + sql.string() + " must be one read-only SELECT: " + s.message(),
                "sql-not-select");
      }
    }
  }

  // -- weft kinds -------------------------------------------------------------------------
  void LintDomain(const DomainSpec& d) {
    Require(d, "name", d.name, "domain");
    if (!d.name.empty() && !IsIdentifier(d.name))
      Error(d.At("name"), "domain name '" + d.name + "' must be lower_snake_case (a-z, 0-9, _)", "invalid-name");
    if (d.owners.empty()) Error(d.Has("owners") ? d.At("owners") : d.pos, "domain '" + d.name + "' has no owners", "required-field");
    if (d.monthly_budget && *d.monthly_budget < 0)
      Error(d.At("monthlyBudget"), "monthlyBudget must not be negative", "invalid-value");
    if (d.soft_limit_percent && (*d.soft_limit_percent <= 0 || *d.soft_limit_percent > 100))
      Error(d.At("softLimitPercent"), "softLimitPercent must be within 1..100", "invalid-value");
    // With the workspace in sight, a budget without a currency is in the
    // workspace's; without it, nothing says which.
    if (d.monthly_budget && d.currency.empty() && currency_.empty())
      Warn(d.At("monthlyBudget"), "monthlyBudget without a currency", "recommended-field");
    CheckCurrency(d, d.currency, "domain '" + d.name + "'");
    if (IsCurrency(d.currency) && !currency_.empty() && d.currency != currency_)
      Error(d.At("currency"),
            "domain '" + d.name + "' budgets in " + d.currency +
                ", but the workspace counts every cost and budget in " + currency_ + " (" + currency_file_ +
                "); weft keeps one currency per workspace and converts nothing: " +
                "write currency: " + currency_ + ", with monthlyBudget in " + currency_ + ", or leave currency out",
            "currency-mismatch");
    std::string expected = fs::path(file_).parent_path().filename().string();
    if (!d.name.empty() && fs::path(file_).filename() == "domain.yaml" && expected != d.name &&
        fs::path(file_).parent_path().parent_path().filename() == "domains")
      Warn(d.At("name"), "domain '" + d.name + "' is defined in folder '" + expected + "'", "domain-folder");
  }

  // An ISO 4217 code as the UI and the CLI print it: three capital letters.
  static bool IsCurrency(const std::string& s) {
    return s.size() == 3 && std::all_of(s.begin(), s.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; });
  }

  void CheckCurrency(const SpecNode& node, const std::string& currency, const std::string& what) {
    if (currency.empty() || IsCurrency(currency)) return;
    std::string hint = currency.size() == 3 ? currency : "USD";
    std::transform(hint.begin(), hint.end(), hint.begin(), [](unsigned char ch) { return std::toupper(ch); });
    Error(node.At("currency"), "currency '" + currency + "' of " + what +
                                   " is not an ISO 4217 code (three capital letters, e.g. " + hint + ")",
          "invalid-value");
  }

  static bool IsIdentifier(const std::string& s) {
    if (s.empty() || !(std::islower(static_cast<unsigned char>(s[0])))) return false;
    return std::all_of(s.begin(), s.end(), [](char ch) {
      return std::islower(static_cast<unsigned char>(ch)) || std::isdigit(static_cast<unsigned char>(ch)) || ch == '_';
    });
  }

  void LintEntity(const ReferenceEntity& e) {
    Require(e, "name", e.name, "reference entity");
    Require(e, "masteredBy", e.mastered_by, "reference entity '" + e.name + "'");
    Require(e.identifier_node.pos.line ? e.identifier_node : static_cast<const SpecNode&>(e), "name",
            e.identifier_name, "identifier of reference entity '" + e.name + "'");
    if (!e.identifier_type.empty() && !Contains(LogicalTypes(), e.identifier_type))
      Error(e.identifier_node.At("type"), "identifier type '" + e.identifier_type + "' is not a logicalType",
            "unknown-logical-type");
    if (!e.identifier_pattern.empty()) CheckRegex(e.identifier_node.At("pattern"), e.identifier_pattern, "identifier");
    if (e.mastered_by.empty()) return;
    auto parts = Split(e.mastered_by, '/');
    if (!refs_.FindProduct(parts[0])) {
      Error(e.At("masteredBy"), "reference entity '" + e.name + "' is mastered by '" + parts[0] +
                                    "', which is not a product in the tree", "reference-unresolved");
      return;
    }
    const DataContract* golden = refs_.GoldenContract(e);
    if (!golden) {
      Error(e.At("masteredBy"), "'" + e.mastered_by + "' has no output port bound to a contract in the tree",
            "reference-unresolved");
    } else if (!e.identifier_name.empty() && !ReferenceResolver::FindPath(*golden, e.identifier_name)) {
      Error(e.identifier_node.At("name"), "identifier '" + e.identifier_name + "' is not a property of '" +
                                              golden->id + "'", "reference-unresolved");
    }
  }

  void LintPolicy(const PolicySpec& p) {
    const std::string what = "policy" + (p.id.empty() ? std::string() : " '" + p.id + "'");
    Require(p, "id", p.id, what);
    Require(p, "title", p.title, what);
    Require(p, "severity", p.severity, what);
    Require(p, "query", p.query, what);
    CheckOneOf(p, "severity", p.severity, {"error", "warn"}, what, true, "invalid-value");
    if (!p.id.empty() && !IsPolicyId(p.id))
      Error(p.At("id"), "policy id '" + p.id + "' must be lower-kebab-case (a-z, 0-9, -)", "invalid-name");
    if (!p.query.empty() && options_.sql) {
      const Status& s = Cached(sql_cache_, p.query, [&] { return options_.sql->CheckSingleSelect(p.query); });
      if (!s.ok()) Error(p.At("query"), what + " must be one read-only SELECT: " + s.message(), "sql-not-select");
    }
  }

  static bool IsPolicyId(const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char ch) {
      return std::islower(static_cast<unsigned char>(ch)) || std::isdigit(static_cast<unsigned char>(ch)) || ch == '-';
    });
  }

  // References rather than a view transforming the pointers: clang 14 (the
  // fuzz build's compiler) cannot compile libstdc++ 12's std::views.
  static std::vector<std::reference_wrapper<const Document>> Refs(const std::vector<const Document*>& docs) {
    std::vector<std::reference_wrapper<const Document>> out;
    out.reserve(docs.size());
    for (const Document* d : docs) out.emplace_back(*d);
    return out;
  }

  std::vector<std::reference_wrapper<const Document>> docs_;
  const LintOptions& options_;
  ReferenceResolver refs_;
  Glossary glossary_;
  std::string file_;
  std::string currency_, currency_file_;  // the workspace's, and where it is set
  std::vector<Diagnostic> diags_;
  std::map<std::string, Status> regex_cache_, sql_cache_;
};

}  // namespace

std::vector<Diagnostic> Lint(const std::vector<Document>& docs, const LintOptions& options) {
  std::vector<const Document*> pointers;
  pointers.reserve(docs.size());
  for (const Document& d : docs) pointers.push_back(&d);
  return Lint(pointers, options);
}

std::vector<Diagnostic> Lint(const std::vector<const Document*>& docs, const LintOptions& options) {
  return Linter(docs, options).Run();
}

const std::vector<LintRuleInfo>& LintRules() {
  static const std::vector<LintRuleInfo> k = {
      // Loader
      {"io", Severity::kError, "a file or directory cannot be read"},
      {"yaml-syntax", Severity::kError, "the file is not valid YAML"},
      {"invalid-utf8", Severity::kError, "the file is not valid UTF-8"},
      {"document-too-large", Severity::kError, "the file or its alias expansion is too large"},
      {"document-too-deep", Severity::kError, "the document nests deeper than the limit"},
      {"wrong-type", Severity::kError, "a field has the wrong shape (a list where a map belongs, text for a boolean)"},
      {"duplicate-key", Severity::kError, "a map repeats a key"},
      {"unknown-field", Severity::kWarning, "a field weft does not know; kept, not used"},
      {"deprecated-field", Severity::kWarning, "a field from an older spec version"},
      {"unknown-kind", Severity::kError, "kind is not DataContract, DataProduct, Domain, ReferenceEntity, GlossaryTerm, Policy or Workspace"},
      {"unsupported-api-version", Severity::kError, "apiVersion is not one weft reads"},
      {"schema", Severity::kError, "the document breaks the official JSON Schema of its standard (ODCS v3.1.0, ODPS v1.0.0)"},
      {"schema-version", Severity::kWarning, "the document breaks the older schema its apiVersion declares, not the newest"},
      {"scaffold-placeholder", Severity::kWarning, "a placeholder weft new wrote is still there (TODO(owner), owner@example.com, ...)"},
      // Lint
      {"required-field", Severity::kError, "a required field is missing or empty"},
      {"recommended-field", Severity::kWarning, "a field users expect is missing"},
      {"currency-mismatch", Severity::kError, "a domain's currency is not the workspace's (weft converts nothing)"},
      {"invalid-semver", Severity::kError, "a version is not MAJOR.MINOR.PATCH"},
      {"invalid-status", Severity::kWarning, "status is not proposed, draft, active, deprecated or retired"},
      {"invalid-value", Severity::kError, "a field has a value outside its allowed set or range"},
      {"invalid-name", Severity::kError, "a name is not lower_snake_case"},
      {"duplicate-id", Severity::kError, "an id is used twice in a document or across the tree"},
      {"duplicate-name", Severity::kError, "an object, property, port or custom property is defined twice"},
      {"empty-schema", Severity::kWarning, "a contract has no schema objects"},
      {"empty-ports", Severity::kWarning, "a product has no output ports"},
      {"unknown-logical-type", Severity::kError, "logicalType is not an ODCS logical type"},
      {"missing-logical-type", Severity::kWarning, "a property has no logicalType"},
      {"invalid-logical-type", Severity::kError, "a schema object has a logicalType other than object"},
      {"option-type-mismatch", Severity::kError, "a logicalTypeOption (or nesting) does not fit the logical type"},
      {"invalid-option", Severity::kError, "a logicalTypeOption has a value of the wrong kind"},
      {"option-range", Severity::kError, "a minimum exceeds its maximum"},
      {"invalid-regex", Severity::kError, "a pattern compiles neither as ECMA-262 nor as RE2"},
      {"regex-unchecked", Severity::kWarning, "a pattern weft cannot enforce (ECMA-262 lookaround, backreferences) or compile"},
      {"primary-key-position", Severity::kError, "primaryKeyPosition out of range or repeated (missing in a numbered key: a warning)"},
      {"partition-key-position", Severity::kWarning, "partitionKeyPosition on a property that is not partitioned"},
      {"quality-type", Severity::kError, "a quality rule's type is missing or unknown"},
      {"unknown-metric", Severity::kError, "a library metric is not one of the ODCS metrics"},
      {"quality-scope", Severity::kError, "a metric is placed on a property when it applies to an object, or back"},
      {"quality-arguments", Severity::kError, "a metric's arguments are missing or wrong"},
      {"quality-threshold", Severity::kError, "a rule has no operator, several, or a bad operand"},
      {"quality-not-executable", Severity::kInfo, "a custom rule is kept but not run by weft"},
      {"invalid-unit", Severity::kError, "a rule's unit does not fit its metric (an unknown unit: a warning)"},
      {"invalid-severity", Severity::kWarning, "a rule's severity is not error, warning or info"},
      {"sql-not-select", Severity::kError, "a sql rule is not exactly one read-only SELECT"},
      {"relationship-unresolved", Severity::kError, "a relationship names a property that does not exist (a warning when it may be in another contract)"},
      {"relationship-arity", Severity::kError, "from and to of a relationship do not match"},
      {"sla-property", Severity::kWarning, "an SLA property weft does not monitor"},
      {"sla-value", Severity::kError, "an SLA value is missing or of the wrong kind"},
      {"sla-unit", Severity::kError, "an SLA unit is missing or unknown"},
      {"sla-element", Severity::kError, "an SLA element is not a property of the contract (a warning when it may be another contract's)"},
      {"output-port-contract", Severity::kError, "an output port's contract is not in the tree (a warning in lint; plan/apply also look in the catalog)"},
      {"output-port-version", Severity::kError, "an output port's version differs from its contract's"},
      {"input-port-unresolved", Severity::kError, "an input port's contract is not in the tree (a warning in lint; plan/apply also look in the catalog)"},
      {"input-port-version", Severity::kWarning, "an input port wants a major version other than the tree's"},
      {"transform-missing", Severity::kError, "a product's weft.transform file does not exist"},
      {"domain-unresolved", Severity::kError, "a product's domain has no domain.yaml in the tree"},
      {"domain-folder", Severity::kWarning, "a domain.yaml sits in a folder named differently"},
      {"reference-unresolved", Severity::kError, "a reference entity's golden record does not resolve"},
      {"support-url", Severity::kWarning, "a support channel has no url"},
      {"unknown-weft-property", Severity::kWarning, "a weft.* custom property weft does not know"},
      {"invalid-mask", Severity::kError, "weft.mask is not a masking strategy"},
      {"term-unresolved", Severity::kError, "a column's weft.term names no glossary term"},
      {"term-link-unresolved", Severity::kWarning, "a glossary: businessDefinition or a term's related names no term"},
      {"term-ambiguous", Severity::kWarning, "a synonym is already another term's name, title or synonym"},
  };
  return k;
}

}  // namespace weft::spec
