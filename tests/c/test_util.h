/*
 * Helpers shared by the C tests of patron's C ABI (the programs in tests/c, run by tests/c_abi.rs):
 * CHECK/REQUIRE assertions, a small strict JSON validator (so that tests can say "valid
 * JSON" without a JSON library), field extraction from patron's compact JSON output, and
 * error-object checks.
 *
 * Every test program takes the fixture policy directory (tests/fixtures/policies) as argv[1].
 * When the environment variable PATRON_TEST_UNDER_VALGRIND=1 is set, the programs may scale
 * down loop counts (each says where and why).
 */
#ifndef PATRON_TEST_UTIL_H
#define PATRON_TEST_UTIL_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "patron.h"

static int test_failures = 0;

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);  \
            test_failures++;                                                           \
        }                                                                              \
    } while (0)

#define REQUIRE(cond)                                                                  \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, #cond); \
            exit(1);                                                                   \
        }                                                                              \
    } while (0)

/* Ends a test program: prints a summary and gives its exit status. */
static inline int test_finish(const char *name) {
    if (test_failures) {
        fprintf(stderr, "%s: %d check(s) failed\n", name, test_failures);
        return 1;
    }
    printf("%s: all checks passed\n", name);
    return 0;
}

static inline int under_valgrind(void) {
    const char *v = getenv("PATRON_TEST_UNDER_VALGRIND");
    return v != NULL && strcmp(v, "1") == 0;
}

static inline int contains(const char *haystack, const char *needle) {
    return haystack != NULL && needle != NULL && strstr(haystack, needle) != NULL;
}

/* `dir` + "/" + `name`, in a malloc'd buffer the caller frees. */
static inline char *path_join(const char *dir, const char *name) {
    size_t n = strlen(dir) + 1 + strlen(name) + 1;
    char *out = (char *)malloc(n);
    REQUIRE(out != NULL);
    snprintf(out, n, "%s/%s", dir, name);
    return out;
}

/* ---- a strict JSON validator (RFC 8259 syntax; no semantic checks) ---- */

static inline const char *json_ws(const char *p) {
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    return p;
}

static inline const char *json_string(const char *p) {
    if (*p != '"') return NULL;
    p++;
    while (*p != '"') {
        unsigned char c = (unsigned char)*p;
        if (c == '\0' || c < 0x20) return NULL;
        if (c == '\\') {
            p++;
            if (*p == 'u') {
                for (int i = 1; i <= 4; i++) {
                    char h = p[i];
                    int hex = (h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F');
                    if (!hex) return NULL;
                }
                p += 5;
                continue;
            }
            if (!strchr("\"\\/bfnrt", *p) || *p == '\0') return NULL;
        }
        p++;
    }
    return p + 1;
}

static inline const char *json_number(const char *p) {
    if (*p == '-') p++;
    if (*p == '0') {
        p++;
    } else if (*p >= '1' && *p <= '9') {
        while (*p >= '0' && *p <= '9') p++;
    } else {
        return NULL;
    }
    if (*p == '.') {
        p++;
        if (!(*p >= '0' && *p <= '9')) return NULL;
        while (*p >= '0' && *p <= '9') p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (!(*p >= '0' && *p <= '9')) return NULL;
        while (*p >= '0' && *p <= '9') p++;
    }
    return p;
}

/* Parses one value at `p` (after whitespace); returns the end of it, or NULL. When `count`
 * is not NULL and the value is an array, stores its number of elements. */
static inline const char *json_value(const char *p, int depth, long *count) {
    if (depth > 200) return NULL;
    p = json_ws(p);
    switch (*p) {
    case '{':
        p = json_ws(p + 1);
        if (*p == '}') return p + 1;
        for (;;) {
            p = json_string(json_ws(p));
            if (p == NULL) return NULL;
            p = json_ws(p);
            if (*p != ':') return NULL;
            p = json_value(p + 1, depth + 1, NULL);
            if (p == NULL) return NULL;
            p = json_ws(p);
            if (*p == '}') return p + 1;
            if (*p != ',') return NULL;
            p++;
        }
    case '[': {
        long n = 0;
        p = json_ws(p + 1);
        if (*p == ']') {
            if (count) *count = 0;
            return p + 1;
        }
        for (;;) {
            p = json_value(p, depth + 1, NULL);
            if (p == NULL) return NULL;
            n++;
            p = json_ws(p);
            if (*p == ']') {
                if (count) *count = n;
                return p + 1;
            }
            if (*p != ',') return NULL;
            p++;
        }
    }
    case '"':
        return json_string(p);
    case 't':
        return strncmp(p, "true", 4) == 0 ? p + 4 : NULL;
    case 'f':
        return strncmp(p, "false", 5) == 0 ? p + 5 : NULL;
    case 'n':
        return strncmp(p, "null", 4) == 0 ? p + 4 : NULL;
    default:
        return json_number(p);
    }
}

/* 1 when `text` is exactly one valid JSON value (surrounding whitespace allowed). */
static inline int json_valid(const char *text) {
    if (text == NULL) return 0;
    const char *end = json_value(text, 0, NULL);
    return end != NULL && *json_ws(end) == '\0';
}

/* The number of elements when `text` is a valid JSON array, else -1. */
static inline long json_array_length(const char *text) {
    long n = -1;
    if (text == NULL || *json_ws(text) != '[') return -1;
    const char *end = json_value(text, 0, &n);
    if (end == NULL || *json_ws(end) != '\0') return -1;
    return n;
}

/* Copies the string value of the first `"key":"…"` in patron's compact JSON into `out`
 * (at most `cap` bytes with the NUL); returns 1 when found. Escapes are copied as is. */
static inline int json_string_field(const char *json, const char *key, char *out, size_t cap) {
    char pattern[128];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    const char *at = json ? strstr(json, pattern) : NULL;
    if (at == NULL || cap == 0) return 0;
    at += strlen(pattern);
    const char *end = json_string(at - 1);
    if (end == NULL) return 0;
    size_t n = (size_t)(end - 1 - at);
    if (n >= cap) n = cap - 1;
    memcpy(out, at, n);
    out[n] = '\0';
    return 1;
}

/* Counts the non-overlapping occurrences of `needle`. */
static inline long count_of(const char *haystack, const char *needle) {
    long n = 0;
    size_t len = strlen(needle);
    for (const char *p = haystack; p && (p = strstr(p, needle)) != NULL; p += len) n++;
    return n;
}

/* Checks that `err` holds `code` and a message containing `needle` (when not NULL), then
 * frees it. Reports the message when the check fails. */
#define CHECK_ERROR(err, code, needle) check_error_at(__FILE__, __LINE__, (err), (code), (needle))

static inline void check_error_at(const char *file, int line, patron_error *err, int32_t code,
                                  const char *needle) {
    if (err == NULL) {
        fprintf(stderr, "%s:%d: expected error code %d, got no error object\n", file, line, code);
        test_failures++;
        return;
    }
    int32_t got = patron_error_code(err);
    const char *message = patron_error_message(err);
    if (got != code) {
        fprintf(stderr, "%s:%d: expected error code %d, got %d: %s\n", file, line, code, got,
                message);
        test_failures++;
    }
    if (message == NULL || (needle != NULL && strstr(message, needle) == NULL)) {
        fprintf(stderr, "%s:%d: error message lacks \"%s\": %s\n", file, line,
                needle ? needle : "", message ? message : "(NULL)");
        test_failures++;
    }
    patron_error_free(err);
}

/* A policy hash out of policy_info JSON (the first "hash" field). */
static inline void policy_hash(const patron_engine *engine, char *out, size_t cap) {
    patron_error *err = NULL;
    char *info = patron_policy_info(engine, &err);
    REQUIRE(info != NULL && err == NULL);
    REQUIRE(json_string_field(info, "hash", out, cap));
    patron_string_free(info);
}

#endif /* PATRON_TEST_UTIL_H */
