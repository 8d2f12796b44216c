// The JSON Schemas of the views, for the OpenAPI document: each inferred
// from its ToJson of a sample view (one element in every list), so the
// document describes exactly what the handlers send.
//
//   nlohmann::json schemas = ViewSchemas();   // name -> JSON Schema, with an example
//
// Thread safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>

namespace weft::service {

// Name (e.g. "ProductPage") -> JSON Schema (draft 2020-12, as OpenAPI 3.1 uses).
nlohmann::json ViewSchemas();

// The schema of one JSON value: objects by their members (an object whose
// one member is "*" is a map: its keys are data), arrays by their first
// item; null is any type (the sample cannot say which).
nlohmann::json SchemaOf(const nlohmann::json& example);

}  // namespace weft::service
