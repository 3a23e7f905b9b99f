# Plugin SDK and plugin host tests: the out-of-tree example built against an
# installed SDK, refusals, argument conversion, and a --disable-cloud build.
# Included from tests/local.mk.
TESTS += \
	tests/integration/plugin_sdk_example.sh \
	tests/integration/plugin_refusals.sh \
	tests/integration/plugin_args.sh \
	tests/integration/build_disable_cloud.sh
EXTRA_DIST += \
	tests/integration/plugin_sdk_example.sh \
	tests/integration/plugin_refusals.sh \
	tests/integration/plugin_args.sh \
	tests/integration/build_disable_cloud.sh
