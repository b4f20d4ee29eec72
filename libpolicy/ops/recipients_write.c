/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* recipients_write.c - changes to the alert recipients file, under the
 * state lock, written atomically. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int
save(const char *state_dir, const struct bmsub_strlist *l,
    const struct bmsub_strlist *local, struct bmsub_error *err)
{
	struct bm_text t;
	char path[4096], *data = NULL;
	size_t i, len = 0;
	int r = BMSUB_E_INTERNAL;

	bm_text_dynamic(&t);
	if ((r = bm_state_path(path, sizeof(path), state_dir, RCPT_FILE,
	    err)) != 0)
		goto out;
	bm_text_add(&t, "# bmsub alert recipients: one address a line. "
	    "Change with bmsub-check recipients.\n");
	for (i = 0; i < l->n; i++) {
		if ((r = bmsub_recipients_address_check(l->v[i], local,
		    err)) != 0)
			goto out;
		bm_text_add(&t, "%s\n", l->v[i]);
	}
	if ((r = bm_text_take(&t, &data, &len)) != 0) {
		r = bm_err(err, r, 0, "recipients: out of memory");
		goto out;
	}
	/* 0644: the services showing the "no recipient" banner read it */
	if ((r = bm_write_atomic(path, data, len, 0644, BM_WRITE_LOCKED, err)) != 0)
		goto out;
	r = 0; /* success */
 out:
	bm_text_free(&t);
	free(data);
	return r;
}

int
bmsub_recipients_save(const char *state_dir, const struct bmsub_strlist *l,
    struct bmsub_error *err)
{
	return save(state_dir, l, NULL, err);
}

/* Under the state lock: load, apply add (1) or remove (0), save. */
static int
change(const char *state_dir, const char *addr, int add,
    const struct bmsub_strlist *local, struct bmsub_error *err)
{
	int r = BMSUB_E_INTERNAL, lock = -1;
	struct bmsub_strlist l = { NULL, 0 };
	size_t i;

	if (add && (r = bmsub_recipients_address_check(addr, local, err)) != 0)
		goto out;
	if ((r = bmsub_state_lock(state_dir, &lock, err)) != 0)
		goto out;
	if ((r = bmsub_recipients_load_local(state_dir, local, &l, err)) != 0)
		goto out;
	for (i = 0; i < l.n; i++)
		if (bmsub_recipients_same(l.v[i], addr))
			break;
	if (add) {
		if (i < l.n) {
			r = bm_err(err, BMSUB_E_FIELD_DUP, 0,
			    "%s is already a recipient (as %s)", addr, l.v[i]);
			goto out;
		}
		if ((r = bm_strlist_add(&l, addr)) != 0) {
			r = bm_err(err, r, 0, NULL);
			goto out;
		}
	} else {
		if (i == l.n) {
			r = bm_err(err, BMSUB_E_NOT_FOUND, 0,
			    "%s is not a recipient", addr);
			goto out;
		}
		free(l.v[i]);
		memmove(&l.v[i], &l.v[i + 1], (l.n - i - 1) * sizeof(l.v[0]));
		l.n--;
	}
	if ((r = save(state_dir, &l, local, err)) != 0)
		goto out;
	r = 0; /* success */
 out:
	if (lock >= 0)
		bmsub_state_unlock(lock);
	bmsub_strlist_free(&l);
	return r;
}

int
bmsub_recipients_add(const char *state_dir, const char *addr,
    struct bmsub_error *err)
{
	return bmsub_recipients_add_local(state_dir, addr, NULL, err);
}

int
bmsub_recipients_remove(const char *state_dir, const char *addr,
    struct bmsub_error *err)
{
	return bmsub_recipients_remove_local(state_dir, addr, NULL, err);
}

int
bmsub_recipients_add_local(const char *state_dir, const char *addr,
    const struct bmsub_strlist *local, struct bmsub_error *err)
{
	return change(state_dir, addr, 1, local, err);
}

int
bmsub_recipients_remove_local(const char *state_dir, const char *addr,
    const struct bmsub_strlist *local, struct bmsub_error *err)
{
	if (addr == NULL || addr[0] == '\0')
		return bm_err(err, BMSUB_E_INVALID, 0, "empty address");
	return change(state_dir, addr, 0, local, err);
}
