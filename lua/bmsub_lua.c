/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bmsub_lua.c - the Lua 5.4 module "bmsub": bmsub.decide(user, service
 * [, conf [, category]]) asks libbmsub, through one cached context per
 * config path and process (as pam_bmsub.so does), whether user may log
 * in to service now. Made for Dovecot's Lua passdb (conf/dovecot/).
 */
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <lua.h>
#include <lauxlib.h>

#include "bmsub.h"
#include "internal.h"

#define BMSUB_LUA_EXPORT __attribute__((visibility("default")))

static int
has_control(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

/* A string argument without NUL or control characters, or a Lua error. */
static const char *
check_text(lua_State *L, int arg, const char *what)
{
	size_t len;
	const char *s = luaL_checklstring(L, arg, &len);

	if (len == 0)
		luaL_argerror(L, arg, lua_pushfstring(L, "empty %s", what));
	if (strlen(s) != len || has_control(s, len))
		luaL_argerror(L, arg, lua_pushfstring(L,
		    "%s with control characters", what));
	return s;
}

/*
 * bmsub.decide(user, service [, conf [, category]]) ->
 *   decision ("allow" | "redirect" | "deny"), reason token, message,
 *   phase;
 * or, when the configuration cannot be used: nil, error token, message
 * (the caller must refuse: a temporary failure, never a login).
 * Wrong argument types or values are Lua errors.
 */
static int
l_decide(lua_State *L)
{
	struct bmsub_request rq;
	struct bmsub_result res;
	struct bmsub_error err;
	struct bmsub_ctx *ctx;
	const char *user, *service, *conf = BMSUB_DEFAULT_CONF, *cat;
	enum bmsub_category c;
	int r, category = -1;

	user = check_text(L, 1, "user");
	service = check_text(L, 2, "service");
	if (!lua_isnoneornil(L, 3)) {
		conf = check_text(L, 3, "conf");
		/* relative would depend on the daemon's cwd */
		if (*conf != '/')
			return luaL_argerror(L, 3, "conf needs an absolute path");
	}
	if (!lua_isnoneornil(L, 4)) {
		cat = check_text(L, 4, "category");
		if (bmsub_category_parse(cat, &c) != 0)
			return luaL_argerror(L, 4, "unknown category (imap, eas,"
			    " webmail, smtp, admin, other)");
		category = (int)c;
	}
	if (lua_gettop(L) > 4)
		return luaL_argerror(L, 5, "at most 4 arguments");

	/* one context per config path and process, shared by every Lua
	 * state (bm_ctx_shared) */
	memset(&err, 0, sizeof(err));
	if ((r = bm_ctx_shared(conf, &ctx, &err)) != 0) {
		lua_pushnil(L);
		lua_pushstring(L, bmsub_err_token(r));
		lua_pushfstring(L, "%s: %s", conf, err.msg);
		return 3;
	}
	memset(&rq, 0, sizeof(rq));
	rq.user = user;
	rq.service = service;
	rq.category = category;
	rq.now = (int64_t)time(NULL);	/* the module's only clock read */
	memset(&err, 0, sizeof(err));
	if ((r = bmsub_ctx_decide(ctx, NULL, &rq, &res, &err)) != 0) {
		lua_pushnil(L);
		lua_pushstring(L, bmsub_err_token(r));
		if (strstr(err.msg, conf) != NULL)
			lua_pushstring(L, err.msg);
		else
			lua_pushfstring(L, "%s: %s", conf, err.msg);
		return 3;
	}
	lua_pushstring(L, bmsub_decision_name(res.verdict.decision));
	lua_pushstring(L, res.verdict.reason != NULL ? res.verdict.reason : "");
	lua_pushstring(L, res.verdict.message);
	lua_pushstring(L, res.verdict.phase != NULL ? res.verdict.phase : "");
	return 4;
}

static const luaL_Reg funcs[] = {
	{ "decide", l_decide },
	{ NULL, NULL }
};

BMSUB_LUA_EXPORT int luaopen_bmsub(lua_State *L);

BMSUB_LUA_EXPORT int
luaopen_bmsub(lua_State *L)
{
	luaL_newlib(L, funcs);
	lua_pushstring(L, BMSUB_VERSION);
	lua_setfield(L, -2, "version");
	lua_pushstring(L, BMSUB_DEFAULT_CONF);
	lua_setfield(L, -2, "default_conf");
	return 1;
}
