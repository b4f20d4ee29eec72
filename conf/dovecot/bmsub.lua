-- SPDX-License-Identifier: GPL-2.0-or-later
-- bmsub.lua - Dovecot Lua passdb (Debian: dovecot-auth-lua, lua-bmsub):
-- once an earlier passdb has checked the password, asks bmsub whether the
-- user may log in to this service now. A refusal is a successful passdb
-- lookup with nologin and reason: the client reads bmsub's message
-- (IMAP "NO [CONTACTADMIN] ...", POP3 "-ERR [AUTH] ..."), and Dovecot
-- neither delays it nor counts it in its per-address auth penalty, so a
-- refused user never slows the others behind the same address.
-- Included by conf/dovecot/auth-bmsub.conf.ext; see bmsub-lua(3).

local bmsub = require "bmsub"

-- The configuration pam_bmsub.so reads by default; the service is the
-- protocol (imap, pop3, smtp...), mapped by services.* in bmsub.conf as
-- the PAM service names are.
local conf = bmsub.default_conf

-- Services bmsub-policy gates instead (conf/postfix/): SMTP AUTH through
-- Dovecot is then let through here, and Postfix refuses at RCPT with
-- bmsub's message rather than "535 authentication failed". Only when
-- Postfix really runs bmsub-policy: else submission is not gated at all.
--   local policy_services = { smtp = true }
local policy_services = {}

function auth_passdb_lookup(req)
  if policy_services[req.service] then
    return dovecot.auth.PASSDB_RESULT_OK, { nopassword = "y" }
  end
  local decision, reason, message = bmsub.decide(req.user, req.service, conf)
  if decision == nil then
    -- configuration unusable: refuse, as a temporary failure
    req:log_error("bmsub: " .. tostring(reason) .. ": " .. tostring(message))
    return dovecot.auth.PASSDB_RESULT_INTERNAL_FAILURE, ""
  end
  if decision == "deny" then
    req:log_info("bmsub: deny reason=" .. reason)
    return dovecot.auth.PASSDB_RESULT_OK,
      { nopassword = "y", nologin = "y", reason = message }
  end
  -- allow, or redirect (an administrator let in on the web)
  return dovecot.auth.PASSDB_RESULT_OK, { nopassword = "y" }
end

function script_init()
  return 0
end

function script_deinit()
end
