# valgrind.mk: make check-valgrind: the whole test suite with the test programs and the sockopt command under memcheck.
VALGRIND ?= valgrind
VALGRIND_LOGS := $(BUILD)/valgrind
VALGRIND_FLAGS := --error-exitcode=99 --run-libc-freeres=no --leak-check=full --errors-for-leak-kinds=definite \
	--show-leak-kinds=definite --num-callers=30 --log-file=$(CURDIR)/$(VALGRIND_LOGS)/%p.log \
	--suppressions=$(CURDIR)/tests/valgrind.supp

# Valgrind 3.19 (Debian 12) does not know pidfd_open(2) and answers ENOSYS, so what reads
# sockets through pidfd_getfd (another process's, or its own as test_sock_changed does) runs
# natively here (make check covers it under ASan and UBSan).
# explain probes the cgroup hooks once per option (bpf(BPF_LINK_CREATE), which valgrind 3.19
# does not know either).
VALGRIND_NATIVE := test_proc test_proc_threads test_sock_changed test_policy show set check export explain

.PHONY: check-valgrind
# --run-libc-freeres=no: glibc's freeres at exit flushes stdio, so under valgrind a forked
# child's _exit(2) would write its copy of the parent's unflushed output a second time.
# Every process's report goes to its own log (in a directory the users the tests switch to
# can write), so an error in a command whose exit status a shell test does not look at
# still fails the run.
check-valgrind: deps
	$(MAKE) all
	rm -rf $(VALGRIND_LOGS) && mkdir -p -m 1777 $(VALGRIND_LOGS)
	SOCKOPT_WRAP="$(VALGRIND) $(VALGRIND_FLAGS)" \
		SOCKOPT_WRAP_NATIVE="$(VALGRIND_NATIVE)" sh tests/run.sh $(BUILD)
	@bad=$$(grep -l -E 'ERROR SUMMARY: [1-9]|definitely lost: [1-9]' $(VALGRIND_LOGS)/*.log 2>/dev/null); \
	if [ -n "$$bad" ]; then cat $$bad; echo "valgrind found errors in $$bad"; exit 1; fi; \
	echo "valgrind: 0 errors, 0 definitely lost in $$(ls $(VALGRIND_LOGS) | wc -l) processes"
