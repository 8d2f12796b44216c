// For lakehouse/'s tests: runs a Python script with Debian's python3
// (which has python3-avro; the python3 on PATH may not), the independent
// reader the manifests are checked with. Its "map" logical type warning (an
// Iceberg convention python3-avro does not know) is silenced.
#pragma once

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace weft::lakehouse {

struct PythonRun {
  int status = -1;  // pclose's: 0 when the script exited 0
  std::string output;  // stdout and stderr
};

// Writes `script` to `dir`/check.py and runs it with `args` (already quoted).
inline PythonRun RunPython(const std::filesystem::path& dir, const std::string& script, const std::string& args) {
  std::ofstream(dir / "check.py") << script;
  PythonRun run;
  FILE* p = ::popen(("/usr/bin/python3 -W ignore " + (dir / "check.py").string() + " " + args + " 2>&1").c_str(), "r");
  if (!p) return run;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) run.output += buf;
  run.status = ::pclose(p);
  return run;
}

}  // namespace weft::lakehouse
