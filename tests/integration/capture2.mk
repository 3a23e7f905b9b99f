# End-to-end capture tests on real loopback traffic: name resolution and
# [node] identity in items, the pcap.* helpers on the per-stream files,
# onPacketCaptured and unanswered requests.  Root, like capture.mk.
# Included from tests/local.mk.
CAPTURE2_TESTS = \
	tests/integration/capture_names.sh \
	tests/integration/capture_pcap_helpers.sh \
	tests/integration/capture_hooks.sh
TESTS += $(CAPTURE2_TESTS)
EXTRA_DIST += $(CAPTURE2_TESTS) \
	tests/tools/e2e_pcap.py \
	tests/tools/e2e_hang_server.py
TESTS += tests/integration/kfl_capture.sh
EXTRA_DIST += tests/integration/kfl_capture.sh
