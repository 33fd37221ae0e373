/*
 * A 10,000-customer batch built in C, as JSON Lines: varied grades, stages, regions,
 * purchases, calls and receivables, and every 100th record deliberately invalid (an
 * unknown grade). The answer must be a valid JSON array with exactly one item per record:
 * 9,900 evaluations and 100 errors in place, in input order. The first 2,000 of the same
 * customers as one JSON array give the same kind of answer.
 *
 * Sizes: the JSON array form is 2,000 records. Splitting an array cost time quadratic in
 * its length until 8c5b666 (each record's line number was counted from the start of the
 * text), which took minutes for 10,000 records in a debug build; it is linear now. Under valgrind
 * (PATRON_TEST_UNDER_VALGRIND=1), where every evaluation is ~50 times slower, the sizes are
 * 500 and 200 so that the run stays within a few minutes; the checks are the same.
 */
#include "test_util.h"

#define CUSTOMERS 10000
#define ARRAY_CUSTOMERS 2000
#define VALGRIND_CUSTOMERS 500
#define VALGRIND_ARRAY_CUSTOMERS 200
#define BAD_EVERY 100

static const char *const GRADES = "ABCDEF";
static const char *const STAGES[] = {"market_research", "prospecting", "contact",
                                     "needs_confirmation", "negotiation", "contract_signed",
                                     "converted"};
static const char *const REGIONS[] = {"same_city", "same_province", "other"};

/* Writes customer `i` at `out` (capacity `cap`); returns the length. */
static int customer(char *out, size_t cap, int i) {
    char grade[2] = {GRADES[i % 6], '\0'};
    if (i % BAD_EVERY == BAD_EVERY - 1) grade[0] = 'Z';
    return snprintf(out, cap,
                    "{\"id\":\"B-%05d\",\"owner\":\"rep-%02d\",\"grade\":\"%s\","
                    "\"grade_since\":\"2026-0%d-01\",\"stage\":\"%s\",\"region\":\"%s\","
                    "\"attributes\":{\"credit_score\":%d},"
                    "\"purchases\":[{\"at\":\"2026-%02d-%02d\",\"amount\":%d.5}],"
                    "\"interactions\":[{\"at\":\"2026-11-%02d\",\"kind\":\"%s\"}],"
                    "\"receivables\":[{\"due\":\"2026-11-%02d\",\"amount\":%d,\"paid\":false}]}",
                    i, i % 20, grade, 1 + i % 9, STAGES[i % 7], REGIONS[i % 3], i % 101,
                    1 + i % 11, 1 + i % 28, 100 + (i * 37) % 50000, 1 + i % 22,
                    i % 2 ? "call" : "visit", 1 + i % 30, 500 + i % 900);
}

static char *build(int count, int lines) {
    size_t cap = (size_t)count * 512 + 16, used = 0;
    char *text = (char *)malloc(cap);
    REQUIRE(text != NULL);
    if (!lines) text[used++] = '[';
    for (int i = 0; i < count; i++) {
        if (i > 0) text[used++] = lines ? '\n' : ',';
        int n = customer(text + used, cap - used, i);
        REQUIRE(n > 0 && (size_t)n < cap - used);
        used += (size_t)n;
    }
    if (!lines) text[used++] = ']';
    text[used] = '\0';
    return text;
}

static void check_answer(const char *out, int count) {
    REQUIRE(out != NULL);
    CHECK(json_array_length(out) == count);
    long errors = count_of(out, "\"error\":{\"code\":4,\"kind\":\"invalid_input\"");
    CHECK(errors == count / BAD_EVERY);
    CHECK(count_of(out, "{\"customer_id\":\"B-") == count);
    /* Input order: the first, a failed one in its place, and the last. */
    const char *first = strstr(out, "\"customer_id\":\"B-00000\"");
    const char *failed = strstr(out, "{\"customer_id\":\"B-00099\",\"line\":");
    char last_id[32];
    snprintf(last_id, sizeof last_id, "\"customer_id\":\"B-%05d\"", count - 1);
    const char *last = strstr(out, last_id);
    CHECK(first != NULL && failed != NULL && last != NULL);
    CHECK(first < failed && failed < last);
    CHECK(first == out + 2);
}

int main(void) {
    int count = under_valgrind() ? VALGRIND_CUSTOMERS : CUSTOMERS;
    int array_count = under_valgrind() ? VALGRIND_ARRAY_CUSTOMERS : ARRAY_CUSTOMERS;
    patron_error *err = (patron_error *)&err;
    patron_engine *engine = patron_engine_new(NULL, &err);
    REQUIRE(engine != NULL && err == NULL);

    char *lines = build(count, 1);
    err = (patron_error *)&err;
    char *out = patron_evaluate_batch(engine, lines, "2026-11-23", &err);
    CHECK(err == NULL);
    check_answer(out, count);
    /* A failed JSON Lines record names its line. */
    CHECK(contains(out, "{\"customer_id\":\"B-00099\",\"line\":100,"));
    printf("JSON Lines: %d customers in, %ld items out\n", count, json_array_length(out));
    patron_string_free(out);
    free(lines);

    char *array = build(array_count, 0);
    err = (patron_error *)&err;
    out = patron_evaluate_batch(engine, array, "2026-11-23", &err);
    CHECK(err == NULL);
    check_answer(out, array_count);
    printf("JSON array: %d customers in, %ld items out\n", array_count, json_array_length(out));
    patron_string_free(out);
    free(array);

    patron_engine_free(engine);
    return test_finish("batch");
}
