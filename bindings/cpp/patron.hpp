// patron.hpp — a header-only C++17 wrapper over patron's C ABI (include/patron.h).
//
//   patron::Engine engine;                        // the built-in default policy
//   patron::Engine custom{"/etc/erp/policy"};     // or a policy directory
//   std::string evaluation = engine.evaluate(customer_json, "2026-11-23");
//
// - patron::Engine owns one patron_engine (RAII): move-only, freed by its destructor. It is
//   thread-safe like the handle it wraps: evaluate from many threads, reload from another.
//   A moved-from Engine holds no handle; calling it throws patron::Error with
//   PATRON_ERR_NULL_ARGUMENT.
// - Strings go in and come out as std::string (UTF-8 JSON); every string patron returns is
//   copied and freed at once, every patron_error is turned into an exception and freed.
// - Failures throw patron::Error (a std::runtime_error) carrying the PATRON_ERR_* code and,
//   for an error about a policy file, its file, line and column.
// - patron::check_policy(dir) lists every problem of a policy as JSON, without loading it.
//
// Link as for the C API: -lpatron, or libpatron.a -lpthread -ldl -lm.
#ifndef PATRON_HPP
#define PATRON_HPP

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "patron.h"

namespace patron {

/// A failed patron call: the message of the patron_error, its PATRON_ERR_* code and, for an
/// error about a policy file, the file, line and column (patron_error_file/line/column).
class Error : public std::runtime_error {
public:
    Error(std::int32_t code, const std::string &message, std::string file = std::string(),
          std::size_t line = 0, std::size_t column = 0)
        : std::runtime_error(message), code_(code), file_(std::move(file)), line_(line),
          column_(column) {}

    /// One of the PATRON_ERR_* constants of patron.h.
    std::int32_t code() const noexcept { return code_; }

    /// The policy file the error is about (e.g. "score.rhai"); empty when it is not about one.
    const std::string &file() const noexcept { return file_; }

    /// The 1-based line in file(), 0 when unknown.
    std::size_t line() const noexcept { return line_; }

    /// The 1-based column on line(), 0 when unknown.
    std::size_t column() const noexcept { return column_; }

private:
    std::int32_t code_;
    std::string file_;
    std::size_t line_;
    std::size_t column_;
};

namespace detail {

struct StringFree {
    void operator()(char *s) const noexcept { patron_string_free(s); }
};

struct ErrorFree {
    void operator()(patron_error *e) const noexcept { patron_error_free(e); }
};

/// Throws the error in `err` (taking ownership and freeing it).
[[noreturn]] inline void raise(patron_error *err) {
    std::unique_ptr<patron_error, ErrorFree> owned(err);
    std::int32_t code = patron_error_code(err);
    // A failing call always sets err; PATRON_OK here would mean a broken contract.
    if (code == PATRON_OK) code = PATRON_ERR_INTERNAL;
    const char *file = patron_error_file(err);
    throw Error(code, patron_error_message(err), file ? std::string(file) : std::string(),
                patron_error_line(err), patron_error_column(err));
}

/// Copies a string patron returned into a std::string and frees it; throws on NULL.
inline std::string take(char *result, patron_error *err) {
    if (result == nullptr) raise(err);
    std::unique_ptr<char, StringFree> owned(result);
    patron_error_free(err);  // NULL on success; freed in case of a broken contract
    return std::string(result);
}

/// C strings end at the first NUL: refuse arguments that would be cut short silently.
inline const char *c_arg(const std::string &value, const char *name) {
    if (value.find('\0') != std::string::npos)
        throw Error(PATRON_ERR_INVALID_INPUT,
                    std::string("argument `") + name + "` contains a NUL byte");
    return value.c_str();
}

inline const char *c_arg(const std::optional<std::string> &value, const char *name) {
    return value ? c_arg(*value, name) : nullptr;
}

}  // namespace detail

/// The version of the patron library, e.g. "0.1.0".
inline std::string version() { return patron_version(); }

/// Every problem of the policy in `policy_dir`, without loading it, as the JSON array of
/// patron_policy_check ("[]" for a clean policy). Throws Error only when the directory cannot
/// be read (PATRON_ERR_POLICY) or for a bad argument.
inline std::string check_policy(const std::string &policy_dir) {
    patron_error *err = nullptr;
    char *result = patron_policy_check(detail::c_arg(policy_dir, "policy_dir"), &err);
    return detail::take(result, err);
}

/// A rules engine serving one policy at a time (owns a patron_engine).
class Engine {
public:
    /// An engine on the built-in default policy.
    Engine() : Engine(std::nullopt) {}

    /// An engine on the policy in `policy_dir`, or the built-in default when empty
    /// (std::nullopt). Throws Error (PATRON_ERR_POLICY, …) when the policy does not load.
    explicit Engine(const std::optional<std::string> &policy_dir) {
        patron_error *err = nullptr;
        handle_ = patron_engine_new(detail::c_arg(policy_dir, "policy_dir"), &err);
        if (handle_ == nullptr) detail::raise(err);
    }

    ~Engine() { patron_engine_free(handle_); }

    Engine(const Engine &) = delete;
    Engine &operator=(const Engine &) = delete;

    Engine(Engine &&other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}

    Engine &operator=(Engine &&other) noexcept {
        if (this != &other) {
            patron_engine_free(handle_);
            handle_ = std::exchange(other.handle_, nullptr);
        }
        return *this;
    }

    /// Evaluates one customer (a JSON object) as of `as_of` (YYYY-MM-DD; std::nullopt means
    /// today's local date); returns the evaluation as JSON.
    std::string evaluate(const std::string &customer_json,
                         const std::optional<std::string> &as_of = std::nullopt) const {
        patron_error *err = nullptr;
        char *result = patron_evaluate(handle_, detail::c_arg(customer_json, "customer_json"),
                                       detail::c_arg(as_of, "as_of"), &err);
        return detail::take(result, err);
    }

    /// Evaluates a JSON array or JSON Lines of customers; returns a JSON array with one item
    /// per record, in order (a failed record's error in its place).
    std::string evaluate_batch(const std::string &customers_json,
                               const std::optional<std::string> &as_of = std::nullopt) const {
        patron_error *err = nullptr;
        char *result =
            patron_evaluate_batch(handle_, detail::c_arg(customers_json, "customers_json"),
                                  detail::c_arg(as_of, "as_of"), &err);
        return detail::take(result, err);
    }

    /// Loads the policy in `policy_dir` and swaps it in atomically; on failure throws and
    /// the old policy keeps serving.
    void reload(const std::string &policy_dir) {
        patron_error *err = nullptr;
        if (patron_engine_reload(handle_, detail::c_arg(policy_dir, "policy_dir"), &err) !=
            PATRON_OK)
            detail::raise(err);
        patron_error_free(err);
    }

    /// The policy serving now (name, version, hash, grades, stages, …) as JSON.
    std::string policy_info() const {
        patron_error *err = nullptr;
        char *result = patron_policy_info(handle_, &err);
        return detail::take(result, err);
    }

    /// The month plan for `customers_json` (a JSON array or JSON Lines) and `request_json`
    /// (`{"month": "2026-12", "owner": …, "visits_per_day": 4, "calls_per_day": 30,
    /// "min_calls_per_week": 18, …}`: capacities a day, the weekly callback minimum), as JSON.
    std::string plan(const std::string &customers_json, const std::string &request_json) const {
        patron_error *err = nullptr;
        char *result = patron_plan(handle_, detail::c_arg(customers_json, "customers_json"),
                                   detail::c_arg(request_json, "request_json"), &err);
        return detail::take(result, err);
    }

    /// The underlying handle, for calling the C API directly (still owned by this Engine).
    patron_engine *get() const noexcept { return handle_; }

    /// Whether this Engine holds a handle (false once moved from).
    explicit operator bool() const noexcept { return handle_ != nullptr; }

private:
    patron_engine *handle_ = nullptr;
};

}  // namespace patron

#endif  // PATRON_HPP
