// A webhook receiver on loopback for the end-to-end tests: a real HTTP
// server that records what weft delivers.
#pragma once

#include <httplib.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace weft::e2e {

// Records every POST; answers 503 to the first `fail_first` of them.
class Receiver {
 public:
  struct Hit {
    std::string signature, event_id, body;
  };

  explicit Receiver(int fail_first) : fail_first_(fail_first) {
    server_.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      if (calls_++ < fail_first_) {
        res.status = 503;
        return;
      }
      hits_.push_back({req.get_header_value("Weft-Signature"), req.get_header_value("Weft-Event-Id"), req.body});
      res.status = 204;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~Receiver() {
    server_.stop();
    thread_.join();
  }

  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  std::vector<Hit> Hits() {
    std::lock_guard lock(mu_);
    return hits_;
  }
  int Calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  int fail_first_ = 0;
  int calls_ = 0;
  std::vector<Hit> hits_;
};

}  // namespace weft::e2e
