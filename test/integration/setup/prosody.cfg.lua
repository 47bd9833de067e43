-- Prosody for Wren's integration and e2e tests. global-setup.ts replaces the {{…}} placeholders and
-- runs it from a scratch folder under test-output/. Never a system service; loopback only.

run_as_root = true
pidfile = "{{DIR}}/prosody.pid"
data_path = "{{DIR}}/data"
certificates = "{{DIR}}/certs"
log = { { levels = { min = "info" }, to = "file", filename = "{{DIR}}/prosody.log" } }

interfaces = { "127.0.0.1" }
local_interfaces = { "127.0.0.1" }
c2s_ports = { {{C2S_PORT}} }
c2s_direct_tls_ports = { {{DIRECT_TLS_PORT}} }
c2s_require_encryption = true
-- In-band registration (XEP-0077), for test/integration/registration.test.ts. Prosody 0.12 throttles
-- it only when min_seconds_between_registrations or registration_throttle_max is set, and never for
-- 127.0.0.1 (in the default registration_allowlist): leaving both unset keeps it unthrottled.
allow_registration = true

admins = { }
authentication = "internal_hashed"
storage = "internal"

modules_enabled = {
  "roster"; "saslauth"; "tls"; "disco"; "ping"; "posix"; "offline"; "admin_shell";
  "register"; "carbons"; "mam";
}
-- Message archive (XEP-0313) for the history tests: everything archived, kept a week.
default_archive_policy = true
archive_expires_after = "1w"
max_archive_query_results = 100
modules_disabled = { "s2s" }

-- HTTPS only (no plain HTTP port), on loopback, for the file upload service below.
http_ports = { }
http_interfaces = { "127.0.0.1" }
https_ports = { {{HTTPS_PORT}} }
https_interfaces = { "127.0.0.1" }
https_ssl = {
  certificate = "{{CERT}}";
  key = "{{KEY}}";
}

ssl = {
  certificate = "{{CERT}}";
  key = "{{KEY}}";
}
c2s_direct_tls_ssl = {
  certificate = "{{CERT}}";
  key = "{{KEY}}";
}

VirtualHost "localhost"

-- Served by this Prosody but deliberately NOT named in the test certificate: signing in to it must
-- fail with "certificate-invalid", over STARTTLS and direct TLS alike.
VirtualHost "uncertified.localhost"

-- Stores SCRAM-SHA-256 credentials, so SCRAM-SHA-256 is the only SCRAM it offers (Prosody 0.12
-- derives one hash per host; its -PLUS twin appears only under TLS 1.2, where tls-unique exists).
VirtualHost "sha256.localhost"
  password_hash = "SHA-256"

-- HTTP File Upload (XEP-0363) for the file tests: served at https://localhost (the name the test
-- certificate covers; upload.localhost does not resolve), 1 MiB at most per file (more for the
-- file benchmark), with ten times that a day.
Component "upload.localhost" "http_file_share"
  http_host = "localhost"
  http_external_url = "https://localhost:{{HTTPS_PORT}}/"
  http_file_share_size_limit = {{UPLOAD_LIMIT}}
  http_file_share_daily_quota = {{UPLOAD_QUOTA}}
