/*
 * Reloading a policy through patron's C ABI: a good reload swaps the policy (a new hash in
 * policy_info and on results); a bad one (a policy that does not compile, a directory that
 * does not exist) returns its error and leaves the old policy serving (the hash unchanged).
 */
#include "test_util.h"

static const char *CUSTOMER = "{\"id\":\"R-1\",\"grade\":\"B\",\"region\":\"same_city\"}";

int main(int argc, char **argv) {
    REQUIRE(argc >= 2);
    char *steady_a = path_join(argv[1], "steady-a");
    char *steady_b = path_join(argv[1], "steady-b");
    char *broken = path_join(argv[1], "broken");
    char *missing = path_join(argv[1], "no-such-policy");

    patron_error *err = NULL;
    patron_engine *engine = patron_engine_new(steady_a, &err);
    REQUIRE(engine != NULL && err == NULL);
    char hash_a[128], hash_b[128], hash[128], stamped[128];
    policy_hash(engine, hash_a, sizeof hash_a);

    /* Good reload: a new policy serves. */
    err = (patron_error *)&err;
    CHECK(patron_engine_reload(engine, steady_b, &err) == PATRON_OK);
    CHECK(err == NULL);
    policy_hash(engine, hash_b, sizeof hash_b);
    CHECK(strcmp(hash_a, hash_b) != 0);
    char *result = patron_evaluate(engine, CUSTOMER, "2026-11-23", &err);
    REQUIRE(result != NULL);
    CHECK(json_string_field(result, "hash", stamped, sizeof stamped) && strcmp(stamped, hash_b) == 0);
    CHECK(contains(result, "\"name\":\"steady-b\""));
    patron_string_free(result);

    /* Bad reloads: the error comes back and steady-b keeps serving. */
    CHECK(patron_engine_reload(engine, broken, &err) == PATRON_ERR_POLICY);
    CHECK_ERROR(err, PATRON_ERR_POLICY, "promote.rhai");
    policy_hash(engine, hash, sizeof hash);
    CHECK(strcmp(hash, hash_b) == 0);

    CHECK(patron_engine_reload(engine, missing, &err) == PATRON_ERR_POLICY);
    CHECK_ERROR(err, PATRON_ERR_POLICY, NULL);
    CHECK(patron_engine_reload(engine, broken, NULL) == PATRON_ERR_POLICY);
    policy_hash(engine, hash, sizeof hash);
    CHECK(strcmp(hash, hash_b) == 0);

    result = patron_evaluate(engine, CUSTOMER, "2026-11-23", &err);
    REQUIRE(result != NULL && err == NULL);
    CHECK(json_string_field(result, "hash", stamped, sizeof stamped) && strcmp(stamped, hash_b) == 0);
    patron_string_free(result);

    /* And back to steady-a: the same files give the same hash. */
    CHECK(patron_engine_reload(engine, steady_a, &err) == PATRON_OK && err == NULL);
    policy_hash(engine, hash, sizeof hash);
    CHECK(strcmp(hash, hash_a) == 0);

    patron_engine_free(engine);
    free(steady_a);
    free(steady_b);
    free(broken);
    free(missing);
    return test_finish("reload");
}
