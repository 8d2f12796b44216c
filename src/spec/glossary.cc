#include "spec/glossary.h"

#include <cctype>

#include "common/strings.h"

namespace weft::spec {

const char* TermViaName(TermVia via) {
  switch (via) {
    case TermVia::kCustomProperty: return "weft.term";
    case TermVia::kAuthoritativeDefinition: return "authoritativeDefinitions";
    case TermVia::kBusinessName: return "businessName";
  }
  return "?";
}

std::vector<TermMention> TermMentions(const Property& p) {
  std::vector<TermMention> out;
  for (const auto& cp : p.custom_properties)
    if (cp.property == "weft.term")
      out.push_back({TermVia::kCustomProperty, cp.value.is_string() ? cp.value.get<std::string>() : "", cp.At("value")});
  for (const auto& d : p.authoritative_definitions)
    if (d.type == "businessDefinition")
      if (std::string name = TermOfDefinitionUrl(d.url); !name.empty())
        out.push_back({TermVia::kAuthoritativeDefinition, std::move(name), d.At("url")});
  if (!p.business_name.empty()) out.push_back({TermVia::kBusinessName, p.business_name, p.At("businessName")});
  return out;
}

std::string TermOfDefinitionUrl(std::string_view url) {
  constexpr std::string_view kScheme = "glossary:", kPath = "/glossary/";
  if (StartsWith(url, kScheme)) return std::string(url.substr(kScheme.size()));
  url = url.substr(0, url.find_first_of("?#"));
  size_t at = url.rfind(kPath);
  if (at == std::string_view::npos) return "";
  std::string_view name = url.substr(at + kPath.size());
  return name.find('/') == std::string_view::npos ? std::string(name) : "";
}

std::string TermKey(std::string_view text) {
  std::string key;
  for (char c : text)
    if (std::isalnum(static_cast<unsigned char>(c))) key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return key;
}

void Glossary::Add(const GlossaryTerm& term) {
  if (term.name.empty() || !by_name_.emplace(term.name, &term).second) return;
  for (const std::string* text : {&term.name, &term.title})
    if (!text->empty()) by_key_.emplace(TermKey(*text), &term);
  for (const auto& s : term.synonyms) by_key_.emplace(TermKey(s), &term);
}

const GlossaryTerm* Glossary::Find(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

const GlossaryTerm* Glossary::Match(std::string_view text) const {
  std::string key = TermKey(text);
  if (key.empty()) return nullptr;
  auto it = by_key_.find(key);
  return it == by_key_.end() ? nullptr : it->second;
}

const GlossaryTerm* Glossary::Resolve(const TermMention& m) const {
  return m.via == TermVia::kBusinessName ? Match(m.name) : Find(m.name);
}

std::vector<std::string> Glossary::Names() const {
  std::vector<std::string> out;
  for (const auto& [name, term] : by_name_) out.push_back(name);
  return out;
}

}  // namespace weft::spec
