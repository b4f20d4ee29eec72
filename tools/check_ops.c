/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check_ops.c - alert and monitoring commands (placeholder until written). */
#include "check.h"
int cmd_notify(struct cli *c, int argc, char **argv) { (void)c; (void)argc; (void)argv; cli_warn("notify: not implemented yet"); return EXIT_USAGE; }
int cmd_recipients(struct cli *c, int argc, char **argv) { (void)c; (void)argc; (void)argv; cli_warn("recipients: not implemented yet"); return EXIT_USAGE; }
int cmd_monitor(struct cli *c, int argc, char **argv) { (void)c; (void)argc; (void)argv; puts("BMSUB UNKNOWN - monitor not implemented yet"); return 3; }
int cmd_metrics(struct cli *c, int argc, char **argv) { (void)c; (void)argc; (void)argv; cli_warn("metrics: not implemented yet"); return EXIT_USAGE; }
