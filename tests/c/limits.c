/*
 * A script that never returns: the fixture policy tests/fixtures/policies/loop loops forever
 * in score.rhai for customers whose id starts with "loop". The call must come back with
 * PATRON_ERR_LIMIT (and, in a batch, the error in that record's place), and the same engine
 * must then evaluate a normal customer. The elapsed time is printed for information only:
 * tests assert behaviour, not timing.
 */
#define _POSIX_C_SOURCE 200809L
#include <time.h>

#include "test_util.h"

static double seconds_since(const struct timespec *start) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

int main(int argc, char **argv) {
    REQUIRE(argc >= 2);
    char *dir = path_join(argv[1], "loop");
    patron_error *err = NULL;
    patron_engine *engine = patron_engine_new(dir, &err);
    REQUIRE(engine != NULL && err == NULL);

    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    char *result = patron_evaluate(engine, "{\"id\":\"loop-1\",\"grade\":\"C\"}", "2026-11-23", &err);
    double elapsed = seconds_since(&start);
    CHECK(result == NULL);
    patron_string_free(result);
    REQUIRE(err != NULL);
    printf("limit hit after %.3f s: %s\n", elapsed, patron_error_message(err));
    CHECK_ERROR(err, PATRON_ERR_LIMIT, "score");

    /* The same engine serves a normal customer. */
    result = patron_evaluate(engine, "{\"id\":\"C-2\",\"grade\":\"C\"}", "2026-11-23", &err);
    CHECK(result != NULL && err == NULL && json_valid(result));
    CHECK(contains(result, "\"customer_id\":\"C-2\""));
    patron_string_free(result);

    /* Without an err out-parameter. */
    CHECK(patron_evaluate(engine, "{\"id\":\"loop-2\"}", "2026-11-23", NULL) == NULL);

    /* In a batch, the looping record fails in its place; the others are evaluated. */
    char *batch = patron_evaluate_batch(
        engine, "[{\"id\":\"B-1\"},{\"id\":\"loop-3\"},{\"id\":\"B-3\"}]", "2026-11-23", &err);
    REQUIRE(batch != NULL);
    CHECK(err == NULL);
    CHECK(json_array_length(batch) == 3);
    CHECK(contains(batch, "{\"customer_id\":\"loop-3\",\"line\":1,\"error\":{\"code\":7,\"kind\":\"limit\""));
    CHECK(contains(batch, "\"customer_id\":\"B-1\",\"as_of\""));
    CHECK(contains(batch, "\"customer_id\":\"B-3\",\"as_of\""));
    patron_string_free(batch);

    patron_engine_free(engine);
    free(dir);
    return test_finish("limits");
}
