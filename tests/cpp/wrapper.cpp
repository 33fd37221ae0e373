// The C++ wrapper bindings/cpp/patron.hpp: RAII and move-only, std::string in and out,
// patron::Error with the code and the location, evaluate / evaluate_batch / reload /
// policy_info / plan, check_policy, and one Engine shared by threads. Takes the fixture
// policy directory as argv[1].
#include <atomic>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "patron.hpp"

static_assert(!std::is_copy_constructible_v<patron::Engine>, "Engine is move-only");
static_assert(!std::is_copy_assignable_v<patron::Engine>, "Engine is move-only");
static_assert(std::is_nothrow_move_constructible_v<patron::Engine>, "Engine moves");
static_assert(std::is_nothrow_move_assignable_v<patron::Engine>, "Engine moves");
static_assert(std::is_base_of_v<std::runtime_error, patron::Error>, "Error is a runtime_error");

static int failures = 0;

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                                  \
        }                                                                                \
    } while (0)

static bool has(const std::string &haystack, const std::string &needle) {
    return haystack.find(needle) != std::string::npos;
}

// Runs `f`, expecting patron::Error with `code` and a message containing `needle`.
template <typename F>
static void expect_error(F f, std::int32_t code, const std::string &needle, int line) {
    try {
        f();
        std::fprintf(stderr, "line %d: expected patron::Error %d, nothing thrown\n", line, code);
        failures++;
    } catch (const patron::Error &e) {
        if (e.code() != code || !has(e.what(), needle)) {
            std::fprintf(stderr, "line %d: expected %d containing \"%s\", got %d: %s\n", line, code,
                         needle.c_str(), e.code(), e.what());
            failures++;
        }
    }
}
#define EXPECT_ERROR(expr, code, needle) expect_error([&] { (void)(expr); }, (code), (needle), __LINE__)

static std::string hash_of(const std::string &json) {
    auto at = json.find("\"hash\":\"");
    if (at == std::string::npos) return "";
    at += 8;
    return json.substr(at, json.find('"', at) - at);
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    const std::string fixtures = argv[1];
    const std::string customer =
        R"({"id":"C-1001","grade":"C","grade_since":"2026-06-01","region":"same_city",)"
        R"("purchases":[{"at":"2026-05-02","amount":12000},{"at":"2026-10-02","amount":8000}]})";

    CHECK(!patron::version().empty());

    patron::Engine engine;
    CHECK(static_cast<bool>(engine));
    std::string result = engine.evaluate(customer, std::string("2026-11-23"));
    CHECK(has(result, R"("grade":{"from":"C","to":"B","changed":true)"));
    CHECK(has(result, R"("stage":{)"));
    CHECK(has(engine.evaluate(customer), R"("customer_id":"C-1001")"));  // as_of: today

    std::string batch = engine.evaluate_batch(R"([{"id":"A-1"},{"id":"A-2","grade":"Z"}])",
                                              std::string("2026-11-23"));
    CHECK(has(batch, R"("customer_id":"A-1")"));
    CHECK(has(batch, R"("error":{"code":4)"));

    std::string info = engine.policy_info();
    CHECK(has(info, R"("name":"default")"));

    // Errors carry their code.
    EXPECT_ERROR(engine.evaluate("{not json"), PATRON_ERR_INVALID_JSON, "malformed JSON");
    EXPECT_ERROR(engine.evaluate(R"({"name":"no id"})"), PATRON_ERR_INVALID_INPUT, "`id`");
    EXPECT_ERROR(engine.evaluate(customer, std::string("tomorrow")), PATRON_ERR_INVALID_INPUT,
                 "`as_of`");
    EXPECT_ERROR(engine.evaluate(std::string("{\"id\":\"\xff\"}")), PATRON_ERR_INVALID_UTF8,
                 "customer_json");
    EXPECT_ERROR(engine.evaluate(std::string("{\"id\":\"a\0b\"}", 13)), PATRON_ERR_INVALID_INPUT,
                 "NUL");
    std::string plan = engine.plan(R"([{"id":"P-1","owner":"rep-07","grade":"A"}])",
                                   R"({"month":"2026-12","owner":"rep-07"})");
    CHECK(has(plan, R"("customer_id":"P-1","kind":"visit")"));
    EXPECT_ERROR(engine.plan("[]", R"({"month":"2026-13"})"), PATRON_ERR_INVALID_INPUT, "`month`");
    EXPECT_ERROR(patron::Engine(fixtures + "/broken"), PATRON_ERR_POLICY, "promote.rhai");
    try {
        engine.evaluate("[");
    } catch (const std::runtime_error &e) {  // catchable as a standard exception
        CHECK(std::strlen(e.what()) > 0);
    }

    // Reload good and bad: a failed reload leaves the old policy serving.
    patron::Engine steady{fixtures + "/steady-a"};
    const std::string hash_a = hash_of(steady.policy_info());
    steady.reload(fixtures + "/steady-b");
    const std::string hash_b = hash_of(steady.policy_info());
    CHECK(!hash_a.empty() && !hash_b.empty() && hash_a != hash_b);
    EXPECT_ERROR(steady.reload(fixtures + "/broken"), PATRON_ERR_POLICY, "promote.rhai");
    EXPECT_ERROR(steady.reload(fixtures + "/no-such-policy"), PATRON_ERR_POLICY, "");
    CHECK(hash_of(steady.policy_info()) == hash_b);
    CHECK(hash_of(steady.evaluate(customer, std::string("2026-11-23"))) == hash_b);

    // Every problem of a policy, and the first one's location on the exception.
    CHECK(patron::check_policy(fixtures + "/steady-a") == "[]");
    const std::string problems = patron::check_policy(fixtures + "/two-errors");
    CHECK(has(problems, "\"file\":\"visits.rhai\",\"line\":10,\"column\":37,"));
    CHECK(has(problems, "\"file\":\"score.rhai\",\"line\":11,\"column\":24,"));
    EXPECT_ERROR(patron::check_policy(fixtures + "/no-such-policy"), PATRON_ERR_POLICY, "");
    try {
        steady.reload(fixtures + "/two-errors");
        CHECK(false);
    } catch (const patron::Error &e) {
        CHECK(e.code() == PATRON_ERR_POLICY);
        CHECK(e.file() == "visits.rhai" && e.line() == 10 && e.column() == 37);
        CHECK(has(e.what(), "score.rhai:11:24"));
    }
    try {
        steady.evaluate("{\"id\":");
        CHECK(false);
    } catch (const patron::Error &e) {
        CHECK(e.code() == PATRON_ERR_INVALID_JSON);
        CHECK(e.file().empty() && e.line() == 0 && e.column() == 0);
    }

    // Script failures and limits.
    patron::Engine throwing{fixtures + "/throws"};
    EXPECT_ERROR(throwing.evaluate(customer), PATRON_ERR_SCRIPT, "fails on purpose");
    patron::Engine looping{fixtures + "/loop"};
    EXPECT_ERROR(looping.evaluate(R"({"id":"loop-1"})"), PATRON_ERR_LIMIT, "limit");
    CHECK(has(looping.evaluate(R"({"id":"ok-1"})"), R"("customer_id":"ok-1")"));

    // Move-only RAII: the moved-from engine holds nothing and says so when called.
    patron::Engine moved = std::move(steady);
    CHECK(static_cast<bool>(moved) && !static_cast<bool>(steady));
    CHECK(hash_of(moved.policy_info()) == hash_b);
    EXPECT_ERROR(steady.policy_info(), PATRON_ERR_NULL_ARGUMENT, "`e`");
    steady = std::move(moved);
    CHECK(static_cast<bool>(steady));
    CHECK(patron_engine_reload(steady.get(), (fixtures + "/steady-a").c_str(), nullptr) == PATRON_OK);
    CHECK(hash_of(steady.policy_info()) == hash_a);

    // One Engine shared by threads while another reloads it.
    std::atomic<int> bad{0};
    std::atomic<bool> done{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; t++) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 20 || !done.load(); i++) {
                try {
                    std::string id = "P-" + std::to_string(t) + "-" + std::to_string(i);
                    std::string out = steady.evaluate(R"({"id":")" + id + R"(","grade":"B"})",
                                                      std::string("2026-11-23"));
                    std::string h = hash_of(out);
                    if (!has(out, id) || (h != hash_a && h != hash_b)) bad++;
                } catch (const patron::Error &e) {
                    std::fprintf(stderr, "thread %d: %s\n", t, e.what());
                    bad++;
                }
            }
        });
    }
    for (int i = 0; i < 20; i++) steady.reload(fixtures + (i % 2 ? "/steady-a" : "/steady-b"));
    done = true;
    for (auto &thread : threads) thread.join();
    CHECK(bad.load() == 0);

    if (failures) {
        std::fprintf(stderr, "wrapper: %d check(s) failed\n", failures);
        return 1;
    }
    std::printf("wrapper: all checks passed\n");
    return 0;
}
