#include "spec/standard_schemas.h"

#include <gtest/gtest.h>

namespace weft::spec {
namespace {

TEST(StandardSchemasTest, EveryEmbeddedSchemaCompiles) {
  for (const char* version : {"v3.0.0", "v3.0.1", "v3.0.2", "v3.1.0"})
    EXPECT_NE(StandardSchema(DocKind::kDataContract, version), nullptr) << version;
  for (const char* version : {"v0.9.0", "v1.0.0"})
    EXPECT_NE(StandardSchema(DocKind::kDataProduct, version), nullptr) << version;
  EXPECT_EQ(StandardSchema(DocKind::kDomain, "weft/v1"), nullptr);
  EXPECT_EQ(StandardSchema(DocKind::kDataContract, "v9.9.9"), nullptr);
}

}  // namespace
}  // namespace weft::spec
