-- Prosody for Wren's fault-injection tests (test/faults). Its own server, apart from the one the
-- integration and e2e tests share, because these tests restart it. prosody.ts replaces the {{…}}
-- placeholders and runs it from a scratch folder under test-output/. Loopback only.

run_as_root = true
pidfile = "{{DIR}}/prosody.pid"
data_path = "{{DIR}}/data"
certificates = "{{DIR}}/certs"
log = { { levels = { min = "info" }, to = "file", filename = "{{DIR}}/prosody.log" } }

interfaces = { "127.0.0.1" }
local_interfaces = { "127.0.0.1" }
c2s_ports = { {{C2S_PORT}} }
c2s_require_encryption = true

admins = { }
authentication = "internal_hashed"
storage = "internal"

-- What a typical modern server runs: stream management, archive, carbons, offline storage.
modules_enabled = {
  "roster"; "saslauth"; "tls"; "disco"; "ping"; "posix"; "offline"; "admin_shell";
  "carbons"; "mam"; "smacks";
}
modules_disabled = { "s2s" }

default_archive_policy = true
archive_expires_after = "1w"
max_archive_query_results = 100

-- How long a lost session may be resumed (XEP-0198). Short, so a test can keep the link down past
-- it without waiting long; the tests read it from here (HIBERNATION_SECONDS in prosody.ts).
smacks_hibernation_time = {{HIBERNATION_SECONDS}}

ssl = {
  certificate = "{{CERT}}";
  key = "{{KEY}}";
}

VirtualHost "localhost"
