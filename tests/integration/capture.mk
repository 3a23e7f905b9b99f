# Capture tests against tshark on real loopback traffic, and on damaged
# copies of it.  They run tcpdump, nginx, dnsmasq, dig, curl and tshark (as
# root; tests/tools/traffic.sh installs missing packages with apt-get).
# Included from tests/local.mk.
CAPTURE_TESTS = \
	tests/integration/capture_http_tshark.sh \
	tests/integration/capture_dns_tshark.sh \
	tests/integration/capture_damaged.sh
TESTS += $(CAPTURE_TESTS)
EXTRA_DIST += $(CAPTURE_TESTS) \
	tests/tools/traffic.sh \
	tests/tools/http_backend.py \
	tests/tools/pipeline_client.py \
	tests/tools/tshark_items.py \
	tests/tools/wirehook_items.py \
	tests/tools/compare_items.py \
	tests/tools/damage_pcap.py
TESTS += tests/integration/capture_live.sh
EXTRA_DIST += tests/integration/capture_live.sh
