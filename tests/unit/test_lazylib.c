#include "kt.h"
#include "util/lazylib.h"

TEST(builder_libraries_load_on_demand)
{
    kd_error *err = NULL;
    for (int i = 0; i < KD_LIB_COUNT; i++) {
        CHECK(kd_lazy_require((kd_lazylib)i, &err) == 0);
        if (err) {
            kt_fail(__FILE__, __LINE__, "%s", err->msg);
            kd_error_free(err);
            err = NULL;
        }
    }
    CHECK(kd_lazy_sym(KD_LIB_CURL, "curl_version") != NULL);
}
