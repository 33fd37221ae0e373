#include <stdio.h>
#include "patron.h"

int main(void) {
    patron_error *err = NULL;
    patron_engine *engine = patron_engine_new(NULL, &err); /* NULL: the built-in policy */
    if (engine == NULL) {
        fprintf(stderr, "patron: %s\n", patron_error_message(err));
        patron_error_free(err);
        return 1;
    }
    const char *customer = "{\"id\":\"C-1001\",\"grade\":\"C\",\"grade_since\":\"2026-06-01\","
                           "\"purchases\":[{\"at\":\"2026-05-02\",\"amount\":12000},"
                           "{\"at\":\"2026-10-02\",\"amount\":8000}]}";
    char *result = patron_evaluate(engine, customer, "2026-11-23", &err);
    int status = result != NULL ? 0 : 1;
    if (result != NULL)
        printf("%s\n", result); /* {"customer_id":"C-1001",…,"grade":{"from":"C","to":"B",… */
    else
        fprintf(stderr, "error %d: %s\n", patron_error_code(err), patron_error_message(err));
    patron_string_free(result); /* both free functions accept NULL */
    patron_error_free(err);
    patron_engine_free(engine);
    return status;
}
