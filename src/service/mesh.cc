#include "service/mesh.h"

#include <algorithm>

#include "common/time.h"

namespace weft::service {

Mesh::Mesh(control::Workspace ws, std::unique_ptr<catalog::Store> store, std::string secret, MeshOptions options)
    : ws_(std::move(ws)), store_(std::move(store)), secret_(std::move(secret)), options_(options) {}

Result<std::unique_ptr<Mesh>> Mesh::Open(const std::string& workspace, MeshOptions options) {
  ASSIGN_OR_RETURN(control::Workspace ws, control::FindWorkspace(workspace));
  ASSIGN_OR_RETURN(auto store, catalog::OpenStore(ws.CatalogLocation()));
  ASSIGN_OR_RETURN(std::string secret, control::LoadOrCreateSecret(ws));
  return std::unique_ptr<Mesh>(new Mesh(std::move(ws), std::move(store), std::move(secret), options));
}

Result<engine::DuckDbSqlValidator*> Mesh::parser() {
  std::lock_guard lock(mu_);
  if (!parser_) {
    ASSIGN_OR_RETURN(parser_, engine::DuckDbSqlValidator::Create());
  }
  return parser_.get();
}

Result<query::QueryRuntime*> Mesh::runtime() {
  std::lock_guard lock(mu_);
  if (!runtime_) {
    query::RuntimeOptions o = query::RuntimeOptions::For(ws_.root, ws_.settings, secret_);
    o.warm_engines = options_.warm_engines;
    o.max_running = options_.max_running;
    runtime_ = std::make_unique<query::QueryRuntime>(std::move(o));
  }
  return runtime_.get();
}

Result<std::shared_ptr<const access::AccessControl>> Mesh::Access() {
  const auto now = std::chrono::steady_clock::now();
  int64_t generation = 0;
  uint64_t seen = 0;
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (access_ && now - access_checked_ < kAccessFreshFor) return access_;
      seen = changes_;
    }
    ASSIGN_OR_RETURN(generation, store_->Generation());
    std::lock_guard lock(mu_);
    // A write through this Mesh landed while the generation was read: the
    // reading may predate it, and stamping it fresh would let the next
    // requests skip the write (the 30-minute soak saw a revoked grant
    // honoured, and a new one refused, right after the server's own
    // write). Read again.
    if (changes_ != seen) continue;
    if (access_ && access_generation_ >= generation) {
      access_checked_ = std::max(access_checked_, now);
      return access_;
    }
    break;
  }
  // One load per generation: the requests that see a new generation at the
  // same moment (every one in flight, after a write) wait for the first
  // one's load rather than each loading the same rules.
  ASSIGN_OR_RETURN(auto loaded, access_loads_.Get(generation, [this] { return LoadAccess(); }));
  std::lock_guard lock(mu_);
  // A slower loader of an older generation does not replace a newer one.
  if (generation > access_generation_) {
    access_ = loaded;
    access_generation_ = generation;
    reads_ = std::make_shared<query::CatalogReads>(*store_);
    access_loads_.ForgetBefore(generation);
  }
  // Stamped fresh only now that rules as new as the reading are in place:
  // stamped before the load, the requests of the next millisecond were
  // handed the rules the load was replacing (the 30-minute soak again: a
  // revoked grant honoured while another request loaded the revocation).
  if (changes_ == seen) access_checked_ = std::max(access_checked_, now);
  return loaded;
}

Result<Mesh::Rules> Mesh::QueryRules() {
  ASSIGN_OR_RETURN(auto access, Access());
  std::lock_guard lock(mu_);
  // The reads of these rules' generation; if newer rules replaced them
  // meanwhile, reads of their own (the catalog as of now).
  if (access_ == access) return Rules{access, reads_};
  return Rules{access, std::make_shared<query::CatalogReads>(*store_)};
}

Result<std::shared_ptr<const access::AccessControl>> Mesh::LoadAccess() {
  ASSIGN_OR_RETURN(engine::DuckDbSqlValidator * p, parser());
  auto is_type = [p](const std::string& t) { return p->IsType(t); };
  std::shared_ptr<const access::AccessControl> previous;  // its parsed specs are reused
  {
    std::lock_guard lock(mu_);
    previous = access_;
  }
  ASSIGN_OR_RETURN(access::AccessControl ac,
                   access::AccessControl::Load(*store_, {.masking = ws_.settings.masking, .key = secret_, .is_duckdb_type = is_type},
                                               previous.get()));
  return std::make_shared<const access::AccessControl>(std::move(ac));
}

Result<Caller> Mesh::CallerFor(const std::string& name) {
  ASSIGN_OR_RETURN(access::Principal p, access::LoadPrincipal(*store_, name));
  return Caller{std::move(p), NowIso()};
}

void Mesh::CatalogChanged() {
  std::lock_guard lock(mu_);
  access_checked_ = {};
  ++changes_;
}

void Mesh::Shutdown() {
  std::lock_guard lock(mu_);
  if (runtime_) runtime_->Shutdown();
}

void Mesh::Close() {
  std::lock_guard lock(mu_);
  if (runtime_) runtime_->usage().Flush();
  access_.reset();
  reads_.reset();  // it reads through store_
  store_.reset();
}

}  // namespace weft::service
