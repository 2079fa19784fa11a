#ifndef SWITCHBOARD_COPENCC_SHIM_H
#define SWITCHBOARD_COPENCC_SHIM_H

#include <opencc/opencc.h>

/* opencc_open reports failure as (opencc_t)-1, a cast Swift cannot write. */
static inline int sb_opencc_is_valid(opencc_t handle) {
    return handle != (opencc_t)-1 && handle != 0;
}

#endif
