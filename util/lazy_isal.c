/* isa-l's igzip, loaded on first use (see util/lazylib.h). */
#include "util/lazylib.h"

#include <isa-l/igzip_lib.h>

#define L KD_LIB_ISAL

KD_LAZY(L, int, isal_deflate, (struct isal_zstream * s), (s))
KD_LAZY_VOID(L, isal_deflate_init, (struct isal_zstream * s), (s))
KD_LAZY(L, int, isal_inflate, (struct inflate_state * s), (s))
KD_LAZY_VOID(L, isal_inflate_init, (struct inflate_state * s), (s))
KD_LAZY_VOID(L, isal_inflate_reset, (struct inflate_state * s), (s))
