/*
 * One engine shared by five threads: four evaluate (two one customer at a time, two in
 * batches of 10) while a fifth reloads the policy 200 times, alternating two valid policies
 * (fixtures steady-a and steady-b). Every result must be valid JSON stamped with one of the
 * two known policy hashes (a batch with one hash throughout: one snapshot), every call must
 * succeed (nothing lost), and after the storm the last policy reloaded is the one serving.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>

#include "test_util.h"

#define EVALUATORS 4
#define RELOADS 200
#define MIN_CALLS_PER_THREAD 20
/* Under valgrind a policy load takes seconds (a debug build, ~50 times slower, threads run
 * one at a time): 200 reloads would take most of an hour, so the storm is cut to 10 reloads
 * and 3 calls per thread there. The checks are the same. */
#define VALGRIND_RELOADS 10
#define VALGRIND_MIN_CALLS_PER_THREAD 3
#define BATCH 10

static patron_engine *engine;
static char hash_a[128], hash_b[128];
static const char *dirs[2];
static atomic_int reloads_done;
static atomic_int reload_failures;
static int reloads = RELOADS;
static long min_calls = MIN_CALLS_PER_THREAD;

struct evaluator {
    int index;
    long calls, good, bad_json, unknown_hash, errors, mixed_batches;
    long stamped_a, stamped_b;
};

static int known_hash(const char *hash, struct evaluator *me) {
    if (strcmp(hash, hash_a) == 0) {
        me->stamped_a++;
        return 1;
    }
    if (strcmp(hash, hash_b) == 0) {
        me->stamped_b++;
        return 1;
    }
    return 0;
}

static void check_batch(const char *out, struct evaluator *me) {
    if (json_array_length(out) != BATCH) {
        me->bad_json++;
        return;
    }
    /* Every item carries the same hash: the batch ran on one snapshot of the policy. */
    char first[128] = "", hash[128];
    long seen = 0;
    const char *p = out;
    while ((p = strstr(p, "\"hash\":\"")) != NULL) {
        if (!json_string_field(p, "hash", hash, sizeof hash) || !known_hash(hash, me)) {
            me->unknown_hash++;
            return;
        }
        if (seen == 0) {
            strcpy(first, hash);
        } else if (strcmp(first, hash) != 0) {
            me->mixed_batches++;
        }
        seen++;
        p += 8;
    }
    if (seen != BATCH) me->bad_json++;
    else me->good++;
}

static void *evaluate_loop(void *arg) {
    struct evaluator *me = (struct evaluator *)arg;
    char customer[256];
    char batch[BATCH * 96 + 8];
    while (me->calls < min_calls || atomic_load(&reloads_done) < reloads) {
        long n = me->calls;
        patron_error *err = NULL;
        char *out;
        if (me->index % 2 == 0) {
            snprintf(customer, sizeof customer,
                     "{\"id\":\"T%d-%ld\",\"grade\":\"%c\",\"region\":\"same_city\","
                     "\"purchases\":[{\"at\":\"2026-10-%02ld\",\"amount\":%ld}]}",
                     me->index, n, "ABCDEF"[n % 6], 1 + n % 28, 100 + n);
            out = patron_evaluate(engine, customer, "2026-11-23", &err);
        } else {
            size_t used = 0;
            batch[used++] = '[';
            for (int i = 0; i < BATCH; i++) {
                used += (size_t)snprintf(batch + used, sizeof batch - used,
                                         "%s{\"id\":\"T%d-%ld-%d\",\"grade\":\"%c\"}", i ? "," : "",
                                         me->index, n, i, "ABCDEF"[(n + i) % 6]);
            }
            batch[used++] = ']';
            batch[used] = '\0';
            out = patron_evaluate_batch(engine, batch, "2026-11-23", &err);
        }
        me->calls++;
        if (out == NULL || err != NULL) {
            me->errors++;
            if (err) fprintf(stderr, "thread %d: %s\n", me->index, patron_error_message(err));
            patron_error_free(err);
            patron_string_free(out);
            continue;
        }
        if (me->index % 2 == 0) {
            char hash[128];
            if (!json_valid(out)) me->bad_json++;
            else if (!json_string_field(out, "hash", hash, sizeof hash) || !known_hash(hash, me))
                me->unknown_hash++;
            else me->good++;
        } else {
            check_batch(out, me);
        }
        patron_string_free(out);
    }
    return NULL;
}

static void *reload_loop(void *arg) {
    (void)arg;
    for (int i = 0; i < reloads; i++) {
        patron_error *err = NULL;
        /* steady-a serves first, so the first reload switches to steady-b. */
        int32_t code = patron_engine_reload(engine, dirs[(i + 1) % 2], &err);
        if (code != PATRON_OK || err != NULL) {
            fprintf(stderr, "reload %d: %d %s\n", i, code, patron_error_message(err));
            atomic_fetch_add(&reload_failures, 1);
        }
        patron_error_free(err);
        atomic_fetch_add(&reloads_done, 1);
    }
    return NULL;
}

int main(int argc, char **argv) {
    REQUIRE(argc >= 2);
    if (under_valgrind()) {
        reloads = VALGRIND_RELOADS;
        min_calls = VALGRIND_MIN_CALLS_PER_THREAD;
    }
    char *steady_a = path_join(argv[1], "steady-a");
    char *steady_b = path_join(argv[1], "steady-b");
    dirs[0] = steady_a;
    dirs[1] = steady_b;

    patron_error *err = NULL;
    patron_engine *b = patron_engine_new(steady_b, &err);
    REQUIRE(b != NULL && err == NULL);
    policy_hash(b, hash_b, sizeof hash_b);
    patron_engine_free(b);
    engine = patron_engine_new(steady_a, &err);
    REQUIRE(engine != NULL && err == NULL);
    policy_hash(engine, hash_a, sizeof hash_a);
    REQUIRE(strcmp(hash_a, hash_b) != 0);

    pthread_t threads[EVALUATORS], reloader;
    struct evaluator state[EVALUATORS];
    memset(state, 0, sizeof state);
    for (int i = 0; i < EVALUATORS; i++) {
        state[i].index = i;
        REQUIRE(pthread_create(&threads[i], NULL, evaluate_loop, &state[i]) == 0);
    }
    REQUIRE(pthread_create(&reloader, NULL, reload_loop, NULL) == 0);
    REQUIRE(pthread_join(reloader, NULL) == 0);
    long calls = 0, stamped_a = 0, stamped_b = 0;
    for (int i = 0; i < EVALUATORS; i++) {
        REQUIRE(pthread_join(threads[i], NULL) == 0);
        struct evaluator *s = &state[i];
        CHECK(s->calls >= min_calls);
        CHECK(s->good == s->calls); /* nothing lost */
        CHECK(s->errors == 0);
        CHECK(s->bad_json == 0);
        CHECK(s->unknown_hash == 0);
        CHECK(s->mixed_batches == 0);
        calls += s->calls;
        stamped_a += s->stamped_a;
        stamped_b += s->stamped_b;
    }
    CHECK(atomic_load(&reloads_done) == reloads);
    CHECK(atomic_load(&reload_failures) == 0);
    /* An even number of reloads alternating b, a, b, a, ...: the last one is steady-a. */
    char hash[128];
    policy_hash(engine, hash, sizeof hash);
    CHECK(strcmp(hash, hash_a) == 0);
    printf("%ld calls during %d reloads; results stamped steady-a %ld, steady-b %ld\n", calls,
           reloads, stamped_a, stamped_b);

    patron_engine_free(engine);
    free(steady_a);
    free(steady_b);
    return test_finish("threads");
}
