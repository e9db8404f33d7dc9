/* reuse.c: placeholder. */
#include "lab.h"
const struct lab_experiment lab_reuse[1];
const size_t lab_reuse_count = 0;
