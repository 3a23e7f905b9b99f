# The control plane against a running daemon: console, query with
# onItemQueried marks, jobs, scripts reload, status; socket permissions
# and hostile clients; item and PCAP retention.  Included from
# tests/local.mk.
TESTS += \
	tests/integration/control_daemon.sh \
	tests/integration/control_limits.sh \
	tests/integration/control_retention.sh \
	tests/integration/control_reload.sh
EXTRA_DIST += \
	tests/integration/control_daemon.sh \
	tests/integration/control_limits.sh \
	tests/integration/control_retention.sh \
	tests/integration/control_reload.sh \
	tests/tools/control.sh \
	tests/tools/http_requests.py
