/* lowat.c: placeholder. */
#include "lab.h"
const struct lab_experiment lab_lowat[1];
const size_t lab_lowat_count = 0;
