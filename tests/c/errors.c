/*
 * Errors through patron's C ABI: every error code reachable from C (1..6 here; 7,
 * PATRON_ERR_LIMIT, in limits.c; 8, PATRON_ERR_INTERNAL, needs a bug in patron: panic.c
 * checks the boundary with a script that used to panic, and the Rust unit tests of the
 * boundary guard cover the code), NULL
 * for every pointer argument of every function, invalid UTF-8 in every string argument,
 * malformed JSON, a bad as_of, err = NULL on failing calls, and the NULL error object.
 */
#include "test_util.h"

static const char *OK_CUSTOMER = "{\"id\":\"C-1\",\"grade\":\"B\",\"region\":\"same_city\"}";
static const char *AS_OF = "2026-11-23";
static const char *PLAN_CUSTOMERS = "[{\"id\":\"P-1\",\"owner\":\"rep-07\",\"grade\":\"A\"}]";
/* "{" 0xFF "}": not UTF-8. */
static const char BAD_UTF8[] = {'{', (char)0xff, '}', '\0'};

/* Expects a NULL result and `code` in err, naming `needle`; also calls again with err = NULL. */
#define EXPECT_NULL_RESULT(call_with_err, call_without_err, code, needle) \
    do {                                                                  \
        patron_error *e_ = (patron_error *)&e_;                           \
        char *r_ = (call_with_err);                                       \
        CHECK(r_ == NULL);                                                \
        patron_string_free(r_);                                           \
        CHECK_ERROR(e_, (code), (needle));                                \
        char *r2_ = (call_without_err);                                   \
        CHECK(r2_ == NULL);                                               \
        patron_string_free(r2_);                                          \
    } while (0)

int main(int argc, char **argv) {
    REQUIRE(argc >= 2);
    const char *fixtures = argv[1];
    patron_error *err = NULL;
    patron_engine *engine = patron_engine_new(NULL, &err);
    REQUIRE(engine != NULL && err == NULL);

    /* ---- The NULL error object and NULL to the free functions ---- */
    CHECK(patron_error_code(NULL) == PATRON_OK);
    CHECK(patron_error_message(NULL) != NULL && strcmp(patron_error_message(NULL), "no error") == 0);
    patron_error_free(NULL);
    patron_string_free(NULL);
    patron_engine_free(NULL);

    /* ---- PATRON_ERR_NULL_ARGUMENT (1): every pointer argument of every function ---- */
    /* patron_engine_new: policy_dir NULL is the built-in default (not an error); err NULL. */
    patron_engine *other = patron_engine_new(NULL, NULL);
    CHECK(other != NULL);
    patron_engine_free(other);

    /* patron_engine_reload(e, policy_dir, err) */
    err = NULL;
    CHECK(patron_engine_reload(NULL, "x", &err) == PATRON_ERR_NULL_ARGUMENT);
    CHECK_ERROR(err, PATRON_ERR_NULL_ARGUMENT, "`e`");
    CHECK(patron_engine_reload(engine, NULL, &err) == PATRON_ERR_NULL_ARGUMENT);
    CHECK_ERROR(err, PATRON_ERR_NULL_ARGUMENT, "`policy_dir`");
    CHECK(patron_engine_reload(NULL, NULL, NULL) == PATRON_ERR_NULL_ARGUMENT);
    CHECK(patron_engine_reload(engine, NULL, NULL) == PATRON_ERR_NULL_ARGUMENT);

    /* patron_policy_info(e, err) */
    EXPECT_NULL_RESULT(patron_policy_info(NULL, &e_), patron_policy_info(NULL, NULL),
                       PATRON_ERR_NULL_ARGUMENT, "`e`");
    char *info = patron_policy_info(engine, NULL);
    CHECK(info != NULL);
    patron_string_free(info);

    /* patron_evaluate(e, customer_json, as_of, err); as_of NULL means today */
    EXPECT_NULL_RESULT(patron_evaluate(NULL, OK_CUSTOMER, AS_OF, &e_),
                       patron_evaluate(NULL, OK_CUSTOMER, AS_OF, NULL), PATRON_ERR_NULL_ARGUMENT,
                       "`e`");
    EXPECT_NULL_RESULT(patron_evaluate(engine, NULL, AS_OF, &e_),
                       patron_evaluate(engine, NULL, AS_OF, NULL), PATRON_ERR_NULL_ARGUMENT,
                       "`customer_json`");
    EXPECT_NULL_RESULT(patron_evaluate(NULL, NULL, NULL, &e_), patron_evaluate(NULL, NULL, NULL, NULL),
                       PATRON_ERR_NULL_ARGUMENT, "`e`");
    char *today = patron_evaluate(engine, OK_CUSTOMER, NULL, NULL);
    CHECK(today != NULL);
    patron_string_free(today);

    /* patron_evaluate_batch(e, customers_json, as_of, err) */
    EXPECT_NULL_RESULT(patron_evaluate_batch(NULL, "[]", AS_OF, &e_),
                       patron_evaluate_batch(NULL, "[]", AS_OF, NULL), PATRON_ERR_NULL_ARGUMENT,
                       "`e`");
    EXPECT_NULL_RESULT(patron_evaluate_batch(engine, NULL, AS_OF, &e_),
                       patron_evaluate_batch(engine, NULL, AS_OF, NULL), PATRON_ERR_NULL_ARGUMENT,
                       "`customers_json`");
    today = patron_evaluate_batch(engine, "[]", NULL, &err);
    CHECK(today != NULL && err == NULL && json_array_length(today) == 0);
    patron_string_free(today);

    /* patron_plan(e, customers_json, request_json, err) */
    EXPECT_NULL_RESULT(patron_plan(NULL, "[]", "{}", &e_), patron_plan(NULL, "[]", "{}", NULL),
                       PATRON_ERR_NULL_ARGUMENT, "`e`");
    EXPECT_NULL_RESULT(patron_plan(engine, NULL, "{}", &e_), patron_plan(engine, NULL, "{}", NULL),
                       PATRON_ERR_NULL_ARGUMENT, "`customers_json`");
    EXPECT_NULL_RESULT(patron_plan(engine, "[]", NULL, &e_), patron_plan(engine, "[]", NULL, NULL),
                       PATRON_ERR_NULL_ARGUMENT, "`request_json`");

    /* ---- PATRON_ERR_INVALID_UTF8 (2): every string argument ---- */
    other = patron_engine_new(BAD_UTF8, &err);
    CHECK(other == NULL);
    CHECK_ERROR(err, PATRON_ERR_INVALID_UTF8, "`policy_dir`");
    CHECK(patron_engine_new(BAD_UTF8, NULL) == NULL);
    CHECK(patron_engine_reload(engine, BAD_UTF8, &err) == PATRON_ERR_INVALID_UTF8);
    CHECK_ERROR(err, PATRON_ERR_INVALID_UTF8, "`policy_dir`");
    EXPECT_NULL_RESULT(patron_evaluate(engine, BAD_UTF8, AS_OF, &e_),
                       patron_evaluate(engine, BAD_UTF8, AS_OF, NULL), PATRON_ERR_INVALID_UTF8,
                       "`customer_json`");
    EXPECT_NULL_RESULT(patron_evaluate(engine, OK_CUSTOMER, BAD_UTF8, &e_),
                       patron_evaluate(engine, OK_CUSTOMER, BAD_UTF8, NULL), PATRON_ERR_INVALID_UTF8,
                       "`as_of`");
    EXPECT_NULL_RESULT(patron_evaluate_batch(engine, BAD_UTF8, AS_OF, &e_),
                       patron_evaluate_batch(engine, BAD_UTF8, AS_OF, NULL), PATRON_ERR_INVALID_UTF8,
                       "`customers_json`");
    EXPECT_NULL_RESULT(patron_evaluate_batch(engine, "[]", BAD_UTF8, &e_),
                       patron_evaluate_batch(engine, "[]", BAD_UTF8, NULL), PATRON_ERR_INVALID_UTF8,
                       "`as_of`");
    EXPECT_NULL_RESULT(patron_plan(engine, BAD_UTF8, "{}", &e_), patron_plan(engine, BAD_UTF8, "{}", NULL),
                       PATRON_ERR_INVALID_UTF8, "`customers_json`");
    EXPECT_NULL_RESULT(patron_plan(engine, "[]", BAD_UTF8, &e_), patron_plan(engine, "[]", BAD_UTF8, NULL),
                       PATRON_ERR_INVALID_UTF8, "`request_json`");

    /* ---- PATRON_ERR_INVALID_JSON (3): malformed JSON ---- */
    EXPECT_NULL_RESULT(patron_evaluate(engine, "{\"id\": \"C-1\"", AS_OF, &e_),
                       patron_evaluate(engine, "{\"id\": \"C-1\"", AS_OF, NULL),
                       PATRON_ERR_INVALID_JSON, "malformed JSON");
    EXPECT_NULL_RESULT(patron_evaluate(engine, "", AS_OF, &e_), patron_evaluate(engine, "", AS_OF, NULL),
                       PATRON_ERR_INVALID_JSON, NULL);
    EXPECT_NULL_RESULT(patron_evaluate(engine, "{\"id\":\"C-1\"} trailing", AS_OF, &e_),
                       patron_evaluate(engine, "{\"id\":\"C-1\"} trailing", AS_OF, NULL),
                       PATRON_ERR_INVALID_JSON, NULL);
    /* A batch that is not a well-formed array fails as a whole... */
    EXPECT_NULL_RESULT(patron_evaluate_batch(engine, "[{\"id\":\"C-1\"},", AS_OF, &e_),
                       patron_evaluate_batch(engine, "[{\"id\":\"C-1\"},", AS_OF, NULL),
                       PATRON_ERR_INVALID_JSON, "array");
    EXPECT_NULL_RESULT(patron_plan(engine, PLAN_CUSTOMERS, "{\"month\":", &e_),
                       patron_plan(engine, PLAN_CUSTOMERS, "{\"month\":", NULL),
                       PATRON_ERR_INVALID_JSON, "request");
    /* ...while a malformed JSON Lines record fails in its place, and the others are evaluated. */
    char *batch = patron_evaluate_batch(engine, "{\"id\":\"J-1\"}\n{\"id\": oops}\n{\"id\":\"J-3\"}\n",
                                        AS_OF, &err);
    REQUIRE(batch != NULL);
    CHECK(err == NULL);
    CHECK(json_array_length(batch) == 3);
    CHECK(contains(batch, "\"line\":2,\"error\":{\"code\":3,\"kind\":\"invalid_json\""));
    CHECK(contains(batch, "\"customer_id\":\"J-3\""));
    patron_string_free(batch);

    /* ---- PATRON_ERR_INVALID_INPUT (4): JSON that breaks the contract, a bad as_of, a bad plan
     * request ---- */
    EXPECT_NULL_RESULT(patron_evaluate(engine, "{\"name\":\"no id\"}", AS_OF, &e_),
                       patron_evaluate(engine, "{\"name\":\"no id\"}", AS_OF, NULL),
                       PATRON_ERR_INVALID_INPUT, "`id`");
    EXPECT_NULL_RESULT(patron_evaluate(engine, "{\"id\":\"C-1\",\"grade\":\"Z\"}", AS_OF, &e_),
                       patron_evaluate(engine, "{\"id\":\"C-1\",\"grade\":\"Z\"}", AS_OF, NULL),
                       PATRON_ERR_INVALID_INPUT, "grade");
    EXPECT_NULL_RESULT(
        patron_evaluate(engine, "{\"id\":\"C-1\",\"purchases\":[{\"at\":\"soon\",\"amount\":1}]}", AS_OF, &e_),
        patron_evaluate(engine, "{\"id\":\"C-1\",\"purchases\":[{\"at\":\"soon\",\"amount\":1}]}", AS_OF, NULL),
        PATRON_ERR_INVALID_INPUT, "purchases[0].at");
    EXPECT_NULL_RESULT(patron_evaluate(engine, OK_CUSTOMER, "23/11/2026", &e_),
                       patron_evaluate(engine, OK_CUSTOMER, "23/11/2026", NULL),
                       PATRON_ERR_INVALID_INPUT, "`as_of`");
    EXPECT_NULL_RESULT(patron_evaluate_batch(engine, "[]", "2026-02-30", &e_),
                       patron_evaluate_batch(engine, "[]", "2026-02-30", NULL),
                       PATRON_ERR_INVALID_INPUT, "`as_of`");
    EXPECT_NULL_RESULT(patron_plan(engine, PLAN_CUSTOMERS, "{\"month\":\"2026-13\"}", &e_),
                       patron_plan(engine, PLAN_CUSTOMERS, "{\"month\":\"2026-13\"}", NULL),
                       PATRON_ERR_INVALID_INPUT, "`month`");
    EXPECT_NULL_RESULT(patron_plan(engine, PLAN_CUSTOMERS, "{\"month\":\"2026-12\",\"owner\":\"nobody\"}", &e_),
                       patron_plan(engine, PLAN_CUSTOMERS, "{\"month\":\"2026-12\",\"owner\":\"nobody\"}", NULL),
                       PATRON_ERR_INVALID_INPUT, "`owner`");
    /* A plan needs every customer: one unreadable record fails it. */
    EXPECT_NULL_RESULT(patron_plan(engine, "[{\"id\":\"P-1\",\"grade\":\"Q\"}]", "{\"month\":\"2026-12\"}", &e_),
                       patron_plan(engine, "[{\"id\":\"P-1\",\"grade\":\"Q\"}]", "{\"month\":\"2026-12\"}", NULL),
                       PATRON_ERR_INVALID_INPUT, "P-1");

    /* ---- PATRON_ERR_POLICY (5): a policy that does not load ---- */
    char *broken = path_join(fixtures, "broken");
    char *missing = path_join(fixtures, "no-such-policy");
    other = patron_engine_new(broken, &err);
    CHECK(other == NULL);
    CHECK_ERROR(err, PATRON_ERR_POLICY, "promote.rhai");
    other = patron_engine_new(missing, &err);
    CHECK(other == NULL);
    CHECK_ERROR(err, PATRON_ERR_POLICY, "no-such-policy");
    CHECK(patron_engine_new(broken, NULL) == NULL);
    CHECK(patron_engine_reload(engine, broken, &err) == PATRON_ERR_POLICY);
    CHECK_ERROR(err, PATRON_ERR_POLICY, "promote.rhai");
    CHECK(patron_engine_reload(engine, missing, NULL) == PATRON_ERR_POLICY);
    free(broken);
    free(missing);

    /* ---- PATRON_ERR_SCRIPT (6): a script that fails at run time ---- */
    char *throws = path_join(fixtures, "throws");
    patron_engine *throwing = patron_engine_new(throws, &err);
    REQUIRE(throwing != NULL && err == NULL);
    EXPECT_NULL_RESULT(patron_evaluate(throwing, OK_CUSTOMER, AS_OF, &e_),
                       patron_evaluate(throwing, OK_CUSTOMER, AS_OF, NULL), PATRON_ERR_SCRIPT,
                       "fails on purpose");
    /* In a batch the script error stands in the record's place. */
    batch = patron_evaluate_batch(throwing, "[{\"id\":\"S-1\"},{\"id\":\"S-2\"}]", AS_OF, &err);
    REQUIRE(batch != NULL);
    CHECK(err == NULL && json_array_length(batch) == 2);
    CHECK(count_of(batch, "\"kind\":\"script\"") == 2);
    patron_string_free(batch);
    patron_engine_free(throwing);
    free(throws);

    /* ---- PATRON_ERR_LIMIT (7) is covered in limits.c ---- */

    /* The engine still serves after all of the above. */
    char *result = patron_evaluate(engine, OK_CUSTOMER, AS_OF, &err);
    CHECK(result != NULL && err == NULL && json_valid(result));
    patron_string_free(result);
    patron_engine_free(engine);
    return test_finish("errors");
}
