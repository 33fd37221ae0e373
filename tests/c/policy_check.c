/*
 * patron_policy_check and the location of an error, through the C ABI:
 *   - a clean policy gives exactly "[]", a policy with warnings only lists them;
 *   - a policy with two errors (tests/fixtures/policies/two-errors: a syntax error in
 *     visits.rhai, an undefined parameter in score.rhai) gives both, each with its file, line
 *     and column, and loading it fails with the first one's location in the error object;
 *   - patron_error_file/line/column for a script error, a limit (its file), bad input
 *     (NULL, 0, 0), a NULL argument and a NULL error object;
 *   - the bad arguments of patron_policy_check;
 *   - PATRON_VERSION_MAJOR/MINOR/PATCH spell the version patron_version() reports.
 */
#include "test_util.h"

static const char *AS_OF = "2026-11-23";
/* "x" 0xFF: not UTF-8. */
static const char BAD_UTF8[] = {'x', (char)0xff, '\0'};

/* The error object's location is (file, line, column); line/column 0 mean "any > 0". */
#define CHECK_LOCATION(err, file, line, column) \
    check_location_at(__LINE__, (err), (file), (line), (column))

static void check_location_at(int at, const patron_error *err, const char *file, size_t line,
                              size_t column) {
    const char *got = patron_error_file(err);
    size_t got_line = patron_error_line(err);
    size_t got_column = patron_error_column(err);
    int file_ok = file == NULL ? got == NULL : (got != NULL && strcmp(got, file) == 0);
    int line_ok = line == 0 ? got_line > 0 : got_line == line;
    int column_ok = column == 0 ? got_column > 0 : got_column == column;
    if (!file_ok || !line_ok || !column_ok) {
        fprintf(stderr, "policy_check.c:%d: expected %s:%zu:%zu, got %s:%zu:%zu (%s)\n", at,
                file ? file : "(NULL)", line, column, got ? got : "(NULL)", got_line,
                got_column, patron_error_message(err));
        test_failures++;
    }
}

/* The error object has no location: NULL, 0, 0. */
static void check_no_location(const patron_error *err) {
    CHECK(patron_error_file(err) == NULL);
    CHECK(patron_error_line(err) == 0);
    CHECK(patron_error_column(err) == 0);
}

int main(int argc, char **argv) {
    REQUIRE(argc >= 2);
    char *clean = path_join(argv[1], "steady-a");
    char *warnings = path_join(argv[1], "throws");
    char *two_errors = path_join(argv[1], "two-errors");
    char *missing = path_join(argv[1], "no-such-policy");
    char *looping = path_join(argv[1], "loop");
    patron_error *err = (patron_error *)&err; /* must be overwritten with NULL */

    /* ---- A clean policy: an empty list ---- */
    char *report = patron_policy_check(clean, &err);
    CHECK(report != NULL && err == NULL);
    CHECK(report != NULL && strcmp(report, "[]") == 0);
    patron_string_free(report);

    /* ---- Warnings only: listed, none an error ---- */
    report = patron_policy_check(warnings, &err);
    CHECK(report != NULL && err == NULL && json_valid(report));
    CHECK(json_array_length(report) > 0);
    CHECK(count_of(report, "\"severity\":\"warning\"") == json_array_length(report));
    CHECK(!contains(report, "\"severity\":\"error\""));
    patron_string_free(report);

    /* ---- Two errors: both, with file, line and column ---- */
    err = (patron_error *)&err;
    report = patron_policy_check(two_errors, &err);
    CHECK(report != NULL && err == NULL);
    CHECK(json_array_length(report) == 2);
    CHECK(count_of(report, "\"severity\":\"error\"") == 2);
    CHECK(contains(report, "\"file\":\"visits.rhai\",\"line\":10,\"column\":37,"));
    CHECK(contains(report, "\"file\":\"score.rhai\",\"line\":11,\"column\":24,"));
    CHECK(contains(report, "params.weights.credibility"));
    if (report != NULL) printf("two errors: %s\n", report);
    patron_string_free(report);

    /* Loading it fails; the error object has the first error's location, the message all. */
    patron_engine *engine = patron_engine_new(two_errors, &err);
    CHECK(engine == NULL);
    REQUIRE(err != NULL);
    CHECK(patron_error_code(err) == PATRON_ERR_POLICY);
    CHECK_LOCATION(err, "visits.rhai", 10, 37);
    CHECK(contains(patron_error_message(err), "visits.rhai:10:37"));
    CHECK(contains(patron_error_message(err), "score.rhai:11:24"));
    patron_error_free(err);

    /* A reload refuses it the same way. */
    engine = patron_engine_new(clean, &err);
    REQUIRE(engine != NULL && err == NULL);
    CHECK(patron_engine_reload(engine, two_errors, &err) == PATRON_ERR_POLICY);
    REQUIRE(err != NULL);
    CHECK_LOCATION(err, "visits.rhai", 10, 37);
    patron_error_free(err);
    patron_engine_free(engine);

    /* ---- A script error and a limit: where the script was running ---- */
    engine = patron_engine_new(warnings, &err);
    REQUIRE(engine != NULL && err == NULL);
    char *out = patron_evaluate(engine, "{\"id\":\"C-1\"}", AS_OF, &err);
    CHECK(out == NULL);
    REQUIRE(err != NULL);
    CHECK(patron_error_code(err) == PATRON_ERR_SCRIPT);
    CHECK_LOCATION(err, "score.rhai", 4, 0);
    patron_error_free(err);

    /* Bad input is not about a policy file: no location. */
    out = patron_evaluate(engine, "{\"id\":", AS_OF, &err);
    CHECK(out == NULL);
    REQUIRE(err != NULL);
    CHECK(patron_error_code(err) == PATRON_ERR_INVALID_JSON);
    check_no_location(err);
    patron_error_free(err);
    patron_engine_free(engine);

    engine = patron_engine_new(looping, &err);
    REQUIRE(engine != NULL && err == NULL);
    out = patron_evaluate(engine, "{\"id\":\"loop-1\"}", AS_OF, &err);
    CHECK(out == NULL);
    REQUIRE(err != NULL);
    CHECK(patron_error_code(err) == PATRON_ERR_LIMIT);
    /* The file is known; the line only when the limit fired at a statement (a time budget
     * is noticed between operations, so it may be 0). */
    CHECK(patron_error_file(err) != NULL && strcmp(patron_error_file(err), "score.rhai") == 0);
    patron_error_free(err);
    patron_engine_free(engine);

    /* ---- The NULL error object (what success leaves): no location ---- */
    check_no_location(NULL);

    /* ---- Bad arguments of patron_policy_check ---- */
    CHECK(patron_policy_check(NULL, &err) == NULL);
    REQUIRE(err != NULL);
    check_no_location(err);
    CHECK_ERROR(err, PATRON_ERR_NULL_ARGUMENT, "`policy_dir`");
    CHECK(patron_policy_check(BAD_UTF8, &err) == NULL);
    CHECK_ERROR(err, PATRON_ERR_INVALID_UTF8, "`policy_dir`");
    CHECK(patron_policy_check(missing, &err) == NULL);
    CHECK_ERROR(err, PATRON_ERR_POLICY, "cannot read directory");
    CHECK(patron_policy_check(NULL, NULL) == NULL);
    CHECK(patron_policy_check(missing, NULL) == NULL);
    report = patron_policy_check(two_errors, NULL);
    CHECK(json_array_length(report) == 2);
    patron_string_free(report);

    /* ---- The version macros are the library's version ---- */
    char version[64];
    snprintf(version, sizeof version, "%d.%d.%d", PATRON_VERSION_MAJOR, PATRON_VERSION_MINOR,
             PATRON_VERSION_PATCH);
    CHECK(strcmp(version, patron_version()) == 0);

    free(clean);
    free(warnings);
    free(two_errors);
    free(missing);
    free(looping);
    return test_finish("policy_check");
}
