// The business glossary as the specs write it: which GlossaryTerm each
// column of a contract names, and how (docs/spec-reference.md, "GlossaryTerm").
// A column names a term three ways, strongest first:
//   customProperties: [{property: weft.term, value: customer}]          the term's name
//   authoritativeDefinitions: [{type: businessDefinition, url: glossary:customer}]
//                                                      (or any URL ending in /glossary/customer)
//   businessName: Client                                the term's name, title or a synonym
// Lint reports the first two when they name no term; a businessName that
// matches no term is plain text and links nothing.
//
//   Glossary g;
//   for (const Document& d : docs) if (const auto* t = d.glossary_term()) g.Add(*t);
//   for (const TermMention& m : TermMentions(property))
//     if (const GlossaryTerm* t = g.Resolve(m)) ...
//
// Thread safety: a Glossary is a plain value; the functions are pure.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "spec/model.h"

namespace weft::spec {

enum class TermVia { kCustomProperty, kAuthoritativeDefinition, kBusinessName };
// "weft.term", "authoritativeDefinitions", "businessName": what the catalog records.
const char* TermViaName(TermVia via);

struct TermMention {
  TermVia via = TermVia::kCustomProperty;
  std::string name;  // as written (the term's name, or for a businessName the text)
  Pos pos;
};

// The terms a property names, in the order above. A weft.term whose value is
// not a string is a mention of "" (lint reports it).
std::vector<TermMention> TermMentions(const Property& p);

// The term a businessDefinition URL names: "glossary:NAME" or a URL whose
// path ends in "/glossary/NAME"; empty for any other URL.
std::string TermOfDefinitionUrl(std::string_view url);

// What names are compared by when a businessName meets the glossary:
// lowercase letters and digits only ("Net Revenue" = "net_revenue").
std::string TermKey(std::string_view text);

class Glossary {
 public:
  // The first term of a name wins (lint reports the second as duplicate-id).
  void Add(const GlossaryTerm& term);

  const GlossaryTerm* Find(std::string_view name) const;
  // The term whose name, title or synonym has the key of `text`; when two
  // terms share it, the first added.
  const GlossaryTerm* Match(std::string_view text) const;
  // The term `m` links to, or null.
  const GlossaryTerm* Resolve(const TermMention& m) const;
  std::vector<std::string> Names() const;
  bool empty() const { return by_name_.empty(); }

 private:
  std::map<std::string, const GlossaryTerm*, std::less<>> by_name_;
  std::map<std::string, const GlossaryTerm*, std::less<>> by_key_;
};

}  // namespace weft::spec
