# lab.mk: the lab's Go program is built at lab time from the source tree; the command knows where it is.
$(BUILD)/obj/src/lab/golang.o: ALL_CFLAGS += -DLAB_GO_DIR='"$(CURDIR)/src/lab/go"'
