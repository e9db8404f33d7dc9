# lint.mk: make lint: cppcheck over the whole tree with the checked-in suppressions.
CPPCHECK ?= cppcheck
CPPCHECK_FLAGS := --std=c11 --enable=warning,style,performance,portability --inline-suppr \
	--suppressions-list=.cppcheck-suppressions --error-exitcode=1 -q \
	-D__linux__ -D__x86_64__ -D_GNU_SOURCE -Iinclude -Isrc/lib -Isrc/util -I$(BUILD)/gen \
	$(BPF_LINT_FLAGS)

.PHONY: lint
lint: $(BUILD)/gen/optnames.h
	$(CPPCHECK) $(CPPCHECK_FLAGS) $(wildcard src tests tools examples fuzz)
