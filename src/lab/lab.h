/* lab.h: the lab's experiment type, its result with measured fields, and the verdict computed from them. */
#ifndef SOCKOPT_LAB_H
#define SOCKOPT_LAB_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "sockopt.h"

/*
 * An experiment measures, and only measures: its run function records
 * named fields (numbers, words such as errno names, yes/no).  The verdict
 * is computed afterwards by lab_judge() from those fields and the
 * experiment's table of checks, one check per part of the seed's claim, so
 * no experiment can write its verdict by hand.
 */

#define LAB_FIELDS_MAX 64
#define LAB_NAME_MAX 32
#define LAB_STR_MAX 120
#define LAB_TEXT_MAX 1024

/* The four verdicts a document's claim can get. */
enum lab_verdict { LAB_AGREES, LAB_DIFFERS, LAB_PARTLY, LAB_NOT_MEASURED };
#define LAB_VERDICTS 4

enum lab_field_type { LAB_INT, LAB_STR, LAB_BOOL };

/* One measured quantity. */
struct lab_field {
	char name[LAB_NAME_MAX];
	enum lab_field_type type;
	long long i; /* LAB_INT and LAB_BOOL */
	char s[LAB_STR_MAX];
};

/*
 * What one run produced.  Plain data with no pointers, so an experiment
 * that runs in a child process (a private network namespace) can send it
 * back through a pipe.
 */
struct lab_result {
	struct lab_field fields[LAB_FIELDS_MAX];
	size_t nfields;
	char observed[LAB_TEXT_MAX]; /* one or two sentences with the numbers */
	char skipped[LAB_TEXT_MAX];  /* why it could not run; empty when it ran */
	int runs;		     /* how many times it ran (timings: median of the runs) */
	long long elapsed_ms;
};

/* How a check compares a field. */
enum lab_op { LAB_EQ, LAB_NE, LAB_LT, LAB_LE, LAB_GT, LAB_GE };

/*
 * One part of a claim: FIELD OP (STR, or VALUE, or OTHER × NUM / DEN).
 * STR is for word fields; OTHER names another field; NUM/DEN default to 1.
 * SETUP marks a precondition of the measurement rather than part of a
 * claim (an experiment's own checks): when it fails the experiment is not
 * measured.  UNMEASURED lists a part the lab does not measure, and why.
 */
struct lab_check {
	const char *field;
	enum lab_op op;
	long long value;
	const char *str;
	const char *other;
	long long num, den;
	const char *says; /* the claim's part in words: "the peer's read fails with ECONNRESET" */
	bool setup;
	const char *unmeasured; /* not measured, because…; FIELD is then NULL */
};

/* What an experiment needs beyond an ordinary process. */
enum lab_need {
	LAB_NEEDS_NETNS = 1u << 0, /* a private network namespace: CAP_NET_ADMIN */
	LAB_NEEDS_RAW = 1u << 1,   /* raw sockets for part of it: CAP_NET_RAW (shown by --list) */
};

/*
 * A measurement: it runs once (or REPEAT times, timings then reported as
 * the median with the minimum and maximum) and any number of documents'
 * claims are judged on its fields.
 */
struct lab_experiment {
	const char *id;
	const char *title;
	const char *options; /* option names it is about, space-separated */
	const char *method;  /* what the experiment does */
	const char *shows;   /* the field the summary shows: the deciding number */
	unsigned needs;	     /* LAB_NEEDS_* */
	int repeat;	     /* runs for a timing median (0: once) */
	void (*run)(struct lab_result *r);
	const struct lab_check *checks; /* preconditions only (SETUP) */
	size_t nchecks;
};

/* One of the five documents under ../shared/seeds/, as a reader knows it. */
struct lab_seed {
	const char *tag;  /* the short name the summary uses: "unp" */
	const char *file; /* "003_f012efc3bbbfde02.txt" */
	const char *name; /* "Notes on UNP vol. 1 ch. 7, socket options (CSDN blog)" */
};

/*
 * One statement of one document: where it is (seed and 1-based lines),
 * what it says in our words with every specific it gives, and its parts,
 * each judged on the fields of the experiment named.  Two documents making
 * the same statement have a record each, judged on the same measurement.
 */
struct lab_claim {
	const char *id;
	const char *experiment;
	const char *seed; /* a lab_seed tag */
	int line, last;	  /* LAST is 0 for a one-line statement */
	const char *statement;
	const struct lab_check *parts;
	size_t nparts;
};

#define LAB_CHECKS(a) (a), (sizeof(a) / sizeof((a)[0]))
#define LAB_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define LAB_PARTS_MAX 16

/* The registry: every experiment in report order. */
size_t lab_count(void);
const struct lab_experiment *lab_at(size_t i);
const struct lab_experiment *lab_find(const char *id);
/* Whether experiment X declares itself about option NAME (case-insensitive kernel name). */
bool lab_is_about(const struct lab_experiment *x, const char *name);

/* Every claim, in report order (grouped by experiment). */
size_t lab_claim_count(void);
const struct lab_claim *lab_claim_at(size_t i);
const struct lab_claim *lab_claim_find(const char *id);
/* The documents. */
size_t lab_seed_count(void);
const struct lab_seed *lab_seed_at(size_t i);
const struct lab_seed *lab_seed_find(const char *tag);

/* Run X (in a child in a private network namespace when it needs one; REPEAT times for timings). */
void lab_run(const struct lab_experiment *x, struct lab_result *r);

/* What judging one claim found. */
struct lab_judgement {
	enum lab_verdict verdict;
	char reason[LAB_TEXT_MAX];
};
/* Judge claim C on R, the result of its experiment. */
void lab_judge(const struct lab_claim *c, const struct lab_result *r, struct lab_judgement *j);
/* Check X's preconditions on R; false (and R->skipped says why) when one fails. */
bool lab_setup_holds(const struct lab_experiment *x, struct lab_result *r);
const char *lab_verdict_name(enum lab_verdict v);
/*
 * The kernel's HZ, measured: jiffies (/proc/timer_list) counted over a
 * timed 200 ms; else CONFIG_HZ from /boot/config-RELEASE; -1 when neither
 * is readable.  HOW says which, with the numbers.
 */
int lab_hz(char *how, size_t size);
/* The unit of a field, from its name ("_us": "us"), or NULL for a count or a word. */
const char *lab_field_unit(const char *name);

/* What one check found. */
enum lab_outcome { LAB_HOLDS, LAB_FAILS, LAB_UNMEASURED };
/* Evaluate check C on R; MEASURED and EXPECTED receive text forms ("OK", "== EWOULDBLOCK"). */
enum lab_outcome lab_check_eval(const struct lab_check *c, const struct lab_result *r,
				char *measured, size_t msize, char *expected, size_t esize);

/* ---- recording (for experiments) ---------------------------------------- */

void lab_int(struct lab_result *r, const char *name, long long v);
void lab_str(struct lab_result *r, const char *name, const char *s);
void lab_bool(struct lab_result *r, const char *name, bool v);
/* A word field for an errno: "OK" for 0, else its name ("ECONNRESET"); ERR may be negative. */
void lab_errno(struct lab_result *r, const char *name, int err);
const struct lab_field *lab_field(const struct lab_result *r, const char *name);
/* A number field's value, or -1 when it was not measured (for sentences). */
long long lab_num(const struct lab_result *r, const char *name);
/* A word field's value, or "-" when it was not measured (for sentences). */
const char *lab_word(const struct lab_result *r, const char *name);
/* The observed sentence (replaces what was there). */
void lab_observe(struct lab_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append to the observed sentence. */
void lab_observe_more(struct lab_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Mark R skipped with a reason; returns false so callers can `return lab_skip(…)`. */
bool lab_skip(struct lab_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- options through the library (for experiments) ---------------------- */

/* The catalog entry NAME, or NULL after marking R "skipped: catalog lacks NAME". */
const sockopt_entry *lab_opt(struct lab_result *r, const char *name);
/* Set option NAME from text; 0 or -errno (-ENOENT when the catalog lacks it). */
int lab_set(int fd, const char *name, const char *text);
/* Set option NAME from text even if the catalog says it is read-only (what does the kernel say?). */
int lab_set_unchecked(int fd, const char *name, const char *text);
/* Read an int-like option NAME; 0 or -errno. */
int lab_get_int(int fd, const char *name, int *out);
/* Read option NAME formatted as text; 0 or -errno. */
int lab_get_text(int fd, const char *name, char *buf, size_t size);
/*
 * Read the int-like option NAME on FD into the number field named by FMT
 * (printf-style: "%s_sndbuf", prefix); false, and no field, when it
 * cannot be read.
 */
bool lab_record(struct lab_result *r, int fd, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The same on a fresh socket of FAMILY and TYPE, closed again: a default value. */
bool lab_record_fresh(struct lab_result *r, int family, int type, const char *name,
		      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* FD's pending error (SO_ERROR, which reading clears) as the word field FIELD ("OK", "ECONNRESET"). */
void lab_record_error(struct lab_result *r, int fd, const char *field);

/*
 * FD's TCP_INFO through the library into TI of SIZE bytes (glibc's struct
 * tcp_info or the kernel's longer one), zero-filled past what the kernel
 * gave; false when unreadable.
 */
bool lab_tcp_info(int fd, void *ti, size_t size);

/* ---- receiving (for experiments) ---------------------------------------- */

/*
 * Receive one datagram on FD within 500 ms and pass each of its control
 * messages to FN; the datagram's length, or -1 when none came.
 */
ssize_t lab_recv_cmsgs(int fd, void (*fn)(struct lab_result *, const struct cmsghdr *),
		       struct lab_result *r);

#endif /* SOCKOPT_LAB_H */
