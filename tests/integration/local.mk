# Integration tests of the runtime and the command line.
VM_TESTS = \
	tests/integration/cli.sh \
	tests/integration/vm_fail500.sh \
	tests/integration/vm_timeout.sh \
	tests/integration/vm_syntax.sh \
	tests/integration/vm_item.sh \
	tests/integration/vm_console.sh \
	tests/integration/vm_env.sh \
	tests/integration/vm_limits.sh
TESTS += $(VM_TESTS)
EXTRA_DIST += $(VM_TESTS) tests/tools/gen_items.py
