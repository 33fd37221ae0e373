/*
 * A panic inside patron never unwinds into C. The fixture policy
 * tests/fixtures/policies/panics does date arithmetic past the end of the calendar in
 * score.rhai for customers whose id starts with "panic". That panicked inside the library
 * until commit 9c0bbf5 made it a script error; either way the C ABI must return an error —
 * PATRON_ERR_SCRIPT now, PATRON_ERR_INTERNAL should a panic come back (both are accepted:
 * what is tested here is the boundary) — the process must go on, and the same engine must
 * evaluate the next customer. While the bug lasted this program reached PATRON_ERR_INTERNAL
 * from C; with it fixed, INTERNAL is covered by the Rust unit tests of the boundary guard
 * (src/ffi/guard.rs): no input known today makes patron panic.
 */
#include "test_util.h"

static int internal_or_script(patron_error *err) {
    int32_t code = patron_error_code(err);
    return code == PATRON_ERR_INTERNAL || code == PATRON_ERR_SCRIPT;
}

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
        CHECK(internal_or_script(err));
        CHECK(strlen(patron_error_message(err)) > 0);
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

    /* In a batch: either the batch fails as a whole with the error (today: the panic
     * abandons the batch), or the record's error stands in its place (once fixed). */
    char *batch = patron_evaluate_batch(engine, "[{\"id\":\"C-1\"},{\"id\":\"panic-3\"}]",
                                        "2026-11-23", &err);
    if (batch == NULL) {
        REQUIRE(err != NULL);
        CHECK(internal_or_script(err));
        patron_error_free(err);
    } else {
        CHECK(err == NULL && json_array_length(batch) == 2);
        CHECK(contains(batch, "\"customer_id\":\"panic-3\""));
        patron_string_free(batch);
    }

    char *out = patron_evaluate(engine, "{\"id\":\"C-2\"}", "2026-11-23", &err);
    CHECK(out != NULL && err == NULL);
    patron_string_free(out);
    patron_engine_free(engine);
    free(dir);
    return test_finish("panic");
}
