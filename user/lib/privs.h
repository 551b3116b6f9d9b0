/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Least privilege: once everything is loaded, attached and bound, the exporter
 * becomes --user (nobody by default when started as root) and keeps only the
 * capabilities its later work needs, in every set, with no_new_privs.
 */
#ifndef SIP6XX_PRIVS_H
#define SIP6XX_PRIVS_H

#include <stdbool.h>
#include <sys/types.h>

#define PRIVS_DEFAULT_USER "nobody"

struct privs {
	bool change_ids; /* started as root: setgroups, setgid, setuid to the ids below */
	uid_t uid;
	gid_t gid;
	char user[64]; /* for the logs */
};

/* What the exporter still does after the drop, beyond serving and alerting. */
struct privs_needs {
	bool tc_egress; /* a TC filter to re-attach and to detach at stop (rtnetlink) */
};

/* Capabilities kept after the drop, as a mask of 1ULL << CAP_*, and why each is. */
struct privs_keep {
	unsigned long long caps;
	const char *why_bpf;	   /* NULL when CAP_BPF (or CAP_SYS_ADMIN) is not kept */
	const char *why_net_admin; /* NULL when CAP_NET_ADMIN is not kept */
};

/*
 * Resolves --user (@user NULL: nobody when started as root, else no change).
 * Call it before loading anything; 0, or -1 after an error naming the user.
 */
int privs_prepare(struct privs *p, const char *user);

/*
 * The capabilities the running exporter needs: CAP_BPF while
 * kernel.unprivileged_bpf_disabled (@unpriv_bpf_disabled; -1 when unreadable)
 * keeps every bpf() call, map reads on held descriptors included, from tasks
 * without it (CAP_SYS_ADMIN where the kernel predates CAP_BPF), and
 * CAP_NET_ADMIN for TC egress. Pure: the unit tests call it.
 */
struct privs_keep privs_needed(int unpriv_bpf_disabled, bool kernel_has_cap_bpf,
			       const struct privs_needs *needs);

/* kernel.unprivileged_bpf_disabled, or -1 when it cannot be read. */
int privs_unpriv_bpf_disabled(void);

/*
 * Drops to p's user and to the kept capabilities (permitted, effective,
 * inheritable, ambient and bounding sets), clears supplementary groups and
 * sets no_new_privs; logs what is kept and why. The process must still be
 * single-threaded. 0, or -1 after logging.
 */
int privs_drop(const struct privs *p, const struct privs_needs *needs);

#endif
