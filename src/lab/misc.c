/* misc.c: placeholder. */
#include "lab.h"
const struct lab_experiment lab_misc[1];
const size_t lab_misc_count = 0;
