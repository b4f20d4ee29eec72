/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check.c - bmsub-check, the operator's CLI (being written). */
#include <stdio.h>
#include "bmsub.h"
int main(void) { fputs("bmsub-check: not implemented yet\n", stderr); return 2; }
