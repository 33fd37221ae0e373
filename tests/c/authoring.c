/*
 * Policy authoring through patron's C ABI: an evaluation with a trace
 * (patron_evaluate_with_options) and the impact report of a candidate policy (patron_diff),
 * with their bad arguments.
 */
#include "test_util.h"

static const char *CUSTOMER =
    "{\"id\":\"X-1\",\"grade\":\"C\",\"grade_since\":\"2026-06-01\","
    "\"purchases\":[{\"at\":\"2026-05-01\",\"amount\":10},{\"at\":\"2026-10-01\",\"amount\":5}]}";

static const char *CUSTOMERS =
    "{\"id\":\"X-1\",\"grade\":\"B\",\"region\":\"same_city\"}\n"
    "not json\n"
    "{\"id\":\"X-2\",\"grade\":\"A\",\"region\":\"same_city\"}\n";

int main(int argc, char **argv) {
    REQUIRE(argc >= 2);
    char *steady_b = path_join(argv[1], "steady-b");
    char *broken = path_join(argv[1], "broken");
    patron_error *err = NULL;
    patron_engine *engine = patron_engine_new(NULL, &err);
    REQUIRE(engine != NULL && err == NULL);

    /* With explain: a trace naming the rule; without options: none. */
    char *explained = patron_evaluate_with_options(engine, CUSTOMER, "2026-11-23", "{\"explain\":true}", &err);
    REQUIRE(explained != NULL && err == NULL);
    CHECK(contains(explained, "\"trace\""));
    CHECK(contains(explained, "promote.rhai::grade"));
    CHECK(contains(explained, "\"to\":\"B\""));
    patron_string_free(explained);
    char *plain = patron_evaluate_with_options(engine, CUSTOMER, "2026-11-23", NULL, &err);
    REQUIRE(plain != NULL && err == NULL);
    CHECK(!contains(plain, "\"trace\""));
    patron_string_free(plain);

    /* Bad options and NULL arguments. */
    CHECK(patron_evaluate_with_options(engine, CUSTOMER, "2026-11-23", "{\"explian\":true}", &err) == NULL);
    CHECK_ERROR(err, PATRON_ERR_INVALID_INPUT, "options_json");
    CHECK(patron_evaluate_with_options(NULL, CUSTOMER, NULL, NULL, &err) == NULL);
    CHECK_ERROR(err, PATRON_ERR_NULL_ARGUMENT, "`e`");
    CHECK(patron_evaluate_with_options(engine, NULL, NULL, NULL, &err) == NULL);
    CHECK_ERROR(err, PATRON_ERR_NULL_ARGUMENT, "customer_json");
    CHECK(patron_evaluate_with_options(engine, CUSTOMER, NULL, "\xff", NULL) == NULL);

    /* The impact of a candidate: one report, unreadable records listed. */
    char *report = patron_diff(engine, steady_b, CUSTOMERS, "2026-11-23", &err);
    REQUIRE(report != NULL && err == NULL);
    CHECK(contains(report, "\"grade_matrix\""));
    CHECK(contains(report, "\"workload\""));
    CHECK(contains(report, "\"customers\":3"));
    CHECK(contains(report, "\"policy\":\"input\""));
    patron_string_free(report);

    /* A candidate that does not load, and NULL arguments. */
    CHECK(patron_diff(engine, broken, CUSTOMERS, NULL, &err) == NULL);
    CHECK_ERROR(err, PATRON_ERR_POLICY, "promote.rhai");
    CHECK(patron_diff(engine, NULL, CUSTOMERS, NULL, &err) == NULL);
    CHECK_ERROR(err, PATRON_ERR_NULL_ARGUMENT, "candidate_policy_dir");
    CHECK(patron_diff(engine, steady_b, NULL, NULL, &err) == NULL);
    CHECK_ERROR(err, PATRON_ERR_NULL_ARGUMENT, "customers_json");
    CHECK(patron_diff(NULL, steady_b, CUSTOMERS, NULL, &err) == NULL);
    CHECK_ERROR(err, PATRON_ERR_NULL_ARGUMENT, "`e`");

    patron_engine_free(engine);
    free(steady_b);
    free(broken);
    return test_finish("authoring");
}
