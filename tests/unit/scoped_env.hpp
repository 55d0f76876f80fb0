#pragma once
// An environment variable set (or unset: null) for one scope, its previous value restored after.
#include <cstdlib>
#include <optional>
#include <string>

namespace typenet::test {

class scoped_env {
 public:
  scoped_env(const char* name, const char* value) : name_(name) {
    if (const char* v = std::getenv(name)) before_ = v;
    set(value);
  }
  ~scoped_env() { set(before_ ? before_->c_str() : nullptr); }
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;
  void set(const char* value) const { value ? ::setenv(name_.c_str(), value, 1) : ::unsetenv(name_.c_str()); }

 private:
  std::string name_;
  std::optional<std::string> before_;
};

}  // namespace typenet::test
