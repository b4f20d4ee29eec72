/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* keys.c - trusted Ed25519 public keys (STUB: to be written). */
#include "internal.h"
struct bmsub_keyring *bmsub_keyring_new(void) { return 0; }
void bmsub_keyring_free(struct bmsub_keyring *kr) { (void)kr; }
int bmsub_keyring_load(const char *dir, const struct bmsub_log *log, struct bmsub_keyring **out, struct bmsub_error *err) { (void)dir; (void)log; *out = 0; return bm_err(err, BMSUB_E_INTERNAL, 0, "not implemented"); }
int bmsub_keyring_add_pem(struct bmsub_keyring *kr, const char *pem, size_t len, struct bmsub_error *err) { (void)kr; (void)pem; (void)len; return bm_err(err, BMSUB_E_INTERNAL, 0, "not implemented"); }
size_t bmsub_keyring_count(const struct bmsub_keyring *kr) { (void)kr; return 0; }
int bmsub_pubkey_parse_pem(const char *pem, size_t len, uint8_t pk[32], struct bmsub_error *err) { (void)pem; (void)len; (void)pk; return bm_err(err, BMSUB_E_INTERNAL, 0, "not implemented"); }
void bmsub_key_id(const uint8_t pk[32], uint8_t id[BMSUB_KEYID_LEN]) { (void)pk; (void)id; }
