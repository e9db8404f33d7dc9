/* proc_workers.c: a process's fds read on worker threads and handed to the scan's callback in fd order on the calling thread. */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "proc.h"

/*
 * Fds are handed out in chunks of CHUNK: about 2 ms of work for TCP
 * sockets (30 µs each, measured here), so that the lock and the wake-ups
 * per chunk cost little (chunks of 16 made 1,250 context switches on
 * 10,000 sockets, chunks of 64 make 250), and few enough that the ring
 * of RING_PER_WORKER chunks per worker read ahead stays small.
 */
#define CHUNK 64
#define RING_PER_WORKER 2

/*
 * One fd as a worker read it.  The option values are packed (lengths and
 * bytes end to end, about 1 KiB for a TCP socket) rather than left in the
 * worker's array of sockopt_value, where each of the 110 values of a TCP
 * socket sits on its own cache line: handing those lines from core to
 * core costs more than the formatting that reads them (measured here on
 * 10,000 TCP sockets: 2 threads took about 20 % more CPU time than 1 with
 * the values unpacked, about 5 % packed).
 */
struct slot {
	struct sockopt_sock sock; /* the description, and where the options go when delivered */
	int outcome;		  /* FD_*, or a negative errno that ends the scan (DIAG says why) */
	struct sockopt_diag diag;
	int *errors;		  /* per option read */
	unsigned short *lens;
	unsigned char *bytes; /* the values, end to end */
	size_t bytes_size;
};

/* CHUNK consecutive fds of the list, read by one worker. */
struct chunk {
	size_t index; /* which chunk of the list the slots hold */
	size_t count; /* slots filled: fewer than CHUNK at the end or after a scan-ending error */
	bool done;
	struct slot slots[CHUNK];
};

/* What the calling thread and its workers share during one scan. */
struct crew {
	struct sockopt_scan *scan;
	int pidfd;
	const int *fds;
	size_t nfds, nchunks;
	bool explicit;
	pthread_mutex_t lock;
	pthread_cond_t changed; /* a chunk was read, a chunk was freed, or STOP */
	size_t next;		/* the next chunk a worker takes */
	size_t consumed;	/* chunks delivered; chunk K may be read once K < consumed + nring */
	bool stop;
	size_t nring;
	struct chunk *ring;
};

/* Pack the options S read into SL; false when out of memory. */
static bool pack(struct slot *sl, const struct sockopt_sock *s)
{
	size_t need = 0, at = 0;

	for (size_t i = 0; i < s->option_count; i++)
		need += s->values[i].len;
	if (need > sl->bytes_size) {
		unsigned char *grown = realloc(sl->bytes, need);

		if (!grown)
			return false;
		sl->bytes = grown;
		sl->bytes_size = need;
	}
	for (size_t i = 0; i < s->option_count; i++) {
		sl->errors[i] = s->errors[i];
		sl->lens[i] = (unsigned short)s->values[i].len;
		memcpy(sl->bytes + at, s->values[i].v.bytes, s->values[i].len);
		at += s->values[i].len;
	}
	return true;
}

/* Unpack the options of SL into VALUES and ERRORS (the delivering thread's own), for SL's sock. */
static void unpack(struct slot *sl, sockopt_value *values, int *errors)
{
	struct sockopt_sock *s = &sl->sock;
	size_t at = 0;

	s->values = values;
	s->errors = errors;
	for (size_t i = 0; i < s->option_count; i++) {
		errors[i] = sl->errors[i];
		values[i].v.u64 = 0; /* as read_option leaves it: scalars are read as v.u64 */
		values[i].len = sl->lens[i];
		memcpy(values[i].v.bytes, sl->bytes + at, sl->lens[i]);
		at += sl->lens[i];
	}
}

/* Read fd FD into SL, the options through the worker's VALUES and ERRORS. */
static void slot_read(struct crew *c, struct slot *sl, int fd, sockopt_value *values, int *errors)
{
	struct sockopt_sock *s = &sl->sock;

	s->values = values;
	s->errors = errors;
	sl->outcome = fd_read(s, c->pidfd, fd, c->explicit, true, &sl->diag);
	if (s->prefetched && s->prefetch_result > 0 && !pack(sl, s)) {
		s->prefetch_result = -ENOMEM;
		s->option_count = 0; /* nothing to unpack */
	}
}

/* Read chunk K into CH; a scan-ending error stops the chunk there, and tells the crew to stop. */
static void chunk_read(struct crew *c, struct chunk *ch, size_t k, sockopt_value *values,
		       int *errors)
{
	size_t first = k * CHUNK, end = first + CHUNK < c->nfds ? first + CHUNK : c->nfds;

	ch->count = 0;
	for (size_t i = first; i < end; i++) {
		struct slot *sl = &ch->slots[ch->count++];

		slot_read(c, sl, c->fds[i], values, errors);
		if (sl->outcome < 0) {
			pthread_mutex_lock(&c->lock);
			c->stop = true;
			pthread_mutex_unlock(&c->lock);
			break;
		}
	}
}

/* One worker thread and the room it reads a socket's options into. */
struct hand {
	struct crew *crew;
	pthread_t thread;
	sockopt_value *values;
	int *errors;
};

static void *worker(void *arg)
{
	struct hand *h = arg;
	struct crew *c = h->crew;

	/*
	 * A table of fds of its own: while threads share one, every
	 * getsockopt takes and drops a reference on its file (fdget), and
	 * pidfd_getfd and close contend for the table's lock.  Measured here
	 * on 10,000 sockets with 2 threads: 5 to 10 % more CPU time with the
	 * shared table.  The duplicates then live in this table only, so a
	 * scan of the scanning process itself never meets a worker's
	 * duplicate under a number it listed; the table goes with the thread.
	 */
	unshare(CLONE_FILES);
	pthread_mutex_lock(&c->lock);
	for (;;) {
		struct chunk *ch;
		size_t k;

		while (!c->stop && c->next < c->nchunks && c->next >= c->consumed + c->nring)
			pthread_cond_wait(&c->changed, &c->lock);
		if (c->stop || c->next >= c->nchunks)
			break;
		k = c->next++;
		ch = &c->ring[k % c->nring];
		pthread_mutex_unlock(&c->lock);
		chunk_read(c, ch, k, h->values, h->errors);
		pthread_mutex_lock(&c->lock);
		ch->index = k;
		ch->done = true;
		pthread_cond_broadcast(&c->changed);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

/* Wait for chunk K, deliver its fds in order, then free its place in the ring. */
static int chunk_deliver(struct crew *c, size_t k, sockopt_sock_fn fn, void *ctx, int *count,
			 struct sockopt_diag *diag)
{
	struct chunk *ch = &c->ring[k % c->nring];
	int r = 0;

	pthread_mutex_lock(&c->lock);
	while (!(ch->done && ch->index == k))
		pthread_cond_wait(&c->changed, &c->lock);
	pthread_mutex_unlock(&c->lock);
	for (size_t i = 0; r == 0 && i < ch->count; i++) {
		struct slot *sl = &ch->slots[i];

		unpack(sl, c->scan->values, c->scan->errors);
		r = sl->outcome < 0 ? sl->outcome : fd_deliver(&sl->sock, sl->outcome, fn, ctx, count);
		if (sl->outcome < 0 && diag)
			*diag = sl->diag;
	}
	pthread_mutex_lock(&c->lock);
	ch->done = false;
	c->consumed = k + 1;
	c->stop |= r < 0;
	pthread_cond_broadcast(&c->changed);
	pthread_mutex_unlock(&c->lock);
	return r;
}

static void ring_free(struct chunk *ring, size_t nring)
{
	for (size_t i = 0; ring && i < nring; i++)
		for (size_t j = 0; j < CHUNK; j++) {
			free(ring[i].slots[j].errors);
			free(ring[i].slots[j].lens);
			free(ring[i].slots[j].bytes);
		}
	free(ring);
}

/* The ring of chunks, each slot with room for one socket's packed options; NULL when out of memory. */
static struct chunk *ring_new(struct sockopt_scan *scan, size_t nring)
{
	struct chunk *ring = calloc(nring, sizeof(*ring));
	size_t n = sockopt_catalog_count() + 1;

	for (size_t i = 0; ring && i < nring; i++)
		for (size_t j = 0; j < CHUNK; j++) {
			struct slot *sl = &ring[i].slots[j];

			sock_init(&sl->sock, scan, scan->sock.pid, scan->sock.comm, NULL, NULL);
			sl->errors = malloc(n * sizeof(*sl->errors));
			sl->lens = malloc(n * sizeof(*sl->lens));
			if (!sl->errors || !sl->lens) {
				ring_free(ring, nring);
				return NULL;
			}
		}
	return ring;
}

/* Free the crew's ring and hands (HANDS of them). */
static void crew_free(struct crew *c, struct hand *hands, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		free(hands[i].values);
		free(hands[i].errors);
	}
	ring_free(c->ring, c->nring);
}

/* Room for WORKERS hands and the ring; false when out of memory (the crew then frees what it has). */
static bool crew_alloc(struct crew *c, struct hand *hands, unsigned workers)
{
	size_t n = sockopt_catalog_count() + 1;
	bool ok = true;

	for (unsigned i = 0; i < workers; i++) {
		hands[i] = (struct hand){ .crew = c };
		hands[i].values = malloc(n * sizeof(*hands[i].values));
		hands[i].errors = malloc(n * sizeof(*hands[i].errors));
		ok &= hands[i].values && hands[i].errors;
	}
	c->nring = RING_PER_WORKER * workers;
	c->ring = ring_new(c->scan, c->nring);
	return ok && c->ring;
}

int crew_scan(struct sockopt_scan *scan, int pidfd, const int *fds, size_t nfds, bool explicit,
	      unsigned workers, sockopt_sock_fn fn, void *ctx, int *count,
	      struct sockopt_diag *diag)
{
	struct crew c = { .scan = scan, .pidfd = pidfd, .fds = fds, .nfds = nfds,
			  .explicit = explicit, .nchunks = (nfds + CHUNK - 1) / CHUNK };
	struct hand hands[16];
	unsigned started = 0;
	int r;

	if (workers > c.nchunks)
		workers = (unsigned)c.nchunks;
	if (workers > ARRAY_SIZE(hands))
		workers = ARRAY_SIZE(hands);
	if (!crew_alloc(&c, hands, workers)) {
		crew_free(&c, hands, workers);
		return 1;
	}
	pthread_mutex_init(&c.lock, NULL);
	pthread_cond_init(&c.changed, NULL);
	while (started < workers &&
	       pthread_create(&hands[started].thread, NULL, worker, &hands[started]) == 0)
		started++;
	/* No thread could be started (out of resources): the caller reads the fds itself. */
	r = started ? 0 : 1;
	for (size_t k = 0; r == 0 && k < c.nchunks; k++)
		r = chunk_deliver(&c, k, fn, ctx, count, diag);
	pthread_mutex_lock(&c.lock);
	c.stop = true;
	pthread_cond_broadcast(&c.changed);
	pthread_mutex_unlock(&c.lock);
	while (started > 0)
		pthread_join(hands[--started].thread, NULL);
	pthread_cond_destroy(&c.changed);
	pthread_mutex_destroy(&c.lock);
	crew_free(&c, hands, workers);
	return r;
}
