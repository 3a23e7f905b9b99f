# Unit test of the JavaScript runtime (daemon/vm*.c): the onItemQueried
# pipeline, onPacketCaptured, hook presence and statistics, load failures,
# isolation and the time limit, through the public API of vm.h.
check_PROGRAMS += tests/unit/test_vm
TESTS += tests/unit/test_vm
tests_unit_test_vm_SOURCES = tests/unit/test_vm.c tests/unit/check.h
tests_unit_test_vm_CPPFLAGS = $(libwhcore_la_CPPFLAGS)
tests_unit_test_vm_LDADD = libwhcore.la
