/*
 * erp_cmake — patron from a CMake project: evaluates the customers of a JSON Lines file
 * (one customer per line) with patron_evaluate_batch and prints the answer, one line per
 * customer: its grade and stage, or the error that stands in its place.
 *
 * Usage: erp_cmake CUSTOMERS.jsonl [AS_OF]    (AS_OF: YYYY-MM-DD, default today)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "patron.h"

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    size_t cap = 1 << 16, len = 0, n;
    char *text = malloc(cap);
    while (text && (n = fread(text + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len + 1 == cap) {
            char *bigger = realloc(text, cap *= 2);
            if (bigger == NULL) free(text);
            text = bigger;
        }
    }
    fclose(f);
    if (text) text[len] = '\0';
    return text;
}

/* Prints the string value after `"key":"` in `from`, up to the closing quote. */
static void print_field(const char *from, const char *end, const char *key) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *at = strstr(from, pattern);
    if (at == NULL || at > end) return;
    at += strlen(pattern);
    if (*at == '"') {
        const char *close = strchr(at + 1, '"');
        if (close != NULL) printf(" %s=%.*s", key, (int)(close - at - 1), at + 1);
    } else {
        printf(" %s=%.*s", key, (int)strcspn(at, ",}"), at);
    }
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s CUSTOMERS.jsonl [AS_OF]\n", argv[0]);
        return 2;
    }
    char *customers = read_file(argv[1]);
    if (customers == NULL) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 2;
    }
    patron_error *err = NULL;
    patron_engine *engine = patron_engine_new(NULL, &err);
    char *results = engine ? patron_evaluate_batch(engine, customers, argc > 2 ? argv[2] : NULL, &err)
                           : NULL;
    free(customers);
    if (results == NULL) {
        fprintf(stderr, "patron error %d: %s\n", patron_error_code(err), patron_error_message(err));
        patron_error_free(err);
        patron_engine_free(engine);
        return 1;
    }
    printf("patron %s\n", patron_version());
    /* Each item starts with {"customer_id": — evaluations and errors alike. */
    const char *item = strstr(results, "{\"customer_id\":");
    while (item != NULL) {
        const char *next = strstr(item + 1, "{\"customer_id\":");
        const char *end = next ? next : item + strlen(item);
        print_field(item, end, "customer_id");
        const char *grade = strstr(item, "\"grade\":{");
        const char *stage = strstr(item, "\"stage\":{");
        const char *error = strstr(item, "\"error\":{");
        if (error != NULL && error < end) {
            print_field(error, end, "message");
        } else if (grade != NULL && stage != NULL && grade < end && stage < end) {
            printf(" grade:");
            print_field(grade, end, "to");
            printf(" stage:");
            print_field(stage, end, "to");
        }
        printf("\n");
        item = next;
    }
    patron_string_free(results);
    patron_engine_free(engine);
    return 0;
}
