# Runs a unit test, under valgrind when WH_VALGRIND=1 (errors and leaks
# fail the test with exit status 99).
if [ "${WH_VALGRIND:-}" = 1 ]; then
  exec valgrind -q --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect "$@"
fi
exec "$@"
