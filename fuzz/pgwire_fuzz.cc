// libFuzzer target: the PostgreSQL endpoint's message decoder and its
// session state machine (src/pgwire/). The input is read twice: as the body
// of every kind of frontend message (each decoder must refuse what it
// cannot read, never read past the body), and as a client's byte stream —
// framed as the listener frames it and fed to a real Session over a real
// Mesh (an empty workspace, a caller with no grants), through a transport
// in memory. Oracle: no crash, no hang, no sanitizer report; every backend
// message the session writes is well framed.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "common/files.h"
#include "common/time.h"
#include "control/workspace.h"
#include "pgwire/introspection.h"
#include "pgwire/messages.h"
#include "pgwire/session.h"
#include "pgwire/testing.h"
#include "service/mesh.h"

namespace {

namespace fs = std::filesystem;
using namespace weft;

struct World {
  std::unique_ptr<service::Mesh> mesh;
  std::unique_ptr<pgwire::Introspection> introspection;
};

void Check(const Status& s, const char* what) {
  if (s.ok()) return;
  fprintf(stderr, "fuzz_pgwire setup: %s: %s\n", what, s.message().c_str());
  std::abort();
}

World& Setup() {
  static World* w = [] {
    auto* world = new World;
    const fs::path root = fs::temp_directory_path() / ("weft-fuzz-pgwire-" + std::to_string(::getpid()));
    fs::remove_all(root);
    Check(control::InitWorkspace(root, "fuzz").status(), "init");
    Check(WriteStringToFile(root / "weft.yaml",
                            "apiVersion: weft/v1\nkind: Workspace\nname: fuzz\npolicyPacks: []\ncurrency: USD\n"
                            "query: {timeoutSeconds: 2}\n",
                            true),
          "settings");
    auto mesh = service::Mesh::Open(root.string(), {.warm_engines = 4});
    Check(mesh.status(), "mesh");
    world->mesh = std::move(*mesh);
    world->introspection = std::make_unique<pgwire::Introspection>(*world->mesh);
    return world;
  }();
  return *w;
}

// Every backend message is a type byte and a length that covers its body exactly.
void CheckFraming(const std::string& out) {
  size_t at = 0;
  while (at < out.size()) {
    if (out.size() - at < 5) std::abort();
    uint32_t len = 0;
    for (int i = 1; i <= 4; ++i) len = (len << 8) | static_cast<uint8_t>(out[at + i]);
    if (len < 4 || out.size() - at - 1 < len) std::abort();
    at += 1 + len;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  pgwire::DecodeStartup(body).status().IgnoreError();
  pgwire::DecodeQuery(body).status().IgnoreError();
  pgwire::DecodePassword(body).status().IgnoreError();
  pgwire::DecodeParse(body).status().IgnoreError();
  pgwire::DecodeBind(body).status().IgnoreError();
  pgwire::DecodeDescribe(body).status().IgnoreError();
  pgwire::DecodeExecute(body).status().IgnoreError();
  pgwire::DecodeClose(body).status().IgnoreError();

  World& world = Setup();
  pgwire::testing::MemoryTransport transport{std::string(body)};
  const service::Caller caller{access::Principal{.name = "fuzz", .kind = "user"}, NowIso()};
  {
    pgwire::Session session(*world.mesh, *world.introspection, caller, transport,
                            {.cancel = std::make_shared<std::atomic<bool>>(false)});
    const auto far = pgwire::Clock::now() + std::chrono::seconds(1);
    for (int i = 0; i < 64; ++i) {
      auto frame =
          pgwire::ReadFrame(transport, /*startup=*/false, pgwire::kMaxMessageLength, far, std::chrono::seconds(1));
      if (!frame.ok()) break;
      auto more = session.Handle(*frame);
      if (!more.ok() || !*more) break;
    }
    session.Flush().IgnoreError();
  }  // portals (and their query threads) end with the session
  CheckFraming(transport.output());
  return 0;
}
