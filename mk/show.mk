# show.mk: make bench-show: sockopt show on 10,000 loopback TCP sockets, against ss -tanpie and a raw loop.
.PHONY: bench-show

$(BUILD)/bench_show: tests/bench_show.c $(BUILD)/libsockopt.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libsockopt.a -lm -lpthread

bench-show: $(BUILD)/sockopt $(BUILD)/bench_show
	sh tests/bench_show.sh $(BUILD)
