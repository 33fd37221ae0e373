/*
 * The happy path of patron's C ABI: version, an engine on the built-in default policy and on
 * a policy directory, one evaluation with its grade/stage/visits fields, the policy info, a
 * NULL as_of (today), a batch as JSON Lines, a month plan, and *err set to NULL on success.
 */
#include "test_util.h"

static const char *CUSTOMER =
    "{\"id\":\"C-1001\",\"name\":\"Huaxin Pharmacy\",\"owner\":\"rep-07\",\"grade\":\"C\","
    "\"grade_since\":\"2026-06-01\",\"stage\":\"negotiation\",\"region\":\"same_city\","
    "\"attributes\":{\"credit_score\":82},"
    "\"purchases\":[{\"at\":\"2026-05-02\",\"amount\":12000.0},{\"at\":\"2026-10-02\",\"amount\":8000.0}],"
    "\"interactions\":[{\"at\":\"2026-11-20T10:00:00+08:00\",\"kind\":\"call\",\"outcome\":\"ok\"}],"
    "\"receivables\":[{\"due\":\"2026-11-25\",\"amount\":5000.0,\"paid\":false}]}";

int main(int argc, char **argv) {
    REQUIRE(argc >= 2);
    const char *fixtures = argv[1];

    const char *version = patron_version();
    REQUIRE(version != NULL);
    CHECK(strlen(version) >= 5 && strchr(version, '.') != NULL);

    /* A sentinel that is not NULL: success must overwrite it with NULL. */
    patron_error *err = (patron_error *)&err;
    patron_engine *engine = patron_engine_new(NULL, &err);
    REQUIRE(engine != NULL);
    CHECK(err == NULL);

    err = (patron_error *)&err;
    char *result = patron_evaluate(engine, CUSTOMER, "2026-11-23", &err);
    REQUIRE(result != NULL);
    CHECK(err == NULL);
    CHECK(json_valid(result));
    CHECK(contains(result, "\"customer_id\":\"C-1001\""));
    CHECK(contains(result, "\"as_of\":\"2026-11-23\""));
    /* A repeat purchase since grade_since raises C to B; the purchase converts the stage. */
    CHECK(contains(result, "\"grade\":{\"from\":\"C\",\"to\":\"B\",\"changed\":true"));
    CHECK(contains(result, "\"stage\":{\"from\":\"negotiation\",\"to\":\"converted\""));
    CHECK(contains(result, "\"visits\":{"));
    CHECK(contains(result, "\"calls_per_week\":1.0"));
    CHECK(contains(result, "\"kind\":\"payment_reminder\""));
    CHECK(contains(result, "\"hash\":\"sha256:"));
    patron_string_free(result);

    /* The same customer without an err out-parameter. */
    result = patron_evaluate(engine, CUSTOMER, "2026-11-23", NULL);
    CHECK(result != NULL && json_valid(result));
    patron_string_free(result);

    /* An RFC 3339 datetime is accepted as as_of; its date is used. */
    result = patron_evaluate(engine, CUSTOMER, "2026-11-23T09:00:00+08:00", &err);
    CHECK(result != NULL && err == NULL && contains(result, "\"as_of\":\"2026-11-23\""));
    patron_string_free(result);

    /* NULL as_of: today's local date. */
    result = patron_evaluate(engine, "{\"id\":\"C-today\"}", NULL, &err);
    REQUIRE(result != NULL);
    CHECK(err == NULL);
    char as_of[32];
    CHECK(json_string_field(result, "as_of", as_of, sizeof as_of) && strlen(as_of) == 10);
    patron_string_free(result);

    /* A new record (no grade, no stage) gets initial ones. */
    result = patron_evaluate(engine, "{\"id\":\"N-1\"}", "2026-11-23", &err);
    CHECK(result != NULL && err == NULL);
    CHECK(contains(result, "\"grade\":{\"from\":null,\"to\":\"E\"")); /* nothing known: E, not F (000) */
    CHECK(contains(result, "\"stage\":{\"from\":null,\"to\":\"market_research\""));
    patron_string_free(result);

    /* Policy info: name, hash, grades. */
    err = (patron_error *)&err;
    char *info = patron_policy_info(engine, &err);
    REQUIRE(info != NULL);
    CHECK(err == NULL);
    CHECK(json_valid(info));
    CHECK(contains(info, "\"name\":\"default\""));
    CHECK(contains(info, "\"grades\":[\"A\",\"B\",\"C\",\"D\",\"E\",\"F\"]"));
    CHECK(contains(info, "\"hash\":\"sha256:"));
    patron_string_free(info);

    /* A batch as JSON Lines (with a blank line): one item per record, in order. */
    err = (patron_error *)&err;
    char *batch = patron_evaluate_batch(
        engine, "{\"id\":\"L-1\",\"grade\":\"A\"}\n\n{\"id\":\"L-2\",\"grade\":\"D\"}\n", "2026-11-23",
        &err);
    REQUIRE(batch != NULL);
    CHECK(err == NULL);
    CHECK(json_array_length(batch) == 2);
    const char *first = strstr(batch, "\"customer_id\":\"L-1\"");
    const char *second = strstr(batch, "\"customer_id\":\"L-2\"");
    CHECK(first != NULL && second != NULL && first < second);
    patron_string_free(batch);

    /* A month plan: dated entries for the owner's customers, A customers in week 1. */
    err = (patron_error *)&err;
    char *plan = patron_plan(
        engine,
        "[{\"id\":\"P-1\",\"owner\":\"rep-07\",\"grade\":\"A\",\"region\":\"same_city\"},"
        "{\"id\":\"P-2\",\"owner\":\"rep-07\",\"grade\":\"C\",\"region\":\"same_city\"},"
        "{\"id\":\"P-3\",\"owner\":\"rep-09\",\"grade\":\"B\"}]",
        "{\"month\":\"2026-12\",\"owner\":\"rep-07\",\"visits_per_day\":4,\"calls_per_day\":30,"
        "\"min_calls_per_week\":18,\"non_working_days\":[\"2026-12-25\"]}",
        &err);
    REQUIRE(plan != NULL);
    CHECK(err == NULL);
    CHECK(json_valid(plan));
    CHECK(contains(plan, "\"month\":\"2026-12\""));
    CHECK(contains(plan, "{\"date\":\"2026-12-01\",\"week\":1,\"slot\":\"morning\",\"customer_id\":\"P-1\",\"kind\":\"visit\""));
    CHECK(contains(plan, "\"customer_id\":\"P-2\""));
    CHECK(!contains(plan, "\"customer_id\":\"P-3\"")); /* another owner's customer */
    CHECK(!contains(plan, "\"date\":\"2026-12-25\"")); /* a non-working day */
    CHECK(contains(plan, "\"calls_per_day\":30,\"min_calls_per_week\":18"));
    CHECK(contains(plan, "\"kind\":\"weekly_plan\"")); /* Fridays: next week's plan */
    patron_string_free(plan);
    patron_engine_free(engine);

    /* An engine on a policy directory. */
    char *dir = path_join(fixtures, "steady-a");
    engine = patron_engine_new(dir, &err);
    REQUIRE(engine != NULL);
    CHECK(err == NULL);
    info = patron_policy_info(engine, NULL);
    CHECK(info != NULL && contains(info, "\"name\":\"steady-a\""));
    patron_string_free(info);
    result = patron_evaluate(engine, CUSTOMER, "2026-11-23", &err);
    CHECK(result != NULL && contains(result, "\"name\":\"steady-a\""));
    patron_string_free(result);
    patron_engine_free(engine);
    free(dir);

    return test_finish("happy_path");
}
