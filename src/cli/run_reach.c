/* run_reach.c: whether the preload shim can reach a program: its ELF headers, its Go build info, its privileges. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "run_reach.h"

/* How deep "#!" interpreters are followed; the kernel itself allows 4 levels. */
#define SCRIPT_DEPTH 4
/* What Go's linker writes at the start of its build information (Go 1.13 on). */
static const char go_magic[] = "\xff Go buildinf:";

static int check_file(const char *path, char *why, size_t size, int depth);
static int check_command(const char *cmd, char *why, size_t size, int depth);

/* The file execvp would run for CMD into PATH (SIZE bytes); -ENOENT when none. */
static int resolve(const char *cmd, char *path, size_t size)
{
	const char *dirs = getenv("PATH");

	if (strchr(cmd, '/')) {
		snprintf(path, size, "%s", cmd);
		return 0;
	}
	if (!dirs)
		dirs = "/bin:/usr/bin"; /* glibc's execvp default */
	for (const char *p = dirs;; p++) {
		size_t len = strcspn(p, ":");
		struct stat st;

		snprintf(path, size, "%.*s%s%s", (int)len, len ? p : ".", "/", cmd);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0)
			return 0;
		p += len;
		if (!*p)
			return -ENOENT;
	}
}

/*
 * The privileges that put the loader into secure mode, where it ignores
 * LD_PRELOAD paths.  Measured here (Linux 6.18, glibc 2.36): as root, a
 * set-user-ID-root program and one with file capabilities still load the
 * preload; as another user neither does, nor does a program set-user-ID
 * to a user other than the caller.  A nosuid mount ignores the bits.
 */
static bool privileged(int fd, const struct stat *st, char *why, size_t size)
{
	struct statvfs vfs;
	bool nosuid = fstatvfs(fd, &vfs) == 0 && (vfs.f_flag & ST_NOSUID);

	if (!nosuid && (st->st_mode & S_ISUID) && st->st_uid != getuid()) {
		snprintf(why, size, "set-user-ID to uid %u, so the loader ignores LD_PRELOAD",
			 (unsigned)st->st_uid);
		return true;
	}
	if (!nosuid && (st->st_mode & S_ISGID) && st->st_gid != getgid()) {
		snprintf(why, size, "set-group-ID to gid %u, so the loader ignores LD_PRELOAD",
			 (unsigned)st->st_gid);
		return true;
	}
	if (!nosuid && getuid() != 0 && fgetxattr(fd, "security.capability", NULL, 0) > 0) {
		snprintf(why, size, "given file capabilities, so the loader ignores LD_PRELOAD");
		return true;
	}
	return false;
}

/* The ELF header fields the checks need, of either class. */
struct elf_layout {
	bool wide; /* ELFCLASS64 */
	uint64_t phoff, shoff;
	unsigned phnum, phentsize, shnum, shentsize, shstrndx;
};

static bool elf_layout(const unsigned char *h, size_t n, struct elf_layout *l)
{
	if (n < sizeof(Elf64_Ehdr) || memcmp(h, ELFMAG, SELFMAG) != 0)
		return false;
	l->wide = h[EI_CLASS] == ELFCLASS64;
	if (l->wide) {
		const Elf64_Ehdr *e = (const Elf64_Ehdr *)h;

		*l = (struct elf_layout){ true, e->e_phoff, e->e_shoff, e->e_phnum, e->e_phentsize,
					  e->e_shnum, e->e_shentsize, e->e_shstrndx };
	} else {
		const Elf32_Ehdr *e = (const Elf32_Ehdr *)h;

		*l = (struct elf_layout){ false, e->e_phoff, e->e_shoff, e->e_phnum, e->e_phentsize,
					  e->e_shnum, e->e_shentsize, e->e_shstrndx };
	}
	return true;
}

/* Whether a program header is PT_INTERP: without one the loader never runs (static). */
static bool has_interp(int fd, const struct elf_layout *l)
{
	for (unsigned i = 0; i < l->phnum; i++) {
		uint32_t type; /* p_type comes first in both classes */

		if (pread(fd, &type, sizeof(type), (off_t)(l->phoff + (uint64_t)i * l->phentsize)) ==
			    sizeof(type) &&
		    type == PT_INTERP)
			return true;
	}
	return false;
}

/* Offset and size of section I (both classes). */
static bool section_span(int fd, const struct elf_layout *l, unsigned i, uint64_t *off,
			 uint64_t *len)
{
	off_t at = (off_t)(l->shoff + (uint64_t)i * l->shentsize);
	Elf64_Shdr s64;
	Elf32_Shdr s32;

	if (l->wide && pread(fd, &s64, sizeof(s64), at) == sizeof(s64)) {
		*off = s64.sh_offset, *len = s64.sh_size;
		return true;
	}
	if (!l->wide && pread(fd, &s32, sizeof(s32), at) == sizeof(s32)) {
		*off = s32.sh_offset, *len = s32.sh_size;
		return true;
	}
	return false;
}

/* Whether a section is named NAME (sh_name comes first in both classes). */
static bool has_section(int fd, const struct elf_layout *l, const char *name)
{
	char names[65536];
	uint64_t off, len;
	ssize_t got;

	if (l->shnum == 0 || l->shstrndx >= l->shnum || !section_span(fd, l, l->shstrndx, &off, &len))
		return false;
	got = pread(fd, names, len < sizeof(names) - 1 ? len : sizeof(names) - 1, (off_t)off);
	if (got <= 0)
		return false;
	names[got] = '\0';
	for (unsigned i = 0; i < l->shnum; i++) {
		uint32_t at;

		if (pread(fd, &at, sizeof(at), (off_t)(l->shoff + (uint64_t)i * l->shentsize)) ==
			    sizeof(at) &&
		    at < (uint64_t)got && strcmp(names + at, name) == 0)
			return true;
	}
	return false;
}

/* Whether the file holds Go's build-info magic anywhere (a binary stripped of its sections). */
static bool has_go_magic(int fd, const struct stat *st)
{
	void *map;
	bool found;

	if (st->st_size <= 0)
		return false;
	map = mmap(NULL, (size_t)st->st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return false;
	found = memmem(map, (size_t)st->st_size, go_magic, sizeof(go_magic) - 1) != NULL;
	munmap(map, (size_t)st->st_size);
	return found;
}

static int check_elf(int fd, const struct stat *st, const struct elf_layout *l, char *why,
		     size_t size)
{
	bool go = l->shnum ? has_section(fd, l, ".go.buildinfo") : has_go_magic(fd, st);

	if (go) {
		snprintf(why, size, "a Go binary, whose runtime makes raw system calls");
		return 0;
	}
	if (!has_interp(fd, l)) {
		snprintf(why, size, "statically linked, so the loader that reads LD_PRELOAD never runs");
		return 0;
	}
	return 1;
}

/*
 * A script: judge its interpreter instead ("#!/usr/bin/env NAME" judges
 * NAME, which env looks up in PATH).
 */
static int check_script(const char *head, char *why, size_t size, int depth)
{
	char line[PATH_MAX], inner[256], *interp, *arg, *save = NULL;
	int r;

	snprintf(line, sizeof(line), "%.*s", (int)strcspn(head + 2, "\n"), head + 2);
	interp = strtok_r(line, " \t", &save);
	arg = interp ? strtok_r(NULL, " \t", &save) : NULL;
	if (!interp || depth >= SCRIPT_DEPTH)
		return 1;
	if (arg && *arg != '-' && strcmp(strrchr(interp, '/') ? strrchr(interp, '/') + 1 : interp,
					 "env") == 0)
		interp = arg;
	else
		arg = NULL;
	r = arg ? check_command(interp, inner, sizeof(inner), depth + 1)
		: check_file(interp, inner, sizeof(inner), depth + 1);
	if (r == 0)
		snprintf(why, size, "a script whose interpreter %s is %s", interp, inner);
	return r;
}

static int check_file(const char *path, char *why, size_t size, int depth)
{
	unsigned char head[512];
	struct elf_layout l;
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r = 1;

	if (fd < 0)
		return -errno;
	n = fstat(fd, &st) == 0 ? pread(fd, head, sizeof(head) - 1, 0) : -1;
	if (n < 0) {
		r = -errno;
	} else if (privileged(fd, &st, why, size)) {
		r = 0;
	} else if (n >= 2 && head[0] == '#' && head[1] == '!') {
		head[n] = '\0';
		r = check_script((const char *)head, why, size, depth);
	} else if (elf_layout(head, (size_t)n, &l)) {
		r = check_elf(fd, &st, &l, why, size);
	}
	close(fd);
	return r;
}

static int check_command(const char *cmd, char *why, size_t size, int depth)
{
	char path[PATH_MAX];
	int r = resolve(cmd, path, sizeof(path));

	return r < 0 ? r : check_file(path, why, size, depth);
}

int run_reach_check(const char *cmd, char *why, size_t size)
{
	return check_command(cmd, why, size, 0);
}
