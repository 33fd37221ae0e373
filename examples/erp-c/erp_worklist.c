/*
 * erp_worklist — how an ERP written in C uses patron.
 *
 * Reads the customer master from a CSV export, turns each row into a customer record of
 * patron's JSON contract, evaluates them all in one patron_evaluate_batch call, and prints
 *   1. this week's worklist (calls, visits and actions due from AS_OF to AS_OF + 6 days),
 *      by sales rep and date, overdue ones marked;
 *   2. the grade changes patron decided (to write back to the ERP);
 *   3. the records patron could not evaluate, with the reason.
 *
 * Usage: erp_worklist CUSTOMERS.csv [AS_OF [POLICY_DIR]]
 *   AS_OF       YYYY-MM-DD, default today (local time)
 *   POLICY_DIR  a policy directory, default the policy built into patron
 *
 * CSV columns (by header name, any order; empty cells are left out of the record):
 *   id,name,owner,grade,grade_since,stage,region,credit_score,purchases,
 *   last_call,last_visit,receivable_due,receivable_amount
 * where `purchases` is a `;`-separated list of DATE:AMOUNT.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "patron.h"

/* ---------------------------------------------------------------- a growable string */

typedef struct {
    char *data;
    size_t len, cap;
} buf;

static void die(const char *what) {
    fprintf(stderr, "erp_worklist: %s\n", what);
    exit(2);
}

static void buf_add_n(buf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + n + 1) cap *= 2;
        char *data = realloc(b->data, cap);
        if (data == NULL) die("out of memory");
        b->data = data;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void buf_add(buf *b, const char *s) { buf_add_n(b, s, strlen(s)); }

/* Appends `s` as a JSON string literal. */
static void buf_add_json_string(buf *b, const char *s) {
    buf_add(b, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char esc[3] = {'\\', (char)c, '\0'};
            buf_add(b, esc);
        } else if (c < 0x20) {
            char esc[8];
            snprintf(esc, sizeof esc, "\\u%04x", c);
            buf_add(b, esc);
        } else {
            buf_add_n(b, s, 1);
        }
    }
    buf_add(b, "\"");
}

/* ---------------------------------------------------------------- CSV (RFC 4180) */

#define MAX_FIELDS 32

typedef struct {
    char *field[MAX_FIELDS];
    int count;
} row;

/* Reads one record from `f` (quoted fields may hold commas, quotes and newlines). Returns 0
 * at end of file. The fields are malloc'd; free them with row_free. */
static int csv_read(FILE *f, row *r) {
    buf cell = {0};
    int c, quoted = 0, any = 0;
    r->count = 0;
    buf_add(&cell, "");
    while ((c = fgetc(f)) != EOF) {
        any = 1;
        if (quoted) {
            if (c == '"') {
                int next = fgetc(f);
                if (next == '"') {
                    buf_add(&cell, "\"");
                } else {
                    quoted = 0;
                    if (next != EOF) ungetc(next, f);
                }
            } else {
                char ch = (char)c;
                buf_add_n(&cell, &ch, 1);
            }
        } else if (c == '"') {
            quoted = 1;
        } else if (c == ',' || c == '\n') {
            if (r->count == MAX_FIELDS) die("too many CSV columns");
            r->field[r->count++] = strdup(cell.data);
            cell.len = 0;
            cell.data[0] = '\0';
            if (c == '\n') break;
        } else if (c != '\r') {
            char ch = (char)c;
            buf_add_n(&cell, &ch, 1);
        }
    }
    if (any && c == EOF) { /* last line without a newline */
        if (r->count == MAX_FIELDS) die("too many CSV columns");
        r->field[r->count++] = strdup(cell.data);
    }
    free(cell.data);
    return any;
}

static void row_free(row *r) {
    for (int i = 0; i < r->count; i++) free(r->field[i]);
    r->count = 0;
}

/* ---------------------------------------------------------------- dates */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static long days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, int *y, int *m, int *d) {
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* `date` (YYYY-MM-DD) plus `days`, into `out` (11 bytes). */
static int add_days(const char *date, int days, char out[11]) {
    int y, m, d;
    if (sscanf(date, "%4d-%2d-%2d", &y, &m, &d) != 3) return 0;
    civil_from_days(days_from_civil(y, m, d) + days, &y, &m, &d);
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
    return 1;
}

/* ---------------------------------------------------------------- reading patron's JSON */
/* patron returns compact JSON; these helpers walk it without a JSON library. A value is a
 * span [start, end) of the text. */

typedef struct {
    const char *start, *end;
} span;

/* After a string literal starting at `p` (the opening quote). */
static const char *skip_string(const char *p) {
    for (p++; *p && *p != '"'; p++)
        if (*p == '\\' && p[1]) p++;
    return *p ? p + 1 : p;
}

/* The end of the JSON value starting at `p`. */
static const char *skip_value(const char *p) {
    if (*p == '"') return skip_string(p);
    if (*p == '{' || *p == '[') {
        int depth = 0;
        while (*p) {
            if (*p == '"') {
                p = skip_string(p);
                continue;
            }
            if (*p == '{' || *p == '[') depth++;
            if ((*p == '}' || *p == ']') && --depth == 0) return p + 1;
            p++;
        }
        return p;
    }
    while (*p && *p != ',' && *p != '}' && *p != ']') p++; /* number, true, false, null */
    return p;
}

/* The value of member `key` of the object `obj` (top level only); {NULL, NULL} if absent. */
static span member(span obj, const char *key) {
    span none = {NULL, NULL};
    if (obj.start == NULL || *obj.start != '{') return none;
    size_t klen = strlen(key);
    const char *p = obj.start + 1;
    while (p < obj.end && *p == '"') {
        const char *name = p + 1;
        const char *name_end = skip_value(p) - 1; /* the closing quote */
        const char *value = name_end + 2;         /* after `":` */
        const char *value_end = skip_value(value);
        if ((size_t)(name_end - name) == klen && strncmp(name, key, klen) == 0) {
            span found = {value, value_end};
            return found;
        }
        p = value_end + (*value_end == ',');
    }
    return none;
}

/* Copies a string or literal value into `out` (without quotes; escapes kept as is). */
static const char *text(span value, char *out, size_t cap) {
    if (value.start == NULL || strncmp(value.start, "null", 4) == 0) {
        snprintf(out, cap, "-");
        return out;
    }
    const char *s = value.start, *e = value.end;
    if (*s == '"') {
        s++;
        e--;
    }
    size_t n = (size_t)(e - s) < cap - 1 ? (size_t)(e - s) : cap - 1;
    memcpy(out, s, n);
    out[n] = '\0';
    return out;
}

/* ---------------------------------------------------------------- the worklist */

typedef struct {
    char owner[32], due[11], customer[32], name[64], what[24], note[160];
    int overdue;
} task;

static task *tasks;
static size_t ntasks, captasks;

static void add_task(const char *owner, const char *due, const char *customer, const char *name,
                     const char *what, const char *note, int overdue) {
    if (ntasks == captasks) {
        captasks = captasks ? captasks * 2 : 64;
        tasks = realloc(tasks, captasks * sizeof *tasks);
        if (tasks == NULL) die("out of memory");
    }
    task *t = &tasks[ntasks++];
    snprintf(t->owner, sizeof t->owner, "%s", owner);
    snprintf(t->due, sizeof t->due, "%s", due);
    snprintf(t->customer, sizeof t->customer, "%s", customer);
    snprintf(t->name, sizeof t->name, "%s", name);
    snprintf(t->what, sizeof t->what, "%s", what);
    snprintf(t->note, sizeof t->note, "%s", note);
    t->overdue = overdue;
}

static int by_owner_then_date(const void *a, const void *b) {
    const task *x = a, *y = b;
    int c = strcmp(x->owner, y->owner);
    if (c == 0) c = strcmp(x->due, y->due);
    if (c == 0) c = strcmp(x->customer, y->customer);
    return c;
}

/* ---------------------------------------------------------------- CSV row -> customer JSON */

static const char *cell(const row *header, const row *r, const char *column) {
    for (int i = 0; i < header->count && i < r->count; i++)
        if (strcmp(header->field[i], column) == 0) return r->field[i];
    return "";
}

static int is_number(const char *s) {
    char *end;
    if (*s == '\0') return 0;
    strtod(s, &end);
    return *end == '\0';
}

static void add_customer_json(buf *out, const row *h, const row *r) {
    static const char *const text_fields[] = {"id",    "name",   "owner", "grade",
                                              "grade_since", "stage", "region"};
    buf_add(out, "{");
    int first = 1;
    for (size_t i = 0; i < sizeof text_fields / sizeof *text_fields; i++) {
        const char *v = cell(h, r, text_fields[i]);
        if (*v == '\0') continue;
        buf_add(out, first ? "\"" : ",\"");
        buf_add(out, text_fields[i]);
        buf_add(out, "\":");
        buf_add_json_string(out, v);
        first = 0;
    }
    const char *credit = cell(h, r, "credit_score");
    if (is_number(credit)) {
        buf_add(out, ",\"attributes\":{\"credit_score\":");
        buf_add(out, credit);
        buf_add(out, "}");
    }
    /* purchases: DATE:AMOUNT;DATE:AMOUNT */
    buf_add(out, ",\"purchases\":[");
    char *list = strdup(cell(h, r, "purchases")), *save = NULL;
    int n = 0;
    for (char *item = strtok_r(list, ";", &save); item; item = strtok_r(NULL, ";", &save)) {
        char *colon = strchr(item, ':');
        if (colon == NULL || !is_number(colon + 1)) continue;
        *colon = '\0';
        buf_add(out, n++ ? ",{\"at\":" : "{\"at\":");
        buf_add_json_string(out, item);
        buf_add(out, ",\"amount\":");
        buf_add(out, colon + 1);
        buf_add(out, "}");
    }
    free(list);
    buf_add(out, "],\"interactions\":[");
    n = 0;
    const char *kinds[2][2] = {{"last_call", "call"}, {"last_visit", "visit"}};
    for (int i = 0; i < 2; i++) {
        const char *at = cell(h, r, kinds[i][0]);
        if (*at == '\0') continue;
        buf_add(out, n++ ? ",{\"at\":" : "{\"at\":");
        buf_add_json_string(out, at);
        buf_add(out, ",\"kind\":\"");
        buf_add(out, kinds[i][1]);
        buf_add(out, "\"}");
    }
    buf_add(out, "],\"receivables\":[");
    const char *due = cell(h, r, "receivable_due"), *amount = cell(h, r, "receivable_amount");
    if (*due && is_number(amount)) {
        buf_add(out, "{\"due\":");
        buf_add_json_string(out, due);
        buf_add(out, ",\"amount\":");
        buf_add(out, amount);
        buf_add(out, ",\"paid\":false}");
    }
    buf_add(out, "]}");
}

/* ---------------------------------------------------------------- main */

int main(int argc, char **argv) {
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: %s CUSTOMERS.csv [AS_OF [POLICY_DIR]]\n", argv[0]);
        return 2;
    }
    char as_of[11], week_end[11];
    if (argc >= 3) {
        snprintf(as_of, sizeof as_of, "%s", argv[2]);
    } else {
        time_t now = time(NULL);
        strftime(as_of, sizeof as_of, "%Y-%m-%d", localtime(&now));
    }
    if (!add_days(as_of, 6, week_end)) die("AS_OF must be YYYY-MM-DD");

    /* 1. The CSV export, as one JSON array; names kept by row for the report. */
    FILE *f = fopen(argv[1], "r");
    if (f == NULL) die("cannot open the CSV file");
    row header, r;
    if (!csv_read(f, &header)) die("the CSV file is empty");
    buf json = {0};
    char **names = NULL, **owners = NULL;
    size_t count = 0;
    buf_add(&json, "[");
    while (csv_read(f, &r)) {
        if (r.count <= 1 && (r.count == 0 || r.field[0][0] == '\0')) {
            row_free(&r);
            continue; /* blank line */
        }
        if (count) buf_add(&json, ",\n");
        add_customer_json(&json, &header, &r);
        names = realloc(names, (count + 1) * sizeof *names);
        owners = realloc(owners, (count + 1) * sizeof *owners);
        if (names == NULL || owners == NULL) die("out of memory");
        names[count] = strdup(cell(&header, &r, "name"));
        owners[count] = strdup(*cell(&header, &r, "owner") ? cell(&header, &r, "owner") : "(no owner)");
        count++;
        row_free(&r);
    }
    buf_add(&json, "]");
    fclose(f);
    row_free(&header);

    /* 2. One call evaluates them all. */
    patron_error *err = NULL;
    patron_engine *engine = patron_engine_new(argc == 4 ? argv[3] : NULL, &err);
    if (engine == NULL) {
        fprintf(stderr, "cannot load the policy: %s\n", patron_error_message(err));
        patron_error_free(err);
        return 1;
    }
    char *results = patron_evaluate_batch(engine, json.data, as_of, &err);
    if (results == NULL) {
        fprintf(stderr, "evaluation failed (%d): %s\n", patron_error_code(err),
                patron_error_message(err));
        patron_error_free(err);
        patron_engine_free(engine);
        return 1;
    }
    char *info = patron_policy_info(engine, NULL);
    char policy[80] = "?", version[40] = "?";
    if (info != NULL) {
        span whole = {info, info + strlen(info)};
        text(member(whole, "name"), policy, sizeof policy);
        text(member(whole, "version"), version, sizeof version);
    }
    patron_string_free(info);

    /* 3. Walk the answer: one item per CSV row, in order. */
    buf changes = {0}, failures = {0};
    buf_add(&changes, "");
    buf_add(&failures, "");
    size_t index = 0, failed = 0;
    char id[32], a[64], b[64], c[200], line[512];
    for (const char *p = results + 1; *p == '{' && index < count; index++) {
        span item = {p, skip_value(p)};
        p = item.end + (*item.end == ',');
        text(member(item, "customer_id"), id, sizeof id);
        span error = member(item, "error");
        if (error.start != NULL) {
            failed++;
            snprintf(line, sizeof line, "  row %zu (%s): %s\n", index + 2, id,
                     text(member(error, "message"), c, sizeof c));
            buf_add(&failures, line);
            continue;
        }
        span grade = member(item, "grade");
        if (member(grade, "changed").start && strncmp(member(grade, "changed").start, "true", 4) == 0) {
            snprintf(line, sizeof line, "  %-7s %-28.28s %s -> %s  (%s)\n", id, names[index],
                     text(member(grade, "from"), a, sizeof a), text(member(grade, "to"), b, sizeof b),
                     text(member(grade, "reason"), c, sizeof c));
            buf_add(&changes, line);
        }
        span visits = member(item, "visits");
        const char *kinds[2][2] = {{"next_call_due", "call"}, {"next_visit_due", "visit"}};
        for (int k = 0; k < 2; k++) {
            text(member(visits, kinds[k][0]), a, sizeof a);
            if (strcmp(a, "-") == 0 || strcmp(a, week_end) > 0) continue;
            text(member(visits, "reason"), c, sizeof c);
            add_task(owners[index], a, id, names[index], kinds[k][1], c, strcmp(a, as_of) < 0);
        }
        span actions = member(item, "actions");
        for (const char *q = actions.start ? actions.start + 1 : NULL; q && *q == '{';) {
            span action = {q, skip_value(q)};
            q = action.end + (*action.end == ',');
            text(member(action, "due"), a, sizeof a);
            if (strcmp(a, week_end) > 0) continue;
            text(member(action, "kind"), b, sizeof b);
            text(member(action, "reason"), c, sizeof c);
            add_task(owners[index], a, id, names[index], b, c, strcmp(a, as_of) < 0);
        }
    }

    /* 4. The report. */
    printf("patron %s, policy %s %s: %zu customers, %zu evaluated, %zu rejected\n",
           patron_version(), policy, version, count, index - failed, failed);
    printf("\nWorklist for the week %s to %s\n", as_of, week_end);
    qsort(tasks, ntasks, sizeof *tasks, by_owner_then_date);
    const char *current = "";
    for (size_t i = 0; i < ntasks; i++) {
        task *t = &tasks[i];
        if (strcmp(current, t->owner) != 0) {
            printf("\n  %s\n", t->owner);
            current = t->owner;
        }
        printf("    %s %-8s %-18s %-7s %-28.28s %s\n", t->due, t->overdue ? "OVERDUE" : "",
               t->what, t->customer, t->name, t->note);
    }
    printf("\nGrade changes to write back\n%s", changes.len ? changes.data : "  (none)\n");
    if (failed) printf("\nRows patron could not evaluate\n%s", failures.data);

    patron_string_free(results);
    patron_engine_free(engine);
    for (size_t i = 0; i < count; i++) {
        free(names[i]);
        free(owners[i]);
    }
    free(names);
    free(owners);
    free(tasks);
    free(json.data);
    free(changes.data);
    free(failures.data);
    return 0;
}
