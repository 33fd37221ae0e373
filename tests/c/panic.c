/*
 * A panic inside patron never unwinds into C. The fixture policy
 * tests/fixtures/policies/panics does date arithmetic past the end of the calendar in
 * score.rhai for customers whose id starts with "panic". That panicked inside the library
 * until commit 9c0bbf5 made it a script error. This program asserts the one outcome the code
 * has now: PATRON_ERR_SCRIPT with a message naming score.rhai, the process going on, the same
 * engine evaluating the next customer, and in a batch the record's error standing in its
 * place. Should a panic come back here, the code would be PATRON_ERR_INTERNAL and this test
 * fails — deliberately: that is a bug to fix, not an outcome to accept. The boundary guard
 * itself (a panic becomes PATRON_ERR_INTERNAL) is covered by the Rust unit tests in
 * src/ffi/guard.rs, since no input known today makes patron panic.
 */
#include "test_util.h"

int main(int argc, char **argv) {
    REQUIRE(argc >= 2);
    char *dir = path_join(argv[1], "panics");
    patron_error *err = NULL;
    patron_engine *engine = patron_engine_new(dir, &err);
    REQUIRE(engine != NULL && err == NULL);

    for (int round = 0; round < 3; round++) {
        char *out = patron_evaluate(engine, "{\"id\":\"panic-1\"}", "2026-11-23", &err);
        CHECK(out == NULL);
        patron_string_free(out);
        REQUIRE(err != NULL);
        CHECK(patron_error_code(err) == PATRON_ERR_SCRIPT);
        CHECK(contains(patron_error_message(err), "panic-1"));
        CHECK(contains(patron_error_message(err), "score.rhai"));
        CHECK(patron_error_file(err) != NULL && strcmp(patron_error_file(err), "score.rhai") == 0);
        if (round == 0)
            printf("code %d: %s\n", patron_error_code(err), patron_error_message(err));
        patron_error_free(err);
        err = NULL;
        CHECK(patron_evaluate(engine, "{\"id\":\"panic-2\"}", "2026-11-23", NULL) == NULL);

        /* The same engine serves the next customer. */
        out = patron_evaluate(engine, "{\"id\":\"C-1\",\"grade\":\"B\"}", "2026-11-23", &err);
        CHECK(out != NULL && err == NULL && json_valid(out));
        patron_string_free(out);
    }

    /* In a batch the record's error stands in its place; the other record is evaluated. */
    char *batch = patron_evaluate_batch(engine, "[{\"id\":\"C-1\"},{\"id\":\"panic-3\"}]",
                                        "2026-11-23", &err);
    CHECK(batch != NULL && err == NULL);
    CHECK(json_array_length(batch) == 2);
    CHECK(contains(batch, "\"customer_id\":\"panic-3\""));
    CHECK(count_of(batch, "\"error\":{") == 1);
    CHECK(contains(batch, "\"code\":6"));
    patron_string_free(batch);

    char *out = patron_evaluate(engine, "{\"id\":\"C-2\"}", "2026-11-23", &err);
    CHECK(out != NULL && err == NULL);
    patron_string_free(out);
    patron_engine_free(engine);
    free(dir);
    return test_finish("panic");
}
