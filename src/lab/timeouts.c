/* timeouts.c: placeholder. */
#include "lab.h"
const struct lab_experiment lab_timeouts[1];
const size_t lab_timeouts_count = 0;
