/* keepalive.c: placeholder. */
#include "lab.h"
const struct lab_experiment lab_keepalive[1];
const size_t lab_keepalive_count = 0;
