/* buffers.c: placeholder. */
#include "lab.h"
const struct lab_experiment lab_buffers[1];
const size_t lab_buffers_count = 0;
