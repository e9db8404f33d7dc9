/* proc_perm.c: why the kernel refused to let this process read another one's fds, said in one sentence. */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc.h"

#define CAP_SYS_PTRACE_BIT 19 /* linux/capability.h */

/* The four ids of the "Uid:" or "Gid:" line (real, effective, saved, fs) of /proc/PID/status. */
static bool status_ids(const char *pid, const char *key, unsigned long ids[4])
{
	char path[64], line[256];
	size_t klen = strlen(key);
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/status", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strncmp(line, key, klen) == 0 &&
			sscanf(line + klen, "%lu %lu %lu %lu", &ids[0], &ids[1], &ids[2], &ids[3]) == 4;
	fclose(f);
	return found;
}

/* Whether this process has CAP_SYS_PTRACE in its effective set. */
static bool have_cap_sys_ptrace(void)
{
	char line[256];
	unsigned long long caps = 0;
	bool found = false;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "CapEff: %llx", &caps) == 1;
	fclose(f);
	return (caps >> CAP_SYS_PTRACE_BIT) & 1;
}

/* kernel.yama.ptrace_scope, or -1 when Yama is not in this kernel. */
static int yama_scope(void)
{
	long long scope;

	if (sockopt_sysctl_read_long("kernel.yama.ptrace_scope", &scope, NULL) < 0)
		return -1;
	return (int)scope;
}

/* "root (uid 0)" or "uid 1234" for messages. */
static void user_name(unsigned long uid, char *buf, size_t size)
{
	struct passwd pw, *found = NULL;
	char scratch[1024];

	if (getpwuid_r((uid_t)uid, &pw, scratch, sizeof(scratch), &found) == 0 && found)
		snprintf(buf, size, "%s (uid %lu)", found->pw_name, uid);
	else
		snprintf(buf, size, "uid %lu", uid);
}

/* The sentence for Yama's refusal at SCOPE (>= 1). */
static int yama_denied(pid_t pid, const char *comm, int err, int scope, struct sockopt_diag *diag)
{
	static const char *const rules[] = {
		NULL,
		"lets a process read the fds only of its own descendants unless it has "
		"CAP_SYS_PTRACE (start the program from sockopt, run as root, or set it to 0)",
		"lets only processes with CAP_SYS_PTRACE read another process's fds (run as root)",
		"forbids reading another process's fds, even with CAP_SYS_PTRACE, until reboot",
	};

	return diag_set(diag, err, "Reading the sockets of process %d (%s) was refused: "
			"kernel.yama.ptrace_scope = %d %s.",
			(int)pid, comm, scope, rules[scope > 3 ? 3 : scope]);
}

int proc_denied(pid_t pid, const char *comm, int err, struct sockopt_diag *diag)
{
	unsigned long uids[4], gids[4];
	char pidtext[16], path[64], target[96], self[96];
	bool same_user = true, same_group = true, cap = have_cap_sys_ptrace();
	int scope = yama_scope();
	struct stat st;

	snprintf(pidtext, sizeof(pidtext), "%d", (int)pid);
	if (!status_ids(pidtext, "Uid:", uids) || !status_ids(pidtext, "Gid:", gids))
		return diag_set(diag, -ESRCH, "Process %d (%s) has exited.", (int)pid, comm);
	for (int i = 0; i < 3; i++) {
		same_user &= uids[i] == getuid();
		same_group &= gids[i] == getgid();
	}
	if (scope >= 3)
		return yama_denied(pid, comm, err, scope, diag);
	if (!cap && !same_user) {
		user_name(uids[1], target, sizeof(target));
		user_name(getuid(), self, sizeof(self));
		return diag_set(diag, err, "Process %d (%s) runs as %s and sockopt as %s; reading "
				"another user's sockets needs CAP_SYS_PTRACE (run sockopt as root "
				"or as that user).",
				(int)pid, comm, target, self);
	}
	if (!cap && !same_group)
		return diag_set(diag, err, "Process %d (%s) runs with group id %lu and sockopt with "
				"%lu; reading its sockets needs the same user and group, or "
				"CAP_SYS_PTRACE.",
				(int)pid, comm, gids[1], (unsigned long)getgid());
	/* /proc gives a non-dumpable process's private entries (not /proc/PID itself) to root. */
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if (!cap && stat(path, &st) == 0 && st.st_uid == 0 && uids[1] != 0)
		return diag_set(diag, err, "Process %d (%s) is not dumpable (it changed its "
				"credentials or called prctl(PR_SET_DUMPABLE, 0)), so only "
				"CAP_SYS_PTRACE lets another process read its sockets.",
				(int)pid, comm);
	if (!cap && scope >= 1)
		return yama_denied(pid, comm, err, scope, diag);
	return diag_set(diag, err, "Reading the sockets of process %d (%s) was refused (%s) %s; "
			"a security module (SELinux, AppArmor) or a user namespace boundary "
			"stands in the way.",
			(int)pid, comm, errno_name(-err),
			cap ? "although sockopt has CAP_SYS_PTRACE" : "although it runs as the same user");
}
