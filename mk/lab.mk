# lab.mk: where the lab's Go program is (built at lab time from the source tree), and the judge's test program.
$(BUILD)/obj/src/lab/golang.o: ALL_CFLAGS += -DLAB_GO_DIR='"$(CURDIR)/src/lab/go"'

# tests/lab_judge.c feeds the judge synthetic fields: it links the lab, not the command.
LAB_JUDGE_OBJ := $(filter $(BUILD)/obj/src/lab/% $(BUILD)/obj/src/util/%,$(CLI_OBJ))
$(BUILD)/tests/lab_judge: tests/lab_judge.c $(LAB_JUDGE_OBJ) $(BUILD)/libsockopt.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Isrc/lab $(LDFLAGS) -o $@ $< $(LAB_JUDGE_OBJ) $(BUILD)/libsockopt.a $(CLI_LIBS)
all: $(BUILD)/tests/lab_judge
