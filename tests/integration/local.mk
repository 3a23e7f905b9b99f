# Integration tests of the runtime and the command line.
TESTS += \
	tests/integration/cli.sh \
	tests/integration/vm_fail500.sh \
	tests/integration/vm_timeout.sh \
	tests/integration/vm_syntax.sh \
	tests/integration/vm_item.sh \
	tests/integration/vm_console.sh \
	tests/integration/vm_env.sh
EXTRA_DIST += $(filter tests/integration/vm_% tests/integration/cli.sh,$(TESTS)) \
	tests/tools/gen_items.py
