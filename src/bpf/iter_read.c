/* iter_read.c: an iterator's records read in this thread, or by a reader thread that reads the next ones while this thread decodes. */
#include <bpf/bpf.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfshow.h"

/*
 * How much to ask of each read() of an iterator: whole records that fit
 * the kernel's buffer (bpf_seq_read: 8 pages), so that a read ends at a
 * record and as few reads as can be are made.  The unix iterator resumes
 * each read by an offset in its hash bucket and, measured on Linux 6.18,
 * misses sockets there: of 300 unix sockets of one process 28 were not
 * met with these reads, 190 with one record per read.  bpf_show_scan
 * reads the ones a process holds through pidfd_getfd.
 */
static size_t read_size(size_t size, size_t room)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t kernel = (size_t)(page > 0 ? page : 4096) * 8, n = kernel < room ? kernel : room;

	return n >= size ? n / size * size : size;
}

/* Records of SIZE bytes as they arrive in pieces: a record split across two pieces waits in CARRY. */
struct records {
	size_t size, have;
	int (*each)(const void *rec, void *ctx);
	void *ctx;
	_Alignas(16) unsigned char carry[];
};

/* Hand each whole record of the N bytes at P to EACH: 0, or EACH's first non-zero result. */
static int records_feed(struct records *rs, const unsigned char *p, size_t n)
{
	int r;

	if (rs->have) { /* the end of the record begun in the last piece */
		size_t take = rs->size - rs->have < n ? rs->size - rs->have : n;

		memcpy(rs->carry + rs->have, p, take);
		rs->have += take;
		p += take;
		n -= take;
		if (rs->have < rs->size)
			return 0;
		rs->have = 0;
		if ((r = rs->each(rs->carry, rs->ctx)) != 0)
			return r;
	}
	for (; n >= rs->size; p += rs->size, n -= rs->size)
		if ((r = rs->each(p, rs->ctx)) != 0)
			return r;
	memcpy(rs->carry, p, n);
	rs->have = n;
	return 0;
}

static struct records *records_new(size_t size, int (*each)(const void *rec, void *ctx), void *ctx)
{
	struct records *rs = malloc(sizeof(*rs) + size);

	if (rs)
		*rs = (struct records){ .size = size, .each = each, .ctx = ctx };
	return rs;
}

int bpf_read_records(int link, size_t size, int (*each)(const void *rec, void *ctx), void *ctx,
		     struct bpf_show_diag *diag)
{
	static _Alignas(16) unsigned char buf[1 << 15]; /* records begin with 64-bit fields */
	struct records *rs = records_new(size, each, ctx);
	size_t want = read_size(size, sizeof(buf));
	int fd, r = 0;
	ssize_t n;

	if (!rs)
		return bpf_show_fail(diag, -ENOMEM, "out of memory");
	if ((fd = bpf_iter_create(link)) < 0) {
		free(rs);
		return bpf_show_fail(diag, -errno, "starting an iterator failed: %s", strerror(errno));
	}
	while (r == 0 && (n = read(fd, buf, want)) > 0)
		r = records_feed(rs, buf, (size_t)n);
	if (r == 0 && n < 0)
		r = bpf_show_fail(diag, -errno, "reading an iterator failed: %s", strerror(errno));
	close(fd);
	free(rs);
	return r;
}

/* ---- reading ahead -------------------------------------------------------- */

#define CHUNKS 4
#define CHUNK (1 << 15)

/*
 * The reader thread and the pieces it read that the decoding thread has
 * not taken yet: a ring of CHUNKS, PRODUCED and CONSUMED counting them.
 * One iterator at a time (FD, while BUSY); CANCEL ends it early, STOP
 * ends the thread.
 */
struct bpf_reader {
	pthread_t thread;
	pid_t tid;
	pthread_mutex_t lock;
	pthread_cond_t to_reader, to_decoder;
	int fd;
	size_t want;
	bool busy, cancel, stop;
	cpu_set_t saved; /* the CPUs the decoding thread may use, before it was pinned */
	unsigned long produced, consumed;
	struct {
		ssize_t n;
		int err;
		_Alignas(16) unsigned char bytes[CHUNK]; /* records begin with 64-bit fields */
	} chunk[CHUNKS];
};

/* Read the iterator given until its end, an error or CANCEL, while the ring has room; with RD->lock held. */
static void read_one(struct bpf_reader *rd)
{
	for (;;) {
		ssize_t n;
		int err;
		unsigned long at;

		while (!rd->cancel && rd->produced - rd->consumed == CHUNKS)
			pthread_cond_wait(&rd->to_reader, &rd->lock);
		if (rd->cancel)
			return;
		at = rd->produced % CHUNKS;
		pthread_mutex_unlock(&rd->lock);
		n = read(rd->fd, rd->chunk[at].bytes, rd->want);
		err = errno;
		pthread_mutex_lock(&rd->lock);
		rd->chunk[at].n = n;
		rd->chunk[at].err = n < 0 ? err : 0;
		rd->produced++;
		pthread_cond_signal(&rd->to_decoder);
		if (n <= 0)
			return;
	}
}

static void *reader_main(void *arg)
{
	struct bpf_reader *rd = arg;

	pthread_mutex_lock(&rd->lock);
	rd->tid = gettid();
	pthread_cond_signal(&rd->to_decoder);
	for (;;) {
		while (!rd->stop && !rd->busy)
			pthread_cond_wait(&rd->to_reader, &rd->lock);
		if (rd->stop)
			break;
		read_one(rd);
		rd->busy = false;
		pthread_cond_signal(&rd->to_decoder);
	}
	pthread_mutex_unlock(&rd->lock);
	return NULL;
}

/*
 * The reader and the decoding thread each on a CPU of its own while the
 * reader lives: left to the scheduler, they shared one CPU in about half
 * the runs (a show of 10,000 sockets took 21–34 ms; pinned, 22–24).
 */
static void pin_apart(struct bpf_reader *rd)
{
	int me = sched_getcpu(), other = -1;
	cpu_set_t one;

	for (int cpu = 0; other < 0 && cpu < CPU_SETSIZE; cpu++)
		if (cpu != me && CPU_ISSET(cpu, &rd->saved))
			other = cpu;
	if (me < 0 || other < 0)
		return;
	CPU_ZERO(&one);
	CPU_SET(me, &one);
	sched_setaffinity(0, sizeof(one), &one);
	CPU_ZERO(&one);
	CPU_SET(other, &one);
	pthread_setaffinity_np(rd->thread, sizeof(one), &one);
}

struct bpf_reader *bpf_reader_start(void)
{
	struct bpf_reader *rd = calloc(1, sizeof(*rd));

	/* On one CPU, reading ahead cannot overlap anything: this thread reads. */
	if (!rd || sched_getaffinity(0, sizeof(rd->saved), &rd->saved) < 0 ||
	    CPU_COUNT(&rd->saved) < 2) {
		free(rd);
		return NULL;
	}
	rd->fd = -1;
	pthread_mutex_init(&rd->lock, NULL);
	pthread_cond_init(&rd->to_reader, NULL);
	pthread_cond_init(&rd->to_decoder, NULL);
	if (pthread_create(&rd->thread, NULL, reader_main, rd) != 0) {
		free(rd);
		return NULL;
	}
	pthread_mutex_lock(&rd->lock);
	while (!rd->tid)
		pthread_cond_wait(&rd->to_decoder, &rd->lock);
	pthread_mutex_unlock(&rd->lock);
	pin_apart(rd);
	return rd;
}

pid_t bpf_reader_tid(const struct bpf_reader *rd)
{
	return rd->tid;
}

void bpf_reader_stop(struct bpf_reader *rd)
{
	if (!rd)
		return;
	pthread_mutex_lock(&rd->lock);
	rd->stop = true;
	pthread_cond_signal(&rd->to_reader);
	pthread_mutex_unlock(&rd->lock);
	pthread_join(rd->thread, NULL);
	sched_setaffinity(0, sizeof(rd->saved), &rd->saved);
	pthread_mutex_destroy(&rd->lock);
	pthread_cond_destroy(&rd->to_reader);
	pthread_cond_destroy(&rd->to_decoder);
	free(rd);
}

int bpf_reader_records(struct bpf_reader *rd, int link, size_t size,
		       int (*each)(const void *rec, void *ctx), void *ctx, struct bpf_show_diag *diag)
{
	struct records *rs = records_new(size, each, ctx);
	int fd, r = 0;

	if (!rs)
		return bpf_show_fail(diag, -ENOMEM, "out of memory");
	/* Made here: the iterator sees the network namespace of the thread that makes it. */
	if ((fd = bpf_iter_create(link)) < 0) {
		free(rs);
		return bpf_show_fail(diag, -errno, "starting an iterator failed: %s", strerror(errno));
	}
	pthread_mutex_lock(&rd->lock);
	rd->fd = fd;
	rd->want = read_size(size, CHUNK);
	rd->produced = rd->consumed = 0;
	rd->cancel = false;
	rd->busy = true;
	pthread_cond_signal(&rd->to_reader);
	for (;;) {
		unsigned long at;
		ssize_t n;

		while (rd->produced == rd->consumed)
			pthread_cond_wait(&rd->to_decoder, &rd->lock);
		at = rd->consumed % CHUNKS;
		n = rd->chunk[at].n;
		pthread_mutex_unlock(&rd->lock);
		if (n < 0)
			r = bpf_show_fail(diag, -rd->chunk[at].err, "reading an iterator failed: %s",
					  strerror(rd->chunk[at].err));
		else if (n > 0)
			r = records_feed(rs, rd->chunk[at].bytes, (size_t)n);
		pthread_mutex_lock(&rd->lock);
		rd->consumed++;
		pthread_cond_signal(&rd->to_reader);
		if (n <= 0 || r != 0)
			break;
	}
	rd->cancel = true;
	pthread_cond_signal(&rd->to_reader);
	while (rd->busy)
		pthread_cond_wait(&rd->to_decoder, &rd->lock);
	rd->fd = -1;
	pthread_mutex_unlock(&rd->lock);
	close(fd);
	free(rs);
	return r;
}
